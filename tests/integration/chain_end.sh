#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks the end of a chain per its "end" option, IPv4 and IPv6:
# - end xdp: pings between two hosts through a router SF leave the fabric
#   from XDP (the fabric's nftables FORWARD chain never sees them, no
#   fallback reason counted, TTL decremented once by the fabric); end stack
#   on the same traffic does go through FORWARD;
# - each fallback to the stack, counted by its reason: a neighbour not
#   resolved yet (the packet still arrives and the neighbour gets resolved),
#   the fabric's own address (local delivery), TTL/hop limit 1 after the SF
#   (time exceeded comes back), an egress MTU smaller than the packet
#   (frag needed / packet too big comes back), an egress whose far end
#   drops its XDP program (sfcd, running, follows it both ways);
# - a FORWARD drop rule stops the traffic under end stack and is skipped
#   under end xdp (the documented semantics);
# - end auto: a UDP flow the fabric's conntrack has confirmed and seen a
#   reply for takes the XDP end; its first packets, ICMP, a masqueraded
#   flow, and a new flow a FORWARD rule drops stay on the stack (and the
#   rule still stops it).
#
#   src ── fs0 ┌─── fab (router) ───┐ fd0 ── dst
#              │        f2          │
#              └────────┼───────────┘
#                      eth0  rt (router SF, one arm)

# Functions below run through assert_do, wait_until and count_around:
# shellcheck disable=SC2317
set -u
TEST_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/netns.sh
. "$TEST_DIR/../lib/netns.sh"
# shellcheck source=tests/lib/assert.sh
. "$TEST_DIR/../lib/assert.sh"

ROOT=$(cd "$TEST_DIR/../.." && pwd)
SFCD=${SFCD:-${SFC_BIN_DIR:-$ROOT/build}/sfcd}
BPF_OBJ=${SFC_BPF_OBJ:-${SFC_BIN_DIR:-$ROOT/build}/sfc.bpf.o}

SRC4=198.18.1.1 SRC6=2001:db8:1::1
DST4=198.18.2.1 DST6=2001:db8:2::1
FAB_D4=198.18.2.254 FAB_D6=2001:db8:2::fe

netns_trap

# ---- topology --------------------------------------------------------------

host() {	# ROLE FAB-IF ADDR4 ADDR6 GW4 GW6
	veth_add "$1" eth0 fab "$2" || return
	addr_add "$1" eth0 "$3/24" "$4/64" || return
	ip -n "$(ns_name "$1")" route add default via "$5" || return
	ip -n "$(ns_name "$1")" -6 route add default via "$6" || return
	# UDP with finished checksums: a CHECKSUM_PARTIAL packet keeps the
	# stack end (end-xdp-checksum-offload), whatever the mode
	ns_exec "$1" ethtool -K eth0 tx off >/dev/null
}

build() {
	local r
	for r in src fab dst rt; do
		ns_add "$r" || return
	done
	FAB=$(ns_name fab) RT=$(ns_name rt)
	ns_sysctl fab net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 || return
	host src fs0 "$SRC4" "$SRC6" 198.18.1.254 2001:db8:1::fe || return
	host dst fd0 "$DST4" "$DST6" "$FAB_D4" "$FAB_D6" || return
	addr_add fab fs0 198.18.1.254/24 2001:db8:1::fe/64 || return
	addr_add fab fd0 "$FAB_D4/24" "$FAB_D6/64" || return

	# rt: a router on one arm, back to fab for both host networks
	veth_add fab f2 rt eth0 || return
	ns_sysctl rt net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.eth0.send_redirects=0 || return
	addr_add fab f2 198.18.3.254/24 2001:db8:3::fe/64 || return
	addr_add rt eth0 198.18.3.1/24 2001:db8:3::1/64 || return
	for r in 198.18.1.0/24 198.18.2.0/24; do
		ip -n "$RT" route add "$r" via 198.18.3.254 || return
	done
	for r in 2001:db8:1::/64 2001:db8:2::/64; do
		ip -n "$RT" -6 route add "$r" via 2001:db8:3::fe || return
	done
	ns_exec rt nft -f - <<-EOF || return
		table inet sfct {
			chain output {
				type filter hook output priority 0; policy accept;
				icmp type redirect drop
				icmpv6 type nd-redirect drop
			}
		}
	EOF
	RT_MAC=$(link_mac rt eth0)

	# The hosts' ends run an XDP program (sfc's pass-through one): fs0 and
	# fd0 then take XDP frames, which sfcd finds when it attaches.
	for r in src dst; do
		ip -n "$(ns_name "$r")" link set dev eth0 xdpdrv object "$BPF_OBJ" \
			program sfc_xdp_peer || return
	done

	# fab's FORWARD hook counts what the stack forwards between the hosts
	# (and its ct expression makes the fabric track connections)
	ns_exec fab nft -f - <<-EOF || return
		table inet sfct {
			counter routed {}
			chain forward {
				type filter hook forward priority 0; policy accept;
				ct state new counter
				ip daddr { 198.18.1.0/24, 198.18.2.0/24 } counter name routed
				ip6 daddr { 2001:db8:1::/64, 2001:db8:2::/64 } counter name routed
			}
		}
	EOF
}

# state END: the sfcd document, chain "web" (hop rt) ending with END
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
	    {"pref": 21, "in-dev": "fd0", "dst": "2001:db8:1::/64", "proto": "icmpv6", "chain": "web"},
	    {"pref": 30, "in-dev": "fs0", "proto": "udp", "dport": "5000-5099", "chain": "web"},
	    {"pref": 31, "in-dev": "fd0", "proto": "udp", "sport": "5000-5099", "chain": "web"},
	    {"pref": 40, "in-dev": "fs0", "proto": "tcp", "dport": "5201", "chain": "web"}
	  ]
	}
	EOF
}

# CHAIN_END_STEER=xdp (the default here): rt's veth steered in XDP, the
# end taken by sfc_xdp; tc (chain_end_tc.sh): steered at tc, as auto does
# for a veth with a stack behind it, the end taken by sfc_tc_ingress. The
# sections after the fallbacks (end auto's conntrack stage, an egress
# whose far end drops XDP) are the XDP path's only.
STEER=${CHAIN_END_STEER:-xdp}
sfcd() { timeout 30 nsenter --net="/run/netns/$FAB" -- "$SFCD" --steer "$STEER" "$@"; }

# apply END: load or update sfc in fab with chain web ending with END
apply() {
	state "$1" >"$T/state.json" || return
	sfcd --once --pin-dir "$PIN_DIR" --state-file "$T/state.json"
}

# reason NAME: the count of a drop/fallback reason
reason() {
	sfcd --stats -j --pin-dir "$PIN_DIR" 2>/dev/null |
		jq -r --arg n "$1" '[.reasons[]? | select(.name == $n) | .count] | add // 0'
}

fwd_count() {
	ns_exec fab nft -j list counter inet sfct routed 2>/dev/null |
		jq -r '.nftables[] | select(.counter) | .counter.packets'
}

# ping_from ROLE ARGS...: one ping's output (status kept)
ping_from() { local r=$1; shift; ns_exec "$r" ping -n -c 1 -W 2 "$@" 2>&1; }

# count_around "READ ARGS" CMD...: READ ARGS (a counter) before and after
# CMD; sets DELTA (after - before) and OUT (CMD's output)
count_around() {
	local what=$1 before after
	shift
	before=$($what)
	OUT=$("$@")
	after=$($what)
	DELTA=$(( ${after:-0} - ${before:-0} ))
}

# ---- setup -----------------------------------------------------------------

tmp_dir_new || exit 1
T=$NS_LAST_TMP
pin_dir_new fab
PIN_DIR=$NS_LAST_PIN
assert_do "topology: two hosts, fabric, router SF" build || assert_done
cleanup_push "sfcd --unload --pin-dir '$PIN_DIR'"
assert_do "sfcd applies chain web with end xdp" apply xdp || assert_done

# The fabric's own neighbours resolved first (by pings its stack sends),
# so that the XDP end is what is measured below.
for a in "$SRC4" "$SRC6"; do ping_from fab "$a" >/dev/null; done
for a in "$DST4" "$DST6"; do ping_from fab "$a" >/dev/null; done

# ---- end xdp: the XDP end is taken -----------------------------------------

for fam in 4 6; do
	dst=DST$fam
	ping_from src "${!dst}" >/dev/null	# rt's own neighbours
	f0=$(fwd_count) r0=$(reason end-xdp-neighbour-unresolved)
	out=$(ns_exec src ping -n -c 5 -i 0.2 -W 2 "${!dst}" 2>&1)
	assert_ok "end xdp, IPv$fam: 5 pings through rt answered" \
		grep -q " 0% packet loss" <<<"$out"
	# TTL 64 from dst, -1 by rt, -1 by the fabric's XDP end
	if grep -qE "(ttl|hlim)=62" <<<"$out"; then
		pass "end xdp, IPv$fam: replies arrive with TTL 62 (the XDP end decrements it)"
	else
		fail "end xdp, IPv$fam: replies arrive with TTL 62" "$(grep -m1 -oE '(ttl|hlim)=[0-9]+' <<<"$out")"
	fi
	assert_eq "end xdp, IPv$fam: fabric FORWARD saw none of the 10 packets" 0 $(($(fwd_count) - f0))
	assert_eq "end xdp, IPv$fam: no neighbour fallback" 0 \
		$(($(reason end-xdp-neighbour-unresolved) - r0))
done
for n in end-xdp-egress-not-xdp end-xdp-fib-error end-xdp-checksum-offload; do
	assert_eq "end xdp: no $n" 0 "$(reason "$n")"
done

# ---- end stack on the same traffic goes through FORWARD ---------------------

assert_do "chain web set to end stack" apply stack || assert_done
f0=$(fwd_count)
assert_ok "end stack, IPv4: ping answered" ping_from src "$DST4"
assert_eq "end stack, IPv4: fabric FORWARD saw request and reply" 2 $(($(fwd_count) - f0))

# ---- a FORWARD drop rule: stops end stack, skipped by end xdp ----------------

ns_exec fab nft add chain inet sfct drops \
	'{ type filter hook forward priority 10; policy accept; }'
ns_exec fab nft add rule inet sfct drops ip daddr "$DST4" icmp type echo-request drop
assert_fails "end stack: the FORWARD drop rule stops the ping" ping_from src "$DST4"
assert_do "chain web set to end xdp" apply xdp || assert_done
assert_ok "end xdp: the FORWARD drop rule is skipped (documented)" ping_from src "$DST4"
ns_exec fab nft delete chain inet sfct drops

# ---- fallbacks ---------------------------------------------------------------

for fam in 4 6; do
	dst=DST$fam fabd=FAB_D$fam
	# neighbour not resolved: forget dst, the stack resolves it again
	ip -n "$FAB" neigh flush dev fd0
	count_around "reason end-xdp-neighbour-unresolved" ping_from src "${!dst}"
	assert_ok "unresolved neighbour, IPv$fam: the first ping still arrives" \
		grep -q " 0% packet loss" <<<"$OUT"
	assert_gt "unresolved neighbour, IPv$fam: counted end-xdp-neighbour-unresolved" 0 "$DELTA"
	assert_ok "unresolved neighbour, IPv$fam: the stack resolved it" \
		wait_until 3 bash -c "ip -n '$FAB' neigh show dev fd0 '${!dst}' | grep -q lladdr"

	# local delivery: the fabric's own address behind the chain
	count_around "reason end-xdp-local-destination" ping_from src "${!fabd}"
	assert_ok "local destination, IPv$fam: the fabric answers" \
		grep -q " 0% packet loss" <<<"$OUT"
	assert_gt "local destination, IPv$fam: counted end-xdp-local-destination" 0 "$DELTA"

	# TTL 2 leaves rt with 1: the fabric's stack sends time exceeded
	count_around "reason end-xdp-ttl-expiring" ping_from src -t 2 "${!dst}"
	assert_ok "TTL 1 at the end, IPv$fam: time exceeded comes back" \
		grep -qiE "time to live exceeded|time exceeded" <<<"$OUT"
	assert_gt "TTL 1 at the end, IPv$fam: counted end-xdp-ttl-expiring" 0 "$DELTA"
done

# MTU: fd0 at 1280; a 1400-byte packet that may not be fragmented
ip -n "$FAB" link set dev fd0 mtu 1280
count_around "reason end-xdp-mtu" ping_from src -M "do" -s 1400 "$DST4"
assert_ok "MTU, IPv4: frag needed comes back" grep -qi "frag needed" <<<"$OUT"
assert_gt "MTU, IPv4: counted end-xdp-mtu" 0 "$DELTA"
count_around "reason end-xdp-mtu" ping_from src -s 1400 "$DST6"
assert_ok "MTU, IPv6: packet too big comes back" grep -qi "packet too big" <<<"$OUT"
assert_gt "MTU, IPv6: counted end-xdp-mtu" 0 "$DELTA"
count_around "reason end-xdp-mtu" ping_from src -s 1000 "$DST4"
assert_ok "MTU, IPv4: a packet that fits still gets through" grep -q " 0% packet loss" <<<"$OUT"
assert_eq "MTU, IPv4: a packet that fits is not counted" 0 "$DELTA"
ip -n "$FAB" link set dev fd0 mtu 1500

# ---- TCP from a stack (GSO, checksum offload) through end xdp at tc ------------

if [[ $STEER == tc ]]; then
	head -c $((4 << 20)) /dev/urandom >"$T/tcp.tx"
	ns_exec fab nft -f - <<-'EOF'
		table inet sfcte {
			counter tcpdata {}
			chain forward_tcp {
				type filter hook forward priority 5; policy accept;
				tcp dport 5201 counter name tcpdata
			}
		}
	EOF
	m0=$(reason end-xdp-mtu)
	e0=$(ns_exec dst nstat -az TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" { print $2 }')
	bg_run timeout 60 ip netns exec "$(ns_name dst)" socat -u "TCP-LISTEN:5201,reuseaddr" \
		"OPEN:$T/tcp.rx,creat,trunc"
	rx_pid=$BG_PID
	wait_until 5 bash -c "ip netns exec '$(ns_name dst)' ss -Htln 'sport = :5201' | grep -q ."
	timeout 60 ip netns exec "$(ns_name src)" socat -u "OPEN:$T/tcp.tx" "TCP:$DST4:5201,connect-timeout=5"
	wait "$rx_pid"
	assert_eq "end xdp at tc, TCP: 4 MiB arrived intact" "$(sha256sum <"$T/tcp.tx")" \
		"$(sha256sum <"$T/tcp.rx" 2>/dev/null)"
	assert_eq "end xdp at tc, TCP: no checksum error at dst" "${e0:-0}" \
		"$(ns_exec dst nstat -az TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" { print $2 }')"
	assert_eq "end xdp at tc, TCP: the fabric's FORWARD saw none of the data" 0 \
		"$(ns_exec fab nft -j list counter inet sfcte tcpdata |
			jq -r '.nftables[] | select(.counter) | .counter.packets')"
	assert_eq "end xdp at tc, TCP: no end-xdp-mtu fallback (GSO packets fit by segment)" 0 \
		$(($(reason end-xdp-mtu) - m0))
	ns_exec fab nft delete table inet sfcte
fi

# ---- end auto ----------------------------------------------------------------

assert_do "chain web set to end auto" apply auto || assert_done

# dst echoes UDP on 5000 and 5001; udp_ask ADDR PORT N SPORT: N
# request/reply exchanges from SPORT (one flow), prints the replies received
UDP_ECHO='
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)'
UDP_ASK='
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", int(sys.argv[4])))
s.settimeout(1)
got = 0
for i in range(int(sys.argv[3])):
    s.sendto(b"%d" % i, (sys.argv[1], int(sys.argv[2])))
    try:
        s.recv(2048)
        got += 1
    except socket.timeout:
        pass
print(got)'
for port in 5000 5001 5002; do
	bg_run timeout 120 ip netns exec "$(ns_name dst)" python3 -c "$UDP_ECHO" "$port"
done
udp_ask() { ns_exec src python3 -c "$UDP_ASK" "$@" 2>/dev/null; }
ready() { [[ $(udp_ask "$DST4" 5000 1 39999) == 1 ]]; }
assert_ok "UDP echo on dst answers" wait_until 20 ready || {
	sfcd --stats -j --pin-dir "$PIN_DIR" | jq -c '[.reasons[] | select(.count > 0)]'
	ip -n "$FAB" neigh
	ns_exec dst ss -lun
} 2>&1 | sed 's/^/# /'

ct_reason() { echo $(($(reason end-auto-no-conntrack) + $(reason end-auto-not-established))); }
for fam in 4 6; do
	dst=DST$fam
	# a new flow: its first exchange goes through the stack
	f0=$(fwd_count) c0=$(ct_reason)
	got=$(udp_ask "${!dst}" 5000 3 4000$fam)
	assert_eq "end auto, IPv$fam: a new UDP flow is answered" 3 "$got"
	assert_gt "end auto, IPv$fam: its first packets took the stack end" 0 $(($(fwd_count) - f0))
	assert_gt "end auto, IPv$fam: counted as not yet established" 0 $(($(ct_reason) - c0))
	# established: the same flow now bypasses FORWARD entirely
	f0=$(fwd_count) c0=$(ct_reason)
	got=$(udp_ask "${!dst}" 5000 10 4000$fam)
	assert_eq "end auto, IPv$fam: 10 more exchanges answered" 10 "$got"
	assert_eq "end auto, IPv$fam: established flow took the fast end (FORWARD saw 0)" 0 \
		$(($(fwd_count) - f0))
	assert_eq "end auto, IPv$fam: no conntrack fallback once established" 0 $(($(ct_reason) - c0))
done

# ICMP has no conntrack lookup in XDP: the stack end
f0=$(fwd_count)
assert_ok "end auto: ping answered" ping_from src "$DST4"
assert_eq "end auto: ping went through FORWARD" 2 $(($(fwd_count) - f0))

# a FORWARD rule dropping new flows still stops them under auto
ns_exec fab nft add chain inet sfct drops \
	'{ type filter hook forward priority -10; policy accept; }'
ns_exec fab nft add rule inet sfct drops udp dport 5001 ct state new drop
assert_eq "end auto: the FORWARD drop rule stops a new flow" 0 "$(udp_ask "$DST4" 5001 3 40004)"
assert_eq "end auto: the established flow is not affected" 3 "$(udp_ask "$DST4" 5000 3 40004)"
ns_exec fab nft delete chain inet sfct drops

# a NATed flow (the fabric masquerades UDP to port 5002) stays on the stack
ns_exec fab nft -f - <<-EOF
	table ip sfctnat {
		chain post {
			type nat hook postrouting priority 100; policy accept;
			ip daddr $DST4 udp dport 5002 masquerade
		}
	}
EOF
n0=$(reason end-auto-nat-or-helper) f0=$(fwd_count)
assert_eq "end auto: a masqueraded flow is answered" 6 "$(udp_ask "$DST4" 5002 6 40005)"
assert_gt "end auto: counted end-auto-nat-or-helper" 0 $(($(reason end-auto-nat-or-helper) - n0))
assert_ge "end auto: every packet of it went through FORWARD" 12 $(($(fwd_count) - f0))
ns_exec fab nft delete table ip sfctnat

# the rest is about the XDP end's devmap: not on the skb path
[[ $STEER == tc ]] && assert_done

# ---- the far end of an egress drops and regains its XDP program ---------------

# sfcd as a daemon now: it follows the link events (the kernel reports the
# far end's XDP program as a feature change of fd0)
assert_do "chain web set to end xdp" apply xdp || assert_done
SOCK=$T/sfcd.sock
bg_run timeout 120 nsenter --net="/run/netns/$FAB" -- "$SFCD" --steer "$STEER" -f "$T/state.json" \
	-P "$PIN_DIR" -s "$SOCK" </dev/null >"$T/sfcd.log" 2>&1
health() {
	printf '{"cmd":"health"}\n' | timeout 5 socat -t 3 - "UNIX-CONNECT:$SOCK" 2>/dev/null |
		jq -e '.ok == true' >/dev/null 2>&1
}
assert_ok "sfcd runs on the fabric" wait_until 15 health
e0=$(reason end-xdp-egress-not-xdp)
ip -n "$(ns_name dst)" link set dev eth0 xdpdrv off
# Until sfcd has taken fd0 out of sfc_tx_ports the veth drops what the
# XDP end sends it; then pings get through the stack end.
stack_taken() {
	ping_from src "$DST4" >/dev/null && (($(reason end-xdp-egress-not-xdp) > e0))
}
assert_ok "far end lost its XDP program: sfcd follows, pings take the stack end (end-xdp-egress-not-xdp)" \
	wait_until 5 stack_taken
ip -n "$(ns_name dst)" link set dev eth0 xdpdrv object "$BPF_OBJ" program sfc_xdp_peer
xdp_taken() {
	local e f
	e=$(reason end-xdp-egress-not-xdp) f=$(fwd_count)
	ping_from src "$DST4" >/dev/null && (($(reason end-xdp-egress-not-xdp) == e)) &&
		(($(fwd_count) == f))
}
assert_ok "far end runs XDP again: sfcd follows, pings take the XDP end again" wait_until 5 xdp_taken
if grep -q "far end" "$T/sfcd.log"; then
	pass "sfcd logged the far end's change"
else
	fail "sfcd logged the far end's change" "$(tail -n 3 "$T/sfcd.log" | tr '\n' ' ')"
fi

assert_done
