#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A raw sfcd API client for the guard tests.

  api_client.py SOCKET [--send LINE] [--pad-to SIZE] [--then LINE]
                       [--delay S] [--replies N] [--timeout S]

Connects; sends LINE (with --pad-to, LINE must be a JSON object: it is
padded with a "pad" member to exactly SIZE bytes before its newline), then
the --then line if given; waits --delay seconds before reading (a slow
client); reads N reply lines (default: one per line sent, at least one).
Prints one JSON object per reply:
  {"bytes": N, "newline": true, "json": true, "ok": true|false|null,
   "error": "...", "head": "first 200 characters"}
or {"exception": "..."} where the connection failed (connect, send, read).
"""
import argparse
import json
import socket
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    p.add_argument("--send")
    p.add_argument("--pad-to", type=int)
    p.add_argument("--then")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--replies", type=int)
    p.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args()

    lines = []
    if a.send is not None:
        first = a.send.encode()
        if a.pad_to:
            head = first.rstrip()[:-1] + b',"pad":"'
            tail = b'"}'
            first = head + b"x" * (a.pad_to - len(head) - len(tail)) + tail
            assert len(first) == a.pad_to
        lines.append(first)
    if a.then is not None:
        lines.append(a.then.encode())
    nreplies = a.replies or max(1, len(lines))
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(a.timeout)
        s.connect(a.socket)
    except OSError as e:
        print(json.dumps({"exception": "connect: %s" % e}))
        return 0
    try:
        for line in lines:
            s.sendall(line + b"\n")
    except OSError as e:
        print(json.dumps({"exception": "send: %s" % e}))
        # what the daemon said before it closed is still worth reading
    if a.delay:
        time.sleep(a.delay)
    buf = b""
    for _ in range(nreplies):
        try:
            while b"\n" not in buf:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                buf += chunk
        except OSError as e:
            print(json.dumps({"exception": "recv: %s, after %d bytes %s a newline"
                              % (e, len(buf), "with" if b"\n" in buf else "without")}))
            return 0
        if not buf:
            print(json.dumps({"exception": "recv: connection closed, no reply"}))
            return 0
        line, nl, buf = buf.partition(b"\n")
        out = {"bytes": len(line), "newline": bool(nl), "json": False, "ok": None,
               "head": line[:200].decode(errors="replace")}
        try:
            r = json.loads(line)
            out["json"] = True
            if isinstance(r, dict):
                out["ok"] = r.get("ok")
                if "error" in r:
                    out["error"] = r["error"]
                if isinstance(r.get("doc"), dict):
                    out["rules"] = len(r["doc"].get("rules", []))
        except ValueError:
            pass
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
