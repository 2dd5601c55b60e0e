#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that a second sfcd cannot touch what a running one owns. With
# sfcd A serving chain "web" on pin dir P:
# - sfcd B on P with an empty desired state (no state file), its own
#   socket: refused, exit 1, the message names A's pid; it creates no
#   socket; A's datapath still chains traffic through both SFs and A still
#   answers with the same document;
# - B on P and A's socket: refused the same way; A keeps the socket;
# - B with A's state file and another pin dir: refused (the state file is
#   locked too), the other pin dir is not even created;
# - sfcd --once (empty state) and sfcd --unload on P: refused with A's
#   pid, the pins stay, traffic still chained;
# - once A stopped, a new sfcd takes P over, and A's lock file in
#   /run/sfc is gone.
# Topology and marks: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

# refused LABEL: RC is 1 and MSG names A's pid
refused() {
	assert_eq "$1: exit 1" 1 "$RC"
	if grep -q "pid $A_PID" <<<"$MSG"; then
		pass "$1: the message names the holder, pid $A_PID"
	else
		fail "$1: the message names the holder, pid $A_PID" "got '$(head -n 2 <<<"$MSG" | tr '\n' ' ')'"
	fi
}

d_init
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd A starts" d_sfcd_start || assert_done
A_PID=$SFCD_PID
d_chained "sfcd A: traffic still crosses both SFs" a0
doc0=$(d_get)
sha0=$(sha256sum <"$STATE")
pins0=$(ls "$PIN" | tr '\n' ' ')

d_sfcd_run -f "$T/none.json" -P "$PIN" -s "$T/run/b.sock"
refused "sfcd B, same pin dir, empty state, own socket"
assert_eq "sfcd B created no socket" "" "$(ls -A "$T/run/b.sock" 2>/dev/null)"
d_chained "after B: traffic still crosses both SFs" b1
assert_eq "after B: A answers, same pid" "$A_PID" \
	"$(d_api '{"cmd":"health"}' | jq -r .pid 2>/dev/null)"
assert_eq "after B: A's document unchanged" "$doc0" "$(d_get)"

d_sfcd_run -f "$T/none.json" -P "$PIN" -s "$SOCK"
refused "sfcd B, same pin dir, A's socket"
assert_eq "A still serves its socket" "$A_PID" \
	"$(d_api '{"cmd":"health"}' | jq -r .pid 2>/dev/null)"

pin_dir_new other
OTHER=$NS_LAST_PIN
d_sfcd_run -f "$STATE" -P "$OTHER" -s "$T/run/c.sock"
refused "sfcd B, A's state file, another pin dir"
assert_eq "... the other pin dir was not created" no "$([[ -e $OTHER ]] && echo yes || echo no)"

echo '{"version":1}' >"$T/empty.json"
d_sfcd_run --once -f "$T/empty.json" -P "$PIN"
refused "sfcd --once, empty state, A's pin dir"
d_chained "after --once: traffic still crosses both SFs" b2

d_sfcd_run --unload -P "$PIN"
refused "sfcd --unload on A's pin dir"
assert_eq "after --unload: the pins are all there" "$pins0" "$(ls "$PIN" 2>/dev/null | tr '\n' ' ')"
d_chained "after --unload: traffic still crosses both SFs" b3
assert_eq "after all that: A's state file unchanged" "$sha0" "$(sha256sum <"$STATE")"

d_sfcd_stop TERM
assert_eq "A stops, exit 0" 0 "$D_EXIT"
lock=/run/sfc/state-$(sed 's|/|%2f|g' <<<"$STATE").lock
assert_eq "A's lock file is gone ($lock)" no "$([[ -e $lock ]] && echo yes || echo no)"
assert_do "a new sfcd takes the pin dir over" d_sfcd_start
d_chained "new sfcd: traffic still crosses both SFs" c1
assert_done
