#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that API clients cannot lock others out or blow up sfcd's memory
# (tests/daemon/api_abuse.py; sfcd runs with --client-timeout 3, then
# with the default for the large requests):
# - one process opening 300 connections and sending nothing gets 128 (the
#   per-process limit); the rest are refused with "too many connections
#   from pid N"; meanwhile another client's health is served;
# - sfcd closes those idle connections after 3 s (not before 2.5 s, all
#   by 6.5 s), telling them why ("idle for 3 s");
# - a client that trickles a request and never ends it is closed after
#   about 3 s too ("its request did not complete");
# - four clients sending 60 MB requests at once: each gets a reply (ok,
#   or "request refused: sfcd holds ... MiB of requests"), at least one is
#   served, and other clients' small requests are served meanwhile;
#   sfcd's peak memory (VmHWM) stays under 240 MB and once they
#   are done its VmRSS is back within 32 MB of what it was before.
# Topology: tests/daemon/lib.sh, without SFs.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

ABUSE=$D_LIB_DIR/api_abuse.py
abuse() { timeout 120 "$PY" "$ABUSE" "$SOCK" "$@"; }
health_field() { d_api '{"cmd":"health"}' | jq -r "$1" 2>/dev/null; }
vm() { awk -v k="$1:" '$1 == k {print int($2 / 1024)}' "/proc/$SFCD_PID/status"; }

d_init
assert_do "topology" d_topo nosf || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts (--client-timeout 3)" d_sfcd_start --client-timeout 3 || assert_done

# ---- connection limits and the idle timeout --------------------------------------

bg_run abuse hold 300 --wait 8 >"$T/hold.json" 2>"$T/hold.err"
hold_pid=$BG_PID
sleep 1
assert_eq "while one process holds 300 connections: health served" true "$(health_field .ok)"
wait "$hold_pid"
r=$(cat "$T/hold.json")
echo "# hold: $r $(tail -n 1 "$T/hold.err")"
assert_eq "300 connections from one process: 128 accepted" 128 "$(jq -r .accepted <<<"$r" 2>/dev/null)"
assert_eq "... 172 refused" 172 "$(jq -r .refused <<<"$r" 2>/dev/null)"
if [[ $(jq -r .refusal <<<"$r" 2>/dev/null) == "too many connections from pid "[0-9]*" (128); close some" ]]; then
	pass "... with 'too many connections from pid N (128); close some'"
else
	fail "... with 'too many connections from pid N (128); close some'" "got '$(jq -r .refusal <<<"$r" 2>/dev/null)'"
fi
assert_eq "the 128 idle connections closed by sfcd" 128 "$(jq -r .closed <<<"$r" 2>/dev/null)"
first=$(jq -r '.closed_after[0] * 1000 | floor' <<<"$r" 2>/dev/null)
last=$(jq -r '.closed_after[1] * 1000 | floor' <<<"$r" 2>/dev/null)
assert_ge "... not before 2 s (first, ms after the 0.5 s it took to look)" 2000 "$first"
assert_le "... all within 6 s (last, ms)" 6000 "$last"
assert_eq "... told why" "closing the connection: idle for 3 s" "$(jq -r .notice <<<"$r" 2>/dev/null)"
assert_eq "afterwards: health" true "$(health_field .ok)"
assert_eq "afterwards: health counts 1 client (itself)" 1 "$(health_field .clients)"

# ---- a request that never ends ---------------------------------------------------

r=$(abuse trickle --every 0.5 --wait 10)
echo "# trickle: $r"
t=$(jq -r '(.closed_after // 99) * 1000 | floor' <<<"$r" 2>/dev/null)
assert_ge "a trickled request: closed after 2.5 s or more (ms)" 2500 "$t"
assert_le "... and within 5 s (ms)" 5000 "$t"
assert_eq "... told why" "closing the connection: its request did not complete for 3 s" \
	"$(jq -r .notice <<<"$r" 2>/dev/null)"

# ---- memory ------------------------------------------------------------------------

# with the default timeout: uploading 60 MB on a loaded machine may take
# more than 3 s
d_sfcd_stop TERM
assert_do "sfcd restarts (default --client-timeout)" d_sfcd_start || assert_done
rss0=$(vm VmRSS)
bg_run abuse big 4 60000000 >"$T/big.json"
big_pid=$BG_PID
# while they upload: a small request is served (its buffer is always granted)
small=failed
for i in $(seq 20); do
	sleep 0.1
	[[ $(health_field .ok) == true ]] || { small=failed; break; }
	small=ok
done
wait "$big_pid"
r=$(cat "$T/big.json")
hwm=$(vm VmHWM) rss1=$(vm VmRSS)
echo "# big: $r (VmRSS before: $rss0 MB, peak $hwm MB, after $rss1 MB)"
assert_eq "four 60 MB requests: four replies" 4 \
	"$(jq '[.replies[] | select(.ok == true or (.error // "" | startswith("request refused: sfcd holds")))] | length' <<<"$r" 2>/dev/null)"
assert_eq "... meanwhile, health on another connection served 20 times of 20" ok "$small"
assert_ge "... at least one served" 1 "$(jq '[.replies[] | select(.ok == true)] | length' <<<"$r" 2>/dev/null)"
assert_lt "... sfcd's peak VmHWM (MB)" 240 "$hwm"
assert_lt "... VmRSS after (MB) within 32 MB of before ($rss0 MB)" $((rss0 + 32)) "$rss1"
assert_eq "afterwards: health" true "$(health_field .ok)"
assert_done
