#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Numbered, timestamped UDP probes for the sfcd tests.

  probe.py send ADDR PORT COUNT [--interval S] [--size N] [--log FILE] [--sport PORT]
                [--stop-file FILE]
  probe.py recv ADDR PORT COUNT [--timeout S] [--hold-file FILE [--hold-max S]]
                [--ready FILE] [--log FILE]
  probe.py outage SENT_LOG RECV_LOG --down NS --up NS [--grace-ms MS]
                  [--settle-ms MS] [--full-dscp D]

PORT is one port or a range LOW-HIGH (every port of it: COUNT datagrams
to each, COUNT expected on each).

send: COUNT datagrams, each carrying its sequence number and the sender's
CLOCK_REALTIME (ns), paced on an absolute schedule (no drift); fewer if
--stop-file appears (COUNT is then the bound); it creates --stop-file when
it is done. --log: "SEQ SENT_NS" per datagram sent.

recv: stops after COUNT datagrams or after --timeout s of silence; with
--hold-file, silence counts only once that file exists (a sender's
--stop-file: an outage longer than --timeout while the sender still sends
must not end the receiver), and --hold-max s (default 60) bound it. Writes
one line per datagram to --log ("SEQ SENT_NS RX_NS DSCP PORT"; RX_NS is
the kernel's receive timestamp) and prints a summary:
  {"received": N, "unique": N, "missing": N, "dscp": {"24": N}}
(missing: sequence numbers below COUNT that never came), with a range also
"by_port": {"7000": {"0": N}, ...}.

outage: from the sender's log (send --log) and the receiver's, around a
link outage (--down: when the link was deleted, --up: when it was set up
again; ns of CLOCK_REALTIME, the probes' clock: one host), prints
  {"before_sent": N, "before": {DSCP: received},   sent before cut - grace
                                                   (--cut: when the deletion began;
                                                   default --down)
   "during_sent": N, "during": {...},               sent in [down + grace, up)
   "after_sent": N,  "after": {...},                sent from up + settle on
   "first_full_ms": ms from --up to the first datagram received with DSCP
                    --full-dscp (null if none)}
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time

IP_TOS = getattr(socket, "IP_TOS", 1)
IP_RECVTOS = getattr(socket, "IP_RECVTOS", 13)
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
HDR = struct.Struct("!QQ")


def ports(spec):
    """"5000" or "7000-7099" -> list of ports"""
    lo, _, hi = spec.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if a.sport:
        # the same flows (5-tuples) round after round
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", a.sport))
    pad = b"p" * max(0, a.size - HDR.size)
    dports = ports(a.port)
    t0 = time.monotonic()
    stamps = []
    for i in range(a.count):
        if a.stop_file and os.path.exists(a.stop_file):
            break
        due = t0 + i * a.interval
        d = due - time.monotonic()
        if d > 0:
            time.sleep(d)
        now = time.time_ns()
        for port in dports:
            s.sendto(HDR.pack(i, now) + pad, (a.addr, port))
        stamps.append(now)
    if a.log:
        with open(a.log, "w") as f:
            for i, t in enumerate(stamps):
                f.write("%d %d\n" % (i, t))
    if a.stop_file:
        open(a.stop_file, "a").close()
    return 0


def recv(a):
    socks = {}
    for port in ports(a.port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        s.bind((a.addr, port))
        s.setblocking(False)
        socks[s.fileno()] = (s, port)
    want = a.count * len(socks)
    if a.ready:
        open(a.ready, "w").close()
    poll = select.poll()
    for fd in socks:
        poll.register(fd, select.POLLIN)
    log = open(a.log, "w") if a.log else None
    got, seen, dscp, by_port = 0, set(), {}, {}
    hold_until = time.monotonic() + a.hold_max
    while got < want:
        ready = poll.poll(a.timeout * 1000)
        if not ready:
            if (a.hold_file and not os.path.exists(a.hold_file) and
                    time.monotonic() < hold_until):
                continue
            break
        for fd, _ in ready:
            s, port = socks[fd]
            try:
                data, anc, _, _ = s.recvmsg(65536, 256)
            except BlockingIOError:
                continue
            if len(data) < HDR.size:
                continue
            seq, sent = HDR.unpack_from(data)
            rx, tos = time.time_ns(), -1
            for level, kind, val in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", val[:16])
                    rx = sec * 1000000000 + nsec
                elif level == socket.IPPROTO_IP and kind == IP_TOS:
                    tos = val[0]
            got += 1
            seen.add((port, seq))
            d = str(tos >> 2) if tos >= 0 else "?"
            dscp[d] = dscp.get(d, 0) + 1
            h = by_port.setdefault(str(port), {})
            h[d] = h.get(d, 0) + 1
            if log:
                log.write("%d %d %d %s %d\n" % (seq, sent, rx, d, port))
    if log:
        log.close()
    missing = sum(1 for _, port in socks.values() for i in range(a.count)
                  if (port, i) not in seen)
    out = {"received": got, "unique": len(seen), "missing": missing, "dscp": dscp}
    if len(socks) > 1:
        out["by_port"] = by_port
    print(json.dumps(out))
    return 0


def hist(rows):
    h = {}
    for r in rows:
        h[r[3]] = h.get(r[3], 0) + 1
    return h


def outage(a):
    sent = {}
    with open(a.sent) as f:
        for line in f:
            seq, ts = line.split()
            sent[int(seq)] = int(ts)
    rows = []
    with open(a.recv) as f:
        for line in f:
            seq, ts, rx, d = line.split()[:4]
            rows.append((int(seq), int(ts), int(rx), d))
    grace = a.grace_ms * 1000000
    settle = a.settle_ms * 1000000

    def win(lo, hi):
        return set(s for s, t in sent.items() if lo <= t < hi)

    # Packets in flight while the link is being torn down are lost with
    # it: "before" ends when the cut began (--cut), not when it finished.
    w_before = win(0, (a.cut or a.down) - grace)
    w_during = win(a.down + grace, a.up)
    w_after = win(a.up + settle, 1 << 63)
    first = [r[2] for r in rows if r[2] >= a.up and r[3] == a.full_dscp]
    out = {
        "before_sent": len(w_before),
        "before": hist(r for r in rows if r[0] in w_before),
        "during_sent": len(w_during),
        "during": hist(r for r in rows if r[0] in w_during),
        "after_sent": len(w_after),
        "after": hist(r for r in rows if r[0] in w_after),
        "first_full_ms": round((min(first) - a.up) / 1e6, 2) if first else None,
    }
    print(json.dumps(out))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("send")
    s.add_argument("addr")
    s.add_argument("port", help="PORT or LOW-HIGH")
    s.add_argument("count", type=int)
    s.add_argument("--interval", type=float, default=0.005)
    s.add_argument("--size", type=int, default=64)
    s.add_argument("--log")
    s.add_argument("--stop-file")
    s.add_argument("--sport", type=int, default=0, help="source port (default: any)")
    r = sub.add_parser("recv")
    r.add_argument("addr")
    r.add_argument("port", help="PORT or LOW-HIGH")
    r.add_argument("count", type=int)
    r.add_argument("--timeout", type=float, default=2.0)
    r.add_argument("--hold-file")
    r.add_argument("--hold-max", type=float, default=60.0)
    r.add_argument("--ready")
    r.add_argument("--log")
    o = sub.add_parser("outage")
    o.add_argument("sent")
    o.add_argument("recv")
    o.add_argument("--down", type=int, required=True)
    o.add_argument("--cut", type=int, default=0)
    o.add_argument("--up", type=int, required=True)
    o.add_argument("--grace-ms", type=int, default=50)
    o.add_argument("--settle-ms", type=int, default=100)
    o.add_argument("--full-dscp", default="24")
    a = p.parse_args()
    return {"send": send, "recv": recv, "outage": outage}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
