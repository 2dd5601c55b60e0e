#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that a hop with one failed instance keeps using the healthy one:
# chain "pair" has one hop of two instances, s1 and s2 (tests/daemon/lib.sh:
# each marks what it forwards in the DSCP field, s1 CS1 = 8, s2 CS2 = 16),
# with on-failure drop, so a hop taken for down would lose everything.
# FLOWS UDP flows (one per destination port) spread over both instances;
# s1's veth is set down; once sfcd reports s1 down, every datagram of every
# flow arrives, through s2 alone, none lost; s1's veth set up again, the
# flows that moved stay on s2 (a stateful SF keeps the connections it took
# over), and new flows spread over both instances again, none lost.
#
# Environment: FLOWS=32, PER_FLOW=20 (datagrams per flow and round).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

FLOWS=${FLOWS:-32}
PER_FLOW=${PER_FLOW:-20}
PORTS="$CHAINED_PORT-$((CHAINED_PORT + FLOWS - 1))"

state_json() {
	d_state_json drop | jq '.chains = [{"name": "pair", "spi": 100, "hops": [["s1", "s2"]],
					     "on-failure": "drop"}]
				| .rules |= map(.chain = "pair")'
}

sf_up() { d_stats >"$T/up.st"; st_sf "$T/up.st" "$1" up; }
wait_sf() { wait_until 5 eval "[[ \$(sf_up $1) == $2 ]]"; }

# round NAME [PORTS]: PER_FLOW datagrams to each of the FLOWS ports; the
# summary in $T/NAME.json
round() { d_flows "$1" "${2:-$PORTS}" "$PER_FLOW"; }

total=$((FLOWS * PER_FLOW))
d_init
assert_do "topology" d_topo || assert_done
state_json >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done

round both
assert_eq "both up: datagrams missing" 0 "$(rx "$T/both.json" .missing)"
assert_gt "both up: some flows through s1" 0 "$(rx "$T/both.json" '.dscp["8"] // 0')"
assert_gt "both up: some flows through s2" 0 "$(rx "$T/both.json" '.dscp["16"] // 0')"

ip -n "$FAB" link set dev f1a down
assert_do "sfcd reports s1 down" wait_sf s1 false
assert_eq "s2 still up" true "$(sf_up s2)"
d_stats >"$T/a.st"
round one
d_stats >"$T/b.st"
assert_eq "s1 down: datagrams received" "$total" "$(rx "$T/one.json" .received)"
assert_eq "s1 down: datagrams missing" 0 "$(rx "$T/one.json" .missing)"
assert_eq "s1 down: all through s2" "$total" "$(rx "$T/one.json" '.dscp["16"] // 0')"
assert_eq "s1 down: hop drops" 0 "$(delta "$(st_hop "$T/a.st" 1 drops pair)" \
	"$(st_hop "$T/b.st" 1 drops pair)")"
assert_eq "s1 down: hop-down-drop reasons" 0 "$(delta "$(st_reason "$T/a.st" hop-down-drop)" \
	"$(st_reason "$T/b.st" hop-down-drop)")"

ip -n "$FAB" link set dev f1a up
assert_do "sfcd reports s1 up" wait_sf s1 true
round again
assert_eq "s1 back: datagrams missing" 0 "$(rx "$T/again.json" .missing)"
assert_eq "s1 back: the moved flows stay on s2" "$total" "$(rx "$T/again.json" '.dscp["16"] // 0')"
round fresh "$((CHAINED_PORT + FLOWS))-$((CHAINED_PORT + 2 * FLOWS - 1))"
assert_eq "s1 back, new flows: datagrams missing" 0 "$(rx "$T/fresh.json" .missing)"
assert_gt "s1 back: some new flows through s1" 0 "$(rx "$T/fresh.json" '.dscp["8"] // 0')"
assert_gt "s1 back: some new flows through s2" 0 "$(rx "$T/fresh.json" '.dscp["16"] // 0')"
assert_done
