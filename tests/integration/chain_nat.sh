#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that a NAT-ing SF in the middle of a chain does not let its
# traffic escape the rest of the chain. The router SF of chain "web" (sf2,
# tests/lib/topology.sh) masquerades what it forwards to its own address:
# the packets it sends back match no flow entry of the fabric. As sf2
# serves one chain, the fabric recognises them by its interface and sends
# them on to sf3; a real TCP stream and ping from src must work, dst must
# see sf2's address, and sf3 must count the rewritten packets.

set -u
TEST_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/netns.sh
. "$TEST_DIR/../lib/netns.sh"
# shellcheck source=tests/lib/assert.sh
. "$TEST_DIR/../lib/assert.sh"
# shellcheck source=tests/lib/topology.sh
. "$TEST_DIR/../lib/topology.sh"

netns_trap

stats() { topo_sfcd --stats -j --pin-dir "$PIN_DIR" 2>/dev/null || echo '{}'; }
reason() {	# STATS-JSON NAME: count of a reason (0 when not listed)
	local n
	n=$(jq -r --arg n "$2" '[.reasons[]? | select(.name == $n) | .count] | add // 0' <<<"$1" 2>/dev/null)
	echo "${n:-invalid}"
}
natted() {	# packets sf3 saw from sf2's address
	ip netns exec "$SF3" nft -j list counter netdev sfct natted 2>/dev/null |
		jq -r '.nftables[]? | .counter? // empty | .packets'
}

if ((EUID != 0)); then
	fail setup "needs root"
	assert_done
fi
for tool in ip nft jq socat sha256sum nsenter timeout ss ping; do
	command -v $tool >/dev/null || { fail setup "missing tool $tool"; assert_done; }
done
[[ -x $SFCD ]] || { fail setup "$SFCD missing: run make"; assert_done; }
tmp_dir_new || { fail setup "mktemp"; assert_done; }
T=$NS_LAST_TMP

assert_do "topology: namespaces, links, SFs" topo_build || assert_done
# sf2 masquerades traffic between the host networks to its own address;
# sf3 counts what arrives from that address before forwarding it
assert_do "sf2 masquerades to $SF2_4" ns_exec sf2 nft -f - <<-EOF || assert_done
	table ip nat {
		chain post {
			type nat hook postrouting priority 100; policy accept;
			oifname "eth0" ip saddr ${TOPO_NETS4[0]} ip daddr ${TOPO_NETS4[1]} masquerade
		}
	}
EOF
assert_do "sf3 counts packets from $SF2_4" ns_exec sf3 nft -f - <<-EOF || assert_done
	add counter netdev sfct natted
	insert rule netdev sfct ingress ip saddr $SF2_4 counter name natted
EOF
# run_steer MODE: load sfc with sfcd --steer MODE, the traffic checks, unload
run_steer() {
	local m=$1 s0 s1 n0 n1 n2 pid out r
	TOPO_SFCD_ARGS="--steer $m"
	assert_do "$m: sfcd --once loads and applies the state" topo_sfc_start "$T" || return

	s0=$(stats)
	n0=$(natted)

	# TCP: 2 MB, sha256 at both ends, the peer dst saw
	rm -f "$T/peer" "$T/rx.sha"
	bg_run timeout 40 ip netns exec "$DST" socat -u \
		"TCP4-LISTEN:$TOPO_TCP_PORT,reuseaddr" \
		"SYSTEM:echo \$SOCAT_PEERADDR >'$T/peer'; sha256sum >'$T/rx.sha'"
	pid=$BG_PID
	if wait_until 5 sh -c "ip netns exec '$DST' ss -Htln 'sport = :$TOPO_TCP_PORT' | grep -q ."; then
		timeout 30 ip netns exec "$SRC" sh -c \
			"socat -u - TCP4:$DST4:$TOPO_TCP_PORT,connect-timeout=5 <'$T/payload'" ||
			fail "$m: TCP: sender" "exited $?"
	else
		fail "$m: TCP: receiver" "socat did not listen"
	fi
	wait "$pid"
	assert_eq "$m: TCP through the NAT-ing SF: sha256 equal at both ends" \
		"$(sha256sum <"$T/payload" | cut -d' ' -f1)" "$(cut -d' ' -f1 "$T/rx.sha" 2>/dev/null)"
	assert_eq "$m: TCP: dst saw sf2's address (the SF did NAT)" "$SF2_4" \
		"$(cat "$T/peer" 2>/dev/null)"
	n1=$(natted)
	assert_gt "$m: TCP: sf3 got the rewritten packets (the chain went on after the NAT)" \
		100 "$((${n1:-0} - ${n0:-0}))"

	# ping: the echo requests are rewritten too
	out=$(timeout 20 ip netns exec "$SRC" ping -n -c 3 -i 0.2 -W 2 -w 10 "$DST4" 2>&1)
	assert_eq "$m: ping through the NAT-ing SF: 3 of 3 answered" 0 $?
	n2=$(natted)
	assert_ge "$m: ping: sf3 got the 3 rewritten echo requests" 3 "$((${n2:-0} - ${n1:-0}))"

	s1=$(stats)
	assert_gt "$m: sfcd reason sf-return-adopted-by-interface counted" \
		"$(reason "$s0" sf-return-adopted-by-interface)" \
		"$(reason "$s1" sf-return-adopted-by-interface)"
	for r in sf-return-unknown-flow sf-return-unknown-flow-drop sf-return-unknown-position \
		flow-cache-update-failed; do
		assert_eq "$m: sfcd reason $r not counted" "$(reason "$s0" $r)" "$(reason "$s1" $r)"
	done
	if ((ASSERT_FAILED)); then
		echo "# sfcd --stats:"
		topo_sfcd --stats --pin-dir "$PIN_DIR" 2>&1 | sed 's/^/#   /'
		grep -m1 'packets transmitted' <<<"$out" | sed 's/^/# ping: /'
	fi
	assert_ok "$m: sfcd --unload" topo_sfcd --unload --pin-dir "$PIN_DIR"
}

assert_eq "sf3 counted nothing from sf2 yet" 0 "$(natted)"
head -c 2M /dev/urandom >"$T/payload"
# auto: veths steered at tc (skb path); xdp: sfc_xdp on every interface
for mode in auto xdp; do
	run_steer "$mode"
done
assert_done
