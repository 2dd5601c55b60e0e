/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A fixed-size open-addressing map from a key (a string or a u32) to an
 * array index, built in one pass over a document's array: lookups by name
 * or pref are O(1), so validating and diffing 100k rules stays linear.
 * String keys point into the array they index; rebuild after the array
 * moves.
 */
#ifndef SFC_MODEL_INDEX_H
#define SFC_MODEL_INDEX_H

#include <stddef.h>
#include <linux/types.h>

struct sfc_map {
	size_t cap;
	struct sfc_map_slot {
		const char *s;   /* NULL for u32 keys */
		__u32 k;
		int idx;         /* -1: empty */
	} *slot;
};

/* Room for n keys. 0 or -ENOMEM. */
int sfc_map_init(struct sfc_map *m, size_t n);
/* The same on a map initialised or freed before: emptied, its slots kept
 * when they are as many as n keys need (nothing to free and fault in
 * again), else made anew. 0 or -ENOMEM (the map then freed). */
int sfc_map_reinit(struct sfc_map *m, size_t n);
void sfc_map_free(struct sfc_map *m);
/* Insert (key, idx) unless key is there: then return the index it has. */
int sfc_map_put_str(struct sfc_map *m, const char *s, int idx);
int sfc_map_put_u32(struct sfc_map *m, __u32 k, int idx);
/* The index of key, or -1. */
int sfc_map_get_str(const struct sfc_map *m, const char *s);
int sfc_map_get_u32(const struct sfc_map *m, __u32 k);

#endif
