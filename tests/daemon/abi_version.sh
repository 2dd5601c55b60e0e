#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks the map ABI version recorded beside the pins (sfc_record_abi):
# - sfcd records this sfc's version (SFC_ABI_VERSION) when it loads the datapath;
# - with sfcd stopped (the datapath keeps forwarding) and the recorded
#   version raised to 9, as a newer sfc would leave it: a new sfcd refuses
#   to start (exit 1, naming the newer ABI), and so do sfcd --stats and
#   sfcd --unload on those pins; nothing was touched: the same programs
#   stay attached, the pins are the same, traffic still crosses both SFs;
# - with the version put back, sfcd starts and adopts the datapath.
# Topology and marks: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

set_abi() {
	bpftool map update pinned "$PIN/sfc_record_abi" key 0 0 0 0 value "$1" 0 0 0 0 0 0 0
}

# newer_refused LABEL: RC 1 and MSG names ABI 9 as a newer sfc's
newer_refused() {
	assert_eq "$1: exit 1" 1 "$RC"
	if grep -q "newer sfc (map ABI 9; this sfc speaks $D_ABI" <<<"$MSG"; then
		pass "$1: the message names the newer ABI"
	else
		fail "$1: the message names the newer ABI" "got '$(head -n 3 <<<"$MSG" | tr '\n' ' ')'"
	fi
}

d_init
command -v bpftool >/dev/null || { fail setup "missing tool bpftool"; assert_done; }
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
assert_eq "version $D_ABI recorded beside the pins" "$D_ABI" "$(d_abi_version)"
d_chained "sfcd running: traffic crosses both SFs" a0
d_sfcd_stop TERM
assert_eq "sfcd stops (exit 0)" 0 "$D_EXIT"

assert_do "recorded version raised to 9" set_abi 9
xdp0=$(d_xdp_id fs0)
pins0=$(ls "$PIN" | tr '\n' ' ')
d_sfcd_run -f "$STATE" -P "$PIN" -s "$T/run/b.sock"
newer_refused "sfcd on a newer sfc's pins"
d_sfcd_run --stats -j -P "$PIN"
newer_refused "sfcd --stats on a newer sfc's pins"
d_sfcd_run --unload -P "$PIN"
newer_refused "sfcd --unload on a newer sfc's pins"
assert_eq "the same XDP program is still attached on fs0" "$xdp0" "$(d_xdp_id fs0)"
assert_eq "the pins are the same" "$pins0" "$(ls "$PIN" | tr '\n' ' ')"
assert_eq "the recorded version is still 9" 9 "$(d_abi_version)"
d_chained "after the refusals: traffic crosses both SFs" b0

assert_do "recorded version put back to $D_ABI" set_abi "$D_ABI"
assert_do "sfcd starts again" d_sfcd_start || assert_done
assert_eq "it adopted the pinned XDP program" "$xdp0" "$(d_xdp_id fs0)"
d_chained "sfcd running again: traffic crosses both SFs" c0
d_sfcd_stop TERM
assert_do "--unload in fab" d_unload
assert_done
