#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that a new sfcd started on the pins of an earlier release converts
# them in place without interrupting traffic. UPGRADE_FROM picks the
# release: e7f22e4 (map ABI 1: names, SPI, MACs and peer fields in the map
# values; the default), eef0b55 (ABI 2: 32 drop reasons, no version
# recorded), dec5466 (ABI 3: no direct-mapped fronts of sfc_ifaces,
# sfc_hops and sfc_sf_pos; any later commit of ABI 3 is checked alike) or
# 20e9155 (ABI 4: flow entries without resolved steps, 36 bytes). The old
# sfcd, built from `git archive $UPGRADE_FROM`, runs chain "web" while a bounded, numbered
# UDP stream crosses both SFs; it is stopped and the new sfcd started on
# the same pins and state file. Every datagram arrives, through both SFs;
# the maps now have this version's value sizes, nothing of the old layout
# is left pinned, sfcd's record holds the chain's and SFs' names, the new
# programs replaced the old ones, counters carried on, and the document
# is unchanged. Then --unload in fab takes everything back.
# Topology and marks: tests/daemon/lib.sh.
#
# Environment: UPGRADE_FROM=e7f22e4, UPGRADE_IV=0.002 (s between datagrams), UPGRADE_N_MAX=5000.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

OLD_REV=${UPGRADE_FROM:-e7f22e4}
N_MAX=${UPGRADE_N_MAX:-5000}
IV=${UPGRADE_IV:-0.002}

# value_size MAP: value size of a pinned map
value_size() {
	bpftool -j map show pinned "$PIN/$1" 2>/dev/null | jq -r '.bytes_value // "none"'
}

# entries MAP: number of entries of a pinned map
entries() {
	bpftool -j map show pinned "$PIN/$1" 2>/dev/null | jq -r '.max_entries // "none"'
}



d_init
command -v bpftool >/dev/null || { fail setup "missing tool bpftool"; assert_done; }
if ! git -C "$D_ROOT" rev-parse -q --verify "$OLD_REV^{commit}" >/dev/null; then
	fail setup "commit $OLD_REV (the previous release) is not in $D_ROOT's git history: this test needs it to build the old sfcd (fetch the history, not a shallow copy)"
	assert_done
fi
mkdir -p "$T/old"
assert_do "old sfcd built from git archive $OLD_REV" \
	bash -c "git -C '$D_ROOT' archive '$OLD_REV' | tar -x -C '$T/old' && make -C '$T/old' -j2 build/sfcd" ||
	assert_done
OLD_SFCD=$T/old/build/sfcd NEW_SFCD=$SFCD
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"

SFCD=$OLD_SFCD
assert_do "old sfcd starts" d_sfcd_start || assert_done
r=$(d_probe warm "$CHAINED_PORT" 20 0.01)
assert_eq "old sfcd: 20 datagrams through both SFs" "{\"$DSCP_FULL\":20}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"
if [ "$OLD_REV" = e7f22e4 ]; then
	assert_eq "old layout: sfc_sfs values are 64 bytes" 64 "$(value_size sfc_sfs)"
fi
case $OLD_REV in
e7f22e4 | eef0b55)
	assert_eq "old layout: sfc_reasons has 32 entries" 32 "$(entries sfc_reasons)"
	assert_eq "old layout: no ABI version recorded" none "$(d_abi_version)"
	;;
20e9155)
	assert_eq "old layout: ABI version 4 recorded" 4 "$(d_abi_version)"
	assert_eq "old layout: sfc_flows values are 36 bytes" 36 "$(value_size sfc_flows)"
	;;
*)
	assert_eq "old layout: ABI version 3 recorded" 3 "$(d_abi_version)"
	assert_eq "old layout: no front arrays pinned" none "$(value_size sfc_hop_front)"
	;;
esac
# a reason count both layouts have (27: checksum-offload-sent-via-tc), 7 per
# CPU, so that carrying the counters over can be seen
bpftool map update pinned "$PIN/sfc_reasons" key 27 0 0 0 value 7 0 0 0 0 0 0 0
doc0=$(d_get)
xdp0=$(d_xdp_id fs0)
tc0=$(d_tc_id fs0)
"$OLD_SFCD" --stats -j -P "$PIN" >"$T/a.st" 2>/dev/null

assert_do "receiver" d_recv_start up "$CHAINED_PORT" "$N_MAX" 1 hold || assert_done
d_send_bg up "$CHAINED_PORT" "$N_MAX" "$IV"
sleep 0.7
d_sfcd_stop TERM
assert_eq "old sfcd stops (exit 0)" 0 "$D_EXIT"
SFCD=$NEW_SFCD
assert_do "new sfcd starts on the old pins" d_sfcd_start
if kill -0 "$D_SEND_PID" 2>/dev/null; then
	pass "the stream was still running when the new sfcd answered"
else
	fail "the stream was still running when the new sfcd answered" \
		"it had sent all $N_MAX (raise UPGRADE_N_MAX)"
fi
d_send_stop up 0.7
wait "$D_RECV_PID"
n=$(d_sent up)
rxf=$T/up.rx.json
printf '# upgrade: %s datagrams sent, %s received, %s unique\n' "$n" \
	"$(rx "$rxf" .received)" "$(rx "$rxf" .unique)"
assert_eq "upgrade: $n of $n datagrams received" "$n" "$(rx "$rxf" .received)"
assert_eq "upgrade: none lost (sent - unique)" 0 "$(delta "$(rx "$rxf" .unique)" "$n")"
assert_eq "upgrade: every datagram crossed both SFs" "{\"$DSCP_FULL\":$n}" \
	"$(rx "$rxf" '.dscp | tojson')"

for m in "sfc_ifaces 8" "sfc_sfs 20" "sfc_chains 4" "sfc_paths 8" "sfc_flows 104"; do
	set -- $m
	assert_eq "new layout: $1 values are $2 bytes" "$2" "$(value_size "$1")"
done
assert_eq "new layout: sfc_flows keys are 16 bytes" 16 \
	"$(bpftool -j map show pinned "$PIN/sfc_flows" 2>/dev/null | jq -r '.bytes_key // "none"')"
assert_eq "new layout: sfc_reasons has 64 entries" 64 "$(entries sfc_reasons)"
assert_eq "ABI version $D_ABI recorded beside the pins" "$D_ABI" "$(d_abi_version)"
for m in "sfc_if_front 16" "sfc_hop_front 88" "sfc_pos_front 16"; do
	set -- $m
	assert_eq "new layout: $1 pinned, $2-byte slots" "$2" "$(value_size "$1")"
done
assert_eq "nothing of the old layout left pinned" "" "$(ls "$PIN" | grep '_v1$')"
if [ "$OLD_REV" = 20e9155 ]; then
	# the stream's flow, in the middle of its chain, is one of them
	copied=$(sed -n 's/.*sfc_flows: \([0-9]*\) flow entries copied.*/\1/p' "$SFCD_LOG" | tail -n 1)
	assert_ge "the old flow entries were copied into the new sfc_flows" 1 "${copied:-0}"
fi
"$SFCD" --stats -j -P "$PIN" >"$T/b.st" 2>/dev/null
assert_eq "record: chain names" '["web"]' "$(jq -c '[.chains[].name]' "$T/b.st")"
assert_eq "record: chain web keeps SPI 100" 100 "$(st "$T/b.st" '.chains[0].spi')"
assert_eq "record: SF names" '["s1","s2"]' "$(jq -c '[.sfs[].name] | sort' "$T/b.st")"
assert_eq "counters carried on: chain web counted the $n datagrams" "$n" \
	"$(delta "$(st "$T/a.st" '.chains[0].packets')" "$(st "$T/b.st" '.chains[0].packets')")"
assert_eq "reason counters carried on (codes whose count went down)" "[]" \
	"$(jq -c --slurpfile a "$T/a.st" '[.reasons[] | . as $r | select(($a[0].reasons[] | select(.code == $r.code) | .count) > $r.count) | .code]' "$T/b.st")"
assert_ge "reason 27 kept its count (7 per CPU)" 7 "$(jq '.reasons[] | select(.code == 27) | .count' "$T/b.st")"
# fs0 has a stack behind it (src): the sfc of ABI 1 and 2 steered it with
# XDP, this one at tc (sfcd --steer auto); the sfc of ABI 3 at tc already
new_tc=$(bpftool -j prog show pinned "$PIN/prog_sfc_tc_ingress" | jq -r .id)
case $OLD_REV in
e7f22e4 | eef0b55)
	assert_ne "fs0 had the old sfc's XDP program" 0 "$xdp0"
	assert_eq "fs0: the old XDP program was taken off (steered at tc now)" 0 "$(d_xdp_id fs0)"
	;;
*)
	assert_ne "fs0 had the old sfc's tc program" 0 "$tc0"
	assert_ne "fs0: the old tc program was replaced" "$tc0" "$(d_tc_id fs0)"
	;;
esac
assert_eq "fs0: runs the new pinned sfc_tc_ingress" "$new_tc" "$(d_tc_id fs0)"
assert_eq "document unchanged" "$doc0" "$(d_get)"
r=$(d_probe after "$CHAINED_PORT" 20 0.005)
assert_eq "after the upgrade: new flows cross both SFs" "{\"$DSCP_FULL\":20}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"

d_sfcd_stop TERM
assert_do "--unload in fab" d_unload
assert_eq "--unload: no XDP program left on fs0" 0 "$(d_xdp_id fs0)"
assert_done
