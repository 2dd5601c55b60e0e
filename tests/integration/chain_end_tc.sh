#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# chain_end.sh with the router SF's veth steered at tc (sfcd --steer tc, what
# auto does for a veth with a stack behind it): end xdp routes the packet
# from sfc_tc_ingress (FIB lookup from the original ingress, TTL or hop
# limit decremented, redirected to the egress), skipping the fabric's
# FORWARD chain; end stack goes through it; every fallback (unresolved
# neighbour, local destination, TTL 1, MTU) reaches the stack, counted by
# the same reasons as in XDP; end auto takes that fast end for established
# flows only (the conntrack stage on the skb path), and the stack end for
# new, NATed and ICMP flows and under a FORWARD drop rule. IPv4 and IPv6.
CHAIN_END_STEER=tc exec "$(dirname "$0")/chain_end.sh"
