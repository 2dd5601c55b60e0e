#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What the datapath observes beyond its counters, through a running sfcd:
# - SF latency: numbered UDP probes through chain "web" are timed at both
#   SFs (sfcctl stats sf: samples, p50/p90/p99 in a sane range, and the
#   text columns); `stats sf NAME reset` clears them; sfcd --sf-latency
#   off stops the timing (no new samples) and says so in the stats;
# - drops by reason per hop: with s2's link down and on-failure drop,
#   every probe is dropped at hop 2 as hop-down-drop, hop 1 has none, and
#   the text form names the reason in hop 2's row; `stats chain web reset`
#   clears them;
# - a bad --sf-latency value is refused.
# Topology: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=$SFC_BIN_DIR/sfcctl
ctl() { timeout 30 "$SFCCTL" -s "$SOCK" "$@"; }

d_init
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done

d_chained "30 probes cross both SFs" lat1
ctl -j stats >"$T/st1.json"
assert_eq "stats: SF latency is on by default" true "$(st "$T/st1.json" .sf_latency)"
assert_eq "health: SF latency on, no monitor" "[true,0]" \
	"$(d_api '{"cmd":"health"}' | jq -c '[.sf_latency, .monitors]')"
for sf in s1 s2; do
	n=$(st_sf "$T/st1.json" "$sf" latency.samples)
	p50=$(st_sf "$T/st1.json" "$sf" latency.p50_ns)
	p99=$(st_sf "$T/st1.json" "$sf" latency.p99_ns)
	echo "# $sf: $n samples, p50 ${p50} ns, p99 ${p99} ns"
	assert_eq "$sf: at least 20 of the 30 probes timed (one at a time, 3 ms apart)" true \
		"$( [[ $n =~ ^[0-9]+$ ]] && ((n >= 20 && n <= 30)) && echo true || echo "$n")"
	assert_eq "$sf: 100 ns < p50 <= p99 < 100 ms" true \
		"$(jq -n "$p50 > 100 and $p50 <= $p99 and $p99 < 100000000" 2>/dev/null || echo "$p50 $p99")"
	assert_eq "$sf: 32 log2 buckets summing to the samples" "32 $n" \
		"$(st_sf "$T/st1.json" "$sf" 'latency.buckets | "\(length) \(add)"')"
done
ctl stats sf s1 >"$T/sf1.txt" 2>&1
if grep -Eq '^SF +STATE +CHECK +TX-PACKETS +TX-BYTES +RX-PACKETS +RX-BYTES +LAT-P50 +P90 +P99$' "$T/sf1.txt" &&
	grep -Eq '^s1 +up +-( +[0-9]+){4}( +[0-9.]+(ns|us|ms)){3}$' "$T/sf1.txt"; then
	pass "stats sf s1, text: the latency columns with units"
else
	fail "stats sf s1, text: the latency columns with units" "$(cat "$T/sf1.txt")"
fi
ctl stats sf s1 reset
assert_eq "stats sf s1 reset: s1's latency is gone, s2's kept" "missing yes" \
	"$(ctl -j stats | jq -r '[(.sfs[] | select(.name == "s1") | .latency // "missing"),
		(.sfs[] | select(.name == "s2") | if .latency.samples > 0 then "yes" else "no" end)] | join(" ")')"

# ---- drops by reason, per hop ----------------------------------------------
ip -n "$FAB" link set dev f2a down
wait_until 10 bash -c "[[ \$($SFCCTL -s $SOCK -j stats sf s2 | jq .sfs[0].up) == false ]]"
r=$(d_probe drops "$CHAINED_PORT" 20 0.002)
assert_eq "s2 down, on-failure drop: no probe arrives" 0 "$(jq -r .received <<<"$r" 2>/dev/null)"
ctl -j stats chain web >"$T/st2.json"
assert_eq "hop 2: 20 drops, all hop-down-drop" '20 {"hop-down-drop":20}' \
	"$(st_hop "$T/st2.json" 2 drops) $(st_hop "$T/st2.json" 2 'drop_reasons | tojson')"
assert_eq "hop 1: no drops by reason" '{}' "$(st_hop "$T/st2.json" 1 'drop_reasons | tojson')"
assert_eq "chain web: no drops outside its hops" '{}' \
	"$(st "$T/st2.json" '.chains[0].drop_reasons | tojson')"
ctl stats chain web >"$T/ch.txt" 2>&1
if grep -Eq '^  +HOP +SI +SFS +SHARES +PACKETS +BYTES +DROPS +BYPASSED +DROP-REASONS$' "$T/ch.txt" &&
	grep -Eq '^  +2 +1 +s2 +-( +[0-9]+){2} +20 +0 +hop-down-drop 20$' "$T/ch.txt" &&
	grep -Eq '^  +1 +2 +s1 +-( +[0-9]+){4} +-$' "$T/ch.txt"; then
	pass "stats chain web, text: hop 2's row names its drops' reason"
else
	fail "stats chain web, text: hop 2's row names its drops' reason" "$(cat "$T/ch.txt")"
fi
ctl stats chain web reset
assert_eq "stats chain web reset: the reasons go with the counters" '0 {}' \
	"$(ctl -j stats chain web | jq -c -r '.chains[0].hops[1] | "\(.drops) \(.drop_reasons | tojson)"')"
ip -n "$FAB" link set dev f2a up
wait_until 10 bash -c "[[ \$($SFCCTL -s $SOCK -j stats sf s2 | jq .sfs[0].up) == true ]]"

# ---- --sf-latency off ------------------------------------------------------
d_sfcd_stop TERM
assert_do "sfcd --sf-latency off starts" d_sfcd_start --sf-latency off || assert_done
before=$(ctl -j stats | jq -c '[.sfs[].latency.samples // 0]')
d_chained "after the restart: 30 probes cross both SFs" lat2
ctl -j stats >"$T/st3.json"
assert_eq "--sf-latency off: stats say so" false "$(st "$T/st3.json" .sf_latency)"
assert_eq "--sf-latency off: health says so" false \
	"$(d_api '{"cmd":"health"}' | jq '.sf_latency')"
assert_eq "--sf-latency off: no new samples at s1 and s2" "$before" \
	"$(jq -c '[.sfs[].latency.samples // 0]' "$T/st3.json")"
d_sfcd_stop TERM

d_sfcd_run -f "$STATE" -P "$PIN" -s "$SOCK" --sf-latency maybe
assert_eq "--sf-latency maybe: refused (exit 2), said why" \
	'2:sfcd: --sf-latency wants on or off, not "maybe"' "$RC:$(head -n1 <<<"$MSG")"
assert_done
