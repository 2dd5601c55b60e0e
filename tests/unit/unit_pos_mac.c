// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SFs that keep the fabric's Ethernet addresses at several positions
 * (SFC_SF_POS_MAC, bpf/sff.h): the fabric writes the position in the
 * source MAC of what it sends such an SF, and a packet back from it goes
 * on from the position its source MAC names, once the SF is found to
 * serve that hop: a rewritten packet is adopted there, one without such a
 * MAC, or naming a hop of another SF, is dropped.
 */
#include "unit.h"

#define IN0 ifx[IF_IN0]

/* Chain x: b (two-arm, no MAC: a bridge) at hops 1 and 3, a in between. */
static const char *const DOC_TWICE =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
	"        {'name':'b','dev':'sfb','out-dev':'sfbr'}],"
	" 'chains':[{'name':'x','spi':10,'hops':[['b'],['a'],['b']]}],"
	" 'rules':[{'pref':10,'dst':'198.18.92.0/24','chain':'x'}]}";

static __u32 x_path(void)
{
	__u32 cid = chain_id("x");
	struct sfc_chain head = {};

	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	return head.path_id;
}

/* r's frame, run by sfc_xdp as received on ifindex (an SF gave it back) */
static int xdp_back(int ifindex, const struct run *r, struct run *out)
{
	__u8 f[2048];
	__u32 len = r->out_len - r->meta_len;

	if (len > sizeof(f))
		return -E2BIG;
	memcpy(f, r->frame, len);
	return xdp_run_raw(ifindex, f, len, 0, out);
}

/* checks that b is marked SFC_SF_POS_MAC and its return interface SFC_IF_POS_MAC, while a, with a MAC and one position, is not */
static void test_sf_at_two_positions_is_marked(void)
{
	__u32 id_a, id_b, k = ifx[IF_SFBR];
	struct sfc_sf a = {}, b = {};
	struct sfc_iface ifc = {};

	APPLY_OK(DOC_TWICE);
	id_a = sf_id("a");
	id_b = sf_id("b");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.sfs, &id_b, &b), "b's entry");
	ASSERT_TRUE(b.flags & SFC_SF_POS_MAC, "b: SFC_SF_POS_MAC");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.sfs, &id_a, &a), "a's entry");
	ASSERT_TRUE(!(a.flags & SFC_SF_POS_MAC), "a: no SFC_SF_POS_MAC");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.ifaces, &k, &ifc), "sfbr's role");
	ASSERT_TRUE(ifc.flags & SFC_IF_POS_MAC, "sfbr: SFC_IF_POS_MAC");
}

/* checks that a packet goes b (SI 3) -> a -> b (SI 1) -> the end, the fabric writing b's position in the source MAC each time and taking it back from the frame b returns */
static void test_position_travels_in_the_source_mac(void)
{
	struct pkt_spec s = UDP4("198.18.0.1", 47001, "198.18.92.1", 5000);
	struct run r1, r2, r3, r4;
	__u8 want[6];
	__u32 path;

	APPLY_OK(DOC_TWICE);
	path = x_path();
	flow_del(&s);
	XDP_RUN(IN0, &s, &r1);
	ASSERT_XDP(r1.ret, XDP_REDIRECT);
	pos_mac_of(path, 3, want);
	ASSERT_MEM_EQ(r1.frame + 6, want, 6, "to b at SI 3: the position in the source MAC");
	ASSERT_OK(xdp_back(ifx[IF_SFBR], &r1, &r2), "back from b");
	ASSERT_XDP(r2.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r2.frame, MAC_SF_A, 6, "then to a");
	ASSERT_OK(xdp_back(ifx[IF_SFA], &r2, &r3), "back from a");
	ASSERT_XDP(r3.ret, XDP_REDIRECT);
	pos_mac_of(path, 1, want);
	ASSERT_MEM_EQ(r3.frame + 6, want, 6, "to b again, at SI 1");
	ASSERT_OK(xdp_back(ifx[IF_SFBR], &r3, &r4), "back from b, the last hop");
	ASSERT_XDP(r4.ret, XDP_PASS);
	ASSERT_MEM_EQ(r4.frame, MAC_PKT_DST, 6, "the end: the original addresses back");
	ASSERT_EQ(hop_stat("x", 1).fwd, hop_stat("x", 3).fwd, "hops 1 and 3 counted alike");
}

/* checks that a packet b rewrote (a new flow) is adopted at the position its source MAC names and goes on to a */
static void test_rewritten_packet_continues_from_its_position(void)
{
	struct pkt_spec s = UDP4("198.18.0.1", 47002, "198.18.92.1", 5000);
	struct pkt_spec nat = UDP4("198.18.0.1", 47002, "198.18.92.1", 6500);
	__u64 adopted0 = reason_count(SFC_R_PROXY_ADOPTED);
	struct pkt p;
	struct run r;

	APPLY_OK(DOC_TWICE);
	flow_del(&s);
	flow_del(&nat);
	pkt_build(&p, &nat);
	pos_mac_of(x_path(), 3, p.d + 6);
	ASSERT_OK(xdp_run(ifx[IF_SFBR], &p, &r), "the rewritten packet back from b");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "goes on to a");
	ASSERT_EQ(reason_count(SFC_R_PROXY_ADOPTED) - adopted0, 1, "adopted");
}

/* checks that a frame back from b whose source MAC names no position, or a hop b does not serve, is dropped and counted */
static void test_missing_or_foreign_position_is_dropped(void)
{
	struct pkt_spec s = UDP4("198.18.0.1", 47003, "198.18.92.1", 5000);
	__u64 n0 = reason_count(SFC_R_POS_MAC_MISSING);
	struct pkt p;
	struct run r;

	APPLY_OK(DOC_TWICE);
	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(ifx[IF_SFBR], &p, &r), "no position MAC");
	ASSERT_XDP(r.ret, XDP_DROP);
	pos_mac_of(x_path(), 2, p.d + 6);
	ASSERT_OK(xdp_run(ifx[IF_SFBR], &p, &r), "a's position (SI 2)");
	ASSERT_XDP(r.ret, XDP_DROP);
	pos_mac_of(x_path() + 7, 3, p.d + 6);
	ASSERT_OK(xdp_run(ifx[IF_SFBR], &p, &r), "a path that does not exist");
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_POS_MAC_MISSING) - n0, 3, "counted three times");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_sf_at_two_positions_is_marked),
		UNIT_TEST(test_position_travels_in_the_source_mac),
		UNIT_TEST(test_rewritten_packet_continues_from_its_position),
		UNIT_TEST(test_missing_or_foreign_position_is_dropped),
	};

	unit_env_init();
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
