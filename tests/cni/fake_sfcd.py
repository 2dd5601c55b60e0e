#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A stand-in for sfcd's API socket, for the answers a real sfcd cannot be
made to give on demand (unhealthy, busy, silent, a refusal).

  fake_sfcd.py SOCKET REPLIES LOG

REPLIES is a JSON object: cmd -> the reply object, or the string "silent"
(read the request, never answer), or "close" (close without answering).
A cmd it does not list gets {"ok": true}. Every request is appended to LOG,
one JSON object per line. It serves until killed.
"""
import json
import os
import socket
import sys
import threading


def serve(conn, replies, log):
    buf = b""
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                try:
                    req = json.loads(line)
                except ValueError:
                    req = {"cmd": None, "raw": line.decode(errors="replace")}
                with open(log, "a") as f:
                    f.write(json.dumps(req) + "\n")
                rep = replies.get(req.get("cmd"), {"ok": True})
                if rep == "silent":
                    threading.Event().wait(3600)
                    return
                if rep == "close":
                    return
                conn.sendall(json.dumps(rep).encode() + b"\n")


def main():
    path, replies, log = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, replies, log), daemon=True).start()


if __name__ == "__main__":
    main()
