#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that link events are applied incrementally (health: link_updates
# moves, reconciles does not) and correctly, under a steady numbered UDP
# probe through chain web (s1 -> s2, tests/daemon/lib.sh):
# - s2's veth set down and up with on-failure bypass: datagrams keep
#   arriving (through s1 only while s2 is down), at most LOSS_MAX lost;
#   sfcd reports s2 down, then up;
# - s1's veth set down and up with on-failure drop: nothing chained is
#   delivered while it is down, everything crosses both SFs again after;
# - s1's return veth deleted and created again (new ifindex): traffic
#   crosses both SFs again and sfc_ifaces holds as many interfaces as
#   before (the old ifindex was forgotten);
# - s2's veth vanishes, then reappears: bypass through s1 meanwhile, both
#   SFs again after;
# - an ingress point added to the document before its interface exists is
#   attached when the interface appears (XDP program on it);
# - a link going down while a large apply (RULES rules) is being handled is
#   in the maps when the apply is done (its own reading of the links does
#   not undo the event); how long it took is printed, not asserted.
#
# Environment: LOSS_MAX=10 (datagrams), PROBE_IV=0.005, RULES=50000.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

LOSS_MAX=${LOSS_MAX:-10}
IV=${PROBE_IV:-0.005}
RULES=${RULES:-50000}

health() { d_api '{"cmd":"health"}' | jq -r ".$1" 2>/dev/null; }
ifaces_n() { bpftool -j map dump pinned "$PIN/sfc_ifaces" 2>/dev/null | jq length; }
sf_up() { d_stats >"$T/up.st"; st_sf "$T/up.st" "$1" up; }

# wait_sf SF true|false: until sfcd's maps say so (5 s at most)
wait_sf() { wait_until 5 eval "[[ \$(sf_up $1) == $2 ]]"; }

# flap NAME ACTION-DOWN ACTION-UP: probe for the whole flap; sets $T/NAME.rx.json
flap() {
	local name=$1
	d_recv_start "$name" "$CHAINED_PORT" 100000 1.5 || return 1
	d_send_bg "$name" "$CHAINED_PORT" 100000 "$IV"
	sleep 0.3
	eval "$2"
	sleep 0.4
	d_stats >"$T/$name.during.st"
	eval "$3"
	sleep 0.5
	d_send_stop "$name"
	wait "$D_RECV_PID"
}

chained_ok() {	# LABEL: 20 datagrams, all through both SFs
	local r
	r=$(d_probe "ok-$RANDOM" "$CHAINED_PORT" 20 0.005)
	assert_eq "$1: 20 datagrams through both SFs" "{\"$DSCP_FULL\":20}" \
		"$(jq -c .dscp <<<"$r" 2>/dev/null)"
}

set_policy() {
	local r
	r=$(d_api "{\"cmd\":\"chain-set\",\"chain\":{\"name\":\"web\",\"on-failure\":\"$1\"}}")
	assert_eq "chain-set on-failure $1" true "$(jq -r .ok <<<"$r" 2>/dev/null)"
}

d_init
assert_do "topology" d_topo || assert_done
d_state_json bypass >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
chained_ok "start"
rec0=$(health reconciles) lu0=$(health link_updates)
assert_ge "health has link_updates" 0 "$lu0"
ifn0=$(ifaces_n)

# --- bypass: s2 down and up
flap bypass "ip -n $FAB link set dev f2a down" "ip -n $FAB link set dev f2a up"
r=$T/bypass.rx.json sent=$(d_sent bypass)
assert_eq "bypass: sfcd reported s2 down while f2a was down" false \
	"$(st_sf "$T/bypass.during.st" s2 up)"
assert_gt "bypass: some datagrams went through s1 only" 0 "$(rx "$r" ".dscp[\"$DSCP_SF1\"] // 0")"
assert_le "bypass: at most $LOSS_MAX of $sent datagrams lost" "$LOSS_MAX" \
	"$((sent - $(rx "$r" .received)))"
assert_eq "bypass: s2 up again" true "$(sf_up s2)"
chained_ok "bypass: after"

# --- drop: s1 down and up
set_policy drop
flap drop "ip -n $FAB link set dev f1a down" "ip -n $FAB link set dev f1a up"
r=$T/drop.rx.json
assert_eq "drop: sfcd reported s1 down while f1a was down" false \
	"$(st_sf "$T/drop.during.st" s1 up)"
assert_eq "drop: nothing arrived through s2 alone" 0 "$(rx "$r" ".dscp[\"$DSCP_SF2\"] // 0")"
assert_lt "drop: datagrams were dropped while s1 was down" "$(d_sent drop)" "$(rx "$r" .received)"
assert_eq "drop: s1 up again" true "$(sf_up s1)"
chained_ok "drop: after"

# --- ifindex change of s1's return interface
old=$(ip -n "$FAB" -j link show dev f1b | jq '.[0].ifindex')
ip -n "$FAB" link del f1b
assert_do "s1's return veth f1b created again" d_sf_link_add 1 b eth1
new=$(ip -n "$FAB" -j link show dev f1b | jq '.[0].ifindex')
assert_ne "f1b has a new ifindex" "$old" "$new"
wait_sf s1 true
chained_ok "f1b with a new ifindex"
assert_eq "sfc_ifaces holds as many interfaces as before (old ifindex forgotten)" "$ifn0" \
	"$(ifaces_n)"

# --- s2 vanishes and reappears, bypass
set_policy bypass
ip -n "$FAB" link del f2a
wait_sf s2 false
r=$(d_probe gone "$CHAINED_PORT" 20 0.005)
assert_eq "f2a gone: 20 datagrams through s1 only" "{\"$DSCP_SF1\":20}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"
assert_do "s2's veth f2a created again" d_sf_link_add 2 a eth0
wait_sf s2 true
chained_ok "f2a back"

# --- an ingress point that appears later
r=$(d_api '{"cmd":"ingress-add","dev":"fx0"}')
assert_eq "ingress-add fx0 (no such interface yet)" true "$(jq -r .ok <<<"$r" 2>/dev/null)"
veth_add fab fx0 dst fx1
ip -n "$FAB" link set dev fx0 up
wait_until 5 eval '[[ $(d_steer_of fx0) == tc ]]'
assert_eq "fx0 steered by sfc when it appeared (at tc: dst's stack behind it)" tc \
	"$(d_steer_of fx0)"
assert_ne "fx0 has sfc's tc program" 0 "$(d_tc_id fx0)"
assert_eq "sfc_ifaces has one interface more" "$((ifn0 + 1))" "$(ifaces_n)"

lu1=$(health link_updates)
assert_gt "link_updates counted the events" "$lu0" "$lu1"
assert_eq "no full reconcile for any of them" "$rec0" "$(health reconciles)"

# --- a link event during a large apply
d_api '{"cmd":"get"}' | jq -c --argjson n "$RULES" '.doc | .rules += [range($n) |
	{"pref": (1000 + .), "in-dev": "fs0", "dst": "198.19.\(. / 256 | floor).\(. % 256)/32",
	 "proto": "udp", "chain": "web"}] | {"cmd": "apply", "doc": .}' >"$T/big.req"
(timeout 120 socat -t 120 - "UNIX-CONNECT:$SOCK" <"$T/big.req" >"$T/big.rep"; date +%s%N >"$T/big.done") &
apid=$!
sleep 0.3
t_down=$(date +%s%N)
ip -n "$FAB" link set dev f2a down
wait_sf s2 false
t_seen=$(date +%s%N)
wait "$apid"
assert_eq "the large apply ($RULES rules) succeeded" true "$(jq -r .ok "$T/big.rep" 2>/dev/null)"
printf '# link down during the apply: in the maps after %d ms; the apply ended %d ms after the link went down\n' \
	$(((t_seen - t_down) / 1000000)) $((($(cat "$T/big.done") - t_down) / 1000000))
assert_eq "after the apply sfcd still has s2 down" false "$(sf_up s2)"
ip -n "$FAB" link set dev f2a up
wait_sf s2 true
assert_eq "and up again once f2a is up" true "$(sf_up s2)"
assert_eq "still no full reconcile" "$rec0" "$(health reconciles)"
assert_done
