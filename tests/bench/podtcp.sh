#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench, pod TCP: iperf3 from one pod to another through N SFs that
# route with their own stack, the path containers actually use (the
# live-frames generator of run.sh never makes a TCP stream, GSO packets
# or offloaded checksums).
#
#	tests/bench/podtcp.sh OUT_DIR	(QUICK=1: 1 s streams, 3 rounds)
#
# Each system gets its own namespaces (prefix sfcp-<pid>-<system>-):
#
#   pa:eth0 ── fab:pa ┌──── fab (router) ────┐ fab:pb ── pb:eth0
#   198.18.64.1       │ f1      ...     fN   │       198.18.65.1
#                     └──┼───────────────┼───┘
#                      sf1:eth0  ...   sfN:eth0   routers, one arm each:
#                      198.18.(80+k).1, routes to the pods via fab's f<k>
#
# Systems: none (no chain: fab routes pa <-> pb, the SFs idle); sfc<N>
# (sfcd as a daemon in fab, the chain built with sfcctl: ingress pa and
# pb, rules classifying TCP port 5201 both ways into a chain over the N
# SFs); tc<N> (clsact on pa, pb and f1..fN: u32 matches the same flows,
# pedit sets the next SF's MAC, mirred redirects to it; the last SF's
# packets are routed by fab, as sfc's are at the end of its chain).
# Both directions cross the SFs in the same order, sf1 first.
#
# Rounds interleave the systems (the order rotates each round). Per run:
# iperf3's received Gbit/s, TcpRetransSegs and TcpInCsumErrors deltas
# (nstat, summed over both pods: the sender retransmits, the receiver
# counts bad checksums), and the fewest IP datagrams any SF of the chain
# forwarded (ForwDatagrams: a GSO packet counts once, so the figure also
# shows whether GSO survived the chain; a chain that was bypassed shows
# 0). Writes OUT_DIR/podtcp.tsv and OUT_DIR/podtcp-systems.tsv for
# report.py, and sfcd's counters to OUT_DIR/podtcp-sfc<N>-stats.json.

set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/build/bench}
SFCD=${SFCD:-$ROOT/build/sfcd}
SFCCTL=${SFCCTL:-$ROOT/build/sfcctl}
QUICK=${QUICK:-}
[[ $QUICK == 0 ]] && QUICK=

RUN=sfcp-$$
NSP=$RUN-
PIN=/sys/fs/bpf/$RUN
WORK=$(mktemp -d "/tmp/$RUN.XXXXXX") || exit 1
T_START=$(date +%s)

if [[ -n $QUICK ]]; then
	ROUNDS=3 SECS=1
else
	ROUNDS=5 SECS=3
fi
# sfca1: sfc with end auto, the fabric running a stateful FORWARD rule
# (conntrack in use, as where an operator picks auto)
SYSTEMS=(none sfc1 tc1 sfc3 tc3 sfca1)
PORT=5201
PA=198.18.64.1 PB=198.18.65.1

declare -A STATE	# system -> ok | "setup failed: ..." | "broken: ..."
declare -A DAEMON	# system -> sfcd pid
declare -A SERVER	# system -> iperf3 server pid

log() { printf '[podtcp %3ss] %s\n' "$(($(date +%s) - T_START))" "$*" >&2; }

cleanup() {
	local s p ns
	set +e
	trap '' INT TERM
	for p in "${SERVER[@]}" "${DAEMON[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${SERVER[@]}" "${DAEMON[@]}"; do
		for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	for s in "${SYSTEMS[@]}"; do
		[[ -d $PIN/$s && -e /run/netns/${NSP}$s-fab ]] &&
			nsenter --net="/run/netns/${NSP}$s-fab" -- "$SFCD" --unload -P "$PIN/$s" \
				>/dev/null 2>&1
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NSP"); do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$PIN" "$WORK"
}

ensure_iperf3() {
	command -v iperf3 >/dev/null && return 0
	log "installing iperf3"
	apt-get update -q >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q iperf3 >/dev/null
}

ns() { printf '%s%s' "$NSP" "$1"; }
nsx() { local n; n=$(ns "$1"); shift; nsenter --net="/run/netns/$n" -- "$@"; }
mac() { ip -n "$(ns "$1")" -j link show dev "$2" | jq -r '.[0].address'; }

# A namespace that forwards and never sends redirects (a one-arm router
# sends every packet back out of the interface it came in by), no IPv6.
ns_add() {
	local n
	n=$(ns "$1")
	ip netns add "$n" || return
	ip -n "$n" link set lo up
	nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 \
		net.ipv4.tcp_syn_retries=2 >/dev/null
}

veth() {	# NS1 IF1 ADDR1 NS2 IF2 ADDR2
	ip -n "$(ns "$1")" link add "$2" type veth peer name "$5" netns "$(ns "$4")" || return
	ip -n "$(ns "$1")" addr add "$3" dev "$2" && ip -n "$(ns "$4")" addr add "$6" dev "$5" &&
		ip -n "$(ns "$1")" link set "$2" up && ip -n "$(ns "$4")" link set "$5" up
}

nsf() { case $1 in none) echo 0 ;; *) echo "${1: -1}" ;; esac; }

# pods, fabric and SFs of one system ("none" has no SF)
build() {	# SYSTEM
	local s=$1 n k
	n=$(nsf "$s")
	ns_add "$s-fab" && ns_add "$s-pa" && ns_add "$s-pb" || return
	veth "$s-pa" eth0 "$PA/24" "$s-fab" pa 198.18.64.254/24 || return
	veth "$s-pb" eth0 "$PB/24" "$s-fab" pb 198.18.65.254/24 || return
	ip -n "$(ns "$s-pa")" route add default via 198.18.64.254 || return
	ip -n "$(ns "$s-pb")" route add default via 198.18.65.254 || return
	for ((k = 1; k <= n; k++)); do
		ns_add "$s-sf$k" || return
		veth "$s-sf$k" eth0 "198.18.$((80 + k)).1/24" "$s-fab" "f$k" \
			"198.18.$((80 + k)).254/24" || return
		ip -n "$(ns "$s-sf$k")" route add 198.18.64.0/23 via "198.18.$((80 + k)).254" || return
	done
}

setup_sfc() {	# SYSTEM
	local s=$1 n k sock=$WORK/$1.sock hops=() pin=$PIN/$1
	n=$(nsf "$s")
	build "$s" || return
	mkdir -p "$PIN"
	nsenter --net="/run/netns/$(ns "$s-fab")" -- "$SFCD" -f "$WORK/$s.state" -P "$pin" \
		-s "$sock" >"$WORK/$s-sfcd.log" 2>&1 &
	DAEMON[$s]=$!
	for _ in $(seq 100); do
		[[ -S $sock ]] && break
		kill -0 "${DAEMON[$s]}" 2>/dev/null || break
		sleep 0.1
	done
	[[ -S $sock ]] || { tail -3 "$WORK/$s-sfcd.log"; return 1; }
	ctl() { "$SFCCTL" -s "$sock" "$@" >>"$WORK/$s-ctl.log"; }
	ctl ingress add dev pa && ctl ingress add dev pb || return
	for ((k = 1; k <= n; k++)); do
		ctl sf add "s$k" kind iface dev "f$k" mac "$(mac "$s-sf$k" eth0)" || return
		hops+=(hop "s$k")
	done
	if [[ $s == sfca* ]]; then
		hops+=(end auto)
		nsx "$s-fab" nft -f - <<-'EOF' || return
			table inet fw {
				chain forward {
					type filter hook forward priority 0; policy accept;
					ct state invalid drop
				}
			}
		EOF
	fi
	ctl chain add c "${hops[@]}" spi 1 &&
		ctl rule add pref 10 in-dev pa dst 198.18.65.0/24 proto tcp dport $PORT chain c &&
		ctl rule add pref 20 in-dev pb dst 198.18.64.0/24 proto tcp sport $PORT chain c
}

# u32 on the same flows, mirred hands the packet to the next SF's veth.
# This kernel has mirred but no pedit or skbmod action (no MAC rewrite in
# tc), so the tc chain's SFs answer to the fabric's MAC: every fab
# interface of the system and every SF's eth0 carry one MAC, and a frame
# redirected unchanged is addressed to the SF it reaches.
TC_MAC=02:00:c6:12:00:fe
tc_steer() {	# FAB DEV DST/LEN MATCH-PORT NEXT-DEV
	tc -n "$1" filter add dev "$2" ingress protocol ip pref 1 u32 \
		match ip dst "$3" match ip protocol 6 0xff match ip "$4" $PORT 0xffff \
		action mirred egress redirect dev "$5"
}

setup_tc() {	# SYSTEM
	local s=$1 n k fab dev
	n=$(nsf "$s")
	build "$s" || return
	fab=$(ns "$s-fab")
	for dev in pa pb $(for ((k = 1; k <= n; k++)); do echo "f$k"; done); do
		ip -n "$fab" link set dev "$dev" address $TC_MAC || return
	done
	for ((k = 1; k <= n; k++)); do
		ip -n "$(ns "$s-sf$k")" link set dev eth0 address $TC_MAC || return
	done
	for dev in pa pb $(for ((k = 1; k < n; k++)); do echo "f$k"; done); do
		tc -n "$fab" qdisc add dev "$dev" clsact || return
	done
	tc_steer "$fab" pa 198.18.65.0/24 dport f1 &&
		tc_steer "$fab" pb 198.18.64.0/24 sport f1 || return
	for ((k = 1; k < n; k++)); do
		tc_steer "$fab" "f$k" 198.18.65.0/24 dport "f$((k + 1))" &&
			tc_steer "$fab" "f$k" 198.18.64.0/24 sport "f$((k + 1))" || return
	done
}

start_server() {	# SYSTEM
	local s=$1
	nsx "$s-pb" timeout 1800 iperf3 -s -B "$PB" -p $PORT >"$WORK/$s-server.log" 2>&1 &
	SERVER[$s]=$!
	for _ in $(seq 50); do
		nsx "$s-pb" ss -Htln "sport = :$PORT" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# nstat's absolute values, without touching its history file
tcp_counters() {	# NS -> "retrans csum_errors"
	nsx "$1" nstat -asz TcpRetransSegs TcpInCsumErrors 2>/dev/null |
		awk '$1 == "TcpRetransSegs" {r = $2} $1 == "TcpInCsumErrors" {c = $2}
		     END {print r + 0, c + 0}'
}

sf_rx() {	# SYSTEM -> datagrams each SF's stack forwarded, one per line
	local k n
	n=$(nsf "$1")
	for ((k = 1; k <= n; k++)); do
		# shellcheck disable=SC2016
		nsx "$1-sf$k" awk '$1 == "Ip:" && !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next}
			$1 == "Ip:" {print $c["ForwDatagrams"]}' /proc/net/snmp
	done
}

# one iperf3 run; appends a line to podtcp.tsv (gbps "-" when it failed)
measure() {	# ROUND SYSTEM
	local r=$1 s=$2 out gbps a0 b0 a1 b1 sf0 sf1 min=-1 i
	read -r -a a0 <<<"$(tcp_counters "$s-pa")"
	read -r -a b0 <<<"$(tcp_counters "$s-pb")"
	mapfile -t sf0 < <(sf_rx "$s")
	out=$(nsx "$s-pa" timeout $((SECS + 15)) iperf3 -c "$PB" -p $PORT -t "$SECS" -J 2>&1)
	gbps=$(jq -r '.end.sum_received.bits_per_second / 1e9' <<<"$out" 2>/dev/null)
	[[ $gbps =~ ^[0-9.e+-]+$ ]] || { log "$s round $r: $(jq -r '.error // empty' <<<"$out" 2>/dev/null | head -c 200)"; gbps=-; }
	read -r -a a1 <<<"$(tcp_counters "$s-pa")"
	read -r -a b1 <<<"$(tcp_counters "$s-pb")"
	mapfile -t sf1 < <(sf_rx "$s")
	for i in "${!sf0[@]}"; do
		local d=$((sf1[i] - sf0[i]))
		((min < 0 || d < min)) && min=$d
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$s" "$gbps" \
		$((a1[0] - a0[0] + b1[0] - b0[0])) $((a1[1] - a0[1] + b1[1] - b0[1])) "$min" \
		>>"$OUT/podtcp.tsv"
}

setup_one() {	# SYSTEM
	case $1 in
	none) build none ;;
	sfc*) setup_sfc "$1" ;;
	tc*) setup_tc "$1" ;;
	esac && start_server "$1"
}

main() {
	local s r i k msg
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	[[ $(id -u) == 0 ]] || { log "needs root"; exit 1; }
	mkdir -p "$OUT"
	ensure_iperf3 || { log "iperf3 is missing and could not be installed"; exit 1; }
	printf 'round\tsystem\tgbps\tretrans\tcsum_errors\tsf_min_packets\n' >"$OUT/podtcp.tsv"
	for s in "${SYSTEMS[@]}"; do
		log "setting up $s"
		if ! setup_one "$s" >"$WORK/setup-$s.log" 2>&1; then
			msg=$(tail -1 "$WORK/setup-$s.log")
			STATE[$s]="setup failed: ${msg:-?}"
			log "$s: ${STATE[$s]}"
			continue
		fi
		# a short stream first: the path works (warms ARP and the caches too)
		if ! nsx "$s-pa" timeout 20 iperf3 -c "$PB" -p $PORT -n 4M -J >"$WORK/$s-check.json" 2>&1; then
			msg=$(jq -r '.error // "iperf3 failed"' "$WORK/$s-check.json" 2>/dev/null)
			STATE[$s]="broken: ${msg:-iperf3 failed}"
			log "$s: ${STATE[$s]}"
			continue
		fi
		# ... and that the chain's SFs forwarded it
		if [[ $s != none ]] && (($(sf_rx "$s" | sort -n | head -1) < 10)); then
			STATE[$s]="broken: an SF of the chain saw no traffic"
			log "$s: ${STATE[$s]}"
			continue
		fi
		STATE[$s]=ok
	done
	for ((r = 1; r <= ROUNDS; r++)); do
		log "round $r of $ROUNDS"
		for ((i = 0; i < ${#SYSTEMS[@]}; i++)); do
			s=${SYSTEMS[(i + r - 1) % ${#SYSTEMS[@]}]}
			[[ ${STATE[$s]} == ok ]] && measure "$r" "$s"
		done
	done
	for s in "${SYSTEMS[@]}"; do printf '%s\t%s\n' "$s" "${STATE[$s]}"; done \
		>"$OUT/podtcp-systems.tsv"
	for s in "${SYSTEMS[@]}"; do
		[[ $s == sfc* && ${STATE[$s]} == ok ]] || continue
		nsenter --net="/run/netns/$(ns "$s-fab")" -- "$SFCD" --stats -j -P "$PIN/$s" \
			>"$OUT/podtcp-$s-stats.json" 2>/dev/null
	done
	k=$(awk -F'\t' 'NR > 1 && $3 != "-"' "$OUT/podtcp.tsv" | wc -l)
	log "done: $k runs in $OUT/podtcp.tsv"
}

main "$@"
