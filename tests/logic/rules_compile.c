// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The classifier compiler (user/lib/rules.c) without a datapath: a
 * document in, tuple-space entries out. No root. Built with UBSan by
 * `make sanitize`, where undefined behaviour fails the test.
 */
#include "model_util.h"
#include "rules.h"

/* checks that a document without rules compiles to no entry and no tuple
 * (and sorts nothing: no qsort of a NULL array) */
static void test_no_rules_compile_to_nothing(void)
{
	struct sfc_rule_set rs;
	struct sfc_doc d;
	char err[256] = "";

	ASSERT_OK(doc_from("{" BASE_SFS "}", NULL, &d, err, sizeof(err)), err);
	ASSERT_OK(sfc_rules_compile(&d, NULL, &rs, err, sizeof(err)), err);
	ASSERT_EQ(rs.n, 0, "entries");
	ASSERT_EQ(rs.ntuples, 0, "tuples");
	sfc_rules_free(&rs);
	sfc_doc_free(&d);
}

/* checks that one rule without an in-dev compiles to one entry in one tuple */
static void test_one_rule_compiles_to_one_entry(void)
{
	static const __u32 chain_ids[] = { 1 };
	struct sfc_rule_set rs;
	struct sfc_doc d;
	char err[256] = "";

	ASSERT_OK(doc_from("{" BASE_SFS ",\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"]}],"
			   "\"rules\":[{\"pref\":1,\"dst\":\"198.18.0.0/15\",\"chain\":\"web\"}]}",
			   NULL, &d, err, sizeof(err)), err);
	ASSERT_OK(sfc_rules_compile(&d, chain_ids, &rs, err, sizeof(err)), err);
	ASSERT_EQ(rs.n, 1, "entries");
	ASSERT_EQ(rs.ntuples, 1, "tuples");
	sfc_rules_free(&rs);
	sfc_doc_free(&d);
}

static const struct unit_test tests[] = {
	UNIT_TEST(test_no_rules_compile_to_nothing),
	UNIT_TEST(test_one_rule_compiles_to_one_entry),
};

int main(int argc, char **argv)
{
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
