#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""TCP connections with checked echoes for the sfcd tests.

  tcp_echo.py server ADDR PORTS [--time S] [--ready FILE]
  tcp_echo.py client ADDR PORTS --sport PORT [--bytes N] [--timeout S]
                     [--hold-file FILE --held-file FILE [--hold-max S]]

PORTS is one port or a range LOW-HIGH.

server: listens on every port of PORTS and echoes what each connection
sends until the peer closes; exits after --time s (default 60).
--ready: created once every port listens.

client: one connection to each port of PORTS at once, the i-th from
source port --sport + 7i (not --sport + i: sfc's flow hash folds the two
ports together by XOR, and ports rising in step would give few distinct
hashes). Each sends --bytes bytes of its own pattern,
half-closes, reads the echo to the end and compares it. --timeout (default
3 s) bounds each connection as a whole (connect included). With
--hold-file, each connection exchanges a first half, creates --held-file
once every connection has, and waits for --hold-file (at most --hold-max s,
default 30) before sending the second half. Prints
  {"conns": N, "connected": N, "ok": N, "failed": {"PORT": "why", ...}}
"""
import argparse
import json
import os
import socket
import struct
import sys
import threading
import time


def ports(spec):
    """"7000" or "7000-7023" -> list of ports"""
    lo, _, hi = spec.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def serve_conn(conn, deadline):
    with conn:
        while time.monotonic() < deadline:
            conn.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            conn.sendall(data)


def serve_port(lsock, deadline):
    while time.monotonic() < deadline:
        lsock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            conn, _ = lsock.accept()
        except OSError:
            continue
        threading.Thread(target=serve_conn, args=(conn, deadline), daemon=True).start()


def server(a):
    deadline = time.monotonic() + a.time
    threads = []
    for p in ports(a.ports):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a.addr, p))
        s.listen(64)
        t = threading.Thread(target=serve_port, args=(s, deadline), daemon=True)
        threads.append(t)
    for t in threads:
        t.start()
    if a.ready:
        open(a.ready, "w").close()
    while time.monotonic() < deadline:
        time.sleep(0.2)
    return 0


def pattern(port, n):
    """bytes no other connection of the run sends"""
    seed = bytes("%d:" % port, "ascii")
    out = bytearray()
    i = 0
    while len(out) < n:
        out += seed + (b"%08d" % i)
        i += 1
    return bytes(out[:n])


def wait_file(path, limit):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False


def exchange(s, data, deadline):
    """send data, read as much back; the echo or the reason it is not"""
    s.settimeout(max(0.05, deadline - time.monotonic()))
    s.sendall(data)
    got = bytearray()
    while len(got) < len(data):
        s.settimeout(max(0.05, deadline - time.monotonic()))
        chunk = s.recv(len(data) - len(got))
        if not chunk:
            break
        got += chunk
    return bytes(got)


class Conn:
    def __init__(self, a, port, sport, barrier):
        self.a, self.port, self.sport, self.barrier = a, port, sport, barrier
        self.connected = False
        self.why = "not run"

    def run(self):
        a = self.a
        data = pattern(self.port, a.bytes)
        deadline = time.monotonic() + a.timeout
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", self.sport))
            s.settimeout(a.timeout)
            s.connect((a.addr, self.port))
            self.connected = True
            if a.hold_file:
                half = len(data) // 2
                if exchange(s, data[:half], deadline) != data[:half]:
                    self.why = "first half: echo short or wrong"
                    self.barrier.abort()
                    return
                self.barrier.wait(max(0.1, deadline - time.monotonic()))
                if not wait_file(a.hold_file, a.hold_max):
                    self.why = "hold file never came"
                    return
                deadline = time.monotonic() + a.timeout
                data = data[half:]
            s.settimeout(max(0.05, deadline - time.monotonic()))
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            got = bytearray()
            while True:
                s.settimeout(max(0.05, deadline - time.monotonic()))
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            if bytes(got) == data:
                self.why = None
            else:
                self.why = "echo of %d bytes for %d sent, or different" % (len(got), len(data))
        except threading.BrokenBarrierError:
            self.why = "another connection failed before the hold"
        except socket.timeout:
            self.why = "timed out" + ("" if self.connected else " connecting")
        except OSError as e:
            self.why = "%s%s" % (e.strerror or e, "" if self.connected else " connecting")
        finally:
            if self.why is not None:
                # abort: a failed connection sends an RST, not
                # retransmissions that later rounds would count
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()


def client(a):
    plist = ports(a.ports)
    barrier = threading.Barrier(len(plist), action=lambda: a.held_file and
                                open(a.held_file, "w").close())
    conns = [Conn(a, p, a.sport + 7 * i, barrier) for i, p in enumerate(plist)]
    threads = [threading.Thread(target=c.run, daemon=True) for c in conns]
    for t in threads:
        t.start()
    limit = a.timeout * 2 + 2 + (a.hold_max if a.hold_file else 0)
    end = time.monotonic() + limit
    for t in threads:
        t.join(max(0, end - time.monotonic()))
    failed = {str(c.port): c.why for c in conns if c.why is not None}
    json.dump({"conns": len(conns), "connected": sum(c.connected for c in conns),
               "ok": len(conns) - len(failed), "failed": failed}, sys.stdout)
    print()
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("addr")
    s.add_argument("ports")
    s.add_argument("--time", type=float, default=60)
    s.add_argument("--ready")
    c = sub.add_parser("client")
    c.add_argument("addr")
    c.add_argument("ports")
    c.add_argument("--sport", type=int, required=True)
    c.add_argument("--bytes", type=int, default=8192)
    c.add_argument("--timeout", type=float, default=3)
    c.add_argument("--hold-file")
    c.add_argument("--held-file")
    c.add_argument("--hold-max", type=float, default=30)
    a = p.parse_args()
    return server(a) if a.cmd == "server" else client(a)


if __name__ == "__main__":
    sys.exit(main())
