/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Tests and asserts, shared by the BPF unit tests (tests/unit) and the
 * unprivileged logic tests (tests/logic). Each test binary prints one line
 * per test, "ok NAME" or "not ok NAME: label: expected X, got Y" (the first
 * failed assert), and exits 1 if any failed. Arguments select tests by name.
 */
#ifndef SFC_CHECK_H
#define SFC_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#define UNIT_UNUSED __attribute__((unused))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Tests and asserts                                                  */

struct unit_test {
	const char *name;
	void (*fn)(void);
};

#define UNIT_TEST(f) { #f, f }

/* The current test's first failure; asserts return from the test. */
static char unit_msg[1024] UNIT_UNUSED;
static bool unit_failed UNIT_UNUSED;

static inline void unit_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void unit_fail(const char *fmt, ...)
{
	va_list ap;

	if (unit_failed)
		return;
	unit_failed = true;
	va_start(ap, fmt);
	vsnprintf(unit_msg, sizeof(unit_msg), fmt, ap);
	va_end(ap);
}

#define FAIL(...)                                                              \
	do {                                                                   \
		unit_fail(__VA_ARGS__);                                        \
		return;                                                        \
	} while (0)

/* ASSERT_EQ(actual, expected, label), as the kernel selftests have it. */
#define ASSERT_EQ(actual, expected, label)                                     \
	do {                                                                   \
		long long __a = (long long)(actual), __e = (long long)(expected); \
		if (__a != __e)                                                \
			FAIL("%s: expected %lld, got %lld", (label), __e, __a); \
	} while (0)

#define ASSERT_NE(actual, other, label)                                        \
	do {                                                                   \
		long long __a = (long long)(actual), __o = (long long)(other); \
		if (__a == __o)                                                \
			FAIL("%s: expected other than %lld", (label), __o);     \
	} while (0)

#define ASSERT_GE(actual, expected, label)                                     \
	do {                                                                   \
		long long __a = (long long)(actual), __e = (long long)(expected); \
		if (__a < __e)                                                 \
			FAIL("%s: expected >= %lld, got %lld", (label), __e, __a); \
	} while (0)

#define ASSERT_TRUE(cond, label)                                               \
	do {                                                                   \
		if (!(cond))                                                   \
			FAIL("%s: expected true, got false", (label));         \
	} while (0)

/* 0 expected; a negative errno is shown with its meaning. */
#define ASSERT_OK(ret, label)                                                  \
	do {                                                                   \
		long long __r = (long long)(ret);                              \
		if (__r)                                                       \
			FAIL("%s: expected 0, got %lld (%s)", (label), __r,     \
			     strerror(__r < 0 ? (int)-__r : (int)__r));        \
	} while (0)

#define ASSERT_STREQ(actual, expected, label)                                  \
	do {                                                                   \
		const char *__a = (actual), *__e = (expected);                 \
		if (strcmp(__a, __e))                                          \
			FAIL("%s: expected \"%s\", got \"%s\"", (label), __e, __a); \
	} while (0)

static inline const char *unit_hex(const void *p, size_t n, char *buf, size_t len)
{
	const __u8 *b = p;
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o + 4 < len; i++)
		o += snprintf(buf + o, len - o, "%s%02x", i ? ":" : "", b[i]);
	return buf;
}

#define ASSERT_MEM_EQ(actual, expected, n, label)                              \
	do {                                                                   \
		char __ha[200], __he[200];                                     \
		if (memcmp((actual), (expected), (n)))                         \
			FAIL("%s: expected %s, got %s", (label),               \
			     unit_hex((expected), (n), __he, sizeof(__he)),    \
			     unit_hex((actual), (n), __ha, sizeof(__ha)));     \
	} while (0)

/* Run the selected tests; the exit status of the binary. */
static inline int unit_run(const struct unit_test *tests, size_t n, int argc, char **argv)
{
	int nfail = 0;

	for (size_t i = 0; i < n; i++) {
		bool selected = argc <= 1;

		for (int a = 1; a < argc && !selected; a++)
			selected = !strcmp(argv[a], tests[i].name);
		if (!selected)
			continue;
		unit_failed = false;
		unit_msg[0] = '\0';
		tests[i].fn();
		if (unit_failed) {
			printf("not ok %s: %s\n", tests[i].name, unit_msg);
			nfail++;
		} else {
			printf("ok %s\n", tests[i].name);
		}
		fflush(stdout);
	}
	return nfail ? 1 : 0;
}

#endif
