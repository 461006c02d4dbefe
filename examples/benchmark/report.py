#!/usr/bin/env python3
"""Reads the figures of one benchmark run (RESULTS_DIR/*.json, the format in examples/benchmark/README of the
harness contract) and writes RESULTS_DIR/report.md: one table row per figure with the median and spread of ours
and of the reference, the ratio median(ours) / median(ref), the target and whether it is met.

Usage: report.py RESULTS_DIR
"""
import glob
import json
import os
import statistics
import sys


def median(values):
    return statistics.median(values) if values else None


def spread(values):
    """(max - min) / median, in percent."""
    if not values:
        return None
    m = median(values)
    return 0.0 if m == 0 else (max(values) - min(values)) / abs(m) * 100


def fmt(values):
    if not values:
        return "—"
    m = median(values)
    digits = 0 if abs(m) >= 100 else 1 if abs(m) >= 10 else 2 if abs(m) >= 1 else 3
    return "%.*f ± %.0f%%" % (digits, m, spread(values))


def evaluate(doc):
    """(ratio or None, met: True/False/None)."""
    ours, ref = doc.get("ours", []), doc.get("ref", [])
    op = doc.get("target_op", ">=")
    if not ours:
        return None, None
    if ref:
        r = median(ours) / median(ref) if median(ref) else float("nan")
        target = doc.get("target_ratio")
        value = r
    else:
        r = None
        target = doc.get("target_abs")
        # "max": the target holds for every repeat, not only for the median.
        value = max(ours) if doc.get("target_stat") == "max" else median(ours)
    if target is None:
        return r, None
    return r, (value >= target if op == ">=" else value <= target)


def load(results_dir):
    docs = []
    for path in sorted(glob.glob(os.path.join(results_dir, "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        if "case" in doc and "ours" in doc:
            doc["_file"] = os.path.basename(path)
            docs.append(doc)
    docs.sort(key=lambda d: (d["case"], d["_file"]))
    return docs


def machine(results_dir):
    props = {}
    path = os.path.join(results_dir, "machine.properties")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                props[k] = v
    return props


def main():
    results_dir = sys.argv[1]
    docs = load(results_dir)
    m = machine(results_dir)
    out = []
    if m:
        out.append("Run: `%s` on %s (commit %s)." % (m.get("command", "?"), m.get("date_utc", "?"), m.get("commit", "?")))
        out.append("")
        out.append("Machine: %s CPUs (%s), %s memory, disk %s, %s, %s. Load average at start %s, at end %s." % (
            m.get("cpus", "?"), m.get("cpu_model", "?"), m.get("memory", "?"), m.get("disk", "?"),
            m.get("kernel", "?"), m.get("jdk", "?"), m.get("load_at_start", "?"), m.get("load_at_end", "?")))
        out.append("")
    out.append("| case | figure | unit | ours (median ± spread) | reference | reference (median ± spread) "
               "| ratio | target | met |")
    out.append("|---:|---|---|---:|---|---:|---:|---|:---:|")
    for d in docs:
        r, met = evaluate(d)
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            d["case"], d.get("what", d["id"]), d.get("unit", ""), fmt(d.get("ours", [])),
            d.get("reference", "—") if d.get("ref") else "—", fmt(d.get("ref", [])),
            "—" if r is None else "%.2f×" % r, d.get("target", ""),
            "—" if met is None else ("yes" if met else "**no**")))
    out.append("")
    out.append("Spread = (max − min) / median over %s repeats; ratio = median(ours) / median(reference)." %
               (m.get("command", "").split("--repeats ")[-1].split()[0] if "--repeats" in m.get("command", "")
                else "the"))
    out.append("")
    for d in docs:
        out.append("- **%s. %s** (%s): %s Raw: ours %s; reference %s." % (
            d["case"], d.get("what", d["id"]), d["_file"], d.get("notes", ""),
            d.get("ours", []), d.get("ref", []) or "none"))
    with open(os.path.join(results_dir, "report.md"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
