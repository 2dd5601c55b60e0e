#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that pods plugged in by sfc-cni carry chained traffic: real
# namespaces, Debian's bridge + host-local, sfc-cni, tuning, run by the
# runtime harness (cni-run), and real ping and UDP.
#
#	client ──┐                         ┌── sf1 ┐ SF group "fw": each pod
#	 ingress │  node: bridge sfcbr0    ├── sf2 ┘ reflects what the fabric
#	server ──┘  198.18.10.0/24          └── sf3   sends it (see below)
#
# One configuration list for every pod; each pod gets its role its own way:
# sf1 through the pod annotations in runtimeConfig, sf2 through args.cni
# (Multus' cni-args), client through CNI_ARGS, server keeps the list's
# default ("none"). Chain "web" = hop "fw"; rules chain ICMP, ICMPv6 and UDP
# 5000-5099 to the server. What is checked:
#  - ping and UDP from the client reach the server through an SF: every
#    packet arrives marked AF41, which only the SFs set, and the SFs
#    counted exactly what was sent;
#  - UDP flows spread over both instances of "fw";
#  - CHECK passes for every pod;
#  - deleting sf2's namespace (no DEL) leaves the flows to sf1 and makes
#    CHECK fail for sf2; deleting sf1's too takes the hop down: the chain's
#    on-failure "drop" drops, "bypass" delivers unmarked;
#  - DEL of the vanished pods succeeds, twice; a new SF pod (sf3, bouncing
#    with tc rather than nftables) brings the hop back;
#  - after DEL of every pod, sfcd holds no attachment and the tuning
#    plugin's sysctl was applied (the chain ran past sfc-cni).
#
# The SF pods are one-arm and transparent: sfc sends them frames addressed
# to the host end of their veth (an SF without "mac"), so the pod's stack
# would drop them as PACKET_OTHERHOST. Each SF pod instead bounces them
# back out of eth0 in an nftables netdev ingress hook ("fwd to eth0"),
# marking DSCP AF41 and counting on the way; what comes back on the host
# end is the chain going on. A routing pod (ip_forward) would need sfc to
# address frames to the pod's MAC ("mac" in the SF), which CNI attach does
# not set: see the CNI section of README.md.

set -u
# shellcheck source=tests/cni/lib.sh
. "$(dirname "$0")/lib.sh"
PROBE=$C_ROOT/tests/lib/udp_probe.py
AF41_TOS=136
UDP_FLOWS=32
c_init

# ---- helpers ---------------------------------------------------------------

LIST=$T/sfcnet.conflist

# pod_add ROLE CID [cni-run options...]: namespace + ADD; $RES is the result
pod_add() {
	local role=$1 cid=$2
	shift 2
	c_pod_add "$role" || return
	c_run "$@" ADD "$LIST" "$cid" "$POD_NS" eth0
	RES=$OUT
	((RC == 0))
}

# sf_setup ROLE HOST-MAC: the reflecting SF described at the top
sf_setup() {
	ns_exec "$1" nft -f - <<-EOF
		table netdev sfct {
			counter seen {}
			chain in {
				type filter hook ingress device "eth0" priority 0; policy accept;
				ether daddr $2 ip daddr $SERVER4 counter name seen ip dscp set af41 fwd to "eth0"
				ether daddr $2 ip6 daddr $SERVER6 counter name seen ip6 dscp set af41 fwd to "eth0"
			}
		}
	EOF
}

# sf_setup_tc ROLE HOST-MAC: the same bounce with tc (no marking)
sf_setup_tc() {
	tc -n "$(ns_name "$1")" qdisc add dev eth0 clsact &&
		tc -n "$(ns_name "$1")" filter add dev eth0 ingress protocol all u32 \
			match ether dst "$2" action mirred egress redirect dev eth0
}

seen_tc() {
	tc -n "$(ns_name "$1")" -s -j filter show dev eth0 ingress |
		jq '[.[] | .options.actions[]? | .stats.packets] | add // 0'
}

seen() {
	ns_exec "$1" nft -j list counter netdev sfct seen 2>/dev/null |
		jq -r '.nftables[] | select(.counter) | .counter.packets' || echo 0
}

# server counters: echo requests from the client, marked or not
srv() {
	ns_exec server nft -j list counter inet sfct "$1" 2>/dev/null |
		jq -r '.nftables[] | select(.counter) | .counter.packets'
}

ping_ok() {	# ping_ok 4|6 COUNT: every echo answered
	local dst=$SERVER4
	[[ $1 == 6 ]] && dst=$SERVER6
	ns_exec client ping -"$1" -c "$2" -i 0.2 -W 1 -q "$dst" >/dev/null 2>&1
}

# udp_flows N: N datagrams to UDP 5000 from N sockets (N source ports);
# prints the receiver's report
udp_flows() {
	local n=$1 ready=$T/udp.ready rep=$T/udp.json pid
	rm -f "$ready"
	ns_exec server timeout 20 python3 "$PROBE" recv "$SERVER4" 5000 "$n" --timeout 3 \
		--ready "$ready" >"$rep" &
	pid=$!
	wait_until 5 test -e "$ready"
	ns_exec client python3 -c '
import socket, sys
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(i.to_bytes(8, "big"), (sys.argv[1], 5000))
    s.close()' "$SERVER4" "$n"
	wait "$pid"
	cat "$rep"
}

check_pod() {	# check_pod ROLE CID
	c_run CHECK "$LIST" "$2" "/run/netns/$(ns_name "$1")" eth0
}

# ---- setup -----------------------------------------------------------------

assert_do "sfcd starts" c_sfcd_start || assert_done
c_conflist "$LIST" sfcnet 1.0.0 "$(c_bridge_conf)" \
	"$(c_sfc_conf '{"role": "none", "capabilities": {"io.kubernetes.cri.pod-annotations": true}}')" \
	'{"type": "tuning", "sysctl": {"net.ipv4.conf.all.send_redirects": "0"}}'

pod_add sf1 c-sf1 -c '{"io.kubernetes.cri.pod-annotations": {"sfc/role": "sf", "sfc/sf": "fw"}}'
c_expect_ok "ADD sf1 (role from the pod annotations)"
SF1_HOST=$(c_host_end "$RES")
SF1_MAC=$(jq -r --arg h "$SF1_HOST" '.interfaces[] | select(.name == $h) | .mac' <<<"$RES")
pod_add sf2 c-sf2 -A '{"cni": {"role": "sf", "sf": "fw"}}'
c_expect_ok "ADD sf2 (role from args.cni)"
SF2_HOST=$(c_host_end "$RES")
SF2_MAC=$(jq -r --arg h "$SF2_HOST" '.interfaces[] | select(.name == $h) | .mac' <<<"$RES")
pod_add client c-client -a "IgnoreUnknown=1;K8S_POD_NAME=client;SFC_ROLE=ingress"
c_expect_ok "ADD client (role from CNI_ARGS)"
CLIENT_HOST=$(c_host_end "$RES")
pod_add server c-server
c_expect_ok "ADD server (the list's role: none)"
SERVER4=$(c_pod_addr server 4) SERVER6=$(c_pod_addr server 6)

c_sfcd '{"cmd":"get"}'
DOC=$(jq -c .doc <<<"$OUT")
assert_eq "sfcd has the client's host end as ingress point" "$CLIENT_HOST" \
	"$(jq -r '[.ingress[] | select(.cni.container == "c-client")][0].dev' <<<"$DOC")"
assert_eq "sfcd has both SF pods in group fw" "$(printf '%s\n' "$SF1_HOST" "$SF2_HOST" | sort | tr '\n' ' ')" \
	"$(jq -r '.sfs[] | select(.group == "fw") | .dev' <<<"$DOC" | sort | tr '\n' ' ')"
assert_eq "the server has no attachment" "0" \
	"$(jq '[.ingress[], .sfs[] | select(.cni.container == "c-server")] | length' <<<"$DOC")"

sf_setup sf1 "$SF1_MAC" && sf_setup sf2 "$SF2_MAC" || fail setup "nft in the SF pods"
ns_exec server nft -f - <<-EOF || fail setup "nft in the server"
	table inet sfct {
		counter marked {}
		counter plain {}
		chain in {
			type filter hook input priority 0; policy accept;
			icmp type echo-request ip dscp af41 counter name marked
			icmp type echo-request ip dscp != af41 counter name plain
			icmpv6 type echo-request ip6 dscp af41 counter name marked
			icmpv6 type echo-request ip6 dscp != af41 counter name plain
		}
	}
EOF

assert_ok "chain web = hop fw" c_ctl chain add web hop fw on-failure drop
assert_ok "rule: ICMP to the server" c_ctl rule add pref 10 dst "$SERVER4/32" proto icmp chain web
assert_ok "rule: ICMPv6 to the server" c_ctl rule add pref 11 dst "$SERVER6/128" proto icmpv6 chain web
assert_ok "rule: UDP 5000-5099 to the server" \
	c_ctl rule add pref 12 dst "$SERVER4/32" proto udp dport 5000-5099 chain web

for p in sf1:c-sf1 sf2:c-sf2 client:c-client server:c-server; do
	check_pod "${p%%:*}" "${p#*:}"
	c_expect_ok "CHECK ${p%%:*} right after ADD"
done

# ---- chained traffic --------------------------------------------------------

s1=$(seen sf1) s2=$(seen sf2)
assert_ok "client pings the server through the chain" ping_ok 4 5
assert_int_eq "the server got 5 marked echo requests" 5 "$(srv marked)"
assert_int_eq "and none unmarked" 0 "$(srv plain)"
assert_int_eq "the SFs counted the 5 requests" 5 $(($(seen sf1) - s1 + $(seen sf2) - s2))
assert_ok "IPv6 ping through the chain" ping_ok 6 3
assert_int_eq "IPv6 requests arrived marked" 8 "$(srv marked)"

s1=$(seen sf1) s2=$(seen sf2)
rep=$(udp_flows "$UDP_FLOWS")
assert_int_eq "$UDP_FLOWS UDP flows arrived" "$UDP_FLOWS" "$(jq -r '.received // 0' <<<"$rep")"
assert_int_eq "all of them marked by an SF" "$UDP_FLOWS" "$(jq -r --arg t $AF41_TOS '.tos[$t] // 0' <<<"$rep")"
d1=$(($(seen sf1) - s1)) d2=$(($(seen sf2) - s2))
assert_int_eq "the two instances carried all flows" "$UDP_FLOWS" $((d1 + d2))
assert_gt "sf1 got some flows" 0 "$d1"
assert_gt "sf2 got some flows" 0 "$d2"

# ---- an SF pod vanishes -----------------------------------------------------

ip netns del "$(ns_name sf2)"
gone() { ! ip -n "$NODE" link show dev "$SF2_HOST" >/dev/null 2>&1; }
assert_ok "sf2's host end goes with its namespace" wait_until 10 gone
check_fails() { ! check_pod "$1" "$2"; }
assert_ok "CHECK sf2 fails once its namespace is gone" wait_until 5 check_fails sf2 c-sf2
check_pod sf1 c-sf1
c_expect_ok "CHECK sf1 still passes"
s1=$(seen sf1)
m=$(srv marked)
assert_ok "ping still chained through sf1" ping_ok 4 5
assert_int_eq "sf1 carried all 5" 5 $(($(seen sf1) - s1))
assert_int_eq "all 5 arrived marked" 5 $(($(srv marked) - m))

ip netns del "$(ns_name sf1)"
assert_ok "CHECK sf1 fails once its namespace is gone" wait_until 5 check_fails sf1 c-sf1
p=$(srv plain) m=$(srv marked)
# hop fw has no instance left: on-failure drop
if ping_ok 4 3; then
	fail "no SF left, on-failure drop: ping is dropped" "ping got through"
else
	pass "no SF left, on-failure drop: ping is dropped"
fi
assert_int_eq "nothing reached the server" 0 $(($(srv plain) + $(srv marked) - p - m))
assert_ok "chain web on-failure bypass" c_ctl chain set web on-failure bypass
bypassed() { ping_ok 4 1; }
assert_ok "on-failure bypass: ping gets through" wait_until 5 bypassed
assert_int_eq "unmarked (no SF saw it)" 0 $(($(srv marked) - m))

for n in 1 2; do
	c_run DEL "$LIST" c-sf2 "/run/netns/$(ns_name sf2)" eth0
	c_expect_ok "DEL sf2 after its namespace is gone (#$n)"
	c_run DEL "$LIST" c-sf1 "/run/netns/$(ns_name sf1)" eth0
	c_expect_ok "DEL sf1 after its namespace is gone (#$n)"
done
c_sfcd '{"cmd":"get"}'
assert_eq "no SF left in group fw" 0 "$(jq '[.doc.sfs[] | select(.group == "fw")] | length' <<<"$OUT")"

# ---- scaling back up ---------------------------------------------------------

pod_add sf3 c-sf3 -c '{"io.kubernetes.cri.pod-annotations": {"sfc/role": "sf", "sfc/sf": "fw"}}'
c_expect_ok "ADD sf3 to group fw"
SF3_HOST=$(c_host_end "$RES")
# this one bounces with tc instead of nftables (the CNI section of README.md shows both)
sf_setup_tc sf3 "$(jq -r --arg h "$SF3_HOST" '.interfaces[] | select(.name == $h) | .mac' <<<"$RES")" ||
	fail setup "tc in sf3"
assert_ok "chain web on-failure drop again" c_ctl chain set web on-failure drop
chained() { ping_ok 4 1; }
assert_ok "sf3 carries the chain (the hop is up again)" wait_until 5 chained
s3=$(seen_tc sf3)
assert_ok "ping through sf3" ping_ok 4 4
assert_int_eq "sf3's tc bounced the 4 echo requests" 4 $(($(seen_tc sf3) - s3))

# ---- teardown through CNI ----------------------------------------------------

assert_eq "tuning ran after sfc-cni" 0 \
	"$(ns_exec client sysctl -n net.ipv4.conf.all.send_redirects)"
for p in sf3:c-sf3 client:c-client server:c-server; do
	c_run DEL "$LIST" "${p#*:}" "/run/netns/$(ns_name "${p%%:*}")" eth0
	c_expect_ok "DEL ${p%%:*}"
done
c_sfcd '{"cmd":"get"}'
assert_eq "sfcd holds no attachment of sfcnet" 0 \
	"$(jq '[.doc.ingress[], .doc.sfs[] | select(.cni.network == "sfcnet")] | length' <<<"$OUT")"
assert_eq "no veth left on the bridge" "" \
	"$(ip -n "$NODE" -br link show master sfcbr0 2>/dev/null)"

assert_done
