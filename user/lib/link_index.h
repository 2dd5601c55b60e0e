/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside link_update: the index of which objects of a document name which
 * interface (link_index.c builds it), and what link_update.c keeps in it
 * between events.
 */
#ifndef SFC_LINK_INDEX_H
#define SFC_LINK_INDEX_H

#include "apply_plan.h"
#include "index.h"
#include "link_update.h"

/* An interface the document names, and what names it. */
struct dev_entry {
	const char *name;
	__u32 flags;             /* SFC_IF_* roles */
	int ret_of;              /* doc->sfs[] that returns here, -1 */
	bool back;               /* ... replies of symmetric chains (its dev) */
	int nrules;              /* rules with this in-dev */
	__u32 rule_ifindex;      /* its ifindex when the rules were compiled */
	int sf_start, sf_n;      /* dev_sfs[]: SFs sending or returning here */
};

/* A chain as the last write left it; read from the maps on first use. */
struct chain_state {
	bool known;
	__u32 cur;                   /* path id the head points at */
	__u32 prev;                  /* ... before this event's batch */
	__u32 slots[SFC_MAX_HOPS];   /* hop counter slots, by hop index */
};

struct sfc_link_index {
	struct sfc_map devs;     /* name -> dev[] */
	struct dev_entry *dev;
	int ndevs;
	int *dev_sfs;
	int *chain_start;        /* sf_chains[chain_start[i] ..< chain_start[i+1]]: */
	int *sf_chains;          /* the chains doc->sfs[i] serves */
	int *group_start, *group_sfs; /* the same for groups (SF indexes) */
	__u32 *sf_ids, *chain_ids;
	struct sfc_sf_use *sf_use;    /* per doc->sfs[i] (sfc_sf_uses) */
	struct sfc_sf_view *sfv; /* scratch: SF entries (and return ifindex) by doc index */
	int *stamp;              /* scratch: per chain, per SF */
	int *sf_stamp, *sfv_stamp;
	int *scratch;            /* SF indexes of one chain */
	int *scratch_chains;     /* chains of one link update */
	struct chain_state *cs;  /* per chain */
	int now, chain_now;     /* stamp values */
	struct chain_build *cb, *rcb;
};

/* The entry of an interface the document names, or NULL. */
struct dev_entry *link_dev(const struct sfc_link_index *ix, const char *name);
/* The SFs doc->chains[ci] is built from (named, or through their group),
 * each once, into out[] (room for doc->nsfs); the count. */
int link_chain_sfs(struct sfc_link_index *ix, const struct sfc_doc *doc, int ci, int *out);

#endif
