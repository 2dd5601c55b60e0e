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
 *  - chains [0, done) that the apply already handled (written or found
 *    unchanged) and that name a changed SF (directly or through its group)
 *    are built again and switched as a link update would: idle version,
 *    then one batch write of the heads (chain_batch.c). No chain is ever
 *    half-written: the apply's own loop yields only between two chains.
 *  - then the generation moves, so cached flows are classified again. The
 *    rules install reads the generation again before its own switch.
 *
 * Ids are the new document's (the plan's), so an id the document gives to
 * another SF or chain is never written from the old document's view.
 * Only an interface that keeps the ifindex the apply attached is handled
 * here: then the position keys of every chain version are the same ones
 * the apply writes (they depend on return ifindexes only), so deleting the
 * keys chains_apply found for a version, then writing the built ones, is
 * exact. A new or vanished ifindex needs an attach or a detach, and an
 * interface the new document does not name needs nothing from this apply:
 * those get -EAGAIN. sfcd keeps every event of the apply queued either way
 * and runs it once more as an ordinary link update after the apply (a
 * no-op when this already did it), so the end result follows the link
 * state at the end whatever happened in between.
 *
 * The link index those later updates use is built here too, last, while
 * events are still taken (apply_live_index): reading 40k position keys
 * takes tens of ms. A chain version an event rewrites meanwhile may have
 * been read before or after; the keys written replace what the index read
 * of that version, so its mirror is the maps' content either way.
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
	a->dirty = calloc(a->doc->nsfs + 1, sizeof(*a->dirty));
	if (!a->dirty)
		return -ENOMEM;
	live = a;
	return 0;
}

void apply_live_end(struct apply_live *a)
{
	if (live == a)
		live = NULL;
	free(a->dirty);
	free(a->slots);
	free(a->cb);
	free(a->pix.k);
	a->dirty = NULL;
	a->slots = NULL;
	a->cb = NULL;
	a->pix.k = NULL;
}

bool sfc_apply_writing(void)
{
	return live != NULL;
}

bool sfc_apply_names(const char *dev)
{
	return live && plan_find_iface(live->p, dev);
}

/* Store doc->sfs[i] again from the plan's interface states; dirty when its
 * up flag changed. */
static int sf_again(struct apply_live *a, int i, struct sfc_link_result *res)
{
	const struct sfc_sf_cfg *sf = &a->doc->sfs[i];
	const struct iface_plan *out = plan_find_iface(a->p, sf->dev);
	const struct iface_plan *ret = plan_find_iface(a->p, sf_ret_dev(sf));
	struct sfc_sf_record rec;
	struct sfc_sf v;
	int err;

	sfc_sf_value(sf, &out->st, &ret->st, &a->p->sf_use[i], &v, &rec);
	if (!memcmp(&v, &a->sfv[i].v, sizeof(v)))
		return 0;
	err = sfc_sf_store(a->dp, a->p->sf_ids[i], &v, &rec);
	if (err)
		return err;
	res->sfs_rewritten++;
	a->dirty[i] = (v.flags ^ a->sfv[i].v.flags) & SFC_SF_UP;
	a->sfv[i].v = v;
	return 0;
}

/* Does doc->chains[ci] name a dirty SF, or the group of one? */
static bool chain_dirty(const struct apply_live *a, int ci, const int *dirty, int ndirty)
{
	const struct sfc_chain_cfg *c = &a->doc->chains[ci];

	for (int h = 0; h < c->nhops; h++)
		for (int k = 0; k < c->hops[h].nsf; k++)
			for (int d = 0; d < ndirty; d++) {
				const struct sfc_sf_cfg *sf = &a->doc->sfs[dirty[d]];
				const char *name = c->hops[h].sf[k];

				if (!strcmp(name, sf->name) || (sf->group[0] && !strcmp(name, sf->group)))
					return true;
			}
	return false;
}

/* While the link index is built: version path_id of chain ci will hold
 * the keys in a->cb, whatever the index read. */
static int record_fix(struct apply_live *a, int ci, __u32 path_id)
{
	struct live_fix *f;

	if (a->nfixes == a->capfixes) {
		int cap = a->capfixes ? 2 * a->capfixes : 16;
		void *q = realloc(a->fixes, cap * sizeof(*a->fixes));

		if (!q)
			return -ENOMEM;
		a->fixes = q;
		a->capfixes = cap;
	}
	f = &a->fixes[a->nfixes];
	f->k = malloc((a->cb->npos + 1) * sizeof(*f->k));
	if (!f->k)
		return -ENOMEM;
	for (int q = 0; q < a->cb->npos; q++)
		f->k[q] = a->cb->pos[q].k;
	f->n = a->cb->npos;
	f->ci = ci;
	f->path_id = path_id;
	a->nfixes++;
	return 0;
}

/*
 * The index reads every position key (yield points between its batches):
 * a chain version this file rewrote meanwhile holds the keys it wrote,
 * whatever the index saw of it, so they replace the index's mirror, in
 * the order they were written.
 */
struct sfc_link_index *apply_live_index(struct apply_live *a)
{
	size_t n = (a->doc->nsfs + 1) * sizeof(__u32), nc = (a->doc->nchains + 1) * sizeof(__u32);
	__u32 *sf_ids = malloc(n), *chain_ids = malloc(nc);
	struct sfc_link_index *ix = NULL;

	if (sf_ids && chain_ids) {
		memcpy(sf_ids, a->p->sf_ids, n);
		memcpy(chain_ids, a->p->chain_ids, nc);
		a->indexing = true;
		ix = sfc_link_index_new(a->dp, a->doc, sf_ids, chain_ids);
		a->indexing = false;
	} else {
		free(sf_ids);
		free(chain_ids);
		errno = ENOMEM;
	}
	if (!ix)
		pr_warn("indexing links: %s; link events reconcile everything\n", strerror(errno));
	for (int i = 0; i < a->nfixes; i++) {
		struct live_fix *f = &a->fixes[i];

		if (ix) {
			struct pos_index *pi = &ix->pos[f->ci][f->path_id & 1];

			free(pi->k);
			pi->k = f->k;
			pi->n = f->n;
		} else {
			free(f->k);
		}
	}
	free(a->fixes);
	a->fixes = NULL;
	a->nfixes = a->capfixes = 0;
	return ix;
}

/* Build the idle version of doc->chains[ci] from sfv and add it to b. */
static int chain_again(struct apply_live *a, int ci, struct chain_batch *b)
{
	const struct sfc_maps *m = &a->dp->maps;
	__u32 cid = a->p->chain_ids[ci], next;
	const struct sfc_pos_key *stale;
	struct sfc_path idle = {};
	struct sfc_chain head;
	size_t nstale;

	if (bpf_map_lookup_elem(m->chains, &cid, &head))
		return -errno;
	next = head.path_id == cid * 2 ? cid * 2 + 1 : cid * 2;
	bpf_map_lookup_elem(m->paths, &next, &idle);
	build_chain(a->doc, a->p, ci, next, a->sfv, a->slots[ci], a->cb);
	/* hops of a longer idle version than this one: rare, one at a time */
	for (__u32 si = a->cb->path.nhops + 1; si <= idle.nhops && si <= SFC_MAX_HOPS; si++) {
		struct sfc_hop_key hk = { .path_id = next, .si = si };

		sfc_hop_del(m, &hk);
	}
	stale = pos_index_path(&a->pix, next, &nstale);
	if (a->indexing && record_fix(a, ci, next))
		return -ENOMEM;
	return chain_batch_add(b, cid, next, a->cb, stale, nstale);
}

int sfc_apply_link_event(const char *dev, __u32 gone_ifindex, struct sfc_link_result *res)
{
	struct apply_live *a = live;
	struct chain_batch batch = {};
	struct iface_plan *ip;
	struct sfc_link link;
	int *dirty = NULL, ndirty = 0, err = 0;
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

	dirty = malloc((a->doc->nsfs + 1) * sizeof(*dirty));
	if (!dirty)
		return -ENOMEM;
	for (int i = 0; i < a->doc->nsfs && !err; i++) {
		const struct sfc_sf_cfg *sf = &a->doc->sfs[i];

		if (strcmp(sf->dev, dev) && strcmp(sf_ret_dev(sf), dev))
			continue;
		a->dirty[i] = false;
		err = sf_again(a, i, res);
		if (!err && a->dirty[i])
			dirty[ndirty++] = i;
	}
	/* the chains this apply is done with; the others are built from sfv */
	for (int ci = 0; ci < a->done && ndirty && !err; ci++)
		if (chain_dirty(a, ci, dirty, ndirty)) {
			err = chain_again(a, ci, &batch);
			res->chains_switched++;
		}
	if (!err && batch.nc)
		err = chain_batch_flush(&a->dp->maps, &batch);
	chain_batch_free(&batch);
	free(dirty);
	if (!err && res->chains_switched)
		err = sfc_generation_bump(&a->dp->maps);
	if (!err)
		a->handled++;
	return err;
later:
	a->deferred++;
	return -EAGAIN;
}
