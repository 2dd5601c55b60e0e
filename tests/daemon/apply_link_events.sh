#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that a link event arriving while sfcd writes a large document to
# the maps is in the maps before that apply ends, and that the apply's end
# result follows the link state at its end. Each large apply (RULES rules,
# CHAINS chains besides web; the chains' on-failure alternates between
# applies and every rule's destination moves, so each apply rewrites all
# chains and rules) is
# watched until it is writing chains (chain x0's head moves: web, written
# before x0, is done), then:
# - f2a goes down: s2's entry in sfc_sfs loses its up flag while the apply
#   is still writing (it has not switched to its rules: sfc_config's
#   rules_hash is unchanged); after it, s2 is down and web (on-failure bypass)
#   carries datagrams through s1 only;
# - f2a comes up: s2's entry is in the maps while the apply is still
#   writing, and that alone brings s2 back: web's current version is the
#   same before and after the event, its s2 hop never marked down (a
#   version does not depend on which instances are up); after it,
#   datagrams cross both SFs;
# - f2a flaps down, up, down: after the apply s2 is down and web bypasses
#   it; then up once more (no apply): both SFs again;
# - f2a flaps down, up: after the apply both SFs;
# health's link_updates_applying grows with each apply (events were applied
# while it wrote the maps, not after it), and none of it took a full
# reconcile.
# Topology and marks: tests/daemon/lib.sh.
#
# Environment: RULES=60000 (at most 65536), CHAINS=12000: each apply must
# write long enough for the test's bpftool polls to see the event before
# the rules switch (a loaded machine makes both slower; the log prints
# when the rules switched, the margin the check had: about 240 ms against
# 90 ms to see the event, on a quiet machine of this kind).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

RULES=${RULES:-60000}
CHAINS=${CHAINS:-12000}

health() { d_api '{"cmd":"health"}' | jq -r ".$1" 2>/dev/null; }
sf_up() { d_stats >"$T/up.st"; st_sf "$T/up.st" "$1" up; }

# le32 N: the 4 key bytes of a __u32 key, as bpftool takes them
le32() { printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $(($1 >> 24)); }
# lookup MAP KEY-BYTES JQ: a field of one entry of a pinned map
lookup() {
	# shellcheck disable=SC2086 # the key is several words
	bpftool -j map lookup pinned "$PIN/$1" key $2 2>/dev/null | jq -r "$3" 2>/dev/null
}
head_of() { lookup sfc_chains "$(le32 "$1")" '.formatted.value.path_id'; }
# s2's up flag (bit 0 of its sfc_sfs flags), read from the map itself: the
# API waits while sfcd applies
s2_flag() { echo $((($(lookup sfc_sfs "$(le32 "$S2_ID")" '.formatted.value.flags') + 0) & 1)); }
# the flags of web's hop for s2 (SI 1) in web's current path
web_s2_hop_flags() {
	local p
	p=$(head_of "$WEB_ID")
	lookup sfc_hops "$(le32 "$p") 1 0 0 0" '.formatted.value.flags'
}

# big_doc ON-FAILURE SHIFT: the apply request, x chains with that
# on-failure, rule destinations shifted by SHIFT (every rule changes)
big_doc() {
	jq -c --argjson n "$RULES" --argjson c "$CHAINS" --arg of "$1" --argjson s "$2" '.doc |
		.chains += [range($c) | {"name": "x\(.)", "spi": (1000 + .),
			"hops": [["s1"], ["s2"]], "on-failure": $of}] |
		.rules += [range($n) | {"pref": (1000 + .), "in-dev": "fs0",
			"dst": "198.19.\((. + $s) / 256 | floor).\((. + $s) % 256)/32",
			"proto": "udp", "chain": "x\(. % $c)"}] | {"cmd": "apply", "doc": .}' "$T/base.json"
}

# apply_start NAME ON-FAILURE SHIFT: send the large apply in the background
# and return once it is writing chains (x0's head moved); A_PID, A_DONE,
# A_EARLY (health's link_updates_applying before it)
apply_start() {
	local before
	big_doc "$2" "$3" >"$T/$1.req"
	A_EARLY=$(health link_updates_applying) A_HASH=$(rules_hash)
	before=$(head_of "$X0_ID")
	A_DONE=$T/$1.done
	rm -f "$A_DONE"
	(timeout 120 socat -t 120 - "UNIX-CONNECT:$SOCK" <"$T/$1.req" >"$T/$1.rep"
	 date +%s%N >"$A_DONE") &
	A_PID=$!
	wait_until_fast 60 eval "[[ \$(head_of $X0_ID) != '$before' ]]"
}

# wait_until_fast SECONDS CMD...: wait_until, polling every 10 ms
wait_until_fast() {
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.01
	done
}

# the digest of the installed rules: it changes when the apply switches
# to its rules, its last large write
rules_hash() { lookup sfc_config "0 0 0 0" '.formatted.value.rules_hash'; }

# still_writing LABEL [HASH]: read after the change was seen (HASH: read
# at once then), the apply had neither switched its rules nor replied
still_writing() {
	assert_eq "$1 (the apply had not switched its rules yet)" "$A_HASH" "${2:-$(rules_hash)}"
	assert_ok "$1 (the apply had not replied yet)" test ! -e "$A_DONE"
}
still_replying() {	# LABEL: the apply had not replied yet
	assert_ok "$1 (the apply had not replied yet)" test ! -e "$A_DONE"
}

apply_end() {	# NAME
	wait "$A_PID"
	assert_eq "$1: the large apply succeeded" true "$(jq -r .ok "$T/$1.rep" 2>/dev/null)"
	assert_gt "$1: sfcd applied link events while it wrote the maps (link_updates_applying)" \
		"${A_EARLY:-0}" "$(health link_updates_applying)"
}

through() {	# LABEL DSCP-JSON: 20 chained datagrams arrive so
	local r
	r=$(d_probe "p$RANDOM" "$CHAINED_PORT" 20 0.005)
	assert_eq "$1" "$2" "$(jq -c .dscp <<<"$r" 2>/dev/null)"
}

d_init
command -v bpftool >/dev/null || { fail setup "missing tool bpftool"; assert_done; }
assert_do "topology" d_topo || assert_done
d_state_json bypass >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
through "start: both SFs" "{\"$DSCP_FULL\":20}"
d_api '{"cmd":"get"}' >"$T/base.json"
rec0=$(health reconciles)

# the ids by interface, not by a name in a map value
f2b=$(ip -n "$FAB" -j link show dev f2b | jq '.[0].ifindex')
S2_ID=$(lookup sfc_ifaces "$(le32 "$f2b")" '.formatted.value.sf_id')
assert_gt "s2 has an SF id" 0 "${S2_ID:-0}"
WEB_ID=1 X0_ID=2	# chain ids in document order, the first free ones

# --- down during the first large apply (every chain and rule new)
assert_do "apply 1 is writing chains" apply_start a1 bypass 0
t0=$(date +%s%N)
ip -n "$FAB" link set dev f2a down
wait_until_fast 10 eval '[[ $(s2_flag) == 0 ]]'
h=$(rules_hash) t1=$(date +%s%N)
assert_eq "down: s2's entry lost its up flag" 0 "$(s2_flag)"
still_writing "down: s2's entry changed" "$h"
# the margin the check had: when the apply switched its rules
wait_until_fast 60 eval '[[ $(rules_hash) != "$A_HASH" ]]'
t2=$(date +%s%N)
apply_end a1
printf '# down during apply 1: seen in sfc_sfs by the test (bpftool polls) after %d ms; the rules switched after about %d ms; the apply replied %d ms after the event\n' \
	$(((t1 - t0) / 1000000)) $(((t2 - t0) / 1000000)) $((($(cat "$A_DONE") - t0) / 1000000))
assert_eq "down: s2 down after the apply" false "$(sf_up s2)"
through "down: web bypasses s2 after the apply" "{\"$DSCP_SF1\":20}"

# --- up during the next one (x chains rewritten, rules changed)
assert_do "apply 2 is writing chains" apply_start a2 drop 1
assert_eq "up: web's s2 hop is not marked down (s2's entry says it)" 0 "$(($(web_s2_hop_flags) & 1))"
web_head=$(head_of "$WEB_ID")
t0=$(date +%s%N)
ip -n "$FAB" link set dev f2a up
wait_until_fast 10 eval '[[ $(s2_flag) == 1 ]]'
h=$(rules_hash) t1=$(date +%s%N)
assert_eq "up: s2's entry has its up flag" 1 "$(s2_flag)"
still_writing "up: s2's entry changed" "$h"
assert_eq "up: web's version unchanged by the event" "$web_head" "$(head_of "$WEB_ID")"
still_replying "up: s2 back"
apply_end a2
printf '# up during apply 2: seen in sfc_sfs by the test (bpftool polls) after %d ms; the apply replied %d ms after the event\n' \
	$(((t1 - t0) / 1000000)) $((($(cat "$A_DONE") - t0) / 1000000))
assert_eq "up: s2 up after the apply" true "$(sf_up s2)"
through "up: both SFs after the apply" "{\"$DSCP_FULL\":20}"

# --- flaps: the end result follows the last state
assert_do "apply 3 is writing chains" apply_start a3 bypass 2
ip -n "$FAB" link set dev f2a down
sleep 0.05
ip -n "$FAB" link set dev f2a up
sleep 0.05
ip -n "$FAB" link set dev f2a down
still_replying "flap down-up-down: all three events sent"
apply_end a3
assert_eq "flap down-up-down: s2 down after the apply" false "$(sf_up s2)"
through "flap down-up-down: web bypasses s2" "{\"$DSCP_SF1\":20}"
ip -n "$FAB" link set dev f2a up
wait_until 5 eval '[[ $(sf_up s2) == true ]]'
through "then up, no apply: both SFs" "{\"$DSCP_FULL\":20}"

assert_do "apply 4 is writing chains" apply_start a4 drop 3
ip -n "$FAB" link set dev f2a down
sleep 0.05
ip -n "$FAB" link set dev f2a up
still_replying "flap down-up: both events sent"
apply_end a4
assert_eq "flap down-up: s2 up after the apply" true "$(sf_up s2)"
through "flap down-up: both SFs" "{\"$DSCP_FULL\":20}"

assert_eq "no full reconcile for any of it" "$rec0" "$(health reconciles)"
d_dump_log_on_failure
assert_done
