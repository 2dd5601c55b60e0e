#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Run sfc's tests and count their results.
#
#	tests/run.sh [TEST...]
#
# With no argument: every build/tests/logic_* binary (pure logic, no root),
# every build/tests/unit_* binary (BPF_PROG_TEST_RUN unit
# tests, lines "ok NAME" / "not ok NAME: why"), then every
# tests/integration/*.sh, tests/daemon/*.sh, tests/cli/*.sh and tests/cni/*.sh (lines
# "PASS NAME" / "FAIL NAME: why"; a lib.sh there is a helper, not a test). A TEST
# argument is a path to one of those. Every result line counts; a test that
# exits non-zero without reporting a failure (crash, timeout) counts as one
# failure, and so does one that reports nothing. "SKIP NAME: why" lines (and
# TAP's "ok NAME # SKIP why") count as neither passed nor failed: they are
# listed at the end, and a test that only skipped is listed as such. Ends
# with exactly one line "N passed, N failed, N skipped"; exit status 1 if
# any failed or nothing passed.
#
# Environment: UNIT_TIMEOUT (s, default 120), INTEGRATION_TIMEOUT (300).

set -u
cd "$(dirname "$0")/.." || exit 1

UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
INTEGRATION_TIMEOUT=${INTEGRATION_TIMEOUT:-300}
passed=0
failed=0
skipped=0
n=0

log=$(mktemp /tmp/sfc-run.XXXXXX) || exit 1
trap 'rm -f "$log" "$log.failures" "$log.skips"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# leftovers of an integration test killed before its own cleanup ran
sweep() {
	local prefix=$1 ns d
	while read -r ns _; do
		[[ $ns == "$prefix"* ]] || continue
		echo "# removing leftover namespace $ns"
		ip netns del "$ns" 2>/dev/null
	done < <(ip netns list 2>/dev/null)
	for d in /sys/fs/bpf/"$prefix"*; do
		[[ -e $d ]] || continue
		echo "# removing leftover pin dir $d"
		rm -rf -- "$d"
	done
}

run_one() {
	local t=$1 limit name rc np nf ns prefix
	name=${t#./}
	case $t in
	tests/*/*.sh) limit=$INTEGRATION_TIMEOUT ;;
	*) limit=$UNIT_TIMEOUT ;;
	esac
	n=$((n + 1))
	prefix="sfct-$$-$n-"
	echo "=== $name"
	NS_PREFIX=$prefix timeout -k 30 "$limit" "$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	[[ $t == tests/*/*.sh ]] && sweep "$prefix"
	# a skip is neither a pass nor a failure, whatever form it takes
	ns=$(grep -acE '^SKIP( |$)|^ok .*# *SKIP' "$log")
	np=$(grep -aE '^(ok|PASS)( |$)' "$log" | grep -acvE '^ok .*# *SKIP')
	nf=$(grep -acE '^(not ok|FAIL)( |$)' "$log")
	passed=$((passed + np))
	failed=$((failed + nf))
	skipped=$((skipped + ns))
	grep -aE '^(not ok|FAIL)( |$)' "$log" | sed "s|^|$name: |" >>"$log.failures"
	grep -aE '^SKIP( |$)|^ok .*# *SKIP' "$log" | sed "s|^|$name: |" >>"$log.skips"
	if ((rc != 0 && nf == 0)); then
		failed=$((failed + 1))
		case $rc in
		124 | 137) why="timed out after ${limit}s" ;;
		*) why="exited $rc without reporting a failure" ;;
		esac
		echo "FAIL $name: $why"
		echo "$name: FAIL $why" >>"$log.failures"
	elif ((np + nf == 0 && ns > 0)); then
		echo "# $name only skipped: counted as neither passed nor failed"
		echo "$name: only skipped, nothing checked" >>"$log.skips"
	elif ((np + nf == 0)); then
		failed=$((failed + 1))
		echo "FAIL $name: reported no results (exit $rc)"
		echo "$name: FAIL reported no results" >>"$log.failures"
	fi
}

: >"$log.failures"
: >"$log.skips"

tests=("$@")
if ((${#tests[@]} == 0)); then
	for t in build/tests/logic_* build/tests/unit_*; do
		[[ -f $t && -x $t && $t != *.d ]] && tests+=("$t")
	done
	((${#tests[@]})) || echo "# no unit test binaries in build/tests (run make)"
	for t in tests/integration/*.sh tests/daemon/*.sh tests/cli/*.sh tests/cni/*.sh; do
		[[ -f $t && $t != */lib.sh ]] && tests+=("$t")
	done
fi

for t in "${tests[@]}"; do
	if [[ ! -x $t ]]; then
		failed=$((failed + 1))
		echo "FAIL $t: not found or not executable"
		echo "$t: FAIL not found or not executable" >>"$log.failures"
		continue
	fi
	run_one "$t"
done

echo "==="
if [[ -s $log.failures ]]; then
	echo "failures:"
	sed 's/^/  /' "$log.failures"
fi
if [[ -s $log.skips ]]; then
	echo "skipped (not counted as passed):"
	sed 's/^/  /' "$log.skips"
fi
((passed + failed == 0 && skipped == 0)) && echo "nothing ran"
((passed == 0 && skipped > 0)) && echo "nothing passed: a skip is not a pass"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0 && passed > 0))
