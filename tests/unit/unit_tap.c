// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Tap hops (bpf/sff.h, user/lib/chains.c): the hop is marked and its SF
 * has no position to come back to; the fabric passes over it, naming the
 * tap in its decision; XDP hands such a packet to tc with the tap in the
 * metadata (XDP cannot copy a frame), the tc entries copy it there
 * (bpf_clone_redirect) and send the packet on; a tap that is down gets no
 * copy; what a tap sends back is dropped.
 */
#include "unit.h"

#define IN0 ifx[IF_IN0]

/* Chain x: a tap of e, then a. */
static const char *const DOC_TAP =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
	"        {'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'}],"
	" 'chains':[{'name':'x','spi':10,'hops':[{'tap':['e']},['a']]}],"
	" 'rules':[{'pref':10,'dst':'198.18.91.0/24','chain':'x'}]}";

static struct pkt_spec tap_flow(int sport)
{
	return TCP4("198.18.0.1", sport, "198.18.91.1", 5201);
}

static __u32 x_path(void)
{
	__u32 cid = chain_id("x");
	struct sfc_chain head = {};

	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	return head.path_id;
}

/* packets sent out of interface name (its own counter, as ip reads it
 * in this test's netns: /sys shows another one) */
static long long if_tx(const char *name)
{
	char cmd[128], buf[2048];
	long long n = -1;
	const char *t;
	size_t len;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -j -s link show dev %s", name);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	pclose(f);
	t = strstr(buf, "\"tx\":{\"bytes\":");
	if (t && sscanf(strchr(t, ',') ?: "", ",\"packets\":%lld", &n) != 1)
		n = -1;
	return n;
}

/* the interface's role with flags set and cleared, as sfcd writes it
 * (the direct-mapped front too) */
static void set_if_flags(int ifindex, __u32 set, __u32 clear)
{
	__u32 k = ifindex;
	struct sfc_iface v = {};

	bpf_map_lookup_elem(dp->maps.ifaces, &k, &v);
	v.flags = (v.flags | set) & ~clear;
	sfc_iface_put(&dp->maps, k, &v, BPF_ANY);
}


/* checks that the tap hop is marked SFC_HOP_TAP, that its SF has no position on the path while a's has one, and that the tap SF drops what no flow knows and is never taken for the one SF of a chain */
static void test_tap_hop_is_marked_and_has_no_position(void)
{
	struct sfc_hop_key hk;
	struct sfc_pos_key pk;
	struct sfc_pos pos;
	struct sfc_hop hop;
	struct sfc_sf e = {};
	__u32 id_e;

	APPLY_OK(DOC_TAP);
	hk = (struct sfc_hop_key){ .path_id = x_path(), .si = 2 };
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.hops, &hk, &hop), "the tap hop (SI 2)");
	ASSERT_TRUE(hop.flags & SFC_HOP_TAP, "marked SFC_HOP_TAP");
	hk.si = 1;
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.hops, &hk, &hop), "a's hop (SI 1)");
	ASSERT_TRUE(!(hop.flags & SFC_HOP_TAP), "a's hop is no tap");
	pk = (struct sfc_pos_key){ .ifindex = ifx[IF_SFE], .path_id = x_path() };
	ASSERT_TRUE(bpf_map_lookup_elem(dp->maps.sf_pos, &pk, &pos) != 0,
		    "e's interface has no position");
	pk.ifindex = ifx[IF_SFA];
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.sf_pos, &pk, &pos), "a's interface has one");
	ASSERT_EQ(pos.si, 1, "a's position");
	id_e = sf_id("e");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.sfs, &id_e, &e), "e's entry");
	ASSERT_TRUE(e.flags & SFC_SF_MISS_DROP, "e drops what no flow knows");
	ASSERT_TRUE(!(e.flags & SFC_SF_SOLE), "e is not the one SF of x");
}

/* checks that XDP hands a packet for a after the tap to tc, with the tap's SF id in the metadata's action and a's MAC already written, and that the tap hop, e and a count it */
static void test_xdp_hands_a_tapped_packet_to_tc(void)
{
	struct pkt_spec s = tap_flow(46001);
	struct hop_stat t0, t1;
	__u64 e0, a0;
	struct sfc_meta m;
	struct run r;

	APPLY_OK(DOC_TAP);
	flow_del(&s);
	t0 = hop_stat("x", 1);
	e0 = sf_tx("e");
	a0 = sf_tx("a");
	XDP_RUN(IN0, &s, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, sizeof(m), "metadata for tc");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.magic, SFC_META_MAGIC, "magic");
	ASSERT_EQ(m.action & SFC_META_ACTION_MASK, SFC_META_TO_EGRESS, "to a's interface");
	ASSERT_EQ(m.action >> SFC_META_TAP_SHIFT, sf_id("e"), "the tap");
	ASSERT_EQ(m.ifindex, ifx[IF_SFA], "a's interface");
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "addressed to a");
	t1 = hop_stat("x", 1);
	ASSERT_EQ(t1.fwd - t0.fwd, 1, "the tap hop counted the copy");
	ASSERT_EQ(sf_tx("e") - e0, 1, "e's tx counted it");
	ASSERT_EQ(sf_tx("a") - a0, 1, "a's tx counted the packet");
}

/* checks that on the skb path the tc entry sends a copy out of e's interface (bpf_clone_redirect, no copy failed) and redirects the packet to a */
static void test_tc_copies_to_the_tap(void)
{
	struct pkt_spec s = tap_flow(46002);
	__u64 failed0 = reason_count(SFC_R_TAP_COPY_FAILED);
	long long out0;
	struct pkt p;
	struct run r;

	APPLY_OK(DOC_TAP);
	flow_del(&s);
	set_if_flags(IN0, SFC_IF_TC_STEER, 0);
	out0 = if_tx("sfe");
	pkt_build(&p, &s);
	ASSERT_OK(tc_run(dp->tc_ingress_fd, IN0, IN0, p.d, p.len, &r),
		  "bpf_prog_test_run(sfc_tc_ingress)");
	set_if_flags(IN0, 0, SFC_IF_TC_STEER);
	ASSERT_TC(r.ret, TC_ACT_REDIRECT);
	ASSERT_MEM_EQ(r.out, MAC_SF_A, 6, "the packet goes to a");
	ASSERT_EQ(reason_count(SFC_R_TAP_COPY_FAILED) - failed0, 0, "no copy failed");
	ASSERT_EQ(if_tx("sfe") - out0, 1, "a copy left through e's interface");
}

/* checks that a tap that is down gets no copy (tap-skipped) and the packet goes straight to a with an XDP redirect */
static void test_tap_down_gets_no_copy(void)
{
	struct pkt_spec s = tap_flow(46003);
	__u64 skipped0 = reason_count(SFC_R_TAP_SKIPPED), e0;
	struct run r;

	APPLY_OK(DOC_TAP);
	flow_del(&s);
	sf_set_up("e", false);
	e0 = sf_tx("e");
	XDP_RUN(IN0, &s, &r);
	sf_set_up("e", true);
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "to a");
	ASSERT_EQ(reason_count(SFC_R_TAP_SKIPPED) - skipped0, 1, "counted tap-skipped");
	ASSERT_EQ(sf_tx("e") - e0, 0, "no copy counted for e");
}

/* checks that a copy a tap sends back, of a flow the fabric knows, is dropped for want of a position, and a frame of no known flow from it as the tap's policy says */
static void test_what_a_tap_sends_back_is_dropped(void)
{
	struct pkt_spec s = tap_flow(46004), other = tap_flow(46005);
	__u64 nopos0, miss0;
	struct run r;

	APPLY_OK(DOC_TAP);
	flow_del(&s);
	flow_del(&other);
	XDP_RUN(IN0, &s, &r);
	nopos0 = reason_count(SFC_R_NO_POSITION);
	XDP_RUN(ifx[IF_SFE], &s, &r);
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_NO_POSITION) - nopos0, 1, "no position for it");
	miss0 = reason_count(SFC_R_PROXY_MISS_DROP);
	XDP_RUN(ifx[IF_SFE], &other, &r);
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_PROXY_MISS_DROP) - miss0, 1, "unknown flow: dropped");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_tap_hop_is_marked_and_has_no_position),
		UNIT_TEST(test_xdp_hands_a_tapped_packet_to_tc),
		UNIT_TEST(test_tc_copies_to_the_tap),
		UNIT_TEST(test_tap_down_gets_no_copy),
		UNIT_TEST(test_what_a_tap_sends_back_is_dropped),
	};

	unit_env_init();
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
