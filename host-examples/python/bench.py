"""Per-call time of the Extism plugin from Python on two sample events: ``python bench.py [CALLS]``.
Prints one JSON line per (host, event), like ``cargo run --example percall``."""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dnschild_extism import Detector  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
d = Detector()
for name, file in [("benign", "negatives.ndjson"), ("candidate", "positives.ndjson")]:
    event = (SAMPLES / file).read_text(encoding="utf-8").splitlines()[0]
    t = time.perf_counter()
    for _ in range(calls):
        d.evaluate_raw(event)
    print(json.dumps({"host": "extism (python, single)", "event": name, "calls": calls, "us_per_call": round((time.perf_counter() - t) * 1e6 / calls, 3)}))
    batch = [event] * 256
    rounds = max(calls // 256, 1)
    t = time.perf_counter()
    for _ in range(rounds):
        d.evaluate_batch(batch)
    print(json.dumps({"host": "extism (python, batch 256)", "event": name, "calls": rounds * 256, "us_per_call": round((time.perf_counter() - t) * 1e6 / (rounds * 256), 3)}))
