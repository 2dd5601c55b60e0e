#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Desired-state documents for the benchmark.

Reads a base document on stdin (ingress points, SFs, chains and the rules
the traffic must match, without prefs) and writes it out with:

  --others N        N more rules that never match the benchmark's traffic,
                    in 8 shapes (the classifier's cost follows the number
                    of shapes, not of rules), prefs 1..N; the base rules
                    come after them, so a first packet searches every shape
  --extra-chains C  C more chains of --extra-hops hops over the base SFs;
                    the other rules point at them (else at the base chains)

Addresses: the other rules match destinations in 198.19.0.0/16 only; the
traffic goes to 198.18.2.0/24.
"""
import argparse
import json
import sys


def other_rule(i, ingress, chain):
    a, hi = i % 65536, i // 65536
    dst = f"198.19.{a >> 8}.{a & 255}/32"
    shape = i % 8
    if hi and shape in (2, 5):
        shape = 0  # shapes without ports have room for 65536 rules only
    r = {"dst": dst}
    if shape == 0:
        r.update(proto="udp", dport=str(1000 + hi))
    elif shape == 1:
        r.update(proto="tcp", dport=str(2000 + hi))
    elif shape == 3:
        r.update(src=f"198.18.{200 + hi}.0/24", proto="udp")
    elif shape == 4:
        r.update(proto="udp", sport=str(3000 + hi))
    elif shape == 5:
        r.update(proto="icmp")
    elif shape == 6:
        r.update(proto="udp", dport=str(4000 + hi))
        if ingress:
            r["in-dev"] = ingress
    elif shape == 7:
        r.update(proto="tcp", sport=str(5000 + hi))
    r["chain"] = chain
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--others", type=int, default=0)
    ap.add_argument("--extra-chains", type=int, default=0)
    ap.add_argument("--extra-hops", type=int, default=2)
    args = ap.parse_args()

    doc = json.load(sys.stdin)
    for k in ("ingress", "sfs", "chains", "rules"):
        doc.setdefault(k, [])
    sfs = [s["name"] for s in doc["sfs"]]
    spis = {c["spi"] for c in doc["chains"]}
    extra = []
    for j in range(args.extra_chains):
        spi = 100000 + j
        while spi in spis:
            spi += 1
        hops = [[sfs[(j + h) % len(sfs)]] for h in range(args.extra_hops)]
        extra.append({"name": f"x{j}", "spi": spi, "hops": hops})
    targets = [c["name"] for c in extra] or [c["name"] for c in doc["chains"]]
    ingress = doc["ingress"][0]["dev"] if doc["ingress"] else None

    rules = []
    if args.others and not targets:
        sys.exit("gendoc: --others needs at least one chain")
    for i in range(args.others):
        r = other_rule(i, ingress, targets[i % len(targets)])
        r["pref"] = i + 1
        rules.append(r)
    for n, r in enumerate(doc["rules"]):
        r = dict(r)
        r.setdefault("pref", args.others + 1 + n)
        rules.append(r)
    doc["chains"] = doc["chains"] + extra
    doc["rules"] = rules
    json.dump(doc, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
