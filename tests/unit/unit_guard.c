// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the datapath refuses to be steered by: metadata someone else left
 * in front of a frame (discarded at entry; the XDP -> tc handoff carries
 * the datapath's key), and a position map that would send a packet back
 * up its chain (dropped, never cycled). The tc side of the key check is
 * in tests/daemon/foreign_meta.sh: BPF_PROG_TEST_RUN gives tc programs
 * no metadata area.
 */
#include "unit.h"

static const char *const DOC =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
	"        {'name':'b','dev':'sfb','out-dev':'sfbr','mac':'02:00:00:00:5f:0b'},"
	"        {'name':'c','dev':'sfc','out-dev':'sfcr'}],"
	" 'chains':[{'name':'abc','spi':100,'hops':['a','b','c']}],"
	" 'rules':[{'pref':1,'dst':'198.18.1.0/24','chain':'abc'}]}";

#define IN0 ifx[IF_IN0]
#define META_LEN ((__u32)sizeof(struct sfc_meta))

static const __u8 SF_C_MAC[6] = { 0x02, 0, 0, 0, 0x5c, 0x0c };

static struct pkt_spec flow(int host)
{
	static char dst[64][32];
	static int n;
	char *d = dst[n++ % 64];

	snprintf(d, sizeof(dst[0]), "198.18.1.%d", host);
	return TCP4("198.18.0.1", 41000 + host, d, 5201);
}

/* The packet as SF on interface i sends it back (same 5-tuple). */
static void build_return(struct pkt *p, struct pkt_spec s, int i, const __u8 *sf_mac)
{
	static __u8 to[6];

	unit_if_mac(i, to);
	s.dmac = to;
	s.smac = sf_mac;
	pkt_build(p, &s);
}

#define RETURN_RUN(i, spec, sfmac, r)                                          \
	do {                                                                   \
		struct pkt __rp;                                               \
		build_return(&__rp, (spec), (i), (sfmac));                     \
		ASSERT_OK(xdp_run(ifx[i], &__rp, (r)), "bpf_prog_test_run(sfc_xdp) on return"); \
	} while (0)

/* sfc_meta_key, pinned beside the other maps */
static int meta_key_fd(void)
{
	static int fd = -1;
	char path[PATH_MAX];

	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/sfc_meta_key", unit_pin_dir);
		fd = bpf_obj_get(path);
	}
	return fd;
}

static __u64 meta_key(void)
{
	__u32 zero = 0;
	__u64 k = 0;

	bpf_map_lookup_elem(meta_key_fd(), &zero, &k);
	return k;
}

static int meta_key_set(__u64 k)
{
	__u32 zero = 0;

	return bpf_map_update_elem(meta_key_fd(), &zero, &k, BPF_ANY) ? -errno : 0;
}

/* What a foreign XDP program writes: sfc's magic, an action, a target of
 * its choosing and a guessed key, in front of the frame. */
static __u32 forge(__u8 *buf, const struct pkt *p, __u32 target)
{
	struct sfc_meta m = { .magic = SFC_META_MAGIC, .action = SFC_META_TO_EGRESS,
			      .ifindex = target, .key = 0x5fc05fc05fc05fc0ull };

	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), p->d, p->len);
	return sizeof(m) + p->len;
}

/* checks that the handoff to tc carries the datapath's key, which sfcd set to something other than 0 */
static void test_handoff_carries_the_datapath_key(void)
{
	struct pkt_spec s = flow(1);
	struct sfc_meta m;
	struct run r;

	ASSERT_TRUE(meta_key() != 0, "sfc_meta_key set at load");
	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	RETURN_RUN(IF_SFBR, s, MAC_SF_B, &r);
	RETURN_RUN(IF_SFCR, s, SF_C_MAC, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, META_LEN, "metadata bytes");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.magic, SFC_META_MAGIC, "meta magic");
	ASSERT_EQ(m.action, SFC_META_TO_INGRESS, "meta action");
	ASSERT_EQ(m.ifindex, IN0, "meta ifindex");
	ASSERT_TRUE(m.key == meta_key(), "meta key is sfc_meta_key's");
}

/* checks that metadata an SF left in front of a frame it sends back is discarded at entry and counted */
static void test_foreign_meta_on_sf_return_is_discarded(void)
{
	/* No flow entry: the SF's own traffic, which continues the one
	 * chain SF a serves (to SF b), as any packet a sends back. */
	struct pkt_spec s = flow(2);
	__u64 f0 = reason_count(SFC_R_META_FOREIGN);
	__u8 in[2048];
	struct pkt p;
	struct run r;
	__u32 len;

	flow_del(&s);
	build_return(&p, s, IF_SFA, MAC_SF_A);
	len = forge(in, &p, ifx[IF_IN1]);
	ASSERT_OK(xdp_run_raw(ifx[IF_SFA], in, len, META_LEN, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_EQ(r.meta_len, 0, "metadata bytes left in front of the frame");
	ASSERT_EQ(r.out_len, p.len, "bytes out");
	ASSERT_MEM_EQ(r.frame, MAC_SF_B, 6, "destination MAC (SF b, next on the chain)");
	ASSERT_MEM_EQ(r.frame + 12, p.d + 12, p.len - 12, "rest of the frame untouched");
	flow_del(&s);
	ASSERT_EQ(reason_count(SFC_R_META_FOREIGN) - f0, 1, "reason xdp-meta-foreign-discarded count");
}

/* checks that a chained packet arriving with foreign metadata is handed to tc with sfc's metadata alone */
static void test_foreign_meta_is_not_kept_behind_sfc_handoff(void)
{
	struct pkt_spec s = flow(3);
	struct sfc_meta m;
	__u8 in[2048];
	struct pkt p;
	struct run r;
	__u32 len;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	RETURN_RUN(IF_SFBR, s, MAC_SF_B, &r);
	build_return(&p, s, IF_SFCR, SF_C_MAC);
	len = forge(in, &p, ifx[IF_IN1]);
	ASSERT_OK(xdp_run_raw(ifx[IF_SFCR], in, len, META_LEN, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, META_LEN, "metadata bytes (sfc's only)");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.ifindex, IN0, "meta ifindex (the ingress point, not the forged target)");
	ASSERT_TRUE(m.key == meta_key(), "meta key is sfc_meta_key's");
}

/* checks that with no key in sfc_meta_key sfc_xdp makes no handoff: dropped and counted */
static void test_handoff_without_key_is_dropped(void)
{
	struct pkt_spec s = flow(4);
	__u64 key = meta_key(), n0 = reason_count(SFC_R_META_NO_KEY);
	struct run r;
	int err;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	RETURN_RUN(IF_SFBR, s, MAC_SF_B, &r);
	ASSERT_OK(meta_key_set(0), "clearing sfc_meta_key");
	{
		struct pkt rp;

		build_return(&rp, s, IF_SFCR, SF_C_MAC);
		err = xdp_run(ifx[IF_SFCR], &rp, &r);
	}
	ASSERT_OK(meta_key_set(key), "restoring sfc_meta_key");
	ASSERT_OK(err, "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_META_NO_KEY) - n0, 1, "reason xdp-meta-key-unset count");
}

/* (path of chain abc, return interface of SF c) in sfc_sf_pos */
static int pos_key_of_c(struct sfc_pos_key *k)
{
	struct sfc_chain head;
	__u32 id = chain_id("abc");

	if (!id || bpf_map_lookup_elem(dp->maps.chains, &id, &head))
		return -ENOENT;
	*k = (struct sfc_pos_key){ .ifindex = ifx[IF_SFCR], .path_id = head.path_id };
	return 0;
}

/*
 * checks that a position entry naming a higher SI than the SF serves
 * (c, last hop, made to say SI 3 = a's) drops the returning packet
 * instead of sending it back up the chain to b, c, b, c... for ever; and
 * that a flow whose steps are resolved does not read the entry at all
 */
static void test_return_to_a_higher_position_is_dropped_not_cycled(void)
{
	struct pkt_spec s = flow(5);
	struct sfc_pos bad = { .si = 3 }, good;
	struct sfc_pos_key k;
	__u64 m0 = reason_count(SFC_R_POS_MISMATCH), b0;
	struct run r;
	int err;

	ASSERT_OK(pos_key_of_c(&k), "position entry of c on abc's path");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.sf_pos, &k, &good) ? -errno : 0, "reading it");
	ASSERT_EQ(good.si, 1, "c's position written by sfcd (SI 1, last hop)");
	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	RETURN_RUN(IF_SFBR, s, MAC_SF_B, &r);
	ASSERT_XDP(r.ret, XDP_REDIRECT); /* to c */
	b0 = sf_tx("b");
	ASSERT_OK(sfc_pos_put(&dp->maps, &k, &bad), "forcing c's position to SI 3");
	{
		struct sfc_flow f;
		struct pkt rp;

		/* resolved: the flow's own step says c is at SI 1, the end */
		build_return(&rp, s, IF_SFCR, SF_C_MAC);
		err = xdp_run(ifx[IF_SFCR], &rp, &r);
		if (!err && r.ret != XDP_PASS)
			err = -EPROTO;
		/* without resolved steps the entry is all there is */
		if (!err)
			err = flow_get(&s, &f);
		if (!err) {
			f.steps_path = 0;
			err = flow_set(&s, &f);
		}
		if (!err) {
			build_return(&rp, s, IF_SFCR, SF_C_MAC);
			err = xdp_run(ifx[IF_SFCR], &rp, &r);
		}
	}
	sfc_pos_put(&dp->maps, &k, &good);
	ASSERT_OK(err, "a resolved flow ends at c; its steps cleared; the return run again");
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(sf_tx("b") - b0, 0, "packets sent back to b");
	ASSERT_EQ(reason_count(SFC_R_POS_MISMATCH) - m0, 1,
		  "reason sf-return-position-mismatch count");
	/* with the entry restored the same return ends the chain */
	RETURN_RUN(IF_SFCR, s, SF_C_MAC, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, META_LEN, "end-of-chain metadata bytes");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_handoff_carries_the_datapath_key),
		UNIT_TEST(test_foreign_meta_on_sf_return_is_discarded),
		UNIT_TEST(test_foreign_meta_is_not_kept_behind_sfc_handoff),
		UNIT_TEST(test_handoff_without_key_is_dropped),
		UNIT_TEST(test_return_to_a_higher_position_is_dropped_not_cycled),
	};

	return unit_main_with_doc(DOC, tests, ARRAY_SIZE(tests), argc, argv);
}
