// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The direct-mapped fronts of sfc_ifaces, sfc_hops and sfc_sf_pos. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "front.h"

/* The slot of a key and what it holds for value v (NULL: empty). */
static __u32 if_entry(__u32 ifindex, const struct sfc_iface *v, struct sfc_if_front *f)
{
	*f = (struct sfc_if_front){ 0 };
	if (v)
		*f = (struct sfc_if_front){ .ifindex = ifindex, .v = *v, .check = ifindex };
	return sfc_if_front_idx(ifindex);
}

static __u32 hop_entry(const struct sfc_hop_key *k, const struct sfc_hop *v,
		       struct sfc_hop_front *f)
{
	*f = (struct sfc_hop_front){ 0 };
	if (v)
		*f = (struct sfc_hop_front){ .k = { .path_id = k->path_id, .si = k->si },
					     .v = *v, .check = k->path_id };
	return sfc_hop_front_idx(k->path_id, k->si);
}

static __u32 pos_entry(const struct sfc_pos_key *k, const struct sfc_pos *v,
		       struct sfc_pos_front *f)
{
	*f = (struct sfc_pos_front){ 0 };
	if (v)
		*f = (struct sfc_pos_front){ .k = *k, .v = *v, .check = k->path_id };
	return sfc_pos_front_idx(k->ifindex, k->path_id);
}

/* Write a slot; with v NULL, clear it only if it holds the key: a slot
 * that another key took (a collision) stays that key's fast path. */
#define SLOT(name, fd_field, key_t, val_t, front_t, holds)                     \
	static void name##_slot(const struct sfc_maps *m, key_t k, const val_t *v) \
	{                                                                      \
		front_t f, cur;                                                \
		__u32 i = name##_entry(k, v, &f);                              \
									       \
		if (m->fd_field < 0)                                           \
			return;                                                \
		if (!v && (bpf_map_lookup_elem(m->fd_field, &i, &cur) || !(holds))) \
			return;                                                \
		bpf_map_update_elem(m->fd_field, &i, &f, BPF_ANY);             \
	}
SLOT(if, if_front, __u32, struct sfc_iface, struct sfc_if_front, cur.ifindex == k)
SLOT(hop, hop_front, const struct sfc_hop_key *, struct sfc_hop, struct sfc_hop_front,
     cur.k.path_id == k->path_id && cur.k.si == k->si)
SLOT(pos, pos_front, const struct sfc_pos_key *, struct sfc_pos, struct sfc_pos_front,
     cur.k.ifindex == k->ifindex && cur.k.path_id == k->path_id)
#undef SLOT

int sfc_iface_put(const struct sfc_maps *m, __u32 ifindex, const struct sfc_iface *v,
		  __u64 flags)
{
	if (bpf_map_update_elem(m->ifaces, &ifindex, v, flags))
		return -errno;
	if_slot(m, ifindex, v);
	return 0;
}

int sfc_hop_put(const struct sfc_maps *m, const struct sfc_hop_key *k, const struct sfc_hop *v)
{
	if (bpf_map_update_elem(m->hops, k, v, BPF_ANY))
		return -errno;
	hop_slot(m, k, v);
	return 0;
}

int sfc_pos_put(const struct sfc_maps *m, const struct sfc_pos_key *k, const struct sfc_pos *v)
{
	if (bpf_map_update_elem(m->sf_pos, k, v, BPF_ANY))
		return -errno;
	pos_slot(m, k, v);
	return 0;
}

int sfc_iface_del(const struct sfc_maps *m, __u32 ifindex)
{
	if_slot(m, ifindex, NULL);
	return bpf_map_delete_elem(m->ifaces, &ifindex) ? -errno : 0;
}

int sfc_hop_del(const struct sfc_maps *m, const struct sfc_hop_key *k)
{
	hop_slot(m, k, NULL);
	return bpf_map_delete_elem(m->hops, k) ? -errno : 0;
}

int sfc_pos_del(const struct sfc_maps *m, const struct sfc_pos_key *k)
{
	pos_slot(m, k, NULL);
	return bpf_map_delete_elem(m->sf_pos, k) ? -errno : 0;
}

/* n slots of an array in one syscall; 0 or -errno. */
static int slots_write(int fd, const __u32 *idx, const void *vals, size_t n)
{
	__u32 count = n;

	if (fd < 0 || !n)
		return 0;
	return bpf_map_update_batch(fd, idx, vals, &count, NULL) ? -errno : 0;
}

void sfc_hop_front_fill(const struct sfc_maps *m, const struct sfc_hop_key *k,
			const struct sfc_hop *v, size_t n)
{
	struct sfc_hop_front *f = m->hop_front >= 0 && n ? calloc(n, sizeof(*f)) : NULL;
	__u32 *idx = f ? calloc(n, sizeof(*idx)) : NULL;

	for (size_t i = 0; idx && i < n; i++)
		idx[i] = hop_entry(&k[i], &v[i], &f[i]);
	if (!idx || slots_write(m->hop_front, idx, f, n))
		for (size_t i = 0; i < n; i++) /* one at a time */
			hop_slot(m, &k[i], &v[i]);
	free(f);
	free(idx);
}

void sfc_pos_front_fill(const struct sfc_maps *m, const struct sfc_pos_key *k,
			const struct sfc_pos *v, size_t n)
{
	struct sfc_pos_front *f = m->pos_front >= 0 && n ? calloc(n, sizeof(*f)) : NULL;
	__u32 *idx = f ? calloc(n, sizeof(*idx)) : NULL;

	for (size_t i = 0; idx && i < n; i++)
		idx[i] = pos_entry(&k[i], &v[i], &f[i]);
	if (!idx || slots_write(m->pos_front, idx, f, n))
		for (size_t i = 0; i < n; i++)
			pos_slot(m, &k[i], &v[i]);
	free(f);
	free(idx);
}

/* Clearing many: the whole front read in one batch (256 KiB), then the
 * slots that hold one of the keys cleared in one batch. */
void sfc_pos_front_clear(const struct sfc_maps *m, const struct sfc_pos_key *k, size_t n)
{
	struct sfc_pos_front *all = NULL, *zero = NULL;
	__u32 *keys = NULL, *idx = NULL, count = SFC_POS_FRONT_SLOTS, out = 0;
	size_t nc = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (m->pos_front < 0 || !n)
		return;
	all = calloc(SFC_POS_FRONT_SLOTS, sizeof(*all));
	keys = calloc(SFC_POS_FRONT_SLOTS, sizeof(*keys));
	zero = calloc(n, sizeof(*zero));
	idx = calloc(n, sizeof(*idx));
	if (!all || !keys || !zero || !idx ||
	    (bpf_map_lookup_batch(m->pos_front, NULL, &out, keys, all, &count, &opts) &&
	     errno != ENOENT) || count != SFC_POS_FRONT_SLOTS) {
		for (size_t i = 0; i < n; i++) /* one at a time */
			pos_slot(m, &k[i], NULL);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		__u32 s = sfc_pos_front_idx(k[i].ifindex, k[i].path_id);

		if (all[s].k.ifindex == k[i].ifindex && all[s].k.path_id == k[i].path_id)
			idx[nc++] = s;
	}
	slots_write(m->pos_front, idx, zero, nc);
out:
	free(all);
	free(keys);
	free(zero);
	free(idx);
}

/* Zero a whole front, 4096 slots a syscall. */
static int front_clear(int fd, __u32 slots, size_t vsize)
{
	enum { CHUNK = 4096 };
	void *zero = calloc(CHUNK, vsize);
	__u32 *idx = calloc(CHUNK, sizeof(*idx));
	int err = 0;

	for (__u32 base = 0; zero && idx && base < slots && !err; base += CHUNK) {
		__u32 n = slots - base < CHUNK ? slots - base : CHUNK;

		for (__u32 i = 0; i < n; i++)
			idx[i] = base + i;
		err = slots_write(fd, idx, zero, n);
	}
	if (!zero || !idx)
		err = -ENOMEM;
	free(zero);
	free(idx);
	return err;
}

int sfc_front_sync(const struct sfc_maps *m)
{
	int err = 0;

	if (m->if_front >= 0) {
		__u32 k, *prev = NULL;
		struct sfc_iface v;

		err = front_clear(m->if_front, SFC_IF_FRONT_SLOTS, sizeof(struct sfc_if_front));
		while (!err && !bpf_map_get_next_key(m->ifaces, prev, &k)) {
			if (!bpf_map_lookup_elem(m->ifaces, &k, &v))
				if_slot(m, k, &v);
			prev = &k;
		}
	}
	if (!err && m->hop_front >= 0) {
		struct sfc_hop_key k, *prev = NULL;
		struct sfc_hop v;

		err = front_clear(m->hop_front, SFC_HOP_FRONT_SLOTS, sizeof(struct sfc_hop_front));
		while (!err && !bpf_map_get_next_key(m->hops, prev, &k)) {
			if (!bpf_map_lookup_elem(m->hops, &k, &v))
				hop_slot(m, &k, &v);
			prev = &k;
		}
	}
	if (!err && m->pos_front >= 0) {
		struct sfc_pos_key k, *prev = NULL;
		struct sfc_pos v;

		err = front_clear(m->pos_front, SFC_POS_FRONT_SLOTS, sizeof(struct sfc_pos_front));
		while (!err && !bpf_map_get_next_key(m->sf_pos, prev, &k)) {
			if (!bpf_map_lookup_elem(m->sf_pos, &k, &v))
				pos_slot(m, &k, &v);
			prev = &k;
		}
	}
	return err;
}
