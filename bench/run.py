"""`make bench`: every host on the same workloads, in one run, as one table.

Runs the native core and the component in wasmtime (host-examples/cli/examples/bench_hosts.rs),
the Fluent Bit module in the emulation beside a pass-through module (host-examples/fluent-bit/
harness/examples/bench_workloads.rs), the wasm-bindgen package and the Extism plugin in Node
(host-examples/node/bench-workloads.mjs) and the Extism plugin in Python (host-examples/python/
bench_workloads.py) on the NDJSON workloads `examples/workloads.rs` wrote into DIR. Prints a
table of events/s with each host's ratio to the native core, the artifact sizes against their
budgets, and writes the same between the markers in BENCHMARKS.md, with the machine and date.

    python3 bench/run.py DIR [--seconds S] [--no-write]
"""

import argparse
import datetime
import gzip
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKLOADS = ["benign", "candidates_1pct", "positives"]
NATIVE = "native core"
FLOOR = "floor: a module that returns the record"
BEGIN, END = "<!-- make bench: begin -->", "<!-- make bench: end -->"
# Artifact, size budget in bytes (issue 7), what it is.
ARTIFACTS = [
    ("dist/dnschild.component.wasm", 150 * 1024, "WIT component"),
    ("dist/dnschild.fluent-bit.wasm", 120 * 1024, "Fluent Bit module"),
    ("dist/js/wasm/dnschild_js_bg.wasm", 150 * 1024, "wasm-bindgen module"),
    ("dist/dnschild.extism.wasm", None, "Extism plugin"),
]


def run(cmd: list, **kw) -> list:
    """Runs a runner; returns its JSON lines (anything else it prints goes to stderr)."""
    print("$ " + " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, **kw)
    rows = []
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            rows.append(json.loads(line))
        else:
            print(line, file=sys.stderr)
    return rows


def version(cmd: list) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError):
        return "?"


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        mem_gib = int(mem.split()[1]) / (1 << 20)
    except (OSError, StopIteration):
        mem_gib = 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0
    return (f"{os.cpu_count()} × {model}, {mem_gib:.0f} GiB, {platform.system()} {platform.release()}; "
            f"load average {load:.1f} at the start")


def table(rows: list, seconds: float) -> str:
    by = {(r["host"], r["workload"]): r for r in rows}
    hosts = list(dict.fromkeys(r["host"] for r in rows))
    rate = lambda r: r["events"] / r["seconds"]
    head = "| host | " + " | ".join(f"{w} events/s | ×native" for w in WORKLOADS) + " |"
    lines = [head, "|---|" + "---:|---:|" * len(WORKLOADS)]
    for h in hosts:
        cells = []
        for w in WORKLOADS:
            r, n = by.get((h, w)), by.get((NATIVE, w))
            if r is None:
                cells += ["–", "–"]
                continue
            ratio = rate(r) / rate(n) if n else 0
            cells += [f"{rate(r):,.0f}", f"{ratio:.2f}"]
        lines.append(f"| {h} | " + " | ".join(cells) + " |")
    fb = [r for r in rows if "wasm_operators_per_event" in r]
    if fb:
        lines += ["", "Fluent Bit module against the pass-through floor in the same emulation (wall time, and Wasm",
                  "operators per record from a fuel-metered run, which does not depend on the machine):", "",
                  "| workload | module µs/record | floor µs/record | × floor | module operators/record | floor operators/record |",
                  "|---|---:|---:|---:|---:|---:|"]
        for w in WORKLOADS:
            m, f = by.get(("fluent bit module, emulation (annotate)", w)), by.get((FLOOR, w))
            if m and f:
                us = lambda r: r["seconds"] * 1e6 / r["events"]
                lines.append(f"| {w} | {us(m):.2f} | {us(f):.2f} | {us(m) / us(f):.2f} | "
                             f"{m['wasm_operators_per_event']:,} | {f['wasm_operators_per_event']:,} |")
    return "\n".join(lines)


def sizes() -> str:
    lines = ["| artifact | bytes | gzipped | budget |", "|---|---:|---:|---|"]
    for path, budget, what in ARTIFACTS:
        p = ROOT / path
        if not p.is_file():
            lines.append(f"| `{path}` ({what}) | missing | | |")
            continue
        data = p.read_bytes()
        b = "—" if budget is None else (f"≤ {budget:,} ({'met' if len(data) <= budget else f'over by {len(data) - budget:,}'})")
        lines.append(f"| `{path}` ({what}) | {len(data):,} | {len(gzip.compress(data, 9)):,} | {b} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    where = machine()
    workloads = run(["cargo", "run", "--quiet", "--release", "--example", "workloads", "--", a.dir])
    secs = str(a.seconds)
    rows = []
    rows += run(["target/release/examples/bench_hosts", a.dir, secs])
    rows += run(["target/release/examples/bench_workloads", a.dir, secs])
    rows += run(["node", "--no-warnings", "host-examples/node/bench-workloads.mjs", a.dir, secs])
    rows += run([str(ROOT / ".tools/venv/bin/python"), "host-examples/python/bench_workloads.py", a.dir, secs])
    versions = ", ".join([version(["rustc", "--version"]), "node " + version(["node", "--version"]),
                          version([str(ROOT / ".tools/venv/bin/python"), "--version"])])
    wl = "\n".join(f"- *{w['workload']}*: {w['events']:,} events, {w['bytes']:,} bytes "
                   f"({w['bytes'] / w['events']:,.0f} per event), {w['alerts']:,} alerts" for w in workloads)
    report = "\n\n".join([
        f"Run {started:%Y-%m-%d %H:%M} UTC on {where}; {versions}. Each host ran each workload for "
        f"{a.seconds:g} s after one warm-up round; one process at a time, in one run.",
        wl,
        table(rows, a.seconds),
        "Artifact sizes:\n\n" + sizes(),
    ])
    print(report)
    if not a.no_write:
        md = ROOT / "BENCHMARKS.md"
        text = md.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            before, rest = text.split(BEGIN, 1)
            after = rest.split(END, 1)[1]
            md.write_text(f"{before}{BEGIN}\n{report}\n{END}{after}", encoding="utf-8")
            print(f"\n(written to {md.relative_to(ROOT)})", file=sys.stderr)


if __name__ == "__main__":
    main()
