#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks tap hops: chain "web" is s1 -> tap ids -> s2 (tests/daemon/lib.sh:
# s1 and s2 are bridges marking DSCP, 8 after s1, 24 after both). ids is a
# namespace whose eth0 only captures (tcpdump, inbound). Every datagram of
# a flow must reach dst through both SFs, once, and ids must capture a copy
# of each, as it was between s1 and s2 (DSCP 8); the tap hop and ids count
# them. Then:
#  - ids' interface down: no copies, counted as tap-skipped; traffic goes
#    on whole (a tap never stops its chain);
#  - the tap moved to the end of the chain: copies as they leave it (DSCP
#    24);
#  - ids sends every copy back out of eth0 (nft netdev fwd): dst still gets
#    each datagram once, and what came back is dropped by the fabric.
#
# Environment: COUNT=200 (datagrams per round), STEER (sfcd --steer;
# tap_xdp.sh: xdp, where the copy is made at tc after an XDP handoff).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

COUNT=${COUNT:-200}
PORT=$CHAINED_PORT

state_json() {	# HOPS-JSON
	d_state_json drop | jq --argjson hops "$1" '
		.sfs += [{"name": "ids", "kind": "iface", "dev": "ft"}]
		| .chains[0].hops = $hops'
}

# tap_build: namespace ids, veth ft (fab) <-> eth0 (ids), both up
tap_build() {
	ns_add ids && d_nosys6 ids || return
	IDS=$(ns_name ids)
	ip -n "$FAB" link add name ft type veth peer name eth0 netns "$IDS" || return
	ip -n "$IDS" link set dev eth0 up && ip -n "$FAB" link set dev ft up
}

# capture_start NAME: tcpdump in ids, inbound UDP to the chained port
capture_start() {
	rm -f "$T/$1.pcap" "$T/$1.cap.log"
	bg_run timeout 60 ip netns exec "$IDS" tcpdump -i eth0 -Q in -nn -U --immediate-mode \
		-w "$T/$1.pcap" "udp dst port $PORT" 2>"$T/$1.cap.log"
	CAP_PID=$BG_PID
	wait_until 10 grep -q "listening on" "$T/$1.cap.log"
}

capture_stop() {
	sleep 1
	kill -INT "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	echo "# capture: $(tr '\n' ' ' <"$T/$1.cap.log")"
}

# captured NAME [TOS]: frames in the capture (with that IP TOS byte)
captured() {
	local f=${2:+ip[1] == $2}
	tcpdump -r "$T/$1.pcap" -nn ${f:+"$f"} 2>/dev/null | wc -l
}

# round NAME: COUNT datagrams on one flow; the receiver's summary in $T/NAME.json
round() {
	d_probe "$1" "$PORT" "$COUNT" 0.001 >"$T/$1.json"
}

tap_hop() {	# STATS-FILE FIELD: the tap hop's counter (hop 2 of web)
	st "$1" ".chains[]? | select(.name == \"web\") | .hops[]? | select(.tap == true) | .$2"
}

d_init
command -v tcpdump >/dev/null || { fail setup "missing tool tcpdump"; assert_done; }
assert_do "topology" d_topo || assert_done
assert_do "tap namespace" tap_build || assert_done
state_json '[["s1"], {"tap": ["ids"]}, ["s2"]]' >"$STATE"
assert_do "sfcd starts" d_sfcd_start ${STEER:+--steer "$STEER"} || assert_done
if [[ ${STEER:-} == xdp ]]; then
	assert_eq "s1's return steered in XDP" xdp "$(d_steer_of f1b)"
fi

# --- a copy of each packet between s1 and s2
d_stats >"$T/a.st"
capture_start mid
round mid
capture_stop mid
d_stats >"$T/b.st"
assert_eq "dst got every datagram once, through both SFs" \
	"{\"received\":$COUNT,\"unique\":$COUNT,\"missing\":0,\"dscp\":{\"$DSCP_FULL\":$COUNT}}" \
	"$(jq -c '{received, unique, missing, dscp}' "$T/mid.json")"
assert_eq "ids captured a copy of each" "$COUNT" "$(captured mid)"
assert_eq "the copies are as s1 sent them (DSCP 8)" "$COUNT" "$(captured mid 0x20)"
assert_ge "the tap hop counted the copies" "$COUNT" \
	"$(delta "$(tap_hop "$T/a.st" packets)" "$(tap_hop "$T/b.st" packets)")"
assert_ge "ids' tx counted the copies" "$COUNT" \
	"$(delta "$(st_sf "$T/a.st" ids tx_packets)" "$(st_sf "$T/b.st" ids tx_packets)")"
assert_eq "no copy failed" 0 "$(delta "$(st_reason "$T/a.st" tap-copy-failed)" \
	"$(st_reason "$T/b.st" tap-copy-failed)")"

# --- the tap's link down: no copies, the chain goes on
ip -n "$FAB" link set dev ft down
assert_do "sfcd reports ids down" wait_until 5 eval \
	'd_stats >"$T/f.st"; [[ $(st_sf "$T/f.st" ids up) == false ]]'
d_stats >"$T/c.st"
round down
d_stats >"$T/d.st"
assert_eq "tap down: dst got every datagram through both SFs" "{\"$DSCP_FULL\":$COUNT}" \
	"$(jq -c .dscp "$T/down.json")"
assert_ge "tap down: counted as tap-skipped" "$COUNT" \
	"$(delta "$(st_reason "$T/c.st" tap-skipped)" "$(st_reason "$T/d.st" tap-skipped)")"
assert_eq "tap down: no hop drops" 0 "$(delta "$(st_hop "$T/c.st" 3 drops)" \
	"$(st_hop "$T/d.st" 3 drops)")"
ip -n "$FAB" link set dev ft up
assert_do "sfcd reports ids up" wait_until 5 eval \
	'd_stats >"$T/f.st"; [[ $(st_sf "$T/f.st" ids up) == true ]]'

# --- the tap at the end of the chain: copies as they leave it
state_json '[["s1"], ["s2"], {"tap": ["ids"]}]' >"$T/end.json"
reply=$(d_api "$(jq -c '{"cmd": "apply", "doc": .}' "$T/end.json")")
assert_eq "apply: the tap at the end" true "$(jq -r .ok <<<"$reply" 2>/dev/null)"
capture_start end
round end
capture_stop end
assert_eq "tap at the end: dst got every datagram once" \
	"{\"received\":$COUNT,\"unique\":$COUNT,\"dscp\":{\"$DSCP_FULL\":$COUNT}}" \
	"$(jq -c '{received, unique, dscp}' "$T/end.json")"
echo "# tap at the end: $(captured end) frames captured, $(captured end 0x60) with DSCP 24"
assert_eq "tap at the end: a copy of each, as the chain ends (DSCP 24)" "$COUNT" \
	"$(captured end 0x60)"

# --- a tap that sends its copies back: nothing more reaches dst
ns_exec ids nft -f - <<-EOF || fail setup "nft in ids"
	table netdev back {
		chain in {
			type filter hook ingress device "eth0" priority 0; policy accept;
			fwd to "eth0"
		}
	}
EOF
d_stats >"$T/e.st"
round back
d_stats >"$T/g.st"
assert_eq "a tap that sends back: dst got every datagram once" \
	"{\"received\":$COUNT,\"unique\":$COUNT,\"dscp\":{\"$DSCP_FULL\":$COUNT}}" \
	"$(jq -c '{received, unique, dscp}' "$T/back.json")"
back=$(( $(delta "$(st_reason "$T/e.st" sf-return-unknown-position)" \
	"$(st_reason "$T/g.st" sf-return-unknown-position)") + \
	$(delta "$(st_reason "$T/e.st" sf-return-unknown-flow-drop)" \
	"$(st_reason "$T/g.st" sf-return-unknown-flow-drop)") ))
assert_ge "a tap that sends back: what came back was dropped, counted" "$COUNT" "$back"
assert_done
