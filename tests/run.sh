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
# failure, and so does one that reports nothing. Ends with exactly one line
# "N passed, N failed"; exit status 1 if any failed or nothing ran.
#
# Environment: UNIT_TIMEOUT (s, default 120), INTEGRATION_TIMEOUT (300).

set -u
cd "$(dirname "$0")/.." || exit 1

UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
INTEGRATION_TIMEOUT=${INTEGRATION_TIMEOUT:-300}
passed=0
failed=0
n=0

log=$(mktemp /tmp/sfc-run.XXXXXX) || exit 1
trap 'rm -f "$log" "$log.failures"' EXIT
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
	local t=$1 limit name rc np nf prefix
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
	np=$(grep -cE '^(ok|PASS)( |$)' "$log")
	nf=$(grep -cE '^(not ok|FAIL)( |$)' "$log")
	passed=$((passed + np))
	failed=$((failed + nf))
	grep -E '^(not ok|FAIL)( |$)' "$log" | sed "s|^|$name: |" >>"$log.failures"
	if ((rc != 0 && nf == 0)); then
		failed=$((failed + 1))
		case $rc in
		124 | 137) why="timed out after ${limit}s" ;;
		*) why="exited $rc without reporting a failure" ;;
		esac
		echo "FAIL $name: $why"
		echo "$name: FAIL $why" >>"$log.failures"
	elif ((np + nf == 0)); then
		failed=$((failed + 1))
		echo "FAIL $name: reported no results (exit $rc)"
		echo "$name: FAIL reported no results" >>"$log.failures"
	fi
}

: >"$log.failures"

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
((passed + failed == 0)) && echo "nothing ran"
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
