#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that chain edits and SF failures never skip, repeat or misdirect
# hops for packets in flight: a flow keeps the path version (and the SF
# instances) it was classified on until it ends, new flows take the new
# version, and a hop with a healthy instance loses nothing.
#
# Fabric: src, fab, dst of tests/daemon/lib.sh (d_topo nosf), and three
# user-space SFs a, b, c (tests/daemon/sf_relay.py in namespaces sf1..sf3,
# veths fNa-eth0 / fNb-eth1): each holds every frame DELAY_MS before sending
# it on, so packets are inside an SF when an edit lands, and appends its
# digit (a 1, b 2, c 3) to the DSCP in base 4: the DSCP a datagram arrives
# with spells the SFs it crossed, in order ([a, b, c] = 123 = 27). src's
# eth0 computes its UDP checksums (tx offload off), since a relay sends the
# bytes it got.
#
# 1. baseline: chain web = [a, b, c], no edit: every datagram of 8 flows
#    arrives, all with DSCP 27 (holds on any datapath: checks the test).
# 2. edits under a steady stream, each through sfcctl as an operator would,
#    ~EDIT_GAP s apart, each followed by a new sender of 8 new flows (ports
#    of their own) while the older senders keep sending:
#      v0 [a, b, c] = 27   flows f0 (started before the edits)
#      v1 [c, b, a] = 57   flows f1 (reorder)
#      v2 [c, a]    = 13   flows f2 (a hop removed)
#      v3 [c, a, b] = 54   flows f3 (a hop added)
#      v4 [a|b, c]  = 7 (a) or 11 (b)   flows f4, 16 of them (two instances)
#    Checked: every datagram's DSCP is one of those (no skipped, repeated or
#    misordered hop); every flow arrives with the one DSCP of the version
#    live when it started (it keeps that version through the later edits);
#    no datagram of f0..f3 is lost or repeated.
# 3. instance down: f0..f3 stop; b's fab-side veth (f2a) is set down under
#    f4. Flows on a (DSCP 7 before) lose nothing and stay on a; once sfcd
#    reports b down every f4 datagram crosses a then c (7), and a flow that
#    was on b never returns to b.
# 4. sfcd's per-SF counters agree with what the relays forwarded.
#
# Environment: DELAY_MS=20 (in each SF), IV=0.01 (s between datagrams of
# a flow), EDIT_GAP=0.5 (s).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=${SFCCTL:-$SFC_BIN_DIR/sfcctl}
RELAY=$D_LIB_DIR/sf_relay.py
DELAY_MS=${DELAY_MS:-20}
IV=${IV:-0.01}
EDIT_GAP=${EDIT_GAP:-0.5}

BASE_PORTS=5000-5007
BASE_N=150
# the edit phase: sender fK on ports PORTS[K], expected DSCPs EXP[K]
PORTS=(5010-5017 5018-5025 5026-5033 5034-5041 5042-5057)
EXP=(27 57 13 54 "7,11")
EDIT_PORTS=5010-5057

now() { date +%s%N; }
ctl() { timeout 20 "$SFCCTL" -s "$SOCK" "$@"; }

# sf_build N DIGIT: namespace sfN running the relay with DIGIT, veths
# fNa (fab) - eth0 and fNb (fab) - eth1; fab's ends set up last
sf_build() {
	local n=$1 digit=$2 ns
	ns_add "sf$n" && d_nosys6 "sf$n" || return
	ns=$(ns_name "sf$n")
	ip -n "$FAB" link add name "f${n}a" type veth peer name eth0 netns "$ns" || return
	ip -n "$FAB" link add name "f${n}b" type veth peer name eth1 netns "$ns" || return
	ip -n "$ns" link set dev eth0 up && ip -n "$ns" link set dev eth1 up || return
	bg_run timeout 100 ip netns exec "$ns" "$PY" "$RELAY" --digit "$digit" \
		--delay-ms "$DELAY_MS" --max-seconds 90 --ready "$T/relay$n.ready" \
		--stats "$T/relay$n.json"
	RELAY_PID[n]=$BG_PID
	wait_until 10 test -e "$T/relay$n.ready" || return
	ip -n "$FAB" link set dev "f${n}a" up && ip -n "$FAB" link set dev "f${n}b" up
}

# relays_stop: TERM the relays (timeout passes it on), they write their stats
relays_stop() {
	local n
	for n in 1 2 3; do
		[[ -n ${RELAY_PID[n]:-} ]] && kill -TERM "${RELAY_PID[n]}" 2>/dev/null
	done
	for n in 1 2 3; do
		[[ -n ${RELAY_PID[n]:-} ]] && wait "${RELAY_PID[n]}" 2>/dev/null
	done
	RELAY_PID=()
}

state_json() {
	cat <<-EOF
	{
	  "version": 1,
	  "ingress": [{"dev": "fs0"}, {"dev": "fd0"}],
	  "sfs": [
	    {"name": "a", "kind": "iface", "dev": "f1a", "out-dev": "f1b"},
	    {"name": "b", "kind": "iface", "dev": "f2a", "out-dev": "f2b"},
	    {"name": "c", "kind": "iface", "dev": "f3a", "out-dev": "f3b"}
	  ],
	  "chains": [{"name": "web", "spi": 100, "hops": [["a"], ["b"], ["c"]], "on-failure": "drop"}],
	  "rules": [
	    {"pref": 10, "in-dev": "fs0", "dst": "$NET_DST", "proto": "udp", "dport": "5000-5099", "chain": "web"}
	  ]
	}
	EOF
}

# sender_start K PORTS: probe.py send, bounded (1000 rounds, 60 s), stopped
# by $T/fK.stop; its log $T/fK.tx.log
SEND_PID=()
sender_start() {
	rm -f "$T/f$1.stop"
	bg_run timeout 60 ip netns exec "$SRC" "$PY" "$PROBE" send "$DST4" "$2" 1000 \
		--interval "$IV" --log "$T/f$1.tx.log" --stop-file "$T/f$1.stop"
	SEND_PID[$1]=$BG_PID
}
sender_stop() {
	touch "$T/f$1.stop"
	wait "${SEND_PID[$1]}"
}

# edit LABEL HOPS...: sfcctl chain set web with those hops (each "hop X")
EDIT_MS=()
edit() {
	local label=$1 t0 t1 args=() h
	shift
	for h in "$@"; do args+=(hop "$h"); done
	t0=$(now)
	assert_ok "edit: $label (sfcctl chain set web ${args[*]})" ctl chain set web "${args[@]}"
	t1=$(now)
	EDIT_MS+=("$label $(((t1 - t0) / 1000000))")
}

sf_up() { d_stats >"$T/up.st"; st_sf "$T/up.st" "$1" up; }

# decode DSCP: the SFs its base-4 digits name ("a,b,c"; "-" for a 0 digit)
decode() {
	local d=$1 s=""
	[[ $d =~ ^[0-9]+$ ]] || { echo "?"; return; }
	while ((d > 0)); do
		s="$(printf '%s' "- a b c" | cut -d' ' -f$((d % 4 + 1)))${s:+,$s}"
		d=$((d / 4))
	done
	echo "${s:-none}"
}
# hist_str JSON-OBJECT: "DSCP(sfs)=N ..." for a {dscp: count} object
hist_str() {
	local k v out=""
	while read -r k v; do
		[[ -n $k ]] || continue
		out+="$k($(decode "$k"))=$v "
	done < <(jq -r 'to_entries[] | "\(.key) \(.value)"' <<<"$1" 2>/dev/null)
	echo "${out% }"
}

# analyse RX_LOG T_DOWN T_REP NAME:PORTS:TXLOG:EXP...: one JSON summary
analyse() {
	"$PY" - "$@" <<-'EOF'
	import json, sys
	rxlog, t_down, t_rep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	senders = []
	for spec in sys.argv[4:]:
	    name, ports, log, exp = spec.split(":")
	    lo, hi = (int(x) for x in ports.split("-"))
	    senders.append((name, lo, hi, log, exp.split(",")))
	allowed = set(e for s in senders for e in s[4])
	rows = []
	with open(rxlog) as f:
	    for line in f:
	        p = line.split()
	        if len(p) >= 5:
	            rows.append((int(p[0]), int(p[1]), int(p[2]), p[3], int(p[4])))
	out = {"received": len(rows), "bad": {}, "senders": {}}
	for r in rows:
	    if r[3] not in allowed:
	        out["bad"][r[3]] = out["bad"].get(r[3], 0) + 1
	for name, lo, hi, log, exp in senders:
	    with open(log) as f:
	        n = sum(1 for line in f if line.strip())
	    by_port = {p: [] for p in range(lo, hi + 1)}
	    for r in rows:
	        if lo <= r[4] <= hi:
	            by_port[r[4]].append(r)
	    s = {"flows": hi - lo + 1, "sent": n * (hi - lo + 1), "received": 0,
	         "missing": 0, "repeated": 0, "dscp": {}, "other": 0,
	         "flows_changed": 0, "flows_other": 0}
	    inst = {}
	    for p, rs in by_port.items():
	        seqs = set(r[0] for r in rs)
	        s["received"] += len(rs)
	        s["missing"] += sum(1 for i in range(n) if i not in seqs)
	        s["repeated"] += len(rs) - len(seqs)
	        for r in rs:
	            s["dscp"][r[3]] = s["dscp"].get(r[3], 0) + 1
	            if r[3] not in exp:
	                s["other"] += 1
	        before = set(r[3] for r in rs if r[1] < t_down)
	        if len(before) > 1:
	            s["flows_changed"] += 1
	        if not before <= set(exp):
	            s["flows_other"] += 1
	        if len(before) == 1:
	            inst[p] = next(iter(before))
	    if len(exp) > 1:
	        # the two-instance hop: which instance each flow was on before
	        # the down (by its one DSCP), and what happened after it
	        a, b = exp
	        pa = [p for p, d in inst.items() if d == a]
	        pb = [p for p, d in inst.items() if d == b]
	        s["flows_a"], s["flows_b"] = len(pa), len(pb)
	        s["missing_a"] = sum(1 for p in pa for i in range(n)
	                             if i not in set(r[0] for r in by_port[p]))
	        s["missing_b"] = sum(1 for p in pb for i in range(n)
	                             if i not in set(r[0] for r in by_port[p]))
	        s["a_not_a"] = sum(1 for p in pa for r in by_port[p] if r[3] != a)
	        after = [r for rs in by_port.values() for r in rs if r[1] >= t_rep]
	        s["after_sent_rounds"] = 0
	        s["after"] = len(after)
	        s["after_not_a"] = sum(1 for r in after if r[3] != a)
	        back = 0
	        for p in pb:
	            moved = False
	            for r in sorted(by_port[p]):
	                if r[3] == a:
	                    moved = True
	                elif moved:
	                    back += 1
	        s["b_back_to_b"] = back
	        s["b_moved"] = sum(1 for p in pb if any(r[3] == a for r in by_port[p]))
	    out["senders"][name] = s
	print(json.dumps(out))
	EOF
}

d_init
[[ -x $SFCCTL ]] || { fail setup "$SFCCTL missing: run make"; assert_done; }
command -v ethtool >/dev/null || { fail setup "missing tool ethtool"; assert_done; }
RELAY_PID=()
cleanup_push relays_stop
assert_do "topology" d_topo nosf || assert_done
# the relays send the bytes they got: the sender's UDP checksums must be
# complete, not left to an offload that never happens
assert_ok "src eth0: tx checksum offload off" ip netns exec "$SRC" ethtool -K eth0 tx off
assert_do "SFs a, b, c (relays, ${DELAY_MS} ms each)" eval 'sf_build 1 1 && sf_build 2 2 && sf_build 3 3' ||
	assert_done
state_json >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done

# ---- 1. baseline ------------------------------------------------------------
r=$(d_probe base "$BASE_PORTS" "$BASE_N" "$IV")
echo "# baseline: $(jq -c . <<<"$r" 2>/dev/null | cut -c1-200)"
assert_eq "baseline: datagrams missing" 0 "$(jq -r .missing <<<"$r" 2>/dev/null)"
assert_eq "baseline: every datagram crossed a, b, c in order (DSCP 27)" \
	"{\"27\":$((8 * BASE_N))}" "$(jq -c .dscp <<<"$r" 2>/dev/null)"

# ---- 2. edits under a steady stream ----------------------------------------
d_recv_start edits "$EDIT_PORTS" 100000 1 hold || { fail "edits: receiver" "did not start"; assert_done; }
sender_start 0 "${PORTS[0]}"
sleep "$EDIT_GAP"
edit "v1 reorder [c, b, a]" c b a
sender_start 1 "${PORTS[1]}"
sleep "$EDIT_GAP"
edit "v2 remove a hop [c, a]" c a
sender_start 2 "${PORTS[2]}"
sleep "$EDIT_GAP"
edit "v3 add a hop [c, a, b]" c a b
sender_start 3 "${PORTS[3]}"
sleep "$EDIT_GAP"
edit "v4 two instances [a|b, c]" a,b c
sender_start 4 "${PORTS[4]}"
sleep "$EDIT_GAP"
# ---- 3. instance b down ------------------------------------------------------
for k in 0 1 2 3; do sender_stop "$k"; done
sleep 0.3
T_DOWN=$(now)
ip -n "$FAB" link set dev f2a down
assert_do "sfcd reports instance b down" wait_until 5 eval '[[ $(sf_up b) == false ]]'
T_REP=$(now)
echo "# b down: sfcd reported it $(((T_REP - T_DOWN) / 1000000)) ms after the link went down"
sleep 1
sender_stop 4
touch "$T/edits.stop"
wait "$D_RECV_PID"
echo "# edit apply times (ms): $(printf '%s; ' "${EDIT_MS[@]}")"

specs=()
for k in 0 1 2 3 4; do specs+=("f$k:${PORTS[k]}:$T/f$k.tx.log:${EXP[k]}"); done
A=$(analyse "$T/edits.rx.log" "$T_DOWN" "$T_REP" "${specs[@]}")
echo "$A" >"$T/analysis.json"
[[ -n $A ]] || fail "edits: analysis" "no summary"
for k in 0 1 2 3 4; do
	echo "# f$k (ports ${PORTS[k]}, expected DSCP ${EXP[k]}): $(jq -c ".senders.f$k | {sent, received, missing, repeated, flows_changed}" <<<"$A") DSCPs: $(hist_str "$(jq -c ".senders.f$k.dscp" <<<"$A")")"
done

bad=$(jq -r '[.bad[]] | add // 0' <<<"$A")
if [[ $bad == 0 ]]; then
	pass "edits: every datagram crossed exactly the hops of one version, in order"
else
	fail "edits: every datagram crossed exactly the hops of one version, in order" \
		"$bad of $(jq -r .received <<<"$A") datagrams did not (versions: 27 57 13 54 7 11): $(hist_str "$(jq -c .bad <<<"$A")")"
fi
names=("[a, b, c]" "[c, b, a]" "[c, a]" "[c, a, b]" "[a|b, c]")
for k in 0 1 2 3 4; do
	s=$(jq -c ".senders.f$k" <<<"$A")
	label="edits: flows f$k, classified on ${names[k]}, kept it (DSCP ${EXP[k]})"
	if ((k == 4)); then
		# before the down: one DSCP per flow, 7 or 11
		n=$(jq -r '.flows_changed + .flows_other' <<<"$s")
		why="$(jq -r .flows_changed <<<"$s") flows changed DSCP, $(jq -r .flows_other <<<"$s") had another before b went down"
	else
		n=$(jq -r '.other' <<<"$s")
		why="$n of $(jq -r .received <<<"$s") datagrams on another path, $(jq -r .flows_changed <<<"$s") of $(jq -r .flows <<<"$s") flows changed DSCP: $(hist_str "$(jq -c .dscp <<<"$s")")"
	fi
	if [[ $n == 0 ]]; then pass "$label"; else fail "$label" "$why"; fi
done
lost=$(jq -r '[.senders | (.f0, .f1, .f2, .f3) | .missing] | add' <<<"$A")
rep=$(jq -r '[.senders | (.f0, .f1, .f2, .f3) | .repeated] | add' <<<"$A")
sent=$(jq -r '[.senders | (.f0, .f1, .f2, .f3) | .sent] | add' <<<"$A")
assert_eq "edits: datagrams of f0..f3 lost (of $sent)" 0 "$lost"
assert_eq "edits: datagrams of f0..f3 delivered twice" 0 "$rep"

s4=$(jq -c .senders.f4 <<<"$A")
echo "# f4: $(jq -c '{flows_a, flows_b, missing_a, missing_b, a_not_a, after, after_not_a, b_moved, b_back_to_b}' <<<"$s4")"
assert_gt "instance step: flows on a before the down" 0 "$(jq -r .flows_a <<<"$s4")"
assert_gt "instance step: flows on b before the down" 0 "$(jq -r .flows_b <<<"$s4")"
assert_eq "instance step: datagrams lost on flows of the healthy instance a" 0 \
	"$(jq -r .missing_a <<<"$s4")"
assert_eq "instance step: datagrams of flows on a that did not cross a then c" 0 \
	"$(jq -r .a_not_a <<<"$s4")"
assert_gt "instance step: datagrams sent after sfcd took b down" 0 "$(jq -r .after <<<"$s4")"
assert_eq "instance step: of those, not through a then c (DSCP 7)" 0 "$(jq -r .after_not_a <<<"$s4")"
assert_eq "instance step: flows on b moved to a" "$(jq -r .flows_b <<<"$s4")" "$(jq -r .b_moved <<<"$s4")"
assert_eq "instance step: datagrams through b after their flow had moved to a" 0 \
	"$(jq -r .b_back_to_b <<<"$s4")"

# ---- 4. sfcd's counters against the relays ----------------------------------
sleep 0.2
d_stats >"$T/end.st"
relays_stop
for n in 1 2 3; do
	sf=$(printf '%s' "- a b c" | cut -d' ' -f$((n + 1)))
	j=$T/relay$n.json
	echo "# relay $sf: $(cat "$j" 2>/dev/null) sfcd: tx $(st_sf "$T/end.st" "$sf" tx_packets) rx $(st_sf "$T/end.st" "$sf" rx_packets)"
	assert_eq "counters: sfcd's rx of $sf = frames relay $sf sent back" \
		"$(jq -r .tx.eth1 "$j" 2>/dev/null)" "$(st_sf "$T/end.st" "$sf" rx_packets)"
	# b: what the fabric sent to f2a while it was down never reached the relay
	[[ $sf == b ]] && continue
	assert_eq "counters: sfcd's tx to $sf = frames relay $sf received" \
		"$(jq -r .rx.eth0 "$j" 2>/dev/null)" "$(st_sf "$T/end.st" "$sf" tx_packets)"
done
reasons=$(jq -r '[.reasons[]? | select(.count > 0) | "\(.name)=\(.count)"] | join(" ")' "$T/end.st" 2>/dev/null)
echo "# sfcd drop/exception reasons: ${reasons:-none}"
assert_done
