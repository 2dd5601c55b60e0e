#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that a hop spreads new flows over its instances by their weights,
# and that a weight changed with sfcctl moves no running flow: chain
# "pair" has one hop of s1 (weight 3) and s2 (weight 1) (tests/daemon/
# lib.sh: s1 marks what it forwards DSCP CS1 = 8, s2 CS2 = 16).
#   1. FLOWS UDP flows (one per destination port): most of them through s1,
#      some through s2, none lost;
#   2. `sfcctl sf set s1 weight 1`, `sf set s2 weight 3`: the same flows
#      again go exactly where they went before (the datagrams per DSCP are
#      the same), none lost;
#   3. FLOWS new flows: most of them through s2.
# The flows are fixed (addresses and ports, source port 40000), so the
# shares are too; 48 flows drawn 3:1 give the heavier instance fewer than
# half of them with a chance under 1 in 10,000.
#
# Environment: FLOWS=48 (at most 50), PER_FLOW=5 (datagrams per flow and round).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=${SFCCTL:-$SFC_BIN_DIR/sfcctl}
FLOWS=${FLOWS:-48}
PER_FLOW=${PER_FLOW:-5}
OLD_PORTS="$CHAINED_PORT-$((CHAINED_PORT + FLOWS - 1))"
NEW_PORTS="$((CHAINED_PORT + 50))-$((CHAINED_PORT + 50 + FLOWS - 1))"

ctl() { timeout 20 "$SFCCTL" -s "$SOCK" "$@"; }

state_json() {
	d_state_json drop | jq '.chains = [{"name": "pair", "spi": 100, "hops": [["s1", "s2"]],
					     "on-failure": "drop"}]
				| .sfs |= map(if .name == "s1" then .weight = 3 else . end)
				| .rules |= map(.chain = "pair")'
}

# round NAME PORTS: PER_FLOW datagrams to each port; the summary in $T/NAME.json
round() { d_flows "$1" "$2" "$PER_FLOW"; }

# flows_through NAME DSCP: flows of round NAME that went through that SF
flows_through() { echo $(($(rx "$T/$1.json" ".dscp[\"$2\"] // 0") / PER_FLOW)); }

d_init
assert_do "topology" d_topo || assert_done
state_json >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
assert_eq "health: the flow idle time, by default" 30 \
	"$(d_api '{"cmd":"health"}' | jq -r .paths.flow_idle_s)"
assert_eq "sf show: s1's weight" 3 "$(ctl -j sf show s1 | jq -r '.[0].weight')"
assert_eq "sf show: s2's weight" 1 "$(ctl -j sf show s2 | jq -r '.[0].weight')"

# share_of SF: the share of new flows stats gives SF in pair's hop, in per mille
share_of() {
	ctl -j stats chain pair | jq -r --arg sf "$1" '.chains[0].hops[0].shares[$sf] * 1000 | round'
}
assert_eq "stats: s1's share of the hop (per mille)" 750 "$(share_of s1)"
assert_eq "stats: s2's share of the hop (per mille)" 250 "$(share_of s2)"
assert_ok "stats text: the SHARES column" eval "ctl stats chain pair | grep -q 's1 75%, s2 25%'"

round before "$OLD_PORTS"
s1=$(flows_through before "$DSCP_SF1") s2=$(flows_through before "$DSCP_SF2")
echo "# weights 3:1: $s1 flows through s1, $s2 through s2"
assert_eq "3:1: datagrams missing" 0 "$(rx "$T/before.json" .missing)"
assert_eq "3:1: every flow through s1 or s2" "$FLOWS" "$((s1 + s2))"
assert_gt "3:1: more than half the flows through s1" "$((FLOWS / 2))" "$s1"
assert_gt "3:1: some flows through s2" 0 "$s2"

assert_ok "sfcctl sf set s1 weight 1" ctl sf set s1 weight 1
assert_ok "sfcctl sf set s2 weight 3" ctl sf set s2 weight 3
assert_eq "sf show: s2's weight after the edit" 3 "$(ctl -j sf show s2 | jq -r '.[0].weight')"
assert_eq "stats: s2's share after the edit (per mille)" 750 "$(share_of s2)"
assert_eq "the state file keeps the weight" 3 \
	"$(jq -r '.sfs[] | select(.name == "s2") | .weight' "$STATE")"

round again "$OLD_PORTS"
assert_eq "running flows: datagrams missing" 0 "$(rx "$T/again.json" .missing)"
assert_eq "running flows: as many through s1 as before" "$s1" "$(flows_through again "$DSCP_SF1")"
assert_eq "running flows: as many through s2 as before" "$s2" "$(flows_through again "$DSCP_SF2")"

round fresh "$NEW_PORTS"
n1=$(flows_through fresh "$DSCP_SF1") n2=$(flows_through fresh "$DSCP_SF2")
echo "# weights 1:3: $n1 new flows through s1, $n2 through s2"
assert_eq "1:3: datagrams missing" 0 "$(rx "$T/fresh.json" .missing)"
assert_gt "1:3: more than half the new flows through s2" "$((FLOWS / 2))" "$n2"
assert_gt "1:3: some new flows through s1" 0 "$n1"
d_sfcd_stop TERM

d_sfcd_start --flow-idle 7 || assert_done
assert_eq "health: --flow-idle 7, rounded up to whole 2 s passes" 8 \
	"$(d_api '{"cmd":"health"}' | jq -r .paths.flow_idle_s)"
d_sfcd_stop TERM

for bad in 1 511 x -5; do
	d_sfcd_run -f "$STATE" -P "$PIN" -s "$SOCK" --flow-idle "$bad"
	assert_eq "--flow-idle $bad: refused (exit 2), said why" \
		"2:sfcd: --flow-idle wants seconds, 2 to 510, not \"$bad\"" "$RC:$(head -n1 <<<"$MSG")"
done
assert_done
