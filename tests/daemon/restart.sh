#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that stopping sfcd with SIGTERM, or killing it with SIGKILL, while
# a bounded UDP stream crosses the two-SF chain, then starting a new sfcd,
# loses not one datagram and reorders nothing out of the chain (every
# datagram crossed both SFs), and that the new sfcd adopts the running
# datapath as it is: same document (API "get" and state file, including
# an edit made through the API before the SIGKILL), same programs
# attached, counters carried on (not reset).
# Topology and marks: tests/daemon/lib.sh.
#
# Environment: RESTART_IV=0.002 (s between datagrams), RESTART_N_MAX=5000
# (at most this many per stream; it stops 0.7 s after sfcd answers again).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

N_MAX=${RESTART_N_MAX:-5000}	# bound: the stream stops on its own 0.7 s after the restart
IV=${RESTART_IV:-0.002}

# attachments: every BPF program on the fabric's and the SFs' interfaces,
# "NS DEV HOOK PROG_ID" per line, sorted
attachments() {
	local role dev
	{
	for role in fab sf1 sf2; do
		ip -n "$(ns_name "$role")" -j link show |
			jq -r --arg r "$role" '.[] | select(.xdp) |
				"\($r) \(.ifname) xdp \(.xdp.prog.id // .xdp.attached[0].prog.id)"'
	done
	for dev in $(ip -n "$FAB" -j link show | jq -r '.[].ifname'); do
		for dir in ingress egress; do
			tc -n "$FAB" -j filter show dev "$dev" "$dir" 2>/dev/null |
				jq -r --arg d "$dev $dir" '.[] | select(.kind == "bpf" and .options.prog) |
					"fab \($d) \(.options.prog.id)"'
		done
	done
	} | sort
}

snapshot() {	# NAME: document, state file, programs, counters
	d_get >"$T/$1.get"
	sha256sum <"$STATE" >"$T/$1.sha"
	attachments >"$T/$1.att"
	d_stats >"$T/$1.st"
}

# restart_under_traffic SIGNAL EXPECTED_EXIT
restart_under_traffic() {
	local sig=$1 want_exit=$2 label="restart after SIG$1" t0 t1 h r n
	snapshot "$sig.a"
	if ! d_recv_start "$sig" "$CHAINED_PORT" "$N_MAX" 1 hold; then
		fail "$label: receiver" "did not start"
		return 1
	fi
	d_send_bg "$sig" "$CHAINED_PORT" "$N_MAX" "$IV"
	sleep 0.7
	t0=$(date +%s%N)
	d_sfcd_stop "$sig"
	assert_eq "$label: sfcd exit status" "$want_exit" "$D_EXIT"
	assert_ne "$label: pins still there after sfcd exited" "" "$(ls "$PIN" 2>/dev/null)"
	if ! assert_do "$label: a new sfcd starts and answers" d_sfcd_start; then
		d_send_stop "$sig"
		wait "$D_RECV_PID"
		return 1
	fi
	t1=$(date +%s%N)
	printf '# %s: new sfcd serving %d ms after the signal\n' "$label" $(((t1 - t0) / 1000000))
	if kill -0 "$D_SEND_PID" 2>/dev/null; then
		pass "$label: the stream was still running when the new sfcd answered"
	else
		fail "$label: the stream was still running when the new sfcd answered" \
			"expected a running sender, got one that had sent all $N_MAX (raise RESTART_N_MAX)"
	fi
	d_send_stop "$sig" 0.7
	wait "$D_RECV_PID"
	n=$(d_sent "$sig")
	N=$n	# for the counter checks below
	r=$T/$sig.rx.json
	assert_eq "$label: $n of $n datagrams received" "$n" "$(rx "$r" .received)"
	assert_eq "$label: no datagram missing or duplicated (sent - unique)" 0 "$(delta "$(rx "$r" .unique)" "$n")"
	assert_eq "$label: every datagram crossed both SFs (DSCP $DSCP_FULL)" \
		"{\"$DSCP_FULL\":$n}" "$(rx "$r" '.dscp | tojson')"

	snapshot "$sig.b"
	assert_ne "$label: get answers with a document" "" "$(cat "$T/$sig.b.get")"
	if cmp -s "$T/$sig.a.get" "$T/$sig.b.get"; then
		pass "$label: document (get, jq -S) identical"
	else
		fail "$label: document (get, jq -S) identical" \
			"expected the document from before, got: $(diff "$T/$sig.a.get" "$T/$sig.b.get" | head -n 6 | tr '\n' ' ')"
	fi
	assert_eq "$label: state file byte-for-byte unchanged" \
		"$(cat "$T/$sig.a.sha")" "$(cat "$T/$sig.b.sha")"
	assert_ne "$label: programs attached" "" "$(cat "$T/$sig.b.att")"
	assert_eq "$label: the same programs attached (adopted, not replaced)" \
		"$(tr '\n' ';' <"$T/$sig.a.att")" "$(tr '\n' ';' <"$T/$sig.b.att")"
	h=$(d_api '{"cmd":"health"}')
	assert_eq "$label: health names the new pid" "$SFCD_PID" "$(jq -r .pid <<<"$h" 2>/dev/null)"
	# counters survive the restart: the stream counted once, in full
	assert_eq "$label: chain web counted the $N datagrams" "$N" \
		"$(delta "$(st "$T/$sig.a.st" '.chains[0].packets')" "$(st "$T/$sig.b.st" '.chains[0].packets')")"
	for hop in 1 2; do
		assert_eq "$label: hop $hop forwarded $N" "$N" \
			"$(delta "$(st_hop "$T/$sig.a.st" $hop packets)" "$(st_hop "$T/$sig.b.st" $hop packets)")"
		assert_eq "$label: hop $hop no drops" 0 \
			"$(delta "$(st_hop "$T/$sig.a.st" $hop drops)" "$(st_hop "$T/$sig.b.st" $hop drops)")"
	done
	for s in s1 s2; do
		assert_eq "$label: sf $s tx_packets +$N" "$N" \
			"$(delta "$(st_sf "$T/$sig.a.st" $s tx_packets)" "$(st_sf "$T/$sig.b.st" $s tx_packets)")"
	done
	for reason in hop-down-drop hop-down-bypass redirect-failed missing-path missing-hop \
		missing-sf sf-return-unknown-flow sf-return-unknown-position; do
		assert_eq "$label: reason $reason did not count" 0 \
			"$(delta "$(st_reason "$T/$sig.a.st" $reason)" "$(st_reason "$T/$sig.b.st" $reason)")"
	done
}

d_init
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
# warm up: the flow is cached and every neighbour resolved before timing
r=$(d_probe warm "$CHAINED_PORT" 20 0.01)
assert_eq "warm-up: 20 datagrams through both SFs" "{\"$DSCP_FULL\":20}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"

restart_under_traffic TERM 0
# an edit made through the API must outlive a SIGKILL too: rule pref 40
# chains UDP port 5100, outside rule 10's range
r=$(d_api '{"cmd":"rule-add","rule":{"pref":40,"in-dev":"fs0","dst":"198.18.2.0/24","proto":"udp","dport":5100,"chain":"web"}}')
assert_eq "rule-add pref 40 through the API" true "$(jq -r .ok <<<"$r" 2>/dev/null)"
restart_under_traffic KILL 137
assert_eq "after SIGKILL: rule 40 (added through the API) in the document" 5100 \
	"$(d_get | jq -r '.rules[] | select(.pref == 40) | .dport')"
r=$(d_probe edited 5100 20 0.005)
assert_eq "after SIGKILL: rule 40 chains UDP port 5100" "{\"$DSCP_FULL\":20}" \
	"$(jq -c .dscp <<<"$r" 2>/dev/null)"

# --unload is refused while a daemon owns the pin dir: stop it first
d_sfcd_stop TERM
assert_do "sfcd --unload" d_unload
assert_done
