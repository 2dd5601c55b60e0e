#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that sfcd refuses to start on a truncated or corrupted state file:
# it exits non-zero (not a crash), says which file and where the problem is
# (line and column for a JSON syntax error, the JSON path for a document
# that parses but is wrong), leaves the file byte-for-byte as it was (same
# inode, no temporary files beside it), creates no socket, and leaves the
# datapath already running from the pins alone (chained traffic keeps
# flowing). Also: `sfcd --check` refuses the same files, and a running
# sfcd given a corrupted file on SIGHUP keeps serving its current state
# and does not touch the file.
# Topology and marks: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

# good file, then one directory per bad variant: $T/bad/NAME/state.json
mk() {	# NAME: the variant's path on stdout, content from stdin
	mkdir -p "$T/bad/$1"
	cat >"$T/bad/$1/state.json"
	echo "$T/bad/$1/state.json"
}

# refuse NAME WHERE-REGEX: start sfcd on variant NAME; expect a refusal
# whose message names the file and matches WHERE-REGEX
refuse() {
	local name=$1 where=$2 f dir sha0 ino0 rc msg label="$1"
	f=$T/bad/$name/state.json
	dir=$(dirname "$f")
	sha0=$(sha256sum <"$f") ino0=$(stat -c %i "$f")
	rm -f "$SOCK"
	msg=$(timeout 5 nsenter --net="/run/netns/$FAB" -- "$SFCD" -f "$f" -P "$PIN" -s "$SOCK" 2>&1 </dev/null)
	rc=$?
	if ((rc != 0 && rc < 124)); then
		pass "$label: sfcd exits non-zero ($rc)"
	else
		fail "$label: sfcd exits non-zero" "expected 1..123, got $rc${msg:+: $(head -n 2 <<<"$msg" | tr '\n' ' ')}"
	fi
	if grep -qF -- "$f" <<<"$msg"; then
		pass "$label: message names the file"
	else
		fail "$label: message names the file" "expected '$f' in it, got '$(head -n 2 <<<"$msg" | tr '\n' ' ')'"
	fi
	if grep -qE -- "$where" <<<"$msg"; then
		pass "$label: message says where: /$where/"
	else
		fail "$label: message says where" "expected /$where/, got '$(head -n 2 <<<"$msg" | tr '\n' ' ')'"
	fi
	assert_eq "$label: file byte-for-byte unchanged" "$sha0" "$(sha256sum <"$f")"
	assert_eq "$label: file not replaced (same inode)" "$ino0" "$(stat -c %i "$f")"
	assert_eq "$label: nothing written beside it" "state.json" "$(ls -A "$dir" | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "$label: no API socket created" "" "$(ls -A "$SOCK" 2>/dev/null)"
	msg=$(timeout 5 "$SFCD" --check -f "$f" 2>&1)
	rc=$?
	if ((rc != 0 && rc < 124)) && grep -qE -- "$where" <<<"$msg"; then
		pass "$label: sfcd --check refuses it too"
	else
		fail "$label: sfcd --check refuses it too" "expected a non-zero exit and /$where/, got $rc: $(head -n 1 <<<"$msg")"
	fi
}

d_init
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
good=$STATE
assert_do "sfcd starts on the good file" d_sfcd_start || assert_done
r=$(d_probe warm "$CHAINED_PORT" 20 0.005)
assert_eq "chained traffic flows" "{\"$DSCP_FULL\":20}" "$(jq -c .dscp <<<"$r" 2>/dev/null)"
d_sfcd_stop TERM
assert_eq "sfcd stopped (SIGTERM), exit 0" 0 "$D_EXIT"
pins0=$(ls "$PIN" | tr '\n' ' ')
d_stats >"$T/st.a"

nl=$'\n'
# JSON syntax errors: "line L, column C"
head -c 300 "$good" | mk truncated-mid-line >/dev/null
L=$(($(head -c 300 "$good" | tr -cd '\n' | wc -c) + 1))
refuse truncated-mid-line "line $L, column [0-9]+"
head -n 9 "$good" | mk truncated-at-line-end >/dev/null
refuse truncated-at-line-end "line (9|10), column [0-9]+"
: | mk empty >/dev/null
refuse empty "line 1, column [0-9]+"
sed '5s/"name": "s1",/"name": "s1";/' "$good" | mk semicolon-line5 >/dev/null
refuse semicolon-line5 "line 5, column 18"
sed '8s/"spi": 100,/"spi": 100, "spi": 101,/' "$good" | mk duplicate-key-line8 >/dev/null
refuse duplicate-key-line8 "line 8, column [0-9]+.*duplicate"
{ head -n 9 "$good"; printf '  \0\n'; tail -n +10 "$good"; } | mk nul-byte-line10 >/dev/null
refuse nul-byte-line10 "line 10, column [0-9]+"
sed '6s/"s2"/"s\xff"/' "$good" | mk bad-utf8-line6 >/dev/null
refuse bad-utf8-line6 "line 6, column [0-9]+"
{ cat "$good"; echo "}"; } | mk trailing-garbage-line15 >/dev/null
refuse trailing-garbage-line15 "line 15, column [0-9]+"
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR%s' "$nl" | mk binary >/dev/null
refuse binary "line 1, column [0-9]+"
sed '8s/"spi": 100/"spi": 99999999999999999999999/' "$good" | mk huge-integer-line8 >/dev/null
refuse huge-integer-line8 "line 8, column [0-9]+"
# parses, but is not a valid document: the object, by name
sed '8s/\["s2"\]/["s9"]/' "$good" | mk unknown-sf >/dev/null
refuse unknown-sf 'chain "web": hop 2: no SF named "s9"'
sed '8s/"spi": 100/"spi": "100"/' "$good" | mk spi-string >/dev/null
refuse spi-string 'chain "web": spi: expected an integer'
sed '3s/"ingress"/"ingres"/' "$good" | mk typo-key >/dev/null
refuse typo-key 'document: unknown key "ingres"'
sed '11s/"proto": "icmp",/"proto": "icmp", "dport": 80,/' "$good" | mk port-without-l4 >/dev/null
refuse port-without-l4 'rule pref 20: dport: ports need proto tcp, udp or sctp'
echo '[]' | mk root-array >/dev/null
refuse root-array 'document: expected an object'

# what ran before is untouched: same pins, traffic still chained
assert_eq "pins unchanged by the refused starts" "$pins0" "$(ls "$PIN" | tr '\n' ' ')"
r=$(d_probe after "$CHAINED_PORT" 50 0.002)
assert_eq "datapath still chains traffic after the refused starts" "{\"$DSCP_FULL\":50}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"

# SIGHUP with a corrupted file: keep serving the current state
assert_do "sfcd starts again on the good file" d_sfcd_start || assert_done
doc0=$(d_get)
head -c 300 "$good" >"$T/trunc"
cp "$T/trunc" "$STATE"
sha0=$(sha256sum <"$STATE")
lines0=$(wc -l <"$SFCD_LOG")
kill -HUP "$SFCD_PID"
sleep 0.5
assert_eq "SIGHUP on a truncated file: sfcd still answers, same pid" "$SFCD_PID" \
	"$(d_api '{"cmd":"health"}' | jq -r .pid 2>/dev/null)"
assert_eq "SIGHUP on a truncated file: document unchanged" "$doc0" "$(d_get)"
assert_eq "SIGHUP on a truncated file: file unchanged" "$sha0" "$(sha256sum <"$STATE")"
msg=$(tail -n +"$((lines0 + 1))" "$SFCD_LOG" | grep -v 'debug:' | grep -F -- "$STATE")
if grep -qE "line $L, column [0-9]+" <<<"$msg"; then
	pass "SIGHUP on a truncated file: logged with file, line and column"
else
	fail "SIGHUP on a truncated file: logged with file, line and column" \
		"expected '$STATE: line $L, column N' in the log, got '$(head -n 1 <<<"$msg")'"
fi
r=$(d_probe hup "$CHAINED_PORT" 50 0.002)
assert_eq "SIGHUP on a truncated file: traffic still chained" "{\"$DSCP_FULL\":50}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"
assert_done
