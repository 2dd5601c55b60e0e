#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Shared by the sfcctl tests (tests/cli/*.sh; run.sh does not run this
# file): a throwaway sfcd in a network namespace (nsenter --net, so the
# host's /sys/fs/bpf stays visible) with veth interfaces up0 (ingress) and
# s0..s5 (SFs), cleaned up on exit, and the checks that run sfcctl on it.
# A test sources this file, then calls cli_start.

set -u
ROOT=$PWD   # the sourcing test has changed to the top of the tree

NS=${NS_PREFIX:-sfc-cli-$$-}fab
PIN=/sys/fs/bpf/sfc-cli-$$
SOCK=/tmp/sfc-cli-$$.sock
T=$(mktemp -d /tmp/sfc-cli-$$.XXXXXX) || exit 1
STATE=$T/state.json
SFCD_PID=

# shellcheck source=tests/lib/assert.sh
. "$ROOT/tests/lib/assert.sh"

cleanup() {
	local rc=$?
	set +e
	if [[ -n $SFCD_PID ]]; then
		kill "$SFCD_PID" 2>/dev/null
		for _ in $(seq 30); do
			kill -0 "$SFCD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SFCD_PID" 2>/dev/null
		wait "$SFCD_PID" 2>/dev/null
	fi
	# in the namespace it attached in: ifindexes are per namespace
	[[ -e $PIN ]] && nsenter --net="/run/netns/$NS" -- "$SFC_BIN_DIR/sfcd" --unload -P "$PIN" \
		>/dev/null 2>&1
	[[ -e $PIN ]] && rm -rf -- "$PIN"
	ip netns del "$NS" 2>/dev/null
	rm -f -- "$SOCK"
	rm -rf -- "$T"
	return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SFCCTL=$SFC_BIN_DIR/sfcctl

# ctl ARGS...: sfcctl on our socket; output in $OUT, errors in $ERR, status in $RC
ctl() {
	"$SFCCTL" -s "$SOCK" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	return $RC
}

# ok NAME ARGS...: the command succeeds and writes nothing to stderr
ok() {
	local name=$1
	shift
	if ctl "$@" && [[ -z $ERR ]]; then
		pass "$name"
		return 0
	fi
	fail "$name" "sfcctl $* -> status $RC, stderr '$ERR'"
	return 1
}

# expect NAME WHY CMD...: PASS if CMD succeeds, else FAIL with WHY
expect() {
	local name=$1 why=$2
	shift 2
	if "$@"; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

# doc: the current document, one line
doc() { "$SFCCTL" -s "$SOCK" -j dump 2>/dev/null; }

# api_raw JSON: one request straight to sfcd's socket (what sfcctl would not
# send); the reply line in $R
api_raw() { R=$(printf '%s\n' "$1" | timeout 15 socat -t 10 - "UNIX-CONNECT:$SOCK" 2>&1); }

# base_doc FILE: a small document (ingress up0, SF fw on s0, chain web,
# rule 10 on up0 tcp/80) written to FILE
base_doc() {
	cat >"$1" <<'EOF'
{"version": 1, "ingress": [{"dev": "up0"}],
 "sfs": [{"name": "fw", "kind": "iface", "dev": "s0"}],
 "chains": [{"name": "web", "spi": 1, "hops": ["fw"]}],
 "rules": [{"pref": 10, "in-dev": "up0", "proto": "tcp", "dport": 80, "chain": "web"}]}
EOF
}

# err NAME EXPECTED ARGS...: the command fails with status 1, stderr is
# "sfcctl: EXPECTED" (EXPECTED may end in * for a prefix match), stdout is
# empty, and the document did not change.
err() {
	local name=$1 exp=$2 before after
	shift 2
	before=$(doc)
	ctl "$@"
	after=$(doc)
	if ((RC != 1)); then
		fail "$name" "sfcctl $* -> status $RC (expected 1), stderr '$ERR'"
	elif [[ $exp == *'*' && $ERR != "sfcctl: ${exp%\*}"* ]] ||
		[[ $exp != *'*' && $ERR != "sfcctl: $exp" ]]; then
		fail "$name" "stderr '$ERR', expected 'sfcctl: $exp'"
	elif [[ -n $OUT ]]; then
		fail "$name" "printed '$OUT' on stdout"
	elif [[ $before != "$after" ]]; then
		fail "$name" "the document changed"
	else
		pass "$name"
		return 0
	fi
	return 1
}

# jq_eq NAME FILTER EXPECTED: jq -c FILTER on $OUT
jq_eq() {
	local got
	got=$(jq -c "$2" <<<"$OUT" 2>&1)
	if [[ $got == "$3" ]]; then
		pass "$1"
	else
		fail "$1" "jq '$2': expected '$3', got '$got'"
	fi
}

# has NAME REGEX: $OUT has a line matching REGEX
has() {
	if grep -qE -- "$2" <<<"$OUT"; then
		pass "$1"
	else
		fail "$1" "no line matching '$2' in: $(tr '\n' '|' <<<"$OUT")"
	fi
}

# help_ok NAME REGEX ARGS...: prints help matching REGEX and exits 0 without
# contacting sfcd (the socket given does not exist)
help_ok() {
	local name=$1 re=$2
	shift 2
	"$SFCCTL" -s "$T/no-such.sock" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	if ((RC != 0)) || [[ -n $ERR ]]; then
		fail "$name" "sfcctl $* -> status $RC, stderr '$ERR'"
	elif ! grep -qE -- "$re" <<<"$OUT"; then
		fail "$name" "no line matching '$re' in: $(tr '\n' '|' <<<"$OUT")"
	else
		pass "$name"
	fi
}

# cli_start: check the prerequisites, make the namespace, start sfcd
cli_start() {
	if ((EUID != 0)); then
		fail setup "needs root (network namespaces, BPF)"
		exit 1
	fi
	for f in "$SFC_BIN_DIR/sfcd" "$SFC_BIN_DIR/sfcctl"; do
		[[ -x $f ]] || { fail setup "$f not built (run make)"; exit 1; }
	done
	command -v jq >/dev/null || { fail setup "jq is not installed"; exit 1; }
	command -v socat >/dev/null || { fail setup "socat is not installed"; exit 1; }

	ip netns add "$NS" || { fail setup "ip netns add $NS"; exit 1; }
	ip -n "$NS" link set lo up
	# up0: ingress; s0..s5: SF interfaces (the peers stand for the SFs)
	for dev in up0 s0 s1 s2 s3 s4 s5; do
		if ! ip -n "$NS" link add "$dev" type veth peer name "${dev}p" ||
			! ip -n "$NS" link set "$dev" up || ! ip -n "$NS" link set "${dev}p" up; then
			fail setup "veth $dev"
			exit 1
		fi
	done
	ip -n "$NS" addr add 198.18.0.1/24 dev up0
	ip -n "$NS" -6 addr add 2001:db8::1/64 dev up0 nodad

	nsenter --net="/run/netns/$NS" "$SFC_BIN_DIR/sfcd" -f "$STATE" -P "$PIN" -s "$SOCK" \
		${CLI_SFCD_ARGS:-} >"$T/sfcd.log" 2>&1 &
	SFCD_PID=$!
	for _ in $(seq 100); do
		[[ -S $SOCK ]] && break
		kill -0 "$SFCD_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ctl -j health && [[ $(jq -r .pid <<<"$OUT") == "$SFCD_PID" ]]; then
		pass "sfcd starts and answers health"
	else
		fail "sfcd starts and answers health" "$ERR; log: $(tail -3 "$T/sfcd.log" | tr '\n' '|')"
		exit 1
	fi
}
