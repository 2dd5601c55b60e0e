#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that traffic the classifier matches goes through the three SFs of
# chain "web" in order (bridge, router, nft counter), in both directions,
# for IPv4 and IPv6 ping, a TCP stream and UDP datagrams; that sfcd's
# counters agree; and that traffic matching no rule bypasses the chain.
# The topology and the order proof are described in tests/lib/topology.sh.
#
# Environment:
#	TCP_MB=100		size of the IPv4 TCP stream (IPv6: a fifth)
#	SFC_FAKE_CHAIN=1	steer with nftables in fab instead of sfcd
#				(checks the test itself; sfcd checks skipped)
#	SFCD_VERBOSE=1		pass -v to sfcd --once
#	KEEP_GOING=1		on a setup failure, run the traffic checks anyway
#	TOPO_TX_CSUM=off	diagnostic: hosts' veths without TX checksum
#				offload (no CHECKSUM_PARTIAL packets)
#	SF_XDP_OBJ=FILE		diagnostic: the router SF (sf2) runs this XDP
#				object (section "xdp") on its interface

set -u
TEST_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/netns.sh
. "$TEST_DIR/../lib/netns.sh"
# shellcheck source=tests/lib/assert.sh
. "$TEST_DIR/../lib/assert.sh"
# shellcheck source=tests/lib/topology.sh
. "$TEST_DIR/../lib/topology.sh"

TCP_MB=${TCP_MB:-100}
FAKE=${SFC_FAKE_CHAIN:-0}
PING_N=5
UDP_N=200
PROBE=$TEST_DIR/../lib/udp_probe.py
DSCP_AF41_TOS=136	# DSCP 34 << 2, ECN 0

netns_trap

# ---- helpers ---------------------------------------------------------------

# snap NAME: SF counters and sfcd statistics now, into $T/NAME.{cnt,json}
snap() {
	topo_counters >"$T/$1.cnt"
	if ((FAKE)); then
		echo '{}' >"$T/$1.json"
	else
		topo_sfcd --stats -j --pin-dir "$PIN_DIR" >"$T/$1.json" 2>"$T/$1.err" ||
			echo '{}' >"$T/$1.json"
	fi
}

# cnt SNAP ROLE NAME: an SF counter from a snapshot
cnt() { awk -v r="$2" -v n="$3" '$1 == r && $2 == n { print $3 }' "$T/$1.cnt"; }

# st SNAP JQ: a number from a sfcd statistics snapshot ("missing" if absent)
st() { jq -r "($2) // \"missing\"" "$T/$1.json" 2>/dev/null || echo invalid; }

CHAIN='.chains[]? | select(.name == "web")'
hop() { echo "$CHAIN | .hops[]? | select(.hop == $1)"; }
sf() { echo ".sfs[]? | select(.name == \"$1\")"; }

# delta A B: B - A, or both values as text if either is not a number
delta() {
	if [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]]; then
		echo $(($2 - $1))
	else
		echo "before=$1,after=$2"
	fi
}

# check_sfs LABEL A B FAMILY(4|6) N: each SF counted exactly N packets in
# order between snapshots A and B (N = "+" means at least one).
check_sfs() {
	local label=$1 a=$2 b=$3 fam=$4 n=$5 r d
	for r in "${TOPO_SF_ROLES[@]}"; do
		d=$(delta "$(cnt "$a" "$r" "ok$fam")" "$(cnt "$b" "$r" "ok$fam")")
		if [[ $n == + ]]; then
			assert_gt "$label: $r saw it in order" 0 "$d"
		else
			assert_eq "$label: $r saw $n packets in order" "$n" "$d"
		fi
	done
}

# check_stats LABEL A B N: sfcd counted N packets (N = "+": at least one,
# the same at every hop) in chain web, at each hop and to each SF.
check_stats() {
	local label=$1 a=$2 b=$3 n=$4 c h d s
	((FAKE)) && return
	c=$(delta "$(st "$a" "$CHAIN | .packets")" "$(st "$b" "$CHAIN | .packets")")
	if [[ $n == + ]]; then
		assert_gt "$label: sfcd chain web packets" 0 "$c"
	else
		assert_eq "$label: sfcd chain web packets" "$n" "$c"
	fi
	for h in 1 2 3; do
		d=$(delta "$(st "$a" "$(hop $h) | .packets")" "$(st "$b" "$(hop $h) | .packets")")
		if [[ $n == + ]]; then
			assert_gt "$label: sfcd hop $h packets" 0 "$d"
		else
			assert_eq "$label: sfcd hop $h packets" "$n" "$d"
		fi
		d=$(delta "$(st "$a" "$(hop $h) | .drops")" "$(st "$b" "$(hop $h) | .drops")")
		assert_eq "$label: sfcd hop $h drops" 0 "$d"
	done
	for s in br rt nft; do
		d=$(delta "$(st "$a" "$(sf $s) | .tx_packets")" "$(st "$b" "$(sf $s) | .tx_packets")")
		if [[ $n == + ]]; then
			assert_gt "$label: sfcd sf $s tx_packets" 0 "$d"
		else
			assert_eq "$label: sfcd sf $s tx_packets" "$n" "$d"
			# what comes back may include the SF's own frames
			d=$(delta "$(st "$a" "$(sf $s) | .rx_packets")" "$(st "$b" "$(sf $s) | .rx_packets")")
			assert_ge "$label: sfcd sf $s rx_packets" "$n" "$d"
		fi
	done
}

# ping_check LABEL ADDR: PING_N echo requests from src, all answered, every
# reply having crossed the chain (TTL 62: sf2 and fab each routed it once).
ping_check() {
	local label=$1 addr=$2 out rc ttls
	out=$(timeout 20 ip netns exec "$SRC" ping -n -c $PING_N -i 0.2 -W 2 -w 15 "$addr" 2>&1)
	rc=$?
	if ((rc == 0)); then
		pass "$label: $PING_N of $PING_N answered"
	else
		fail "$label: $PING_N of $PING_N answered" \
			"ping exited $rc: $(grep -m1 'packets transmitted' <<<"$out")"
	fi
	ttls=$(grep -o 'ttl=[0-9]*' <<<"$out" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
	assert_eq "$label: reply TTLs" "ttl=$((TOPO_TTL - 2)):$PING_N " "$ttls"
}

# udp_check LABEL ADDR PORT N TTL TOS: N datagrams src -> dst; all arrive,
# with TTL/hop limit TTL and TOS/traffic class TOS.
udp_check() {
	local label=$1 addr=$2 port=$3 n=$4 ttl=$5 tos=$6 pid out
	rm -f "$T/ready"
	bg_run timeout 30 ip netns exec "$DST" /usr/bin/python3 "$PROBE" recv \
		"$addr" "$port" "$n" --timeout 2 --ready "$T/ready" >"$T/udp.json"
	pid=$BG_PID
	if ! wait_until 5 test -e "$T/ready"; then
		fail "$label: receiver" "did not start"
		return 1
	fi
	timeout 30 ip netns exec "$SRC" /usr/bin/python3 "$PROBE" send \
		"$addr" "$port" "$n" --interval 0.001 ||
		fail "$label: sender" "exited $?"
	wait "$pid"
	out=$(cat "$T/udp.json")
	assert_eq "$label: $n of $n datagrams received" "$n" \
		"$(jq -r '.received' <<<"$out" 2>/dev/null)"
	assert_eq "$label: no duplicates" "$n" "$(jq -r '.unique' <<<"$out" 2>/dev/null)"
	assert_eq "$label: all with TTL $ttl" "{\"$ttl\":$n}" "$(jq -c '.ttl' <<<"$out" 2>/dev/null)"
	assert_eq "$label: all with TOS $tos" "{\"$tos\":$n}" "$(jq -c '.tos' <<<"$out" 2>/dev/null)"
}

# tcp_check LABEL ADDR MB: MB megabytes of random data src -> dst port
# TOPO_TCP_PORT; sha256 compared at both ends.
tcp_check() {
	local label=$1 addr=$2 mb=$3 pid lst con want got t0 t rc
	if [[ $addr == *:* ]]; then
		lst=TCP6-LISTEN con="TCP6:[$addr]"
	else
		lst=TCP4-LISTEN con="TCP4:$addr"
	fi
	rm -f "$T/rx.sha"
	bg_run timeout 70 ip netns exec "$DST" sh -c \
		"socat -u $lst:$TOPO_TCP_PORT,reuseaddr - | sha256sum >'$T/rx.sha'"
	pid=$BG_PID
	if ! wait_until 5 sh -c "ip netns exec '$DST' ss -Htln 'sport = :$TOPO_TCP_PORT' | grep -q ."; then
		fail "$label: receiver" "socat did not listen"
		return 1
	fi
	want=$(head -c "${mb}M" "$T/payload" | sha256sum | cut -d" " -f1)
	t0=$(date +%s%N)
	timeout 60 ip netns exec "$SRC" sh -c \
		"head -c ${mb}M '$T/payload' | socat -u - $con:$TOPO_TCP_PORT,connect-timeout=5"
	rc=$?
	if ((rc != 0)); then
		fail "$label: sender" "exited $rc"
		kill "$pid" 2>/dev/null	# nothing more will come
	fi
	wait "$pid"
	t=$((($(date +%s%N) - t0) / 1000000))
	got=$(cut -d" " -f1 "$T/rx.sha" 2>/dev/null)
	assert_eq "$label: $mb MB, sha256 equal at both ends" "$want" "$got"
	printf '# %s: %s MB in %d.%03d s\n' "$label" "$mb" $((t / 1000)) $((t % 1000))
}

# fab_attachments: one line per BPF program attached in fab ("DEV xdp",
# "DEV tc-ingress", "DEV tc-egress")
fab_attachments() {
	local dev dir
	ip -n "$FAB" -j link show | jq -r '.[] | select(.xdp) | "\(.ifname) xdp"'
	for dev in $(ip -n "$FAB" -j link show | jq -r '.[].ifname'); do
		for dir in ingress egress; do
			tc -n "$FAB" -j filter show dev "$dev" "$dir" 2>/dev/null |
				jq -e 'map(select(.kind == "bpf")) | length > 0' >/dev/null &&
				echo "$dev tc-$dir"
		done
	done
}

diagnose() {
	echo "# SF counters:"
	topo_counters | sed 's/^/#   /'
	if ((!FAKE)); then
		echo "# sfcd --stats:"
		topo_sfcd --stats --pin-dir "$PIN_DIR" 2>&1 | sed 's/^/#   /'
		echo "# BPF programs attached in fab:"
		fab_attachments | sed 's/^/#   /'
	fi
}

# ---- setup -----------------------------------------------------------------

if ((EUID != 0)); then
	fail setup "needs root"
	assert_done
fi
if ((!FAKE)) && [[ ! -x $SFCD ]]; then
	fail setup "$SFCD missing: run make"
	assert_done
fi
for tool in ip nft jq socat sha256sum nsenter timeout ss ping; do
	command -v $tool >/dev/null || { fail setup "missing tool $tool"; assert_done; }
done

tmp_dir_new || { fail setup "mktemp"; assert_done; }
T=$NS_LAST_TMP
head -c "${TCP_MB}M" /dev/urandom >"$T/payload"

assert_do "topology: namespaces, links, SFs" topo_build || assert_done
if [[ -n ${SF_XDP_OBJ:-} ]]; then
	assert_do "sf2 runs XDP ($SF_XDP_OBJ) on eth0" \
		ip -n "$SF2" link set dev eth0 xdpdrv obj "$SF_XDP_OBJ" sec xdp || assert_done
fi
if ((FAKE)); then
	skip "sfcd" "SFC_FAKE_CHAIN=1: chain steered by nftables in fab"
	assert_do "fake chain (nftables) installed" topo_fake_chain || assert_done
elif ! assert_do "sfcd --once loads and applies the state" \
	topo_sfc_start "$T"; then
	((${KEEP_GOING:-0})) || assert_done
fi
snap start
if ((!FAKE)); then
	assert_eq "sfcd --stats -j is JSON with chain web" 100 "$(st start "$CHAIN | .spi")" ||
		sed 's/^/#   /' "$T/start.json" "$T/start.err" | head -n 20
fi

# ---- chained traffic -------------------------------------------------------

snap a; ping_check "ping IPv4" "$DST4"; snap b
check_sfs "ping IPv4" a b 4 $((2 * PING_N))
check_stats "ping IPv4" a b $((2 * PING_N))

snap a; ping_check "ping IPv6" "$DST6"; snap b
check_sfs "ping IPv6" a b 6 $((2 * PING_N))
check_stats "ping IPv6" a b $((2 * PING_N))

snap a; udp_check "UDP IPv4" "$DST4" 5001 $UDP_N $((TOPO_TTL - 2)) $DSCP_AF41_TOS; snap b
check_sfs "UDP IPv4" a b 4 $UDP_N
check_stats "UDP IPv4" a b $UDP_N

snap a; udp_check "UDP IPv6" "$DST6" 5099 $UDP_N $((TOPO_TTL - 2)) $DSCP_AF41_TOS; snap b
check_sfs "UDP IPv6" a b 6 $UDP_N
check_stats "UDP IPv6" a b $UDP_N

snap a; tcp_check "TCP IPv4" "$DST4" "$TCP_MB"; snap b
check_sfs "TCP IPv4" a b 4 +
check_stats "TCP IPv4" a b +

snap a; tcp_check "TCP IPv6" "$DST6" $(((TCP_MB + 4) / 5)); snap b
check_sfs "TCP IPv6" a b 6 +
check_stats "TCP IPv6" a b +

# ---- traffic matching no rule ----------------------------------------------

# TCP connections may still be closing: let the last segments through
sleep 1
for fam in 4 6; do
	[[ $fam == 4 ]] && addr=$DST4 || addr=$DST6
	snap a
	# TTL 63 and TOS 0: fab routed it once, no SF touched it
	udp_check "no rule, UDP IPv$fam" "$addr" "$TOPO_BYPASS_PORT" 100 \
		$((TOPO_TTL - 1)) 0
	snap b
	assert_eq "no rule, UDP IPv$fam: SF counters unchanged" \
		"$(cat "$T/a.cnt")" "$(cat "$T/b.cnt")"
	if ((!FAKE)); then
		assert_eq "no rule, UDP IPv$fam: sfcd chain web packets unchanged" \
			"$(st a "$CHAIN | .packets")" "$(st b "$CHAIN | .packets")"
		for s in br rt nft; do
			assert_eq "no rule, UDP IPv$fam: sfcd sf $s tx_packets unchanged" \
				"$(st a "$(sf $s) | .tx_packets")" "$(st b "$(sf $s) | .tx_packets")"
		done
	fi
done

# ---- whole run -------------------------------------------------------------

snap end
for r in "${TOPO_SF_ROLES[@]}"; do
	assert_eq "order: $r saw no packet out of order" 0 "$(cnt end "$r" wrong)"
	assert_eq "bypass: $r saw no packet to port $TOPO_BYPASS_PORT" 0 "$(cnt end "$r" bypass)"
done
if ((!FAKE)); then
	for h in 1 2 3; do
		assert_eq "sfcd hop $h: no drops in the whole run" 0 "$(st end "$(hop $h) | .drops")"
	done
	# reasons that mean a chained packet was lost or went astray; others
	# (link-control-not-chained, end-of-chain-via-stack, ...) are listed
	for reason in rule-to-missing-chain missing-path missing-hop missing-sf \
		hop-down-drop hop-down-bypass redirect-failed sf-return-unknown-flow \
		sf-return-unknown-position xdp-meta-failed too-many-hops \
		missed-tail-call tc-pull-failed flow-cache-update-failed \
		sf-returned-to-fabric-on-wrong-iface; do
		n=$(st end ".reasons[]? | select(.name == \"$reason\") | .count")
		[[ $n == missing ]] && n=0
		assert_eq "sfcd reason $reason never counted" 0 "$n"
	done
	jq -r '.reasons[]? | select(.count > 0) | "# reason \(.name) (\(.code)): \(.count)"' \
		"$T/end.json" 2>/dev/null
fi

((ASSERT_FAILED)) && diagnose

# ---- unload ----------------------------------------------------------------

if ((!FAKE)); then
	fab_attachments | sed 's/^/# attached: /'
	assert_ok "sfcd --unload" topo_sfcd --unload --pin-dir "$PIN_DIR"
	assert_eq "unload: pin dir removed" "" "$(ls -d "$PIN_DIR" 2>/dev/null)"
	assert_eq "unload: no BPF program left on fab's interfaces" "" \
		"$(fab_attachments | tr '\n' ' ')"
	# fab routes on its own again: TTL 63, no SF in the path
	snap a
	out=$(timeout 20 ip netns exec "$SRC" ping -n -c 2 -i 0.2 -W 2 -w 10 "$DST4" 2>&1)
	assert_eq "unload: ping IPv4 still answered, not chained (TTL 63)" \
		"ttl=63 ttl=63 " "$(grep -o 'ttl=[0-9]*' <<<"$out" | tr '\n' ' ')"
	snap b
	assert_eq "unload: SF counters unchanged" "$(cat "$T/a.cnt")" "$(cat "$T/b.cnt")"
fi

assert_done
