/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Pieces of apply.c that an incremental link update (link_update.c) runs
 * for one interface, one SF or one chain instead of the whole document.
 * They are apply.c's own steps, shared so both paths write the same
 * values; nothing else should call them.
 */
#ifndef SFC_APPLY_PARTS_H
#define SFC_APPLY_PARTS_H

#include <net/if.h>
#include <stdbool.h>

#include "apply.h"
#include "nl.h"

struct iface_plan {
	char name[IFNAMSIZ];
	int ifindex;              /* 0: does not exist */
	struct sfc_link link;
	struct sfc_iface v;
	const char *ret_of;       /* SF returning here */
	bool attached;
};

struct plan {
	struct iface_plan *ifs;
	int nifs;
	__u32 *sf_ids;            /* per doc->sfs[i] */
	__u32 *chain_ids;         /* per doc->chains[i] */
	bool *chain_new;
	bool *sf_new;
};

/* Instances a hop is built from; its SFC_HOP_BUCKETS buckets spread the
 * flows over at most that many of them. */
#define SFC_HOP_MAX_INSTANCES 64

struct chain_build {
	struct sfc_path path;
	struct sfc_hop hops[SFC_MAX_HOPS + 1];  /* by SI */
	int npos;
	struct { struct sfc_pos_key k; struct sfc_pos v; } pos[SFC_MAX_HOPS * SFC_HOP_MAX_INSTANCES];
};

/* Every sfc_sf_pos key, sorted by path: read once per apply, so purging
 * a path costs its own entries and not a walk of the whole map. */
struct pos_index {
	struct sfc_pos_key *k;
	size_t n;
};

/* The interface an SF sends back on: out_dev, or dev for a one-arm SF. */
const char *ret_dev(const struct sfc_sf_cfg *sf);
/* Attach programs on ip->name (its roles in ip->v.flags), give an
 * SF-facing veth's peer NAPI; fills ifindex, link, v; attached on success. */
void attach_iface(struct sfc_dp *dp, struct iface_plan *ip, struct sfc_apply_report *rep);
/* An SF's datapath entry from the state of its two interfaces; true when up. */
bool sf_value(const struct sfc_sf_cfg *sf, const struct iface_plan *out,
	      const struct iface_plan *ret_if, struct sfc_sf *v);
/* Path version path_id of doc->chains[ci]: hops (buckets over the instances
 * that sfv[] says are up) and position entries. Reads p->sf_ids, chain_ids. */
void build_chain(const struct sfc_doc *doc, const struct plan *p, int ci,
		 __u32 path_id, const struct sfc_sf *sfv, const __u32 *slots,
		 struct chain_build *b);
int pos_index_read(const struct sfc_maps *m, struct pos_index *ix);
/* Stats slots of the hops of a chain's current path, by hop index; the count. */
int current_slots(const struct sfc_maps *m, __u32 cid, __u32 *slots);

#endif
