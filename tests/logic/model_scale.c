// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The model at scale: validating and diffing a document of 100,000 rules
 * and 10,000 chains stays linear (hash look-ups by name and pref). No root. */
#include <time.h>

#include "model_util.h"

#define NRULES  100000
#define NCHAINS 10000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static json_t *big_doc(void)
{
	json_t *sfs = json_array(), *chains = json_array(), *rules = json_array();
	char name[32], dst[32];

	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "sf%d", i);
		json_array_append_new(sfs, json_pack("{s:s,s:s}", "name", name, "dev", name));
	}
	for (int i = 0; i < NCHAINS; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		json_array_append_new(chains, json_pack("{s:s,s:[s,s]}", "name", name, "hops",
							"sf1", i % 2 ? "sf2" : "sf3"));
	}
	for (int i = 0; i < NRULES; i++) {
		snprintf(name, sizeof(name), "c%d", i % NCHAINS);
		snprintf(dst, sizeof(dst), "198.19.%d.%d/32", i / 256 % 256, i % 256);
		json_array_append_new(rules, json_pack("{s:i,s:s,s:s,s:i,s:s}", "pref", i + 1,
						       "dst", dst, "proto", "udp", "dport",
						       1000 + i / 65536, "chain", name));
	}
	return json_pack("{s:o,s:o,s:o}", "sfs", sfs, "chains", chains, "rules", rules);
}

/* checks that a no-op diff of 100k rules (parse, validate, diff, JSON form) takes well under seconds */
static void test_noop_diff_of_100k_rules_is_linear(void)
{
	struct sfc_doc cur, next;
	json_t *doc = big_doc(), *diff, *out;
	char err[512] = "";
	double t0, t1;

	ASSERT_OK(sfc_doc_from_json(doc, &cur, err, sizeof(err)), err);
	ASSERT_EQ(cur.nrules, NRULES, "rules");
	ASSERT_EQ(sfc_doc_chain(&cur, "c9999")->spi, NCHAINS, "SPIs numbered 1..N");
	t0 = now();
	ASSERT_OK(sfc_doc_parse(doc, &next, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&next, &cur, err, sizeof(err)), err);
	diff = sfc_doc_diff(&cur, &next);
	out = sfc_doc_to_json(&next);
	t1 = now();
	ASSERT_TRUE(diff && sfc_doc_diff_empty(diff), "no change");
	ASSERT_EQ(json_array_size(json_object_get(out, "rules")), NRULES, "JSON form rules");
	/* linear is ~0.1 s here; quadratic would be minutes */
	ASSERT_TRUE(t1 - t0 < 5.0, "parse + validate + diff + to_json under 5 s");
	json_decref(diff);
	json_decref(out);
	json_decref(doc);
	sfc_doc_free(&next);
	sfc_doc_free(&cur);
}

/* checks that the warnings of a 100k-rule document whose every rule has an in-dev off the
 * ingress points are computed in linear time and stay short (ten named, the rest counted) */
static void test_warnings_of_100k_rules_are_linear_and_short(void)
{
	json_t *doc = big_doc(), *r, *w;
	struct sfc_doc d;
	char err[512] = "";
	double t0, t1;
	size_t i;

	/* one ingress point, so every rule is a real look-up */
	json_object_set_new(doc, "ingress", json_pack("[{s:s}]", "dev", "up0"));
	json_array_foreach(json_object_get(doc, "rules"), i, r)
		json_object_set_new(r, "in-dev", json_string("up9"));
	ASSERT_OK(sfc_doc_from_json(doc, &d, err, sizeof(err)), err);
	t0 = now();
	w = sfc_doc_warnings(&d, &d, true);
	t1 = now();
	printf("# warnings of %d rules: %.1f ms\n", NRULES, (t1 - t0) * 1e3);
	ASSERT_EQ(json_array_size(w), 11, "ten named and a count");
	ASSERT_STREQ(json_string_value(json_array_get(w, 10)),
		     "99990 more rules have an in-dev that is not an ingress point", "count");
	ASSERT_TRUE(t1 - t0 < 1.0, "under 1 s");
	json_decref(w);
	json_decref(doc);
	sfc_doc_free(&d);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_noop_diff_of_100k_rules_is_linear),
		UNIT_TEST(test_warnings_of_100k_rules_are_linear_and_short),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
