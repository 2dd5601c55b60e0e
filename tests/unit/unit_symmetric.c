// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Symmetric chains (bpf/classify.h, user/lib/chains.c): a symmetric
 * chain's version has a reply version, its hops in reverse order with the
 * same instances and counter slots; a packet whose reversed 5-tuple is a
 * flow on that version takes the reply version wherever it enters, meets
 * the instances in reverse order and ends where it entered; a chain that
 * is not symmetric has no reply version and its replies are not chained.
 * A two-arm SF is entered from its other side by replies (out of its
 * out-dev, back on its dev: SFC_SF_ID_BACK, sfc_sf_back).
 */
#include "unit.h"
#include "path_pool.h"

#define IN0 ifx[IF_IN0]
#define IN1 ifx[IF_IN1]

/* Chain x: a, then e; its forward direction enters on in0. */
#define DOC_SYM_(sym)                                                          \
	"{'ingress':[{'dev':'in0'},{'dev':'in1'}],"                             \
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"           \
	"        {'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'}],"          \
	" 'chains':[{'name':'x','spi':10,'hops':[['a'],['e']]" sym "}],"       \
	" 'rules':[{'pref':10,'in-dev':'in0','dst':'198.18.91.0/24','chain':'x'}," \
	"          {'pref':11,'in-dev':'in0','dst':'2001:db8:91::/64','chain':'x'}]}"
static const char *const DOC_SYM = DOC_SYM_(",'symmetric':true");
static const char *const DOC_ONEWAY = DOC_SYM_("");

/* Chain y: b (two-arm, a MAC on each side), then c (two-arm, no MAC: it
 * keeps the fabric's addressing). */
static const char *const DOC_TWO =
	"{'ingress':[{'dev':'in0'},{'dev':'in1'}],"
	" 'sfs':[{'name':'b','dev':'sfb','out-dev':'sfbr','mac':'02:00:00:00:5f:0b',"
	"         'out-mac':'02:00:00:00:5f:1b'},"
	"        {'name':'c','dev':'sfc','out-dev':'sfcr'}],"
	" 'chains':[{'name':'y','spi':11,'hops':[['b'],['c']],'symmetric':true}],"
	" 'rules':[{'pref':10,'in-dev':'in0','dst':'198.18.91.0/24','chain':'y'}]}";
static const __u8 MAC_SF_B_OUT[6] = { 0x02, 0, 0, 0, 0x5f, 0x1b };

static struct pkt_spec fwd(int sport)
{
	return TCP4("198.18.0.1", sport, "198.18.91.1", 5201);
}

static struct pkt_spec reply(int sport)
{
	return TCP4("198.18.91.1", 5201, "198.18.0.1", sport);
}

static __u32 head_of(const char *chain)
{
	__u32 cid = chain_id(chain);
	struct sfc_chain head = {};

	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	return head.path_id;
}

static __u32 x_path(void)
{
	__u32 cid = chain_id("x");
	struct sfc_chain head = {};

	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	return head.path_id;
}

static __u32 rev_of(__u32 path_id)
{
	__u32 rev = 0;

	bpf_map_lookup_elem(dp->maps.path_rev, &path_id, &rev);
	return rev;
}

static struct sfc_hop hop_at(__u32 path_id, __u32 si)
{
	struct sfc_hop_key hk = { .path_id = path_id, .si = si };
	struct sfc_hop hop = {};

	bpf_map_lookup_elem(dp->maps.hops, &hk, &hop);
	return hop;
}

static int pos_at(int ifindex, __u32 path_id)
{
	struct sfc_pos_key pk = { .ifindex = ifindex, .path_id = path_id };
	struct sfc_pos pos;

	return bpf_map_lookup_elem(dp->maps.sf_pos, &pk, &pos) ? -1 : pos.si;
}

/* the topology's MAC of interface i */
static const __u8 *ifx_mac_of(int i)
{
	static __u8 mac[6];

	unit_if_mac(i, mac);
	return mac;
}

/* the flow entry's path, 0 for none */
static __u32 flow_path(const struct pkt_spec *s)
{
	struct sfc_flow f;

	if (flow_get(s, &f) || !(f.flags & SFC_FLOW_CHAINED))
		return 0;
	return f.path_id;
}

/* checks that a symmetric chain's version names a reply version: flagged, of the same chain, its hops the forward ones in reverse order with the same instances and counter slots, each SF's return interface at the mirrored SI */
static void test_reply_version_is_written(void)
{
	struct sfc_path fp = {}, rp = {};
	__u32 p, r;

	APPLY_OK(DOC_SYM);
	p = x_path();
	r = rev_of(p);
	ASSERT_TRUE(p != 0, "x has a version");
	ASSERT_TRUE(r != 0 && r != p, "the version names a reply version");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.paths, &p, &fp), "the version's path entry");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.paths, &r, &rp), "the reply version's");
	ASSERT_EQ(fp.flags, SFC_PATH_SYMMETRIC, "the version is flagged symmetric");
	ASSERT_EQ(rp.flags, SFC_PATH_REPLY, "the reply version is flagged reply");
	ASSERT_EQ(rp.chain_id, fp.chain_id, "same chain");
	ASSERT_EQ(rp.nhops, 2, "two hops");
	ASSERT_EQ(rev_of(r), 0, "a reply version has no reply version");
	ASSERT_EQ(hop_at(r, 2).sf[0], sf_id("e"), "the reply meets e first");
	ASSERT_EQ(hop_at(r, 1).sf[0], sf_id("a"), "then a");
	ASSERT_EQ(hop_at(r, 2).stats_idx, hop_at(p, 1).stats_idx, "e's hop: one counter slot");
	ASSERT_EQ(hop_at(r, 1).stats_idx, hop_at(p, 2).stats_idx, "a's hop: one counter slot");
	ASSERT_EQ(pos_at(ifx[IF_SFE], r), 2, "e's interface at SI 2 of the reply version");
	ASSERT_EQ(pos_at(ifx[IF_SFA], r), 1, "a's at SI 1");
	ASSERT_EQ(pos_at(ifx[IF_SFA], p), 2, "a's at SI 2 of the version");
}

/* checks that a reply entering on another ingress point (in1, no rule) goes to e, then a, then ends on in1, on the reply version, while the forward direction went to a, then e */
static void test_reply_meets_the_instances_in_reverse(void)
{
	struct pkt_spec f = fwd(47001), b = reply(47001);
	struct sfc_flow ent;
	struct sfc_meta m;
	struct run r;
	__u32 p, rv;

	APPLY_OK(DOC_SYM);
	flow_del(&f);
	flow_del(&b);
	p = x_path();
	rv = rev_of(p);
	XDP_RUN(IN0, &f, &r);
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "forward: a first");
	XDP_RUN(ifx[IF_SFA], &f, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_E, 6, "forward: then e");
	ASSERT_EQ(flow_path(&f), p, "the forward flow is on the version");

	XDP_RUN(IN1, &b, &r);
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_E, 6, "reply: e first");
	ASSERT_OK(flow_get(&b, &ent), "the reply's entry");
	ASSERT_EQ(ent.path_id, rv, "the reply is on the reply version");
	ASSERT_EQ(ent.in_ifindex, IN1, "classified where it entered");
	XDP_RUN(ifx[IF_SFE], &b, &r);
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "reply: then a");
	XDP_RUN(ifx[IF_SFA], &b, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, sizeof(m), "the end: handed to tc");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.action & SFC_META_ACTION_MASK, SFC_META_TO_INGRESS, "delivered at ingress");
	ASSERT_EQ(m.ifindex, IN1, "on in1, where the reply entered");
}

/* checks that without symmetric the chain has no reply version and a reply on in1 is not chained */
static void test_one_way_chain_leaves_replies_alone(void)
{
	struct pkt_spec f = fwd(47002), b = reply(47002);
	struct run r;

	APPLY_OK(DOC_ONEWAY);
	flow_del(&f);
	flow_del(&b);
	ASSERT_EQ(rev_of(x_path()), 0, "no reply version");
	XDP_RUN(IN0, &f, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "forward: to a");
	XDP_RUN(IN1, &b, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, 0, "the reply goes to the stack as it came");
	ASSERT_STREQ(flow_chain(&b), NOT_CHAINED, "the reply is not chained");
}

/* checks that a "no chain" cached for the reply's 5-tuple before its forward flow began does not keep the reply unchained */
static void test_earlier_no_chain_answer_goes(void)
{
	struct pkt_spec f = fwd(47003), b = reply(47003);
	struct run r;

	APPLY_OK(DOC_SYM);
	flow_del(&f);
	flow_del(&b);
	XDP_RUN(IN1, &b, &r);
	ASSERT_STREQ(flow_chain(&b), NOT_CHAINED, "first: not chained, cached");
	XDP_RUN(IN0, &f, &r);
	XDP_RUN(IN1, &b, &r);
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_E, 6, "once the forward flow is chained: to e");
	ASSERT_EQ(flow_path(&b), rev_of(x_path()), "on the reply version");
}

/* checks that an ICMP echo reply and an IPv6 TCP reply follow their forward flows back */
static void test_icmp_echo_and_ipv6_replies(void)
{
	struct pkt_spec ef = icmp_spec(4, 8, "198.18.0.1", "198.18.91.1", 77);
	struct pkt_spec eb = icmp_spec(4, 0, "198.18.91.1", "198.18.0.1", 77);
	struct pkt_spec f6 = TCP6("2001:db8:90::1", 47004, "2001:db8:91::1", 443);
	struct pkt_spec b6 = TCP6("2001:db8:91::1", 443, "2001:db8:90::1", 47004);
	struct pkt_spec o6 = TCP6("2001:db8:91::1", 443, "2001:db8:90::2", 47004);
	struct run r;
	__u32 rv;

	APPLY_OK(DOC_SYM);
	rv = rev_of(x_path());
	flow_del(&ef), flow_del(&eb), flow_del(&f6), flow_del(&b6), flow_del(&o6);
	XDP_RUN(IN0, &ef, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "echo request: to a");
	XDP_RUN(IN1, &eb, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_E, 6, "echo reply: to e");
	ASSERT_EQ(flow_path(&eb), rv, "echo reply on the reply version");
	XDP_RUN(IN0, &f6, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "IPv6: to a");
	XDP_RUN(IN1, &b6, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_E, 6, "IPv6 reply: to e");
	ASSERT_EQ(flow_path(&b6), rv, "IPv6 reply on the reply version");
	XDP_RUN(IN1, &o6, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_STREQ(flow_chain(&o6), NOT_CHAINED, "to another IPv6 address: no reply");
}

/* checks that after a rule change the forward flow is classified by the rules again (and keeps its version), never taken for a reply of its reply, and the reply keeps the reply version */
static void test_classified_again_each_keeps_its_direction(void)
{
	struct pkt_spec f = fwd(47005), b = reply(47005);
	struct run r;
	__u32 p, rv;

	APPLY_OK(DOC_SYM);
	flow_del(&f);
	flow_del(&b);
	p = x_path();
	rv = rev_of(p);
	XDP_RUN(IN0, &f, &r);
	XDP_RUN(IN1, &b, &r);
	ASSERT_OK(config_bump_generation(), "a rule change");
	XDP_RUN(IN0, &f, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "forward: to a");
	ASSERT_EQ(flow_path(&f), p, "forward: the version");
	XDP_RUN(IN1, &b, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_E, 6, "reply: to e");
	ASSERT_EQ(flow_path(&b), rv, "reply: the reply version");
}

/* checks that switching symmetric off writes a version without a reply version, whose new flows' replies are not chained, while a flow of the old version still has its replies go back */
static void test_switched_off_new_flows_only(void)
{
	struct pkt_spec f = fwd(47006), b = reply(47006), nf = fwd(47007), nb = reply(47007);
	struct run r;
	__u32 p, rv;

	APPLY_OK(DOC_SYM);
	flow_del(&f), flow_del(&b), flow_del(&nf), flow_del(&nb);
	p = x_path();
	rv = rev_of(p);
	XDP_RUN(IN0, &f, &r);
	APPLY_OK(DOC_ONEWAY);
	ASSERT_TRUE(x_path() != p, "a new version");
	ASSERT_EQ(rev_of(x_path()), 0, "without a reply version");
	ASSERT_EQ(rev_of(p), rv, "the old one keeps its reply version");
	XDP_RUN(IN0, &nf, &r);
	XDP_RUN(IN1, &nb, &r);
	ASSERT_STREQ(flow_chain(&nb), NOT_CHAINED, "a new flow's reply: not chained");
	XDP_RUN(IN0, &f, &r);
	ASSERT_EQ(flow_path(&f), p, "the old flow keeps its version");
	XDP_RUN(IN1, &b, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_E, 6, "its reply goes back through e");
	ASSERT_EQ(flow_path(&b), rv, "on the old reply version");
}

/* checks that a two-arm SF's other side is written (its out-dev, its MAC there), that its dev returns the chain's replies under SFC_SF_ID_BACK, and that the reply version names both SFs by their other side, at their devs */
static void test_two_arm_other_side_is_written(void)
{
	struct sfc_iface ifc = {};
	struct sfc_sf back = {};
	__u32 b, c, p, rv, k;
	__u8 mac[6];

	APPLY_OK(DOC_TWO);
	b = sf_id("b");
	c = sf_id("c");
	p = head_of("y");
	rv = rev_of(p);
	ASSERT_TRUE(rv != 0, "y has a reply version");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.sf_back, &b, &back), "b's other side");
	ASSERT_EQ(back.ifindex, ifx[IF_SFBR], "b's replies go out of its out-dev");
	ASSERT_TRUE(back.flags & SFC_SF_SETMAC, "addressed");
	ASSERT_MEM_EQ(back.mac, MAC_SF_B_OUT, 6, "to b's out-mac");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.sf_back, &c, &back), "c's other side");
	ASSERT_EQ(back.ifindex, ifx[IF_SFCR], "c's replies go out of its out-dev");
	unit_if_mac(IF_SFC, mac);
	ASSERT_MEM_EQ(back.mac, mac, 6, "to the fabric's interface they come back on (L2 SF)");
	k = ifx[IF_SFB];
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.ifaces, &k, &ifc), "b's dev");
	ASSERT_TRUE(ifc.flags & SFC_IF_SF_RETURN, "b's dev returns replies");
	ASSERT_EQ(ifc.sf_id, b | SFC_SF_ID_BACK, "from b's other side");
	ASSERT_EQ(hop_at(rv, 2).sf[0], c | SFC_SF_ID_BACK, "the reply meets c's other side first");
	ASSERT_EQ(hop_at(rv, 1).sf[0], b | SFC_SF_ID_BACK, "then b's");
	ASSERT_EQ(hop_at(p, 2).sf[0], b, "the version names b itself");
	ASSERT_EQ(pos_at(ifx[IF_SFC], rv), 2, "c's dev at SI 2 of the reply version");
	ASSERT_EQ(pos_at(ifx[IF_SFB], rv), 1, "b's dev at SI 1");
	ASSERT_EQ(pos_at(ifx[IF_SFB], p), -1, "b's dev: no position on the version");
}

/* checks that a reply enters each two-arm SF from its other side (out of its out-dev, to its MAC there, from the fabric's out-dev MAC), comes back on its dev and ends on in1, and that both directions count as the SF's */
static void test_two_arm_reply_enters_from_the_other_side(void)
{
	struct pkt_spec f = fwd(47101), bk = reply(47101);
	__u8 sfbr_mac[6], sfcr_mac[6], sfc_mac[6];
	__u64 btx0, ctx0, crx0;
	struct sfc_meta m;
	struct run r;

	APPLY_OK(DOC_TWO);
	btx0 = sf_tx("b");
	ctx0 = sf_tx("c");
	unit_if_mac(IF_SFBR, sfbr_mac);
	unit_if_mac(IF_SFCR, sfcr_mac);
	unit_if_mac(IF_SFC, sfc_mac);
	flow_del(&f);
	flow_del(&bk);
	XDP_RUN(IN0, &f, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_B, 6, "forward: to b");
	XDP_RUN(ifx[IF_SFBR], &f, &r);
	ASSERT_MEM_EQ(r.frame, sfcr_mac, 6, "forward: then c, addressed to c's out-dev");
	XDP_RUN(ifx[IF_SFCR], &f, &r);
	ASSERT_XDP(r.ret, XDP_PASS);

	crx0 = sf_rx("c");
	XDP_RUN(IN1, &bk, &r);
	ASSERT_NE(r.ret, XDP_DROP, "reply: not dropped");
	ASSERT_MEM_EQ(r.frame, sfc_mac, 6, "reply: to c's other side, addressed to its dev");
	ASSERT_MEM_EQ(r.frame + 6, sfcr_mac, 6, "from the fabric's out-dev");
	XDP_RUN(ifx[IF_SFC], &bk, &r);
	ASSERT_NE(r.ret, XDP_DROP, "back from c's dev: not dropped");
	ASSERT_MEM_EQ(r.frame, MAC_SF_B_OUT, 6, "then to b's other side, its out-mac");
	ASSERT_MEM_EQ(r.frame + 6, sfbr_mac, 6, "from b's out-dev");
	ASSERT_EQ(sf_rx("c") - crx0, 1, "c's rx counted the reply");
	XDP_RUN(ifx[IF_SFB], &bk, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, sizeof(m), "the end: handed to tc");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.ifindex, IN1, "delivered on in1, where the reply entered");
	ASSERT_EQ(sf_tx("b") - btx0, 2, "b's tx: both directions");
	ASSERT_EQ(sf_tx("c") - ctx0, 2, "c's tx: both directions");
}

/* checks that a two-arm SF's other side follows the SF's state: with b down the reply is dropped at its hop (on-failure drop), as the forward direction is */
static void test_two_arm_other_side_shares_the_state(void)
{
	struct pkt_spec f = fwd(47102), bk = reply(47102);
	__u64 down0;
	struct run r;

	APPLY_OK(DOC_TWO);
	flow_del(&f);
	flow_del(&bk);
	XDP_RUN(IN0, &f, &r);
	XDP_RUN(ifx[IF_SFBR], &f, &r);
	XDP_RUN(ifx[IF_SFCR], &f, &r);
	XDP_RUN(IN1, &bk, &r);
	ASSERT_MEM_EQ(r.frame + 6, ifx_mac_of(IF_SFCR), 6, "reply: to c's other side");
	sf_set_up("b", false);
	down0 = reason_count(SFC_R_HOP_DOWN);
	XDP_RUN(ifx[IF_SFC], &bk, &r);
	sf_set_up("b", true);
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_HOP_DOWN) - down0, 1, "b is down: its hop drops the reply");
}

/* checks that a packet of no known flow back on a two-arm SF's dev (a reply it rewrote, say) is taken as a reply entering there: it goes on to b's other side, on the reply version */
static void test_two_arm_unknown_reply_is_adopted_on_the_reply_version(void)
{
	struct pkt_spec u = TCP4("198.18.91.7", 5201, "198.18.0.7", 47301);
	__u64 adopted0;
	struct run r;

	APPLY_OK(DOC_TWO);
	flow_del(&u);
	adopted0 = reason_count(SFC_R_PROXY_ADOPTED);
	XDP_RUN(ifx[IF_SFC], &u, &r);
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_B_OUT, 6, "on to b's other side");
	ASSERT_EQ(reason_count(SFC_R_PROXY_ADOPTED) - adopted0, 1, "adopted");
	ASSERT_EQ(flow_path(&u), rev_of(head_of("y")), "on the reply version");
}

static int nhops_of(__u32 path_id)
{
	struct sfc_path path = {};

	bpf_map_lookup_elem(dp->maps.paths, &path_id, &path);
	return path.nhops;
}

/* Steps of the collector at now_ms until its pass is over. */
static void gc_pass(__u64 now_ms)
{
	for (int i = 0; i < 100 && sfc_path_gc_step(dp, now_ms, 1u << 20) == 0; i++)
		;
}

/* checks that a retired version's reply version is kept while the version's flows live, though no reply uses it yet (a late reply still goes back), and that both go, with the reply version's name in sfc_path_rev, once the flow has ended */
static void test_reply_version_lives_as_long_as_its_version(void)
{
	struct pkt_spec f = UDP4("198.18.0.1", 47201, "198.18.91.1", 53);
	struct pkt_spec b = UDP4("198.18.91.1", 53, "198.18.0.1", 47201);
	__u64 t = sfc_now_ms() + 10 * SFC_PATH_GRACE_MS;
	struct run r;
	__u32 p, rv;

	dp->flow_idle_ms = SFC_PATH_GC_EVERY_MS;
	APPLY_OK(DOC_SYM);
	flow_del(&f);
	flow_del(&b);
	p = x_path();
	rv = rev_of(p);
	XDP_RUN(IN0, &f, &r);
	APPLY_OK(DOC_ONEWAY);
	for (int i = 0; i < 3; i++, t += 2 * SFC_PATH_GC_EVERY_MS) {
		gc_pass(t);
		XDP_RUN(IN0, &f, &r); /* the flow goes on */
	}
	ASSERT_EQ(flow_path(&f), p, "the flow keeps its version");
	ASSERT_EQ(nhops_of(rv), 2, "its reply version is kept, though no flow is on it");
	ASSERT_EQ(rev_of(p), rv, "and still named");
	XDP_RUN(IN1, &b, &r);
	ASSERT_MEM_EQ(r.frame, MAC_SF_E, 6, "a late reply goes back through e");
	for (int i = 0; i < 4; i++, t += 2 * SFC_PATH_GC_EVERY_MS)
		gc_pass(t);
	ASSERT_EQ(flow_path(&f), 0, "the flow has ended");
	ASSERT_EQ(nhops_of(p), 0, "its version is freed");
	ASSERT_EQ(nhops_of(rv), 0, "and the reply version");
	ASSERT_EQ(rev_of(p), 0, "which the freed version no longer names");
	dp->flow_idle_ms = 0;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_reply_version_is_written),
		UNIT_TEST(test_reply_meets_the_instances_in_reverse),
		UNIT_TEST(test_one_way_chain_leaves_replies_alone),
		UNIT_TEST(test_earlier_no_chain_answer_goes),
		UNIT_TEST(test_icmp_echo_and_ipv6_replies),
		UNIT_TEST(test_classified_again_each_keeps_its_direction),
		UNIT_TEST(test_switched_off_new_flows_only),
		UNIT_TEST(test_two_arm_other_side_is_written),
		UNIT_TEST(test_two_arm_reply_enters_from_the_other_side),
		UNIT_TEST(test_two_arm_other_side_shares_the_state),
		UNIT_TEST(test_two_arm_unknown_reply_is_adopted_on_the_reply_version),
		UNIT_TEST(test_reply_version_lives_as_long_as_its_version),
	};

	unit_env_init();
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
