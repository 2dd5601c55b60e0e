// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The weighted table of a hop: see lb_table.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "lb_table.h"

__u32 lb_inst_key(const char *name)
{
	return sfc_hash_str(SFC_FNV_SEED, name);
}

/* The score of instance key for slot j: the higher, the more the slot
 * belongs to it (murmur3's finalizer over both). */
static __u32 score(__u32 key, __u32 j)
{
	__u32 h = key ^ (j * 0x9e3779b9u);

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Instances in a fixed order (by key, then id): ties go the same way
 * whatever order the caller listed them in. */
static int cmp_inst(const void *a, const void *b)
{
	const struct lb_inst *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Quotas in proportion to the weights: the integer parts, then one more
 * slot each to the instances that held more than their integer part in
 * prev (so that a change elsewhere does not take back a slot they have),
 * then to the largest remainders; at least one slot each.
 */
static void quotas(const struct lb_inst *in, int n, const int *held, __u32 size, int *q)
{
	__u64 total = 0, rem[SFC_LB_MAX_INST];
	__u32 left = size;
	bool bonus[SFC_LB_MAX_INST] = {};

	for (int i = 0; i < n; i++)
		total += in[i].weight;
	for (int i = 0; i < n; i++) {
		__u64 x = (__u64)size * in[i].weight;

		q[i] = x / total;
		rem[i] = x % total;
		left -= q[i];
	}
	for (int pass = 0; pass < 2 && left; pass++) {
		while (left) {
			int best = -1;

			for (int i = 0; i < n; i++) {
				if (bonus[i] || (pass == 0 && held[i] <= q[i]))
					continue;
				if (best < 0 || rem[i] > rem[best])
					best = i;
			}
			if (best < 0)
				break;
			bonus[best] = true;
			q[best]++;
			left--;
		}
	}
	for (int i = 0; i < n; i++) {
		int big = 0;

		if (q[i])
			continue;
		for (int k = 1; k < n; k++)
			if (q[k] > q[big])
				big = k;
		q[big]--;
		q[i] = 1;
	}
}

struct held_slot {
	__u32 j, s;
};

static int cmp_held(const void *a, const void *b)
{
	const struct held_slot *x = a, *y = b;

	return (x->s < y->s) - (x->s > y->s); /* highest score first */
}

int lb_table_build(const struct lb_inst *in_, int n, const struct sfc_lb *prev,
		   struct sfc_lb *out)
{
	const __u32 size = SFC_LB_SLOTS;
	struct lb_inst in[SFC_LB_MAX_INST];
	int q[SFC_LB_MAX_INST], held[SFC_LB_MAX_INST] = {}, got[SFC_LB_MAX_INST] = {};
	int *owner = NULL;
	struct held_slot *hs = NULL;
	int idx_of[SFC_MAX_SFS];

	if (n < 1 || n > SFC_LB_MAX_INST)
		return -EINVAL;
	memcpy(in, in_, n * sizeof(*in));
	qsort(in, n, sizeof(*in), cmp_inst);
	for (int i = 0; i < n; i++)
		if (!in[i].weight || !in[i].id || in[i].id >= SFC_MAX_SFS)
			return -EINVAL;
	owner = malloc(size * sizeof(*owner));
	hs = malloc(size * sizeof(*hs));
	if (!owner || !hs) {
		free(owner);
		free(hs);
		return -ENOMEM;
	}
	memset(idx_of, 0xff, sizeof(idx_of));
	for (int i = 0; i < n; i++)
		idx_of[in[i].id] = i;

	/* what each instance holds in the table it replaces */
	for (__u32 j = 0; j < size; j++) {
		int o = -1;

		if (prev && prev->size == size && prev->slot[j] < SFC_MAX_SFS)
			o = idx_of[prev->slot[j]];
		owner[j] = o;
		if (o >= 0)
			held[o]++;
	}
	quotas(in, n, held, size, q);

	/* an instance over its quota keeps its best-scored slots */
	for (int i = 0; i < n; i++) {
		int m = 0;

		if (held[i] <= q[i]) {
			got[i] = held[i];
			continue;
		}
		for (__u32 j = 0; j < size; j++)
			if (owner[j] == i)
				hs[m++] = (struct held_slot){ .j = j, .s = score(in[i].key, j) };
		qsort(hs, m, sizeof(*hs), cmp_held);
		for (int k = q[i]; k < m; k++)
			owner[hs[k].j] = -1;
		got[i] = q[i];
	}
	/* free slots to the best-scored instance still short of its quota */
	for (__u32 j = 0; j < size; j++) {
		int best = -1;
		__u32 bs = 0;

		if (owner[j] >= 0)
			continue;
		for (int i = 0; i < n; i++) {
			__u32 s;

			if (got[i] >= q[i])
				continue;
			s = score(in[i].key, j);
			if (best < 0 || s > bs) {
				best = i;
				bs = s;
			}
		}
		owner[j] = best; /* quotas sum to size: never -1 */
		got[best]++;
	}

	memset(out, 0, sizeof(*out));
	out->size = size;
	out->ninst = n;
	for (int i = 0; i < n; i++)
		out->inst[i] = in[i].id;
	for (__u32 j = 0; j < size; j++)
		out->slot[j] = in[owner[j]].id;
	free(owner);
	free(hs);
	return 0;
}

__u32 lb_table_digest(const struct sfc_lb *t)
{
	return sfc_hash_bytes(SFC_FNV_SEED, t, sizeof(*t));
}
