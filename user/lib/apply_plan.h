/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Internal to sfc_apply and its steps (apply.c, ids.c, attach.c, sfs.c,
 * chains.c): the plan built from one document before anything is written.
 */
#ifndef SFC_APPLY_PLAN_H
#define SFC_APPLY_PLAN_H

#include <stdbool.h>

#include "apply.h"

/* One interface the document names, with its roles and what became of it. */
struct iface_plan {
	struct sfc_iface_state st;
	const char *ret_of;       /* SF returning here */
};

struct plan {
	struct iface_plan *ifs;
	int nifs;
	__u32 *sf_ids;            /* per doc->sfs[i] */
	__u32 *chain_ids;         /* per doc->chains[i] */
	bool *chain_new;
	bool *sf_new;
};

struct iface_plan *plan_find_iface(const struct plan *p, const char *name);

/* The interface an SF sends packets back on. */
static inline const char *sf_ret_dev(const struct sfc_sf_cfg *sf)
{
	return sf->out_dev[0] ? sf->out_dev : sf->dev;
}

/* An SF as chains are built from it: its datapath value and return interface. */
struct sfc_sf_view {
	struct sfc_sf v;
	__u32 ret_ifindex;
};

/* Instances a hop is built from; its SFC_HOP_BUCKETS buckets spread the
 * flows over at most that many of them. */
#define SFC_HOP_MAX_INSTANCES 64

struct chain_build {
	__u32 spi;
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

/*
 * chains.c, also for link_update.c (one SF's chains after a link event):
 * build version path_id of doc->chains[ci] from the SF views (by doc
 * index) and the hop counter slots; read every sfc_sf_pos key, sorted by
 * path; the counter slots of a chain's current path (how many).
 */
void build_chain(const struct sfc_doc *doc, const struct plan *p, int ci,
		 __u32 path_id, const struct sfc_sf_view *sfv, const __u32 *slots,
		 struct chain_build *b);
int pos_index_read(const struct sfc_maps *m, struct pos_index *ix);
int current_slots(const struct sfc_maps *m, __u32 cid, __u32 *slots);

/* ids.c: ids of the document's SFs and chains, kept by name */
int plan_assign_ids(const struct sfc_dp *dp, const struct sfc_doc *doc, struct plan *p,
		    char *err, size_t errlen);

/* sfs.c: clear SF ids the document no longer has */
int sfs_remove_stale(struct sfc_dp *dp, const struct plan *p, int nsfs);

/* chains.c: every chain of the document, make-before-break */
int chains_apply(struct sfc_dp *dp, const struct sfc_doc *doc, const struct plan *p,
		 const struct sfc_sf_view *sfv, int *switched, char *err, size_t errlen);
/* chains.c: clear chain ids (and their paths) the document no longer has */
int chains_remove_stale(struct sfc_dp *dp, const struct plan *p, int nchains);

#endif
