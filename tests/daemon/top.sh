#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# sfcctl top, run as an operator would: in a terminal (tmux, 110 x 40,
# on a tmux server of this test's own), against a sfcd whose chain "web"
# carries a numbered UDP stream of about 200 datagrams/s. The screen is
# read back: the title, chain web with a packet rate above zero, its hop
# table, both SFs up with their latency; an SF whose link goes down shows down on a later
# refresh; q ends it with status 0 and the terminal's normal screen back.
# Outside a terminal, top refuses and says what to use instead.
# Topology: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=$SFC_BIN_DIR/sfcctl
TMUX_SOCK=sfc-top-$$
tm() { tmux -L "$TMUX_SOCK" "$@"; }
tm_stop() { tm kill-server 2>/dev/null || true; }
screen() { tm capture-pane -p -t top 2>/dev/null; }

# wait_screen SECONDS ERE: the screen shows a line matching ERE within SECONDS
wait_screen() {
	local deadline=$((SECONDS + $1))
	while ((SECONDS < deadline)); do
		screen | grep -Eq "$2" && return 0
		sleep 0.2
	done
	return 1
}

d_init
command -v tmux >/dev/null || { fail setup "missing tool tmux (make deps installs it)"; assert_done; }
cleanup_push tm_stop
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
assert_do "receiver" d_recv_start tp "$CHAINED_PORT" 6000 1 hold || assert_done
d_send_bg tp "$CHAINED_PORT" 6000 0.005

tm -f /dev/null new-session -d -s top -x 110 -y 40 \
	"'$SFCCTL' -s '$SOCK' top -s 1; echo \"top exited \$?\"; sleep 30"
if wait_screen 8 '^chain web  spi 100  [1-9][0-9.]*k? pkt/s'; then
	pass "top shows chain web with its packet rate"
else
	fail "top shows chain web with its packet rate" "screen: $(screen | head -n 12 | tr '\n' '|')"
fi
screen >"$T/screen1"
assert_eq "the title line" 1 "$(grep -Ec '^sfc top  [0-9:]{8}  every 1 s   \(q quits\)' "$T/screen1")"
assert_eq "web's hop table" 1 "$(grep -Ec '^  HOP +SI +SFS +PKT/S +BIT/S +DROPS/S +BYPASSED/S' "$T/screen1")"
assert_eq "both hops listed with their SFs" 2 "$(grep -Ec '^ +[12] +[12] +s[12] +[1-9]' "$T/screen1")"
assert_eq "both SFs up" 2 "$(grep -Ec '^s[12] +up ' "$T/screen1")"
assert_eq "the SF table has the latency columns" 1 \
	"$(grep -Ec '^SF +STATE +TX-PKT/S +TX-BIT/S +RX-PKT/S +RX-BIT/S +LAT-P50 +P99$' "$T/screen1")"
assert_eq "both SFs show a latency with its unit" 2 \
	"$(grep -Ec '^s[12] +up .* [0-9.]+(ns|us|ms) +[0-9.]+(ns|us|ms)$' "$T/screen1")"
assert_eq "no line longer than the window" 0 "$(awk 'length > 110' "$T/screen1" | wc -l)"

ip -n "$FAB" link set f1a down
if wait_screen 6 '^s1 +down '; then
	pass "an SF whose link went down shows down"
else
	fail "an SF whose link went down shows down" "screen: $(screen | tr '\n' '|')"
fi
ip -n "$FAB" link set f1a up
tm send-keys -t top q
if wait_screen 5 '^top exited 0$'; then
	pass "q ends top with status 0"
else
	fail "q ends top with status 0" "screen: $(screen | tr '\n' '|')"
fi
assert_eq "the normal screen is back (top's view is gone)" 0 "$(screen | grep -c '^sfc top')"
tm_stop
d_send_stop tp
wait "$D_RECV_PID"

msg=$("$SFCCTL" -s "$SOCK" top count 1 2>&1 | cat)
assert_eq "outside a terminal: refused, saying what to use" \
	"sfcctl: top draws on a terminal, and standard output is not one; sfcctl stats -s [SECONDS] prints rates to a pipe or a file" \
	"$msg"
d_sfcd_stop TERM
assert_done
