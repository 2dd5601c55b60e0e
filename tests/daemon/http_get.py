#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Raw HTTP for the metrics tests: send exactly what is asked, print what
comes back (bounded in time), so that bad requests can be made too.

  http_get.py HOST PORT [--method M] [--path P] [--raw TEXT] [--pad N]
              [--hold N --hold-s S] [--timeout S]

Prints one JSON object: {"status": N or null, "headers": {...}, "body": "...",
"closed": true/false}. --hold N opens N connections that send nothing and
keeps them S seconds, then makes the request (the answer while they are
held); --pad N adds a header of N bytes.
"""
import argparse
import json
import socket
import time


def request(host, port, data, timeout):
    s = socket.create_connection((host, port), timeout=timeout)
    s.sendall(data)
    chunks, closed = [], False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not b:
            closed = True
            break
        chunks.append(b)
    s.close()
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = None
    if lines and lines[0].startswith("HTTP/"):
        status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return {"status": status, "headers": headers,
            "body": body.decode("utf-8", "replace"), "closed": closed}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--method", default="GET")
    ap.add_argument("--path", default="/metrics")
    ap.add_argument("--raw")
    ap.add_argument("--pad", type=int, default=0)
    ap.add_argument("--hold", type=int, default=0)
    ap.add_argument("--hold-s", type=float, default=0)
    ap.add_argument("--timeout", type=float, default=5)
    a = ap.parse_args()
    held = [socket.create_connection((a.host, a.port), timeout=a.timeout)
            for _ in range(a.hold)]
    if a.raw is not None:
        data = a.raw.encode().decode("unicode_escape").encode("latin-1")
    else:
        pad = "X-Pad: %s\r\n" % ("p" * a.pad) if a.pad else ""
        data = ("%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" %
                (a.method, a.path, a.host, pad)).encode()
    if a.hold_s:
        time.sleep(a.hold_s)
    try:
        out = request(a.host, a.port, data, a.timeout)
    except OSError as e:
        out = {"status": None, "error": str(e)}
    for s in held:
        s.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
