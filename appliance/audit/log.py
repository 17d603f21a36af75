"""The audit log's writer: append under a cross-process lock, rotating as configured."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from appliance.audit.chain import GENESIS, AuditError, Head, canonical, record_mac
from appliance.audit.listing import Page, oldest_first, page
from appliance.audit.rotation import read_anchor, recover, rotate
from appliance.audit.segments import (
    READ_ERRORS,
    Layout,
    first_line,
    fsync_dir,
    locked,
    tail,
    write_atomic,
)
from appliance.audit.settings import AuditConfig
from appliance.audit.verify import SegmentCache, VerifyReport, check_segment, closed_lines, verify_log

log = logging.getLogger(__name__)


def _parse(line: bytes | None) -> dict[str, Any] | None:
    if not line:
        return None
    try:
        rec = json.loads(line)
        int(rec["seq"]), str(rec["mac"])
    except (ValueError, KeyError, TypeError):
        return None
    return rec if isinstance(rec, dict) else None


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default


class AuditLog:
    """A segmented JSON-lines audit log; ``append`` is safe across threads and processes.

    Writers serialise on a ``flock`` of ``<file>.lock`` (and a thread lock), so the
    daemon's threads and the fleet agent's process can share one log. ``clock`` gives
    record times and drives age-based rotation and retention.
    """

    def __init__(self, path: Path, key: bytes, config: AuditConfig | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.layout = Layout(path)
        self.head_path = self.layout.head
        self.config = config or AuditConfig()
        self._key = key
        self._clock = clock
        self._lock = threading.Lock()
        self._recovered = False
        self._cache = SegmentCache()

    # --- writing -------------------------------------------------------------------
    def append(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Append one record (``ts`` added if absent), fsync it, and return it as stored.

        Rotates the active segment first when it is full or old. Raises
        :class:`AuditError` if the log cannot be written; callers that gate a send
        must then refuse to send.
        """
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                with locked(self.layout, exclusive=True):
                    if not self._recovered:
                        recover(self.layout, self._key)
                        self._recovered = True
                    return self._append_locked(fields)
            except (*READ_ERRORS, ValueError, KeyError, TypeError) as exc:
                raise AuditError(f"cannot append to audit log {self.path}: {exc}") from exc

    def _append_locked(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        now = self._clock()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            line, end = tail(fd)
            size = os.fstat(fd).st_size
            if end < size:
                log.warning("audit log %s: dropping a torn last line (%d bytes) left by a "
                            "killed writer", self.path, size - end)
                os.ftruncate(fd, end)
                size = end
            last = _parse(line)
            seq, prev, head_behind = self._last(last)
            if head_behind:
                # A writer was killed between its record and the head: bring the head up
                # first, so no more than the record in flight is ever past the head.
                write_atomic(self.head_path, Head(seq, prev).dump(self._key), durable_dir=False)
            record: dict[str, Any] = {"seq": seq + 1, "prev": prev, "ts": now}
            record.update({k: v for k, v in fields.items() if k not in record})
            record["mac"] = record_mac(self._key, record)
            data = canonical(record) + b"\n"
            if size and last is not None and self._due(size, len(data), now):
                first = _parse(first_line(self.path))
                os.close(fd)
                fd = -1
                rotate(self.layout, self.config, self._key,
                       int(first["seq"]) if first else int(last["seq"]), int(last["seq"]),
                       _number(last.get("ts"), now), now)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
                size = os.fstat(fd).st_size
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f"short write ({written} of {len(data)} bytes)")
            os.fsync(fd)
            if size == 0:
                fsync_dir(self.path.parent)
            write_atomic(self.head_path, Head(record["seq"], record["mac"]).dump(self._key),
                         durable_dir=False)
        finally:
            if fd >= 0:
                os.close(fd)
        return record

    def _last(self, tail_rec: dict[str, Any] | None) -> tuple[int, str, bool]:
        """Return the seq and mac the next record follows, and whether the head lags them.

        The active segment's last record wins over the head unless the head is ahead
        (records lost from the end): then the gap stays for verification to report.
        """
        try:
            head: Head | None = Head.load(self.head_path.read_bytes(), self._key)
        except FileNotFoundError:
            head = None
        except (ValueError, KeyError, TypeError):
            log.error("audit log %s: the head is invalid; continuing from the last record",
                      self.path)
            head = None
        if tail_rec is not None and (head is None or int(tail_rec["seq"]) >= head.seq):
            seq, mac = int(tail_rec["seq"]), str(tail_rec["mac"])
            return seq, mac, head is None or head.seq < seq
        if head is not None:
            return head.seq, head.mac, False
        closed, _ = self.layout.closed()
        if closed:
            chk = check_segment(closed[-1].path.name, closed_lines(closed[-1]), self._key)
            if chk.last_seq is not None and chk.last_mac is not None:
                return chk.last_seq, chk.last_mac, True
        anchor = read_anchor(self.layout, self._key)
        return (anchor.last_seq, anchor.last_mac, True) if anchor else (0, GENESIS, False)

    def _due(self, size: int, incoming: int, now: float) -> bool:
        """Return True when the active segment must be closed before ``incoming`` bytes."""
        if size + incoming > self.config.max_segment_bytes:
            return True
        age = self.config.max_segment_age_s
        if age is None:
            return False
        first = _parse(first_line(self.path))
        return first is not None and now - _number(first.get("ts"), now) >= age

    # --- reading -------------------------------------------------------------------
    def records(self, offset: int = 0, limit: int | None = 100,
                destination: str | None = None) -> list[dict[str, Any]]:
        """Return retained records oldest first from ``offset``, at most ``limit`` (None: all).

        ``destination`` keeps only records for that destination. Unparseable lines are
        skipped here; :meth:`verify` reports them.
        """
        try:
            return oldest_first(self.layout, offset, limit, destination)
        except READ_ERRORS as exc:
            raise AuditError(f"cannot read audit log {self.path}: {exc}") from exc

    def page(self, limit: int = 50, offset: int = 0, before: int | None = None,
             destination: str | None = None) -> Page:
        """Return a page of records, newest first (see :func:`appliance.audit.listing.page`).

        Raises :class:`AuditError` if the log cannot be read.
        """
        try:
            return page(self.layout, limit, offset, before, destination)
        except READ_ERRORS as exc:
            raise AuditError(f"cannot read audit log {self.path}: {exc}") from exc

    def verify(self, *, cached: bool = False) -> VerifyReport:
        """Check every retained segment, the head and the retention anchor.

        ``cached`` reuses this object's checks of closed segments that have not changed
        on disk (for a page that refreshes); the CLI reads everything each time.
        """
        try:
            return verify_log(self.layout, self._key, self._cache if cached else None)
        except OSError as exc:
            raise AuditError(f"cannot read audit log {self.path}: {exc}") from exc

    def exists(self) -> bool:
        """Return True if anything of the log is on disk (a segment, head or anchor)."""
        return (self.path.exists() or self.head_path.exists() or self.layout.anchor.exists()
                or bool(self.layout.closed()[0]))
