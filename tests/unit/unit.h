/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A tiny framework for sfc's BPF unit tests: the real datapath loaded in a
 * private network namespace, packets built by hand and run through
 * BPF_PROG_TEST_RUN, asserts on verdicts, output bytes and counters.
 *
 * Each test binary prints one line per test, "ok NAME" or
 * "not ok NAME: label: expected X, got Y" (the first failed assert), and
 * exits 1 if any test failed. Arguments, if any, select tests by name.
 *
 * Everything here is static inline so that each unit_*.c takes what it
 * uses; the state is one global environment per binary. Its parts:
 * this file (environment, documents), unit_pkt.h (test packets) and
 * unit_run.h (running the programs, reading the maps).
 */
#ifndef SFC_UNIT_H
#define SFC_UNIT_H

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "apply.h"
#include "datapath.h"
#include "front.h"
#include "log.h"
#include "model.h"
#include "sfc_abi.h"
#include "sfc_reasons.h"
#include "stats.h"

#include "check.h"

static inline const char *unit_xdp_name(long long v)
{
	static const char *const n[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS",
					  "XDP_TX", "XDP_REDIRECT" };
	return v >= 0 && v < (long long)ARRAY_SIZE(n) ? n[v] : "XDP_?";
}

static inline const char *unit_tc_name(long long v)
{
	switch (v) {
	case TC_ACT_UNSPEC: return "TC_ACT_UNSPEC";
	case TC_ACT_OK: return "TC_ACT_OK";
	case TC_ACT_SHOT: return "TC_ACT_SHOT";
	case TC_ACT_REDIRECT: return "TC_ACT_REDIRECT";
	}
	return "TC_ACT_?";
}

#define ASSERT_XDP(actual, expected)                                           \
	do {                                                                   \
		long long __a = (long long)(actual), __e = (long long)(expected); \
		if (__a != __e)                                                \
			FAIL("xdp verdict: expected %s, got %s",               \
			     unit_xdp_name(__e), unit_xdp_name(__a));          \
	} while (0)

#define ASSERT_TC(actual, expected)                                            \
	do {                                                                   \
		long long __a = (long long)(actual), __e = (long long)(expected); \
		if (__a != __e)                                                \
			FAIL("tc verdict: expected %s, got %s",                \
			     unit_tc_name(__e), unit_tc_name(__a));            \
	} while (0)

/* ------------------------------------------------------------------ */
/* Environment: private netns, interfaces, the loaded datapath        */

static struct sfc_dp *dp UNIT_UNUSED;
static char unit_pin_dir[PATH_MAX] UNIT_UNUSED;
/* Run before the datapath is loaded, on the pin dir (which exists then):
 * what an older sfc would have left pinned there. */
static void (*unit_pre_load)(const char *pin_dir) UNIT_UNUSED;

static inline void unit_cleanup(void)
{
	if (dp) {
		sfc_dp_close(dp);
		dp = NULL;
	}
	if (unit_pin_dir[0]) {
		sfc_dp_unpin(unit_pin_dir);
		unit_pin_dir[0] = '\0';
	}
}

static inline void unit_on_signal(int sig)
{
	/* Not async-signal-safe, but the process is going down anyway and a
	 * leftover pin directory would outlive it. */
	if (unit_pin_dir[0])
		sfc_dp_unpin(unit_pin_dir);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A setup failure is reported as a failed test, so it is counted. */
static inline void unit_setup_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void unit_setup_fail(const char *fmt, ...)
{
	va_list ap;

	printf("not ok setup: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

/* Interfaces of the test topology, all in the test's own netns. */
enum unit_if {
	IF_IN0, IF_IN1,   /* ingress points */
	IF_SFA,           /* SF a, one-arm */
	IF_SFB, IF_SFBR,  /* SF b, two-arm: out, return */
	IF_SFC, IF_SFCR,  /* SF c, two-arm, no mac: out, return */
	IF_SFD,           /* SF d: its veth peer stays down, so d is down */
	IF_SFE,           /* SF e, one-arm */
	IF_TC0,           /* SF t on an ifb: no XDP redirect, tc handoff */
	IF_MAX,
};

static const char *const unit_if_names[IF_MAX] UNIT_UNUSED = {
	"in0", "in1", "sfa", "sfb", "sfbr", "sfc", "sfcr", "sfd", "sfe", "tc0",
};
static int ifx[IF_MAX] UNIT_UNUSED;

/* MAC of interface i of the topology: 02:00:00:00:01:<i+1>. */
static inline void unit_if_mac(int i, __u8 mac[6])
{
	const __u8 m[6] = { 0x02, 0, 0, 0, 0x01, (__u8)(i + 1) };

	memcpy(mac, m, 6);
}

/* SF MACs used by documents that give SFs a "mac". */
static const __u8 MAC_SF_A[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0x5f, 0x0a };
static const __u8 MAC_SF_B[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0x5f, 0x0b };
static const __u8 MAC_SF_E[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0x5f, 0x0e };
/* Ethernet addresses of test packets unless a test sets its own. */
static const __u8 MAC_PKT_DST[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0xee, 0x01 };
static const __u8 MAC_PKT_SRC[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0xee, 0x02 };

static inline void unit_sysctl(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(val, f) < 0 || fclose(f))
		unit_setup_fail("%s: %s", path, strerror(errno));
}

static inline void unit_topology(void)
{
	FILE *ip;
	int i;

	/* No IPv6 on the test's interfaces: DAD, router solicitations and
	 * MLD reports would reach the XDP program on its own and move the
	 * counters under the tests' feet. */
	unit_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	unit_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	ip = popen("ip -batch -", "w");
	if (!ip)
		unit_setup_fail("ip -batch: %s", strerror(errno));
	fprintf(ip, "link set lo up\n");
	for (i = 0; i < IF_MAX; i++) {
		__u8 m[6];
		char mac[32];

		unit_if_mac(i, m);
		unit_hex(m, 6, mac, sizeof(mac));
		if (i == IF_TC0)
			fprintf(ip, "link add %s address %s type ifb\n", unit_if_names[i], mac);
		else
			fprintf(ip, "link add %s address %s type veth peer name %sp\n",
				unit_if_names[i], mac, unit_if_names[i]);
		fprintf(ip, "link set %s up\n", unit_if_names[i]);
		if (i != IF_TC0 && i != IF_SFD)
			fprintf(ip, "link set %sp up\n", unit_if_names[i]);
	}
	if (pclose(ip))
		unit_setup_fail("ip -batch: building the topology failed");
	for (i = 0; i < IF_MAX; i++) {
		ifx[i] = if_nametoindex(unit_if_names[i]);
		if (!ifx[i])
			unit_setup_fail("interface %s: %s", unit_if_names[i], strerror(errno));
	}
}

/* Own netns, topology, datapath loaded under a pin dir of our own. */
static inline void unit_env_init(void)
{
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sfc_log_set_level(SFC_LOG_WARN);
	sfc_log_hook_libbpf();
	if (unshare(CLONE_NEWNET))
		unit_setup_fail("unshare(CLONE_NEWNET): %s (run as root)", strerror(errno));
	unit_topology();

	snprintf(unit_pin_dir, sizeof(unit_pin_dir), "/sys/fs/bpf/sfc-unit-%d", getpid());
	atexit(unit_cleanup);
	signal(SIGINT, unit_on_signal);
	signal(SIGTERM, unit_on_signal);
	signal(SIGSEGV, unit_on_signal);
	signal(SIGABRT, unit_on_signal);
	if (unit_pre_load) {
		err = sfc_dp_ensure_bpffs(unit_pin_dir);
		if (!err && mkdir(unit_pin_dir, 0700) && errno != EEXIST)
			err = -errno;
		if (err)
			unit_setup_fail("pin dir %s: %s", unit_pin_dir, strerror(-err));
		unit_pre_load(unit_pin_dir);
	}
	err = sfc_dp_load(unit_pin_dir, &dp);
	if (err)
		unit_setup_fail("sfc_dp_load(%s): %s", unit_pin_dir, strerror(-err));
	/* the programs are run by hand (BPF_PROG_TEST_RUN), the XDP entry
	 * first: interfaces steered in XDP, as sfcd --steer xdp does */
	dp->steer = SFC_STEER_XDP;
}

/* ------------------------------------------------------------------ */
/* Documents                                                          */

/* The error text of the last unit_apply/unit_parse that failed. */
static char unit_err[SFC_ERR_LEN] UNIT_UNUSED;
static struct sfc_apply_report unit_rep UNIT_UNUSED;

/* JSON written with single quotes (readable in C), made real JSON. */
static inline char *unit_json(const char *sq)
{
	char *s = strdup(sq);

	for (char *p = s; p && *p; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

static inline int unit_parse(const char *sq, struct sfc_doc *doc)
{
	char *text = unit_json(sq);
	int err;

	if (!text)
		return -ENOMEM;
	err = sfc_doc_from_json_text(text, strlen(text), doc, unit_err, sizeof(unit_err));
	free(text);
	return err;
}

/* Parse and apply a document; the report lands in unit_rep. */
static inline int unit_apply(const char *sq)
{
	struct sfc_doc doc = {};
	int err;

	unit_err[0] = '\0';
	err = unit_parse(sq, &doc);
	if (err)
		return err;
	sfc_apply_report_free(&unit_rep);
	err = sfc_apply(dp, &doc, &unit_rep, unit_err, sizeof(unit_err));
	sfc_doc_free(&doc);
	return err;
}

#define APPLY_OK(sq)                                                           \
	do {                                                                   \
		int __r = unit_apply(sq);                                      \
		if (__r)                                                       \
			FAIL("apply: expected 0, got %d (%s: %s)", __r,        \
			     strerror(-__r), unit_err);                        \
	} while (0)

#include "unit_pkt.h"
#include "unit_run.h"

/* main() of a test binary whose tests all run on one document: the
 * environment, the document applied (a failure is a failed "setup"),
 * then the selected tests. */
static inline int unit_main_with_doc(const char *doc, const struct unit_test *tests, size_t n,
				     int argc, char **argv)
{
	unit_env_init();
	if (unit_apply(doc))
		unit_setup_fail("apply: %s", unit_err);
	return unit_run(tests, n, argc, argv);
}

#endif
