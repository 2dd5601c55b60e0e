#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Many sfcd API clients at once, each with its own edits.

  api_storm.py SOCKET N [--serial] [--timeout S]

Client i (0 <= i < N) adds rule pref 1000+i (UDP to 198.18.2.0/24 port
7000+i, from fs0, chain web); every fourth client (i % 4 == 0) then deletes
it again; client i with i % 10 == 1 also deletes the pre-existing rule pref
500 + i // 10. All N clients connect first and send together (a barrier);
--serial runs them one after the other instead.

Prints one JSON object: {"clients": N, "requests": R, "ok": R_OK,
"errors": ["client i: request -> reply", ...], "ms": elapsed}.
"""
import argparse
import json
import socket
import sys
import threading
import time


def requests_of(i):
    reqs = [{"cmd": "rule-add", "rule": {
        "pref": 1000 + i, "in-dev": "fs0", "dst": "198.18.2.0/24",
        "proto": "udp", "dport": 7000 + i, "chain": "web"}}]
    if i % 4 == 0:
        reqs.append({"cmd": "rule-del", "pref": 1000 + i})
    if i % 10 == 1:
        reqs.append({"cmd": "rule-del", "pref": 500 + i // 10})
    return reqs


def client(path, i, barrier, timeout, out):
    res = []
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(path)
        f = s.makefile("rwb")
        if barrier:
            barrier.wait(timeout)
        for r in requests_of(i):
            f.write((json.dumps(r) + "\n").encode())
            f.flush()
            line = f.readline()
            res.append((r, line.decode(errors="replace").strip()))
        s.close()
    except Exception as e:  # reported, not raised: the thread must finish
        res.append(({"cmd": "(connection)"}, "exception: %r" % e))
    out[i] = res


def main():
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    p.add_argument("n", type=int)
    p.add_argument("--serial", action="store_true")
    p.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args()
    out = [None] * a.n
    t0 = time.monotonic()
    if a.serial:
        for i in range(a.n):
            client(a.socket, i, None, a.timeout, out)
    else:
        barrier = threading.Barrier(a.n)
        threads = [threading.Thread(target=client,
                                    args=(a.socket, i, barrier, a.timeout, out))
                   for i in range(a.n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(a.timeout * 4)
    ms = int((time.monotonic() - t0) * 1000)
    nreq = nok = 0
    errors = []
    for i, res in enumerate(out):
        if res is None:
            errors.append("client %d: did not finish" % i)
            continue
        for req, reply in res:
            nreq += 1
            try:
                ok = json.loads(reply).get("ok") is True
            except ValueError:
                ok = False
            if ok:
                nok += 1
            else:
                errors.append("client %d: %s -> %s" % (i, req["cmd"], reply[:200]))
    print(json.dumps({"clients": a.n, "requests": nreq, "ok": nok,
                      "errors": errors[:10], "ms": ms}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
