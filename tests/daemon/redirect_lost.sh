#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that frames lost after sfc_xdp's redirect was accepted are
# counted: sfcd sends to SF s1 by XDP redirect because s1's eth0 (the far
# end of f1a) runs sfc_xdp_peer. Once that program is removed behind
# sfcd's back, f1a's far end has no NAPI, and the veth refuses every
# redirected frame when the poll ends (the helper had already returned
# XDP_REDIRECT). N chained datagrams sent then must not arrive and must be
# counted, once each, under xdp-redirect-not-sent (the device refused them
# when flushing) or xdp-redirect-error (the redirect failed at once; 6.18
# notices there); with the program back, they arrive
# again. src's checksums are finished in software (tx offload off), so the
# datagrams take the XDP redirect, not the tc path.
# Also: sfcd pins the tracepoint links, and --unload takes them away.
# sfcd runs with --steer xdp (under auto the SF veths are steered at tc,
# and nothing is redirected in XDP).
# Topology: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

N=20

d_init
assert_do "topology" d_topo || assert_done
assert_do "src's checksums finished in software" ns_exec src ethtool -K eth0 tx off || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts (--steer xdp: SF veths steered in XDP)" d_sfcd_start --steer xdp || assert_done
assert_ne "tracepoint links pinned" "" "$(ls "$PIN"/link_sfc_trace_* 2>/dev/null)"
SF1=$(ns_name sf1)
peer=$(ip -n "$SF1" -j -d link show dev eth0 | jq -r '.[0].xdp.prog.id // "none"')
assert_ne "s1's eth0 runs sfc_xdp_peer" none "$peer"

d_probe ok "$CHAINED_PORT" "$N" 0.005 >"$T/ok.json"
assert_eq "with NAPI: datagrams received" "$N" "$(rx "$T/ok.json" .received)"

assert_do "sfc_xdp_peer removed from s1's eth0" ip -n "$SF1" link set dev eth0 xdp off ||
	assert_done
d_stats >"$T/a.st"
d_probe lost "$CHAINED_PORT" "$N" 0.005 >"$T/lost.json"
d_stats >"$T/b.st"
assert_eq "without NAPI: datagrams received" 0 "$(rx "$T/lost.json" .received)"
# where the kernel notices (at the redirect, or when the device flushes)
# depends on its version: either reason, each frame once
lost=0
for r in xdp-redirect-not-sent xdp-redirect-error; do
	d=$(delta "$(st_reason "$T/a.st" $r)" "$(st_reason "$T/b.st" $r)")
	[[ $d =~ ^[0-9]+$ ]] && lost=$((lost + d))
done
assert_int_eq "without NAPI: counted as xdp-redirect-not-sent or xdp-redirect-error" "$N" "$lost"

assert_do "sfc_xdp_peer back on s1's eth0" \
	ns_exec_host_mounts sf1 ip link set dev eth0 xdpdrv pinned "$PIN/prog_sfc_xdp_peer" ||
	assert_done
d_probe back "$CHAINED_PORT" "$N" 0.005 >"$T/back.json"
assert_eq "NAPI back: datagrams received" "$N" "$(rx "$T/back.json" .received)"

link_id=$(bpftool -j link show pinned "$PIN/link_sfc_trace_xmit" 2>/dev/null | jq -r '.id // empty')
assert_ne "the pinned xmit link has an id" "" "$link_id"
d_sfcd_stop TERM
d_unload
if bpftool link show id "${link_id:-0}" >/dev/null 2>&1; then
	fail "--unload: the tracepoint link is gone" "link $link_id still exists"
else
	pass "--unload: the tracepoint link is gone"
fi
assert_done
