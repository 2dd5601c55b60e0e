/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Error messages into a caller's buffer: the one formatter for them. */
#ifndef SFC_ERRMSG_H
#define SFC_ERRMSG_H

#include <stddef.h>

/* printf into err (errlen bytes); returns ret (a -errno), so that
 * "return sfc_errf(err, errlen, -EINVAL, ...)" sets and fails at once. */
int sfc_errf(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
