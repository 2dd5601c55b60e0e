# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Checks for integration tests. Each check prints one line,
#	PASS <label>
#	FAIL <label>: <why>
# which tests/run.sh counts. assert_done ends the script: status 1 if any
# check failed, 1 as well if none ran.

ASSERT_PASSED=0
ASSERT_FAILED=0

# shellcheck source=tests/lib/bins.sh
. "$(dirname "${BASH_SOURCE[0]}")/bins.sh"

pass() {
	ASSERT_PASSED=$((ASSERT_PASSED + 1))
	printf 'PASS %s\n' "$1"
}

# fail LABEL WHY
fail() {
	ASSERT_FAILED=$((ASSERT_FAILED + 1))
	printf 'FAIL %s: %s\n' "$1" "$2"
}

# skip LABEL WHY: neither passed nor failed (run.sh counts it as skipped
# and lists it, never as passed).
skip() { printf 'SKIP %s: %s\n' "$1" "$2"; }

_assert_int() {
	[[ $1 =~ ^-?[0-9]+$ ]]
}

# decimal even with leading zeros (bash reads 010 as octal)
_assert_dec() {
	local v=$1 sign=
	[[ $v == -* ]] && sign=- v=${v#-}
	echo "$sign$((10#$v))"
}

# _assert_cmp LABEL OP EXPECTED ACTUAL: integer comparison ACTUAL OP EXPECTED,
# OP one of == != >= > <= <.
_assert_cmp() {
	local label=$1 op=$2 exp=$3 act=$4 ok
	if ! _assert_int "$exp" || ! _assert_int "$act"; then
		fail "$label" "expected $op '$exp', actual '$act' (not an integer)"
		return 1
	fi
	exp=$(_assert_dec "$exp") act=$(_assert_dec "$act")
	case $op in
	==) ((act == exp)) ;;
	!=) ((act != exp)) ;;
	'>=') ((act >= exp)) ;;
	'>') ((act > exp)) ;;
	'<=') ((act <= exp)) ;;
	'<') ((act < exp)) ;;
	*) false ;;
	esac
	ok=$?
	if ((ok == 0)); then
		pass "$label"
		return 0
	fi
	fail "$label" "expected $op $exp, actual $act"
	return 1
}

# assert_eq LABEL EXPECTED ACTUAL: string equality (integers compare as
# strings too, so "010" != "10").
assert_eq() {
	if [[ $3 == "$2" ]]; then
		pass "$1"
		return 0
	fi
	fail "$1" "expected '$2', actual '$3'"
	return 1
}

assert_ne() {
	if [[ $3 != "$2" ]]; then
		pass "$1"
		return 0
	fi
	fail "$1" "expected anything but '$2', actual '$3'"
	return 1
}

# integer comparisons: assert_xx LABEL EXPECTED ACTUAL checks ACTUAL xx EXPECTED
assert_ge() { _assert_cmp "$1" '>=' "$2" "$3"; }
assert_gt() { _assert_cmp "$1" '>' "$2" "$3"; }
assert_le() { _assert_cmp "$1" '<=' "$2" "$3"; }
assert_lt() { _assert_cmp "$1" '<' "$2" "$3"; }
assert_int_eq() { _assert_cmp "$1" == "$2" "$3"; }

# assert_ok LABEL CMD...: CMD exits 0. Its output is shown only on failure.
assert_ok() {
	local label=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if ((rc == 0)); then
		pass "$label"
		return 0
	fi
	fail "$label" "'$*' exited $rc${out:+: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')}"
	return 1
}

# assert_do LABEL CMD...: like assert_ok, but CMD runs in the current shell
# (no subshell), so variables it sets and cleanups it registers survive.
assert_do() {
	local label=$1 log rc
	shift
	log=$(mktemp) || return
	"$@" >"$log" 2>&1
	rc=$?
	if ((rc == 0)); then
		pass "$label"
	else
		fail "$label" "'$*' exited $rc, its last lines:"
		tail -n 15 "$log" | sed 's/^/#   /'
	fi
	rm -f "$log"
	return "$rc"
}

# assert_fails LABEL CMD...: CMD exits non-zero.
assert_fails() {
	local label=$1
	shift
	if "$@" >/dev/null 2>&1; then
		fail "$label" "'$*' succeeded, expected failure"
		return 1
	fi
	pass "$label"
}

# assert_done: print a count and exit with the test's status.
assert_done() {
	san_check
	local total=$((ASSERT_PASSED + ASSERT_FAILED))
	printf '# %d checks: %d passed, %d failed\n' \
		"$total" "$ASSERT_PASSED" "$ASSERT_FAILED"
	((ASSERT_FAILED == 0 && total > 0)) && exit 0
	exit 1
}
