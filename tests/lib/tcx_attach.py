#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Attach a pinned sched_cls program to an interface with tcx and pin the link.

  tcx_attach.py PROG_PIN LINK_PIN DEV ingress|egress

tcx programs run before the clsact qdisc's filters of the same direction
(and a verdict of -1, TCX_NEXT, lets those run); bpftool before 7.3 cannot
attach them. Run it in the interface's network namespace; removing the
link pin (or the namespace) detaches.
"""
import ctypes
import os
import socket
import sys

SYS_BPF = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
BPF_OBJ_PIN, BPF_OBJ_GET, BPF_LINK_CREATE = 6, 7, 28
BPF_TCX = {"ingress": 46, "egress": 47}  # BPF_TCX_INGRESS, BPF_TCX_EGRESS

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), 128)
    r = libc.syscall(SYS_BPF, cmd, buf, 128)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, f"bpf({cmd}): {os.strerror(e)}")
    return r


def path_attr(path, fd=0):
    p = ctypes.create_string_buffer(path.encode())
    path_attr.keep.append(p)
    return ctypes.addressof(p).to_bytes(8, sys.byteorder) + fd.to_bytes(4, sys.byteorder)


path_attr.keep = []


def main():
    prog_pin, link_pin, dev, where = sys.argv[1:5]
    prog = bpf(BPF_OBJ_GET, path_attr(prog_pin))
    ifindex = socket.if_nametoindex(dev)
    attr = b"".join(v.to_bytes(4, sys.byteorder) for v in (prog, ifindex, BPF_TCX[where], 0))
    link = bpf(BPF_LINK_CREATE, attr)
    bpf(BPF_OBJ_PIN, path_attr(link_pin, link))
    return 0


if __name__ == "__main__":
    sys.exit(main())
