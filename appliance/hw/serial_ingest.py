"""Serial ports to events: one reader thread per port, line protocols JSON, CSV, key=value.

Each complete line becomes an :class:`~appliance.schema.Event` through
:func:`appliance.ingest.parse.sensor_event` and goes to the
:class:`~appliance.ingest.sink.EventSink` with topic ``serial/<port-name>``.
Lines that are not text (wrong baud rate, framing or parity errors), do not
parse, or run past ``max_line_bytes`` are counted by reason and dead-lettered.
A port that disappears (USB unplugged, adapter reset) is reopened with
exponential backoff until it returns; the thread never dies of an I/O error.
"""

from __future__ import annotations

import csv
import logging
import re
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import serial

from appliance.errors import PayloadError
from appliance.hw.settings import SerialPortConfig
from appliance.ingest.parse import decode_json, sensor_event
from appliance.ingest.sink import EventSink
from appliance.schema import DeadLetterReason, Event

log = logging.getLogger(__name__)

_KV_SPLIT = re.compile(r"[\s,;]+")
_META_KEYS = ("id", "ts", "unit")
# Bytes that never occur in a text protocol but do appear when the baud rate or
# framing is wrong (a framing error reads as NUL on Linux without PARMRK).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _number(key: str, value: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise PayloadError(DeadLetterReason.SCHEMA, f"{key}={value!r} is not a number") from exc


def _ts(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value  # ISO 8601; sensor_event validates it


def _doc_from_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    readings: dict[str, float] = {}
    for key, value in pairs:
        if key in readings or key in doc:
            raise PayloadError(DeadLetterReason.SCHEMA, f"{key!r} appears twice")
        if key == "ts":
            doc["ts"] = _ts(value)
        elif key in _META_KEYS:
            doc[key] = value
        else:
            readings[key] = _number(key, value)
    if not readings:
        raise PayloadError(DeadLetterReason.SCHEMA, "no readings on the line")
    doc["readings"] = readings
    return doc


def _kv_doc(text: str) -> dict[str, Any]:
    pairs: list[tuple[str, str]] = []
    for token in _KV_SPLIT.split(text.strip()):
        key, sep, value = token.partition("=")
        if not sep or not key or not value:
            raise PayloadError(DeadLetterReason.SCHEMA, f"{token!r} is not key=value")
        pairs.append((key, value))
    return _doc_from_pairs(pairs)


def _csv_doc(port: SerialPortConfig, text: str) -> dict[str, Any] | None:
    fields = [f.strip() for f in next(csv.reader([text], delimiter=port.csv_delimiter))]
    if fields == port.csv_columns:
        return None  # a header line, as many loggers print after reset
    if len(fields) != len(port.csv_columns):
        raise PayloadError(DeadLetterReason.SCHEMA,
                           f"{len(fields)} fields, expected {len(port.csv_columns)} "
                           f"({','.join(port.csv_columns)})")
    return _doc_from_pairs(list(zip(port.csv_columns, fields, strict=True)))


def decode_text(raw: bytes) -> str:
    """Return the line as text; raise PayloadError(framing) for bytes no text protocol sends."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(DeadLetterReason.FRAMING,
                           f"not UTF-8 at byte {exc.start} (baud rate or framing wrong?)") from exc
    bad = _CONTROL.search(text)
    if bad:
        raise PayloadError(DeadLetterReason.FRAMING,
                           f"control byte {bad.group()!r} at {bad.start()} (framing error?)")
    return text


def parse_serial_line(port: SerialPortConfig, raw: bytes, unique: str = "") -> Event | None:
    """Turn one line (without its newline) into an Event; None for a blank or header line.

    ``unique`` is mixed into the derived event id: a serial line carries no
    message id, and the same reading sent twice is two events, not a redelivery.
    Raises PayloadError with reason framing, malformed_json, oversize or schema.
    """
    if len(raw) > port.max_line_bytes:
        raise PayloadError(DeadLetterReason.OVERSIZE,
                           f"{len(raw)} bytes > limit {port.max_line_bytes}")
    text = decode_text(raw).strip()
    if not text:
        return None
    doc: Any
    if port.protocol == "json":
        doc = decode_json(text.encode(), port.max_line_bytes)
    elif port.protocol == "csv":
        doc = _csv_doc(port, text)
        if doc is None:
            return None
    else:
        doc = _kv_doc(text)
    sensor = port.sensor or port.port_name
    return sensor_event(doc, port.topic, port.line, sensor, unique.encode() + b"\0" + raw)


@dataclass
class SerialStats:
    """Counters for one port (read by telemetry and tests)."""

    lines: int = 0
    events: int = 0
    shed: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    opens: int = 0
    disconnects: int = 0
    connected: bool = False
    last_error: str = ""

    def as_metrics(self) -> dict[str, float]:
        """Return flat gauges/counters for telemetry."""
        out = {"serial_lines_total": float(self.lines), "serial_events_total": float(self.events),
               "serial_shed_total": float(self.shed), "serial_opens_total": float(self.opens),
               "serial_disconnects_total": float(self.disconnects),
               "serial_connected": 1.0 if self.connected else 0.0}
        out.update({f"serial_rejected_{k}_total": float(v) for k, v in self.rejected.items()})
        return out


class SerialIngest:
    """Reads one serial port in a thread and delivers its lines into an EventSink."""

    def __init__(self, port: SerialPortConfig, sink: EventSink) -> None:
        self.port = port
        self.sink = sink
        self.stats = SerialStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._session = secrets.token_hex(4)
        self._seq = 0

    def start(self) -> None:
        """Start the reader thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"serial-{self.port.port_name}")
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait up to ``timeout`` seconds for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _open(self) -> serial.Serial:
        return serial.Serial(
            port=self.port.path, baudrate=self.port.baud, bytesize=self.port.bytesize,
            parity=self.port.parity, stopbits=self.port.stopbits,
            timeout=self.port.read_timeout_s, exclusive=True,
        )

    def _run(self) -> None:
        delay = self.port.reconnect_min_s
        reported = False
        while not self._stop.is_set():
            try:
                conn = self._open()
            except (serial.SerialException, OSError, ValueError) as exc:
                self.stats.last_error = str(exc)
                if not reported:
                    log.warning("serial %s: cannot open %s (%s); retrying with backoff",
                                self.port.port_name, self.port.path, exc)
                    reported = True
                self._stop.wait(delay)
                delay = min(delay * 2, self.port.reconnect_max_s)
                continue
            self.stats.opens += 1
            self.stats.connected = True
            delay, reported = self.port.reconnect_min_s, False
            log.info("serial %s: opened %s at %d baud", self.port.port_name, self.port.path,
                     self.port.baud)
            try:
                self._read(conn)
            except (serial.SerialException, OSError) as exc:
                self.stats.disconnects += 1
                self.stats.last_error = str(exc)
                log.warning("serial %s: port lost (%s); reopening", self.port.port_name, exc)
            finally:
                self.stats.connected = False
                try:
                    conn.close()
                except (serial.SerialException, OSError):
                    log.debug("serial %s: close failed", self.port.port_name)

    def _read(self, conn: serial.Serial) -> None:
        buf = bytearray()
        overflow = False
        while not self._stop.is_set():
            try:
                chunk = conn.read(max(1, conn.in_waiting))
            except (serial.SerialException, OSError):
                if buf and not overflow:
                    self._reject(bytes(buf), PayloadError(
                        DeadLetterReason.FRAMING, "line cut off when the port went away"))
                raise
            if not chunk:
                continue
            buf.extend(chunk)
            while True:
                nl = buf.find(b"\n")
                if nl < 0:
                    break
                line = bytes(buf[:nl]).rstrip(b"\r")
                del buf[: nl + 1]
                if overflow:
                    overflow = False  # the tail of an oversize line: already dead-lettered
                    continue
                self.handle_line(line)
            if len(buf) > self.port.max_line_bytes and not overflow:
                self._reject(bytes(buf), PayloadError(
                    DeadLetterReason.OVERSIZE,
                    f"no newline within {self.port.max_line_bytes} bytes (framing or baud?)"))
                buf.clear()
                overflow = True
            elif overflow:
                buf.clear()
        if buf and not overflow:
            self._reject(bytes(buf), PayloadError(DeadLetterReason.FRAMING,
                                                  "incomplete line at shutdown"))

    def _reject(self, raw: bytes, exc: PayloadError) -> None:
        self.stats.rejected[exc.reason] += 1
        self.sink.dead_letter(self.port.topic, raw, exc.reason, exc.detail)

    def handle_line(self, raw: bytes) -> None:
        """Parse one line and deliver the event, or dead-letter it with its reason."""
        self.stats.lines += 1
        self._seq += 1
        try:
            event = parse_serial_line(self.port, raw, f"{self._session}:{self._seq}")
        except PayloadError as exc:
            self._reject(raw, exc)
            return
        if event is None:
            return
        self.stats.events += 1
        if not self.sink.submit(event):
            self.stats.shed += 1
