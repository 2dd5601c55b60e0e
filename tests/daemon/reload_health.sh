#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that a SIGHUP which cannot load the state file is visible in
# health until a later load or commit succeeds:
# - before: health has no "reload_error";
# - SIGHUP on a truncated file: health's reload_error.error names the file,
#   line and column, reload_error.time is an ISO 8601 UTC time and
#   unix_time is now (within 60 s); sfcd keeps its document;
# - SIGHUP with the state path turned into a directory: "is a directory";
# - a commit through the API (rule-add) clears it (and rewrites the file);
# - broken again, then a SIGHUP on a repaired file clears it too.
# Topology: tests/daemon/lib.sh, without SFs.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

# health_field JQ: a field of health's reply ("absent" for null)
health_field() {
	d_api '{"cmd":"health"}' | jq -r "$1 // \"absent\"" 2>/dev/null
}

# hup: SIGHUP to sfcd, then wait until it answered once more
hup() {
	kill -HUP "$SFCD_PID"
	sleep 0.3
	d_api '{"cmd":"health"}' >/dev/null
}

d_init
assert_do "topology" d_topo nosf || assert_done
d_state_json drop >"$STATE"
cp "$STATE" "$T/good.json"
assert_do "sfcd starts" d_sfcd_start || assert_done
doc0=$(d_get)
assert_eq "health before: no reload_error" absent "$(health_field .reload_error)"

head -c 300 "$T/good.json" >"$STATE"
L=$(($(head -c 300 "$T/good.json" | tr -cd '\n' | wc -c) + 1))
hup
err=$(health_field .reload_error.error)
if [[ $err == "$STATE: line $L, column "[0-9]* ]]; then
	pass "SIGHUP on a truncated file: health reports '$err'"
else
	fail "SIGHUP on a truncated file: health reports the file, line and column" \
		"expected '$STATE: line $L, column N...', got '$err'"
fi
when=$(health_field .reload_error.time)
if [[ $when =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]; then
	pass "reload_error.time is ISO 8601 UTC ($when)"
else
	fail "reload_error.time is ISO 8601 UTC" "got '$when'"
fi
ut=$(health_field .reload_error.unix_time)
now=$(date +%s) off=$ut
[[ $ut =~ ^[0-9]+$ ]] && off=$((ut > now ? ut - now : now - ut))
assert_le "reload_error.unix_time is now (seconds off)" 60 "$off"
assert_eq "... and agrees with time" "$when" "$(date -u -d "@$ut" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)"
assert_eq "sfcd kept its document" "$doc0" "$(d_get)"

rm -f "$STATE"
mkdir "$STATE"
hup
assert_eq "SIGHUP with the state path a directory: reported as such" \
	"$STATE: is a directory, not a state file" "$(health_field .reload_error.error)"
rmdir "$STATE"
head -c 300 "$T/good.json" >"$STATE"
hup
r=$(d_api '{"cmd":"rule-add","rule":{"pref":77,"in-dev":"fs0","proto":"udp","dport":7777,"chain":"web"}}')
assert_eq "a commit through the API works" true "$(jq -r .ok <<<"$r" 2>/dev/null)" || echo "# $r"
assert_eq "after the commit: no reload_error" absent "$(health_field .reload_error)"
assert_eq "after the commit: the file is valid again" 7777 \
	"$(jq -r '.rules[] | select(.pref == 77) | .dport' "$STATE" 2>/dev/null)"

echo '{"version": 1, "sfs": [' >"$STATE"
hup
assert_ne "broken again: reported" absent "$(health_field .reload_error.error)"
cp "$T/good.json" "$STATE"
hup
assert_eq "SIGHUP on a repaired file: no reload_error" absent "$(health_field .reload_error)"
assert_eq "... and the document is the file's" "$doc0" "$(d_get)"
assert_done
