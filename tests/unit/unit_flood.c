// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The state of chained flows against a flood of unchained ones: more new
 * flows that match no rule than the flow cache holds go through sfc_xdp
 * while a chained flow is mid-chain; the chained flow's packet coming back
 * from its first SF must still go on to the second. ("No rule matched" is
 * cached in sfc_flows_neg, its own LRU, so the flood evicts only its like.)
 */
#include <time.h>

#include "unit.h"

/* Under emulation (make vmtest's qemu without KVM) BPF_PROG_TEST_RUN is
 * a hundred times slower: the flood would take hours. Its rate is
 * measured first, and the test is reported skipped (never passed) where
 * it would take longer than this. */
#define FLOOD_MAX_S 120

static const char *const DOC =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
	"        {'name':'b','dev':'sfb','out-dev':'sfbr','mac':'02:00:00:00:5f:0b'}],"
	" 'chains':[{'name':'ab','spi':100,'hops':['a','b']}],"
	" 'rules':[{'pref':1,'dst':'198.18.1.0/24','chain':'ab'}]}";

/* n new unchained flows on in0, two packets each (the second hits the
 * cache, as the rest of a real flow would, and so counts as recently
 * used for the LRU): one frame, its TCP ports rewritten per flow. Returns
 * how many flows sfc_xdp passed both times. */
static long flood_from(long from, long n)
{
	struct pkt_spec s = TCP4("198.18.0.9", 1, "198.18.2.1", 1);
	struct pkt p;
	struct run r;
	long passed = 0;

	pkt_build(&p, &s);
	for (long i = from; i < from + n; i++) {
		put16(p.d + p.l4, (__u16)(i & 0xffff));
		put16(p.d + p.l4 + 2, (__u16)(1 + (i >> 16)));
		if (xdp_run(ifx[IF_IN0], &p, &r) || r.ret != XDP_PASS)
			continue;
		if (xdp_run(ifx[IF_IN0], &p, &r))
			return -1;
		passed += r.ret == XDP_PASS;
	}
	return passed;
}

static long flood(long n)
{
	return flood_from(0, n);
}

/* Seconds the whole flood would take here, from a sample of it. */
static double flood_projected_s(void)
{
	struct timespec a, b;
	long sample = 20000;

	clock_gettime(CLOCK_MONOTONIC, &a);
	flood_from(4 * SFC_FLOW_ENTRIES, sample);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9) *
	       (SFC_FLOW_ENTRIES * 1.5 / sample);
}

/* checks that a flood of new unchained flows, more than the flow cache holds, does not evict a flow that is mid-chain */
static void test_unchained_flood_keeps_mid_chain_flow(void)
{
	struct pkt_spec s = TCP4("198.18.0.1", 40000, "198.18.1.1", 5201);
	long n = SFC_FLOW_ENTRIES + SFC_FLOW_ENTRIES / 2, passed;
	__u64 miss0 = reason_count(SFC_R_PROXY_MISS);
	static __u8 to[6];
	struct pkt rp;
	struct run r;

	flow_del(&s);
	XDP_RUN(ifx[IF_IN0], &s, &r);
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_A, 6, "first hop: destination MAC (a)");
	passed = flood(n);
	ASSERT_EQ(passed, n, "flood frames passed unchained");
	ASSERT_STREQ(flow_chain(&s), "ab", "the chained flow's cache entry after the flood");
	/* back from a: on to b */
	unit_if_mac(IF_SFA, to);
	s.dmac = to;
	s.smac = MAC_SF_A;
	pkt_build(&rp, &s);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &rp, &r), "bpf_prog_test_run(sfc_xdp) on return");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_B, 6, "second hop: destination MAC (b)");
	ASSERT_EQ(reason_count(SFC_R_PROXY_MISS) - miss0, 0, "reason sf-return-unknown-flow count");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_unchained_flood_keeps_mid_chain_flow),
	};

	double s;

	unit_env_init();
	if (unit_apply(DOC))
		unit_setup_fail("apply: %s", unit_err);
	s = flood_projected_s();
	if (s > FLOOD_MAX_S) {
		printf("ok test_unchained_flood_keeps_mid_chain_flow # SKIP the flood would take "
		       "%.0f s here (limit %d s): BPF_PROG_TEST_RUN too slow (emulated CPU?)\n",
		       s, FLOOD_MAX_S);
		return 0;
	}
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
