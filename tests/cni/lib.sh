# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Common part of the CNI tests (tests/cni/*.sh).
#
# A namespace "node" plays the host: it runs sfcd (its own socket, pin dir
# and state file), every plugin call happens in it, and the bridge plugin
# makes its bridge there. Pods are namespaces made by c_pod_add, as a
# runtime makes them before calling CNI. Plugins come from a private bin
# dir holding a copy of build/sfc-cni, then Debian's /usr/lib/cni.
#
#	. lib.sh; c_init; c_sfcd_start; ...; assert_done
#
#	c_run ARGS...        tests/cni/cni-run (the runtime) in node, with
#	                     the cache and CNI_PATH: $OUT, $ERR, $RC
#	c_call CMD STDIN [VAR=VALUE...]
#	                     sfc-cni called directly in node, with only the
#	                     given variables (and CNI_COMMAND=CMD): $OUT...
#	c_expect_error LABEL CODE [MSG-REGEX]
#	                     the last call failed with that CNI error object
#	c_sfcd JSON          one request to sfcd; the reply in $OUT
#	c_stdin VERSION [JSON], c_with_prev STDIN PREV
#	                     a request configuration for a direct call
#
# Addresses: the bridge network is 198.18.10.0/24 and 2001:db8:10::/64.

C_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
C_ROOT=$(cd "$C_LIB_DIR/../.." && pwd)
NS_PREFIX=${NS_PREFIX:-sfcni-$$-}
# shellcheck source=tests/lib/netns.sh
. "$C_ROOT/tests/lib/netns.sh"
# shellcheck source=tests/lib/assert.sh
. "$C_ROOT/tests/lib/assert.sh"

SFCD=${SFCD:-$SFC_BIN_DIR/sfcd}
SFCCTL=${SFCCTL:-$SFC_BIN_DIR/sfcctl}
SFC_CNI=${SFC_CNI:-$SFC_BIN_DIR/sfc-cni}
CNI_RUN=$C_LIB_DIR/cni-run
DEB_CNI=${DEB_CNI:-/usr/lib/cni}
C_NET4=198.18.10.0/24 C_GW4=198.18.10.1
C_NET6=2001:db8:10::/64
SFCD_PID=

# c_init: checks that the test can run; a temp dir $T with the bin dir
# ($BIN), the result cache ($CACHE), host-local's data ($IPAM), sfcd's
# socket ($SOCK), state ($STATE) and log ($SFCD_LOG); the node namespace
# ($NODE); the cleanup trap.
c_init() {
	local tool p
	netns_trap
	if ((EUID != 0)); then
		fail setup "needs root (namespaces, BPF)"
		assert_done
	fi
	for tool in ip jq nsenter timeout socat python3 ping nft; do
		command -v "$tool" >/dev/null || { fail setup "missing tool $tool (make deps)"; assert_done; }
	done
	for p in "$SFCD" "$SFCCTL" "$SFC_CNI"; do
		[[ -x $p ]] || { fail setup "$p missing: run make"; assert_done; }
	done
	for p in bridge host-local tuning bandwidth ptp; do
		[[ -x $DEB_CNI/$p ]] || {
			fail setup "$DEB_CNI/$p missing: apt-get install containernetworking-plugins (make deps)"
			assert_done
		}
	done
	tmp_dir_new || { fail setup "mktemp"; assert_done; }
	T=$NS_LAST_TMP
	BIN=$T/bin CACHE=$T/cache IPAM=$T/ipam
	mkdir -p "$BIN" "$CACHE" "$IPAM" "$T/run"
	# copies: a rebuild during the run must not change them under us
	cp "$SFC_CNI" "$BIN/sfc-cni" && cp "$SFCD" "$T/sfcd" || { fail setup "cp"; assert_done; }
	SFCD=$T/sfcd
	C_PATH=$BIN:$DEB_CNI
	SOCK=$T/run/sfcd.sock STATE=$T/state.json SFCD_LOG=$T/sfcd.log
	pin_dir_new node
	PIN=$NS_LAST_PIN
	# last pushed, first run: sfcd stops before its pins are unloaded
	# in the namespace it attached in: ifindexes are per namespace
	cleanup_push "nsenter --net=/run/netns/$(ns_name node) -- timeout 20 '$SFCD' --unload -P '$PIN'"
	cleanup_push c_sfcd_stop
	ns_add node || { fail setup "ip netns add"; assert_done; }
	NODE=$(ns_name node)
	ns_sysctl node net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# c_sfcd_start [ARGS...]: sfcd in node; waits until it answers health.
c_sfcd_start() {
	local i
	nsenter --net="/run/netns/$NODE" -- timeout -k 5 600 "$SFCD" -f "$STATE" -P "$PIN" \
		-s "$SOCK" "$@" >>"$SFCD_LOG" 2>&1 &
	SFCD_PID=$!
	for i in $(seq 100); do
		c_sfcd '{"cmd":"health"}' 2>/dev/null && return 0
		kill -0 "$SFCD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "sfcd did not start; its log:" >&2
	tail -n 5 "$SFCD_LOG" >&2
	return 1
}

c_sfcd_stop() {
	local i
	[[ -n $SFCD_PID ]] || return 0
	kill "$SFCD_PID" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$SFCD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SFCD_PID" 2>/dev/null
	wait "$SFCD_PID" 2>/dev/null
	SFCD_PID=
}

# c_sfcd JSON: one request; the reply in $OUT; status 0 if "ok": true
c_sfcd() {
	OUT=$(printf '%s\n' "$1" | timeout 10 socat -t 10 - "UNIX-CONNECT:$SOCK" 2>/dev/null)
	# not jq -e: jq 1.6 exits 0 on empty input
	[[ $(jq -r '.ok' <<<"$OUT" 2>/dev/null) == true ]]
}

# c_ctl ARGS...: sfcctl on our sfcd
c_ctl() { timeout 20 "$SFCCTL" -s "$SOCK" "$@"; }

# c_pod_add ROLE: a pod namespace; its path in $POD_NS
c_pod_add() {
	ns_add "$1" || return
	# shellcheck disable=SC2034 # for the caller
	POD_NS=/run/netns/$(ns_name "$1")
}

# c_run ARGS...: the runtime harness in node (-C and -P given)
c_run() {
	OUT=$(nsenter --net="/run/netns/$NODE" -- "$CNI_RUN" -C "$CACHE" -P "$C_PATH" "$@" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
	return "$RC"
}

# c_call CMD STDIN [VAR=VALUE...]: sfc-cni alone, as a runtime would run it
c_call() {
	local cmd=$1 stdin=$2
	shift 2
	OUT=$(printf '%s' "$stdin" | nsenter --net="/run/netns/$NODE" -- timeout 60 \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
			${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} CNI_COMMAND="$cmd" "$@" \
			"$BIN/sfc-cni" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
	return "$RC"
}

# c_expect_error LABEL CODE [MSG-REGEX]: the last call exited 1 and printed
# a CNI error object with this code (and a msg matching MSG-REGEX).
c_expect_error() {
	local label=$1 code=$2 re=${3:-} got msg
	got=$(jq -r '.code // "none"' <<<"$OUT" 2>/dev/null || echo "not JSON")
	msg=$(jq -r '.msg // ""' <<<"$OUT" 2>/dev/null)
	if ((RC == 0)); then
		fail "$label" "succeeded, expected error $code; stdout: $(tr -d '\n' <<<"$OUT")"
	elif [[ $got != "$code" ]]; then
		fail "$label" "exit $RC, code '$got', expected $code; msg: $msg"
	elif ! jq -e '.cniVersion | type == "string"' <<<"$OUT" >/dev/null 2>&1; then
		fail "$label" "error object without cniVersion: $(tr -d '\n' <<<"$OUT")"
	elif [[ -n $re ]] && ! [[ $msg =~ $re ]]; then
		fail "$label" "code $code but msg '$msg' does not match /$re/"
	else
		pass "$label"
		return 0
	fi
	return 1
}

# c_expect_ok LABEL: the last call succeeded
c_expect_ok() {
	if ((RC == 0)); then
		pass "$1"
		return 0
	fi
	fail "$1" "exit $RC: $(tr -d '\n' <<<"$OUT" | cut -c1-300) $(tail -n 2 <<<"$ERR" | tr '\n' ' ')"
	return 1
}

# c_stdin VERSION [EXTRA-JSON]: sfc-cni's stdin for network $NET, on our sfcd
c_stdin() {
	jq -cn --arg v "$1" --arg n "$NET" --arg s "$SOCK" --argjson x "${2:-{\}}" \
		'{cniVersion: $v, name: $n, type: "sfc-cni", socket: $s} + $x'
}

# c_with_prev STDIN PREV: STDIN with prevResult PREV
c_with_prev() { jq -c --argjson p "$2" '.prevResult = $p' <<<"$1"; }

# c_doc: sfcd's document
c_doc() { c_sfcd '{"cmd":"get"}' && jq -c .doc <<<"$OUT"; }

# c_sfc_conf [JSON]: sfc-cni's plugin configuration, with our socket
c_sfc_conf() {
	jq -cn --arg s "$SOCK" --argjson x "${1:-{\}}" '{type: "sfc-cni", socket: $s} + $x'
}

# c_bridge_conf [BRIDGE [NET4 GW4 NET6]]: the bridge plugin with host-local,
# both families (default: sfcbr0 on $C_NET4 and $C_NET6)
c_bridge_conf() {
	jq -cn --arg br "${1:-sfcbr0}" --arg d "$IPAM" --arg n4 "${2:-$C_NET4}" \
		--arg gw "${3:-$C_GW4}" --arg n6 "${4:-$C_NET6}" '{type: "bridge", bridge: $br,
		isGateway: true, ipam: {type: "host-local", dataDir: $d,
		ranges: [[{subnet: $n4, gateway: $gw}], [{subnet: $n6}]]}}'
}

# c_conflist FILE NAME VERSION PLUGIN-JSON...: write a network configuration list
c_conflist() {
	local file=$1 name=$2 ver=$3
	shift 3
	printf '%s\n' "$@" | jq -s --arg n "$name" --arg v "$ver" \
		'{cniVersion: $v, name: $n, plugins: .}' >"$file"
}

# c_pod_addr ROLE [4|6]: the pod's global address on eth0
c_pod_addr() {
	ip -n "$(ns_name "$1")" -j addr show dev eth0 |
		jq -r --arg f "$([[ ${2:-4} == 6 ]] && echo inet6 || echo inet)" \
			'.[0].addr_info[] | select(.family == $f and .scope == "global") | .local' | head -n1
}

# c_host_end RESULT-JSON: the host-side interface of a bridge/ptp result
c_host_end() {
	jq -r '[.interfaces[] | select((.sandbox // "") == "" and (.name | startswith("veth")))][0].name' <<<"$1"
}

# c_fake_start NAME REPLIES-JSON: a fake sfcd (fake_sfcd.py) on
# $T/run/NAME.sock; its socket in $FAKE_SOCK, its request log in $FAKE_LOG
c_fake_start() {
	FAKE_SOCK=$T/run/$1.sock FAKE_LOG=$T/$1.requests
	: >"$FAKE_LOG"
	bg_run timeout -k 2 600 python3 "$C_LIB_DIR/fake_sfcd.py" "$FAKE_SOCK" "$2" "$FAKE_LOG"
	wait_until 5 test -S "$FAKE_SOCK"
}

# c_veth_pod ROLE HOST-IF: a pod with a veth made by hand: HOST-IF in node,
# eth0 in the pod (what a main plugin would have made)
c_veth_pod() {
	c_pod_add "$1" || return
	ip -n "$NODE" link add "$2" type veth peer name eth0 netns "$(ns_name "$1")" &&
		ip -n "$NODE" link set "$2" up && ip -n "$(ns_name "$1")" link set eth0 up
}

# c_prev_result VERSION HOST-IF NETNS: a main plugin's result for that veth
c_prev_result() {
	local ips='[{"address": "198.18.11.2/24", "gateway": "198.18.11.1", "interface": 1}]'
	[[ $1 == 0.* ]] && ips='[{"version": "4", "address": "198.18.11.2/24", "gateway": "198.18.11.1", "interface": 1}]'
	jq -cn --arg v "$1" --arg h "$2" --arg ns "$3" --argjson ips "$ips" \
		'{cniVersion: $v, interfaces: [{name: $h, mac: "02:00:00:00:00:01"},
		  {name: "eth0", mac: "02:00:00:00:00:02", sandbox: $ns}],
		  ips: $ips, routes: [{dst: "0.0.0.0/0"}], dns: {}}'
}
