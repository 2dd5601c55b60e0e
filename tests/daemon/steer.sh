#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks how sfcd takes packets in on each interface (--steer):
# - auto (the default): the fabric's veths to namespaces with a stack
#   (src, dst, the bridging SFs) are steered at tc: no XDP program on
#   them, `sfcd --stats` says "tc"; UDP is chained through both SFs;
#   a TCP transfer (8 MiB, socat) through the chain arrives intact, with no
#   checksum error at the receiver, and crosses the SFs as GSO packets:
#   the first SF's bridge forwards far fewer packets than MSS-sized
#   segments;
# - xdp: sfc_xdp on every interface, `--stats` says "xdp"; the same
#   transfer arrives intact too, but the SF forwards at least 4 times as
#   many packets (the kernel turns GSO off on the far end of a veth whose
#   near end runs XDP);
# - restarting from xdp to auto under a numbered UDP stream loses nothing,
#   and takes sfc_xdp off the interfaces;
# - tc: no XDP anywhere either; a bad --steer value exits 2 naming it.
# Topology and marks: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

TCP_PORT=5200
BYTES=$((8 << 20))
MSS=1448
DEVS=(fs0 fd0 f1a f1b f2a f2b)

# all_steered MODE LABEL: every interface of the fabric steered by MODE,
# with an XDP program on it exactly when MODE is xdp
all_steered() {
	local mode=$1 label=$2 dev xdp
	for dev in "${DEVS[@]}"; do
		assert_eq "$label: $dev steered by $mode" "$mode" "$(d_steer_of "$dev")"
		xdp=$(d_xdp_id "$dev")
		if [[ $mode == xdp ]]; then
			assert_ne "$label: $dev has sfc_xdp" 0 "$xdp"
		else
			assert_eq "$label: $dev has no XDP program" 0 "$xdp"
		fi
	done
}

csum_errors() {
	ip netns exec "$DST" nstat -az TcpInCsumErrors 2>/dev/null |
		awk '$1 == "TcpInCsumErrors" { print $2; f = 1 } END { if (!f) print 0 }'
}

# tcp_transfer LABEL: BYTES over TCP from src to dst through chain web;
# sets SF1_PKTS (packets sf1's bridge forwarded meanwhile)
tcp_transfer() {
	local label=$1 before after b0 b1 e0 e1
	rm -f "$T/tcp.rx"
	bg_run timeout 60 ip netns exec "$DST" socat -u \
		"TCP-LISTEN:$TCP_PORT,reuseaddr,bind=$DST4" "OPEN:$T/tcp.rx,creat,trunc"
	local rx_pid=$BG_PID
	wait_until 5 bash -c "ip netns exec '$DST' ss -Htln 'sport = :$TCP_PORT' | grep -q ."
	before=$(d_sf_count 1 pkts)
	b0=$(d_stats | jq '.chains[] | select(.name == "web") | .hops[0].bytes')
	e0=$(csum_errors)
	timeout 60 ip netns exec "$SRC" socat -u "OPEN:$T/tcp.tx" \
		"TCP:$DST4:$TCP_PORT,connect-timeout=5"
	wait "$rx_pid"
	after=$(d_sf_count 1 pkts)
	b1=$(d_stats | jq '.chains[] | select(.name == "web") | .hops[0].bytes')
	e1=$(csum_errors)
	assert_eq "$label: TCP: $BYTES bytes arrived intact" "$(sha256sum <"$T/tcp.tx")" \
		"$(sha256sum <"$T/tcp.rx" 2>/dev/null)"
	assert_eq "$label: TCP: no checksum error at the receiver" 0 "$(delta "$e0" "$e1")"
	assert_ge "$label: TCP: the transfer went through chain web's first hop" "$BYTES" \
		"$(delta "$b0" "$b1")"
	SF1_PKTS=$(delta "$before" "$after")
	printf '# %s: sf1 forwarded %s packets for %s bytes (%s MSS-sized segments)\n' \
		"$label" "$SF1_PKTS" "$BYTES" $((BYTES / MSS))
}

d_init
command -v bpftool >/dev/null || { fail setup "missing tool bpftool"; assert_done; }
assert_do "topology" d_topo || assert_done
head -c "$BYTES" /dev/urandom >"$T/tcp.tx"
d_state_json drop | jq --arg d "$NET_DST" --argjson p "$TCP_PORT" \
	'.rules += [{"pref": 40, "in-dev": "fs0", "dst": $d, "proto": "tcp",
		     "dport": ($p | tostring), "chain": "web"}]' >"$STATE"

# --- auto
assert_do "sfcd starts (auto)" d_sfcd_start || assert_done
all_steered tc "auto"
d_chained "auto: UDP crosses both SFs" a0
tcp_transfer "auto"
auto_pkts=$SF1_PKTS
assert_lt "auto: sf1 forwarded fewer packets than a quarter of the segments (GSO kept)" \
	$((BYTES / MSS / 4)) "$auto_pkts"
d_sfcd_stop TERM

# --- xdp
assert_do "sfcd starts (--steer xdp)" d_sfcd_start --steer xdp || assert_done
all_steered xdp "xdp"
d_chained "xdp: UDP crosses both SFs" x0
tcp_transfer "xdp"
assert_ge "xdp: sf1 forwarded at least 4 times as many packets as under auto" \
	$((auto_pkts * 4)) "$SF1_PKTS"

# --- xdp -> auto under a stream
assert_do "receiver" d_recv_start sw "$CHAINED_PORT" 5000 1 hold || assert_done
d_send_bg sw "$CHAINED_PORT" 5000 0.002
sleep 0.5
d_sfcd_stop TERM
assert_do "sfcd restarts with auto under the stream" d_sfcd_start
d_send_stop sw 0.5
wait "$D_RECV_PID"
n=$(d_sent sw)
assert_eq "xdp -> auto: $n of $n datagrams received" "$n" "$(rx "$T/sw.rx.json" .received)"
assert_eq "xdp -> auto: every datagram crossed both SFs" "{\"$DSCP_FULL\":$n}" \
	"$(rx "$T/sw.rx.json" '.dscp | tojson')"
all_steered tc "after the switch"
d_sfcd_stop TERM

# --- tc, and a bad value
assert_do "sfcd starts (--steer tc)" d_sfcd_start --steer tc || assert_done
all_steered tc "tc"
d_chained "tc: UDP crosses both SFs" t0
d_sfcd_stop TERM
msg=$(nsenter --net="/run/netns/$FAB" -- "$SFCD" --steer fast -f "$STATE" -P "$PIN" 2>&1)
assert_eq "--steer fast: exit 2" 2 "$?"
assert_eq "--steer fast: the message names it" \
	'sfcd: --steer wants auto, xdp or tc, not "fast"' "$msg"

assert_do "--unload in fab" d_unload
assert_done
