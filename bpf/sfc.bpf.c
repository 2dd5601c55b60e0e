// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfc datapath entries. One XDP program for ingress points and SF
 * interfaces, tc programs for what XDP cannot do: classifying locally
 * sent packets (egress) and finishing what XDP handed over in the packet
 * metadata (delivering at the end of a chain as if just received, or
 * sending to an SF whose interface cannot take XDP frames).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "sff.h"
#include "end.h"
#include "end_tc.h"
#include "xmit_trace.h"
#include "observe.h"

/* Bytes of headers the tc entry makes linear before parsing: Ethernet,
 * VLAN, IPv6 with extension headers, and the L4 ports. */
#define SFC_TC_PULL_LEN 256

static __always_inline void sfc_set_macs(void *data, void *data_end,
					 const __u8 *dst, const __u8 *src)
{
	__u8 *eth = data;

	if ((void *)(eth + 12) > data_end)
		return;
	__builtin_memcpy(eth, dst, 6);
	__builtin_memcpy(eth + 6, src, 6);
}

/* The source MAC of a frame to an SFC_SF_POS_MAC SF: its position. */
static __always_inline void sfc_set_pos_src(void *data, void *data_end, __u32 path_id,
					    __u32 si)
{
	__u8 *eth = data;

	if ((void *)(eth + 12) > data_end)
		return;
	eth[6] = SFC_POS_MAC_TAG;
	eth[7] = path_id >> 24;
	eth[8] = path_id >> 16;
	eth[9] = path_id >> 8;
	eth[10] = path_id;
	eth[11] = si;
}

/*
 * An 8-byte handoff of an older sfc_xdp, taken only in the seconds after
 * sfcd began replacing that program (sfc_meta_key[1]); otherwise such
 * metadata is anyone's, and ignored.
 */
static __always_inline int sfc_meta_legacy(struct __sk_buff *skb)
{
	struct sfc_meta_v1 *o = (void *)(long)skb->data_meta;
	void *data = (void *)(long)skb->data;
	__u32 one = 1;
	__u64 *until;

	if ((void *)(o + 1) > data || o->magic != SFC_META_MAGIC)
		return 0;
	/* Exactly 8 bytes: a longer area is a keyed handoff or not ours.
	 * (Apart from the bound above: clang would merge the two tests into
	 * one != the verifier learns no bound from.) */
	if ((void *)(o + 1) != data)
		return 0;
	until = bpf_map_lookup_elem(&sfc_meta_key, &one);
	return until && *until && bpf_ktime_get_ns() < *until;
}

/* Hand the packet to the tc ingress entry of this interface. */
static __always_inline int xdp_to_tc(struct xdp_md *ctx, __u16 action, __u32 ifindex)
{
	__u64 key = sfc_meta_key_get();
	struct sfc_meta *m;
	void *data;

	/* No key yet (sfcd writes it before attaching): tc would refuse the
	 * handoff, so do not make one. */
	if (!key) {
		count_reason(SFC_R_META_NO_KEY);
		return XDP_DROP;
	}
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m))) {
		count_reason(SFC_R_META_FAILED);
		return XDP_DROP;
	}
	m = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(m + 1) > data) {
		count_reason(SFC_R_META_FAILED);
		return XDP_DROP;
	}
	m->magic = SFC_META_MAGIC;
	m->action = action;
	m->ifindex = ifindex;
	m->key = key;
	return XDP_PASS;
}

/*
 * Metadata in front of a frame at entry was written by someone else (an
 * SF's XDP program before XDP_TX, a redirecting peer): shrink the area
 * back to nothing, so that nothing downstream, our tc entry included,
 * reads it. 0, or -1 when the helper refused. Packet pointers taken before
 * the call are invalid after it. A global function: the verifier checks
 * it once on its own, and sfc_xdp goes on from one state whether metadata
 * was there or not (inlined, the branch doubled the instructions verified
 * for everything after it).
 */
__attribute__((noinline)) int sfc_xdp_discard_meta(struct xdp_md *ctx)
{
	long len = (long)ctx->data - (long)ctx->data_meta;

	if (len <= 0)
		return 0;
	count_reason(SFC_R_META_FOREIGN);
	/* The area is at most 32 bytes; moving data_meta up to data is
	 * always allowed. */
	return bpf_xdp_adjust_meta(ctx, (int)len) ? -1 : 0;
}

SEC("xdp")
int sfc_xdp(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;
	struct sfc_decision d = {};
	void *data, *data_end;
	struct sfc_iface ifc = {};
	struct sfc_pkt p = {};
	struct sfc_flow *flow;
	struct sfc_sf *sf;
	long ret;
	int r;

	if (sfc_xdp_discard_meta(ctx)) {
		count_reason(SFC_R_META_FAILED);
		return XDP_DROP;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (sfc_iface_read(ifindex, &ifc))
		return XDP_PASS;
	r = sfc_parse(data, data_end, data_end - data, &p);
	if (r == SFC_PARSE_NOT_IP)
		return XDP_PASS;
	if (r) {
		/* Malformed: never chained; the stack drops or handles it. */
		count_reason(r);
		return XDP_PASS;
	}

	sfc_decide(&p, ifindex, &ifc, 0, data, &d);
	SFC_OBSERVE(sfc_observe_xdp, ctx, SFC_HOOK_XDP, ifindex, &p, &d);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	switch (d.i.act) {
	case SFC_ACT_DROP:
		sfc_count_drop(&d);
		return XDP_DROP;
	case SFC_ACT_TO_SF:
		sf = sfc_sf_of(d.i.sf_id);
		if (!sf)
			return XDP_DROP; /* sfc_sff found it: never */
		if (sf->flags & SFC_SF_SETMAC)
			sfc_set_macs(data, data_end, sf->mac, sf->out_mac);
		if (sf->flags & SFC_SF_POS_MAC)
			sfc_set_pos_src(data, data_end, d.i.path_id, d.i.o.si);
		/* a tap's copy is made at tc: XDP cannot copy a frame */
		if (!(sf->flags & SFC_SF_XDP_TX) || d.i.tap_sf)
			return xdp_to_tc(ctx, SFC_META_TO_EGRESS |
					 d.i.tap_sf << SFC_META_TAP_SHIFT, sf->ifindex);
		if (sfc_csum_partial(&p)) {
			count_reason(SFC_R_CSUM_PARTIAL_TC);
			return xdp_to_tc(ctx, SFC_META_TO_EGRESS, sf->ifindex);
		}
		/* The low bits of flags are the verdict when the devmap has
		 * no such port: fall back to tc then. */
		ret = bpf_redirect_map(&sfc_tx_ports, sf->ifindex, XDP_PASS);
		if (ret == XDP_REDIRECT)
			return XDP_REDIRECT;
		count_reason(SFC_R_REDIRECT_FAILED);
		return xdp_to_tc(ctx, SFC_META_TO_EGRESS, sf->ifindex);
	case SFC_ACT_END:
		flow = d.flow;
		if (!d.i.returned || !flow)
			return XDP_PASS; /* empty chain: it never left */
		r = 0;
		if (d.i.tap_sf) /* the copy is made at tc: the stack end */
			d.i.end = SFC_END_STACK;
		if (d.i.end != SFC_END_STACK)
			r = sfc_end_precheck(data, data_end, &p, flow);
		if (d.i.end == SFC_END_XDP && !r &&
		    sfc_end_fib(ctx, flow->in_ifindex, p.key.proto,
				p.has_ports ? p.key.sport : 0,
				p.has_ports ? p.key.dport : 0, p.l4len, 0) == XDP_REDIRECT)
			return XDP_REDIRECT;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		sfc_set_macs(data, data_end, flow->orig_dst, flow->orig_src);
		ret = xdp_to_tc(ctx, ((flow->flags & SFC_FLOW_EGRESS) ?
				SFC_META_TO_EGRESS : SFC_META_TO_INGRESS) |
				d.i.tap_sf << SFC_META_TAP_SHIFT, flow->in_ifindex);
		/*
		 * auto: the stack end is ready in the metadata; the conntrack
		 * stage takes the XDP end instead for an established flow,
		 * or returns XDP_PASS to keep it. Without that stage (no
		 * conntrack kfuncs) the tail call falls through.
		 */
		if (d.i.end == SFC_END_AUTO && !r && ret == XDP_PASS) {
			bpf_tail_call(ctx, &sfc_end_progs, 0);
			count_reason(SFC_R_END_NO_CT);
		}
		return ret;
	}
	return XDP_PASS;
}

/*
 * Make the headers linear and parse them (skb entries). p->len is the
 * skb's length; an offloaded VLAN tag (skb->vlan_tci) is part of the flow
 * key as an in-packet one is on the XDP path. SFC_PARSE_* or a reason.
 */
static __always_inline int sfc_tc_parse(struct __sk_buff *skb, struct sfc_pkt *p)
{
	__u32 pull = skb->len < SFC_TC_PULL_LEN ? skb->len : SFC_TC_PULL_LEN;
	int r;

	if (bpf_skb_pull_data(skb, pull)) {
		count_reason(SFC_R_TC_PULL_FAILED);
		return SFC_PARSE_NOT_IP;
	}
	r = sfc_parse((void *)(long)skb->data, (void *)(long)skb->data_end, skb->len, p);
	if (r == SFC_PARSE_NOT_IP)
		return r;
	if (r) {
		count_reason(r);
		return r;
	}
	p->len = skb->len;
	if (skb->vlan_present && !p->key.vlan)
		p->key.vlan = skb->vlan_tci & 0x0fff;
	return 0;
}

/* A copy of the packet to tap SF tap_id's interface (0: none), as the
 * packet is now (bpf_clone_redirect: packet pointers are invalid after
 * it). A decision names a tap only with TO_SF or END. */
static __always_inline void sfc_tc_tap(struct __sk_buff *skb, __u32 tap_id)
{
	struct sfc_sf *tap;

	if (!tap_id)
		return;
	tap = sfc_sf_of(tap_id);
	if (!tap || !tap->ifindex || bpf_clone_redirect(skb, tap->ifindex, 0))
		count_reason(SFC_R_TAP_COPY_FAILED);
}

/* Send a packet to an SF from a tc entry. */
static __always_inline int sfc_tc_to_sf(struct __sk_buff *skb, const struct sfc_sf *sf,
					int at_ingress, const struct sfc_decision *d)
{
	if (sf->flags & SFC_SF_SETMAC)
		sfc_set_macs((void *)(long)skb->data, (void *)(long)skb->data_end,
			     sf->mac, sf->out_mac);
	if (sf->flags & SFC_SF_POS_MAC)
		sfc_set_pos_src((void *)(long)skb->data, (void *)(long)skb->data_end,
				d->i.path_id, d->i.o.si);
	/* Straight into the SF's netns: no second pass through the fabric's
	 * veth, the skb keeps GSO and checksum offload. Only from ingress. */
	if (at_ingress && (sf->flags & SFC_SF_PEER))
		return sfc_tc_redirected(bpf_redirect_peer(sf->ifindex, 0));
	return sfc_tc_redirected(bpf_redirect(sf->ifindex, 0));
}

/*
 * Steering of packets that arrive as skbs (SFC_IF_TC_STEER): what sfc_xdp
 * does for XDP frames, with skb redirects, so that nothing is converted to
 * an XDP frame and back.
 */
static __always_inline int sfc_tc_steer(struct __sk_buff *skb, const struct sfc_iface *ifc)
{
	__u32 ifindex = skb->ifindex;
	struct sfc_decision d = {};
	struct sfc_pkt p = {};
	struct sfc_flow *flow;
	struct sfc_sf *sf;
	void *data, *data_end;

	if (sfc_tc_parse(skb, &p))
		return TC_ACT_OK;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (data + ETH_HLEN > data_end) /* parsed already: for the verifier */
		return TC_ACT_OK;
	sfc_decide(&p, ifindex, ifc, 0, data, &d);
	SFC_OBSERVE(sfc_observe_skb, skb, SFC_HOOK_TC_INGRESS, ifindex, &p, &d);
	sfc_tc_tap(skb, d.i.tap_sf);
	switch (d.i.act) {
	case SFC_ACT_DROP:
		sfc_count_drop(&d);
		return TC_ACT_SHOT;
	case SFC_ACT_TO_SF:
		sf = sfc_sf_of(d.i.sf_id);
		if (!sf)
			return TC_ACT_SHOT; /* sfc_sff found it: never */
		return sfc_tc_to_sf(skb, sf, 1, &d);
	case SFC_ACT_END:
		flow = d.flow;
		if (!d.i.returned || !flow)
			return TC_ACT_OK; /* empty chain: it never left */
		/* end xdp: routed here, as from XDP */
		if (d.i.end == SFC_END_XDP &&
		    sfc_end_fib_skb(skb, &p, flow) == TC_ACT_REDIRECT)
			return TC_ACT_REDIRECT;
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
		sfc_set_macs(data, data_end, flow->orig_dst, flow->orig_src);
		if (flow->flags & SFC_FLOW_EGRESS) {
			if (d.i.end == SFC_END_AUTO)
				count_reason(SFC_R_END_LOCAL_SENT);
			return sfc_tc_redirected(bpf_redirect(flow->in_ifindex, 0));
		}
		/* auto: the conntrack stage takes the fast end for an
		 * established flow, or the stack end. Without it (no
		 * conntrack kfuncs) the tail call falls through. */
		if (d.i.end == SFC_END_AUTO) {
			skb->cb[0] = SFC_END_TC_CB_MAGIC;
			skb->cb[1] = flow->in_ifindex;
			bpf_tail_call(skb, &sfc_end_tc_progs, 0);
			skb->cb[0] = 0;
			count_reason(SFC_R_END_NO_CT);
		}
		return sfc_tc_stack_end(skb, flow->in_ifindex);
	}
	return TC_ACT_OK;
}

/*
 * Steers packets on interfaces where they arrive as skbs, finishes what
 * sfc_xdp handed over, and lets through a packet that finished its chain
 * and was redirected here, the interface it was classified on. A handoff
 * is trusted only with the datapath's key (see struct sfc_meta), and only
 * towards an interface the fabric knows: the target may have gone since
 * sfc_xdp looked, and bpf_redirect() to a vanished ifindex would drop the
 * packet later, uncounted.
 */
SEC("tc")
int sfc_tc_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	struct sfc_meta *m = (void *)(long)skb->data_meta;
	struct sfc_iface ifc = {};
	__u32 ifindex, action;
	__u64 key;

	if (sfc_meta_legacy(skb)) {
		struct sfc_meta_v1 *o = (void *)(long)skb->data_meta;

		if ((void *)(o + 1) > data)
			return TC_ACT_SHOT;
		o->magic = 0;
		ifindex = o->ifindex;
		action = o->action;
		goto redirect;
	}
	if ((void *)(m + 1) <= data && m->magic == SFC_META_MAGIC) {
		key = sfc_meta_key_get();
		if (!key || m->key != key) {
			/* sfc's magic without its key: forged, or left over from
			 * a foreign XDP program where sfc_xdp could not discard
			 * it. */
			m->magic = 0;
			count_reason(SFC_R_META_FORGED);
			return TC_ACT_SHOT;
		}
		/* The metadata travels with the skb through the redirect: wipe
		 * it, or the target interface's tc entry would act on it again,
		 * and an SF could read the key. */
		m->magic = 0;
		m->key = 0;
		ifindex = m->ifindex;
		action = m->action;
		sfc_tc_tap(skb, action >> SFC_META_TAP_SHIFT);
		action &= SFC_META_ACTION_MASK;
redirect:
		if (action != SFC_META_TO_INGRESS && action != SFC_META_TO_EGRESS) {
			count_reason(SFC_R_META_BAD_ACTION);
			return TC_ACT_SHOT;
		}
		if (sfc_iface_read(ifindex, &ifc)) {
			count_reason(SFC_R_REDIRECT_TARGET_GONE);
			return TC_ACT_SHOT;
		}
		if (action == SFC_META_TO_INGRESS)
			return sfc_tc_stack_end(skb, ifindex);
		return sfc_tc_redirected(bpf_redirect(ifindex, 0));
	}
	if (skb->mark == SFC_MARK_END) {
		skb->mark = 0;
		return TC_ACT_OK;
	}
	ifindex = skb->ifindex;
	if (sfc_iface_read(ifindex, &ifc) || !(ifc.flags & SFC_IF_TC_STEER))
		return TC_ACT_OK;
	return sfc_tc_steer(skb, &ifc);
}

/* Classifies locally sent packets on ingress points. */
SEC("tc")
int sfc_tc_egress(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	struct sfc_decision d = {};
	struct sfc_iface ifc = {};
	struct sfc_pkt p = {};
	void *data, *data_end;

	/*
	 * Only packets this host originates: a forwarded packet, or one
	 * finishing its chain, was received somewhere (skb_iif != 0) and was
	 * classified there if it had to be.
	 */
	if (skb->ingress_ifindex)
		return TC_ACT_OK;
	if (sfc_iface_read(ifindex, &ifc) || !(ifc.flags & SFC_IF_INGRESS))
		return TC_ACT_OK;
	if (sfc_tc_parse(skb, &p))
		return TC_ACT_OK;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (data + ETH_HLEN > data_end) /* parsed already: for the verifier */
		return TC_ACT_OK;

	sfc_decide(&p, ifindex, &ifc, SFC_FLOW_EGRESS, data, &d);
	SFC_OBSERVE(sfc_observe_skb, skb, SFC_HOOK_TC_EGRESS, ifindex, &p, &d);
	sfc_tc_tap(skb, d.i.tap_sf);
	switch (d.i.act) {
	case SFC_ACT_DROP:
		sfc_count_drop(&d);
		return TC_ACT_SHOT;
	case SFC_ACT_TO_SF: {
		struct sfc_sf *sf = sfc_sf_of(d.i.sf_id);

		if (!sf)
			return TC_ACT_SHOT; /* sfc_sff found it: never */
		return sfc_tc_to_sf(skb, sf, 0, &d);
	}
	}
	/* END here means an empty chain or all hops bypassed: send it on. */
	return TC_ACT_OK;
}

/* Attached to the far end of an SF's veth when nothing else is there:
 * gives it the NAPI instance XDP redirects into a veth need. */
SEC("xdp")
int sfc_xdp_peer(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
