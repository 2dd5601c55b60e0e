/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What unit_apply.c and unit_versions.c share: documents of chains x (to
 * SF a, or e) and y (to SF e), and one packet sent again and again on in0
 * with where it went checked. Include after unit.h, with IN0 defined.
 */
#ifndef SFC_UNIT_XY_H
#define SFC_UNIT_XY_H

/* Chains x (hops XHOPS) and y (to SF e); RULES is the rules array. */
#define DOC_XY(RULES, XHOPS)                                                   \
	"{'ingress':[{'dev':'in0'},{'dev':'in1'}],"                            \
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"          \
	"        {'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'}],"         \
	" 'chains':[{'name':'x','spi':10,'hops':" XHOPS "},"                   \
	"           {'name':'y','spi':20,'hops':['e']}],"                      \
	" 'rules':" RULES "}"

#define DOC_TO_X_TEXT DOC_XY("[{'pref':10,'dst':'198.18.80.0/24','chain':'x'}]", "['a']")
#define DOC_ONLY_Y_TEXT                                                        \
	"{'ingress':[{'dev':'in0'}],"                                          \
	" 'sfs':[{'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'}],"         \
	" 'chains':[{'name':'y','spi':20,'hops':['e']}],"                      \
	" 'rules':[{'pref':10,'dst':'198.18.81.0/24','chain':'y'}]}"

/* Send the packet (same bytes every time) on in0, expecting chain
 * (redirect to the SF with mac) or NOT_CHAINED (pass). */
static void send_expect(const struct pkt_spec *s, const char *chain, const __u8 *mac,
			const char *when)
{
	bool chained = strcmp(chain, NOT_CHAINED) != 0;
	char label[128];
	struct pkt p;
	struct run r;

	pkt_build(&p, s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	if (r.ret != (chained ? XDP_REDIRECT : XDP_PASS))
		FAIL("xdp verdict %s: expected %s, got %s", when,
		     unit_xdp_name(chained ? XDP_REDIRECT : XDP_PASS), unit_xdp_name(r.ret));
	snprintf(label, sizeof(label), "chain %s", when);
	ASSERT_STREQ(flow_chain(s), chain, label);
	if (mac) {
		snprintf(label, sizeof(label), "destination MAC %s", when);
		ASSERT_MEM_EQ(r.frame, mac, 6, label);
	}
}

#define SEND_EXPECT(s, chain, mac, when)                                       \
	do {                                                                   \
		send_expect((s), (chain), (mac), (when));                      \
		if (unit_failed)                                               \
			return;                                                \
	} while (0)

#endif
