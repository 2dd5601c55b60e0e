#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that 100 API clients editing at once (tests/daemon/api_storm.py:
# each adds its own rule, a quarter delete theirs again, ten delete one
# pre-existing rule each) all get "ok", and that the result is the serial
# one: the same document as the same edits made one client after the
# other, and as computed by hand; that the state file holds that document;
# that the maps agree with it (sfcd --stats lists exactly its chains and
# SFs); and that traffic follows the rules that remain (kept rules chain
# their port through both SFs, deleted ones no longer do).
# Topology and marks: tests/daemon/lib.sh.
#
# Environment: CLIENTS=100.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

CLIENTS=${CLIENTS:-100}
STORM=$D_LIB_DIR/api_storm.py
# one add each, a delete for i % 4 == 0, one for i % 10 == 1
REQUESTS=$((CLIENTS + (CLIENTS + 3) / 4 + (CLIENTS + 8) / 10))

# sorted: the document with rules in pref order (the array's order is
# arrival order, which concurrency may change; pref is what matters)
sorted() { jq -S '.rules |= sort_by(.pref)'; }

# storm NAME [--serial]
storm() {
	local name=$1 r
	shift
	r=$(timeout 120 "$PY" "$STORM" "$SOCK" "$CLIENTS" "$@")
	echo "$r" >"$T/$name.storm"
	printf '# %s: %s\n' "$name" "$(jq -c '{requests, ok, ms}' <<<"$r" 2>/dev/null || echo "$r")"
	assert_eq "$name: all $REQUESTS requests of the $CLIENTS clients answered ok" \
		"$REQUESTS" "$(jq -r .ok <<<"$r" 2>/dev/null)" ||
		jq -r '.errors[]' <<<"$r" 2>/dev/null | sed 's/^/#   /'
}

d_init
assert_do "topology" d_topo || assert_done
# ten extra rules, pref 500..509: UDP port 8000+k, each deleted by a client
d_state_json drop | jq '.rules += [range(10) | {pref: (500 + .), "in-dev": "fs0",
	dst: "198.18.2.0/24", proto: "udp", dport: (8000 + .), chain: "web"}]' >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
d_get | sorted >"$T/initial.json"

# what the edits must give, computed from the initial document
jq --argjson n "$CLIENTS" '
	.rules |= (map(select(.pref < 500 or .pref > 509 or
			((.pref - 500) * 10 + 1) >= $n)) +
		[range($n) | select(. % 4 != 0) | {pref: (1000 + .), "in-dev": "fs0",
			dst: "198.18.2.0/24", proto: "udp", dport: (7000 + .), chain: "web"}])
	| .rules |= sort_by(.pref)' "$T/initial.json" | jq -S . >"$T/expected.json"

storm concurrent
health=$(d_api '{"cmd":"health"}')
assert_eq "sfcd still answers health after the storm, same pid" "$SFCD_PID" \
	"$(jq -r .pid <<<"$health" 2>/dev/null)"
d_get | sorted >"$T/concurrent.json"
if cmp -s "$T/expected.json" "$T/concurrent.json"; then
	pass "concurrent result equals the expected document"
else
	fail "concurrent result equals the expected document" \
		"$(diff "$T/expected.json" "$T/concurrent.json" | head -n 8 | tr '\n' ' ')"
fi
assert_eq "concurrent: state file holds the same document" \
	"$(cat "$T/concurrent.json")" "$(sorted <"$STATE" 2>&1)"
assert_eq "concurrent: rules in the document" \
	"$(jq '.rules | length' "$T/expected.json")" "$(jq '.rules | length' "$T/concurrent.json")"

# maps agree with the document
d_stats >"$T/st.json"
assert_eq "maps: sfcd --stats lists exactly the document's chains" \
	"$(jq -c '[.chains[] | {name, spi}] | sort' "$T/concurrent.json")" \
	"$(jq -c '[.chains[] | {name, spi}] | sort' "$T/st.json" 2>/dev/null)"
assert_eq "maps: sfcd --stats lists exactly the document's SFs" \
	"$(jq -c '[.sfs[].name] | sort' "$T/concurrent.json")" \
	"$(jq -c '[.sfs[].name] | sort' "$T/st.json" 2>/dev/null)"

# traffic follows the rules left: 3 datagrams to every port a client
# touched, each port chained (both SFs) exactly when its rule remains
sweep() {	# NAME PORTS: by_port of a sweep, sorted
	local r
	r=$(d_probe "$1" "$2" 3 0.005)
	jq -S -c '.by_port' <<<"$r" 2>/dev/null || echo "$r"
}
want=$(jq -S -c --argjson n "$CLIENTS" -n '[range($n) | {key: "\(7000 + .)",
	value: (if . % 4 == 0 then {"0": 3} else {"24": 3} end)}] | from_entries')
assert_eq "traffic: ports 7000-$((7000 + CLIENTS - 1)) chained exactly where a rule remains" \
	"$want" "$(sweep added "7000-$((7000 + CLIENTS - 1))")"
want=$(jq -S -c --argjson n "$CLIENTS" -n '[range(10) | {key: "\(8000 + .)",
	value: (if . * 10 + 1 < $n then {"0": 3} else {"24": 3} end)}] | from_entries')
assert_eq "traffic: ports 8000-8009 (pre-existing rules, deleted) no longer chained" \
	"$want" "$(sweep deleted 8000-8009)"
r=$(d_probe untouched "$CHAINED_PORT" 10 0.002)
assert_eq "traffic: port $CHAINED_PORT (rule 10, untouched) still chained" "{\"$DSCP_FULL\":10}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"

# the same edits one after the other, from the initial document
r=$(d_api "$(jq -c '{cmd: "apply", doc: .}' "$T/initial.json")")
assert_eq "apply the initial document again" true "$(jq -r .ok <<<"$r" 2>/dev/null)" ||
	echo "# reply: ${r:0:200}"
assert_eq "initial document back" "$(cat "$T/initial.json")" "$(d_get | sorted)"
storm serial --serial
d_get | sorted >"$T/serial.json"
if cmp -s "$T/serial.json" "$T/concurrent.json"; then
	pass "concurrent result equals the serial result"
else
	fail "concurrent result equals the serial result" \
		"$(diff "$T/serial.json" "$T/concurrent.json" | head -n 8 | tr '\n' ' ')"
fi
assert_done
