// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Path versions and their collector: see path_pool.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "apply_plan.h"
#include "path_pool.h"

enum { PATH_FREE, PATH_LIVE, PATH_RETIRED };

#define GC_CHUNK 4096

struct sfc_path_pool {
	__u8 state[SFC_MAX_PATHS];
	__u64 retired_ms[SFC_MAX_PATHS];
	__u32 chain_of[SFC_MAX_PATHS];
	__u32 rev_of[SFC_MAX_PATHS];   /* a symmetric chain's version: its reply version */
	__u32 fwd_of[SFC_MAX_PATHS];   /* a reply version: the version it answers */
	__u8 cand[SFC_MAX_PATHS];      /* looked at by the pass under way */
	__u8 named[SFC_MAX_PATHS];     /* ... and named by an entry it saw */
	__u32 next;                    /* where the search for a free id starts */
	unsigned int nlive, nretired;
	bool in_pass, slow;
	__u32 token;                   /* the batch walk's position */
	bool token_set;
	struct sfc_flow_cache_key last;      /* the key-by-key walk's position */
	bool last_set;
	__u64 last_end_ms;
	struct sfc_flow_cache_key *keys;
	struct sfc_flow *vals;
	struct sfc_path_gc_stats st;
};

__u64 sfc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct sfc_path_pool *pool_get(struct sfc_dp *dp)
{
	struct sfc_path_pool *pp = dp->paths;
	struct sfc_path *paths = NULL;
	struct sfc_chain *heads = NULL;
	__u32 *rev = NULL;
	__u64 now = sfc_now_ms();

	if (pp)
		return pp;
	pp = calloc(1, sizeof(*pp));
	if (pp) {
		pp->keys = malloc(GC_CHUNK * sizeof(*pp->keys));
		pp->vals = malloc(GC_CHUNK * sizeof(*pp->vals));
	}
	paths = sfc_map_read_array(dp->maps.paths, SFC_MAX_PATHS, sizeof(*paths));
	heads = sfc_map_read_array(dp->maps.chains, SFC_MAX_CHAINS, sizeof(*heads));
	if (dp->maps.path_rev >= 0)
		rev = sfc_map_read_array(dp->maps.path_rev, SFC_MAX_PATHS, sizeof(*rev));
	if (!pp || !pp->keys || !pp->vals || !paths || !heads ||
	    (dp->maps.path_rev >= 0 && !rev)) {
		if (pp) {
			free(pp->keys);
			free(pp->vals);
		}
		free(pp);
		pp = NULL;
		goto out;
	}
	for (__u32 p = 1; rev && p < SFC_MAX_PATHS; p++)
		if (rev[p] && rev[p] < SFC_MAX_PATHS) {
			pp->rev_of[p] = rev[p];
			pp->fwd_of[rev[p]] = p;
		}
	for (__u32 c = 1; c < SFC_MAX_CHAINS; c++) {
		__u32 h = heads[c].path_id;

		for (int twice = 0; twice < 2 && h && h < SFC_MAX_PATHS; twice++) {
			if (pp->state[h] != PATH_LIVE) {
				pp->state[h] = PATH_LIVE;
				pp->nlive++;
			}
			h = pp->rev_of[h]; /* and its reply version */
		}
	}
	for (__u32 p = 1; p < SFC_MAX_PATHS; p++) {
		pp->chain_of[p] = paths[p].chain_id;
		if (paths[p].nhops && pp->state[p] == PATH_FREE) {
			pp->state[p] = PATH_RETIRED;
			pp->retired_ms[p] = now;
			pp->nretired++;
		}
	}
	pp->next = 1;
	pp->last_end_ms = now;
	dp->paths = pp;
out:
	free(paths);
	free(heads);
	free(rev);
	return pp;
}

void sfc_path_pool_free(struct sfc_dp *dp)
{
	struct sfc_path_pool *pp = dp->paths;

	if (!pp)
		return;
	free(pp->keys);
	free(pp->vals);
	free(pp);
	dp->paths = NULL;
}

int sfc_path_take(struct sfc_dp *dp, __u32 chain_id, __u32 *path_id)
{
	struct sfc_path_pool *pp = pool_get(dp);

	if (!pp)
		return -ENOMEM;
	for (__u32 n = 0; n < SFC_MAX_PATHS; n++) {
		__u32 p = pp->next;

		pp->next = p + 1 < SFC_MAX_PATHS ? p + 1 : 1;
		if (p && pp->state[p] == PATH_FREE) {
			pp->state[p] = PATH_LIVE;
			pp->chain_of[p] = chain_id;
			pp->nlive++;
			*path_id = p;
			return 0;
		}
	}
	return -ENOSPC;
}

void sfc_path_retire(struct sfc_dp *dp, __u32 path_id)
{
	struct sfc_path_pool *pp = pool_get(dp);

	for (int twice = 0; twice < 2; twice++) {
		if (!pp || !path_id || path_id >= SFC_MAX_PATHS)
			return;
		if (pp->state[path_id] == PATH_LIVE) {
			pp->state[path_id] = PATH_RETIRED;
			pp->retired_ms[path_id] = sfc_now_ms();
			pp->nlive--;
			pp->nretired++;
		}
		path_id = pp->rev_of[path_id]; /* and its reply version */
	}
}

void sfc_path_pair(struct sfc_dp *dp, __u32 fwd, __u32 rev)
{
	struct sfc_path_pool *pp = pool_get(dp);

	if (!pp || !fwd || !rev || fwd >= SFC_MAX_PATHS || rev >= SFC_MAX_PATHS)
		return;
	pp->rev_of[fwd] = rev;
	pp->fwd_of[rev] = fwd;
}

int sfc_path_take_version(struct sfc_dp *dp, __u32 chain_id, __u8 path_flags, __u32 *path_id,
			  __u32 *rev)
{
	int err;

	*rev = 0;
	if ((path_flags & SFC_PATH_SYMMETRIC) && dp->maps.path_rev < 0)
		return -EOPNOTSUPP;
	err = sfc_path_take(dp, chain_id, path_id);
	if (err || !(path_flags & SFC_PATH_SYMMETRIC))
		return err;
	err = sfc_path_take(dp, chain_id, rev);
	if (err) {
		sfc_path_retire(dp, *path_id);
		return err;
	}
	sfc_path_pair(dp, *path_id, *rev);
	return 0;
}

/* Version p is free again: it and its pairing are forgotten. */
static void path_forget(struct sfc_path_pool *pp, __u32 p)
{
	__u32 r = pp->rev_of[p], f = pp->fwd_of[p];

	if (r && pp->fwd_of[r] == p)
		pp->fwd_of[r] = 0;
	if (f && pp->rev_of[f] == p)
		pp->rev_of[f] = 0;
	pp->rev_of[p] = pp->fwd_of[p] = 0;
	pp->state[p] = PATH_FREE;
}

void sfc_path_count(struct sfc_dp *dp, unsigned int *live, unsigned int *retired)
{
	struct sfc_path_pool *pp = pool_get(dp);

	*live = pp ? pp->nlive : 0;
	*retired = pp ? pp->nretired : 0;
}

void sfc_path_held_chains(struct sfc_dp *dp, __u8 *held)
{
	struct sfc_path_pool *pp = pool_get(dp);

	for (__u32 p = 1; pp && p < SFC_MAX_PATHS; p++)
		if (pp->state[p] == PATH_RETIRED && pp->chain_of[p] < SFC_MAX_CHAINS)
			held[pp->chain_of[p]] = 1;
}

void sfc_path_set_policy(struct sfc_dp *dp, __u32 chain_id, __u8 on_failure, __u8 end)
{
	struct sfc_path_pool *pp = pool_get(dp);

	for (__u32 p = 1; pp && p < SFC_MAX_PATHS; p++) {
		struct sfc_path path;

		if (pp->state[p] != PATH_RETIRED || pp->chain_of[p] != chain_id ||
		    bpf_map_lookup_elem(dp->maps.paths, &p, &path) || !path.nhops ||
		    (path.on_failure == on_failure && path.end == end))
			continue;
		path.on_failure = on_failure;
		path.end = end;
		bpf_map_update_elem(dp->maps.paths, &p, &path, BPF_EXIST);
	}
}

const struct sfc_path_gc_stats *sfc_path_gc_stats(struct sfc_dp *dp)
{
	static const struct sfc_path_gc_stats none;
	struct sfc_path_pool *pp = pool_get(dp);

	return pp ? &pp->st : &none;
}

/* Up to GC_CHUNK entries of sfc_flows from where the walk stands; 0 and
 * *n of them, *done at the end of the map; -errno. */
static int walk_chunk(struct sfc_dp *dp, struct sfc_path_pool *pp, __u32 *n, bool *done)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = dp->maps.flows;
	__u32 count = GC_CHUNK, out;

	*done = false;
	if (!pp->slow) {
		if (!bpf_map_lookup_batch(fd, pp->token_set ? &pp->token : NULL, &out, pp->keys,
					  pp->vals, &count, &opts)) {
			pp->token = out;
			pp->token_set = true;
			*n = count;
			return 0;
		}
		if (errno == ENOENT) {
			*n = count;
			*done = true;
			return 0;
		}
		if (pp->token_set)
			return -errno;
		pp->slow = true; /* no batch lookups here: key by key from now on */
	}
	*n = 0;
	while (*n < GC_CHUNK) {
		struct sfc_flow_cache_key k;

		if (bpf_map_get_next_key(fd, pp->last_set ? &pp->last : NULL, &k)) {
			*done = true;
			break;
		}
		pp->last = k;
		pp->last_set = true;
		if (bpf_map_lookup_elem(fd, &k, &pp->vals[*n]))
			continue; /* gone meanwhile */
		pp->keys[(*n)++] = k;
	}
	return 0;
}

/* The collector's passes for a flow idle time of idle_ms (0: the
 * default), 1..255: the count fits the flags' SFC_FLOW_IDLE_PASSES bits. */
static unsigned int idle_passes(unsigned int idle_ms)
{
	unsigned int n;

	if (!idle_ms)
		idle_ms = SFC_FLOW_IDLE_MS;
	n = (idle_ms + SFC_PATH_GC_EVERY_MS - 1) / SFC_PATH_GC_EVERY_MS;
	return n < 1 ? 1 : n > 255 ? 255 : n;
}

/* What the pass does to one entry of a version it looks at. */
static void age_entry(struct sfc_dp *dp, struct sfc_path_pool *pp, const struct sfc_flow_cache_key *k,
		      struct sfc_flow *v)
{
	int fd = dp->maps.flows;
	struct sfc_flow now;

	if (v->flags & SFC_FLOW_IDLE) {
		/* read again just before: a packet since the walk read it
		 * keeps the flow */
		if (!bpf_map_lookup_elem(fd, k, &now) && (now.flags & SFC_FLOW_IDLE) &&
		    now.path_id == v->path_id) {
			unsigned int passes = (now.flags & SFC_FLOW_IDLE_PASSES_MASK) >>
					      SFC_FLOW_IDLE_PASSES_SHIFT;

			if (passes + 1 >= idle_passes(dp->flow_idle_ms)) {
				if (!bpf_map_delete_elem(fd, k))
					pp->st.flows_ended++;
				return;
			}
			now.flags = (now.flags & ~SFC_FLOW_IDLE_PASSES_MASK) |
				    (passes + 1) << SFC_FLOW_IDLE_PASSES_SHIFT;
			bpf_map_update_elem(fd, k, &now, BPF_EXIST);
		}
		pp->named[v->path_id] = 1;
		return;
	}
	v->flags = (v->flags & ~SFC_FLOW_IDLE_PASSES_MASK) | SFC_FLOW_IDLE;
	if (!bpf_map_update_elem(fd, k, v, BPF_EXIST))
		pp->st.flows_aged++;
	pp->named[v->path_id] = 1;
}

/* A pass over the versions retired a grace period ago; false when there
 * is none. */
static bool pass_start(struct sfc_path_pool *pp, __u64 now)
{
	bool any = false;

	memset(pp->named, 0, sizeof(pp->named));
	for (__u32 p = 1; p < SFC_MAX_PATHS; p++) {
		pp->cand[p] = pp->state[p] == PATH_RETIRED &&
			      pp->retired_ms[p] + SFC_PATH_GRACE_MS <= now;
		any |= pp->cand[p];
	}
	pp->in_pass = any;
	pp->token_set = pp->last_set = false;
	return any;
}

static void pass_end(struct sfc_dp *dp, struct sfc_path_pool *pp, __u64 now)
{
	struct pos_index pix = {};
	__u32 *ids = NULL;
	size_t n = 0;

	/* what no flow names; a reply version only with (or after) the
	 * version it answers, whose flows may start replies on it */
	for (__u32 p = 1; p < SFC_MAX_PATHS; p++)
		pp->cand[p] = pp->cand[p] && !pp->named[p] && pp->state[p] == PATH_RETIRED;
	for (__u32 p = 1; p < SFC_MAX_PATHS; p++) {
		__u32 f = pp->fwd_of[p];

		if (!pp->cand[p] || (f && pp->state[f] != PATH_FREE && !pp->cand[f]))
			continue;
		if (!ids && !(ids = malloc(SFC_MAX_PATHS * sizeof(*ids))))
			break;
		ids[n++] = p;
	}
	/* position keys: one read of the whole map, and only when needed;
	 * on failure the next pass tries again */
	if (n && !pos_index_read(&dp->maps, &pix) &&
	    !chain_purge_paths(&dp->maps, &pix, ids, n)) {
		for (size_t i = 0; i < n; i++)
			path_forget(pp, ids[i]);
		pp->nretired -= n;
		pp->st.versions_freed += n;
	}
	free(pix.k);
	free(ids);
	pp->in_pass = false;
	pp->last_end_ms = now;
	pp->st.passes++;
}

unsigned int sfc_path_flow_idle_ms(const struct sfc_dp *dp)
{
	return idle_passes(dp->flow_idle_ms) * SFC_PATH_GC_EVERY_MS;
}

long sfc_path_gc_step(struct sfc_dp *dp, __u64 now_ms, unsigned int max_flows)
{
	struct sfc_path_pool *pp = pool_get(dp);
	unsigned int seen = 0;

	if (!pp)
		return SFC_PATH_GC_EVERY_MS;
	if (!pp->in_pass) {
		if (!pp->nretired)
			return -1;
		if (now_ms < pp->last_end_ms + SFC_PATH_GC_EVERY_MS)
			return (long)(pp->last_end_ms + SFC_PATH_GC_EVERY_MS - now_ms);
		if (!pass_start(pp, now_ms)) {
			/* every retired version still in its grace period */
			pp->last_end_ms = now_ms;
			return SFC_PATH_GC_EVERY_MS;
		}
	}
	while (seen < max_flows) {
		bool done = false;
		__u32 n = 0;
		int err = walk_chunk(dp, pp, &n, &done);

		if (err) {
			/* the walk lost its place (the map changed under the
			 * batch): free nothing, start over later */
			pp->in_pass = false;
			pp->last_end_ms = now_ms;
			return SFC_PATH_GC_EVERY_MS;
		}
		for (__u32 i = 0; i < n; i++) {
			struct sfc_flow *v = &pp->vals[i];

			if ((v->flags & SFC_FLOW_CHAINED) && v->path_id < SFC_MAX_PATHS &&
			    pp->cand[v->path_id])
				age_entry(dp, pp, &pp->keys[i], v);
		}
		seen += n;
		if (done) {
			pass_end(dp, pp, now_ms);
			return pp->nretired ? SFC_PATH_GC_EVERY_MS : -1;
		}
	}
	return 0;
}

long sfc_path_migrate(struct sfc_dp *dp, __u32 chain_id)
{
	struct sfc_path_pool *pp = pool_get(dp);
	struct sfc_flow_cache_key cur, nxt, *del = NULL;
	size_t ndel = 0, cap = 0;
	int fd = dp->maps.flows;
	long removed = 0;
	bool have = false;

	if (!pp)
		return -ENOMEM;
	if (!pp->nretired)
		return 0;
	/* the keys first, then the deletes: a walk does not survive the
	 * deletion of the key it stands on */
	while (!bpf_map_get_next_key(fd, have ? &cur : NULL, &nxt)) {
		struct sfc_flow v;

		cur = nxt;
		have = true;
		if (bpf_map_lookup_elem(fd, &cur, &v) || !(v.flags & SFC_FLOW_CHAINED) ||
		    v.path_id >= SFC_MAX_PATHS || pp->state[v.path_id] != PATH_RETIRED ||
		    (chain_id && pp->chain_of[v.path_id] != chain_id))
			continue;
		if (ndel == cap) {
			size_t c = cap ? 2 * cap : 1024;
			void *q = realloc(del, c * sizeof(*del));

			if (!q) {
				removed = -ENOMEM;
				goto out;
			}
			del = q;
			cap = c;
		}
		del[ndel++] = cur;
	}
	for (size_t i = 0; i < ndel; i++)
		removed += !bpf_map_delete_elem(fd, &del[i]);
	pp->st.flows_migrated += removed;
	pp->last_end_ms = 0; /* a pass now frees what nobody names */
out:
	free(del);
	return removed;
}
