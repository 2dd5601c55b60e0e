// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chain versions (user/lib/path_pool.c and the datapath): a cached flow
 * keeps the version of its chain it was classified on across edits of the
 * chain and across a rule change that classifies it into the same chain,
 * takes the chain's policy changes, moves with migrate, and the collector
 * frees a retired version once its flows have ended; a removed chain's id
 * waits for its flows.
 */
#include "unit.h"
#include "apply_plan.h"
#include "path_pool.h"

#define IN0 ifx[IF_IN0]
#define H4 "198.18.0.1"

#include "unit_xy.h"

static const char *const DOC_TO_X = DOC_TO_X_TEXT;
static const char *const DOC_X_VIA_E =
	DOC_XY("[{'pref':10,'dst':'198.18.80.0/24','chain':'x'}]", "['e']");
static const char *const DOC_ONLY_Y = DOC_ONLY_Y_TEXT;

/* The version a flow's cache entry names, 0 without one. */
static __u32 flow_path(const struct pkt_spec *s)
{
	struct sfc_flow f;

	return flow_get(s, &f) || !(f.flags & SFC_FLOW_CHAINED) ? 0 : f.path_id;
}

static __u32 path_hops(__u32 path_id)
{
	struct sfc_path path = {};

	bpf_map_lookup_elem(dp->maps.paths, &path_id, &path);
	return path.nhops;
}

/* checks that a cached flow keeps the version of its chain it was
 * classified on when the chain's hops are edited (rules unchanged), that
 * a new flow takes the new version, and that migrate moves the old flow
 * to the new version */
static void test_cached_flow_keeps_its_version_across_chain_edit(void)
{
	struct pkt_spec s = TCP4(H4, 5, "198.18.80.5", 5);
	struct pkt_spec n = TCP4(H4, 15, "198.18.80.15", 15);
	__u32 v1;

	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	flow_del(&n);
	SEND_EXPECT(&s, "x", MAC_SF_A, "before the edit");
	v1 = flow_path(&s);
	APPLY_OK(DOC_X_VIA_E);
	ASSERT_EQ(unit_rep.rules_installed, 0, "rules installed by a chain edit");
	ASSERT_EQ(unit_rep.chains_switched, 1, "chains switched");
	SEND_EXPECT(&s, "x", MAC_SF_A, "old flow after x was edited to go through e");
	ASSERT_EQ(flow_path(&s), v1, "old flow's version after the edit");
	SEND_EXPECT(&n, "x", MAC_SF_E, "new flow after the edit");
	ASSERT_NE(flow_path(&n), v1, "new flow's version after the edit");
	ASSERT_EQ(path_hops(v1), 1, "hops of the old version, retired");
	ASSERT_GE(sfc_path_migrate(dp, chain_id("x")), 1, "entries migrate removed");
	SEND_EXPECT(&s, "x", MAC_SF_E, "old flow after migrate");
	ASSERT_EQ(flow_path(&s), flow_path(&n), "old flow's version after migrate");
	APPLY_OK(DOC_TO_X);
	SEND_EXPECT(&s, "x", MAC_SF_E, "after x went back to a: the flow keeps e");
}

/* checks that a rule change that classifies a flow again into the same
 * chain keeps the flow's version */
static void test_flow_classified_again_into_its_chain_keeps_its_version(void)
{
	static const char *const doc_two_rules =
		DOC_XY("[{'pref':10,'dst':'198.18.80.0/24','chain':'x'},"
		       " {'pref':20,'dst':'198.18.99.0/24','chain':'y'}]", "['e']");
	struct pkt_spec s = TCP4(H4, 16, "198.18.80.16", 16);
	__u32 gen, v1;

	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "before the edits");
	v1 = flow_path(&s);
	APPLY_OK(DOC_X_VIA_E);
	gen = config_generation();
	APPLY_OK(doc_two_rules);
	ASSERT_NE(config_generation(), gen, "generation after the rule change");
	SEND_EXPECT(&s, "x", MAC_SF_A, "after the rule change: still the first version");
	ASSERT_EQ(flow_path(&s), v1, "version after the rule change");
}

/* checks that a chain's on-failure, changed with its hops, reaches the
 * version a flow kept: the policy is the chain's, not a version's */
static void test_on_failure_change_reaches_kept_versions(void)
{
	static const char *const doc_bypass =
		"{'ingress':[{'dev':'in0'},{'dev':'in1'}],"
		" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
		"        {'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'}],"
		" 'chains':[{'name':'x','spi':10,'hops':['e'],'on-failure':'bypass'},"
		"           {'name':'y','spi':20,'hops':['e']}],"
		" 'rules':[{'pref':10,'dst':'198.18.80.0/24','chain':'x'}]}";
	struct pkt_spec s = TCP4(H4, 19, "198.18.80.19", 19);
	struct sfc_path path = {};
	__u32 v1;

	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "before the edit");
	v1 = flow_path(&s);
	APPLY_OK(doc_bypass);
	SEND_EXPECT(&s, "x", MAC_SF_A, "after the edit: its version");
	bpf_map_lookup_elem(dp->maps.paths, &v1, &path);
	ASSERT_EQ(path.on_failure, SFC_FAIL_BYPASS, "on-failure of the kept version");
}

/* How many sfc_sf_pos keys name version path_id (-1: unreadable). */
static long path_positions(__u32 path_id)
{
	struct pos_index ix = {};
	size_t n = 0;

	if (pos_index_read(&dp->maps, &ix))
		return -1;
	pos_index_path(&ix, path_id, &n);
	free(ix.k);
	return (long)n;
}

/* Steps of the collector at now_ms until its pass is over. */
static void gc_pass(__u64 now_ms)
{
	for (int i = 0; i < 100 && sfc_path_gc_step(dp, now_ms, 1u << 20) == 0; i++)
		;
}

/* checks that the collector keeps a retired version while a flow uses
 * it (the flow's packets clear the idle mark), and frees it, with the
 * entry, once the flow has been idle for the flow idle time (here one
 * interval, sfcd --flow-idle 2); the flow's next packet then takes the
 * current version */
static void test_collector_frees_a_version_once_its_flow_ends(void)
{
	struct pkt_spec s = TCP4(H4, 17, "198.18.80.17", 17);
	const struct sfc_path_gc_stats *st = sfc_path_gc_stats(dp);
	__u64 t = sfc_now_ms() + 10 * SFC_PATH_GRACE_MS, aged, ended, freed;
	struct sfc_flow f = {};
	__u32 v1;

	dp->flow_idle_ms = SFC_PATH_GC_EVERY_MS; /* sfcd --flow-idle 2 */
	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "before the edit");
	v1 = flow_path(&s);
	APPLY_OK(DOC_X_VIA_E);
	aged = st->flows_aged;
	ended = st->flows_ended;
	freed = st->versions_freed;

	/* entries other tests left on retired versions are aged alike: the
	 * counts are at least this flow's */
	gc_pass(t);
	ASSERT_GE(st->flows_aged - aged, 1, "entries marked idle by the first pass");
	ASSERT_OK(flow_get(&s, &f), "entry after the first pass");
	ASSERT_EQ(!!(f.flags & SFC_FLOW_IDLE), 1, "idle mark after the first pass");
	ASSERT_EQ(path_hops(v1), 1, "old version after the first pass");
	ASSERT_GE(path_positions(v1), 1, "position keys of the old version after the first pass");
	SEND_EXPECT(&s, "x", MAC_SF_A, "a packet between two passes");
	ASSERT_OK(flow_get(&s, &f), "entry after the packet");
	ASSERT_EQ(!!(f.flags & SFC_FLOW_IDLE), 0, "idle mark after the packet");

	t += 2 * SFC_PATH_GC_EVERY_MS;
	gc_pass(t);
	ASSERT_EQ(flow_path(&s), v1, "entry after the second pass: the flow had a packet");
	ASSERT_EQ(path_hops(v1), 1, "old version after the second pass");

	t += 2 * SFC_PATH_GC_EVERY_MS;
	gc_pass(t);
	ASSERT_EQ(flow_path(&s), 0, "entry after the third pass: a whole interval idle");
	ASSERT_GE(st->flows_ended - ended, 1, "entries removed");
	ASSERT_GE(st->versions_freed - freed, 1, "versions freed");
	ASSERT_EQ(path_hops(v1), 0, "old version after the third pass");
	ASSERT_EQ(path_positions(v1), 0, "position keys of the old version after the third pass");
	SEND_EXPECT(&s, "x", MAC_SF_E, "the flow's next packet");
	dp->flow_idle_ms = 0;
}

/* checks that, with the default flow idle time (30 s), a flow of a
 * retired version idle for 20 s keeps its version (and SF), and one idle
 * for 32 s has ended */
static void test_quiet_flow_keeps_its_version_for_the_idle_time(void)
{
	struct pkt_spec s = TCP4(H4, 19, "198.18.80.19", 19);
	__u64 t = sfc_now_ms() + 100 * SFC_PATH_GRACE_MS;
	__u32 v1;
	int passes = 0;

	dp->flow_idle_ms = 0;
	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "before the edit");
	v1 = flow_path(&s);
	APPLY_OK(DOC_X_VIA_E);
	/* the first pass marks the entry; each later one is an interval idle */
	for (; passes <= 10; passes++, t += SFC_PATH_GC_EVERY_MS + 1)
		gc_pass(t);
	ASSERT_EQ(flow_path(&s), v1, "entry after 20 s idle: its version kept");
	ASSERT_EQ(path_hops(v1), 1, "old version after 20 s idle");
	for (; passes <= 16; passes++, t += SFC_PATH_GC_EVERY_MS + 1)
		gc_pass(t);
	ASSERT_EQ(flow_path(&s), 0, "entry after 32 s idle: ended");
	ASSERT_EQ(path_hops(v1), 0, "old version freed");
	SEND_EXPECT(&s, "x", MAC_SF_E, "the flow's next packet: the current version");
}

/* checks that the id of a removed chain is not given to a new chain while
 * a flow still uses a version of the old one */
static void test_removed_chain_id_waits_for_its_flows(void)
{
	static const char *const doc_z =
		"{'ingress':[{'dev':'in0'}],"
		" 'sfs':[{'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'}],"
		" 'chains':[{'name':'z','spi':30,'hops':['e']}],"
		" 'rules':[{'pref':10,'dst':'198.18.80.0/24','chain':'z'}]}";
	struct pkt_spec s = TCP4(H4, 18, "198.18.80.18", 18);
	__u32 x;

	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "on x");
	x = chain_id("x");
	APPLY_OK(DOC_ONLY_Y);
	APPLY_OK(doc_z);
	ASSERT_NE(chain_id("z"), x, "id of z while x's version has a flow");
	SEND_EXPECT(&s, "z", MAC_SF_E, "the flow, classified again");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_cached_flow_keeps_its_version_across_chain_edit),
		UNIT_TEST(test_flow_classified_again_into_its_chain_keeps_its_version),
		UNIT_TEST(test_on_failure_change_reaches_kept_versions),
		UNIT_TEST(test_collector_frees_a_version_once_its_flow_ends),
		UNIT_TEST(test_quiet_flow_keeps_its_version_for_the_idle_time),
		UNIT_TEST(test_removed_chain_id_waits_for_its_flows),
	};

	unit_env_init();
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
