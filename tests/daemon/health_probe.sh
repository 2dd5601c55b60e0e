#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks sfcd's health probes: an SF whose link stays up but that stops
# answering is taken out of its hop, and comes back once it answers again.
# Chain "pair" has one hop of two one-arm routers, r1 and r2 (each in its
# own namespace, marking what it forwards with DSCP CS1 = 8 or CS2 = 16),
# on-failure drop. r1 is probed with ICMP from 198.18.3.253 (sfcd answers
# ARP for it), r2 with ICMPv6 from the default link-local source (sfcd
# answers neighbour solicitations); every 200 ms, down after 3 failures,
# up after 2 answers.
#
# r1's interface is blackholed inside its namespace (a tc filter drops
# everything it receives; its link stays up): sfcd must report it down
# within (fail + 1) x interval plus scheduling slack, and every datagram
# of FLOWS flows must then arrive, through r2 alone. sfcd restarted while
# r1 is down keeps it down. The blackhole lifted, r1 comes back and new
# flows spread over both again. Then r1's probe becomes a TCP one (sf-set):
# up while a listener answers, down when the port refuses (RST).
#
# Environment: FLOWS=32, PER_FLOW=20, STEER (sfcd --steer; default auto,
# which steers these routers' veths at tc; health_probe_xdp.sh: xdp).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

FLOWS=${FLOWS:-32}
PER_FLOW=${PER_FLOW:-20}
PORTS="$CHAINED_PORT-$((CHAINED_PORT + FLOWS - 1))"
INTERVAL_MS=200 FAIL=3 RECOVER=2
SFCCTL=${SFCCTL:-$SFC_BIN_DIR/sfcctl}
ctl() { timeout 20 "$SFCCTL" -s "$SOCK" "$@"; }
# metric NAME{LABELS}: its value from sfcd --metrics on fab's loopback
MPORT=9464
metric() {
	ip netns exec "$FAB" "$PY" "$D_LIB_DIR/http_get.py" 127.0.0.1 "$MPORT" |
		jq -r .body | awk -v n="$1" '$1 == n { print $NF; f = 1; exit } END { if (!f) print "none" }'
}
R1_4=198.18.3.1 R1_FROM=198.18.3.253 R2_4=198.18.4.1 R2_6=2001:db8:4::1

# rtr_build N DSCP: namespace rN, one arm eth0 <-> fab's fN, address
# 198.18.(N+2).1/24 (and 2001:db8:(N+2)::1/64), routes to the host networks
# via fab's 198.18.(N+2).254, and what it forwards to dst marked DSCP.
rtr_build() {
	local n=$1 dscp=$2 ns net=$(($1 + 2))
	ns_add "r$n" || return
	ns=$(ns_name "r$n")
	ns_sysctl "r$n" net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 || return
	ip -n "$FAB" link add name "f$n" type veth peer name eth0 netns "$ns" || return
	ip -n "$ns" link set dev eth0 up && ip -n "$FAB" link set dev "f$n" up || return
	ip -n "$ns" addr add "198.18.$net.1/24" dev eth0 || return
	ip -n "$ns" -6 addr add "2001:db8:$net::1/64" dev eth0 nodad || return
	addr_add fab "f$n" "198.18.$net.254/24" || return
	ip -n "$ns" route add "$NET_SRC" via "198.18.$net.254" || return
	ip -n "$ns" route add "$NET_DST" via "198.18.$net.254" || return
	ns_exec "r$n" nft -f - <<-EOF || return
		table ip sfct {
			chain pre {
				type filter hook prerouting priority 0; policy accept;
				ip daddr $NET_DST ip dscp set $dscp
			}
			chain out {
				type filter hook output priority 0; policy accept;
				icmp type redirect drop
			}
		}
	EOF
}

state_json() {
	local m1 m2
	m1=$(ip -n "$(ns_name r1)" -j link show dev eth0 | jq -r '.[0].address')
	m2=$(ip -n "$(ns_name r2)" -j link show dev eth0 | jq -r '.[0].address')
	d_state_json drop | jq --arg m1 "$m1" --arg m2 "$m2" --argjson iv "$INTERVAL_MS" \
		--argjson fail "$FAIL" --argjson rec "$RECOVER" '
		.sfs = [{"name": "r1", "kind": "iface", "dev": "f1", "mac": $m1,
			 "probe": "icmp '"$R1_4"'", "probe-from": "'"$R1_FROM"'",
			 "probe-interval": $iv, "probe-fail": $fail, "probe-recover": $rec},
			{"name": "r2", "kind": "iface", "dev": "f2", "mac": $m2,
			 "probe": "icmp '"$R2_6"'",
			 "probe-interval": $iv, "probe-fail": $fail, "probe-recover": $rec}]
		| .chains = [{"name": "pair", "spi": 100, "hops": [["r1", "r2"]],
			      "on-failure": "drop"}]
		| .rules |= map(select(.proto == "udp") | .chain = "pair")'
}

sf_field() { d_stats >"$T/f.st"; st_sf "$T/f.st" "$1" "$2"; }
# the probe's state as sfcd's stats request reports it
probe_state() {
	d_api '{"cmd":"stats"}' | jq -r --arg n "$1" \
		'.stats.sfs[]? | select(.name == $n) | .probe.state // "none"' 2>/dev/null
}
wait_sf() { wait_until "${3:-5}" eval "[[ \$(sf_field $1 up) == $2 ]]"; }
# blackhole add|delete: r1 drops everything eth0 receives (its link stays up)
blackhole() {
	if [[ $1 == add ]]; then
		ns_exec r1 nft -f - <<-EOF
			table netdev blackhole {
				chain in {
					type filter hook ingress device "eth0" priority 0; policy drop;
				}
			}
		EOF
	else
		ns_exec r1 nft delete table netdev blackhole
	fi
}

# round NAME [PORTS]: PER_FLOW datagrams to each of the FLOWS ports
round() { d_flows "$1" "${2:-$PORTS}" "$PER_FLOW"; }

total=$((FLOWS * PER_FLOW))
d_init
assert_do "topology" d_topo nosf || assert_done
assert_do "router r1" rtr_build 1 cs1 || assert_done
assert_do "router r2" rtr_build 2 cs2 || assert_done
state_json >"$STATE"
assert_do "sfcd starts" d_sfcd_start --metrics "127.0.0.1:$MPORT" ${STEER:+--steer "$STEER"} ||
	assert_done
if [[ -n ${STEER:-} ]]; then
	assert_eq "r1's interface steered as asked" "$STEER" "$(d_steer_of f1)"
fi

assert_do "r1's ICMP probe is answered" wait_until 5 eval '[[ $(probe_state r1) == up ]]'
assert_do "r2's ICMPv6 probe (link-local source) is answered" \
	wait_until 5 eval '[[ $(probe_state r2) == up ]]'
assert_eq "metrics: r1's probe up" 1 "$(metric 'sfc_sf_probe_up{sf="r1"}')"
assert_gt "metrics: r2's probes answered" 0 "$(metric 'sfc_sf_probes_answered_total{sf="r2"}')"
assert_eq "health counts the probes up" 2 \
	"$(d_api '{"cmd":"health"}' | jq -r '.probes.up' 2>/dev/null)"
d_stats >"$T/a.st"
assert_gt "the datapath counted probe answers" 0 "$(st_reason "$T/a.st" sf-health-probe-answer)"

round both
assert_eq "both up: datagrams missing" 0 "$(rx "$T/both.json" .missing)"
assert_gt "both up: some flows through r1" 0 "$(rx "$T/both.json" '.dscp["8"] // 0')"
assert_gt "both up: some flows through r2" 0 "$(rx "$T/both.json" '.dscp["16"] // 0')"

# r1 stops forwarding anything; its link stays up
t0=$(date +%s%N)
assert_do "r1 blackholed" blackhole add
assert_do "sfcd takes r1 out" wait_sf r1 false 10
took=$((($(date +%s%N) - t0) / 1000000))
echo "# r1 taken out ${took} ms after its blackhole (interval ${INTERVAL_MS} ms, fail $FAIL)"
assert_eq "r1's link is still up" UP "$(ip -n "$(ns_name r1)" -j link show dev eth0 |
	jq -r '.[0].operstate')"
# the bound: the first unanswered probe leaves up to one interval after
# the blackhole, the FAIL-th failure is seen FAIL intervals later; 1 s of
# slack for a loaded machine's scheduling and the stats read
assert_le "r1 out within (fail + 1) x interval + 1 s" $(((FAIL + 1) * INTERVAL_MS + 1000)) "$took"
assert_eq "r1's probe state" down "$(probe_state r1)"
assert_eq "metrics: r1's probe down" 0 "$(metric 'sfc_sf_probe_up{sf="r1"}')"
assert_ok "sfcctl stats: r1's CHECK is down, since seconds" \
	grep -Eq '^r1 +down +down [0-9]+s ' <<<"$(ctl stats sf r1)"
assert_eq "sfcctl sf show -j: r1's health and probe state" "probe down" \
	"$(ctl -j sf show r1 | jq -r '.[0] | "\(.health) \(.["probe-state"].state)"' 2>/dev/null)"
assert_eq "r2 still up" true "$(sf_field r2 up)"
assert_ok "the log says why r1 went down" grep -qE \
	"SF r1: probe icmp $R1_4 failed $FAIL times in a row \(no answer\): down" "$SFCD_LOG"
d_stats >"$T/b.st"
round one
d_stats >"$T/c.st"
assert_eq "r1 out: datagrams received" "$total" "$(rx "$T/one.json" .received)"
assert_eq "r1 out: datagrams missing" 0 "$(rx "$T/one.json" .missing)"
assert_eq "r1 out: all through r2" "$total" "$(rx "$T/one.json" '.dscp["16"] // 0')"
assert_eq "r1 out: hop drops" 0 "$(delta "$(st_hop "$T/b.st" 1 drops pair)" \
	"$(st_hop "$T/c.st" 1 drops pair)")"

# a restart while r1 fails keeps it out: the datapath said so
assert_do "sfcd stops" d_sfcd_stop TERM
assert_do "sfcd starts again" d_sfcd_start ${STEER:+--steer "$STEER"}
assert_eq "after the restart: r1 still down in the datapath" false "$(sf_field r1 up)"
assert_eq "after the restart: r1's probe starts down" down "$(probe_state r1)"
sleep $((INTERVAL_MS * (RECOVER + 2) / 1000 + 1))
assert_eq "after the restart: r1 stays down while it does not answer" false \
	"$(sf_field r1 up)"

assert_do "r1's blackhole lifted" blackhole delete
assert_do "sfcd brings r1 back" wait_sf r1 true 10
assert_ok "the log says r1 is up again" grep -qE \
	"SF r1: probe icmp $R1_4 answered $RECOVER times in a row: up" "$SFCD_LOG"
round fresh "$((CHAINED_PORT + FLOWS))-$((CHAINED_PORT + 2 * FLOWS - 1))"
assert_eq "r1 back, new flows: datagrams missing" 0 "$(rx "$T/fresh.json" .missing)"
assert_gt "r1 back: some new flows through r1" 0 "$(rx "$T/fresh.json" '.dscp["8"] // 0')"
assert_gt "r1 back: some new flows through r2" 0 "$(rx "$T/fresh.json" '.dscp["16"] // 0')"

# TCP: a listener in r1 answers SYNs; without it, r1's kernel resets
bg_run timeout 120 ip netns exec "$(ns_name r1)" socat TCP-LISTEN:7000,fork,reuseaddr \
	SYSTEM:true
wait_until 5 eval "ip netns exec $(ns_name r1) ss -Hltn 'sport = :7000' | grep -q 7000"
reply=$(d_api '{"cmd":"sf-set","sf":{"name":"r1","probe":"tcp '"$R1_4"':7000"}}')
assert_eq "sf-set r1 probe tcp" true "$(jq -r .ok <<<"$reply" 2>/dev/null)"
assert_do "r1's TCP probe is answered" wait_until 5 eval '[[ $(probe_state r1) == up ]]'
sleep 1
assert_eq "TCP probe: r1 up" true "$(sf_field r1 up)"
assert_eq "TCP probe: half-open connections left in r1" 0 \
	"$(ip netns exec "$(ns_name r1)" ss -Htn state syn-recv | wc -l)"
kill "$BG_PID" 2>/dev/null
wait "$BG_PID" 2>/dev/null
assert_do "a refused TCP probe takes r1 out" wait_sf r1 false 10
assert_ok "the log says the port refused" grep -qE \
	"SF r1: probe tcp $R1_4:7000 failed $FAIL times in a row \(connection refused\): down" \
	"$SFCD_LOG"
assert_done
