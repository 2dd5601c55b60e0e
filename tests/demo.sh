#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# sfc demo: a router namespace "fab" between a client (src) and a server
# (dst), and three service functions each in its own namespace: a Linux
# bridge (sf1), a router (sf2) and an nftables counter (sf3). sfcd chains
# ping and TCP port 5201 through sf1 -> sf2 -> sf3 in both directions; then
# the demo shows what each SF counted and sfcd's per-hop counters, and
# removes everything it created.
#
#	tests/demo.sh [-k]	-k: keep the topology until Enter is pressed
#
# The topology is the one tests/integration/chain_traffic.sh tests; see
# tests/lib/topology.sh. SFC_FAKE_CHAIN=1 steers with nftables instead of
# sfcd, to see what the same traffic looks like without sfc.

set -u
DEMO_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/netns.sh
. "$DEMO_DIR/lib/netns.sh"
# shellcheck source=tests/lib/topology.sh
. "$DEMO_DIR/lib/topology.sh"

KEEP=0
status=0
[[ ${1:-} == -k ]] && KEEP=1
FAKE=${SFC_FAKE_CHAIN:-0}

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

((EUID == 0)) || die "needs root (network namespaces, BPF)"
SFCCTL=${SFCCTL:-$TOPO_ROOT/build/sfcctl}
((FAKE)) || [[ -x $SFCD && -x $SFCCTL ]] || die "$SFCD or $SFCCTL missing: run make"

netns_trap
tmp_dir_new || die "mktemp failed"
T=$NS_LAST_TMP

step "building the topology (namespaces prefixed $NS_PREFIX)"
topo_build || die "could not build the topology"
cat <<EOF
   src $SRC4 ── fs0 [fab] fd0 ── dst $DST4
       $SRC6                 $DST6
   chain web (SPI 100), both directions:
       sf1 bridge (f1a -> f1b)  ->  sf2 router (f2)  ->  sf3 nft counter (f3a -> f3b)
EOF

if ((FAKE)); then
	step "steering with nftables in fab (SFC_FAKE_CHAIN=1), not sfc"
	topo_fake_chain || die "nft steering failed"
else
	step "sfcd: start the daemon in fab (empty state), then build the chain with sfcctl"
	pin_dir_new fab
	PIN_DIR=$NS_LAST_PIN
	SOCK=$T/sfcd.sock
	cleanup_push "topo_sfcd --unload --pin-dir '$PIN_DIR'"
	bg_run nsenter --net="/run/netns/$FAB" -- "$SFCD" -f "$T/state.json" -P "$PIN_DIR" \
		-s "$SOCK" 2>"$T/sfcd.log"
	wait_until 10 test -S "$SOCK" || { cat "$T/sfcd.log"; die "sfcd did not start"; }
	ctl() {
		printf '   $ sfcctl %s\n' "$*"
		"$SFCCTL" -s "$SOCK" "$@" | sed 's/^/     /'
		return "${PIPESTATUS[0]}"
	}
	d4=${TOPO_NETS4[1]} d6=${TOPO_NETS6[1]} s4=${TOPO_NETS4[0]} s6=${TOPO_NETS6[0]}
	{
		ctl ingress add dev fs0 && ctl ingress add dev fd0 &&
		ctl sf add br kind iface dev f1a out-dev f1b &&
		ctl sf add rt kind iface dev f2 mac "$SF2_MAC" \
			probe icmp "$SF2_4" probe-from 198.18.3.253 &&
		ctl sf add nft kind iface dev f3a out-dev f3b &&
		ctl chain add web hop br hop rt hop nft spi 100 on-failure drop &&
		ctl rule add pref 10 in-dev fs0 dst "$d4" proto tcp dport "$TOPO_TCP_PORT" chain web &&
		ctl rule add pref 11 in-dev fs0 dst "$d6" proto tcp dport "$TOPO_TCP_PORT" chain web &&
		ctl rule add pref 12 in-dev fs0 dst "$d4" proto icmp chain web &&
		ctl rule add pref 13 in-dev fs0 dst "$d6" proto icmpv6 chain web &&
		ctl rule add pref 20 in-dev fd0 dst "$s4" proto tcp sport "$TOPO_TCP_PORT" chain web &&
		ctl rule add pref 21 in-dev fd0 dst "$s6" proto tcp sport "$TOPO_TCP_PORT" chain web &&
		ctl rule add pref 22 in-dev fd0 dst "$s4" proto icmp chain web &&
		ctl rule add pref 23 in-dev fd0 dst "$s6" proto icmpv6 chain web
	} || die "sfcctl failed"
	ctl chain show
	echo "   pinned under $PIN_DIR; sfcd saves the document in $T/state.json"
fi

step "ping IPv4 and IPv6 through the chain (TTL 62: sf2 and fab each route once)"
timeout 15 ip netns exec "$SRC" ping -n -c 3 -i 0.3 -W 2 "$DST4" | sed 's/^/   /'
timeout 15 ip netns exec "$SRC" ping -n -c 3 -i 0.3 -W 2 "$DST6" | sed 's/^/   /'

step "TCP: 20 MB from src to dst port $TOPO_TCP_PORT, checksummed at both ends"
head -c 20M /dev/urandom >"$T/payload"
bg_run timeout 60 ip netns exec "$DST" sh -c \
	"socat -u TCP4-LISTEN:$TOPO_TCP_PORT,reuseaddr - | sha256sum >'$T/rx.sha'"
rx=$BG_PID
wait_until 5 sh -c "ip netns exec '$DST' ss -Htln 'sport = :$TOPO_TCP_PORT' | grep -q ." ||
	die "receiver did not start"
t0=$(date +%s%N)
timeout 60 ip netns exec "$SRC" socat -u "OPEN:$T/payload" "TCP4:$DST4:$TOPO_TCP_PORT" ||
	kill "$rx" 2>/dev/null	# nothing more will come
wait "$rx"
ms=$((($(date +%s%N) - t0) / 1000000))
want=$(sha256sum <"$T/payload")
got=$(cat "$T/rx.sha" 2>/dev/null)
if [[ $want == "$got" ]]; then
	echo "   sha256 equal at both ends (${ms} ms)"
else
	echo "   sha256 DIFFERS: sent ${want%% *}, received ${got:-nothing}"
	status=1
fi

step "UDP to port $TOPO_BYPASS_PORT: no rule matches, so it is not chained"
bg_run timeout 15 ip netns exec "$DST" /usr/bin/python3 "$TOPO_LIB_DIR/udp_probe.py" \
	recv "$DST4" "$TOPO_BYPASS_PORT" 10 --timeout 2 --ready "$T/ready" >"$T/udp.json"
rx=$BG_PID
wait_until 5 test -e "$T/ready" || die "UDP receiver did not start"
timeout 15 ip netns exec "$SRC" /usr/bin/python3 "$TOPO_LIB_DIR/udp_probe.py" \
	send "$DST4" "$TOPO_BYPASS_PORT" 10
wait "$rx"
echo "   dst got: $(cat "$T/udp.json")"
echo "   (TTL 63: only fab routed it; TOS 0: sf1 never marked it)"

step "what each SF counted (ok4/ok6: seen in chain order; wrong: out of order)"
topo_counters | awk '{ printf "   %-4s %-6s %s\n", $1, $2, $3 }'

if ((!FAKE)); then
	step "sfc's counters"
	ctl stats
fi

if ((KEEP)); then
	step "topology kept: e.g. ip netns exec $SRC ping $DST4"
	read -r -p "   press Enter to clean up " _ || true
fi
step "cleaning up"
exit "$status"
