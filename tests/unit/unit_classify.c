// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The classification matrix: IPv4 and IPv6, prefixes, ports and port
 * ranges, protocols, priorities, ingress interface, fragments, link
 * control, VLAN tags, flow ageing (idle marks) and path versions kept
 * across reclassification, and the tc egress entry for locally sent
 * packets.
 * One document, every chain a single hop to SF a; where a packet went is
 * read from the flow cache (its path's chain) and the verdict.
 * Longer than ~600 lines on purpose: every test classifies against that
 * one document (its 24 chains and 29 rules); split, each part would load
 * it and the datapath again.
 */
#include "unit.h"

static const char *const DOC =
	"{'ingress':[{'dev':'in0'},{'dev':'in1'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'}],"
	" 'chains':["
	"  {'name':'v4dst','spi':1,'hops':['a']},  {'name':'v4src','spi':2,'hops':['a']},"
	"  {'name':'tcp12','spi':3,'hops':['a']},  {'name':'udp12','spi':4,'hops':['a']},"
	"  {'name':'http','spi':5,'hops':['a']},   {'name':'range','spi':6,'hops':['a']},"
	"  {'name':'srange','spi':7,'hops':['a']}, {'name':'wide','spi':8,'hops':['a']},"
	"  {'name':'narrow','spi':9,'hops':['a']}, {'name':'narrow2','spi':10,'hops':['a']},"
	"  {'name':'wide2','spi':11,'hops':['a']}, {'name':'on-in1','spi':12,'hops':['a']},"
	"  {'name':'v6dst','spi':13,'hops':['a']}, {'name':'v6src','spi':14,'hops':['a']},"
	"  {'name':'v6dns','spi':15,'hops':['a']}, {'name':'vxlan','spi':16,'hops':['a']},"
	"  {'name':'tls4','spi':17,'hops':['a']},  {'name':'ping4','spi':18,'hops':['a']},"
	"  {'name':'ping6','spi':19,'hops':['a']}, {'name':'fports','spi':20,'hops':['a']},"
	"  {'name':'fany','spi':21,'hops':['a']},  {'name':'fonly','spi':22,'hops':['a']},"
	"  {'name':'all6','spi':23,'hops':['a']},  {'name':'sctp','spi':24,'hops':['a']}],"
	" 'rules':["
	"  {'pref':100,'dst':'198.18.10.0/24','chain':'v4dst'},"
	"  {'pref':110,'src':'198.18.11.0/24','chain':'v4src'},"
	"  {'pref':120,'dst':'198.18.12.0/24','proto':'tcp','chain':'tcp12'},"
	"  {'pref':121,'dst':'198.18.12.0/24','proto':'udp','chain':'udp12'},"
	"  {'pref':130,'dst':'198.18.13.0/24','proto':'tcp','dport':80,'chain':'http'},"
	"  {'pref':140,'dst':'198.18.14.0/24','proto':'udp','dport':'1000-1999','chain':'range'},"
	"  {'pref':150,'dst':'198.18.15.0/24','proto':'tcp','sport':'5000-5010','chain':'srange'},"
	"  {'pref':160,'dst':'198.18.16.0/20','chain':'wide'},"
	"  {'pref':170,'dst':'198.18.17.0/24','chain':'narrow'},"
	"  {'pref':180,'dst':'198.18.32.0/24','chain':'narrow2'},"
	"  {'pref':190,'dst':'198.18.32.0/20','chain':'wide2'},"
	"  {'pref':200,'in-dev':'in1','dst':'198.18.48.0/24','chain':'on-in1'},"
	"  {'pref':300,'dst':'2001:db8:10::/48','chain':'v6dst'},"
	"  {'pref':310,'src':'2001:db8:11::1/128','chain':'v6src'},"
	"  {'pref':320,'dst':'2001:db8:12::/64','proto':'udp','dport':53,'chain':'v6dns'},"
	"  {'pref':400,'proto':'udp','dport':4789,'chain':'vxlan'},"
	"  {'pref':410,'dst':'0.0.0.0/0','proto':'tcp','dport':8443,'chain':'tls4'},"
	"  {'pref':500,'dst':'198.18.50.0/24','proto':'icmp','chain':'ping4'},"
	"  {'pref':510,'dst':'2001:db8:50::/64','proto':'icmpv6','chain':'ping6'},"
	"  {'pref':600,'dst':'198.18.60.0/24','proto':'udp','dport':53,'chain':'fports'},"
	"  {'pref':610,'dst':'198.18.60.0/24','chain':'fany'},"
	"  {'pref':620,'dst':'198.18.61.0/24','proto':'udp','dport':53,'chain':'fonly'},"
	"  {'pref':630,'dst':'2001:db8:60::/64','proto':'udp','dport':53,'chain':'fports'},"
	"  {'pref':640,'dst':'2001:db8:60::/64','chain':'fany'},"
	"  {'pref':700,'proto':'icmpv6','chain':'all6'},"
	"  {'pref':710,'dst':'198.18.71.0/24','proto':'sctp','dport':3868,'chain':'sctp'}]}";

#define IN0 ifx[IF_IN0]
#define IN1 ifx[IF_IN1]
#define H4 "198.18.0.1"   /* a source no rule looks at */
#define H6 "2001:db8::1"

/* --- IPv4 prefixes */

/* checks that a destination prefix matches addresses inside it and only those */
static void test_ipv4_dst_prefix_matches_inside_only(void)
{
	EXPECT_CHAIN(IN0, TCP4(H4, 40000, "198.18.10.5", 22), "v4dst");
	EXPECT_CHAIN(IN0, TCP4(H4, 40000, "198.18.10.255", 22), "v4dst");
	EXPECT_CHAIN(IN0, TCP4(H4, 40000, "198.18.9.255", 22), NOT_CHAINED);
	EXPECT_CHAIN(IN0, TCP4(H4, 40000, "198.18.110.5", 22), NOT_CHAINED);
}

/* checks that a source prefix matches by source address whatever the destination */
static void test_ipv4_src_prefix_matches_by_source(void)
{
	EXPECT_CHAIN(IN0, UDP4("198.18.11.7", 999, "198.19.0.1", 999), "v4src");
	EXPECT_CHAIN(IN0, UDP4("198.18.111.7", 999, "198.19.0.1", 999), NOT_CHAINED);
	/* the source rule's address as destination is no match */
	EXPECT_CHAIN(IN0, UDP4("198.19.0.1", 999, "198.18.11.7", 999), NOT_CHAINED);
}

/* --- protocols and ports */

/* checks that the protocol picks between rules on the same prefix */
static void test_proto_selects_the_rule(void)
{
	EXPECT_CHAIN(IN0, TCP4(H4, 1000, "198.18.12.1", 2000), "tcp12");
	EXPECT_CHAIN(IN0, UDP4(H4, 1000, "198.18.12.1", 2000), "udp12");
	EXPECT_CHAIN(IN0, icmp_spec(4, 8, H4, "198.18.12.1", 7), NOT_CHAINED);
}

/* checks that an exact destination port matches that port of that protocol only */
static void test_exact_dport_matches_only_that_port(void)
{
	EXPECT_CHAIN(IN0, TCP4(H4, 40000, "198.18.13.1", 80), "http");
	EXPECT_CHAIN(IN0, TCP4(H4, 40000, "198.18.13.1", 81), NOT_CHAINED);
	EXPECT_CHAIN(IN0, TCP4(H4, 40000, "198.18.13.1", 79), NOT_CHAINED);
	EXPECT_CHAIN(IN0, UDP4(H4, 40000, "198.18.13.1", 80), NOT_CHAINED);
	/* the port as source port is no match */
	EXPECT_CHAIN(IN0, TCP4(H4, 80, "198.18.13.1", 40000), NOT_CHAINED);
}

/* checks that a destination port range matches from its first to its last port */
static void test_dport_range_matches_its_bounds(void)
{
	static const struct { __u16 port; const char *chain; } c[] = {
		{ 0, NOT_CHAINED }, { 999, NOT_CHAINED }, { 1000, "range" }, { 1007, "range" },
		{ 1008, "range" }, { 1023, "range" }, { 1024, "range" }, { 1500, "range" },
		{ 1998, "range" }, { 1999, "range" }, { 2000, NOT_CHAINED },
		{ 3000, NOT_CHAINED }, { 65535, NOT_CHAINED },
	};

	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		EXPECT_CHAIN(IN0, UDP4(H4, 33333, "198.18.14.1", c[i].port), c[i].chain);
}

/* checks that a source port range matches from its first to its last port */
static void test_sport_range_matches_its_bounds(void)
{
	static const struct { __u16 port; const char *chain; } c[] = {
		{ 4999, NOT_CHAINED }, { 5000, "srange" }, { 5001, "srange" }, { 5008, "srange" },
		{ 5010, "srange" }, { 5011, NOT_CHAINED }, { 13192, NOT_CHAINED },
	};

	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		EXPECT_CHAIN(IN0, TCP4(H4, c[i].port, "198.18.15.1", 443), c[i].chain);
}

/* checks that SCTP ports are matched like TCP and UDP ports */
static void test_sctp_ports_match(void)
{
	struct pkt_spec s = l4_spec(4, IPPROTO_SCTP, H4, 3868, "198.18.71.1", 3868);

	EXPECT_CHAIN(IN0, s, "sctp");
	s.dport = 3869;
	EXPECT_CHAIN(IN0, s, NOT_CHAINED);
}

/* --- priorities */

/* checks that the lower pref wins even when the other rule has the longer prefix */
static void test_rule_lower_pref_wins_over_longer_prefix(void)
{
	EXPECT_CHAIN(IN0, TCP4(H4, 1, "198.18.17.9", 1), "wide");
	EXPECT_CHAIN(IN0, TCP4(H4, 1, "198.18.18.9", 1), "wide");
}

/* checks that the lower pref wins when it is the longer prefix, and the shorter one takes the rest */
static void test_rule_lower_pref_wins_for_longer_prefix(void)
{
	EXPECT_CHAIN(IN0, TCP4(H4, 1, "198.18.32.9", 1), "narrow2");
	EXPECT_CHAIN(IN0, TCP4(H4, 1, "198.18.33.9", 1), "wide2");
	EXPECT_CHAIN(IN0, TCP4(H4, 1, "198.18.47.255", 1), "wide2");
	EXPECT_CHAIN(IN0, TCP4(H4, 1, "198.18.48.0", 1), NOT_CHAINED);
}

/* checks that a rule matching more fields loses to a broader rule with a better pref */
static void test_rule_lower_pref_wins_over_more_specific_fields(void)
{
	/* tls4 (pref 410: any IPv4 tcp/8443) and v4dst (pref 100: 198.18.10/24) */
	EXPECT_CHAIN(IN0, TCP4(H4, 1, "198.18.10.7", 8443), "v4dst");
	EXPECT_CHAIN(IN0, TCP4(H4, 1, "198.18.99.7", 8443), "tls4");
}

/* --- ingress interface */

/* checks that a rule with in-dev matches packets received there and nowhere else */
static void test_in_dev_rule_matches_only_on_its_interface(void)
{
	EXPECT_CHAIN(IN1, TCP4(H4, 1, "198.18.48.1", 1), "on-in1");
	EXPECT_CHAIN(IN0, TCP4(H4, 1, "198.18.48.1", 1), NOT_CHAINED);
	/* rules without in-dev match on every ingress point */
	EXPECT_CHAIN(IN1, TCP4(H4, 1, "198.18.10.1", 1), "v4dst");
}

/* checks that the same flow is classified again when it shows up on another ingress point */
static void test_cached_flow_is_reclassified_on_another_ingress(void)
{
	struct pkt_spec s = TCP4(H4, 2, "198.18.48.2", 2);
	struct pkt p;
	struct run r;

	EXPECT_CHAIN(IN0, s, NOT_CHAINED);
	/* same packet, cache entry kept, now on in1 */
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN1, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_STREQ(flow_chain(&s), "on-in1", "chain after the second ingress point");
}

/* checks that a packet on an interface the fabric does not use is passed and not cached */
static void test_non_fabric_interface_is_not_classified(void)
{
	struct pkt_spec s = TCP4(H4, 3, "198.18.10.3", 3);
	__u64 c0 = all_chain_packets();
	struct pkt p;
	struct run r;

	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(ifx[IF_SFE], &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "flow cache");
	ASSERT_EQ(all_chain_packets() - c0, 0, "chained packets");
}

/* --- IPv6 */

/* checks that an IPv6 destination prefix matches addresses inside it and only those */
static void test_ipv6_dst_prefix_matches_inside_only(void)
{
	EXPECT_CHAIN(IN0, TCP6(H6, 1, "2001:db8:10::1", 1), "v6dst");
	EXPECT_CHAIN(IN0, TCP6(H6, 1, "2001:db8:10:ffff:ffff:ffff:ffff:ffff", 1), "v6dst");
	EXPECT_CHAIN(IN0, TCP6(H6, 1, "2001:db8:f::1", 1), NOT_CHAINED);
	EXPECT_CHAIN(IN0, TCP6(H6, 1, "2001:db8:1010::1", 1), NOT_CHAINED);
}

/* checks that an IPv6 /128 source matches that one address */
static void test_ipv6_src_host_prefix_matches_one_address(void)
{
	EXPECT_CHAIN(IN0, UDP6("2001:db8:11::1", 1, "2001:db8:99::1", 1), "v6src");
	EXPECT_CHAIN(IN0, UDP6("2001:db8:11::2", 1, "2001:db8:99::1", 1), NOT_CHAINED);
	EXPECT_CHAIN(IN0, UDP6("2001:db8:11::1:0", 1, "2001:db8:99::1", 1), NOT_CHAINED);
}

/* checks that IPv6 rules match protocol and port as well as the prefix */
static void test_ipv6_proto_and_port_match(void)
{
	EXPECT_CHAIN(IN0, UDP6(H6, 5353, "2001:db8:12::53", 53), "v6dns");
	EXPECT_CHAIN(IN0, UDP6(H6, 5353, "2001:db8:12::53", 54), NOT_CHAINED);
	EXPECT_CHAIN(IN0, TCP6(H6, 5353, "2001:db8:12::53", 53), NOT_CHAINED);
	EXPECT_CHAIN(IN0, UDP6(H6, 5353, "2001:db8:13::53", 53), NOT_CHAINED);
}

/* checks that a rule without addresses matches both address families */
static void test_rule_without_address_matches_both_families(void)
{
	EXPECT_CHAIN(IN0, UDP4(H4, 50000, "198.19.1.1", 4789), "vxlan");
	EXPECT_CHAIN(IN0, UDP6(H6, 50000, "2001:db8:99::1", 4789), "vxlan");
}

/* checks that a rule with an IPv4 prefix, even 0.0.0.0/0, never matches IPv6 */
static void test_ipv4_prefix_rule_never_matches_ipv6(void)
{
	EXPECT_CHAIN(IN0, TCP4(H4, 50000, "198.19.1.1", 8443), "tls4");
	EXPECT_CHAIN(IN0, TCP6(H6, 50000, "2001:db8:99::1", 8443), NOT_CHAINED);
}

/* --- ICMP */

/* checks that an ICMP rule matches echo and error messages alike */
static void test_icmp_rule_matches_echo_and_errors(void)
{
	EXPECT_CHAIN(IN0, icmp_spec(4, 8, H4, "198.18.50.1", 7), "ping4");
	EXPECT_CHAIN(IN0, icmp_spec(4, 0, H4, "198.18.50.1", 7), "ping4");
	EXPECT_CHAIN(IN0, icmp_spec(4, 3, H4, "198.18.50.1", 0), "ping4");
	EXPECT_CHAIN(IN0, icmp_spec(6, 128, H6, "2001:db8:50::1", 7), "ping6");
	EXPECT_CHAIN(IN0, icmp_spec(6, 1, H6, "2001:db8:50::1", 0), "ping6");
}

/* checks that echo ids tell pings apart in the flow cache */
static void test_icmp_echo_id_is_part_of_the_flow(void)
{
	struct pkt_spec a = icmp_spec(4, 8, H4, "198.18.50.2", 100);
	struct pkt_spec b = icmp_spec(4, 8, H4, "198.18.50.2", 200);
	struct sfc_flow_cache_key ka, kb;

	EXPECT_CHAIN(IN0, a, "ping4");
	EXPECT_CHAIN(IN0, b, "ping4");
	flow_cache_key(&a, &ka);
	flow_cache_key(&b, &kb);
	ASSERT_TRUE(memcmp(&ka, &kb, sizeof(ka)), "two echo ids give two flow keys");
	ASSERT_STREQ(flow_chain(&a), "ping4", "first ping still cached");
}

/* checks that ICMPv6 neighbour discovery and MLD are never chained, even by a rule for all ICMPv6 */
static void test_icmpv6_ndp_is_never_chained(void)
{
	static const __u8 types[] = { 130, 131, 132, 133, 134, 135, 136, 137, 143 };
	__u64 c0 = all_chain_packets();

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct pkt_spec s = icmp_spec(6, types[i], "2001:db8:70::1", "2001:db8:70::2", 0);
		__u64 r0 = reason_count(SFC_R_LINK_CONTROL);
		char label[96];
		struct pkt p;
		struct run r;

		flow_del(&s);
		pkt_build(&p, &s);
		ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
		ASSERT_XDP(r.ret, XDP_PASS);
		snprintf(label, sizeof(label), "link-control-not-chained count for type %u", types[i]);
		ASSERT_EQ(reason_count(SFC_R_LINK_CONTROL) - r0, 1, label);
		snprintf(label, sizeof(label), "flow cache for type %u", types[i]);
		ASSERT_STREQ(flow_chain(&s), NO_ENTRY, label);
	}
	ASSERT_EQ(all_chain_packets() - c0, 0, "chained packets");
	/* control: other ICMPv6 between the same hosts is chained */
	EXPECT_CHAIN(IN0, icmp_spec(6, 128, "2001:db8:70::1", "2001:db8:70::2", 9), "all6");
}

/* --- fragments */

/* checks that a non-first IPv4 fragment matches only rules without ports */
static void test_ipv4_later_fragment_matches_only_portless_rules(void)
{
	struct pkt_spec s = UDP4(H4, 5353, "198.18.60.1", 53);

	s.frag_off = 0x2000; /* first fragment: MF, offset 0, ports present */
	s.payload = 32;
	EXPECT_CHAIN(IN0, s, "fports");
	s.frag_off = 4;      /* offset 32 */
	EXPECT_CHAIN(IN0, s, "fany");
	s.dst = "198.18.61.1";
	s.frag_off = 0x2000;
	EXPECT_CHAIN(IN0, s, "fonly");
	s.frag_off = 4;
	EXPECT_CHAIN(IN0, s, NOT_CHAINED);
}

/* checks that a non-first IPv6 fragment matches only rules without ports */
static void test_ipv6_later_fragment_matches_only_portless_rules(void)
{
	struct pkt_spec s = UDP6(H6, 5353, "2001:db8:60::1", 53);

	s.next = 1;
	s.ext[0] = IPPROTO_FRAGMENT;
	s.payload = 32;
	s.v6_frag_off = 0;
	EXPECT_CHAIN(IN0, s, "fports");
	s.v6_frag_off = 4;
	EXPECT_CHAIN(IN0, s, "fany");
}

/* checks that a non-first fragment whose payload starts like port 53 is still not matched by port */
static void test_later_fragment_payload_is_not_read_as_ports(void)
{
	struct pkt_spec s = UDP4(H4, 53, "198.18.61.2", 53);
	struct pkt p;
	struct run r;

	s.frag_off = 4;
	s.payload = 16;
	pkt_build(&p, &s);
	/* payload bytes where a UDP header would be: ports 53 > 53 */
	put16(p.d + p.l4, 53);
	put16(p.d + p.l4 + 2, 53);
	flow_del(&s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_STREQ(flow_chain(&s), NOT_CHAINED, "chain of the later fragment");
}

/* --- VLAN, cache, no match */

/* checks that a VLAN-tagged packet is classified like an untagged one, in its own flow */
static void test_vlan_tagged_packet_is_classified_like_untagged(void)
{
	struct pkt_spec s = TCP4(H4, 4, "198.18.10.4", 4);
	struct sfc_flow f;

	s.vlan = 10;
	EXPECT_CHAIN(IN0, s, "v4dst");
	s.vlan = 0;
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "untagged flow of the same 5-tuple");
	s.vlan = 10;
	ASSERT_OK(flow_get(&s, &f), "flow cache entry of the tagged flow");
}

/* checks that a flow matching no rule is passed and cached as not chained */
static void test_unmatched_flow_is_cached_unchained(void)
{
	struct pkt_spec s = TCP4(H4, 5, "198.19.99.1", 5);
	__u64 c0 = all_chain_packets();
	struct sfc_flow f;

	EXPECT_CHAIN(IN0, s, NOT_CHAINED);
	ASSERT_OK(flow_get(&s, &f), "flow cache entry");
	ASSERT_EQ(f.flags, 0, "flow flags");
	ASSERT_EQ(f.generation, config_generation(), "flow generation");
	ASSERT_EQ(f.in_ifindex, IN0, "flow ingress ifindex");
	ASSERT_EQ(all_chain_packets() - c0, 0, "chained packets");
}

/* checks that every packet of a cached flow is chained and counted, not just the first */
static void test_cached_flow_counts_every_packet(void)
{
	struct pkt_spec s = TCP4(H4, 6, "198.18.13.6", 80);
	__u64 c0 = chain_packets("http"), t0 = sf_tx("a");
	struct pkt p;
	struct run r;

	flow_del(&s);
	pkt_build(&p, &s);
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
		ASSERT_XDP(r.ret, XDP_REDIRECT);
	}
	ASSERT_EQ(chain_packets("http") - c0, 3, "chain http packets");
	ASSERT_EQ(sf_tx("a") - t0, 3, "SF a tx packets");
}

/* --- ageing and path versions (sfcd marks the flows of retired versions) */

/* checks that one packet of a flow whose entry sfcd marked idle unmarks it (a cache hit: nothing else changes), and that a packet leaves an unmarked entry as it was */
static void test_flow_marked_idle_is_unmarked_by_a_packet(void)
{
	struct pkt_spec s = TCP4(H4, 14, "198.18.10.14", 22);
	struct sfc_flow f, marked, after, again;
	struct pkt p;
	struct run r;

	EXPECT_CHAIN(IN0, s, "v4dst");
	/* the second packet resolves the flow's steps: the entry as it stays */
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_OK(flow_get(&s, &f), "flow entry");
	marked = f;
	marked.flags |= SFC_FLOW_IDLE;
	ASSERT_OK(flow_set(&s, &marked), "marking the entry idle");
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_OK(flow_get(&s, &after), "flow entry after a packet");
	ASSERT_EQ(after.flags, SFC_FLOW_CHAINED, "flags after a packet (idle cleared)");
	ASSERT_MEM_EQ(&after, &f, sizeof(f), "entry after a packet (as before the mark)");
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_OK(flow_get(&s, &again), "flow entry after another packet");
	ASSERT_MEM_EQ(&again, &f, sizeof(f), "unmarked entry after a packet (unchanged)");
}

/* The chain's current path id (its head), 0 if none. */
static __u32 head_path(__u32 cid)
{
	struct sfc_chain head = {};

	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	return head.path_id;
}

static int head_set(__u32 cid, __u32 path_id)
{
	struct sfc_chain head = { .path_id = path_id };

	return bpf_map_update_elem(dp->maps.chains, &cid, &head, BPF_ANY) ? -errno : 0;
}

static int path_set(__u32 path_id, const struct sfc_path *v)
{
	return bpf_map_update_elem(dp->maps.paths, &path_id, v, BPF_ANY) ? -errno : 0;
}

/* A path id no version uses (from the top of sfc_paths down), 0 if none. */
static __u32 free_path(void)
{
	for (__u32 id = SFC_MAX_PATHS - 1; id > 0; id--) {
		struct sfc_path v = {};

		if (!bpf_map_lookup_elem(dp->maps.paths, &id, &v) && !v.nhops)
			return id;
	}
	return 0;
}

/*
 * A second version q of chain cid, a copy of its version p (same hops),
 * made current, as sfcd does on a chain edit: the hops, the path, then
 * the head. version_drop(cid, p, q) puts p back as current and removes q.
 */
static int version_add(__u32 cid, __u32 p, __u32 q)
{
	struct sfc_path path;
	int err = 0;

	if (bpf_map_lookup_elem(dp->maps.paths, &p, &path))
		return -errno;
	for (__u32 si = 1; si <= path.nhops && !err; si++) {
		struct sfc_hop_key pk = { .path_id = p, .si = si }, qk = { .path_id = q, .si = si };
		struct sfc_hop hop;

		err = bpf_map_lookup_elem(dp->maps.hops, &pk, &hop) ? -errno :
		      sfc_hop_put(&dp->maps, &qk, &hop);
	}
	return err ?: path_set(q, &path) ?: head_set(cid, q);
}

static void version_drop(__u32 cid, __u32 p, __u32 q, const struct sfc_path *pv)
{
	static const struct sfc_path zero;

	path_set(p, pv);
	head_set(cid, p);
	for (__u32 si = 1; si <= pv->nhops; si++) {
		struct sfc_hop_key qk = { .path_id = q, .si = si };

		sfc_hop_del(&dp->maps, &qk);
	}
	path_set(q, &zero);
	config_bump_generation();
}

/* checks that a flow classified again after a generation bump keeps the version of its chain it was on while that version is alive, even when the chain's head is on another one; once its version is gone (zeroed), the next reclassification takes the head's */
static void test_reclassified_flow_keeps_its_path_version(void)
{
	struct pkt_spec s = TCP4(H4, 15, "198.18.10.15", 22);
	struct pkt_spec n = TCP4(H4, 16, "198.18.10.16", 22);
	__u32 cid = chain_id("v4dst"), p = head_path(cid), q = free_path();
	struct sfc_flow kept = {}, fresh = {}, moved = {};
	static const struct sfc_path zero;
	struct sfc_path pv = {};
	int err_add, err_bump1, err_zero, err_bump2;
	__u32 ret_kept = 0, ret_moved = 0;
	struct pkt pk;
	struct run r;

	ASSERT_TRUE(cid && p && q, "chain v4dst, its path and a free path id");
	ASSERT_OK(bpf_map_lookup_elem(dp->maps.paths, &p, &pv) ? -errno : 0, "sfc_paths[p]");
	EXPECT_CHAIN(IN0, s, "v4dst");
	pkt_build(&pk, &s);

	err_add = version_add(cid, p, q);
	err_bump1 = config_bump_generation();
	if (!err_add && !err_bump1 && !xdp_run(IN0, &pk, &r)) {
		ret_kept = r.ret;
		flow_get(&s, &kept);
		expect_chain(IN0, n, "v4dst"); /* a new flow: the head's version */
		flow_get(&n, &fresh);
	}
	err_zero = path_set(p, &zero);     /* p retired */
	err_bump2 = config_bump_generation();
	if (!err_zero && !err_bump2 && !xdp_run(IN0, &pk, &r)) {
		ret_moved = r.ret;
		flow_get(&s, &moved);
	}
	version_drop(cid, p, q, &pv);

	ASSERT_OK(err_add, "a second version of v4dst, made current");
	ASSERT_OK(err_bump1, "generation bump");
	ASSERT_XDP(ret_kept, XDP_REDIRECT);
	ASSERT_EQ(kept.generation, config_generation() - 2, "flow reclassified (its generation)");
	ASSERT_EQ(kept.path_id, p, "flow's path after the head moved (its own version)");
	ASSERT_EQ(fresh.path_id, q, "a new flow's path (the head's version)");
	ASSERT_OK(err_zero, "zeroing sfc_paths[p]");
	ASSERT_OK(err_bump2, "generation bump");
	ASSERT_XDP(ret_moved, XDP_REDIRECT);
	ASSERT_EQ(moved.path_id, q, "flow's path once its version is gone (the head's)");
}

/* checks that a flow whose entry is on a version of another chain than the one the rules now give is classified onto that chain's current version */
static void test_reclassified_flow_of_another_chain_takes_the_head(void)
{
	struct pkt_spec s = TCP4(H4, 17, "198.18.10.17", 22);
	__u32 other = head_path(chain_id("v4src"));
	struct sfc_flow f, after;
	struct pkt p;
	struct run r;

	ASSERT_TRUE(other != 0, "v4src's path");
	EXPECT_CHAIN(IN0, s, "v4dst");
	ASSERT_OK(flow_get(&s, &f), "flow entry");
	f.path_id = other;
	f.generation--;
	ASSERT_OK(flow_set(&s, &f), "the entry on v4src's path, stale");
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_OK(flow_get(&s, &after), "flow entry after a packet");
	ASSERT_EQ(after.path_id, head_path(chain_id("v4dst")), "flow's path (v4dst's head)");
	ASSERT_STREQ(flow_chain(&s), "v4dst", "flow's chain");
}

/* --- tc egress */

/* checks that the tc egress entry classifies a locally sent packet and redirects it to the first SF */
static void test_tc_egress_classifies_locally_sent_packet(void)
{
	struct pkt_spec s = TCP4(H4, 7, "198.18.13.7", 80);
	__u64 c0 = chain_packets("http");
	struct sfc_flow f;
	struct run r;

	flow_del(&s);
	TC_EGRESS_RUN(IN0, &s, &r);
	ASSERT_TC(r.ret, TC_ACT_REDIRECT);
	ASSERT_STREQ(flow_chain(&s), "http", "chain");
	ASSERT_OK(flow_get(&s, &f), "flow cache entry");
	ASSERT_EQ(f.flags, SFC_FLOW_CHAINED | SFC_FLOW_EGRESS, "flow flags");
	ASSERT_EQ(chain_packets("http") - c0, 1, "chain http packets");
	ASSERT_MEM_EQ(r.out, MAC_SF_A, 6, "destination MAC towards SF a");
}

/* checks that the tc egress entry lets an unmatched locally sent packet out */
static void test_tc_egress_passes_unmatched_packet(void)
{
	struct pkt_spec s = TCP4(H4, 8, "198.19.99.8", 8);
	struct run r;

	flow_del(&s);
	TC_EGRESS_RUN(IN0, &s, &r);
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_STREQ(flow_chain(&s), NOT_CHAINED, "chain");
}

/* checks that the tc egress entry applies in-dev rules to the interface the packet leaves by */
static void test_tc_egress_in_dev_rule_uses_the_egress_interface(void)
{
	struct pkt_spec s = TCP4(H4, 9, "198.18.48.9", 9);
	struct pkt p;
	struct run r;

	pkt_build(&p, &s);
	flow_del(&s);
	ASSERT_OK(tc_run(dp->tc_egress_fd, IN1, 0, p.d, p.len, &r),
		  "bpf_prog_test_run(sfc_tc_egress)");
	ASSERT_TC(r.ret, TC_ACT_REDIRECT);
	ASSERT_STREQ(flow_chain(&s), "on-in1", "chain leaving by in1");
	flow_del(&s);
	ASSERT_OK(tc_run(dp->tc_egress_fd, IN0, 0, p.d, p.len, &r),
		  "bpf_prog_test_run(sfc_tc_egress)");
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_STREQ(flow_chain(&s), NOT_CHAINED, "chain leaving by in0");
}

/* checks that the tc egress entry lets a forwarded packet (received on another interface) out unclassified */
static void test_tc_egress_leaves_forwarded_packet_alone(void)
{
	struct pkt_spec s = TCP4(H4, 10, "198.18.13.10", 80);
	__u64 c0 = all_chain_packets();
	struct pkt p;
	struct run r;

	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(tc_run(dp->tc_egress_fd, IN0, ifx[IF_SFE], p.d, p.len, &r),
		  "bpf_prog_test_run(sfc_tc_egress)");
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_MEM_EQ(r.out, p.d, p.len, "packet");
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "flow cache");
	ASSERT_EQ(all_chain_packets() - c0, 0, "chained packets");
}

/* checks that the tc egress entry leaves NDP alone */
static void test_tc_egress_never_chains_ndp(void)
{
	struct pkt_spec s = icmp_spec(6, 135, "2001:db8:70::3", "2001:db8:70::4", 0);
	__u64 r0 = reason_count(SFC_R_LINK_CONTROL);
	struct run r;

	flow_del(&s);
	TC_EGRESS_RUN(IN0, &s, &r);
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_EQ(reason_count(SFC_R_LINK_CONTROL) - r0, 1, "link-control-not-chained count");
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "flow cache");
}

/* checks that the tc ingress entry lets through a packet without sfc metadata */
static void test_tc_ingress_passes_packet_without_metadata(void)
{
	struct pkt_spec s = TCP4(H4, 11, "198.18.13.11", 80);
	struct pkt p;
	struct run r;

	pkt_build(&p, &s);
	ASSERT_OK(tc_run(dp->tc_ingress_fd, IN0, 0, p.d, p.len, &r),
		  "bpf_prog_test_run(sfc_tc_ingress)");
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_EQ(r.out_len, p.len, "bytes out");
	ASSERT_MEM_EQ(r.out, p.d, p.len, "packet");
}

/* sfc_ifaces flags of ifindex or'ed with set (0: restore saved) */
static void iface_flags(int ifindex, __u32 set, struct sfc_iface *saved)
{
	__u32 k = ifindex;
	struct sfc_iface v;

	if (!set) {
		sfc_iface_put(&dp->maps, k, saved, BPF_ANY);
		return;
	}
	bpf_map_lookup_elem(dp->maps.ifaces, &k, saved);
	v = *saved;
	v.flags |= set;
	sfc_iface_put(&dp->maps, k, &v, BPF_ANY);
}

/* checks that on an interface steered at tc the tc ingress entry chains a
 * matching packet (a redirect to the SF), where on one steered in XDP it
 * leaves it to sfc_xdp */
static void test_tc_ingress_chains_on_tc_steered_interface(void)
{
	struct pkt_spec s = TCP4(H4, 12, "198.18.10.5", 22);
	struct sfc_iface saved;
	struct pkt p;
	struct run r;

	pkt_build(&p, &s);
	flow_del(&s);
	ASSERT_OK(tc_run(dp->tc_ingress_fd, IN0, IN0, p.d, p.len, &r), "tc run, XDP-steered");
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "no flow entry from tc on an XDP-steered interface");
	iface_flags(IN0, SFC_IF_TC_STEER, &saved);
	ASSERT_OK(tc_run(dp->tc_ingress_fd, IN0, IN0, p.d, p.len, &r), "tc run, tc-steered");
	iface_flags(IN0, 0, &saved);
	ASSERT_TC(r.ret, TC_ACT_REDIRECT);
	ASSERT_STREQ(flow_chain(&s), "v4dst", "flow cache: classified at tc");
}

/* checks that a packet marked as having finished its chain passes the tc
 * ingress entry of a tc-steered interface unclassified, its mark cleared */
static void test_tc_ingress_lets_finished_packet_through(void)
{
	struct pkt_spec s = TCP4(H4, 13, "198.18.10.5", 22);
	__u32 mark = SFC_MARK_END;
	struct sfc_iface saved;
	struct pkt p;
	struct run r;

	pkt_build(&p, &s);
	flow_del(&s);
	iface_flags(IN0, SFC_IF_TC_STEER, &saved);
	ASSERT_OK(tc_run_mark(dp->tc_ingress_fd, IN0, IN0, p.d, p.len, &r, &mark), "tc run");
	iface_flags(IN0, 0, &saved);
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_EQ(mark, 0, "mark cleared");
	ASSERT_STREQ(flow_chain(&s), NO_ENTRY, "not classified");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_ipv4_dst_prefix_matches_inside_only),
		UNIT_TEST(test_ipv4_src_prefix_matches_by_source),
		UNIT_TEST(test_proto_selects_the_rule),
		UNIT_TEST(test_exact_dport_matches_only_that_port),
		UNIT_TEST(test_dport_range_matches_its_bounds),
		UNIT_TEST(test_sport_range_matches_its_bounds),
		UNIT_TEST(test_sctp_ports_match),
		UNIT_TEST(test_rule_lower_pref_wins_over_longer_prefix),
		UNIT_TEST(test_rule_lower_pref_wins_for_longer_prefix),
		UNIT_TEST(test_rule_lower_pref_wins_over_more_specific_fields),
		UNIT_TEST(test_in_dev_rule_matches_only_on_its_interface),
		UNIT_TEST(test_cached_flow_is_reclassified_on_another_ingress),
		UNIT_TEST(test_non_fabric_interface_is_not_classified),
		UNIT_TEST(test_ipv6_dst_prefix_matches_inside_only),
		UNIT_TEST(test_ipv6_src_host_prefix_matches_one_address),
		UNIT_TEST(test_ipv6_proto_and_port_match),
		UNIT_TEST(test_rule_without_address_matches_both_families),
		UNIT_TEST(test_ipv4_prefix_rule_never_matches_ipv6),
		UNIT_TEST(test_icmp_rule_matches_echo_and_errors),
		UNIT_TEST(test_icmp_echo_id_is_part_of_the_flow),
		UNIT_TEST(test_icmpv6_ndp_is_never_chained),
		UNIT_TEST(test_ipv4_later_fragment_matches_only_portless_rules),
		UNIT_TEST(test_ipv6_later_fragment_matches_only_portless_rules),
		UNIT_TEST(test_later_fragment_payload_is_not_read_as_ports),
		UNIT_TEST(test_vlan_tagged_packet_is_classified_like_untagged),
		UNIT_TEST(test_unmatched_flow_is_cached_unchained),
		UNIT_TEST(test_cached_flow_counts_every_packet),
		UNIT_TEST(test_flow_marked_idle_is_unmarked_by_a_packet),
		UNIT_TEST(test_reclassified_flow_keeps_its_path_version),
		UNIT_TEST(test_reclassified_flow_of_another_chain_takes_the_head),
		UNIT_TEST(test_tc_egress_classifies_locally_sent_packet),
		UNIT_TEST(test_tc_egress_passes_unmatched_packet),
		UNIT_TEST(test_tc_egress_in_dev_rule_uses_the_egress_interface),
		UNIT_TEST(test_tc_egress_leaves_forwarded_packet_alone),
		UNIT_TEST(test_tc_egress_never_chains_ndp),
		UNIT_TEST(test_tc_ingress_passes_packet_without_metadata),
		UNIT_TEST(test_tc_ingress_chains_on_tc_steered_interface),
		UNIT_TEST(test_tc_ingress_lets_finished_packet_through),
	};

	return unit_main_with_doc(DOC, tests, ARRAY_SIZE(tests), argc, argv);
}
