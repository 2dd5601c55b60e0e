#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that one client that does not read its replies cannot freeze
# sfcd (tests/daemon/api_abuse.py):
# - while a client pipelines 200000 health requests and reads nothing,
#   every other client's health is answered within 500 ms, and a link
#   event (SF s1's interface f1a appearing in sfcd's namespace) is
#   applied within 2 s, incrementally (link_updates, not reconciles);
# - that client is dropped once its unsent replies pass the cap: it gets
#   far fewer than 200000 replies and then end of file; health counts it
#   in clients_dropped and the log says why, naming its pid;
# - a client that pipelines 5000 requests and reads while it sends gets
#   all 5000 replies;
# - sfcd's memory stays bounded (VmRSS under 64 MB after all that).
# Topology: tests/daemon/lib.sh, without SFs.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

ABUSE=$D_LIB_DIR/api_abuse.py

# health_ms: milliseconds for one health request on a new connection
# ("failed" when it did not answer ok)
health_ms() {
	local t0 t1 r
	t0=$(date +%s%N)
	r=$(d_api '{"cmd":"health"}' | jq -r .ok 2>/dev/null)
	t1=$(date +%s%N)
	[[ $r == true ]] && echo $(((t1 - t0) / 1000000)) || echo failed
}

health_field() { d_api '{"cmd":"health"}' | jq -r "$1" 2>/dev/null; }

d_init
assert_do "topology" d_topo nosf || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done

lu0=$(health_field .link_updates) rec0=$(health_field .reconciles)
bg_run timeout 60 "$PY" "$ABUSE" "$SOCK" stall 200000 >"$T/stall.json"
stall_pid=$BG_PID
sleep 0.5
worst=0
for i in 1 2 3 4 5; do
	ms=$(health_ms)
	[[ $ms == failed ]] && { worst=failed; break; }
	((ms > worst)) && worst=$ms
	sleep 0.1
done
assert_lt "while a client reads no replies: health answered, slowest of 5 (ms)" 500 "$worst"
ip -n "$FAB" link add f1a type veth peer name f1x
wait_until 2 test "$(health_field '.link_updates')" -gt "$lu0"
assert_gt "... and a link event is applied within 2 s (link_updates before: $lu0)" "$lu0" \
	"$(health_field .link_updates)"
assert_eq "... incrementally (reconciles unchanged)" "$rec0" "$(health_field .reconciles)"

wait "$stall_pid"
r=$(cat "$T/stall.json")
echo "# stalled client: $r"
assert_eq "the stalled client was closed by sfcd" true "$(jq -r .closed <<<"$r" 2>/dev/null)"
assert_lt "... after fewer than 200000 replies" 200000 "$(jq -r .replies <<<"$r" 2>/dev/null)"
assert_ge "health: clients_dropped" 1 "$(health_field .clients_dropped)"
if grep -q "closing the API connection of pid [0-9]* (uid 0): it reads no replies" "$SFCD_LOG"; then
	pass "the log says which client was dropped and why"
else
	fail "the log says which client was dropped and why" \
		"no 'closing the API connection of pid N (uid 0): it reads no replies' in $SFCD_LOG"
fi

r=$(timeout 60 "$PY" "$ABUSE" "$SOCK" pipeline 5000)
assert_eq "a client pipelining 5000 requests while reading: 5000 ok replies" 5000 \
	"$(jq -r .ok <<<"$r" 2>/dev/null)" || echo "# $r"
rss=$(awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$SFCD_PID/status")
assert_lt "sfcd's VmRSS (MB) after all that" 64 "$rss"
assert_eq "sfcd still answers" true "$(health_field .ok)"
assert_done
