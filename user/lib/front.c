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

static bool hop_holds(const struct sfc_maps *m, const struct sfc_hop_key *k)
{
	__u32 i = sfc_hop_front_idx(k->path_id, k->si);
	struct sfc_hop_front f;

	return m->hop_front >= 0 && !bpf_map_lookup_elem(m->hop_front, &i, &f) &&
	       f.k.path_id == k->path_id && f.k.si == k->si;
}

static bool pos_holds(const struct sfc_maps *m, const struct sfc_pos_key *k)
{
	__u32 i = sfc_pos_front_idx(k->ifindex, k->path_id);
	struct sfc_pos_front f;

	return m->pos_front >= 0 && !bpf_map_lookup_elem(m->pos_front, &i, &f) &&
	       f.k.ifindex == k->ifindex && f.k.path_id == k->path_id;
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

int sfc_hop_del(const struct sfc_maps *m, const struct sfc_hop_key *k)
{
	if (hop_holds(m, k))
		hop_slot(m, k, NULL);
	return bpf_map_delete_elem(m->hops, k) ? -errno : 0;
}

int sfc_pos_del(const struct sfc_maps *m, const struct sfc_pos_key *k)
{
	if (pos_holds(m, k))
		pos_slot(m, k, NULL);
	return bpf_map_delete_elem(m->sf_pos, k) ? -errno : 0;
}

void sfc_hop_front_fill(const struct sfc_maps *m, const struct sfc_hop_key *k,
			const struct sfc_hop *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hop_slot(m, &k[i], &v[i]);
}

void sfc_pos_front_fill(const struct sfc_maps *m, const struct sfc_pos_key *k,
			const struct sfc_pos *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pos_slot(m, &k[i], &v[i]);
}

void sfc_pos_front_clear(const struct sfc_maps *m, const struct sfc_pos_key *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pos_holds(m, &k[i]))
			pos_slot(m, &k[i], NULL);
}

/* Zero a whole front. */
static int front_clear(int fd, __u32 slots, size_t vsize)
{
	void *zero = calloc(1, vsize);
	int err = 0;

	if (!zero)
		return -ENOMEM;
	for (__u32 i = 0; i < slots && !err; i++)
		if (bpf_map_update_elem(fd, &i, zero, BPF_ANY))
			err = -errno;
	free(zero);
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
