"""Property: after any run of appends, rotations and retirements, verification fails
exactly when someone without the key changed the files (and never for what a killed
writer leaves behind)."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.audit import AuditLog
from appliance.audit.rotation import retire
from tests.unit.audit.tamper import (
    edit_record,
    read_lines,
    remove_record,
    segment_files,
    set_json_field,
    swap_records,
    swap_segments,
)
from tests.unit.audit.test_rotation import KEY, fill, small

BENIGN = {"nothing", "stale head", "temp file", "gzip double", "retired segment left",
          "torn tail"}


def _applicable(log: AuditLog, n: int) -> list[str]:
    files = segment_files(log)
    closed, _ = log.layout.closed()
    ops = ["nothing", "temp file", "torn tail", "edit record", "remove record", "truncate tail",
           "edit head"]
    if n >= 2:
        ops.append("stale head")
    if any(len(read_lines(f)) >= 2 for f in files):
        ops.append("reorder records")
    if closed:
        ops.append("delete segment")
        if closed[0].compressed:
            ops.append("gzip double")
    if len(closed) >= 2:
        ops += ["swap segments", "retired segment left"]
    if log.layout.anchor.exists():
        ops += ["edit anchor", "delete anchor"]
    if log.path.exists() and log.path.stat().st_size:
        ops.append("delete active")
    return ops


def _apply(op: str, log: AuditLog, data: st.DataObject, stale_head: bytes) -> None:
    files = segment_files(log)
    closed, _ = log.layout.closed()
    pick = lambda seq: data.draw(st.sampled_from(seq))  # noqa: E731
    if op == "edit record":
        f = pick(files)
        edit_record(f, data.draw(st.integers(0, len(read_lines(f)) - 1)))
    elif op == "remove record":
        f = pick(files)
        remove_record(f, data.draw(st.integers(0, len(read_lines(f)) - 1)))
    elif op == "reorder records":
        f = pick([f for f in files if len(read_lines(f)) >= 2])
        swap_records(f, data.draw(st.integers(0, len(read_lines(f)) - 2)))
    elif op == "truncate tail":
        remove_record(files[-1], -1)
    elif op == "edit head":
        cur = json.loads(log.head_path.read_bytes())["seq"]
        step = data.draw(st.integers(-cur, 10_000).filter(lambda k: k != 0))
        set_json_field(log.head_path, "seq", cur + step)
    elif op == "delete segment":
        pick(closed).path.unlink()
    elif op == "swap segments":
        i = data.draw(st.integers(0, len(closed) - 2))
        j = data.draw(st.integers(i + 1, len(closed) - 1))
        swap_segments(closed[i].path, closed[j].path)
    elif op == "edit anchor":
        field = pick(["last_seq", "segments", "first_seq", "last_mac"])
        set_json_field(log.layout.anchor, field, "0" * 64 if field == "last_mac" else 999_999)
    elif op == "delete anchor":
        log.layout.anchor.unlink()
    elif op == "delete active":
        log.path.unlink()
    elif op == "stale head":
        log.head_path.write_bytes(stale_head)
    elif op == "temp file":
        (log.path.parent / (log.path.name + ".anchor.tmp")).write_bytes(b"{")
    elif op == "torn tail":
        with log.path.open("ab") as fh:
            fh.write(b'{"bytes":1,"classes":{},"dest')
    elif op == "gzip double":
        seg = pick([s for s in closed if s.compressed]).path
        seg.with_name(seg.name[:-3]).write_bytes(gzip.decompress(seg.read_bytes()))
    elif op == "retired segment left":
        saved = closed[0].path.read_bytes()
        assert retire(log.layout, small(max_segments=len(closed) - 1), KEY) == 1
        closed[0].path.write_bytes(saved)


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(1, 45), seg_bytes=st.integers(1024, 2600),
       keep=st.none() | st.integers(1, 4), compress=st.booleans())
def test_verification_fails_exactly_when_tampered(data: st.DataObject, n: int, seg_bytes: int,
                                                  keep: int | None, compress: bool) -> None:
    config = small(max_segment_bytes=seg_bytes, max_segments=keep, compress=compress)
    with tempfile.TemporaryDirectory() as tmp:
        log = AuditLog(Path(tmp) / "egress.jsonl", KEY, config)
        fill(log, n - 1)
        stale = log.head_path.read_bytes() if n > 1 else b""
        fill(log, 1, n - 1)
        assert log.verify().ok
        op = data.draw(st.sampled_from(_applicable(log, n)), label="op")
        _apply(op, log, data, stale)
        report = log.verify()
        assert report.ok == (op in BENIGN), (op, report.problems, report.notes)
        if op in BENIGN:
            fill(log, 1, 1000)  # a writer carries on from whatever was left
            again = log.verify()
            assert again.ok and again.last_seq == n + 1, (op, again.problems)
