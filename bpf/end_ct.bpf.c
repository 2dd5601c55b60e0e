// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The conntrack stage of a chain's auto end, tail-called by sfc_xdp
 * (slot 0 of sfc_end_progs) with the stack end already prepared in the
 * metadata, and by sfc_tc_ingress (slot 0 of sfc_end_tc_progs) with the
 * stack end prepared in the skb. A flow the stack has already accepted
 * (conntrack entry confirmed, reply seen, no NAT, no helper) takes the
 * fast end (bpf_fib_lookup, sent to the egress); anything else keeps the
 * stack end, counted by reason.
 *
 * A separate object because the conntrack kfuncs live in nf_conntrack,
 * which may be a module that is not loaded: sfcd loads this stage only
 * when the kernel has them, and sfc_xdp never depends on it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "end.h"
#include "end_tc.h"

#define SFC_CT_OPTS_SZ 12 /* the 6.1 layout; later kernels accept it too */
#define SFC_F_CURRENT_NETNS (-1)

/* enum ip_conntrack_status bits (uapi nf_conntrack_common.h) */
#define SFC_IPS_SEEN_REPLY (1ul << 1)
#define SFC_IPS_CONFIRMED  (1ul << 3)
#define SFC_IPS_SRC_NAT    (1ul << 4)
#define SFC_IPS_DST_NAT    (1ul << 5)
#define SFC_IPS_SEQ_ADJUST (1ul << 6)
#define SFC_IPS_DYING      (1ul << 9)
#define SFC_IPS_HELPER     (1ul << 13)

/* The 12-byte layout of 6.1 (netns_id, error, l4proto, dir, reserved[2]).
 * 6.10 and later grew it to 16 bytes (ct_zone_id where reserved was, then
 * ct_zone_dir) and still take 12 with those bytes zero. */
struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8  l4proto;
	__u8  dir;
	__u8  reserved[2];
};

/* Only what is read, located through the kernel's BTF (CO-RE). */
struct nf_ct_ext {
	__u8 offset[1]; /* [NF_CT_EXT_HELPER = 0]: 0 = no helper extension */
} __attribute__((preserve_access_index));

struct nf_conn {
	unsigned long status;
	struct nf_ct_ext *ext;
} __attribute__((preserve_access_index));

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

/* The lookup tuple of p: its size, 0 when conntrack cannot answer (the
 * kfuncs look up TCP and UDP only; a later fragment has no ports). */
static __always_inline __u32 ct_tuple(const struct sfc_pkt *p, struct bpf_sock_tuple *tuple)
{
	if ((p->key.proto != IPPROTO_TCP && p->key.proto != IPPROTO_UDP) || p->later_frag)
		return 0;
	if (p->key.family == 4) {
		__builtin_memcpy(&tuple->ipv4.saddr, p->key.src, 4);
		__builtin_memcpy(&tuple->ipv4.daddr, p->key.dst, 4);
		tuple->ipv4.sport = p->key.sport;
		tuple->ipv4.dport = p->key.dport;
		return sizeof(tuple->ipv4);
	}
	__builtin_memcpy(tuple->ipv6.saddr, p->key.src, 16);
	__builtin_memcpy(tuple->ipv6.daddr, p->key.dst, 16);
	tuple->ipv6.sport = p->key.sport;
	tuple->ipv6.dport = p->key.dport;
	return sizeof(tuple->ipv6);
}

/* 0 when ct says the stack accepted this flow as it is, else a reason */
static __always_inline __u32 ct_verdict(struct nf_conn *ct)
{
	unsigned long st = ct->status;
	struct nf_ct_ext *ext;

	if (!(st & SFC_IPS_CONFIRMED) || !(st & SFC_IPS_SEEN_REPLY) || (st & SFC_IPS_DYING))
		return SFC_R_END_NOT_ESTABLISHED;
	if (st & (SFC_IPS_SRC_NAT | SFC_IPS_DST_NAT | SFC_IPS_SEQ_ADJUST | SFC_IPS_HELPER))
		return SFC_R_END_CT_NAT;
	/* A helper assigned by the stack (not through a template) shows
	 * only as the helper extension; having one at all is enough. */
	ext = ct->ext;
	if (ext && ext->offset[0])
		return SFC_R_END_CT_NAT;
	return 0;
}

SEC("xdp")
int sfc_xdp_end_ct(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct sfc_meta *m = (void *)(long)ctx->data_meta;
	struct bpf_ct_opts opts = { .netns_id = SFC_F_CURRENT_NETNS };
	struct bpf_sock_tuple tuple = {};
	struct sfc_pkt p = {};
	struct nf_conn *ct;
	__u32 in_ifindex, tsz, reason;

	if ((void *)(m + 1) > data || m->magic != SFC_META_MAGIC ||
	    m->action != SFC_META_TO_INGRESS)
		return XDP_PASS;
	in_ifindex = m->ifindex;
	if (sfc_parse(data, data_end, data_end - data, &p))
		return XDP_PASS;
	tsz = ct_tuple(&p, &tuple);
	if (!tsz) {
		count_reason(SFC_R_END_NO_CT);
		return XDP_PASS;
	}
	opts.l4proto = p.key.proto;
	ct = bpf_xdp_ct_lookup(ctx, &tuple, tsz, &opts, SFC_CT_OPTS_SZ);
	if (!ct) {
		count_reason(SFC_R_END_NO_CT);
		return XDP_PASS;
	}
	reason = ct_verdict(ct);
	bpf_ct_release(ct);
	if (reason) {
		count_reason(reason);
		return XDP_PASS;
	}
	if (sfc_end_fib(ctx, in_ifindex, p.key.proto, p.key.sport, p.key.dport,
			p.l4len, sizeof(struct sfc_meta)) == XDP_REDIRECT)
		return XDP_REDIRECT;
	return XDP_PASS;
}

SEC("tc")
int sfc_tc_end_ct(struct __sk_buff *skb)
{
	struct bpf_ct_opts opts = { .netns_id = SFC_F_CURRENT_NETNS };
	struct bpf_sock_tuple tuple = {};
	struct sfc_flow flow = {};
	struct sfc_pkt p = {};
	__u32 in_ifindex, tsz, reason;
	struct nf_conn *ct;

	/* only as sfc_tc_ingress's tail call */
	if (skb->cb[0] != SFC_END_TC_CB_MAGIC)
		return TC_ACT_OK;
	skb->cb[0] = 0;
	in_ifindex = skb->cb[1];
	if (sfc_parse((void *)(long)skb->data, (void *)(long)skb->data_end, skb->len, &p))
		return sfc_tc_stack_end(skb, in_ifindex);
	p.len = skb->len;
	tsz = ct_tuple(&p, &tuple);
	if (!tsz) {
		count_reason(SFC_R_END_NO_CT);
		return sfc_tc_stack_end(skb, in_ifindex);
	}
	opts.l4proto = p.key.proto;
	ct = bpf_skb_ct_lookup(skb, &tuple, tsz, &opts, SFC_CT_OPTS_SZ);
	if (!ct) {
		count_reason(SFC_R_END_NO_CT);
		return sfc_tc_stack_end(skb, in_ifindex);
	}
	reason = ct_verdict(ct);
	bpf_ct_release(ct);
	if (reason) {
		count_reason(reason);
		return sfc_tc_stack_end(skb, in_ifindex);
	}
	flow.in_ifindex = in_ifindex;
	if (sfc_end_fib_skb(skb, &p, &flow) == TC_ACT_REDIRECT)
		return TC_ACT_REDIRECT;
	return sfc_tc_stack_end(skb, in_ifindex);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
