#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# sfc's NSH wire format (headers/sfc_nsh.h) against implementations sfc
# did not write. scapy's NSH layer (scapy.contrib.nsh) builds valid and
# invalid headers, MD types 1 and 2, and sfc_nsh_check must reach the
# verdict RFC 8300 gives each. Frames made by sfc's own builder are
# dissected by scapy and by tshark with the SPI, SI, TTL, MD type, length,
# next protocol and context they were built with, and tshark finds nothing
# malformed and raises no expert warning. Bytes only: no root, no
# namespace, no traffic.

set -u
# shellcheck source=tests/lib/assert.sh
. "$(dirname "$0")/../lib/assert.sh"
cd "$(dirname "$0")/../.." || exit 1

BIN=build/tests/logic_nsh_wire
PY=/usr/bin/python3
T=$(mktemp -d /tmp/sfc-nsh.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

[[ -x $BIN ]] || { fail setup "$BIN missing (run make)"; assert_done; }
for t in tshark "$PY"; do
	command -v "$t" >/dev/null || { fail setup "missing tool $t (make deps installs it)"; assert_done; }
done

# --- scapy builds, sfc checks
if ! "$PY" - >"$T/cases" 2>"$T/scapy.err" <<'EOF'; then
from scapy.all import Ether, IP, IPv6, UDP, Raw, raw
from scapy.contrib.nsh import NSH

inner4 = raw(IP(src="198.18.0.1", dst="198.18.0.2") / UDP(sport=5000, dport=5001) / b"sfc!")
inner6 = raw(IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=5000, dport=5001))
inner_eth = raw(Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:0b", type=0x88b5))
ctx = bytes(range(1, 17))
# MD type 2 context headers (RFC 8300 2.5.1): class, type, U|length in
# bytes, metadata padded to 4 bytes
tlv5 = bytes([0x01, 0x02, 0x03, 5]) + b"abcde" + bytes(3)
tlv0 = bytes([0xff, 0xff, 0x80, 0])

def md1(inner=inner4, **kw):
    f = dict(mdtype=1, nextproto=1, spi=100, si=255, context_header=ctx)
    f.update(kw)
    return raw(NSH(**f)) + inner

def md2(tlvs=b"", inner=inner4, **kw):
    f = dict(mdtype=2, nextproto=1, spi=100, si=255, length=2 + len(tlvs) // 4)
    f.update(kw)
    return raw(NSH(**f)) + tlvs + inner

cases = [
    ("ok", md1(), "MD1 over IPv4"),
    ("ok", md1(inner6, nextproto=2), "MD1 over IPv6"),
    ("ok", md1(inner_eth, nextproto=3), "MD1 over Ethernet"),
    ("ok", md1(ttl=0), "MD1 with TTL 0 on receipt (decremented to 63)"),
    ("ok", md1(unused1=1, unused2=0xf), "MD1 with every unassigned bit set"),
    ("ok", md2(), "MD2 without context headers"),
    ("ok", md2(tlv5 + tlv0), "MD2 with two context headers, one padded"),
    ("ok", md2(tlv5, inner6, nextproto=2), "MD2 over IPv6"),
    ("version", md1(ver=1), "version 1"),
    ("version", md1(ver=2), "version 2"),
    ("md-type", md1(mdtype=0), "MD type 0 (reserved)"),
    ("md-type", md1(mdtype=0xf), "MD type 0xF (experimental)"),
    ("md-type", md1(mdtype=3), "MD type 3 (unassigned)"),
    ("length", md1(length=5), "MD1 with length 5"),
    ("length", md1(length=7), "MD1 with length 7"),
    ("length", md2(length=1), "MD2 with length 1"),
    ("context", md2(tlv5, length=4), "MD2 whose length cuts a context header"),
    ("context", md2(bytes([1, 2, 3, 13]) + bytes(8)), "MD2 context header longer than the header"),
    ("next-protocol", md1(nextproto=4), "next protocol NSH"),
    ("next-protocol", md1(nextproto=5), "next protocol MPLS"),
    ("next-protocol", md1(nextproto=0xfe), "next protocol experiment 1"),
    ("oam", md1(oam=1), "O bit (OAM)"),
    ("truncated", md1()[:7], "7 bytes"),
    ("truncated", md1(inner=b"")[:20], "MD1 cut at 20 bytes"),
]
for verdict, b, label in cases:
    print(verdict, b.hex(), label)
EOF
	fail "scapy builds NSH headers" "$(tail -3 "$T/scapy.err")"
	assert_done
fi
"$BIN" --check "$T/cases" >"$T/verdicts"
n=$(wc -l <"$T/cases")
while read -r st rest; do
	case $st in
	ok) pass "scapy's header, sfc's verdict: $rest" ;;
	*) fail "scapy's header, sfc's verdict" "${rest#ok }" ;;
	esac
done < <(sed 's/^not ok /not_ok /' "$T/verdicts")
assert_eq "every scapy case was judged" "$n" "$(grep -c '' "$T/verdicts")"

# --- sfc builds, scapy and tshark read
if "$BIN" --emit "$T/sfc.pcap" >"$T/frames.json"; then
	pass "sfc's builder writes a pcap"
else
	fail "sfc's builder writes a pcap" "$BIN --emit failed"
	assert_done
fi
assert_eq "frames written" 4 "$(grep -c '' "$T/frames.json")"

if ! "$PY" - "$T/sfc.pcap" "$T/frames.json" >"$T/scapy.read" 2>"$T/scapy.err" <<'EOF'; then
import json, sys
from scapy.all import rdpcap
from scapy.contrib.nsh import NSH

want = [json.loads(l) for l in open(sys.argv[2])]
for pkt, w in zip(rdpcap(sys.argv[1]), want):
    n = pkt[NSH]
    got = dict(spi=n.spi, si=n.si, ttl=n.ttl, np=n.nextproto, mdtype=n.mdtype,
               length=n.length, ctx=bytes(n.context_header).hex(), ver=n.ver,
               oam=n.oam, u=(n.unused1, n.unused2))
    exp = dict(spi=w["spi"], si=w["si"], ttl=w["ttl"], np=w["np"], mdtype=w["mdtype"],
               length=w["length"], ctx=w["ctx"], ver=0, oam=0, u=(0, 0))
    print("frame", w["frame"], "ok" if got == exp else "differs: %s against %s" % (got, exp))
EOF
	fail "scapy reads sfc's frames" "$(tail -3 "$T/scapy.err")"
fi
while read -r _ f verdict; do
	assert_eq "scapy reads sfc's frame $f as built" ok "$verdict"
done <"$T/scapy.read"
assert_eq "scapy read every frame" 4 "$(grep -c '' "$T/scapy.read")"

tshark -r "$T/sfc.pcap" -T fields -E separator=, -e frame.number -e nsh.spi -e nsh.si \
	-e nsh.ttl -e nsh.mdtype -e nsh.length -e nsh.nextproto -e nsh.contextheader \
	>"$T/tshark.fields" 2>"$T/tshark.err"
assert_eq "tshark reads the pcap" 4 "$(grep -c '' "$T/tshark.fields")"
while IFS= read -r line; do
	f=$(jq -r .frame <<<"$line")
	exp=$(jq -r '[.frame, .spi, .si, .ttl, .mdtype, .length, .np, .ctx] | map(tostring) | join(",")' \
		<<<"$line")
	# TTL comes as hex, the context as four words: as the frame was built
	IFS=, read -r -a v < <(sed -n "${f}p" "$T/tshark.fields" | tr -d ':')
	got=
	((${#v[@]} >= 8)) &&
		got=$(printf '%s,%s,%s,%d,%s,%s,%s,' "${v[@]:0:3}" "${v[3]}" "${v[@]:4:3}" &&
		      printf '%s' "${v[@]:7}")
	assert_eq "tshark dissects sfc's frame $f with its fields" "$exp" "$got"
done <"$T/frames.json"
tshark -r "$T/sfc.pcap" -Y '_ws.malformed || _ws.expert' -T fields -e frame.number \
	>"$T/tshark.bad" 2>>"$T/tshark.err"
assert_eq "tshark: no malformed frame, no expert warning" "" "$(tr '\n' ' ' <"$T/tshark.bad")"
# the inner packets are dissected too: NSH hands over to IPv4, IPv6, Ethernet
assert_eq "tshark: what follows NSH in each frame" "ip,ip,ipv6,eth" \
	"$(tshark -r "$T/sfc.pcap" -T fields -e frame.protocols 2>/dev/null |
		sed 's/^eth:ethertype:nsh:\([a-z0-9]*\).*/\1/' | paste -sd,)"
assert_done
