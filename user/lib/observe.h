/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The observation maps from user space (SFC_ABI_VERSION 6): the switches
 * in sfc_obs, drops by chain, hop and reason, SF latency histograms.
 * Every function is a no-op (or reads nothing) on pins older than them.
 */
#ifndef SFC_OBSERVE_H
#define SFC_OBSERVE_H

#include <linux/types.h>

#include "datapath.h"
#include "lat_hist.h"

/* sfc_obs.flags: set the bits of set, clear those of clear, keep the rest.
 * -ENOENT on pins without sfc_obs. */
int sfc_obs_update(const struct sfc_dp *dp, __u32 set, __u32 clear);
int sfc_obs_read(const struct sfc_dp *dp, struct sfc_obs *out);
/* The whole record (monitor filters); the caller keeps other bits. */
int sfc_obs_write(const struct sfc_dp *dp, const struct sfc_obs *o);

/* One sfc_hop_drops entry */
struct sfc_drop_entry {
	__u32 chain_id;
	__u32 slot;
	__u32 reason;
	__u64 count;
};

/* Every entry of sfc_hop_drops into *out (malloc'd, sorted by chain, slot
 * and reason); their number, or -errno. */
int sfc_hop_drops_read(const struct sfc_dp *dp, struct sfc_drop_entry **out);
/* Forget the drops counted for hop slots (fresh_slot[slot] != 0, an array
 * of SFC_HOP_STATS_ENTRIES; may be NULL) and chain ids (fresh_chain[id],
 * SFC_MAX_CHAINS; may be NULL) that were just given to new hops and
 * chains, or whose chain is gone. */
void sfc_hop_drops_forget(const struct sfc_dp *dp, const char *fresh_slot,
			  const char *fresh_chain);

/* SF sf_id's latency histogram, summed over CPUs; -errno. */
int sfc_sf_latency(const struct sfc_dp *dp, __u32 sf_id, __u64 b[SFC_LAT_BUCKETS]);
int sfc_sf_latency_reset(const struct sfc_dp *dp, __u32 sf_id);

#endif
