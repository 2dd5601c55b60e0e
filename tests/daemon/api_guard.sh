#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks the API socket's guards:
# - the socket is mode 0660, group sfc (created for the test where the
#   host has none); a member of group sfc is served; a client that is neither root nor in group
#   sfc (uid/gid 65534, no groups) cannot connect; with the socket opened
#   up to everyone (0666) it is still refused, by SO_PEERCRED, with
#   {"ok":false,"error":"permission denied..."}, and its request is not
#   executed; root is served;
# - a malformed line, a request that is not an object with a string cmd,
#   an unknown cmd, bad arguments each get ok:false and a specific error,
#   change nothing, and the daemon keeps serving (health answers, also on
#   the same connection, replies in request order);
# - a client holding a half-sent request does not block the others;
# - a request larger than the 64 MiB limit gets "request larger than ..."
#   and the connection keeps working; so does one of exactly limit + 1
#   bytes;
# - a reply larger than the socket buffer (get of a 4000-rule document)
#   arrives whole.
# Topology: tests/daemon/lib.sh (the SFs are not needed: no traffic here).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

MAX_REQUEST=$((64 << 20))	# SFCD_MAX_REQUEST in user/sfcd/sfcd.h
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
CLIENT=$D_LIB_DIR/api_client.py

# as_nobody CMD...: run CMD as uid/gid 65534 without supplementary groups
as_nobody() { timeout 15 "${NOBODY[@]}" "$@"; }

# expect_error LABEL REQUEST ERROR-REGEX: one request on its own
# connection; ok:false and an error matching ERROR-REGEX
expect_error() {
	local label=$1 req=$2 re=$3 r ok err
	r=$(d_api "$req")
	ok=$(jq -r .ok <<<"$r" 2>/dev/null)
	err=$(jq -r .error <<<"$r" 2>/dev/null)
	if [[ $ok == false ]] && grep -qE -- "$re" <<<"$err"; then
		pass "$label: ok:false, error /$re/"
	else
		fail "$label" "expected ok:false with error /$re/, got '${r:0:200}'"
	fi
}

# client ARGS...: tests/daemon/api_client.py as root; one JSON line per reply
client() { timeout 120 "$PY" "$CLIENT" "$SOCK" "$@"; }

d_init
# Group sfc must exist before sfcd starts (it gives the socket that group).
# A host without it gets one for this test, removed at exit.
if ! getent group sfc >/dev/null; then
	if groupadd --system sfc; then
		trap 'groupdel sfc 2>/dev/null; netns_cleanup' EXIT
	else
		fail "group sfc created for the test" "groupadd failed"
	fi
fi
assert_do "topology" d_topo nosf || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
doc0=$(d_get)
sha0=$(sha256sum <"$STATE")

# ---- who may connect --------------------------------------------------------

assert_eq "socket mode 0660" 660 "$(stat -c %a "$SOCK")"
assert_eq "socket owned by root" 0 "$(stat -c %u "$SOCK")"
assert_eq "socket group sfc" sfc "$(stat -c %G "$SOCK")"
# let everyone reach the socket itself: only its own mode and sfcd decide
chmod 0711 "$T" "$T/run"
out=$(printf '{"cmd":"health"}\n' | as_nobody socat -t 5 - "UNIX-CONNECT:$SOCK" 2>&1)
rc=$?
if ((rc != 0)) && ! grep -q '"ok":true' <<<"$out"; then
	pass "uid 65534: connection refused by the socket's mode ($(grep -o 'Permission denied' <<<"$out" | head -n 1))"
else
	fail "uid 65534: connection refused by the socket's mode" "expected a failed connect, got exit $rc: ${out:0:200}"
fi

chmod 0666 "$SOCK"
# (a private copy of the client, readable by uid 65534 wherever the tree is)
install -m 0755 "$CLIENT" "$T/api_client.py"
# a client that only listens: what does sfcd tell it?
out=$(as_nobody "$PY" "$T/api_client.py" "$SOCK" --timeout 5 | head -n 1)
assert_eq "uid 65534 on a 0666 socket: ok:false" false "$(jq -r .ok <<<"$out" 2>/dev/null)"
err=$(jq -r .error <<<"$out" 2>/dev/null)
if [[ $err == "permission denied"* ]]; then
	pass "uid 65534 on a 0666 socket: error 'permission denied...' ($err)"
else
	fail "uid 65534 on a 0666 socket: error 'permission denied...'" "got '${out:0:200}'"
fi
# a client that sends at once: refused either way, and nothing done
out=$(as_nobody "$PY" "$T/api_client.py" "$SOCK" --timeout 5 --send '{"cmd":"rule-del","pref":10}')
if ! grep -q '"ok": true' <<<"$out"; then
	pass "uid 65534 on a 0666 socket: rule-del refused"
else
	fail "uid 65534 on a 0666 socket: rule-del refused" "got '${out:0:200}'"
fi
out=$(as_nobody "$PY" "$T/api_client.py" "$SOCK" --timeout 5 --send '{"cmd":"get"}')
assert_eq "uid 65534 on a 0666 socket: get gives no document" "" \
	"$(jq -r 'select(.rules) | .rules' <<<"$out" 2>/dev/null)"
assert_eq "uid 65534's rule-del was not executed" "$doc0" "$(d_get)"
chmod 0660 "$SOCK"
gid=$(getent group sfc | cut -d: -f3)
if [[ -n $gid ]]; then
	out=$(printf '{"cmd":"health"}\n' | timeout 15 setpriv --reuid=65534 --regid=65534 \
		--groups="$gid" socat -t 5 - "UNIX-CONNECT:$SOCK" 2>&1)
	assert_eq "uid 65534 in group sfc (supplementary): served" true "$(jq -r .ok <<<"$out" 2>/dev/null)"
else
	fail "uid 65534 in group sfc (supplementary): served" "no group sfc"
fi
assert_eq "root: served" true "$(d_api '{"cmd":"health"}' | jq -r .ok 2>/dev/null)"

# ---- bad requests -----------------------------------------------------------

expect_error "malformed line" '{"cmd":' '^malformed request: .*column [0-9]+'
expect_error "not JSON" 'hello sfcd' '^malformed request'
expect_error "duplicate key" '{"cmd":"get","cmd":"health"}' '^malformed request.*duplicate'
expect_error "array, not an object" '[1,2]' 'JSON object with a string "cmd"'
expect_error "no cmd" '{"command":"get"}' 'JSON object with a string "cmd"'
expect_error "cmd not a string" '{"cmd":5}' 'JSON object with a string "cmd"'
expect_error "unknown cmd" '{"cmd":"frobnicate"}' 'unknown request "frobnicate"'
expect_error "rule-del without pref" '{"cmd":"rule-del"}' 'needs "pref"'
expect_error "rule-del of a missing rule" '{"cmd":"rule-del","pref":424242}' 'no rule.*pref 424242'
expect_error "sf-del of an SF in use" '{"cmd":"sf-del","name":"s1"}' 'SF "s1" is used by chain "web"'
expect_error "chain-add of an existing name" \
	'{"cmd":"chain-add","chain":{"name":"web","spi":7,"hops":[["s1"]]}}' 'already exists'
expect_error "chain-add with an unknown SF" \
	'{"cmd":"chain-add","chain":{"name":"x","spi":7,"hops":[["nope"]]}}' '^chain "x": hop 1: no SF named "nope"$'
expect_error "rule-add to a missing chain" \
	'{"cmd":"rule-add","rule":{"pref":77,"chain":"nochain"}}' '^rule pref 77: chain: no chain named "nochain"$'
expect_error "apply without doc" '{"cmd":"apply"}' 'needs "doc"'
assert_eq "bad requests changed nothing: document" "$doc0" "$(d_get)"
assert_eq "bad requests changed nothing: state file" "$sha0" "$(sha256sum <"$STATE")"

# several lines on one connection: every one answered, in order
out=$(d_api '{"cmd":' '{"cmd":"health"}' '{"cmd":"frobnicate"}' '{"cmd":"health"}')
assert_eq "one connection, 4 lines: 4 replies in order" "false true false true" \
	"$(jq -r .ok <<<"$out" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"

# a client that sends half a request and waits does not hold the daemon
bg_run timeout 10 sh -c "{ printf '{\"cmd\":\"hea'; sleep 4; } | socat -t 5 - UNIX-CONNECT:$SOCK >/dev/null 2>&1"
slow=$BG_PID
sleep 0.3
t0=$(date +%s%N)
r=$(d_api '{"cmd":"health"}' | jq -r .ok 2>/dev/null)
t1=$(date +%s%N)
assert_eq "health answered while another client holds half a request" true "$r"
assert_lt "... within 1000 ms" 1000 $(((t1 - t0) / 1000000))
kill "$slow" 2>/dev/null

# ---- sizes ------------------------------------------------------------------

too_large="request larger than $MAX_REQUEST bytes"
for size in $((MAX_REQUEST + 3000000)) $((MAX_REQUEST + 1)); do
	label="request of $size bytes (limit $MAX_REQUEST)"
	out=$(client --send '{"cmd":"health"}' --pad-to "$size" --then '{"cmd":"health"}')
	assert_eq "$label: refused as too large" "false $too_large" \
		"$(head -n 1 <<<"$out" | jq -r '"\(.ok) \(.error // .head)"' 2>/dev/null | cut -c1-150)"
	assert_eq "$label: the next request on that connection is served" true \
		"$(sed -n 2p <<<"$out" | jq -r .ok 2>/dev/null)"
done
assert_eq "after the large requests: health" true "$(d_api '{"cmd":"health"}' | jq -r .ok 2>/dev/null)"

# a reply larger than a unix socket's buffer (~208 KiB)
jq -c '{cmd: "apply", doc: (.rules += [range(4000) | {pref: (1000 + .), "in-dev": "fs0",
	dst: "198.18.2.0/24", proto: "udp", dport: (10000 + .), chain: "web"}])}' \
	"$STATE" >"$T/big-apply.json"
r=$(d_api "$(cat "$T/big-apply.json")")
assert_eq "apply a 4000-rule document" true "$(jq -r .ok <<<"$r" 2>/dev/null)" ||
	echo "# reply: ${r:0:200}"
want=$(jq -c '.doc' "$T/big-apply.json" | wc -c)
# whole_get DELAY: "4003 true" when the get reply came whole on one line and
# the health reply after it too; else what came
whole_get() {
	local out
	out=$(client --send '{"cmd":"get"}' --then '{"cmd":"health"}' --delay "$1" --timeout 3)
	if [[ $(jq -r '"\(.rules) \(.newline)"' <<<"$(head -n 1 <<<"$out")" 2>/dev/null) == "4003 true" &&
		$(sed -n 2p <<<"$out" | jq -r .ok 2>/dev/null) == true ]]; then
		echo ok
	else
		jq -c -r 'if .exception then .exception else
			"\(.bytes) bytes, newline \(.newline), json \(.json)" end' <<<"$out" 2>/dev/null |
			tr '\n' ';'
	fi
}
label="get of a ${want}-byte document (4003 rules), then health, on one connection"
got=
for i in 1 2 3; do
	r=$(whole_get 0)
	[[ $r == ok ]] || got+="try $i: $r "
done
assert_eq "$label, client reading at once: both replies whole, 3 tries of 3" "" "$got"
assert_eq "$label, client reading after 0.3 s: both replies whole" ok "$(whole_get 0.3)"
assert_eq "after all that: health" true "$(d_api '{"cmd":"health"}' | jq -r .ok 2>/dev/null)"
assert_done
