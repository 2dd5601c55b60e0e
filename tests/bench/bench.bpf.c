// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The benchmark's own programs: the traffic generator (run through
 * BPF_PROG_TEST_RUN with live frames), the sink, the bump-in-the-wire SF,
 * and the hand-written fabrics sfc is compared with. None of them counts
 * anything but the sink, none classifies: they are the floor.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BENCH_HDR_LEN 42 /* Ethernet + IPv4 + UDP */

/*
 * Generator. Live frames are page_pool pages that come back to the
 * injector recycled, without the template being copied again; every hop
 * that rewrites the frame in place (sfc's MACs, the stack's TTL and
 * checksum) would leave its marks on later packets. So every header byte
 * any hop may touch is written again here, per packet.
 */
/* Not const volatile: a memcpy from it would cast the volatile away and
 * let the compiler fold the (zero) initializer into the program. */
__u8 gen_hdr[BENCH_HDR_LEN];
const volatile __u32 gen_flows = 1;   /* distinct UDP source ports */
const volatile __u16 gen_sport = 1024; /* first source port, host order */
const volatile __u32 gen_action = XDP_TX; /* XDP_DROP: calibrate the generator */
/* > 0: a new flow every gen_churn frames (source port and the source
 * address's last octet), 16 million before one repeats: flows the fabric
 * has never seen keep coming, as they do on a real link */
const volatile __u32 gen_churn = 0;

__u64 gen_seq; /* one generator runs at a time, on one CPU */

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u16 *sport;

	if (p + BENCH_HDR_LEN > (__u8 *)data_end)
		return XDP_DROP;
	__builtin_memcpy(p, gen_hdr, BENCH_HDR_LEN);
	if (gen_churn) {
		__u64 f = gen_seq / gen_churn;
		__u16 *w = (__u16 *)(p + 14);
		__u32 sum = 0;
		int i;

		sport = (__u16 *)(p + 34);
		*sport = bpf_htons(1024 + f % 64000);
		p[29] = 1 + (f / 64000) % 250;
		w[5] = 0;
#pragma unroll
		for (i = 0; i < 10; i++)
			sum += w[i];
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		w[5] = ~sum;
	} else if (gen_flows > 1) {
		sport = (__u16 *)(p + 34);
		*sport = bpf_htons(gen_sport + gen_seq % gen_flows);
	}
	/* Read by the reader through the mmapped .bss: frames sent. */
	gen_seq++;
	/* Live frames turn XDP_TX into a transmit on the -i device. */
	return gen_action;
}

struct bench_count {
	__u64 packets;
	__u64 bytes;
};

/* 0 -> packets and bytes the sink dropped, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_count);
} bench_rx SEC(".maps");

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	struct bench_count *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&bench_rx, &zero);
	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return XDP_DROP;
}

/* The SF: bounce the frame back where it came from, untouched. */
SEC("xdp")
int bench_bounce(struct xdp_md *ctx)
{
	return XDP_TX;
}

/* NAPI for a veth end that is not ours to program (bridge, tc, OVS
 * ports): XDP_TX and redirects into a veth need an XDP program on the
 * receiving end. */
SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* ingress ifindex -> egress ifindex: the hand-written fabric */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} bench_fwd SEC(".maps");

/*
 * The floor of any XDP fabric: one devmap redirect per hop, no parsing,
 * no counters. An interface with no entry passes to the stack (the
 * "floor + stack end" variant ends its chains that way, like sfc).
 */
SEC("xdp")
int bench_floor(struct xdp_md *ctx)
{
	return bpf_redirect_map(&bench_fwd, ctx->ingress_ifindex, XDP_PASS);
}

/* ingress ifindex -> the chain's own ingress interface, whose routing
 * decides where a packet leaving the chain here goes */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} bench_fib_in SEC(".maps");

/*
 * The floor with the end of the chain done in XDP: the routing decision
 * the stack would take (bpf_fib_lookup, as from the chain's ingress
 * interface), TTL decremented, MACs from the neighbour table, devmap
 * redirect to the egress. What a fabric that stays in XDP at the end of a
 * chain would pay (the kernel's samples/bpf/xdp_fwd does the same).
 */
SEC("xdp")
int bench_fib_end(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup f = {};
	__u32 in = ctx->ingress_ifindex;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	__u32 *orig, csum;

	orig = bpf_map_lookup_elem(&bench_fib_in, &in);
	if (!orig)
		return bpf_redirect_map(&bench_fwd, in, XDP_PASS);
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    iph->ttl <= 1)
		return XDP_PASS;
	f.family = 2; /* AF_INET */
	f.tos = iph->tos;
	f.l4_protocol = iph->protocol;
	f.tot_len = bpf_ntohs(iph->tot_len);
	f.ipv4_src = iph->saddr;
	f.ipv4_dst = iph->daddr;
	f.ifindex = *orig;
	if (bpf_fib_lookup(ctx, &f, sizeof(f), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	/* ip_decrease_ttl(): TTL is the high byte of its 16-bit word */
	csum = iph->check + bpf_htons(0x0100);
	iph->check = (__u16)(csum + (csum >= 0xffff));
	iph->ttl--;
	__builtin_memcpy(eth->h_dest, f.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, f.smac, ETH_ALEN);
	return bpf_redirect_map(&bench_fwd, f.ifindex, XDP_PASS);
}

struct bench_tc_target {
	__u32 ifindex;
	__u32 flags; /* 0 or BPF_F_INGRESS */
};

/* ingress ifindex -> where tc sends what XDP passed */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct bench_tc_target);
} bench_tc_fwd SEC(".maps");

/* The end of a "floor + stack end" chain: what sfc's tc ingress entry
 * does, without the metadata. */
SEC("tc")
int bench_tc_redirect(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ingress_ifindex;
	struct bench_tc_target *t = bpf_map_lookup_elem(&bench_tc_fwd, &ifindex);

	if (!t)
		return TC_ACT_OK;
	return bpf_redirect(t->ifindex, t->flags);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
