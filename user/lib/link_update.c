// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Incremental link updates: see link_update.h. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "apply_parts.h"
#include "index.h"
#include "link_update.h"
#include "log.h"
#include "nl.h"
#include "rules.h"

/* An interface the document names, and what names it. */
struct dev_entry {
	const char *name;
	__u32 flags;             /* SFC_IF_* roles */
	int ret_of;              /* doc->sfs[] that returns here, -1 */
	int nrules;              /* rules with this in-dev */
	__u32 rule_ifindex;      /* its ifindex when the rules were compiled */
	int sf_start, sf_n;      /* dev_sfs[]: SFs sending or returning here */
};

/* A chain as the last write left it; read from the maps on first use. */
struct chain_state {
	bool known;
	__u32 cur;                   /* path id the head points at */
	__u8 nhops[2];               /* of path cid*2 + v */
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
	struct pos_index (*pos)[2]; /* position keys of path cid*2 + v, per chain */
	int npos;                /* chains in pos */
	struct sfc_sf *sfv;      /* scratch: SF entries by doc index */
	int *stamp;              /* scratch: per chain, per SF */
	int *sf_stamp, *sfv_stamp;
	int *scratch;            /* SF indexes of one chain */
	int *scratch_chains;     /* chains of one link update */
	struct chain_state *cs;  /* per chain */
	int now, chain_now;     /* stamp values */
	struct chain_build *cb;
};

static struct dev_entry *dev_get(const struct sfc_link_index *ix, const char *name)
{
	int i = sfc_map_get_str(&ix->devs, name);

	return i < 0 ? NULL : &ix->dev[i];
}

static struct dev_entry *dev_add(struct sfc_link_index *ix, const char *name)
{
	int i = sfc_map_put_str(&ix->devs, name, ix->ndevs);

	if (i < 0) {	/* a new one */
		i = ix->ndevs++;
		ix->dev[i] = (struct dev_entry){ .name = name, .ret_of = -1 };
	}
	return &ix->dev[i];
}

/*
 * The SFs doc->chains[ci] is built from (named, or through their group),
 * each once, into out[]; the count. Stamps ix->sf_stamp.
 */
static int chain_sfs(struct sfc_link_index *ix, const struct sfc_doc *doc, int ci, int *out)
{
	const struct sfc_chain_cfg *c = &doc->chains[ci];
	int n = 0;

	ix->now++;
	for (int h = 0; h < c->nhops; h++)
		for (int k = 0; k < c->hops[h].nsf; k++) {
			const struct sfc_sf_cfg *sf = sfc_doc_sf(doc, c->hops[h].sf[k]);
			const struct sfc_group_cfg *g;
			int lo = 0, hi = 0, one;

			if (sf) {
				one = sf - doc->sfs;
				lo = 0, hi = 1;
			} else if ((g = sfc_doc_group(doc, c->hops[h].sf[k]))) {
				lo = ix->group_start[g - doc->groups];
				hi = ix->group_start[g - doc->groups + 1];
			}
			for (int q = lo; q < hi; q++) {
				int s = sf ? one : ix->group_sfs[q];

				if (ix->sf_stamp[s] == ix->now)
					continue;
				ix->sf_stamp[s] = ix->now;
				if (out)
					out[n] = s;
				n++;
			}
		}
	return n;
}

static int index_groups(struct sfc_link_index *ix, const struct sfc_doc *doc)
{
	int *fill;

	ix->group_start = calloc(doc->ngroups + 1, sizeof(int));
	ix->group_sfs = calloc(doc->nsfs + 1, sizeof(int));
	fill = calloc(doc->ngroups + 1, sizeof(int));
	if (!ix->group_start || !ix->group_sfs || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (int i = 0; i < doc->nsfs; i++) {
		const struct sfc_group_cfg *g = doc->sfs[i].group[0] ?
			sfc_doc_group(doc, doc->sfs[i].group) : NULL;

		if (g)
			ix->group_start[g - doc->groups + 1]++;
	}
	for (int g = 0; g < doc->ngroups; g++)
		ix->group_start[g + 1] += ix->group_start[g];
	for (int i = 0; i < doc->nsfs; i++) {
		const struct sfc_group_cfg *g = doc->sfs[i].group[0] ?
			sfc_doc_group(doc, doc->sfs[i].group) : NULL;

		if (g) {
			int gi = g - doc->groups;

			ix->group_sfs[ix->group_start[gi] + fill[gi]++] = i;
		}
	}
	free(fill);
	return 0;
}

/* sf -> chains, in two passes over the chains (count, then fill). */
static int index_chains(struct sfc_link_index *ix, const struct sfc_doc *doc)
{
	int *sfs = calloc(doc->nsfs + 1, sizeof(int)), *fill = calloc(doc->nsfs + 1, sizeof(int));
	int total = 0;

	ix->chain_start = calloc(doc->nsfs + 1, sizeof(int));
	if (!sfs || !fill || !ix->chain_start)
		goto nomem;
	for (int ci = 0; ci < doc->nchains; ci++) {
		int n = chain_sfs(ix, doc, ci, sfs);

		for (int k = 0; k < n; k++)
			ix->chain_start[sfs[k] + 1]++;
		total += n;
	}
	for (int i = 0; i < doc->nsfs; i++)
		ix->chain_start[i + 1] += ix->chain_start[i];
	ix->sf_chains = calloc(total + 1, sizeof(int));
	if (!ix->sf_chains)
		goto nomem;
	for (int ci = 0; ci < doc->nchains; ci++) {
		int n = chain_sfs(ix, doc, ci, sfs);

		for (int k = 0; k < n; k++)
			ix->sf_chains[ix->chain_start[sfs[k]] + fill[sfs[k]]++] = ci;
	}
	free(sfs);
	free(fill);
	return 0;
nomem:
	free(sfs);
	free(fill);
	return -ENOMEM;
}

static int index_devs(struct sfc_link_index *ix, const struct sfc_doc *doc)
{
	int cap = doc->ningress + 2 * doc->nsfs + doc->nrules + 1, *fill;

	ix->dev = calloc(cap, sizeof(*ix->dev));
	ix->dev_sfs = calloc(2 * doc->nsfs + 1, sizeof(int));
	if (!ix->dev || !ix->dev_sfs || sfc_map_init(&ix->devs, cap))
		return -ENOMEM;
	for (int i = 0; i < doc->ningress; i++)
		dev_add(ix, doc->ingress[i].dev)->flags |= SFC_IF_INGRESS;
	for (int i = 0; i < doc->nsfs; i++) {
		struct dev_entry *out = dev_add(ix, doc->sfs[i].dev);
		struct dev_entry *ret = dev_add(ix, ret_dev(&doc->sfs[i]));

		out->flags |= SFC_IF_SF_OUT;
		out->sf_n++;
		ret->flags |= SFC_IF_SF_RETURN;
		ret->ret_of = i;
		if (ret != out)
			ret->sf_n++;
	}
	for (int i = 0; i < doc->nrules; i++)
		if (doc->rules[i].in_dev[0])
			dev_add(ix, doc->rules[i].in_dev)->nrules++;
	for (int d = 1; d < ix->ndevs; d++)
		ix->dev[d].sf_start = ix->dev[d - 1].sf_start + ix->dev[d - 1].sf_n;
	fill = calloc(ix->ndevs + 1, sizeof(int));
	if (!fill)
		return -ENOMEM;
	for (int i = 0; i < doc->nsfs; i++) {
		struct dev_entry *out = dev_get(ix, doc->sfs[i].dev);
		struct dev_entry *ret = dev_get(ix, ret_dev(&doc->sfs[i]));

		ix->dev_sfs[out->sf_start + fill[out - ix->dev]++] = i;
		if (ret != out)
			ix->dev_sfs[ret->sf_start + fill[ret - ix->dev]++] = i;
	}
	free(fill);
	/* what sfc_rules_compile() saw, near enough: an event since says otherwise */
	for (int d = 0; d < ix->ndevs; d++)
		if (ix->dev[d].nrules)
			ix->dev[d].rule_ifindex = if_nametoindex(ix->dev[d].name);
	return 0;
}

/* The position keys of every path version of the document's chains. */
static int index_positions(struct sfc_link_index *ix, const struct sfc_dp *dp,
			   const struct sfc_doc *doc)
{
	struct pos_index all = {};
	int *ci_of = malloc(SFC_MAX_CHAINS * sizeof(int)), ret;

	ix->pos = calloc(doc->nchains + 1, sizeof(*ix->pos));
	if (!ci_of || !ix->pos) {
		free(ci_of);
		return -ENOMEM;
	}
	for (int c = 0; c < SFC_MAX_CHAINS; c++)
		ci_of[c] = -1;
	for (int ci = 0; ci < doc->nchains; ci++)
		if (ix->chain_ids[ci] < SFC_MAX_CHAINS)
			ci_of[ix->chain_ids[ci]] = ci;
	ret = pos_index_read(&dp->maps, &all);
	for (size_t lo = 0, hi; !ret && lo < all.n; lo = hi) {
		__u32 path = all.k[lo].path_id;
		int ci = path / 2 < SFC_MAX_CHAINS ? ci_of[path / 2] : -1;
		struct pos_index *p;

		for (hi = lo; hi < all.n && all.k[hi].path_id == path; hi++)
			;
		if (ci < 0)
			continue;
		p = &ix->pos[ci][path & 1];
		p->k = malloc((hi - lo) * sizeof(*p->k));
		if (!p->k) {
			ret = -ENOMEM;
			break;
		}
		memcpy(p->k, &all.k[lo], (hi - lo) * sizeof(*p->k));
		p->n = hi - lo;
	}
	free(all.k);
	free(ci_of);
	return ret;
}

struct sfc_link_index *sfc_link_index_new(const struct sfc_dp *dp, const struct sfc_doc *doc,
					  __u32 *sf_ids, __u32 *chain_ids)
{
	struct sfc_link_index *ix = calloc(1, sizeof(*ix));
	int err = -ENOMEM;

	if (!ix) {
		free(sf_ids);
		free(chain_ids);
		errno = ENOMEM;
		return NULL;
	}
	ix->sf_ids = sf_ids;
	ix->chain_ids = chain_ids;
	ix->sfv = calloc(doc->nsfs + 1, sizeof(*ix->sfv));
	ix->stamp = calloc(doc->nchains + 1, sizeof(int));
	ix->sf_stamp = calloc(doc->nsfs + 1, sizeof(int));
	ix->sfv_stamp = calloc(doc->nsfs + 1, sizeof(int));
	ix->scratch = calloc(doc->nsfs + 1, sizeof(int));
	ix->cs = calloc(doc->nchains + 1, sizeof(*ix->cs));
	ix->scratch_chains = calloc(doc->nchains + 1, sizeof(int));
	ix->cb = malloc(sizeof(*ix->cb));
	if (!sf_ids || !chain_ids || !ix->sfv || !ix->stamp || !ix->sf_stamp || !ix->cb ||
	    !ix->sfv_stamp || !ix->scratch || !ix->cs || !ix->scratch_chains)
		goto fail;
	err = index_devs(ix, doc);
	if (!err)
		err = index_groups(ix, doc);
	if (!err)
		err = index_chains(ix, doc);
	if (!err)
		err = index_positions(ix, dp, doc);
	if (!err) {
		ix->npos = doc->nchains;
		return ix;
	}
fail:
	ix->npos = doc->nchains;
	sfc_link_index_free(ix);
	errno = -err;
	return NULL;
}

void sfc_link_index_free(struct sfc_link_index *ix)
{
	if (!ix)
		return;
	for (int ci = 0; ix->pos && ci < ix->npos; ci++) {
		free(ix->pos[ci][0].k);
		free(ix->pos[ci][1].k);
	}
	free(ix->pos);
	sfc_map_free(&ix->devs);
	free(ix->dev);
	free(ix->dev_sfs);
	free(ix->chain_start);
	free(ix->sf_chains);
	free(ix->group_start);
	free(ix->group_sfs);
	free(ix->sf_ids);
	free(ix->chain_ids);
	free(ix->sfv);
	free(ix->stamp);
	free(ix->sf_stamp);
	free(ix->sfv_stamp);
	free(ix->scratch);
	free(ix->cs);
	free(ix->scratch_chains);
	free(ix->cb);
	free(ix);
}

bool sfc_link_index_names(const struct sfc_link_index *ix, const char *dev)
{
	return dev_get(ix, dev) != NULL;
}

/* An interface as the datapath has it now: attached (in sfc_ifaces) or not. */
static void iface_state(const struct sfc_dp *dp, const char *name, struct iface_plan *ip)
{
	memset(ip, 0, sizeof(*ip));
	snprintf(ip->name, sizeof(ip->name), "%s", name);
	ip->ifindex = if_nametoindex(name);
	if (!ip->ifindex || bpf_map_lookup_elem(dp->maps.ifaces, &ip->ifindex, &ip->v))
		return;
	ip->attached = !sfc_nl_get_link(ip->ifindex, -1, &ip->link);
}

static int write_iface(const struct sfc_dp *dp, const struct iface_plan *ip)
{
	const struct sfc_maps *m = &dp->maps;

	if (bpf_map_update_elem(m->ifaces, &ip->ifindex, &ip->v, BPF_ANY))
		return -errno;
	if (ip->v.flags & SFC_IF_XDP_TX_OK)
		bpf_map_update_elem(m->tx_ports, &ip->ifindex, &ip->ifindex, BPF_ANY);
	else
		bpf_map_delete_elem(m->tx_ports, &ip->ifindex);
	return 0;
}

/* dev itself: attach a new ifindex, refresh the MAC of a known one. */
static int update_iface(struct sfc_dp *dp, struct sfc_link_index *ix, const struct dev_entry *de,
			struct iface_plan *ip, struct sfc_link_result *res)
{
	struct sfc_apply_report arep = {};

	iface_state(dp, de->name, ip);
	if (ip->attached) {
		if (!memcmp(ip->v.mac, ip->link.mac, 6))
			return 0;
		memcpy(ip->v.mac, ip->link.mac, 6);
		return write_iface(dp, ip);
	}
	if (!ip->ifindex)
		return 0;
	memset(&ip->v, 0, sizeof(ip->v));
	ip->v.flags = de->flags;
	if (de->ret_of >= 0)
		ip->v.sf_id = ix->sf_ids[de->ret_of];
	attach_iface(dp, ip, &arep);
	if (!ip->attached)
		return 0;
	res->attached = true;
	return write_iface(dp, ip);
}

static int chain_state(const struct sfc_maps *m, const struct sfc_doc *doc,
		       struct sfc_link_index *ix, int ci, struct chain_state **out)
{
	struct chain_state *cs = &ix->cs[ci];
	__u32 cid = ix->chain_ids[ci];
	struct sfc_chain head;

	*out = cs;
	if (cs->known)
		return 0;
	if (bpf_map_lookup_elem(m->chains, &cid, &head))
		return -ENOENT;
	cs->cur = head.path_id;
	for (int v = 0; v < 2; v++) {
		__u32 path_id = cid * 2 + v;
		struct sfc_path path = {};

		bpf_map_lookup_elem(m->paths, &path_id, &path);
		cs->nhops[v] = path.nhops;
	}
	if (current_slots(m, cid, cs->slots) < doc->chains[ci].nhops)
		return -ESTALE;
	cs->known = true;
	return 0;
}

/* Room for n more elements of size sz in *p (capacity *cap). */
static int room(void **p, size_t *cap, size_t used, size_t n, size_t sz)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (used + n <= *cap)
		return 0;
	while (c < used + n)
		c *= 2;
	q = realloc(*p, c * sz);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

/*
 * What one link update writes for its chains, one syscall per map: stale
 * position keys of the idle versions out, their hops, positions and paths
 * in, then the chain heads switched (make-before-break, as write_chain()
 * does one chain at a time).
 */
struct chain_batch {
	struct sfc_pos_key *dk;                 size_t nd, capd;
	struct sfc_hop_key *hk; struct sfc_hop *hv; size_t nh, caph, caphv;
	struct sfc_pos_key *pk; struct sfc_pos *pv; size_t np, capp, cappv;
	__u32 *ck, *pathk; struct sfc_path *pathv; struct sfc_chain *headv;
	size_t nc, capc, cappathk, cappath, caphead;
};

static void batch_free(struct chain_batch *b)
{
	free(b->dk);
	free(b->hk);
	free(b->hv);
	free(b->pk);
	free(b->pv);
	free(b->ck);
	free(b->pathk);
	free(b->pathv);
	free(b->headv);
}

/* Build the idle version of doc->chains[ci] from the SF entries and add it
 * to the batch; the mirror and cache say what it will be once written. */
static int batch_chain(const struct sfc_dp *dp, const struct sfc_doc *doc,
		       struct sfc_link_index *ix, int ci, struct chain_batch *b)
{
	const struct sfc_maps *m = &dp->maps;
	struct plan p = { .sf_ids = ix->sf_ids, .chain_ids = ix->chain_ids };
	__u32 cid = ix->chain_ids[ci], next;
	struct chain_build *cb = ix->cb;
	struct chain_state *cs;
	struct pos_index *pi;
	int n, err;

	err = chain_state(m, doc, ix, ci, &cs);
	if (err)
		return err;
	next = cs->cur == cid * 2 ? cid * 2 + 1 : cid * 2;
	n = chain_sfs(ix, doc, ci, ix->scratch);
	for (int k = 0; k < n; k++) {
		int s = ix->scratch[k];

		if (ix->sfv_stamp[s] == ix->chain_now)
			continue;
		if (bpf_map_lookup_elem(m->sfs, &ix->sf_ids[s], &ix->sfv[s]))
			return -ENOENT;
		ix->sfv_stamp[s] = ix->chain_now;
	}
	build_chain(doc, &p, ci, next, ix->sfv, cs->slots, cb);

	/* hops of a longer idle version than this one: rare, one at a time */
	for (__u32 si = cb->path.nhops + 1; si <= cs->nhops[next & 1]; si++) {
		struct sfc_hop_key hk = { .path_id = next, .si = si };

		bpf_map_delete_elem(m->hops, &hk);
	}
	pi = &ix->pos[ci][next & 1];
	if (room((void **)&b->dk, &b->capd, b->nd, pi->n, sizeof(*b->dk)) ||
	    room((void **)&b->hk, &b->caph, b->nh, cb->path.nhops, sizeof(*b->hk)) ||
	    room((void **)&b->hv, &b->caphv, b->nh, cb->path.nhops, sizeof(*b->hv)) ||
	    room((void **)&b->pk, &b->capp, b->np, cb->npos, sizeof(*b->pk)) ||
	    room((void **)&b->pv, &b->cappv, b->np, cb->npos, sizeof(*b->pv)) ||
	    room((void **)&b->ck, &b->capc, b->nc, 1, sizeof(*b->ck)) ||
	    room((void **)&b->pathk, &b->cappathk, b->nc, 1, sizeof(*b->pathk)) ||
	    room((void **)&b->pathv, &b->cappath, b->nc, 1, sizeof(*b->pathv)) ||
	    room((void **)&b->headv, &b->caphead, b->nc, 1, sizeof(*b->headv)))
		return -ENOMEM;
	memcpy(b->dk + b->nd, pi->k, pi->n * sizeof(*pi->k));
	b->nd += pi->n;
	for (__u32 si = 1; si <= cb->path.nhops; si++) {
		b->hk[b->nh] = (struct sfc_hop_key){ .path_id = next, .si = si };
		b->hv[b->nh++] = cb->hops[si];
	}
	for (int q = 0; q < cb->npos; q++) {
		b->pk[b->np] = cb->pos[q].k;
		b->pv[b->np++] = cb->pos[q].v;
	}
	b->ck[b->nc] = cid;
	b->pathk[b->nc] = next;
	b->pathv[b->nc] = cb->path;
	b->headv[b->nc] = (struct sfc_chain){ .path_id = next, .spi = cb->path.spi };
	snprintf(b->headv[b->nc].name, sizeof(b->headv[b->nc].name), "%s", doc->chains[ci].name);
	b->nc++;

	/* the mirror and the cache now hold what the flush writes */
	free(pi->k);
	pi->n = 0;
	pi->k = malloc((cb->npos + 1) * sizeof(*pi->k));
	if (!pi->k)
		return -ENOMEM;
	for (int q = 0; q < cb->npos; q++)
		pi->k[pi->n++] = cb->pos[q].k;
	cs->cur = next;
	cs->nhops[next & 1] = cb->path.nhops;
	return 0;
}

static int update_batch(int fd, const void *k, const void *v, size_t n)
{
	__u32 count = n;

	if (!n)
		return 0;
	return bpf_map_update_batch(fd, k, v, &count, NULL) ? -errno : 0;
}

static int batch_flush(const struct sfc_dp *dp, struct chain_batch *b)
{
	const struct sfc_maps *m = &dp->maps;
	__u32 count = b->nd;
	int err;

	/* a delete batch stops at the first key that is not there */
	if (b->nd && bpf_map_delete_batch(m->sf_pos, b->dk, &count, NULL))
		for (size_t i = count; i < b->nd; i++)
			bpf_map_delete_elem(m->sf_pos, &b->dk[i]);
	err = update_batch(m->hops, b->hk, b->hv, b->nh);
	if (!err)
		err = update_batch(m->sf_pos, b->pk, b->pv, b->np);
	if (!err)
		err = update_batch(m->paths, b->pathk, b->pathv, b->nc);
	/* the switch: every head in one write, after all it points at */
	if (!err)
		err = update_batch(m->chains, b->ck, b->headv, b->nc);
	return err;
}

/* Write doc->sfs[i]'s entry if it changed; *for_chains: in what its
 * chains are built from (up, return ifindex). */
static int rewrite_sf(struct sfc_dp *dp, const struct sfc_doc *doc, struct sfc_link_index *ix,
		      int i, const struct iface_plan *ip, bool *changed, bool *for_chains)
{
	const struct sfc_sf_cfg *sf = &doc->sfs[i];
	struct iface_plan other_out, other_ret;
	const struct iface_plan *out = ip, *ret = ip;
	struct sfc_sf v, cur;

	if (strcmp(sf->dev, ip->name)) {
		iface_state(dp, sf->dev, &other_out);
		out = &other_out;
	}
	if (strcmp(ret_dev(sf), ip->name)) {
		iface_state(dp, ret_dev(sf), &other_ret);
		ret = &other_ret;
	}
	sf_value(sf, out, ret, &v);
	*changed = bpf_map_lookup_elem(dp->maps.sfs, &ix->sf_ids[i], &cur) ||
		   memcmp(&cur, &v, sizeof(v));
	*for_chains = *changed && ((cur.flags ^ v.flags) & SFC_SF_UP ||
				   cur.ret_ifindex != v.ret_ifindex);
	if (*changed && bpf_map_update_elem(dp->maps.sfs, &ix->sf_ids[i], &v, BPF_ANY))
		return -errno;
	return 0;
}

static int rules_again(struct sfc_dp *dp, const struct sfc_doc *doc, struct sfc_link_index *ix,
		       struct sfc_link_result *res)
{
	struct sfc_rule_set rs = {};
	char err[256];
	int ret;

	ret = sfc_rules_compile(doc, ix->chain_ids, &rs, err, sizeof(err));
	if (!ret)
		ret = sfc_rules_install(&dp->maps, &rs, &res->rules_installed);
	else
		pr_warn("link update: %s\n", err);
	sfc_rules_free(&rs);
	return ret;
}

int sfc_link_update(struct sfc_dp *dp, const struct sfc_doc *doc, struct sfc_link_index *ix,
		    const char *dev, __u32 gone_ifindex, struct sfc_link_result *res)
{
	const struct sfc_maps *m = &dp->maps;
	struct dev_entry *de = dev_get(ix, dev);
	struct chain_batch batch = {};
	struct sfc_iface gone;
	struct iface_plan ip;
	int err, nchains = 0;

	memset(res, 0, sizeof(*res));
	/* the kernel took its programs with it; the maps still name it */
	if (gone_ifindex && !bpf_map_lookup_elem(m->ifaces, &gone_ifindex, &gone)) {
		bpf_map_delete_elem(m->tx_ports, &gone_ifindex);
		bpf_map_delete_elem(m->ifaces, &gone_ifindex);
		res->forgotten = true;
	}
	if (!de)
		return 0;
	err = update_iface(dp, ix, de, &ip, res);
	if (err)
		return err;
	if (de->nrules && (__u32)ip.ifindex != de->rule_ifindex) {
		err = rules_again(dp, doc, ix, res);
		if (err)
			return err;
		de->rule_ifindex = ip.ifindex;
	}
	/* every SF of dev first: a chain is built once, from all of them */
	ix->chain_now++;
	for (int k = 0; k < de->sf_n; k++) {
		int i = ix->dev_sfs[de->sf_start + k];
		bool changed, for_chains;

		err = rewrite_sf(dp, doc, ix, i, &ip, &changed, &for_chains);
		if (err)
			return err;
		res->sfs_rewritten += changed;
		if (!for_chains)
			continue;
		for (int q = ix->chain_start[i]; q < ix->chain_start[i + 1]; q++) {
			int ci = ix->sf_chains[q];

			if (ix->stamp[ci] == ix->chain_now)
				continue;
			ix->stamp[ci] = ix->chain_now;
			ix->scratch_chains[nchains++] = ci;
		}
	}
	for (int q = 0; q < nchains && !err; q++)
		err = batch_chain(dp, doc, ix, ix->scratch_chains[q], &batch);
	if (!err)
		err = batch_flush(dp, &batch);
	batch_free(&batch);
	if (err)
		return err;
	res->chains_switched = nchains;
	/* cached flows point at paths: classify them again */
	if (res->chains_switched && !res->rules_installed)
		return sfc_generation_bump(m);
	return 0;
}
