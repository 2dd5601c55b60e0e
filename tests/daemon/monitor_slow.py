#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A monitor client of sfcd's API that does not read (tests/daemon/monitor.sh).

  monitor_slow.py SOCKET READY_FILE GO_FILE

Asks for {"cmd":"monitor","chain":"web"} with a small receive buffer,
reads the reply, creates READY_FILE, then reads nothing until GO_FILE
exists. Then it reads what sfcd queued up to a loss report that counts
lost events, shuts down its sending side and reads the rest, up to
sfcd's last loss report. Prints {"ack": ok, "events": N, "last": {"lost": N,
"lost_datapath": N}}.
"""
import json
import os
import socket
import sys
import time


def main():
    path, ready, go = sys.argv[1:4]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(path)
    s.sendall(b'{"cmd":"monitor","chain":"web"}\n')
    f = s.makefile("rb")
    ack = json.loads(f.readline())
    open(ready, "w").close()
    deadline = time.monotonic() + 50
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.05)
    s.settimeout(10)
    events, last = 0, None
    for line in f:
        o = json.loads(line)
        if "lost" in o:
            last = o
            if o["lost"] > 0:
                break
        else:
            events += 1
    s.shutdown(socket.SHUT_WR)
    for line in f:
        o = json.loads(line)
        if "lost" in o:
            last = o
        else:
            events += 1
    print(json.dumps({"ack": ack.get("ok"), "events": events, "last": last}))


if __name__ == "__main__":
    main()
