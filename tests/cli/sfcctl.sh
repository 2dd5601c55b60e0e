#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Checks sfcctl against a real sfcd: every object and command, text and
# JSON output (checked with jq), help at every level without sfcd, every
# error path (message names the token and what was expected, exit status 1,
# document unchanged), batch files parsed whole before any line runs and
# refused lines with and without -force, and that dump -> apply is a no-op.
# Groups are in groups.sh.
#
# sfcd runs in a throwaway network namespace (tests/cli/lib.sh). One line
# per check: "PASS name" or "FAIL name: why". Exit status 1 if any check
# failed.

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/cli/lib.sh
. tests/cli/lib.sh
cli_start
ok "health text" health && has "health text shows pid" "^pid +$SFCD_PID\$"

# ---- help ------------------------------------------------------------------

ok "help" help && has "help lists the objects" '^  chain +'
ok "chain help" chain help && has "chain help lists set" '^  sfcctl chain set NAME'
ok "rule add help" rule add help &&
	has "rule add help lists dport" '\[dport P\[-P\]\]'
ok "stats help" stats help && has "stats help shows reset" '\[reset\]'
ok "-h" -h

help_ok "help: stats reset help" '^  sfcctl stats \[chain NAME\]' stats reset help
help_ok "help: chain add x help" '^  sfcctl chain add NAME hop' chain add x help
help_ok "help: sf -h" '^  sfcctl sf del NAME$' sf -h
help_ok "help: sf --help" '^  sfcctl sf show \[NAME\]$' sf --help
help_ok "help: apply --help" '^  sfcctl apply -f FILE \[--dry-run\]$' apply --help
help_ok "help: sf add help" '^  sfcctl sf add NAME kind iface dev IFNAME' sf add help
help_ok "help: sf add -h ..." '^  sfcctl sf add NAME kind iface dev IFNAME' \
	sf add -h kind iface dev s5
help_ok "help: sf add shows weight" '\[group GROUP\] \[weight N\] \[health none\|link\|probe\]$' \
	sf add help
help_ok "help: sf add shows the probe keywords" \
	'^ +\[probe icmp ADDRESS\|tcp ADDRESS:PORT\] \[probe-from ADDRESS\]$' sf add help
help_ok "help: sf add shows the probe limits" \
	'^ +\[probe-interval MS\] \[probe-fail N\] \[probe-recover N\]$' sf add help
help_ok "help: sf set help" \
	'^  sfcctl sf set NAME \[weight N\] \[out-mac MAC\|none\] \[health none\|link\|probe\]$' sf set help
help_ok "help: sf add shows out-mac" '^ +\[out-mac MAC\] \[group GROUP\]' sf add help
help_ok "help: sf add says what out-mac is" "out-mac: a two-arm SF's MAC on its out-dev\$" sf add help
help_ok "help: sf set says what out-mac none does" '^ +out-mac none removes the out-mac\.' sf set help
help_ok "help: sf set fw weight -h" '^  sfcctl sf set NAME \[weight N\]' sf set fw weight -h
help_ok "help: sf set fw probe icmp -h" '^  sfcctl sf set NAME \[weight N\]' sf set fw probe icmp -h
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
ok "sf add spare, weight" sf add spare kind iface dev s4 weight 5
ok "sf show -j NAME" -j sf show fw2 &&
	jq_eq "sf show -j has every field" \
		'.[0] | [.name, .kind, .dev, ."out-dev", .mac]' \
		'["fw2","iface","s1","s2","02:00:00:00:00:01"]'
ok "sf show -j" -j sf show && jq_eq "sf show -j lists all SFs" 'map(.name)' '["fw","fw2","ids","spare"]'
jq_eq "sf show -j has link state" 'map(.up) | all' 'true'
jq_eq "sf show -j has the weight, 1 when not set" 'map(.weight)' '[1,1,1,5]'
jq_eq "sf show -j has the health, link when not set" 'map(.health)' '["link","link","link","link"]'
jq_eq "sf show -j: no probe, no probe state" 'map(.probe, ."probe-state") | unique' '[null]'
ok "sf show" sf show
has "sf show text header" '^NAME +KIND +DEV +OUT-DEV +MAC +OUT-MAC +GROUP +WEIGHT +HEALTH +PROBE +STATE +CHECK$'
has "sf show text row aligned" '^fw2 +iface +s1 +s2 +02:00:00:00:00:01 +- +- +1 +link +- +up +-$'
has "sf show text weight" '^spare +iface +s4 +- +- +- +- +5 +link +- +up +-$'
# sf set: the weight, and nothing else
ok "sf set weight" sf set fw2 weight 3
ok "sf show -j after sf set" -j sf show fw2 &&
	jq_eq "sf set changed the weight only" '.[0] | [.name, .dev, ."out-dev", .mac, .weight]' \
		'["fw2","s1","s2","02:00:00:00:00:01",3]'
ok "sf set weight 1" sf set spare weight 1
ok "dump after sf set" -j dump &&
	jq_eq "dump writes a weight only when not 1" '.sfs | map([.name, .weight])' \
		'[["fw",null],["fw2",3],["ids",null],["spare",null]]'
before=$(doc)
ok "sf set to the weight it has" sf set fw2 weight 3
expect "sf set to the same weight changes nothing" "document changed" test "$(doc)" = "$before"
# health settings: sf set probe (health probe implied), health none clears the probe
ok "sf set probe" sf set spare probe icmp 198.18.3.1 probe-from 198.18.3.250 probe-fail 4
ok "sf show -j after sf set probe" -j sf show spare &&
	jq_eq "sf set probe: health probe, the probe and its keys, the weight kept" \
		'.[0] | [.health, .probe, ."probe-from", ."probe-fail", ."probe-interval", .weight]' \
		'["probe","icmp 198.18.3.1","198.18.3.250",4,null,1]'
jq_eq "sf show -j: a probe state is sfcd's" \
	'.[0]."probe-state" | if . == null then "none" else (.state | IN("pending","up","down")) end' \
	'true'
ok "sf show with a probe" sf show spare &&
	has "sf show text health, probe and check" \
		'^spare +iface +s4 +- +- +- +- +1 +probe +icmp 198\.18\.3\.1 +(up|down) +(pending|(up|down) [0-9]+[smhd])$'
ok "dump after sf set probe" -j dump &&
	jq_eq "dump writes the probe, not the health it implies" \
		'.sfs | map(select(.name == "spare"))[0] | [.health, .probe, ."probe-from", ."probe-fail"]' \
		'[null,"icmp 198.18.3.1","198.18.3.250",4]'
before=$(doc)
ok "sf set probe-interval alone" sf set spare probe-interval 2000
ok "sf show -j after probe-interval" -j sf show spare &&
	jq_eq "probe-interval set, the probe kept" '.[0] | [.probe, ."probe-from", ."probe-interval"]' \
		'["icmp 198.18.3.1","198.18.3.250",2000]'
ok "sf set health none" sf set spare health none
ok "sf show -j after health none" -j sf show spare &&
	jq_eq "health none clears the probe settings" \
		'.[0] | [.health, .probe, ."probe-from", ."probe-fail", ."probe-interval", ."probe-state"]' \
		'["none",null,null,null,null,null]'
ok "dump after health none" -j dump &&
	jq_eq "dump writes health none" '.sfs | map(select(.name == "spare"))[0].health' '"none"'
ok "sf show with health none" sf show spare &&
	has "sf show text health none" '^spare +iface +s4 +- +- +- +- +1 +none +- +up +-$'
ok "sf add with a tcp probe" sf add hp kind iface dev s5 probe tcp [2001:db8::5]:443 probe-interval 250
ok "sf show -j hp" -j sf show hp &&
	jq_eq "sf add with an IPv6 tcp probe" '.[0] | [.health, .probe, ."probe-interval", ."probe-from"]' \
		'["probe","tcp [2001:db8::5]:443",250,null]'
ok "sf set health link" sf set hp health link
ok "sf show -j after health link" -j sf show hp &&
	jq_eq "health link clears the probe" '.[0] | [.health, .probe, ."probe-interval"]' '["link",null,null]'
ok "dump after health link" -j dump &&
	jq_eq "dump leaves health link out" '.sfs | map(select(.name == "hp"))[0] | keys' \
		'["dev","kind","name"]'
ok "sf del hp" sf del hp
ok "sf set health link on spare" sf set spare health link
# "-h" and "help" are never names, whatever follows them
before=$(doc)
ok "sf add -h ... is help" sf add -h kind iface dev s5 && has "sf add -h prints help" '^Usage:$'
ok "sf add help ... is help" sf add help kind iface dev s5
expect "sf add -h made no SF" "document changed" test "$(doc)" = "$before"
ok "sf del" sf del spare
ok "sf show after del" -j sf show && jq_eq "sf del removed it" 'map(.name)' '["fw","fw2","ids"]'
# out-mac: a two-arm SF's MAC on its out-dev side; sf set out-mac none removes it
ok "sf add with out-mac" sf add rt kind iface dev s4 out-dev s5 mac 02:00:00:00:00:04 out-mac 2:0:0:0:0:5
ok "sf show -j rt" -j sf show rt &&
	jq_eq "sf show -j has the out-mac, in the document's spelling" '.[0] | [."out-dev", .mac, ."out-mac"]' \
		'["s5","02:00:00:00:00:04","02:00:00:00:00:05"]'
ok "sf show rt" sf show rt &&
	has "sf show text out-mac" '^rt +iface +s4 +s5 +02:00:00:00:00:04 +02:00:00:00:00:05 +- +1 +link +- +up +-$'
ok "sf show -j fw2" -j sf show fw2 && jq_eq "sf show -j: no out-mac, no key" '.[0] | has("out-mac")' 'false'
ok "sf set out-mac" sf set fw2 out-mac 02:00:00:00:00:02
ok "sf show -j after sf set out-mac" -j sf show fw2 &&
	jq_eq "sf set out-mac set it, the rest kept" '.[0] | [."out-dev", .mac, ."out-mac", .weight]' \
		'["s2","02:00:00:00:00:01","02:00:00:00:00:02",3]'
ok "dump with out-macs" -j dump &&
	jq_eq "dump writes out-mac only when set" '.sfs | map([.name, ."out-mac"])' \
		'[["fw",null],["fw2","02:00:00:00:00:02"],["ids",null],["rt","02:00:00:00:00:05"]]'
printf '%s\n' "$OUT" >"$T/outmac.json"
ok "apply of the dump with out-macs" apply -f "$T/outmac.json" &&
	has "out-mac: dump -> apply is a no-op" '^no changes$'
jq '.sfs |= map(if .name == "rt" then ."out-mac" = "02:00:00:00:00:06" else . end)' \
	"$T/outmac.json" >"$T/outmac2.json"
ok "diff -j of an out-mac changed" -j diff -f "$T/outmac2.json" &&
	jq_eq "an out-mac changed changes its SF" '[.changed.sfs, .added.sfs, .removed.sfs]' '[["rt"],[],[]]'
ok "sf set out-mac none" sf set fw2 out-mac none
ok "sf show -j after out-mac none" -j sf show fw2 &&
	jq_eq "out-mac none removed it, the rest kept" '.[0] | [has("out-mac"), .mac, .weight]' \
		'[false,"02:00:00:00:00:01",3]'
before=$(doc)
ok "sf set out-mac none again" sf set fw2 out-mac none
expect "out-mac none without one changes nothing" "document changed" test "$(doc)" = "$before"
err "error: sf add out-mac on a one-arm SF" \
	'SF "y": out-mac: the SF is one-arm (no out-dev other than its dev); out-mac is its MAC on its out-dev side, which only a two-arm SF has' \
	sf add y kind iface dev s5 mac 02:00:00:00:00:09 out-mac 02:00:00:00:00:0a
err "error: sf add out-mac with out-dev = dev" \
	'SF "y": out-mac: the SF is one-arm (no out-dev other than its dev); out-mac is its MAC on its out-dev side, which only a two-arm SF has' \
	sf add y kind iface dev s5 out-dev s5 out-mac 02:00:00:00:00:0a
err "error: sf set out-mac on a one-arm SF" \
	'SF "fw": out-mac: the SF is one-arm (no out-dev other than its dev); out-mac is its MAC on its out-dev side, which only a two-arm SF has' \
	sf set fw out-mac 02:00:00:00:00:0a
err "error: sf add out-mac not a MAC" 'sf add: out-mac "zz": expected a MAC address (aa:bb:cc:dd:ee:ff)' \
	sf add y kind iface dev s5 out-dev s4 out-mac zz
err "error: sf add out-mac none" 'sf add: out-mac "none": expected a MAC address (aa:bb:cc:dd:ee:ff)' \
	sf add y kind iface dev s5 out-dev s4 out-mac none
err "error: sf set out-mac broadcast" \
	'sf set: out-mac "ff:ff:ff:ff:ff:ff": a broadcast MAC cannot address one SF' \
	sf set rt out-mac ff:ff:ff:ff:ff:ff
err "error: sf set out-mac without a value" 'sf set: "out-mac" needs a value (MAC|none)' sf set rt out-mac
ok "sf del rt" sf del rt

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
ok "chain show -j, end" -j chain show
jq_eq "chain show -j end default" 'map(.end)' '["stack","stack","stack","stack"]'
ok "chain add end xdp" chain add c6 hop fw end xdp
ok "chain set end auto" chain set c2 end auto
ok "chain show -j after end" -j chain show &&
	jq_eq "chain end shown per chain" 'map([.name, .end])' \
		'[["web","stack"],["c2","auto"],["c5","stack"],["c3","stack"],["c6","xdp"]]'
ok "chain set end stack" chain set c2 end stack
ok "chain show c2 end stack" -j chain show c2 && jq_eq "chain set end kept the rest" \
	'.[0] | [.end, ."on-failure", .hops]' '["stack","drop",[["ids"]]]'
ok "chain del c6" chain del c6
ok "chain del" chain del c5
ok "chain show" chain show
has "chain show text header" '^NAME +SPI +ON-FAILURE +END +SYMMETRIC +HOPS$'
has "chain show text row" '^web +1 +drop +stack +off +ids -> fw,fw2$'
ok "chain show -j -p" -j -p chain show
if [[ $(wc -l <<<"$OUT") -gt 5 ]] && jq -e . <<<"$OUT" >/dev/null; then
	pass "-p indents JSON"
else
	fail "-p indents JSON" "$OUT"
fi

# ---- tap hops --------------------------------------------------------------

help_ok "help: chain add shows tap" '^ +\[tap SF\|GROUP\[,\.\.\.\]\]\.\.\.' chain add help
help_ok "help: chain set shows tap" '\[tap SF\|GROUP\[,\.\.\.\]\]\.\.\.' chain set help
ok "sf add tap SFs" sf add cap1 kind iface dev s4
ok "sf add tap SFs, second" sf add cap2 kind iface dev s5
ok "chain add with a tap" chain add tp hop fw tap cap1 hop ids
ok "chain show -j tp" -j chain show tp &&
	jq_eq "a tap hop in the hops, in order, in the document's form" '.[0].hops' \
		'[["fw"],{"tap":["cap1"]},["ids"]]'
ok "chain show tp" chain show tp &&
	has "chain show text tap" '^tp +[0-9]+ +drop +stack +off +fw -> tap:cap1 -> ids$'
ok "chain set with taps" chain set tp tap cap1,cap2 hop fw
ok "chain show -j tp after set" -j chain show tp &&
	jq_eq "chain set replaced the hops, taps too" '.[0].hops' '[{"tap":["cap1","cap2"]},["fw"]]'
ok "chain show after set" chain show tp &&
	has "chain show text tap of two" '^tp +[0-9]+ +drop +stack +off +tap:cap1,cap2 -> fw$'
ok "chain add of a tap only" chain add tonly tap cap2
ok "chain show -j tonly" -j chain show tonly &&
	jq_eq "a chain of one tap" '.[0].hops' '[{"tap":["cap2"]}]'
# the tap rules, through the CLI
err "error: a tap SF serving a hop" \
	'SF "cap1" is a tap in chain "tp" (hop 1) and serves hop 2 of chain "m": a tap never sends packets back, an SF of a hop must' \
	chain add m hop fw hop cap1
err "error: an SF of a hop tapped" \
	'SF "ids" is a tap in chain "m" (hop 1) and serves hop 1 of chain "web": a tap never sends packets back, an SF of a hop must' \
	chain add m tap ids
err "error: adjacent taps" \
	'chain "m": hops 2 and 3 are both taps: the fabric copies a packet to one tap between two SFs; put an SF between them or make them one tap hop' \
	chain add m hop fw tap cap1 tap cap2
err "error: chain set to adjacent taps" \
	'chain "tp": hops 1 and 2 are both taps: the fabric copies a packet to one tap between two SFs; put an SF between them or make them one tap hop' \
	chain set tp tap cap1 tap cap2 hop fw
# a tap without a MAC of its own at two positions: two copies
ok "a tap SF at two positions of a chain" chain add m tap cap1 hop fw tap cap1
ok "chain del m" chain del m
err "error: tap without a value" 'chain add: "tap" needs a value (SF|GROUP[,...])' chain add m hop fw tap
err "error: tap with an empty name" 'chain add: tap 2 "cap1,,cap2": empty SF name (expected SF[,SF...])' \
	chain add m hop fw tap cap1,,cap2
err "error: tap of an unknown SF" 'chain "m": hop 2: no SF named "cap9"' chain add m hop fw tap cap9
err "error: SF in use by a tap" 'SF "cap1" is used by chain "tp" hop 1' sf del cap1
# dump, apply back: the taps as they were
ok "dump with taps" dump && printf '%s\n' "$OUT" >"$T/taps.json"
expect "dump writes tap hops as {\"tap\": [...]}" "$(jq -c .chains "$T/taps.json")" \
	test "$(jq -c '.chains | map(select(.name == "tp" or .name == "tonly") | .hops)' "$T/taps.json")" = \
	'[[{"tap":["cap1","cap2"]},["fw"]],[{"tap":["cap2"]}]]'
ok "apply of the dump with taps" apply -f "$T/taps.json" && has "taps: dump -> apply is a no-op" '^no changes$'
jq '.chains |= map(if .name == "tp" then .hops = [["fw"], {"tap": ["cap1"]}] else . end)' \
	"$T/taps.json" >"$T/taps2.json"
ok "diff -j of a tap moved" -j diff -f "$T/taps2.json" &&
	jq_eq "a tap moved changes its chain" '[.changed.chains, .added.chains, .removed.chains]' '[["tp"],[],[]]'
ok "apply a tap moved" apply -f "$T/taps2.json" && has "apply of a tap names the chain" '^~ chain tp$'
ok "chain show after apply of a tap" -j chain show tp &&
	jq_eq "apply moved the tap" '.[0].hops' '[["fw"],{"tap":["cap1"]}]'
jq '.chains |= map(if .name == "tp" then .hops = [["fw"], ["cap1"]] else . end)' \
	"$T/taps.json" >"$T/taps3.json"
ok "diff -j of a tap made a hop" -j diff -f "$T/taps3.json" &&
	jq_eq "a tap made a hop changes its chain" '.changed.chains' '["tp"]'
jq '.chains |= map(if .name == "tp" then .hops = [{"tap": ["cap1"], "mirror": true}, ["fw"]] else . end)' \
	"$T/taps.json" >"$T/taps4.json"
err "error: apply a tap hop with another key" \
	"$T/taps4.json: chain \"tp\": hop 1: unknown key \"mirror\" (a tap hop is {\"tap\": [SF names]})" \
	apply -f "$T/taps4.json"
jq '.chains |= map(if .name == "tp" then .hops = [{"tap": "cap1"}, ["fw"]] else . end)' \
	"$T/taps.json" >"$T/taps5.json"
err "error: apply a tap that is no list" \
	"$T/taps5.json: chain \"tp\": hop 1: tap: a tap hop is a list of 1 to 16 SF names" \
	apply -f "$T/taps5.json"
ok "apply back the taps" apply -f "$T/taps.json"
ok "dump after apply back" dump
expect "apply back restored the taps, byte for byte" "$(diff <(printf '%s\n' "$OUT") "$T/taps.json")" \
	test "$OUT" = "$(cat "$T/taps.json")"
ok "chain del tonly" chain del tonly
ok "chain del tp" chain del tp
ok "sf del tap SFs" sf del cap1
ok "sf del tap SFs, second" sf del cap2

# ---- symmetric chains ------------------------------------------------------

SYM_WHY='and has a mac but no out-mac, and the chain is symmetric: its replies enter the SF from its out-dev side, where the fabric must address them to the SF'"'"'s MAC on that side: set "out-mac"'
help_ok "help: chain add shows symmetric" '\[end stack\|xdp\|auto\] \[symmetric \[on\|off\]\]$' chain add help
help_ok "help: chain add says what symmetric does" \
	'^ +symmetric: the replies of each flow \(its reversed 5-tuple, entering at$' chain add help
help_ok "help: chain set shows symmetric" '^ +\[symmetric on\|off\]$' chain set help
ok "chain add symmetric, among the options" chain add sy hop fw symmetric hop ids spi 40
ok "chain add symmetric off" chain add sy2 symmetric off hop ids
ok "chain show -j sy" -j chain show sy &&
	jq_eq "a symmetric chain: symmetric true, the rest as given" '.[0] | [.symmetric, .spi, .hops]' \
		'[true,40,[["fw"],["ids"]]]'
ok "chain show -j, symmetric" -j chain show &&
	jq_eq "chain show -j: symmetric of every chain, false when not" 'map([.name, .symmetric])' \
		'[["web",false],["c2",false],["c3",false],["sy",true],["sy2",false]]'
ok "chain show sy" chain show sy && has "chain show text symmetric on" '^sy +40 +drop +stack +on +fw -> ids$'
ok "chain show sy2" chain show sy2 && has "chain show text symmetric off" '^sy2 +[0-9]+ +drop +stack +off +ids$'
ok "dump with a symmetric chain" -j dump &&
	jq_eq "dump writes symmetric only when true" '.chains | map([.name, .symmetric])' \
		'[["web",null],["c2",null],["c3",null],["sy",true],["sy2",null]]'
printf '%s\n' "$OUT" >"$T/sym.json"
ok "apply of the dump with a symmetric chain" apply -f "$T/sym.json" &&
	has "symmetric: dump -> apply is a no-op" '^no changes$'
ok "chain set symmetric off" chain set sy symmetric off
ok "chain show -j after symmetric off" -j chain show sy &&
	jq_eq "symmetric off, the rest kept" '.[0] | [.symmetric, .spi, .hops]' '[false,40,[["fw"],["ids"]]]'
ok "chain set symmetric on, with end" chain set sy symmetric on end xdp
ok "chain show -j after symmetric on" -j chain show sy &&
	jq_eq "symmetric on and end xdp" '.[0] | [.symmetric, .end, .hops]' '[true,"xdp",[["fw"],["ids"]]]'
ok "chain set of something else" chain set sy end stack hop ids hop fw
ok "chain show -j after another set" -j chain show sy &&
	jq_eq "a set without symmetric keeps it" '.[0] | [.symmetric, .end, .hops]' \
		'[true,"stack",[["ids"],["fw"]]]'
jq '.chains |= map(if .name == "sy" then del(.symmetric) else . end)' "$T/sym.json" >"$T/sym2.json"
ok "diff -j of symmetric left out" -j diff -f "$T/sym2.json" &&
	jq_eq "symmetric turned off changes its chain" '[.changed.chains, .added.chains, .removed.chains]' \
		'[["sy"],[],[]]'
# the refusals: bad words, and a two-arm SF with a mac and no out-mac (fw2: s1, out-dev
# s2, mac 02:00:00:00:00:01)
err "error: symmetric maybe" 'chain add: symmetric "maybe": expected on or off' \
	chain add x hop fw symmetric maybe
err "error: chain set symmetric yes" 'chain set: symmetric "yes": expected on or off' \
	chain set sy symmetric yes
err "error: chain set symmetric without a value" 'chain set: "symmetric" needs a value (on|off)' \
	chain set sy symmetric
err "error: symmetric given twice" 'chain add: "symmetric" given twice' \
	chain add x hop fw symmetric symmetric off
err "error: a symmetric chain through a two-arm SF with a mac and no out-mac" \
	"chain \"x\": hop 2: SF \"fw2\" is two-arm (out-dev \"s2\") $SYM_WHY" \
	chain add x hop fw hop fw2 symmetric
err "error: a chain through a two-arm SF with a mac and no out-mac made symmetric" \
	"chain \"web\": hop 2: SF \"fw2\" is two-arm (out-dev \"s2\") $SYM_WHY" \
	chain set web symmetric on
err "error: a two-arm SF with a mac and no out-mac put in a symmetric chain" \
	"chain \"sy\": hop 2: SF \"fw2\" is two-arm (out-dev \"s2\") $SYM_WHY" \
	chain set sy hop ids hop fw2
jq '.sfs |= map(if .name == "fw" then ."out-dev" = "s5" | .mac = "02:00:00:00:00:09" else . end)' \
	"$T/sym.json" >"$T/sym3.json"
err "error: apply giving an SF of a symmetric chain an out-dev and a mac" \
	"$T/sym3.json: chain \"sy\": hop 1: SF \"fw\" is two-arm (out-dev \"s5\") $SYM_WHY" \
	apply -f "$T/sym3.json"
# what a symmetric chain takes: a two-arm SF without a mac, one with a mac and an out-mac
jq '.sfs |= map(if .name == "fw" then ."out-dev" = "s5" else . end)' "$T/sym.json" >"$T/sym4.json"
ok "apply --dry-run giving an SF of a symmetric chain an out-dev alone" \
	-j apply -f "$T/sym4.json" --dry-run &&
	jq_eq "an out-dev alone is taken" '[.applied, .diff.changed.sfs]' '[false,["fw"]]'
ok "sf add a two-arm SF without a mac" sf add br kind iface dev s4 out-dev s5
ok "a symmetric chain through a two-arm SF without a mac" chain add x hop fw hop br symmetric
ok "sf set out-mac on fw2" sf set fw2 out-mac 02:00:00:00:00:02
ok "a chain through a two-arm SF with a mac and an out-mac made symmetric" chain set web symmetric on
ok "chain show -j web" -j chain show web && jq_eq "web is symmetric" '.[0].symmetric' 'true'
err "error: out-mac removed while a symmetric chain needs it" \
	"chain \"web\": hop 2: SF \"fw2\" is two-arm (out-dev \"s2\") $SYM_WHY" \
	sf set fw2 out-mac none
ok "sf show -j fw2 after the refusal" -j sf show fw2 &&
	jq_eq "the out-mac is kept" '.[0]."out-mac"' '"02:00:00:00:00:02"'
ok "chain set web symmetric off" chain set web symmetric off
ok "sf set out-mac none, no symmetric chain through fw2" sf set fw2 out-mac none
ok "chain del x" chain del x
ok "sf del br" sf del br
before=$(doc)
api_raw '{"cmd":"chain-add","chain":{"name":"x","hops":["fw"],"symmetric":"yes"}}'
got=$(jq -r '[.ok, .error] | map(tostring) | join(": ")' <<<"$R" 2>&1)
expect "error: API symmetric not a boolean" "reply '$R'" \
	test "$got" = 'false: chain "x": symmetric: expected true or false, got "yes"'
expect "error: API symmetric not a boolean: document unchanged" "document changed" \
	test "$(doc)" = "$before"
ok "chain del sy" chain del sy
ok "chain del sy2" chain del sy2

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
has "stats text hop header" '^  HOP +SI +SFS +SHARES +PACKETS +BYTES +DROPS +BYPASSED +DROP-REASONS$'
has "stats text hop row, shares of fw (weight 1) and fw2 (weight 3)" \
	'^ +2 +1 +fw,fw2 +fw 25%, fw2 75%( +[0-9]+){4} +-$'
has "stats text hop row of one SF: no shares" '^ +1 +2 +ids +-( +[0-9]+){4} +-$'
has "stats text sf header" '^SF +STATE +CHECK +TX-PACKETS +TX-BYTES +RX-PACKETS +RX-BYTES +LAT-P50 +P90 +P99$'
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
err "error: end value" 'chain add: end "fast": expected stack, xdp or auto' \
	chain add x hop fw end fast
err "error: chain set nothing" 'chain set: nothing to change (expected hop, tap, spi, on-failure, end or symmetric)' \
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
err "error: port range" 'rule add: dport "90-80": range 90-80 is reversed (write 80-90)' \
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
	'sf add: dev "a-very-long-interface-name": not a valid interface name (longer than 15 characters)' \
	sf add y kind iface dev a-very-long-interface-name
err "error: name too long" \
	'sf add: NAME "abcdefghijabcdefghijabcdefghijabc": name longer than 31 characters' \
	sf add abcdefghijabcdefghijabcdefghijabc kind iface dev s5
err "error: SF del unknown" 'no SF named "nosuch"' sf del nosuch
err "error: sf set unknown SF" 'no SF named "nosuch"' sf set nosuch weight 2
err "error: sf set weight 0" 'sf set: weight "0": expected an integer from 1 to 1000' \
	sf set fw weight 0
err "error: sf set weight 1001" 'sf set: weight "1001": expected an integer from 1 to 1000' \
	sf set fw weight 1001
err "error: sf set weight -1" 'sf set: weight "-1": expected an integer from 1 to 1000' \
	sf set fw weight -1
err "error: sf set weight not a number" 'sf set: weight "3x": expected an integer from 1 to 1000' \
	sf set fw weight 3x
err "error: sf set without a keyword" \
	'sf set: nothing to change (expected weight, out-mac, health, probe, probe-from, probe-interval, probe-fail or probe-recover)' \
	sf set fw
err "error: sf set other keyword" \
	'sf set: unknown keyword "dev" (expected weight, out-mac, health, probe, probe-from, probe-interval, probe-fail, probe-recover)' \
	sf set fw dev s5
err "error: sf set probe udp" 'sf set: probe "udp": expected icmp ADDRESS or tcp ADDRESS:PORT' \
	sf set fw probe udp 198.18.3.1:53
err "error: sf set probe icmp without address" 'sf set: "probe icmp" needs an ADDRESS' \
	sf set fw probe icmp
err "error: sf set probe-from not an address" \
	'sf set: probe-from "x.example": expected an IPv4 or IPv6 address' sf set fw probe-from x.example
err "error: sf set probe-interval 99" \
	'sf set: probe-interval "99": expected an integer from 100 to 60000' sf set fw probe-interval 99
err "error: sf set probe-fail 101" 'sf set: probe-fail "101": expected an integer from 1 to 100' \
	sf set fw probe-fail 101
err "error: sf set health bad" 'sf set: health "up": expected none, link or probe' \
	sf set fw health up
err "error: sf add IPv4 probe without probe-from" \
	"sf add: SF \"y\": probe 198.18.3.1 is IPv4 and needs \"probe-from\": an address of the SF's subnet that nothing else uses (sfcd sends from it and answers ARP for it)" \
	sf add y kind iface dev s5 probe icmp 198.18.3.1
err "error: sf add probe-from loopback" \
	'sf add: probe-from "::1": ::1 is the loopback address, not the unicast address of one host' \
	sf add y kind iface dev s5 probe icmp 2001:db8::1 probe-from ::1
# sfcd refuses what the document refuses, naming the SF
err "error: sf set health probe without a probe" \
	'SF "fw": health probe needs "probe": "icmp ADDRESS" or "tcp ADDRESS:PORT"' sf set fw health probe
err "error: sf set IPv4 probe without probe-from" \
	"SF \"fw\": probe 198.18.3.1 is IPv4 and needs \"probe-from\": an address of the SF's subnet that nothing else uses (sfcd sends from it and answers ARP for it)" \
	sf set fw probe icmp 198.18.3.1
err "error: sf set probe with health none" \
	'sf set: SF "fw": "probe" with health none: the probe would never be used (only health probe probes)' \
	sf set fw health none probe icmp 2001:db8::1
err "error: sf set probe-interval without probe" \
	'SF "fw": "probe-interval" without "probe": nothing to probe (expected "probe": "icmp ADDRESS" or "tcp ADDRESS:PORT")' \
	sf set fw probe-interval 500
err "error: sf add broadcast probe" \
	'sf add: probe "icmp 255.255.255.255": 255.255.255.255 is the broadcast address, not the unicast address of one host' \
	sf add y kind iface dev s5 probe icmp 255.255.255.255 probe-from 198.18.3.9
err "error: sf add tcp probe without port" \
	'sf add: probe "tcp 198.18.3.1": a tcp probe needs a port (expected "tcp ADDRESS:PORT", "tcp [ADDRESS]:PORT" for IPv6)' \
	sf add y kind iface dev s5 probe tcp 198.18.3.1 probe-from 198.18.3.9
err "error: sf add probe-from of another family" \
	'sf add: SF "y": probe-from 198.18.3.9 is IPv4 and the probe'"'"'s address 2001:db8::1 IPv6: they must be of one family' \
	sf add y kind iface dev s5 probe icmp 2001:db8::1 probe-from 198.18.3.9
err "error: sf add weight 0" 'sf add: weight "0": expected an integer from 1 to 1000' \
	sf add y kind iface dev s5 weight 0
# what sfcctl never sends, sfcd refuses by name as well
for req in '{"cmd":"sf-set","sf":{"name":"fw","weight":0}}
SF "fw": weight: expected an integer from 1 to 1000, got 0' \
	'{"cmd":"sf-set","sf":{"name":"fw","weight":"3"}}
SF "fw": weight: expected an integer from 1 to 1000, got "3"' \
	'{"cmd":"sf-set","sf":{"name":"fw","dev":"s5","weight":2}}
SF "fw": "dev" cannot be set (sf set changes "weight", "out-mac", "health" and the probe-* keys; delete and add the SF to change the rest)' \
	'{"cmd":"sf-set","sf":{"name":"fw"}}
SF "fw": nothing to set (expected "weight", "out-mac", "health", "probe", "probe-from", "probe-interval", "probe-fail" or "probe-recover")' \
	'{"cmd":"sf-set","sf":{"name":"fw2","out-mac":"zz"}}
SF "fw2": out-mac: expected a MAC address (aa:bb:cc:dd:ee:ff) or null, got "zz"' \
	'{"cmd":"sf-add","sf":{"name":"y","kind":"iface","dev":"s5","out-dev":"s4","out-mac":"02:00:00:00:00:0g"}}
SF "y": out-mac: "02:00:00:00:00:0g" is not a MAC address (aa:bb:cc:dd:ee:ff)' \
	'{"cmd":"sf-set","sf":{"name":"fw","probe":"icmp 2001:db8::1","health":"link"}}
SF "fw": "probe" with health link: the probe would never be used (only health probe probes)' \
	'{"cmd":"sf-set","sf":{"name":"fw","probe":"icmp 2001:db8::1 "}}
SF "fw": probe: "icmp 2001:db8::1 ": "2001:db8::1 " is not an IPv4 or IPv6 address' \
	'{"cmd":"sf-set","sf":{"name":"fw","probe-fail":0}}
SF "fw": probe-fail: expected an integer from 1 to 100, got 0' \
	'{"cmd":"sf-add","sf":{"name":"y","kind":"iface","dev":"s5","probe":"icmp ::1"}}
SF "y": probe: "icmp ::1": ::1 is the loopback address, not the unicast address of one host' \
	'{"cmd":"sf-add","sf":{"name":"y","kind":"iface","dev":"s5","health":"probe","probe-interval":500}}
SF "y": health probe needs "probe": "icmp ADDRESS" or "tcp ADDRESS:PORT"' \
	'{"cmd":"sf-set","sf":{"weight":2}}
sf-set needs "sf" with "name" (a string)' \
	'{"cmd":"sf-set","sf":{"name":"nosuch","weight":2}}
no SF named "nosuch"' \
	'{"cmd":"sf-add","sf":{"name":"y","kind":"iface","dev":"s5","weight":1001}}
SF "y": weight: expected an integer from 1 to 1000, got 1001'; do
	before=$(doc)
	api_raw "${req%%$'\n'*}"
	got=$(jq -r '[.ok, .error] | map(tostring) | join(": ")' <<<"$R" 2>&1)
	if [[ $got == "false: ${req#*$'\n'}" && $(doc) == "$before" ]]; then
		pass "error: API ${req%%$'\n'*}"
	else
		fail "error: API ${req%%$'\n'*}" "reply '$R'"
	fi
done
err "error: missing value" 'ingress add: "dev" needs a value (IFNAME)' ingress add dev
err "error: ingress twice" 'ingress point "up0" already exists' ingress add dev up0
err "error: ingress del unknown" 'no ingress point on "up9"' ingress del dev up9
err "error: unknown object" \
	'unknown object "chian" (expected ingress, group, sf, chain, rule, stats, top, monitor, apply, diff, dump, health, help)' \
	chian show
err "error: unknown command" 'chain: unknown command "ad" (expected add, set, del, migrate, show, help)' \
	chain ad web hop fw
err "error: no prefix matching" 'chain: unknown command "sh" (expected add, set, del, migrate, show, help)' \
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
# weights through dump and apply
expect "dump keeps the weight" "$(jq -c .sfs "$T/doc.json")" \
	test "$(jq '.sfs | map(select(.name == "fw2"))[0].weight' "$T/doc.json")" = 3
jq '.sfs |= map(if .name == "fw2" then .weight = 7 else . end)' "$T/doc.json" >"$T/doc3.json"
ok "diff -j of a weight" -j diff -f "$T/doc3.json" &&
	jq_eq "diff: a weight change is a change of its SF" \
		'[.changed.sfs, .changed.chains, .added.sfs, .removed.sfs]' '[["fw2"],[],[],[]]'
ok "apply a weight" apply -f "$T/doc3.json" && has "apply of a weight names the SF" '^~ sf fw2$'
ok "sf show after apply of a weight" -j sf show fw2 && jq_eq "apply set the weight" '.[0].weight' '7'
ok "apply back the weight" apply -f "$T/doc.json"
ok "sf show after apply back" -j sf show fw2 && jq_eq "apply back restored the weight" '.[0].weight' '3'

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
	test "$RC:$ERR" = '1:<stdin>:2: chain: unknown command "dle" (expected add, set, del, migrate, show, help)
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
		"1:$T/batch6:6: rule add: dport \"80-70\": range 80-70 is reversed (write 70-80)
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
