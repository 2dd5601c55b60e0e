/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Numbered reasons for every packet the datapath drops or passes
 * unexpectedly. Counted per CPU in sfc_reasons (index = reason).
 * Numbers are ABI: never renumber, never reuse; append only.
 */
#ifndef SFC_REASONS_H
#define SFC_REASONS_H

#define SFC_REASONS(X)                                                         \
	X(SFC_R_NONE,              0, "none")                                   \
	/* malformed or truncated packets (passed to the stack, never chained) */ \
	X(SFC_R_TRUNC_ETH,         1, "truncated-ethernet")                     \
	X(SFC_R_TRUNC_VLAN,        2, "truncated-vlan")                         \
	X(SFC_R_TRUNC_IPV4,        3, "truncated-ipv4")                         \
	X(SFC_R_BAD_IPV4,          4, "bad-ipv4-header")                        \
	X(SFC_R_TRUNC_IPV6,        5, "truncated-ipv6")                         \
	X(SFC_R_TRUNC_IPV6_EXT,    6, "truncated-ipv6-ext")                     \
	X(SFC_R_IPV6_EXT_DEPTH,    7, "ipv6-ext-too-deep")                      \
	X(SFC_R_TRUNC_L4,          8, "truncated-l4")                           \
	/* chain processing */                                                  \
	X(SFC_R_NO_CHAIN,          9, "rule-to-missing-chain")                  \
	X(SFC_R_NO_PATH,          10, "missing-path")                           \
	X(SFC_R_NO_HOP,           11, "missing-hop")                            \
	X(SFC_R_NO_SF,            12, "missing-sf")                             \
	X(SFC_R_HOP_DOWN,         13, "hop-down-drop")                          \
	X(SFC_R_HOP_BYPASSED,     14, "hop-down-bypass")                        \
	X(SFC_R_REDIRECT_FAILED,  15, "redirect-failed")                        \
	X(SFC_R_PROXY_MISS,       16, "sf-return-unknown-flow")                 \
	X(SFC_R_NO_POSITION,      17, "sf-return-unknown-position")             \
	X(SFC_R_META_FAILED,      18, "xdp-meta-failed")                        \
	X(SFC_R_TOO_MANY_HOPS,    19, "too-many-hops")                          \
	X(SFC_R_MISSED_TAIL_CALL, 20, "missed-tail-call")                       \
	X(SFC_R_TC_PULL_FAILED,   21, "tc-pull-failed")                         \
	/* 22: retired */                                                       \
	X(SFC_R_LINK_CONTROL,     23, "link-control-not-chained")               \
	X(SFC_R_FLOW_CACHE_FULL,  24, "flow-cache-update-failed")               \
	/* 25, 26: retired */                                                   \
	X(SFC_R_CSUM_PARTIAL_TC,  27, "checksum-offload-sent-via-tc")           \
	/* handoff metadata and redirects (28..39) */                           \
	X(SFC_R_META_FOREIGN,     28, "xdp-meta-foreign-discarded")             \
	X(SFC_R_META_FORGED,      29, "tc-meta-forged")                         \
	X(SFC_R_POS_MISMATCH,     30, "sf-return-position-mismatch")            \
	X(SFC_R_TC_REDIRECT_FAILED, 31, "tc-redirect-failed")                   \
	X(SFC_R_META_BAD_ACTION,  32, "tc-meta-unknown-action")                 \
	X(SFC_R_REDIRECT_TARGET_GONE, 33, "redirect-target-unknown")            \
	X(SFC_R_META_NO_KEY,      34, "xdp-meta-key-unset")                     \
	X(SFC_R_XDP_XMIT_DROPPED, 35, "xdp-redirect-not-sent")                  \
	X(SFC_R_XDP_REDIRECT_ERR, 36, "xdp-redirect-error")                     \
	/* not a drop: a trace event the ring buffer had no room for (37) */    \
	X(SFC_R_MONITOR_LOST,     37, "monitor-event-lost")                     \
	/* chain end xdp/auto: handed to the stack end instead (never dropped) */ \
	X(SFC_R_END_LOCAL,        40, "end-xdp-local-destination")             \
	X(SFC_R_END_NO_NEIGH,     41, "end-xdp-neighbour-unresolved")          \
	X(SFC_R_END_FRAG_NEEDED,  42, "end-xdp-mtu")                           \
	X(SFC_R_END_VLAN,         43, "end-xdp-vlan-tagged")                   \
	X(SFC_R_END_TTL,          44, "end-xdp-ttl-expiring")                  \
	X(SFC_R_END_EGRESS_NO_XDP, 45, "end-xdp-egress-not-xdp")               \
	X(SFC_R_END_FIB_ERROR,    46, "end-xdp-fib-error")                     \
	X(SFC_R_END_CSUM_PARTIAL, 47, "end-xdp-checksum-offload")              \
	X(SFC_R_END_LOCAL_SENT,   48, "end-xdp-locally-sent")                  \
	X(SFC_R_END_NOT_ESTABLISHED, 49, "end-auto-not-established")           \
	X(SFC_R_END_CT_NAT,       50, "end-auto-nat-or-helper")                \
	X(SFC_R_END_NO_CT,        51, "end-auto-no-conntrack")                 \
	/* back from an SF without proxy state (52, 53) */                      \
	X(SFC_R_PROXY_ADOPTED,    52, "sf-return-adopted-by-interface")        \
	X(SFC_R_PROXY_MISS_DROP,  53, "sf-return-unknown-flow-drop")         \
	/* not a drop: the flow's instance was down, another one took it (54) */ \
	X(SFC_R_HOP_INSTANCE_FALLBACK, 54, "hop-instance-down-fallback")    \
	/* not a drop: back on an SF interface newer than the flow's version,  \
	 * the flow moved to the chain's current version (55) */               \
	X(SFC_R_POS_MOVED,        55, "sf-return-moved-to-current-version") \
	/* not a drop: an SF's answer to sfcd's health probe, addressed to  \
	 * SFC_PROBE_MAC, goes to the stack for sfcd (56) */                \
	X(SFC_R_HEALTH_PROBE_REPLY, 56, "sf-health-probe-answer") \
	/* not a drop: a tap hop made no copy, its instance down or another \
	 * tap's copy already due before the next SF (57) */                 \
	X(SFC_R_TAP_SKIPPED,      57, "tap-skipped")                        \
	X(SFC_R_TAP_COPY_FAILED,  58, "tap-copy-failed")                    \
	/* back from an SF of several positions of a chain without a source \
	 * MAC naming one of them (59) */                                    \
	X(SFC_R_POS_MAC_MISSING,  59, "sf-return-without-position-mac")

enum sfc_reason {
#define SFC_REASON_ENUM(sym, num, name) sym = num,
	SFC_REASONS(SFC_REASON_ENUM)
#undef SFC_REASON_ENUM
	SFC_R_MAX = 64, /* size of sfc_reasons; room to append */
	SFC_R_MAX_V2 = 32, /* its size up to SFC_ABI_VERSION 2 (converted) */
};

#endif
