#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Run each fuzz target for a bounded time on its corpus and dictionary.
#
#	tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
#
# FUZZ_JOBS targets run at once (default 2). The seed corpus
# (tests/fuzz/corpus/TARGET) is read only; what a run finds goes to
# BUILD_DIR/corpus/TARGET, kept between runs. A crash, leak, timeout or
# sanitizer report leaves BUILD_DIR/TARGET-crash-* (or -leak-, -timeout-)
# and fails the run. Per target one line from libFuzzer's final stats:
# "TARGET: N runs, N edges (cov), N features (ft), exit S".

set -u
cd "$(dirname "$0")/../.." || exit 1
out=$1 seconds=$2
shift 2
jobs=${FUZZ_JOBS:-2}
# ASan's default 256 MB quarantine of freed memory makes fuzz_api, whose
# documents are large structs, four times slower; 32 MB still holds the
# frees of many inputs
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32}

# fuzz_one TARGET: its run, its log in BUILD_DIR/TARGET.log
fuzz_one() {
	local t=$1
	mkdir -p "$out/corpus/$t"
	"$out/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
		-max_len=8192 -dict="tests/fuzz/$t.dict" -artifact_prefix="$out/$t-" \
		-print_final_stats=1 "$out/corpus/$t" "tests/fuzz/corpus/$t" >"$out/$t.log" 2>&1
}

# report TARGET STATUS: its line; a failure with the input and first error
report() {
	local t=$1 rc=$2 log=$out/$1.log runs cov ft
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -aoE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -aoE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	echo "$t: ${runs:-?} runs, ${cov:-?} edges (cov), ${ft:-?} features (ft), exit $rc"
	((rc == 0)) && return 0
	echo "FAIL $t: see $log; the input: $(ls -t "$out/$t-"* 2>/dev/null | head -1)"
	grep -aE '^(==[0-9]+==ERROR|SUMMARY|fuzz_)|runtime error' "$log" | head -5
	return 1
}

echo "fuzzing ${seconds}s each, $jobs at a time: $*"
failed=0
targets=("$@")
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
	batch=("${targets[@]:i:jobs}")
	pids=()
	for t in "${batch[@]}"; do
		fuzz_one "$t" &
		pids+=($!)
	done
	for j in "${!batch[@]}"; do
		wait "${pids[j]}"
		report "${batch[j]}" $? || failed=$((failed + 1))
	done
done
((failed == 0)) || { echo "$failed fuzz target(s) failed"; exit 1; }
