# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Throwaway network namespaces for sfc tests.
#
# Every object a test creates (namespace, bpffs pin dir, temp dir,
# background process) is registered here, and netns_cleanup removes all of
# them, whatever state the test died in:
#
#	. tests/lib/netns.sh
#	trap netns_cleanup EXIT
#	ns_add fab; ns_add src
#	veth_add src eth0 fab fs0
#	addr_add src eth0 198.18.1.1/24
#
# Namespaces are named "$NS_PREFIX<role>"; functions take the role. Use
# only 198.18.0.0/15 (RFC 2544) and 2001:db8::/32 (RFC 3849) addresses.

NS_PREFIX=${NS_PREFIX:-sfct-$$-}
NS_BPFFS=${NS_BPFFS:-/sys/fs/bpf}

_NS_ROLES=()		# roles created by ns_add
_NS_PIN_DIRS=()		# bpffs directories to remove
_NS_TMP_DIRS=()		# temporary directories to remove
_NS_BG_PIDS=()		# background jobs to stop
_NS_HOOKS=()		# commands run first at cleanup, last pushed first
_NS_CLEANED=0

ns_name() { printf '%s%s\n' "$NS_PREFIX" "$1"; }

# ns_add ROLE: create a namespace with loopback up and IPv6 DAD disabled, so
# addresses are usable at once instead of "tentative" for a second or two.
ns_add() {
	local ns
	ns=$(ns_name "$1")
	ip netns add "$ns" || return
	_NS_ROLES+=("$1")
	ip -n "$ns" link set lo up
	ns_sysctl "$1" net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
}

# ns_exec ROLE CMD...: run CMD in ROLE's network namespace. ip netns exec
# remounts /sys for the namespace, which hides the host's bpffs at
# /sys/fs/bpf; use ns_exec_host_mounts for anything that pins BPF objects.
ns_exec() {
	local ns
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@"
}

# ns_exec_host_mounts ROLE CMD...: run CMD in ROLE's network namespace but
# the caller's mount namespace (so /sys/fs/bpf is the host's bpffs and pins
# outlive the command).
ns_exec_host_mounts() {
	local ns
	ns=$(ns_name "$1")
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# ns_sysctl ROLE KEY=VALUE...
ns_sysctl() {
	local role=$1 kv
	shift
	for kv in "$@"; do
		ns_exec "$role" sysctl -qw "$kv" >/dev/null || return
	done
}

# veth_add ROLE1 IF1 ROLE2 IF2: a veth pair between two namespaces, both
# ends up. Both ends are created inside their namespaces, so they get that
# namespace's sysctl defaults (accept_dad=0 from ns_add).
veth_add() {
	ip -n "$(ns_name "$1")" link add name "$2" type veth \
		peer name "$4" netns "$(ns_name "$3")" || return
	ip -n "$(ns_name "$1")" link set dev "$2" up &&
	ip -n "$(ns_name "$3")" link set dev "$4" up
}

# addr_add ROLE IF ADDR/LEN...: IPv4 or IPv6 addresses (IPv6 with nodad).
addr_add() {
	local role=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			ip -n "$(ns_name "$role")" -6 addr add "$a" dev "$dev" nodad
		else
			ip -n "$(ns_name "$role")" addr add "$a" dev "$dev"
		fi || return
	done
}

# link_mac ROLE IF: print the interface's MAC address.
link_mac() {
	ip -n "$(ns_name "$1")" -j link show dev "$2" | jq -r '.[0].address'
}

# pin_dir_new NAME: set NS_LAST_PIN to a bpffs directory path for this run
# (not created: the loader creates it) and register it for removal. Not in
# $(...): a subshell would lose the registration.
pin_dir_new() {
	NS_LAST_PIN="$NS_BPFFS/${NS_PREFIX}$1"
	_NS_PIN_DIRS+=("$NS_LAST_PIN")
}

# tmp_dir_new: create a temporary directory, removed at cleanup, and set
# NS_LAST_TMP to its path. Not in $(...), as pin_dir_new.
tmp_dir_new() {
	NS_LAST_TMP=$(mktemp -d "/tmp/${NS_PREFIX}XXXXXX") || return
	_NS_TMP_DIRS+=("$NS_LAST_TMP")
}

# bg_run CMD...: start CMD in the background and register it; the pid is
# left in $BG_PID. Wrap CMD in timeout(1) so it cannot outlive the test.
bg_run() {
	"$@" &
	BG_PID=$!
	_NS_BG_PIDS+=("$BG_PID")
}

# cleanup_push CMD...: run CMD (as one eval'd string) at cleanup, before
# namespaces are deleted. Hooks run last-pushed first; failures are ignored.
cleanup_push() { _NS_HOOKS+=("$*"); }

# netns_cleanup: remove everything this run created. Idempotent; meant for
# `trap netns_cleanup EXIT`. Keeps the exit status of the script.
netns_cleanup() {
	local rc=$? i pid role ns d
	((_NS_CLEANED)) && return "$rc"
	_NS_CLEANED=1
	set +e
	for pid in "${_NS_BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${_NS_BG_PIDS[@]}"; do
		# bounded: timeout(1) forwards the TERM; give up after ~2 s
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ((i = ${#_NS_HOOKS[@]} - 1; i >= 0; i--)); do
		eval "${_NS_HOOKS[i]}" >/dev/null 2>&1
	done
	# registered roles, then anything else carrying this run's prefix
	for role in "${_NS_ROLES[@]}"; do
		ip netns del "$(ns_name "$role")" 2>/dev/null
	done
	while read -r ns _; do
		[[ $ns == "$NS_PREFIX"* ]] && ip netns del "$ns" 2>/dev/null
	done < <(ip netns list 2>/dev/null)
	for d in "${_NS_PIN_DIRS[@]}"; do
		[[ -e $d ]] && rm -rf -- "$d"
	done
	for d in "${_NS_TMP_DIRS[@]}"; do
		[[ -d $d ]] && rm -rf -- "$d"
	done
	return "$rc"
}

# netns_trap: install netns_cleanup on EXIT, and make INT/TERM/HUP exit
# (bash does not run the EXIT trap on a signal it has no trap for).
netns_trap() {
	trap netns_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds, at most
# SECONDS. Returns CMD's last status.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
}
