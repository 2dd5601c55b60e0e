/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one hash of sfc's user space: 32-bit FNV-1a, over bytes or a string. */
#ifndef SFC_HASH_H
#define SFC_HASH_H

#include <stddef.h>
#include <linux/types.h>

#define SFC_FNV_SEED  0x811c9dc5u
#define SFC_FNV_PRIME 0x01000193u

static inline __u32 sfc_hash_bytes(__u32 h, const void *p, size_t n)
{
	const __u8 *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= SFC_FNV_PRIME;
	}
	return h;
}

static inline __u32 sfc_hash_str(__u32 h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= SFC_FNV_PRIME;
	}
	return h;
}

#endif
