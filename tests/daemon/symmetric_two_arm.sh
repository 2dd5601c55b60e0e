#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks symmetric chains through two-arm SFs, which the replies enter from
# their other side: the fabric sends a reply out of the SF's out-dev and
# takes it back on its dev.
#
#   src ── fs0 ┌────────────────── fab ──────────────────┐ fd0 ── dst
#              │ w1a w1b   w2a w2b   f1a f1b   f2a f2b    │
#              └──┼───┼─────┼───┼─────┼───┼─────┼───┼─────┘
#               eth0 eth1 eth0 eth1  eth0 eth1 eth0 eth1
#                  fw1       fw2        sf1       sf2
#               (routers: L3 SFs)    (lib.sh's bridges)
#
# Chain "fw" (TCP to dst ports 7000-7099): one hop, fw1 and fw2, each an
# L3 two-arm stateful firewall: "dev" wNa (its eth0), "out-dev" wNb (its
# eth1), "mac" eth0's MAC, "out-mac" eth1's MAC. It routes dst's network
# out of eth1 and src's out of eth0, and forwards only what conntrack lets
# through: a SYN from src entering on eth0, then its connection's packets,
# the client's from eth0 to eth1 and the server's from eth1 to eth0.
# Chain "web" (TCP to dst ports 8000-8099): s1 then s2, lib.sh's bridges
# (two-arm, no mac), which mark in the DSCP field what they forward between
# the host networks, replies included: CS3 once both were crossed.
# Only the forward direction has rules.
#  1. both chains symmetric: CONNS TCP echoes through the firewalls all
#     complete; both firewalls took some; each forwarded its connections'
#     replies from eth1 to eth0 and dropped nothing; fab took those
#     replies back on the firewall's dev (wNa's rx); the bridge echoes
#     complete, every reply reaches src marked CS3 and every forward
#     packet reaches dst marked CS3, no bridge counts a wrong mark, each
#     bridge took the replies in on eth1 (its out-dev side), none on eth0;
#  2. a symmetric document whose L3 two-arm SF has no "out-mac" is refused
#     by sfcctl apply -f, naming out-mac; the stored document is unchanged
#     and the firewall echoes still pass;
#  3. neither chain symmetric (the document without the key): replies go
#     straight to src, so each firewall sees a SYN and then the client's
#     ACK of a SYN-ACK it never saw, and drops it: the clients connect but
#     no echo comes back, the firewalls count drops and forward no reply,
#     fab takes nothing back on wNa; the bridge echoes complete, their
#     replies reach src unmarked;
#  4. symmetric again: everything of 1 passes again.
#
# Environment: CONNS=24 (at most 40), BCONNS=8 (bridge connections, at
# most 40), BYTES=16384, STEER (sfcd --steer; symmetric_two_arm_xdp.sh: xdp).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=${SFCCTL:-$SFC_BIN_DIR/sfcctl}
CONNS=${CONNS:-24}
BCONNS=${BCONNS:-8}
BYTES=${BYTES:-16384}
PORTS="7000-$((7000 + CONNS - 1))"
BPORTS="8000-$((8000 + BCONNS - 1))"
FW_COUNTERS=(new in0 in1 orig reply dropped)
DSCP_COUNTERS=(cs3 cs0 other rst)

ctl() { timeout 20 "$SFCCTL" -s "$SOCK" "$@"; }

# fw networks: fwN's eth0 198.18.N1.1/24, eth1 198.18.N2.1/24; fab .254
fw_net() { echo "198.18.$((10 * $1 + $2))"; }

# fw_build N: namespace fwN, eth0 <-> fab's wNa, eth1 <-> fab's wNb; it
# routes dst's network out of eth1 and src's out of eth0, each via fab,
# and forwards only what conntrack lets through, counting:
#   new: SYNs of new connections from src entering on eth0,
#   in0, in1: every packet it forwards or drops, by input interface,
#   orig / reply: packets of established connections in the client's
#   direction (eth0 -> eth1) / the server's (eth1 -> eth0),
#   dropped: anything else (a reply entering on eth0 among them).
fw_build() {
	local n=$1 ns a b
	a=$(fw_net "$n" 1) b=$(fw_net "$n" 2)
	ns_add "fw$n" && d_nosys6 "fw$n" || return
	ns=$(ns_name "fw$n")
	ns_sysctl "fw$n" net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 || return
	ip -n "$FAB" link add name "w${n}a" type veth peer name eth0 netns "$ns" || return
	ip -n "$FAB" link add name "w${n}b" type veth peer name eth1 netns "$ns" || return
	ip -n "$ns" addr add "$a.1/24" dev eth0 && ip -n "$ns" addr add "$b.1/24" dev eth1 || return
	addr_add fab "w${n}a" "$a.254/24" && addr_add fab "w${n}b" "$b.254/24" || return
	ip -n "$ns" link set dev eth0 up && ip -n "$ns" link set dev eth1 up || return
	ip -n "$FAB" link set dev "w${n}a" up && ip -n "$FAB" link set dev "w${n}b" up || return
	ip -n "$ns" route add "$NET_DST" via "$b.254" dev eth1 || return
	ip -n "$ns" route add "$NET_SRC" via "$a.254" dev eth0 || return
	ns_exec "fw$n" nft -f - <<-EOF || return
		table inet sfct {
			counter new {}
			counter in0 {}
			counter in1 {}
			counter orig {}
			counter reply {}
			counter dropped {}
			chain forward {
				type filter hook forward priority 0; policy drop;
				iifname "eth0" counter name in0
				iifname "eth1" counter name in1
				ct state established,related ct direction reply \
					iifname "eth1" oifname "eth0" counter name reply accept
				ct state established,related ct direction original \
					iifname "eth0" oifname "eth1" counter name orig accept
				ct state new tcp flags & (syn | ack | fin | rst) == syn \
					iifname "eth0" ip saddr $NET_SRC counter name new accept
				counter name dropped
			}
		}
	EOF
}

# A reset that a TCP stack sends for a segment no socket takes (a late
# duplicate ACK after the connection closed, as when a burst arrived out of
# order) carries that segment's DSCP, which Linux reflects, not the marks
# of the path it took: resets are counted apart from the DSCP marks.

# dscp_build ROLE SADDR DIR: in ROLE's namespace, count the TCP packets of
# the bridge echoes it receives from SADDR (DIR: sport or dport in
# 8000-8099) by DSCP: cs3, cs0, other; resets apart (rst)
dscp_build() {
	ns_exec "$1" nft -f - <<-EOF
		table inet sfct {
			counter cs3 {}
			counter cs0 {}
			counter other {}
			counter rst {}
			chain input {
				type filter hook input priority 0; policy accept;
				ip saddr $2 tcp $3 8000-8099 tcp flags rst counter name rst accept
				ip saddr $2 tcp $3 8000-8099 ip dscp cs3 counter name cs3 accept
				ip saddr $2 tcp $3 8000-8099 ip dscp cs0 counter name cs0 accept
				ip saddr $2 tcp $3 8000-8099 counter name other accept
			}
		}
	EOF
}

# side_build N: in bridge sfN, count the packets to src's network it
# forwards by input port: rin0 (from eth0, its dev side), rin1 (from eth1,
# its out-dev side); and, before sfN marks them, the packets between the
# host networks that come with a mark sfN does not expect, resets apart
# (wrong; lib.sh's "wrong" counts resets too)
side_build() {
	local other=cs1
	(($1 == 1)) && other=cs2
	ns_exec "sf$1" nft -f - <<-EOF
		table bridge side {
			counter rin0 {}
			counter rin1 {}
			counter wrong {}
			chain forward {
				type filter hook forward priority -10; policy accept;
				iifname "eth0" ip daddr $NET_SRC counter name rin0
				iifname "eth1" ip daddr $NET_SRC counter name rin1
				ip daddr { $NET_SRC, $NET_DST } tcp flags rst return
				ip daddr { $NET_SRC, $NET_DST } ip dscp != { cs0, $other } \
					counter name wrong
			}
		}
	EOF
}

# count ROLE FAMILY NAME [TABLE]: packets of nft counter NAME in ROLE's
# table TABLE (sfct)
count() {
	ns_exec "$1" nft -j list counter "$2" "${4:-sfct}" "$3" 2>/dev/null |
		jq -r '.nftables[] | select(.counter) | .counter.packets'
}

# fab_rx DEV: packets fab received on DEV
fab_rx() {
	ip -n "$FAB" -j -s link show dev "$1" 2>/dev/null | jq -r '.[0].stats64.rx.packets'
}

# snap FILE: every counter of the firewalls, of fab's wNa, of the bridges
# and of the DSCP counters at src and dst, "KEY VALUE" lines
snap() {
	local n c
	for n in 1 2; do
		for c in "${FW_COUNTERS[@]}"; do
			echo "fw$n.$c $(count "fw$n" inet "$c")"
		done
		echo "w${n}a.rx $(fab_rx "w${n}a")"
		for c in pkts wrong; do
			echo "sf$n.$c $(count "sf$n" bridge "$c")"
		done
		for c in rin0 rin1 wrong; do
			echo "sf$n.side.$c $(count "sf$n" bridge "$c" side)"
		done
	done
	for n in src dst; do
		for c in "${DSCP_COUNTERS[@]}"; do
			echo "$n.$c $(count "$n" inet "$c")"
		done
	done
}

# state_json on|off|no-out-mac: the document; both chains symmetric unless
# "off"; no-out-mac: fw2 without its out-mac
state_json() {
	local m1a m1b m2a m2b
	m1a=$(link_mac fw1 eth0) m1b=$(link_mac fw1 eth1)
	m2a=$(link_mac fw2 eth0) m2b=$(link_mac fw2 eth1)
	jq -n --arg m1a "$m1a" --arg m1b "$m1b" --arg m2a "$m2a" --arg m2b "$m2b" \
		--arg dst "$NET_DST" --arg mode "$1" '
		($mode != "off") as $sym
		| {"version": 1,
		 "ingress": [{"dev": "fs0"}, {"dev": "fd0"}],
		 "sfs": [{"name": "fw1", "kind": "iface", "dev": "w1a", "out-dev": "w1b",
			  "mac": $m1a, "out-mac": $m1b},
			 {"name": "fw2", "kind": "iface", "dev": "w2a", "out-dev": "w2b",
			  "mac": $m2a}
			 + (if $mode == "no-out-mac" then {} else {"out-mac": $m2b} end),
			 {"name": "s1", "kind": "iface", "dev": "f1a", "out-dev": "f1b"},
			 {"name": "s2", "kind": "iface", "dev": "f2a", "out-dev": "f2b"}],
		 "chains": [{"name": "fw", "spi": 100, "hops": [["fw1", "fw2"]],
			     "on-failure": "drop"}
			    + (if $sym then {"symmetric": true} else {} end),
			    {"name": "web", "spi": 200, "hops": [["s1"], ["s2"]],
			     "on-failure": "drop"}
			    + (if $sym then {"symmetric": true} else {} end)],
		 "rules": [{"pref": 10, "in-dev": "fs0", "dst": $dst, "proto": "tcp",
			    "dport": "7000-7099", "chain": "fw"},
			   {"pref": 20, "in-dev": "fs0", "dst": $dst, "proto": "tcp",
			    "dport": "8000-8099", "chain": "web"}]}'
}

# round NAME PORTS SPORT: a connection to each port of PORTS from source
# ports SPORT..., a server of their own; the client's summary in
# $T/NAME.json, the counters before and after in $T/NAME.c0 and $T/NAME.c1,
# sfcd's stats in $T/NAME.st0 and $T/NAME.st1
round() {
	local name=$1 ports=$2 sport=$3
	d_echo_start "$ports" || { fail "$name: echo server" "did not start"; return 1; }
	snap >"$T/$name.c0"
	d_stats >"$T/$name.st0"
	timeout 30 ip netns exec "$SRC" "$PY" "$TCP_ECHO" client "$DST4" "$ports" \
		--sport "$sport" --bytes "$BYTES" --timeout 3 >"$T/$name.json"
	d_echo_stop "$SRV_PID"
	# whatever a failed connection left in flight has been counted
	sleep 0.3
	snap >"$T/$name.c1"
	d_stats >"$T/$name.st1"
	echo "# $name: $(jq -c '{connected, ok}' "$T/$name.json" 2>/dev/null)," \
		"counters $(paste -d= <(cut -d' ' -f1 "$T/$name.c1") \
			<(paste -d- <(cut -d' ' -f2 "$T/$name.c1") <(cut -d' ' -f2 "$T/$name.c0")) |
			tr '\n' ' ')"
}

res() { jq -r "$2" "$T/$1.json" 2>/dev/null || echo invalid; }
# d NAME KEY: how much counter KEY rose during round NAME
d() {
	delta "$(awk -v k="$2" '$1 == k { print $2 }' "$T/$1.c0")" \
		"$(awk -v k="$2" '$1 == k { print $2 }' "$T/$1.c1")"
}
hop_delta() {
	delta "$(st_hop "$T/$1.st0" 1 "$2" fw)" "$(st_hop "$T/$1.st1" 1 "$2" fw)"
}

# fw_passes NAME: round NAME's connections all completed through the
# firewalls, each reply entering its firewall on eth1 and coming back to
# fab on the firewall's dev
fw_passes() {
	local name=$1 n sum=0 syn tot=0
	assert_eq "$name: every firewall echo came back intact" "$CONNS" "$(res "$name" .ok)"
	for n in 1 2; do
		syn=$(d "$name" "fw$n.new")
		tot=$((tot + syn))
		assert_gt "$name: fw$n took some connections" 0 "$syn"
		# at least a SYN-ACK and an echo per connection: in on eth1,
		# forwarded out of eth0, taken back by fab on wNa (the SF's dev)
		assert_ge "$name: fw$n took its connections' replies in on eth1" \
			"$((2 * syn))" "$(d "$name" "fw$n.in1")"
		assert_ge "$name: fw$n forwarded them from eth1 to eth0" \
			"$((2 * syn))" "$(d "$name" "fw$n.reply")"
		assert_ge "$name: fab took them back on fw$n's dev w${n}a" \
			"$((2 * syn))" "$(d "$name" "w${n}a.rx")"
		assert_eq "$name: fw$n dropped nothing (no reply at the wrong one or side)" 0 \
			"$(d "$name" "fw$n.dropped")"
		sum=$((sum + $(d "$name" "fw$n.in0") + $(d "$name" "fw$n.in1")))
	done
	assert_eq "$name: every SYN through one firewall, once" "$CONNS" "$tot"
	assert_ge "$name: the hop forwarded what the firewalls did, both ways" \
		"$sum" "$(hop_delta "$name" packets)"
	assert_eq "$name: the hop dropped nothing" 0 "$(hop_delta "$name" drops)"
}

# web_marked NAME DSCP: round NAME's bridge echoes all completed, every
# forward packet reached dst marked by both bridges, every reply reached
# src as DSCP says (cs3: both bridges, cs0: none), no bridge saw a wrong
# mark; with cs3, each bridge forwarded the replies from eth1 (its out-dev
# side) to eth0, none the other way
web_marked() {
	local name=$1 want=$2 n
	assert_eq "$name: every bridge echo came back intact" "$BCONNS" "$(res "$name" .ok)"
	assert_ge "$name: the forward packets reached dst marked CS3 (both bridges)" \
		"$((3 * BCONNS))" "$(d "$name" dst.cs3)"
	assert_eq "$name: no forward packet reached dst marked otherwise" 0 \
		"$(($(d "$name" dst.cs0) + $(d "$name" dst.other)))"
	assert_ge "$name: the replies reached src marked ${want^^}" \
		"$((2 * BCONNS))" "$(d "$name" "src.$want")"
	assert_eq "$name: no reply reached src marked otherwise" 0 \
		"$(($(d "$name" src.cs3) + $(d "$name" src.cs0) + $(d "$name" src.other) -
			$(d "$name" "src.$want")))"
	# resets, counted apart (see dscp_build)
	if (($(d "$name" src.rst) + $(d "$name" dst.rst))); then
		echo "# $name: resets (not counted by mark): to src $(d "$name" src.rst)," \
			"to dst $(d "$name" dst.rst)"
	fi
	for n in 1 2; do
		assert_eq "$name: sf$n saw no wrong mark" 0 "$(d "$name" "sf$n.side.wrong")"
		if [[ $want == cs3 ]]; then
			assert_ge "$name: sf$n took the replies in on eth1 (its out-dev side)" \
				"$((2 * BCONNS))" "$(d "$name" "sf$n.side.rin1")"
		else
			assert_eq "$name: sf$n took no reply in on eth1" 0 "$(d "$name" "sf$n.side.rin1")"
		fi
		assert_eq "$name: sf$n took no reply in on eth0" 0 "$(d "$name" "sf$n.side.rin0")"
	done
}

d_init
assert_do "topology" d_topo || assert_done
assert_do "firewall fw1" fw_build 1 || assert_done
assert_do "firewall fw2" fw_build 2 || assert_done
assert_do "reply sides in sf1" side_build 1 || assert_done
assert_do "reply sides in sf2" side_build 2 || assert_done
assert_do "DSCP counters at src" dscp_build src "$DST4" sport || assert_done
assert_do "DSCP counters at dst" dscp_build dst "$SRC4" dport || assert_done
# a server that reflected the client's DSCP would be counted wrong by sf2
ns_sysctl dst net.ipv4.tcp_reflect_tos=0 2>/dev/null
state_json on >"$T/doc-on.json"
state_json off >"$T/doc-off.json"
state_json no-out-mac >"$T/doc-no-out-mac.json"
# started without symmetric: the symmetric document comes by apply
cp "$T/doc-off.json" "$STATE"
assert_do "sfcd starts" d_sfcd_start ${STEER:+--steer "$STEER"} || assert_done
if [[ -n ${STEER:-} ]]; then
	for dev in fs0 fd0 w1a w1b w2a w2b f1a f1b f2a f2b; do
		assert_eq "$dev steered as asked" "$STEER" "$(d_steer_of "$dev")"
	done
fi
# neighbours resolved before counting: src, dst and the firewalls reach fab
assert_ok "ping src -> dst (not chained)" ip netns exec "$SRC" ping -c 1 -W 2 "$DST4"
for n in 1 2; do
	for l in 1 2; do
		assert_ok "ping fw$n -> fab on eth$((l - 1))" \
			ip netns exec "$(ns_name "fw$n")" ping -c 1 -W 2 "$(fw_net "$n" "$l").254"
	done
done

# --- 1. symmetric
assert_ok "symmetric switched on (sfcctl apply -f)" ctl apply -f "$T/doc-on.json"
assert_eq "the stored chains are symmetric" "true true" \
	"$(d_get | jq -r '[.chains[] | .symmetric // false] | map(tostring) | join(" ")')"
assert_eq "the stored fw2 has its out-mac" "$(link_mac fw2 eth1)" \
	"$(d_get | jq -r '.sfs[] | select(.name == "fw2") | ."out-mac"')"
round on "$PORTS" 41000
fw_passes on
round on-web "$BPORTS" 45000
web_marked on-web cs3

# --- 2. an L3 two-arm SF without out-mac: refused, nothing changes
d_get >"$T/doc-before.json"
msg=$(ctl apply -f "$T/doc-no-out-mac.json" 2>&1)
rc=$?
echo "# apply without out-mac: exit $rc: $msg"
assert_ne "apply without fw2's out-mac refused" 0 "$rc"
assert_eq "the refusal names out-mac and fw2" yes \
	"$([[ $msg == *out-mac* && $msg == *fw2* ]] && echo yes || echo "no: $msg")"
d_get >"$T/doc-after.json"
assert_ok "the stored document is unchanged" cmp "$T/doc-before.json" "$T/doc-after.json"
round kept "$PORTS" 42000
fw_passes kept

# --- 3. symmetric off
assert_ok "symmetric switched off (sfcctl apply -f)" ctl apply -f "$T/doc-off.json"
assert_eq "the stored chains are not symmetric" "false false" \
	"$(d_get | jq -r '[.chains[] | .symmetric // false] | map(tostring) | join(" ")')"
round off "$PORTS" 43000
assert_eq "off: the clients connected (SYN-ACKs came back unchained)" "$CONNS" \
	"$(res off .connected)"
assert_eq "off: no echo came back" 0 "$(res off .ok)"
assert_eq "off: every SYN through one firewall" "$CONNS" \
	"$(($(d off fw1.new) + $(d off fw2.new)))"
assert_ge "off: the firewalls dropped the clients' next packets" "$CONNS" \
	"$(($(d off fw1.dropped) + $(d off fw2.dropped)))"
assert_eq "off: no reply crossed a firewall" 0 "$(($(d off fw1.reply) + $(d off fw2.reply)))"
assert_eq "off: no firewall took a packet in on eth1" 0 "$(($(d off fw1.in1) + $(d off fw2.in1)))"
# ARP at most: far less than a reply per connection
assert_lt "off: fab took next to nothing back on w1a and w2a" "$CONNS" \
	"$(($(d off w1a.rx) + $(d off w2a.rx)))"
round off-web "$BPORTS" 46000
web_marked off-web cs0

# --- 4. symmetric again
assert_ok "symmetric switched on again" ctl apply -f "$T/doc-on.json"
round again "$PORTS" 44000
fw_passes again
round again-web "$BPORTS" 47000
web_marked again-web cs3
assert_done
