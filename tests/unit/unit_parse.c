// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Truncated and malformed packets at every header layer: each is passed
 * to the stack with its reason counted, and is never chained (no
 * redirect, no handoff metadata, chain and SF counters unchanged, no flow
 * cache entry). Every rule set here would chain a well-formed packet of
 * the same shape, which the control tests show.
 */
#include "unit.h"

/* A catch-all rule, and a port rule to show that ports were found. */
static const char *const DOC =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'}],"
	" 'chains':[{'name':'all','spi':1,'hops':['a']},"
	"           {'name':'web','spi':2,'hops':['a']}],"
	" 'rules':[{'pref':10,'proto':'tcp','dport':5201,'chain':'web'},"
	"          {'pref':100,'chain':'all'}]}";

static struct pkt_spec tcp4(void)
{
	return (struct pkt_spec){ .family = 4, .src = "198.18.0.1", .dst = "198.18.1.1",
				  .proto = IPPROTO_TCP, .sport = 40000, .dport = 5201 };
}

static struct pkt_spec tcp6(void)
{
	return (struct pkt_spec){ .family = 6, .src = "2001:db8::1", .dst = "2001:db8:1::1",
				  .proto = IPPROTO_TCP, .sport = 40000, .dport = 5201 };
}

/*
 * The frame in [data, data + len) (after meta_len bytes handed in as
 * metadata), received on the ingress point, is passed with reason counted
 * once and nothing chained.
 */
static void expect_malformed(const void *data, __u32 len, __u32 meta_len, __u32 reason)
{
	__u64 r0 = reason_count(reason), all0 = all_reasons();
	__u64 c0 = all_chain_packets(), s0 = all_sf_tx();
	long f0 = flow_count();
	char label[96];
	struct run r;

	ASSERT_OK(xdp_run_raw(ifx[IF_IN0], data, len, meta_len, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	snprintf(label, sizeof(label), "reason %s count", sfc_reason_name(reason));
	ASSERT_EQ(reason_count(reason) - r0, 1, label);
	ASSERT_EQ(all_reasons() - all0, 1, "all reasons count");
	ASSERT_EQ(r.meta_len, meta_len, "metadata bytes (handoff to tc)");
	ASSERT_EQ(all_chain_packets() - c0, 0, "chained packets");
	ASSERT_EQ(all_sf_tx() - s0, 0, "packets sent to SFs");
	ASSERT_EQ(flow_count() - f0, 0, "flow cache entries");
}

/* The packet is chained into chain (control: the shape is chainable). */
static void expect_chained(const struct pkt_spec *s, const struct pkt *p, const char *chain)
{
	__u64 c0 = chain_packets(chain), all0 = all_reasons();
	struct run r;

	flow_del(s);
	ASSERT_OK(xdp_run(ifx[IF_IN0], p, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_EQ(chain_packets(chain) - c0, 1, "chain packets");
	ASSERT_EQ(all_reasons() - all0, 0, "reasons counted");
	ASSERT_STREQ(flow_chain(s), chain, "flow cache chain");
}

/* --- controls */

/* checks that a well-formed IPv4 TCP packet of the shapes below is chained by its port */
static void test_wellformed_ipv4_tcp_is_chained(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	pkt_build(&p, &s);
	expect_chained(&s, &p, "web");
}

/* checks that a well-formed IPv6 TCP packet of the shapes below is chained by its port */
static void test_wellformed_ipv6_tcp_is_chained(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	pkt_build(&p, &s);
	expect_chained(&s, &p, "web");
}

/* checks that ARP (not IP) is passed without counting any reason */
static void test_arp_is_passed_without_reason(void)
{
	__u8 f[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0xee, 0x02, 0x08, 0x06 };
	__u64 all0 = all_reasons(), c0 = all_chain_packets();
	struct run r;

	ASSERT_OK(xdp_run_raw(ifx[IF_IN0], f, sizeof(f), 0, &r), "bpf_prog_test_run(sfc_xdp)");
	ASSERT_XDP(r.ret, XDP_PASS);
	ASSERT_EQ(all_reasons() - all0, 0, "reasons counted");
	ASSERT_EQ(all_chain_packets() - c0, 0, "chained packets");
}

/* --- Ethernet and VLAN */

/*
 * A frame shorter than an Ethernet header (truncated-ethernet) cannot be
 * made here: BPF_PROG_TEST_RUN refuses data_in shorter than ETH_HLEN, and
 * so it does with metadata in front (the frame after the metadata must
 * still be 14 bytes), and AF_PACKET will not send one either. The
 * shortest frames tested are a bare Ethernet header announcing IPv4 or a
 * VLAN tag.
 */

/* checks that an 802.1Q tag cut short counts truncated-vlan */
static void test_vlan_tag_truncated_counts_truncated_vlan(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.vlan = 10;
	pkt_build(&p, &s);
	expect_malformed(p.d, 16, 0, SFC_R_TRUNC_VLAN);
}

/* checks that an 802.1ad tag with nothing after the Ethernet header counts truncated-vlan */
static void test_qinq_tag_truncated_counts_truncated_vlan(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.vlan = 10;
	s.vlan_tpid = 0x88a8;
	pkt_build(&p, &s);
	expect_malformed(p.d, 14, 0, SFC_R_TRUNC_VLAN);
}

/* checks that a VLAN-tagged packet is parsed past its tag and chained by its port */
static void test_vlan_tagged_ipv4_is_chained(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.vlan = 10;
	pkt_build(&p, &s);
	expect_chained(&s, &p, "web");
}

/* --- IPv4 */

/* checks that an Ethernet header announcing IPv4 with no IPv4 header counts truncated-ipv4 */
static void test_ipv4_header_missing_counts_truncated_ipv4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	pkt_build(&p, &s);
	expect_malformed(p.d, p.l3, 0, SFC_R_TRUNC_IPV4);
}

/* checks that an IPv4 header cut inside its fixed 20 bytes counts truncated-ipv4 */
static void test_ipv4_header_truncated_counts_truncated_ipv4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	pkt_build(&p, &s);
	expect_malformed(p.d, p.l3 + 19, 0, SFC_R_TRUNC_IPV4);
}

/* checks that an IPv4 header length below 5 words counts bad-ipv4-header */
static void test_ipv4_ihl_below_five_counts_bad_ipv4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	pkt_build(&p, &s);
	p.d[p.l3] = 0x44;
	expect_malformed(p.d, p.len, 0, SFC_R_BAD_IPV4);
}

/* checks that a version other than 4 under the IPv4 ethertype counts bad-ipv4-header */
static void test_ipv4_wrong_version_counts_bad_ipv4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	pkt_build(&p, &s);
	p.d[p.l3] = 0x65;
	expect_malformed(p.d, p.len, 0, SFC_R_BAD_IPV4);
}

/* checks that IPv4 options cut short by the end of the frame count truncated-ipv4 */
static void test_ipv4_options_truncated_counts_truncated_ipv4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.ip_opts = 40;
	pkt_build(&p, &s);
	expect_malformed(p.d, p.l3 + 30, 0, SFC_R_TRUNC_IPV4);
}

/* checks that the ports are read after 40 bytes of IPv4 options */
static void test_ipv4_options_are_skipped_to_the_ports(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.ip_opts = 40;
	pkt_build(&p, &s);
	expect_chained(&s, &p, "web");
}

/* checks that an IPv4 total length beyond the frame counts truncated-ipv4 */
static void test_ipv4_total_length_beyond_frame_counts_truncated_ipv4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.payload = 40;
	pkt_build(&p, &s);
	/* The header says 100 bytes, the frame carries 60 of them. */
	pkt_cut(&p, p.l4 + 20 + 20);
	put16(p.d + p.l3 + 2, 100);
	put16(p.d + p.l3 + 10, 0);
	put16(p.d + p.l3 + 10, ip_csum(p.d + p.l3, 20));
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_IPV4);
}

/* checks that an IPv4 total length shorter than its own header counts bad-ipv4-header */
static void test_ipv4_total_length_below_header_counts_bad_ipv4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	pkt_build(&p, &s);
	put16(p.d + p.l3 + 2, 16);
	put16(p.d + p.l3 + 10, 0);
	put16(p.d + p.l3 + 10, ip_csum(p.d + p.l3, 20));
	expect_malformed(p.d, p.len, 0, SFC_R_BAD_IPV4);
}

/* checks that Ethernet padding after a short IPv4 packet (frame longer than its total length) is no error */
static void test_ipv4_ethernet_padding_is_chained(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.proto = IPPROTO_UDP;
	pkt_build(&p, &s);
	memset(p.d + p.len, 0, 60 - p.len); /* 42 bytes padded to 60 */
	p.len = 60;
	expect_chained(&s, &p, "all");
}

/* --- IPv6 */

/* checks that an IPv6 header cut inside its 40 bytes counts truncated-ipv6 */
static void test_ipv6_header_truncated_counts_truncated_ipv6(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	pkt_build(&p, &s);
	expect_malformed(p.d, p.l3 + 39, 0, SFC_R_TRUNC_IPV6);
}

/* checks that a version other than 6 under the IPv6 ethertype counts truncated-ipv6 (the only IPv6 header reason) */
static void test_ipv6_wrong_version_counts_truncated_ipv6(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	pkt_build(&p, &s);
	p.d[p.l3] = 0x40;
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_IPV6);
}

/* checks that an IPv6 payload length beyond the frame counts truncated-ipv6 */
static void test_ipv6_payload_length_beyond_frame_counts_truncated_ipv6(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.payload = 40;
	pkt_build(&p, &s);
	/* The header says 60 bytes of payload, the frame carries 20. */
	p.len = p.l4 + 20;
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_IPV6);
}

/* checks that a hop-by-hop header cut after one byte counts truncated-ipv6-ext */
static void test_ipv6_hopopts_truncated_counts_truncated_ipv6_ext(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.next = 1;
	s.ext[0] = IPPROTO_HOPOPTS;
	pkt_build(&p, &s);
	pkt_cut(&p, p.ext + 1);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_IPV6_EXT);
}

/* checks that a destination-options header claiming more bytes than the frame has counts truncated-ipv6-ext */
static void test_ipv6_dstopts_length_beyond_frame_counts_truncated_ipv6_ext(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.next = 1;
	s.ext[0] = IPPROTO_DSTOPTS;
	pkt_build(&p, &s);
	p.d[p.ext + 1] = 10; /* 88 bytes; the frame has 8 + 20 after the IPv6 header */
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_IPV6_EXT);
}

/* checks that a routing header whose length ends past the frame, before any L4 byte, counts truncated-ipv6-ext */
static void test_ipv6_routing_length_beyond_frame_counts_truncated_ipv6_ext(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.next = 1;
	s.ext[0] = IPPROTO_ROUTING;
	pkt_build(&p, &s);
	p.d[p.ext + 1] = 3; /* 32 bytes; 28 follow the IPv6 header */
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_IPV6_EXT);
}

/* checks that a fragment header cut after four bytes counts truncated-ipv6-ext */
static void test_ipv6_fragment_header_truncated_counts_truncated_ipv6_ext(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.next = 1;
	s.ext[0] = IPPROTO_FRAGMENT;
	pkt_build(&p, &s);
	pkt_cut(&p, p.ext + 4);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_IPV6_EXT);
}

/* checks that an authentication header claiming more bytes than the frame has counts truncated-ipv6-ext */
static void test_ipv6_ah_length_beyond_frame_counts_truncated_ipv6_ext(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.next = 1;
	s.ext[0] = IPPROTO_AH;
	pkt_build(&p, &s);
	p.d[p.ext + 1] = 20; /* 88 bytes; 36 follow the IPv6 header */
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_IPV6_EXT);
}

/* checks that seven extension headers count ipv6-ext-too-deep */
static void test_ipv6_seven_ext_headers_count_ext_too_deep(void)
{
	static const __u8 ext[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
				    IPPROTO_MH, IPPROTO_AH, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS };
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.next = sizeof(ext);
	memcpy(s.ext, ext, sizeof(ext));
	pkt_build(&p, &s);
	expect_malformed(p.d, p.len, 0, SFC_R_IPV6_EXT_DEPTH);
}

/* checks that six extension headers of every kind are walked to the ports */
static void test_ipv6_six_ext_headers_are_skipped_to_the_ports(void)
{
	static const __u8 ext[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
				    IPPROTO_FRAGMENT, IPPROTO_AH, IPPROTO_DSTOPTS };
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.next = sizeof(ext);
	memcpy(s.ext, ext, sizeof(ext));
	pkt_build(&p, &s);
	expect_chained(&s, &p, "web");
}

/* --- L4 */

/* checks that a TCP header cut short counts truncated-l4 */
static void test_tcp_truncated_counts_truncated_l4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	pkt_build(&p, &s);
	pkt_cut(&p, p.l4 + 19);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_L4);
}

/* checks that a TCP header cut short after IPv4 options counts truncated-l4 */
static void test_tcp_truncated_after_ipv4_options_counts_truncated_l4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.ip_opts = 12;
	pkt_build(&p, &s);
	pkt_cut(&p, p.l4 + 4);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_L4);
}

/* checks that a TCP header cut short after IPv6 extension headers counts truncated-l4 */
static void test_tcp_truncated_after_ipv6_ext_counts_truncated_l4(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.next = 2;
	s.ext[0] = IPPROTO_HOPOPTS;
	s.ext[1] = IPPROTO_DSTOPTS;
	pkt_build(&p, &s);
	pkt_cut(&p, p.l4 + 10);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_L4);
}

/* checks that an IPv4 UDP header cut short counts truncated-l4 */
static void test_udp_truncated_counts_truncated_l4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.proto = IPPROTO_UDP;
	pkt_build(&p, &s);
	pkt_cut(&p, p.l4 + 7);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_L4);
}

/* checks that an IPv6 UDP header cut short counts truncated-l4 */
static void test_udp6_truncated_counts_truncated_l4(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.proto = IPPROTO_UDP;
	pkt_build(&p, &s);
	pkt_cut(&p, p.l4 + 3);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_L4);
}

/* checks that an SCTP common header without both ports counts truncated-l4 */
static void test_sctp_truncated_counts_truncated_l4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.proto = IPPROTO_SCTP;
	pkt_build(&p, &s);
	pkt_cut(&p, p.l4 + 3);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_L4);
}

/* checks that an ICMP header cut short counts truncated-l4 */
static void test_icmp_truncated_counts_truncated_l4(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.proto = IPPROTO_ICMP;
	s.icmp_type = 8;
	pkt_build(&p, &s);
	pkt_cut(&p, p.l4 + 4);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_L4);
}

/* checks that an ICMPv6 header cut short counts truncated-l4 */
static void test_icmpv6_truncated_counts_truncated_l4(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.proto = IPPROTO_ICMPV6;
	s.icmp_type = 128;
	pkt_build(&p, &s);
	pkt_cut(&p, p.l4 + 2);
	expect_malformed(p.d, p.len, 0, SFC_R_TRUNC_L4);
}

/* checks that a non-first IPv4 fragment, which has no L4 header, is not taken for a truncated one */
static void test_ipv4_later_fragment_is_not_truncated(void)
{
	struct pkt_spec s = tcp4();
	struct pkt p;

	s.frag_off = 185; /* offset 1480 */
	s.payload = 20;
	pkt_build(&p, &s);
	expect_chained(&s, &p, "all");
}

/* checks that a non-first IPv6 fragment, which has no L4 header, is not taken for a truncated one */
static void test_ipv6_later_fragment_is_not_truncated(void)
{
	struct pkt_spec s = tcp6();
	struct pkt p;

	s.next = 1;
	s.ext[0] = IPPROTO_FRAGMENT;
	s.v6_frag_off = 185;
	s.payload = 20;
	pkt_build(&p, &s);
	expect_chained(&s, &p, "all");
}

/* checks that the tc egress entry counts a truncated TCP header and lets the packet out unchained */
static void test_tc_egress_truncated_tcp_counts_truncated_l4(void)
{
	struct pkt_spec s = tcp4();
	__u64 r0 = reason_count(SFC_R_TRUNC_L4), c0 = all_chain_packets();
	struct pkt p;
	struct run r;

	pkt_build(&p, &s);
	pkt_cut(&p, p.l4 + 12);
	ASSERT_OK(tc_run(dp->tc_egress_fd, ifx[IF_IN0], 0, p.d, p.len, &r),
		  "bpf_prog_test_run(sfc_tc_egress)");
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_EQ(reason_count(SFC_R_TRUNC_L4) - r0, 1, "reason truncated-l4 count");
	ASSERT_EQ(all_chain_packets() - c0, 0, "chained packets");
}

/* checks that the tc egress entry counts an IPv6 extension header past the end and lets the packet out unchained */
static void test_tc_egress_truncated_ipv6_ext_counts_truncated_ipv6_ext(void)
{
	struct pkt_spec s = tcp6();
	__u64 r0 = reason_count(SFC_R_TRUNC_IPV6_EXT), c0 = all_chain_packets();
	struct pkt p;
	struct run r;

	s.next = 1;
	s.ext[0] = IPPROTO_HOPOPTS;
	pkt_build(&p, &s);
	p.d[p.ext + 1] = 30;
	ASSERT_OK(tc_run(dp->tc_egress_fd, ifx[IF_IN0], 0, p.d, p.len, &r),
		  "bpf_prog_test_run(sfc_tc_egress)");
	ASSERT_TC(r.ret, TC_ACT_OK);
	ASSERT_EQ(reason_count(SFC_R_TRUNC_IPV6_EXT) - r0, 1, "reason truncated-ipv6-ext count");
	ASSERT_EQ(all_chain_packets() - c0, 0, "chained packets");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_wellformed_ipv4_tcp_is_chained),
		UNIT_TEST(test_wellformed_ipv6_tcp_is_chained),
		UNIT_TEST(test_arp_is_passed_without_reason),
		UNIT_TEST(test_vlan_tag_truncated_counts_truncated_vlan),
		UNIT_TEST(test_qinq_tag_truncated_counts_truncated_vlan),
		UNIT_TEST(test_vlan_tagged_ipv4_is_chained),
		UNIT_TEST(test_ipv4_header_missing_counts_truncated_ipv4),
		UNIT_TEST(test_ipv4_header_truncated_counts_truncated_ipv4),
		UNIT_TEST(test_ipv4_ihl_below_five_counts_bad_ipv4),
		UNIT_TEST(test_ipv4_wrong_version_counts_bad_ipv4),
		UNIT_TEST(test_ipv4_options_truncated_counts_truncated_ipv4),
		UNIT_TEST(test_ipv4_options_are_skipped_to_the_ports),
		UNIT_TEST(test_ipv4_total_length_beyond_frame_counts_truncated_ipv4),
		UNIT_TEST(test_ipv4_total_length_below_header_counts_bad_ipv4),
		UNIT_TEST(test_ipv4_ethernet_padding_is_chained),
		UNIT_TEST(test_ipv6_header_truncated_counts_truncated_ipv6),
		UNIT_TEST(test_ipv6_wrong_version_counts_truncated_ipv6),
		UNIT_TEST(test_ipv6_payload_length_beyond_frame_counts_truncated_ipv6),
		UNIT_TEST(test_ipv6_hopopts_truncated_counts_truncated_ipv6_ext),
		UNIT_TEST(test_ipv6_dstopts_length_beyond_frame_counts_truncated_ipv6_ext),
		UNIT_TEST(test_ipv6_routing_length_beyond_frame_counts_truncated_ipv6_ext),
		UNIT_TEST(test_ipv6_fragment_header_truncated_counts_truncated_ipv6_ext),
		UNIT_TEST(test_ipv6_ah_length_beyond_frame_counts_truncated_ipv6_ext),
		UNIT_TEST(test_ipv6_seven_ext_headers_count_ext_too_deep),
		UNIT_TEST(test_ipv6_six_ext_headers_are_skipped_to_the_ports),
		UNIT_TEST(test_tcp_truncated_counts_truncated_l4),
		UNIT_TEST(test_tcp_truncated_after_ipv4_options_counts_truncated_l4),
		UNIT_TEST(test_tcp_truncated_after_ipv6_ext_counts_truncated_l4),
		UNIT_TEST(test_udp_truncated_counts_truncated_l4),
		UNIT_TEST(test_udp6_truncated_counts_truncated_l4),
		UNIT_TEST(test_sctp_truncated_counts_truncated_l4),
		UNIT_TEST(test_icmp_truncated_counts_truncated_l4),
		UNIT_TEST(test_icmpv6_truncated_counts_truncated_l4),
		UNIT_TEST(test_ipv4_later_fragment_is_not_truncated),
		UNIT_TEST(test_ipv6_later_fragment_is_not_truncated),
		UNIT_TEST(test_tc_egress_truncated_tcp_counts_truncated_l4),
		UNIT_TEST(test_tc_egress_truncated_ipv6_ext_counts_truncated_ipv6_ext),
	};

	return unit_main_with_doc(DOC, tests, ARRAY_SIZE(tests), argc, argv);
}
