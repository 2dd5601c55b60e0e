#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# In-VM integration test (busybox sh, iproute2, jq): real traffic through
# an sfc chain of one bridging SF, on whatever kernel the VM runs.
#
#   src ── fs0 ┌──── fab (router, sfc) ────┐ fd0 ── dst
#              │       f1a     f1b         │
#              └────────┼───────┼──────────┘
#                     eth0    eth1
#                   sf1: Linux bridge br0 (learning off, flooding)
#
# Chain c1 (SPI 10) = [br]; rules chain ICMP, ICMPv6 echo and TCP port
# 5201 between src's and dst's networks, both directions. Checked three
# times: with sfcd's default steering (auto: these veths have stacks
# behind them, so tc and bpf_redirect_peer, packets stay skbs), with
# --steer xdp (XDP redirect into the SF's veth, XDP on its peer), and with
# --steer xdp --no-peer-xdp (XDP, handed to tc to reach the SF):
#  - ping IPv4 and IPv6: all answered, and sf1's eth0 received and its
#    eth1 sent exactly the 2N echo frames (the fabric has no address and
#    no IPv6 on f1a, so nothing else reaches eth0 from fab);
#  - a TCP transfer through the chain arrives intact (sha256);
#  - traffic no rule matches (TCP port 6000, ping to fab itself) is
#    delivered and never reaches sf1;
#  - sfcd --stats agrees (chain, hop and SF counters; no drop reasons);
#  - sfcd --unload removes the pins and every program.
# Lines "PASS label" / "FAIL label: why", "# ..." for diagnostics.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SFCD=${SFCD:-$HERE/../../build/sfcd}
P=${NS_PREFIX:-vmt-}
PING_N=${PING_N:-5}
TCP_KB=${TCP_KB:-1024}
T=$(mktemp -d /tmp/vmt.XXXXXX) || exit 1
PIN=/sys/fs/bpf/${P}sfc
FAB=${P}fab SRC=${P}src DST=${P}dst SF1=${P}sf1

npass=0
nfail=0
pass() { npass=$((npass + 1)); echo "PASS $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL $1: $2"; }
# check LABEL EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2', got '$3'"
		return 1
	fi
}
done_() {
	[ $((npass + nfail)) -gt 0 ] || fail setup "no check ran"
	[ "$nfail" = 0 ]
	exit $?
}

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
	[ -d "$PIN" ] && nx "$FAB" "$SFCD" --unload --pin-dir "$PIN" >/dev/null 2>&1
	rm -rf "$PIN"
	for r in src fab dst sf1; do
		ip netns del "$P$r" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# nx NS CMD...: CMD in namespace NS, but this mount namespace (bpffs)
nx() {
	ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}
sysctls() {
	ns=$1
	shift
	for kv in "$@"; do
		nx "$ns" sysctl -qw "$kv" >/dev/null || return
	done
}
# veth NS1 IF1 NS2 IF2
veth() {
	ip -n "$1" link add name "$2" type veth peer name "$4" netns "$3" &&
		ip -n "$1" link set dev "$2" up && ip -n "$3" link set dev "$4" up
}
# ifstat NS DEV rx|tx: packets counted by DEV in NS
ifstat() {
	nx "$1" cat /proc/net/dev | sed 's/:/ /' |
		awk -v d="$2" -v w="$3" '$1 == d { print (w == "rx") ? $3 : $11 }'
}
sfcd() { timeout 60 nsenter --net="/run/netns/$FAB" -- "$SFCD" "$@"; }
# st FILE JQ: a number from a sfcd --stats -j snapshot, or "missing"
st() { jq -r "($2) // \"missing\"" "$1" 2>/dev/null || echo invalid; }
delta() {
	case "$1$2" in
	*[!0-9]*) echo "before=$1,after=$2" ;;
	*) echo $(($2 - $1)) ;;
	esac
}

topo() {
	for r in src fab dst sf1; do
		ip netns add "$P$r" || return
		ip -n "$P$r" link set lo up
		sysctls "$P$r" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 || return
	done
	sysctls "$FAB" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 || return
	veth "$SRC" eth0 "$FAB" fs0 || return
	veth "$DST" eth0 "$FAB" fd0 || return
	ip -n "$SRC" addr add 198.18.1.1/24 dev eth0 &&
		ip -n "$SRC" addr add 2001:db8:1::1/64 dev eth0 nodad &&
		ip -n "$SRC" route add default via 198.18.1.254 &&
		ip -n "$SRC" -6 route add default via 2001:db8:1::fe || return
	ip -n "$DST" addr add 198.18.2.1/24 dev eth0 &&
		ip -n "$DST" addr add 2001:db8:2::1/64 dev eth0 nodad &&
		ip -n "$DST" route add default via 198.18.2.254 &&
		ip -n "$DST" -6 route add default via 2001:db8:2::fe || return
	ip -n "$FAB" addr add 198.18.1.254/24 dev fs0 &&
		ip -n "$FAB" addr add 2001:db8:1::fe/64 dev fs0 nodad &&
		ip -n "$FAB" addr add 198.18.2.254/24 dev fd0 &&
		ip -n "$FAB" addr add 2001:db8:2::fe/64 dev fd0 nodad || return
	# sf1: a bridge between its two arms. Learning off: both directions
	# enter on eth0; flooding two ports forwards to the other one.
	sysctls "$SF1" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return
	veth "$FAB" f1a "$SF1" eth0 || return
	veth "$FAB" f1b "$SF1" eth1 || return
	# nothing of fab's own leaves on f1a: sf1's eth0 counts only chained frames
	sysctls "$FAB" net.ipv6.conf.f1a.disable_ipv6=1 || return
	ip -n "$SF1" link add name br0 type bridge stp_state 0 mcast_snooping 0 || return
	for d in eth0 eth1; do
		ip -n "$SF1" link set dev "$d" master br0 &&
			ip -n "$SF1" link set dev "$d" type bridge_slave learning off flood on || return
	done
	ip -n "$SF1" link set dev br0 up
}

state() {
	cat <<-EOF
	{
	  "ingress": [{"dev": "fs0"}, {"dev": "fd0"}],
	  "sfs": [{"name": "br", "kind": "iface", "dev": "f1a", "out-dev": "f1b"}],
	  "chains": [{"name": "c1", "spi": 10, "hops": [["br"]], "on-failure": "drop"}],
	  "rules": [
	    {"pref": 10, "in-dev": "fs0", "dst": "198.18.2.0/24", "proto": "icmp", "chain": "c1"},
	    {"pref": 11, "in-dev": "fs0", "dst": "2001:db8:2::/64", "proto": "icmpv6", "chain": "c1"},
	    {"pref": 12, "in-dev": "fs0", "dst": "198.18.2.0/24", "proto": "tcp", "dport": "5201", "chain": "c1"},
	    {"pref": 20, "in-dev": "fd0", "dst": "198.18.1.0/24", "proto": "icmp", "chain": "c1"},
	    {"pref": 21, "in-dev": "fd0", "dst": "2001:db8:1::/64", "proto": "icmpv6", "chain": "c1"},
	    {"pref": 22, "in-dev": "fd0", "dst": "198.18.1.0/24", "proto": "tcp", "sport": "5201", "chain": "c1"}
	  ]
	}
	EOF
}

snap() {	# NAME: SF counters and sfcd statistics now
	echo "$(ifstat "$SF1" eth0 rx) $(ifstat "$SF1" eth1 tx)" >"$T/$1.if"
	sfcd --stats -j --pin-dir "$PIN" >"$T/$1.json" 2>/dev/null || echo '{}' >"$T/$1.json"
}
sfd() {	# A B rx|tx: delta of sf1's eth0 rx / eth1 tx between snapshots
	f=1
	[ "$3" = tx ] && f=2
	delta "$(cut -d' ' -f$f "$T/$1.if")" "$(cut -d' ' -f$f "$T/$2.if")"
}
CH='.chains[]? | select(.name == "c1")'
HOP='.chains[]? | select(.name == "c1") | .hops[]? | select(.hop == 1)'
SFQ='.sfs[]? | select(.name == "br")'

# ping_check LABEL NS ADDR [TTL]: PING_N echoes answered, replies with TTL
# (default 63: fab routed them once; the bridge SF does not count)
ping_check() {
	ttl=${4:-63}
	out=$(timeout 30 nsenter --net="/run/netns/$2" -- ping -c "$PING_N" -i 0.2 -W 3 -w 20 "$3" 2>&1)
	got=$(echo "$out" | grep -c 'bytes from')
	check "$1: $PING_N of $PING_N answered" "$PING_N" "$got" ||
		echo "$out" | tail -n 3 | sed 's/^/#   /'
	ttls=$(echo "$out" | grep -o 'ttl=[0-9]*' | sort -u | tr '\n' ' ')
	[ "$got" = 0 ] || check "$1: reply TTL $ttl" "ttl=$ttl " "$ttls"
}

# tcp_check LABEL PORT KB: KB kilobytes src -> dst:PORT, sha256 both ends
tcp_check() {
	rm -f "$T/rx"
	printf '#!/bin/sh\ncat >%s\n' "$T/rx" >"$T/rx.sh"
	chmod +x "$T/rx.sh"
	timeout 120 nsenter --net="/run/netns/$DST" -- nc -l -p "$2" -e "$T/rx.sh" &
	lpid=$!
	sleep 1
	head -c "$(($3 * 1024))" "$T/payload" >"$T/tx"
	t0=$(date +%s)
	if ! timeout 120 nsenter --net="/run/netns/$SRC" -- nc -w 10 198.18.2.1 "$2" <"$T/tx"; then
		fail "$1: sender" "nc exited $?"
		kill "$lpid" 2>/dev/null
	fi
	wait "$lpid"
	check "$1: $3 KB arrive intact (sha256)" \
		"$(sha256sum <"$T/tx" | cut -d' ' -f1)" "$(sha256sum <"$T/rx" 2>/dev/null | cut -d' ' -f1)"
	echo "# $1: $3 KB in $(($(date +%s) - t0)) s"
}

attached() {	# BPF programs on fab's interfaces and on sf1's eth0
	for ns in "$FAB" "$SF1"; do
		ip -n "$ns" -d link show | awk -v ns="${ns#"$P"}" '
			/^[0-9]+:/ { dev = $2; sub(/@.*/, "", dev); sub(/:$/, "", dev) }
			/prog\/xdp/ { print ns " " dev " xdp" }'
		for dev in $(ip -n "$ns" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
			for dir in ingress egress; do
				tc -n "$ns" filter show dev "$dev" "$dir" 2>/dev/null | grep -q bpf &&
					echo "${ns#"$P"} $dev tc-$dir"
			done
		done
	done
}

# run_mode MODE [SFCD-ARGS]: the checks with one datapath
run_mode() {
	m=$1
	shift
	label="$m: sfcd --once${*:+ $*} loads and applies the state"
	sfcd --once --pin-dir "$PIN" --state-file "$T/state.json" "$@" >"$T/once.log" 2>&1
	rc=$?
	if [ $rc != 0 ]; then
		fail "$label" "exit $rc"
		# the end of a verifier log, or sfcd's own words
		sed 's/^/#   /' "$T/once.log" | tail -n 40
		sfcd --unload --pin-dir "$PIN" >/dev/null 2>&1
		return 1
	fi
	pass "$label"
	sed 's/^/#   sfcd: /' "$T/once.log" | head -n 20
	attached | sed "s/^/# $m: attached: /"
	snap start
	check "$m: sfcd --stats -j shows chain c1" 10 "$(st "$T/start.json" "$CH | .spi")"

	for fam in 4 6; do
		[ $fam = 4 ] && a=198.18.2.1 || a=2001:db8:2::1
		snap a
		ping_check "$m: ping IPv$fam through the chain" "$SRC" "$a"
		snap b
		check "$m: ping IPv$fam: sf1 eth0 received the $((2 * PING_N)) echo frames" \
			$((2 * PING_N)) "$(sfd a b rx)"
		check "$m: ping IPv$fam: sf1 eth1 sent them on" $((2 * PING_N)) "$(sfd a b tx)"
		check "$m: ping IPv$fam: sfcd chain c1 packets" $((2 * PING_N)) \
			"$(delta "$(st "$T/a.json" "$CH | .packets")" "$(st "$T/b.json" "$CH | .packets")")"
		check "$m: ping IPv$fam: sfcd hop 1 packets" $((2 * PING_N)) \
			"$(delta "$(st "$T/a.json" "$HOP | .packets")" "$(st "$T/b.json" "$HOP | .packets")")"
		check "$m: ping IPv$fam: sfcd sf br tx_packets" $((2 * PING_N)) \
			"$(delta "$(st "$T/a.json" "$SFQ | .tx_packets")" "$(st "$T/b.json" "$SFQ | .tx_packets")")"
	done

	snap a
	tcp_check "$m: TCP port 5201 through the chain" 5201 "$TCP_KB"
	snap b
	d=$(sfd a b rx)
	case $d in
	*[!0-9]* | 0) fail "$m: TCP: sf1 saw the segments" "sf1 eth0 rx delta $d" ;;
	*) pass "$m: TCP: sf1 saw the segments ($d)" ;;
	esac

	snap a
	tcp_check "$m: TCP port 6000, no rule" 6000 64
	ping_check "$m: ping fab itself, no rule" "$SRC" 198.18.1.254 64
	snap b
	check "$m: no rule: sf1 eth0 saw nothing" 0 "$(sfd a b rx)"
	check "$m: no rule: sfcd chain c1 packets unchanged" 0 \
		"$(delta "$(st "$T/a.json" "$CH | .packets")" "$(st "$T/b.json" "$CH | .packets")")"

	snap end
	check "$m: sfcd hop 1: no drops" 0 "$(st "$T/end.json" "$HOP | .drops")"
	jq -r '.reasons[]? | select(.count > 0) | "# '"$m"': reason \(.name) (\(.code)): \(.count)"' \
		"$T/end.json" 2>/dev/null
	for r in rule-to-missing-chain missing-path missing-hop missing-sf hop-down-drop \
		hop-down-bypass redirect-failed sf-return-unknown-flow sf-return-unknown-position \
		xdp-meta-failed too-many-hops missed-tail-call tc-pull-failed \
		flow-cache-update-failed sf-returned-to-fabric-on-wrong-iface; do
		c=$(st "$T/end.json" ".reasons[]? | select(.name == \"$r\") | .count")
		[ "$c" = missing ] && c=0
		[ "$c" = 0 ] || fail "$m: sfcd reason $r never counted" "counted $c"
	done

	if sfcd --unload --pin-dir "$PIN" >"$T/unload.log" 2>&1; then
		pass "$m: sfcd --unload"
	else
		fail "$m: sfcd --unload" "exit $?: $(tail -n 3 "$T/unload.log" | tr '\n' ' ')"
	fi
	check "$m: unload: pin dir removed" "" "$(ls -d "$PIN" 2>/dev/null)"
	check "$m: unload: no BPF program left" "" "$(attached | tr '\n' ' ')"
	snap a
	ping_check "$m: after unload, ping IPv4" "$SRC" 198.18.2.1
	snap b
	check "$m: after unload: sf1 eth0 saw nothing" 0 "$(sfd a b rx)"
}

# ---- main ------------------------------------------------------------------

for tool in ip tc jq nsenter nc ping sha256sum timeout; do
	command -v $tool >/dev/null || { fail setup "missing tool $tool"; done_; }
done
[ -x "$SFCD" ] || { fail setup "$SFCD missing"; done_; }
head -c $((TCP_KB * 1024)) /dev/urandom >"$T/payload"
if topo; then
	pass "topology: namespaces, veths, bridging SF"
else
	fail "topology: namespaces, veths, bridging SF" "a command failed"
	done_
fi
state >"$T/state.json"
if out=$(sfcd --check --state-file "$T/state.json" 2>&1); then
	pass "sfcd --check accepts the state"
else
	fail "sfcd --check accepts the state" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
fi

run_mode auto
run_mode xdp --steer xdp
run_mode tc --steer xdp --no-peer-xdp
done_
