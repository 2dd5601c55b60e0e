// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A hop's weighted table (user/lib/lb_table.c), measured over 100,000
 * flows hashed as the datapath hashes them (FNV-1a over addresses and
 * ports, murmur3's finalizer) and placed by the datapath's rule: slots
 * to within one of the weights, shares of the flows within 2 % of the
 * weights (or the sampling's own spread, for shares under about 20 %), a fifth instance added to four moves at most
 * 1.2 times the least it can (20 %), a removed one moves only its flows.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "check.h"
#include "lb_table.h"

#define FLOWS 100000

/* The hash of TCP flow i from 198.18.0.2 to 198.19.x.y, as the datapath
 * computes it (sfc_flow_hash_of on an IPv4 key). */
static __u32 flow_hash(__u32 i)
{
	__u32 s[4] = { htonl(0xc6120002u), 0, 0, 0 };
	__u32 d[4] = { htonl(0xc6130000u | (i & 0xffff)), 0, 0, 0 };
	__u16 sport = htons(1024 + (i >> 16) * 7 + (i % 50000)), dport = htons(5201);

	return sfc_flow_hash_of(s, d, sport, dport, 6);
}

static __u32 hashes[FLOWS];

static void hashes_init(void)
{
	for (__u32 i = 0; i < FLOWS; i++)
		hashes[i] = flow_hash(i);
}

/* Instances fw1..fwn, ids 10.., weights w[] (NULL: all 1). */
static void insts(struct lb_inst *in, int n, const __u32 *w)
{
	for (int i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "fw%d", i + 1);
		in[i] = (struct lb_inst){ .id = 10 + i, .weight = w ? w[i] : 1,
					  .key = lb_inst_key(name) };
	}
}

static struct sfc_lb *table_new(const struct lb_inst *in, int n, const struct sfc_lb *prev)
{
	struct sfc_lb *t = malloc(sizeof(*t));

	if (!t || lb_table_build(in, n, prev, t)) {
		free(t);
		return NULL;
	}
	return t;
}

/* Flows of FLOWS per SF id. */
static void shares(const struct sfc_lb *t, unsigned *per)
{
	memset(per, 0, SFC_MAX_SFS * sizeof(*per));
	for (int i = 0; i < FLOWS; i++)
		per[t->slot[lb_table_slot(t, hashes[i])]]++;
}

/* Flows whose instance differs between a and b; *from_id: of those, how
 * many were on id (in a). */
static unsigned moved(const struct sfc_lb *a, const struct sfc_lb *b, __u16 id, unsigned *from_id)
{
	unsigned m = 0;

	*from_id = 0;
	for (int i = 0; i < FLOWS; i++) {
		__u16 x = a->slot[lb_table_slot(a, hashes[i])];
		__u16 y = b->slot[lb_table_slot(b, hashes[i])];

		if (x != y) {
			m++;
			*from_id += x == id;
		}
	}
	return m;
}

static void check_shares(const struct lb_inst *in, int n, const char *what)
{
	static unsigned per[SFC_MAX_SFS];
	struct sfc_lb *t = table_new(in, n, NULL);
	double total = 0;

	ASSERT_TRUE(t != NULL, "table built");
	if (!t)
		return;
	for (int i = 0; i < n; i++)
		total += in[i].weight;
	shares(t, per);
	for (int i = 0; i < n; i++) {
		double want = in[i].weight / total, got = (double)per[in[i].id] / FLOWS;
		/* 2 %, or three standard deviations of 100,000 draws for a
		 * share so small that chance alone goes beyond 2 % */
		double tol = want * 0.02, sd3 = 3 * sqrt(want * (1 - want) / FLOWS);
		unsigned slots = 0;
		char label[160];

		for (int j = 0; j < t->size; j++)
			slots += t->slot[j] == in[i].id;
		snprintf(label, sizeof(label), "%s: fw%d holds %u of %u slots for a share of %.4f",
			 what, i + 1, slots, t->size, want);
		ASSERT_TRUE(fabs((double)slots / t->size - want) <= 1.0 / t->size + 1e-9, label);
		snprintf(label, sizeof(label), "%s: fw%d's share of the flows %.4f within %.4f of %.4f",
			 what, i + 1, got, tol > sd3 ? tol : sd3, want);
		ASSERT_TRUE(fabs(got - want) <= (tol > sd3 ? tol : sd3), label);
	}
	free(t);
}

/* checks that equal and unequal weights get their shares of 100,000 flows within 2 % */
static void test_shares_follow_weights(void)
{
	static const __u32 w4[] = { 1, 2, 3, 4 }, w2[] = { 1, 9 }, w5[] = { 100, 100, 100, 100, 1 };
	struct lb_inst in[SFC_LB_MAX_INST];

	insts(in, 3, NULL);
	check_shares(in, 3, "three equal");
	insts(in, 5, NULL);
	check_shares(in, 5, "five equal");
	insts(in, 4, w4);
	check_shares(in, 4, "weights 1:2:3:4");
	insts(in, 2, w2);
	check_shares(in, 2, "weights 1:9");
	insts(in, 5, w5);
	check_shares(in, 5, "four of 100, one of 1");
	insts(in, 16, NULL);
	check_shares(in, 16, "sixteen equal");
}

/* checks that a fifth instance added to four takes its 20 % of the flows, all from the others, and no more than 1.2 times that moves */
static void test_fifth_instance_moves_little(void)
{
	struct lb_inst in[5];
	struct sfc_lb *four, *five;
	unsigned m, from_new, on_new = 0;

	insts(in, 5, NULL);
	four = table_new(in, 4, NULL);
	five = four ? table_new(in, 5, four) : NULL;
	ASSERT_TRUE(four && five, "tables built");
	if (!four || !five)
		goto out;
	m = moved(four, five, 14, &from_new);
	for (int i = 0; i < FLOWS; i++)
		on_new += five->slot[lb_table_slot(five, hashes[i])] == 14;
	printf("# a fifth instance: %.2f %% of the flows moved (20 %% the least)\n",
	       100.0 * m / FLOWS);
	ASSERT_TRUE(m <= 1.2 * 0.2 * FLOWS, "moved at most 1.2 x 20 %");
	ASSERT_EQ(m, on_new, "every flow that moved went to the new instance");
out:
	free(four);
	free(five);
}

/* checks that removing one instance of five moves its flows and none of the others' */
static void test_removed_instance_moves_only_its_flows(void)
{
	struct lb_inst in[5], rest[4];
	struct sfc_lb *five, *four;
	unsigned m, from_gone;

	insts(in, 5, NULL);
	/* fw3 (id 12) goes */
	memcpy(rest, in, 2 * sizeof(*in));
	memcpy(rest + 2, in + 3, 2 * sizeof(*in));
	five = table_new(in, 5, NULL);
	four = five ? table_new(rest, 4, five) : NULL;
	ASSERT_TRUE(five && four, "tables built");
	if (!five || !four)
		goto out;
	m = moved(five, four, 12, &from_gone);
	ASSERT_TRUE(m > 0, "fw3's flows moved");
	ASSERT_EQ(m, from_gone, "flows moved that were not on fw3");
	for (int j = 0; j < four->size; j++)
		if (four->slot[j] == 12) {
			ASSERT_TRUE(0, "a slot still names the removed instance");
			break;
		}
out:
	free(five);
	free(four);
}

/* checks that doubling one weight of four moves no more than 1.2 times the share it gains (15 %) */
static void test_weight_change_moves_its_gain(void)
{
	static const __u32 w[] = { 1, 1, 2, 1 };
	struct lb_inst in[4], in2[4];
	struct sfc_lb *a, *b;
	unsigned m, unused;

	insts(in, 4, NULL);
	insts(in2, 4, w);
	a = table_new(in, 4, NULL);
	b = a ? table_new(in2, 4, a) : NULL;
	ASSERT_TRUE(a && b, "tables built");
	if (a && b) {
		m = moved(a, b, 0, &unused);
		ASSERT_TRUE(m <= 1.2 * 0.15 * FLOWS, "moved at most 1.2 x 15 %");
		ASSERT_TRUE(m >= 0.13 * FLOWS, "the gain moved");
	}
	free(a);
	free(b);
}

/* checks that the same instances listed in another order give the same table, and a rebuild from itself changes nothing */
static void test_order_does_not_matter(void)
{
	static const __u32 w[] = { 3, 1, 4, 1, 5, 9 };
	struct lb_inst in[6], rev[6];
	struct sfc_lb *a, *b, *c;

	insts(in, 6, w);
	for (int i = 0; i < 6; i++)
		rev[i] = in[5 - i];
	a = table_new(in, 6, NULL);
	b = table_new(rev, 6, NULL);
	c = a ? table_new(in, 6, a) : NULL;
	ASSERT_TRUE(a && b && c, "tables built");
	if (a && b && c) {
		ASSERT_TRUE(!memcmp(a, b, sizeof(*a)), "same table whatever the order");
		ASSERT_TRUE(!memcmp(a, c, sizeof(*a)), "a rebuild from itself is itself");
		ASSERT_EQ(lb_table_digest(a), lb_table_digest(b), "same digest");
	}
	free(a);
	free(b);
	free(c);
}

/* checks that every instance gets a slot, however small its weight, and that bad input is refused */
static void test_limits(void)
{
	struct lb_inst in[SFC_LB_MAX_INST + 1];
	__u32 w[SFC_LB_MAX_INST];
	struct sfc_lb *t = malloc(sizeof(*t));
	bool all = true;

	for (int i = 0; i < SFC_LB_MAX_INST; i++)
		w[i] = i ? 1000 : 1;
	insts(in, SFC_LB_MAX_INST, w);
	ASSERT_OK(t ? lb_table_build(in, SFC_LB_MAX_INST, NULL, t) : -ENOMEM, "64 instances");
	for (int i = 0; t && i < SFC_LB_MAX_INST; i++) {
		bool found = false;

		for (int j = 0; j < t->size && !found; j++)
			found = t->slot[j] == in[i].id;
		all &= found;
	}
	ASSERT_TRUE(all, "every instance holds a slot (weight 1 among 1000s too)");
	insts(in, SFC_LB_MAX_INST + 1, NULL);
	ASSERT_EQ(t ? lb_table_build(in, SFC_LB_MAX_INST + 1, NULL, t) : 0, -EINVAL,
		  "65 instances refused");
	ASSERT_EQ(t ? lb_table_build(in, 0, NULL, t) : 0, -EINVAL, "no instance refused");
	in[1].weight = 0;
	ASSERT_EQ(t ? lb_table_build(in, 3, NULL, t) : 0, -EINVAL, "weight 0 refused");
	free(t);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_shares_follow_weights),
		UNIT_TEST(test_fifth_instance_moves_little),
		UNIT_TEST(test_removed_instance_moves_only_its_flows),
		UNIT_TEST(test_weight_change_moves_its_gain),
		UNIT_TEST(test_order_does_not_matter),
		UNIT_TEST(test_limits),
	};

	hashes_init();
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
