// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Link events while sfc_apply writes the maps.
 *
 * A large apply writes for a second or more (10k chains, 100k rules); a
 * link that goes down or up meanwhile must reach the maps in milliseconds.
 * sfc_apply has yield points in every long write loop (chains.c, rules.c);
 * from its first SF write to its end it publishes what it is writing (the
 * new document, its plan: ids and interface states, the SF values, which
 * chains are written yet), and a link event at a yield point is applied
 * against that, never against the document the apply replaces:
 *
 *  - the state of the interface is read again into the plan; every SF of
 *    the new document sending or returning there gets its value computed
 *    again (sfc_sf_value, as write_sfs did) and stored at once when it
 *    changed; the apply's own copy (sfv) follows, so every chain the apply
 *    has still to write is built from the new state. The SF entry is what
 *    the datapath checks per packet: a down SF is never sent to from then
 *    on, by old paths or new.
 *  - chains need nothing: a version does not depend on which instances
 *    are up (the datapath skips a down one, bpf/sff.h), and the return
 *    interfaces, on which it does depend, keep their ifindexes here (see
 *    below).
 *
 * Ids are the new document's (the plan's), so an id the document gives to
 * another SF or chain is never written from the old document's view.
 * Only an interface that keeps the ifindex the apply attached is handled
 * here. A new or vanished ifindex needs an attach or a detach, and an
 * interface the new document does not name needs nothing from this apply:
 * those get -EAGAIN. sfcd keeps every event of the apply queued either way
 * and runs it once more as an ordinary link update after the apply (a
 * no-op when this already did it), so the end result follows the link
 * state at the end whatever happened in between.
 *
 * The link index those later updates use is built here too, last, while
 * events are still taken (apply_live_index).
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "apply_plan.h"
#include "front.h"
#include "link_index.h"
#include "log.h"
#include "rules.h"

static struct apply_live *live;

int apply_live_begin(struct apply_live *a)
{
	live = a;
	return 0;
}

void apply_live_end(struct apply_live *a)
{
	if (live == a)
		live = NULL;
	free(a->slots);
	free(a->cb);
	free(a->rcb);
	a->rcb = NULL;
	a->slots = NULL;
	a->cb = NULL;
}

bool sfc_apply_writing(void)
{
	return live != NULL;
}

bool sfc_apply_names(const char *dev)
{
	return live && plan_find_iface(live->p, dev);
}

/* Store doc->sfs[i] again from the plan's interface states. */
static int sf_again(struct apply_live *a, int i, struct sfc_link_result *res)
{
	const struct sfc_sf_cfg *sf = &a->doc->sfs[i];
	const struct iface_plan *out = plan_find_iface(a->p, sf->dev);
	const struct iface_plan *ret = plan_find_iface(a->p, sf_ret_dev(sf));
	struct sfc_sf_record rec;
	struct sfc_sf v, back, cur_back = {};
	__u32 id = a->p->sf_ids[i];
	int err;

	sfc_sf_value(a->dp, sf, &out->st, &ret->st, &a->p->sf_use[i], &v, &back, &rec);
	if (a->dp->maps.sf_back >= 0)
		bpf_map_lookup_elem(a->dp->maps.sf_back, &id, &cur_back);
	else
		cur_back = back;
	if (!memcmp(&v, &a->sfv[i].v, sizeof(v)) && !memcmp(&back, &cur_back, sizeof(back)))
		return 0;
	err = sfc_sf_store(a->dp, id, &v, &back, &rec);
	if (err)
		return err;
	res->sfs_rewritten++;
	a->sfv[i].v = v;
	return 0;
}

/* The link index of the document the apply writes. */
struct sfc_link_index *apply_live_index(struct apply_live *a)
{
	size_t n = (a->doc->nsfs + 1) * sizeof(__u32), nc = (a->doc->nchains + 1) * sizeof(__u32);
	__u32 *sf_ids = malloc(n), *chain_ids = malloc(nc);
	struct sfc_link_index *ix = NULL;

	if (sf_ids && chain_ids) {
		memcpy(sf_ids, a->p->sf_ids, n);
		memcpy(chain_ids, a->p->chain_ids, nc);
		ix = sfc_link_index_new(a->doc, sf_ids, chain_ids);
	} else {
		free(sf_ids);
		free(chain_ids);
		errno = ENOMEM;
	}
	if (!ix)
		pr_warn("indexing links: %s; link events reconcile everything\n", strerror(errno));
	return ix;
}

int sfc_apply_link_event(const char *dev, __u32 gone_ifindex, struct sfc_link_result *res)
{
	struct apply_live *a = live;
	struct iface_plan *ip;
	struct sfc_link link;
	int err = 0;
	unsigned int ifindex;

	memset(res, 0, sizeof(*res));
	if (!a || gone_ifindex)
		return -EAGAIN;
	ip = plan_find_iface(a->p, dev);
	if (!ip || ip->st.outcome != SFC_IFACE_OK)
		goto later;
	ifindex = if_nametoindex(dev);
	if (!ifindex || ifindex != (unsigned int)ip->st.ifindex ||
	    sfc_nl_get_link(ifindex, -1, &link) || link.ifindex != ip->st.ifindex)
		goto later;
	ip->st.link = link;

	for (int i = 0; i < a->doc->nsfs && !err; i++) {
		const struct sfc_sf_cfg *sf = &a->doc->sfs[i];

		if (strcmp(sf->dev, dev) && strcmp(sf_ret_dev(sf), dev))
			continue;
		err = sf_again(a, i, res);
	}
	if (!err)
		a->handled++;
	return err;
later:
	a->deferred++;
	return -EAGAIN;
}
