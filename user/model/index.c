// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "index.h"
#include "yield.h"

int sfc_map_init(struct sfc_map *m, size_t n)
{
	m->cap = 16;
	while (m->cap < 2 * n)
		m->cap *= 2;
	m->slot = malloc(m->cap * sizeof(*m->slot));
	if (!m->slot) {
		m->cap = 0;
		return -ENOMEM;
	}
	/* A map for 100k keys is 6 MiB of fresh pages: touching them all
	 * takes milliseconds, so the fill is a yield point. */
	for (size_t i = 0; i < m->cap; i++) {
		sfc_yield();
		m->slot[i].idx = -1;
	}
	return 0;
}

void sfc_map_free(struct sfc_map *m)
{
	free(m->slot);
	m->slot = NULL;
	m->cap = 0;
}

static size_t str_slot(const struct sfc_map *m, const char *s)
{
	size_t i = sfc_hash_str(SFC_FNV_SEED, s) & (m->cap - 1);

	while (m->slot[i].idx >= 0 && strcmp(m->slot[i].s, s))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static size_t u32_slot(const struct sfc_map *m, __u32 k)
{
	size_t i = (k * 0x9e3779b1u) & (m->cap - 1);

	while (m->slot[i].idx >= 0 && m->slot[i].k != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

int sfc_map_put_str(struct sfc_map *m, const char *s, int idx)
{
	size_t i = str_slot(m, s);

	if (m->slot[i].idx >= 0)
		return m->slot[i].idx;
	m->slot[i].s = s;
	m->slot[i].idx = idx;
	return -1;
}

int sfc_map_put_u32(struct sfc_map *m, __u32 k, int idx)
{
	size_t i = u32_slot(m, k);

	if (m->slot[i].idx >= 0)
		return m->slot[i].idx;
	m->slot[i].s = NULL;
	m->slot[i].k = k;
	m->slot[i].idx = idx;
	return -1;
}

int sfc_map_get_str(const struct sfc_map *m, const char *s)
{
	return m->cap ? m->slot[str_slot(m, s)].idx : -1;
}

int sfc_map_get_u32(const struct sfc_map *m, __u32 k)
{
	return m->cap ? m->slot[u32_slot(m, k)].idx : -1;
}
