/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The datapath's maps. All are pinned by name under the loader's pin
 * directory, so a restarted sfcd (or a new program version) adopts them
 * with their contents and traffic never stops.
 */
#ifndef SFC_MAPS_H
#define SFC_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sfc_abi.h"
#include "sfc_reasons.h"

/* 0 -> struct sfc_config: generation and active classifier bank */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sfc_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_config SEC(".maps");

/* ifindex -> struct sfc_iface: role of each interface the fabric uses */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct sfc_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_ifaces SEC(".maps");

/* ifindex -> ifindex: SF interfaces whose peer takes XDP frames */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, SFC_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_tx_ports SEC(".maps");

/* SF id -> struct sfc_sf */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_SFS);
	__type(key, __u32);
	__type(value, struct sfc_sf);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sfs SEC(".maps");

/* SF id -> where to send a reply to a two-arm SF (SFC_SF_ID_BACK) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_SFS);
	__type(key, __u32);
	__type(value, struct sfc_sf);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sf_back SEC(".maps");

/* chain id -> struct sfc_chain: the chain head, points at its current path */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_CHAINS);
	__type(key, __u32);
	__type(value, struct sfc_chain);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_chains SEC(".maps");

/* path id -> struct sfc_path: one version of a chain */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_PATHS);
	__type(key, __u32);
	__type(value, struct sfc_path);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_paths SEC(".maps");

/* path id -> its reply version (sfc_abi.h: SFC_PATH_SYMMETRIC) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_PATHS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_path_rev SEC(".maps");

/* (path id, SI) -> struct sfc_hop: instances of the hop at that SI */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_MAX_PATHS * 4);
	__type(key, struct sfc_hop_key);
	__type(value, struct sfc_hop);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_hops SEC(".maps");

/* (path id, SI) -> struct sfc_lb: the weighted table of a hop with
 * SFC_HOP_TABLE. Allocated on use: most hops have one instance. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_LB_TABLES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sfc_hop_key);
	__type(value, struct sfc_lb);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_lb SEC(".maps");

/* (return ifindex, path id) -> struct sfc_pos: SI a returning packet had */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_MAX_PATHS * 4);
	__type(key, struct sfc_pos_key);
	__type(value, struct sfc_pos);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sf_pos SEC(".maps");

/* Direct-mapped fronts of sfc_ifaces, sfc_hops and sfc_sf_pos (see
 * struct sfc_if_front): read through sfc_iface_read, sfc_hop_get and
 * sfc_pos_si below. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_IF_FRONT_SLOTS);
	__type(key, __u32);
	__type(value, struct sfc_if_front);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_if_front SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_HOP_FRONT_SLOTS);
	__type(key, __u32);
	__type(value, struct sfc_hop_front);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_hop_front SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_POS_FRONT_SLOTS);
	__type(key, __u32);
	__type(value, struct sfc_pos_front);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_pos_front SEC(".maps");

/* tuple id -> struct sfc_tuple: masks of each rule shape, two banks */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * SFC_MAX_TUPLES);
	__type(key, __u32);
	__type(value, struct sfc_tuple);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_tuples SEC(".maps");

/* masked struct sfc_rule_key -> struct sfc_rule */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SFC_MAX_RULES);
	__type(key, struct sfc_rule_key);
	__type(value, struct sfc_rule);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_rules SEC(".maps");

/* struct sfc_flow_cache_key -> struct sfc_flow: chained flows (SFC proxy state) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SFC_FLOW_ENTRIES);
	__type(key, struct sfc_flow_cache_key);
	__type(value, struct sfc_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_flows SEC(".maps");

/* struct sfc_flow_key -> struct sfc_flow_neg: flows no rule matched */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SFC_NEG_FLOW_ENTRIES);
	__type(key, struct sfc_flow_key);
	__type(value, struct sfc_flow_neg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_flows_neg SEC(".maps");

/* chain id -> packets and bytes classified into it, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SFC_MAX_CHAINS);
	__type(key, __u32);
	__type(value, struct sfc_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_chain_stats SEC(".maps");

/* hop stats slot (struct sfc_hop.stats_idx) -> hop counters, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SFC_HOP_STATS_ENTRIES);
	__type(key, __u32);
	__type(value, struct sfc_hop_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_hop_stats SEC(".maps");

/* SF id -> packets to and from the SF, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SFC_MAX_SFS);
	__type(key, __u32);
	__type(value, struct sfc_sf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sf_stats SEC(".maps");

/* 0 -> the key of sfc_xdp's handoffs to tc (struct sfc_meta.key), set by
 * sfcd; 1 -> until when (CLOCK_MONOTONIC ns) tc also takes the keyless
 * 8-byte handoff of an older sfc_xdp, set while sfcd replaces one */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_meta_key SEC(".maps");

/* 0 -> the auto end's conntrack stage (bpf/end_ct.bpf.c), when the kernel
 * has the conntrack kfuncs; empty otherwise, and auto ends on the stack */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_end_progs SEC(".maps");

/* 0 -> the same stage for sfc_tc_ingress (the skb path), empty alike */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_end_tc_progs SEC(".maps");

/* enum sfc_reason -> count, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SFC_R_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_reasons SEC(".maps");

/* 0 -> struct sfc_obs: what is observed beyond the counters (sfcd) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sfc_obs);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_obs SEC(".maps");

/* struct sfc_event records while an sfcctl monitor runs */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SFC_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_events SEC(".maps");

/* struct sfc_drop_key -> drops (atomic add) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_HOP_DROP_ENTRIES);
	__type(key, struct sfc_drop_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_hop_drops SEC(".maps");

/* SF id -> the packet being timed (see SFC_LAT_BUCKETS) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_MAX_SFS);
	__type(key, __u32);
	__type(value, struct sfc_sf_stamp);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sf_stamp SEC(".maps");

/* SF id -> latency histogram, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SFC_MAX_SFS);
	__type(key, __u32);
	__type(value, struct sfc_lat_hist);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_sf_lat SEC(".maps");

/* 0 -> struct sfc_flow_counts, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sfc_flow_counts);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_flow_counts SEC(".maps");

/*
 * Readers of the fronts. Global functions: the verifier checks each once,
 * on its own, and its callers go on from one state whichever of slot and
 * hash map answered (inlined, that branch doubled the instructions
 * verified for everything after each lookup). They copy what the callers
 * need into the callers' stack.
 */

/* 0 and *out: the role of interface ifindex; -1: not the fabric's. */
__attribute__((noinline)) int sfc_iface_read(__u32 ifindex, struct sfc_iface *out)
{
	__u32 i = sfc_if_front_idx(ifindex);
	struct sfc_if_front *f = bpf_map_lookup_elem(&sfc_if_front, &i);
	struct sfc_iface *v;

	if (!out)
		return -1;
	if (f && f->ifindex == ifindex && f->check == ifindex) {
		*out = f->v;
		return 0;
	}
	v = bpf_map_lookup_elem(&sfc_ifaces, &ifindex);
	if (!v)
		return -1;
	*out = *v;
	return 0;
}

/* The hop at (path_id, si), or NULL: its front slot, else the hash map. */
static __always_inline struct sfc_hop *sfc_hop_get(__u32 path_id, __u32 si)
{
	struct sfc_hop_key hk = { .path_id = path_id, .si = si };
	__u32 i = sfc_hop_front_idx(path_id, si);
	struct sfc_hop_front *f = bpf_map_lookup_elem(&sfc_hop_front, &i);

	if (f && f->k.path_id == path_id && f->k.si == si && f->check == path_id)
		return &f->v;
	return bpf_map_lookup_elem(&sfc_hops, &hk);
}

/* The reply version of version path_id (sfc_path_rev), 0 for none. */
static __always_inline __u32 sfc_path_rev_of(__u32 path_id)
{
	__u32 *r = bpf_map_lookup_elem(&sfc_path_rev, &path_id);

	return r ? *r : 0;
}

/* The SI of a packet back on ifindex on path path_id, or -1. */
__attribute__((noinline)) int sfc_pos_si(__u32 ifindex, __u32 path_id)
{
	struct sfc_pos_key pk = { .ifindex = ifindex, .path_id = path_id };
	__u32 i = sfc_pos_front_idx(ifindex, path_id);
	struct sfc_pos_front *f = bpf_map_lookup_elem(&sfc_pos_front, &i);
	struct sfc_pos *v;

	if (f && f->k.ifindex == ifindex && f->k.path_id == path_id && f->check == path_id)
		return f->v.si;
	v = bpf_map_lookup_elem(&sfc_sf_pos, &pk);
	return v ? v->si : -1;
}

/*
 * A packet back on ifindex has no position on its flow's version path_id:
 * the SF's interface was created again (a new ifindex) after the flow
 * began, and only the chain's versions written since know it. The chain's
 * current version, when it has a position there: (its path id << 8) | SI;
 * else -1.
 */
__attribute__((noinline)) int sfc_pos_current(__u32 ifindex, __u32 path_id)
{
	struct sfc_chain *head;
	struct sfc_path *path;
	__u32 cid, cur;
	int si;

	path = bpf_map_lookup_elem(&sfc_paths, &path_id);
	if (!path)
		return -1;
	cid = path->chain_id;
	head = bpf_map_lookup_elem(&sfc_chains, &cid);
	if (!head)
		return -1;
	cur = head->path_id;
	/* a reply version moves to the reply version of the current one */
	if (path->flags & SFC_PATH_REPLY)
		cur = sfc_path_rev_of(cur);
	if (!cur || cur == path_id || cur >= SFC_MAX_PATHS)
		return -1;
	si = sfc_pos_si(ifindex, cur);
	if (si < 0)
		return -1;
	return (int)(cur << 8) | (si & 0xff);
}

/* sfc_meta_key[0]: the handoff key, and the seed of IPv6 flows' cache
 * keys; 0 before sfcd wrote it */
static __always_inline __u64 sfc_meta_key_get(void)
{
	__u32 zero = 0;
	__u64 *k = bpf_map_lookup_elem(&sfc_meta_key, &zero);

	return k ? *k : 0;
}

static __always_inline void count_reason(__u32 reason)
{
	__u64 *v = bpf_map_lookup_elem(&sfc_reasons, &reason);

	if (v)
		*v += 1;
}

/* An entry of sfc_flows made (for a flow that had none) or deleted */
static __always_inline void count_flow_entry(int inserted)
{
	__u32 zero = 0;
	struct sfc_flow_counts *c = bpf_map_lookup_elem(&sfc_flow_counts, &zero);

	if (!c)
		return;
	if (inserted)
		c->inserted++;
	else
		c->removed++;
}

static __always_inline void count_add(struct sfc_counter *c, __u32 len)
{
	c->packets++;
	c->bytes += len;
}

#endif
