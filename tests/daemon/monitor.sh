#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# sfcctl monitor against a real sfcd and datapath: one ping through chain
# "web" (s1 then s2) shows, in chain order, to-sf s1 at SI 2, to-sf s2
# at SI 1 (back from s1), then end (back from s2), with the chain's name
# and SPI, interfaces, hook, time, and the packet's headers; as text,
# as JSON lines with every field, and as a pcapng capture that tshark
# reads with one packet per event and the trace in its comments. A
# monitor of drops alone, beside another one (no filter in the datapath
# then), gets none of those. With s1's link down (on-failure drop) the
# ping's drop comes with its reason, hop-down-drop. Bad arguments are
# refused before anything is sent; an unknown chain or SF by sfcd. Once
# the monitor ends (count, SIGINT, or kill -9), the monitor bit of
# sfc_obs is off again and the latency bit is as it was.
# Topology: tests/daemon/lib.sh.

set -u
# shellcheck source=tests/daemon/lib.sh
. "$(dirname "$0")/lib.sh"

SFCCTL=$SFC_BIN_DIR/sfcctl
ctl() { timeout 30 "$SFCCTL" -s "$SOCK" "$@"; }

# mon_bg NAME ARGS...: a monitor in the background, its stdout in
# $T/NAME.out, stderr in $T/NAME.err; MON_PID
mon_bg() {
	local name=$1
	shift
	bg_run timeout 20 "$SFCCTL" -s "$SOCK" "$@" >"$T/$name.out" 2>"$T/$name.err"
	MON_PID=$BG_PID
}

# obs_byte N: byte N of sfc_obs from the pins, in decimal ("none": unreadable)
obs_byte() {
	local b
	b=$(bpftool -j map dump pinned "$PIN/sfc_obs" 2>/dev/null | jq -r ".[0].value[$1] // empty")
	[[ $b == 0x* ]] && echo $((16#${b#0x})) || echo none
}
obs_flags() { obs_byte 0; }
# obs_filter: "MONITOR-BIT:DROPS-ONLY-BIT:SAMPLE:CHAIN:SF" (low bytes)
obs_filter() {
	local f
	f=$(obs_flags)
	echo "$((f & 1)):$(((f >> 2) & 1)):$(obs_byte 4):$(obs_byte 8):$(obs_byte 12)"
}
monitor_bit() { local f; f=$(obs_flags); [[ $f == none ]] && echo none || echo $((f & 1)); }
monitor_on() { [[ $(monitor_bit) == 1 ]]; }
monitor_off() { [[ $(monitor_bit) == 0 ]]; }

# monitors_started N: sfcd logged N monitor starts since it started
monitors_started() { (($(grep -c 'monitors trace events' "$SFCD_LOG") >= $1)); }

ping1() { ip netns exec "$SRC" ping -c 1 -W 3 "$DST4" >/dev/null 2>&1; }

d_init
command -v tshark >/dev/null || { fail setup "missing tool tshark (make deps installs it)"; assert_done; }
command -v bpftool >/dev/null || { fail setup "missing tool bpftool"; assert_done; }
assert_do "topology" d_topo || assert_done
d_state_json drop >"$STATE"
assert_do "sfcd starts" d_sfcd_start || assert_done
# the neighbours resolved once: the pings below are each one exchange
ping1
latency0=$(( $(obs_flags) & 2 ))
assert_eq "sfc_obs: no monitor bit at start" 0 "$(monitor_bit)"

# ---- one chained ping, as JSON lines
mon_bg js -j monitor chain web count 6
started=1
wait_until 10 monitors_started $started
assert_eq "sfc_obs: the monitor bit while sfcctl monitor runs" 1 "$(monitor_bit)"
assert_ok "ping through chain web" ping1
wait "$MON_PID"; rc=$?
assert_eq "monitor count 6: exit 0" 0 "$rc"
assert_eq "six events (request and reply, three decisions each)" 6 \
	"$(jq -s 'length' "$T/js.out" 2>/dev/null)"
# ICMP type at byte 34 (Ethernet, IPv4 without options): 08 request, 00 reply
jq -c 'select(.packet[68:70] == "08")' "$T/js.out" >"$T/req.json"
assert_eq "the request: to-sf s1 at SI 2, to-sf s2 at SI 1 from s1, end from s2" \
	'[["to-sf","s1",2,null],["to-sf","s2",1,"s1"],["end",null,null,"s2"]]' \
	"$(jq -s -c '[.[] | [.verdict, .sf, (if .verdict == "to-sf" then .si else null end), .from_sf]]' \
		"$T/req.json")"
assert_eq "the request: received on fs0, f1b, f2b" '["fs0","f1b","f2b"]' \
	"$(jq -s -c '[.[].ifname]' "$T/req.json")"
assert_eq "the reply: the same chain, the same order" \
	'[["to-sf","s1",2],["to-sf","s2",1],["end",null,null]]' \
	"$(jq -s -c '[.[] | select(.packet[68:70] == "00") |
		[.verdict, .sf, (if .verdict == "to-sf" then .si else null end)]]' "$T/js.out")"
assert_eq "every event: chain web, SPI 100, len 98, a hook, an ifindex, 98 bytes captured" \
	'[true,true,true,true,true,true]' \
	"$(jq -s -c '[.[] | .chain == "web" and .spi == 100 and .len == 98 and
		(.hook | IN("xdp","tc-ingress","tc-egress")) and .ifindex > 0 and
		(.packet | length) == 196]' "$T/js.out")"
assert_eq "time: monotonic ns, in order; ts: RFC 3339 UTC with microseconds" true \
	"$(jq -s '[.[].time] as $t | ($t == ($t | sort)) and ($t[0] > 0) and
		all(.[]; .ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"))' \
		"$T/js.out")"
now=$(date -u +%s)
assert_eq "ts: within a minute of now" true \
	"$(jq -s --argjson now "$now" '.[0].ts | sub("\\.[0-9]+Z$"; "Z") | fromdate |
		. > $now - 60 and . <= $now + 1' "$T/js.out")"
assert_eq "summary: 6 events, 0 lost" 1 "$(grep -c '^6 events, 0 lost' "$T/js.err")"
wait_until 5 monitor_off
assert_eq "sfc_obs: monitor bit off once count was reached" 0 "$(monitor_bit)"
assert_eq "sfc_obs: the latency bit as it was" "$latency0" "$(( $(obs_flags) & 2 ))"

# ---- text
mon_bg txt monitor chain web count 3
started=$((started + 1))
wait_until 10 monitors_started $started
ping1
wait "$MON_PID"; rc=$?
assert_eq "text: exit 0" 0 "$rc"
re_time='[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}'
re_pkt='198\.18\.1\.1 > 198\.18\.2\.1 ICMP echo request id [0-9]+ seq 1 len 98'
if grep -Eq "^$re_time web spi 100 si 2 -> s1  fs0 (xdp|tc-ingress)  $re_pkt\$" "$T/txt.out" &&
	grep -Eq "^$re_time web spi 100 si 1 from s1 -> s2  f1b (xdp|tc-ingress)  $re_pkt\$" "$T/txt.out" &&
	grep -Eq "^$re_time web spi 100 si [0-9]+ from s2 end  f2b (xdp|tc-ingress)  $re_pkt\$" "$T/txt.out"; then
	pass "text: one line per decision, the headers decoded"
else
	fail "text: one line per decision, the headers decoded" "$(tr '\n' '|' <"$T/txt.out")"
fi

# ---- two monitors at once: no datapath filter; each filters its own
mon_bg all monitor count 6 -w "$T/cap.pcapng"
all_pid=$MON_PID
mon_bg drops -j monitor drops
drops_pid=$MON_PID
started=$((started + 2))
wait_until 10 monitors_started $started
assert_eq "sfc_obs: two monitors, no filter in the datapath" "1:0:0:0:0" "$(obs_filter)"
assert_eq "health: two monitors" 2 "$(d_api '{"cmd":"health"}' | jq '.monitors')"
ping1
wait "$all_pid"; rc=$?
kill -INT "$drops_pid"
wait "$drops_pid"; drc=$?
assert_eq "-w: exit 0" 0 "$rc"
assert_eq "-w: nothing on stdout" 0 "$(wc -c <"$T/all.out")"
assert_eq "monitor drops, stopped by SIGINT: exit 0" 0 "$drc"
assert_eq "monitor drops: no event of a ping that went through" 0 "$(wc -l <"$T/drops.out")"
assert_eq "monitor drops: its summary" 1 "$(grep -c '^0 events, 0 lost' "$T/drops.err")"
tshark -r "$T/cap.pcapng" -T fields -e frame.interface_name -e frame.comment -e icmp.type \
	>"$T/cap.txt" 2>"$T/tshark.err"
assert_eq "tshark reads the capture: six packets" "0:6" "$?:$(wc -l <"$T/cap.txt")"
assert_eq "tshark: the request's interfaces, trace comments (hook H, end's SI N)" \
	"fs0|chain web spi 100 si 2 to-sf s1 hook H
f1b|chain web spi 100 si 1 from s1 to-sf s2 hook H
f2b|chain web spi 100 si N from s2 end hook H" \
	"$(awk -F'\t' '$3 == 8 { print $1 "|" $2 }' "$T/cap.txt" |
		sed -E 's/ hook (xdp|tc-ingress|tc-egress)$/ hook H/; s/ si [0-9]+ from s2 end/ si N from s2 end/')"
wait_until 5 monitor_off
assert_eq "sfc_obs: monitor bit off after both" 0 "$(monitor_bit)"

# ---- a drop and its reason: s1's link down, on-failure drop
ip -n "$FAB" link set dev f1a down
s1_down() { [[ $(d_stats | jq -r '.sfs[]? | select(.name == "s1") | .up') == false ]]; }
assert_do "s1 is down once its link is" wait_until 10 s1_down
mon_bg drop -j monitor drops count 1
started=$((started + 1))
wait_until 10 monitors_started $started
assert_eq "sfc_obs: a sole monitor's drops-only filter in the datapath" 5 "$(( $(obs_flags) & 5 ))"
ip netns exec "$SRC" ping -c 1 -W 1 "$DST4" >/dev/null 2>&1
wait "$MON_PID"; rc=$?
assert_eq "monitor drops count 1: exit 0" 0 "$rc"
assert_eq "the ping's drop: chain web, SI 2, reason hop-down-drop, on fs0" \
	'["drop","web",2,"hop-down-drop","fs0"]' \
	"$(jq -c '[.verdict, .chain, .si, .reason, .ifname]' "$T/drop.out" 2>/dev/null)"
ip -n "$FAB" link set dev f1a up

# ---- kill -9 of a monitor: sfcd notices, the bit goes off
# sfcctl itself, not under timeout(1): the kill is for it (the cleanup
# ends it if the test stops before)
bg_run "$SFCCTL" -s "$SOCK" monitor chain web sf s2 sample 4 >"$T/k.out" 2>"$T/k.err"
MON_PID=$BG_PID
started=$((started + 1))
wait_until 10 monitors_started $started
assert_do "sfc_obs: the monitor bit on" wait_until 5 monitor_on
# ids: chain web and SF s2 are the first ids sfcd gave (1 and 2)
assert_eq "sfc_obs: a sole monitor's chain, SF and sampling in the datapath" "1:0:4:1:2" \
	"$(obs_filter)"
{ kill -KILL "$MON_PID"; wait "$MON_PID"; } 2>/dev/null
assert_do "sfc_obs: the monitor bit off after kill -9 of sfcctl monitor" wait_until 5 monitor_off
assert_eq "sfcd still answers" true "$(d_api '{"cmd":"health"}' | jq '.ok')"

# ---- a monitor that does not read: it loses events, sfcd holds at most
# SFC_MONITOR_QUEUE_MAX (1 MiB) for it and answers the others meanwhile
rm -f "$T/slow.ready" "$T/slow.go"
bg_run timeout 60 "$PY" "$D_LIB_DIR/monitor_slow.py" "$SOCK" "$T/slow.ready" "$T/slow.go" \
	>"$T/slow.json"
slow_pid=$BG_PID
wait_until 10 test -e "$T/slow.ready"
# 1500 echoes and their replies: 9000 decisions, about 3.7 MB of events
ip netns exec "$SRC" ping -q -c 1500 -i 0.002 -W 1 "$DST4" >/dev/null 2>&1
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$SFCD_PID/status")
assert_eq "sfcd answers while a monitor does not read" true "$(d_api '{"cmd":"health"}' | jq '.ok')"
touch "$T/slow.go"
wait "$slow_pid"
echo "# slow monitor: $(cat "$T/slow.json"); sfcd VmRSS $rss kB"
assert_eq "the slow monitor: events lost, and said so in a loss report" true \
	"$(jq '.ack == true and .last.lost > 0 and .events > 0' "$T/slow.json" 2>/dev/null)"
# (a few more on a loaded host: the echoes of the part before may still be
# crossing the chain when this monitor starts; one run counted 9004)
assert_eq "the slow monitor: what it got and lost add up to the 9000 decisions" true \
	"$(jq '(.events + .last.lost + .last.lost_datapath) as $n | $n <= 9050 and $n >= 8000' \
		"$T/slow.json" 2>/dev/null)"
assert_eq "the slow monitor: about 1 MiB of events kept for it (fewer than 4000)" true \
	"$(jq '.events < 4000' "$T/slow.json" 2>/dev/null)"
assert_eq "sfcd's memory stayed small (under 64 MiB)" 1 "$((rss < 65536))"
assert_do "sfc_obs: the monitor bit off after the slow monitor" wait_until 5 monitor_off

# ---- refusals
msg=$(ctl monitor chain nope 2>&1); rc=$?
assert_eq "an unknown chain: exit 1, named" '1:sfcctl: monitor: no chain named "nope"' "$rc:$msg"
msg=$(ctl monitor sf nope 2>&1); rc=$?
assert_eq "an unknown SF: exit 1, named" '1:sfcctl: monitor: no SF named "nope"' "$rc:$msg"
msg=$(ctl monitor sample 0 2>&1); rc=$?
assert_eq "sample 0: refused" '1:sfcctl: monitor: sample "0": expected an integer from 1 to 1000000' \
	"$rc:$msg"
msg=$(ctl monitor count abc 2>&1); rc=$?
assert_eq "count abc: refused" \
	'1:sfcctl: monitor: count "abc": expected an integer from 1 to 1000000000' "$rc:$msg"
msg=$(ctl monitor -w 2>&1); rc=$?
assert_eq "-w without FILE: refused" '1:sfcctl: monitor: "-w" needs a value (FILE)' "$rc:$msg"
msg=$(ctl monitor speed 3 2>&1); rc=$?
assert_eq "an unknown keyword: refused" \
	'1:sfcctl: monitor: unknown keyword "speed" (expected chain, sf, drops, sample, count, -w)' \
	"$rc:$msg"
msg=$(ctl monitor -w /nonexistent/dir/cap.pcapng count 1 2>&1); rc=$?
assert_eq "-w into a missing directory: refused" \
	'1:sfcctl: monitor: -w /nonexistent/dir/cap.pcapng: No such file or directory' "$rc:$msg"
assert_eq "sfcd: a sample of 0 refused in the API too" \
	'monitor: "sample" is an integer from 1 to 4294967295 (one event in N)' \
	"$(d_api '{"cmd":"monitor","sample":0}' | jq -r '.error')"
wait_until 5 monitor_off
assert_eq "sfc_obs: no monitor bit after all that" 0 "$(monitor_bit)"

d_sfcd_stop TERM
assert_done
