#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that CNI CHECK compares the attachment sfcd holds with the one
# the request configuration asks for: role, SF group (from every per-pod
# source) and host interface. A difference fails with code 102 and a
# message naming both values; it is not retried, and CHECK changes
# nothing. The datapath must be in place: XDP and sfc's tc filters on the
# host end. A refusal that may heal (the datapath not in place yet) is
# retried, as the spec asks of a CHECK right after ADD. Role "none" wants
# no attachment at all. Direct calls and, for changed pod annotations, a
# runtime (cni-run) over bridge. A real sfcd, and a fake one (fake_sfcd.py)
# for the request as sent and the answers a real sfcd gives only in a race.

set -u
# shellcheck source=tests/cni/lib.sh
. "$(dirname "$0")/lib.sh"
c_init

NET=checknet
SF='{"role": "sf", "sf": "fw"}'
ING='{"role": "ingress"}'

assert_do "sfcd starts" c_sfcd_start || assert_done
c_veth_pod p1 hv1 || fail setup "veth pod p1"
c_veth_pod p2 hv2 || fail setup "veth pod p2"
P1=/run/netns/$(ns_name p1) P2=/run/netns/$(ns_name p2)
ENV1=(CNI_CONTAINERID=c1 CNI_NETNS="$P1" CNI_IFNAME=eth0)
ENV2=(CNI_CONTAINERID=c2 CNI_NETNS="$P2" CNI_IFNAME=eth0)
PREV1=$(c_prev_result 1.1.0 hv1 "$P1") PREV2=$(c_prev_result 1.1.0 hv2 "$P2")
# req EXTRA-JSON PREV: a 1.1.0 request configuration
req() { c_with_prev "$(c_stdin 1.1.0 "$1")" "$2"; }
DIFFERS='the attachment of container "c[12]", interface "eth0" to network "checknet" differs: '

# ---- what ADD made passes ----------------------------------------------------

c_call ADD "$(req "$SF" "$PREV1")" "${ENV1[@]}"
c_expect_ok "ADD c1 as an instance of SF group fw"
c_call ADD "$(req "$ING" "$PREV2")" "${ENV2[@]}"
c_expect_ok "ADD c2 as an ingress point"
c_call CHECK "$(req "$SF" "$PREV1")" "${ENV1[@]}"
c_expect_ok "CHECK of the SF pod with its ADD's configuration"
c_call CHECK "$(req "$ING" "$PREV2")" "${ENV2[@]}"
c_expect_ok "CHECK of the ingress pod with its ADD's configuration"
for v in 0.4.0 1.0.0; do
	c_call CHECK "$(c_with_prev "$(c_stdin "$v" "$SF")" "$(c_prev_result "$v" hv1 "$P1")")" "${ENV1[@]}"
	c_expect_ok "CHECK at $v"
done
BEFORE=$(c_doc)

# ---- role and SF group differ: 102, not retried -------------------------------

c_call CHECK "$(req '{"role": "sf", "sf": "ids"}' "$PREV1")" "${ENV1[@]}"
c_expect_error "CHECK with another SF group: 102" 102 \
	"${DIFFERS}SF group is \"fw\" in sfcd, \"ids\" in the configuration\$"
c_call CHECK "$(req "$ING" "$PREV1")" "${ENV1[@]}"
c_expect_error "CHECK of the SF pod as ingress: 102" 102 \
	"${DIFFERS}role is \"sf\" in sfcd, \"ingress\" in the configuration\$"
c_call CHECK "$(req "$SF" "$PREV2")" "${ENV2[@]}"
c_expect_error "CHECK of the ingress pod as an SF: 102" 102 \
	"${DIFFERS}role is \"ingress\" in sfcd, \"sf\" in the configuration\$"
assert_eq "the error's details say how to apply the configuration" true \
	"$(jq '.details | test("DEL and ADD")' <<<"$OUT")"
c_call CHECK "$(req '{"role": "none"}' "$PREV1")" "${ENV1[@]}"
c_expect_error "CHECK with role none while sfcd holds an attachment: 102" 102 \
	"${DIFFERS}role is \"sf\" in sfcd, \"none\" in the configuration\$"

# every per-pod source counts, as on ADD
c_call CHECK "$(req "$SF" "$PREV1")" "${ENV1[@]}" CNI_ARGS="SFC_SF=ids"
c_expect_error "CHECK with CNI_ARGS SFC_SF=ids over the configuration's fw: 102" 102 \
	'SF group is "fw" in sfcd, "ids" in the configuration'
c_call CHECK "$(req '{"role": "sf", "sf": "fw", "args": {"cni": {"role": "ingress"}}}' "$PREV1")" \
	"${ENV1[@]}"
c_expect_error "CHECK with args.cni role ingress: 102" 102 \
	'role is "sf" in sfcd, "ingress" in the configuration'
c_call CHECK "$(req '{"role": "ingress", "runtimeConfig": {"io.kubernetes.cri.pod-annotations":
	{"sfc/role": "sf", "sfc/sf": "fw"}}}' "$PREV1")" "${ENV1[@]}"
c_expect_ok "CHECK whose pod annotations say what ADD was given"
c_call CHECK "$(req "$ING" "$PREV1")" "${ENV1[@]}" CNI_ARGS="SFC_ROLE=sf;SFC_SF=fw"
c_expect_ok "CHECK whose CNI_ARGS say what ADD was given"
assert_eq "CHECK changed nothing in sfcd" "$BEFORE" "$(c_doc)"

# ---- the host interface differs ------------------------------------------------

ip -n "$NODE" link set hv1 down && ip -n "$NODE" link set hv1 name hv1r &&
	ip -n "$NODE" link set hv1r up || fail setup "rename hv1"
PREV1R=$(c_prev_result 1.1.0 hv1r "$P1")
c_call CHECK "$(req "$SF" "$PREV1")" "${ENV1[@]}"
c_expect_error "CHECK after the host end was renamed, prevResult naming the old: 101" 101 \
	'the peer of eth0 is hv1r, which prevResult does not list'
c_call CHECK "$(req "$SF" "$PREV1R")" "${ENV1[@]}"
c_expect_error "CHECK when sfcd holds another host interface: 102" 102 \
	"${DIFFERS}host interface is \"hv1\" in sfcd, \"hv1r\" on the host"
c_call CHECK "$(req '{"role": "sf", "sf": "ids"}' "$PREV1R")" "${ENV1[@]}"
c_expect_error "CHECK naming every difference" 102 \
	'SF group is "fw" in sfcd, "ids" in the configuration; host interface is "hv1" in sfcd, "hv1r"'
c_call ADD "$(req "$SF" "$PREV1R")" "${ENV1[@]}"
c_expect_ok "ADD again on the renamed host end"
c_call CHECK "$(req "$SF" "$PREV1R")" "${ENV1[@]}"
c_expect_ok "then CHECK passes"

# ---- sfc's tc programs gone (no link event tells sfcd) ---------------------------

tc -n "$NODE" qdisc del dev hv1r clsact || fail setup "delete hv1r's clsact qdisc"
c_call CHECK "$(req "$SF" "$PREV1R")" "${ENV1[@]}"
c_expect_error "CHECK after the host end lost its clsact qdisc: 100" 100 \
	'tc program is not attached to hv1r \(ingress\)'
c_call DEL "$(req "$SF" "$PREV1R")" "${ENV1[@]}" && c_call ADD "$(req "$SF" "$PREV1R")" "${ENV1[@]}"
c_expect_ok "DEL and ADD"
c_call CHECK "$(req "$SF" "$PREV1R")" "${ENV1[@]}"
c_expect_ok "then CHECK passes again"
tc -n "$NODE" filter del dev hv2 egress pref 1 || fail setup "delete hv2's egress filter"
c_call CHECK "$(req "$ING" "$PREV2")" "${ENV2[@]}"
c_expect_error "CHECK of the ingress pod without sfc's egress filter: 100" 100 \
	'tc program is not attached to hv2 \(egress\)'

# ---- no attachment -----------------------------------------------------------

c_call DEL "$(req "$SF" "$PREV2")" "${ENV2[@]}"
c_expect_ok "DEL c2"
c_call CHECK "$(req "$ING" "$PREV2")" "${ENV2[@]}"
c_expect_error "CHECK after DEL: 100, not a difference" 100 'no attachment for network "checknet"'
c_call CHECK "$(req '{"role": "none"}' "$PREV2")" "${ENV2[@]}"
c_expect_ok "CHECK with role none and no attachment"
c_call CHECK "$(req '{"role": "none"}' "$PREV2" | jq -c --arg s "$T/run/none.sock" '.socket = $s')" \
	"${ENV2[@]}"
c_expect_ok "CHECK with role none and sfcd unreachable: nothing was expected of it"
c_call CHECK "$(req "$ING" "$PREV2" | jq -c --arg s "$T/run/none.sock" '.socket = $s')" "${ENV2[@]}"
c_expect_error "CHECK with role ingress and sfcd unreachable: 11" 11 'cannot reach sfcd'

# ---- through a runtime: the pod's annotations changed since ADD ----------------

LIST=$T/checknet2.conflist
c_conflist "$LIST" checknet2 1.0.0 "$(c_bridge_conf)" \
	"$(c_sfc_conf '{"role": "none", "capabilities": {"io.kubernetes.cri.pod-annotations": true}}')"
c_pod_add p3 || fail setup "pod p3"
annot() { jq -cn --argjson a "$1" '{"io.kubernetes.cri.pod-annotations": $a}'; }
c_run -c "$(annot '{"sfc/role": "sf", "sfc/sf": "fw"}')" ADD "$LIST" c3 "$POD_NS" eth0
c_expect_ok "runtime: ADD a bridge pod annotated as an SF of group fw"
c_run CHECK "$LIST" c3 "$POD_NS" eth0
c_expect_ok "runtime: CHECK with the ADD's annotations"
c_run -c "$(annot '{"sfc/role": "sf", "sfc/sf": "ids"}')" CHECK "$LIST" c3 "$POD_NS" eth0
c_expect_error "runtime: CHECK of the pod now annotated group ids: 102" 102 \
	'SF group is "fw" in sfcd, "ids" in the configuration'
c_run -c "$(annot '{"sfc/role": "ingress"}')" CHECK "$LIST" c3 "$POD_NS" eth0
c_expect_error "runtime: CHECK of the pod now annotated ingress: 102" 102 \
	'role is "sf" in sfcd, "ingress" in the configuration'
c_run -c '{}' CHECK "$LIST" c3 "$POD_NS" eth0
c_expect_error "runtime: CHECK of the pod no longer annotated (the list's role none): 102" 102 \
	'role is "sf" in sfcd, "none" in the configuration'
c_run DEL "$LIST" c3 "$POD_NS" eth0
c_expect_ok "runtime: DEL"

# ---- the request as sent; what is retried --------------------------------------

c_fake_start differs '{"check": {"ok": false, "mismatch": true,
	"error": "the attachment ... differs: role is \"ingress\" in sfcd, \"sf\" in the configuration"}}'
c_call CHECK "$(req "$SF" "$PREV1R" | jq -c --arg s "$FAKE_SOCK" '.socket = $s')" "${ENV1[@]}"
c_expect_error "a reply with mismatch: 102" 102 'role is "ingress" in sfcd, "sf" in the configuration'
assert_eq "CHECK sends role, SF group and the host end it found" \
	"{\"cmd\":\"check\",\"network\":\"$NET\",\"container\":\"c1\",\"ifname\":\"eth0\",\"role\":\"sf\",\"sf\":\"fw\",\"dev\":\"hv1r\"}" \
	"$(jq -c . "$FAKE_LOG")"
: >"$FAKE_LOG"
c_call ADD "$(req "$SF" "$PREV1R" | jq -c --arg s "$FAKE_SOCK" '.socket = $s')" \
	"${ENV1[@]}"
c_expect_error "ADD whose check finds a difference: 102" 102 'differs'
assert_eq "ADD asked attach, then one check with the same fields" \
	"attach check {\"role\":\"sf\",\"sf\":\"fw\",\"dev\":\"hv1r\"}" \
	"$(jq -r .cmd "$FAKE_LOG" | tr '\n' ' ')$(jq -c 'select(.cmd == "check") | {role, sf, dev}' "$FAKE_LOG")"
c_call CHECK "$(req '{"role": "none"}' "$PREV1R" | jq -c --arg s "$FAKE_SOCK" '.socket = $s')" "${ENV1[@]}"
c_expect_error "CHECK with role none asks sfcd too" 102 'differs'
assert_eq "role none is sent without SF group nor host interface" '{"role":"none","sf":null,"dev":null}' \
	"$(jq -c '{role, sf, dev}' "$FAKE_LOG" | tail -n1)"

c_fake_start converging '{"check": {"ok": false, "error": "sfc is not attached to hv1r"}}'
c_call CHECK "$(req "$SF" "$PREV1R" | jq -c --arg s "$FAKE_SOCK" '.socket = $s')" \
	"${ENV1[@]}"
c_expect_error "CHECK while the datapath is not in place: 100" 100 'not attached to hv1r'
assert_int_eq "it was asked again, allowing sfcd to converge" 10 "$(grep -c '"check"' "$FAKE_LOG")"

assert_done
