#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# sfcctl stats -s [SECONDS] [count N]: rates from a running sfcd while a
# numbered UDP stream (about 200 datagrams/s) crosses chain "web". Three
# one-second intervals come out, one JSON object each with -j; the chain,
# both hops and both SFs carry the same packets/s (every datagram crosses
# all of them), within what the stream can have sent; bits/s are 8 x the
# bytes; the text form has its tables; and count without -s, -s 0 and -s
# with reset are refused. Topology: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=$SFC_BIN_DIR/sfcctl
ctl() { timeout 30 "$SFCCTL" -s "$SOCK" "$@"; }

d_init
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done

assert_do "receiver" d_recv_start st "$CHAINED_PORT" 5000 1 hold || assert_done
d_send_bg st "$CHAINED_PORT" 5000 0.005
sleep 0.5
ctl -j stats -s 1 count 3 >"$T/rates.json" 2>"$T/rates.err"
rc=$?
ctl stats -s 1 count 1 >"$T/rates.txt" 2>&1
d_send_stop st
wait "$D_RECV_PID"
n=$(d_sent st)
assert_eq "sfcctl -j stats -s 1 count 3: exit 0" 0 "$rc"
assert_eq "three intervals, one JSON object each" 3 "$(jq -s length "$T/rates.json" 2>/dev/null)"
assert_eq "each about a second" "[true,true,true]" \
	"$(jq -s -c '[.[] | .interval_s > 0.8 and .interval_s < 1.6]' "$T/rates.json")"
# the middle interval: the stream ran all through it
jq -s '.[1]' "$T/rates.json" >"$T/mid.json"
pps=$(jq '.chains[] | select(.name == "web") | .pps' "$T/mid.json")
echo "# stream: $n datagrams sent; middle interval: chain web $pps packets/s"
assert_eq "chain web: between 20 and 400 packets/s (a stream of at most 200/s)" true \
	"$(jq -n "$pps > 20 and $pps < 400")"
# the counters are read one after the other: a datagram may fall between
# two reads, so "the same" is within 2 packets over the interval
near="(. - $pps) * (. - $pps) <= (2.5 / \$dt) * (2.5 / \$dt)"
assert_eq "both hops: the chain's packets/s" "[true,true]" \
	"$(jq -c --argjson dt "$(jq .interval_s "$T/mid.json")" \
		"[.chains[] | select(.name == \"web\") | .hops[].pps | $near]" "$T/mid.json")"
assert_eq "both SFs sent and returned the chain's packets/s" "[true,true,true,true]" \
	"$(jq -c --argjson dt "$(jq .interval_s "$T/mid.json")" \
		"[.sfs[] | .tx_pps, .rx_pps | $near]" "$T/mid.json")"
assert_eq "both SFs: the interval's latency, timed packets and p50 <= p99" "[true,true]" \
	"$(jq -c '[.sfs[] | .latency.samples > 50 and .latency.p50_ns > 0 and
		.latency.p50_ns <= .latency.p99_ns]' "$T/mid.json")"
assert_eq "bits/s are 8 x bytes/s: at least 8 x 42 bytes per packet" true \
	"$(jq '.chains[] | select(.name == "web") | .bps >= .pps * 8 * 42' "$T/mid.json")"
assert_eq "no drops/s" "[0,0]" \
	"$(jq -c '[.chains[] | select(.name == "web") | .hops[].drops_ps]' "$T/mid.json")"
assert_eq "hops named by their SFs" '[[["s1"]],[["s2"]]]' \
	"$(jq -c '[.chains[] | select(.name == "web") | .hops[].sfs]' "$T/mid.json")"
if grep -Eq '^chain web  spi 100  [0-9.]+k? pkt/s  [0-9.]+[kMG]? bit/s$' "$T/rates.txt" &&
	grep -Eq '^  HOP +SI +SFS +PKT/S +BIT/S +DROPS/S +BYPASSED/S$' "$T/rates.txt" &&
	grep -Eq '^SF +STATE +TX-PKT/S +TX-BIT/S +RX-PKT/S +RX-BIT/S +LAT-P50 +P99$' "$T/rates.txt"; then
	pass "text form: the chain's line, the hop and SF tables"
else
	fail "text form: the chain's line, the hop and SF tables" "$(head -c 600 "$T/rates.txt")"
fi
assert_eq "stats -s 1 chain web count 1: only that chain" '[["web"],false]' \
	"$(ctl -j stats chain web -s 1 count 1 | jq -c '[[.chains[].name], has("sfs")]')"
assert_eq "stats -s sf s2 count 1: only that SF" '[["s2"],false]' \
	"$(ctl -j stats sf s2 -s count 1 | jq -c '[[.sfs[].name], has("chains")]')"
msg=$(ctl stats -s 1 chain nope count 1 2>&1); rc=$?
assert_eq "stats -s of an unknown chain: exit 1, named" "1:sfcctl: no chain named \"nope\"" "$rc:$msg"
msg=$(ctl stats count 2 2>&1); rc=$?
assert_eq "count without -s: refused" "1:sfcctl: stats: count N goes with -s: it counts intervals" \
	"$rc:$msg"
msg=$(ctl stats -s 0 2>&1); rc=$?
assert_eq "-s 0: refused" "1:sfcctl: stats: -s \"0\": expected an integer from 1 to 3600" "$rc:$msg"

d_sfcd_stop TERM
assert_done
