#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks what sfcd does with the paths it is given:
# - -s naming a regular file (the state file, -s and -f swapped) or a
#   directory: refused, exit 1, "exists and is not a socket"; the file is
#   byte-for-byte there, and nothing was created (no pin dir);
# - -f naming a directory: refused with "<path>: is a directory", not a
#   JSON error; by --check and --once too;
# - temporaries a killed sfcd left beside the state file
#   (.state.json.sfcd-tmp.XXXXXX) are removed at start; other files, and
#   such a name that is a symlink, are not;
# - saving never follows a symlink planted at a predictable temporary name
#   (the old STATE.tmp.PID): the symlink's target is untouched, the state
#   file is a regular file (mode 0640) holding the edit, and no temporary
#   is left behind.
# Topology: tests/daemon/lib.sh, without SFs (no traffic here).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

# run_sfcd ARGS...: a refused start; exit status in RC, messages in MSG
run_sfcd() {
	MSG=$(timeout 10 nsenter --net="/run/netns/$FAB" -- "$SFCD" "$@" </dev/null 2>&1)
	RC=$?
}

# msg_has LABEL TEXT: MSG contains TEXT
msg_has() {
	if grep -qF -- "$2" <<<"$MSG"; then
		pass "$1: says '$2'"
	else
		fail "$1: says '$2'" "got '$(head -n 2 <<<"$MSG" | tr '\n' ' ')'"
	fi
}

d_init
assert_do "topology" d_topo nosf || assert_done
d_state_json drop >"$STATE"
sha0=$(sha256sum <"$STATE")

# ---- -s is not a socket --------------------------------------------------------

run_sfcd -s "$STATE" -f "$T/other.json" -P "$PIN"
assert_eq "-s STATE (a regular file): exit 1" 1 "$RC"
msg_has "-s STATE" "socket path $STATE exists and is not a socket"
assert_eq "-s STATE: the file is still there, unchanged" "$sha0" "$(sha256sum <"$STATE" 2>/dev/null)"
assert_eq "-s STATE: no pin dir created" no "$([[ -e $PIN ]] && echo yes || echo no)"
mkdir "$T/sockdir"
run_sfcd -s "$T/sockdir" -f "$STATE" -P "$PIN"
assert_eq "-s DIR: exit 1" 1 "$RC"
msg_has "-s DIR" "exists and is not a socket (a directory)"
assert_eq "-s DIR: still a directory" yes "$([[ -d $T/sockdir ]] && echo yes || echo no)"

# ---- -f is a directory -----------------------------------------------------------

mkdir "$T/statedir"
run_sfcd -f "$T/statedir" -s "$SOCK" -P "$PIN"
assert_eq "-f DIR: exit 1" 1 "$RC"
msg_has "-f DIR" "$T/statedir: is a directory"
assert_eq "-f DIR: no socket created" "" "$(ls -A "$SOCK" 2>/dev/null)"
run_sfcd --check -f "$T/statedir"
assert_eq "--check -f DIR: exit 1" 1 "$RC"
msg_has "--check -f DIR" "$T/statedir: is a directory"
run_sfcd --once -f "$T/statedir" -P "$PIN"
assert_eq "--once -f DIR: exit 1" 1 "$RC"
msg_has "--once -f DIR" "$T/statedir: is a directory"

# ---- paths that are not UTF-8 (health names them in JSON) -------------------------

bad=$'\xff'
for o in -f -P -s; do
	case $o in
	-f) run_sfcd -f "$T/state$bad.json" -s "$SOCK" -P "$PIN" ;;
	-P) run_sfcd -f "$STATE" -s "$SOCK" -P "$PIN$bad" ;;
	-s) run_sfcd -f "$STATE" -s "$T/sock$bad" -P "$PIN" ;;
	esac
	assert_eq "$o not UTF-8: exit 2" 2 "$RC"
	msg_has "$o not UTF-8" "sfcd: $o: the path is not valid UTF-8"
	assert_eq "$o not UTF-8: nothing created" no \
		"$([[ -e $PIN$bad || -e $T/sock$bad || -e $T/state$bad.json ]] && echo yes || echo no)"
	assert_eq "$o not UTF-8: state file unchanged" "$sha0" "$(sha256sum <"$STATE" 2>/dev/null)"
done

# ---- stale temporaries -----------------------------------------------------------

echo '{"half":' >"$T/.state.json.sfcd-tmp.Ab12Cd"
echo '{"half":' >"$T/.state.json.sfcd-tmp.Zz99zZ"
echo keep >"$T/notes.txt"
echo keep >"$T/.state.json.sfcd-tmp.not-ours-too-long"
echo target >"$T/target"
ln -s "$T/target" "$T/.state.json.sfcd-tmp.Sym123"
assert_do "sfcd starts" d_sfcd_start || assert_done
assert_eq "stale temporaries removed at start" "" \
	"$(ls -A "$T" | grep -E '^\.state\.json\.sfcd-tmp\.[A-Za-z0-9]{6}$' | grep -v Sym123)"
assert_eq "other files kept" "keep keep target" \
	"$(cat "$T/notes.txt" "$T/.state.json.sfcd-tmp.not-ours-too-long" "$T/.state.json.sfcd-tmp.Sym123" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
rm -f "$T/.state.json.sfcd-tmp.Sym123" "$T/.state.json.sfcd-tmp.not-ours-too-long"

# ---- saving does not follow symlinks ---------------------------------------------

echo "victim, do not touch" >"$T/victim"
vsha=$(sha256sum <"$T/victim")
ln -s "$T/victim" "$STATE.tmp.$SFCD_PID"	# the old predictable name
ln -s "$T/victim" "$T/.state.json.tmp"
r=$(d_api '{"cmd":"rule-add","rule":{"pref":77,"in-dev":"fs0","proto":"udp","dport":7777,"chain":"web"}}')
assert_eq "rule-add saved" true "$(jq -r .ok <<<"$r" 2>/dev/null)" || echo "# reply: $r"
assert_eq "the symlinks' target is untouched" "$vsha" "$(sha256sum <"$T/victim")"
assert_eq "the state file is a regular file" "regular file" "$(stat -c %F "$STATE")"
assert_eq "the state file has mode 0640" 640 "$(stat -c %a "$STATE")"
assert_eq "the state file holds the edit" 7777 \
	"$(jq -r '.rules[] | select(.pref == 77) | .dport' "$STATE" 2>/dev/null)"
assert_eq "no temporary left beside it" "" "$(ls -A "$T" | grep -F sfcd-tmp)"
assert_done
