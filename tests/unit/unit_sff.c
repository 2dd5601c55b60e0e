// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The Service Function Forwarder: next hop per (SPI, SI), SF return
 * through the flow cache and the position map, end of chain, an instance
 * down (the next one up takes its flows), hops whose SFs are all down
 * (drop or bypass), MAC rewrite towards L3 SFs, and the
 * handoffs to tc (SF interface without XDP redirect, end of chain).
 *
 * Where a packet went is read from the verdict, the destination MAC
 * (SFs a, b and e have a "mac"; frames to the others are addressed to
 * their return interface), the SF and hop counters and the flow's SI. A
 * packet coming back from an SF is the same 5-tuple received on the SF's
 * return interface.
 *
 * Longer than ~600 lines on purpose: these are the tests of one datapath
 * stage, sharing one document (DOC), its flows and the return-path helpers
 * below; split, each part would repeat them and load the datapath again.
 */
#include "unit.h"
#include "front.h"

static const char *const DOC =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
	"        {'name':'b','dev':'sfb','out-dev':'sfbr','mac':'02:00:00:00:5f:0b'},"
	"        {'name':'c','dev':'sfc','out-dev':'sfcr'},"
	"        {'name':'d','dev':'sfd'},"
	"        {'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'},"
	"        {'name':'t','dev':'tc0'}],"
	" 'chains':[{'name':'abc','spi':100,'hops':['a','b','c']},"
	"           {'name':'ba','spi':200,'hops':['b','a']},"
	"           {'name':'down-drop','spi':300,'hops':['d','a'],'on-failure':'drop'},"
	"           {'name':'down-bypass','spi':301,'hops':['d','a'],'on-failure':'bypass'},"
	"           {'name':'all-bypass','spi':302,'hops':['d'],'on-failure':'bypass'},"
	"           {'name':'tc','spi':400,'hops':['t']},"
	"           {'name':'pair','spi':600,'hops':[['d','e']],'on-failure':'drop'},"
	"           {'name':'conly','spi':700,'hops':['c']},"
	"           {'name':'lb','spi':800,'hops':[['a','e']]},"
	"           {'name':'mid-bypass','spi':801,'hops':['a','d','e'],'on-failure':'bypass'},"
	"           {'name':'mid-drop','spi':802,'hops':['a','d'],'on-failure':'drop'}],"
	" 'rules':[{'pref':1,'dst':'198.18.1.0/24','chain':'abc'},"
	"          {'pref':10,'dst':'2001:db8:1::/64','chain':'abc'},"
	"          {'pref':2,'dst':'198.18.2.0/24','chain':'ba'},"
	"          {'pref':3,'dst':'198.18.3.0/24','chain':'down-drop'},"
	"          {'pref':4,'dst':'198.18.4.0/24','chain':'down-bypass'},"
	"          {'pref':5,'dst':'198.18.5.0/24','chain':'all-bypass'},"
	"          {'pref':6,'dst':'198.18.6.0/24','chain':'tc'},"
	"          {'pref':8,'dst':'198.18.8.0/24','chain':'pair'},"
	"          {'pref':9,'dst':'198.18.9.0/24','chain':'conly'},"
	"          {'pref':11,'dst':'198.18.10.0/24','chain':'lb'},"
	"          {'pref':12,'src':'198.18.10.0/24','chain':'lb'},"
	"          {'pref':13,'dst':'198.18.11.0/24','chain':'mid-bypass'},"
	"          {'pref':14,'dst':'198.18.12.0/24','chain':'mid-drop'}]}";

#define IN0 ifx[IF_IN0]

/* Each test its own flow: destination 198.18.<net>.<host>. */
static struct pkt_spec flow(int net, int host)
{
	static char dst[64][32];
	static int n;
	char *d = dst[n++ % 64];

	snprintf(d, sizeof(dst[0]), "198.18.%d.%d", net, host);
	return TCP4("198.18.0.1", 40000 + host, d, 5201);
}

/*
 * The packet as an SF sends it back on interface i: same 5-tuple, its
 * own Ethernet addresses (from the SF's MAC to the fabric's interface).
 */
static void build_return(struct pkt *p, struct pkt_spec s, int i, const __u8 *sf_mac)
{
	static __u8 to[6];

	unit_if_mac(i, to);
	s.dmac = to;
	s.smac = sf_mac;
	pkt_build(p, &s);
}

/* The packet from the ingress point must be redirected to the SF with this MAC. */
#define EXPECT_TO_SF(r, mac, label)                                            \
	do {                                                                   \
		ASSERT_XDP((r).ret, XDP_REDIRECT);                             \
		ASSERT_MEM_EQ((r).frame, (mac), 6, label);                     \
	} while (0)

static const __u8 SF_C_MAC[6] = { 0x02, 0, 0, 0, 0x5c, 0x0c };

/* Run sfc_xdp on a return of spec received on interface i. */
#define RETURN_RUN(i, spec, sfmac, r)                                          \
	do {                                                                   \
		struct pkt __rp;                                               \
		build_return(&__rp, (spec), (i), (sfmac));                     \
		ASSERT_OK(xdp_run(ifx[i], &__rp, (r)), "bpf_prog_test_run(sfc_xdp) on return"); \
	} while (0)

/* --- the first hop */

/* checks that a classified packet goes to its first SF with the SF's MAC as destination and the SF interface's MAC as source */
static void test_first_hop_redirects_with_mac_rewrite(void)
{
	struct pkt_spec s = flow(1, 1);
	__u64 c0 = chain_packets("abc"), t0 = sf_tx("a");
	struct hop_stat h0 = hop_stat("abc", 1);
	__u8 sfa_mac[6];
	struct pkt p;
	struct run r;

	unit_if_mac(IF_SFA, sfa_mac);
	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "destination MAC");
	ASSERT_MEM_EQ(r.frame + 6, sfa_mac, 6, "source MAC");
	ASSERT_MEM_EQ(r.frame + 12, p.d + 12, p.len - 12, "rest of the packet");
	ASSERT_EQ(r.out_len, p.len, "bytes out");
	ASSERT_EQ(chain_packets("abc") - c0, 1, "chain abc packets");
	ASSERT_EQ(sf_tx("a") - t0, 1, "SF a tx packets");
	ASSERT_EQ(hop_stat("abc", 1).fwd - h0.fwd, 1, "hop 1 forwarded");
}

/* checks that an SF without mac gets frames from its out interface to its return interface, the rest untouched */
/* The source MAC the fabric writes to an SF of several chains
 * (SFC_SF_POS_MAC): its position, SI si of chain's current version. */
static void pos_tag(const char *chain, __u32 si, __u8 mac[6])
{
	__u32 cid = chain_id(chain);
	struct sfc_chain head = {};

	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	pos_mac_of(head.path_id, si, mac);
}

static void test_sf_without_mac_is_addressed_to_its_return_interface(void)
{
	struct pkt_spec s = flow(9, 1);
	__u64 t0 = sf_tx("c");
	__u8 out_mac[6], ret_mac[6];
	struct pkt p;
	struct run r;

	/* c serves two chains (abc, conly) and keeps the fabric's
	 * addresses: the source MAC is its position (SFC_SF_POS_MAC) */
	pos_tag("conly", 1, out_mac);
	unit_if_mac(IF_SFCR, ret_mac);
	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, ret_mac, 6, "destination MAC (sfcr)");
	ASSERT_MEM_EQ(r.frame + 6, out_mac, 6, "source MAC (c's position on conly)");
	ASSERT_MEM_EQ(r.frame + 12, p.d + 12, p.len - 12, "rest of the packet");
	ASSERT_EQ(sf_tx("c") - t0, 1, "SF c tx packets");
}

/* --- SF return, next hop, end of chain */

/* checks that a packet back from the first SF goes to the second (one-arm return) */
static void test_sf_return_goes_to_next_hop(void)
{
	struct pkt_spec s = flow(1, 2);
	__u64 c0, rx0 = sf_rx("a"), tb0 = sf_tx("b");
	__u8 sfb_mac[6];
	struct run r;

	unit_if_mac(IF_SFB, sfb_mac);
	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "first hop: destination MAC");
	c0 = chain_packets("abc");
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	EXPECT_TO_SF(r, MAC_SF_B, "second hop: destination MAC");
	ASSERT_MEM_EQ(r.frame + 6, sfb_mac, 6, "second hop: source MAC");
	ASSERT_EQ(sf_rx("a") - rx0, 1, "SF a rx packets");
	ASSERT_EQ(sf_tx("b") - tb0, 1, "SF b tx packets");
	ASSERT_EQ(chain_packets("abc") - c0, 0, "chain packets (counted once, at classification)");
}

/* checks that a two-arm SF's packets come back on its out-dev and go on to the next hop */
static void test_two_arm_sf_returns_on_its_out_dev(void)
{
	struct pkt_spec s = flow(1, 3);
	__u64 rx0 = sf_rx("b"), tc0 = sf_tx("c");
	struct hop_stat h0 = hop_stat("abc", 3);
	__u8 out_mac[6], ret_mac[6];
	struct run r;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	EXPECT_TO_SF(r, MAC_SF_B, "second hop: destination MAC");
	RETURN_RUN(IF_SFBR, s, MAC_SF_B, &r);
	pos_tag("abc", 1, out_mac);
	unit_if_mac(IF_SFCR, ret_mac);
	EXPECT_TO_SF(r, ret_mac, "third hop: destination MAC (c's return interface)");
	ASSERT_MEM_EQ(r.frame + 6, out_mac, 6, "third hop: source MAC (c's position on abc)");
	ASSERT_EQ(sf_rx("b") - rx0, 1, "SF b rx packets");
	ASSERT_EQ(sf_tx("c") - tc0, 1, "SF c tx packets");
	ASSERT_EQ(hop_stat("abc", 3).fwd - h0.fwd, 1, "hop 3 forwarded");
}

/* checks that a packet back from the last SF is handed to tc ingress of its ingress point with its original MACs */
static void test_end_of_chain_restores_macs_and_hands_to_tc_ingress(void)
{
	struct pkt_spec s = flow(1, 4);
	__u64 rx0 = sf_rx("c"), all0;
	struct sfc_meta m;
	struct pkt orig;
	struct run r;

	flow_del(&s);
	pkt_build(&orig, &s);
	XDP_RUN(IN0, &s, &r);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	RETURN_RUN(IF_SFBR, s, MAC_SF_B, &r);
	all0 = all_sf_tx();
	RETURN_RUN(IF_SFCR, s, SF_C_MAC, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, sizeof(m), "metadata bytes");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.magic, SFC_META_MAGIC, "meta magic");
	ASSERT_EQ(m.action, SFC_META_TO_INGRESS, "meta action");
	ASSERT_EQ(m.ifindex, IN0, "meta ifindex (the ingress point)");
	ASSERT_EQ(r.out_len, sizeof(m) + orig.len, "bytes out");
	ASSERT_MEM_EQ(r.frame, orig.d, orig.len, "packet with its original MACs");
	ASSERT_EQ(sf_rx("c") - rx0, 1, "SF c rx packets");
	ASSERT_EQ(all_sf_tx() - all0, 0, "packets sent to SFs at the end");
}

/* checks that the same return interface leads to different next hops on different paths (SPI) and positions (SI) */
static void test_next_hop_depends_on_spi_and_si(void)
{
	struct pkt_spec x = flow(1, 5), y = flow(2, 5);
	struct run r;

	flow_del(&x);
	flow_del(&y);
	/* abc: a is at SI 3, b follows */
	XDP_RUN(IN0, &x, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "abc first hop");
	/* ba: b is at SI 2, a at SI 1 */
	XDP_RUN(IN0, &y, &r);
	EXPECT_TO_SF(r, MAC_SF_B, "ba first hop");
	RETURN_RUN(IF_SFBR, y, MAC_SF_B, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "ba second hop");
	/* back from a: abc goes on to b, ba ends */
	RETURN_RUN(IF_SFA, x, MAC_SF_A, &r);
	EXPECT_TO_SF(r, MAC_SF_B, "abc after a");
	RETURN_RUN(IF_SFA, y, MAC_SF_A, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, sizeof(struct sfc_meta), "ba after a: end-of-chain metadata bytes");
}

/* checks that a chain naming one SF with a MAC of its own at two positions is refused: back from such an SF only its interface tells the position */
static void test_sf_twice_in_chain_is_refused(void)
{
	static const char doc_text[] =
		"{\"sfs\":[{\"name\":\"a\",\"dev\":\"x0\",\"mac\":\"02:00:00:00:5f:0a\"},"
		"{\"name\":\"b\",\"dev\":\"x1\"}],"
		"\"chains\":[{\"name\":\"aba\",\"spi\":9,\"hops\":[[\"a\"],[\"b\"],[\"a\"]]}]}";
	struct sfc_doc d;
	char err[256] = "";
	int ret;

	ret = sfc_doc_from_json_text(doc_text, sizeof(doc_text) - 1, &d, err, sizeof(err));
	ASSERT_EQ(ret, -EINVAL, "parse result");
	ASSERT_OK(strstr(err, "chain \"aba\": hop 3:") ? 0 : -1, "error names the chain and hop");
	ASSERT_OK(strstr(err, "already in hop 1") ? 0 : -1, "error names the first position");
	if (!ret)
		sfc_doc_free(&d);
}

/* --- SFs down */

/* checks that a hop whose SF is down drops the packet under on-failure drop and counts hop-down-drop */
static void test_sff_hop_down_drop_counts_reason(void)
{
	struct pkt_spec s = flow(3, 1);
	__u64 r0 = reason_count(SFC_R_HOP_DOWN), s0 = all_sf_tx();
	struct hop_stat h0 = hop_stat("down-drop", 1);
	struct run r;

	ASSERT_EQ(unit_rep.sfs_down, 1, "SFs down in the apply report (d)");
	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_HOP_DOWN) - r0, 1, "reason hop-down-drop count");
	ASSERT_EQ(hop_stat("down-drop", 1).drops - h0.drops, 1, "hop 1 drops");
	ASSERT_EQ(all_sf_tx() - s0, 0, "packets sent to SFs");
}

/* checks that a hop whose SF is down is skipped under on-failure bypass and the next hop gets the packet */
static void test_sff_hop_down_bypass_goes_to_next_hop(void)
{
	struct pkt_spec s = flow(4, 1);
	__u64 r0 = reason_count(SFC_R_HOP_BYPASSED), t0 = sf_tx("a");
	struct hop_stat h1 = hop_stat("down-bypass", 1), h2 = hop_stat("down-bypass", 2);
	struct run r;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "destination MAC (a, hop 2)");
	ASSERT_EQ(reason_count(SFC_R_HOP_BYPASSED) - r0, 1, "reason hop-down-bypass count");
	ASSERT_EQ(hop_stat("down-bypass", 1).bypassed - h1.bypassed, 1, "hop 1 bypassed");
	ASSERT_EQ(hop_stat("down-bypass", 2).fwd - h2.fwd, 1, "hop 2 forwarded");
	ASSERT_EQ(sf_tx("a") - t0, 1, "SF a tx packets");
}

/* checks that a chain whose every hop is bypassed passes the packet on as if never chained */
static void test_sff_all_hops_bypassed_passes_packet(void)
{
	struct pkt_spec s = flow(5, 1);
	__u64 r0 = reason_count(SFC_R_HOP_BYPASSED), s0 = all_sf_tx();
	struct pkt p;
	struct run r;

	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, 0, "metadata bytes");
	ASSERT_MEM_EQ(r.frame, p.d, p.len, "packet");
	ASSERT_EQ(reason_count(SFC_R_HOP_BYPASSED) - r0, 1, "reason hop-down-bypass count");
	ASSERT_EQ(all_sf_tx() - s0, 0, "packets sent to SFs");
}

/* checks that a hop with one instance down sends every flow to the instance that is up, without drop or bypass */
static void test_hop_instance_down_uses_the_other(void)
{
	__u64 all0 = all_reasons(), t0 = sf_tx("e");
	__u64 f0 = reason_count(SFC_R_HOP_INSTANCE_FALLBACK), fell;

	for (int h = 1; h <= 16; h++) {
		struct pkt_spec s = flow(8, h);
		struct run r;

		flow_del(&s);
		XDP_RUN(IN0, &s, &r);
		EXPECT_TO_SF(r, MAC_SF_E, "destination MAC (e)");
	}
	ASSERT_EQ(sf_tx("e") - t0, 16, "SF e tx packets");
	/* the down instance keeps its buckets (a version does not depend on
	 * which instances are up): its flows are the fallbacks */
	fell = reason_count(SFC_R_HOP_INSTANCE_FALLBACK) - f0;
	ASSERT_GE(fell, 1, "hop-instance-down-fallback reasons");
	ASSERT_EQ(all_reasons() - all0, fell, "reasons counted besides the fallbacks");
}

static struct sfc_sf sf_entry(const char *name);
static void sf_entry_set(const char *name, struct sfc_sf v);
static void sf_down(const char *name);

/* Run sfc_xdp on a packet of spec received on ifindex. */
static int xdp_run_spec(int ifindex, const struct pkt_spec *s, struct run *r)
{
	struct pkt p;

	pkt_build(&p, s);
	return xdp_run(ifindex, &p, r);
}

/* The sfc_hops key of a chain's hop (1 = first) on its current path. */
static struct sfc_hop_key hop_key(const char *chain, int hop)
{
	__u32 cid = chain_id(chain);
	struct sfc_chain head = {};
	struct sfc_path path = {};

	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	bpf_map_lookup_elem(dp->maps.paths, &head.path_id, &path);
	return (struct sfc_hop_key){ .path_id = head.path_id, .si = path.nhops - hop + 1 };
}

/*
 * Make a chain's hop (1 = first) one of 16 buckets alternating between
 * SFs x (even buckets) and y, with flags: a hop as sfcd leaves it in a
 * path version it no longer rewrites, or fills it when no instance is
 * up. The entry as it was goes to *keep, for hop_restore.
 */
static int hop_alternate(const char *chain, int hop, const char *x, const char *y,
			 __u16 flags, struct sfc_hop *keep)
{
	struct sfc_hop_key k = hop_key(chain, hop);
	struct sfc_hop v;

	if (bpf_map_lookup_elem(dp->maps.hops, &k, keep))
		return -errno;
	v = *keep;
	v.flags = flags;
	v.nbuckets = SFC_HOP_BUCKETS;
	for (int b = 0; b < SFC_HOP_BUCKETS; b++)
		v.sf[b] = sf_id(b % 2 ? y : x);
	return sfc_hop_put(&dp->maps, &k, &v);
}

static void hop_restore(const char *chain, int hop, const struct sfc_hop *keep)
{
	struct sfc_hop_key k = hop_key(chain, hop);

	sfc_hop_put(&dp->maps, &k, keep);
}

/* Where a packet the ingress point redirected went: "a", "e", or "?". */
static const char *sent_to(const struct run *r)
{
	if (r->ret != XDP_REDIRECT)
		return "?";
	return !memcmp(r->frame, MAC_SF_A, 6) ? "a" : !memcmp(r->frame, MAC_SF_E, 6) ? "e" : "?";
}

#define FALLBACK_FLOWS 32

/* checks that a hop whose buckets alternate between a and e, a down, sends the flows of a's buckets to e (the next bucket) and leaves e's flows alone, counting hop-instance-down-fallback, and that a packet back from e goes on */
static void test_hop_instance_down_falls_back_to_next_bucket(void)
{
	const char *before[FALLBACK_FLOWS], *after[FALLBACK_FLOWS];
	struct sfc_sf keep_a = sf_entry("a");
	__u64 f0, d0, b0, ta0, te0, back = 0;
	struct hop_stat h0, h1;
	struct sfc_hop keep;
	int na = 0, err;
	struct run r;

	err = hop_alternate("lb", 1, "a", "e", 0, &keep);
	for (int h = 0; h < FALLBACK_FLOWS && !err; h++) {
		char dst[32];
		struct pkt_spec s;

		snprintf(dst, sizeof(dst), "198.18.10.%d", 100 + h);
		s = TCP4("198.18.0.2", 41000 + h, dst, 5201);
		flow_del(&s);
		err = xdp_run_spec(IN0, &s, &r);
		before[h] = sent_to(&r);
		na += !strcmp(before[h], "a");
	}
	sf_down("a");
	f0 = reason_count(SFC_R_HOP_INSTANCE_FALLBACK);
	d0 = reason_count(SFC_R_HOP_DOWN);
	b0 = reason_count(SFC_R_HOP_BYPASSED);
	ta0 = sf_tx("a");
	te0 = sf_tx("e");
	h0 = hop_stat("lb", 1);
	for (int h = 0; h < FALLBACK_FLOWS && !err; h++) {
		char dst[32];
		struct pkt_spec s;

		snprintf(dst, sizeof(dst), "198.18.10.%d", 100 + h);
		s = TCP4("198.18.0.2", 41000 + h, dst, 5201);
		err = xdp_run_spec(IN0, &s, &r);
		after[h] = sent_to(&r);
		/* back from e, the packet of a flow that fell back ends its chain */
		if (!err && !strcmp(before[h], "a") && !back) {
			struct pkt rp;

			build_return(&rp, s, IF_SFE, MAC_SF_E);
			err = xdp_run(ifx[IF_SFE], &rp, &r);
			back = r.ret == XDP_PASS && r.meta_len == sizeof(struct sfc_meta);
		}
	}
	h1 = hop_stat("lb", 1);
	sf_entry_set("a", keep_a);
	hop_restore("lb", 1, &keep);

	ASSERT_OK(err, "hop written, packets run");
	ASSERT_TRUE(na > 0 && na < FALLBACK_FLOWS, "a up: flows on a and on e");
	for (int h = 0; h < FALLBACK_FLOWS; h++) {
		char label[96];

		snprintf(label, sizeof(label), "flow %d (on %s with a up): SF with a down", h,
			 before[h]);
		ASSERT_STREQ(after[h], "e", label);
	}
	ASSERT_EQ(reason_count(SFC_R_HOP_INSTANCE_FALLBACK) - f0, na,
		  "reason hop-instance-down-fallback count (a's flows)");
	ASSERT_EQ(reason_count(SFC_R_HOP_DOWN) - d0, 0, "reason hop-down-drop count");
	ASSERT_EQ(reason_count(SFC_R_HOP_BYPASSED) - b0, 0, "reason hop-down-bypass count");
	ASSERT_EQ(sf_tx("a") - ta0, 0, "SF a tx packets");
	ASSERT_EQ(sf_tx("e") - te0, FALLBACK_FLOWS, "SF e tx packets");
	ASSERT_EQ(h1.fwd - h0.fwd, FALLBACK_FLOWS, "hop forwarded");
	ASSERT_EQ(h1.drops - h0.drops, 0, "hop drops");
	ASSERT_TRUE(back, "a fallen-back flow's packet back from e: end of chain");
}

/*
 * The first packet of a flow of chain, whose first hop alternates
 * between d (down) and e, with flags, e down too: its verdict, and the
 * counts of the reasons and hop counters it moved.
 */
struct all_down {
	__u32 ret, meta_len;
	__u64 fallback, hop_down, bypassed, sf_tx;
	struct hop_stat h;
	int err;
};

static struct all_down all_down_run(const char *chain, struct pkt_spec s, __u16 flags,
				    bool e_up)
{
	struct sfc_sf keep_e = sf_entry("e");
	__u64 f0, d0, b0, t0;
	struct all_down o = {};
	struct hop_stat h0, h1;
	struct sfc_hop keep;
	struct run r = {};

	o.err = hop_alternate(chain, 1, "d", "e", flags, &keep);
	if (!e_up)
		sf_down("e");
	f0 = reason_count(SFC_R_HOP_INSTANCE_FALLBACK);
	d0 = reason_count(SFC_R_HOP_DOWN);
	b0 = reason_count(SFC_R_HOP_BYPASSED);
	t0 = all_sf_tx();
	h0 = hop_stat(chain, 1);
	flow_del(&s);
	if (!o.err)
		o.err = xdp_run_spec(IN0, &s, &r);
	h1 = hop_stat(chain, 1);
	o.ret = r.ret;
	o.meta_len = r.meta_len;
	o.fallback = reason_count(SFC_R_HOP_INSTANCE_FALLBACK) - f0;
	o.hop_down = reason_count(SFC_R_HOP_DOWN) - d0;
	o.bypassed = reason_count(SFC_R_HOP_BYPASSED) - b0;
	o.sf_tx = all_sf_tx() - t0;
	o.h = (struct hop_stat){ .fwd = h1.fwd - h0.fwd, .drops = h1.drops - h0.drops,
				 .bypassed = h1.bypassed - h0.bypassed };
	sf_entry_set("e", keep_e);
	hop_restore(chain, 1, &keep);
	return o;
}

/* checks that a hop whose instances are all down, though its buckets name them, is bypassed under on-failure bypass (no fallback counted) */
static void test_hop_all_instances_down_is_bypassed(void)
{
	struct all_down o = all_down_run("all-bypass", flow(5, 2), 0, false);

	ASSERT_OK(o.err, "hop written, packet run");
	ASSERT_XDP(o.ret, XDP_PASS);
	ASSERT_EQ(o.meta_len, 0, "metadata bytes (passed on as if never chained)");
	ASSERT_EQ(o.bypassed, 1, "reason hop-down-bypass count");
	ASSERT_EQ(o.h.bypassed, 1, "hop bypassed");
	ASSERT_EQ(o.fallback, 0, "reason hop-instance-down-fallback count");
	ASSERT_EQ(o.sf_tx, 0, "packets sent to SFs");
}

/* checks that a hop whose instances are all down, though its buckets name them, drops under on-failure drop and counts hop-down-drop (no fallback counted) */
static void test_hop_all_instances_down_drops(void)
{
	struct all_down o = all_down_run("pair", flow(8, 40), 0, false);

	ASSERT_OK(o.err, "hop written, packet run");
	ASSERT_XDP(o.ret, XDP_DROP);
	ASSERT_EQ(o.hop_down, 1, "reason hop-down-drop count");
	ASSERT_EQ(o.h.drops, 1, "hop drops");
	ASSERT_EQ(o.fallback, 0, "reason hop-instance-down-fallback count");
	ASSERT_EQ(o.sf_tx, 0, "packets sent to SFs");
}

/* checks that a hop sfcd marked down is down whatever its buckets say: a flow of d's bucket is dropped though e is up */
static void test_hop_marked_down_ignores_its_buckets(void)
{
	/* were the mark ignored, e would take the flow from either bucket */
	struct all_down o = all_down_run("pair", flow(8, 41), SFC_HOP_DOWN, true);

	ASSERT_OK(o.err, "hop written, packet run");
	ASSERT_XDP(o.ret, XDP_DROP);
	ASSERT_EQ(o.hop_down, 1, "reason hop-down-drop count");
	ASSERT_EQ(o.fallback, 0, "reason hop-instance-down-fallback count");
	ASSERT_EQ(o.sf_tx, 0, "packets sent to SFs");
}

/* checks that a hop going down after the first SF drops the returning packet under on-failure drop */
static void test_sff_hop_down_on_return_drops(void)
{
	struct pkt_spec s = flow(12, 1);
	__u64 r0, s0;
	struct run r;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "hop 1 (a)");
	r0 = reason_count(SFC_R_HOP_DOWN);
	s0 = all_sf_tx();
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_HOP_DOWN) - r0, 1, "reason hop-down-drop count");
	ASSERT_EQ(all_sf_tx() - s0, 0, "packets sent to SFs");
}

/* checks that a hop down after the first SF is bypassed on the way back under on-failure bypass */
static void test_sff_hop_down_on_return_is_bypassed(void)
{
	struct pkt_spec s = flow(11, 1);
	__u64 r0;
	struct run r;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "hop 1 (a)");
	r0 = reason_count(SFC_R_HOP_BYPASSED);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	EXPECT_TO_SF(r, MAC_SF_E, "hop 3 (e), hop 2 (d) bypassed");
	ASSERT_EQ(reason_count(SFC_R_HOP_BYPASSED) - r0, 1, "reason hop-down-bypass count");
	RETURN_RUN(IF_SFE, s, MAC_SF_E, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, sizeof(struct sfc_meta), "end-of-chain metadata bytes");
}

/* checks that a hop of two instances spreads flows over both, and sends both directions of a flow to the same one */
static void test_hop_instances_share_flows_both_directions_together(void)
{
	int na = 0, ne = 0;

	for (int h = 1; h <= 32; h++) {
		char dst[32], label[96];
		struct pkt_spec fwd, rev;
		struct run r;
		__u8 first[6];

		snprintf(dst, sizeof(dst), "198.18.10.%d", h);
		fwd = TCP4("198.18.0.1", 40000 + h, dst, 5201);
		rev = TCP4(dst, 5201, "198.18.0.1", 40000 + h);
		flow_del(&fwd);
		flow_del(&rev);
		XDP_RUN(IN0, &fwd, &r);
		ASSERT_XDP(r.ret, XDP_REDIRECT);
		memcpy(first, r.frame, 6);
		if (!memcmp(first, MAC_SF_A, 6))
			na++;
		else if (!memcmp(first, MAC_SF_E, 6))
			ne++;
		XDP_RUN(IN0, &fwd, &r);
		snprintf(label, sizeof(label), "second packet of flow %d: destination MAC", h);
		ASSERT_MEM_EQ(r.frame, first, 6, label);
		XDP_RUN(IN0, &rev, &r);
		ASSERT_XDP(r.ret, XDP_REDIRECT);
		snprintf(label, sizeof(label), "reverse direction of flow %d: destination MAC", h);
		ASSERT_MEM_EQ(r.frame, first, 6, label);
	}
	ASSERT_EQ(na + ne, 32, "flows sent to a or e");
	ASSERT_TRUE(na > 0, "some flows to a");
	ASSERT_TRUE(ne > 0, "some flows to e");
}

/* checks that NDP from an SF on its interface is passed without counting a proxy miss */
static void test_ndp_on_sf_interface_is_passed_uncounted(void)
{
	struct pkt_spec s = icmp_spec(6, 135, "2001:db8:70::5", "2001:db8:70::6", 0);
	__u64 all0 = all_reasons();
	struct run r;

	XDP_RUN(ifx[IF_SFA], &s, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(all_reasons() - all0, 0, "reasons counted");
}

/* --- handoff to tc */

/* checks that a packet for an SF whose interface takes no XDP redirect is handed to tc to go out there */
static void test_sf_without_xdp_redirect_is_handed_to_tc_egress(void)
{
	struct pkt_spec s = flow(6, 1);
	__u64 f0 = reason_count(SFC_R_REDIRECT_FAILED), t0 = sf_tx("t");
	struct sfc_meta m;
	struct pkt p;
	struct run r;

	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, sizeof(m), "metadata bytes");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.magic, SFC_META_MAGIC, "meta magic");
	ASSERT_EQ(m.action, SFC_META_TO_EGRESS, "meta action");
	ASSERT_EQ(m.ifindex, ifx[IF_TC0], "meta ifindex (the SF's interface)");
	{
		__u8 tc0_mac[6];

		unit_if_mac(IF_TC0, tc0_mac);
		ASSERT_MEM_EQ(r.frame, tc0_mac, 6, "destination MAC (tc0, one-arm)");
		ASSERT_MEM_EQ(r.frame + 6, tc0_mac, 6, "source MAC (tc0)");
	}
	ASSERT_MEM_EQ(r.frame + 12, p.d + 12, p.len - 12, "rest of the packet");
	ASSERT_EQ(sf_tx("t") - t0, 1, "SF t tx packets");
	ASSERT_EQ(reason_count(SFC_R_REDIRECT_FAILED) - f0, 0, "reason redirect-failed count");
}

/* checks that a failed devmap redirect counts redirect-failed and falls back to the tc handoff */
static void test_devmap_miss_falls_back_to_tc_egress(void)
{
	struct pkt_spec s = flow(1, 6);
	__u64 f0 = reason_count(SFC_R_REDIRECT_FAILED);
	__u32 sfa = ifx[IF_SFA];
	struct sfc_meta m;
	struct run r;
	int del, err;

	flow_del(&s);
	del = bpf_map_delete_elem(dp->maps.tx_ports, &sfa) ? -errno : 0;
	{
		struct pkt p;

		pkt_build(&p, &s);
		err = xdp_run(IN0, &p, &r);
	}
	bpf_map_update_elem(dp->maps.tx_ports, &sfa, &sfa, BPF_ANY);
	ASSERT_OK(del, "removing sfa from sfc_tx_ports");
	ASSERT_OK(err, "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(reason_count(SFC_R_REDIRECT_FAILED) - f0, 1, "reason redirect-failed count");
	ASSERT_EQ(r.meta_len, sizeof(m), "metadata bytes");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.action, SFC_META_TO_EGRESS, "meta action");
	ASSERT_EQ(m.ifindex, sfa, "meta ifindex");
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "destination MAC");
}

/* The folded pseudo-header sum a stack leaves in the L4 checksum field
 * of a packet whose checksum the device is to finish. */
static __u16 pseudo_sum(const struct pkt *p, __u8 proto)
{
	const __u8 *ip = p->d + p->l3;
	int v6 = (ip[0] >> 4) == 6;
	const __u8 *a = ip + (v6 ? 8 : 12);
	__u32 sum = 0;

	for (int i = 0; i < (v6 ? 32 : 8); i += 2)
		sum += a[i] << 8 | a[i + 1];
	sum += proto;
	sum += p->len - p->l4;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* checks that a TCP packet with a checksum left for offload goes to its SF through tc, not an XDP redirect */
static void test_csum_partial_tcp_goes_to_sf_through_tc(void)
{
	struct pkt_spec s = flow(1, 11);
	__u64 r0 = reason_count(SFC_R_CSUM_PARTIAL_TC), t0 = sf_tx("a");
	struct sfc_meta m;
	struct pkt p;
	struct run r;

	s.payload = 100;
	flow_del(&s);
	pkt_build(&p, &s);
	put16(p.d + p.l4 + 16, pseudo_sum(&p, s.proto));
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(reason_count(SFC_R_CSUM_PARTIAL_TC) - r0, 1,
		  "reason checksum-offload-sent-via-tc count");
	ASSERT_EQ(r.meta_len, sizeof(m), "metadata bytes");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.magic, SFC_META_MAGIC, "meta magic");
	ASSERT_EQ(m.action, SFC_META_TO_EGRESS, "meta action");
	ASSERT_EQ(m.ifindex, ifx[IF_SFA], "meta ifindex");
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "destination MAC");
	ASSERT_EQ(sf_tx("a") - t0, 1, "SF a tx packets");
	/* the same flow with a finished checksum takes the XDP redirect */
	put16(p.d + p.l4 + 16, 0x1234);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
}

/* checks that an IPv6 UDP packet with a checksum left for offload goes to its SF through tc */
static void test_csum_partial_udp6_goes_to_sf_through_tc(void)
{
	struct pkt_spec s = UDP6("2001:db8::1", 4000, "2001:db8:1::1", 4000);
	__u64 r0 = reason_count(SFC_R_CSUM_PARTIAL_TC);
	struct pkt p;
	struct run r;

	s.payload = 64;
	s.next = 1;
	s.ext[0] = IPPROTO_DSTOPTS;
	flow_del(&s);
	pkt_build(&p, &s);
	put16(p.d + p.l4 + 6, pseudo_sum(&p, s.proto));
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(reason_count(SFC_R_CSUM_PARTIAL_TC) - r0, 1,
		  "reason checksum-offload-sent-via-tc count");
	ASSERT_EQ(r.meta_len, sizeof(struct sfc_meta), "metadata bytes");
}

/* --- IPv6 flow keys */

/* checks that an IPv6 flow's entry holds its addresses (its key holds only
 * their fold), and that an entry under the flow's key holding other
 * addresses (two flows whose folds collide) is not taken for it: the
 * packet is classified and goes to its own chain, whose entry replaces
 * the other */
static void test_ipv6_entry_of_other_addresses_is_not_taken(void)
{
	struct pkt_spec s = UDP6("2001:db8::7", 4100, "2001:db8:1::7", 4100);
	__u32 cid = chain_id("ba");
	struct sfc_chain head = {};
	struct sfc_flow f, other;
	__u8 want[32];
	struct run r;

	inet_pton(AF_INET6, "2001:db8::7", want);
	inet_pton(AF_INET6, "2001:db8:1::7", want + 16);
	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "first hop of abc");
	ASSERT_OK(flow_get(&s, &f), "the flow's entry");
	ASSERT_MEM_EQ(f.addr6, want, 32, "the entry's addresses");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.chains, &cid, &head) ? -errno : 0,
		  "chain ba's head");
	/* another flow's entry under the same key, on chain ba (first hop b) */
	other = f;
	other.path_id = head.path_id;
	other.steps_path = 0;
	other.addr6[15] ^= 1;
	ASSERT_OK(flow_set(&s, &other), "writing it");
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "the flow's own first hop, a (not ba's b)");
	ASSERT_OK(flow_get(&s, &f), "the entry after the packet");
	ASSERT_MEM_EQ(f.addr6, want, 32, "the entry's addresses after the packet");
	ASSERT_TRUE(f.path_id != head.path_id, "the entry is on abc's path again");
	flow_del(&s);
}

/* --- returns that do not fit */

/* The datapath entry of SF name, read, and written as sfcd would for
 * another document. */
static struct sfc_sf sf_entry(const char *name)
{
	__u32 id = sf_id(name);
	struct sfc_sf v = {};

	bpf_map_lookup_elem(dp->maps.sfs, &id, &v);
	return v;
}

static void sf_entry_set(const char *name, struct sfc_sf v)
{
	__u32 id = sf_id(name);

	bpf_map_update_elem(dp->maps.sfs, &id, &v, BPF_ANY);
}

/* SF name down, as sfcd marks it when its interface goes (SFC_SF_UP off). */
static void sf_down(const char *name)
{
	struct sfc_sf v = sf_entry(name);

	v.flags &= ~SFC_SF_UP;
	sf_entry_set(name, v);
}

/* checks that sfcd marks SFs by how chains use them: t serves one chain (sole, its id), a serves chains with on-failure drop (miss-drop, not sole) */
static void test_sf_entries_say_sole_chain_and_miss_policy(void)
{
	struct sfc_sf va = sf_entry("a"), vt = sf_entry("t");

	ASSERT_EQ(va.ifindex, ifx[IF_SFA], "sfc_sfs[a] read");
	ASSERT_EQ(vt.ifindex, ifx[IF_TC0], "sfc_sfs[t] read");
	ASSERT_EQ(!!(vt.flags & SFC_SF_SOLE), 1, "t: SFC_SF_SOLE");
	ASSERT_EQ(vt.chain_id, chain_id("tc"), "t: chain_id (chain tc)");
	ASSERT_EQ(!!(va.flags & SFC_SF_SOLE), 0, "a: SFC_SF_SOLE");
	ASSERT_EQ(va.chain_id, 0, "a: chain_id");
	ASSERT_EQ(!!(va.flags & SFC_SF_MISS_DROP), 1, "a: SFC_SF_MISS_DROP");
}

/* checks that a packet on the return interface of an SF whose chains all say bypass, matching no flow, is passed to the stack and counted sf-return-unknown-flow */
static void test_sf_return_of_unknown_flow_counts_proxy_miss(void)
{
	struct pkt_spec s = flow(1, 7);
	__u64 r0 = reason_count(SFC_R_PROXY_MISS), d0 = reason_count(SFC_R_PROXY_MISS_DROP);
	__u64 s0 = all_sf_tx();
	struct sfc_sf keep = sf_entry("a"), v = keep;
	struct run r;

	v.flags &= ~(SFC_SF_MISS_DROP | SFC_SF_SOLE); /* a's chains all say bypass */
	sf_entry_set("a", v);
	flow_del(&s);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	sf_entry_set("a", keep);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, 0, "metadata bytes");
	ASSERT_EQ(reason_count(SFC_R_PROXY_MISS) - r0, 1, "reason sf-return-unknown-flow count");
	ASSERT_EQ(reason_count(SFC_R_PROXY_MISS_DROP) - d0, 0,
		  "reason sf-return-unknown-flow-drop count");
	ASSERT_EQ(all_sf_tx() - s0, 0, "packets sent to SFs");
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "flow cache");
}

/* checks that a packet matching no flow back from an SF one of whose chains says on-failure drop is dropped and counted sf-return-unknown-flow-drop, never passed on */
static void test_sf_return_of_unknown_flow_follows_drop_policy(void)
{
	struct pkt_spec s = flow(1, 8);
	__u64 r0 = reason_count(SFC_R_PROXY_MISS), d0 = reason_count(SFC_R_PROXY_MISS_DROP);
	__u64 s0 = all_sf_tx();
	struct run r;

	flow_del(&s);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_PROXY_MISS_DROP) - d0, 1,
		  "reason sf-return-unknown-flow-drop count");
	ASSERT_EQ(reason_count(SFC_R_PROXY_MISS) - r0, 0, "reason sf-return-unknown-flow count");
	ASSERT_EQ(all_sf_tx() - s0, 0, "packets sent to SFs");
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "flow cache");
}

/* checks that a packet matching no flow back from an SF that serves one chain (a NAT-ing SF rewrote its 5-tuple) is adopted by that chain at the SF's position: a flow entry of its own, then the rest of the chain (here the end, handed to tc to enter the stack where the SF sent it) */
static void test_sf_return_of_unknown_flow_adopted_by_sole_chain(void)
{
	struct pkt_spec s = TCP4("198.18.77.1", 1234, "198.18.78.1", 80);
	__u64 a0 = reason_count(SFC_R_PROXY_ADOPTED), m0 = reason_count(SFC_R_PROXY_MISS);
	__u64 rx0 = sf_rx("t");
	struct sfc_flow f;
	struct sfc_meta m;
	__u8 tc0_mac[6];
	struct run r;

	unit_if_mac(IF_TC0, tc0_mac);
	flow_del(&s);
	RETURN_RUN(IF_TC0, s, MAC_SF_A, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(reason_count(SFC_R_PROXY_ADOPTED) - a0, 1,
		  "reason sf-return-adopted-by-interface count");
	ASSERT_EQ(reason_count(SFC_R_PROXY_MISS) - m0, 0, "reason sf-return-unknown-flow count");
	ASSERT_EQ(sf_rx("t") - rx0, 1, "SF t rx packets");
	ASSERT_STREQ(flow_chain(&s), "tc", "flow cache");
	ASSERT_OK(flow_get(&s, &f), "flow entry");
	ASSERT_EQ(f.in_ifindex, ifx[IF_TC0], "flow in_ifindex (the SF's return interface)");
	ASSERT_EQ(!!(f.flags & SFC_FLOW_ADOPTED), 1, "flow SFC_FLOW_ADOPTED");
	ASSERT_EQ(r.meta_len, sizeof(m), "metadata bytes");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.action, SFC_META_TO_INGRESS, "meta action (the stack, at the end)");
	ASSERT_EQ(m.ifindex, ifx[IF_TC0], "meta ifindex (where the SF sent it)");
	ASSERT_MEM_EQ(r.frame, tc0_mac, 6, "destination MAC (as the SF sent it)");
	ASSERT_MEM_EQ(r.frame + 6, MAC_SF_A, 6, "source MAC (as the SF sent it)");
	flow_del(&s);
}

/* checks that a packet of an adopted flow (seen only on its SF's return interface, never classified) unmarks its entry when sfcd has marked it idle */
static void test_adopted_flow_marked_idle_is_unmarked_by_a_packet(void)
{
	struct pkt_spec s = TCP4("198.18.77.3", 1234, "198.18.78.1", 80);
	struct sfc_flow f = {}, after = {};
	int err;
	struct run r;

	flow_del(&s);
	RETURN_RUN(IF_TC0, s, MAC_SF_A, &r);
	ASSERT_OK(flow_get(&s, &f), "adopted flow's entry");
	ASSERT_EQ(!!(f.flags & SFC_FLOW_ADOPTED), 1, "flow SFC_FLOW_ADOPTED");
	f.flags |= SFC_FLOW_IDLE;
	ASSERT_OK(flow_set(&s, &f), "marking the entry idle");
	RETURN_RUN(IF_TC0, s, MAC_SF_A, &r);
	err = flow_get(&s, &after);
	flow_del(&s);
	ASSERT_OK(err, "entry after a packet");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(after.flags, SFC_FLOW_CHAINED | SFC_FLOW_ADOPTED, "flags after a packet (idle cleared)");
	ASSERT_EQ(after.path_id, f.path_id, "path after a packet");
}

/* checks that a sole SF no longer on its chain's current version gets the chains' policy instead of adoption */
static void test_sf_return_of_unknown_flow_sole_off_path_follows_policy(void)
{
	struct pkt_spec s = TCP4("198.18.77.2", 1234, "198.18.78.1", 80);
	__u64 a0 = reason_count(SFC_R_PROXY_ADOPTED), d0 = reason_count(SFC_R_PROXY_MISS_DROP);
	struct sfc_sf keep = sf_entry("a"), v = keep;
	struct run r;

	/* a claims to serve only chain tc, where it has no position */
	ASSERT_EQ(keep.ifindex, ifx[IF_SFA], "sfc_sfs[a] read");
	v.flags |= SFC_SF_SOLE | SFC_SF_MISS_DROP;
	v.chain_id = chain_id("tc");
	sf_entry_set("a", v);
	flow_del(&s);
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	sf_entry_set("a", keep);
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_PROXY_ADOPTED) - a0, 0,
		  "reason sf-return-adopted-by-interface count");
	ASSERT_EQ(reason_count(SFC_R_PROXY_MISS_DROP) - d0, 1,
		  "reason sf-return-unknown-flow-drop count");
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "flow cache");
}

/* checks that a chained flow coming back on the return interface of an SF not on its path is dropped and counted */
static void test_sf_return_outside_path_counts_unknown_position(void)
{
	struct pkt_spec s = flow(9, 2);
	__u64 r0 = reason_count(SFC_R_NO_POSITION), s0;
	struct run r;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	s0 = all_sf_tx();
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_NO_POSITION) - r0, 1,
		  "reason sf-return-unknown-position count");
	ASSERT_EQ(all_sf_tx() - s0, 0, "packets sent to SFs");
}

/* checks that a flow's first packet is cached from the classifier's own
 * copy (no lookup of the entry just inserted): the entry has no resolved
 * steps; the flow's second packet resolves them, on the same SF */
static void test_first_packet_caches_flow_second_resolves_steps(void)
{
	struct pkt_spec s = flow(1, 31);
	__u32 cid = chain_id("abc");
	struct sfc_chain head = {};
	struct sfc_flow f = {};
	struct run r;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "first packet");
	ASSERT_OK(flow_get(&s, &f), "flow entry after the first packet");
	ASSERT_EQ(f.flags, SFC_FLOW_CHAINED, "flow flags after the first packet");
	ASSERT_EQ(f.steps_path, 0, "no steps resolved by the first packet");
	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	ASSERT_EQ(f.path_id, head.path_id, "the flow's version");
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "second packet");
	ASSERT_OK(flow_get(&s, &f), "flow entry after the second packet");
	ASSERT_EQ(f.steps_path, head.path_id, "steps resolved by the second packet");
	ASSERT_EQ(f.step_sf[2], sf_id("a"), "the flow's resolved SF at SI 3");
}

/*
 * A packet back on an SF interface that the flow's version has no
 * position for (the interface was created again after the flow began:
 * only versions written since know it). With resolved set, the flow keeps
 * the steps the datapath resolved on its first packet; without, they are
 * cleared (a flow past SFC_FLOW_STEPS hops, or one whose packet went to a
 * fallback instance, has none for that SF).
 */
static void sf_return_on_newer_interface(bool resolved)
{
	struct pkt_spec s = flow(1, 30);
	__u64 m0 = reason_count(SFC_R_POS_MOVED), n0 = reason_count(SFC_R_NO_POSITION);
	__u32 cid = chain_id("abc"), ifa = ifx[IF_SFA], p, q = SFC_MAX_PATHS - 7;
	struct sfc_chain head = {}, headq = { .path_id = q };
	struct sfc_pos_key pk;
	struct sfc_pos pv = {};
	struct sfc_path path = {}, zero = {};
	struct sfc_flow f = {};
	struct run r;
	int err = 0;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "first hop");
	/* the first packet caches the flow; the second resolves its steps */
	XDP_RUN(IN0, &s, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "first hop, second packet");
	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	p = head.path_id;
	pk = (struct sfc_pos_key){ .ifindex = ifa, .path_id = p };
	ASSERT_OK(flow_get(&s, &f), "flow entry after the first hop");
	ASSERT_EQ(f.steps_path, p, "the version the flow's steps were resolved on");
	ASSERT_EQ(f.step_sf[2], sf_id("a"), "the flow's resolved SF at SI 3");
	if (!resolved) {
		f.steps_path = 0;
		ASSERT_OK(flow_set(&s, &f), "flow entry without resolved steps");
	}
	/* version q: a copy of p; then a's position on p goes, as if a's
	 * interface were newer than p */
	err = bpf_map_lookup_elem(dp->maps.paths, &p, &path);
	for (__u32 si = 1; !err && si <= path.nhops; si++) {
		struct sfc_hop_key hk = { .path_id = p, .si = si }, hq = { .path_id = q, .si = si };
		struct sfc_hop hv;

		err = bpf_map_lookup_elem(dp->maps.hops, &hk, &hv) || sfc_hop_put(&dp->maps, &hq, &hv);
	}
	if (!err)
		err = bpf_map_lookup_elem(dp->maps.sf_pos, &pk, &pv);
	if (!err) {
		struct sfc_pos_key qk = { .ifindex = ifa, .path_id = q };

		err = sfc_pos_put(&dp->maps, &qk, &pv) ||
		      bpf_map_update_elem(dp->maps.paths, &q, &path, BPF_ANY) ||
		      bpf_map_update_elem(dp->maps.chains, &cid, &headq, BPF_ANY) ||
		      sfc_pos_del(&dp->maps, &pk);
	}
	if (!err) {
		struct pkt rp;

		build_return(&rp, s, IF_SFA, MAC_SF_A);
		err = xdp_run(ifa, &rp, &r);
		flow_get(&s, &f);
	}
	/* p as it was */
	sfc_pos_put(&dp->maps, &pk, &pv);
	bpf_map_update_elem(dp->maps.chains, &cid, &head, BPF_ANY);
	for (__u32 si = 1; si <= path.nhops; si++) {
		struct sfc_hop_key hq = { .path_id = q, .si = si };

		sfc_hop_del(&dp->maps, &hq);
	}
	{
		struct sfc_pos_key qk = { .ifindex = ifa, .path_id = q };

		sfc_pos_del(&dp->maps, &qk);
	}
	bpf_map_update_elem(dp->maps.paths, &q, &zero, BPF_ANY);
	flow_del(&s);

	ASSERT_OK(err, "version q written, a's position on p removed, return run");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_B, 6, "destination MAC: the next hop, b");
	ASSERT_EQ(f.path_id, resolved ? p : q, "the flow's version after the return");
	ASSERT_EQ(reason_count(SFC_R_POS_MOVED) - m0, resolved ? 0 : 1,
		  "reason sf-return-moved-to-current-version count");
	ASSERT_EQ(reason_count(SFC_R_NO_POSITION) - n0, 0, "reason sf-return-unknown-position count");
}

/* checks that such a return, for a flow without a resolved step for the
 * SF, moves the flow to the chain's current version and goes on from the
 * position there */
static void test_sf_return_on_newer_interface_moves_flow_to_current_version(void)
{
	sf_return_on_newer_interface(false);
}

/* checks that a flow whose resolved steps name the SF goes on along its
 * own version: the steps say where the SF was, whatever its interface */
static void test_sf_return_on_newer_interface_keeps_resolved_version(void)
{
	sf_return_on_newer_interface(true);
}

/* --- tc egress */

/* checks that a locally sent packet classified on tc egress is redirected to its first SF with the MAC rewrite */
static void test_tc_egress_redirects_chained_flow_to_first_sf(void)
{
	struct pkt_spec s = flow(1, 8);
	__u64 t0 = sf_tx("a");
	struct sfc_flow f;
	struct run r;

	flow_del(&s);
	TC_EGRESS_RUN(IN0, &s, &r);
	ASSERT_TC(r.ret, TC_ACT_REDIRECT);
	ASSERT_MEM_EQ(r.out, MAC_SF_A, 6, "destination MAC");
	ASSERT_EQ(sf_tx("a") - t0, 1, "SF a tx packets");
	ASSERT_OK(flow_get(&s, &f), "flow cache entry");
	ASSERT_EQ(f.flags, SFC_FLOW_CHAINED | SFC_FLOW_EGRESS, "flow flags");
}

/* checks that a locally sent flow at the end of its chain is handed to tc to leave by its egress interface */
static void test_tc_egress_flow_ends_on_its_egress(void)
{
	struct pkt_spec s = flow(2, 9);
	struct sfc_meta m;
	struct pkt orig;
	struct run r;

	flow_del(&s);
	pkt_build(&orig, &s);
	ASSERT_OK(tc_run(dp->tc_egress_fd, IN0, 0, orig.d, orig.len, &r),
		  "bpf_prog_test_run(sfc_tc_egress)");
	ASSERT_TC(r.ret, TC_ACT_REDIRECT);
	RETURN_RUN(IF_SFBR, s, MAC_SF_B, &r);
	EXPECT_TO_SF(r, MAC_SF_A, "second hop");
	RETURN_RUN(IF_SFA, s, MAC_SF_A, &r);
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(r.meta_len, sizeof(m), "metadata bytes");
	memcpy(&m, r.out, sizeof(m));
	ASSERT_EQ(m.action, SFC_META_TO_EGRESS, "meta action");
	ASSERT_EQ(m.ifindex, IN0, "meta ifindex");
	ASSERT_MEM_EQ(r.frame, orig.d, 12, "original MACs");
}

/* checks that the tc egress entry drops (TC_ACT_SHOT) a flow whose hop is down under on-failure drop */
static void test_tc_egress_hop_down_drop_is_shot(void)
{
	struct pkt_spec s = flow(3, 2);
	__u64 r0 = reason_count(SFC_R_HOP_DOWN);
	struct run r;

	flow_del(&s);
	TC_EGRESS_RUN(IN0, &s, &r);
	ASSERT_TC(r.ret, TC_ACT_SHOT);
	ASSERT_EQ(reason_count(SFC_R_HOP_DOWN) - r0, 1, "reason hop-down-drop count");
}

/* checks that the tc egress entry does not classify on an interface that is not an ingress point */
static void test_tc_egress_ignores_non_ingress_interface(void)
{
	struct pkt_spec s = flow(1, 10);
	struct run r;

	flow_del(&s);
	TC_EGRESS_RUN(ifx[IF_SFA], &s, &r);
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "flow cache");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_first_hop_redirects_with_mac_rewrite),
		UNIT_TEST(test_sf_without_mac_is_addressed_to_its_return_interface),
		UNIT_TEST(test_sf_return_goes_to_next_hop),
		UNIT_TEST(test_two_arm_sf_returns_on_its_out_dev),
		UNIT_TEST(test_end_of_chain_restores_macs_and_hands_to_tc_ingress),
		UNIT_TEST(test_next_hop_depends_on_spi_and_si),
		UNIT_TEST(test_sf_twice_in_chain_is_refused),
		UNIT_TEST(test_sff_hop_down_drop_counts_reason),
		UNIT_TEST(test_sff_hop_down_bypass_goes_to_next_hop),
		UNIT_TEST(test_sff_all_hops_bypassed_passes_packet),
		UNIT_TEST(test_hop_instance_down_uses_the_other),
		UNIT_TEST(test_hop_instance_down_falls_back_to_next_bucket),
		UNIT_TEST(test_hop_all_instances_down_is_bypassed),
		UNIT_TEST(test_hop_all_instances_down_drops),
		UNIT_TEST(test_hop_marked_down_ignores_its_buckets),
		UNIT_TEST(test_sff_hop_down_on_return_drops),
		UNIT_TEST(test_sff_hop_down_on_return_is_bypassed),
		UNIT_TEST(test_hop_instances_share_flows_both_directions_together),
		UNIT_TEST(test_ndp_on_sf_interface_is_passed_uncounted),
		UNIT_TEST(test_sf_without_xdp_redirect_is_handed_to_tc_egress),
		UNIT_TEST(test_devmap_miss_falls_back_to_tc_egress),
		UNIT_TEST(test_csum_partial_tcp_goes_to_sf_through_tc),
		UNIT_TEST(test_csum_partial_udp6_goes_to_sf_through_tc),
		UNIT_TEST(test_sf_entries_say_sole_chain_and_miss_policy),
		UNIT_TEST(test_sf_return_of_unknown_flow_counts_proxy_miss),
		UNIT_TEST(test_sf_return_of_unknown_flow_follows_drop_policy),
		UNIT_TEST(test_sf_return_of_unknown_flow_adopted_by_sole_chain),
		UNIT_TEST(test_adopted_flow_marked_idle_is_unmarked_by_a_packet),
		UNIT_TEST(test_sf_return_of_unknown_flow_sole_off_path_follows_policy),
		UNIT_TEST(test_sf_return_outside_path_counts_unknown_position),
		UNIT_TEST(test_first_packet_caches_flow_second_resolves_steps),
		UNIT_TEST(test_sf_return_on_newer_interface_moves_flow_to_current_version),
		UNIT_TEST(test_sf_return_on_newer_interface_keeps_resolved_version),
		UNIT_TEST(test_ipv6_entry_of_other_addresses_is_not_taken),
		UNIT_TEST(test_tc_egress_redirects_chained_flow_to_first_sf),
		UNIT_TEST(test_tc_egress_flow_ends_on_its_egress),
		UNIT_TEST(test_tc_egress_hop_down_drop_is_shot),
		UNIT_TEST(test_tc_egress_ignores_non_ingress_interface),
	};

	return unit_main_with_doc(DOC, tests, ARRAY_SIZE(tests), argc, argv);
}
