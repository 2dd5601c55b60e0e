// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chains: each chain's versions (a new one under a fresh path id for every
 * change, switched by one write of the chain head: make-before-break; the
 * old one retired and kept while flows use it, path_pool.h), their hops
 * and SF positions, and the hop counters' slots.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "apply_plan.h"
#include "front.h"
#include "lb_table.h"
#include "log.h"
#include "observe.h"
#include "path_pool.h"
#include "record.h"
#include "rules.h"
#include "yield.h"

static __u32 fnv(const char *s, __u32 seed)
{
	__u32 h = 0x811c9dc5 ^ seed;

	for (; *s; s++) {
		h ^= (__u8)*s;
		h *= 0x01000193;
	}
	h ^= h >> 15;
	h *= 0x2c1b3c6d;
	h ^= h >> 12;
	return h;
}

void chain_build_prev(const struct sfc_maps *m, __u32 prev_path, struct chain_build *b)
{
	b->prev_maps = m;
	b->prev_path = prev_path;
	b->nprev = -1;
}

/* Read the replaced version's tables (chains of one-instance hops never do). */
static void prev_read(struct chain_build *b)
{
	const struct sfc_maps *m = b->prev_maps;
	__u32 prev_path = b->prev_path;
	struct sfc_path path = {};

	b->nprev = 0;
	if (!m || !prev_path || m->lb < 0 || bpf_map_lookup_elem(m->paths, &prev_path, &path))
		return;
	for (__u32 si = 1; si <= path.nhops && si <= SFC_MAX_HOPS; si++) {
		struct sfc_hop_key hk = { .path_id = prev_path, .si = si };
		struct sfc_hop hop;

		if (bpf_map_lookup_elem(m->hops, &hk, &hop) || !(hop.flags & SFC_HOP_TABLE))
			continue;
		if (!bpf_map_lookup_elem(m->lb, &hk, &b->prev[b->nprev]))
			b->nprev++;
	}
}

/* The table of the replaced version that shares most instances with in[]:
 * the same hop before the edit, whatever its position now. */
static const struct sfc_lb *prev_table(struct chain_build *b, const struct lb_inst *in, int n)
{
	const struct sfc_lb *best = NULL;
	int best_common = 0;

	if (b->nprev < 0)
		prev_read(b);
	for (int t = 0; t < b->nprev; t++) {
		const struct sfc_lb *lb = &b->prev[t];
		int common = 0;

		for (int i = 0; i < lb->ninst && i < SFC_LB_MAX_INST; i++)
			for (int k = 0; k < n; k++)
				common += lb->inst[i] == in[k].id;
		if (common > best_common) {
			best = lb;
			best_common = common;
		}
	}
	return best;
}

/*
 * A hop of several instances as a weighted table (lb_table.h), built from
 * the replaced version's table of the same instances: an edit moves only
 * the share of new flows the change needs. Every instance, up or not: a
 * version does not change when an instance goes down or comes back (the
 * datapath steps over one that is down). -1: keep the buckets (a table
 * cannot be built, or the pins have no sfc_lb).
 */
static int build_table(const struct sfc_doc *doc, const struct plan *p, const int *inst,
		       int ninst, __u32 si, struct chain_build *b)
{
	struct lb_inst in[SFC_LB_MAX_INST];
	struct sfc_hop *hop = &b->hops[si];
	int n = 0;

	for (; n < ninst && n < SFC_LB_MAX_INST; n++) {
		const struct sfc_sf_cfg *sf = &doc->sfs[inst[n]];

		in[n] = (struct lb_inst){ .id = p->sf_ids[inst[n]], .weight = sfc_sf_weight(sf),
					  .key = lb_inst_key(sf->name) };
	}
	if (lb_table_build(in, n, prev_table(b, in, n), &b->lb[si]))
		return -1;
	hop->flags |= SFC_HOP_TABLE;
	hop->nbuckets = 0;
	memset(hop->sf, 0, sizeof(hop->sf));
	hop->tab_digest = lb_table_digest(&b->lb[si]);
	return 0;
}

int chain_write_tables(const struct sfc_maps *m, __u32 path_id, struct chain_build *b)
{
	static bool warned;

	for (__u32 si = 1; si <= b->path.nhops; si++) {
		struct sfc_hop_key hk = { .path_id = path_id, .si = si };

		if (!(b->hops[si].flags & SFC_HOP_TABLE))
			continue;
		if (!bpf_map_update_elem(m->lb, &hk, &b->lb[si], BPF_ANY))
			continue;
		if (errno != E2BIG && errno != ENOSPC && errno != ENOMEM)
			return -errno;
		/* sfc_lb is full (versions that edits retired still hold their
		 * tables): the hop spreads by its 16 buckets, unweighted, until
		 * the next edit finds room */
		if (!warned)
			pr_warn("hop tables (sfc_lb, %d) full: hops of several instances "
				"spread flows by buckets, without weights, until versions are "
				"freed\n", SFC_LB_TABLES);
		warned = true;
		b->hops[si] = b->bucket_hop[si];
	}
	return 0;
}

void build_chain(const struct sfc_doc *doc, const struct plan *p, int ci,
		 __u32 path_id, const struct sfc_sf_view *sfv, const __u32 *slots,
		 struct chain_build *b)
{
	const struct sfc_chain_cfg *c = &doc->chains[ci];
	__u32 cid = p->chain_ids[ci];

	memset(b, 0, offsetof(struct chain_build, lb)); /* the tables: as hops take them */
	b->spi = c->spi;
	b->path = (struct sfc_path){ .chain_id = cid, .nhops = c->nhops,
				     .on_failure = c->on_failure, .end = c->end,
				     .flags = c->symmetric ? SFC_PATH_SYMMETRIC : 0 };
	for (int h = 0; h < c->nhops; h++) {
		const struct sfc_hop_cfg *hc = &c->hops[h];
		__u32 si = c->nhops - h;
		struct sfc_hop *hop = &b->hops[si];
		int inst[SFC_HOP_MAX_INSTANCES], ninst = 0;

		hop->stats_idx = slots[h];
		/* A name is an SF, or a group standing for all its SFs; an SF
		 * named and in a group the hop names too is one instance. */
		for (int k = 0; k < hc->nsf; k++) {
			const struct sfc_sf_cfg *sf = sfc_doc_sf(doc, hc->sf[k]);

			for (int i = 0; i < doc->nsfs && ninst < SFC_HOP_MAX_INSTANCES; i++) {
				bool dup = false;

				if (sf ? &doc->sfs[i] != sf : strcmp(doc->sfs[i].group, hc->sf[k]))
					continue;
				for (int q = 0; q < ninst && !dup; q++)
					dup = inst[q] == i;
				if (!dup)
					inst[ninst++] = i;
			}
		}
		for (int k = 0; k < ninst; k++) {
			int si_idx = inst[k];
			__u32 ret = sfv[si_idx].ret_ifindex, rret = ret, id = p->sf_ids[si_idx];
			bool seen = false;

			/* a tap never sends back: no position to come back to
			 * (what it sends anyway finds none, and is dropped) */
			if (!ret || hc->tap)
				continue;
			/* a two-arm SF takes a symmetric chain's replies from
			 * its other side, and sends them back on its dev */
			if (c->symmetric && sfv[si_idx].v.ifindex && sfv[si_idx].v.ifindex != ret &&
			    id < SFC_MAX_SFS) {
				rret = sfv[si_idx].v.ifindex;
				b->back[id / 8] |= 1u << (id % 8);
			}
			/*
			 * An SF serves one SI of a path: the document refuses an
			 * SF reachable at two positions of a chain, plan_roles an
			 * interface shared by two SFs. Were one reachable twice
			 * anyway, its interface keeps the lowest SI (the later
			 * hop): a return must never lead back up the chain.
			 */
			for (int q = 0; q < b->npos && !seen; q++)
				if (b->pos[q].k.ifindex == ret) {
					b->pos[q].v.si = si; /* hops go by falling SI */
					seen = true;
				}
			if (seen || b->npos >= SFC_MAX_HOPS * SFC_HOP_MAX_INSTANCES)
				continue;
			b->pos[b->npos].k = (struct sfc_pos_key){ .ifindex = ret, .path_id = path_id };
			b->pos[b->npos].v = (struct sfc_pos){ .si = si };
			b->pos[b->npos].rk = rret;
			b->npos++;
		}
		if (!ninst) {
			/* a group with no member left: on-failure applies (a
			 * tap: no copy) */
			hop->flags = SFC_HOP_DOWN | (hc->tap ? SFC_HOP_TAP : 0);
			continue;
		}
		if (hc->tap)
			hop->flags |= SFC_HOP_TAP;
		/*
		 * Rendezvous hashing over every instance, up or not: a version
		 * does not change when an instance goes down or comes back.
		 * The datapath skips an instance that is down to the next
		 * bucket's (bpf/sff.h), and applies on-failure only when no
		 * instance of the hop is up; each bucket goes to the instance
		 * with the highest score, so an instance added or removed by an
		 * edit moves only the buckets it wins or won.
		 */
		hop->nbuckets = SFC_HOP_BUCKETS;
		for (int bk = 0; bk < SFC_HOP_BUCKETS; bk++) {
			__u32 best = 0, best_score = 0;

			for (int k = 0; k < ninst; k++) {
				__u32 sc = fnv(doc->sfs[inst[k]].name, bk);

				if (k == 0 || sc > best_score) {
					best_score = sc;
					best = p->sf_ids[inst[k]];
				}
			}
			hop->sf[bk] = best;
		}
		/* the buckets stay at hand: what the hop falls back to when
		 * sfc_lb has no room for its table */
		b->bucket_hop[si] = *hop;
		if (ninst > 1 && p->lb_tables)
			build_table(doc, p, inst, ninst, si, b);
	}
}

/* Instance id as the reply version names it: a two-arm SF of b's by its
 * other side. */
static __u32 back_id(const struct chain_build *b, __u32 id)
{
	return id && id < SFC_MAX_SFS && (b->back[id / 8] & (1u << (id % 8))) ?
	       id | SFC_SF_ID_BACK : id;
}

/* Hop h of the reply version: b's, its instances by back_id (a tap's
 * copy goes where it always goes). */
static void reverse_hop(const struct chain_build *b, struct sfc_hop *h)
{
	if (h->flags & (SFC_HOP_TABLE | SFC_HOP_TAP))
		return;
	for (int k = 0; k < SFC_HOP_BUCKETS; k++)
		h->sf[k] = back_id(b, h->sf[k]);
}

void chain_build_reverse(const struct chain_build *b, __u32 rev_path, struct chain_build *rb)
{
	__u32 n = b->path.nhops;

	memset(rb, 0, offsetof(struct chain_build, lb));
	rb->spi = b->spi;
	rb->path = b->path;
	rb->path.flags = SFC_PATH_REPLY;
	rb->nprev = -1;
	for (__u32 si = 1; si <= n && si <= SFC_MAX_HOPS; si++) {
		__u32 rsi = n + 1 - si;

		/* the same instances and counter slot, in the same order:
		 * a flow's hash picks the same one (or the same fallback) */
		rb->hops[rsi] = b->hops[si];
		rb->bucket_hop[rsi] = b->bucket_hop[si];
		reverse_hop(b, &rb->hops[rsi]);
		reverse_hop(b, &rb->bucket_hop[rsi]);
		if (b->hops[si].flags & SFC_HOP_TABLE) {
			struct sfc_lb *t = &rb->lb[rsi];

			*t = b->lb[si];
			for (int k = 0; k < t->ninst && k < SFC_LB_MAX_INST; k++)
				t->inst[k] = back_id(b, t->inst[k]);
			for (int k = 0; k < t->size && k < SFC_LB_SLOTS; k++)
				t->slot[k] = back_id(b, t->slot[k]);
			rb->hops[rsi].tab_digest = lb_table_digest(t);
		}
	}
	for (int q = 0; q < b->npos; q++) {
		rb->pos[q].k = (struct sfc_pos_key){ .ifindex = b->pos[q].rk, .path_id = rev_path };
		rb->pos[q].v = (struct sfc_pos){ .si = n + 1 - b->pos[q].v.si };
		rb->pos[q].rk = b->pos[q].k.ifindex;
	}
	rb->npos = b->npos;
}

static bool chain_unchanged(const struct sfc_maps *m, __u32 path_id, const struct chain_build *b)
{
	struct sfc_path path;

	if (!path_id || bpf_map_lookup_elem(m->paths, &path_id, &path) ||
	    memcmp(&path, &b->path, sizeof(path)))
		return false;
	for (__u32 si = 1; si <= b->path.nhops; si++) {
		struct sfc_hop_key hk = { .path_id = path_id, .si = si };
		struct sfc_hop hop;

		if (bpf_map_lookup_elem(m->hops, &hk, &hop) ||
		    memcmp(&hop, &b->hops[si], sizeof(hop)))
			return false;
	}
	for (int q = 0; q < b->npos; q++) {
		struct sfc_pos_key k = b->pos[q].k;
		struct sfc_pos v;

		k.path_id = path_id;
		if (bpf_map_lookup_elem(m->sf_pos, &k, &v) || memcmp(&v, &b->pos[q].v, sizeof(v)))
			return false;
	}
	/* the reply version: built from the same hops, only the interfaces
	 * replies come back on can have moved (a two-arm SF's dev) */
	if (b->path.flags & SFC_PATH_SYMMETRIC) {
		__u32 rev = 0;

		if (m->path_rev < 0 || bpf_map_lookup_elem(m->path_rev, &path_id, &rev) || !rev)
			return false;
		for (int q = 0; q < b->npos; q++) {
			struct sfc_pos_key k = { .ifindex = b->pos[q].rk, .path_id = rev };
			struct sfc_pos v;

			if (bpf_map_lookup_elem(m->sf_pos, &k, &v) ||
			    v.si != b->path.nhops + 1 - b->pos[q].v.si)
				return false;
		}
	}
	return true;
}

static int cmp_pos_path(const void *a, const void *b)
{
	const struct sfc_pos_key *x = a, *y = b;

	return x->path_id < y->path_id ? -1 : x->path_id > y->path_id;
}

/* Make room for at least want more keys. */
static int pos_index_grow(struct pos_index *ix, size_t *cap, size_t want)
{
	size_t c = *cap ? *cap : 1024;
	struct sfc_pos_key *k;

	while (c < ix->n + want)
		c *= 2;
	if (c == *cap)
		return 0;
	k = realloc(ix->k, c * sizeof(*k));
	if (!k)
		return -ENOMEM;
	ix->k = k;
	*cap = c;
	return 0;
}

/* Keys one by one: kernels or maps without batch lookups. */
static int pos_index_read_slow(const struct sfc_maps *m, struct pos_index *ix, size_t *cap)
{
	struct sfc_pos_key key, next, *prev = NULL;

	ix->n = 0;
	while (!bpf_map_get_next_key(m->sf_pos, prev, &next)) {
		if (pos_index_grow(ix, cap, 1))
			return -ENOMEM;
		ix->k[ix->n++] = next;
		key = next;
		prev = &key;
	}
	return 0;
}

int pos_index_read(const struct sfc_maps *m, struct pos_index *ix)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct sfc_pos *vals = NULL;
	__u32 batch = 0, count;
	size_t cap = 0, chunk = 1024;
	void *in = NULL;
	int ret = 0;

	ix->k = NULL;
	ix->n = 0;
	/* One syscall per chunk of keys, not one per key: a link event
	 * rewriting a few chains should not pay for walking the whole map. */
	for (;;) {
		if (pos_index_grow(ix, &cap, chunk)) {
			ret = -ENOMEM;
			break;
		}
		free(vals);
		vals = malloc(chunk * sizeof(*vals));
		if (!vals) {
			ret = -ENOMEM;
			break;
		}
		count = chunk;
		sfc_yield_check();
		if (!bpf_map_lookup_batch(m->sf_pos, in, &batch, ix->k + ix->n, vals, &count,
					  &opts)) {
			ix->n += count;
			in = &batch;
			continue;
		}
		if (errno == ENOENT) {          /* the last chunk */
			ix->n += count;
			break;
		}
		if (errno == ENOSPC && !count) { /* a hash bucket larger than chunk */
			chunk *= 2;
			continue;
		}
		ret = pos_index_read_slow(m, ix, &cap);
		break;
	}
	free(vals);
	if (!ret && ix->n > 1)
		qsort(ix->k, ix->n, sizeof(*ix->k), cmp_pos_path);
	return ret;
}

const struct sfc_pos_key *pos_index_path(const struct pos_index *ix, __u32 path_id, size_t *n)
{
	size_t lo = 0, hi = ix->n, end;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ix->k[mid].path_id < path_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < ix->n && ix->k[end].path_id == path_id; end++)
		;
	*n = end - lo;
	return ix->k + lo;
}

/* The position keys of ids[0..n) out, their front slots first: one
 * read of the front, one delete batch. */
static int purge_positions(const struct sfc_maps *m, const struct pos_index *ix,
			   const __u32 *ids, size_t n)
{
	struct sfc_pos_key *dk = NULL;
	size_t nd = 0;
	__u32 count;

	for (size_t i = 0; i < n; i++) {
		size_t nk;
		const struct sfc_pos_key *k = pos_index_path(ix, ids[i], &nk);
		void *q = nk ? realloc(dk, (nd + nk) * sizeof(*dk)) : dk;

		if (!q) {
			free(dk);
			return -ENOMEM;
		}
		dk = q;
		memcpy(dk + nd, k, nk * sizeof(*k));
		nd += nk;
	}
	sfc_pos_front_clear(m, dk, nd);
	count = nd;
	/* a delete batch stops at the first key that is not there */
	if (nd && bpf_map_delete_batch(m->sf_pos, dk, &count, NULL))
		for (size_t i = count; i < nd; i++)
			bpf_map_delete_elem(m->sf_pos, &dk[i]);
	free(dk);
	return 0;
}

int chain_purge_paths(const struct sfc_maps *m, const struct pos_index *ix,
		      const __u32 *ids, size_t n)
{
	static const struct sfc_path zero;
	int err = purge_positions(m, ix, ids, n);

	for (size_t i = 0; i < n && !err; i++) {
		__u32 path_id = ids[i];
		struct sfc_path path = {};

		if (bpf_map_lookup_elem(m->paths, &path_id, &path))
			continue;
		/* every SI of a version whose path entry was never written (a
		 * write that failed half-way); a hop's table after the hop */
		for (__u32 si = 1; si <= (path.nhops ? path.nhops : SFC_MAX_HOPS) &&
				   si <= SFC_MAX_HOPS; si++) {
			struct sfc_hop_key hk = { .path_id = path_id, .si = si };

			sfc_hop_del(m, &hk);
			if (m->lb >= 0)
				bpf_map_delete_elem(m->lb, &hk);
		}
		if (path.nhops)
			bpf_map_update_elem(m->paths, &path_id, &zero, BPF_ANY);
		if (m->path_rev >= 0) {
			__u32 none = 0;

			bpf_map_update_elem(m->path_rev, &path_id, &none, BPF_ANY);
		}
	}
	return err;
}

/* Version path_id's tables, hops, positions and path entry from b. */
static int write_version(const struct sfc_maps *m, __u32 path_id, struct chain_build *b)
{
	int terr = chain_write_tables(m, path_id, b);

	if (terr)
		return terr;
	for (__u32 si = 1; si <= b->path.nhops; si++) {
		struct sfc_hop_key hk = { .path_id = path_id, .si = si };
		int err = sfc_hop_put(m, &hk, &b->hops[si]);

		if (err)
			return err;
	}
	for (int q = 0; q < b->npos; q++) {
		int err = sfc_pos_put(m, &b->pos[q].k, &b->pos[q].v);

		if (err)
			return err;
	}
	if (bpf_map_update_elem(m->paths, &path_id, &b->path, BPF_ANY))
		return -errno;
	return 0;
}

/* Version path_id of chain cid from b, with its reply version rev_id
 * from rb when the chain is symmetric (else rev_id 0), then the head. */
static int write_chain(const struct sfc_dp *dp, __u32 cid, const char *name, __u32 path_id,
		       struct chain_build *b, __u32 rev_id, struct chain_build *rb)
{
	const struct sfc_maps *m = &dp->maps;
	struct sfc_chain head = { .path_id = path_id };
	struct sfc_chain_record rec = { .spi = b->spi };
	int err = write_version(m, path_id, b);

	if (err)
		return err;
	if (rev_id) {
		/* from the forward version as written (a table sfc_lb had no
		 * room for went back to buckets) */
		chain_build_reverse(b, rev_id, rb);
		err = write_version(m, rev_id, rb);
		if (err)
			return err;
	}
	/* before the head: the version's first flow may find its reply */
	if (m->path_rev >= 0 && bpf_map_update_elem(m->path_rev, &path_id, &rev_id, BPF_ANY))
		return -errno;
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	if (bpf_map_update_elem(dp->rec.chains, &cid, &rec, BPF_ANY))
		return -errno;
	/* The switch: one write of the chain head. */
	if (bpf_map_update_elem(m->chains, &cid, &head, BPF_ANY))
		return -errno;
	return 0;
}

/* Stats slots of the hops of a chain's current path, by hop index. */
int current_slots(const struct sfc_maps *m, __u32 cid, __u32 *slots)
{
	struct sfc_chain head;
	struct sfc_path path;
	int n = 0;

	if (bpf_map_lookup_elem(m->chains, &cid, &head) || !head.path_id ||
	    bpf_map_lookup_elem(m->paths, &head.path_id, &path))
		return 0;
	for (__u32 h = 0; h < path.nhops && h < SFC_MAX_HOPS; h++) {
		struct sfc_hop_key hk = { .path_id = head.path_id, .si = path.nhops - h };
		struct sfc_hop hop;

		if (bpf_map_lookup_elem(m->hops, &hk, &hop))
			break;
		slots[h] = hop.stats_idx;
		n++;
	}
	return n;
}

/*
 * A hop keeps its counters' slot across edits of its chain (by position);
 * new hops take free slots, zeroed, and so are the drops by reason of new
 * hops and chains (sfc_hop_drops) and of chains that are gone. Slots of removed hops and chains are
 * free again once no current path refers to them.
 */
static int assign_slots(struct sfc_dp *dp, const struct sfc_doc *doc, const struct plan *p,
			__u32 (*slots)[SFC_MAX_HOPS])
{
	const struct sfc_maps *m = &dp->maps;
	char *used = calloc(SFC_HOP_STATS_ENTRIES, 1), *fresh_chains;
	__u32 next = 1;

	if (!used)
		return -ENOMEM;
	used[0] = 1;
	for (int ci = 0; ci < doc->nchains; ci++) {
		int n = p->chain_new[ci] ? 0 : current_slots(m, p->chain_ids[ci], slots[ci]);

		sfc_yield();

		for (int h = 0; h < doc->chains[ci].nhops; h++) {
			if (h < n && slots[ci][h] && slots[ci][h] < SFC_HOP_STATS_ENTRIES &&
			    !used[slots[ci][h]]) {
				used[slots[ci][h]] = 1;
			} else {
				slots[ci][h] = 0; /* allocated below */
			}
		}
	}
	for (int ci = 0; ci < doc->nchains; ci++) {
		sfc_yield();
		for (int h = 0; h < doc->chains[ci].nhops; h++) {
			if (slots[ci][h])
				continue;
			while (next < SFC_HOP_STATS_ENTRIES && used[next])
				next++;
			if (next >= SFC_HOP_STATS_ENTRIES) {
				free(used);
				return -ENOSPC;
			}
			used[next] = 2; /* fresh: its drops by reason go too */
			slots[ci][h] = next;
			sfc_map_zero_percpu(dp, m->hop_stats, next, sizeof(struct sfc_hop_counter));
		}
	}
	for (int i = 0; i < SFC_HOP_STATS_ENTRIES; i++)
		used[i] = used[i] == 2;
	fresh_chains = calloc(SFC_MAX_CHAINS, 1);
	for (int ci = 0; fresh_chains && ci < doc->nchains; ci++)
		if (p->chain_new[ci] && p->chain_ids[ci] < SFC_MAX_CHAINS)
			fresh_chains[p->chain_ids[ci]] = 1;
	sfc_hop_drops_forget(dp, used, fresh_chains);
	free(fresh_chains);
	free(used);
	return 0;
}


/* Name version path_id in the position keys of b. */
void chain_build_set_path(struct chain_build *b, __u32 path_id)
{
	for (int q = 0; q < b->npos; q++)
		b->pos[q].k.path_id = path_id;
}

/* Build chain ci and, when it differs from its current version, write it
 * as a new version and switch the head to it; the old one is retired. */
static int switch_chain(struct sfc_dp *dp, const struct sfc_doc *doc, const struct plan *p,
			int ci, const struct sfc_sf_view *sfv, const __u32 *slots,
			struct chain_build *cb, struct chain_build *rcb, bool *switched)
{
	const struct sfc_maps *m = &dp->maps;
	__u32 cid = p->chain_ids[ci], cur = 0, next, rev;
	struct sfc_chain_record rec = {};
	struct sfc_chain head;
	int err;

	*switched = false;
	if (!bpf_map_lookup_elem(m->chains, &cid, &head))
		cur = head.path_id;
	bpf_map_lookup_elem(dp->rec.chains, &cid, &rec);
	/* Built once; compared with the current version, whose position
	 * keys differ only in the path id. */
	chain_build_prev(m, cur, cb);
	build_chain(doc, p, ci, cur, sfv, slots, cb);
	if (cur && !p->chain_new[ci] && rec.spi == cb->spi && chain_unchanged(m, cur, cb))
		return 0;
	err = sfc_path_take_version(dp, cid, cb->path.flags, &next, &rev);
	if (err)
		return err;
	chain_build_set_path(cb, next);
	if (p->chain_new[ci])
		sfc_map_zero_percpu(dp, m->chain_stats, cid, sizeof(struct sfc_counter));
	err = write_chain(dp, cid, doc->chains[ci].name, next, cb, rev, rcb);
	if (err) {
		sfc_path_retire(dp, next); /* half-written: the collector purges it */
		return err;
	}
	sfc_path_retire(dp, cur);
	if (cur) {
		struct sfc_path old = {};

		bpf_map_lookup_elem(m->paths, &cur, &old);
		if (old.on_failure != cb->path.on_failure || old.end != cb->path.end)
			sfc_path_set_policy(dp, cid, cb->path.on_failure, cb->path.end);
	}
	*switched = true;
	return 0;
}

int chains_apply(struct apply_live *a, int *switched, char *err, size_t errlen)
{
	const struct sfc_doc *doc = a->doc;
	int ret;

	a->slots = calloc(doc->nchains + 1, sizeof(*a->slots));
	a->cb = malloc(sizeof(*a->cb));
	a->rcb = malloc(sizeof(*a->rcb));
	if (!a->slots || !a->cb || !a->rcb)
		return -ENOMEM;
	ret = assign_slots(a->dp, doc, a->p, a->slots);
	if (ret) {
		snprintf(err, errlen, "$.chains: more than %d hops in all chains",
			 SFC_HOP_STATS_ENTRIES - 1);
		return ret;
	}
	/* a link event between two chains: apply_live.c; the clock is read
	 * at each (64 chains took 1.5 ms of lookups and writes) */
	for (int ci = 0; ci < doc->nchains; ci++) {
		bool sw;

		sfc_yield_check();
		ret = switch_chain(a->dp, doc, a->p, ci, a->sfv, a->slots[ci], a->cb, a->rcb,
				   &sw);
		if (ret == -ENOSPC) {
			snprintf(err, errlen, "chain %s: no free path version: all %d are in use "
				 "by chains and by flows of their older versions (sfcctl migrate "
				 "moves those flows to the current versions)",
				 doc->chains[ci].name, SFC_MAX_PATHS - 1);
			return ret;
		}
		if (ret == -EOPNOTSUPP) {
			snprintf(err, errlen, "chain %s: symmetric, but the datapath's pins have no "
				 "reply versions (sfc_path_rev: an sfc older than symmetric chains)",
				 doc->chains[ci].name);
			return ret;
		}
		if (ret) {
			snprintf(err, errlen, "chain %s: %s", doc->chains[ci].name, strerror(-ret));
			return ret;
		}
		a->done = ci + 1;
		*switched += sw;
	}
	return 0;
}

int chains_remove_stale(struct sfc_dp *dp, const struct plan *p, int nchains)
{
	const struct sfc_maps *m = &dp->maps;
	sfc_id_name *names = sfc_record_chain_names(dp);
	char *keep = calloc(SFC_MAX_CHAINS, 1);
	int ret = -ENOMEM;

	if (!names || !keep)
		goto out;
	for (int ci = 0; ci < nchains; ci++)
		keep[p->chain_ids[ci]] = 1;
	for (__u32 cid = 1; cid < SFC_MAX_CHAINS; cid++) {
		struct sfc_chain zero = {}, head = {};
		struct sfc_chain_record none = {};

		sfc_yield();
		if (!names[cid][0] || keep[cid])
			continue;
		bpf_map_lookup_elem(m->chains, &cid, &head);
		bpf_map_update_elem(m->chains, &cid, &zero, BPF_ANY);
		bpf_map_update_elem(dp->rec.chains, &cid, &none, BPF_ANY);
		/* its flows finish on it, or are classified again */
		sfc_path_retire(dp, head.path_id);
	}
	ret = 0;
out:
	free(names);
	free(keep);
	return ret;
}
