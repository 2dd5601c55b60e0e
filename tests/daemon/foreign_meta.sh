#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that an SF cannot steer the fabric through the XDP metadata area:
# SF s1 runs an XDP program on its eth0 that, for the chained UDP it
# receives (port 5000), writes sfc's handoff metadata (magic, "send out
# of", the ifindex of fab's fd0 and a guessed key), moves the datagram to
# port 7000, sets its TTL to 1 and sends it back to fab. Were the
# metadata trusted, sfc_tc_ingress would redirect it out of fd0 straight
# to dst (and no TTL 1 packet can be routed there); it must not arrive,
# and sfcd counts a reason.
#
#   native:  s1 bounces with XDP_TX; fab's f1a runs sfc_xdp natively, which
#            discards the metadata at entry (xdp-meta-foreign-discarded)
#   generic: fab's f1a runs sfc_xdp in generic mode (it cannot see the
#            metadata of a frame a veth turned into an skb); s1 redirects
#            the frame into its own eth0 (XDP_REDIRECT, f1a has GRO for
#            the NAPI this needs); sfc_tc_ingress finds the magic without
#            the key and drops it (tc-meta-forged)
# sfcd runs with --steer xdp: under auto (the default) fab's SF veths,
# with a stack behind them, are steered at tc and run no sfc_xdp.
# Topology: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

N=20
FORGED_PORT=7000

# build_forger IFINDEX_TARGET IFINDEX_SELF MODE(tx|redirect) OUT
build_forger() {
	cat >"$T/forger.c" <<-'EOF'
	#include <linux/bpf.h>
	#include <linux/if_ether.h>
	#include <linux/ip.h>
	#include <linux/udp.h>
	#include <linux/in.h>
	#include <bpf/bpf_helpers.h>
	#include <bpf/bpf_endian.h>

	struct forged { __u16 magic, action; __u32 ifindex; __u64 key; };

	SEC("xdp")
	int forger(struct xdp_md *ctx)
	{
		void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
		struct ethhdr *eth = data;
		struct iphdr *ip = (void *)(eth + 1);
		struct udphdr *udp = (void *)(ip + 1);
		struct forged *m;
		__u8 mac[ETH_ALEN];
		__u32 csum;

		if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
		    ip->ihl != 5 || ip->protocol != IPPROTO_UDP ||
		    udp->dest != bpf_htons(5000))
			return XDP_PASS;
		udp->dest = bpf_htons(FORGED_PORT);
		udp->check = 0;
		/* TTL 64 -> 1: fab's stack could not route it on */
		csum = (__u16)~bpf_ntohs(ip->check) + (__u16)~((__u16)ip->ttl << 8) + (1 << 8);
		ip->ttl = 1;
		csum = (csum & 0xffff) + (csum >> 16);
		csum = (csum & 0xffff) + (csum >> 16);
		ip->check = bpf_htons(~csum);
		__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
		__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
		if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
			return XDP_DROP;
		m = (void *)(long)ctx->data_meta;
		if ((void *)(m + 1) > (void *)(long)ctx->data)
			return XDP_DROP;
		m->magic = 0x5fc0;
		m->action = 2;
		m->ifindex = TARGET;
		m->key = 0x5fc05fc05fc05fc0ull;
	#ifdef REDIRECT
		return bpf_redirect(SELF, 0);
	#else
		return XDP_TX;
	#endif
	}
	char LICENSE[] SEC("license") = "GPL";
	EOF
	local mode=()
	[[ $3 == redirect ]] && mode=(-DREDIRECT)
	clang -O2 -g -target bpf -I"/usr/include/$(gcc -print-multiarch)" \
		-DTARGET="$1" -DSELF="$2" -DFORGED_PORT="$FORGED_PORT" "${mode[@]}" \
		-c "$T/forger.c" -o "$4"
}

# dst counts what reaches its eth0 for the forged port, whatever the MAC
dst_counter() {
	ns_exec dst nft -f - <<-EOF
		table netdev sfct {
			counter forged {}
			chain in {
				type filter hook ingress device eth0 priority 0; policy accept;
				udp dport $FORGED_PORT counter name forged
			}
		}
	EOF
}
dst_forged() {
	ns_exec dst nft -j list counter netdev sfct forged 2>/dev/null |
		jq -r '.nftables[] | select(.counter) | .counter.packets'
}

# send N chained datagrams from src; they reach s1 and come back forged
send_chained() {
	timeout 30 ip netns exec "$SRC" "$PY" "$PROBE" send "$DST4" "$CHAINED_PORT" "$N" \
		--interval 0.01 --log "$T/$1.tx.log" >/dev/null
}

# xdp_mode DEV: ip's XDP mode number on DEV in fab (1 native, 2 generic)
xdp_mode() { ip -n "$FAB" -j -d link show dev "$1" | jq -r '.[0].xdp.mode // "none"'; }

d_init
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts (--steer xdp: SF veths steered in XDP)" d_sfcd_start --steer xdp || assert_done
assert_do "dst counts forged datagrams" dst_counter || assert_done
fd0=$(ip -n "$FAB" -j link show dev fd0 | jq -r '.[0].ifindex')
self=$(ip -n "$(ns_name sf1)" -j link show dev eth0 | jq -r '.[0].ifindex')
assert_do "forger (XDP_TX) builds" build_forger "$fd0" "$self" tx "$T/tx.o" || assert_done
assert_do "forger (redirect) builds" build_forger "$fd0" "$self" redirect "$T/redir.o" || assert_done

# --- native: sfc_xdp sees the metadata and discards it
assert_eq "f1a runs sfc_xdp natively" 1 "$(xdp_mode f1a)"
assert_do "s1's eth0 runs the forger (XDP_TX)" \
	ip -force -n "$(ns_name sf1)" link set dev eth0 xdpdrv obj "$T/tx.o" sec xdp || assert_done
d_stats >"$T/a.json"
send_chained native
sleep 0.5
d_stats >"$T/b.json"
assert_eq "native: forged datagrams redirected to dst" 0 "$(dst_forged)"
assert_ge "native: xdp-meta-foreign-discarded counted" "$N" \
	"$(delta "$(st_reason "$T/a.json" xdp-meta-foreign-discarded)" \
		"$(st_reason "$T/b.json" xdp-meta-foreign-discarded)")"

# --- generic: only the key stops it
ip -n "$FAB" link set dev f1a xdp off
assert_do "sfc_xdp on f1a replaced by its generic-mode attachment" \
	ns_exec_host_mounts fab ip link set dev f1a xdpgeneric pinned "$PIN/prog_sfc_xdp" ||
	assert_done
assert_do "f1a has GRO (NAPI for frames redirected into it)" \
	ns_exec fab ethtool -K f1a gro on || assert_done
assert_eq "f1a runs sfc_xdp in generic mode" 2 "$(xdp_mode f1a)"
assert_do "s1's eth0 runs the forger (redirect)" \
	ip -force -n "$(ns_name sf1)" link set dev eth0 xdpdrv obj "$T/redir.o" sec xdp || assert_done
d_stats >"$T/c.json"
send_chained generic
sleep 0.5
d_stats >"$T/d.json"
assert_eq "generic: forged datagrams redirected to dst" 0 "$(dst_forged)"
assert_int_eq "generic: tc-meta-forged counted" "$N" \
	"$(delta "$(st_reason "$T/c.json" tc-meta-forged)" "$(st_reason "$T/d.json" tc-meta-forged)")"
assert_done
