/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One link event, applied incrementally: only the objects of the document
 * that name the interface are rewritten. An SF's interface going down, up,
 * changing its MAC or ifindex, or vanishing rewrites that SF's entry and
 * the chains whose hops it serves (a hop with no live instance goes down,
 * so its chain takes its on-failure action; one with some spreads over the
 * live ones). An ingress point that appears is attached, one that vanishes
 * forgotten; rules naming it as in-dev are compiled again when its ifindex
 * changed. Anything else needs a full sfc_apply.
 *
 * The index is built from the typed document (never from names in map
 * values) and the ids the last full apply used, and keeps a mirror of the
 * position keys of every path version, so a chain is rewritten without a
 * walk of the whole sfc_sf_pos map. Rebuild it after every full apply.
 */
#ifndef SFC_LINK_UPDATE_H
#define SFC_LINK_UPDATE_H

#include <stdbool.h>
#include <linux/types.h>

#include "datapath.h"
#include "model.h"

struct sfc_link_index;

/*
 * Index doc, which sfc_apply() just wrote with these ids (taken over and
 * freed with the index, even on failure). NULL with errno set.
 */
struct sfc_link_index *sfc_link_index_new(const struct sfc_doc *doc,
					  __u32 *sf_ids, __u32 *chain_ids);
void sfc_link_index_free(struct sfc_link_index *ix);
/* Does the document name dev (ingress point, SF interface, rule in-dev)? */
bool sfc_link_index_names(const struct sfc_link_index *ix, const char *dev);

struct sfc_link_result {
	bool forgotten;          /* gone_ifindex was dropped from the datapath */
	bool attached;           /* dev (a new ifindex) was attached */
	int sfs_rewritten;
	int chains_switched;
	bool rules_installed;    /* an in-dev's ifindex changed */
};

/*
 * Bring the datapath in line with the kernel's link dev (gone_ifindex: the
 * ifindex of an RTM_DELLINK, else 0), for the document the index was built
 * from. 0 (res says what was written, maybe nothing) or a negative errno:
 * then a full sfc_apply() puts things right.
 */
int sfc_link_update(struct sfc_dp *dp, const struct sfc_doc *doc, struct sfc_link_index *ix,
		    const char *dev, __u32 gone_ifindex, struct sfc_link_result *res);

/*
 * Link events while sfc_apply() writes the maps (at its yield points; see
 * apply_live.c). Is an apply writing now, does its document name dev?
 * sfc_apply_link_event applies one event against the document being
 * applied: 0 (res says what was written), -EAGAIN when it must wait for
 * the apply's end (no apply writing, an ifindex that appeared or went, an
 * interface the apply does not name), or another negative errno. Either
 * way, run the event again with sfc_link_update once the apply is done.
 */
bool sfc_apply_writing(void);
bool sfc_apply_names(const char *dev);
int sfc_apply_link_event(const char *dev, __u32 gone_ifindex, struct sfc_link_result *res);

#endif
