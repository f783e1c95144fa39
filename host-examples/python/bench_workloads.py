"""Events/s of the Extism plugin from Python on the benchmark workloads:
``python bench_workloads.py DIR [SECONDS]``, where DIR holds the NDJSON files
``examples/workloads.rs`` writes. One JSON line per (host, workload), read by ``bench/run.py``
(``make bench``)."""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dnschild_extism import Detector  # noqa: E402


def timed(host: str, workload: str, events: list, seconds: float, round_fn) -> None:
    round_fn()  # warm-up
    t0 = time.perf_counter()
    n = 0
    while n == 0 or time.perf_counter() - t0 < seconds:
        round_fn()
        n += len(events)
    s = time.perf_counter() - t0
    size = sum(len(e.encode()) for e in events) / len(events)
    print(json.dumps({"host": host, "workload": workload, "events": n, "seconds": round(s, 4), "bytes_per_event": round(size, 1)}), flush=True)


def main() -> None:
    directory = Path(sys.argv[1])
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    d = Detector()
    for workload in ["benign", "candidates_1pct", "positives"]:
        events = [line for line in (directory / f"{workload}.ndjson").read_text(encoding="utf-8").split("\n") if line]
        batches = [events[i : i + 256] for i in range(0, len(events), 256)]

        def single() -> None:
            for e in events:
                d.evaluate_raw(e)

        def batched() -> None:
            for b in batches:
                d.evaluate_batch(b)

        timed("extism, python (one call per event)", workload, events, seconds, single)
        timed("extism, python (batches of 256)", workload, events, seconds, batched)


if __name__ == "__main__":
    main()
