#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks SFs that keep the fabric's Ethernet addresses (no MAC of their
# own) at several positions and in several chains: the position travels
# in the source MAC the fabric writes (SFC_SF_POS_MAC).
#
#  - Chain "web" is s1 -> s2 -> s1 (tests/daemon/lib.sh: bridges that mark
#    DSCP): every datagram reaches dst once, through all three hops (DSCP
#    24), and s1 forwards each twice.
#  - rw, a netdev forwarder that rewrites UDP destination ports (5000 ->
#    6500, 5050 -> 6550), serves chains "c1" (rw -> s1) and "c2" (rw -> s2):
#    its rewritten packets match no flow, yet each continues its own chain
#    (dst sees port 6500 marked by s1 only, 6550 by s2 only).
#  - rw made to write a source MAC of its own: its rewritten packets name
#    no chain, and follow the policy (dropped, counted).
#  - Validation still refuses an SF with a MAC at two positions.
#
# Environment: COUNT=100, STEER (sfcd --steer; positions_xdp.sh: xdp).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

COUNT=${COUNT:-100}

# rw_build: namespace rw, veths frwa-eth0, frwb-eth1; what enters eth0
# is forwarded out of eth1, UDP ports 5000 and 5050 rewritten
rw_build() {
	ns_add rw && d_nosys6 rw || return
	RW=$(ns_name rw)
	ip -n "$FAB" link add name frwa type veth peer name eth0 netns "$RW" || return
	ip -n "$FAB" link add name frwb type veth peer name eth1 netns "$RW" || return
	ip -n "$RW" link set dev eth0 up && ip -n "$RW" link set dev eth1 up || return
	ip -n "$FAB" link set dev frwa up && ip -n "$FAB" link set dev frwb up || return
	ns_exec rw nft -f - <<-EOF
		table netdev rw {
			chain in {
				type filter hook ingress device "eth0" priority 0; policy accept;
				udp dport 5000 udp dport set 6500
				udp dport 5050 udp dport set 6550
				fwd to "eth1"
			}
		}
	EOF
}

state_json() {
	d_state_json drop | jq '
		.sfs += [{"name": "rw", "kind": "iface", "dev": "frwa", "out-dev": "frwb"}]
		| .chains = [{"name": "web", "spi": 100, "hops": [["s1"], ["s2"], ["s1"]],
			      "on-failure": "drop"},
			     {"name": "c1", "spi": 101, "hops": [["rw"], ["s1"]], "on-failure": "drop"},
			     {"name": "c2", "spi": 102, "hops": [["rw"], ["s2"]], "on-failure": "drop"}]
		| .rules = [
		    {"pref": 10, "in-dev": "fs0", "dst": "198.18.2.0/24", "proto": "udp",
		     "dport": "5100", "chain": "web"},
		    {"pref": 11, "in-dev": "fs0", "dst": "198.18.2.0/24", "proto": "udp",
		     "dport": "5000", "chain": "c1"},
		    {"pref": 12, "in-dev": "fs0", "dst": "198.18.2.0/24", "proto": "udp",
		     "dport": "5050", "chain": "c2"}]'
}

d_init
assert_do "topology" d_topo || assert_done
assert_do "rewriting SF rw" rw_build || assert_done
state_json >"$STATE"
assert_do "sfcd starts" d_sfcd_start ${STEER:+--steer "$STEER"} || assert_done
if [[ -n ${STEER:-} ]]; then
	assert_eq "s1's return steered as asked" "$STEER" "$(d_steer_of f1b)"
fi

# --- s1 at hops 1 and 3 of web
p0=$(d_sf_count 1 pkts)
r=$(d_probe web 5100 "$COUNT" 0.002)
assert_eq "web (s1, s2, s1): every datagram once, through all three hops" \
	"{\"received\":$COUNT,\"unique\":$COUNT,\"missing\":0,\"dscp\":{\"$DSCP_FULL\":$COUNT}}" \
	"$(jq -c '{received, unique, missing, dscp}' <<<"$r" 2>/dev/null)"
assert_eq "s1 forwarded each datagram twice" "$((2 * COUNT))" "$(($(d_sf_count 1 pkts) - p0))"
d_stats >"$T/a.st"
for h in 1 2 3; do
	assert_ge "web: hop $h forwarded every datagram" "$COUNT" "$(st_hop "$T/a.st" $h packets)"
done

# --- rw rewrites ports and serves two chains: each continues its own
d_recv_start c1 6500 "$COUNT" 1 || fail "c1: receiver" "did not start"
timeout 60 ip netns exec "$SRC" "$PY" "$PROBE" send "$DST4" 5000 "$COUNT" \
	--interval 0.002 --log "$T/c1.tx.log" >/dev/null
wait "$D_RECV_PID"
assert_eq "c1: rewritten to 6500, every datagram through s1 only" "{\"$DSCP_SF1\":$COUNT}" \
	"$(jq -c .dscp "$T/c1.rx.json" 2>/dev/null)"
d_recv_start c2 6550 "$COUNT" 1 || fail "c2: receiver" "did not start"
timeout 60 ip netns exec "$SRC" "$PY" "$PROBE" send "$DST4" 5050 "$COUNT" \
	--interval 0.002 --log "$T/c2.tx.log" >/dev/null
wait "$D_RECV_PID"
assert_eq "c2: rewritten to 6550, every datagram through s2 only" "{\"$DSCP_SF2\":$COUNT}" \
	"$(jq -c .dscp "$T/c2.rx.json" 2>/dev/null)"
d_stats >"$T/b.st"
assert_ge "each rewritten flow was adopted where its source MAC said" 2 \
	"$(st_reason "$T/b.st" sf-return-adopted-by-interface)"

# --- rw forgets the position: its frames get a source MAC of its own
ns_exec rw nft -f - <<-EOF || fail setup "rw: source MAC rewrite"
	flush chain netdev rw in
	table netdev rw {
		chain in {
			udp dport 5000 udp dport set 6500
			ether saddr set 02:00:00:00:77:01
			fwd to "eth1"
		}
	}
EOF
r=$(d_probe c1b 5000 20 0.005)
d_stats >"$T/c.st"
assert_eq "rw without the position MAC: nothing reaches dst" 0 \
	"$(jq -r '.received // "invalid"' <<<"$r" 2>/dev/null)"
# two chains, one position each: found by flow and interface as before,
# and a rewritten packet of no chain it can tell follows the policy
assert_ge "counted as sf-return-unknown-flow-drop" 20 \
	"$(delta "$(st_reason "$T/b.st" sf-return-unknown-flow-drop)" \
	"$(st_reason "$T/c.st" sf-return-unknown-flow-drop)")"

# --- an SF with a MAC at two positions: refused, with the reason
reply=$(d_api "$(state_json | jq -c '.sfs |= map(if .name == "s2" then .mac = "02:00:00:00:77:02" else . end)
	| .chains[0].hops = [["s2"], ["s1"], ["s2"]] | {"cmd": "apply", "doc": .}')")
assert_eq "an SF with a MAC at two positions is refused" false "$(jq -r .ok <<<"$reply")"
assert_ok "the error says why" grep -q "can serve only one position" <<<"$(jq -r .error <<<"$reply")"
assert_done
