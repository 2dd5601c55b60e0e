// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The datapath after the control plane changes it: a cached flow must
 * follow edited rules (re-apply a changed document, send the same packet
 * again; chain edits and path versions: unit_versions.c), a document that fails validation changes nothing,
 * and 10,000 rules load and classify by pref wherever they are listed.
 */
#include "unit.h"
#include "link_update.h"

#define IN0 ifx[IF_IN0]
#define H4 "198.18.0.1"

#include "unit_xy.h"

static const char *const DOC_TO_X = DOC_TO_X_TEXT;
static const char *const DOC_TO_Y =
	DOC_XY("[{'pref':10,'dst':'198.18.80.0/24','chain':'y'}]", "['a']");
static const char *const DOC_NO_RULES = DOC_XY("[]", "['a']");
static const char *const DOC_X_BEST =
	DOC_XY("[{'pref':10,'dst':'198.18.80.0/24','chain':'x'},"
	       " {'pref':20,'proto':'tcp','chain':'y'}]", "['a']");
static const char *const DOC_Y_BEST =
	DOC_XY("[{'pref':30,'dst':'198.18.80.0/24','chain':'x'},"
	       " {'pref':20,'proto':'tcp','chain':'y'}]", "['a']");
static const char *const DOC_ONLY_Y = DOC_ONLY_Y_TEXT;

/* --- cache behaviour after edits */

/* checks that a cached flow follows a rule edited to point at another chain */
static void test_cached_flow_follows_edited_rule(void)
{
	struct pkt_spec s = TCP4(H4, 1, "198.18.80.1", 1);
	__u64 ta, te;

	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "before the edit");
	SEND_EXPECT(&s, "x", MAC_SF_A, "from the cache");
	ta = sf_tx("a");
	te = sf_tx("e");
	APPLY_OK(DOC_TO_Y);
	SEND_EXPECT(&s, "y", MAC_SF_E, "after the edit");
	ASSERT_EQ(sf_tx("a") - ta, 0, "SF a tx packets after the edit");
	ASSERT_EQ(sf_tx("e") - te, 1, "SF e tx packets after the edit");
}

/* checks that a cached chained flow is no longer chained once its rule is removed */
static void test_cached_flow_unchained_when_rule_removed(void)
{
	struct pkt_spec s = TCP4(H4, 2, "198.18.80.2", 2);
	__u64 c0;

	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "before the edit");
	APPLY_OK(DOC_NO_RULES);
	c0 = all_chain_packets();
	SEND_EXPECT(&s, NOT_CHAINED, NULL, "after removing the rule");
	ASSERT_EQ(all_chain_packets() - c0, 0, "chained packets");
}

/* checks that a flow cached as unmatched is chained once a rule for it is added */
static void test_cached_miss_follows_added_rule(void)
{
	struct pkt_spec s = TCP4(H4, 3, "198.18.80.3", 3);

	APPLY_OK(DOC_NO_RULES);
	flow_del(&s);
	SEND_EXPECT(&s, NOT_CHAINED, NULL, "before the edit");
	APPLY_OK(DOC_TO_X);
	SEND_EXPECT(&s, "x", MAC_SF_A, "after adding the rule");
}

/* checks that a cached flow follows a pref change that makes another matching rule win */
static void test_cached_flow_follows_pref_swap(void)
{
	struct pkt_spec s = TCP4(H4, 4, "198.18.80.4", 4);

	APPLY_OK(DOC_X_BEST);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "with x's rule best");
	APPLY_OK(DOC_Y_BEST);
	SEND_EXPECT(&s, "y", MAC_SF_E, "with y's rule best");
	APPLY_OK(DOC_X_BEST);
	SEND_EXPECT(&s, "x", MAC_SF_A, "with x's rule best again");
}

/* checks that a cached flow of a chain removed from the document is no longer chained */
static void test_cached_flow_of_removed_chain_is_unchained(void)
{
	struct pkt_spec s = TCP4(H4, 6, "198.18.80.6", 6);

	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "before the edit");
	APPLY_OK(DOC_ONLY_Y);
	ASSERT_EQ(chain_id("x"), 0, "chain x in the maps");
	SEND_EXPECT(&s, NOT_CHAINED, NULL, "after x was removed");
}

/* checks that a cached flow meets on-failure drop once its SF went down and the document was applied again */
static void test_cached_flow_follows_sf_going_down(void)
{
	struct pkt_spec s = TCP4(H4, 7, "198.18.80.7", 7);
	__u64 r0;
	struct run r;
	int down;

	APPLY_OK(DOC_TO_Y);
	flow_del(&s);
	SEND_EXPECT(&s, "y", MAC_SF_E, "with e up");
	down = system("ip link set sfep down");
	{
		int err = unit_apply(DOC_TO_Y);

		r0 = reason_count(SFC_R_HOP_DOWN);
		XDP_RUN(IN0, &s, &r);
		system("ip link set sfep up");
		ASSERT_OK(down, "ip link set sfep down");
		ASSERT_OK(err, "apply with e down");
	}
	ASSERT_EQ(unit_rep.sfs_down, 1, "SFs down");
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_HOP_DOWN) - r0, 1, "reason hop-down-drop count");
	APPLY_OK(DOC_TO_Y);
	SEND_EXPECT(&s, "y", MAC_SF_E, "with e up again");
}

/* checks that a link event applied incrementally (sfc_link_update: the
 * SF's entry alone, no whole apply, no chain version) moves a cached flow
 * to the hop-down verdict and back, and that a repeated event rewrites
 * nothing */
static void test_link_update_alone_moves_its_flows(void)
{
	struct pkt_spec s = TCP4(H4, 9, "198.18.80.9", 9);
	struct sfc_link_result res;
	struct sfc_link_index *ix;
	struct sfc_doc doc = {};
	__u32 *sf_ids, *chain_ids;
	int down, err;
	__u64 r0;
	struct run r;

	APPLY_OK(DOC_TO_Y);
	flow_del(&s);
	SEND_EXPECT(&s, "y", MAC_SF_E, "with e up");
	ASSERT_OK(unit_parse(DOC_TO_Y, &doc), "parse");
	sf_ids = calloc(doc.nsfs + 1, sizeof(*sf_ids));
	chain_ids = calloc(doc.nchains + 1, sizeof(*chain_ids));
	for (int i = 0; sf_ids && i < doc.nsfs; i++)
		sf_ids[i] = sf_id(doc.sfs[i].name);
	for (int i = 0; chain_ids && i < doc.nchains; i++)
		chain_ids[i] = chain_id(doc.chains[i].name);
	ix = sfc_link_index_new(&doc, sf_ids, chain_ids);
	ASSERT_EQ(!!ix, 1, "link index");
	if (!ix) {
		sfc_doc_free(&doc);
		return;
	}

	down = system("ip link set sfep down");
	err = sfc_link_update(dp, &doc, ix, "sfe", 0, &res);
	r0 = reason_count(SFC_R_HOP_DOWN);
	XDP_RUN(IN0, &s, &r);
	system("ip link set sfep up");
	ASSERT_OK(down, "ip link set sfep down");
	ASSERT_OK(err, "link update with e down");
	ASSERT_EQ(res.sfs_rewritten, 1, "SFs rewritten with e down");
	ASSERT_EQ(res.chains_switched, 0, "chains switched with e down");
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(reason_count(SFC_R_HOP_DOWN) - r0, 1, "reason hop-down-drop count");

	ASSERT_OK(sfc_link_update(dp, &doc, ix, "sfe", 0, &res), "link update with e up");
	ASSERT_EQ(res.chains_switched, 0, "chains switched with e up");
	SEND_EXPECT(&s, "y", MAC_SF_E, "with e up again");
	ASSERT_OK(sfc_link_update(dp, &doc, ix, "sfe", 0, &res), "link update, nothing changed");
	ASSERT_EQ(res.sfs_rewritten, 0, "SFs rewritten when nothing changed");
	ASSERT_EQ(res.chains_switched, 0, "chains switched when nothing changed");
	sfc_link_index_free(ix);
	sfc_doc_free(&doc);
}

/* checks that applying the same document again changes nothing and keeps the flow cache valid */
static void test_reapplying_same_document_keeps_cached_flows(void)
{
	struct pkt_spec s = TCP4(H4, 8, "198.18.80.8", 8);
	struct sfc_flow f0, f1;
	__u32 gen;

	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "first");
	ASSERT_OK(flow_get(&s, &f0), "flow cache entry");
	gen = config_generation();
	APPLY_OK(DOC_TO_X);
	ASSERT_EQ(unit_rep.rules_installed, 0, "rules installed");
	ASSERT_EQ(unit_rep.chains_switched, 0, "chains switched");
	ASSERT_EQ(config_generation(), gen, "generation");
	ASSERT_OK(flow_get(&s, &f1), "flow cache entry after re-apply");
	ASSERT_EQ(f1.generation, f0.generation, "flow generation");
	ASSERT_EQ(f1.path_id, f0.path_id, "flow path");
	SEND_EXPECT(&s, "x", MAC_SF_A, "after re-apply");
}

/* --- documents that fail validation */

/* What a failed apply must leave as it was. */
struct dp_state {
	struct sfc_config cfg;
	struct sfc_chain *chains;
	struct sfc_sf *sfs;
	struct sfc_path *paths;
	struct sfc_tuple *tuples;
	long nifaces, nrules, nhops, npos;
	__u32 ifaces_sum;
};

static long hash_count(int fd)
{
	char k[64], next[64];
	void *prev = NULL;
	long n = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		n++;
		memcpy(k, next, sizeof(k));
		prev = k;
	}
	return n;
}

static void state_read(struct dp_state *st)
{
	__u32 zero = 0, k, next, *prev = NULL;

	memset(st, 0, sizeof(*st));
	bpf_map_lookup_elem(dp->maps.config, &zero, &st->cfg);
	st->chains = sfc_map_read_array(dp->maps.chains, SFC_MAX_CHAINS, sizeof(struct sfc_chain));
	st->sfs = sfc_map_read_array(dp->maps.sfs, SFC_MAX_SFS, sizeof(struct sfc_sf));
	st->paths = sfc_map_read_array(dp->maps.paths, SFC_MAX_PATHS, sizeof(struct sfc_path));
	st->tuples = sfc_map_read_array(dp->maps.tuples, 2 * SFC_MAX_TUPLES,
					sizeof(struct sfc_tuple));
	while (!bpf_map_get_next_key(dp->maps.ifaces, prev, &next)) {
		struct sfc_iface v = {};

		bpf_map_lookup_elem(dp->maps.ifaces, &next, &v);
		st->nifaces++;
		st->ifaces_sum += next * 31 + v.flags * 7 + v.sf_id;
		k = next;
		prev = &k;
	}
	st->nrules = hash_count(dp->maps.rules);
	st->nhops = hash_count(dp->maps.hops);
	st->npos = hash_count(dp->maps.sf_pos);
}

static void state_free(struct dp_state *st)
{
	free(st->chains);
	free(st->sfs);
	free(st->paths);
	free(st->tuples);
}

/* The maps hold what they held before; fails the test otherwise. */
static void expect_state_unchanged(struct dp_state *before)
{
	struct dp_state now;
	bool same_chains, same_sfs, same_paths, same_tuples;

	state_read(&now);
	same_chains = now.chains && before->chains &&
		!memcmp(now.chains, before->chains, SFC_MAX_CHAINS * sizeof(struct sfc_chain));
	same_sfs = now.sfs && before->sfs &&
		!memcmp(now.sfs, before->sfs, SFC_MAX_SFS * sizeof(struct sfc_sf));
	same_paths = now.paths && before->paths &&
		!memcmp(now.paths, before->paths, SFC_MAX_PATHS * sizeof(struct sfc_path));
	same_tuples = now.tuples && before->tuples &&
		!memcmp(now.tuples, before->tuples, 2 * SFC_MAX_TUPLES * sizeof(struct sfc_tuple));
	state_free(&now);
	ASSERT_EQ(now.cfg.generation, before->cfg.generation, "generation");
	ASSERT_EQ(now.cfg.tuple_base, before->cfg.tuple_base, "tuple bank");
	ASSERT_EQ(now.cfg.rules_hash, before->cfg.rules_hash, "rules digest");
	ASSERT_TRUE(same_chains, "sfc_chains unchanged");
	ASSERT_TRUE(same_sfs, "sfc_sfs unchanged");
	ASSERT_TRUE(same_paths, "sfc_paths unchanged");
	ASSERT_TRUE(same_tuples, "sfc_tuples unchanged");
	ASSERT_EQ(now.nrules, before->nrules, "sfc_rules entries");
	ASSERT_EQ(now.nhops, before->nhops, "sfc_hops entries");
	ASSERT_EQ(now.npos, before->npos, "sfc_sf_pos entries");
	ASSERT_EQ(now.nifaces, before->nifaces, "sfc_ifaces entries");
	ASSERT_EQ(now.ifaces_sum, before->ifaces_sum, "sfc_ifaces contents");
}

/* Apply a document that must be refused, then check nothing changed and
 * the cached flow of DOC_TO_X still goes to x. */
static void expect_refused(const char *doc, const char *err_part)
{
	struct pkt_spec s = TCP4(H4, 9, "198.18.80.9", 9);
	struct dp_state before;
	int err;

	APPLY_OK(DOC_TO_X);
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "before");
	state_read(&before);
	err = unit_apply(doc);
	expect_state_unchanged(&before);
	state_free(&before);
	if (unit_failed)
		return;
	ASSERT_TRUE(err < 0, "apply of an invalid document fails");
	if (!strstr(unit_err, err_part))
		FAIL("error message: expected to contain \"%s\", got \"%s\"", err_part, unit_err);
	SEND_EXPECT(&s, "x", MAC_SF_A, "after the refused document");
}

/* checks that a document giving two SFs one return interface is refused and changes nothing */
static void test_doc_with_shared_return_interface_changes_nothing(void)
{
	expect_refused(
		"{'ingress':[{'dev':'in0'},{'dev':'in1'}],"
		" 'sfs':[{'name':'a','dev':'sfa'},"
		"        {'name':'z','dev':'sfc','out-dev':'sfa'}],"
		" 'chains':[{'name':'x','spi':10,'hops':['z']},"
		"           {'name':'w','spi':30,'hops':['a']}],"
		" 'rules':[{'pref':10,'dst':'198.18.80.0/24','chain':'w'}]}",
		"already returns packets");
}

/* checks that a document with more rule shapes than the classifier has tuples is refused and changes nothing */
static void test_doc_with_too_many_rule_shapes_changes_nothing(void)
{
	char *doc = malloc(16384), *o;
	int n;

	if (!doc)
		FAIL("malloc failed");
	o = doc + sprintf(doc,
		"{'ingress':[{'dev':'in0'}],"
		" 'sfs':[{'name':'a','dev':'sfa'}],"
		" 'chains':[{'name':'x','spi':10,'hops':['a']}],"
		" 'rules':[");
	/* 2001:db8::/32 .. /96: 65 prefix lengths, 65 shapes */
	for (n = 0; n <= 64; n++)
		o += sprintf(o, "%s{'pref':%d,'dst':'2001:db8::/%d','chain':'x'}",
			     n ? "," : "", 100 + n, 32 + n);
	sprintf(o, "]}");
	expect_refused(doc, "distinct rule shapes");
	free(doc);
}

/* checks that a document the parser rejects leaves the output document untouched */
static void test_doc_failing_json_validation_is_not_returned(void)
{
	static const char *const bad[] = {
		"{'rules':[{'pref':1,'chain':'nosuch'}]}",
		"{'chains':[{'name':'x','spi':1,'hops':['nosuch']}]}",
		"{'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:00'}]}",
		"{'ingress':[{'dev':'in0'}],'colour':'blue'}",
		"{'sfs':[{'name':'a','dev':'sfa'}],'chains':[{'name':'x','spi':1,'hops':['a']}],"
		" 'rules':[{'pref':1,'dst':'198.18.1.1/24','chain':'x'}]}",
		"{'sfs':[{'name':'a','dev':'sfa'}],'chains':[{'name':'x','spi':1,'hops':['a']}],"
		" 'rules':[{'pref':1,'proto':'icmp','dport':80,'chain':'x'}]}",
	};
	/* the error names the object */
	static const char *const culprit[] = {
		"rule pref 1: chain: ", "chain \"x\": hop 1: ", "SF \"a\": mac: ",
		"document: unknown key \"colour\"", "rule pref 1: dst: ", "rule pref 1: dport: ",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct sfc_doc doc, sentinel;
		char label[64];
		int err;

		memset(&doc, 0x5a, sizeof(doc));
		sentinel = doc;
		err = unit_parse(bad[i], &doc);
		snprintf(label, sizeof(label), "parse of bad document %zu fails", i);
		ASSERT_TRUE(err < 0, label);
		snprintf(label, sizeof(label), "bad document %zu: output untouched", i);
		ASSERT_TRUE(!memcmp(&doc, &sentinel, sizeof(doc)), label);
		snprintf(label, sizeof(label), "bad document %zu: error text", i);
		ASSERT_STREQ(strncmp(unit_err, culprit[i], strlen(culprit[i])) ? unit_err : culprit[i],
			     culprit[i], label);
	}
}

/* checks that a rule naming an interface that does not exist is skipped and the others still apply */
static void test_rule_with_missing_in_dev_is_skipped(void)
{
	struct pkt_spec s = TCP4(H4, 10, "198.18.80.10", 10);

	APPLY_OK(DOC_XY("[{'pref':5,'in-dev':'nosuch0','dst':'198.18.80.0/24','chain':'y'},"
			" {'pref':10,'dst':'198.18.80.0/24','chain':'x'}]", "['a']"));
	ASSERT_EQ(unit_rep.rules_skipped, 1, "rules skipped");
	flow_del(&s);
	SEND_EXPECT(&s, "x", MAC_SF_A, "with the in-dev rule skipped");
}

/* --- scale */

/* checks that 10,000 rules load and classify, a rule listed near the end winning wherever its pref is best */
static void test_10000_rules_best_pref_wins_wherever_listed(void)
{
	const int nbulk = 9996;
	size_t cap = 1u << 21;
	char *doc = malloc(cap), *o;
	struct { int i; const char *chain; } probe[] = {
		{ 0, "bulk" }, { 8, "bulk" }, { 7, "late" }, { 5000, "bulk" },
		{ 9995, "bulk" }, { 1207, "late" }, { 33, "last" },
	};
	int err;

	if (!doc)
		FAIL("malloc failed");
	o = doc + sprintf(doc,
		"{'ingress':[{'dev':'in0'}],"
		" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'}],"
		" 'chains':[{'name':'bulk','spi':1,'hops':['a']},"
		"           {'name':'late','spi':2,'hops':['a']},"
		"           {'name':'last','spi':3,'hops':['a']},"
		"           {'name':'never','spi':4,'hops':['a']}],"
		" 'rules':[");
	/* bulk rule i: udp from 198.18.<i/250>.<i%250+1> to port 10000+i%50 */
	for (int i = 0; i < nbulk; i++)
		o += sprintf(o, "%s{'pref':%d,'src':'198.18.%d.%d/32','proto':'udp',"
			     "'dport':%d,'chain':'bulk'}", i ? "," : "", 1000 + i,
			     i / 250, i % 250 + 1, 10000 + i % 50);
	/* near the end, the best pref: udp to port 10007 from 198.18.0.0/16 */
	o += sprintf(o, ",{'pref':1,'src':'198.18.0.0/16','proto':'udp','dport':10007,"
		     "'chain':'late'}");
	/* near the end, a worse pref than every bulk rule it overlaps */
	o += sprintf(o, ",{'pref':900000,'src':'198.18.0.0/16','proto':'udp','chain':'never'}");
	/* last, better than the one bulk rule it overlaps (i = 33) */
	o += sprintf(o, ",{'pref':999,'src':'198.18.0.34/32','proto':'udp','dport':10033,"
		     "'chain':'last'}");
	o += sprintf(o, ",{'pref':999999,'dst':'198.19.128.0/17','chain':'never'}]}");
	err = unit_apply(doc);
	free(doc);
	if (err)
		FAIL("apply: expected 0, got %d (%s: %s)", err, strerror(-err), unit_err);
	/* 10,000 rules; "last" has the same key as bulk rule 33: one entry,
	 * holding the better pref */
	ASSERT_EQ(unit_rep.rule_entries, 9999, "classifier entries");

	for (size_t k = 0; k < ARRAY_SIZE(probe); k++) {
		int i = probe[k].i;
		char src[32];

		snprintf(src, sizeof(src), "198.18.%d.%d", i / 250, i % 250 + 1);
		EXPECT_CHAIN(IN0, UDP4(src, 53000, "198.19.1.1", 10000 + i % 50), probe[k].chain);
	}
	/* a source no host rule has: only the broad rules */
	EXPECT_CHAIN(IN0, UDP4("198.18.250.1", 53000, "198.19.1.1", 10007), "late");
	EXPECT_CHAIN(IN0, UDP4("198.18.250.1", 53000, "198.19.1.1", 10008), "never");
	EXPECT_CHAIN(IN0, TCP4("198.18.250.1", 53000, "198.19.1.1", 10008), NOT_CHAINED);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_cached_flow_follows_edited_rule),
		UNIT_TEST(test_cached_flow_unchained_when_rule_removed),
		UNIT_TEST(test_cached_miss_follows_added_rule),
		UNIT_TEST(test_cached_flow_follows_pref_swap),
		UNIT_TEST(test_cached_flow_of_removed_chain_is_unchained),
		UNIT_TEST(test_cached_flow_follows_sf_going_down),
		UNIT_TEST(test_link_update_alone_moves_its_flows),
		UNIT_TEST(test_reapplying_same_document_keeps_cached_flows),
		UNIT_TEST(test_doc_with_shared_return_interface_changes_nothing),
		UNIT_TEST(test_doc_with_too_many_rule_shapes_changes_nothing),
		UNIT_TEST(test_doc_failing_json_validation_is_not_returned),
		UNIT_TEST(test_rule_with_missing_in_dev_is_skipped),
		UNIT_TEST(test_10000_rules_best_pref_wins_wherever_listed),
	};

	unit_env_init();
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
