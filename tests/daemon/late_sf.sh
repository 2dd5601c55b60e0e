#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that a chain defined before its SF interfaces exist starts
# carrying traffic when they appear, with no command sent to sfcd: sfcd
# starts with chain web (on-failure drop) naming f1a/f1b/f2a/f2b, which do
# not exist; chained datagrams are dropped and counted (hop-down-drop),
# unchained ones delivered; then the SF namespaces and their veths are
# created under a steady probe, and datagrams cross both SFs within
# LATE_MS of the last link coming up, every one of them from then on; the
# events were applied incrementally (health: link_updates grew, reconciles
# did not).
# Topology and marks: tests/daemon/lib.sh.
#
# Environment: LATE_MS=500 (limit), PROBE_IV=0.005 (s between probes).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

LATE_MS=${LATE_MS:-500}
IV=${PROBE_IV:-0.005}
COUNT=$(/usr/bin/python3 -c "print(int(10 / $IV))")	# at most 10 s of probes

d_init
assert_do "topology without SFs" d_topo nosf || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts with SF interfaces missing" d_sfcd_start || assert_done
sha0=$(sha256sum <"$STATE")
doc0=$(d_get)
h0=$(d_api '{"cmd":"health"}')

d_stats >"$T/a.st"
for s in s1 s2; do
	assert_eq "before: sfcd reports $s down" false "$(st_sf "$T/a.st" $s up)"
done
r=$(d_probe early "$CHAINED_PORT" 20 0.005)
assert_eq "before: chained datagrams are not delivered (hop down, drop)" 0 \
	"$(jq -r .received <<<"$r" 2>/dev/null)"
d_stats >"$T/b.st"
assert_ge "before: reason hop-down-drop counted them" 20 \
	"$(delta "$(st_reason "$T/a.st" hop-down-drop)" "$(st_reason "$T/b.st" hop-down-drop)")"
r=$(d_probe plain "$PLAIN_PORT" 20 0.005)
assert_eq "before: unchained datagrams are delivered untouched" "{\"$DSCP_NONE\":20}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"

# the SFs appear under a steady probe
if ! d_recv_start late "$CHAINED_PORT" "$COUNT" 1.5 hold; then
	fail "receiver" "did not start"
	assert_done
fi
d_send_bg late "$CHAINED_PORT" "$COUNT" "$IV"
sleep 0.3
t_first=$(date +%s%N)
assert_do "SF namespaces and veths created" eval 'd_sf_build 1 && d_sf_build 2'
up=$D_LINK_UP_NS
# 0.5 s of traffic after the limit, then stop
d_send_stop late "$(/usr/bin/python3 -c "print($LATE_MS / 1000 + 0.5)")"
wait "$D_RECV_PID"
printf '# SFs built in %d ms\n' $(((up - t_first) / 1000000))

"$PY" "$PROBE" outage "$T/late.tx.log" "$T/late.rx.log" --down "$t_first" --up "$up" \
	--grace-ms 0 --settle-ms "$LATE_MS" --full-dscp "$DSCP_FULL" >"$T/late.json" 2>&1
r=$T/late.json
printf '# %s\n' "$(cat "$r")"
assert_eq "while the SFs were being created nothing chained was delivered" '{}' \
	"$(rx "$r" '[.before, .during] | add | tojson')"
got=$(rx "$r" .first_full_ms)
if [[ $got == null ]]; then
	fail "chained traffic flows within $LATE_MS ms of the last SF link coming up" \
		"expected a datagram through both SFs, got none"
elif /usr/bin/python3 -c "import sys; sys.exit(0 if $got <= $LATE_MS else 1)"; then
	pass "chained traffic flows within $LATE_MS ms of the last SF link coming up ($got ms)"
else
	fail "chained traffic flows within $LATE_MS ms of the last SF link coming up" \
		"expected <= $LATE_MS ms, got $got ms"
fi
sent=$(rx "$r" .after_sent)
assert_gt "datagrams were sent after that" 0 "$sent"
assert_eq "from then on all $sent datagrams crossed both SFs" "{\"$DSCP_FULL\":$sent}" \
	"$(rx "$r" '.after | tojson')"

d_stats >"$T/c.st"
for s in s1 s2; do
	assert_eq "after: sfcd reports $s up" true "$(st_sf "$T/c.st" $s up)"
done
r=$(d_probe later "$CHAINED_PORT" 50 0.002)
assert_eq "after: 50 more datagrams, all through both SFs" "{\"$DSCP_FULL\":50}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"
h1=$(d_api '{"cmd":"health"}')
assert_gt "sfcd saw the links through rtnetlink (netlink_events grew)" \
	"$(jq -r .netlink_events <<<"$h0")" "$(jq -r .netlink_events <<<"$h1")"
assert_gt "sfcd applied the link events on its own (link_updates grew)" \
	"$(jq -r .link_updates <<<"$h0")" "$(jq -r .link_updates <<<"$h1")"
assert_eq "one by one, without a full reconcile (reconciles unchanged)" \
	"$(jq -r .reconciles <<<"$h0")" "$(jq -r .reconciles <<<"$h1")"
assert_eq "document unchanged (nothing was edited)" "$doc0" "$(d_get)"
assert_eq "state file unchanged" "$sha0" "$(sha256sum <"$STATE")"
assert_done
