/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Classifier: flow cache in front of a tuple-space search.
 *
 * The control plane expands every rule into entries of mask tuples (one
 * tuple per distinct combination of prefix lengths, port-prefix lengths
 * and matched fields) and keeps the tuples sorted by the best pref they
 * hold. A miss costs one hash lookup per tuple, stopping as soon as no
 * remaining tuple can beat the best match: the cost grows with the number
 * of rule shapes, not the number of rules.
 *
 * Tuples live in two banks. The control plane fills the idle bank, then
 * switches sfc_config.tuple_base and bumps the generation in one write, so
 * a packet sees either the old rule set or the new one, never a mix, and
 * every cached flow older than the switch is classified again.
 */
#ifndef SFC_CLASSIFY_H
#define SFC_CLASSIFY_H

#include "parsing.h"
#include "maps.h"

#define SFC_RULE_KEY_WORDS (sizeof(struct sfc_rule_key) / 4)

/* A parsed packet's flow hash (sfc_flow_hash_of: symmetric). */
static __always_inline __u32 sfc_flow_hash(const struct sfc_flow_key *k)
{
	return sfc_flow_hash_of((const __u32 *)k->src, (const __u32 *)k->dst, k->sport, k->dport,
				k->proto);
}

struct sfc_search {
	struct sfc_rule_key pk;   /* the packet's fields, unmasked */
	__u32 ntuples;
	__u32 base;
	__u32 best_pref;
	__u32 chain_id;           /* of the best match; 0 = none */
	__u8  later_frag;
};

/*
 * One tuple of the search, as a bpf_loop() callback: the verifier checks
 * the body once instead of once per iteration and per path, which keeps
 * the whole program far below its instruction budget.
 */
static long sfc_search_tuple(__u32 i, void *arg)
{
	struct sfc_search *s = arg;
	const struct sfc_tuple *t;
	const struct sfc_rule *r;
	struct sfc_rule_key k;
	__u32 tid, j;
	__u32 *kw = (__u32 *)&k;
	const __u32 *pw = (const __u32 *)&s->pk;
	const __u32 *mw;

	if (i >= s->ntuples)
		return 1;
	tid = s->base + i;
	t = bpf_map_lookup_elem(&sfc_tuples, &tid);
	/* Sorted by best pref: no later tuple can beat the match in hand. */
	if (!t || t->min_pref >= s->best_pref)
		return 1;
	/* Later fragments carry no ports: a port rule cannot match. */
	if (s->later_frag && (t->flags & SFC_TUPLE_PORTS))
		return 0;
	mw = (const __u32 *)&t->mask;
#pragma unroll
	for (j = 0; j < SFC_RULE_KEY_WORDS; j++)
		kw[j] = pw[j] & mw[j];
	k.tuple = tid;
	r = bpf_map_lookup_elem(&sfc_rules, &k);
	if (r && r->pref < s->best_pref) {
		s->best_pref = r->pref;
		s->chain_id = r->chain_id;
	}
	return 0;
}

/* The chain id of the best matching rule, 0 for none. */
static __always_inline __u32 sfc_rule_search(const struct sfc_pkt *p, __u32 ifindex,
					     const struct sfc_config *cfg)
{
	struct sfc_search s = {};

	s.pk.ifindex = ifindex;
	__builtin_memcpy(s.pk.src, p->key.src, 16);
	__builtin_memcpy(s.pk.dst, p->key.dst, 16);
	/* Ports take part only for protocols that have them: an ICMP type
	 * must never satisfy a port rule. */
	if (p->has_ports) {
		s.pk.sport = p->key.sport;
		s.pk.dport = p->key.dport;
	}
	s.pk.proto = p->key.proto;
	s.pk.family = p->key.family;
	s.ntuples = cfg->ntuples;
	s.base = cfg->tuple_base;
	s.best_pref = 0xffffffff;
	s.later_frag = p->later_frag;
	bpf_loop(SFC_MAX_TUPLES, sfc_search_tuple, &s, 0);
	return s.chain_id;
}

/* The packet's key in sfc_flows (struct sfc_flow_cache_key). */
static __always_inline void sfc_pkt_cache_key(const struct sfc_pkt *p,
					      struct sfc_flow_cache_key *ck)
{
	sfc_flow_cache_key_of(&p->key, sfc_meta_key_get(), ck);
}

/* The packet's flow entry, or NULL. An IPv6 entry must hold the packet's
 * addresses: the key holds only their fold. */
static __always_inline struct sfc_flow *sfc_flow_find(const struct sfc_pkt *p,
						      const struct sfc_flow_cache_key *ck)
{
	struct sfc_flow *f = bpf_map_lookup_elem(&sfc_flows, ck);
	const __u64 *a, *s = (const __u64 *)p->key.src, *d = (const __u64 *)p->key.dst;
	__u64 x;

	if (!f)
		return NULL;
	a = (const __u64 *)f->addr6;
	x = (a[0] ^ s[0]) | (a[1] ^ s[1]) | (a[2] ^ d[0]) | (a[3] ^ d[1]);
	x &= -sfc_is6(p->key.family);
	return x ? NULL : f;
}

/* A new entry's addresses, as sfc_flow_find reads them (IPv4 ones in
 * the first 4 bytes of each half, unread). No branch on the family: see
 * sfc_is6. */
static __always_inline void sfc_flow_set_addrs(struct sfc_flow *f, const struct sfc_pkt *p)
{
	__builtin_memcpy(f->addr6, p->key.src, 16);
	__builtin_memcpy(f->addr6 + 16, p->key.dst, 16);
}

/*
 * The reply version for a packet that neither the flow cache nor its
 * negative answers know: when the packet's reversed 5-tuple is a chained
 * flow on the version of a symmetric chain, that version's reply version
 * (sfc_abi.h: SFC_PATH_SYMMETRIC), whatever rules the packet would
 * match; else 0. A flow on a reply version has none (sfc_path_rev is 0
 * there): a forward flow is never taken for a reply. A global function:
 * its stack is its own, which the entries have none of to spare on 6.1.
 */
__attribute__((noinline)) int sfc_reply_path(const struct sfc_pkt *p)
{
	const __u64 *s = (const __u64 *)p->key.src, *d = (const __u64 *)p->key.dst;
	struct sfc_flow_cache_key ck;
	const struct sfc_flow *f;
	const __u64 *a;

	if (!p)
		return 0;
	sfc_flow_cache_key_rev(&p->key, p->has_ports, sfc_meta_key_get(), &ck);
	f = bpf_map_lookup_elem(&sfc_flows, &ck);
	if (!f || !(f->flags & SFC_FLOW_CHAINED))
		return 0;
	/* an IPv6 entry holds its addresses: the other way round */
	a = (const __u64 *)f->addr6;
	if (p->key.family == 6 &&
	    ((a[0] ^ d[0]) | (a[1] ^ d[1]) | (a[2] ^ s[0]) | (a[3] ^ s[1])))
		return 0;
	return sfc_path_rev_of(f->path_id);
}

/*
 * A flow just chained on a symmetric chain's version: a negative answer
 * cached for its reversed 5-tuple (a packet of it seen unchained before)
 * goes, or the flow's replies would pass unchained until the next rule
 * change. A global function, for the 40-byte key (see sfc_reply_path).
 */
__attribute__((noinline)) int sfc_reply_unneg(const struct sfc_pkt *p)
{
	struct sfc_flow_key k;

	if (!p)
		return 0;
	k = p->key;
	__builtin_memcpy(k.src, p->key.dst, 16);
	__builtin_memcpy(k.dst, p->key.src, 16);
	if (p->has_ports) {
		k.sport = p->key.dport;
		k.dport = p->key.sport;
	}
	bpf_map_delete_elem(&sfc_flows_neg, &k);
	return 0;
}

/*
 * A packet of a flow whose entry sfcd marked idle (its path version is
 * retired; sfcd removes the entries still marked at its next pass, and
 * the version with the last of them): the flow is alive, unmark it. Only
 * a marked entry is written: every other packet leaves its entry alone.
 */
static __always_inline void sfc_flow_seen(struct sfc_flow *flow)
{
	if (flow->flags & SFC_FLOW_IDLE)
		flow->flags &= ~SFC_FLOW_IDLE;
}

/*
 * The path of a flow classified again into chain cid: the version it was
 * on (path_id) while that is still a version of cid (sfcd zeroes the
 * entry of a version it removes), else the chain's current one (head).
 * A chain edit or a rule change does not move a flow it leaves on the
 * same chain to another version: it keeps the instances its SFs hold
 * state for. A global function (see sfc_iface_read).
 */
__attribute__((noinline)) int sfc_path_kept(__u32 path_id, __u32 cid, __u32 head)
{
	struct sfc_path *path = bpf_map_lookup_elem(&sfc_paths, &path_id);

	if (path && path->nhops && path->chain_id == cid)
		return path_id;
	return head;
}

/*
 * Find the flow's chain, from the cache when it is current, else from the
 * rules (and cache the answer, "no chain" included). Returns the cache
 * entry, or NULL when the flow is not chained. A flow classified now is
 * cached from *nf, the caller's, and the packet goes on with nf itself:
 * looking up the entry just inserted would cost the first packet a
 * second hash lookup; what the SFF resolves into nf (the flow's steps) is
 * resolved again by the flow's next packet, for less.
 *
 * Chained flows and "no rule matched" live in two LRU maps: the entry of
 * a chained flow is also where a packet back from an NSH-unaware SF finds
 * its path, and a flood of new unchained flows must not evict it. A
 * chained flow costs one lookup; an unchained one two.
 */
static __always_inline struct sfc_flow *
sfc_classify(const struct sfc_pkt *p, const struct sfc_flow_cache_key *ck, __u32 ifindex,
	     __u32 egress, const __u8 *eth, struct sfc_flow *nf)
{
	struct sfc_flow_neg *neg, nn = {};
	struct sfc_config *cfg;
	struct sfc_chain *chain;
	struct sfc_flow *flow;
	__u32 zero = 0, cid, path_id = 0;

	cfg = bpf_map_lookup_elem(&sfc_config, &zero);
	if (!cfg)
		return NULL;

	flow = sfc_flow_find(p, ck);
	if (flow && flow->generation == cfg->generation &&
	    flow->in_ifindex == ifindex &&
	    (flow->flags & SFC_FLOW_EGRESS) == egress &&
	    (flow->flags & SFC_FLOW_CHAINED)) {
		sfc_flow_seen(flow);
		return flow;
	}
	neg = bpf_map_lookup_elem(&sfc_flows_neg, &p->key);
	if (neg && neg->generation == cfg->generation && neg->in_ifindex == ifindex &&
	    neg->flags == egress)
		return NULL;

	/* a reply of a symmetric chain's flow goes back the way it came */
	path_id = sfc_reply_path(p);
	cid = path_id ? 0 : sfc_rule_search(p, ifindex, cfg);
	if (cid) {
		chain = bpf_map_lookup_elem(&sfc_chains, &cid);
		if (chain && chain->path_id) {
			path_id = chain->path_id;
			if (flow && (flow->flags & SFC_FLOW_CHAINED))
				path_id = sfc_path_kept(flow->path_id, cid, chain->path_id);
			/* its replies must not meet an old "no chain" */
			if (sfc_path_rev_of(path_id))
				sfc_reply_unneg(p);
		} else {
			count_reason(SFC_R_NO_CHAIN);
		}
	}

	if (!path_id) {
		/* A chained entry left from an older rule set goes: packets
		 * of this flow are no longer chained, as before the split. */
		if (flow && !bpf_map_delete_elem(&sfc_flows, ck))
			count_flow_entry(0);
		nn.generation = cfg->generation;
		nn.in_ifindex = ifindex;
		nn.flags = egress;
		/* Failing to cache a negative answer costs a search next
		 * time, nothing else. */
		bpf_map_update_elem(&sfc_flows_neg, &p->key, &nn, BPF_ANY);
		return NULL;
	}

	__builtin_memset(nf, 0, sizeof(*nf));
	nf->path_id = path_id;
	nf->generation = cfg->generation;
	nf->in_ifindex = ifindex;
	nf->flags = egress | SFC_FLOW_CHAINED;
	nf->hash = sfc_flow_hash(&p->key);
	__builtin_memcpy(nf->orig_dst, eth, 6);
	__builtin_memcpy(nf->orig_src, eth + 6, 6);
	sfc_flow_set_addrs(nf, p);
	if (neg)
		bpf_map_delete_elem(&sfc_flows_neg, &p->key);
	if (bpf_map_update_elem(&sfc_flows, ck, nf, BPF_ANY)) {
		/* Not cached: the verdict still holds for this packet, but the
		 * SF return path needs the entry, so do not chain it. */
		count_reason(SFC_R_FLOW_CACHE_FULL);
		return NULL;
	}
	if (!flow)
		count_flow_entry(1);
	return nf;
}

#endif
