"""Verification of the whole retained chain: every segment, their order, head and anchor.

Problems are tampering (or loss) and fail verification; each names the segment file
and the record. Notes are what an interrupted rotation or append leaves behind, and
``retired`` is what retention removed on purpose: neither fails verification.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from appliance.audit.chain import GENESIS, Anchor, Head, record_mac
from appliance.audit.segments import (
    READ_ERRORS,
    Layout,
    Segment,
    iter_fd_lines,
    iter_lines,
    locked,
    tail,
)

MAX_PROBLEMS = 1000  # a wholly rewritten log would otherwise report a million lines


@dataclass
class SegmentCheck:
    """One segment checked on its own: its ends, and what is wrong inside it."""

    records: int = 0
    first_seq: int | None = None
    first_prev: str | None = None
    last_seq: int | None = None
    last_prev: str | None = None
    last_mac: str | None = None
    first_ts: float | None = None
    last_ts: float | None = None
    problems: list[str] = field(default_factory=list)


def check_segment(name: str, lines: Iterable[bytes], key: bytes) -> SegmentCheck:
    """Check the records in ``lines``: each MAC, and seq and prev from record to record.

    Raises one of :data:`~appliance.audit.segments.READ_ERRORS` if the segment cannot
    be read to the end.
    """
    out = SegmentCheck()
    seq_prev: tuple[int, str] | None = None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            out.problems.append(f"{name} line {lineno}: empty line")
            continue
        try:
            rec = json.loads(line)
            seq, prev, mac = int(rec["seq"]), str(rec["prev"]), str(rec["mac"])
            ts = float(rec.get("ts", 0.0))
        except (ValueError, KeyError, TypeError):
            out.problems.append(f"{name} line {lineno}: not a valid record")
            continue
        where = f"{name} line {lineno} (seq {seq})"
        out.records += 1
        if not hmac.compare_digest(mac, record_mac(key, rec)):
            out.problems.append(f"{where}: record was modified")
        if seq_prev is None:
            out.first_seq, out.first_prev, out.first_ts = seq, prev, ts
        else:
            if seq != seq_prev[0] + 1:
                out.problems.append(f"{where}: seq {seq} where {seq_prev[0] + 1} was expected "
                                    "(removed or reordered)")
            if prev != seq_prev[1]:
                out.problems.append(f"{where}: chain broken, previous record missing, moved "
                                    "or altered")
        seq_prev = (seq, mac)
        out.last_seq, out.last_prev, out.last_mac, out.last_ts = seq, prev, mac, ts
    return out


@dataclass
class VerifyReport:
    """Result of a verification: ``ok`` is True only when ``problems`` is empty."""

    records: int = 0
    segments: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    retired: Anchor | None = None
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        """Return True when the chain is intact."""
        return not self.problems and not self.more_problems

    def problem(self, text: str) -> None:
        """Record a problem (past :data:`MAX_PROBLEMS` only counted)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.more_problems += 1

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values."""
        return {"ok": self.ok, "records": self.records, "segments": self.segments,
                "first_seq": self.first_seq, "last_seq": self.last_seq,
                "problems": self.problems, "more_problems": self.more_problems,
                "notes": self.notes,
                "retired": None if self.retired is None else self.retired.body()}


@dataclass
class Snapshot:
    """A consistent view of the log's files, taken under the shared lock."""

    closed: list[Segment]
    leftovers: list[str]
    head: bytes | None
    anchor: bytes | None
    active_fd: int | None
    active_size: int

    def close(self) -> None:
        """Close the active segment's descriptor."""
        if self.active_fd is not None:
            os.close(self.active_fd)
            self.active_fd = None


def _read(path: os.PathLike[str]) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def snapshot(layout: Layout) -> Snapshot:
    """Return the log's files as one writer left them (the shared lock held briefly)."""
    with locked(layout, exclusive=False):
        closed, leftovers = layout.closed()
        try:
            fd: int | None = os.open(layout.active, os.O_RDONLY)
        except FileNotFoundError:
            fd = None
        size = os.fstat(fd).st_size if fd is not None else 0
        return Snapshot(closed, [p.name for p in leftovers], _read(layout.head),
                        _read(layout.anchor), fd, size)


def closed_lines(seg: Segment) -> Iterator[bytes]:
    """Yield a closed segment's lines, following it if it was compressed meanwhile."""
    try:
        fh = iter_lines(seg.path)
        first = next(fh, None)
    except FileNotFoundError:
        if seg.compressed:
            raise
        fh = iter_lines(seg.path.with_name(seg.path.name + ".gz"))
        first = next(fh, None)
    if first is not None:
        yield first
        yield from fh


class SegmentCache:
    """Checks of closed segments, reused while a file keeps its inode, size and ctime.

    Closed segments never change, so a long-lived reader (the console) checks each
    once; any write to one (which moves its ctime) has it checked again.
    """

    def __init__(self) -> None:
        self._items: dict[str, tuple[tuple[int, int, int], SegmentCheck]] = {}

    def check(self, seg: Segment, key: bytes) -> SegmentCheck:
        """Return the check of ``seg``; raise :class:`OSError` if it cannot be read."""
        try:
            st = os.stat(seg.path)
        except FileNotFoundError:
            return check_segment(seg.path.name, closed_lines(seg), key)
        stamp = (st.st_ino, st.st_size, st.st_ctime_ns)
        hit = self._items.get(seg.path.name)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        result = check_segment(seg.path.name, closed_lines(seg), key)
        self._items[seg.path.name] = (stamp, result)
        if len(self._items) > 4096:
            self._items.pop(next(iter(self._items)))
        return result


@dataclass
class _Walk:
    """Where the chain must continue: the next seq, the mac it links to, and from where."""

    seq: int | None
    mac: str
    where: str
    number: int | None
    last_prev: str | None = None


def _span(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}-{b}"


def _link(report: VerifyReport, name: str, chk: SegmentCheck, walk: _Walk) -> None:
    first = chk.first_seq
    if first is None or walk.seq is None:
        return
    at = f"{name} line 1 (seq {first})"
    if first > walk.seq:
        report.problem(f"{at}: records {_span(walk.seq, first - 1)} are missing after "
                       f"{walk.where} (removed, or a segment deleted)")
    elif first < walk.seq:
        report.problem(f"{at}: seq {first} where {walk.seq} was expected after {walk.where} "
                       "(records repeated or segments reordered)")
    elif chk.first_prev != walk.mac:
        report.problem(f"{at}: chain broken, it does not link to {walk.where}")


def _anchor(report: VerifyReport, layout: Layout, snap: Snapshot, key: bytes) -> _Walk:
    if snap.anchor is None:
        return _Walk(1, GENESIS, "the start of the log (no retention anchor: nothing retired)", 0)
    try:
        anchor = Anchor.load(snap.anchor, key)
    except (ValueError, KeyError, TypeError) as exc:
        report.problem(f"{layout.anchor.name}: retention anchor was modified or is unreadable "
                       f"({exc})")
        return _Walk(None, "", "the retention anchor", None)
    report.retired = anchor
    for text in anchor.tampered:
        report.problem(f"found when retention removed it: {text}")
    return _Walk(anchor.last_seq + 1, anchor.last_mac,
                 f"the retention anchor (records {_span(anchor.first_seq, anchor.last_seq)} "
                 f"retired with {anchor.segments} segment(s))", anchor.last_segment)


def _current_anchor(layout: Layout, key: bytes) -> Anchor | None:
    data = _read(layout.anchor)
    try:
        return None if data is None else Anchor.load(data, key)
    except (ValueError, KeyError, TypeError):
        return None


def _closed(report: VerifyReport, layout: Layout, seg: Segment, key: bytes, walk: _Walk,
            cache: SegmentCache | None) -> None:
    name = seg.path.name
    if walk.number is not None and seg.number != walk.number + 1:
        if seg.number > walk.number + 1:
            report.problem(f"segment(s) number {_span(walk.number + 1, seg.number - 1)} missing "
                           f"before {name} (deleted)")
        else:
            report.problem(f"{name}: segment number {seg.number} out of order after "
                           f"{walk.number} (renamed or copied)")
    walk.number = seg.number
    try:
        chk = cache.check(seg, key) if cache is not None else check_segment(
            name, closed_lines(seg), key)
    except FileNotFoundError:
        now = _current_anchor(layout, key)
        if now is not None and now.last_seq >= seg.last_seq:
            report.notes.append(f"{name}: retired while this check ran")
            walk.seq, walk.mac, walk.where = now.last_seq + 1, now.last_mac, "the retention anchor"
            return
        report.problem(f"{name}: segment vanished while this check ran (deleted)")
        walk.seq, walk.where = None, name
        return
    except READ_ERRORS as exc:
        report.problem(f"{name}: segment unreadable ({exc})")
        walk.seq, walk.where = None, name
        return
    report.segments += 1
    if chk.records == 0:
        report.problem(f"{name}: segment holds no records")
    elif (chk.first_seq, chk.last_seq) != (seg.first_seq, seg.last_seq):
        report.problem(f"{name}: its name says records {seg.first_seq}-{seg.last_seq}, it holds "
                       f"{chk.first_seq}-{chk.last_seq} (renamed, swapped or altered)")
    _absorb(report, name, chk, walk)


def _absorb(report: VerifyReport, name: str, chk: SegmentCheck, walk: _Walk) -> None:
    _link(report, name, chk, walk)
    for text in chk.problems:
        report.problem(text)
    if chk.last_seq is None or chk.last_mac is None:
        return
    report.records += chk.records
    if report.first_seq is None:
        report.first_seq = chk.first_seq
    report.last_seq = chk.last_seq
    walk.seq, walk.mac, walk.last_prev = chk.last_seq + 1, chk.last_mac, chk.last_prev
    walk.where = f"{name} (seq {chk.last_seq})"


def _head(report: VerifyReport, layout: Layout, snap: Snapshot, key: bytes, walk: _Walk) -> None:
    name = layout.head.name
    if snap.head is None:
        if report.records:
            report.problem(f"{name} is missing: the end of the log cannot be checked")
        return
    try:
        head = Head.load(snap.head, key)
    except (ValueError, KeyError, TypeError) as exc:
        report.problem(f"{name}: head was modified or is unreadable ({exc})")
        return
    last = (walk.seq - 1) if walk.seq is not None else head.seq
    if head.seq > last:
        report.problem(f"{name} says the last record is seq {head.seq}, the log ends at {last}: "
                       "records removed from the end")
    elif head.seq == last and head.mac != walk.mac:
        report.problem(f"record {last} is not the last record the head signed (replaced)")
    elif head.seq == last - 1 and head.mac == walk.last_prev:
        report.notes.append(f"record {last} was written after the head (an append interrupted "
                            "before updating it; the next append updates it)")
    elif head.seq < last:
        report.problem(f"{last - head.seq} record(s) after the head (seq {head.seq}): "
                       "written outside the log's writer")


def verify_log(layout: Layout, key: bytes, cache: SegmentCache | None = None) -> VerifyReport:
    """Verify every retained segment, their order, the head and the retention anchor.

    ``cache`` reuses checks of unchanged closed segments. Returns the report; raises
    nothing for a broken or unreadable log (that is what the report says).
    """
    report = VerifyReport()
    snap = snapshot(layout)
    try:
        if not snap.closed and snap.active_fd is None and snap.head is None and snap.anchor is None:
            report.problem(f"{layout.active} does not exist (nothing was written, or all of it "
                           "was deleted)")
            return report
        walk = _anchor(report, layout, snap, key)
        report.notes.extend(f"{n}: left by an interrupted write; the next rotation removes it"
                            for n in snap.leftovers)
        for seg in snap.closed:
            if report.retired is not None and seg.last_seq <= report.retired.last_seq:
                report.notes.append(f"{seg.path.name}: already retired by the anchor; an "
                                    "interrupted retention left it, the next rotation removes it")
                continue
            _closed(report, layout, seg, key, walk, cache)
        if snap.active_fd is not None and snap.active_size:
            _, end = tail(snap.active_fd, snap.active_size)
            if end < snap.active_size:
                report.notes.append(f"{layout.active.name}: a torn last line "
                                    f"({snap.active_size - end} bytes) from an append cut short; "
                                    "the next append removes it")
            chk = check_segment(layout.active.name, iter_fd_lines(snap.active_fd, end), key)
            report.segments += 1
            _absorb(report, layout.active.name, chk, walk)
        _head(report, layout, snap, key, walk)
    finally:
        snap.close()
    return report
