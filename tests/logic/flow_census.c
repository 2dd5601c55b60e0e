// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The flow cache's eviction estimate (user/lib/flow_census.c): nothing
 * before the first count, then inserts less deletes, less sfcd's
 * removals, less the entries, from that base; never down.
 */
#include "check.h"
#include "flow_census.h"

/* checks that the first count sets the base: evictions before sfcd started are not counted */
static void test_first_count_is_the_base(void)
{
	struct sfc_flow_census c = { .counted = true, .entries = 100 };

	sfc_flow_census_evictions(&c, 5000, 10, 0);
	ASSERT_EQ(c.evictions, 0, "no evictions at the first count");
	ASSERT_TRUE(c.have_base, "the base is taken");
}

/* checks that inserts neither in the cache nor removed are evictions */
static void test_inserts_not_found_are_evictions(void)
{
	struct sfc_flow_census c = { .counted = true, .entries = 100 };

	sfc_flow_census_evictions(&c, 1000, 0, 0);
	/* 500 more inserts, 20 deleted by the datapath, 30 removed by
	 * sfcd, 150 more entries: 300 evicted */
	c.entries = 250;
	sfc_flow_census_evictions(&c, 1500, 20, 30);
	ASSERT_EQ(c.evictions, 300, "evictions");
	/* a cache that keeps everything it gets: no more evictions */
	c.entries = 350;
	sfc_flow_census_evictions(&c, 1600, 20, 30);
	ASSERT_EQ(c.evictions, 300, "unchanged");
}

/* checks that a count higher than the truth (a walk, not a snapshot) never takes evictions back */
static void test_evictions_never_go_down(void)
{
	struct sfc_flow_census c = { .counted = true, .entries = 0 };

	sfc_flow_census_evictions(&c, 0, 0, 0);
	c.entries = 10;
	sfc_flow_census_evictions(&c, 100, 0, 0);
	ASSERT_EQ(c.evictions, 90, "90 evicted");
	c.entries = 40; /* flows counted twice during the walk */
	sfc_flow_census_evictions(&c, 100, 0, 0);
	ASSERT_EQ(c.evictions, 90, "still 90");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_first_count_is_the_base),
		UNIT_TEST(test_inserts_not_found_are_evictions),
		UNIT_TEST(test_evictions_never_go_down),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
