#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Packets handed to an SF whose own datapath is XDP are complete: the
# router SF (sf2 of tests/lib/topology.sh) runs an XDP program of its own
# for the whole run (built here with clang: it counts the frames it sees by
# protocol, and whether they carry an 802.1Q tag in the frame, and passes
# them all), so sfcd steers its veth (f2) in XDP and the frames sfc sends
# on from f2 take the XDP path. Chain "web" is br -> rt -> nft as in
# chain_traffic.sh, which already proves TCP/UDP/ping order and counters
# (with SF_XDP_OBJ only as a diagnostic); this test adds, all with the XDP
# SF in place:
#
# 1. SCTP. (a) Numbered SCTP packets (CRC32c computed by the sender, a raw
#    socket: no SCTP in the kernel needed) both ways, IPv4 and IPv6,
#    chained by "proto sctp" rules on dport / sport: all arrive, CRC32c and
#    payload intact, DSCP/TTL order proof (sf1 marked, sf2 routed), the SF
#    counters and sfcd's hop counters agree. (b) A real association from
#    the kernels' SCTP stacks (CRC32c left to the veth's offload), a few
#    hundred KB echoed back, sha256 compared, SctpChecksumErrors unchanged.
#    A kernel without SCTP (no CONFIG_IP_SCTP) cannot run (b): it is
#    counted as skipped, with the reason; (a) runs everywhere.
# 2. VLAN. README: tc steering keeps "offloaded VLAN tags" on every hop and
#    the flow key holds the VLAN. src sends on VLAN 100 (tag offloaded:
#    skb->vlan_tci) to dst's VLAN 100 through fab's fs0 (the ingress point;
#    fab routes between the VLAN's networks). The VLAN devices are small
#    tcx programs (bpf_skb_vlan_push/pop: the skb->vlan_tci state a VLAN
#    device over a veth leaves; see vlan_prog_build), so kernels without
#    CONFIG_VLAN_8021Q run it too. Checked:
#    all UDP datagrams arrive tagged at dst with TTL 62 and DSCP AF41,
#    every SF received them tagged (tcpdump -Q in on each SF's arm), the
#    chain's stack end re-injected them tagged, sfcd counted them at every
#    hop and no return from an SF went unmatched (adopted); a TCP stream on
#    the VLAN, sha256 equal; SCTP packets with a finished CRC32c on the
#    VLAN (no offload state: the XDP path may carry them) reach sf3 tagged.
# 3. TCP and UDP with checksum offload (the defaults), IPv4 and IPv6:
#    datagrams and a stream intact, Tcp/Udp InCsumErrors unchanged at both
#    ends (briefly: chain_traffic.sh covers order and counters).
# Throughout: sf2's XDP program saw the chained packets (an XDP SF that is
# bypassed receives nothing in its datapath), no loss reason of sfc rises.
#
# Environment: SFCD_VERBOSE=1 (pass -v to sfcd --once)

set -u
TEST_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/netns.sh
. "$TEST_DIR/../lib/netns.sh"
# shellcheck source=tests/lib/assert.sh
. "$TEST_DIR/../lib/assert.sh"
# shellcheck source=tests/lib/topology.sh
. "$TEST_DIR/../lib/topology.sh"

PROBE=$TEST_DIR/../lib/udp_probe.py
SCTPP=$TEST_DIR/../lib/sctp_probe.py
PY=/usr/bin/python3
DSCP_AF41_TOS=136
SCTP_PORT=5300
SCTP_N=100
SCTP_BYTES=$((384 * 1024))
UDP_N=200
TCP_MB=4
VID=100
VLAN_UDP_PORT=5050
V_SRC4=198.18.101.1 V_FS4=198.18.101.254
V_DST4=198.18.102.1 V_FD4=198.18.102.254
V_NETS4=(198.18.101.0/24 198.18.102.0/24)
TCX=$TEST_DIR/../lib/tcx_attach.py

netns_trap

# ---- helpers (as in chain_traffic.sh) ----------------------------------------

# snap NAME [light]: SF counters (not when light), sfcd statistics and sf2's
# XDP counters now, into $T/NAME.{cnt,json,xdp}
snap() {
	[[ ${2:-} == light ]] || topo_counters >"$T/$1.cnt"
	topo_sfcd --stats -j --pin-dir "$PIN_DIR" >"$T/$1.json" 2>"$T/$1.err" ||
		echo '{}' >"$T/$1.json"
	xsf_counts >"$T/$1.xdp"
}
cnt() { awk -v r="$2" -v n="$3" '$1 == r && $2 == n { print $3 }' "$T/$1.cnt"; }
st() { jq -r "($2) // \"missing\"" "$T/$1.json" 2>/dev/null || echo invalid; }
CHAIN='.chains[]? | select(.name == "web")'
hop() { echo "$CHAIN | .hops[]? | select(.hop == $1)"; }
sf() { echo ".sfs[]? | select(.name == \"$1\")"; }
delta() {
	if [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]]; then
		echo $(($2 - $1))
	else
		echo "before=$1,after=$2"
	fi
}
reason() {
	local n
	n=$(st "$1" ".reasons[]? | select(.name == \"$2\") | .count")
	[[ $n == missing ]] && n=0
	echo "$n"
}

# check_sfs LABEL A B FAMILY N: every SF counted N packets in order
check_sfs() {
	local label=$1 a=$2 b=$3 fam=$4 n=$5 r
	for r in "${TOPO_SF_ROLES[@]}"; do
		assert_eq "$label: $r saw $n packets in order" "$n" \
			"$(delta "$(cnt "$a" "$r" "ok$fam")" "$(cnt "$b" "$r" "ok$fam")")"
	done
}

# check_hops LABEL A B N: sfcd counted N (or "+": at least 1) at each hop,
# no hop drops
check_hops() {
	local label=$1 a=$2 b=$3 n=$4 h d
	for h in 1 2 3; do
		d=$(delta "$(st "$a" "$(hop $h) | .packets")" "$(st "$b" "$(hop $h) | .packets")")
		if [[ $n == + ]]; then
			assert_gt "$label: sfcd hop $h packets" 0 "$d"
		else
			assert_eq "$label: sfcd hop $h packets" "$n" "$d"
		fi
		assert_eq "$label: sfcd hop $h drops" 0 \
			"$(delta "$(st "$a" "$(hop $h) | .drops")" "$(st "$b" "$(hop $h) | .drops")")"
	done
}

# The SF's XDP program: counters by index (all, ipv4, ipv6, udp, tcp,
# sctp, 802.1Q tag in the frame) in an array map it owns.
XSF_NAMES=(all ipv4 ipv6 udp tcp sctp vlan_in_frame)
xsf_build() {
	local inc
	inc=/usr/include/$(uname -m)-linux-gnu
	cat >"$T/xsf.c" <<-'EOF'
		#include <linux/bpf.h>
		#include <linux/if_ether.h>
		#include <linux/in.h>
		#include <bpf/bpf_helpers.h>

		struct {
			__uint(type, BPF_MAP_TYPE_ARRAY);
			__uint(max_entries, 8);
			__type(key, __u32);
			__type(value, __u64);
		} xsf_cnt SEC(".maps");

		static __always_inline void inc(__u32 k)
		{
			__u64 *v = bpf_map_lookup_elem(&xsf_cnt, &k);

			if (v)
				__sync_fetch_and_add(v, 1);
		}

		SEC("xdp")
		int xsf_pass(struct xdp_md *c)
		{
			unsigned char *d = (void *)(long)c->data;
			unsigned char *e = (void *)(long)c->data_end;
			__u16 proto;
			__u8 l4 = 0;

			inc(0);
			if (d + 14 > e)
				return XDP_PASS;
			proto = d[12] << 8 | d[13];
			d += 14;
			if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
				inc(6);
				if (d + 4 > e)
					return XDP_PASS;
				proto = d[2] << 8 | d[3];
				d += 4;
			}
			if (proto == ETH_P_IP && d + 20 <= e) {
				inc(1);
				l4 = d[9];
			} else if (proto == ETH_P_IPV6 && d + 40 <= e) {
				inc(2);
				l4 = d[6];
			}
			if (l4 == IPPROTO_UDP)
				inc(3);
			else if (l4 == IPPROTO_TCP)
				inc(4);
			else if (l4 == IPPROTO_SCTP)
				inc(5);
			return XDP_PASS;
		}

		char LICENSE[] SEC("license") = "GPL";
	EOF
	clang -O2 -g -target bpf -I"$inc" -c "$T/xsf.c" -o "$T/xsf.o"
}

# xsf_prog_id: id of the XDP program on sf2's eth0 (empty if none)
xsf_prog_id() {
	ip -n "$SF2" -j link show dev eth0 | jq -r '.[0].xdp.prog.id // empty'
}

# xsf_counts: "NAME VALUE" per counter of the XDP program on sf2's eth0
xsf_counts() {
	local id map i
	id=$(xsf_prog_id)
	[[ -n $id ]] || return 0
	for map in $(bpftool prog show id "$id" -j | jq -r '.map_ids[]?'); do
		[[ $(bpftool map show id "$map" -j | jq -r .name) == xsf_cnt ]] && break
		map=
	done
	[[ -n $map ]] || return 0
	bpftool map dump id "$map" -j |
		jq -r '.[] | (.formatted // .) | "\(.key) \(.value)"' |
		while read -r i v; do
			# without BTF the key and value are byte arrays
			[[ $i =~ ^[0-9]+$ ]] || continue
			((i < ${#XSF_NAMES[@]})) && echo "${XSF_NAMES[i]} $v"
		done
}
xc() { awk -v n="$2" '$1 == n { print $2 }' "$T/$1.xdp"; }

# check_xsf LABEL A B NAME MIN: sf2's XDP program saw at least MIN frames
# counted under NAME between snapshots A and B
check_xsf() {
	local d
	d=$(delta "$(xc "$2" "$4")" "$(xc "$3" "$4")")
	echo "# $1: sf2's XDP program counted $4 +$d"
	assert_ge "$1: sf2's XDP program saw the chained $4 packets (>= $5)" "$5" "$d"
}

# csum_errors ROLE: "Tcp InCsumErrors, Udp InCsumErrors, Udp6InCsumErrors"
csum_errors() {
	ns_exec "$1" cat /proc/net/snmp /proc/net/snmp6 2>/dev/null | awk '
		$1 == "Tcp:" && !ts { ts = 1; split($0, th); next }
		$1 == "Tcp:" { for (i = 2; i <= NF; i++) if (th[i] == "InCsumErrors") t = $i }
		$1 == "Udp:" && !us { us = 1; split($0, uh); next }
		$1 == "Udp:" { for (i = 2; i <= NF; i++) if (uh[i] == "InCsumErrors") u = $i }
		$1 == "Udp6InCsumErrors" { u6 = $2 }
		END { printf "tcp=%s udp=%s udp6=%s\n", t, u, u6 }'
}

# known_vlan_limit LABEL ADOPTED: the documented limitation of VLAN tags on
# a veth steered in XDP (README, "What sfc does to the interfaces"): sf2
# runs XDP, so f2 is steered in XDP, and the tag sf2's stack offloads
# (skb->vlan_tci) is invisible there: a return of a VLAN flow misses its
# flow entry and is matched by its interface (sf2 serves one chain). Zero
# such returns passes; any is counted as skipped, with the count, so the
# day XDP sees the tag this turns into a pass.
VLAN_ADOPTED=0
known_vlan_limit() {
	VLAN_ADOPTED=$((VLAN_ADOPTED + $2))
	if [[ $2 == 0 ]]; then
		pass "$1: every return from sf2 matched its flow (reason sf-return-adopted-by-interface did not rise)"
	else
		skip "$1: every return from sf2 matched its flow" "known limitation (README): $2 matched by interface (sf-return-adopted-by-interface)"
	fi
}

# sctp_csum_errors ROLE: SctpChecksumErrors, or "none" without SCTP
sctp_csum_errors() {
	ns_exec "$1" awk '$1 == "SctpChecksumErrors" { print $2; f = 1 }
		END { if (!f) print "none" }' /proc/net/sctp/snmp 2>/dev/null || echo none
}

# capture_start NAME ROLE DEV: tcpdump of every frame received on DEV (no
# kernel filter: it would see the packet without its offloaded tag)
capture_start() {
	local name=$1 role=$2 dev=$3
	rm -f "$T/$name.pcap" "$T/$name.log"
	bg_run timeout 40 ip netns exec "$(ns_name "$role")" tcpdump -i "$dev" -Q in -nn -U --immediate-mode -B 4096 \
		-s 128 -w "$T/$name.pcap" 2>"$T/$name.log"
	eval "CAP_$name=$BG_PID"
	wait_until 5 grep -q 'listening on' "$T/$name.log"
}

# capture_stop NAME TEXT: stop it, print "TAGGED UNTAGGED": frames whose
# tcpdump line holds TEXT (".5050: UDP") with 802.1Q id VID / without a tag
capture_stop() {
	local pid
	eval "pid=\$CAP_$1"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -h 'dropped by' "$T/$1.log" | sed "s/^/# capture $1: /" >&2
	tcpdump -r "$T/$1.pcap" -nn -e 2>/dev/null |
		awk -v v="vlan $VID," -v p="$2" '
		!index($0, p) { next } index($0, v) { t++; next } { u++ }
		END { printf "%d %d\n", t, u }'
}

# ---- the state: the topology's rules plus SCTP and the VLAN networks ----------

eval "$(declare -f topo_state_json | sed '1s/topo_state_json/_topo_state_json_base/')"
topo_state_json() {
	_topo_state_json_base | jq --arg p "$SCTP_PORT" --arg vs "${V_NETS4[0]}" \
		--arg vd "${V_NETS4[1]}" --arg up "$VLAN_UDP_PORT" --arg tp "$TOPO_TCP_PORT" '
		.rules += [
		  {"pref": 30, "in-dev": "fs0", "dst": "198.18.2.0/24", "proto": "sctp", "dport": $p, "chain": "web"},
		  {"pref": 31, "in-dev": "fs0", "dst": "2001:db8:2::/64", "proto": "sctp", "dport": $p, "chain": "web"},
		  {"pref": 32, "in-dev": "fd0", "dst": "198.18.1.0/24", "proto": "sctp", "sport": $p, "chain": "web"},
		  {"pref": 33, "in-dev": "fd0", "dst": "2001:db8:1::/64", "proto": "sctp", "sport": $p, "chain": "web"},
		  {"pref": 40, "in-dev": "fs0", "dst": $vd, "proto": "udp", "dport": $up, "chain": "web"},
		  {"pref": 41, "in-dev": "fs0", "dst": $vd, "proto": "tcp", "dport": $tp, "chain": "web"},
		  {"pref": 42, "in-dev": "fd0", "dst": $vs, "proto": "tcp", "sport": $tp, "chain": "web"},
		  {"pref": 43, "in-dev": "fs0", "dst": $vd, "proto": "sctp", "dport": $p, "chain": "web"}
		]'
}

# VLAN VID without 802.1Q devices (kernels built without CONFIG_VLAN_8021Q
# have none): a tcx program per interface stands for one. "out" tags IPv4
# packets of the VLAN's networks (198.18.100.0/22) with bpf_skb_vlan_push,
# which leaves the tag offloaded in skb->vlan_tci exactly as a VLAN device
# over a veth does; "in" pops tag VID and drops the VLAN's packets that
# came untagged. In fab, where sfc classifies the tagged packet first,
# "end" pops only what the chain's stack end re-injected (README: mark
# 0x5fc0e2d0 for that one pass), i.e. where the kernel's VLAN device would
# take it, after tc. Counters per instance: 0 popped, 1 untagged dropped,
# 2 pushed, 3 other tag.
VLAN_CNT=(popped untagged_dropped pushed other_tag)
vlan_prog_build() {
	local inc v
	inc=/usr/include/$(uname -m)-linux-gnu
	cat >"$T/vlanif.c" <<-EOF
		#include <linux/bpf.h>
		#include <linux/if_ether.h>
		#include <bpf/bpf_helpers.h>
		#include <bpf/bpf_endian.h>

		#define VID $VID
		#define NEXT (-1) /* TCX_NEXT: on to the clsact filters */
		#define DROP 2

		struct {
			__uint(type, BPF_MAP_TYPE_ARRAY);
			__uint(max_entries, 4);
			__type(key, __u32);
			__type(value, __u64);
		} vlan_cnt SEC(".maps");

		static __always_inline void inc(__u32 k)
		{
			__u64 *v = bpf_map_lookup_elem(&vlan_cnt, &k);

			if (v)
				__sync_fetch_and_add(v, 1);
		}

		static __always_inline int in_net(__u32 a)
		{
			return (bpf_ntohl(a) & 0xfffffc00) == 0xc6126400; /* 198.18.100.0/22 */
		}

		static __always_inline int vlan_net(struct __sk_buff *skb)
		{
			void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
			__u32 s, t;

			if (skb->protocol != bpf_htons(ETH_P_IP) || d + 34 > e)
				return 0;
			__builtin_memcpy(&s, d + 26, 4);
			__builtin_memcpy(&t, d + 30, 4);
			return in_net(s) || in_net(t);
		}

		SEC("tc")
		int vlanif(struct __sk_buff *skb)
		{
		#ifdef OUT
			if (!skb->vlan_present && vlan_net(skb) &&
			    !bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), VID))
				inc(2);
			return NEXT;
		#else
		#ifdef END
			if (skb->mark != 0x5fc0e2d0)
				return NEXT;
		#endif
			if (skb->vlan_present) {
				if ((skb->vlan_tci & 0xfff) != VID) {
					inc(3);
					return NEXT;
				}
				inc(0);
				bpf_skb_vlan_pop(skb);
				return NEXT;
			}
			if (vlan_net(skb)) {
				inc(1);
				return DROP;
			}
			return NEXT;
		#endif
		}

		char LICENSE[] SEC("license") = "GPL";
	EOF
	for v in IN OUT END; do
		clang -O2 -g -target bpf -I"$inc" -D$v -c "$T/vlanif.c" -o "$T/vlan_$v.o" || return
	done
}

# vlan_attach ROLE DEV ingress|egress IN|OUT|END: a fresh instance, as NAME
# ROLE_DEV_KIND under the pin dir
vlan_attach() {
	local name=$1_$2_$4
	bpftool prog load "$T/vlan_$4.o" "$VPIN/$name" type classifier || return
	ns_exec_host_mounts "$1" $PY "$TCX" "$VPIN/$name" "$VPIN/link_$name" "$2" "$3"
}

# vlan_counts ROLE DEV KIND: "NAME VALUE" per counter of that instance
declare -A VLAN_MAP=()
vlan_counts() {
	local map=${VLAN_MAP[$1_$2_$3]:-} i v
	if [[ -z $map ]]; then
		for map in $(bpftool prog show pinned "$VPIN/$1_$2_$3" -j | jq -r '.map_ids[]?'); do
			[[ $(bpftool map show id "$map" -j | jq -r .name) == vlan_cnt ]] && break
			map=
		done
		[[ -n $map ]] || return 0
		VLAN_MAP[$1_$2_$3]=$map
	fi
	bpftool map dump id "$map" -j | jq -r '.[] | (.formatted // .) | "\(.key) \(.value)"' |
		while read -r i v; do
			[[ $i =~ ^[0-9]+$ ]] && ((i < ${#VLAN_CNT[@]})) && echo "${VLAN_CNT[i]} $v"
		done
}
vc() { vlan_counts "$1" "$2" "$3" | awk -v n="$4" '$1 == n { print $2 }'; }

# vlan_build: the VLAN's networks on the hosts' links (src 198.18.101.1,
# dst 198.18.102.1, fab routing between them), its "devices" on src, dst,
# fab's fs0 and fd0 and sf2's arm; sf1 marks its packets AF41 as it does
# the others.
vlan_build() {
	local r
	pin_dir_new xvlan
	VPIN=$NS_LAST_PIN
	mkdir -p "$VPIN" || return
	vlan_prog_build || return
	addr_add src eth0 "$V_SRC4/24" || return
	addr_add dst eth0 "$V_DST4/24" || return
	addr_add fab fs0 "$V_FS4/24" || return
	addr_add fab fd0 "$V_FD4/24" || return
	ip -n "$SRC" route add "${V_NETS4[1]}" via "$V_FS4" src "$V_SRC4" || return
	ip -n "$DST" route add "${V_NETS4[0]}" via "$V_FD4" src "$V_DST4" || return
	for r in "${V_NETS4[@]}"; do
		ip -n "$SF2" route add "$r" via 198.18.3.254 || return
	done
	for r in "src eth0" "dst eth0" "sf2 eth0" "fab fs0" "fab fd0"; do
		set -- $r
		vlan_attach "$1" "$2" egress OUT || return
		if [[ $1 == fab ]]; then
			vlan_attach "$1" "$2" ingress END || return
		else
			vlan_attach "$1" "$2" ingress IN || return
		fi
	done
	for r in "src eth0 OUT" "dst eth0 IN" "fab fs0 END" "fab fd0 END"; do
		vlan_counts $r >/dev/null	# caches the map id in this shell
	done
	ns_exec sf1 nft -f - <<-EOF || return
		table bridge xsp {
			counter vlan_marked {}
			chain forward {
				type filter hook forward priority 0; policy accept;
				vlan id $VID ip daddr { $(_topo_set "${V_NETS4[@]}") } ip dscp cs0 counter name vlan_marked ip dscp set af41
			}
		}
	EOF
}

nft_counter() {	# ROLE FAMILY TABLE NAME
	ns_exec "$1" nft -j list counter "$2" "$3" "$4" 2>/dev/null |
		jq -r '.nftables[] | select(.counter) | .counter.packets'
}

# ---- traffic ------------------------------------------------------------------

# sctp_raw LABEL FROM TO FROM_ADDR TO_ADDR SPORT DPORT TTL TOS
sctp_raw() {
	local label=$1 from=$2 to=$3 fa=$4 ta=$5 sp=$6 dp=$7 ttl=$8 tos=$9 pid out
	rm -f "$T/ready"
	bg_run timeout 30 ip netns exec "$(ns_name "$to")" $PY "$SCTPP" raw-recv \
		"$ta" "$fa" "$sp" "$dp" $SCTP_N --timeout 2 --ready "$T/ready" >"$T/sctp.json"
	pid=$BG_PID
	if ! wait_until 5 test -e "$T/ready"; then
		fail "$label: receiver" "did not start"
		return 1
	fi
	timeout 30 ip netns exec "$(ns_name "$from")" $PY "$SCTPP" raw-send \
		"$fa" "$ta" "$sp" "$dp" $SCTP_N || fail "$label: sender" "exited $?"
	wait "$pid"
	out=$(cat "$T/sctp.json")
	echo "# $label: $out"
	assert_eq "$label: $SCTP_N of $SCTP_N SCTP packets received" $SCTP_N \
		"$(jq -r .received <<<"$out" 2>/dev/null)"
	assert_eq "$label: no duplicates" $SCTP_N "$(jq -r .unique <<<"$out" 2>/dev/null)"
	assert_eq "$label: CRC32c valid in all" $SCTP_N "$(jq -r .crc_ok <<<"$out" 2>/dev/null)"
	assert_eq "$label: payload intact in all" $SCTP_N "$(jq -r .payload_ok <<<"$out" 2>/dev/null)"
	assert_eq "$label: all with TTL $ttl" "{\"$ttl\":$SCTP_N}" "$(jq -c .ttl <<<"$out" 2>/dev/null)"
	assert_eq "$label: all with TOS $tos" "{\"$tos\":$SCTP_N}" "$(jq -c .tos <<<"$out" 2>/dev/null)"
}

# sctp_assoc LABEL ADDR: association src -> dst ADDR:SCTP_PORT, echoed back
sctp_assoc() {
	local label=$1 addr=$2 pid out srv e0 e1 e2 e3
	e0=$(sctp_csum_errors src) e1=$(sctp_csum_errors dst)
	rm -f "$T/ready"
	bg_run timeout 40 ip netns exec "$DST" $PY "$SCTPP" assoc-server "$addr" $SCTP_PORT \
		--timeout 10 --ready "$T/ready" >"$T/assoc.json"
	pid=$BG_PID
	if ! wait_until 5 test -e "$T/ready"; then
		fail "$label: server" "did not start"
		return 1
	fi
	out=$(timeout 40 ip netns exec "$SRC" $PY "$SCTPP" assoc-client "$addr" $SCTP_PORT \
		$SCTP_BYTES --timeout 10)
	echo "# $label: client $out"
	wait "$pid"
	srv=$(cat "$T/assoc.json")
	echo "# $label: server $srv"
	assert_eq "$label: $SCTP_BYTES bytes src -> dst, sha256 equal" \
		"$(jq -r .sent_sha256 <<<"$out" 2>/dev/null)" "$(jq -r .sha256 <<<"$srv" 2>/dev/null)"
	assert_eq "$label: echo dst -> src complete" "$SCTP_BYTES" \
		"$(jq -r .echo_bytes <<<"$out" 2>/dev/null)"
	assert_eq "$label: echo dst -> src, sha256 equal" \
		"$(jq -r .sent_sha256 <<<"$out" 2>/dev/null)" "$(jq -r .echo_sha256 <<<"$out" 2>/dev/null)"
	assert_eq "$label: no error" "" "$(jq -r '.error // empty' <<<"$out$srv" 2>/dev/null)"
	e2=$(sctp_csum_errors src) e3=$(sctp_csum_errors dst)
	assert_eq "$label: SctpChecksumErrors at src unchanged" "$e0" "$e2"
	assert_eq "$label: SctpChecksumErrors at dst unchanged" "$e1" "$e3"
}

# udp_check LABEL ADDR PORT N TTL TOS (as in chain_traffic.sh)
udp_check() {
	local label=$1 addr=$2 port=$3 n=$4 ttl=$5 tos=$6 pid out
	rm -f "$T/ready"
	bg_run timeout 30 ip netns exec "$DST" $PY "$PROBE" recv \
		"$addr" "$port" "$n" --timeout 2 --ready "$T/ready" >"$T/udp.json"
	pid=$BG_PID
	if ! wait_until 5 test -e "$T/ready"; then
		fail "$label: receiver" "did not start"
		return 1
	fi
	timeout 30 ip netns exec "$SRC" $PY "$PROBE" send "$addr" "$port" "$n" \
		--interval 0.001 --size 600 || fail "$label: sender" "exited $?"
	wait "$pid"
	out=$(cat "$T/udp.json")
	echo "# $label: $out"
	assert_eq "$label: $n of $n datagrams received" "$n" "$(jq -r .received <<<"$out" 2>/dev/null)"
	assert_eq "$label: no duplicates" "$n" "$(jq -r .unique <<<"$out" 2>/dev/null)"
	assert_eq "$label: all with TTL $ttl" "{\"$ttl\":$n}" "$(jq -c .ttl <<<"$out" 2>/dev/null)"
	assert_eq "$label: all with TOS $tos" "{\"$tos\":$n}" "$(jq -c .tos <<<"$out" 2>/dev/null)"
}

# tcp_check LABEL FROM TO ADDR MB: a stream FROM -> TO's ADDR:TOPO_TCP_PORT
tcp_check() {
	local label=$1 from=$2 to=$3 addr=$4 mb=$5 pid lst con want got rc
	if [[ $addr == *:* ]]; then
		lst=TCP6-LISTEN con="TCP6:[$addr]"
	else
		lst=TCP4-LISTEN con="TCP4:$addr"
	fi
	rm -f "$T/rx.sha"
	bg_run timeout 40 ip netns exec "$(ns_name "$to")" sh -c \
		"socat -u $lst:$TOPO_TCP_PORT,reuseaddr - | sha256sum >'$T/rx.sha'"
	pid=$BG_PID
	if ! wait_until 5 sh -c "ip netns exec '$(ns_name "$to")' ss -Htln 'sport = :$TOPO_TCP_PORT' | grep -q ."; then
		fail "$label: receiver" "socat did not listen"
		return 1
	fi
	want=$(head -c "${mb}M" "$T/payload" | sha256sum | cut -d" " -f1)
	timeout 30 ip netns exec "$(ns_name "$from")" sh -c \
		"head -c ${mb}M '$T/payload' | socat -u - $con:$TOPO_TCP_PORT,connect-timeout=5"
	rc=$?
	if ((rc != 0)); then
		fail "$label: sender" "exited $rc"
		kill "$pid" 2>/dev/null
	fi
	wait "$pid"
	got=$(cut -d" " -f1 "$T/rx.sha" 2>/dev/null)
	assert_eq "$label: $mb MB, sha256 equal at both ends" "$want" "$got"
}

# ---- setup ----------------------------------------------------------------------

if ((EUID != 0)); then
	fail setup "needs root"
	assert_done
fi
if [[ ! -x $SFCD ]]; then
	fail setup "$SFCD missing: run make"
	assert_done
fi
for tool in ip nft jq socat sha256sum nsenter timeout ss clang bpftool tcpdump $PY; do
	command -v "$tool" >/dev/null || { fail setup "missing tool $tool"; assert_done; }
done

tmp_dir_new || { fail setup "mktemp"; assert_done; }
T=$NS_LAST_TMP
head -c "${TCP_MB}M" /dev/urandom >"$T/payload"

assert_do "XDP program for sf2 built with clang" xsf_build || assert_done
assert_do "topology: namespaces, links, SFs" topo_build || assert_done
assert_do "VLAN $VID: subinterfaces, routes, counters" vlan_build || assert_done
# before sfcd: it sees sf2's program and steers f2 in XDP
assert_do "sf2 runs its own XDP program on eth0" \
	ip -n "$SF2" link set dev eth0 xdpdrv obj "$T/xsf.o" sec xdp || assert_done
XSF_ID=$(xsf_prog_id)
echo "# sf2's XDP program: id $XSF_ID"
assert_do "sfcd --once loads and applies the state (with sctp and VLAN rules)" \
	topo_sfc_start "$T" || assert_done
snap start
assert_eq "sfcd --stats -j is JSON with chain web" 100 "$(st start "$CHAIN | .spi")"
jq -r '.interfaces[]? | "# interface \(.dev): steered by \(.steer), \(.roles | join(","))"' \
	"$T/start.json" 2>/dev/null
assert_eq "f2 (sf2 has XDP of its own) is steered in XDP" xdp \
	"$(st start '.interfaces[]? | select(.dev == "f2") | .steer')"
assert_eq "sf2's XDP counters readable" "${#XSF_NAMES[@]}" "$(wc -l <"$T/start.xdp")"

# ---- 1. SCTP ----------------------------------------------------------------------

echo "# t=${SECONDS}s"

# (a) rule matching and packets with a finished CRC32c, both directions
snap a
sctp_raw "SCTP raw IPv4 src->dst" src dst "$SRC4" "$DST4" 40000 $SCTP_PORT \
	$((TOPO_TTL - 2)) $DSCP_AF41_TOS
sctp_raw "SCTP raw IPv4 dst->src" dst src "$DST4" "$SRC4" $SCTP_PORT 40000 \
	$((TOPO_TTL - 2)) $DSCP_AF41_TOS
snap b
check_sfs "SCTP raw IPv4" a b 4 $((2 * SCTP_N))
check_hops "SCTP raw IPv4" a b $((2 * SCTP_N))
check_xsf "SCTP raw IPv4" a b sctp $((2 * SCTP_N))

snap a
sctp_raw "SCTP raw IPv6 src->dst" src dst "$SRC6" "$DST6" 40000 $SCTP_PORT \
	$((TOPO_TTL - 2)) $DSCP_AF41_TOS
sctp_raw "SCTP raw IPv6 dst->src" dst src "$DST6" "$SRC6" $SCTP_PORT 40000 \
	$((TOPO_TTL - 2)) $DSCP_AF41_TOS
snap b
check_sfs "SCTP raw IPv6" a b 6 $((2 * SCTP_N))
check_hops "SCTP raw IPv6" a b $((2 * SCTP_N))
check_xsf "SCTP raw IPv6" a b sctp $((2 * SCTP_N))

# (b) the kernels' SCTP stacks, CRC32c left to the veth
if command -v modprobe >/dev/null; then
	mp=$(modprobe sctp 2>&1 | head -n 1) && mp="loaded"
else
	mp="no modprobe on this host"
fi
if why=$(ns_exec src $PY "$SCTPP" check); then
	for fam in 4 6; do
		[[ $fam == 4 ]] && addr=$DST4 || addr=$DST6
		snap a
		sctp_assoc "SCTP association IPv$fam" "$addr"
		snap b
		d=$(delta "$(cnt a sf3 ok$fam)" "$(cnt b sf3 ok$fam)")
		echo "# SCTP association IPv$fam: sf3 counted $d in order"
		for r in "${TOPO_SF_ROLES[@]}"; do
			assert_gt "SCTP association IPv$fam: $r saw it in order" 0 \
				"$(delta "$(cnt a "$r" "ok$fam")" "$(cnt b "$r" "ok$fam")")"
		done
		check_hops "SCTP association IPv$fam" a b +
		check_xsf "SCTP association IPv$fam" a b sctp 1
	done
else
	skip "SCTP association" "this kernel has no SCTP ($why; modprobe sctp: $mp; $(
		zcat /proc/config.gz 2>/dev/null | grep -m1 'CONFIG_IP_SCTP[ =]' || true)). Needs the sctp module (CONFIG_IP_SCTP) loadable to run this case"
fi
for r in "${TOPO_SF_ROLES[@]}"; do
	assert_eq "SCTP: $r saw nothing out of order" 0 "$(topo_counter "$r" wrong)"
done

# ---- 2. VLAN ----------------------------------------------------------------------

echo "# t=${SECONDS}s"

snap a light
capture_start sf1 sf1 eth0 && capture_start sf2 sf2 eth0 &&
	capture_start sf3 sf3 eth0 && capture_start dst dst eth0 ||
	fail "VLAN: captures" "tcpdump did not start: $(cat "$T"/*.log | tail -n 2 | tr '\n' ' ')"
v0=$(vc dst eth0 IN popped) u0=$(vc dst eth0 IN untagged_dropped)
e0=$(vc fab fs0 END popped) f0=$(vc fab fs0 END untagged_dropped)
p0=$(vc src eth0 OUT pushed)
m0=$(nft_counter sf1 bridge xsp vlan_marked)
udp_check "VLAN $VID UDP" "$V_DST4" $VLAN_UDP_PORT $UDP_N $((TOPO_TTL - 2)) $DSCP_AF41_TOS
sleep 0.3	# captures: let the last frames be written
for c in sf1 sf2 sf3 dst; do
	read -r tagged untagged < <(capture_stop $c ".$VLAN_UDP_PORT: UDP")
	echo "# VLAN $VID UDP: received on $c's eth0: $tagged tagged, $untagged untagged"
	assert_eq "VLAN $VID UDP: $c received all $UDP_N tagged" "$UDP_N" "$tagged"
	assert_eq "VLAN $VID UDP: $c received none untagged" 0 "$untagged"
done
snap b light
assert_eq "VLAN $VID UDP: sf1 marked all (vlan id $VID)" "$UDP_N" \
	"$(delta "$m0" "$(nft_counter sf1 bridge xsp vlan_marked)")"
assert_eq "VLAN $VID UDP: src tagged all it sent" "$UDP_N" \
	"$(delta "$p0" "$(vc src eth0 OUT pushed)")"
assert_eq "VLAN $VID UDP: chain end in fab (fs0) re-injected all tagged" "$UDP_N" \
	"$(delta "$e0" "$(vc fab fs0 END popped)")"
assert_eq "VLAN $VID UDP: chain end in fab (fs0) re-injected none untagged" 0 \
	"$(delta "$f0" "$(vc fab fs0 END untagged_dropped)")"
assert_eq "VLAN $VID UDP: dst received all on VLAN $VID" "$UDP_N" \
	"$(delta "$v0" "$(vc dst eth0 IN popped)")"
assert_eq "VLAN $VID UDP: dst received none untagged" 0 \
	"$(delta "$u0" "$(vc dst eth0 IN untagged_dropped)")"
check_hops "VLAN $VID UDP" a b $UDP_N
check_xsf "VLAN $VID UDP" a b udp $UDP_N
for rs in sf-return-unknown-flow sf-return-unknown-flow-drop sf-return-position-mismatch; do
	assert_eq "VLAN $VID UDP: reason $rs did not rise" 0 \
		"$(delta "$(reason a $rs)" "$(reason b $rs)")"
done
known_vlan_limit "VLAN $VID UDP" \
	"$(delta "$(reason a sf-return-adopted-by-interface)" "$(reason b sf-return-adopted-by-interface)")"

snap a light
f0=$(vc fab fs0 END untagged_dropped) f1=$(vc fab fd0 END untagged_dropped)
tcp_check "VLAN $VID TCP src->dst" src dst "$V_DST4" 2
snap b light
assert_eq "VLAN $VID TCP: chain ends in fab re-injected nothing untagged" "0 0" \
	"$(delta "$f0" "$(vc fab fs0 END untagged_dropped)") $(delta "$f1" "$(vc fab fd0 END untagged_dropped)")"
check_hops "VLAN $VID TCP" a b +
check_xsf "VLAN $VID TCP" a b tcp 1
known_vlan_limit "VLAN $VID TCP" \
	"$(delta "$(reason a sf-return-adopted-by-interface)" "$(reason b sf-return-adopted-by-interface)")"

# Packets whose checksum is finished (SCTP from a raw socket: CRC32c done by
# the sender, no offload state) on the VLAN: on f2 sfc may hand them to sf3
# with an XDP redirect, so this is where the offloaded tag must not be lost.
snap a light
capture_start sf3v sf3 eth0 && capture_start dstv dst eth0 ||
	fail "VLAN SCTP: captures" "tcpdump did not start"
v0=$(vc dst eth0 IN popped) u0=$(vc dst eth0 IN untagged_dropped)
f0=$(vc fab fs0 END untagged_dropped)
sctp_raw "VLAN $VID SCTP raw src->dst" src dst "$V_SRC4" "$V_DST4" 40000 $SCTP_PORT \
	$((TOPO_TTL - 2)) $DSCP_AF41_TOS
sleep 0.3
for c in sf3v dstv; do
	read -r tagged untagged < <(capture_stop $c ".$SCTP_PORT: sctp")
	echo "# VLAN $VID SCTP raw: received on ${c%v}'s eth0: $tagged tagged, $untagged untagged"
	if [[ $c == sf3v ]]; then
		# the XDP redirect from f2: the limitation below
		assert_eq "VLAN $VID SCTP raw: sf3 received all $SCTP_N" "$SCTP_N" \
			"$((tagged + untagged))"
		((untagged == 0)) ||
			skip "VLAN $VID SCTP raw: sf3 received all tagged" "known limitation (README): $untagged of $SCTP_N sent on by an XDP redirect from f2 untagged"
		continue
	fi
	assert_eq "VLAN $VID SCTP raw: ${c%v} received all $SCTP_N tagged" "$SCTP_N" "$tagged"
	assert_eq "VLAN $VID SCTP raw: ${c%v} received none untagged" 0 "$untagged"
done
snap b light
echo "# VLAN $VID SCTP raw: chain end in fab (fs0) dropped $(delta "$f0" \
	"$(vc fab fs0 END untagged_dropped)") untagged (tag lost on the way)"
assert_eq "VLAN $VID SCTP raw: dst received all on VLAN $VID" "$SCTP_N" \
	"$(delta "$v0" "$(vc dst eth0 IN popped)")"
check_hops "VLAN $VID SCTP raw" a b $SCTP_N
assert_eq "VLAN $VID SCTP raw: reason sf-return-unknown-flow-drop did not rise" 0 \
	"$(delta "$(reason a sf-return-unknown-flow-drop)" "$(reason b sf-return-unknown-flow-drop)")"
known_vlan_limit "VLAN $VID SCTP raw" \
	"$(delta "$(reason a sf-return-adopted-by-interface)" "$(reason b sf-return-adopted-by-interface)")"

# ---- 3. TCP and UDP with checksum offload -----------------------------------------

echo "# t=${SECONDS}s"

echo "# offloads at src: $(ns_exec src ethtool -k eth0 | grep -E '^tx-checksumming|^tcp-segmentation' | tr -s ' \n' ' ')"
c_src=$(csum_errors src) c_dst=$(csum_errors dst)
snap a light
udp_check "UDP IPv4" "$DST4" 5001 $UDP_N $((TOPO_TTL - 2)) $DSCP_AF41_TOS
udp_check "UDP IPv6" "$DST6" 5002 $UDP_N $((TOPO_TTL - 2)) $DSCP_AF41_TOS
snap b light
check_xsf "UDP" a b udp $((2 * UDP_N))
snap a light
tcp_check "TCP IPv4" src dst "$DST4" $TCP_MB
tcp_check "TCP IPv6" src dst "$DST6" 1
snap b light
check_hops "TCP" a b +
check_xsf "TCP" a b tcp 1
echo "# checksum errors: src $(csum_errors src), dst $(csum_errors dst)"
assert_eq "TCP/UDP: no checksum errors at src" "$c_src" "$(csum_errors src)"
assert_eq "TCP/UDP: no checksum errors at dst" "$c_dst" "$(csum_errors dst)"

# ---- whole run ------------------------------------------------------------------

echo "# t=${SECONDS}s"

snap end
assert_eq "sf2 still runs its own XDP program" "$XSF_ID" "$(xsf_prog_id)"
for r in "${TOPO_SF_ROLES[@]}"; do
	assert_eq "whole run: $r saw nothing out of order" 0 "$(cnt end "$r" wrong)"
done
for h in 1 2 3; do
	assert_eq "sfcd hop $h: no drops in the whole run" 0 "$(st end "$(hop $h) | .drops")"
done
for rs in rule-to-missing-chain missing-path missing-hop missing-sf \
	hop-down-drop hop-down-bypass redirect-failed sf-return-unknown-flow \
	sf-return-unknown-flow-drop sf-return-unknown-position sf-return-position-mismatch \
	xdp-meta-failed xdp-meta-key-unset too-many-hops \
	missed-tail-call tc-pull-failed tc-redirect-failed tc-meta-forged \
	redirect-target-unknown flow-cache-update-failed xdp-redirect-not-sent \
	xdp-redirect-error truncated-vlan truncated-l4 sf-returned-to-fabric-on-wrong-iface; do
	assert_eq "sfcd reason $rs never counted" 0 "$(reason end $rs)"
done
assert_eq "sfcd reason sf-return-adopted-by-interface: only the VLAN returns above" \
	"$VLAN_ADOPTED" "$(reason end sf-return-adopted-by-interface)"
jq -r '.reasons[]? | select(.count > 0) | "# reason \(.name) (\(.code)): \(.count)"' \
	"$T/end.json" 2>/dev/null
sed 's/^/# sf2 XDP counter /' "$T/end.xdp"

if ((ASSERT_FAILED)); then
	echo "# SF counters:"
	topo_counters | sed 's/^/#   /'
	echo "# sfcd --stats:"
	topo_sfcd --stats --pin-dir "$PIN_DIR" 2>&1 | sed 's/^/#   /'
fi

echo "# t=${SECONDS}s"
assert_ok "sfcd --unload" topo_sfcd --unload --pin-dir "$PIN_DIR"
assert_done
