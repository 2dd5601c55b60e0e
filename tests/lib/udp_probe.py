#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Send or receive numbered UDP datagrams; the receiver reports what came.

  udp_probe.py send ADDR PORT COUNT [--interval S] [--size N]
  udp_probe.py recv ADDR PORT COUNT [--timeout S] [--ready FILE]

recv prints one JSON object: {"received": N, "unique": N, "ttl": {"62": N},
"tos": {"136": N}} where ttl is the IPv4 TTL or IPv6 hop limit and tos the
IPv4 TOS byte or IPv6 traffic class of each datagram as it arrived. It
stops after COUNT datagrams or when none came for --timeout seconds.
"""
import argparse
import json
import socket
import sys
import time

# Not all of these are exported by every Python's socket module.
IP_TOS = getattr(socket, "IP_TOS", 1)
IP_TTL = getattr(socket, "IP_TTL", 2)
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IP_RECVTOS = getattr(socket, "IP_RECVTOS", 13)
IPV6_RECVHOPLIMIT = getattr(socket, "IPV6_RECVHOPLIMIT", 51)
IPV6_HOPLIMIT = getattr(socket, "IPV6_HOPLIMIT", 52)
IPV6_RECVTCLASS = getattr(socket, "IPV6_RECVTCLASS", 66)
IPV6_TCLASS = getattr(socket, "IPV6_TCLASS", 67)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def send(a):
    s = socket.socket(family(a.addr), socket.SOCK_DGRAM)
    pad = b"x" * max(0, a.size - 8)
    for i in range(a.count):
        s.sendto(i.to_bytes(8, "big") + pad, (a.addr, a.port))
        if a.interval:
            time.sleep(a.interval)
    return 0


def recv(a):
    fam = family(a.addr)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVTCLASS, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
    s.bind((a.addr, a.port))
    if a.ready:
        open(a.ready, "w").close()
    s.settimeout(a.timeout)
    got, seen, ttl, tos = 0, set(), {}, {}
    while got < a.count:
        try:
            data, anc, _, _ = s.recvmsg(65536, 256)
        except socket.timeout:
            break
        got += 1
        seen.add(data[:8])
        for level, kind, val in anc:
            v = int.from_bytes(val[:4], sys.byteorder) if len(val) >= 4 else val[0]
            if (level, kind) in ((socket.IPPROTO_IP, IP_TTL),
                                 (socket.IPPROTO_IPV6, IPV6_HOPLIMIT)):
                ttl[str(v)] = ttl.get(str(v), 0) + 1
            elif (level, kind) in ((socket.IPPROTO_IP, IP_TOS),
                                   (socket.IPPROTO_IPV6, IPV6_TCLASS)):
                v = val[0] if level == socket.IPPROTO_IP else v
                tos[str(v)] = tos.get(str(v), 0) + 1
    print(json.dumps({"received": got, "unique": len(seen), "ttl": ttl, "tos": tos}))
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("send", "recv"))
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("count", type=int)
    p.add_argument("--interval", type=float, default=0.001)
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--ready")
    a = p.parse_args()
    return send(a) if a.mode == "send" else recv(a)


if __name__ == "__main__":
    sys.exit(main())
