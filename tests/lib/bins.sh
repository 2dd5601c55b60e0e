# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Which sfcd, sfcctl and sfc-cni the shell tests run, and sanitizer reports
# as failures. Sourced by assert.sh, so every test has it.
#
#	SFC_BIN_DIR          directory of the binaries (default: build/ of
#	                     this tree; make sanitize sets build/san)
#	SFC_SANITIZER_LOGS   when set, a directory: ASan and UBSan stop the
#	                     process at the first error and write their report
#	                     there (TEST.PID), and assert_done fails the test
#	                     once per report its processes left
#
# Leak reports are off here: daemons are stopped by signals, and a CLI
# that exits right after its request frees nothing on purpose.

SFC_BIN_DIR=${SFC_BIN_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}

if [[ -n ${SFC_SANITIZER_LOGS:-} ]]; then
	SAN_TEST=$(basename "$0" .sh)
	mkdir -p "$SFC_SANITIZER_LOGS"
	rm -f "$SFC_SANITIZER_LOGS/$SAN_TEST".*
	export ASAN_OPTIONS="halt_on_error=1:detect_leaks=0:log_path=$SFC_SANITIZER_LOGS/$SAN_TEST"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$SFC_SANITIZER_LOGS/$SAN_TEST"
fi

# san_check: one FAIL per sanitizer report left by this test's processes,
# with its first error line.
san_check() {
	local f
	[[ -n ${SFC_SANITIZER_LOGS:-} ]] || return 0
	for f in "$SFC_SANITIZER_LOGS/$SAN_TEST".*; do
		[[ -f $f ]] || continue
		fail "sanitizer" "$(grep -m1 -E 'ERROR|runtime error' "$f") (report: $f)"
	done
}
