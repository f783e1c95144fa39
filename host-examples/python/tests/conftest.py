"""Shared fixtures: the plugin, the repository, the corpus, and the native core's verdicts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
REPO = HERE.parents[2]
CORPUS = Path(os.environ.get("DNSCHILD_CORPUS", REPO.parent / "shared" / "corpus"))

from dnschild_extism import Detector  # noqa: E402


def corpus_or_skip() -> Path:
    if (CORPUS / "synthetic_dns_child_cases.jsonl").is_file():
        return CORPUS
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the corpus is missing at {CORPUS}")
    pytest.skip(f"corpus not found at {CORPUS}")


def xml_events(path: Path) -> list[str]:
    return re.findall(r"<Event[ >].*?</Event>", path.read_text(encoding="utf-8"), flags=re.S)


def jsonl(path: Path) -> list[str]:
    return [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def real_events(corpus: Path) -> list[str]:
    out: list[str] = []
    for src in ["evtx_attack_samples", "evtx_to_mitre_attack", "sigma_regression"]:
        out += jsonl(corpus / f"{src}.proc_creation.evtxrs.jsonl")
        out += jsonl(corpus / f"{src}.proc_creation.fluentbit_winevtlog_sim.jsonl")
        out += xml_events(corpus / f"{src}.proc_creation.xml")
    out += jsonl(corpus / "otrf_security_datasets.proc_creation.nxlog.jsonl")
    return out


def synthetic(corpus: Path) -> list[dict]:
    cases = [json.loads(l) for l in jsonl(corpus / "synthetic_dns_child_cases.jsonl")]
    for c in cases:
        ev = c["event"]
        c["text"] = ev if isinstance(ev, str) else json.dumps(ev, separators=(",", ":"), ensure_ascii=False)
    return cases


def _verdicts_binary() -> Path:
    env = os.environ.get("DNSCHILD_VERDICTS")
    if env:
        return Path(env)
    subprocess.run(["cargo", "build", "--quiet", "--release", "--example", "verdicts"], cwd=REPO, check=True)
    return REPO / "target" / "release" / "examples" / "verdicts"


def native_verdicts(events: list[str], config: dict | None = None) -> list:
    """The native core's answer per event: rendered alert text, None, or {"error": kind}."""
    out = subprocess.run(
        [str(_verdicts_binary()), json.dumps(config or {})],
        input=json.dumps(events).encode(),
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector()
