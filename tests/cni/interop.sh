#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks sfc-cni with Debian's plugins (/usr/lib/cni), run by the runtime
# harness as lists a runtime would run:
#  - the list the README's CNI section shows, as it is there;
#  - bridge + host-local -> sfc-cni -> tuning at 0.4.0 (the oldest version
#    sfc-cni supports): ADD, CHECK, DEL, the result keeps the 0.4.0 format;
#  - ptp + host-local -> sfc-cni: a ptp client (ingress) reaches a ptp
#    server through an SF pod on the bridge network, marked by it;
#  - bandwidth, which puts qdiscs on the same host end as sfc:
#      ingressRate only (a root tbf qdisc), after or before sfc-cni: works,
#      CHECK passes, traffic flows;
#      egressRate (an "ingress" qdisc, which excludes sfc's clsact) listed
#      before sfc-cni: sfc-cni refuses with code 7 and says how to order
#      them; listed after: bandwidth itself fails ("file exists"). Either
#      way the runtime's DEL leaves nothing behind.

set -u
# shellcheck source=tests/cni/lib.sh
. "$(dirname "$0")/lib.sh"
c_init
assert_do "sfcd starts" c_sfcd_start || assert_done

SFC_ING=$(c_sfc_conf '{"role": "ingress"}')
SFC_FW=$(c_sfc_conf '{"role": "sf", "sf": "fw"}')
TUNING='{"type": "tuning", "sysctl": {"net.ipv4.conf.all.send_redirects": "0"}}'
BW_IN='{"type": "bandwidth", "ingressRate": 100000000, "ingressBurst": 1000000}'
BW_OUT='{"type": "bandwidth", "egressRate": 100000000, "egressBurst": 1000000}'

# attachments LIST-NAME: how many sfcd holds for that network
attachments() {
	c_sfcd '{"cmd":"get"}'
	jq --arg n "$1" '[.doc.ingress[], .doc.sfs[] | select(.cni.network == $n)] | length' <<<"$OUT"
}
qdiscs() { tc -n "$NODE" -j qdisc show dev "$1" | jq -r '[.[].kind] | sort | join(",")'; }

# ---- 0.4.0: bridge + host-local -> sfc-cni -> tuning -------------------------

c_conflist "$T/old.conflist" oldnet 0.4.0 "$(c_bridge_conf)" "$SFC_ING" "$TUNING"
c_pod_add old
c_run ADD "$T/old.conflist" c-old "$POD_NS" eth0
c_expect_ok "0.4.0 list: ADD"
assert_eq "0.4.0 list: the result is 0.4.0, ips carry their version" '"0.4.0" ["4","6"]' \
	"$(jq -c .cniVersion <<<"$OUT") $(jq -c '[.ips[].version]' <<<"$OUT")"
assert_int_eq "0.4.0 list: sfcd has the ingress point" 1 "$(attachments oldnet)"
c_run CHECK "$T/old.conflist" c-old "$POD_NS" eth0
c_expect_ok "0.4.0 list: CHECK"
c_run DEL "$T/old.conflist" c-old "$POD_NS" eth0
c_expect_ok "0.4.0 list: DEL"
assert_int_eq "0.4.0 list: detached" 0 "$(attachments oldnet)"

# ---- the list the README's CNI section shows --------------------------------------------

README=$C_LIB_DIR/../../README.md
if [[ -f $README ]]; then
	# its first json block, with this test's socket and IPAM directory
	awk '/^## CNI: sfc-cni/ { cni = 1 } cni && /^```json$/ { on = 1; next } on && /^```$/ { exit } on' "$README" |
		jq --arg s "$SOCK" --arg d "$IPAM" '.plugins |= map(
			if .type == "sfc-cni" then .socket = $s
			elif .ipam then .ipam.dataDir = $d else . end)' >"$T/readme.conflist" ||
		fail "the README's CNI section's list is JSON" "see its first json block"
	c_pod_add readme
	c_run ADD "$T/readme.conflist" c-readme "$POD_NS" eth0
	c_expect_ok "the README's CNI section's list: ADD (ingress by default)"
	c_run -c '{"io.kubernetes.cri.pod-annotations": {"sfc/role": "sf", "sfc/sf": "fw"}}' \
		ADD "$T/readme.conflist" c-readme2 "$POD_NS" net1
	c_expect_ok "the README's CNI section's list: ADD with the SF annotations"
	c_sfcd '{"cmd":"get"}'
	assert_eq "the README's CNI section's list: one ingress point, one SF of group fw" "ingress fw" \
		"$(jq -r '[(.doc.ingress[] | select(.cni.network == "sfcnet") | "ingress"),
			(.doc.sfs[] | select(.cni.network == "sfcnet") | .group)] | join(" ")' <<<"$OUT")"
	c_run CHECK "$T/readme.conflist" c-readme2 "$POD_NS" net1
	c_expect_ok "the README's CNI section's list: CHECK"
	c_run DEL "$T/readme.conflist" c-readme2 "$POD_NS" net1 &&
		c_run DEL "$T/readme.conflist" c-readme "$POD_NS" eth0
	c_expect_ok "the README's CNI section's list: DEL"
	assert_int_eq "the README's CNI section's list: nothing left" 0 "$(attachments sfcnet)"
else
	fail "the README's CNI section's list" "$README not found"
fi

# ---- ptp pods chained through an SF pod on the bridge ------------------------

c_conflist "$T/sf.conflist" sfnet 1.0.0 "$(c_bridge_conf)" "$SFC_FW"
PTP=$(jq -cn --arg d "$IPAM" '{type: "ptp", ipMasq: false,
	ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "198.18.12.0/24"}]]}}')
c_conflist "$T/ptp.conflist" ptpnet 1.0.0 "$PTP" '{"type": "sfc-cni", "socket": "'"$SOCK"'"}'
c_pod_add sf
c_run ADD "$T/sf.conflist" c-sf "$POD_NS" eth0
c_expect_ok "SF pod on the bridge: ADD"
SF_HOST=$(c_host_end "$OUT")
SF_MAC=$(jq -r --arg h "$SF_HOST" '.interfaces[] | select(.name == $h) | .mac' <<<"$OUT")
c_pod_add client
c_run -a "IgnoreUnknown=1;SFC_ROLE=ingress" ADD "$T/ptp.conflist" c-client "$POD_NS" eth0
c_expect_ok "ptp client (role from CNI_ARGS; ptp needs IgnoreUnknown=1): ADD"
c_pod_add server
c_run -a "IgnoreUnknown=1;SFC_ROLE=none" ADD "$T/ptp.conflist" c-server "$POD_NS" eth0
c_expect_ok "ptp server (role none): ADD"
SERVER=$(c_pod_addr server)
ns_exec sf nft -f - <<-EOF || fail setup "nft in the SF pod"
	table netdev sfct {
		counter seen {}
		chain in {
			type filter hook ingress device "eth0" priority 0; policy accept;
			ether daddr $SF_MAC ip daddr $SERVER counter name seen ip dscp set af41 fwd to "eth0"
		}
	}
EOF
ns_exec server nft -f - <<-EOF || fail setup "nft in the server"
	table inet sfct {
		counter marked {}
		chain in {
			type filter hook input priority 0; policy accept;
			icmp type echo-request ip dscp af41 counter name marked
		}
	}
EOF
assert_ok "chain ptpweb = hop fw" c_ctl chain add ptpweb hop fw
assert_ok "rule: ICMP to the ptp server" c_ctl rule add pref 20 dst "$SERVER/32" proto icmp chain ptpweb
assert_ok "ptp client pings ptp server through the chain" \
	ns_exec client ping -c 3 -i 0.2 -W 1 -q "$SERVER"
assert_int_eq "3 marked echo requests at the server" 3 \
	"$(ns_exec server nft -j list counter inet sfct marked | jq '.nftables[] | select(.counter) | .counter.packets')"
for p in client:ptp server:ptp sf:sf; do
	c_run CHECK "$T/${p#*:}.conflist" "c-${p%%:*}" "/run/netns/$(ns_name "${p%%:*}")" eth0
	c_expect_ok "CHECK ${p%%:*} (${p#*:})"
done
c_ctl rule del pref 20 && c_ctl chain del ptpweb
for p in client:ptp server:ptp sf:sf; do
	c_run DEL "$T/${p#*:}.conflist" "c-${p%%:*}" "/run/netns/$(ns_name "${p%%:*}")" eth0
	c_expect_ok "DEL ${p%%:*} (${p#*:})"
done
assert_int_eq "ptp network: nothing left in sfcd" 0 "$(attachments ptpnet)"

# ---- bandwidth -----------------------------------------------------------------

BW_BRIDGE=$(c_bridge_conf bwbr0 198.18.13.0/24 198.18.13.1 2001:db8:13::/64)

# bw_case NAME EXPECT(ok|sfc|bandwidth) PLUGIN-JSON...: one list, one pod
bw_case() {
	local name=$1 expect=$2 host
	shift 2
	c_conflist "$T/$name.conflist" "$name" 1.0.0 "$@"
	c_pod_add "$name"
	c_run ADD "$T/$name.conflist" "c-$name" "$POD_NS" eth0
	case $expect in
	ok)
		c_expect_ok "$name: ADD"
		host=$(c_host_end "$OUT")
		assert_eq "$name: tbf (bandwidth) and clsact (sfc) on $host" "clsact,tbf" "$(qdiscs "$host")"
		c_run CHECK "$T/$name.conflist" "c-$name" "$POD_NS" eth0
		c_expect_ok "$name: CHECK"
		assert_ok "$name: the pod reaches the gateway" \
			ns_exec "$name" ping -c 2 -i 0.2 -W 1 -q 198.18.13.1
		;;
	sfc)
		c_expect_error "$name: sfc-cni refuses (7) and says how to order them" 7 \
			'ingress.*qdisc.*bandwidth.*before sfc-cni'
		assert_ok "$name: and says what works" grep -q 'List "bandwidth" after "sfc-cni"' <<<"$ERR"
		;;
	bandwidth)
		if ((RC != 0)) && [[ $ERR == *"bandwidth ADD"* && $OUT == *"file exists"* ]]; then
			pass "$name: bandwidth fails: its ingress qdisc cannot replace sfc's clsact"
		else
			fail "$name: bandwidth fails: its ingress qdisc cannot replace sfc's clsact" \
				"exit $RC: $(tr -d '\n' <<<"$OUT")"
		fi
		;;
	esac
	c_run DEL "$T/$name.conflist" "c-$name" "$POD_NS" eth0
	c_expect_ok "$name: DEL"
	assert_int_eq "$name: no attachment left" 0 "$(attachments "$name")"
	assert_eq "$name: no veth or ifb left" "" \
		"$(ip -n "$NODE" -br link | awk '$1 ~ /^(veth|bwp)/')"
}

bw_case bw-in-after ok "$BW_BRIDGE" "$SFC_ING" "$BW_IN"
bw_case bw-in-before ok "$BW_BRIDGE" "$BW_IN" "$SFC_ING"
bw_case bw-out-before sfc "$BW_BRIDGE" "$BW_OUT" "$SFC_ING"
bw_case bw-out-after bandwidth "$BW_BRIDGE" "$SFC_ING" "$BW_OUT"

assert_done
