"""Closing the active segment, and retiring the oldest closed ones under the retention limits.

Every step runs under the log's exclusive lock and leaves a state that verifies if the
process dies right after it: the rename closes a segment whole; its ``.gz`` appears
complete or not at all (the plain file wins while both exist); the anchor that records
a retirement is written before the segment is removed, so a killed retirement leaves a
segment the anchor already covers, never a gap. :func:`recover` finishes what a killed
writer left.
"""

from __future__ import annotations

import json
import logging
import os
import time
from itertools import zip_longest
from pathlib import Path

from appliance.audit.chain import GENESIS, Anchor, AuditError
from appliance.audit.segments import (
    READ_ERRORS,
    Layout,
    Segment,
    compress,
    first_line,
    fsync_dir,
    iter_lines,
    write_atomic,
)
from appliance.audit.settings import AuditConfig
from appliance.audit.verify import SegmentCheck, check_segment, closed_lines

log = logging.getLogger(__name__)
MAX_TAMPERED = 100  # problems an anchor carries forward from retired segments


def read_anchor(layout: Layout, key: bytes) -> Anchor | None:
    """Return the retention anchor, or None if nothing was retired yet.

    Raises :class:`AuditError` if the anchor exists but is unreadable or wrongly signed.
    """
    try:
        data = layout.anchor.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return Anchor.load(data, key)
    except (ValueError, KeyError, TypeError) as exc:
        raise AuditError(f"retention anchor {layout.anchor} is invalid: {exc}") from exc


def _same_content(a: Path, b: Path) -> bool:
    return all(x == y for x, y in zip_longest(iter_lines(a), iter_lines(b)))


def recover(layout: Layout, key: bytes) -> None:
    """Finish what a writer killed mid-rotation left: temp files, doubles, retired segments."""
    closed, leftovers = layout.closed()
    changed = False
    for path in leftovers:
        if path.name.endswith(".gz"):
            plain = path.with_name(path.name[: -len(".gz")])
            try:
                keep_gz = _same_content(plain, path)
            except READ_ERRORS:
                keep_gz = False
            (plain if keep_gz else path).unlink()
            log.warning("audit log: finished an interrupted compression of %s", plain.name)
        else:
            path.unlink(missing_ok=True)
        changed = True
    try:
        anchor = read_anchor(layout, key)
    except AuditError:
        anchor = None  # verification reports it; never delete on a broken anchor's word
    for seg in closed:
        if anchor is None or seg.last_seq > anchor.last_seq:
            continue
        chk = check_segment(seg.path.name, closed_lines(seg), key)
        if chk.last_seq is not None and chk.last_seq <= anchor.last_seq:
            seg.path.unlink()
            changed = True
            log.warning("audit log: finished the interrupted retirement of %s", seg.path.name)
    if changed:
        fsync_dir(layout.dir)


def rotate(layout: Layout, config: AuditConfig, key: bytes, first_seq: int, last_seq: int,
           last_ts: float, now: float) -> Path:
    """Close the active segment (records ``first_seq``..``last_seq``); return its new path.

    Compresses it when configured, then retires what the limits no longer keep, after
    finishing anything a killed writer left (see :func:`recover`).
    """
    recover(layout, key)
    closed, _ = layout.closed()
    try:
        anchor = read_anchor(layout, key)
    except AuditError:
        anchor = None
    number = max([s.number for s in closed] + [anchor.last_segment if anchor else 0]) + 1
    path = layout.segment_path(number, first_seq, last_seq, last_ts)
    os.rename(layout.active, path)
    fsync_dir(layout.dir)
    log.info("audit log: closed segment %s", path.name)
    # The segment is closed and the record can be written: what follows only saves
    # space, so a failure is logged and retried at the next rotation, never fatal.
    try:
        if config.compress:
            for seg in [*closed, layout.parse(path)]:
                if seg is not None and not seg.compressed:
                    done = compress(seg.path)
                    path = done if seg.path == path else path
        retire(layout, config, key, now)
    except (*READ_ERRORS, ValueError):
        log.exception("audit log: compression or retention failed; retried at the next rotation")
    return path


def _over(config: AuditConfig, closed: list[Segment], active: int, now: float) -> bool:
    if config.max_segments is not None and len(closed) > config.max_segments:
        return True
    if config.max_total_bytes is not None:
        total = active + sum(s.path.stat().st_size for s in closed)
        if total > config.max_total_bytes:
            return True
    return (config.retention_days is not None
            and closed[0].last_ts < now - config.retention_days * 86400)


def _first_after(layout: Layout, later: list[Segment]) -> tuple[int, str] | None:
    """Return the seq and prev of the first record after a segment, or None if unknown."""
    if not later:
        return _parse_first(first_line(layout.active))
    try:
        return _parse_first(next(iter(closed_lines(later[0])), None))
    except READ_ERRORS:
        return None


def _parse_first(line: bytes | None) -> tuple[int, str] | None:
    try:
        rec = json.loads(line) if line else None
        return (int(rec["seq"]), str(rec["prev"])) if isinstance(rec, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


def _ends(layout: Layout, seg: Segment, later: list[Segment], key: bytes
          ) -> tuple[SegmentCheck, list[str]] | None:
    """Return a segment's check and problems for retirement, or None if it cannot go.

    A damaged segment (unreadable, or with no record) still goes when the record after
    it is known: the anchor then ends where that record's chain starts, and carries
    the damage as a problem, so the disk stays bounded and verification keeps failing.
    """
    try:
        chk = check_segment(seg.path.name, closed_lines(seg), key)
        if chk.last_seq is not None and chk.last_mac is not None and chk.first_seq is not None:
            return chk, list(chk.problems)
        damage = "holds no records"
    except READ_ERRORS as exc:
        damage = f"was unreadable ({exc})"
    follow = _first_after(layout, later)
    if follow is None:
        log.error("audit log: %s %s and what follows is unknown; retention stopped",
                  seg.path.name, damage)
        return None
    chk = SegmentCheck(records=0, first_seq=seg.first_seq, first_prev=None,
                       last_seq=follow[0] - 1, last_mac=follow[1], first_ts=seg.last_ts,
                       last_ts=seg.last_ts)
    return chk, [f"{seg.path.name} {damage} when retention removed it"]


def retire(layout: Layout, config: AuditConfig, key: bytes, now: float | None = None) -> int:
    """Retire the oldest closed segments while a limit is exceeded; return how many went.

    The anchor is extended (and written durably) before each segment is removed.
    Problems found in a retired segment are carried in the anchor. Stops, keeping the
    data, when the anchor is invalid, or a segment is damaged and the record after it
    cannot be read.
    """
    now = time.time() if now is None else now
    closed, _ = layout.closed()
    try:
        anchor = read_anchor(layout, key)
    except AuditError:
        log.exception("audit log: retention stopped, nothing is removed")
        return 0
    if anchor is not None:  # one an interrupted retirement left is no longer counted
        closed = [s for s in closed if s.last_seq > anchor.last_seq]
    try:
        active = layout.active.stat().st_size
    except FileNotFoundError:
        active = 0
    retired = 0
    while closed and _over(config, closed, active, now):
        seg = closed[0]
        ends = _ends(layout, seg, closed[1:], key)
        if ends is None:
            return retired
        chk, problems = ends
        if chk.last_seq is None or chk.last_mac is None:  # _ends never returns such a check
            return retired
        want = (anchor.last_seq + 1, anchor.last_mac) if anchor else (1, GENESIS)
        if chk.first_prev is not None and (chk.first_seq, chk.first_prev) != want:
            problems.append(f"{seg.path.name}: does not continue the chain at seq {want[0]}")
        before = anchor.tampered if anchor else ()
        anchor = Anchor(
            segments=(anchor.segments if anchor else 0) + 1, last_segment=seg.number,
            first_seq=anchor.first_seq if anchor else (chk.first_seq or 1),
            last_seq=chk.last_seq, last_mac=chk.last_mac,
            first_ts=anchor.first_ts if anchor else (chk.first_ts or 0.0),
            last_ts=chk.last_ts or 0.0, tampered=(before + tuple(problems))[:MAX_TAMPERED])
        write_atomic(layout.anchor, anchor.dump(key))
        seg.path.unlink()
        fsync_dir(layout.dir)
        closed.pop(0)
        retired += 1
        if problems:
            log.error("audit log: retired %s with %d problem(s) (kept in the anchor)",
                      seg.path.name, len(problems))
        log.info("audit log: retired %s (records %s-%d)", seg.path.name, chk.first_seq,
                 chk.last_seq)
    return retired
