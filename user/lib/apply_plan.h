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
	struct sfc_sf_use *sf_use; /* per doc->sfs[i], once chain_ids are known */
	bool lb_tables;           /* hops of several instances get tables (sfc_lb) */
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
	/* rk: where the SF sends a symmetric chain's replies back (a two-arm
	 * SF's dev, else the same interface) */
	struct { struct sfc_pos_key k; struct sfc_pos v; __u32 rk; }
		pos[SFC_MAX_HOPS * SFC_HOP_MAX_INSTANCES];
	/* SF ids entered from their other side by the reply version
	 * (SFC_SF_ID_BACK): two-arm SFs of a symmetric chain */
	__u8 back[SFC_MAX_SFS / 8];
	struct sfc_lb lb[SFC_MAX_HOPS + 1];     /* by SI: tables of SFC_HOP_TABLE hops */
	struct sfc_hop bucket_hop[SFC_MAX_HOPS + 1]; /* by SI: the hop as buckets */
	/* the tables of the version it replaces (prev_path in prev_maps),
	 * read when a hop first needs them: nprev -1 until then */
	const struct sfc_maps *prev_maps;
	__u32 prev_path;
	int nprev;
	struct sfc_lb prev[SFC_MAX_HOPS];
};

/* Every sfc_sf_pos key, sorted by path: read once per collector pass, so
 * purging a version costs its own entries and not a walk of the map. */
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
/* The tables of version prev_path (the chain's current one, 0 for none),
 * which the tables of the next build_chain keep what they can of. */
void chain_build_prev(const struct sfc_maps *m, __u32 prev_path, struct chain_build *b);
/* Write b's hop tables (sfc_lb) under version path_id: before its hops.
 * A table sfc_lb has no room for: its hop goes back to its buckets (b's
 * hops change; logged once). */
int chain_write_tables(const struct sfc_maps *m, __u32 path_id, struct chain_build *b);
int pos_index_read(const struct sfc_maps *m, struct pos_index *ix);
/* The keys of ix that belong to path_id: *n of them from the return. */
const struct sfc_pos_key *pos_index_path(const struct pos_index *ix, __u32 path_id, size_t *n);
int current_slots(const struct sfc_maps *m, __u32 cid, __u32 *slots);
/* The reply version rev_path of b's version (b as written: its tables
 * included) into rb: the hops in reverse order, the same instances,
 * tables and counter slots, each return interface at the mirrored SI. */
void chain_build_reverse(const struct chain_build *b, __u32 rev_path, struct chain_build *rb);
/* Name version path_id in b's position keys (build_chain wrote another). */
void chain_build_set_path(struct chain_build *b, __u32 path_id);
/* Remove every hop and position entry of the versions ids[0..n) (ix:
 * every position key, pos_index_read) and zero their path entries. */
int chain_purge_paths(const struct sfc_maps *m, const struct pos_index *ix,
		      const __u32 *ids, size_t n);

/* chain_batch.c: chains rewritten with one syscall per map */
struct chain_batch {
	struct sfc_hop_key *hk; struct sfc_hop *hv; size_t nh, caph, caphv;
	struct sfc_pos_key *pk; struct sfc_pos *pv; size_t np, capp, cappv;
	__u32 *ck, *pathk; struct sfc_path *pathv; struct sfc_chain *headv;
	size_t nc, capc, cappathk, cappath, caphead;
	size_t nr;       /* path entries: a reply version has one too */
	__u32 *revk, *revv; size_t caprk, caprv; /* sfc_path_rev, by chain (nc) */
};

/* Add version next (a fresh path id) of chain cid, built in cb, and its
 * reply version rev built in rcb (rev 0: the chain is not symmetric). */
int chain_batch_add(struct chain_batch *b, __u32 cid, __u32 next, const struct chain_build *cb,
		    __u32 rev, const struct chain_build *rcb);
/* Write it all, the chain heads last. */
int chain_batch_flush(const struct sfc_maps *m, struct chain_batch *b);
void chain_batch_free(struct chain_batch *b);

/* ids.c: ids of the document's SFs and chains, kept by name */
int plan_assign_ids(struct sfc_dp *dp, const struct sfc_doc *doc, struct plan *p,
		    char *err, size_t errlen);

/* sfs.c: clear SF ids the document no longer has */
int sfs_remove_stale(struct sfc_dp *dp, const struct plan *p, int nsfs);

/*
 * An apply from its first SF write to its end, as link events at its yield
 * points see it (apply_live.c). sfv holds what sfc_sfs holds for the new
 * document's SFs; chains [0, done) are the new document's in the maps.
 */
struct apply_live {
	struct sfc_dp *dp;
	const struct sfc_doc *doc;
	struct plan *p;
	struct sfc_sf_view *sfv;         /* by doc index */
	__u32 (*slots)[SFC_MAX_HOPS];    /* hop counter slots per chain (chains_apply) */
	struct chain_build *cb, *rcb;    /* scratch: a version, its reply version */
	int done;
	int handled, deferred;           /* link events, for the report */
};

/* apply_live.c: link events are handled against a from now until apply_live_end
 * (which frees what chains_apply allocated in it). */
int apply_live_begin(struct apply_live *a);
void apply_live_end(struct apply_live *a);
/* The link index of a->doc, built at the end of the apply while link
 * events are still taken; NULL (logged) when it could not be. */
struct sfc_link_index *apply_live_index(struct apply_live *a);

/* chains.c: every chain of the document, make-before-break, from a->sfv;
 * a yield point between two chains (a->done of them written) */
int chains_apply(struct apply_live *a, int *switched, char *err, size_t errlen);
/* chains.c: clear chain ids the document no longer has (their versions retire) */
int chains_remove_stale(struct sfc_dp *dp, const struct plan *p, int nchains);

#endif
