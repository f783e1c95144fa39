"""``python -m dnschild_extism [OPTIONS] [FILE ...]``: scan NDJSON files (stdin when none).

Prints each alert as one line of JSON on stdout and a summary on stderr. Exit status as the
``dnschild`` CLI: 0 no alert, 1 alerts, 2 some lines could not be evaluated (no alert),
3 both, 4 could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from . import ConfigError, Detector, EventError, default_wasm_path

BATCH = 256


def _lines(path: str):
    stream = sys.stdin.buffer if path == "-" else open(path, "rb")
    with stream:
        for number, raw in enumerate(stream, start=1):
            yield number, raw.rstrip(b"\r\n")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m dnschild_extism", description="Scan NDJSON events with the dnschild Extism plugin.")
    p.add_argument("files", nargs="*", default=["-"], help="NDJSON files (default: stdin)")
    p.add_argument("--wasm", default=None, help=f"the plugin (default: {default_wasm_path()})")
    p.add_argument("--profile", choices=["seed", "sigma-cve-2020-1350", "elastic", "hardened"])
    p.add_argument("--output", choices=["native", "ecs", "ocsf"])
    p.add_argument("--config", help="a JSON configuration file")
    a = p.parse_args(argv)
    config = {}
    try:
        if a.config:
            with open(a.config, encoding="utf-8") as f:
                config = json.load(f)
        if a.profile:
            config["profile"] = a.profile
        if a.output:
            config["output"] = a.output
        detector = Detector(a.wasm, config or None)
        detector.rule_info()  # fails now, not at the first event, if the plugin cannot run
    except (OSError, ValueError, ConfigError) as e:
        print(f"dnschild: {e}", file=sys.stderr)
        return 4
    events = alerts = 0
    errors: Counter = Counter()

    def flush(batch):
        nonlocal alerts
        for (name, number), result in zip([b[0] for b in batch], detector.evaluate_batch([b[1] for b in batch])):
            if isinstance(result, EventError):
                errors[result.kind] += 1
                print(f"dnschild: {name} line {number}: {result.kind}: {result.message}", file=sys.stderr)
            elif result is not None:
                alerts += 1
                print(json.dumps(result, ensure_ascii=False))

    for name in a.files:
        batch = []
        try:
            for number, raw in _lines(name):
                if not raw.strip():
                    continue
                events += 1
                batch.append(((name, number), raw))  # bytes: the plugin reports invalid UTF-8
                if len(batch) >= BATCH:
                    flush(batch)
                    batch = []
            flush(batch)
        except OSError as e:
            errors["io"] += 1
            print(f"dnschild: {name}: io: {e}", file=sys.stderr)
    total = sum(errors.values())
    kinds = ", ".join(f"{k}: {n}" for k, n in sorted(errors.items()))
    print(f"dnschild: {events} event(s), {alerts} alert(s), {total} error(s)" + (f" ({kinds})" if kinds else ""), file=sys.stderr)
    return (1 if alerts else 0) | (2 if total else 0)


if __name__ == "__main__":
    sys.exit(main())
