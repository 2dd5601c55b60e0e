// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "log.h"
#include "rules.h"
#include "yield.h"

/* Readers of the old bank finish within this; XDP and tc programs run to
 * completion in microseconds. */
#define SFC_GRACE_US 5000

int sfc_port_range_prefixes(__u16 lo, __u16 hi, __u16 *values, __u8 *plens)
{
	__u32 cur = lo, end = hi;
	int n = 0;

	while (cur <= end) {
		__u32 size = cur ? (cur & -cur) : 0x10000;
		int bits = 0;

		while (cur + size - 1 > end)
			size >>= 1;
		while ((1u << bits) < size)
			bits++;
		values[n] = cur;
		plens[n] = 16 - bits;
		n++;
		cur += size;
	}
	return n;
}

static void prefix_mask(__u8 *mask, int len, int bytes)
{
	memset(mask, 0, bytes);
	for (int i = 0; i < len; i++)
		mask[i / 8] |= 0x80 >> (i % 8);
}

static int push_entry(struct sfc_rule_set *rs, const struct sfc_rule_entry *e)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 1024;
		struct sfc_rule_entry *ne = realloc(rs->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		rs->e = ne;
		rs->cap = cap;
	}
	rs->e[rs->n++] = *e;
	return 0;
}

/* Index of the tuple with this mask, added if new; -E2BIG past the limit. */
static int tuple_of(struct sfc_rule_set *rs, const struct sfc_rule_key *mask,
		    __u32 flags, __u32 pref)
{
	for (int i = 0; i < rs->ntuples; i++) {
		struct sfc_tuple *t = &rs->tuples[i];

		if (!memcmp(&t->mask, mask, sizeof(*mask)) && t->flags == flags) {
			if (pref < t->min_pref)
				t->min_pref = pref;
			t->nrules++;
			return i;
		}
	}
	if (rs->ntuples == SFC_MAX_TUPLES)
		return -E2BIG;
	rs->tuples[rs->ntuples] = (struct sfc_tuple){ .mask = *mask, .flags = flags,
						      .min_pref = pref, .nrules = 1 };
	return rs->ntuples++;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct sfc_rule_entry *x = a, *y = b;
	int c = memcmp(&x->key, &y->key, sizeof(x->key));

	sfc_yield();	/* sorting 100k entries takes a while */
	if (c)
		return c;
	return x->val.pref < y->val.pref ? -1 : x->val.pref > y->val.pref;
}

static int cmp_entry_at(const void *a, const void *b)
{
	return cmp_entry(*(const struct sfc_rule_entry *const *)a,
			 *(const struct sfc_rule_entry *const *)b);
}

/*
 * Sort the entries by key, then pref, and keep the first of each key.
 * Pointers are sorted and the entries gathered after, a yield point per
 * entry: glibc sorts large elements through pointers too, but then moves
 * them into place in one go (2-3 ms for 100k entries).
 */
static int sort_entries(struct sfc_rule_set *rs)
{
	const struct sfc_rule_entry **order;
	struct sfc_rule_entry *out;
	size_t w = 0;

	if (rs->n < 2)    /* rs->e is NULL without rules: qsort must not see it */
		return 0;
	order = malloc(rs->n * sizeof(*order));
	out = malloc(rs->n * sizeof(*out));
	if (!order || !out) {
		free(order);
		free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rs->n; i++) {
		sfc_yield();
		order[i] = &rs->e[i];
	}
	qsort(order, rs->n, sizeof(*order), cmp_entry_at);
	for (size_t i = 0; i < rs->n; i++) {
		sfc_yield();
		if (w && !memcmp(&out[w - 1].key, &order[i]->key, sizeof(out[w - 1].key)))
			continue;
		out[w++] = *order[i];
	}
	free(order);
	sfc_free_yielding(rs->e, rs->n * sizeof(*rs->e));
	rs->e = out;
	rs->cap = rs->n;
	rs->n = w;
	return 0;
}

static int cmp_tuple_idx(const void *a, const void *b, void *arg)
{
	const struct sfc_tuple *t = arg;
	int x = *(const int *)a, y = *(const int *)b;

	if (t[x].min_pref != t[y].min_pref)
		return t[x].min_pref < t[y].min_pref ? -1 : 1;
	return x - y;
}

static int compile_rule(struct sfc_rule_set *rs, const struct sfc_rule_cfg *r,
			__u32 rule_id, __u32 chain_id, __u32 ifindex)
{
	__u16 sv[32] = { 0 }, dv[32] = { 0 };
	__u8 sl[32] = { 0 }, dl[32] = { 0 };
	int ns = 1, nd = 1, family, err;
	struct sfc_rule_key mask = {}, key = {};

	family = r->src.family ? r->src.family : r->dst.family;
	if (!family && r->proto == IPPROTO_ICMP)
		family = 4;
	if (!family && r->proto == IPPROTO_ICMPV6)
		family = 6;

	if (ifindex) {
		mask.ifindex = 0xffffffff;
		key.ifindex = ifindex;
	}
	if (family) {
		mask.family = 0xff;
		key.family = family;
	}
	if (r->proto >= 0) {
		mask.proto = 0xff;
		key.proto = r->proto;
	}
	if (r->src.family) {
		prefix_mask(mask.src, r->src.len, 16);
		memcpy(key.src, r->src.addr, 16);
	}
	if (r->dst.family) {
		prefix_mask(mask.dst, r->dst.len, 16);
		memcpy(key.dst, r->dst.addr, 16);
	}
	if (r->sport.set)
		ns = sfc_port_range_prefixes(r->sport.lo, r->sport.hi, sv, sl);
	if (r->dport.set)
		nd = sfc_port_range_prefixes(r->dport.lo, r->dport.hi, dv, dl);

	for (int i = 0; i < ns; i++) {
		for (int j = 0; j < nd; j++) {
			struct sfc_rule_entry e = { .key = key };
			struct sfc_rule_key m = mask;
			__u32 flags = 0;
			int t;

			if (r->sport.set && sl[i]) {
				m.sport = htons((__u16)(0xffff << (16 - sl[i])));
				e.key.sport = htons(sv[i]);
				flags |= SFC_TUPLE_PORTS;
			}
			if (r->dport.set && dl[j]) {
				m.dport = htons((__u16)(0xffff << (16 - dl[j])));
				e.key.dport = htons(dv[j]);
				flags |= SFC_TUPLE_PORTS;
			}
			t = tuple_of(rs, &m, flags, r->pref);
			if (t < 0)
				return t;
			e.key.tuple = t;
			e.val = (struct sfc_rule){ .pref = r->pref, .chain_id = chain_id,
						   .rule_id = rule_id };
			err = push_entry(rs, &e);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Rules name few distinct interfaces: resolve each once per compile
 * (if_nametoindex is three syscalls). */
struct ifindex_cache {
	int n;
	struct {
		char name[IFNAMSIZ];
		__u32 ifindex;
	} e[64];
};

static __u32 cached_ifindex(struct ifindex_cache *c, const char *name)
{
	__u32 ifindex;

	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].name, name))
			return c->e[i].ifindex;
	ifindex = if_nametoindex(name);
	if (c->n < 64) {
		snprintf(c->e[c->n].name, IFNAMSIZ, "%s", name);
		c->e[c->n++].ifindex = ifindex;
	}
	return ifindex;
}

int sfc_rules_compile(const struct sfc_doc *doc, const __u32 *chain_ids,
		      struct sfc_rule_set *rs, char *err, size_t errlen)
{
	struct ifindex_cache cache = { 0 };
	int order[SFC_MAX_TUPLES], remap[SFC_MAX_TUPLES];
	struct sfc_tuple sorted[SFC_MAX_TUPLES];
	int ret;

	memset(rs, 0, sizeof(*rs));
	for (int i = 0; i < doc->nrules; i++) {
		const struct sfc_rule_cfg *r = &doc->rules[i];
		const struct sfc_chain_cfg *c = sfc_doc_chain(doc, r->chain);
		__u32 ifindex = 0;

		sfc_yield();
		if (r->in_dev[0]) {
			ifindex = cached_ifindex(&cache, r->in_dev);
			if (!ifindex) {
				pr_info("rule pref %u: in-dev %s does not exist (yet); "
					"it matches nothing until it does\n", r->pref, r->in_dev);
				rs->skipped++;
				continue;
			}
		}
		ret = compile_rule(rs, r, i + 1, chain_ids[c - doc->chains], ifindex);
		if (ret == -E2BIG) {
			snprintf(err, errlen, "$.rules[%d]: more than %d distinct rule shapes "
				 "(combinations of prefix lengths, port-range pieces and matched "
				 "fields); use fewer distinct prefix lengths or port ranges",
				 i, SFC_MAX_TUPLES);
			goto fail;
		}
		if (ret) {
			snprintf(err, errlen, "$.rules[%d]: %s", i, strerror(-ret));
			goto fail;
		}
	}

	/* Sort tuples by their best pref so the datapath can stop early. */
	for (int i = 0; i < rs->ntuples; i++)
		order[i] = i;
	if (rs->ntuples > 1)
		qsort_r(order, rs->ntuples, sizeof(order[0]), cmp_tuple_idx, rs->tuples);
	for (int i = 0; i < rs->ntuples; i++) {
		sorted[i] = rs->tuples[order[i]];
		remap[order[i]] = i;
	}
	memcpy(rs->tuples, sorted, sizeof(sorted[0]) * rs->ntuples);
	/* a cache line per entry: 100k of them take milliseconds */
	for (size_t i = 0; i < rs->n; i++) {
		sfc_yield();
		rs->e[i].key.tuple = remap[rs->e[i].key.tuple];
	}

	/* Two rules can produce the same entry: the better pref wins there,
	 * exactly as it would in a linear scan. */
	ret = sort_entries(rs);
	if (ret) {
		snprintf(err, errlen, "$.rules: %s", strerror(-ret));
		goto fail;
	}
	if (rs->n > SFC_MAX_RULES) {
		snprintf(err, errlen, "$.rules: %zu classifier entries after expanding port "
			 "ranges, at most %d", rs->n, SFC_MAX_RULES);
		ret = -E2BIG;
		goto fail;
	}
	return 0;
fail:
	sfc_rules_free(rs);
	return ret ? ret : -EINVAL;
}

void sfc_rules_free(struct sfc_rule_set *rs)
{
	free(rs->e);
	memset(rs, 0, sizeof(*rs));
}

/* Delete every entry whose tuple lies in [base, base + SFC_MAX_TUPLES). */
static int purge_bank(const struct sfc_maps *m, __u32 base)
{
	struct sfc_rule_key key, next, *prev = NULL;
	struct sfc_rule_key *dead = NULL;
	size_t ndead = 0, cap = 0;
	int err = 0;

	while (!bpf_map_get_next_key(m->rules, prev, &next)) {
		sfc_yield();
		if (next.tuple >= base && next.tuple < base + SFC_MAX_TUPLES) {
			if (ndead == cap) {
				size_t c = cap ? cap * 2 : 1024;
				struct sfc_rule_key *d = realloc(dead, c * sizeof(*d));

				if (!d) {
					free(dead);
					return -ENOMEM;
				}
				dead = d;
				cap = c;
			}
			dead[ndead++] = next;
		}
		key = next;
		prev = &key;
	}
	for (size_t i = 0; i < ndead; i++) {
		sfc_yield();
		if (bpf_map_delete_elem(m->rules, &dead[i]) && errno != ENOENT && !err)
			err = -errno;
	}
	free(dead);
	for (__u32 t = base; t < base + SFC_MAX_TUPLES; t++) {
		struct sfc_tuple zero = {};

		bpf_map_update_elem(m->tuples, &t, &zero, BPF_ANY);
	}
	return err;
}

static __u32 fnv_bytes(__u32 h, const void *p, size_t n)
{
	const __u8 *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x01000193;
	}
	return h;
}

/* Digest of what a rule set puts in the maps; never 0 (0 = unknown). */
static __u32 rules_digest(const struct sfc_rule_set *rs)
{
	__u32 h = 0x811c9dc5;

	h = fnv_bytes(h, &rs->ntuples, sizeof(rs->ntuples));
	h = fnv_bytes(h, rs->tuples, sizeof(rs->tuples[0]) * rs->ntuples);
	/* a byte at a time: 100k entries take milliseconds */
	for (size_t i = 0; i < rs->n; i++) {
		sfc_yield();
		h = fnv_bytes(h, &rs->e[i], sizeof(rs->e[i]));
	}
	return h ? h : 1;
}

/* Wait out packets still classifying on the old bank, with yield points. */
static void grace(void)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		usleep(250);
		sfc_yield_check();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 <
		 SFC_GRACE_US);
}

int sfc_rules_install(const struct sfc_maps *m, const struct sfc_rule_set *rs,
		      bool *installed)
{
	struct sfc_config cfg = {};
	__u32 zero = 0, base, old, digest = rules_digest(rs);
	int err;

	*installed = false;
	if (bpf_map_lookup_elem(m->config, &zero, &cfg))
		return -errno;
	/* The same rules are in place already (a restart, a link event). */
	if (cfg.rules_hash == digest)
		return 0;
	*installed = true;
	old = cfg.tuple_base;
	base = old ? 0 : SFC_MAX_TUPLES;

	/* The idle bank should be empty; an interrupted install may have
	 * left entries there. */
	err = purge_bank(m, base);
	if (err)
		return err;
	for (size_t i = 0; i < rs->n; i++) {
		struct sfc_rule_key k = rs->e[i].key;

		sfc_yield();
		k.tuple += base;
		if (bpf_map_update_elem(m->rules, &k, &rs->e[i].val, BPF_ANY)) {
			err = -errno;
			pr_warn("writing classifier entry %zu of %zu: %s\n", i, rs->n,
				strerror(-err));
			purge_bank(m, base);
			return err;
		}
	}
	for (int i = 0; i < rs->ntuples; i++) {
		__u32 t = base + i;

		if (bpf_map_update_elem(m->tuples, &t, &rs->tuples[i], BPF_ANY)) {
			err = -errno;
			purge_bank(m, base);
			return err;
		}
	}
	/*
	 * Switch banks first, then bump the generation in a second write.
	 * The datapath reads the generation before the bank, so a flow
	 * cached under the new generation was always classified on the new
	 * bank. Read again: a link event at a yield point above may have
	 * bumped the generation.
	 */
	if (bpf_map_lookup_elem(m->config, &zero, &cfg))
		return -errno;
	cfg.tuple_base = base;
	cfg.ntuples = rs->ntuples;
	cfg.rules_hash = digest;
	if (bpf_map_update_elem(m->config, &zero, &cfg, BPF_ANY))
		return -errno;
	cfg.generation++;
	if (bpf_map_update_elem(m->config, &zero, &cfg, BPF_ANY))
		return -errno;
	grace();
	return purge_bank(m, old);
}

int sfc_generation_bump(const struct sfc_maps *m)
{
	struct sfc_config cfg = {};
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->config, &zero, &cfg))
		return -errno;
	cfg.generation++;
	if (bpf_map_update_elem(m->config, &zero, &cfg, BPF_ANY))
		return -errno;
	return 0;
}
