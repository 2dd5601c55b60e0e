// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "index.h"
#include "yield.h"

static size_t cap_for(size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	return cap;
}

/* Every slot empty. A map for 100k keys is 6 MiB: the fill is a yield
 * point, and touching fresh pages takes milliseconds. */
static void clear(struct sfc_map *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		sfc_yield();
		m->slot[i].idx = -1;
	}
}

int sfc_map_init(struct sfc_map *m, size_t n)
{
	m->cap = cap_for(n);
	m->slot = malloc(m->cap * sizeof(*m->slot));
	if (!m->slot) {
		m->cap = 0;
		return -ENOMEM;
	}
	clear(m);
	return 0;
}

int sfc_map_reinit(struct sfc_map *m, size_t n)
{
	if (m->slot && m->cap == cap_for(n)) {
		clear(m);
		return 0;
	}
	sfc_map_free(m);
	return sfc_map_init(m, n);
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
