"""dnschild from Python, through Extism: one rule, the same verdicts as every other host.

>>> from dnschild_extism import Detector
>>> d = Detector()                      # dist/dnschild.extism.wasm, default configuration
>>> alert = d.evaluate({"actionname": "Process started",
...                     "PARENTPROCESSNAME": r"C:\\Windows\\System32\\dns.exe",
...                     "PROCESSNAME": r"C:\\Windows\\System32\\cmd.exe"})
>>> alert["process_name"]
'C:\\\\Windows\\\\System32\\\\cmd.exe'
>>> d.evaluate('{"EventID": 1}') is None
True
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, Optional, Union

import extism

__all__ = ["Detector", "DnschildError", "EventError", "ConfigError", "default_wasm_path"]

Event = Union[str, bytes, dict]


class DnschildError(Exception):
    """Base class of the errors the plugin reports; ``kind`` is a stable short name."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


class EventError(DnschildError):
    """One event could not be evaluated (``kind``: too_large, malformed_json, too_deep, ...)."""


class ConfigError(DnschildError):
    """The configuration was refused; ``key`` names the offending key ("" for the whole document)."""

    def __init__(self, key: str, message: str):
        super().__init__("config", message)
        self.key = key


def default_wasm_path() -> Path:
    """``$DNSCHILD_EXTISM_WASM``, else ``dist/dnschild.extism.wasm`` of this repository."""
    env = os.environ.get("DNSCHILD_EXTISM_WASM")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "dist" / "dnschild.extism.wasm"


def _error(raw: str) -> DnschildError:
    try:
        e = json.loads(raw)
        if e.get("kind") == "config":
            return ConfigError(e.get("key", ""), e.get("message", raw))
        return EventError(e["kind"], e.get("message", raw))
    except (ValueError, KeyError, TypeError, AttributeError):
        return DnschildError("plugin", raw)


def _text(event: Event) -> str:
    if isinstance(event, dict):
        return json.dumps(event, ensure_ascii=False)
    if isinstance(event, bytes):
        return event.decode("utf-8")
    return event


class Detector:
    """One loaded plugin instance. Create it once; call it as often as you like."""

    def __init__(self, wasm: Union[str, Path, bytes, None] = None, config: Optional[dict] = None):
        data = wasm if isinstance(wasm, bytes) else Path(wasm or default_wasm_path()).read_bytes()
        extism_config = {"config": json.dumps(config)} if config is not None else None
        self._plugin = extism.Plugin(data, wasi=False, config=extism_config)

    def _call(self, function: str, data: Union[str, bytes]) -> str:
        try:
            return self._plugin.call(function, data, parse=lambda b: bytes(b).decode("utf-8"))
        except extism.Error as e:
            raise _error(str(e)) from None

    def evaluate(self, event: Event) -> Optional[dict]:
        """The alert for one event (a dict, as JSON, XML text or bytes), or ``None``."""
        out = self._call("evaluate", _text(event))
        return json.loads(out)

    def evaluate_raw(self, event: Event) -> Optional[str]:
        """Like :meth:`evaluate`, but the alert as the exact JSON text the plugin rendered."""
        out = self._call("evaluate", _text(event))
        return None if out == "null" else out

    def evaluate_batch(self, events: Iterable[Event]) -> list:
        """One result per event: an alert dict, ``None``, or an :class:`EventError` instance.

        Events are sent in one call as NDJSON, so each must fit on one line (JSON events
        always can; XML events with line breaks are sent through :meth:`evaluate` instead).
        """
        texts = [_text(e) for e in events]
        single = [i for i, t in enumerate(texts) if "\n" in t or "\r" in t]
        results: list = [None] * len(texts)
        multi_line = set(single)
        batch_idx = [i for i in range(len(texts)) if i not in multi_line]
        if batch_idx:
            out = json.loads(self._call("evaluate_batch", "\n".join(texts[i] for i in batch_idx)))
            for i, r in zip(batch_idx, out):
                results[i] = EventError(r["error"]["kind"], r["error"]["message"]) if isinstance(r, dict) and "error" in r and len(r) == 1 else r
        for i in single:
            try:
                results[i] = self.evaluate(texts[i])
            except EventError as e:
                results[i] = e
        return results

    def configure(self, config: Union[dict, str]) -> None:
        """Replaces the configuration (profile, output, allowlist, limits)."""
        self._call("configure", config if isinstance(config, str) else json.dumps(config))

    def rule_info(self) -> dict:
        """The rule's documentation: description, severity, MITRE, mitigations, references."""
        return json.loads(self._call("rule_info", b""))
