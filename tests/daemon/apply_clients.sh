#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks that while sfcd works on a large apply (RULES generated rules on
# CHAINS chains x0, x1, ...), other API clients are not kept waiting for
# what only reads, and what writes waits for the apply. Once the apply is
# writing chains (chain x0's entry appears in sfc_chains: its request was
# read whole and is under way):
# - sfcctl chain show, dump, health and stats, each its own connection,
#   answer before the apply replies, chain show and dump from the document
#   committed before it (web only, no x0); so does a check (CNI);
# - a rule add by sfcctl, and on one raw connection a rule-add followed by
#   a get, are sent while the apply still runs (a dump sent after them
#   answers before the apply replies, still without their rules): they are
#   answered ok after it, with their prefs, and the get behind the
#   rule-add sees both the apply's chains and that rule; the document
#   after all of it holds the apply's rules and both added ones (an edit
#   served before the apply would have been replaced by it);
# - a stats reset (a write) waits too, and is answered ok.
# On a daemon that serves one request at a time, the reads answer after
# the apply and show x0.
# Topology: tests/daemon/lib.sh.
#
# Environment: RULES=60000, CHAINS=6000: the apply must still be writing
# when the test's reads have been answered (a loaded machine makes both
# slower).

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

RULES=${RULES:-60000}
CHAINS=${CHAINS:-6000}
SFCCTL=${SFCCTL:-$SFC_BIN_DIR/sfcctl}

now() { date +%s%N; }
ctl() { timeout 120 "$SFCCTL" -s "$SOCK" "$@"; }

# the path id of chain ID's entry in sfc_chains ("" while it has none)
head_of() {
	bpftool -j map lookup pinned "$PIN/sfc_chains" key $(($1 & 255)) $((($1 >> 8) & 255)) 0 0 \
		2>/dev/null | jq -r '.formatted.value.path_id // empty' 2>/dev/null
}

wait_until_fast() {	# SECONDS CMD...: poll every 10 ms
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.01
	done
}

# before_apply LABEL FILE: the time in FILE (ns) is before the apply
# replied (how long before, in ms, is > 0)
before_apply() {
	assert_gt "$1 (ms before the apply replied)" 0 \
		$((($(cat "$A_DONE") - $(cat "$2")) / 1000000))
}

d_init
command -v bpftool >/dev/null || { fail setup "missing tool bpftool"; assert_done; }
[[ -x $SFCCTL ]] || { fail setup "$SFCCTL missing: run make"; assert_done; }
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done

# chain x0 gets the first free id after web's
X0_ID=2
before=$(head_of $X0_ID)
d_api '{"cmd":"get"}' | jq -c --argjson n "$RULES" --argjson c "$CHAINS" '.doc |
	.chains += [range($c) | {"name": "x\(.)", "spi": (1000 + .), "hops": [["s1"], ["s2"]]}] |
	.rules += [range($n) | {"pref": (1000 + .), "in-dev": "fs0",
		"dst": "198.19.\(. / 256 | floor).\(. % 256)/32", "proto": "udp",
		"chain": "x\(. % $c)"}] | {"cmd": "apply", "doc": .}' >"$T/apply.req"

A_DONE=$T/apply.done
(timeout 120 socat -t 120 - "UNIX-CONNECT:$SOCK" <"$T/apply.req" >"$T/apply.rep"
 now >"$A_DONE") &
A_PID=$!
assert_ok "the apply is writing chains (x0 is in sfc_chains)" \
	wait_until_fast 60 eval "[[ \$(head_of $X0_ID) != '$before' ]]"

# bg NAME CMD...: CMD in the background, its output in $T/NAME.out, its
# exit status in $T/NAME.rc, the time it ended (ns) in $T/NAME.t
BG=()
bg() {
	local name=$1
	shift
	("$@" >"$T/$name.out" 2>&1; echo $? >"$T/$name.rc"; now >"$T/$name.t") &
	BG+=($!)
}

# a rule-add and a get behind it, on one connection
add_then_get() {
	printf '%s\n' '{"cmd":"rule-add","rule":{"in-dev":"fs0","dst":"198.18.2.0/24","proto":"udp","dport":7001,"chain":"web"}}' \
		'{"cmd":"get"}' | timeout 120 socat -t 120 - "UNIX-CONNECT:$SOCK"
}

# a stats reset, waiting as long as the apply takes
reset_stats() {
	echo '{"cmd":"stats","reset":true}' | timeout 120 socat -t 120 - "UNIX-CONNECT:$SOCK"
}

# a rule-add whose client hangs up at once
add_and_go() {
	echo '{"cmd":"rule-add","rule":{"pref":91,"in-dev":"fs0","dst":"198.18.2.0/24","proto":"udp","dport":7002,"chain":"web"}}' |
		socat -t 0 - "UNIX-CONNECT:$SOCK"
}

# --- reads, each on its own connection, all at once
bg chains ctl -j chain show
bg dump ctl dump
bg health ctl -j health
bg stats ctl -j stats
bg check d_api '{"cmd":"check","network":"n","container":"c","ifname":"eth0","role":"none"}'

# --- writes, sent while the apply runs
bg add ctl rule add pref 90 in-dev fs0 dst 198.18.2.0/24 proto udp dport 7000 chain web
bg raw add_then_get
bg reset reset_stats
# and one whose client hangs up without its reply
bg gone add_and_go
sleep 0.1	# they connect and send
bg dump2 ctl dump
wait "${BG[@]}"

wait "$A_PID"
assert_eq "the apply succeeded" true "$(jq -r .ok "$T/apply.rep" 2>/dev/null)"
printf '# the reads were answered %d ms or more before the apply replied\n' \
	$((($(cat "$A_DONE") - $(sort -n "$T"/{chains,dump,health,stats,check,dump2}.t | tail -n 1)) / 1000000))
before_apply "sfcctl chain show answered" "$T/chains.t"
assert_eq "chain show: the chains before the apply (web only)" web \
	"$(jq -r '[.[].name] | if length > 3 then "\(length) chains" else join(",") end' \
		"$T/chains.out" 2>/dev/null)"
before_apply "sfcctl dump answered" "$T/dump.t"
assert_eq "dump: the document before the apply (3 rules)" 3 \
	"$(jq '.rules | length' "$T/dump.out" 2>/dev/null)"
before_apply "sfcctl health answered" "$T/health.t"
assert_eq "health: sfcd's pid" "$SFCD_PID" "$(jq -r .pid "$T/health.out" 2>/dev/null)"
before_apply "sfcctl stats answered" "$T/stats.t"
assert_eq "stats: the SFs" "s1,s2" \
	"$(jq -r '[.sfs[]?.name] | sort | join(",")' "$T/stats.out" 2>/dev/null)"
before_apply "check answered" "$T/check.t"
assert_eq "check: ok (no attachment, role none)" true "$(jq -r .ok "$T/check.out" 2>/dev/null)"
before_apply "a dump sent after the writes answered" "$T/dump2.t"
assert_eq "that dump: without the rules the writes add" 3 \
	"$(jq '.rules | length' "$T/dump2.out" 2>/dev/null)"

assert_eq "sfcctl rule add: exit 0" 0 "$(cat "$T/add.rc")"
assert_eq "rule-add on the raw connection: ok" true \
	"$(sed -n 1p "$T/raw.out" | jq -r .ok 2>/dev/null)"
pref=$(sed -n 1p "$T/raw.out" | jq -r .pref 2>/dev/null)
assert_gt "rule-add: its pref after the apply's last rule" $((1000 + RULES - 1)) "$pref"
assert_eq "the get behind it: the apply's chains" $((CHAINS + 1)) \
	"$(sed -n 2p "$T/raw.out" | jq '.doc.chains | length' 2>/dev/null)"
assert_eq "the get behind it: its rule" 7001 \
	"$(sed -n 2p "$T/raw.out" | jq --argjson p "$pref" '.doc.rules[] | select(.pref == $p) | .dport' 2>/dev/null)"
assert_eq "stats reset: ok" true "$(jq -r .ok "$T/reset.out" 2>/dev/null)"

d_get >"$T/final.json"
assert_eq "after all: the apply's rules and the three added ones" $((RULES + 6)) \
	"$(jq '.rules | length' "$T/final.json" 2>/dev/null)"
assert_eq "after all: rule 90 (sfcctl)" 7000 \
	"$(jq '.rules[] | select(.pref == 90) | .dport' "$T/final.json" 2>/dev/null)"
assert_eq "after all: rule 91 (its client hung up while it waited)" 7002 \
	"$(jq '.rules[] | select(.pref == 91) | .dport' "$T/final.json" 2>/dev/null)"
assert_eq "after all: the state file holds it" "$(jq -S -c . "$T/final.json")" \
	"$(jq -S -c . "$STATE" 2>/dev/null)"
assert_eq "sfcd still runs, same pid" "$SFCD_PID" \
	"$(d_api '{"cmd":"health"}' | jq -r .pid 2>/dev/null)"
d_dump_log_on_failure
assert_done
