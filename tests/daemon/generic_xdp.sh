#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that sfc takes back what it attached in generic (skb) XDP mode,
# on interfaces without native XDP: with a bridge (br0) and lo as ingress
# points, sfcd --steer auto (the default) steers both at tc, with no XDP
# program; sfcd --steer xdp attaches to both in generic mode (the auto
# sfcd's tc filters stay, XDP is added); `sfcctl ingress del dev
# br0` leaves nothing of sfc on br0 (no XDP program, no tc filter) and lo
# untouched; `sfcd --unload` run outside fab's namespace refuses (exit 1,
# names the namespace), detaches nothing and keeps the pins; run in fab it
# exits 0 and nothing of sfc is left on lo.
# Topology: tests/daemon/lib.sh (fab only).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=$D_ROOT/build/sfcctl

# xdp DEV: "MODE PROG_ID" of the XDP program on DEV in fab ("none" if none);
# ip's mode numbers: 1 native, 2 generic
xdp() {
	ip -n "$FAB" -j -d link show dev "$1" |
		jq -r '.[0].xdp | if . == null then "none" else "\(.mode) \(.prog.id // .attached[0].prog.id)" end'
}

# tc_filters DEV: sfc's bpf filters on DEV's ingress and egress
tc_filters() {
	local dir
	for dir in ingress egress; do
		tc -n "$FAB" -j filter show dev "$1" "$dir" 2>/dev/null |
			jq -r '.[] | select(.kind == "bpf") | .kind'
	done | wc -l
}

# unload_from NS_FILE: sfcd --unload with that network namespace; RC, MSG
unload_from() {
	MSG=$(timeout 20 nsenter --net="$1" -- "$SFCD" --unload -P "$PIN" 2>&1)
	RC=$?
}

d_init
assert_do "fab namespace" d_topo nosf || assert_done
assert_do "bridge br0 in fab" ip -n "$FAB" link add br0 type bridge || assert_done
ip -n "$FAB" link set br0 up
echo '{"version": 1, "ingress": [{"dev": "br0"}, {"dev": "lo"}]}' >"$STATE"
assert_do "sfcd starts (auto)" d_sfcd_start || assert_done
assert_eq "auto: br0 has no XDP program (steered at tc)" none "$(xdp br0)"
assert_eq "auto: lo has no XDP program (steered at tc)" none "$(xdp lo)"
assert_ne "auto: br0: sfc's tc filters" 0 "$(tc_filters br0)"
assert_eq "auto: --stats says br0 is steered at tc" tc \
	"$(d_steer_of br0)"
d_sfcd_stop TERM
assert_do "sfcd starts (--steer xdp)" d_sfcd_start --steer xdp || assert_done
assert_eq "xdp: --stats says br0 is steered by generic XDP" xdp-generic \
	"$(d_steer_of br0)"
br=$(xdp br0) lo=$(xdp lo)
assert_eq "br0: sfc's XDP program in generic mode" 2 "${br%% *}"
assert_eq "lo: sfc's XDP program in generic mode" 2 "${lo%% *}"
assert_ne "br0: sfc's tc filters" 0 "$(tc_filters br0)"

"$SFCCTL" -s "$SOCK" ingress del dev br0 >/dev/null 2>"$T/ctl.err"
assert_eq "sfcctl ingress del dev br0" 0 "$?"
assert_eq "br0: no XDP program left" none "$(xdp br0)"
assert_eq "br0: no tc filter left" 0 "$(tc_filters br0)"
assert_eq "lo: still has sfc's program" "$lo" "$(xdp lo)"

d_sfcd_stop TERM
assert_eq "sfcd stops (exit 0)" 0 "$D_EXIT"

unload_from /proc/self/ns/net
assert_eq "--unload outside fab: exit 1" 1 "$RC"
if grep -q "lo (ifindex 1): sfc stays attached: it is in another network namespace" <<<"$MSG"; then
	pass "--unload outside fab: says lo stays attached in another namespace"
else
	fail "--unload outside fab: says lo stays attached in another namespace" "got '$(tr '\n' ' ' <<<"$MSG")'"
fi
if grep -q "kept" <<<"$MSG"; then
	pass "--unload outside fab: says the pins are kept"
else
	fail "--unload outside fab: says the pins are kept" "got '$(tr '\n' ' ' <<<"$MSG")'"
fi
assert_ne "--unload outside fab: pins kept" "" "$(ls "$PIN" 2>/dev/null)"
assert_eq "--unload outside fab: lo untouched" "$lo" "$(xdp lo)"

unload_from "/run/netns/$FAB"
assert_eq "--unload in fab: exit 0" 0 "$RC"
assert_eq "--unload in fab: lo has no XDP program left" none "$(xdp lo)"
assert_eq "--unload in fab: lo has no tc filter left" 0 "$(tc_filters lo)"
assert_eq "--unload in fab: pin dir removed" no "$([[ -e $PIN ]] && echo yes || echo no)"
assert_done
