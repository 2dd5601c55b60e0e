#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench: chaining fabrics side by side, on this machine.
# (Over ~600 lines on purpose: one harness for every system under test, so
# that all of them get the same namespaces, traffic and measurements.)
#
#   tests/bench/run.sh            full run (5 rounds, 64 B and 1500 B), < 10 min
#   QUICK=1 tests/bench/run.sh    smoke run (3 rounds, 64 B, short windows), < 2 min
#
# Every system under test gets the same namespaces: a source (src) with
# one generator interface per chain length N, a fabric (fab), a
# destination (dst) whose d0 runs the sink, and N bump-in-the-wire SFs per
# chain (namespaces n<N>s<k>, each an XDP_TX bounce on eth0):
#
#   src:g<N> ── fab:i<N> ─► fab:f<N>s1 ⇄ n<N>s1:eth0 ─► ... fab:f<N>s<N> ⇄ ... ─► fab:o ── dst:d0 (sink)
#
# Systems: the limit (g ── d0, no fabric); the floor (hand-written XDP,
# devmap redirect per hop); the floor ending like sfc (XDP_PASS, tc
# redirect to the ingress interface, routed by the fabric's stack); the
# floor ending in XDP (bpf_fib_lookup, redirect to the egress); sfc
# as a user configures it (1000 other rules, counters on), with its chains'
# default end (stack) and with end xdp (sfcx); tc u32 +
# mirred; Linux bridges chaining by MAC (two-arm SFs, see setup_bridge);
# Open vSwitch's userspace datapath when it is installed.
#
# Measurements round-robin over systems, sizes and N; each round's ratios
# are taken within the round. Then micro-benchmarks (BPF_PROG_TEST_RUN),
# pod TCP through routing SFs (podtcp.sh) and control-plane timings.
# Output: build/bench/results.md, chain.png, and the raw data next to them.

set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_SRC=$ROOT/tests/bench
OUT=$ROOT/build/bench
SFCD=$ROOT/build/sfcd
QUICK=${QUICK:-}
[[ $QUICK == 0 ]] && QUICK=

RUN=sfcb-$$
NSP=$RUN-                 # namespace prefix, unique to this run
PIN=/sys/fs/bpf/$RUN      # every pin of this run lives under here
# A fresh host may have no bpffs yet (sfcd mounts one when it starts; the
# fabric helpers pin before any sfcd runs).
if [[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) != bpf_fs ]]; then
	mount -t bpf bpf /sys/fs/bpf || { echo "cannot mount bpffs on /sys/fs/bpf" >&2; exit 1; }
fi
WORK=$(mktemp -d "/tmp/$RUN.XXXXXX") || exit 1
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

if [[ -n $QUICK ]]; then
	ROUNDS=3 SIZES=(64) WARMUP=0.1 WIN64=0.25 WIN1500=0.25
	MICRO_RUNS=1 MICRO_FLOWS=0 NL_SAMPLES=30
else
	ROUNDS=5 SIZES=(64 1514) WARMUP=0.2 WIN64=0.8 WIN1500=0.3
	MICRO_RUNS=5 MICRO_FLOWS=1000000 NL_SAMPLES=200
fi
LENGTHS=(0 1 2 4 8)
SYSTEMS=(floor ffib fstack sfc sfcx tc bridge ovs)
OTHER_RULES=1000
NCPU=$(nproc)
GEN_CPU=$((NCPU - 1))
DST_IP=198.18.2.1

declare -A SYS_STATE      # system -> ok | "not installed" | "setup failed: ..."
declare -A TMPL           # "system N" -> traffic arguments
DAEMON_PID=

log() { printf '[bench %3ss] %s\n' "$(($(date +%s) - T_START))" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---- cleanup: whatever happened, nothing of this run stays behind
cleanup() {
	local ns pin
	set +e
	trap '' INT TERM	# a second signal must not cut the cleanup short
	if [[ -n $DAEMON_PID ]]; then
		kill "$DAEMON_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$DAEMON_PID" 2>/dev/null
	fi
	for f in "$WORK"/ovs-*/*.pid; do
		[[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null
	done
	for pin in "$PIN"/sfc "$PIN"/sfcx "$PIN"/cp*; do
		[[ -d $pin ]] || continue
		ns=${NSP}${pin##*/}-fab
		[[ $pin == "$PIN"/cp* ]] && ns=${NSP}cp-fab
		if [[ -e /run/netns/$ns ]]; then
			nsenter --net="/run/netns/$ns" -- "$SFCD" --unload -P "$pin" >/dev/null 2>&1
		fi
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NSP"); do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$PIN" "$WORK"
}

# ---- what make bench needs: gnuplot (installed if missing); OVS only if present
ensure_gnuplot() {
	command -v gnuplot >/dev/null && return 0
	log "installing gnuplot-nox"
	if ! { apt-get update -q >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null; }; then
		log "gnuplot-nox could not be installed: no plot"
	fi
}

# ---- namespaces and links
ns() { printf '%s%s' "$NSP" "$1"; }
# nsenter, not ip netns exec: no /sys remount (faster, and bpffs stays visible)
nsx() { local n; n=$(ns "$1"); shift; nsenter --net="/run/netns/$n" -- "$@"; }

ns_add() {
	local n
	n=$(ns "$1")
	ip netns add "$n" || return
	ip -n "$n" link set lo up
	# No IPv6: no router solicitations or MLD reports in the measured paths.
	nsenter --net="/run/netns/$n" -- sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

veth() {	# NS1 IF1 NS2 IF2
	ip -n "$(ns "$1")" link add "$2" type veth peer name "$4" netns "$(ns "$3")" || return
	ip -n "$(ns "$1")" link set "$2" up && ip -n "$(ns "$3")" link set "$4" up
}

mac() { ip -n "$(ns "$1")" -j link show dev "$2" | jq -r '.[0].address'; }

# The fabric's stack: forwarding, no reverse-path filter, a static
# neighbour for the destination (d0 never answers ARP: its XDP drops all).
fab_router() {	# SYSTEM
	local s=$1 n
	nsx "$s-fab" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 >/dev/null || return
	for n in "${LENGTHS[@]}"; do
		nsx "$s-fab" sysctl -qw "net.ipv4.conf.i$n.rp_filter=0" >/dev/null
		ip -n "$(ns "$s-fab")" addr add "198.18.$((10 + n)).254/24" dev "i$n" || return
	done
	ip -n "$(ns "$s-fab")" addr add 198.18.2.254/24 dev o || return
	ip -n "$(ns "$s-fab")" neigh replace "$DST_IP" lladdr "$(mac "$s-dst" d0)" dev o \
		nud permanent
}

# next hop after position k (0 = the ingress) of chain N
next_if() { if (($2 < $1)); then echo "f$1s$(($2 + 1))"; else echo o; fi; }
# the fabric interface a hop's frames come back on (0 = the ingress)
hop_if() { if (($2 == 0)); then echo "i$1"; else echo "f$1s$2"; fi; }

# Namespaces and links of one system, generator/sink/SF programs attached.
# An SF bounces frames back out of eth0 (XDP_TX); with "two-arm", it has a
# second link (eth1, fab:r<N>s<k>) and sends them out there instead, with
# one devmap redirect: the same work per frame, another way back.
build_base() {	# SYSTEM [two-arm]
	local s=$1 arms=${2:-one-arm} n k sf
	ns_add "$s-src" && ns_add "$s-fab" && ns_add "$s-dst" || return
	veth "$s-fab" o "$s-dst" d0 || return
	for n in "${LENGTHS[@]}"; do
		veth "$s-src" "g$n" "$s-fab" "i$n" || return
		for ((k = 1; k <= n; k++)); do
			sf=$s-n${n}s$k
			ns_add "$sf" && veth "$s-fab" "f${n}s$k" "$sf" eth0 || return
			[[ $arms == two-arm ]] || continue
			veth "$s-fab" "r${n}s$k" "$sf" eth1 || return
			# a devmap per SF: ifindexes repeat across namespaces
			printf 'ns %s\nxdp eth0 floor\nxdp eth1 pass\nfwd eth0 eth1\n' \
				"$(ns "$sf")" | "$OUT/fabric" || return
		done
	done
	mkdir -p "$PIN/$s"
	{
		echo "ns $(ns "$s-src")"
		for n in "${LENGTHS[@]}"; do echo "xdp g$n pass"; done
		echo "ns $(ns "$s-dst")"
		echo "xdp d0 sink"
		echo "pin-rx $PIN/$s/rx"
		[[ $arms == two-arm ]] && exit 0
		for n in "${LENGTHS[@]}"; do
			for ((k = 1; k <= n; k++)); do
				echo "ns $(ns "$s-n${n}s$k")"
				echo "xdp eth0 bounce"
			done
		done
	} | "$OUT/fabric"
}

# Traffic arguments for chain N of a system: frames to DMAC from g<N>.
set_tmpl() {	# SYSTEM N DMAC
	TMPL["$1 $2"]="-n $(ns "$1-src") -i g$2 --dst-mac $3 --src-mac $(mac "$1-src" "g$2") \
--src-ip 198.18.$((10 + $2)).1 --dst-ip $DST_IP --rx $PIN/$1/rx --cpu $GEN_CPU"
}

setup_limit() {
	ns_add lim-src && ns_add lim-dst && veth lim-src g lim-dst d0 || return
	mkdir -p "$PIN/limit"
	printf 'ns %s\nxdp g pass\nns %s\nxdp d0 sink\npin-rx %s\n' "$(ns lim-src)" \
		"$(ns lim-dst)" "$PIN/limit/rx" | "$OUT/fabric" || return
	TMPL["limit 0"]="-n $(ns lim-src) -i g --dst-mac $(mac lim-dst d0) \
--src-mac $(mac lim-src g) --src-ip 198.18.10.1 --dst-ip $DST_IP --rx $PIN/limit/rx --cpu $GEN_CPU"
}

# floor: XDP devmap redirect, interface to interface. fstack: the same,
# but the last SF's frames are passed to the stack and tc redirects them
# to the ingress interface, where the fabric routes them (sfc's end).
# ffib: the same, but the end stays in XDP: bpf_fib_lookup as from the
# ingress interface, devmap redirect to the egress.
setup_floor() {	# floor | fstack | ffib
	local s=$1 n k prog=floor
	build_base "$s" || return
	[[ $s != floor ]] && { fab_router "$s" || return; }
	[[ $s == ffib ]] && prog=fib_end
	{
		echo "ns $(ns "$s-fab")"
		[[ $s == ffib ]] && echo "fwd o o"
		for n in "${LENGTHS[@]}"; do
			for ((k = 0; k <= n; k++)); do
				echo "xdp $(hop_if "$n" "$k") $prog"
				if [[ $s == fstack ]] && ((k == n)); then
					((n > 0)) && echo "tcfwd $(hop_if "$n" "$k") i$n ingress"
				elif [[ $s == ffib ]] && ((k == n)); then
					echo "fib $(hop_if "$n" "$k") i$n"
				else
					echo "fwd $(hop_if "$n" "$k") $(next_if "$n" "$k")"
				fi
			done
		done
	} | "$OUT/fabric" || return
	for n in "${LENGTHS[@]}"; do set_tmpl "$s" "$n" "$(mac "$s-fab" "i$n")"; done
}

# sfc as a user sets it up: every i<N> an ingress point, chain c<N> over
# the N SFs, one rule per chain among $OTHER_RULES others, counters on.
# i0 is an ingress point whose traffic matches no rule (N = 0).
# setup_sfc SYSTEM END: the chains end with END; an XDP end leaves by o,
# which sfc must be given (as an ingress point) to redirect to it.
setup_sfc() {
	local s=${1:-sfc} end=${2:-stack} n k sfs="" chains="" rules="" sep
	build_base "$s" && fab_router "$s" || return
	for n in "${LENGTHS[@]}"; do
		((n == 0)) && continue
		local hops=""
		for ((k = 1; k <= n; k++)); do
			sfs+="${sfs:+,}{\"name\":\"n${n}s$k\",\"kind\":\"iface\",\"dev\":\"f${n}s$k\"}"
			hops+="${hops:+,}[\"n${n}s$k\"]"
		done
		chains+="${chains:+,}{\"name\":\"c$n\",\"spi\":$n,\"hops\":[$hops],\"end\":\"$end\"}"
		rules+="${rules:+,}{\"in-dev\":\"i$n\",\"dst\":\"$DST_IP/32\",\"proto\":\"udp\",\"dport\":\"5001\",\"chain\":\"c$n\"}"
	done
	sep=""
	local ingress=""
	for n in "${LENGTHS[@]}"; do ingress+="$sep{\"dev\":\"i$n\"}"; sep=,; done
	[[ $end != stack ]] && ingress+=",{\"dev\":\"o\"}"
	echo "{\"ingress\":[$ingress],\"sfs\":[$sfs],\"chains\":[$chains],\"rules\":[$rules]}" |
		python3 "$BENCH_SRC/gendoc.py" --others "$OTHER_RULES" >"$WORK/$s.json" || return
	nsenter --net="/run/netns/$(ns "$s-fab")" -- "$SFCD" --once -f "$WORK/$s.json" \
		-P "$PIN/$s" >"$WORK/$s-once.log" 2>&1 || { cat "$WORK/$s-once.log" >&2; return 1; }
	for n in "${LENGTHS[@]}"; do set_tmpl "$s" "$n" "$(mac "$s-fab" "i$n")"; done
}
setup_sfcx() { setup_sfc sfcx xdp; }

# tc: clsact on every fabric interface, u32 match on the destination,
# mirred egress redirect to the next hop.
setup_tc() {
	local s=tc n k ifc fab
	build_base "$s" || return
	fab=$(ns "$s-fab")
	{
		echo "ns $fab"
		for n in "${LENGTHS[@]}"; do
			for ((k = 0; k <= n; k++)); do echo "xdp $(hop_if "$n" "$k") pass"; done
		done
	} | "$OUT/fabric" || return
	for n in "${LENGTHS[@]}"; do
		for ((k = 0; k <= n; k++)); do
			ifc=$(hop_if "$n" "$k")
			tc -n "$fab" qdisc add dev "$ifc" clsact || return
			tc -n "$fab" filter add dev "$ifc" ingress protocol ip pref 1 u32 \
				match ip dst 198.18.2.0/24 \
				action mirred egress redirect dev "$(next_if "$n" "$k")" || return
		done
		set_tmpl "$s" "$n" "$(mac "$s-fab" "i$n")"
	done
}

# bridge: chaining by MAC, a bridge per segment, static FDB entries for
# the destination's MAC, no learning. A bridge never sends a frame back
# out of the port it came in by, and a one-arm SF returns the frame
# unchanged on that port; VLAN stitching (the port's PVID picking the next
# segment) would get around that, but this kernel has no bridge VLAN
# filtering (CONFIG_BRIDGE_VLAN_FILTERING is off). So the bridge's SFs are
# two-arm: in on eth0 (fab:f<N>s<k>), out on eth1 (fab:r<N>s<k>).
#   b<N>x0 = { i<N>, f<N>s1 }, b<N>x<k> = { r<N>s<k>, f<N>s<k+1> }, and
#   the last segments of all chains share bout = { i0, r1s1, ..., r8s8, o }
setup_bridge() {
	local s=bridge n k fab dmac br in out p
	build_base "$s" two-arm || return
	fab=$(ns "$s-fab")
	dmac=$(mac "$s-dst" d0)
	# Bridged IPv4 through iptables (br_netfilter) is this kernel's default;
	# a chaining bridge has no use for it.
	nsx "$s-fab" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
		net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0 \
		>/dev/null 2>&1
	{
		echo "ns $fab"
		for n in "${LENGTHS[@]}"; do
			echo "xdp i$n pass"
			for ((k = 1; k <= n; k++)); do echo "xdp r${n}s$k pass"; done
		done
	} | "$OUT/fabric" || return
	for n in "${LENGTHS[@]}"; do
		for ((k = 0; k <= n; k++)); do
			br=b${n}x$k
			in=$(hop_if "$n" "$k")
			((k > 0)) && in=r${n}s$k
			out=$(next_if "$n" "$k")
			[[ $out == o ]] && br=bout
			ip -n "$fab" link show "$br" >/dev/null 2>&1 ||
				ip -n "$fab" link add "$br" type bridge stp_state 0 mcast_snooping 0 ||
				return
			for p in "$in" "$out"; do
				ip -n "$fab" link set "$p" master "$br" || return
				bridge -n "$fab" link set dev "$p" learning off || return
			done
			bridge -n "$fab" fdb replace "$dmac" dev "$out" master static || return
			ip -n "$fab" link set "$br" up || return
		done
		set_tmpl "$s" "$n" "$dmac"
	done
}

# Open vSwitch, userspace (netdev) datapath, its own daemons in the
# fabric namespace: in_port -> output per hop.
setup_ovs() {
	local s=ovs n k d fab ifc schema
	d=$WORK/ovs-run
	fab=$(ns "$s-fab")
	schema=/usr/share/openvswitch/vswitch.ovsschema
	build_base "$s" || return
	mkdir -p "$d"
	ovsdb-tool create "$d/conf.db" "$schema" || return
	export OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d
	ip netns exec "$fab" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" \
		--pidfile="$d/ovsdb-server.pid" --detach --no-chdir --log-file="$d/ovsdb.log" || return
	ip netns exec "$fab" ovs-vsctl --db="unix:$d/db.sock" --no-wait init || return
	ip netns exec "$fab" ovs-vswitchd "unix:$d/db.sock" --pidfile="$d/ovs-vswitchd.pid" \
		--detach --no-chdir --log-file="$d/vswitchd.log" || return
	ip netns exec "$fab" ovs-vsctl --db="unix:$d/db.sock" add-br br0 \
		-- set bridge br0 datapath_type=netdev || return
	{
		echo "ns $fab"
		for n in "${LENGTHS[@]}"; do
			for ((k = 0; k <= n; k++)); do echo "xdp $(hop_if "$n" "$k") pass"; done
		done
	} | "$OUT/fabric" || return
	ip netns exec "$fab" ovs-vsctl --db="unix:$d/db.sock" add-port br0 o || return
	ip netns exec "$fab" ovs-ofctl del-flows br0 || return
	for n in "${LENGTHS[@]}"; do
		for ((k = 0; k <= n; k++)); do
			ifc=$(hop_if "$n" "$k")
			ip netns exec "$fab" ovs-vsctl --db="unix:$d/db.sock" add-port br0 "$ifc" || return
		done
		for ((k = 0; k <= n; k++)); do
			ip netns exec "$fab" ovs-ofctl add-flow br0 \
				"in_port=$(hop_if "$n" "$k"),actions=output:$(next_if "$n" "$k")" || return
		done
		set_tmpl "$s" "$n" "$(mac "$s-fab" "i$n")"
	done
}

# frames an SF sent back: XDP_TX (one-arm) or redirected (two-arm)
sf_out() {
	nsx "$1" ethtool -S eth0 2>/dev/null |
		awk '/rx_queue_0_xdp_(tx|redirect):/ {n += $2} END {print n + 0}'
}

# Send a counted burst through every chain of a system: the sink must see
# (nearly) all of it, and every SF of the chain must have bounced it.
validate() {	# SYSTEM
	local s=$1 n k out tx rx sf_tx after bad=""
	for n in "${LENGTHS[@]}"; do
		[[ $s == limit && $n != 0 ]] && continue
		declare -A b=()
		for ((k = 1; k <= n; k++)); do b[$k]=$(sf_out "$s-n${n}s$k"); done
		# shellcheck disable=SC2086
		out=$("$OUT/traffic" ${TMPL["$s $n"]} --count 20000 2>&1) || { bad+=" N=$n: $out"; continue; }
		tx=$(jq -r .tx <<<"$out") rx=$(jq -r .rx <<<"$out")
		if ((rx < tx * 99 / 100)); then
			bad+=" N=$n: sink saw $rx of $tx;"
			continue
		fi
		for ((k = 1; k <= n; k++)); do
			after=$(sf_out "$s-n${n}s$k")
			sf_tx=$((after - ${b[$k]:-0}))
			((sf_tx >= tx * 99 / 100)) || bad+=" N=$n: SF $k bounced $sf_tx of $tx;"
		done
	done
	[[ -z $bad ]] && return 0
	echo "$bad"
	return 1
}

setup_all() {
	local s msg
	setup_limit || die "limit topology"
	SYS_STATE[limit]=ok
	for s in "${SYSTEMS[@]}"; do
		if [[ $s == ovs ]] && ! command -v ovs-vswitchd >/dev/null; then
			SYS_STATE[ovs]="not installed"
			continue
		fi
		log "setting up $s"
		case $s in
		floor|fstack|ffib) setup_floor "$s" >"$WORK/setup-$s.log" 2>&1 ;;
		*) "setup_$s" >"$WORK/setup-$s.log" 2>&1 ;;
		esac || { SYS_STATE[$s]="setup failed: $(tail -1 "$WORK/setup-$s.log")"; log "${SYS_STATE[$s]}"; continue; }
		SYS_STATE[$s]=ok
	done
	for s in limit "${SYSTEMS[@]}"; do
		[[ ${SYS_STATE[$s]} == ok ]] || continue
		if ! msg=$(validate "$s"); then
			SYS_STATE[$s]="broken:$msg"
			log "$s: $msg"
		fi
	done
}

# ---- the measured runs
measure() {	# ROUND SIZE SYSTEM N
	local win=$WIN64 out
	(($2 > 64)) && win=$WIN1500
	# shellcheck disable=SC2086
	out=$("$OUT/traffic" ${TMPL["$3 $4"]} --size "$2" --warmup "$WARMUP" --window "$win" 2>&1) ||
		{ log "$3 N=$4 $2 B: $out"; return; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$(jq -r .mpps <<<"$out")" \
		"$(jq -r .tx_mpps <<<"$out")" >>"$OUT/raw.tsv"
}

run_rounds() {
	local r size n s out
	printf 'round\tsize\tsystem\tn\tmpps\ttx_mpps\n' >"$OUT/raw.tsv"
	for ((r = 1; r <= ROUNDS; r++)); do
		log "round $r of $ROUNDS"
		for size in "${SIZES[@]}"; do
			measure "$r" "$size" limit 0
			# The generator alone: how much of every figure is the injector.
			# shellcheck disable=SC2086
			out=$("$OUT/traffic" ${TMPL["limit 0"]} --size "$size" --drop --warmup "$WARMUP" \
				--window "$WIN64" 2>/dev/null) &&
				printf '%s\t%s\tgenerator\t0\t%s\t%s\n' "$r" "$size" \
					"$(jq -r .tx_mpps <<<"$out")" "$(jq -r .tx_mpps <<<"$out")" >>"$OUT/raw.tsv"
			for n in "${LENGTHS[@]}"; do
				for s in "${SYSTEMS[@]}"; do
					[[ ${SYS_STATE[$s]} == ok ]] && measure "$r" "$size" "$s" "$n"
				done
			done
		done
	done
}

# sfc's own view of what went through it: per-hop counters, reasons.
sfc_stats() {
	nsenter --net="/run/netns/$(ns sfc-fab)" -- "$SFCD" --stats -j -P "$PIN/sfc" \
		>"$OUT/sfc-stats.json" 2>/dev/null
	if [[ ${SYS_STATE[sfcx]} == ok ]]; then
		nsenter --net="/run/netns/$(ns sfcx-fab)" -- "$SFCD" --stats -j -P "$PIN/sfcx" \
			>"$OUT/sfcx-stats.json" 2>/dev/null
	fi
	return 0
}

# ---- micro-benchmarks
run_micro() {
	local base n docs=()
	base='{"ingress":[{"dev":"in0"}],"sfs":[{"name":"s1","kind":"iface","dev":"sf1"},{"name":"s2","kind":"iface","dev":"sf2"}],"chains":[{"name":"c","spi":1,"hops":[["s1"],["s2"]]}],"rules":[{"in-dev":"in0","dst":"198.18.2.0/24","proto":"udp","dport":"5001","chain":"c"}]}'
	local limit=150
	[[ -n $QUICK ]] && limit=40
	for n in 10 1000 100000; do
		echo "$base" | python3 "$BENCH_SRC/gendoc.py" --others $((n - 1)) >"$WORK/micro-$n.json"
		docs+=("$WORK/micro-$n.json")
	done
	log "micro-benchmarks (BPF_PROG_TEST_RUN, 10^6 repetitions, $MICRO_RUNS runs each)"
	timeout "$limit" "$OUT/micro" -r 1000000 -n "$MICRO_RUNS" -P "$PIN/micro" -c "$GEN_CPU" \
		--flows "$MICRO_FLOWS" --flows-doc 1000 "${docs[@]}" >"$OUT/micro.json" 2>"$WORK/micro.log" ||
		{ log "micro failed or ran past $limit s: $(tail -3 "$WORK/micro.log")"
		  echo '{}' >"$OUT/micro.json"; }
}

# ---- control plane
# A fabric namespace with an ingress point and 8 SF interfaces (their veth
# peers in cp-sfs). Each measurement gets a fresh sfcd (empty state, its
# own pin dir): an apply that runs past its time limit leaves that sfcd
# busy, and it is killed rather than waited for.
CP_N=0

cp_start() {	# -> DAEMON_PID, CP_SOCK, CP_PIN
	CP_N=$((CP_N + 1))
	CP_SOCK=$WORK/cp$CP_N.sock CP_PIN=$PIN/cp$CP_N
	nsenter --net="/run/netns/$(ns cp-fab)" -- "$SFCD" -f "$WORK/cp$CP_N.state" \
		-P "$CP_PIN" -s "$CP_SOCK" >"$WORK/cp$CP_N.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 300); do
		[[ -S $CP_SOCK ]] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	log "sfcd did not start: $(tail -2 "$WORK/cp$CP_N.log")"
	return 1
}

cp_stop() {
	[[ -n $DAEMON_PID ]] || return 0
	kill "$DAEMON_PID" 2>/dev/null
	for _ in $(seq 40); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.05; done
	kill -9 "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	nsenter --net="/run/netns/$(ns cp-fab)" -- "$SFCD" --unload -P "$CP_PIN" >/dev/null 2>&1
}

# cp_apply DOC LIMIT: CP_RESULT, a JSON object ({"timeout":LIMIT} when over
# the limit). Not in a subshell: the daemon's pid must stay known here.
cp_apply() {
	local out rc
	CP_RESULT=null
	cp_start || return
	out=$(timeout "$2" "$OUT/ctl" apply -S "$CP_SOCK" -f "$1" 2>>"$WORK/cp-ctl.log")
	rc=$?
	if ((rc == 0)); then
		CP_RESULT=$out
	elif ((rc == 124)); then
		CP_RESULT="{\"timeout\":$2}"
	fi
	cp_stop
}

run_control() {
	local k base res=$OUT/control.json limit=45 chains_big=10000 rules=100000
	[[ -n $QUICK ]] && limit=10
	log "control plane: apply timings, rtnetlink latency"
	ns_add cp-fab && ns_add cp-sfs || return
	veth cp-fab i0 cp-sfs g0 || return
	for k in 1 2 3 4 5 6 7 8; do veth cp-fab "s$k" cp-sfs "e$k" || return; done
	base='{"ingress":[{"dev":"i0"}],"sfs":['
	for k in 1 2 3 4 5 6 7 8; do
		base+="$( ((k > 1)) && echo ,){\"name\":\"sf$k\",\"kind\":\"iface\",\"dev\":\"s$k\"}"
	done
	base+='],"chains":[{"name":"c","spi":1,"hops":[["sf1"],["sf2"]]}],"rules":[{"in-dev":"i0","dst":"198.18.2.0/24","proto":"udp","chain":"c"}]}'
	gen() { echo "$base" | python3 "$BENCH_SRC/gendoc.py" "$@"; }
	gen --others $((rules - 1)) >"$WORK/cp-rules.json"
	gen --others "$OTHER_RULES" >"$WORK/cp-1k.json"
	gen --others 9999 >"$WORK/cp-10k.json"
	for k in 1000 2000 $chains_big; do
		gen --extra-chains $((k - 1)) >"$WORK/cp-chains$k.json"
	done

	local a_rules=null a_c1=null a_c2=null a_cbig=null nl nl10=null
	cp_apply "$WORK/cp-rules.json" "$limit"; a_rules=$CP_RESULT
	cp_apply "$WORK/cp-chains1000.json" "$limit"; a_c1=$CP_RESULT
	cp_apply "$WORK/cp-chains2000.json" "$limit"; a_c2=$CP_RESULT
	cp_apply "$WORK/cp-chains$chains_big.json" "$limit"; a_cbig=$CP_RESULT

	# rtnetlink: sfcd holds a document, an SF interface flaps
	nl=null
	if cp_start && timeout "$limit" "$OUT/ctl" apply -S "$CP_SOCK" -f "$WORK/cp-1k.json" \
		>/dev/null 2>>"$WORK/cp-ctl.log"; then
		sleep 0.5	# the reconcile its own attachments caused
		nl=$(timeout 120 "$OUT/ctl" netlink -n "$(ns cp-fab)" -P "$CP_PIN" -i s2 \
			-c "$NL_SAMPLES" 2>>"$WORK/cp-ctl.log") || nl=null
	fi
	cp_stop
	if [[ -z $QUICK ]] && cp_start &&
		timeout "$limit" "$OUT/ctl" apply -S "$CP_SOCK" -f "$WORK/cp-10k.json" >/dev/null 2>>"$WORK/cp-ctl.log"; then
		sleep 1
		nl10=$(timeout 60 "$OUT/ctl" netlink -n "$(ns cp-fab)" -P "$CP_PIN" -i s2 \
			-c 20 2>>"$WORK/cp-ctl.log") || nl10=null
	fi
	cp_stop
	run_control_big
	printf '{"limit_s":%s,"rules":%d,"apply_rules":%s,"apply_chains_1000":%s,"apply_chains_2000":%s,"apply_chains_big":%s,"chains_big":%d,"netlink":%s,"netlink_10k":%s,"netlink_big":%s,"netlink_applying":%s,"applies_during":%s,"yield_gaps":%s}\n' \
		"$limit" "$rules" "$a_rules" "$a_c1" "$a_c2" "$a_cbig" "$chains_big" "$nl" "$nl10" \
		"$NL_BIG" "$NL_APPLYING" "$APPLIES_DURING" "$YIELD_GAPS" >"$res"
}

# Link events with 100,000 rules and 10,000 chains loaded in sfcd (the
# issue's target: an SF link down or up in the maps in < 5 ms at p99), then
# the same while applies of two such documents (they differ in one rule)
# run back to back; and the longest stretches without a yield point in the
# pure phases of such an apply (yieldgap, malloc as sfcd sets it and
# with glibc's fastbins). Sets NL_BIG, NL_APPLYING, APPLIES_DURING, YIELD_GAPS.
run_control_big() {
	local stop=$WORK/cp-applying.stop loop n
	NL_BIG=null NL_APPLYING=null APPLIES_DURING=null YIELD_GAPS=null
	gen --others 99999 --extra-chains 9999 >"$WORK/cp-big-a.json"
	gen --others 99998 --extra-chains 9999 >"$WORK/cp-big-b.json"
	cp_start || return
	if ! timeout 120 "$OUT/ctl" apply -S "$CP_SOCK" -f "$WORK/cp-big-a.json" >/dev/null \
		2>>"$WORK/cp-ctl.log"; then
		log "control plane: the 100k-rule, 10k-chain document was not applied"
		cp_stop
		return
	fi
	sleep 1
	YIELD_GAPS=$(for m in sfcd fastbins; do
		nsenter --net="/run/netns/$(ns cp-fab)" -- "$OUT/yieldgap" -f "$WORK/cp-big-a.json" \
			-m "$m" 2>>"$WORK/cp-ctl.log" || echo null
	done | jq -s -c . 2>/dev/null) || YIELD_GAPS=null
	[[ -n $YIELD_GAPS ]] || YIELD_GAPS=null
	NL_BIG=$(timeout 300 "$OUT/ctl" netlink -n "$(ns cp-fab)" -P "$CP_PIN" -i s2 \
		-c "$NL_SAMPLES" 2>>"$WORK/cp-ctl.log") || NL_BIG=null
	rm -f "$stop"
	(
		n=0
		while [[ ! -e $stop ]]; do
			for d in b a; do
				timeout 120 "$OUT/ctl" apply -S "$CP_SOCK" -f "$WORK/cp-big-$d.json" \
					>>"$WORK/cp-applying.jsonl" 2>>"$WORK/cp-ctl.log" || exit 1
			done
		done
	) &
	loop=$!
	sleep 2	# the first apply is under way
	NL_APPLYING=$(timeout 600 "$OUT/ctl" netlink -n "$(ns cp-fab)" -P "$CP_PIN" -i s2 \
		-c "$NL_SAMPLES" 2>>"$WORK/cp-ctl.log") || NL_APPLYING=null
	touch "$stop"
	wait "$loop"
	n=$(grep -c seconds "$WORK/cp-applying.jsonl" 2>/dev/null)
	APPLIES_DURING=$(jq -s -c '{count: length, seconds: [.[].seconds]}' \
		"$WORK/cp-applying.jsonl" 2>/dev/null) || APPLIES_DURING=null
	[[ -n $APPLIES_DURING ]] || APPLIES_DURING=null
	log "control plane: $n applies of 100k rules ran during the link flaps"
	cp_stop
}

# ---- main
main() {
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	[[ $(id -u) == 0 ]] || die "make bench needs root (namespaces, BPF)"
	for b in fabric traffic micro ctl yieldgap; do [[ -x $OUT/$b ]] || die "$OUT/$b missing: run make bench"; done
	[[ -x $SFCD ]] || die "$SFCD missing"
	mkdir -p "$PIN" "$OUT"
	ensure_gnuplot

	log "setting up (run $RUN)"
	setup_all
	{
		for s in limit "${SYSTEMS[@]}"; do printf '%s\t%s\n' "$s" "${SYS_STATE[$s]:-?}"; done
	} >"$OUT/systems.tsv"
	# BENCH_SKIP="micro control ..." leaves parts out (for working on the others).
	skip() { [[ " ${BENCH_SKIP:-} " == *" $1 "* ]]; }
	skip traffic || run_rounds
	[[ ${SYS_STATE[sfc]} == ok ]] && sfc_stats
	skip micro || run_micro
	rm -f "$OUT"/podtcp*.tsv "$OUT"/podtcp-*.json
	skip podtcp || "$BENCH_SRC/podtcp.sh" "$OUT" || log "pod TCP benchmark failed"
	skip control || run_control || log "control plane measurements failed"
	rm -f "$OUT/edits.json"
	skip edits || run_edits || log "hitless edit measurement failed"
	printf '{"quick":%s,"rounds":%d,"sizes":"%s","warmup":%s,"win64":%s,"win1500":%s,"gen_cpu":%d,"other_rules":%d,"seconds":%d,"load_start":"%s","load_end":"%s"}\n' \
		"$([[ -n $QUICK ]] && echo true || echo false)" "$ROUNDS" "${SIZES[*]}" "$WARMUP" "$WIN64" \
		"$WIN1500" "$GEN_CPU" "$OTHER_RULES" "$(($(date +%s) - T_START))" "$LOAD_START" \
		"$(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/params.json"
	python3 "$BENCH_SRC/report.py" "$OUT" || die "report"
	if command -v gnuplot >/dev/null; then
		(cd "$OUT" && gnuplot "$BENCH_SRC/chain.gp") || log "gnuplot failed"
	fi
	log "done: $OUT/results.md${QUICK:+ (QUICK run)}"
}

# Hitless edits: chain c1 of sfc with end xdp (the fastest way through sfc,
# so that the generator sends about 1 Mpps on this kind of machine) edited
# through sfcctl every 100 ms while the generator sends, a new flow every 32 frames (EDIT_CHURN; flows
# the fabric never saw keep coming, so every version gets traffic): hops
# reordered, removed and added back, instances added to hops and removed,
# weights changed. Every SF stays healthy, so every frame sent must reach
# the sink. The same traffic without edits first: what the machine loses
# by itself. Writes edits.json.
run_edits() {
	local fabns sock=$WORK/sfc-edit.sock pid secs=10 churn=${EDIT_CHURN:-32} rate count base edited stop n=0
	local tx_before sf_tx
	local -a edits
	[[ ${SYS_STATE[sfcx]} == ok ]] || return 0
	[[ -n $QUICK ]] && secs=3
	log "hitless edits: chain c1 (end xdp) edited every 100 ms for $secs s under traffic"
	fabns=$(ns sfcx-fab)
	cp "$WORK/sfcx.json" "$WORK/sfc-edit.json"
	nsenter --net="/run/netns/$fabns" -- "$SFCD" -f "$WORK/sfc-edit.json" -P "$PIN/sfcx" \
		-s "$sock" >"$WORK/sfc-edit.log" 2>&1 &
	pid=$!
	for _ in $(seq 300); do [[ -S $sock ]] && break; sleep 0.05; done
	[[ -S $sock ]] || { log "sfcd did not start: $(tail -2 "$WORK/sfc-edit.log")"; kill "$pid"; return 1; }
	ctl() { echo "$(date +%T.%N) sfcctl $*" >>"$WORK/sfc-edit-ctl.log"; timeout 10 "$ROOT/build/sfcctl" -s "$sock" "$@" >>"$WORK/sfc-edit-ctl.log" 2>&1; }
	edits=("chain set c1 hop n1s1,n8s1"
	       "sf set n8s1 weight 4"
	       "chain set c1 hop n1s1,n8s1,n8s2 hop n2s1"
	       "chain set c1 hop n2s1 hop n1s1,n8s1"
	       "sf set n8s1 weight 1"
	       "chain set c1 hop n8s2"
	       "chain set c1 hop n1s1")
	# the generator's rate for this traffic, then as many frames as fill the time
	# shellcheck disable=SC2086
	rate=$("$OUT/traffic" ${TMPL["sfcx 1"]} --churn "$churn" --warmup 0.2 --window 1 2>/dev/null |
		jq -r '.tx_mpps // 0')
	count=$(python3 -c "print(max(100000, min(int($rate * 1e6 * $secs), 50000000)))")
	# shellcheck disable=SC2086
	# each run its own flows: a flow seen before keeps its version
	base=$("$OUT/traffic" ${TMPL["sfcx 1"]} --churn "$churn" --first-flow 2000000 --count "$count" 2>&1) || base=null
	stop=$WORK/sfc-edit.stop
	rm -f "$stop"
	(
		i=0 t0=$(date +%s%N)
		while [[ ! -e $stop ]] && ((i < 20 * secs)); do
			# shellcheck disable=SC2086
			ctl ${edits[$((i % ${#edits[@]}))]} || echo "edit $i failed" >>"$WORK/sfc-edit-ctl.log"
			i=$((i + 1))
			# the next edit on the next 100 ms tick, however long this one took
			wait_ns=$((t0 + i * 100000000 - $(date +%s%N)))
			((wait_ns > 0)) && sleep "$(printf '0.%09d' "$wait_ns")"
		done
		echo "$i" >"$WORK/sfc-edit.count"
	) &
	sfs_tx() {
		nsenter --net="/run/netns/$fabns" -- "$SFCD" --stats -j -P "$PIN/sfcx" 2>/dev/null |
			jq -c '[.sfs[] | select(.name | test("^(n1s1|n2s1|n8s1|n8s2)$")) | {(.name): .tx_packets}] | add'
	}
	tx_before=$(sfs_tx)
	# shellcheck disable=SC2086
	edited=$("$OUT/traffic" ${TMPL["sfcx 1"]} --churn "$churn" --first-flow 8000000 --count "$count" 2>&1) || edited=null
	touch "$stop"
	wait $!
	n=$(cat "$WORK/sfc-edit.count" 2>/dev/null || echo 0)
	sf_tx=$(jq -nc --argjson a "${tx_before:-null}" --argjson b "$(sfs_tx)" \
		'if $a and $b then $b | with_entries(.value -= $a[.key]) else null end' 2>/dev/null) ||
		sf_tx=null
	nsenter --net="/run/netns/$fabns" -- "$SFCD" --stats -j -P "$PIN/sfcx" \
		>"$OUT/sfc-edit-stats.json" 2>/dev/null
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	cp "$WORK/sfc-edit-ctl.log" "$OUT/sfc-edit-ctl.log" 2>/dev/null
	cp "$WORK/sfc-edit.log" "$OUT/sfc-edit-sfcd.log" 2>/dev/null
	printf '{"seconds":%s,"edits":%s,"edit_failures":%s,"churn":%s,"sf_tx":%s,"baseline":%s,"edited":%s}\n' \
		"$secs" "$n" "$(cat "$WORK/sfc-edit-ctl.log" 2>/dev/null | grep -c failed)" \
		"$churn" "${sf_tx:-null}" "$(jq -c . <<<"$base" 2>/dev/null || echo null)" \
		"$(jq -c . <<<"$edited" 2>/dev/null || echo null)" >"$OUT/edits.json"
}

# Sourced (to work on one part by hand), it only defines the functions.
[[ ${BASH_SOURCE[0]} == "$0" ]] && main "$@"
