/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The end of a chain with end xdp on the skb path (the last SF returned on
 * an interface steered at tc): the same decision as bpf/end.h, a FIB
 * lookup from the original ingress and the packet sent straight to the
 * egress, with skb helpers. The skb keeps its GSO and checksum offload
 * state; whatever the stack must handle itself goes to the stack end,
 * counted by the same reasons as in XDP.
 */
#ifndef SFC_END_TC_H
#define SFC_END_TC_H

#include <linux/pkt_cls.h>

#include "end.h"

#include <linux/tcp.h>

/* The verdict of a tc redirect helper: one it refused (bad flags, or a
 * peer redirect where there is no peer) is a counted drop, never an
 * uncounted TC_ACT_SHOT. */
static __always_inline int sfc_tc_redirected(long ret)
{
	if (ret == TC_ACT_REDIRECT)
		return TC_ACT_REDIRECT;
	count_reason(SFC_R_TC_REDIRECT_FAILED);
	return TC_ACT_SHOT;
}

/* The stack end on the skb path: into the stack of ifindex, the interface
 * the packet was classified on, marked so that its tc entry lets it
 * through instead of classifying it again. */
static __always_inline int sfc_tc_stack_end(struct __sk_buff *skb, __u32 ifindex)
{
	skb->mark = SFC_MARK_END;
	return sfc_tc_redirected(bpf_redirect(ifindex, BPF_F_INGRESS));
}

/*
 * Bytes of network and transport headers each segment of a GSO skb
 * carries besides its gso_size: the packet's own (TCP with its options),
 * or the largest possible when they cannot be read.
 */
static __always_inline __u32 sfc_gso_hdrs(void *data, void *data_end, const struct sfc_pkt *p,
					  __u32 l3len)
{
	struct tcphdr *th;

	if (p->key.proto != IPPROTO_TCP)
		return l3len + 8;
	th = data + ETH_HLEN + (l3len & 0xff);
	if ((void *)(th + 1) > data_end)
		return l3len + 60;
	return l3len + th->doff * 4;
}

/*
 * Forward skb (a packet back from its chain's last SF, headers pulled) as
 * if just received on flow->in_ifindex. TC_ACT_REDIRECT (rewritten and
 * redirected), or SFC_END_TO_STACK (a reason counted, packet untouched).
 */
static __always_inline int sfc_end_fib_skb(struct __sk_buff *skb, const struct sfc_pkt *p,
					   const struct sfc_flow *flow)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	__u32 reason, l3len = 0;
	__u8 hlim;

	if (flow->flags & SFC_FLOW_EGRESS)
		return sfc_end_fallback(SFC_R_END_LOCAL_SENT);
	if ((void *)(eth + 1) > data_end)
		return sfc_end_fallback(SFC_R_END_FIB_ERROR);
	if (skb->vlan_present ||
	    (eth->h_proto != bpf_htons(ETH_P_IP) && eth->h_proto != bpf_htons(ETH_P_IPV6)))
		return sfc_end_fallback(SFC_R_END_VLAN);
	reason = sfc_end_fib_params(eth, data_end, p->key.proto,
				    p->has_ports ? p->key.sport : 0,
				    p->has_ports ? p->key.dport : 0, p->l4len,
				    flow->in_ifindex, &fib, &l3len);
	if (reason)
		return sfc_end_fallback(reason);

	/*
	 * With tot_len the helper checks the packet against the route's MTU
	 * before it looks at neighbours, as in XDP. A GSO skb is checked by
	 * its segments instead: tot_len 0 has the helper return the egress
	 * MTU (mtu_result), and a segment with its headers must fit.
	 */
	if (skb->gso_size)
		fib.tot_len = 0;
	reason = sfc_end_fib_reason(bpf_fib_lookup(skb, &fib, sizeof(fib), 0));
	if (!reason && skb->gso_size &&
	    skb->gso_size + sfc_gso_hdrs(data, data_end, p, l3len) > fib.mtu_result)
		reason = SFC_R_END_FRAG_NEEDED;
	if (reason)
		return sfc_end_fallback(reason);

	/* bpf_skb_pull_data made the headers writable. The IPv4 TTL with
	 * its checksum updated leaves the header's sum, and so a
	 * CHECKSUM_COMPLETE skb's csum, as it was; the hop limit does not,
	 * and is stored with the csum recomputed. */
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return sfc_end_fallback(SFC_R_END_FIB_ERROR);
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	if (fib.family == AF_INET) {
		iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > data_end)
			return sfc_end_fallback(SFC_R_END_FIB_ERROR);
		sfc_ipv4_decrease_ttl(iph);
	} else {
		ip6h = (void *)(eth + 1);
		if ((void *)(ip6h + 1) > data_end)
			return sfc_end_fallback(SFC_R_END_FIB_ERROR);
		hlim = ip6h->hop_limit - 1;
		bpf_skb_store_bytes(skb, ETH_HLEN + offsetof(struct ipv6hdr, hop_limit), &hlim, 1,
				    BPF_F_RECOMPUTE_CSUM);
	}
	return bpf_redirect(fib.ifindex, 0);
}

#endif
