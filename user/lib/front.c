// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The direct-mapped fronts of sfc_ifaces, sfc_hops and sfc_sf_pos. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "front.h"

static void if_slot(const struct sfc_maps *m, __u32 ifindex, const struct sfc_iface *v)
{
	struct sfc_if_front f = { .ifindex = ifindex, .check = ifindex };
	__u32 i = sfc_if_front_idx(ifindex);

	if (m->if_front < 0)
		return;
	if (v)
		f.v = *v;
	else
		f = (struct sfc_if_front){ 0 };
	bpf_map_update_elem(m->if_front, &i, &f, BPF_ANY);
}

static void hop_slot(const struct sfc_maps *m, const struct sfc_hop_key *k,
		     const struct sfc_hop *v)
{
	struct sfc_hop_front f = {};
	__u32 i = sfc_hop_front_idx(k->path_id, k->si);

	if (m->hop_front < 0)
		return;
	if (v) {
		f.k.path_id = k->path_id;
		f.k.si = k->si;
		f.v = *v;
		f.check = k->path_id;
	}
	bpf_map_update_elem(m->hop_front, &i, &f, BPF_ANY);
}

static void pos_slot(const struct sfc_maps *m, const struct sfc_pos_key *k,
		     const struct sfc_pos *v)
{
	struct sfc_pos_front f = {};
	__u32 i = sfc_pos_front_idx(k->ifindex, k->path_id);

	if (m->pos_front < 0)
		return;
	if (v) {
		f.k = *k;
		f.v = *v;
		f.check = k->path_id;
	}
	bpf_map_update_elem(m->pos_front, &i, &f, BPF_ANY);
}

/* Does the slot of each front hold this key? */
static bool if_holds(const struct sfc_maps *m, __u32 ifindex)
{
	__u32 i = sfc_if_front_idx(ifindex);
	struct sfc_if_front f;

	return m->if_front >= 0 && !bpf_map_lookup_elem(m->if_front, &i, &f) &&
	       f.ifindex == ifindex;
}

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
	if (if_holds(m, ifindex))
		if_slot(m, ifindex, NULL);
	return bpf_map_delete_elem(m->ifaces, &ifindex) ? -errno : 0;
}

/* Hops and positions come and go by the thousand (chain versions): their
 * slot is cleared without looking whose it is. A slot of another key
 * cleared by a collision costs that key the fast path, never correctness:
 * the hash map answers. */
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

/* n slots of an array in one syscall. */
static void slots_write(int fd, const __u32 *idx, const void *vals, size_t n)
{
	__u32 count = n;

	if (fd >= 0 && n)
		bpf_map_update_batch(fd, idx, vals, &count, NULL);
}

void sfc_hop_front_fill(const struct sfc_maps *m, const struct sfc_hop_key *k,
			const struct sfc_hop *v, size_t n)
{
	struct sfc_hop_front *f;
	__u32 *idx;

	if (m->hop_front < 0 || !n)
		return;
	f = calloc(n, sizeof(*f));
	idx = calloc(n, sizeof(*idx));
	for (size_t i = 0; f && idx && i < n; i++) {
		idx[i] = sfc_hop_front_idx(k[i].path_id, k[i].si);
		f[i].k.path_id = k[i].path_id;
		f[i].k.si = k[i].si;
		f[i].v = v[i];
		f[i].check = k[i].path_id;
	}
	if (f && idx)
		slots_write(m->hop_front, idx, f, n);
	else /* no memory for the batch: one at a time */
		for (size_t i = 0; i < n; i++)
			hop_slot(m, &k[i], &v[i]);
	free(f);
	free(idx);
}

void sfc_pos_front_fill(const struct sfc_maps *m, const struct sfc_pos_key *k,
			const struct sfc_pos *v, size_t n)
{
	struct sfc_pos_front *f;
	__u32 *idx;

	if (m->pos_front < 0 || !n)
		return;
	f = calloc(n, sizeof(*f));
	idx = calloc(n, sizeof(*idx));
	for (size_t i = 0; f && idx && i < n; i++) {
		idx[i] = sfc_pos_front_idx(k[i].ifindex, k[i].path_id);
		if (v) {
			f[i].k = k[i];
			f[i].v = v[i];
			f[i].check = k[i].path_id;
		}
	}
	if (f && idx)
		slots_write(m->pos_front, idx, f, n);
	else
		for (size_t i = 0; i < n; i++)
			pos_slot(m, &k[i], v ? &v[i] : NULL);
	free(f);
	free(idx);
}

void sfc_pos_front_clear(const struct sfc_maps *m, const struct sfc_pos_key *k, size_t n)
{
	sfc_pos_front_fill(m, k, NULL, n);
}

/* Zero a whole front, 4096 slots a syscall. */
static int front_clear(int fd, __u32 slots, size_t vsize)
{
	enum { CHUNK = 4096 };
	void *zero = calloc(CHUNK, vsize);
	__u32 *idx = calloc(CHUNK, sizeof(*idx));
	int err = 0;

	if (!zero || !idx) {
		free(zero);
		free(idx);
		return -ENOMEM;
	}
	for (__u32 base = 0; base < slots && !err; base += CHUNK) {
		__u32 n = slots - base < CHUNK ? slots - base : CHUNK, count = n;

		for (__u32 i = 0; i < n; i++)
			idx[i] = base + i;
		if (bpf_map_update_batch(fd, idx, zero, &count, NULL))
			err = -errno;
	}
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
