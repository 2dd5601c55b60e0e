#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that when an SF's veth is deleted and recreated (new ifindex)
# under a steady numbered UDP probe (one datagram every 5 ms):
# - during the outage the chain's failure policy holds: with "drop" the
#   hop counts drops (reason hop-down-drop) and the destination receives
#   nothing of the chained stream; with "bypass" every datagram keeps
#   arriving, through the other SF only, the hop counts bypassed packets
#   (reason hop-down-bypass) and the cut SF's counters (sfcd's and its own
#   nft counter) do not move;
# - chained traffic crosses the SF again within 100 ms of the link being
#   set up (first datagram received with both SFs' marks, kernel receive
#   timestamp, minus the time just before `ip link set up`), and every
#   datagram from then on crosses both SFs;
# all without any command sent to sfcd, and incrementally (health:
# link_updates grew, reconciles did not). Also the same with the veth only
# set down and up again (same ifindex).
# Topology and marks: tests/daemon/lib.sh.
#
# Environment: RECOVERY_MS=100 (limit), PROBE_IV=0.005 (s between probes),
# OUTAGE_GRACE_MS=50 (from the link being gone to the policy holding).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

RECOVERY_MS=${RECOVERY_MS:-100}
IV=${PROBE_IV:-0.005}
COUNT=$(/usr/bin/python3 -c "print(int(10 / $IV))")	# at most 10 s of probes
# after the link is gone (the command returned), sfcd has this long to
# notice before the failure policy must hold
GRACE_MS=${OUTAGE_GRACE_MS:-50}

# nft_pkts N: sfN's "pkts" counter
nft_pkts() { d_sf_count "$1" pkts; }

# outage POLICY N [down]: cut SF sN (hop N) under traffic, with on-failure
# POLICY: delete its veth fNa and create it again (new ifindex), or with
# "down" only set fNa down and up again
outage() {
	local pol=$1 n=$2 how=${3:-del} label other o down up a b r sent got
	local want_dscp hop=$2
	if [[ $how == del ]]; then
		label="$pol, s$n veth deleted"
	else
		label="$pol, s$n veth set down"
	fi
	((n == 1)) && other=2 || other=1
	((n == 1)) && want_dscp=$DSCP_SF2 || want_dscp=$DSCP_SF1

	r=$(d_api "{\"cmd\":\"chain-set\",\"chain\":{\"name\":\"web\",\"on-failure\":\"$pol\"}}")
	assert_eq "$label: chain-set on-failure $pol" true "$(jq -r .ok <<<"$r" 2>/dev/null)" ||
		echo "# reply: $r"
	r=$(d_probe "warm-$pol-$n" "$CHAINED_PORT" 20 0.005)
	assert_eq "$label: before: 20 datagrams through both SFs" "{\"$DSCP_FULL\":20}" \
		"$(jq -c .dscp <<<"$r" 2>/dev/null)"

	o=out-$pol-$n-$how
	if ! d_recv_start "$o" "$CHAINED_PORT" "$COUNT" 1.5 hold; then
		fail "$label: receiver" "did not start"
		return 1
	fi
	d_send_bg "$o" "$CHAINED_PORT" "$COUNT" "$IV"
	sleep 0.5
	cut=$(date +%s%N)
	if [[ $how == del ]]; then
		ip -n "$FAB" link del "f${n}a"
	else
		ip -n "$FAB" link set dev "f${n}a" down
	fi
	down=$(date +%s%N)
	sleep 0.25
	d_stats >"$T/$o.a.st"
	a=$(nft_pkts "$n") ao=$(nft_pkts "$other")
	sleep 0.4
	d_stats >"$T/$o.b.st"
	b=$(nft_pkts "$n") bo=$(nft_pkts "$other")
	if [[ $how == del ]]; then
		d_sf_link_add "$n" a eth0
		up=$D_LINK_UP_NS
	else
		up=$(date +%s%N)
		ip -n "$FAB" link set dev "f${n}a" up
		D_LINK_UP_DONE_NS=$(date +%s%N)
	fi
	# 0.5 s of traffic after the recovery limit, then stop
	d_send_stop "$o" "$(/usr/bin/python3 -c "print($RECOVERY_MS / 1000 + 0.5)")"
	wait "$D_RECV_PID"
	d_stats >"$T/$o.c.st"

	"$PY" "$PROBE" outage "$T/$o.tx.log" "$T/$o.rx.log" --cut "$cut" --down "$down" --up "$up" \
		--grace-ms "$GRACE_MS" --settle-ms "$RECOVERY_MS" --full-dscp "$DSCP_FULL" \
		>"$T/$o.json" 2>&1
	r=$T/$o.json
	printf '# %s: %s\n' "$label" "$(cat "$r")"
	printf '# %s: outage of %d ms; "link set up" took %d ms\n' "$label" \
		$(((up - down) / 1000000)) $(((D_LINK_UP_DONE_NS - up) / 1000000))

	sent=$(rx "$r" .before_sent)
	assert_eq "$label: before the cut: all $sent datagrams crossed both SFs" \
		"{\"$DSCP_FULL\":$sent}" "$(rx "$r" '.before | tojson')"
	sent=$(rx "$r" .during_sent)
	assert_gt "$label: datagrams were sent during the outage" 0 "$sent"
	assert_eq "$label: sfcd reports s$n down during the outage" false \
		"$(st_sf "$T/$o.a.st" "s$n" up)"
	if [[ $pol == drop ]]; then
		assert_eq "$label: during the outage dst received nothing (of $sent sent)" \
			'{}' "$(rx "$r" '.during | tojson')"
		assert_gt "$label: hop $hop counted drops during the outage" 0 \
			"$(delta "$(st_hop "$T/$o.a.st" "$hop" drops)" "$(st_hop "$T/$o.b.st" "$hop" drops)")"
		assert_gt "$label: reason hop-down-drop counted during the outage" 0 \
			"$(delta "$(st_reason "$T/$o.a.st" hop-down-drop)" "$(st_reason "$T/$o.b.st" hop-down-drop)")"
	else
		assert_eq "$label: during the outage all $sent datagrams arrived, through s$other only" \
			"{\"$want_dscp\":$sent}" "$(rx "$r" '.during | tojson')"
		assert_gt "$label: hop $hop counted bypassed packets during the outage" 0 \
			"$(delta "$(st_hop "$T/$o.a.st" "$hop" bypassed)" "$(st_hop "$T/$o.b.st" "$hop" bypassed)")"
		assert_gt "$label: reason hop-down-bypass counted during the outage" 0 \
			"$(delta "$(st_reason "$T/$o.a.st" hop-down-bypass)" "$(st_reason "$T/$o.b.st" hop-down-bypass)")"
		assert_gt "$label: s$other's nft counter moved during the outage" 0 "$(delta "$ao" "$bo")"
	fi
	assert_eq "$label: s$n's sfcd tx_packets did not move during the outage" 0 \
		"$(delta "$(st_sf "$T/$o.a.st" "s$n" tx_packets)" "$(st_sf "$T/$o.b.st" "s$n" tx_packets)")"
	assert_eq "$label: s$n's own nft counter did not move during the outage" 0 "$(delta "$a" "$b")"

	got=$(rx "$r" .first_full_ms)
	if [[ $got == null ]]; then
		fail "$label: chained again within $RECOVERY_MS ms of link up" \
			"expected a datagram through both SFs after link up, got none"
	elif /usr/bin/python3 -c "import sys; sys.exit(0 if $got <= $RECOVERY_MS else 1)"; then
		pass "$label: chained again within $RECOVERY_MS ms of link up ($got ms)"
	else
		fail "$label: chained again within $RECOVERY_MS ms of link up" \
			"expected <= $RECOVERY_MS ms, got $got ms"
	fi
	sent=$(rx "$r" .after_sent)
	assert_gt "$label: datagrams were sent after recovery" 0 "$sent"
	assert_eq "$label: after recovery all $sent datagrams crossed both SFs" \
		"{\"$DSCP_FULL\":$sent}" "$(rx "$r" '.after | tojson')"
	assert_eq "$label: sfcd reports s$n up again" true "$(st_sf "$T/$o.c.st" "s$n" up)"
	assert_eq "$label: s$n saw nothing out of order" 0 "$(d_sf_count "$n" wrong)"
}

d_init
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
h0=$(d_api '{"cmd":"health"}')

outage drop 1
outage bypass 2
outage bypass 1
outage drop 2 down

h=$(d_api '{"cmd":"health"}')
assert_eq "sfcd still answers health, same pid" "$SFCD_PID" "$(jq -r .pid <<<"$h" 2>/dev/null)"
assert_gt "the link events were applied incrementally (link_updates grew)" \
	"$(jq -r .link_updates <<<"$h0")" "$(jq -r .link_updates <<<"$h")"
assert_eq "without a full reconcile (reconciles unchanged)" \
	"$(jq -r .reconciles <<<"$h0")" "$(jq -r .reconciles <<<"$h")"
assert_done
