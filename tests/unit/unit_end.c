// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The end of a chain per its "end" option, where BPF_PROG_TEST_RUN is
 * enough: the cases an XDP or auto end hands to the stack end before any
 * FIB or conntrack lookup (VLAN-tagged, unfinished checksum, locally sent),
 * and a stack end that counts none of them. What needs routes, neighbours
 * and conntrack is in tests/integration/chain_end.sh.
 */
#include "unit.h"

static const char *const DOC =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'}],"
	" 'chains':[{'name':'x','spi':100,'hops':['a'],'end':'xdp'},"
	"           {'name':'au','spi':101,'hops':['a'],'end':'auto'},"
	"           {'name':'st','spi':102,'hops':['a']}],"
	" 'rules':[{'pref':1,'dst':'198.18.1.0/24','chain':'x'},"
	"          {'pref':2,'dst':'198.18.2.0/24','chain':'au'},"
	"          {'pref':3,'dst':'198.18.3.0/24','chain':'st'}]}";

#define IN0 ifx[IF_IN0]

static const __u32 end_reasons[] = {
	SFC_R_END_LOCAL, SFC_R_END_NO_NEIGH, SFC_R_END_FRAG_NEEDED, SFC_R_END_VLAN,
	SFC_R_END_TTL, SFC_R_END_EGRESS_NO_XDP, SFC_R_END_FIB_ERROR,
	SFC_R_END_CSUM_PARTIAL, SFC_R_END_LOCAL_SENT, SFC_R_END_NOT_ESTABLISHED,
	SFC_R_END_CT_NAT, SFC_R_END_NO_CT,
};

static __u64 end_reason_total(void)
{
	__u64 n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(end_reasons); i++)
		n += reason_count(end_reasons[i]);
	return n;
}

static struct pkt_spec flow(int net, int host)
{
	static char dst[64][32];
	static int n;
	char *d = dst[n++ % 64];

	snprintf(d, sizeof(dst[0]), "198.18.%d.%d", net, host);
	return TCP4("198.18.0.1", 41000 + host, d, 5201);
}

/* The packet p as SF a sends it back: addressed to the fabric's sfa. */
static void as_returned(struct pkt *p)
{
	__u8 to[6];

	unit_if_mac(IF_SFA, to);
	memcpy(p->d, to, 6);
	memcpy(p->d + 6, MAC_SF_A, 6);
}

/* Send p through SF a and back; r is the run of the returned packet. */
static void through_a(struct pkt *p, struct run *r)
{
	struct pkt back;

	ASSERT_OK(xdp_run(IN0, p, r), "bpf_prog_test_run(sfc_xdp) at the ingress");
	ASSERT_XDP(r->ret, XDP_REDIRECT);
	back = *p;
	as_returned(&back);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &back, r), "bpf_prog_test_run(sfc_xdp) on return");
}

static void expect_stack_end(const struct run *r, __u16 action)
{
	struct sfc_meta m;

	ASSERT_XDP(r->ret, XDP_PASS);
	ASSERT_EQ(r->meta_len, sizeof(m), "metadata bytes");
	memcpy(&m, r->out, sizeof(m));
	ASSERT_EQ(m.magic, SFC_META_MAGIC, "meta magic");
	ASSERT_EQ(m.action, action, "meta action");
	ASSERT_EQ(m.ifindex, IN0, "meta ifindex (the ingress point)");
}

/* checks that a VLAN-tagged packet at an xdp end is handed to the stack end and counts end-xdp-vlan-tagged */
static void test_end_xdp_vlan_tagged_takes_the_stack_end(void)
{
	struct pkt_spec s = flow(1, 1);
	__u64 v0 = reason_count(SFC_R_END_VLAN);
	struct pkt p;
	struct run r;

	s.vlan = 42;
	flow_del(&s);
	pkt_build(&p, &s);
	through_a(&p, &r);
	expect_stack_end(&r, SFC_META_TO_INGRESS);
	ASSERT_EQ(reason_count(SFC_R_END_VLAN) - v0, 1, "reason end-xdp-vlan-tagged");
	ASSERT_MEM_EQ(r.frame, p.d, p.len, "the packet as received, tag and MACs");
}

/* checks that a TCP packet with its checksum left for offload is handed to the stack end and counts end-xdp-checksum-offload */
static void test_end_xdp_checksum_offload_takes_the_stack_end(void)
{
	struct pkt_spec s = flow(1, 2);
	__u64 c0 = reason_count(SFC_R_END_CSUM_PARTIAL);
	struct pkt p, back;
	struct run r;
	__u32 sum = 0;

	s.payload = 64;
	flow_del(&s);
	pkt_build(&p, &s);
	/* the folded pseudo-header sum, as a local stack leaves it */
	for (__u32 i = p.l3 + 12; i < p.l3 + 20; i += 2)
		sum += (p.d[i] << 8) | p.d[i + 1];
	sum += IPPROTO_TCP + (p.len - p.l4);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp) at the ingress");
	back = p;
	back.d[p.l4 + 16] = sum >> 8;
	back.d[p.l4 + 17] = sum & 0xff;
	as_returned(&back);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &back, &r), "bpf_prog_test_run(sfc_xdp) on return");
	expect_stack_end(&r, SFC_META_TO_INGRESS);
	ASSERT_EQ(reason_count(SFC_R_END_CSUM_PARTIAL) - c0, 1, "reason end-xdp-checksum-offload");
}

/* checks that a locally sent flow keeps the stack end under end auto and counts end-xdp-locally-sent */
static void test_end_auto_locally_sent_flow_takes_the_stack_end(void)
{
	struct pkt_spec s = flow(2, 3);
	__u64 l0 = reason_count(SFC_R_END_LOCAL_SENT), n0 = reason_count(SFC_R_END_NO_CT);
	struct pkt p, back;
	struct run r;

	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(tc_run(dp->tc_egress_fd, IN0, 0, p.d, p.len, &r),
		  "bpf_prog_test_run(sfc_tc_egress)");
	ASSERT_TC(r.ret, TC_ACT_REDIRECT);
	back = p;
	as_returned(&back);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &back, &r), "bpf_prog_test_run(sfc_xdp) on return");
	expect_stack_end(&r, SFC_META_TO_EGRESS);
	ASSERT_EQ(reason_count(SFC_R_END_LOCAL_SENT) - l0, 1, "reason end-xdp-locally-sent");
	ASSERT_EQ(reason_count(SFC_R_END_NO_CT) - n0, 0, "no conntrack stage for it");
}

/* checks that a chain with end stack ends on the stack without counting any end reason */
static void test_end_stack_counts_no_end_reason(void)
{
	struct pkt_spec s = flow(3, 4);
	__u64 e0 = end_reason_total();
	struct pkt p;
	struct run r;

	s.vlan = 42;
	flow_del(&s);
	pkt_build(&p, &s);
	through_a(&p, &r);
	expect_stack_end(&r, SFC_META_TO_INGRESS);
	ASSERT_EQ(end_reason_total() - e0, 0, "end reasons counted");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_end_xdp_vlan_tagged_takes_the_stack_end),
		UNIT_TEST(test_end_xdp_checksum_offload_takes_the_stack_end),
		UNIT_TEST(test_end_auto_locally_sent_flow_takes_the_stack_end),
		UNIT_TEST(test_end_stack_counts_no_end_reason),
	};

	return unit_main_with_doc(DOC, tests, ARRAY_SIZE(tests), argc, argv);
}
