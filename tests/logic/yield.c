// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Cooperative yield points (user/common/yield.c) and the JSON helpers that
 * carry them (user/common/jsonl.c): the hook runs once the interval has
 * passed and not before, never inside itself, not at all when cleared; a
 * large document parsed or dumped in pieces reaches the hook and comes
 * out the same as in one piece. The clock is the test's: nothing here
 * depends on how fast the machine is.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "check.h"
#include "jsonl.h"
#include "yield.h"

static unsigned long long fake_ns;
static unsigned long long fake_clock(void) { return fake_ns; }

static int calls, depth, max_depth;

static void count_hook(void *arg)
{
	(void)arg;
	calls++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	/* a hook that reaches a yield point itself: not run again inside */
	fake_ns += 10000000;
	for (int i = 0; i < 4 * SFC_YIELD_EVERY; i++)
		sfc_yield();
	depth--;
}

static void reset(unsigned int interval_us)
{
	calls = depth = max_depth = 0;
	fake_ns = 1000000000ull;
	sfc_yield_set_clock(fake_clock);
	sfc_yield_set(count_hook, NULL, interval_us);
}

static void hook_waits_for_interval(void)
{
	reset(2000);
	for (int i = 0; i < 100 * SFC_YIELD_EVERY; i++)
		sfc_yield();
	ASSERT_EQ(calls, 0, "no time passed: the hook did not run");
	fake_ns += 1999000;
	for (int i = 0; i < 2 * SFC_YIELD_EVERY; i++)
		sfc_yield();
	ASSERT_EQ(calls, 0, "1.999 ms: not yet");
	fake_ns += 1000;
	for (int i = 0; i < SFC_YIELD_EVERY; i++)
		sfc_yield();
	ASSERT_EQ(calls, 1, "2 ms: once, within SFC_YIELD_EVERY calls");
	sfc_yield_set(NULL, NULL, 0);
}

static void hook_never_inside_itself(void)
{
	reset(0);
	for (int i = 0; i < 3 * SFC_YIELD_EVERY; i++)
		sfc_yield();
	ASSERT_EQ(calls, 3, "interval 0: once per SFC_YIELD_EVERY calls");
	ASSERT_EQ(max_depth, 1, "never re-entered");
	sfc_yield_set(NULL, NULL, 0);
}

static void cleared_hook_not_run(void)
{
	reset(0);
	sfc_yield_set(NULL, NULL, 0);
	fake_ns += 1000000000ull;
	for (int i = 0; i < 10 * SFC_YIELD_EVERY; i++)
		sfc_yield();
	sfc_yield_check();
	ASSERT_EQ(calls, 0, "no hook, nothing run");
}

/* {"rules":[{"pref":1,"dst":"198.19.0.1/32"}, ...]}, about 40 bytes a rule */
static char *big_json(int n, size_t *len)
{
	size_t cap = 64 + (size_t)n * 48, off;
	char *s = malloc(cap);

	off = (size_t)snprintf(s, cap, "{\"rules\":[");
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, cap - off, "%s{\"pref\":%d,\"dst\":\"198.19.%d.%d/32\"}",
					i ? "," : "", i + 1, (i >> 8) & 255, i & 255);
	off += (size_t)snprintf(s + off, cap - off, "]}");
	*len = off;
	return s;
}

static int inner_calls, inner_depth, inner_max;

static void inner_hook(void *arg)
{
	(void)arg;
	inner_calls++;
	if (++inner_depth > inner_max)
		inner_max = inner_depth;
	fake_ns += 10000000;
	for (int i = 0; i < 4 * SFC_YIELD_EVERY; i++)
		sfc_yield();
	inner_depth--;
}

/* sfcd's link events during a read answered inside its hook: the yield
 * points inside the hook run the inner hook, once the interval passed,
 * never the hook itself, and the inner hook never inside itself */
static void inner_hook_runs_inside_the_hook(void)
{
	reset(2000);
	inner_calls = inner_depth = inner_max = 0;
	sfc_yield_set_inner(inner_hook);
	fake_ns += 2000000;
	for (int i = 0; i < SFC_YIELD_EVERY; i++)
		sfc_yield();
	ASSERT_EQ(calls, 1, "the hook ran once");
	ASSERT_EQ(max_depth, 1, "the hook never inside itself");
	ASSERT_EQ(inner_calls, 1, "its yield points ran the inner hook once (time passed once)");
	ASSERT_EQ(inner_max, 1, "the inner hook never inside itself");
	sfc_yield_set_inner(NULL);
	fake_ns += 2000000;
	for (int i = 0; i < SFC_YIELD_EVERY; i++)
		sfc_yield();
	ASSERT_EQ(calls, 2, "without the inner hook: the hook again");
	ASSERT_EQ(inner_calls, 1, "and no inner hook inside it");
	sfc_yield_set(NULL, NULL, 0);
}

static void json_in_pieces(void)
{
	size_t len;
	char *text = big_json(20000, &len), *a, *b;
	json_error_t je;
	json_t *whole, *pieces;

	reset(0);
	pieces = sfc_json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	ASSERT_TRUE(pieces != NULL, "parsed in pieces");
	ASSERT_GE(calls, (int)(len / 65536), "the hook ran between the pieces");
	whole = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	ASSERT_TRUE(json_equal(whole, pieces), "same document as json_loadb");

	calls = 0;
	a = sfc_json_dumps(pieces, JSON_COMPACT);
	b = json_dumps(whole, JSON_COMPACT);
	ASSERT_TRUE(a && b, "dumped");
	ASSERT_STREQ(a, b, "same text as json_dumps");
	ASSERT_GE(calls, 1, "the hook ran while dumping");
	ASSERT_STREQ(a, text, "and the text it came from");

	/* a syntax error still says where */
	text[len / 2] = '#';
	json_decref(pieces);
	pieces = sfc_json_loadb(text, len, 0, &je);
	ASSERT_TRUE(pieces == NULL, "syntax error refused");
	ASSERT_TRUE(je.position > 0, "with a position");
	sfc_yield_set(NULL, NULL, 0);
	json_decref(whole);
	free(a);
	free(b);
	free(text);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(hook_waits_for_interval),
		UNIT_TEST(hook_never_inside_itself),
		UNIT_TEST(cleared_hook_not_run),
		UNIT_TEST(inner_hook_runs_inside_the_hook),
		UNIT_TEST(json_in_pieces),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
