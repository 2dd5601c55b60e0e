#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make install DESTDIR=...: for the default PREFIX and for PREFIX=/usr,
# the binaries, both man pages, the unit, the README and the bash
# completion are installed, and every link of the unit (Documentation=
# file:// and man: pages, ExecStart=) points at a file that was installed.
# No root needed (nothing outside a temporary directory is written).

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib/assert.sh
. tests/lib/assert.sh

T=$(mktemp -d /tmp/sfc-install-$$.XXXXXX) || exit 1
trap 'rm -rf -- "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# check_install PREFIX: install into $T/PREFIX-NAME and check it
check_install() {
	local prefix=$1 d unit doc man f
	d=$T/root${prefix//\//-}
	if ! make -s install DESTDIR="$d" PREFIX="$prefix" >"$T/make.log" 2>&1; then
		fail "make install PREFIX=$prefix" "$(tail -3 "$T/make.log" | tr '\n' '|')"
		return
	fi
	pass "make install PREFIX=$prefix"
	for f in "$prefix/sbin/sfcd" "$prefix/sbin/sfcctl" /opt/cni/bin/sfc-cni; do
		if [[ -x $d$f && -f $d$f ]]; then
			pass "PREFIX=$prefix: $f installed, executable"
		else
			fail "PREFIX=$prefix: $f installed, executable" "missing or not executable"
		fi
	done
	for f in "$prefix/share/man/man8/sfcctl.8" "$prefix/share/man/man8/sfcd.8" \
		"$prefix/share/doc/sfc/README.md" \
		/usr/share/bash-completion/completions/sfcctl /etc/systemd/system/sfcd.service; do
		if [[ -s $d$f ]]; then
			pass "PREFIX=$prefix: $f installed"
		else
			fail "PREFIX=$prefix: $f installed" "missing or empty"
		fi
	done
	unit=$d/etc/systemd/system/sfcd.service
	[[ -f $unit ]] || return
	doc=$(sed -n 's/^Documentation=//p' "$unit")
	for f in $doc; do
		case $f in
		file://*) f=${f#file://} ;;
		man:*\(8\)) man=${f#man:} f=$prefix/share/man/man8/${man%(8)}.8 ;;
		*) fail "PREFIX=$prefix: unit link $f" "neither file:// nor man:(8)"; continue ;;
		esac
		if [[ -f $d$f ]]; then
			pass "PREFIX=$prefix: the unit's Documentation $f is installed"
		else
			fail "PREFIX=$prefix: the unit's Documentation $f is installed" "not in $d"
		fi
	done
	if [[ " $doc " == *" file://$prefix/share/doc/sfc/README.md "* ]]; then
		pass "PREFIX=$prefix: the unit links the installed README"
	else
		fail "PREFIX=$prefix: the unit links the installed README" "Documentation=$doc"
	fi
	f=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
	if [[ -n $f && -x $d$f ]]; then
		pass "PREFIX=$prefix: the unit's ExecStart $f is installed"
	else
		fail "PREFIX=$prefix: the unit's ExecStart is installed" "'$f' not in $d"
	fi
	if cmp -s README.md "$d$prefix/share/doc/sfc/README.md"; then
		pass "PREFIX=$prefix: the README installed is this tree's"
	else
		fail "PREFIX=$prefix: the README installed is this tree's" "differs"
	fi
}

check_install /usr/local
check_install /usr
assert_done
