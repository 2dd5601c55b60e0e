#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/run.sh never counts a skip as a pass: on the fixtures in
# tests/cli/run_fixtures, "SKIP" lines and TAP's "ok NAME # SKIP" count
# as skipped (listed in the summary), a test that only skipped is said to
# be so and is not a pass, and a run where nothing passed exits non-zero.
# No root needed.

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib/assert.sh
. tests/lib/assert.sh

F=tests/cli/run_fixtures
out=$(tests/run.sh "$F/mixed.sh" 2>&1)
rc=$?
assert_eq "one pass, two skips: the summary" "1 passed, 0 failed, 2 skipped" "$(tail -1 <<<"$out")"
assert_eq "one pass, two skips: exit status" 0 "$rc"
if grep -q "^  $F/mixed.sh: ok tap_case # SKIP no BTF$" <<<"$out"; then
	pass "a TAP skip is listed among the skips"
else
	fail "a TAP skip is listed among the skips" "$(tr '\n' '|' <<<"$out")"
fi

out=$(tests/run.sh "$F/skip_only.sh" 2>&1)
rc=$?
assert_eq "only skips: the summary" "0 passed, 0 failed, 1 skipped" "$(tail -1 <<<"$out")"
assert_ne "only skips: exit status is not success" 0 "$rc"
if grep -q "^  $F/skip_only.sh: only skipped, nothing checked$" <<<"$out"; then
	pass "a test that only skipped is said to be so"
else
	fail "a test that only skipped is said to be so" "$(tr '\n' '|' <<<"$out")"
fi
assert_done
