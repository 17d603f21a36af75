"""Reading records across segments without holding more than a page in memory.

Segments are read one at a time as a stream. Newest first, a page is found by
counting matches in a segment, then streaming it again to keep only the page's
window; a closed segment a page does not reach is skipped by the record count its
name gives, so deep pages cost no more than the segments they land in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from appliance.audit.segments import READ_ERRORS, Layout, iter_fd_lines
from appliance.audit.verify import Snapshot, closed_lines, snapshot

log = logging.getLogger(__name__)


@dataclass
class _Source:
    """One segment to read: its name, what its name says about it, and its lines."""

    name: str
    first_seq: int | None
    count: int | None
    lines: Callable[[], Iterator[bytes]]


@dataclass
class Page:
    """A page of records, newest first.

    ``total`` is the number of retained records when no filter was given (else None);
    ``next_before`` is the ``before`` that gives the next, older page (None at the end).
    """

    records: list[dict[str, Any]]
    total: int | None
    next_before: int | None


def _sources(layout: Layout, snap: Snapshot) -> list[_Source]:
    out: list[_Source] = []
    for seg in snap.closed:
        def lines(seg_path: Any = seg) -> Iterator[bytes]:
            try:
                yield from closed_lines(seg_path)
            except FileNotFoundError:
                return  # retired while this page was read
            except READ_ERRORS:
                # a damaged segment: list what could be read; verification reports it
                log.warning("audit log: %s is unreadable past some point", seg_path.path.name)
        out.append(_Source(seg.path.name, seg.first_seq, seg.records, lines))
    fd, size = snap.active_fd, snap.active_size
    if fd is not None and size:
        out.append(_Source(layout.active.name, None, None, lambda: iter_fd_lines(fd, size)))
    return out


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        rec = json.loads(line)
    except ValueError:
        return None
    return rec if isinstance(rec, dict) else None


def _matching(src: _Source, keep: Callable[[dict[str, Any]], bool] | None
              ) -> Iterator[bytes | dict[str, Any]]:
    """Yield the records of ``src`` that ``keep`` accepts (raw lines when there is no filter)."""
    for line in src.lines():
        if not line.strip():
            continue
        if keep is None:
            yield line
            continue
        rec = _parse(line)
        if rec is not None and keep(rec):
            yield rec


def iter_records(layout: Layout, destination: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield every retained record, oldest first (unparseable lines skipped)."""
    snap = snapshot(layout)
    try:
        for src in _sources(layout, snap):
            for line in src.lines():
                rec = _parse(line) if line.strip() else None
                if rec is not None and (destination is None or rec.get("destination") == destination):
                    yield rec
    finally:
        snap.close()


def page(layout: Layout, limit: int = 50, offset: int = 0, before: int | None = None,
         destination: str | None = None) -> Page:
    """Return ``limit`` records, newest first, after skipping ``offset`` newer ones.

    ``before`` keeps records with a smaller seq (a cursor that holds still while
    records are appended); ``destination`` keeps that destination's records.
    """
    keep: Callable[[dict[str, Any]], bool] | None = None
    if before is not None or destination is not None:
        def keep(rec: dict[str, Any]) -> bool:
            seq = rec.get("seq")
            return ((before is None or (isinstance(seq, int) and seq < before))
                    and (destination is None or rec.get("destination") == destination))
    snap = snapshot(layout)
    out: list[dict[str, Any]] = []
    total: int | None = 0 if keep is None else None
    skip = offset
    try:
        for src in reversed(_sources(layout, snap)):
            if before is not None and src.first_seq is not None and src.first_seq >= before:
                continue
            full = len(out) >= limit
            if keep is None and src.count is not None and (full or skip >= src.count):
                total = (total or 0) + src.count
                skip = skip if full else skip - src.count
                continue
            if full and keep is not None:
                break
            matches = sum(1 for _ in _matching(src, keep))
            if total is not None:
                total += matches
            if full or skip >= matches:
                skip = skip if full else skip - matches
                continue
            hi = matches - skip
            lo = max(0, hi - (limit - len(out)))
            window: list[dict[str, Any]] = []
            for i, item in enumerate(_matching(src, keep)):
                if i >= hi:
                    break
                if i >= lo:
                    rec = item if isinstance(item, dict) else _parse(item)
                    if rec is not None:
                        window.append(rec)
            out.extend(reversed(window))
            skip = 0
    finally:
        snap.close()
    last = out[-1].get("seq") if out else None
    more = offset + len(out) < total if total is not None else len(out) >= limit
    return Page(out, total, last if more and isinstance(last, int) else None)


def oldest_first(layout: Layout, offset: int = 0, limit: int | None = 100,
                 destination: str | None = None) -> list[dict[str, Any]]:
    """Return records oldest first from ``offset``, at most ``limit`` (None: all)."""
    out: list[dict[str, Any]] = []
    if limit is not None and limit <= 0:
        return out
    for i, rec in enumerate(iter_records(layout, destination)):
        if i < offset:
            continue
        out.append(rec)
        if limit is not None and len(out) >= limit:
            break
    return out
