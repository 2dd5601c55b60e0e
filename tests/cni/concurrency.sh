#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that concurrent ADD and DEL for different containers (which a
# runtime may run in parallel) leave sfcd with exactly the attachments of
# the pods that exist: bridge + host-local -> sfc-cni through the runtime
# harness, N pods at once (half SF instances of group "fw", half ingress
# points), then DEL of half of them while as many new ones are added, then
# DEL of all. Each step: every command succeeded, sfcd's document lists
# exactly the expected (container, host end) pairs, CHECK passes for each
# pod still there, sfcd still answers.

set -u
# shellcheck source=tests/cni/lib.sh
. "$(dirname "$0")/lib.sh"
N=${CNI_CONCURRENCY:-12}
c_init
assert_do "sfcd starts" c_sfcd_start || assert_done

LIST=$T/par.conflist
c_conflist "$LIST" parnet 1.0.0 "$(c_bridge_conf)" \
	"$(c_sfc_conf '{"role": "ingress", "capabilities": {"io.kubernetes.cri.pod-annotations": true}}')"

# op CMD I: one runtime call for pod I (odd pods are SF instances); its
# exit status and output in $T/op-CMD-I.{rc,out}
op() {
	local cmd=$1 i=$2 caps='{}'
	((i % 2)) && caps='{"io.kubernetes.cri.pod-annotations": {"sfc/role": "sf", "sfc/sf": "fw"}}'
	nsenter --net="/run/netns/$NODE" -- "$CNI_RUN" -C "$CACHE" -P "$C_PATH" -c "$caps" \
		"$cmd" "$LIST" "c-$i" "/run/netns/$(ns_name "p$i")" eth0 >"$T/op-$cmd-$i.out" 2>&1
	echo $? >"$T/op-$cmd-$i.rc"
}

# par CMD I...: op CMD I for all I at once; waits for them (not for sfcd,
# which is a child too)
par() {
	local cmd=$1 i pids=()
	shift
	for i in "$@"; do
		op "$cmd" "$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
}

# all_ok LABEL CMD I...: every op CMD I exited 0
all_ok() {
	local label=$1 cmd=$2 i bad=
	shift 2
	for i in "$@"; do
		[[ $(cat "$T/op-$cmd-$i.rc" 2>/dev/null) == 0 ]] || bad+=" $i"
	done
	if [[ -z $bad ]]; then
		pass "$label"
	else
		fail "$label" "failed for pods$bad: $(head -c 300 "$T/op-$cmd-${bad# }.out" 2>/dev/null | tr '\n' ' ')"
	fi
}

# expect_doc LABEL I...: sfcd holds exactly pods I... (right role, right dev)
expect_doc() {
	local label=$1 i want='' got
	shift
	for i in "$@"; do
		want+="c-$i $(c_host_end "$(jq -c .result "$CACHE/results/parnet-c-$i-eth0" 2>/dev/null)")"
		((i % 2)) && want+=" fw" || want+=" ingress"
		want+=$'\n'
	done
	want=$(sort <<<"${want%$'\n'}")
	c_sfcd '{"cmd":"get"}'
	got=$(jq -r '(.doc.ingress[] | select(.cni.network == "parnet") | "\(.cni.container) \(.dev) ingress"),
		(.doc.sfs[] | select(.cni.network == "parnet") | "\(.cni.container) \(.dev) \(.group)")' \
		<<<"$OUT" | sort)
	assert_eq "$label" "$want" "$got"
}

for ((i = 0; i < 2 * N; i++)); do
	ns_add "p$i" || fail setup "namespace p$i"
done
# the first ADD alone: it makes the bridge
op ADD 0
all_ok "ADD pod 0 (makes the bridge)" ADD 0

mapfile -t first < <(seq 1 $((N - 1)))
par ADD "${first[@]}"
all_ok "$((N - 1)) concurrent ADDs" ADD "${first[@]}"
mapfile -t all < <(seq 0 $((N - 1)))
expect_doc "sfcd holds the $N pods" "${all[@]}"

for i in "${all[@]}"; do
	op CHECK "$i"
done
all_ok "CHECK each pod" CHECK "${all[@]}"

# DEL the first half while adding as many new pods
mapfile -t gone < <(seq 0 $((N / 2 - 1)))
mapfile -t new < <(seq "$N" $((N + N / 2 - 1)))
pids=()
for i in "${gone[@]}"; do op DEL "$i" & pids+=($!); done
for i in "${new[@]}"; do op ADD "$i" & pids+=($!); done
wait "${pids[@]}"
all_ok "concurrent DELs" DEL "${gone[@]}"
all_ok "concurrent ADDs beside them" ADD "${new[@]}"
mapfile -t left < <(seq $((N / 2)) $((N + N / 2 - 1)))
expect_doc "sfcd holds exactly the pods left" "${left[@]}"

par DEL "${left[@]}"
all_ok "concurrent DEL of every pod" DEL "${left[@]}"
expect_doc "sfcd holds no pod"
assert_ok "sfcd still answers" c_sfcd '{"cmd":"health"}'
assert_eq "no veth left on the bridge" "" "$(ip -n "$NODE" -br link show master sfcbr0 2>/dev/null)"

assert_done
