/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Path versions and their lifetime.
 *
 * Every write of a chain (an edit, an SF moved to another interface) is a
 * new version under a path id never used by a live version: the datapath
 * switches the chain head to it in one write, and a flow keeps the version
 * it was classified on (its sfc_flows entry holds the path id), so packets
 * in flight never skip, repeat or misdirect a hop. The version the head
 * left is retired, not rewritten: it lives on while flows use it.
 *
 * The collector frees a retired version once no flow entry names it. A
 * pass walks sfc_flows: an entry of a retired version without the mark
 * SFC_FLOW_IDLE gets it (its next packet clears it); one that still
 * carries it counts one more idle pass in its flags, and once it has been
 * idle for the flow idle time (sfcd --flow-idle, 30 s by default) that
 * flow has ended and its entry goes. Until then it keeps its version, and
 * so its SF instances, alive: a connection quiet for a while stays on the
 * firewall that has its state, whatever edits happened meanwhile. A version
 * is looked at only a grace period after it was retired, so that every
 * packet that read the old head has long written its entry. Ids are taken
 * round-robin, so a freed id is reused as late as possible.
 *
 * sfcd holds the pool (one per struct sfc_dp); it is read from the maps on
 * first use: the versions the chain heads point at are live, any other
 * with hops is retired as of then.
 */
#ifndef SFC_PATH_POOL_H
#define SFC_PATH_POOL_H

#include <stdbool.h>
#include <linux/types.h>

#include "datapath.h"

#define SFC_PATH_GRACE_MS     1000  /* retired this long before a pass looks at it */
#define SFC_PATH_GC_EVERY_MS  2000  /* between two passes */
#define SFC_FLOW_IDLE_MS      30000 /* a flow of a retired version idle that long ends */
#define SFC_FLOW_IDLE_MAX_MS  (255 * SFC_PATH_GC_EVERY_MS)

struct sfc_path_gc_stats {
	unsigned long passes;
	unsigned long flows_aged;     /* entries marked idle */
	unsigned long flows_ended;    /* entries removed: idle a whole interval */
	unsigned long flows_migrated; /* entries removed at the operator's request */
	unsigned long versions_freed;
};

/* A free path id for a new version, taken (live from now on); -ENOSPC
 * when every id is held by a live or retired version. */
int sfc_path_take(struct sfc_dp *dp, __u32 chain_id, __u32 *path_id);
/* The chain head no longer points at path_id (or never came to); its
 * reply version goes with it. */
void sfc_path_retire(struct sfc_dp *dp, __u32 path_id);
/* rev (taken) is the reply version of version fwd (a symmetric chain's):
 * retired with it, and freed only once fwd is, since fwd's flows may
 * still start replies on it. */
void sfc_path_pair(struct sfc_dp *dp, __u32 fwd, __u32 rev);
/* The ids of a new version of chain chain_id: *path_id, and for a
 * symmetric chain (path flags SFC_PATH_SYMMETRIC) its reply version's
 * *rev, paired (else *rev 0). -ENOSPC as sfc_path_take; -EOPNOTSUPP for
 * a symmetric chain in pins without sfc_path_rev. */
int sfc_path_take_version(struct sfc_dp *dp, __u32 chain_id, __u8 path_flags, __u32 *path_id,
			  __u32 *rev);

/* held[cid] = 1 for every chain id a retired version still belongs to
 * (held: SFC_MAX_CHAINS entries): a new chain must not take such an id,
 * or a flow of the old chain classified again into the new one would
 * keep the old chain's version. */
void sfc_path_held_chains(struct sfc_dp *dp, __u8 *held);

/* A chain's on-failure and end are the chain's, not a version's: written
 * into its retired versions too when they change. */
void sfc_path_set_policy(struct sfc_dp *dp, __u32 chain_id, __u8 on_failure, __u8 end);

/* Live and retired versions now. */
void sfc_path_count(struct sfc_dp *dp, unsigned int *live, unsigned int *retired);
const struct sfc_path_gc_stats *sfc_path_gc_stats(struct sfc_dp *dp);

/*
 * One step of the collector at now_ms (CLOCK_MONOTONIC): starts a pass
 * when one is due, walks up to max_flows entries of sfc_flows, and at the
 * end of the walk frees the versions no entry named. The ms until the
 * next step is due (0: the pass is under way), or -1: nothing retired.
 */
/* How long a flow of a retired version may stay idle before it ends (and
 * stops holding its version, and so its SF instances): dp->flow_idle_ms
 * (0: SFC_FLOW_IDLE_MS) rounded up to whole passes. */
unsigned int sfc_path_flow_idle_ms(const struct sfc_dp *dp);
long sfc_path_gc_step(struct sfc_dp *dp, __u64 now_ms, unsigned int max_flows);

/*
 * The operator asks the flows of chain_id's retired versions (every
 * chain's with chain_id 0) to move to the current version: their entries
 * go, so their next packet is classified again; then the versions nobody
 * names are freed. The number of entries removed, or -errno.
 */
long sfc_path_migrate(struct sfc_dp *dp, __u32 chain_id);

/* sfc_dp_close's */
void sfc_path_pool_free(struct sfc_dp *dp);

/* ms of CLOCK_MONOTONIC */
__u64 sfc_now_ms(void);

#endif
