/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The direct-mapped arrays in front of sfc_ifaces, sfc_hops and sfc_sf_pos
 * (struct sfc_if_front in sfc_abi.h): every write of those hash maps goes
 * through here, the hash map first and then the slot; every delete clears
 * the slot first. With fds of -1 (a datapath opened read-only from pins
 * older than the arrays) only the hash maps are written.
 */
#ifndef SFC_FRONT_H
#define SFC_FRONT_H

#include "datapath.h"

/* bpf_map_update_elem of the hash map (flags: BPF_ANY, BPF_EXIST...),
 * then the slot. 0 or -errno of the hash map's update. */
int sfc_iface_put(const struct sfc_maps *m, __u32 ifindex, const struct sfc_iface *v,
		  __u64 flags);
int sfc_hop_put(const struct sfc_maps *m, const struct sfc_hop_key *k, const struct sfc_hop *v);
int sfc_pos_put(const struct sfc_maps *m, const struct sfc_pos_key *k, const struct sfc_pos *v);

/* Clear the slot if it holds the key (another key's, after a collision,
 * stays), then delete the key from the hash map. 0 or -errno of the
 * delete. */
int sfc_iface_del(const struct sfc_maps *m, __u32 ifindex);
int sfc_hop_del(const struct sfc_maps *m, const struct sfc_hop_key *k);
int sfc_pos_del(const struct sfc_maps *m, const struct sfc_pos_key *k);

/* After a batch update of n entries of sfc_hops or sfc_sf_pos: their slots. */
void sfc_hop_front_fill(const struct sfc_maps *m, const struct sfc_hop_key *k,
			const struct sfc_hop *v, size_t n);
void sfc_pos_front_fill(const struct sfc_maps *m, const struct sfc_pos_key *k,
			const struct sfc_pos *v, size_t n);
/* Before a batch delete of n keys of sfc_sf_pos: clear the slots that
 * hold them. The fills are one syscall each, the clear two. */
void sfc_pos_front_clear(const struct sfc_maps *m, const struct sfc_pos_key *k, size_t n);

/* Every slot again from the hash maps (sfcd's start): slots of keys no
 * longer there are cleared. 0 or -errno. */
int sfc_front_sync(const struct sfc_maps *m);

#endif
