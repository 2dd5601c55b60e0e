#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that a commit reports every interface it could not attach to, not
# just the first: with chain "web" running, an apply that adds two ingress
# points, fx (another XDP program is on it, so sfc's attach is refused) and
# ghost0 (does not exist), is committed, and its reply lists fx under
# "attach-failed" with an error naming it and ghost0 under
# "attach-missing"; the interfaces that could be attached still are, and
# traffic still crosses both SFs. sfcctl prints the failure as a warning
# on a later edit that is still refused on fx. sfcd runs with --steer xdp:
# steered at tc (auto's choice for these veths), sfc would leave the
# foreign XDP program alone and attach beside it.
# Topology and marks: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=$D_ROOT/build/sfcctl


d_init
assert_do "topology" d_topo || assert_done
assert_do "extra link fx" veth_add src ex0 fab fx || assert_done
# A foreign XDP program on fx: sfc's own pass-through program, loaded from
# a second pin dir, attached in generic mode by ip.
pin_dir_new foreign
FOREIGN=$NS_LAST_PIN
echo '{"version": 1}' >"$T/empty.json"
cleanup_push "nsenter --net=/run/netns/$FAB -- timeout 20 '$SFCD' --unload -P '$FOREIGN' >/dev/null 2>&1"
assert_do "foreign datapath loaded" timeout 20 nsenter --net="/run/netns/$FAB" -- \
	"$SFCD" --once -f "$T/empty.json" -P "$FOREIGN" -s "$T/run/foreign.sock" || assert_done
assert_do "foreign XDP program on fx" \
	nsenter --net="/run/netns/$FAB" -- \
	ip link set dev fx xdpgeneric pinned "$FOREIGN/prog_sfc_xdp_peer" || assert_done
foreign_id=$(d_xdp_id fx)

d_state_json drop >"$STATE"
assert_do "sfcd starts (--steer xdp)" d_sfcd_start --steer xdp || assert_done

doc=$(d_get | jq -c '.ingress += [{"dev": "fx"}, {"dev": "ghost0"}]')
reply=$(d_api "{\"cmd\":\"apply\",\"doc\":$doc}")
assert_eq "apply committed" "true true" "$(jq -r '"\(.ok) \(.applied)"' <<<"$reply")"
assert_eq "attach-failed lists fx, only" '["fx"]' \
	"$(jq -c '[.["attach-failed"][]?.dev]' <<<"$reply")"
err=$(jq -r '.["attach-failed"][0].error // ""' <<<"$reply")
if [[ $err == fx:*XDP* ]]; then
	pass "fx's error names it and says XDP"
else
	fail "fx's error names it and says XDP" "got '$err'"
fi
assert_eq "attach-missing lists ghost0" '["ghost0"]' \
	"$(jq -c '.["attach-missing"]' <<<"$reply")"
assert_eq "the stored document has both" '["fd0","fs0","fx","ghost0"]' \
	"$(d_get | jq -c '[.ingress[].dev] | sort')"
assert_eq "fx keeps the foreign program" "$foreign_id" "$(d_xdp_id fx)"
for dev in fs0 fd0 f1a f1b f2a f2b; do
	assert_ne "$dev: sfc's XDP program attached" 0 "$(d_xdp_id "$dev")"
done
r=$(d_probe a0 "$CHAINED_PORT" 30 0.003)
assert_eq "traffic crosses both SFs" "{\"$DSCP_FULL\":30}" "$(jq -c .dscp <<<"$r" 2>/dev/null)"

"$SFCCTL" -s "$SOCK" ingress del dev ghost0 >"$T/ctl.out" 2>"$T/ctl.err"
assert_eq "sfcctl ingress del dev ghost0: exit 0" 0 "$?"
if grep -q '^sfcctl: warning: not attached: fx: attaching XDP failed' "$T/ctl.err"; then
	pass "sfcctl prints the failure on fx"
else
	fail "sfcctl prints the failure on fx" "stderr '$(tr '\n' ' ' <"$T/ctl.err")'"
fi
assert_eq "sfcctl says nothing about the removed ghost0" 0 "$(grep -c ghost0 "$T/ctl.err")"
assert_done
