#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# In-VM integration test (busybox sh, iproute2, jq): a chain with end xdp
# on whatever kernel the VM runs (tests/integration/chain_end.sh does the
# full set with nftables and UDP on the host).
#
#   src ── fs0 ┌─── fab (router, sfc) ───┐ fd0 ── dst
#              │           f2            │
#              └───────────┼─────────────┘
#                         eth0  rt (router SF, one arm)
#
# Chain web = [rt], end xdp; rules chain ICMP and ICMPv6 between src's and
# dst's networks, both directions. src's and dst's ends run sfc's
# pass-through XDP program, so fs0 and fd0 take XDP frames. Checked:
#  - ping IPv4 and IPv6 through the chain: all answered, TTL 62 (rt and
#    the fabric's XDP end each took one), and the fabric's stack forwarded
#    none of them (ForwDatagrams / Ip6OutForwDatagrams unchanged), no
#    end reason counted;
#  - a neighbour the fabric has not resolved: the ping still arrives,
#    counted end-xdp-neighbour-unresolved, and the stack resolved it;
#  - TTL 2 (1 after rt): counted end-xdp-ttl-expiring;
#  - end stack: the same ping is forwarded by the fabric's stack.
# Lines "PASS label" / "FAIL label: why", "# ..." for diagnostics.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SFCD=${SFCD:-$HERE/../../build/sfcd}
OBJ=${SFC_BPF_OBJ:-$HERE/../../build/sfc.bpf.o}
P=${NS_PREFIX:-vme-}
T=$(mktemp -d /tmp/vme.XXXXXX) || exit 1
PIN=/sys/fs/bpf/${P}sfc
FAB=${P}fab SRC=${P}src DST=${P}dst RT=${P}rt

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
# check_gt LABEL MIN ACTUAL: ACTUAL > MIN
check_gt() {
	case "$3" in
	'' | *[!0-9]*) fail "$1" "expected > $2, got '$3'"; return 1 ;;
	esac
	if [ "$3" -gt "$2" ]; then pass "$1"; else fail "$1" "expected > $2, got $3"; fi
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
	for r in src fab dst rt; do
		ip netns del "$P$r" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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
veth() {
	ip -n "$1" link add name "$2" type veth peer name "$4" netns "$3" &&
		ip -n "$1" link set dev "$2" up && ip -n "$3" link set dev "$4" up
}
# --steer xdp: the XDP end is taken where the last SF returns on an
# interface steered in XDP (auto steers rt's veth, a stack behind it, at tc)
sfcd() { timeout 60 nsenter --net="/run/netns/$FAB" -- "$SFCD" --steer xdp "$@"; }

# host NS ADDR4 ADDR6 GW4 GW6 FABIF
host() {
	veth "$1" eth0 "$FAB" "$6" &&
		ip -n "$1" addr add "$2/24" dev eth0 &&
		ip -n "$1" addr add "$3/64" dev eth0 nodad &&
		ip -n "$1" route add default via "$4" &&
		ip -n "$1" -6 route add default via "$5" &&
		ip -n "$1" link set dev eth0 xdpdrv object "$OBJ" program sfc_xdp_peer
}

topo() {
	for r in src fab dst rt; do
		ip netns add "$P$r" || return
		ip -n "$P$r" link set lo up
		sysctls "$P$r" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 || return
	done
	sysctls "$FAB" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 || return
	host "$SRC" 198.18.1.1 2001:db8:1::1 198.18.1.254 2001:db8:1::fe fs0 || return
	host "$DST" 198.18.2.1 2001:db8:2::1 198.18.2.254 2001:db8:2::fe fd0 || return
	ip -n "$FAB" addr add 198.18.1.254/24 dev fs0 &&
		ip -n "$FAB" addr add 2001:db8:1::fe/64 dev fs0 nodad &&
		ip -n "$FAB" addr add 198.18.2.254/24 dev fd0 &&
		ip -n "$FAB" addr add 2001:db8:2::fe/64 dev fd0 nodad || return
	# rt routes both host networks back to fab; no redirects (in == out)
	veth "$FAB" f2 "$RT" eth0 || return
	sysctls "$RT" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.eth0.send_redirects=0 || return
	ip -n "$FAB" addr add 198.18.3.254/24 dev f2 &&
		ip -n "$FAB" addr add 2001:db8:3::fe/64 dev f2 nodad &&
		ip -n "$RT" addr add 198.18.3.1/24 dev eth0 &&
		ip -n "$RT" addr add 2001:db8:3::1/64 dev eth0 nodad || return
	for n in 1 2; do
		ip -n "$RT" route add "198.18.$n.0/24" via 198.18.3.254 &&
			ip -n "$RT" -6 route add "2001:db8:$n::/64" via 2001:db8:3::fe || return
	done
	RT_MAC=$(ip -n "$RT" -j link show dev eth0 | jq -r '.[0].address')
}

# state END
state() {
	cat <<-EOF
	{
	  "ingress": [{"dev": "fs0"}, {"dev": "fd0"}],
	  "sfs": [{"name": "rt", "kind": "iface", "dev": "f2", "mac": "$RT_MAC"}],
	  "chains": [{"name": "web", "spi": 100, "hops": [["rt"]], "end": "$1"}],
	  "rules": [
	    {"pref": 10, "in-dev": "fs0", "dst": "198.18.2.0/24", "proto": "icmp", "chain": "web"},
	    {"pref": 11, "in-dev": "fs0", "dst": "2001:db8:2::/64", "proto": "icmpv6", "chain": "web"},
	    {"pref": 20, "in-dev": "fd0", "dst": "198.18.1.0/24", "proto": "icmp", "chain": "web"},
	    {"pref": 21, "in-dev": "fd0", "dst": "2001:db8:1::/64", "proto": "icmpv6", "chain": "web"}
	  ]
	}
	EOF
}
apply() {
	state "$1" >"$T/state.json"
	sfcd --once --pin-dir "$PIN" --state-file "$T/state.json" >"$T/once.log" 2>&1
}
reason() {
	sfcd --stats -j --pin-dir "$PIN" 2>/dev/null |
		jq -r --arg n "$1" '[.reasons[]? | select(.name == $n) | .count] | add // 0'
}
end_reasons() {
	sfcd --stats -j --pin-dir "$PIN" 2>/dev/null |
		jq -r '[.reasons[]? | select(.name | startswith("end-")) | .count] | add // 0'
}
# forwarded 4|6: packets the fabric's stack forwarded
forwarded() {
	if [ "$1" = 4 ]; then
		nx "$FAB" cat /proc/net/snmp | awk '$1 == "Ip:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
			$1 == "Ip:" { print $c["ForwDatagrams"] }'
	else
		nx "$FAB" cat /proc/net/snmp6 | awk '$1 == "Ip6OutForwDatagrams" { print $2 }'
	fi
}
# pings NS ADDR N [ARGS]: answered count
pings() {
	ns=$1 a=$2 n=$3
	shift 3
	out=$(timeout 30 nsenter --net="/run/netns/$ns" -- ping -c "$n" -i 0.2 -W 3 "$@" "$a" 2>&1)
	echo "$out" >"$T/ping.out"
	echo "$out" | grep -c 'bytes from'
}

# ---- main ------------------------------------------------------------------

for tool in ip jq nsenter ping timeout awk; do
	command -v $tool >/dev/null || { fail setup "missing tool $tool"; done_; }
done
[ -x "$SFCD" ] || { fail setup "$SFCD missing"; done_; }
[ -f "$OBJ" ] || { fail setup "$OBJ missing"; done_; }
if topo; then
	pass "topology: two hosts (XDP on their ends), fabric, router SF"
else
	fail "topology: two hosts (XDP on their ends), fabric, router SF" "a command failed"
	done_
fi
if apply xdp; then
	pass "sfcd --once applies chain web with end xdp"
else
	fail "sfcd --once applies chain web with end xdp" "$(tail -n 3 "$T/once.log" | tr '\n' ' ')"
	done_
fi

# the fabric's and rt's neighbours first
for a in 198.18.1.1 2001:db8:1::1 198.18.2.1 2001:db8:2::1; do
	pings "$FAB" "$a" 1 >/dev/null
done
pings "$SRC" 198.18.2.1 1 >/dev/null
pings "$SRC" 2001:db8:2::1 1 >/dev/null

for fam in 4 6; do
	if [ $fam = 4 ]; then a=198.18.2.1; else a=2001:db8:2::1; fi
	f0=$(forwarded $fam) e0=$(end_reasons)
	check "end xdp, IPv$fam: 5 pings answered" 5 "$(pings "$SRC" "$a" 5)"
	check "end xdp, IPv$fam: replies with TTL 62" "ttl=62" \
		"$(grep -o 'ttl=[0-9]*' "$T/ping.out" | sort -u | tr '\n' ' ' | sed 's/ $//')"
	check "end xdp, IPv$fam: the fabric's stack forwarded none" 0 $(($(forwarded $fam) - f0))
	check "end xdp, IPv$fam: no end reason counted" 0 $(($(end_reasons) - e0))
done

# dst must not make itself known to fab on its own: an ARP or ND probe of
# its entries for fab (due after the pings above) would give fab dst's
# address (STALE, which the FIB lookup takes) before the ping's request
# ends. dst's entries for fab are made permanent for this check.
fabmac=$(ip -n "$FAB" -br link show dev fd0 | awk '{ print $3 }')
fabll=$(ip -n "$FAB" -6 addr show dev fd0 scope link | awk '/inet6/ { sub("/.*", "", $2); print $2 }')
for a in 198.18.2.254 2001:db8:2::fe $fabll; do
	ip -n "$DST" neigh replace "$a" lladdr "$fabmac" dev eth0 nud permanent
done
r0=$(reason end-xdp-neighbour-unresolved)
ip -n "$FAB" neigh flush dev fd0
check "unresolved neighbour: the ping still arrives" 1 "$(pings "$SRC" 198.18.2.1 1)"
check_gt "unresolved neighbour: counted end-xdp-neighbour-unresolved" 0 \
	$(($(reason end-xdp-neighbour-unresolved) - r0))
if ip -n "$FAB" neigh show dev fd0 198.18.2.1 | grep -q lladdr; then
	pass "unresolved neighbour: the stack resolved it"
else
	fail "unresolved neighbour: the stack resolved it" "$(ip -n "$FAB" neigh show dev fd0)"
fi

r0=$(reason end-xdp-ttl-expiring)
pings "$SRC" 198.18.2.1 1 -t 2 >/dev/null
check_gt "TTL 1 at the end: counted end-xdp-ttl-expiring" 0 $(($(reason end-xdp-ttl-expiring) - r0))

if apply stack; then
	pass "sfcd --once sets end stack"
	f0=$(forwarded 4)
	check "end stack: ping answered" 1 "$(pings "$SRC" 198.18.2.1 1)"
	check "end stack: the fabric's stack forwarded request and reply" 2 $(($(forwarded 4) - f0))
else
	fail "sfcd --once sets end stack" "$(tail -n 3 "$T/once.log" | tr '\n' ' ')"
fi
done_
