#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Run each fuzz target for a bounded time on its corpus and dictionary.
#
#	tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
#
# The seed corpus (tests/fuzz/corpus/TARGET) is read only; what the run
# finds goes to BUILD_DIR/corpus/TARGET, kept between runs. A crash, leak,
# timeout or sanitizer report leaves BUILD_DIR/TARGET-crash-* (or -leak-,
# -timeout-) and fails the run. Per target: one line "TARGET: N runs,
# N edges (cov), N features (ft), exit S" from libFuzzer's final stats.

set -u
cd "$(dirname "$0")/../.." || exit 1
out=$1 seconds=$2
shift 2
failed=0
for t in "$@"; do
	corpus=$out/corpus/$t log=$out/$t.log
	mkdir -p "$corpus"
	echo "=== $t (${seconds}s)"
	"$out/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
		-max_len=8192 -dict="tests/fuzz/$t.dict" -artifact_prefix="$out/$t-" \
		-print_final_stats=1 "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	echo "$t: ${runs:-?} runs, ${cov:-?} edges (cov), ${ft:-?} features (ft), exit $rc"
	if ((rc != 0)); then
		failed=$((failed + 1))
		echo "FAIL $t: see $log; the input is $(ls -t "$out/$t-"* 2>/dev/null | head -1)"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_|.*runtime error)' "$log" | head -5
	fi
done
((failed == 0)) || { echo "$failed fuzz target(s) failed"; exit 1; }
