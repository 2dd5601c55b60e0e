#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Messages that name the real problem, against a real sfcd; each refusal
# exits 1, says it on stderr and changes nothing in the running document:
# - a reversed port range says it is reversed (CLI, document, API);
#   "+80", " 80", "0x50" are refused by the same parser;
# - an interface name with a space (or ':') says the name is invalid
#   (CLI, document, API);
# - a directory given as a file says "is a directory" (sfcctl apply -f,
#   sfcctl -b, sfcd --check -f);
# - sfcctl health (text) shows the reload error after a SIGHUP on a broken
#   state file;
# - sfcd's generic-XDP warning names the interface, not its ifindex;
# - a chain that reaches one SF at two positions (named, and through its
#   group) names the chain, both hops, the SF and the group (CLI, document).

cd "$(dirname "$0")/../.." || exit 1
# --steer xdp: the generic-XDP warning checked below comes only when sfcd
# attaches XDP to a bridge (auto steers a bridge at tc)
CLI_SFCD_ARGS="--steer xdp"
# shellcheck source=tests/cli/lib.sh
. tests/cli/lib.sh
cli_start

base_doc "$T/doc.json"
ok "apply the base document" apply -f "$T/doc.json"
base=$(doc)

# api NAME JSON EXPECTED: a raw API request is refused with EXPECTED in its
# error, and the document did not change
api() {
	local name=$1 req=$2 exp=$3 e
	api_raw "$req"
	e=$(jq -r 'if .ok == false then .error else "accepted" end' <<<"$R" 2>/dev/null)
	if [[ $e != *"$exp"* ]]; then
		fail "$name" "reply '$R', expected an error with '$exp'"
	elif [[ $(doc) != "$base" ]]; then
		fail "$name" "the document changed"
	else
		pass "$name"
	fi
}

# --- ports: one parser, one message
err "CLI: reversed port range" \
	'rule add: dport "80-20": range 80-20 is reversed (write 20-80)' \
	rule add proto tcp dport 80-20 chain web
for p in +80 " 80" "80 " 0x50 80-+90 65536; do
	err "CLI: port \"$p\" refused" \
		"rule add: sport \"$p\": expected a port 0-65535 or a range LOW-HIGH (decimal digits only)" \
		rule add proto udp sport "$p" chain web
done
jq '.rules[0].dport = "80-20"' "$T/doc.json" >"$T/rev.json"
err "document: reversed port range" \
	"$T/rev.json: rule pref 10: dport: \"80-20\": range 80-20 is reversed (write 20-80)" \
	apply -f "$T/rev.json"
api "API: reversed port range" \
	'{"cmd":"rule-add","rule":{"pref":20,"proto":"tcp","dport":"443-22","chain":"web"}}' \
	'rule pref 20: dport: "443-22": range 443-22 is reversed (write 22-443)'
api "API: port 0x50 refused" \
	'{"cmd":"rule-add","rule":{"pref":20,"proto":"tcp","dport":"0x50","chain":"web"}}' \
	'dport: "0x50": expected a port 0-65535'

# --- interface names: one check, kernel rules
err "CLI: interface name with a space" \
	'ingress add: dev "up 1": not a valid interface name (it holds white space)' \
	ingress add dev "up 1"
err "CLI: interface name with ':'" \
	"sf add: dev \"s0:1\": not a valid interface name (it holds ':')" \
	sf add x dev s0:1
err "CLI: rule in-dev with a space" \
	'rule add: in-dev "up 0": not a valid interface name (it holds white space)' \
	rule add in-dev "up 0" chain web
jq '.ingress += [{"dev": "up 1"}]' "$T/doc.json" >"$T/sp.json"
err "document: interface name with a space" \
	"$T/sp.json: ingress \"up 1\": dev: \"up 1\": not a valid interface name (it holds white space)" \
	apply -f "$T/sp.json"
api "API: ingress-add of a name with a space" '{"cmd":"ingress-add","dev":"up 1"}' \
	'ingress point "up 1": not a valid interface name (it holds white space)'
api "API: sf-add with a '/' in dev" \
	'{"cmd":"sf-add","sf":{"name":"y","kind":"iface","dev":"a/b"}}' \
	"SF \"y\": dev: \"a/b\": not a valid interface name (it holds '/')"

# --- a directory where a file is expected
mkdir "$T/dir"
err "sfcctl apply -f DIR" "$T/dir: is a directory, not a document" apply -f "$T/dir"
err "sfcctl diff -f DIR" "$T/dir: is a directory, not a document" diff -f "$T/dir"
before=$(doc)
"$SFCCTL" -s "$SOCK" -b "$T/dir" >"$T/out" 2>"$T/err"
RC=$?
assert_eq "sfcctl -b DIR: exit status" 1 "$RC"
assert_eq "sfcctl -b DIR: says it is a directory" \
	"sfcctl: $T/dir: is a directory, not a batch file" "$(cat "$T/err")"
assert_eq "sfcctl -b DIR: nothing changed" "$before" "$(doc)"
"$ROOT/build/sfcd" --check -f "$T/dir" >"$T/out" 2>"$T/err"
RC=$?
assert_ne "sfcd --check -f DIR: exit status" 0 "$RC"
assert_eq "sfcd --check -f DIR: says it is a directory" \
	"sfcd: $T/dir: is a directory, not a state file" "$(cat "$T/err")"
assert_eq "sfcd --check -f DIR: nothing changed" "$before" "$(doc)"

# --- health (text) after a SIGHUP on a broken state file
cp "$STATE" "$T/good.json"
echo '{"version": 1, "sfs": [' >"$STATE"
kill -HUP "$SFCD_PID"
sleep 0.3
ctl health
if [[ $RC == 0 ]] && grep -qE "^reload_error +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z $STATE: line [0-9]+, column [0-9]+: " <<<"$OUT"; then
	pass "health (text) prints the reload error"
else
	fail "health (text) prints the reload error" "status $RC, '$(tr '\n' '|' <<<"$OUT")'"
fi
assert_eq "the broken file changed nothing" "$base" "$(doc)"
cp "$T/good.json" "$STATE"
kill -HUP "$SFCD_PID"
sleep 0.3
ctl health
if [[ $RC == 0 && $OUT != *reload_error* ]]; then
	pass "health (text): no reload error once the file is repaired"
else
	fail "health (text): no reload error once the file is repaired" "'$(tr '\n' '|' <<<"$OUT")'"
fi

# --- the generic-XDP warning names the interface (a bridge has no native XDP)
if ip -n "$NS" link add br0 type bridge 2>/dev/null && ip -n "$NS" link set br0 up; then
	ok "ingress add on a bridge" ingress add dev br0
	if grep -q "br0: driver has no native XDP, using generic mode" "$T/sfcd.log"; then
		pass "the generic-XDP warning names the interface"
	else
		fail "the generic-XDP warning names the interface" \
			"sfcd log: $(grep -i xdp "$T/sfcd.log" | tail -3 | tr '\n' '|')"
	fi
	ok "ingress del br0" ingress del dev br0
else
	fail "bridge" "ip link add type bridge failed"
fi
# --- one SF with a MAC at two positions of a chain: a packet could cycle
ok "group add pool" group add pool
ok "sf add p1 group pool" sf add p1 kind iface dev s7 mac 02:00:00:00:07:01 group pool
err "CLI: SF and its group in two hops" \
	'chain "loop": hop 2: group "pool" includes SF "p1", which is already in hop 1 of this chain; an SF with a MAC of its own (an L3 SF, which rewrites the Ethernet addresses) can serve only one position of a chain: the fabric could not tell at which one its packets come back (an SF without one, such as a bridge, can serve several)' \
	chain add loop hop p1 hop pool
doc >"$T/cur.json"
jq '.chains += [{"name": "loop", "hops": [["pool"], ["fw"], ["p1"]]}]' "$T/cur.json" >"$T/loop.json"
err "document: SF and its group in two hops" \
	"$T/loop.json: chain \"loop\": hop 3: SF \"p1\" is already in hop 1 of this chain through its group \"pool\"; an SF with a MAC of its own (an L3 SF, which rewrites the Ethernet addresses) can serve only one position of a chain: the fabric could not tell at which one its packets come back (an SF without one, such as a bridge, can serve several)" \
	apply -f "$T/loop.json"
# --- one without a MAC (it keeps the fabric's addresses) may serve two
ok "sf add p2 (no MAC)" sf add p2 kind iface dev s8
ok "CLI: an SF without a MAC at two positions" chain add twice hop p2 hop fw hop p2
ok "chain del twice" chain del twice
assert_done
