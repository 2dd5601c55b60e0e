#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# In-VM integration test (busybox sh, iproute2, jq): sfcd's health probe on
# whatever kernel the VM runs. fab's f1 is the one arm of r1, a namespace
# with 198.18.3.1/24; sfcd probes it with ICMP from 198.18.3.253 every
# 200 ms (its packet sockets, ARP answered by sfcd, the answers handed to
# the stack by the datapath). Checked: the probe is answered and the SF up;
# r1 told to ignore echo requests (its link stays up) is taken down in the
# datapath; answering again, it comes back.
# Lines "PASS label" / "FAIL label: why".

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SFCD=${SFCD:-$HERE/../../build/sfcd}
SFCCTL=${SFCCTL:-$HERE/../../build/sfcctl}
P=${NS_PREFIX:-vmh-}
T=$(mktemp -d /tmp/vmh.XXXXXX) || exit 1
PIN=/sys/fs/bpf/${P}sfc
FAB=${P}fab R1=${P}r1
SOCK=$T/sfcd.sock
SFCD_PID=

npass=0
nfail=0
pass() { npass=$((npass + 1)); echo "PASS $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL $1: $2"; }
check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2', got '$3'"
	fi
}

nx() {
	ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
	[ -n "$SFCD_PID" ] && kill "$SFCD_PID" 2>/dev/null && wait "$SFCD_PID" 2>/dev/null
	[ -d "$PIN" ] && nx "$FAB" "$SFCD" --unload --pin-dir "$PIN" >/dev/null 2>&1
	rm -rf "$PIN"
	ip netns del "$FAB" 2>/dev/null
	ip netns del "$R1" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# what sfcd's stats say of r1: "PROBE-STATE UP" (UP: the datapath's flag)
r1_state() {
	timeout 10 "$SFCCTL" -s "$SOCK" -j stats 2>/dev/null |
		jq -r '.sfs[]? | select(.name == "r1") | "\(.probe.state // "none") \(.up)"'
}

# wait_state WANT SECONDS
wait_state() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		[ "$(r1_state)" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

ip netns add "$FAB" && ip netns add "$R1" || { fail setup "netns"; exit 1; }
ip -n "$FAB" link add name f1 type veth peer name eth0 netns "$R1" &&
	ip -n "$FAB" link set dev lo up && ip -n "$R1" link set dev lo up &&
	ip -n "$FAB" link set dev f1 up && ip -n "$R1" link set dev eth0 up &&
	ip -n "$R1" addr add 198.18.3.1/24 dev eth0 || { fail setup "links"; exit 1; }
mac=$(ip -n "$R1" -j link show dev eth0 | jq -r '.[0].address')
cat >"$T/state.json" <<EOF
{"sfs": [{"name": "r1", "kind": "iface", "dev": "f1", "mac": "$mac",
          "probe": "icmp 198.18.3.1", "probe-from": "198.18.3.253",
          "probe-interval": 200}]}
EOF
# loading the programs takes minutes under emulation
nx "$FAB" "$SFCD" -f "$T/state.json" -P "$PIN" -s "$SOCK" 2>"$T/sfcd.log" &
SFCD_PID=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 1800 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -S "$SOCK" ] || { fail setup "sfcd did not start: $(tail -3 "$T/sfcd.log")"; exit 1; }

if wait_state "up true" 30; then
	pass "r1 answers its probe: up"
else
	fail "r1 answers its probe: up" "got '$(r1_state)'"
fi
answers=$(nx "$FAB" "$SFCD" --stats -j --pin-dir "$PIN" 2>/dev/null |
	jq -r '[.reasons[]? | select(.name == "sf-health-probe-answer") | .count] | add // 0')
[ "${answers:-0}" -gt 0 ] 2>/dev/null && pass "the datapath handed the answers to the stack" ||
	fail "the datapath handed the answers to the stack" "counted ${answers:-none}"

nx "$R1" sh -c 'echo 1 >/proc/sys/net/ipv4/icmp_echo_ignore_all'
check "r1 ignores echo requests, its link up" UP \
	"$(ip -n "$R1" -j link show dev eth0 | jq -r '.[0].operstate')"
if wait_state "down false" 30; then
	pass "r1 taken down in the datapath"
else
	fail "r1 taken down in the datapath" "got '$(r1_state)'"
fi
nx "$R1" sh -c 'echo 0 >/proc/sys/net/ipv4/icmp_echo_ignore_all'
if wait_state "up true" 30; then
	pass "r1 answering again: up"
else
	fail "r1 answering again: up" "got '$(r1_state)'"
fi
grep -q "SF r1: probe icmp 198.18.3.1 failed 3 times in a row (no answer): down" "$T/sfcd.log" &&
	pass "sfcd logged why r1 went down" ||
	fail "sfcd logged why r1 went down" "$(grep 'SF r1' "$T/sfcd.log" | tail -2)"

[ $((npass + nfail)) -gt 0 ] || fail setup "no check ran"
[ "$nfail" = 0 ]
exit $?
