#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks sfcctl against a real sfcd: every object and command, text and
# JSON output (checked with jq), every error path (message names the token
# and what was expected, exit status 1, document unchanged), batch files
# with an error on a known line, with and without -force, and that dump ->
# apply is a no-op.
#
# sfcd runs in a throwaway network namespace (nsenter --net, so the host's
# /sys/fs/bpf stays visible), with veth interfaces for the ingress and SFs.
# One line per check: "PASS name" or "FAIL name: why". Exit status 1 if any
# check failed.

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD

NS=${NS_PREFIX:-sfc-cli-$$-}fab
PIN=/sys/fs/bpf/sfc-cli-$$
SOCK=/tmp/sfc-cli-$$.sock
T=$(mktemp -d /tmp/sfc-cli-$$.XXXXXX) || exit 1
STATE=$T/state.json
SFCD_PID=

# shellcheck source=tests/lib/assert.sh
. "$ROOT/tests/lib/assert.sh"

cleanup() {
	local rc=$?
	set +e
	if [[ -n $SFCD_PID ]]; then
		kill "$SFCD_PID" 2>/dev/null
		for _ in $(seq 30); do
			kill -0 "$SFCD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SFCD_PID" 2>/dev/null
		wait "$SFCD_PID" 2>/dev/null
	fi
	[[ -e $PIN ]] && "$ROOT/build/sfcd" --unload -P "$PIN" >/dev/null 2>&1
	[[ -e $PIN ]] && rm -rf -- "$PIN"
	ip netns del "$NS" 2>/dev/null
	rm -f -- "$SOCK"
	rm -rf -- "$T"
	return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SFCCTL=$ROOT/build/sfcctl

# ctl ARGS...: sfcctl on our socket; output in $OUT, errors in $ERR, status in $RC
ctl() {
	"$SFCCTL" -s "$SOCK" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	return $RC
}

# ok NAME ARGS...: the command succeeds and writes nothing to stderr
ok() {
	local name=$1
	shift
	if ctl "$@" && [[ -z $ERR ]]; then
		pass "$name"
		return 0
	fi
	fail "$name" "sfcctl $* -> status $RC, stderr '$ERR'"
	return 1
}

# expect NAME WHY CMD...: PASS if CMD succeeds, else FAIL with WHY
expect() {
	local name=$1 why=$2
	shift 2
	if "$@"; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

# doc: the current document, one line
doc() { "$SFCCTL" -s "$SOCK" -j dump 2>/dev/null; }

# err NAME EXPECTED ARGS...: the command fails with status 1, stderr is
# "sfcctl: EXPECTED" (EXPECTED may end in * for a prefix match), stdout is
# empty, and the document did not change.
err() {
	local name=$1 exp=$2 before after
	shift 2
	before=$(doc)
	ctl "$@"
	after=$(doc)
	if ((RC != 1)); then
		fail "$name" "sfcctl $* -> status $RC (expected 1), stderr '$ERR'"
	elif [[ $exp == *'*' && $ERR != "sfcctl: ${exp%\*}"* ]] ||
		[[ $exp != *'*' && $ERR != "sfcctl: $exp" ]]; then
		fail "$name" "stderr '$ERR', expected 'sfcctl: $exp'"
	elif [[ -n $OUT ]]; then
		fail "$name" "printed '$OUT' on stdout"
	elif [[ $before != "$after" ]]; then
		fail "$name" "the document changed"
	else
		pass "$name"
		return 0
	fi
	return 1
}

# jq_eq NAME FILTER EXPECTED: jq -c FILTER on $OUT
jq_eq() {
	local got
	got=$(jq -c "$2" <<<"$OUT" 2>&1)
	if [[ $got == "$3" ]]; then
		pass "$1"
	else
		fail "$1" "jq '$2': expected '$3', got '$got'"
	fi
}

# has NAME REGEX: $OUT has a line matching REGEX
has() {
	if grep -qE -- "$2" <<<"$OUT"; then
		pass "$1"
	else
		fail "$1" "no line matching '$2' in: $(tr '\n' '|' <<<"$OUT")"
	fi
}

# ---- setup -----------------------------------------------------------------

if ((EUID != 0)); then
	fail setup "needs root (network namespaces, BPF)"
	exit 1
fi
for f in build/sfcd build/sfcctl; do
	[[ -x $f ]] || { fail setup "$f not built (run make)"; exit 1; }
done
command -v jq >/dev/null || { fail setup "jq is not installed"; exit 1; }

ip netns add "$NS" || { fail setup "ip netns add $NS"; exit 1; }
ip -n "$NS" link set lo up
# up0: ingress; s0..s5: SF interfaces (the peers stand for the SFs)
for dev in up0 s0 s1 s2 s3 s4 s5; do
	if ! ip -n "$NS" link add "$dev" type veth peer name "${dev}p" ||
		! ip -n "$NS" link set "$dev" up || ! ip -n "$NS" link set "${dev}p" up; then
		fail setup "veth $dev"
		exit 1
	fi
done
ip -n "$NS" addr add 198.18.0.1/24 dev up0
ip -n "$NS" -6 addr add 2001:db8::1/64 dev up0 nodad

nsenter --net="/run/netns/$NS" "$ROOT/build/sfcd" -f "$STATE" -P "$PIN" -s "$SOCK" \
	>"$T/sfcd.log" 2>&1 &
SFCD_PID=$!
for _ in $(seq 100); do
	[[ -S $SOCK ]] && break
	kill -0 "$SFCD_PID" 2>/dev/null || break
	sleep 0.1
done
if ctl -j health && [[ $(jq -r .pid <<<"$OUT") == "$SFCD_PID" ]]; then
	pass "sfcd starts and answers health"
else
	fail "sfcd starts and answers health" "$ERR; log: $(tail -3 "$T/sfcd.log" | tr '\n' '|')"
	exit 1
fi
ok "health text" health && has "health text shows pid" "^pid +$SFCD_PID\$"

# ---- help ------------------------------------------------------------------

ok "help" help && has "help lists the objects" '^  chain +'
ok "chain help" chain help && has "chain help lists set" '^  sfcctl chain set NAME'
ok "rule add help" rule add help &&
	has "rule add help lists dport" '\[dport P\[-P\]\]'
ok "stats help" stats help && has "stats help shows reset" '\[reset\]'
ok "-h" -h

# help_ok NAME REGEX ARGS...: prints help matching REGEX and exits 0 without
# contacting sfcd (the socket given does not exist)
help_ok() {
	local name=$1 re=$2
	shift 2
	"$SFCCTL" -s "$T/no-such.sock" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	if ((RC != 0)) || [[ -n $ERR ]]; then
		fail "$name" "sfcctl $* -> status $RC, stderr '$ERR'"
	elif ! grep -qE -- "$re" <<<"$OUT"; then
		fail "$name" "no line matching '$re' in: $(tr '\n' '|' <<<"$OUT")"
	else
		pass "$name"
	fi
}
help_ok "help: stats reset help" '^  sfcctl stats \[chain NAME\]' stats reset help
help_ok "help: chain add x help" '^  sfcctl chain add NAME hop' chain add x help
help_ok "help: sf -h" '^  sfcctl sf del NAME$' sf -h
help_ok "help: sf --help" '^  sfcctl sf show \[NAME\]$' sf --help
help_ok "help: apply --help" '^  sfcctl apply -f FILE \[--dry-run\]$' apply --help
help_ok "help: sf add help" '^  sfcctl sf add NAME kind iface dev IFNAME' sf add help
help_ok "help: sf add -h ..." '^  sfcctl sf add NAME kind iface dev IFNAME' \
	sf add -h kind iface dev s5
help_ok "help: rule del pref 3 --help" '^  sfcctl rule del pref N$' rule del pref 3 --help
help_ok "help: group help" '^  sfcctl group add NAME$' group help
help_ok "help: help sf add" '^  sfcctl sf add NAME' help sf add
help_ok "help: -j chain show -h" '^  sfcctl chain show \[NAME\]$' -j chain show -h

# ---- ingress ---------------------------------------------------------------

ok "ingress add" ingress add dev up0
ok "ingress show -j" -j ingress show && jq_eq "ingress show -j lists up0" 'map(.dev)' '["up0"]'
ok "ingress show" ingress show && has "ingress show text" '^up0$'
ok "ingress (default show)" ingress && has "ingress defaults to show" '^up0$'

# ---- sf --------------------------------------------------------------------

ok "sf add one-arm" sf add fw kind iface dev s0
ok "sf add two-arm with mac" sf add fw2 kind iface dev s1 out-dev s2 mac 02:00:00:00:00:01
ok "sf add ids" sf add ids kind iface dev s3
ok "sf add spare" sf add spare kind iface dev s4
ok "sf show -j NAME" -j sf show fw2 &&
	jq_eq "sf show -j has every field" \
		'.[0] | [.name, .kind, .dev, ."out-dev", .mac]' \
		'["fw2","iface","s1","s2","02:00:00:00:00:01"]'
ok "sf show -j" -j sf show && jq_eq "sf show -j lists all SFs" 'map(.name)' '["fw","fw2","ids","spare"]'
jq_eq "sf show -j has link state" 'map(.up) | all' 'true'
ok "sf show" sf show
has "sf show text header" '^NAME +KIND +DEV +OUT-DEV +MAC +GROUP +STATE$'
has "sf show text row aligned" '^fw2 +iface +s1 +s2 +02:00:00:00:00:01 +- +up$'
# "-h" and "help" are never names, whatever follows them
before=$(doc)
ok "sf add -h ... is help" sf add -h kind iface dev s5 && has "sf add -h prints help" '^Usage:$'
ok "sf add help ... is help" sf add help kind iface dev s5
expect "sf add -h made no SF" "document changed" test "$(doc)" = "$before"
ok "sf del" sf del spare
ok "sf show after del" -j sf show && jq_eq "sf del removed it" 'map(.name)' '["fw","fw2","ids"]'

# ---- chain -----------------------------------------------------------------

ok "chain add, spi chosen" chain add web hop fw,fw2 hop ids
ok "chain add on-failure" chain add c2 hop ids on-failure bypass
ok "chain add spi" chain add c5 hop fw spi 5
ok "chain add, lowest free spi" chain add c3 hop fw
ok "chain show -j" -j chain show
jq_eq "chain show -j spis" 'map([.name, .spi])' '[["web",1],["c2",2],["c5",5],["c3",3]]'
jq_eq "chain show -j hops" '.[0].hops' '[["fw","fw2"],["ids"]]'
jq_eq "chain show -j on-failure default" 'map(."on-failure")' '["drop","bypass","drop","drop"]'
ok "chain set hops" chain set web hop ids hop fw,fw2
ok "chain show -j NAME" -j chain show web &&
	jq_eq "chain set replaced the hops, kept spi" '.[0] | [.spi, .hops]' '[1,[["ids"],["fw","fw2"]]]'
ok "chain set on-failure" chain set c2 on-failure drop
ok "chain show c2" -j chain show c2 && jq_eq "chain set kept the hops" '.[0] | [."on-failure", .hops]' '["drop",[["ids"]]]'
ok "chain del" chain del c5
ok "chain show" chain show
has "chain show text header" '^NAME +SPI +ON-FAILURE +HOPS$'
has "chain show text row" '^web +1 +drop +ids -> fw,fw2$'
ok "chain show -j -p" -j -p chain show
if [[ $(wc -l <<<"$OUT") -gt 5 ]] && jq -e . <<<"$OUT" >/dev/null; then
	pass "-p indents JSON"
else
	fail "-p indents JSON" "$OUT"
fi

# ---- rule ------------------------------------------------------------------

ok "rule add" rule add pref 10 src 198.18.0.0/24 proto tcp dport 80-90 chain web
ok "rule add, pref chosen" rule add dst 2001:db8::/32 chain c2
ok "rule add in-dev sport" rule add pref 5 in-dev up0 proto udp sport 53 chain c2
ok "rule add proto number" rule add pref 7 proto 132 dport 9 chain c3
ok "rule show -j" -j rule show
jq_eq "rule show -j in pref order" 'map(.pref)' '[5,7,10,20]'
jq_eq "rule show -j fields" '.[2] | [.src, .proto, .dport, .chain]' '["198.18.0.0/24","tcp","80-90","web"]'
ok "rule del" rule del pref 7
ok "rule show" rule show
has "rule show text header" '^PREF +IN-DEV +SRC +DST +PROTO +SPORT +DPORT +CHAIN$'
has "rule show text row" '^ +10 +any +198\.18\.0\.0/24 +any +tcp +any +80-90 +web$'
has "rule show text in-dev" '^ +5 +up0 +any +any +udp +53 +any +c2$'

# ---- stats -----------------------------------------------------------------

ok "stats -j" -j stats
jq_eq "stats -j chains" '[.chains[].name]' '["web","c2","c3"]'
jq_eq "stats -j chain counters" \
	'.chains[] | select(.name == "web") | [.spi, (.packets|type), (.bytes|type)]' \
	'[1,"number","number"]'
jq_eq "stats -j hop counters" \
	'.chains[] | select(.name == "web") | .hops | map([.hop, .si, .sfs, (.packets|type), (.drops|type), (.bypassed|type)])' \
	'[[1,2,[["ids"]],"number","number","number"],[2,1,[["fw","fw2"]],"number","number","number"]]'
jq_eq "stats -j sf counters" \
	'.sfs | map(select(.name == "fw2"))[0] | [.up, (.tx_packets|type), (.rx_bytes|type)]' \
	'[true,"number","number"]'
jq_eq "stats -j reasons by name" \
	'.reasons | map(select(.name == "hop-down-drop")) | length' '1'
ok "stats -j chain NAME" -j stats chain web &&
	jq_eq "stats chain NAME shows only it" '[(.chains | map(.name)), has("sfs"), has("reasons")]' '[["web"],false,false]'
ok "stats -j sf NAME" -j stats sf ids &&
	jq_eq "stats sf NAME shows only it" '[(.sfs | map(.name)), has("chains")]' '[["ids"],false]'
ok "stats" stats
has "stats text chain line" '^chain web  spi 1  packets [0-9]+  bytes [0-9]+$'
has "stats text hop header" '^  HOP +SI +SFS +PACKETS +BYTES +DROPS +BYPASSED$'
has "stats text hop row" '^ +2 +1 +fw,fw2( +[0-9]+){4}$'
has "stats text sf header" '^SF +STATE +TX-PACKETS +TX-BYTES +RX-PACKETS +RX-BYTES$'
has "stats text reasons" '^(REASON +CODE +COUNT|no drops or exceptions counted)$'
ok "stats reset" stats reset
ok "stats chain reset" stats chain web reset
ok "stats sf reset" stats sf fw reset
ok "stats after reset" -j stats chain web &&
	jq_eq "stats reset zeroes the chain" '.chains[0] | [.packets, .bytes]' '[0,0]'

# ---- errors ----------------------------------------------------------------

err "error: missing SF in hop" 'chain "bad": hop 2: no SF named "ids9"' \
	chain add bad hop fw hop ids9
err "error: unknown keyword" \
	'rule add: unknown keyword "dprot" (expected pref, in-dev, src, dst, proto, sport, dport, chain)' \
	rule add dprot 80 chain web
err "error: SF in use" 'SF "ids" is used by chain "web" hop 1' sf del ids
err "error: chain in use" 'chain "web" is used by rule pref 10' chain del web
err "error: SF exists" 'SF "fw" already exists' sf add fw kind iface dev s5
err "error: chain exists" 'chain "web" already exists' chain add web hop fw
err "error: spi taken" 'chain "x": spi 1 already used by chain "web"' chain add x hop fw spi 1
err "error: spi range" 'chain add: spi "0": expected an integer from 1 to 16777215' \
	chain add x hop fw spi 0
err "error: spi not a number" 'chain add: spi "1x": expected an integer from 1 to 16777215' \
	chain add x hop fw spi 1x
err "error: on-failure value" 'chain add: on-failure "x": expected drop or bypass' \
	chain add x hop fw on-failure x
err "error: empty SF in hop" \
	'chain add: hop 2 "fw,,ids": empty SF name (expected SF[,SF...])' \
	chain add x hop fw hop fw,,ids
err "error: chain without hop" 'chain add: missing "hop SF|GROUP[,...]"' chain add x
err "error: chain add without name" 'chain add: expected NAME before "hop"' chain add hop fw
err "error: chain set nothing" 'chain set: nothing to change (expected hop, spi or on-failure)' \
	chain set web
err "error: chain set unknown chain" 'no chain*' chain set nosuch hop fw
err "error: chain del unknown" 'no chain*' chain del nosuch
err "error: prefix host bits" \
	'rule add: src "198.18.0.1/24": host bits are set beyond the prefix length' \
	rule add src 198.18.0.1/24 chain web
err "error: prefix syntax" \
	'rule add: dst "198.18.0/33": expected an IPv4 or IPv6 prefix (198.18.0.0/24, 2001:db8::/64)' \
	rule add dst 198.18.0/33 chain web
err "error: proto" 'rule add: proto "tcpp": expected tcp, udp, sctp, icmp, icmpv6 or 0-255' \
	rule add proto tcpp chain web
err "error: port range" 'rule add: dport "90-80": expected a port 0-65535 or a range LOW-HIGH' \
	rule add proto tcp dport 90-80 chain web
err "error: ports without proto" 'rule add: sport: ports need proto tcp, udp or sctp' \
	rule add sport 80 chain web
err "error: ports with pref" 'rule pref 99: dport: ports need proto tcp, udp or sctp' \
	rule add pref 99 dport 80 chain web
err "error: rule to missing chain" 'rule add: chain: no chain named "nochain"' \
	rule add chain nochain
err "error: icmp with IPv6" 'rule pref 98: proto: icmp does not match IPv6 prefixes' \
	rule add pref 98 dst 2001:db8::/32 proto icmp chain web
err "error: rule pref exists" 'rule pref 10 already exists' rule add pref 10 chain web
err "error: rule without chain" 'rule add: missing "chain NAME"' rule add pref 3
err "error: keyword twice" 'rule add: "src" given twice' \
	rule add src 198.18.0.0/24 src 198.18.1.0/24 chain web
err "error: rule del unknown" 'no rule with pref 12345' rule del pref 12345
err "error: rule del without pref" 'rule del: missing "pref N"' rule del
err "error: SF kind" 'sf add: kind "nsh": expected iface' sf add y kind nsh dev s5
err "error: SF without name" 'sf add: expected NAME before "kind"' sf add kind iface dev s5
err "error: SF without dev" 'sf add: missing "dev IFNAME"' sf add y kind iface
err "error: SF mac" 'sf add: mac "zz": expected a MAC address (aa:bb:cc:dd:ee:ff)' \
	sf add y kind iface dev s5 mac zz
err "error: SF mac zero" \
	'sf add: mac "00:00:00:00:00:00": the all-zero MAC is not an address' \
	sf add y kind iface dev s5 mac 00:00:00:00:00:00
err "error: SF mac broadcast" \
	'sf add: mac "ff:ff:ff:ff:ff:ff": a broadcast MAC cannot address one SF' \
	sf add y kind iface dev s5 mac ff:ff:ff:ff:ff:ff
err "error: SF mac multicast" \
	'sf add: mac "01:00:5e:00:00:01": a multicast MAC (first octet odd) cannot address one SF' \
	sf add y kind iface dev s5 mac 01:00:5e:00:00:01
err "error: name starts with -" \
	"sf add: NAME \"-y\": a name cannot start with '-' (it would read as an option)" \
	sf add -y kind iface dev s5
err "error: name with a comma" \
	"sf add: NAME \"y,z\": a name cannot hold ',' (it separates SFs in a hop)" \
	sf add y,z kind iface dev s5
err "error: name with a space" 'sf add: NAME "y z": a name cannot hold spaces' \
	sf add "y z" kind iface dev s5
err "error: name with a control character" \
	"sf add: NAME \"y"$'\x01'"z\": a name cannot hold control characters (byte 0x01)" \
	sf add y$'\x01'z kind iface dev s5
err "error: group name starts with -" \
	"sf add: group \"-g\": a name cannot start with '-' (it would read as an option)" \
	sf add y kind iface dev s5 group -g
err "error: chain name with a comma" \
	"chain add: NAME \"a,b\": a name cannot hold ',' (it separates SFs in a hop)" \
	chain add a,b hop fw
err "error: hop name starts with -" \
	"chain add: hop 1 \"-x\": a name cannot start with '-' (it would read as an option)" \
	chain add x hop fw,-x
err "error: interface name" \
	'sf add: dev "a-very-long-interface-name": expected an interface name of 1 to 15 characters' \
	sf add y kind iface dev a-very-long-interface-name
err "error: name too long" \
	'sf add: NAME "abcdefghijabcdefghijabcdefghijabc": name longer than 31 characters' \
	sf add abcdefghijabcdefghijabcdefghijabc kind iface dev s5
err "error: SF del unknown" 'no SF named "nosuch"' sf del nosuch
err "error: missing value" 'ingress add: "dev" needs a value (IFNAME)' ingress add dev
err "error: ingress twice" 'ingress point "up0" already exists' ingress add dev up0
err "error: ingress del unknown" 'no ingress point on "up9"' ingress del dev up9
err "error: unknown object" \
	'unknown object "chian" (expected ingress, group, sf, chain, rule, stats, apply, diff, dump, health, help)' \
	chian show
err "error: unknown command" 'chain: unknown command "ad" (expected add, set, del, show, help)' \
	chain ad web hop fw
err "error: no prefix matching" 'chain: unknown command "sh" (expected add, set, del, show, help)' \
	chain sh
err "error: extra argument" 'rule show: unexpected argument "extra"' rule show extra
err "error: stats unknown chain" 'no chain named "nope"' stats chain nope
err "error: stats unknown SF" 'no SF named "nope"' stats sf nope
err "error: stats chain and sf" 'stats: chain and sf exclude each other' stats chain web sf fw
err "error: stats reset unknown chain" 'no chain named "nope"' stats chain nope reset
err "error: show unknown chain" 'no chain named "nope"' chain show nope
err "error: show unknown SF" 'no SF named "nope"' sf show nope
err "error: unknown option" \
	'unknown option "-x" (expected -j, -p, -s SOCKET, -b FILE, -force, -h)' -x chain show
err "error: no object" 'missing OBJECT*' -j

# the socket
ctl -s /tmp/sfc-cli-$$-none.sock chain show
if ((RC == 1)) &&
	[[ $ERR == "sfcctl: cannot reach sfcd at /tmp/sfc-cli-$$-none.sock: No such file or directory (is sfcd running? try -s SOCKET)" ]]; then
	pass "error: socket missing names it and hints"
else
	fail "error: socket missing names it and hints" "status $RC, '$ERR'"
fi
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	cp "$SFCCTL" "$T/sfcctl" && chmod 755 "$T" "$T/sfcctl"
	asnobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/sfcctl" -s "$SOCK" "$@"; }
	e=$(asnobody chain show 2>&1)
	rc=$?
	if ((rc == 1)) && [[ $e == "sfcctl: $SOCK: permission denied (sfcd serves root and members of group \"sfc\")" ]]; then
		pass "error: socket permission denied"
	else
		fail "error: socket permission denied" "status $rc, '$e'"
	fi
	# sfcd's own peer check, behind a socket anyone may open
	mode=$(stat -c %a "$SOCK")
	chmod 666 "$SOCK"
	e=$(asnobody chain show 2>&1)
	rc=$?
	chmod "$mode" "$SOCK"
	if ((rc == 1)) && [[ $e == "sfcctl: permission denied: uid "*" is neither root nor in group sfc" ]]; then
		pass "error: sfcd refuses the peer"
	else
		fail "error: sfcd refuses the peer" "status $rc, '$e'"
	fi
fi

# ---- dump, diff, apply -----------------------------------------------------

ok "dump" dump && printf '%s\n' "$OUT" >"$T/doc.json"
if jq -e '.version == 1 and (.chains | length) == 3' "$T/doc.json" >/dev/null; then
	pass "dump is the document"
else
	fail "dump is the document" "$(head -c 300 "$T/doc.json")"
fi
ok "dump -j" -j dump &&
	expect "dump -j is one line" "$(wc -l <<<"$OUT") lines" test "$(wc -l <<<"$OUT")" = 1
ok "diff of dump" diff -f "$T/doc.json" && has "diff of dump: no changes" '^no changes$'
ok "diff -j of dump" -j diff -f "$T/doc.json" &&
	jq_eq "diff -j of dump is empty" '[.[][][]] | length' '0'
ok "apply of dump" apply -f "$T/doc.json" && has "dump -> apply is a no-op" '^no changes$'

jq '.sfs += [{"name": "n1", "kind": "iface", "dev": "s5"}]
    | .chains |= map(if .name == "web" then .hops = [["fw"]] else . end)
    | .rules |= map(select(.pref != 5))' "$T/doc.json" >"$T/doc2.json"
ok "diff" diff -f "$T/doc2.json"
if [[ $OUT == $'+ sf n1\n~ chain web\n- rule pref 5' ]]; then
	pass "diff text shows + ~ -"
else
	fail "diff text shows + ~ -" "$(tr '\n' '|' <<<"$OUT")"
fi
ok "diff -j" -j diff -f "$T/doc2.json" &&
	jq_eq "diff -j" '[.added.sfs, .changed.chains, .removed.rules]' '[["n1"],["web"],[5]]'
before=$(doc)
ok "apply --dry-run" -j apply -f "$T/doc2.json" --dry-run &&
	jq_eq "apply --dry-run -j" '[.applied, .diff.added.sfs]' '[false,["n1"]]'
expect "apply --dry-run changes nothing" "document changed" test "$(doc)" = "$before"
ok "apply --dry-run text" apply -f "$T/doc2.json" --dry-run &&
	has "apply --dry-run text says so" '^dry run: nothing applied$'
ok "apply" apply -f "$T/doc2.json" && has "apply prints the changes" '^\+ sf n1$'
ok "apply result" -j chain show web && jq_eq "apply changed the chain" '.[0].hops' '[["fw"]]'
ok "apply back from stdin" apply -f - <"$T/doc.json"
ok "diff after apply back" -j diff -f "$T/doc.json" &&
	jq_eq "apply back restored the document" '[.[][][]] | length' '0'

printf '{\n  "version": 1,\n  "sfs": [,]\n}\n' >"$T/broken.json"
err "error: broken JSON has line and column" \
	"$T/broken.json: line 3, column 11: unexpected token near ','" apply -f "$T/broken.json"
err "error: diff of broken JSON" "$T/broken.json: line 3, column 11: *" diff -f "$T/broken.json"
jq '.sfs += [{"name": "n2", "kind": "iface", "dev": "s5"}]
    | .chains[0].hops += [["n2", "ids9"]]' "$T/doc.json" >"$T/bad.json"
err "error: apply is all or nothing" \
	"$T/bad.json: chain \"web\": hop 3: no SF named \"ids9\"" apply -f "$T/bad.json"
jq '.chains[0].hop = 1' "$T/doc.json" >"$T/bad2.json"
err "error: apply unknown key" "$T/bad2.json: chain \"web\": unknown key \"hop\"" \
	apply -f "$T/bad2.json"
err "error: apply missing file" "$T/nosuch.json: No such file or directory" apply -f "$T/nosuch.json"
echo '[]' >"$T/arr.json"
err "error: apply not an object" "$T/arr.json: expected a JSON object (the desired-state document)" \
	apply -f "$T/arr.json"
err "error: apply without -f" 'apply: missing "-f FILE"' apply
err "error: apply keyword" 'apply: unknown keyword "--dryrun" (expected -f, --dry-run)' \
	apply -f "$T/doc.json" --dryrun

# ---- group -----------------------------------------------------------------

# group show reads the document: members are SFs whose "group" names it,
# users are the chain hops that name it
jq '.groups = [{"name": "ga"}, {"name": "gb"}]
    | .sfs += [{"name": "m1", "kind": "iface", "dev": "s5", "group": "ga"},
               {"name": "m2", "kind": "iface", "dev": "s4", "group": "ga"}]
    | .chains += [{"name": "gchain", "spi": 4000, "hops": [["ga"], ["ids"]]},
                  {"name": "gchain2", "spi": 4001, "hops": [["fw"], ["ga"]]}]' \
	"$T/doc.json" >"$T/groups.json"
ok "group: apply a document with groups" apply -f "$T/groups.json"
ok "group show -j" -j group show &&
	jq_eq "group show -j lists groups, members and users" '.' \
		'[{"name":"ga","sfs":["m1","m2"],"used-by":[{"chain":"gchain","hop":1},{"chain":"gchain2","hop":2}]},{"name":"gb","sfs":[],"used-by":[]}]'
ok "group show -j NAME" -j group show gb &&
	jq_eq "group show -j NAME shows only it" 'map(.name)' '["gb"]'
ok "group (default show)" group
has "group show text header" '^NAME +SFS +USED-BY$'
has "group show text row" '^ga +m1,m2 +gchain hop 1, gchain2 hop 2$'
has "group show text unused group" '^gb +- +-$'
ok "sf show -j group" -j sf show m1 && jq_eq "sf show -j has the group" '.[0].group' '"ga"'
ok "sf show group column" sf show && has "sf show text group" '^m1 +iface +s5 +- +- +ga +(up|down)$'
err "error: group show unknown" 'no group named "nope"' group show nope

# completion offers groups where a hop or a group is expected (bash-completion's
# _init_completion stubbed: only its word splitting is needed)
complete_words() {
	PATH="$ROOT/build:$PATH" bash -c '
		_init_completion() { words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
			cur=${words[cword]}; prev=${words[cword-1]}; }
		_filedir() { :; }
		complete() { :; }
		. "$1/dist/sfcctl.bash-completion"
		shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		_sfcctl
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$ROOT" sfcctl -s "$SOCK" "$@"
}
got=$(complete_words chain add x hop "")
expect "completion: hop offers SFs and groups" "got '$got'" \
	test "$got" = "fw fw2 ga gb ids m1 m2 "
got=$(complete_words chain add x hop "m1,g")
expect "completion: hop after a comma" "got '$got'" test "$got" = "m1,ga m1,gb "
got=$(complete_words sf add x kind iface dev s5 group "")
expect "completion: sf add group offers groups" "got '$got'" test "$got" = "ga gb "
got=$(complete_words group del "")
expect "completion: group del offers groups" "got '$got'" test "$got" = "ga gb "
got=$(complete_words group "")
expect "completion: group commands" "got '$got'" test "$got" = "add del help show "
got=$(complete_words gr)
expect "completion: group object" "got '$got'" test "$got" = "group "
ok "group: apply back" apply -f "$T/doc.json"
ok "group show with no groups" -j group show && jq_eq "group show -j empty" '.' '[]'

# group add / del: requests "group-add" and "group-del", served by sfcd
ctl group add gprobe
if [[ $ERR == *'unknown request "group-add"'* ]]; then
	skip "group add/del" "this sfcd does not serve group-add yet: $ERR"
else
	expect "group add" "status $RC, '$ERR'" test "$RC:$ERR" = "0:"
	ok "group add g2" group add g2
	ok "sf add ... group" sf add gm1 kind iface dev s5 group g2
	ok "chain add hop GROUP" chain add gch hop g2
	ok "group show -j after add" -j group show g2 &&
		jq_eq "group add: member and user" '.[0] | [.sfs, .["used-by"]]' \
			'[["gm1"],[{"chain":"gch","hop":1}]]'
	before=$(doc)
	ctl group del g2
	expect "group del of a group in use is refused" "status $RC, '$ERR'" test "$RC" = 1
	expect "group del refused: document unchanged" "document changed" test "$(doc)" = "$before"
	ok "chain del gch" chain del gch
	ok "sf del gm1" sf del gm1
	ok "group del g2" group del g2
	ok "group del gprobe" group del gprobe
	ok "group show after del" -j group show && jq_eq "group del removed them" '.' '[]'
	ok "group add g3" group add g3
	err "error: group add twice" '*' group add g3
	ok "group del g3" group del g3
	err "error: group del unknown" 'no group*' group del nope
fi
err "error: group add name" \
	"group add: NAME \"-g\": a name cannot start with '-' (it would read as an option)" group add -g
err "error: group add without name" 'group add: missing NAME' group add

# ---- batch -----------------------------------------------------------------

cat >"$T/batch" <<'EOF'
# a batch: comments and blank lines are skipped

sf add b1 kind iface dev s5   # trailing comment
chain add "b-chain" hop b1
chain add b2 hop b1 hop nosuch
rule add pref 500 chain b-chain
EOF
before=$(doc)
ctl -b "$T/batch"
if ((RC == 1)) && [[ $ERR == "$T/batch:5: chain \"b2\": hop 2: no SF named \"nosuch\"" ]]; then
	pass "batch: error on its line"
else
	fail "batch: error on its line" "status $RC, '$ERR'"
fi
ctl -j chain show
jq_eq "batch: lines before the error ran" 'map(.name) | index("b-chain") != null' 'true'
ctl -j rule show
jq_eq "batch: stops at the error" 'map(.pref) | index(500)' 'null'

ctl -force -b "$T/batch"
if ((RC == 1)) && [[ $(wc -l <<<"$ERR") == 3 ]] && [[ $ERR == *"$T/batch:3: SF \"b1\" already exists"* ]]; then
	pass "batch -force: reports every error"
else
	fail "batch -force: reports every error" "status $RC, '$ERR'"
fi
ctl -j rule show
jq_eq "batch -force: goes on after errors" 'map(.pref) | index(500) != null' 'true'

ctl -b - <<'EOF'
rule del pref 500
chain del b-chain
'sf' "del" b1
chain show
EOF
if ((RC == 0)) && [[ -z $ERR ]] && grep -q '^web ' <<<"$OUT"; then
	pass "batch from stdin, quotes"
else
	fail "batch from stdin, quotes" "status $RC, '$ERR'"
fi
expect "batch: back to the document before" "document differs" test "$(doc)" = "$before"
ctl -b - < <(printf 'chain show\nchain dle x\n')
expect "batch from stdin: error names <stdin> and line" "status $RC, '$ERR'" \
	test "$RC:$ERR" = '1:<stdin>:2: chain: unknown command "dle" (expected add, set, del, show, help)
sfcctl: <stdin>: 1 line with errors, nothing was run'
expect "batch with a bad line runs no line" "printed '$OUT'" test -z "$OUT"
ctl -b - <<<'chain add "x hop fw'
expect "batch: unterminated quote" "status $RC, '$ERR'" \
	test "$RC:$ERR" = '1:<stdin>:1: unterminated quote
sfcctl: <stdin>: 1 line with errors, nothing was run'

# parsed whole before anything runs: an error on line 6 changes nothing
cat >"$T/batch6" <<'EOF'
# lines 2 to 5 are good
sf add p1 kind iface dev s5
group add pg
chain add p-chain hop p1
rule add pref 600 chain p-chain
rule add pref 601 proto tcp dport 80-70 chain p-chain
EOF
for force in "" -force; do
	before=$(doc)
	ctl $force -b "$T/batch6"
	expect "batch$force: error on line 6 is told" "status $RC, '$ERR'" test "$RC:$ERR" = \
		"1:$T/batch6:6: rule add: dport \"80-70\": expected a port 0-65535 or a range LOW-HIGH
sfcctl: $T/batch6: 1 line with errors, nothing was run"
	expect "batch$force: error on line 6 changes nothing" "document changed" \
		test "$(doc)" = "$before"
done
printf 'chain ad x hop fw\nsf add -q kind iface dev s5\nsf add "q r" kind iface dev s5\nchain show\n' >"$T/batch3"
ctl -force -b "$T/batch3"
expect "batch: every bad line is told, none runs" "status $RC, '$ERR', out '$OUT'" \
	test "$RC:$(wc -l <<<"$ERR"):${ERR##*$'\n'}:$OUT" = \
	"1:4:sfcctl: $T/batch3: 3 lines with errors, nothing was run:"
ctl -b - <<<$'sf add -h kind iface dev s5\nsf show -j help'
expect "batch: help lines print help and run nothing else" "status $RC, '$ERR'" \
	test "$RC:$ERR:$(grep -c '^Usage:$' <<<"$OUT")" = "0::2"
ctl -b "$T/batch" chain show
expect "batch: no command beside -b" "status $RC, '$ERR'" \
	test "$RC:$ERR" = '1:sfcctl: with -b, no command on the command line (found "chain")'

# ---- round trip, last ------------------------------------------------------

ok "final dump" dump && printf '%s\n' "$OUT" >"$T/final.json"
ok "final apply of dump" -j apply -f "$T/final.json" &&
	jq_eq "final dump -> apply is a no-op" '[.applied, ([.diff[][][]] | length)]' '[false,0]'
ok "final diff" diff -f "$T/final.json" && has "final diff: no changes" '^no changes$'

if ! kill -0 "$SFCD_PID" 2>/dev/null; then
	fail "sfcd survived" "it exited; log: $(tail -5 "$T/sfcd.log" | tr '\n' '|')"
fi
assert_done
