#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Run sfc's tests under another kernel, in a qemu VM (`make vmtest`).
#
#	vm/vmtest.sh [KERNEL_DEB]
#
# Boots the kernel of a Debian linux-image package (default: the one
# Debian's linux-image-amd64 depends on, Debian 12's 6.1, fetched with
# `apt-get download` and cached in build/vm/) under qemu's software
# emulation, with an initramfs holding busybox-static, the project's
# binaries (build/sfcd, build/tests/unit_*), iproute2's ip and tc, jq, the
# shared libraries of all of them and the kernel modules the tests need.
# Its /init (vm/init) runs every unit test binary and every vm/guest/*.sh
# (network-namespace tests with real traffic through an sfc chain) and
# writes the results, then a marker line
#	SFC-VMTEST-RESULT: N passed, N failed
# to a second serial port. Here its lines "ok"/"not ok"/"PASS"/"FAIL" are
# echoed as they come and counted; the script ends with one line
# "N passed, N failed" and exits 1 if anything failed or nothing ran. A
# missing marker (kernel panic, hang, failed boot, timeout) is a failure.
# The whole serial console is kept in build/vm/console.log.
#
# Environment:
#	VMTEST_TIMEOUT=2400	hard limit for the VM, in seconds
#	VMTEST_MEM=2048		guest memory, MiB
#	VMTEST_SMP=2		guest CPUs
#	VMTEST_ACCEL=tcg	qemu accelerator (kvm where it works)
#	VMTEST_TESTS=		space-separated subset to run in the guest:
#				paths like build/tests/unit_parse or
#				vm/guest/chain_ping.sh (default: all)
#	VMTEST_UNIT_TIMEOUT=900	VMTEST_INTEGRATION_TIMEOUT=900 (s, per test,
#				in the guest: emulation is slow)
#	VMTEST_MODULES=		more kernel modules to put in and load
#	VMTEST_VERBOSE=1	also echo the guest's console here

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

OUT=build/vm
VMTEST_TIMEOUT=${VMTEST_TIMEOUT:-2400}
VMTEST_MEM=${VMTEST_MEM:-2048}
VMTEST_SMP=${VMTEST_SMP:-2}
VMTEST_ACCEL=${VMTEST_ACCEL:-tcg}
VMTEST_TESTS=${VMTEST_TESTS:-}
VMTEST_UNIT_TIMEOUT=${VMTEST_UNIT_TIMEOUT:-900}
VMTEST_INTEGRATION_TIMEOUT=${VMTEST_INTEGRATION_TIMEOUT:-900}
KERNEL_DEB=${1:-${KERNEL_DEB:-}}
KERNEL_META=linux-image-amd64

# modules the tests need, where the kernel has them as modules: veth and
# ifb (test topologies), bridge (the bridging SF), sch_ingress (clsact),
# cls_bpf/act_bpf (sfc's tc programs), dummy
MODULES="veth ifb bridge sch_ingress cls_bpf act_bpf dummy crc32c_generic nf_conntrack ${VMTEST_MODULES:-}"

T0=$(date +%s)
say() { printf '# vmtest: %s\n' "$*"; }
die() {
	printf 'FAIL vmtest: %s\n' "$*"
	echo "0 passed, 1 failed"
	exit 1
}

# ---- host packages: installed only when missing ----------------------------

need_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	say "installing ${missing[*]}"
	apt-get update -q >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"${missing[@]}" >/dev/null 2>&1 ||
		die "apt-get install ${missing[*]} failed"
}
need_pkgs qemu-system-x86 busybox-static cpio kmod iproute2 dash dpkg libc-bin coreutils \
	xz-utils zstd gzip

BINS=(build/sfcd)
for f in build/sfcctl build/sfc-cni build/tests/unit_*; do
	[[ -f $f && -x $f ]] && BINS+=("$f")
done
[[ -x build/sfcd ]] || die "build/sfcd missing: run make first"

mkdir -p "$OUT" || die "mkdir $OUT"

# ---- the kernel package ----------------------------------------------------

# fetch_kernel: print the path of the cached linux-image .deb to use
fetch_kernel() {
	local pkg deb
	pkg=$(apt-cache depends "$KERNEL_META" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	if [[ -z $pkg ]]; then
		apt-get update -q >/dev/null 2>&1
		pkg=$(apt-cache depends "$KERNEL_META" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	fi
	if [[ -n $pkg ]]; then
		# the candidate version: a newer one replaces the cache
		local ver
		ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
		deb=$(ls -1 "$OUT/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1)
		if [[ -z $deb ]]; then
			say "apt-get download $pkg" >&2
			(cd "$OUT" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null) ||
				say "apt-get download $pkg failed" >&2
			deb=$(ls -1 "$OUT/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1)
		fi
	fi
	# no apt lists or no registry: the newest one cached
	[[ -n $deb ]] || deb=$(ls -1t "$OUT"/linux-image-*.deb 2>/dev/null | head -n1)
	[[ -n $deb ]] && printf '%s\n' "$deb"
}

if [[ -n $KERNEL_DEB ]]; then
	[[ -f $KERNEL_DEB ]] || die "KERNEL_DEB=$KERNEL_DEB: no such file"
else
	KERNEL_DEB=$(fetch_kernel) || true
	[[ -n $KERNEL_DEB ]] || die "no kernel package: apt-get download of $KERNEL_META's kernel failed"
fi

# Unpack once per package and index its modules with depmod: the .deb has
# no modules.dep (its postinst makes it).
KDIR=$OUT/kernel/$(basename "$KERNEL_DEB" .deb)
if [[ ! -e $KDIR/.ok ]]; then
	say "unpacking $(basename "$KERNEL_DEB")"
	rm -rf "$KDIR" && mkdir -p "$KDIR" || die "mkdir $KDIR"
	dpkg-deb -x "$KERNEL_DEB" "$KDIR" || die "dpkg-deb -x $KERNEL_DEB failed"
	# merged-/usr packages (Debian 13 on) ship usr/lib/modules
	[[ -e $KDIR/lib || ! -d $KDIR/usr/lib/modules ]] || ln -s usr/lib "$KDIR/lib"
	KVER=$(ls -1 "$KDIR/lib/modules" 2>/dev/null | head -n1)
	[[ -n $KVER ]] || die "$KERNEL_DEB has no lib/modules/VERSION"
	depmod -b "$KDIR" "$KVER" || die "depmod failed"
	rm -rf "${KDIR:?}/usr/share"
	touch "$KDIR/.ok"
fi
KVER=$(ls -1 "$KDIR/lib/modules" | head -n1)
VMLINUZ=$KDIR/boot/vmlinuz-$KVER
[[ -f $VMLINUZ ]] || die "no $VMLINUZ in $KERNEL_DEB"
MODDIR=$KDIR/lib/modules/$KVER

# ---- the initramfs ---------------------------------------------------------

STAGE=$OUT/initramfs
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,lib64,etc,proc,sys,dev,tmp,run,root,mnt} ||
	die "mkdir $STAGE"
mkdir -p "$STAGE"/var/{lib,tmp} && ln -s ../run "$STAGE/var/run" || die "mkdir $STAGE/var"

# the console init starts on, before it mounts devtmpfs
mknod -m 600 "$STAGE/dev/console" c 5 1 && mknod -m 666 "$STAGE/dev/null" c 1 3 ||
	die "mknod in $STAGE"

# busybox, with a link per applet
cp /bin/busybox "$STAGE/bin/busybox" || die "no /bin/busybox (busybox-static)"
/bin/busybox --list-full | while read -r a; do
	[[ -e $STAGE/$a ]] || ln -s /bin/busybox "$STAGE/$a"
done

# copy_elf FILE DEST: FILE to DEST in the image, and every library ldd
# names for it, at the same path
declare -A LIBS_DONE=()
copy_elf() {
	local f=$1 dest=$2 lib
	mkdir -p "$STAGE/$(dirname "$dest")"
	rm -f "$STAGE/$dest"
	cp -L "$f" "$STAGE/$dest" || die "copy $f"
	while read -r lib; do
		[[ -n $lib && -z ${LIBS_DONE[$lib]:-} ]] || continue
		LIBS_DONE[$lib]=1
		mkdir -p "$STAGE/$(dirname "$lib")"
		cp -L "$lib" "$STAGE/$lib" || die "copy $lib"
	done < <(ldd "$f" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }')
}

# /bin/sh is dash, as on Debian: Debian's busybox-static runs its own
# applets before anything in PATH ("ip" would be busybox's ip, which knows
# no veth), also in popen() and system() from the tests
copy_elf "$(readlink -f /bin/dash)" bin/sh

# project binaries, at their paths under /sfc
for f in "${BINS[@]}"; do
	copy_elf "$f" "sfc/$f"
done
for f in build/*.bpf.o; do
	[[ -f $f ]] && cp "$f" "$STAGE/sfc/$f"
done
mkdir -p "$STAGE/sfc/vm/guest"
cp vm/guest/*.sh "$STAGE/sfc/vm/guest/" || die "no vm/guest/*.sh"
chmod +x "$STAGE"/sfc/vm/guest/*.sh

# tools: iproute2 (busybox's ip knows no veth, netns or XDP), jq for
# sfcd --stats -j, util-linux's nsenter
for t in ip tc jq nsenter bpftool; do
	p=$(command -v "$t" 2>/dev/null) || { say "no $t on this host: not in the image"; continue; }
	[[ $(head -c 4 "$p" | tr -d '\0') == $'\x7fELF' ]] || { say "$p is not ELF: not in the image"; continue; }
	copy_elf "$p" "usr/local/bin/$t"
done

# kernel modules: the wanted ones and their dependencies (modules.dep),
# in load order, skipping built-in ones
mkdir -p "$STAGE/lib/modules/$KVER"
: >"$STAGE/etc/modules.load"
declare -A MOD_DONE=()
add_mod() {	# NAME
	local name=${1//-/_} line path dep
	[[ -z ${MOD_DONE[$name]:-} ]] || return 0
	MOD_DONE[$name]=1
	if grep -qE "/${name//_/[-_]}\.ko(\.[a-z]+)?$" "$MODDIR/modules.builtin" 2>/dev/null; then
		return 0
	fi
	line=$(grep -E "(^|/)${name//_/[-_]}\.ko(\.[a-z]+)?:" "$MODDIR/modules.dep" | head -n1)
	if [[ -z $line ]]; then
		say "module $name: not in $KVER (neither built in nor a module)"
		return 0
	fi
	path=${line%%:*}
	# modules.dep lists all dependencies, the last loaded first
	for dep in $(tr ' ' '\n' <<<"${line#*:}" | tac); do
		dep=$(basename "$dep")
		add_mod "${dep%%.ko*}"
	done
	mkdir -p "$STAGE/lib/modules/$KVER/$(dirname "$path")"
	# compressed modules (newer Debian kernels): busybox insmod loads
	# plain .ko only; the signature is on the uncompressed module
	case $path in
	*.ko.xz) xz -dc "$MODDIR/$path" >"$STAGE/lib/modules/$KVER/${path%.xz}" ;;
	*.ko.zst) zstd -qdc "$MODDIR/$path" >"$STAGE/lib/modules/$KVER/${path%.zst}" ;;
	*.ko.gz) gzip -dc "$MODDIR/$path" >"$STAGE/lib/modules/$KVER/${path%.gz}" ;;
	*) cp "$MODDIR/$path" "$STAGE/lib/modules/$KVER/$path" ;;
	esac || die "module $path: copy failed"
	echo "/lib/modules/$KVER/${path%.ko*}.ko" >>"$STAGE/etc/modules.load"
}
for m in $MODULES; do
	add_mod "$m"
done
cp "$MODDIR"/modules.builtin* "$MODDIR"/modules.order "$STAGE/lib/modules/$KVER/" 2>/dev/null
depmod -b "$STAGE" "$KVER" 2>/dev/null	# for modprobe inside (kernel autoload)

cp vm/init "$STAGE/init" && chmod +x "$STAGE/init" || die "no vm/init"
{
	echo "VMTEST_TESTS='$VMTEST_TESTS'"
	echo "VMTEST_UNIT_TIMEOUT=$VMTEST_UNIT_TIMEOUT"
	echo "VMTEST_INTEGRATION_TIMEOUT=$VMTEST_INTEGRATION_TIMEOUT"
} >"$STAGE/etc/vmtest.conf"
echo "root:x:0:0:root:/root:/bin/sh" >"$STAGE/etc/passwd"
echo "root:x:0:" >"$STAGE/etc/group"

INITRD=$OUT/initramfs.cpio.gz
(cd "$STAGE" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$INITRD" ||
	die "cpio failed"
say "kernel $KVER ($(basename "$KERNEL_DEB")), initramfs $(du -h "$INITRD" | cut -f1)," \
	"$(($(wc -l <"$STAGE/etc/modules.load"))) modules, ${#BINS[@]} project binaries;" \
	"prepared in $(($(date +%s) - T0)) s"

# ---- boot ------------------------------------------------------------------

CONSOLE=$OUT/console.log
RESULTS=$OUT/results.log
rm -f "$CONSOLE" "$RESULTS"
: >"$CONSOLE"
: >"$RESULTS"

# ttyS0: the console (kernel and init); ttyS1: the test results only, so
# kernel messages never interleave with them. panic=-1 + -no-reboot: a
# panic ends qemu at once. Nothing else: no network, no disk.
T1=$(date +%s)
# --foreground: qemu stays in this process group, so whatever stops this
# script's group (CI, ^C) stops qemu too
timeout --foreground -k 10 "$VMTEST_TIMEOUT" qemu-system-x86_64 \
	-accel "$VMTEST_ACCEL" -cpu max -smp "$VMTEST_SMP" -m "$VMTEST_MEM" \
	-nodefaults -no-reboot -display none -monitor none \
	-serial "file:$CONSOLE" -serial "file:$RESULTS" \
	-kernel "$VMLINUZ" -initrd "$INITRD" \
	-append "console=ttyS0,115200 panic=-1 oops=panic quiet loglevel=4 rdinit=/init" \
	</dev/null >"$OUT/qemu.log" 2>&1 &
QPID=$!
trap 'kill "$QPID" 2>/dev/null; exit 143' INT TERM

# Echo the result lines as they come; once the marker is there, give the
# guest a little time to power off, then stop it.
if ((${VMTEST_VERBOSE:-0})); then
	tail -n +1 -F --pid="$QPID" "$CONSOLE" 2>/dev/null | tr -d '\r' &
else
	tail -n +1 -F --pid="$QPID" "$RESULTS" 2>/dev/null | tr -d '\r' |
		grep --line-buffered -v '^SFC-VMTEST-' &
fi
TPID=$!
marker_at=
while kill -0 "$QPID" 2>/dev/null; do
	if [[ -z $marker_at ]] && grep -q '^SFC-VMTEST-RESULT:' "$RESULTS" 2>/dev/null; then
		marker_at=$(date +%s)
	fi
	if [[ -n $marker_at ]] && (($(date +%s) - marker_at > 30)); then
		say "guest did not power off 30 s after its result: stopping it"
		kill "$QPID" 2>/dev/null
	fi
	sleep 1
done
wait "$QPID"
QRC=$?
wait "$TPID" 2>/dev/null
trap - INT TERM
T2=$(date +%s)

# ---- result ----------------------------------------------------------------

tr -d '\r' <"$RESULTS" >"$RESULTS.txt"
passed=$(grep -aE '^(ok|PASS)( |$)' "$RESULTS.txt" | grep -avc '# SKIP')
failed=$(grep -acE '^(not ok|FAIL)( |$)' "$RESULTS.txt")
marker=$(grep -m1 '^SFC-VMTEST-RESULT:' "$RESULTS.txt")
why=
if [[ -z $marker ]]; then
	if grep -q 'Kernel panic' "$CONSOLE"; then
		why="kernel panic"
	elif ((QRC == 124 || QRC == 137)); then
		why="timed out after ${VMTEST_TIMEOUT}s"
	elif ! grep -q '^SFC-VMTEST-BOOTED' "$RESULTS.txt"; then
		why="the guest did not boot (qemu exit $QRC)"
	else
		why="the guest stopped before reporting (qemu exit $QRC)"
	fi
else
	# the guest's own count must agree with the lines that reached us
	g=$(sed -nE 's/^SFC-VMTEST-RESULT: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p' <<<"$marker")
	if [[ $g != "$passed $failed" ]]; then
		why="guest counted '${g:-?}', $passed passed and $failed failed lines reached the host"
	fi
fi
if [[ -n $why ]]; then
	failed=$((failed + 1))
	echo "FAIL vmtest: $why; console in $CONSOLE, its end:"
	tail -n 40 "$CONSOLE" | tr -d '\r' | sed 's/^/#   /'
fi
[[ -s $OUT/qemu.log ]] && sed 's/^/# qemu: /' "$OUT/qemu.log"
say "kernel $KVER: boot and tests $((T2 - T1)) s, whole run $((T2 - T0)) s; console in $CONSOLE"
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
