#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks symmetric chains with stateful SFs: chain "fw" has one hop of two
# one-arm firewalls, fw1 and fw2 (each a routing namespace; nftables with
# conntrack, policy drop: new connections only as a SYN from the src side,
# then established ones both ways). Only the forward direction has a rule
# (TCP from fs0 to dst ports 7000-7099); the replies enter at fd0, an
# ingress point with no rule.
#  1. "symmetric": true: CONNS TCP connections, each an echo of BYTES
#     checked at the client, all complete; both firewalls took some (their
#     accepted SYNs sum to CONNS: the spread is fixed, ports and addresses
#     are); the replies crossed the firewall that saw their SYN (its reply
#     counter rose, and no firewall dropped anything: a SYN-ACK at the
#     other one would be); the hop forwarded both directions;
#  2. connections opened while symmetric keep passing once it is switched
#     off (HELD of them, half their echo before the switch, half after):
#     their flows keep the version they started on, and its replies the
#     reply version;
#  3. symmetric off (the document without it, sfcctl apply -f): replies go
#     straight to src, so each firewall sees a SYN and then the client's
#     ACK of a SYN-ACK it never saw, and drops it: the clients connect but
#     no echo comes back, the firewalls count drops and no reply;
#  4. symmetric on again: new connections pass again, nothing dropped.
#
# Environment: CONNS=24 (at most 40), BYTES=16384, STEER (sfcd --steer;
# symmetric_xdp.sh: xdp).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=${SFCCTL:-$SFC_BIN_DIR/sfcctl}
CONNS=${CONNS:-24}
BYTES=${BYTES:-16384}
HELD=4
PORTS="7000-$((7000 + CONNS - 1))"
HELD_PORTS="7050-$((7050 + HELD - 1))"
FW_COUNTERS=(new orig reply dropped)

ctl() { timeout 20 "$SFCCTL" -s "$SOCK" "$@"; }

# fw_build N: namespace fwN, one arm eth0 <-> fab's fNa, 198.18.(N+2).1/24
# and fab 198.18.(N+2).254 on fNa; it routes everything back to fab, and
# forwards only what conntrack lets through, counting:
#   new: SYNs of new connections from src, orig / reply: packets of
#   established connections in the client's / the server's direction,
#   dropped: anything else.
fw_build() {
	local n=$1 ns net=$(($1 + 2))
	ns_add "fw$n" && d_nosys6 "fw$n" || return
	ns=$(ns_name "fw$n")
	ns_sysctl "fw$n" net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 || return
	ip -n "$FAB" link add name "f${n}a" type veth peer name eth0 netns "$ns" || return
	ip -n "$ns" link set dev eth0 up && ip -n "$FAB" link set dev "f${n}a" up || return
	ip -n "$ns" addr add "198.18.$net.1/24" dev eth0 || return
	addr_add fab "f${n}a" "198.18.$net.254/24" || return
	ip -n "$ns" route add default via "198.18.$net.254" || return
	ns_exec "fw$n" nft -f - <<-EOF || return
		table inet sfct {
			counter new {}
			counter orig {}
			counter reply {}
			counter dropped {}
			chain forward {
				type filter hook forward priority 0; policy drop;
				ct state established,related ct direction reply counter name reply accept
				ct state established,related counter name orig accept
				ct state new tcp flags & (syn | ack | fin | rst) == syn \
					ip saddr $NET_SRC counter name new accept
				counter name dropped
			}
		}
	EOF
}

# fw_count N NAME: packets of counter NAME of fwN
fw_count() {
	ns_exec "fw$1" nft -j list counter inet sfct "$2" 2>/dev/null |
		jq -r '.nftables[] | select(.counter) | .counter.packets'
}

# fw_snap FILE: every counter of both firewalls, "fwN.NAME VALUE" lines
fw_snap() {
	local n c
	for n in 1 2; do
		for c in "${FW_COUNTERS[@]}"; do
			echo "fw$n.$c $(fw_count "$n" "$c")"
		done
	done >"$1"
}

# fw_delta A B N NAME: how much counter NAME of fwN rose from snapshot A to B
fw_delta() {
	delta "$(awk -v k="fw$3.$4" '$1 == k { print $2 }' "$1")" \
		"$(awk -v k="fw$3.$4" '$1 == k { print $2 }' "$2")"
}

# state_json on|off: the document, chain fw symmetric or not
state_json() {
	local m1 m2
	m1=$(link_mac fw1 eth0) m2=$(link_mac fw2 eth0)
	jq -n --arg m1 "$m1" --arg m2 "$m2" --arg dst "$NET_DST" --arg sym "$1" '
		{"version": 1,
		 "ingress": [{"dev": "fs0"}, {"dev": "fd0"}],
		 "sfs": [{"name": "fw1", "kind": "iface", "dev": "f1a", "mac": $m1},
			 {"name": "fw2", "kind": "iface", "dev": "f2a", "mac": $m2}],
		 "chains": [{"name": "fw", "spi": 100, "hops": [["fw1", "fw2"]],
			     "on-failure": "drop"}
			    + (if $sym == "on" then {"symmetric": true} else {} end)],
		 "rules": [{"pref": 10, "in-dev": "fs0", "dst": $dst, "proto": "tcp",
			    "dport": "7000-7099", "chain": "fw"}]}'
}

# round NAME SPORT: CONNS connections to PORTS from source ports SPORT...,
# a server of their own; the client's summary in $T/NAME.json, the
# firewalls' counters before and after in $T/NAME.fw0 and $T/NAME.fw1,
# sfcd's stats in $T/NAME.st0 and $T/NAME.st1
round() {
	local name=$1 sport=$2
	d_echo_start "$PORTS" || { fail "$name: echo server" "did not start"; return 1; }
	fw_snap "$T/$name.fw0"
	d_stats >"$T/$name.st0"
	timeout 30 ip netns exec "$SRC" "$PY" "$TCP_ECHO" client "$DST4" "$PORTS" \
		--sport "$sport" --bytes "$BYTES" --timeout 3 >"$T/$name.json"
	d_echo_stop "$SRV_PID"
	# whatever a failed connection left in flight has been counted
	sleep 0.3
	fw_snap "$T/$name.fw1"
	d_stats >"$T/$name.st1"
	echo "# $name: $(jq -c '{connected, ok}' "$T/$name.json" 2>/dev/null)," \
		"counters $(tr '\n' ' ' <"$T/$name.fw1")"
}

res() { jq -r "$2" "$T/$1.json" 2>/dev/null || echo invalid; }
fwd() { fw_delta "$T/$1.fw0" "$T/$1.fw1" "$2" "$3"; }
hop_delta() {
	delta "$(st_hop "$T/$1.st0" 1 "$2" fw)" "$(st_hop "$T/$1.st1" 1 "$2" fw)"
}

# passes NAME: round NAME's connections all completed through the
# firewalls, replies included
passes() {
	local name=$1 n1 n2 r1 r2 fw_pkts n
	assert_eq "$name: every connection's echo came back intact" "$CONNS" "$(res "$name" .ok)"
	n1=$(fwd "$name" 1 new) n2=$(fwd "$name" 2 new)
	echo "# $name: SYNs through fw1 $n1, fw2 $n2"
	assert_gt "$name: fw1 took some connections" 0 "$n1"
	assert_gt "$name: fw2 took some connections" 0 "$n2"
	assert_eq "$name: every SYN through one firewall, once" "$CONNS" "$((n1 + n2))"
	r1=$(fwd "$name" 1 reply) r2=$(fwd "$name" 2 reply)
	# at least a SYN-ACK and an echo per connection
	assert_ge "$name: fw1 forwarded its connections' replies" "$((2 * n1))" "$r1"
	assert_ge "$name: fw2 forwarded its connections' replies" "$((2 * n2))" "$r2"
	for n in 1 2; do
		assert_eq "$name: fw$n dropped nothing (no reply at the wrong one)" 0 \
			"$(fwd "$name" "$n" dropped)"
	done
	fw_pkts=0
	for n in 1 2; do
		for c in "${FW_COUNTERS[@]}"; do
			fw_pkts=$((fw_pkts + $(fwd "$name" "$n" "$c")))
		done
	done
	assert_ge "$name: the hop forwarded what the firewalls did, both ways" \
		"$fw_pkts" "$(hop_delta "$name" packets)"
	assert_gt "$name: the hop forwarded more than 4 packets a connection" \
		"$((4 * CONNS))" "$(hop_delta "$name" packets)"
	assert_eq "$name: the hop dropped nothing" 0 "$(hop_delta "$name" drops)"
}

d_init
assert_do "topology" d_topo nosf || assert_done
assert_do "firewall fw1" fw_build 1 || assert_done
assert_do "firewall fw2" fw_build 2 || assert_done
state_json on >"$T/doc-on.json"
state_json off >"$T/doc-off.json"
cp "$T/doc-on.json" "$STATE"
assert_do "sfcd starts" d_sfcd_start ${STEER:+--steer "$STEER"} || assert_done
if [[ -n ${STEER:-} ]]; then
	for dev in fs0 fd0 f1a f2a; do
		assert_eq "$dev steered as asked" "$STEER" "$(d_steer_of "$dev")"
	done
fi
assert_eq "the stored chain is symmetric" true \
	"$(ctl -j dump | jq -r '.chains[0].symmetric' 2>/dev/null)"
# neighbours resolved before counting: src, dst and the firewalls reach fab
assert_ok "ping src -> dst (not chained)" ip netns exec "$SRC" ping -c 1 -W 2 "$DST4"
for n in 1 2; do
	assert_ok "ping fw$n -> fab" ip netns exec "$(ns_name "fw$n")" ping -c 1 -W 2 \
		"198.18.$((n + 2)).254"
done

# --- 1. symmetric
round on 41000
passes on

# --- 2. connections held across the switch, 3. symmetric off
d_echo_start "$HELD_PORTS" || fail "held: echo server" "did not start"
held_srv=$SRV_PID
rm -f "$T/held.go" "$T/held.half"
bg_run timeout 60 ip netns exec "$SRC" "$PY" "$TCP_ECHO" client "$DST4" "$HELD_PORTS" \
	--sport 44000 --bytes "$BYTES" --timeout 3 --hold-file "$T/held.go" \
	--held-file "$T/held.half" --hold-max 40 >"$T/held.json"
held_pid=$BG_PID
assert_do "held connections: first half echoed while symmetric" \
	wait_until 10 test -e "$T/held.half"

assert_ok "symmetric switched off (sfcctl apply -f)" ctl apply -f "$T/doc-off.json"
assert_eq "the stored chain is not symmetric" false \
	"$(ctl -j dump | jq -r '.chains[0].symmetric // false' 2>/dev/null)"
round off 42000
assert_eq "off: the clients connected (SYN-ACKs came back unchained)" "$CONNS" \
	"$(res off .connected)"
assert_eq "off: no echo came back" 0 "$(res off .ok)"
assert_eq "off: every SYN through one firewall" "$CONNS" \
	"$(($(fwd off 1 new) + $(fwd off 2 new)))"
assert_ge "off: the firewalls dropped the clients' next packets" "$CONNS" \
	"$(($(fwd off 1 dropped) + $(fwd off 2 dropped)))"
assert_eq "off: no reply crossed a firewall" 0 "$(($(fwd off 1 reply) + $(fwd off 2 reply)))"

touch "$T/held.go"
wait "$held_pid"
d_echo_stop "$held_srv"
assert_eq "held connections: the second half echoed after the switch" \
	"{\"conns\":$HELD,\"ok\":$HELD}" "$(jq -c '{conns, ok}' "$T/held.json" 2>/dev/null)"
jq -e '.failed | length > 0' "$T/held.json" >/dev/null 2>&1 &&
	echo "# held: $(jq -c .failed "$T/held.json")"

# --- 4. symmetric again
assert_ok "symmetric switched on again" ctl apply -f "$T/doc-on.json"
round again 43000
passes again
assert_done
