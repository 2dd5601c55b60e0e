// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void sfc_vlog(int level, const char *fmt, va_list ap)
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
	sfc_vlog(level, fmt, ap);
	va_end(ap);
}
