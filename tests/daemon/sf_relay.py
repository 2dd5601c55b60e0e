#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A user-space SF for the sfcd tests: a delaying, marking relay.

  sf_relay.py [--a eth0] [--b eth1] [--delay-ms 20] [--digit 1..3]
              [--max-seconds 60] [--ready FILE] [--stats FILE]

Run inside an SF's namespace (ip netns exec). Every frame received on
interface --a is sent out --b, and every frame received on --b out --a,
--delay-ms after it arrived, in arrival order (AF_PACKET raw sockets,
ETH_P_ALL; frames the relay itself sent, PACKET_OUTGOING, are ignored).
Packets so spend real time inside the SF, as in a real one, and an edit
or a failure in the fabric meets packets in flight.

IPv4 frames get their DSCP rewritten: dscp_out = (dscp_in * 4 + DIGIT) & 63
(the header checksum fixed), so the DSCP a datagram arrives with spells,
in base 4, the SFs it crossed in order: with SFs of digits 1, 2 and 3, DSCP
27 (= 123 in base 4) is "1 then 2 then 3". Up to three hops are told
apart; a fourth shifts the first out. The UDP checksum does not cover the
DSCP: it stays valid if the sender computed it (no checksum offload on the
sender's interface: a relay sends what it received, bytes as they are).

It stops by itself after --max-seconds, or on SIGTERM/SIGINT; then it
writes --stats: {"rx": {"eth0": N, "eth1": N}, "tx": {...}, "ipv4": N,
"send_errors": N, "max_queue": N} (rx: frames received on that interface
and relayed, tx: frames sent on it). --ready is created once both sockets
are bound.
"""
import argparse
import collections
import json
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = getattr(socket, "PACKET_OUTGOING", 4)
SOL_PACKET = getattr(socket, "SOL_PACKET", 263)
PACKET_IGNORE_OUTGOING = 23
ETH_P_IP = b"\x08\x00"


def ip_csum(hdr):
    if len(hdr) % 2:
        hdr += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mark(frame, digit):
    """rewrite the DSCP of an IPv4 frame in place; True if it was one"""
    if len(frame) < 34 or frame[12:14] != ETH_P_IP or frame[14] >> 4 != 4:
        return False
    ihl = (frame[14] & 15) * 4
    if ihl < 20 or len(frame) < 14 + ihl:
        return False
    tos = frame[15]
    dscp = ((tos >> 2) * 4 + digit) & 63
    frame[15] = (dscp << 2) | (tos & 3)
    frame[24:26] = b"\x00\x00"
    frame[24:26] = struct.pack("!H", ip_csum(bytes(frame[14:14 + ihl])))
    return True


def open_sock(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    try:
        s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
    except OSError:
        pass  # older kernel: the pkttype check below does it
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    s.bind((ifname, ETH_P_ALL))
    s.setblocking(False)
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--a", default="eth0")
    p.add_argument("--b", default="eth1")
    p.add_argument("--delay-ms", type=float, default=20.0)
    p.add_argument("--digit", type=int, choices=(1, 2, 3), required=True)
    p.add_argument("--max-seconds", type=float, default=60.0)
    p.add_argument("--ready")
    p.add_argument("--stats")
    a = p.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    sa, sb = open_sock(a.a), open_sock(a.b)
    other = {sa.fileno(): (sb, a.b), sb.fileno(): (sa, a.a)}
    name = {sa.fileno(): a.a, sb.fileno(): a.b}
    socks = {sa.fileno(): sa, sb.fileno(): sb}
    rx = {a.a: 0, a.b: 0}
    tx = {a.a: 0, a.b: 0}
    ipv4 = send_errors = max_queue = 0
    delay = a.delay_ms / 1000.0
    queue = collections.deque()  # (due, out socket, out name, frame)
    poll = select.poll()
    for fd in socks:
        poll.register(fd, select.POLLIN)
    if a.ready:
        open(a.ready, "w").close()
    end = time.monotonic() + a.max_seconds

    while not stop:
        now = time.monotonic()
        if now >= end:
            break
        wait = min(end - now, 0.1)
        if queue:
            wait = max(0.0, min(wait, queue[0][0] - now))
        try:
            ready = poll.poll(wait * 1000)
        except InterruptedError:
            continue
        for fd, _ in ready:
            s = socks[fd]
            for _ in range(256):  # bounded: the queue is served too
                try:
                    data, addr = s.recvfrom(65536)
                except (BlockingIOError, InterruptedError):
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                rx[name[fd]] += 1
                frame = bytearray(data)
                if mark(frame, a.digit):
                    ipv4 += 1
                out, oname = other[fd]
                queue.append((time.monotonic() + delay, out, oname, frame))
        max_queue = max(max_queue, len(queue))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, out, oname, frame = queue.popleft()
            try:
                out.send(frame)
                tx[oname] += 1
            except OSError:
                send_errors += 1

    if a.stats:
        tmp = a.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"rx": rx, "tx": tx, "ipv4": ipv4, "send_errors": send_errors,
                       "max_queue": max_queue, "unsent": len(queue)}, f)
        os.rename(tmp, a.stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
