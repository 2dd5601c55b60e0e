# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The three-SF topology shared by tests/integration/chain_traffic.sh and
# tests/demo.sh. Source netns.sh first.
#
#   src ── fs0 ┌──────── fab (router) ────────┐ fd0 ── dst
#              │ f1a f1b     f2      f3a f3b  │
#              └──┼───┼──────┼────────┼───┼───┘
#                eth0 eth1  eth0     eth0 eth1
#                 sf1         sf2       sf3
#            linux bridge   router   nft netdev ingress
#            (two-arm)     (one-arm)  counts, fwd eth0->eth1
#
# Chain "web" (SPI 100): sf1 (br) -> sf2 (rt) -> sf3 (nft), both directions.
#
# Chain order is proven by marks, not timing: hosts always send DSCP 0 and
# TTL/hop limit 64. sf1 counts packets with DSCP 0 and TTL 64 then sets DSCP
# AF41; sf2 counts AF41 with TTL 64 (its forwarding then makes it 63); sf3
# counts AF41 with TTL 63. Anything else that reaches an SF is counted in its
# "wrong" counter. The fabric routes at the end of the chain, so the
# destination sees TTL 62 for chained traffic and 63 for traffic that is not
# chained.
#
# Each SF keeps named nft counters in table "sfct":
#	ok4 ok6   packets in the expected order (IPv4 / IPv6)
#	wrong     packets out of order
#	bypass    packets to TOPO_BYPASS_PORT (UDP), which no rule chains

TOPO_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPO_ROOT=$(cd "$TOPO_LIB_DIR/../.." && pwd)
SFCD=${SFCD:-${SFC_BIN_DIR:-$TOPO_ROOT/build}/sfcd}

SRC4=198.18.1.1 SRC6=2001:db8:1::1
DST4=198.18.2.1 DST6=2001:db8:2::1
SF2_4=198.18.3.1 SF2_6=2001:db8:3::1
TOPO_NETS4=(198.18.1.0/24 198.18.2.0/24)
TOPO_NETS6=(2001:db8:1::/64 2001:db8:2::/64)
TOPO_TTL=64		# initial TTL / hop limit of every host here
TOPO_TCP_PORT=5201	# chained (rules: tcp dport 5201, and sport back)
TOPO_UDP_PORTS=5000-5099	# chained (rules: udp dport 5000-5099)
TOPO_BYPASS_PORT=6000	# matches no rule
TOPO_SF_ROLES=(sf1 sf2 sf3)

# nft anonymous set bodies: "a, b"
_topo_set() { local IFS=,; printf '%s' "$*" | sed 's/,/, /g'; }

# _topo_counters_nft BODY-RULES: the table "sfct" common part
_topo_counters() {
	printf '\tcounter ok4 {}\n\tcounter ok6 {}\n'
	printf '\tcounter wrong {}\n\tcounter bypass {}\n'
}

# _topo_rules PREFIX4 PREFIX6 DSCP_IN TTL_IN: rules counting ok/wrong/bypass
# for packets between the two host networks, expecting DSCP_IN and TTL_IN.
_topo_rules() {
	local n4 n6 dscp=$1 ttl=$2
	n4="ip daddr { $(_topo_set "${TOPO_NETS4[@]}") }"
	n6="ip6 daddr { $(_topo_set "${TOPO_NETS6[@]}") }"
	cat <<-EOR
		$n4 udp dport $TOPO_BYPASS_PORT counter name bypass
		$n6 udp dport $TOPO_BYPASS_PORT counter name bypass
		$n4 ip dscp $dscp ip ttl $ttl counter name ok4
		$n6 ip6 dscp $dscp ip6 hoplimit $ttl counter name ok6
		$n4 ip dscp != $dscp counter name wrong
		$n4 ip ttl != $ttl counter name wrong
		$n6 ip6 dscp != $dscp counter name wrong
		$n6 ip6 hoplimit != $ttl counter name wrong
	EOR
}

_topo_host() {	# ROLE PEER-ROLE PEER-IF ADDR4 ADDR6 GW4 GW6
	local role=$1
	veth_add "$role" eth0 "$2" "$3" || return
	addr_add "$role" eth0 "$4/24" "$5/64" || return
	# a TCP connect that cannot succeed gives up after ~7 s, not ~2 min
	ns_sysctl "$role" net.ipv4.tcp_syn_retries=2 || return
	# Diagnostic only: TOPO_TX_CSUM=off makes the host compute checksums
	# itself instead of leaving CHECKSUM_PARTIAL packets to the veth, which
	# is what containers do by default and what sfc must handle.
	if [[ ${TOPO_TX_CSUM:-on} == off ]]; then
		ns_exec "$role" ethtool -K eth0 tx off >/dev/null || return
	fi
	ip -n "$(ns_name "$role")" route add default via "$6"
	ip -n "$(ns_name "$role")" -6 route add default via "$7"
	# Hosts send DSCP 0 whatever they received (ping replies copy the
	# request's TOS), so an SF seeing AF41 knows sf1 marked it.
	ns_exec "$role" nft -f - <<-EOF
		table inet sfct {
			chain output {
				type filter hook output priority 0; policy accept;
				ip dscp != cs0 ip dscp set cs0
				ip6 dscp != cs0 ip6 dscp set cs0
			}
		}
	EOF
}

# topo_build: create the namespaces, links, addresses, routes and SFs.
topo_build() {
	local r
	for r in src fab dst sf1 sf2 sf3; do
		ns_add "$r" || return
	done
	# namespace names, for the scripts using this topology
	# shellcheck disable=SC2034
	FAB=$(ns_name fab) SRC=$(ns_name src) DST=$(ns_name dst)
	# shellcheck disable=SC2034
	SF1=$(ns_name sf1) SF2=$(ns_name sf2) SF3=$(ns_name sf3)

	# fab: the router whose interfaces sfc is given
	ns_sysctl fab net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 || return
	_topo_host src fab fs0 "$SRC4" "$SRC6" 198.18.1.254 2001:db8:1::fe || return
	_topo_host dst fab fd0 "$DST4" "$DST6" 198.18.2.254 2001:db8:2::fe || return
	addr_add fab fs0 198.18.1.254/24 2001:db8:1::fe/64 || return
	addr_add fab fd0 198.18.2.254/24 2001:db8:2::fe/64 || return

	# sf1: Linux bridge between its two arms. Learning off: both
	# directions enter on eth0, so learned MACs would point back at
	# eth0 and the bridge would drop the frames; flooding two ports is
	# forwarding to the other one.
	veth_add fab f1a sf1 eth0 || return
	veth_add fab f1b sf1 eth1 || return
	ns_sysctl sf1 net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return
	ip -n "$SF1" link add name br0 type bridge stp_state 0 mcast_snooping 0 || return
	for r in eth0 eth1; do
		ip -n "$SF1" link set dev "$r" master br0 || return
		ip -n "$SF1" link set dev "$r" type bridge_slave learning off flood on || return
	done
	ip -n "$SF1" link set dev br0 up || return
	ns_exec sf1 nft -f - <<-EOF || return
		table bridge sfct {
		$(_topo_counters)
			chain forward {
				type filter hook forward priority 0; policy accept;
		$(_topo_rules cs0 "$TOPO_TTL" | sed 's/^/\t\t/')
				ip daddr { $(_topo_set "${TOPO_NETS4[@]}") } ip dscp set af41
				ip6 daddr { $(_topo_set "${TOPO_NETS6[@]}") } ip6 dscp set af41
			}
		}
	EOF

	# sf2: a router, one arm. It has an address on the f2 link and routes
	# both host networks back via fab's f2 address.
	veth_add fab f2 sf2 eth0 || return
	ns_sysctl sf2 net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.eth0.send_redirects=0 || return
	addr_add fab f2 198.18.3.254/24 2001:db8:3::fe/64 || return
	addr_add sf2 eth0 "$SF2_4/24" "$SF2_6/64" || return
	for r in "${TOPO_NETS4[@]}"; do
		ip -n "$SF2" route add "$r" via 198.18.3.254 || return
	done
	for r in "${TOPO_NETS6[@]}"; do
		ip -n "$SF2" -6 route add "$r" via 2001:db8:3::fe || return
	done
	# prerouting: before forwarding decrements the TTL. The output chain
	# stops IPv6 redirects, which have no sysctl (in == out here).
	ns_exec sf2 nft -f - <<-EOF || return
		table inet sfct {
		$(_topo_counters)
			chain prerouting {
				type filter hook prerouting priority 0; policy accept;
		$(_topo_rules af41 "$TOPO_TTL" | sed 's/^/\t\t/')
			}
			chain output {
				type filter hook output priority 0; policy accept;
				icmp type redirect drop
				icmpv6 type nd-redirect drop
			}
		}
	EOF
	SF2_MAC=$(link_mac sf2 eth0)

	# sf3: counts in a netdev ingress hook on its first arm, then forwards
	# every frame unchanged out of its second arm.
	veth_add fab f3a sf3 eth0 || return
	veth_add fab f3b sf3 eth1 || return
	ns_sysctl sf3 net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return
	ns_exec sf3 nft -f - <<-EOF || return
		table netdev sfct {
		$(_topo_counters)
			chain ingress {
				type filter hook ingress device "eth0" priority 0; policy accept;
		$(_topo_rules af41 $((TOPO_TTL - 1)) | sed 's/^/\t\t/')
				fwd to "eth1"
			}
		}
	EOF
}

# topo_state_json: the sfcd state document for this topology.
topo_state_json() {
	local d4=${TOPO_NETS4[1]} d6=${TOPO_NETS6[1]}
	local s4=${TOPO_NETS4[0]} s6=${TOPO_NETS6[0]}
	cat <<-EOF
	{
	  "ingress": [{"dev": "fs0"}, {"dev": "fd0"}],
	  "sfs": [
	    {"name": "br",  "kind": "iface", "dev": "f1a", "out-dev": "f1b"},
	    {"name": "rt",  "kind": "iface", "dev": "f2", "mac": "$SF2_MAC"},
	    {"name": "nft", "kind": "iface", "dev": "f3a", "out-dev": "f3b"}
	  ],
	  "chains": [{"name": "web", "spi": 100, "hops": [["br"], ["rt"], ["nft"]], "on-failure": "drop"}],
	  "rules": [
	    {"pref": 10, "in-dev": "fs0", "dst": "$d4", "proto": "tcp", "dport": "$TOPO_TCP_PORT", "chain": "web"},
	    {"pref": 11, "in-dev": "fs0", "dst": "$d6", "proto": "tcp", "dport": "$TOPO_TCP_PORT", "chain": "web"},
	    {"pref": 12, "in-dev": "fs0", "dst": "$d4", "proto": "icmp", "chain": "web"},
	    {"pref": 13, "in-dev": "fs0", "dst": "$d6", "proto": "icmpv6", "chain": "web"},
	    {"pref": 14, "in-dev": "fs0", "dst": "$d4", "proto": "udp", "dport": "$TOPO_UDP_PORTS", "chain": "web"},
	    {"pref": 15, "in-dev": "fs0", "dst": "$d6", "proto": "udp", "dport": "$TOPO_UDP_PORTS", "chain": "web"},
	    {"pref": 20, "in-dev": "fd0", "dst": "$s4", "proto": "tcp", "sport": "$TOPO_TCP_PORT", "chain": "web"},
	    {"pref": 21, "in-dev": "fd0", "dst": "$s6", "proto": "tcp", "sport": "$TOPO_TCP_PORT", "chain": "web"},
	    {"pref": 22, "in-dev": "fd0", "dst": "$s4", "proto": "icmp", "chain": "web"},
	    {"pref": 23, "in-dev": "fd0", "dst": "$s6", "proto": "icmpv6", "chain": "web"}
	  ]
	}
	EOF
}

# topo_sfcd ARGS...: run sfcd in fab's network namespace. nsenter rather
# than `ip netns exec`: the latter remounts /sys, which hides the host's
# bpffs at /sys/fs/bpf, so pins would not outlive the command.
# TOPO_SFCD_ARGS: options added to every call (e.g. "--steer xdp").
topo_sfcd() {
	# shellcheck disable=SC2086
	timeout 30 nsenter --net="/run/netns/$FAB" -- "$SFCD" ${TOPO_SFCD_ARGS:-} "$@"
}

# topo_sfc_start: write the state file and load sfc into fab. Sets PIN_DIR
# and STATE_FILE; registers the unload for cleanup.
topo_sfc_start() {
	local dir=$1	# directory for the state file
	pin_dir_new fab
	PIN_DIR=$NS_LAST_PIN
	STATE_FILE=$dir/state.json
	topo_state_json >"$STATE_FILE" || return
	cleanup_push "topo_sfcd --unload --pin-dir '$PIN_DIR'"
	topo_sfcd --check --state-file "$STATE_FILE" || return
	topo_sfcd --once --pin-dir "$PIN_DIR" --state-file "$STATE_FILE" ${SFCD_VERBOSE:+-v}
}

# topo_fake_chain: steer the same traffic as topo_state_json with nftables
# netdev hooks in fab instead of sfc. Not a test of sfc: a check of the
# topology and of the test's own order and counter logic (SFC_FAKE_CHAIN=1).
topo_fake_chain() {
	local n4 n6 ip4 ip6 bp=$TOPO_BYPASS_PORT
	n4="ip daddr { $(_topo_set "${TOPO_NETS4[@]}") }"
	n6="ip6 daddr { $(_topo_set "${TOPO_NETS6[@]}") }"
	# classifier: like the rules minus their port and protocol details:
	# everything between the host networks but UDP to the bypass port
	ip4="ip protocol udp udp dport $bp accept"
	ip6="ip6 nexthdr udp udp dport $bp accept"
	ns_exec fab nft -f - <<-EOF
		table netdev sfct_fake {
			chain fs0 {
				type filter hook ingress device "fs0" priority 0;
				$ip4
				$ip6
				ip daddr ${TOPO_NETS4[1]} fwd to "f1a"
				ip6 daddr ${TOPO_NETS6[1]} fwd to "f1a"
			}
			chain fd0 {
				type filter hook ingress device "fd0" priority 0;
				$ip4
				$ip6
				ip daddr ${TOPO_NETS4[0]} fwd to "f1a"
				ip6 daddr ${TOPO_NETS6[0]} fwd to "f1a"
			}
			chain f1b {	# back from sf1: to sf2, addressed to its MAC
				type filter hook ingress device "f1b" priority 0;
				$n4 ether daddr set $SF2_MAC fwd to "f2"
				$n6 ether daddr set $SF2_MAC fwd to "f2"
			}
			chain f2 {	# back from sf2: to sf3
				type filter hook ingress device "f2" priority 0;
				$n4 fwd to "f3a"
				$n6 fwd to "f3a"
			}
			chain f3b {	# back from sf3: fab routes it (the frame
					# still carries sf2's destination MAC, f2's)
				type filter hook ingress device "f3b" priority 0;
				$n4 meta pkttype set host
				$n6 meta pkttype set host
			}
		}
	EOF
}

# topo_counter ROLE NAME: packets of named counter NAME in ROLE's table sfct.
topo_counter() {
	local fam
	case $1 in sf1) fam=bridge ;; sf2) fam=inet ;; sf3) fam=netdev ;; esac
	ns_exec "$1" nft -j list counter "$fam" sfct "$2" 2>/dev/null |
		jq -r '.nftables[] | select(.counter) | .counter.packets'
}

# topo_counters: one line "ROLE NAME PACKETS" per SF counter.
topo_counters() {
	local r c
	for r in "${TOPO_SF_ROLES[@]}"; do
		for c in ok4 ok6 wrong bypass; do
			printf '%s %s %s\n' "$r" "$c" "$(topo_counter "$r" "$c")"
		done
	done
}
