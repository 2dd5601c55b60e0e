#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# sfcctl group against a real sfcd: group show (text and JSON) of the
# members and users of groups in an applied document, group add and del,
# sf add ... group, hops and tap hops that name a group, and the bash completion of
# group names. One line per check: "PASS name" or "FAIL name: why".

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/cli/lib.sh
. tests/cli/lib.sh
cli_start

# a base document: three SFs and a chain
cat >"$T/doc.json" <<'EOF'
{"version": 1, "ingress": [{"dev": "up0"}],
 "sfs": [{"name": "fw", "kind": "iface", "dev": "s0"},
         {"name": "fw2", "kind": "iface", "dev": "s1", "out-dev": "s2"},
         {"name": "ids", "kind": "iface", "dev": "s3"}],
 "chains": [{"name": "web", "spi": 1, "hops": [["ids"], ["fw", "fw2"]]}],
 "rules": []}
EOF
ok "apply the base document" apply -f "$T/doc.json"
ok "group show with no groups yet" -j group show && jq_eq "group show -j, no groups" '.' '[]'

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
ok "sf show group column" sf show && has "sf show text group" '^m1 +iface +s5 +- +- +- +ga +1 +link +- +(up|down) +-$'
err "error: group show unknown" 'no group named "nope"' group show nope

# completion offers groups where a hop or a group is expected (bash-completion's
# _init_completion stubbed: only its word splitting is needed)
complete_words() {
	PATH="$SFC_BIN_DIR:$PATH" bash -c '
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
got=$(complete_words chain add x hop fw tap "")
expect "completion: tap offers SFs and groups" "got '$got'" \
	test "$got" = "fw fw2 ga gb ids m1 m2 "
got=$(complete_words chain add x tap "ids,g")
expect "completion: tap after a comma" "got '$got'" test "$got" = "ids,ga ids,gb "
got=$(complete_words chain add x hop fw tap ids "")
expect "completion: hop and tap repeat" "got '$got'" test "$got" = \
	"end help hop on-failure spi symmetric tap "
got=$(complete_words chain set web "")
expect "completion: chain set offers tap" "got '$got'" test "$got" = \
	"end help hop on-failure spi symmetric tap "
got=$(complete_words chain add x hop fw symmetric "")
expect "completion: chain add symmetric: on, off or the next keyword" "got '$got'" \
	test "$got" = "end help hop off on on-failure spi tap "
got=$(complete_words chain set web symmetric "")
expect "completion: chain set symmetric: on or off" "got '$got'" test "$got" = "off on "
got=$(complete_words chain add x hop fw symmetric on "")
expect "completion: symmetric given once" "got '$got'" test "$got" = \
	"end help hop on-failure spi tap "
got=$(complete_words sf add x kind iface dev s5 group "")
expect "completion: sf add group offers groups" "got '$got'" test "$got" = "ga gb "
got=$(complete_words group del "")
expect "completion: group del offers groups" "got '$got'" test "$got" = "ga gb "
got=$(complete_words group "")
expect "completion: group commands" "got '$got'" test "$got" = "add del help show "
got=$(complete_words sf "")
expect "completion: sf commands" "got '$got'" test "$got" = "add del help set show "
got=$(complete_words sf set "")
expect "completion: sf set offers SFs" "got '$got'" test "$got" = "fw fw2 ids m1 m2 "
got=$(complete_words sf set m1 "")
expect "completion: sf set offers weight, out-mac and health" "got '$got'" test "$got" = \
	"health help out-mac probe probe-fail probe-from probe-interval probe-recover weight "
got=$(complete_words sf add x kind iface dev s5 group ga "")
expect "completion: sf add offers weight and health" "got '$got'" test "$got" = \
	"health help mac out-dev out-mac probe probe-fail probe-from probe-interval probe-recover weight "
got=$(complete_words sf add x kind iface dev s5 out-dev s4 mac 02:00:00:00:00:01 out-mac 02:00:00:00:00:02 "")
expect "completion: sf add out-mac given once" "got '$got'" test "$got" = \
	"group health help probe probe-fail probe-from probe-interval probe-recover weight "
got=$(complete_words sf set m1 out-mac "")
expect "completion: sf set out-mac offers none" "got '$got'" test "$got" = "none "
got=$(complete_words sf add x kind iface dev s5 out-dev s4 out-mac "")
expect "completion: sf add out-mac: no word for a MAC" "got '$got'" test "$got" = " "
got=$(complete_words sf set m1 out-mac none "")
expect "completion: keywords after out-mac none" "got '$got'" test "$got" = \
	"health help probe probe-fail probe-from probe-interval probe-recover weight "
got=$(complete_words sf set m1 health "")
expect "completion: health modes" "got '$got'" test "$got" = "link none probe "
got=$(complete_words sf set m1 probe "")
expect "completion: probe types" "got '$got'" test "$got" = "icmp tcp "
got=$(complete_words sf set m1 probe icmp "")
expect "completion: no word for a probe's address" "got '$got'" test "$got" = " "
got=$(complete_words sf set m1 probe icmp 2001:db8::1 "")
expect "completion: keywords after a probe" "got '$got'" test "$got" = \
	"health help out-mac probe-fail probe-from probe-interval probe-recover weight "
got=$(complete_words gr)
expect "completion: group object" "got '$got'" test "$got" = "group "
ok "group: apply back" apply -f "$T/doc.json"
ok "group show with no groups" -j group show && jq_eq "group show -j empty" '.' '[]'

# group add / del: requests "group-add" and "group-del"
ctl group add gprobe
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
expect "group del refused: says who uses it" "stderr '$ERR'" grep -qE 'gm1|gch' <<<"$ERR"
expect "group del refused: document unchanged" "document changed" test "$(doc)" = "$before"
# a group at a tap hop: its members are taps, in no other hop
err "error: a group tapped whose member serves" \
	'SF "gm1" is a tap in chain "gtap" (hop 2, through its group "g2") and serves hop 1 of chain "gch" through its group "g2": a tap never sends packets back, an SF of a hop must' \
	chain add gtap hop fw tap g2
ok "chain del gch" chain del gch
ok "chain add tap GROUP" chain add gtap hop fw tap g2
ok "group show -j of a tapped group" -j group show g2 &&
	jq_eq "a tap hop uses its group" '.[0]["used-by"]' '[{"chain":"gtap","hop":2}]'
ok "group show of a tapped group" group show g2 && has "group show text tap user" '^g2 +gm1 +gtap hop 2$'
err "error: a member of a tapped group serves" \
	'SF "gm1" is a tap in chain "gtap" (hop 2, through its group "g2") and serves hop 1 of chain "gch2": a tap never sends packets back, an SF of a hop must' \
	chain add gch2 hop gm1
ok "chain del gtap" chain del gtap
# a symmetric chain through a group: no member two-arm with a mac and no out-mac,
# later ones too
ok "chain add symmetric through a group" chain add gsym hop g2 symmetric
err "error: a two-arm SF with a mac and no out-mac joins a group of a symmetric chain" \
	'chain "gsym": hop 1: group "g2" includes SF "gm2", which is two-arm (out-dev "s9") and has a mac but no out-mac, and the chain is symmetric: its replies enter the SF from its out-dev side, where the fabric must address them to the SF'"'"'s MAC on that side: set "out-mac"' \
	sf add gm2 kind iface dev s4 out-dev s9 mac 02:00:00:00:00:04 group g2
ok "a two-arm SF with a mac and an out-mac joins a group of a symmetric chain" \
	sf add gm2 kind iface dev s4 out-dev s9 mac 02:00:00:00:00:04 out-mac 02:00:00:00:00:09 group g2
ok "a two-arm SF without a mac joins a group of a symmetric chain" \
	sf add gm3 kind iface dev s6 out-dev s7 group g2
ok "group show -j of a symmetric chain's group" -j group show g2 &&
	jq_eq "the two-arm SFs joined" '.[0] | [.sfs, .["used-by"]]' \
		'[["gm1","gm2","gm3"],[{"chain":"gsym","hop":1}]]'
err "error: the out-mac of a member of a symmetric chain's group removed" \
	'chain "gsym": hop 1: group "g2" includes SF "gm2", which is two-arm (out-dev "s9") and has a mac but no out-mac, and the chain is symmetric: its replies enter the SF from its out-dev side, where the fabric must address them to the SF'"'"'s MAC on that side: set "out-mac"' \
	sf set gm2 out-mac none
ok "chain del gsym" chain del gsym
ok "sf del gm2" sf del gm2
ok "sf del gm3" sf del gm3
ok "sf del gm1" sf del gm1
ok "group del g2" group del g2
ok "group del gprobe" group del gprobe
ok "group show after del" -j group show && jq_eq "group del removed them" '.' '[]'
ok "group add g3" group add g3
err "error: group add twice" '*' group add g3
expect "error: group add twice names it" "stderr '$ERR'" grep -q '"g3"' <<<"$ERR"
ok "group del g3" group del g3
err "error: group del unknown" '*' group del nope
expect "error: group del unknown names it" "stderr '$ERR'" grep -q '"nope"' <<<"$ERR"
err "error: group add name" \
	"group add: NAME \"-g\": a name cannot start with '-' (it would read as an option)" group add -g
err "error: group add without name" 'group add: missing NAME' group add

if ! kill -0 "$SFCD_PID" 2>/dev/null; then
	fail "sfcd survived" "it exited; log: $(tail -5 "$T/sfcd.log" | tr '\n' '|')"
fi
assert_done
