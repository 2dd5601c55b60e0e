/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SFC_LOG_H
#define SFC_LOG_H

#include <stdarg.h>

enum sfc_log_level { SFC_LOG_WARN = 0, SFC_LOG_INFO = 1, SFC_LOG_DEBUG = 2 };

void sfc_log_set_level(int level);
int sfc_log_level(void);
void sfc_log_set_prefix(const char *prefix);
void sfc_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sfc_vlog(int level, const char *fmt, va_list ap);
/* Route libbpf's messages through sfc_log (warnings always, the rest at -vv);
 * in the loader library (user/lib/libbpf_log.c), for the programs that link it. */
void sfc_log_hook_libbpf(void);

#define pr_warn(...)  sfc_log(SFC_LOG_WARN, __VA_ARGS__)
#define pr_info(...)  sfc_log(SFC_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) sfc_log(SFC_LOG_DEBUG, __VA_ARGS__)

#endif
