# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""make bench's report, pod TCP section: what tests/bench/podtcp.sh measured.

section(out_dir, micro) -> (markdown lines, verdicts [(ok, text)])

Reads OUT_DIR/podtcp.tsv and OUT_DIR/podtcp-systems.tsv; nothing when they
are missing (BENCH_SKIP=podtcp). Ratios are taken within a round, then the
median over rounds.
"""
import os
import statistics
from collections import defaultdict

TARGET_NOCHAIN = 0.8   # sfc through one SF >= 0.8 x the same pods with no chain
TARGET_TC = 1.5        # ... and >= 1.5 x the tc u32+mirred chain
LENGTHS = (1, 3)


def _med(v):
    return statistics.median(v) if v else None


def _rng(v, digits=2):
    if not v:
        return "–"
    return f"{_med(v):.{digits}f} [{min(v):.{digits}f}–{max(v):.{digits}f}]"


def _read(out):
    runs = defaultdict(dict)  # system -> round -> row
    try:
        with open(os.path.join(out, "podtcp.tsv")) as f:
            next(f)
            for line in f:
                r, system, gbps, retrans, csum, sfmin = line.rstrip("\n").split("\t")
                try:
                    g = float(gbps)
                except ValueError:
                    g = None
                runs[system][int(r)] = {"gbps": g, "retrans": int(retrans),
                                        "csum": int(csum), "sf_min": int(sfmin)}
    except (OSError, ValueError, StopIteration):
        return None
    return runs


def _states(out):
    st = {}
    try:
        with open(os.path.join(out, "podtcp-systems.tsv")) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("\t")
                st[k] = v
    except OSError:
        pass
    return st


def calibration(micro):
    """The machine's calibration line, from this run's micro-benchmarks."""
    docs = (micro or {}).get("docs") or []
    hit = docs[0].get("hit") if docs else None
    parts = (micro or {}).get("parts") or {}
    empty = hit.get("base_ns") if isinstance(hit, dict) else None
    lookup = parts.get("flow", {}).get("net_ns") if isinstance(parts.get("flow"), dict) else None
    if empty is None and lookup is None:
        return ("Calibration: not measured in this run (the micro-benchmarks were "
                "skipped or failed).")
    e = f"{empty:.0f} ns" if empty is not None else "not measured"
    lk = f"{lookup:.0f} ns" if lookup is not None else "not measured"
    return (f"Calibration (this run's micro-benchmarks): an empty XDP program {e} per "
            f"packet, one hash-map lookup (sfc_flows, 16-byte key) {lk} above it.")


def section(out, micro):
    runs = _read(out)
    if runs is None:
        return [], []
    states = _states(out)
    md, verdicts = [], []
    w = md.append

    def gbps(system):
        return {r: v["gbps"] for r, v in runs.get(system, {}).items() if v["gbps"]}

    w("## Pod TCP: iperf3 pod to pod through N routing SFs, Gbit/s\n")
    w("Two pods (network namespaces, veths to a fabric namespace that routes between "
      "them); N SFs, each a namespace routing with its own stack on one veth (forwarding "
      "on, a route back to the pods via the fabric). One iperf3 TCP stream, pod a → pod "
      "b, port 5201; both directions of the flow cross the SFs in the same order. "
      "Systems: **no chain** (the fabric routes, no SF); **sfc** (sfcd in the fabric, "
      "the chain built with sfcctl: rules on TCP port 5201 both ways, the chain ending "
      "through the fabric's stack); **tc u32+mirred** (u32 on the same flows, mirred "
      "redirect to the next SF; this kernel has no pedit, so the tc chain's SFs carry "
      "the fabric's MAC; the last SF's packets are routed by the fabric, as sfc's are). "
      "Rounds interleave the systems; median [min–max] over rounds.\n")
    w(calibration(micro) + "\n")
    w("| system | " + " | ".join(f"N={n}" for n in LENGTHS) + " |")
    w("|---|" + "---|" * len(LENGTHS))

    def cell(system):
        st = states.get(system, "?")
        if st != "ok":
            return st if len(st) < 60 else st[:57] + "..."
        return _rng(list(gbps(system).values()))
    w(f"| no chain (same pods, plain routing) | {cell('none')} | (same) |")
    w("| sfc | " + " | ".join(cell(f"sfc{n}") for n in LENGTHS) + " |")
    w("| tc u32 + mirred | " + " | ".join(cell(f"tc{n}") for n in LENGTHS) + " |")
    if "sfca1" in states:
        w(f"| sfc, end auto (fabric FORWARD with a ct state rule) | {cell('sfca1')} | – |")
    w("")

    none = gbps("none")
    w("Ratios within a round, median [min–max]:\n")
    w("| N | sfc / no chain | target | sfc / tc | target |")
    w("|---|---|---|---|---|")
    for n in LENGTHS:
        sf, tc = gbps(f"sfc{n}"), gbps(f"tc{n}")
        r_none = [sf[r] / none[r] for r in sf if r in none]
        r_tc = [sf[r] / tc[r] for r in sf if r in tc]
        t1 = f"≥ {TARGET_NOCHAIN}" if n == 1 else "–"
        t2 = f"≥ {TARGET_TC}" if n == 1 else "–"
        w(f"| {n} | {_rng(r_none)} | {t1} | {_rng(r_tc)} | {t2} |")
        if n != 1:
            continue
        for lab, rv, tgt in (("the same pods with no chain", r_none, TARGET_NOCHAIN),
                             ("the tc u32+mirred chain", r_tc, TARGET_TC)):
            if not rv:
                verdicts.append((False, f"pod TCP through one SF, sfc vs {lab}: not measured "
                                 f"(target ≥ {tgt}×)"))
                continue
            m = _med(rv)
            verdicts.append((m >= tgt, f"pod TCP through one SF, sfc vs {lab}: {m:.2f}× "
                             f"(target ≥ {tgt}×" + ("" if m >= tgt else
                                                    f"; missed by {tgt - m:.2f}×, sfc would "
                                                    f"need {tgt / m:.1f}× its throughput") +
                             ")"))
    w("")
    auto = gbps("sfca1")
    if auto:
        sf, tc = gbps("sfc1"), gbps("tc1")
        r_sf = [auto[r] / sf[r] for r in auto if r in sf]
        r_tc = [auto[r] / tc[r] for r in auto if r in tc]
        w(f"End auto at N=1 (established flow: the fast end from tc, conntrack stage "
          f"`bpf_skb_ct_lookup`), within a round: sfc end auto / sfc (stack end) "
          f"{_rng(r_sf)}, sfc end auto / tc u32+mirred {_rng(r_tc)}. The auto system's "
          f"fabric also runs a stateful FORWARD rule that the others do not.\n")

    w("Per run, median over rounds: TCP retransmitted segments and segments with a bad "
      "checksum (`nstat` TcpRetransSegs, TcpInCsumErrors deltas, both pods summed), and "
      "the IP datagrams the least busy SF of the chain forwarded (ForwDatagrams: a GSO "
      "packet counts once, so a chain that keeps GSO shows few; 0 means bypassed):\n")
    w("| system | retransmits | checksum errors (all runs) | SF datagrams forwarded |")
    bad = []
    w("|---|---|---|---|")
    for system, lab in [("none", "no chain")] + [
            (f"{k}{n}", f"{name}, N={n}") for k, name in (("sfc", "sfc"), ("tc", "tc u32+mirred"))
            for n in LENGTHS] + [("sfca1", "sfc end auto, N=1")]:
        rows = list(runs.get(system, {}).values())
        if not rows:
            continue
        rt = _med([v["retrans"] for v in rows])
        cs = sum(v["csum"] for v in rows)
        sfm = [v["sf_min"] for v in rows if v["sf_min"] >= 0]
        w(f"| {lab} | {rt:.0f} | {cs} | {f'{_med(sfm):.0f}' if sfm else '–'} |")
        if cs:
            bad.append(f"{lab}: {cs}")
    w("")
    if bad:
        w(f"**Segments arrived with a bad checksum** ({', '.join(bad)}): a chain handed "
          "the receiver packets whose checksum was never finished.\n")
    return md, verdicts
