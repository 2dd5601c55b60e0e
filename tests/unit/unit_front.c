// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The direct-mapped fronts of sfc_ifaces, sfc_hops and sfc_sf_pos
 * (struct sfc_if_front): sfcd fills them beside the hash maps, the
 * datapath takes a slot only when it holds the key at both ends and
 * otherwise asks the hash map, deletes clear the slot, and a sync at start
 * rebuilds every slot from the hash maps.
 *
 * Which of the two the datapath read is told by giving the slot a value
 * the hash map does not have (a role, a hop that is down) and looking at
 * the verdict.
 */
#include "unit.h"

static const char *const DOC =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
	"        {'name':'b','dev':'sfb','out-dev':'sfbr','mac':'02:00:00:00:5f:0b'}],"
	" 'chains':[{'name':'ab','spi':100,'hops':['a','b']}],"
	" 'rules':[{'pref':1,'dst':'198.18.1.0/24','chain':'ab'}]}";

#define IN0 ifx[IF_IN0]

static struct pkt_spec flow(int host)
{
	static char dst[64][32];
	static int n;
	char *d = dst[n++ % 64];

	snprintf(d, sizeof(dst[0]), "198.18.1.%d", host);
	return TCP4("198.18.0.1", 42000 + host, d, 5201);
}

static __u32 path_of(const char *chain)
{
	__u32 cid = chain_id(chain);
	struct sfc_chain head = {};

	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	return head.path_id;
}

static struct sfc_if_front if_slot(__u32 ifindex)
{
	struct sfc_if_front f = {};
	__u32 i = sfc_if_front_idx(ifindex);

	bpf_map_lookup_elem(dp->maps.if_front, &i, &f);
	return f;
}

static struct sfc_hop_front hop_slot(__u32 path_id, __u32 si)
{
	struct sfc_hop_front f = {};
	__u32 i = sfc_hop_front_idx(path_id, si);

	bpf_map_lookup_elem(dp->maps.hop_front, &i, &f);
	return f;
}

static void if_slot_set(__u32 ifindex, const struct sfc_if_front *f)
{
	__u32 i = sfc_if_front_idx(ifindex);

	bpf_map_update_elem(dp->maps.if_front, &i, f, BPF_ANY);
}

static void hop_slot_set(__u32 path_id, __u32 si, const struct sfc_hop_front *f)
{
	__u32 i = sfc_hop_front_idx(path_id, si);

	bpf_map_update_elem(dp->maps.hop_front, &i, f, BPF_ANY);
}

/* The verdict of a new flow's first packet on in0. */
static __u32 first_packet(int host)
{
	struct pkt_spec s = flow(host);
	struct run r = {};
	struct pkt p;

	flow_del(&s);
	pkt_build(&p, &s);
	if (xdp_run(IN0, &p, &r))
		return 0xffff;
	flow_del(&s);
	return r.ret;
}

/* checks that the apply filled the slots of in0, of both hops and of both positions with the hash maps' values */
static void test_apply_fills_the_slots(void)
{
	__u32 path = path_of("ab"), k = IN0;
	struct sfc_if_front fi = if_slot(IN0);
	struct sfc_iface v = {};
	struct sfc_hop hop = {};
	struct sfc_hop_key hk = { .path_id = path, .si = 2 };
	struct sfc_pos_key pk = { .ifindex = ifx[IF_SFA], .path_id = path };
	struct sfc_pos_front fp = {};
	__u32 pi = sfc_pos_front_idx(pk.ifindex, pk.path_id);

	ASSERT_OK(bpf_map_lookup_elem(dp->maps.ifaces, &k, &v) ? -errno : 0, "sfc_ifaces[in0]");
	ASSERT_EQ(fi.ifindex, IN0, "in0's slot: ifindex");
	ASSERT_EQ(fi.check, IN0, "in0's slot: check");
	ASSERT_MEM_EQ(&fi.v, &v, sizeof(v), "in0's slot: value");
	for (__u32 si = 1; si <= 2; si++) {
		struct sfc_hop_front fh = hop_slot(path, si);

		hk.si = si;
		ASSERT_OK(bpf_map_lookup_elem(dp->maps.hops, &hk, &hop) ? -errno : 0, "sfc_hops");
		ASSERT_EQ(fh.k.path_id, path, "hop slot: path");
		ASSERT_EQ(fh.k.si, si, "hop slot: SI");
		ASSERT_MEM_EQ(&fh.v, &hop, sizeof(hop), "hop slot: value");
	}
	bpf_map_lookup_elem(dp->maps.pos_front, &pi, &fp);
	ASSERT_EQ(fp.k.ifindex, pk.ifindex, "position slot of sfa: ifindex");
	ASSERT_EQ(fp.v.si, 2, "position slot of sfa: SI 2");
}

/* checks that the datapath reads the slot: in0's slot saying "no role" makes a packet that the hash map would chain pass unchained */
static void test_datapath_takes_a_matching_slot(void)
{
	struct sfc_if_front keep = if_slot(IN0), f = keep;

	ASSERT_EQ(first_packet(1), XDP_REDIRECT, "chained with the slot as sfcd wrote it");
	f.v.flags = 0;
	if_slot_set(IN0, &f);
	ASSERT_EQ(first_packet(2), XDP_PASS, "slot without the ingress role: not chained");
	if_slot_set(IN0, &keep);
	ASSERT_EQ(first_packet(3), XDP_REDIRECT, "chained again");
}

/* checks that a slot holding another interface, or in0 at one end only (a slot being rewritten), is not taken: the hash map answers */
static void test_slot_of_another_key_falls_back_to_the_hash(void)
{
	struct sfc_if_front keep = if_slot(IN0), f = { 0 };

	f.ifindex = f.check = IN0 + SFC_IF_FRONT_SLOTS; /* same slot, other interface */
	if_slot_set(IN0, &f);
	ASSERT_EQ(first_packet(4), XDP_REDIRECT, "other interface in the slot: the hash map's role");
	f = keep;
	f.v.flags = 0;
	f.check = IN0 + 1;
	if_slot_set(IN0, &f);
	ASSERT_EQ(first_packet(5), XDP_REDIRECT, "ends disagree: the hash map's role");
	f = (struct sfc_if_front){ 0 };
	if_slot_set(IN0, &f);
	ASSERT_EQ(first_packet(6), XDP_REDIRECT, "empty slot: the hash map's role");
	if_slot_set(IN0, &keep);
}

/* checks the same for hops: a slot saying the first hop is down drops, a half-written one is not taken */
static void test_hop_slot_taken_only_when_whole(void)
{
	__u32 path = path_of("ab");
	struct sfc_hop_front keep = hop_slot(path, 2), f = keep;
	__u64 d0 = reason_count(SFC_R_HOP_DOWN);

	f.v.flags |= SFC_HOP_DOWN;
	hop_slot_set(path, 2, &f);
	ASSERT_EQ(first_packet(7), XDP_DROP, "slot says hop 1 is down: on-failure drop");
	ASSERT_EQ(reason_count(SFC_R_HOP_DOWN) - d0, 1, "reason hop-down-drop count");
	f.check = path + 2;
	hop_slot_set(path, 2, &f);
	ASSERT_EQ(first_packet(8), XDP_REDIRECT, "ends disagree: the hash map's hop");
	hop_slot_set(path, 2, &keep);
}

/* checks that deleting a hop through sfcd's path clears its slot, and that a sync rebuilds every slot from the hash maps */
static void test_delete_clears_and_sync_rebuilds(void)
{
	__u32 path = path_of("ab");
	struct sfc_hop_key hk = { .path_id = path, .si = 1 };
	struct sfc_hop hop;
	struct sfc_if_front zero_if = { 0 };

	ASSERT_OK(bpf_map_lookup_elem(dp->maps.hops, &hk, &hop) ? -errno : 0, "sfc_hops[SI 1]");
	ASSERT_OK(sfc_hop_del(&dp->maps, &hk), "sfc_hop_del");
	ASSERT_EQ(hop_slot(path, 1).k.path_id, 0, "slot of the deleted hop cleared");
	ASSERT_OK(sfc_hop_put(&dp->maps, &hk, &hop), "sfc_hop_put");
	ASSERT_EQ(hop_slot(path, 1).k.path_id, path, "slot written again");

	if_slot_set(IN0, &zero_if);
	ASSERT_OK(sfc_front_sync(&dp->maps), "sfc_front_sync");
	ASSERT_EQ(if_slot(IN0).ifindex, IN0, "in0's slot rebuilt");
	ASSERT_EQ(hop_slot(path, 1).k.si, 1, "hop slot rebuilt");
	ASSERT_EQ(first_packet(9), XDP_REDIRECT, "chained after the sync");
}

/* A key of sfc_sf_pos (not in the hash map) whose slot is that of k. */
static struct sfc_pos_key pos_collider(struct sfc_pos_key k)
{
	__u32 want = sfc_pos_front_idx(k.ifindex, k.path_id);

	for (__u32 p = 1; p < 1u << 24; p++) {
		struct sfc_pos_key c = { .ifindex = k.ifindex + 1, .path_id = p };

		if (sfc_pos_front_idx(c.ifindex, c.path_id) == want)
			return c;
	}
	return k;
}

/* checks that deleting a key whose slot another key holds (a collision) leaves that slot alone, one at a time and in a batch */
static void test_delete_of_a_collider_keeps_the_slot(void)
{
	__u32 path = path_of("ab");
	struct sfc_hop_key hk = { .path_id = path, .si = 1 };
	struct sfc_hop_key hc = { .path_id = path + SFC_HOP_FRONT_SLOTS, .si = 1 };
	struct sfc_pos_key pk = { .ifindex = ifx[IF_SFA], .path_id = path }, pc;
	__u32 pi = sfc_pos_front_idx(pk.ifindex, pk.path_id);
	struct sfc_pos_front fp;

	ASSERT_EQ(sfc_hop_front_idx(hc.path_id, hc.si), sfc_hop_front_idx(hk.path_id, hk.si),
		  "the two hop keys share a slot");
	sfc_hop_del(&dp->maps, &hc);
	ASSERT_EQ(hop_slot(path, 1).k.path_id, path, "hop slot still holds SI 1 of ab");
	pc = pos_collider(pk);
	ASSERT_EQ(sfc_pos_front_idx(pc.ifindex, pc.path_id), pi, "the two position keys share a slot");
	sfc_pos_del(&dp->maps, &pc);
	bpf_map_lookup_elem(dp->maps.pos_front, &pi, &fp);
	ASSERT_EQ(fp.k.ifindex, pk.ifindex, "position slot still sfa's after a delete");
	sfc_pos_front_clear(&dp->maps, &pc, 1);
	bpf_map_lookup_elem(dp->maps.pos_front, &pi, &fp);
	ASSERT_EQ(fp.k.ifindex, pk.ifindex, "position slot still sfa's after a batch clear");
	sfc_pos_front_clear(&dp->maps, &pk, 1);
	bpf_map_lookup_elem(dp->maps.pos_front, &pi, &fp);
	ASSERT_EQ(fp.k.ifindex, 0, "a batch clear of sfa's own key clears it");
	ASSERT_OK(sfc_front_sync(&dp->maps), "sfc_front_sync");
	bpf_map_lookup_elem(dp->maps.pos_front, &pi, &fp);
	ASSERT_EQ(fp.k.ifindex, pk.ifindex, "and the sync puts it back");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_apply_fills_the_slots),
		UNIT_TEST(test_datapath_takes_a_matching_slot),
		UNIT_TEST(test_slot_of_another_key_falls_back_to_the_hash),
		UNIT_TEST(test_hop_slot_taken_only_when_whole),
		UNIT_TEST(test_delete_clears_and_sync_rebuilds),
		UNIT_TEST(test_delete_of_a_collider_keeps_the_slot),
	};

	return unit_main_with_doc(DOC, tests, ARRAY_SIZE(tests), argc, argv);
}
