// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Micro-benchmark helpers, run with BPF_PROG_TEST_RUN. test_run repeats
 * one packet and keeps the context between repetitions, so what must
 * differ per repetition is done by a wrapper that then tail-calls the
 * program under test (sfc_xdp, or micro_empty to measure the wrapper):
 *  - a different flow each time (first-packet cost, or hits spread over
 *    many cached flows): IPv4 source low 16 bits and UDP source port;
 *  - metadata reset: sfc's end of chain grows data_meta by 8 bytes, and
 *    without a reset the fifth repetition would fail (at most 32 bytes).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "sfc_abi.h"

/* 0 -> the program under test */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} micro_target SEC(".maps");

__u32 vary_mod;   /* 0: the packet as given; N: cycle through N flows */
__u32 reset_meta; /* drop data_meta before each run */
__u32 seq;

SEC("xdp")
int micro_wrap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 n;

	if (vary_mod) {
		if (p + 36 > (__u8 *)data_end)
			return XDP_ABORTED;
		n = seq % vary_mod;
		seq++;
		/* IPv4 source address bytes 3-4, UDP/TCP source port */
		*(__u16 *)(p + 28) = bpf_htons(n >> 16);
		*(__u16 *)(p + 34) = bpf_htons(n & 0xffff);
	}
	if (reset_meta) {
		long meta = (long)ctx->data - (long)ctx->data_meta;

		if (meta > 0)
			bpf_xdp_adjust_meta(ctx, (int)meta);
	}
	bpf_tail_call(ctx, &micro_target, 0);
	return XDP_ABORTED;
}

SEC("xdp")
int micro_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/*
 * The parts of sfc's cache-hit path, one each: what a packet of a cached
 * flow pays per map operation. The maps are sfc's own (user space hands
 * their fds over before load), with the keys sfc would use.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct sfc_iface);
} sfc_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SFC_FLOW_ENTRIES);
	__type(key, struct sfc_flow_cache_key);
	__type(value, struct sfc_flow);
} sfc_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SFC_MAX_PATHS * 4);
	__type(key, struct sfc_hop_key);
	__type(value, struct sfc_hop);
} sfc_hops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_IF_FRONT_SLOTS);
	__type(key, __u32);
	__type(value, struct sfc_if_front);
} sfc_if_front SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SFC_HOP_FRONT_SLOTS);
	__type(key, __u32);
	__type(value, struct sfc_hop_front);
} sfc_hop_front SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, SFC_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} sfc_tx_ports SEC(".maps");

/* 0..2 -> a counter, per CPU: three of them, as a hit updates */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct sfc_counter);
} micro_counters SEC(".maps");

/* sfc_flows as it was before map ABI 5: a 40-byte key, the 5-tuple as
 * parsed */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SFC_FLOW_ENTRIES);
	__type(key, struct sfc_flow_key);
	__type(value, struct sfc_flow);
} micro_flows40 SEC(".maps");

struct sfc_hop_key part_hop; /* a hop that exists, set by user space */
__u32 part_port;             /* an SF interface in sfc_tx_ports */

SEC("xdp")
int micro_part_iface(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;

	return bpf_map_lookup_elem(&sfc_ifaces, &ifindex) ? XDP_PASS : XDP_ABORTED;
}

/* What sfc reads instead: the interface's front slot, checked at both ends */
SEC("xdp")
int micro_part_iface_front(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex, i = sfc_if_front_idx(ifindex);
	struct sfc_if_front *f = bpf_map_lookup_elem(&sfc_if_front, &i);

	return f && f->ifindex == ifindex && f->check == ifindex ? XDP_PASS : XDP_ABORTED;
}

/* The parsed 5-tuple of the micro-benchmarks' IPv4 UDP frame: 0, or -1
 * when the frame is too short. */
static __always_inline int micro_ipv4_tuple(struct xdp_md *ctx, struct sfc_flow_key *k)
{
	__u8 *p = (void *)(long)ctx->data;

	if (p + 38 > (__u8 *)(long)ctx->data_end)
		return -1;
	__builtin_memcpy(k->src, p + 26, 4);
	__builtin_memcpy(k->dst, p + 30, 4);
	__builtin_memcpy(&k->sport, p + 34, 2);
	__builtin_memcpy(&k->dport, p + 36, 2);
	k->proto = p[23];
	k->family = 4;
	return 0;
}

SEC("xdp")
int micro_part_flow(struct xdp_md *ctx)
{
	struct sfc_flow_key t = {};
	struct sfc_flow_cache_key k = {};

	if (micro_ipv4_tuple(ctx, &t))
		return XDP_ABORTED;
	/* an IPv4 flow's cache key: its 5-tuple as is */
	__builtin_memcpy(&k.a, t.src, 4);
	__builtin_memcpy(&k.b, t.dst, 4);
	k.sport = t.sport;
	k.dport = t.dport;
	k.proto = t.proto;
	k.family = t.family;
	return bpf_map_lookup_elem(&sfc_flows, &k) ? XDP_PASS : XDP_ABORTED;
}

/* The same lookup with the 40-byte key of map ABI 4 and before
 * (micro_flows40, filled by user space with the flow sfc cached) */
SEC("xdp")
int micro_part_flow40(struct xdp_md *ctx)
{
	struct sfc_flow_key k = {};

	if (micro_ipv4_tuple(ctx, &k))
		return XDP_ABORTED;
	return bpf_map_lookup_elem(&micro_flows40, &k) ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int micro_part_hop(struct xdp_md *ctx)
{
	struct sfc_hop_key k = part_hop;

	return bpf_map_lookup_elem(&sfc_hops, &k) ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int micro_part_hop_front(struct xdp_md *ctx)
{
	__u32 i = sfc_hop_front_idx(part_hop.path_id, part_hop.si);
	struct sfc_hop_front *f = bpf_map_lookup_elem(&sfc_hop_front, &i);

	return f && f->k.path_id == part_hop.path_id && f->k.si == part_hop.si &&
	       f->check == part_hop.path_id ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int micro_part_redirect(struct xdp_md *ctx)
{
	return bpf_redirect_map(&sfc_tx_ports, part_port, XDP_ABORTED);
}

SEC("xdp")
int micro_part_counters(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	__u32 k0 = 0, k1 = 1, k2 = 2;
	struct sfc_counter *c0 = bpf_map_lookup_elem(&micro_counters, &k0);
	struct sfc_counter *c1 = bpf_map_lookup_elem(&micro_counters, &k1);
	struct sfc_counter *c2 = bpf_map_lookup_elem(&micro_counters, &k2);

	if (!c0 || !c1 || !c2)
		return XDP_ABORTED;
	c0->packets++;
	c0->bytes += len;
	c1->packets++;
	c1->bytes += len;
	c2->packets++;
	c2->bytes += len;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
