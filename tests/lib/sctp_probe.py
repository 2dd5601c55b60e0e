#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""SCTP traffic for the integration tests.

  sctp_probe.py check
      exit 0 if this kernel opens an SCTP socket, else print why, exit 1
  sctp_probe.py raw-send SRC DST SPORT DPORT COUNT [--interval S]
  sctp_probe.py raw-recv ADDR PEER SPORT DPORT COUNT [--timeout S] [--ready F]
  sctp_probe.py assoc-server ADDR PORT [--timeout S] [--ready F]
  sctp_probe.py assoc-client ADDR PORT BYTES [--timeout S]

raw-*: numbered SCTP packets (common header and one DATA chunk, CRC32c
computed here) through a raw IP socket, which needs no SCTP in the kernel.
raw-recv prints {"received", "unique", "crc_ok", "payload_ok", "ttl",
"tos"}: every packet from PEER with those ports, its CRC32c and payload
checked, TTL / hop limit and TOS / traffic class as it arrived.

assoc-*: a real association from the kernel's SCTP stack (which leaves
the CRC32c to the device when the device offers it, as veths do). The
server echoes everything back until the client shuts its side down and
prints {"bytes", "sha256"} of what it received; the client sends BYTES
random bytes, reads the echo, and prints {"sent", "sent_sha256",
"echo_bytes", "echo_sha256"}.
"""
import argparse
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time

IPPROTO_SCTP = 132
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IPV6_RECVHOPLIMIT = getattr(socket, "IPV6_RECVHOPLIMIT", 51)
IPV6_HOPLIMIT = getattr(socket, "IPV6_HOPLIMIT", 52)
IPV6_RECVTCLASS = getattr(socket, "IPV6_RECVTCLASS", 66)
IPV6_TCLASS = getattr(socket, "IPV6_TCLASS", 67)
VTAG = 0x5FC5FC5F
PAYLOAD = 240


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_T = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def payload(i):
    return bytes((i * 7 + k) & 0xFF for k in range(PAYLOAD))


def sctp_packet(sport, dport, i):
    data = payload(i)
    chunk = struct.pack("!BBHIHHI", 0, 3, 16 + len(data), i, 0, 0, 0) + data
    pkt = struct.pack("!HHII", sport, dport, VTAG, 0) + chunk
    return pkt[:8] + struct.pack("<I", crc32c(pkt)) + pkt[12:]


def check():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_SCTP).close()
    except OSError as e:
        print(f"socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): {e.strerror}")
        return 1
    return 0


def raw_send(a):
    s = socket.socket(family(a.dst), socket.SOCK_RAW, IPPROTO_SCTP)
    s.bind((a.src, 0))
    for i in range(a.count):
        s.sendto(sctp_packet(a.sport, a.dport, i), (a.dst, 0))
        if a.interval:
            time.sleep(a.interval)
    return 0


def raw_recv(a):
    fam = family(a.addr)
    s = socket.socket(fam, socket.SOCK_RAW, IPPROTO_SCTP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVTCLASS, 1)
    s.bind((a.addr, 0))
    if a.ready:
        open(a.ready, "w").close()
    s.settimeout(a.timeout)
    peer = socket.inet_pton(fam, a.peer)
    got, seen, crc_ok, pl_ok, ttl, tos = 0, set(), 0, 0, {}, {}
    deadline = time.monotonic() + a.timeout * 10
    while got < a.count and time.monotonic() < deadline:
        try:
            data, anc, _, src = s.recvmsg(65535, 256)
        except socket.timeout:
            break
        if fam == socket.AF_INET:
            ihl = (data[0] & 0x0F) * 4
            if data[12:16] != peer:
                continue
            t, c, sctp = data[8], data[1], data[ihl:]
        else:
            if socket.inet_pton(fam, src[0]) != peer:
                continue
            t = c = None
            for lvl, typ, val in anc:
                if lvl == socket.IPPROTO_IPV6 and typ == IPV6_HOPLIMIT:
                    t = int.from_bytes(val[:4], sys.byteorder)
                if lvl == socket.IPPROTO_IPV6 and typ == IPV6_TCLASS:
                    c = int.from_bytes(val[:4], sys.byteorder)
            sctp = data
        if len(sctp) < 28:
            continue
        sport, dport = struct.unpack("!HH", sctp[:4])
        if (sport, dport) != (a.sport, a.dport):
            continue
        got += 1
        (crc,) = struct.unpack("<I", sctp[8:12])
        if crc == crc32c(sctp[:8] + b"\0\0\0\0" + sctp[12:]):
            crc_ok += 1
        (tsn,) = struct.unpack("!I", sctp[16:20])
        seen.add(tsn)
        if sctp[28:] == payload(tsn):
            pl_ok += 1
        ttl[str(t)] = ttl.get(str(t), 0) + 1
        tos[str(c)] = tos.get(str(c), 0) + 1
    print(json.dumps({"received": got, "unique": len(seen), "crc_ok": crc_ok,
                      "payload_ok": pl_ok, "ttl": ttl, "tos": tos}))
    return 0


def assoc_server(a):
    fam = family(a.addr)
    ls = socket.socket(fam, socket.SOCK_STREAM, IPPROTO_SCTP)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.addr, a.port))
    ls.listen(1)
    if a.ready:
        open(a.ready, "w").close()
    ls.settimeout(a.timeout)
    h, n = hashlib.sha256(), 0
    try:
        c, _ = ls.accept()
        c.settimeout(a.timeout)
        while True:
            b = c.recv(65536)
            if not b:
                break
            h.update(b)
            n += len(b)
            c.sendall(b)
        c.shutdown(socket.SHUT_WR)
        c.close()
    except OSError as e:
        print(json.dumps({"bytes": n, "sha256": h.hexdigest(), "error": str(e)}))
        return 1
    print(json.dumps({"bytes": n, "sha256": h.hexdigest()}))
    return 0


def assoc_client(a):
    fam = family(a.addr)
    s = socket.socket(fam, socket.SOCK_STREAM, IPPROTO_SCTP)
    s.settimeout(a.timeout)
    data = os.urandom(a.bytes)
    echo, err = hashlib.sha256(), []
    count = [0]

    def reader():
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    return
                echo.update(b)
                count[0] += len(b)
        except OSError as e:
            err.append(str(e))

    try:
        s.connect((a.addr, a.port))
        t = threading.Thread(target=reader)
        t.start()
        for off in range(0, len(data), 8192):
            s.sendall(data[off:off + 8192])
        s.shutdown(socket.SHUT_WR)
        t.join(a.timeout * 2)
    except OSError as e:
        err.append(str(e))
    out = {"sent": len(data), "sent_sha256": hashlib.sha256(data).hexdigest(),
           "echo_bytes": count[0], "echo_sha256": echo.hexdigest()}
    if err:
        out["error"] = "; ".join(err)
    print(json.dumps(out))
    s.close()
    return 1 if err else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    sub.add_parser("check")
    q = sub.add_parser("raw-send")
    for n in ("src", "dst"):
        q.add_argument(n)
    q.add_argument("sport", type=int)
    q.add_argument("dport", type=int)
    q.add_argument("count", type=int)
    q.add_argument("--interval", type=float, default=0.001)
    q = sub.add_parser("raw-recv")
    for n in ("addr", "peer"):
        q.add_argument(n)
    q.add_argument("sport", type=int)
    q.add_argument("dport", type=int)
    q.add_argument("count", type=int)
    q.add_argument("--timeout", type=float, default=2.0)
    q.add_argument("--ready")
    q = sub.add_parser("assoc-server")
    q.add_argument("addr")
    q.add_argument("port", type=int)
    q.add_argument("--timeout", type=float, default=10.0)
    q.add_argument("--ready")
    q = sub.add_parser("assoc-client")
    q.add_argument("addr")
    q.add_argument("port", type=int)
    q.add_argument("bytes", type=int)
    q.add_argument("--timeout", type=float, default=10.0)
    a = p.parse_args()
    return {"check": lambda a: check(), "raw-send": raw_send, "raw-recv": raw_recv,
            "assoc-server": assoc_server, "assoc-client": assoc_client}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
