#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that sfcd refuses to pin its datapath where the pins would not
# outlive it or are not pins at all:
# - run under `ip netns exec` (which unshares the mount namespace and
#   remounts /sys, hiding the host's bpffs), sfcd and sfcd --once exit 1
#   and say why and what to do instead (nsenter --net=/run/netns/NAME);
#   no program is attached in the namespace, no socket and no pin dir
#   on the host's bpffs are created;
# - a pin dir on a filesystem that is not bpffs (here tmpfs or the temp
#   dir's): exit 1, "is not on a bpf filesystem", the directory is not
#   created;
# - the same sfcd entered with nsenter --net starts and serves.
# Topology: tests/daemon/lib.sh, without SFs.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

# msg_has LABEL TEXT: MSG contains TEXT
msg_has() {
	if grep -qF -- "$2" <<<"$MSG"; then
		pass "$1: says '$2'"
	else
		fail "$1: says '$2'" "got '$(grep -v debug: <<<"$MSG" | head -n 3 | tr '\n' ' ')'"
	fi
}

# xdp_progs: interfaces of fab with an XDP program
xdp_progs() {
	ip -n "$FAB" -j link show | jq -r '.[] | select(.xdp) | .ifname' | sort | tr '\n' ' '
}

d_init
assert_do "topology" d_topo nosf || assert_done
d_state_json drop >"$STATE"

MSG=$(timeout 10 ip netns exec "$FAB" "$SFCD" -f "$STATE" -P "$PIN" -s "$SOCK" </dev/null 2>&1)
RC=$?
assert_eq "sfcd under ip netns exec: exit 1" 1 "$RC"
msg_has "sfcd under ip netns exec" "ip netns exec remounts /sys"
msg_has "sfcd under ip netns exec" "nsenter --net=/run/netns/NAME"
assert_eq "... no program attached in the namespace" "" "$(xdp_progs)"
assert_eq "... no socket" "" "$(ls -A "$SOCK" 2>/dev/null)"
assert_eq "... no pin dir on the host's bpffs" no "$([[ -e $PIN ]] && echo yes || echo no)"

MSG=$(timeout 10 ip netns exec "$FAB" "$SFCD" --once -f "$STATE" -P "$PIN" </dev/null 2>&1)
RC=$?
assert_eq "sfcd --once under ip netns exec: exit 1" 1 "$RC"
msg_has "sfcd --once under ip netns exec" "nsenter --net=/run/netns/NAME"
assert_eq "... no program attached in the namespace" "" "$(xdp_progs)"

# not a bpffs: the test's temp dir, and /dev/shm (tmpfs)
for dir in "$T/pins" "/dev/shm/${NS_PREFIX}pins"; do
	MSG=$(timeout 10 nsenter --net="/run/netns/$FAB" -- "$SFCD" -f "$STATE" -P "$dir" \
		-s "$SOCK" </dev/null 2>&1)
	RC=$?
	assert_eq "pin dir $dir: exit 1" 1 "$RC"
	msg_has "pin dir $dir" "is not on a bpf filesystem"
	if grep -q "older layout" <<<"$MSG"; then
		fail "pin dir $dir: no advice about map layouts" "got '$(head -n 3 <<<"$MSG" | tr '\n' ' ')'"
	else
		pass "pin dir $dir: no advice about map layouts"
	fi
	assert_eq "pin dir $dir: not created" no "$([[ -e $dir ]] && echo yes || echo no)"
	rm -rf "$dir"
done
assert_eq "... no program attached in the namespace" "" "$(xdp_progs)"

assert_do "with nsenter --net, sfcd starts" d_sfcd_start
assert_ne "... and attaches to fs0 (tc: a stack behind it)" 0 "$(d_tc_id fs0)"
assert_ne "... and attaches to fd0 (tc: a stack behind it)" 0 "$(d_tc_id fd0)"
assert_done
