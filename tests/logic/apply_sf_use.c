// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * How a document's chains use each SF (user/lib/sf_use.c): an SF that
 * serves exactly one chain, directly or through its group, is "sole" with
 * that chain's id; any chain with on-failure drop makes a packet back
 * from it without flow state a drop. No root, no maps.
 */
#include <string.h>

#include "apply.h"
#include "model_util.h"

static const __u32 CHAIN_IDS[] = { 11, 12, 13, 14 };

static int uses_of(const char *text, struct sfc_doc *d, struct sfc_sf_use *u)
{
	char err[256] = "";
	int ret = doc_from(text, NULL, d, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "# document: %s\n", err);
		return ret;
	}
	return sfc_sf_uses(d, CHAIN_IDS, u);
}

/* fw serves chain a only; ids serves a and b; p1 serves b through its group */
static void sole_and_shared_sfs(void)
{
	struct sfc_doc d = {};
	struct sfc_sf_use u[3];

	ASSERT_OK(uses_of("{" BASE_SFS ","
			  "\"chains\":[{\"name\":\"a\",\"hops\":[\"fw\",\"ids\"],\"on-failure\":\"bypass\"},"
			  "{\"name\":\"b\",\"hops\":[\"ids\",\"pool\"],\"on-failure\":\"bypass\"}]}",
			  &d, u), "sfc_sf_uses");
	ASSERT_EQ(u[0].flags, SFC_SF_SOLE, "fw: sole, bypass only");
	ASSERT_EQ(u[0].chain_id, 11, "fw: chain a's id");
	/* no MAC of its own: its position travels in the source MAC */
	ASSERT_EQ(u[1].flags, SFC_SF_POS_MAC, "ids: two chains, bypass only");
	ASSERT_EQ(u[1].if_flags, SFC_IF_POS_MAC, "ids: its return interface may say the position");
	ASSERT_EQ(u[1].chain_id, 0, "ids: no chain id");
	ASSERT_EQ(u[2].flags, SFC_SF_SOLE, "p1: sole through its group");
	ASSERT_EQ(u[2].chain_id, 12, "p1: chain b's id");
	sfc_doc_free(&d);
}

/* one chain with on-failure drop (the default) marks every SF it uses */
static void drop_policy_marks_its_sfs(void)
{
	struct sfc_doc d = {};
	struct sfc_sf_use u[3];

	ASSERT_OK(uses_of("{" BASE_SFS ","
			  "\"chains\":[{\"name\":\"a\",\"hops\":[\"fw\"],\"on-failure\":\"bypass\"},"
			  "{\"name\":\"b\",\"hops\":[\"fw\",[\"ids\",\"pool\"]]}]}",
			  &d, u), "sfc_sf_uses");
	ASSERT_EQ(u[0].flags, SFC_SF_MISS_DROP | SFC_SF_POS_MAC, "fw: two chains, one drops");
	ASSERT_EQ(u[1].flags, SFC_SF_SOLE | SFC_SF_MISS_DROP, "ids: sole in b, which drops");
	ASSERT_EQ(u[1].chain_id, 12, "ids: chain b's id");
	ASSERT_EQ(u[2].flags, SFC_SF_SOLE | SFC_SF_MISS_DROP, "p1: sole in b (group), drops");
	sfc_doc_free(&d);
}

/* an SF without a MAC at two positions of a chain must say its position
 * in the source MAC; one with a MAC in two chains is found by its flow
 * and interface as before; a tap drops what it sends and is never sole */
static void positions_macs_and_taps(void)
{
	struct sfc_doc d = {};
	struct sfc_sf_use u[4];

	ASSERT_OK(uses_of("{\"sfs\":[{\"name\":\"br\",\"dev\":\"s0\"},"
			  "{\"name\":\"rt\",\"dev\":\"s1\",\"mac\":\"02:00:00:00:00:01\"},"
			  "{\"name\":\"ids\",\"dev\":\"s2\"},{\"name\":\"x\",\"dev\":\"s3\"}],"
			  "\"chains\":[{\"name\":\"a\",\"hops\":[[\"br\"],[\"rt\"],{\"tap\":[\"ids\"]},[\"br\"]]},"
			  "{\"name\":\"b\",\"hops\":[[\"rt\"],[\"x\"]]}]}", &d, u),
		  "sfc_sf_uses");
	/* (both chains drop: on-failure's default) */
	ASSERT_EQ(u[0].flags, SFC_SF_SOLE | SFC_SF_MISS_DROP | SFC_SF_POS_MAC,
		  "br: two positions of a");
	ASSERT_EQ(u[0].if_flags, SFC_IF_POS_MAC | SFC_IF_POS_MAC_ONLY, "br: only its MAC tells");
	ASSERT_EQ(u[1].flags, SFC_SF_MISS_DROP, "rt: a MAC of its own, two chains");
	ASSERT_EQ(u[1].if_flags, 0, "rt: its interface as before");
	ASSERT_EQ(u[2].flags, SFC_SF_MISS_DROP, "ids: a tap drops what it sends, never sole");
	ASSERT_EQ(u[2].if_flags, 0, "ids: no position to say");
	ASSERT_EQ(u[3].flags, SFC_SF_SOLE | SFC_SF_MISS_DROP, "x: one position of one chain");
	sfc_doc_free(&d);
}

/* an SF no chain names is neither */
static void unused_sf_is_neither(void)
{
	struct sfc_doc d = {};
	struct sfc_sf_use u[3];

	ASSERT_OK(uses_of("{" BASE_SFS ",\"chains\":[{\"name\":\"a\",\"hops\":[\"fw\"]}]}", &d, u),
		  "sfc_sf_uses");
	ASSERT_EQ(u[1].flags, 0, "ids: unused");
	ASSERT_EQ(u[2].flags, 0, "p1: unused (its group is not named)");
	sfc_doc_free(&d);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(sole_and_shared_sfs),
		UNIT_TEST(drop_policy_marks_its_sfs),
		UNIT_TEST(unused_sf_is_neither),
		UNIT_TEST(positions_macs_and_taps),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
