/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Drops that happen after an XDP redirect was accepted. bpf_redirect_map()
 * returning XDP_REDIRECT only queues the frame: the target device sends it
 * when the NAPI poll ends, and may refuse it then (a veth whose far end
 * has no NAPI, a device gone down). The kernel reports those in two
 * tracepoints, xdp_devmap_xmit (frames a device did not take) and
 * xdp_redirect_err (a redirect that failed at once); these programs count
 * them under numbered reasons. Tracepoints are global, so each program
 * keeps to frames received on this fabric's interfaces: in its network
 * namespace (sfc_trace_netns, written by sfcd) and in sfc_ifaces.
 *
 * Only the two fields read are declared; CO-RE finds them in the running
 * kernel's struct net_device.
 */
#ifndef SFC_XMIT_TRACE_H
#define SFC_XMIT_TRACE_H

#include <bpf/bpf_core_read.h>

#include "maps.h"

struct ns_common___sfc {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct net___sfc {
	struct ns_common___sfc ns;
} __attribute__((preserve_access_index));

typedef struct {
	struct net___sfc *net;
} possible_net_t___sfc;

struct net_device___sfc {
	int ifindex;
	possible_net_t___sfc nd_net;
} __attribute__((preserve_access_index));

/* 0 -> inode number of the network namespace of sfc's interfaces */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sfc_trace_netns SEC(".maps");

/* Was dev one of this fabric's interfaces (same namespace, in sfc_ifaces)? */
static __always_inline int sfc_trace_ours(const struct net_device___sfc *dev)
{
	__u32 zero = 0, ifindex;
	__u64 *ns = bpf_map_lookup_elem(&sfc_trace_netns, &zero);

	if (!dev || !ns || !*ns)
		return 0;
	if (BPF_CORE_READ(dev, nd_net.net, ns.inum) != *ns)
		return 0;
	ifindex = BPF_CORE_READ(dev, ifindex);
	return bpf_map_lookup_elem(&sfc_ifaces, &ifindex) != NULL;
}

static __always_inline void count_reason_n(__u32 reason, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&sfc_reasons, &reason);

	if (v)
		__sync_fetch_and_add(v, n);
}

/* TP_PROTO(from_dev, to_dev, int sent, int drops, int err) */
SEC("raw_tp/xdp_devmap_xmit")
int sfc_trace_xmit(struct bpf_raw_tracepoint_args *ctx)
{
	int drops = (int)ctx->args[3];

	if (drops > 0 && sfc_trace_ours((const void *)ctx->args[0]))
		count_reason_n(SFC_R_XDP_XMIT_DROPPED, drops);
	return 0;
}

/* TP_PROTO(dev, xdp, tgt, int err, map_type, map_id, index) */
SEC("raw_tp/xdp_redirect_err")
int sfc_trace_redirect_err(struct bpf_raw_tracepoint_args *ctx)
{
	if (sfc_trace_ours((const void *)ctx->args[0]))
		count_reason_n(SFC_R_XDP_REDIRECT_ERR, 1);
	return 0;
}

#endif
