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

Event = Union[str, bytes, bytearray, memoryview, dict]


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


def _payload(event: Event) -> bytes:
    """The bytes of one event: bytes as they are (the plugin checks their UTF-8), text as
    UTF-8, a dict as JSON. Raises :class:`EventError` (``invalid_input``) for anything else."""
    if isinstance(event, (bytes, bytearray, memoryview)):
        return bytes(event)
    try:
        if isinstance(event, str):
            return event.encode("utf-8")
        if isinstance(event, dict):
            return json.dumps(event, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as e:  # UnicodeEncodeError (a lone surrogate) is a ValueError
        raise EventError("invalid_input", f"the event cannot be written as UTF-8 JSON: {e}") from None
    raise EventError("invalid_input", f"an event must be a str, bytes or a dict, not {type(event).__name__}")


def _one_line(payload: bytes) -> bool:
    """Whether an event can go in an ``evaluate_batch`` call (which is split at line breaks)."""
    return b"\n" not in payload and b"\r" not in payload


def _batch_entry(entry: Any) -> Any:
    """One entry of the plugin's batch output: an alert dict, ``None``, or an :class:`EventError`."""
    if isinstance(entry, dict) and len(entry) == 1 and isinstance(entry.get("error"), dict):
        return EventError(entry["error"].get("kind", "plugin"), entry["error"].get("message", ""))
    return entry


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
        """The alert for one event (a dict, as JSON, XML text or bytes), or ``None``.

        Raises :class:`EventError`; bytes that are not UTF-8 are ``invalid_utf8``.
        """
        out = self._call("evaluate", _payload(event))
        return json.loads(out)

    def evaluate_raw(self, event: Event) -> Optional[str]:
        """Like :meth:`evaluate`, but the alert as the exact JSON text the plugin rendered."""
        out = self._call("evaluate", _payload(event))
        return None if out == "null" else out

    def evaluate_batch(self, events: Iterable[Event]) -> list:
        """One result per event, in order: an alert dict, ``None``, or an :class:`EventError`
        (returned, not raised: a bad event does not stop the others).

        One-line events go in one call, each ended by a line break (the plugin's framing, so
        empty events count too); events with a line break go through :meth:`evaluate`.
        """
        results: list = []
        batched: list[int] = []
        payloads: list[bytes] = []
        for event in events:
            try:
                payload = _payload(event)
            except EventError as e:
                results.append(e)
                continue
            if _one_line(payload):
                batched.append(len(results))
                payloads.append(payload)
                results.append(None)
            else:
                results.append(self._evaluate_or_error(payload))
        if payloads:
            out = json.loads(self._call("evaluate_batch", b"".join(p + b"\n" for p in payloads)))
            if not isinstance(out, list) or len(out) != len(payloads):
                raise DnschildError("plugin", f"evaluate_batch gave {len(out)} results for {len(payloads)} events")
            for i, entry in zip(batched, out):
                results[i] = _batch_entry(entry)
        return results

    def _evaluate_or_error(self, payload: bytes) -> Any:
        """:meth:`evaluate`, with an :class:`EventError` returned instead of raised."""
        try:
            return self.evaluate(payload)
        except EventError as e:
            return e

    def configure(self, config: Union[dict, str]) -> None:
        """Replaces the configuration (profile, output, allowlist, limits)."""
        self._call("configure", config if isinstance(config, str) else json.dumps(config))

    def rule_info(self) -> dict:
        """The rule's documentation: description, severity, MITRE, mitigations, references."""
        return json.loads(self._call("rule_info", b""))
