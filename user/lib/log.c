// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "log.h"

static int log_level = SFC_LOG_WARN;
static const char *log_prefix = "sfc";

void sfc_log_set_level(int level)
{
	log_level = level;
}

int sfc_log_level(void)
{
	return log_level;
}

void sfc_log_set_prefix(const char *prefix)
{
	log_prefix = prefix;
}

static void vlog(int level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "warning", "info", "debug" };

	if (level > log_level)
		return;
	fprintf(stderr, "%s: %s: ", log_prefix, names[level]);
	vfprintf(stderr, fmt, ap);
}

void sfc_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int l = level == LIBBPF_WARN ? SFC_LOG_WARN : SFC_LOG_DEBUG;

	/* Netlink refusals reach the caller as errors, which say it better
	 * ("exclusivity flag" is just an existing clsact qdisc). */
	if (strstr(fmt, "Kernel error message"))
		l = SFC_LOG_DEBUG;

	vlog(l, fmt, ap);
	return 0;
}

void sfc_log_hook_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
