#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# sfcd --metrics: the counters for Prometheus, checked by the real thing.
# sfcd runs in fab with --metrics 127.0.0.1:9464 (fab's own loopback). After
# 20 chained datagrams its /metrics says so for the chain, both hops and
# both SFs; the exposition passes `promtool check metrics`; a Prometheus
# server (Debian's, started here on fab's loopback, state in the test's
# temp dir, scraping every second) answers a PromQL query with the same
# counts, and sees an SF's link going down. Bad requests get their HTTP
# error; connections that send nothing hold their slots only until their
# deadline, during which the API still answers; a port already taken
# refuses a second daemon's start and changes nothing.
# Topology: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

HTTP=$D_LIB_DIR/http_get.py
MPORT=9464 PPORT=9090

# get [ARGS...]: http_get.py against sfcd's metrics in fab
get() { ip netns exec "$FAB" "$PY" "$HTTP" 127.0.0.1 "$MPORT" "$@"; }

# metric NAME{LABELS}: its value in the last scrape ($T/m), "none" if absent
metric() {
	local v
	# the sample line itself, not a HELP or TYPE line that names it
	v=$(awk -v n="$1" '$1 == n { print $NF; exit }' "$T/m")
	echo "${v:-none}"
}

scrape() { get | jq -r .body >"$T/m"; }

# promql QUERY: the first value Prometheus answers, "none" if none
promql() {
	ip netns exec "$FAB" "$PY" - "$1" "$PPORT" <<-'EOF'
	import json, sys, urllib.parse, urllib.request
	q = urllib.parse.urlencode({"query": sys.argv[1]})
	try:
	    r = json.load(urllib.request.urlopen(
	        "http://127.0.0.1:%s/api/v1/query?%s" % (sys.argv[2], q), timeout=5))
	    res = r["data"]["result"]
	    print(res[0]["value"][1] if res else "none")
	except Exception as e:
	    print("none")
	EOF
}

prom_stop() {
	[[ -n ${PROM_PID:-} ]] || return 0
	kill "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}

d_init
for t in prometheus promtool; do
	command -v "$t" >/dev/null || { fail setup "missing tool $t (make deps installs prometheus)"; assert_done; }
done
cleanup_push prom_stop
assert_do "topology" d_topo || assert_done
ip -n "$FAB" link set lo up
d_state_json drop >"$STATE"
assert_do "sfcd starts with --metrics 127.0.0.1:$MPORT" d_sfcd_start --metrics "127.0.0.1:$MPORT" ||
	assert_done

# --- the exposition
scrape
assert_eq "GET /metrics: 200" 200 "$(get | jq -r .status)"
assert_eq "content type of the text format 0.0.4" "text/plain; version=0.0.4; charset=utf-8" \
	"$(get | jq -r '.headers["content-type"]')"
abi=$(awk '$1 == "#define" && $2 == "SFC_ABI_VERSION" {print $3}' "$D_ROOT/headers/sfc_abi.h")
assert_eq "sfc_build_info names the map ABI ($abi)" 1 "$(metric "sfc_build_info{abi=\"$abi\"}")"
assert_eq "SF s1 is up" 1 "$(metric 'sfc_sf_up{sf="s1"}')"
c0=$(metric 'sfc_chain_packets_total{chain="web",spi="100"}')
assert_eq "sfc_hop_instance_share: s1, alone at web's hop 1, takes all its flows" 1 \
	"$(metric 'sfc_hop_instance_share{chain="web",hop="1",si="2",sf="s1",sf_instance="s1"}')"
h0=$(metric 'sfc_hop_packets_total{chain="web",hop="1",si="2",sf="s1"}')
h20=$(metric 'sfc_hop_packets_total{chain="web",hop="2",si="1",sf="s2"}')
s0=$(metric 'sfc_sf_sent_packets_total{sf="s2"}')
r0=$(metric 'sfc_sf_returned_packets_total{sf="s1"}')
a0=$(metric 'sfc_applies_total')
i0=$(metric 'sfc_flow_cache_inserts_total')
r=$(d_probe m1 "$CHAINED_PORT" 20 0.003)
assert_eq "20 datagrams through both SFs" "{\"$DSCP_FULL\":20}" "$(jq -c .dscp <<<"$r" 2>/dev/null)"
scrape
assert_eq "sfc_chain_packets_total of web: +20" 20 \
	"$(delta "$c0" "$(metric 'sfc_chain_packets_total{chain="web",spi="100"}')")"
assert_eq "sfc_hop_packets_total of web's hop 1 (s1): +20" 20 \
	"$(delta "$h0" "$(metric 'sfc_hop_packets_total{chain="web",hop="1",si="2",sf="s1"}')")"
assert_eq "sfc_hop_packets_total of web's hop 2 (s2): +20" 20 \
	"$(delta "$h20" "$(metric 'sfc_hop_packets_total{chain="web",hop="2",si="1",sf="s2"}')")"
assert_eq "sfc_sf_sent_packets_total of s2: +20" 20 \
	"$(delta "$s0" "$(metric 'sfc_sf_sent_packets_total{sf="s2"}')")"
assert_eq "sfc_sf_returned_packets_total of s1: +20" 20 \
	"$(delta "$r0" "$(metric 'sfc_sf_returned_packets_total{sf="s1"}')")"
assert_ge "sfc_applies_total counts the apply at start" 1 "$a0"
assert_eq "no apply for a scrape" "$a0" "$(metric 'sfc_applies_total')"
lc=$(metric 'sfc_sf_latency_seconds_count{sf="s1"}')
assert_eq "sfc_sf_latency_seconds of s1: 15 to 20 of the 20 datagrams timed" true \
	"$( [[ $lc =~ ^[0-9]+$ ]] && ((lc >= 15 && lc <= 20)) && echo true || echo "$lc")"
assert_eq "... its +Inf bucket is its count" "$lc" \
	"$(metric 'sfc_sf_latency_seconds_bucket{sf="s1",le="+Inf"}')"
assert_eq "sfc_flow_cache_inserts_total: +1, the probes' flow" 1 \
	"$(delta "$i0" "$(metric 'sfc_flow_cache_inserts_total')")"
assert_eq "sfc_flow_cache_capacity" 1048576 "$(metric 'sfc_flow_cache_capacity')"
assert_eq "sfc_monitors: none" 0 "$(metric 'sfc_monitors')"
n=none
for _ in $(seq 1 24); do	# a count every 10 s at most
	scrape
	n=$(metric 'sfc_flow_cache_entries')
	[[ $n =~ ^[0-9]+$ ]] && ((n >= 1)) && break
	sleep 0.5
done
assert_eq "sfc_flow_cache_entries counts the probes' flow" true \
	"$( [[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 8)) && echo true || echo "$n")"
assert_eq "sfc_flow_cache_evictions_total: none in a cache this empty" 0 \
	"$(metric 'sfc_flow_cache_evictions_total')"
assert_eq "drop reason 13 has its series" 0 \
	"$(metric 'sfc_reason_packets_total{code="13",reason="hop-down-drop"}')"
out=$(promtool check metrics <"$T/m" 2>&1)
rc=$?
assert_eq "promtool check metrics: no problem found" "0:" "$rc:$out"
assert_eq "HEAD /metrics: headers only" "200:" "$(get --method HEAD | jq -r '"\(.status):\(.body)"')"

# --- bad requests
assert_eq "POST: 405" 405 "$(get --method POST | jq -r .status)"
assert_eq "GET /: 404" 404 "$(get --path / | jq -r .status)"
assert_eq "not HTTP: 400" 400 "$(get --raw 'hello\r\n\r\n' | jq -r .status)"
assert_eq "a 9 KiB header: 431" 431 "$(get --pad 9000 | jq -r .status)"
assert_eq "an answer closes the connection" true "$(get | jq -r .closed)"

# --- connections that send nothing: 16 slots, then 503, the API unaffected
t0=$SECONDS
get --hold 16 --hold-s 0.5 >"$T/held.json" &
hp=$!
sleep 0.3
assert_eq "16 silent connections held: the 17th gets 503" 503 "$(get | jq -r .status)"
assert_eq "the API answers meanwhile" true "$(d_api '{"cmd":"health"}' | jq -r .ok)"
wait "$hp"
assert_eq "a 17th connection while 16 are held: 503" 503 \
	"$(jq -r .status "$T/held.json")"
# held ones are closed by their client above; new ones get through at once
assert_eq "after they go: 200" 200 "$(get | jq -r .status)"
# silent connections left open are dropped at their deadline (10 s)
ip netns exec "$FAB" "$PY" - "$MPORT" <<-'EOF' &
import socket, sys, time
s = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(16)]
time.sleep(14)
EOF
sp=$!
sleep 0.5
assert_eq "held for good: 503" 503 "$(get | jq -r .status)"
ok=
for _ in $(seq 1 60); do
	[[ $(get --timeout 2 | jq -r .status) == 200 ]] && { ok=1; break; }
	sleep 0.25
done
assert_eq "silent connections are dropped at their deadline: 200 again" 1 "${ok:-0}"
kill "$sp" 2>/dev/null
wait "$sp" 2>/dev/null
echo "# deadline part took $((SECONDS - t0)) s"

# --- a real Prometheus scraping sfcd
cat >"$T/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sfc
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
mkdir -p "$T/tsdb"
ip netns exec "$FAB" prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$T/prom.log" 2>&1 &
PROM_PID=$!
up=
for _ in $(seq 1 80); do
	[[ $(promql 'up{job="sfc"}') == 1 ]] && { up=1; break; }
	sleep 0.25
done
assert_eq "Prometheus scrapes sfcd (up == 1)" 1 "${up:-0}"
want=$(metric 'sfc_chain_packets_total{chain="web",spi="100"}')
got=none
for _ in $(seq 1 20); do
	got=$(promql 'sfc_chain_packets_total{chain="web"}')
	[[ $got == "$want" ]] && break
	sleep 0.25
done
assert_eq "PromQL: sfc_chain_packets_total{chain=\"web\"}" "$want" "$got"
assert_eq "PromQL: hop 2 of web, summed over labels" \
	"$(metric 'sfc_hop_packets_total{chain="web",hop="2",si="1",sf="s2"}')" \
	"$(promql 'sum(sfc_hop_packets_total{chain="web",si="1"})')"
ip -n "$FAB" link set f1a down
got=none
for _ in $(seq 1 40); do
	got=$(promql 'sfc_sf_up{sf="s1"}')
	[[ $got == 0 ]] && break
	sleep 0.25
done
assert_eq "PromQL: s1 down after its link went down" 0 "$got"
r=$(d_probe m3 "$CHAINED_PORT" 10 0.003)
assert_eq "s1 down, on-failure drop: the 10 datagrams are dropped" 0 \
	"$(jq -r .received <<<"$r" 2>/dev/null)"
got=none
for _ in $(seq 1 20); do
	got=$(promql 'sfc_hop_drops_by_reason_total{chain="web",hop="1",reason="hop-down-drop"}')
	[[ $got == 10 ]] && break
	sleep 0.25
done
assert_eq "PromQL: web's hop 1 dropped 10 for hop-down-drop" 10 "$got"
q=$(promql 'histogram_quantile(0.5, sfc_sf_latency_seconds_bucket{sf="s2"})')
assert_eq "PromQL: s2's median latency, between 100 ns and 100 ms" true \
	"$(jq -n "$q > 1e-7 and $q < 0.1" 2>/dev/null || echo "$q")"
ip -n "$FAB" link set f1a up
assert_eq "Prometheus logged no scrape error" "" \
	"$(grep -i 'error' "$T/prom.log" | grep -v 'level=info' | head -n 3)"
prom_stop

# --- a port already taken: refused, nothing changed
d_sfcd_run -f "$T/other.json" -P "$PIN-other" -s "$T/run/other.sock" --metrics "127.0.0.1:$MPORT"
assert_eq "second sfcd on the same metrics port: exit 1" 1 "$RC"
if grep -q "Address already in use" <<<"$MSG"; then
	pass "... saying the address is in use"
else
	fail "... saying the address is in use" "it said: $MSG"
fi
assert_eq "... and making no pins" false "$([[ -e $PIN-other ]] && echo true || echo false)"
d_chained "the first daemon's chain still works" m2
assert_eq "its metrics still answer" 200 "$(get | jq -r .status)"

d_sfcd_stop TERM
assert_eq "sfcd stops (exit 0)" 0 "$D_EXIT"
assert_done
