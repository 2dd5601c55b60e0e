# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables for the scripts that source this
#
# Common part of the sfcd daemon tests (tests/daemon/*.sh): a small fabric,
# a running sfcd, its API and counters, numbered UDP probes.
#
#   src ── fs0 ┌──────────── fab ────────────┐ fd0 ── dst
#   .1.1       │  f1a  f1b         f2a  f2b  │       .2.1
#              └───┼────┼───────────┼────┼───┘
#                 eth0 eth1        eth0 eth1
#                    sf1              sf2
#              linux bridge       linux bridge
#
# Addresses: src 198.18.1.1/24, dst 198.18.2.1/24, fab .254 on both; IPv4
# only (IPv6 is disabled everywhere, so no ND or MLD noise in counters).
#
# Chain "web" (SPI 100): s1 (dev f1a, back on f1b) -> s2 (f2a, back on f2b).
# Each SF marks what it forwards between the host networks in the DSCP
# field, so the receiver can tell which SFs a datagram crossed:
#	sf1: CS0 -> CS1, CS2 -> CS3	sf2: CS0 -> CS2, CS1 -> CS3
# DSCP 24 (CS3) at dst: both SFs; 8: sf1 only; 16: sf2 only; 0: no SF.
# An SF counts in table bridge sfct: "pkts" everything it forwarded between
# the host networks, "wrong" what came with an unexpected DSCP.
#
# Rules: UDP to dst ports 5000-5099 and ICMP both ways are chained; UDP
# port 6000 is not.
#
# Every script: . lib.sh; d_init (root, tools, temp dir, trap); d_topo;
# d_state_json drop >"$STATE"; d_sfcd_start; ...; assert_done.
# Helpers beside this file: probe.py (numbered UDP probes and the outage
# timing), api_storm.py (many API clients at once), api_client.py (a raw
# API client: padding, slow reading).

D_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
D_ROOT=$(cd "$D_LIB_DIR/../.." && pwd)
NS_PREFIX=${NS_PREFIX:-sfdt-$$-}
# shellcheck source=tests/lib/netns.sh
. "$D_ROOT/tests/lib/netns.sh"
# shellcheck source=tests/lib/assert.sh
. "$D_ROOT/tests/lib/assert.sh"

SFCD=${SFCD:-$SFC_BIN_DIR/sfcd}
PROBE=$D_LIB_DIR/probe.py
TCP_ECHO=$D_LIB_DIR/tcp_echo.py
PY=/usr/bin/python3

SRC4=198.18.1.1 DST4=198.18.2.1
NET_SRC=198.18.1.0/24 NET_DST=198.18.2.0/24
CHAINED_PORT=5000	# rule pref 10: udp dport 5000-5099 from fs0
PLAIN_PORT=6000		# no rule
DSCP_NONE=0 DSCP_SF1=8 DSCP_SF2=16 DSCP_FULL=24

SFCD_PID=

# ---- setup -----------------------------------------------------------------

# d_init: checks that the test can run, a temp dir ($T) with the state file
# ($STATE), sfcd's log ($SFCD_LOG) and the socket ($SOCK), a pin dir ($PIN)
# unloaded at cleanup, and the cleanup trap.
d_init() {
	local tool
	netns_trap
	if ((EUID != 0)); then
		fail setup "needs root"
		assert_done
	fi
	[[ -x $SFCD ]] || { fail setup "$SFCD missing: run make"; assert_done; }
	for tool in ip nft jq socat nsenter timeout setpriv sha256sum "$PY"; do
		command -v "$tool" >/dev/null || { fail setup "missing tool $tool"; assert_done; }
	done
	tmp_dir_new || { fail setup "mktemp"; assert_done; }
	T=$NS_LAST_TMP
	# a private copy: a rebuild during the run must not change the
	# daemon between a kill and a restart
	cp "$SFCD" "$T/sfcd" || { fail setup "cp $SFCD"; assert_done; }
	SFCD=$T/sfcd
	mkdir -p "$T/run"
	SOCK=$T/run/sfcd.sock
	STATE=$T/state.json
	SFCD_LOG=$T/sfcd.log
	pin_dir_new fab
	PIN=$NS_LAST_PIN
	# last pushed, first run: stop sfcd before unloading under it
	cleanup_push d_unload
	cleanup_push "d_sfcd_kill"
	# scripts print sfcd's log when something failed
	cleanup_push "d_dump_log_on_failure"
}

# d_unload: sfcd --unload in fab, where it attached (ifindexes are per
# namespace: run on the host, it would act on the host's interfaces)
d_unload() {
	[[ -e $PIN ]] || return 0
	if [[ -n ${FAB:-} && -e /run/netns/$FAB ]]; then
		nsenter --net="/run/netns/$FAB" -- timeout 20 "$SFCD" --unload -P "$PIN"
	else
		timeout 20 "$SFCD" --unload -P "$PIN"
	fi
}

d_dump_log_on_failure() {
	((ASSERT_FAILED)) || return 0
	[[ -s $SFCD_LOG ]] || return 0
	echo "# sfcd log (last 25 lines):" >&2
	grep -v 'debug: libbpf' "$SFCD_LOG" | tail -n 25 | sed 's/^/#   /' >&2
}

d_nosys6() {	# ROLE: no IPv6 in that namespace
	ns_sysctl "$1" net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

# d_topo [nosf]: src, fab, dst; and the two SFs unless "nosf".
d_topo() {
	local r
	for r in src fab dst; do
		ns_add "$r" && d_nosys6 "$r" || return
	done
	FAB=$(ns_name fab) SRC=$(ns_name src) DST=$(ns_name dst)
	ns_sysctl fab net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 || return
	veth_add src eth0 fab fs0 || return
	veth_add dst eth0 fab fd0 || return
	addr_add src eth0 "$SRC4/24" && addr_add dst eth0 "$DST4/24" || return
	addr_add fab fs0 198.18.1.254/24 && addr_add fab fd0 198.18.2.254/24 || return
	ip -n "$SRC" route add default via 198.18.1.254 || return
	ip -n "$DST" route add default via 198.18.2.254 || return
	[[ ${1:-} == nosf ]] && return 0
	d_sf_build 1 && d_sf_build 2
}

# d_sf_build N: namespace sfN, a bridge between eth0 and eth1, the DSCP
# marking, and the veths fNa-eth0, fNb-eth1 to fab (set up last).
d_sf_build() {
	local n=$1 ns mine other
	ns_add "sf$n" && d_nosys6 "sf$n" || return
	ns=$(ns_name "sf$n")
	# Learning off: both directions enter on eth0, so learned MACs would
	# point back at eth0; flooding two ports is forwarding to the other.
	ip -n "$ns" link add name br0 type bridge stp_state 0 mcast_snooping 0 || return
	ip -n "$ns" link set dev br0 up || return
	if ((n == 1)); then mine=cs1 other=cs2; else mine=cs2 other=cs1; fi
	ns_exec "sf$n" nft -f - <<-EOF || return
		table bridge sfct {
			counter pkts {}
			counter wrong {}
			chain forward {
				type filter hook forward priority 0; policy accept;
				ip daddr { $NET_SRC, $NET_DST } counter name pkts
				ip daddr { $NET_SRC, $NET_DST } ip dscp cs0 ip dscp set $mine accept
				ip daddr { $NET_SRC, $NET_DST } ip dscp $other ip dscp set cs3 accept
				ip daddr { $NET_SRC, $NET_DST } counter name wrong
			}
		}
	EOF
	d_sf_link_add "$n" a eth0 && d_sf_link_add "$n" b eth1
}

# d_sf_link_add N a|b SFIF: (re)create veth fN{a,b} in fab <-> SFIF in sfN,
# SFIF a bridge port; fab's end is set up last. D_LINK_UP_NS: CLOCK_REALTIME
# just before that last "link set up", D_LINK_UP_DONE_NS: once it returned.
d_sf_link_add() {
	local n=$1 arm=$2 sfif=$3 sfns
	sfns=$(ns_name "sf$n")
	ip -n "$FAB" link add name "f$n$arm" type veth peer name "$sfif" netns "$sfns" || return
	ip -n "$sfns" link set dev "$sfif" master br0 || return
	ip -n "$sfns" link set dev "$sfif" type bridge_slave learning off flood on || return
	ip -n "$sfns" link set dev "$sfif" up || return
	D_LINK_UP_NS=$(date +%s%N)
	ip -n "$FAB" link set dev "f$n$arm" up || return
	D_LINK_UP_DONE_NS=$(date +%s%N)
}

# d_sf_count N NAME: packets of counter NAME of sfN
d_sf_count() {
	ns_exec "sf$1" nft -j list counter bridge sfct "$2" 2>/dev/null |
		jq -r '.nftables[] | select(.counter) | .counter.packets'
}

# d_state_json [POLICY]: the state document (chain web, on-failure POLICY)
d_state_json() {
	cat <<-EOF
	{
	  "version": 1,
	  "ingress": [{"dev": "fs0"}, {"dev": "fd0"}],
	  "sfs": [
	    {"name": "s1", "kind": "iface", "dev": "f1a", "out-dev": "f1b"},
	    {"name": "s2", "kind": "iface", "dev": "f2a", "out-dev": "f2b"}
	  ],
	  "chains": [{"name": "web", "spi": 100, "hops": [["s1"], ["s2"]], "on-failure": "${1:-drop}"}],
	  "rules": [
	    {"pref": 10, "in-dev": "fs0", "dst": "$NET_DST", "proto": "udp", "dport": "5000-5099", "chain": "web"},
	    {"pref": 20, "in-dev": "fs0", "dst": "$NET_DST", "proto": "icmp", "chain": "web"},
	    {"pref": 30, "in-dev": "fd0", "dst": "$NET_SRC", "proto": "icmp", "chain": "web"}
	  ]
	}
	EOF
}

# d_echo_start PORTS: a TCP echo server (tcp_echo.py) in dst on PORTS,
# ready when this returns; SRV_PID
d_echo_start() {
	rm -f "$T/srv.ready"
	bg_run timeout 120 ip netns exec "$DST" "$PY" "$TCP_ECHO" server "$DST4" "$1" \
		--time 100 --ready "$T/srv.ready"
	SRV_PID=$BG_PID
	wait_until 10 test -e "$T/srv.ready"
}

# d_echo_stop PID: stop that server; its listeners close, and with them
# any half-open connection it still answered
d_echo_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# ---- sfcd ------------------------------------------------------------------

# d_api JSON-LINE...: send request lines on one connection, print the replies
d_api() {
	printf '%s\n' "$@" | timeout 15 socat -t 10 - "UNIX-CONNECT:$SOCK" 2>&1
}

# d_health_of PID: sfcd with that pid answers health
d_health_of() {
	[[ $(d_api '{"cmd":"health"}' | jq -r 'select(.ok == true) | .pid' 2>/dev/null) == "$1" ]]
}

# d_sfcd_start [ARGS...]: run sfcd in fab (nsenter keeps the host's bpffs
# mount; it execs sfcd, so $! is sfcd's pid) and wait until it answers.
# Sets SFCD_PID. Its stderr goes to $SFCD_LOG.
d_sfcd_start() {
	echo "--- sfcd start $(date +%T.%N)" >>"$SFCD_LOG"
	nsenter --net="/run/netns/$FAB" -- "$SFCD" -f "$STATE" -P "$PIN" -s "$SOCK" -v \
		"$@" </dev/null >>"$SFCD_LOG" 2>&1 &
	SFCD_PID=$!
	local deadline=$((SECONDS + 15))
	until d_health_of "$SFCD_PID"; do
		if ! kill -0 "$SFCD_PID" 2>/dev/null ||
			[[ $(ps -o stat= -p "$SFCD_PID" 2>/dev/null) == Z* ]]; then
			echo "# sfcd (pid $SFCD_PID) exited before answering:" >&2
			grep -v 'debug:' "$SFCD_LOG" | tail -n 5 | sed 's/^/#   /' >&2
			return 1
		fi
		if ((SECONDS >= deadline)); then
			echo "# sfcd (pid $SFCD_PID) did not answer health within 15 s" >&2
			return 1
		fi
		sleep 0.1
	done
}

# d_sfcd_stop SIGNAL: signal sfcd, wait for it (10 s at most, then
# SIGKILL). D_EXIT: its exit status (128+N when killed by signal N).
d_sfcd_stop() {
	local sig=$1 i
	D_EXIT=
	[[ -n $SFCD_PID ]] || return 1
	# stderr off while bash reaps it: no "Killed" job notice
	{
		kill "-$sig" "$SFCD_PID"
		for ((i = 0; i < 100; i++)); do
			kill -0 "$SFCD_PID" || break
			# a zombie is gone for our purpose; wait reaps it below
			[[ $(ps -o stat= -p "$SFCD_PID") == Z* ]] && break
			sleep 0.1
		done
		kill -0 "$SFCD_PID" && [[ $(ps -o stat= -p "$SFCD_PID") != Z* ]] &&
			kill -KILL "$SFCD_PID"
		wait "$SFCD_PID"
		D_EXIT=$?
	} 2>/dev/null
	SFCD_PID=
}

d_sfcd_kill() {
	[[ -n $SFCD_PID ]] && d_sfcd_stop TERM
	return 0
}

# d_stats: sfcd --stats -j from the pins
d_stats() {
	timeout 15 "$SFCD" --stats -j -P "$PIN" 2>/dev/null
}

# d_xdp_id DEV: id of the XDP program on DEV in fab (0: none)
d_xdp_id() {
	ip -n "$FAB" -j -d link show dev "$1" | jq -r '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // 0'
}

# d_tc_id DEV: id of the program of the tc ingress filter on DEV in fab (0: none)
d_tc_id() {
	ip netns exec "$FAB" bpftool -j net show dev "$1" 2>/dev/null |
		jq -r '[.[0].tc[]? | select(.kind == "clsact/ingress") | .id][0] // 0'
}

# d_steer_of DEV: how sfcd --stats says DEV is steered (tc, xdp, xdp-generic)
d_steer_of() {
	d_stats | jq -r --arg d "$1" '.interfaces[]? | select(.dev == $d) | .steer'
}

# d_abi_version: the map ABI recorded beside the pins ("none": not recorded)
# The map ABI version this tree's sfc speaks (headers/sfc_abi.h).
D_ABI=$(awk '$1 == "#define" && $2 == "SFC_ABI_VERSION" { print $3 }' "$D_ROOT/headers/sfc_abi.h")

d_abi_version() {
	local b
	b=$(bpftool -j map lookup pinned "$PIN/sfc_record_abi" key 0 0 0 0 2>/dev/null |
		jq -r '.value[0] // empty' 2>/dev/null)
	[ -n "$b" ] && printf '%d\n' "$b" || echo none
}

# d_get: the stored document, sorted keys, from the API
d_get() {
	d_api '{"cmd":"get"}' | jq -S '.doc' 2>/dev/null
}

# st FILE JQ: a value from a --stats -j snapshot ("missing" if absent;
# not jq's //, which would take false for absent)
st() {
	jq -r "[$2] | if length == 0 or .[0] == null then \"missing\" else .[0] end" \
		"$1" 2>/dev/null || echo invalid
}
st_hop() { st "$1" ".chains[]? | select(.name == \"${4:-web}\") | .hops[]? | select(.hop == $2) | .$3"; }
st_sf() { st "$1" ".sfs[]? | select(.name == \"$2\") | .$3"; }
st_reason() {
	local n
	n=$(st "$1" ".reasons[]? | select(.name == \"$2\") | .count")
	[[ $n == missing ]] && n=0
	echo "$n"
}

# delta A B: B - A, or both as text when either is not a number
delta() {
	if [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]]; then
		echo $(($2 - $1))
	else
		echo "before=$1,after=$2"
	fi
}

# ---- probes ----------------------------------------------------------------

# d_recv_start NAME PORT COUNT [IDLE_TIMEOUT [hold]]: start a receiver in dst;
# summary in $T/NAME.rx.json, log in $T/NAME.rx.log. Sets D_RECV_PID.
d_recv_start() {
	local name=$1 port=$2 count=$3 idle=${4:-2} hold=()
	rm -f "$T/$name.ready"
	# with sender NAME in the background: silence ends the receiver only
	# once that sender is done (an outage may outlast IDLE on a loaded host)
	if [[ ${5:-} == hold ]]; then
		rm -f "$T/$name.stop"
		hold=(--hold-file "$T/$name.stop")
	fi
	bg_run timeout 120 ip netns exec "$DST" "$PY" "$PROBE" recv "$DST4" "$port" "$count" \
		--timeout "$idle" "${hold[@]}" --ready "$T/$name.ready" --log "$T/$name.rx.log" \
		>"$T/$name.rx.json"
	D_RECV_PID=$BG_PID
	wait_until 10 test -e "$T/$name.ready"
}

# d_send_bg NAME PORT COUNT INTERVAL: start a sender in src; its log in
# $T/NAME.tx.log. It stops after COUNT datagrams or once d_send_stop NAME
# has been called. Sets D_SEND_PID.
d_send_bg() {
	local name=$1 port=$2 count=$3 iv=$4
	rm -f "$T/$name.stop"
	bg_run timeout 120 ip netns exec "$SRC" "$PY" "$PROBE" send "$DST4" "$port" "$count" \
		--interval "$iv" --log "$T/$name.tx.log" --stop-file "$T/$name.stop"
	D_SEND_PID=$BG_PID
}

# d_send_stop NAME [AFTER_S]: stop sender NAME (after AFTER_S seconds) and
# wait for it
d_send_stop() {
	sleep "${2:-0}"
	touch "$T/$1.stop"
	wait "$D_SEND_PID"
}

# d_sent NAME: how many datagrams sender NAME sent
d_sent() { wc -l <"$T/$1.tx.log" 2>/dev/null || echo 0; }

# d_probe NAME PORT COUNT [INTERVAL]: send COUNT datagrams and wait for the
# receiver; prints its summary.
d_probe() {
	local name=$1 port=$2 count=$3 iv=${4:-0.002}
	# the receiver waits for the sender however long it takes to start
	# (a loaded host), then stops after 1 s of silence
	d_recv_start "$name" "$port" "$count" 1 hold || { echo '{"error":"receiver did not start"}'; return 1; }
	timeout 60 ip netns exec "$SRC" "$PY" "$PROBE" send "$DST4" "$port" "$count" \
		--interval "$iv" --log "$T/$name.tx.log"
	touch "$T/$name.stop"
	wait "$D_RECV_PID"
	cat "$T/$name.rx.json"
}

# d_chained LABEL NAME: 30 probes on the chained port (receiver NAME) all
# arrive marked by both SFs (a check named LABEL)
d_chained() {
	local r
	r=$(d_probe "$2" "$CHAINED_PORT" 30 0.003)
	assert_eq "$1" "{\"$DSCP_FULL\":30}" "$(jq -c .dscp <<<"$r" 2>/dev/null)"
}

# d_sfcd_run ARGS...: another sfcd in fab, 10 s at most (--once, --stats,
# --unload, a start that should be refused); exit status in RC, its
# messages in MSG
d_sfcd_run() {
	MSG=$(timeout 10 nsenter --net="/run/netns/$FAB" -- "$SFCD" "$@" </dev/null 2>&1)
	RC=$?
}

# d_flows NAME PORTS COUNT: COUNT datagrams to each port of PORTS (one flow
# per port, source port 40000), and wait for the receiver; its summary in
# $T/NAME.json
d_flows() {
	d_recv_start "$1" "$2" "$3" 2 || return 1
	timeout 60 ip netns exec "$SRC" "$PY" "$PROBE" send "$DST4" "$2" "$3" \
		--interval 0.0005 --sport 40000 --log "$T/$1.tx.log" >/dev/null
	wait "$D_RECV_PID"
	cp "$T/$1.rx.json" "$T/$1.json"
}

# rx FILE JQ: a field of a receiver summary
rx() { jq -r "$2" "$1" 2>/dev/null || echo invalid; }
