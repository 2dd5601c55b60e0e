// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libbpf's messages through sfc's logging. */
#include <stdarg.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "log.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int l = level == LIBBPF_WARN ? SFC_LOG_WARN : SFC_LOG_DEBUG;

	/* Netlink refusals reach the caller as errors, which say it better
	 * ("exclusivity flag" is just an existing clsact qdisc). */
	if (strstr(fmt, "Kernel error message"))
		l = SFC_LOG_DEBUG;

	sfc_vlog(l, fmt, ap);
	return 0;
}

void sfc_log_hook_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
