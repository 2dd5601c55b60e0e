/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The XDP end of a chain (chain option end xdp): the packet is forwarded
 * as the stack would have forwarded it had it just been received on its
 * original ingress (bpf_fib_lookup from flow->in_ifindex), and redirected
 * to the egress device from XDP. Whatever the stack must handle itself
 * goes to the stack end instead, counted by reason; nothing is dropped
 * here.
 */
#ifndef SFC_END_H
#define SFC_END_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.h"
#include "parsing.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* Not an XDP verdict: the caller ends the chain on the stack. */
#define SFC_END_TO_STACK (-1)

static __always_inline int sfc_end_fallback(__u32 reason)
{
	count_reason(reason);
	return SFC_END_TO_STACK;
}

/* RFC 1624 incremental update for TTL - 1, as the kernel's ip_decrease_ttl. */
static __always_inline void sfc_ipv4_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xffff));
	iph->ttl--;
}

/*
 * What rules out the XDP end before any lookup. 0 or a reason (counted).
 */
static __always_inline int sfc_end_precheck(void *data, void *data_end,
					    const struct sfc_pkt *p,
					    const struct sfc_flow *flow)
{
	struct ethhdr *eth = data;
	__u32 reason = 0;

	/* A locally sent packet was never received: there is no ingress
	 * to route it from, and the stack's output path has it. */
	if (flow->flags & SFC_FLOW_EGRESS)
		reason = SFC_R_END_LOCAL_SENT;
	else if ((void *)(eth + 1) > data_end)
		reason = SFC_R_END_FIB_ERROR;
	/* bpf_fib_lookup gives no VLAN to tag the egress frame with, and
	 * the stack knows which VLAN device the tag belongs to. */
	else if (eth->h_proto != bpf_htons(ETH_P_IP) && eth->h_proto != bpf_htons(ETH_P_IPV6))
		reason = SFC_R_END_VLAN;
	/* An unfinished checksum needs the skb's offload state (see
	 * sfc_csum_partial); only the stack end keeps it. */
	else if (sfc_csum_partial(p))
		reason = SFC_R_END_CSUM_PARTIAL;
	if (reason)
		count_reason(reason);
	return reason;
}

/*
 * The FIB lookup's question for a packet whose untagged Ethernet header is
 * eth, as if just received on in_ifindex: addresses, TOS or flow label,
 * the packet's L3 length (tot_len: the helper then checks the route's MTU
 * before neighbours), the flow's ports. 0, or the reason the stack must
 * end it (not counted). *l3len: bytes of IP headers, extension headers
 * included (l4len: L4 header and payload, as parsed).
 */
static __always_inline __u32 sfc_end_fib_params(struct ethhdr *eth, void *data_end,
						__u8 l4proto, __be16 sport, __be16 dport,
						__u16 l4len, __u32 in_ifindex,
						struct bpf_fib_lookup *fib, __u32 *l3len)
{
	struct ipv6hdr *ip6h;
	struct iphdr *iph;

	if ((void *)(eth + 1) > data_end)
		return SFC_R_END_FIB_ERROR;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > data_end)
			return SFC_R_END_FIB_ERROR;
		/* TTL 1 expires here: the stack sends time exceeded. */
		if (iph->ttl <= 1)
			return SFC_R_END_TTL;
		*l3len = iph->ihl * 4;
		fib->family = AF_INET;
		fib->tos = iph->tos;
		fib->tot_len = bpf_ntohs(iph->tot_len);
		fib->ipv4_src = iph->saddr;
		fib->ipv4_dst = iph->daddr;
	} else {
		ip6h = (void *)(eth + 1);
		if ((void *)(ip6h + 1) > data_end)
			return SFC_R_END_FIB_ERROR;
		if (ip6h->hop_limit <= 1)
			return SFC_R_END_TTL;
		*l3len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len) - l4len;
		fib->family = AF_INET6;
		fib->flowinfo = *(__be32 *)ip6h & bpf_htonl(0x0fffffff);
		fib->tot_len = bpf_ntohs(ip6h->payload_len) + sizeof(*ip6h);
		__builtin_memcpy(fib->ipv6_src, &ip6h->saddr, 16);
		__builtin_memcpy(fib->ipv6_dst, &ip6h->daddr, 16);
	}
	fib->l4_protocol = l4proto;
	fib->sport = sport;
	fib->dport = dport;
	fib->ifindex = in_ifindex;
	return 0;
}

/* What a bpf_fib_lookup result leaves to the stack: 0 (forward it here)
 * or the reason. */
static __always_inline __u32 sfc_end_fib_reason(long rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		return 0;
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		/* local, broadcast or multicast: delivery is the stack's */
		return SFC_R_END_LOCAL;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		/* Only the stack queues the packet and resolves the
		 * neighbour; later packets then take this end. */
		return SFC_R_END_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		/* The stack fragments or sends frag needed/packet too big. */
		return SFC_R_END_FRAG_NEEDED;
	default:
		/* blackhole, unreachable, prohibit, forwarding disabled,
		 * unsupported lwt: the stack answers as it always does. */
		return SFC_R_END_FIB_ERROR;
	}
}

/*
 * Forward from XDP a packet whose Ethernet header (untagged, IPv4 or IPv6)
 * starts meta_len bytes after ctx->data_meta, as if just received on
 * in_ifindex. Returns XDP_REDIRECT (the metadata removed, the packet
 * rewritten and redirected) or SFC_END_TO_STACK (a reason counted, packet
 * and metadata untouched).
 */
static __always_inline int sfc_end_fib(struct xdp_md *ctx, __u32 in_ifindex, __u8 l4proto,
				       __be16 sport, __be16 dport, __u16 l4len, int meta_len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	__u32 reason, l3len;
	int v4;

	reason = sfc_end_fib_params(eth, data_end, l4proto, sport, dport, l4len, in_ifindex,
				    &fib, &l3len);
	if (reason)
		return sfc_end_fallback(reason);
	v4 = fib.family == AF_INET;
	/* In XDP the helper always checks the egress MTU too, and reports
	 * that before looking at neighbours. */
	reason = sfc_end_fib_reason(bpf_fib_lookup(ctx, &fib, sizeof(fib), 0));
	if (reason)
		return sfc_end_fallback(reason);

	/*
	 * Only devices sfcd put in sfc_tx_ports take XDP frames for sure (a
	 * veth drops them unless its peer runs NAPI). Redirect first: on a
	 * miss the low bits of flags are the verdict and nothing has been
	 * written yet, so the stack end gets the packet as it came back.
	 */
	if (bpf_redirect_map(&sfc_tx_ports, fib.ifindex, XDP_PASS) != XDP_REDIRECT)
		return sfc_end_fallback(SFC_R_END_EGRESS_NO_XDP);

	/* The stack-end handoff must not travel with the frame: the
	 * egress's peer would see it as its own metadata. */
	if (meta_len && bpf_xdp_adjust_meta(ctx, meta_len)) {
		/* cannot fail when growing back what was added; if it did,
		 * the frame goes out with it rather than twice */
		count_reason(SFC_R_META_FAILED);
	}
	/* Pointers again: bpf_xdp_adjust_meta invalidated them. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_REDIRECT;
	if (v4) {
		iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > data_end)
			return XDP_REDIRECT;
		sfc_ipv4_decrease_ttl(iph);
	} else {
		ip6h = (void *)(eth + 1);
		if ((void *)(ip6h + 1) > data_end)
			return XDP_REDIRECT;
		ip6h->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return XDP_REDIRECT;
}

#endif
