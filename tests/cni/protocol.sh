#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks sfc-cni against the CNI spec with direct calls, including the
# calls a runtime never makes: every command's required variables, stdin
# that cannot be decoded or is invalid, each spec version (0.4.0, 1.0.0,
# 1.1.0) and the ones it does not support, CNI_ARGS with and without
# IgnoreUnknown, unknown keys, every error code it can give (1, 4, 6, 7,
# 11, 50, 51, 100, 101), ADD's result (prevResult unchanged), DEL in every
# degraded situation, CHECK, GC and STATUS. A real sfcd runs in the node
# namespace; a fake one (fake_sfcd.py) gives the answers a real one cannot
# be made to give on demand. The veths are made by hand here, as a main
# plugin would have made them.

set -u
# shellcheck source=tests/cni/lib.sh
. "$(dirname "$0")/lib.sh"
c_init

NET=protonet
# attached CID: the host interface sfcd has for this container of $NET ("" none)
attached() {
	c_doc | jq -r --arg c "$1" --arg n "$NET" \
		'[.ingress[], .sfs[] | select(.cni.network == $n and .cni.container == $c)][0].dev // ""'
}

assert_do "sfcd starts" c_sfcd_start || assert_done
c_veth_pod p1 hv1 || fail setup "veth pod p1"
c_veth_pod p2 hv2 || fail setup "veth pod p2"
P1=/run/netns/$(ns_name p1) P2=/run/netns/$(ns_name p2)
ENV1=(CNI_CONTAINERID=c1 CNI_NETNS="$P1" CNI_IFNAME=eth0 CNI_PATH="$C_PATH")
ENV2=(CNI_CONTAINERID=c2 CNI_NETNS="$P2" CNI_IFNAME=eth0 CNI_PATH="$C_PATH")
SF='{"role": "sf", "sf": "fw"}'
ING='{"role": "ingress"}'

# ---- VERSION ---------------------------------------------------------------

# as libcni asks: dummy variables for plugins that insist on them
c_call VERSION '{"cniVersion": "1.0.0"}' CNI_CONTAINERID=dummy CNI_NETNS=dummy \
	CNI_IFNAME=dummy CNI_PATH=dummy
c_expect_ok "VERSION with dummy variables"
assert_eq "VERSION echoes cniVersion" 1.0.0 "$(jq -r .cniVersion <<<"$OUT")"
assert_eq "VERSION lists 0.4.0, 1.0.0, 1.1.0" '["0.4.0","1.0.0","1.1.0"]' \
	"$(jq -c .supportedVersions <<<"$OUT")"
c_call VERSION ''
c_expect_ok "VERSION with empty stdin"
assert_eq "VERSION without input version: the latest" 1.1.0 "$(jq -r .cniVersion <<<"$OUT")"

# ---- environment (4) -------------------------------------------------------

ADD_CONF=$(c_with_prev "$(c_stdin 1.1.0 "$SF")" "$(c_prev_result 1.1.0 hv1 "$P1")")
c_call "" "$ADD_CONF"
c_expect_error "no CNI_COMMAND: 4" 4 'CNI_COMMAND'
c_call BOGUS "$ADD_CONF" "${ENV1[@]}"
c_expect_error "unknown CNI_COMMAND: 4" 4 'unknown CNI_COMMAND: BOGUS'
# bytes that are not UTF-8 still make a JSON error (it was no output at all)
c_call $'B\xffD' "$ADD_CONF" "${ENV1[@]}"
c_expect_error "CNI_COMMAND not UTF-8: 4, the byte as '?'" 4 'unknown CNI_COMMAND: B\?D'
c_call ADD "$ADD_CONF"
c_expect_error "ADD without variables: 4 naming all three" 4 \
	'\[CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME\] missing'
c_call ADD "$ADD_CONF" CNI_CONTAINERID=c1 CNI_IFNAME=eth0
c_expect_error "ADD without CNI_NETNS: 4" 4 '\[CNI_NETNS\] missing'
c_call CHECK "$ADD_CONF" CNI_CONTAINERID=c1 CNI_IFNAME=eth0
c_expect_error "CHECK without CNI_NETNS: 4" 4 '\[CNI_NETNS\] missing'
c_call DEL "$ADD_CONF" CNI_CONTAINERID=c1
c_expect_error "DEL without CNI_IFNAME: 4" 4 '\[CNI_IFNAME\] missing'
c_call GC "$(c_stdin 1.1.0 '{"cni.dev/valid-attachments": []}')"
c_expect_error "GC without CNI_PATH: 4" 4 '\[CNI_PATH\] missing'
c_call ADD "$ADD_CONF" CNI_CONTAINERID=-bad/id CNI_NETNS="$P1" CNI_IFNAME=eth0
c_expect_error "invalid CNI_CONTAINERID: 4" 4 'CNI_CONTAINERID'
for ifn in 0123456789abcdef a/b a:b . "a b" $'eth\xff'; do
	c_call ADD "$ADD_CONF" CNI_CONTAINERID=c1 CNI_NETNS="$P1" CNI_IFNAME="$ifn"
	c_expect_error "invalid CNI_IFNAME '$ifn': 4" 4 'CNI_IFNAME'
done
c_call ADD "$ADD_CONF" CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/nonexistent-$$ CNI_IFNAME=eth0
c_expect_error "ADD with a missing CNI_NETNS: 4" 4 'CNI_NETNS=.*No such file'
c_call ADD "$ADD_CONF" CNI_CONTAINERID=c1 CNI_NETNS="$T" CNI_IFNAME=eth0
c_expect_error "ADD with CNI_NETNS a directory: 4" 4 'not a network namespace'
: >"$T/regular"
c_call ADD "$ADD_CONF" CNI_CONTAINERID=c1 CNI_NETNS="$T/regular" CNI_IFNAME=eth0
c_expect_error "ADD with CNI_NETNS a regular file: 4" 4 'not a network namespace'
c_call ADD "$ADD_CONF" CNI_CONTAINERID=c1 CNI_NETNS="/run/netns/$NODE" CNI_IFNAME=eth0
c_expect_error "ADD with CNI_NETNS the plugin's own: 4" 4 "plugin's own"
c_call ADD "$ADD_CONF" "${ENV1[@]}" CNI_ARGS="FOO"
c_expect_error "CNI_ARGS without '=': 4" 4 'CNI_ARGS: invalid pair'
c_call ADD "$ADD_CONF" "${ENV1[@]}" CNI_ARGS="K8S_POD_NAME=p;FOO=1"
c_expect_error "CNI_ARGS unknown key: 4" 4 'CNI_ARGS: unknown keys "FOO"'
c_call ADD "$ADD_CONF" "${ENV1[@]}" CNI_ARGS="IgnoreUnknown=yes;FOO=1"
c_expect_error "CNI_ARGS IgnoreUnknown=yes: 4" 4 'IgnoreUnknown=yes'
assert_eq "nothing attached by the refused calls" "" "$(attached c1)"

# ---- stdin: decode (6), invalid (7), version (1) ----------------------------

for bad in "" "not json" "[1, 2]" '{"cniVersion": 1, "name": "n"}' \
	"$(c_with_prev "$(c_stdin 1.1.0 "$SF")" '"x"')"; do
	c_call ADD "$bad" "${ENV1[@]}"
	c_expect_error "undecodable stdin '${bad:0:30}': 6" 6
done
c_call ADD "$(jq -c 'del(.name)' <<<"$ADD_CONF")" "${ENV1[@]}"
c_expect_error "no network name: 7" 7 'missing network name'
c_call ADD "$(jq -c '.name = "bad name!"' <<<"$ADD_CONF")" "${ENV1[@]}"
c_expect_error "invalid network name: 7" 7 'network name'
c_call ADD "$(jq -c '.socket = "run/sfcd.sock"' <<<"$ADD_CONF")" "${ENV1[@]}"
c_expect_error "relative socket: 7" 7 'socket'
c_call ADD "$(jq -c '.timeout = 0' <<<"$ADD_CONF")" "${ENV1[@]}"
c_expect_error "timeout 0: 7" 7 'timeout'
c_call ADD "$(jq -c '.role = "router"' <<<"$ADD_CONF")" "${ENV1[@]}"
c_expect_error "unknown role: 7" 7 'unknown role "router"'
c_call ADD "$(jq -c 'del(.sf)' <<<"$ADD_CONF")" "${ENV1[@]}"
c_expect_error "role sf without a group: 7" 7 'needs the name of the SF group'
c_call ADD "$(jq -c '.sf = "no spaces"' <<<"$ADD_CONF")" "${ENV1[@]}"
c_expect_error "invalid SF group name: 7" 7 'SF group'
c_call ADD "$(jq -c 'del(.role, .sf)' <<<"$ADD_CONF")" "${ENV1[@]}"
c_expect_error "no role anywhere: 7" 7 'no role'
c_call ADD "$(jq -c '.args = {cni: {role: 5}}' <<<"$ADD_CONF")" "${ENV1[@]}"
c_expect_error "args.cni role not a string: 7" 7 'args.cni'
c_call ADD "$(c_stdin 1.1.0 "$SF")" "${ENV1[@]}"
c_expect_error "ADD without prevResult: 7" 7 'chained plugin'
c_call ADD "$(jq -c '.cniVersion = "0.4.0" | .role = "x"' <<<"$ADD_CONF")" "${ENV1[@]}"
assert_eq "an error echoes the request's cniVersion" 0.4.0 "$(jq -r .cniVersion <<<"$OUT")"

for v in 0.3.1 0.2.0 2.0.0 ""; do
	c_call ADD "$(jq -c --arg v "$v" 'if $v == "" then del(.cniVersion) else .cniVersion = $v end' \
		<<<"$ADD_CONF")" "${ENV1[@]}"
	c_expect_error "ADD with cniVersion '${v:-absent}': 1" 1 'incompatible CNI versions'
done
c_call GC "$(c_stdin 1.0.0 '{"cni.dev/valid-attachments": []}')" CNI_PATH="$C_PATH"
c_expect_error "GC with cniVersion 1.0.0: 1" 1 'does not allow GC'
c_call STATUS "$(c_stdin 1.0.0)"
c_expect_error "STATUS with cniVersion 1.0.0: 1" 1 'does not allow STATUS'
assert_eq "nothing attached by the refused calls" "" "$(attached c1)"

# ---- ADD: each version, prevResult unchanged ---------------------------------

for v in 0.4.0 1.0.0 1.1.0; do
	prev=$(c_prev_result "$v" hv1 "$P1")
	c_call ADD "$(c_with_prev "$(c_stdin "$v" "$SF")" "$prev")" "${ENV1[@]}"
	c_expect_ok "ADD at $v"
	assert_eq "ADD at $v prints prevResult unchanged" "$(jq -S . <<<"$prev")" "$(jq -S . <<<"$OUT")"
	assert_eq "ADD at $v attached hv1" hv1 "$(attached c1)"
done
prev=$(c_prev_result 0.4.0 hv1 "$P1")
c_call ADD "$(c_with_prev "$(c_stdin 1.0.0 "$SF")" "$prev")" "${ENV1[@]}"
assert_eq "a 0.4.0 prevResult comes out as 1.0.0 (no ips[].version)" \
	'"1.0.0" [null]' "$(jq -c '.cniVersion' <<<"$OUT") $(jq -c '[.ips[].version]' <<<"$OUT")"
prev=$(c_prev_result 1.0.0 hv1 "$P1")
c_call ADD "$(c_with_prev "$(c_stdin 0.4.0 "$SF")" "$prev")" "${ENV1[@]}"
assert_eq "a 1.0.0 prevResult comes out as 0.4.0 (with ips[].version)" \
	'"0.4.0" ["4"]' "$(jq -c '.cniVersion' <<<"$OUT") $(jq -c '[.ips[].version]' <<<"$OUT")"

# keys the plugin does not know, as libcni passes them
X='{"capabilities": {"io.kubernetes.cri.pod-annotations": true, "portMappings": true},
    "runtimeConfig": {"portMappings": []}, "ipMasq": true, "someOtherKey": {"a": [1]}}'
c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 "$(jq -c ". + $SF" <<<"$X")")" \
	"$(c_prev_result 1.1.0 hv1 "$P1")")" "${ENV1[@]}" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=p1;FOO=bar"
c_expect_ok "ADD with unknown keys and IgnoreUnknown=1"
c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 "$SF")" "$(c_prev_result 1.1.0 hv1 "$P1")")" \
	"${ENV1[@]}" CNI_ARGS="IgnoreUnknown=true;FOO=bar"
c_expect_ok "ADD with IgnoreUnknown=true"

# the role sources, latest wins: config < CNI_ARGS < args.cni < annotations
role_of() { c_doc | jq -r '([.ingress[] | select(.cni.container == "c1") | "ingress"] +
	[.sfs[] | select(.cni.container == "c1") | "sf:" + .group])[0] // "none"'; }
PREV1=$(c_prev_result 1.1.0 hv1 "$P1")
c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 "$SF")" "$PREV1")" "${ENV1[@]}" CNI_ARGS="SFC_ROLE=ingress"
assert_eq "CNI_ARGS SFC_ROLE over the config (re-ADD replaces)" ingress "$(role_of)"
c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 "$ING")" "$PREV1")" "${ENV1[@]}" CNI_ARGS="SFC_ROLE=sf;SFC_SF=ids"
assert_eq "CNI_ARGS SFC_ROLE and SFC_SF" sf:ids "$(role_of)"
c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 '{"role": "ingress", "args": {"cni": {"role": "sf", "sf": "nat"}}}')" \
	"$PREV1")" "${ENV1[@]}" CNI_ARGS="SFC_ROLE=ingress"
assert_eq "args.cni over CNI_ARGS" sf:nat "$(role_of)"
c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 '{"role": "sf", "sf": "x", "args": {"cni": {"role": "sf", "sf": "nat"}},
	"runtimeConfig": {"io.kubernetes.cri.pod-annotations": {"sfc/role": "ingress", "other": "x"}}}')" \
	"$PREV1")" "${ENV1[@]}"
assert_eq "pod annotations over args.cni" ingress "$(role_of)"
c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 '{"role": "sf", "sf": "fw",
	"runtimeConfig": {"io.kubernetes.cri.pod-annotations": {"sfc/role": "none"}}}')" "$PREV1")" "${ENV1[@]}"
c_expect_ok "ADD with role none"
assert_eq "role none leaves the previous attachment (no sfcd call)" ingress "$(role_of)"

# ---- CHECK ------------------------------------------------------------------

CONF1=$(c_with_prev "$(c_stdin 1.1.0 "$SF")" "$PREV1")
c_call ADD "$CONF1" "${ENV1[@]}"
c_expect_ok "ADD c1 as SF"
c_call CHECK "$CONF1" "${ENV1[@]}"
c_expect_ok "CHECK right after ADD"
c_call CHECK "$(c_stdin 1.1.0 "$SF")" "${ENV1[@]}"
c_expect_error "CHECK without prevResult: 7" 7 'prevResult'
c_call CHECK "$(jq -c '.cniVersion = "0.3.1"' <<<"$CONF1")" "${ENV1[@]}"
c_expect_error "CHECK at 0.3.1: 1" 1
c_call CHECK "$(c_with_prev "$(c_stdin 1.1.0 "$SF")" "$(c_prev_result 1.1.0 hv2 "$P1")")" "${ENV1[@]}"
c_expect_error "CHECK with a prevResult naming another host end: 101" 101 'prevResult does not list'
c_sfcd '{"cmd":"detach","network":"'$NET'","container":"c1","ifname":"eth0"}'
c_call CHECK "$CONF1" "${ENV1[@]}"
c_expect_error "CHECK when sfcd lost the attachment: 100" 100 'no attachment'
c_call ADD "$CONF1" "${ENV1[@]}"
c_call CHECK "$CONF1" "${ENV1[@]}"
c_expect_ok "CHECK after re-ADD"
# The datapath detached from the interface: sfcd re-attaches within
# milliseconds of the link change, so the fake sfcd below gives that answer.

# ---- ADD failing on the link (101) -----------------------------------------

c_call ADD "$CONF1" CNI_CONTAINERID=c1 CNI_NETNS="$P1" CNI_IFNAME=eth9
c_expect_error "ADD with CNI_IFNAME missing from the pod: 101" 101 'no interface eth9'
ip -n "$(ns_name p1)" link add br9 type bridge
c_call ADD "$CONF1" CNI_CONTAINERID=c1 CNI_NETNS="$P1" CNI_IFNAME=br9
c_expect_error "ADD with CNI_IFNAME not a veth: 101" 101 'not a veth'
ip -n "$(ns_name p1)" link add vin0 type veth peer name vin1
c_call ADD "$CONF1" CNI_CONTAINERID=c1 CNI_NETNS="$P1" CNI_IFNAME=vin0
c_expect_error "ADD with both veth ends in the pod: 101" 101 'in the pod too'
c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 "$SF")" "$(c_prev_result 1.1.0 hv2 "$P1")")" "${ENV1[@]}"
c_expect_error "ADD when prevResult names another host end: 101" 101 'the peer of eth0 is hv1'
c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 "$SF")" "$(jq -c '.interfaces |= map(select(.sandbox))' <<<"$PREV1")")" \
	"${ENV1[@]}"
c_expect_ok "ADD when prevResult lists no host interface (the kernel's answer is used)"

# a filter of another kind holds sfc's tc priority: sfcd refuses the
# attach with the reason, and ADD must not pretend it worked
c_veth_pod p5 hv5 || fail setup "veth pod p5"
tc -n "$NODE" qdisc add dev hv5 clsact &&
	tc -n "$NODE" filter add dev hv5 ingress pref 1 protocol all u32 match u32 0 0 classid 1:1 ||
	fail setup "u32 filter on hv5"
P5=/run/netns/$(ns_name p5)
CONF5=$(c_with_prev "$(c_stdin 1.1.0 "$ING")" "$(c_prev_result 1.1.0 hv5 "$P5")")
c_call ADD "$CONF5" CNI_CONTAINERID=c5 CNI_NETNS="$P5" CNI_IFNAME=eth0
c_expect_error "ADD when sfcd cannot attach its datapath: 100" 100 'hv5: attaching tc failed.*in the way'
c_call DEL "$CONF5" CNI_CONTAINERID=c5 CNI_IFNAME=eth0
c_expect_ok "DEL after that failed ADD"
assert_eq "and detached" "" "$(attached c5)"

# ---- DEL --------------------------------------------------------------------

c_call DEL "$CONF1" "${ENV1[@]}"
c_expect_ok "DEL"
assert_eq "DEL detached c1" "" "$(attached c1)"
c_call DEL "$CONF1" "${ENV1[@]}"
c_expect_ok "DEL again"
c_call ADD "$CONF1" "${ENV1[@]}"
c_call DEL "$(c_stdin 1.1.0 "$SF")" CNI_CONTAINERID=c1 CNI_IFNAME=eth0
c_expect_ok "DEL without prevResult nor CNI_NETNS"
assert_eq "and detached" "" "$(attached c1)"
for ns in /run/netns/nonexistent-$$ "$T/regular" "/run/netns/$NODE"; do
	c_call ADD "$CONF1" "${ENV1[@]}"
	c_call DEL "$CONF1" CNI_CONTAINERID=c1 CNI_NETNS="$ns" CNI_IFNAME=eth0
	c_expect_ok "DEL with CNI_NETNS=$ns"
	assert_eq "and detached" "" "$(attached c1)"
done
c_call DEL "$(c_stdin 1.1.0 "$SF")" CNI_CONTAINERID=never-added CNI_IFNAME=eth0
c_expect_ok "DEL of an attachment that never was"
c_call ADD "$CONF1" "${ENV1[@]}"
ip -n "$NODE" link del hv1
c_call CHECK "$CONF1" "${ENV1[@]}"
c_expect_error "CHECK after the veth is gone: 101" 101 'no interface eth0'
c_call DEL "$CONF1" "${ENV1[@]}"
c_expect_ok "DEL after the veth is gone"
ip netns del "$(ns_name p1)"
c_call DEL "$CONF1" "${ENV1[@]}"
c_expect_ok "DEL after the namespace is gone"
c_call CHECK "$CONF1" "${ENV1[@]}"
c_expect_error "CHECK after the namespace is gone: 4" 4 'CNI_NETNS'

# ---- a host end whose name is not UTF-8 (sfcd's API could not name it) ------

bad=$'hv\xff9'
if c_veth_pod p9 "$bad"; then
	P9=/run/netns/$(ns_name p9)
	c_call ADD "$(c_with_prev "$(c_stdin 1.1.0 "$ING")" "$(c_prev_result 1.1.0 hv9 "$P9")")" \
		CNI_CONTAINERID=c9 CNI_NETNS="$P9" CNI_IFNAME=eth0 CNI_PATH="$C_PATH"
	c_expect_error "ADD with a host end named not UTF-8: 101" 101 'host end of eth0 has a name that is not valid UTF-8'
	assert_eq "nothing attached for c9" "" "$(attached c9)"
	ip -n "$NODE" link del "$bad" 2>/dev/null
else
	fail setup "veth pod p9 with a host end named not UTF-8"
fi

# ---- GC ---------------------------------------------------------------------

c_veth_pod p3 hv3 || fail setup "veth pod p3"
P3=/run/netns/$(ns_name p3)
ENV3=(CNI_CONTAINERID=c3 CNI_NETNS="$P3" CNI_IFNAME=eth0 CNI_PATH="$C_PATH")
CONF2=$(c_with_prev "$(c_stdin 1.1.0 "$ING")" "$(c_prev_result 1.1.0 hv2 "$P2")")
CONF3=$(c_with_prev "$(c_stdin 1.1.0 "$SF")" "$(c_prev_result 1.1.0 hv3 "$P3")")
c_call ADD "$CONF2" "${ENV2[@]}" && c_call ADD "$CONF3" "${ENV3[@]}"
c_expect_ok "ADD c2 and c3"
# c3's second interface, net1, in another network (as Multus would add it)
ip -n "$NODE" link add hv4 type veth peer name net1 netns "$(ns_name p3)"
NET=othernet c_call ADD "$(NET=othernet c_stdin 1.1.0 "$ING" | jq -c --argjson p "$(c_prev_result 1.1.0 hv4 "$P3" |
	jq -c '.interfaces[1].name = "net1"')" '.prevResult = $p')" CNI_CONTAINERID=c3 CNI_NETNS="$P3" CNI_IFNAME=net1
c_expect_ok "ADD c3 to another network"
c_call GC "$(c_stdin 1.1.0 '{"cni.dev/valid-attachments": [{"containerID": "c3", "ifname": "eth0"}]}')" \
	CNI_PATH="$C_PATH"
c_expect_ok "GC keeping c3"
assert_eq "GC removed c2" "" "$(attached c2)"
assert_eq "GC kept c3" hv3 "$(attached c3)"
assert_eq "GC left the other network alone" hv4 "$(NET=othernet attached c3)"
c_call GC "$(c_stdin 1.1.0 '{"cni.dev/attachments": []}')" CNI_PATH="$C_PATH"
c_expect_ok "GC with cni.dev/attachments (the spec's earlier name), empty"
assert_eq "GC removed c3" "" "$(attached c3)"
assert_eq "still the other network alone" hv4 "$(NET=othernet attached c3)"
c_call GC "$(c_stdin 1.1.0)" CNI_PATH="$C_PATH"
c_expect_error "GC without valid attachments: 7" 7 'valid-attachments'
c_call GC "$(c_stdin 1.1.0 '{"cni.dev/valid-attachments": [{"containerID": 3}]}')" CNI_PATH="$C_PATH"
c_expect_error "GC with a malformed attachment: 7" 7 'valid-attachments\[0\]'
# GC through the runtime harness: a 1.1.0 list of sfc-cni alone
c_conflist "$T/gc.conflist" othernet 1.1.0 "$(c_sfc_conf "$ING")"
c_run -G '[]' GC "$T/gc.conflist"
c_expect_ok "GC through cni-run"
assert_eq "it removed the other network's attachment" "" "$(NET=othernet attached c3)"

# ---- STATUS, try again later (11), sfcd's refusals (100) ----------------------

c_call STATUS "$(c_stdin 1.1.0)"
c_expect_ok "STATUS with sfcd serving"
assert_eq "STATUS prints nothing" "" "$OUT"
c_call STATUS "$(c_stdin 1.1.0 "{\"socket\": \"$T/run/none.sock\"}")"
c_expect_error "STATUS without sfcd: 50" 50 'cannot reach sfcd'
c_call ADD "$(jq -c --arg s "$T/run/none.sock" '.socket = $s' <<<"$CONF3")" "${ENV3[@]}"
c_expect_error "ADD without sfcd: 11" 11 'cannot reach sfcd'
c_call DEL "$(jq -c --arg s "$T/run/none.sock" '.socket = $s' <<<"$CONF3")" "${ENV3[@]}"
c_expect_error "DEL without sfcd: 11 (the attachment is still there)" 11 'cannot reach sfcd'
c_call DEL "$(jq -c --arg s "$T/run/none.sock" '.socket = $s | .role = "none"' <<<"$CONF3")" "${ENV3[@]}"
c_expect_ok "DEL without sfcd, role none: nothing could be attached"

c_fake_start unwell '{"health": {"ok": false, "error": "datapath not loaded"},
	"attach": {"ok": false, "error": "no such thing"},
	"check": {"ok": false, "error": "sfc is not attached to hv3"}}'
UNWELL=$FAKE_SOCK UNWELL_LOG=$FAKE_LOG
c_call STATUS "$(c_stdin 1.1.0 "{\"socket\": \"$UNWELL\"}")"
c_expect_error "STATUS with sfcd unhealthy: 51" 51 'datapath not loaded'
c_call ADD "$(jq -c --arg s "$UNWELL" '.socket = $s' <<<"$CONF3")" "${ENV3[@]}"
c_expect_error "ADD refused by sfcd: 100 with its reason" 100 'sfcd: no such thing'
c_call CHECK "$(jq -c --arg s "$UNWELL" '.socket = $s' <<<"$CONF3")" "${ENV3[@]}"
c_expect_error "CHECK when sfcd says the datapath is not attached: 100" 100 'not attached to hv3'
assert_eq "the attach request, as sent" \
	"{\"cmd\":\"attach\",\"network\":\"$NET\",\"container\":\"c3\",\"ifname\":\"eth0\",\"role\":\"sf\",\"sf\":\"fw\",\"dev\":\"hv3\"}" \
	"$(jq -c 'select(.cmd == "attach")' "$UNWELL_LOG" | tail -n1)"

c_fake_start noattach '{"check": {"ok": false, "error": "sfc is not attached to hv3"}}'
c_call ADD "$(jq -c --arg s "$FAKE_SOCK" '.socket = $s' <<<"$CONF3")" "${ENV3[@]}"
c_expect_error "ADD when sfcd takes the attachment but cannot attach the datapath: 100" 100 \
	'not attached to hv3'
assert_eq "it asked attach, then check until it gave up" "attach $(printf 'check %.0s' $(seq 10))" \
	"$(jq -r .cmd "$FAKE_LOG" | tr '\n' ' ')"

c_fake_start busy '{"attach": {"ok": false, "error": "too many clients (256); try again"}}'
c_call ADD "$(jq -c --arg s "$FAKE_SOCK" '.socket = $s' <<<"$CONF3")" "${ENV3[@]}"
c_expect_error "ADD while sfcd has too many clients: 11" 11 'too many clients'
assert_int_eq "it tried 5 times" 5 "$(grep -c attach "$FAKE_LOG")"

c_fake_start silent '{"attach": "silent", "detach": "close"}'
start=$SECONDS
c_call ADD "$(jq -c --arg s "$FAKE_SOCK" '.socket = $s | .timeout = 1' <<<"$CONF3")" "${ENV3[@]}"
c_expect_error "ADD when sfcd does not answer: 11 after the timeout" 11 'no answer from sfcd'
assert_le "within a few seconds" 5 $((SECONDS - start))
c_call DEL "$(jq -c --arg s "$FAKE_SOCK" '.socket = $s' <<<"$CONF3")" "${ENV3[@]}"
c_expect_error "DEL when sfcd hangs up: 11" 11 'closed the connection'

assert_done
