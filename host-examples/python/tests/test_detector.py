"""The Extism plugin from Python: verdicts on the samples, parity with the native core on the
whole corpus, typed errors, flat memory, and the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import extism
import pytest

from conftest import REPO, corpus_or_skip, jsonl, native_verdicts, real_events, synthetic, xml_events
from dnschild_extism import ConfigError, Detector, EventError, default_wasm_path

SAMPLES = REPO / "samples"
POSITIVE = {
    "actionname": "Process started",
    "PARENTPROCESSNAME": r"C:\Windows\System32\dns.exe",
    "PROCESSNAME": r"C:\Windows\System32\cmd.exe",
    "HOSTNAME": "DNS01.corp.example",
}


def test_samples_give_their_verdicts(detector):
    positives = jsonl(SAMPLES / "positives.ndjson")
    negatives = jsonl(SAMPLES / "negatives.ndjson")
    alerts = detector.evaluate_batch(positives)
    assert len(alerts) == 19
    assert all(isinstance(a, dict) and a["rule"]["id"] == "dnschild-0001" for a in alerts)
    assert detector.evaluate_batch(negatives) == [None] * len(negatives)
    xml = xml_events(SAMPLES / "sysmon.xml") + xml_events(SAMPLES / "security-4688.xml")
    got = [detector.evaluate_raw(x) for x in xml]
    assert got == native_verdicts(xml)
    assert sum(g is not None for g in got) == 3


def test_one_alert_in_detail(detector):
    a = detector.evaluate(POSITIVE)
    assert a["hostname"] == "DNS01.corp.example"
    assert a["process_name"] == r"C:\Windows\System32\cmd.exe"
    assert a["parent_process_name"] == r"C:\Windows\System32\dns.exe"
    assert a["file_name"] == "cmd.exe"
    assert a["shape"] == "log360"
    assert a["severity"] == {"label": "Trouble", "score": 73, "ecs": "high", "ocsf_id": 4}
    assert [t["id"] for t in a["mitre"]["tactics"]] == ["TA0001", "TA0003"]
    assert "user_name" not in a, "absent fields are absent"


@pytest.mark.parametrize("profile", ["seed", "sigma-cve-2020-1350", "elastic", "hardened"])
def test_synthetic_cases_match_the_native_core(profile):
    cases = synthetic(corpus_or_skip())
    d = Detector(config={"profile": profile})
    texts = [c["text"] for c in cases]
    got = [d.evaluate_raw(t) for t in texts]
    assert got == native_verdicts(texts, {"profile": profile})
    if profile == "seed":
        assert [g is not None for g in got] == [c["expect"]["dnschild_default"] for c in cases]
        assert sum(g is not None for g in got) == 35


def test_real_events_match_the_native_core(detector):
    events = real_events(corpus_or_skip())
    assert len(events) == 3 * (1531 + 1214 + 149) + 1819
    native = native_verdicts(events)
    assert native == [None] * len(events)
    got = detector.evaluate_batch(events)
    assert got == [None] * len(events)
    # With a dns.exe parent the same events alert, byte for byte as natively.
    mutated = [e.replace('"ParentImage":"', '"ParentImage":"C:\\\\Windows\\\\System32\\\\dns.exe","was":"', 1) for e in events if '"ParentImage":"' in e]
    assert len(mutated) > 1000
    raw = [detector.evaluate_raw(m) for m in mutated]
    assert raw == native_verdicts(mutated)
    assert sum(r is not None for r in raw) > 1000


def test_errors_are_typed_and_the_plugin_stays_usable():
    d = Detector()
    cases = [
        ('{"ParentImage":"dns.exe",', "malformed_json"),
        ("[1,2]", "not_an_object"),
        ("", "empty"),
        ('{"ParentImage":"dns.exe","a":' + "[" * 100_000 + "]" * 100_000 + "}", "too_deep"),
        ('{"ParentImage":"dns.exe","pad":"' + "x" * (10 << 20) + '"}', "too_large"),
        ("<Event><System>dns.exe</Event>", "malformed_xml"),
    ]
    for text, kind in cases:
        with pytest.raises(EventError) as e:
            d.evaluate(text)
        assert e.value.kind == kind, text[:60]
        assert d.evaluate(POSITIVE) is not None
    batch = d.evaluate_batch([cases[0][0], json.dumps(POSITIVE), "[1]"])
    assert [type(b).__name__ for b in batch] == ["EventError", "dict", "EventError"]
    assert (batch[0].kind, batch[2].kind) == ("malformed_json", "not_an_object")


def _shape(result):
    """An alert's host, None, or an error's kind: what a caller checks per event."""
    if isinstance(result, EventError):
        return ("error", result.kind)
    return None if result is None else ("alert", result["hostname"])


def test_bytes_are_utf8_and_invalid_utf8_is_a_typed_error(detector):
    with pytest.raises(EventError) as e:
        detector.evaluate(b"\xff")
    assert (e.value.kind, e.value.message) == ("invalid_utf8", "event is not valid UTF-8 (first bad byte at 0)")
    assert detector.evaluate(json.dumps(POSITIVE).encode())["hostname"] == "DNS01.corp.example"
    bad = json.dumps(POSITIVE).encode().replace(b"DNS01", b"DNS\xff1")
    batch = detector.evaluate_batch([b"\xff", "{}", bad, json.dumps(POSITIVE).encode(), None])
    assert [_shape(r) for r in batch] == [
        ("error", "invalid_utf8"),
        None,
        ("error", "invalid_utf8"),
        ("alert", "DNS01.corp.example"),
        ("error", "invalid_input"),
    ]
    at = bad.index(b"\xff")
    assert batch[2].message == f"event is not valid UTF-8 (first bad byte at {at})"


def test_batch_gives_one_result_per_event_empty_and_multi_line_included(detector):
    p = json.dumps(POSITIVE)
    got = detector.evaluate_batch([p, "", ""])
    assert [_shape(r) for r in got] == [("alert", "DNS01.corp.example"), ("error", "empty"), ("error", "empty")]
    assert [_shape(r) for r in detector.evaluate_batch([""])] == [("error", "empty")]
    assert detector.evaluate_batch([]) == []
    xml = xml_events(SAMPLES / "security-4688.xml")[0]  # an alert; made to span lines
    multi = xml.replace("><EventData>", ">\r\n<EventData>").replace("</Data><", "</Data>\n  <")
    events = ["", p, "\n", json.dumps(POSITIVE, indent=2), "", multi, p + "\r\n", "  ", p, "", "\r", ""]
    got = detector.evaluate_batch(events)
    assert len(got) == len(events)
    one_by_one = []
    for ev in events:
        try:
            one_by_one.append(_shape(detector.evaluate(ev)))
        except EventError as e:
            one_by_one.append(("error", e.kind))
    assert [_shape(r) for r in got] == one_by_one
    assert [s[0] if s else None for s in one_by_one] == ["error", "alert", "error", "alert", "error", "alert", "alert", "error", "alert", "error", "error", "error"]


def test_the_plugin_batch_framing_is_exact():
    """Every line ends at a line break: "" is no event, "\\n" one empty event."""
    plugin = extism.Plugin(default_wasm_path().read_bytes(), wasi=False)

    def entries(data: bytes) -> list:
        return [e and e.get("error", {}).get("kind", "alert") for e in json.loads(plugin.call("evaluate_batch", data))]

    p = json.dumps(POSITIVE).encode()
    assert entries(b"") == []
    assert entries(b"\n") == ["empty"]
    assert entries(p + b"\n\n\n") == ["alert", "empty", "empty"]
    assert entries(p + b"\r\n\xff\n{}") == ["alert", "invalid_utf8", None]
    with pytest.raises(extism.Error) as e:
        plugin.call("evaluate", b"\xff")
    assert json.loads(str(e.value))["kind"] == "invalid_utf8"


def test_configuration():
    d = Detector(config={"profile": "hardened", "output": "ocsf"})
    conhost = dict(POSITIVE, PROCESSNAME=r"C:\Users\Public\conhost.exe")
    a = d.evaluate(conhost)
    assert (a["class_uid"], a["unmapped"]["profile"]) == (2004, "hardened")
    with pytest.raises(ConfigError) as e:
        d.configure({"profile": "strict"})
    assert e.value.key == "profile"
    assert d.evaluate(conhost)["class_uid"] == 2004, "a refused configuration keeps the old one"
    d.configure({"allowlist": {"hosts": ["DNS01"]}})
    assert d.evaluate(POSITIVE) is None
    with pytest.raises(ConfigError) as e:
        Detector(config={"allowlist": {"host": []}}).evaluate(POSITIVE)
    assert e.value.key == "allowlist.host"
    info = Detector().rule_info()
    assert [m["id"] for m in info["mitigations"]] == ["M1042", "M1035", "M1032", "M1030"]
    assert info["standards"][0]["id"] == "DE.CM-01"


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def test_memory_stays_flat_over_100k_calls():
    d = Detector()
    text = json.dumps(POSITIVE)
    for _ in range(5_000):
        d.evaluate_raw(text)
    before = _rss_kib()
    for _ in range(100_000):
        assert d.evaluate_raw(text) is not None
    grown = _rss_kib() - before
    assert grown < 4096, f"RSS grew {grown} KiB over 100,000 calls"


def test_command_line_scans_ndjson():
    out = subprocess.run(
        [sys.executable, "-m", "dnschild_extism", str(SAMPLES / "positives.ndjson"), str(SAMPLES / "negatives.ndjson")],
        cwd=REPO / "host-examples" / "python",
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1, out.stderr
    assert len(out.stdout.splitlines()) == 19
    assert out.stderr.strip().endswith("30 event(s), 19 alert(s), 0 error(s)")
    bad = subprocess.run(
        [sys.executable, "-m", "dnschild_extism", "--profile", "seed", "-"],
        cwd=REPO / "host-examples" / "python",
        input='{"ParentImage":"dns.exe",\n' + json.dumps(POSITIVE) + "\n",
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 3
    assert "<stdin>" not in bad.stderr and "- line 1: malformed_json" in bad.stderr
    lines = [json.dumps(POSITIVE).encode(), json.dumps(POSITIVE).encode().replace(b"DNS01", b"DNS\xff1")]
    utf8 = subprocess.run(
        [sys.executable, "-m", "dnschild_extism", "-"],
        cwd=REPO / "host-examples" / "python",
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
    )
    assert utf8.returncode == 3, utf8.stderr
    assert len(utf8.stdout.splitlines()) == 1
    assert b"- line 2: invalid_utf8: event is not valid UTF-8 (first bad byte at " in utf8.stderr
    assert utf8.stderr.strip().endswith(b"2 event(s), 1 alert(s), 1 error(s) (invalid_utf8: 1)")
