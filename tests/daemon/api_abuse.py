#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""sfcd API clients that misbehave, for the daemon's guard tests.

  api_abuse.py SOCKET hold N [--wait S]
      open N connections from this one process and send nothing; then
      wait up to S s (default 10) for sfcd to close them. Prints
      {"opened": N, "refused": R, "refusal": "first refusal's error",
       "accepted": A, "closed": C, "closed_after": [min_s, max_s],
       "notice": "first line sfcd sent before closing an accepted one"}
  api_abuse.py SOCKET stall N
      send N health requests on one connection without reading a byte,
      then read what is there. Prints {"sent": lines sent whole,
      "send_error": "...", "replies": lines read, "closed": sfcd closed
      it (end of file, reset or broken pipe)}
  api_abuse.py SOCKET pipeline N
      send N health requests on one connection while reading the replies
      (another thread). Prints {"replies": R, "ok": OK, "in_order": bool}
  api_abuse.py SOCKET trickle [--every S] [--wait S]
      send a request one byte every S s (default 0.5), never its newline,
      for at most --wait s. Prints {"closed_after": s or null,
      "notice": "what sfcd said"}
  api_abuse.py SOCKET big K SIZE
      K clients at once, each sending one health request padded to SIZE
      bytes in 1 MiB pieces, then reading its reply. Prints
      {"replies": [{"ok": ..., "error": ...}, ...]}
"""
import argparse
import json
import select
import socket
import threading
import time


def connect(path, timeout=10.0):
    """A connection; a full listen backlog (EAGAIN) is waited out."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def first_line(data):
    line = data.split(b"\n", 1)[0]
    try:
        return json.loads(line).get("error", line.decode(errors="replace"))
    except ValueError:
        return line[:200].decode(errors="replace")


def hold(a):
    conns, refused, refusal = [], 0, None
    for _ in range(a.n):
        s = connect(a.socket)
        conns.append(s)
    time.sleep(0.5)
    t0 = time.monotonic()
    live = []
    for s in conns:
        r, _, _ = select.select([s], [], [], 0)
        if r:
            data = s.recv(65536)
            refused += 1
            if refusal is None and data:
                refusal = first_line(data)
            s.close()
        else:
            live.append(s)
    closed, times, notice = 0, [], None
    pending = {s: b"" for s in live}
    deadline = t0 + a.wait
    while pending and time.monotonic() < deadline:
        r, _, _ = select.select(list(pending), [], [], 0.1)
        for s in r:
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if data:
                pending[s] += data
                continue
            closed += 1
            times.append(round(time.monotonic() - t0, 2))
            if notice is None and pending[s]:
                notice = first_line(pending[s])
            del pending[s]
            s.close()
    for s in pending:
        s.close()
    return {"opened": a.n, "refused": refused, "refusal": refusal,
            "accepted": len(live), "closed": closed,
            "closed_after": [min(times), max(times)] if times else None,
            "notice": notice}


def stall(a):
    s = connect(a.socket)
    line = b'{"cmd":"health"}\n'
    sent, err = 0, None
    try:
        batch = 1000
        while sent < a.n:
            k = min(batch, a.n - sent)
            s.sendall(line * k)
            sent += k
    except OSError as e:
        err = str(e)
    time.sleep(0.5)
    buf, closed = b"", err is not None
    s.settimeout(2.0)
    try:
        while True:
            d = s.recv(1 << 20)
            if not d:
                closed = True
                break
            buf += d
    except socket.timeout:
        pass
    except OSError:
        closed = True
    return {"sent": sent, "send_error": err, "replies": buf.count(b"\n"), "closed": closed}


def pipeline(a):
    s = connect(a.socket, 30.0)
    out = {"replies": 0, "ok": 0, "in_order": True}

    def reader():
        f = s.makefile("rb")
        for i in range(a.n):
            line = f.readline()
            if not line:
                break
            out["replies"] += 1
            try:
                r = json.loads(line)
            except ValueError:
                out["in_order"] = False
                continue
            out["ok"] += r.get("ok") is True
            if r.get("echo") not in (None, i):
                out["in_order"] = False

    t = threading.Thread(target=reader)
    t.start()
    try:
        s.sendall(b'{"cmd":"health"}\n' * a.n)
    except OSError as e:
        out["send_error"] = str(e)
    t.join(60)
    return out


def trickle(a):
    s = connect(a.socket)
    t0 = time.monotonic()
    req = b'{"cmd":"health","pad":"' + b"x" * 1000
    got = b""
    for i in range(len(req)):
        if time.monotonic() - t0 > a.wait:
            break
        try:
            s.send(req[i:i + 1])
        except OSError:
            return {"closed_after": round(time.monotonic() - t0, 2),
                    "notice": first_line(got) if got else None}
        r, _, _ = select.select([s], [], [], a.every)
        if r:
            try:
                d = s.recv(65536)
            except OSError:
                d = b""
            if not d:
                return {"closed_after": round(time.monotonic() - t0, 2),
                        "notice": first_line(got) if got else None}
            got += d
    return {"closed_after": None, "notice": first_line(got) if got else None}


def big(a):
    res = [None] * a.k
    barrier = threading.Barrier(a.k)
    piece = 1 << 20

    def one(i):
        try:
            s = connect(a.socket, 60.0)
            head = b'{"cmd":"health","pad":"'
            tail = b'"}\n'
            n = a.size - len(head) - len(tail) + 1
            barrier.wait(10)
            s.sendall(head)
            while n > 0:
                k = min(piece, n)
                s.sendall(b"x" * k)
                n -= k
            s.sendall(tail)
            f = s.makefile("rb")
            line = f.readline()
            r = json.loads(line) if line else {"ok": None, "error": "closed"}
            res[i] = {"ok": r.get("ok"), "error": r.get("error")}
            s.close()
        except Exception as e:  # reported, not raised
            res[i] = {"ok": None, "error": "exception: %r" % e}

    ts = [threading.Thread(target=one, args=(i,)) for i in range(a.k)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    return {"replies": res}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    sub = p.add_subparsers(dest="mode", required=True)
    h = sub.add_parser("hold")
    h.add_argument("n", type=int)
    h.add_argument("--wait", type=float, default=10.0)
    st = sub.add_parser("stall")
    st.add_argument("n", type=int)
    pl = sub.add_parser("pipeline")
    pl.add_argument("n", type=int)
    tr = sub.add_parser("trickle")
    tr.add_argument("--every", type=float, default=0.5)
    tr.add_argument("--wait", type=float, default=15.0)
    b = sub.add_parser("big")
    b.add_argument("k", type=int)
    b.add_argument("size", type=int)
    a = p.parse_args()
    fn = {"hold": hold, "stall": stall, "pipeline": pipeline, "trickle": trickle,
          "big": big}[a.mode]
    print(json.dumps(fn(a)))


if __name__ == "__main__":
    main()
