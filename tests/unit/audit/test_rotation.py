"""Rotation and retention keep the chain's guarantees across segments."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from appliance.audit import AuditConfig, AuditLog
from appliance.audit.rotation import retire
from appliance.config import load
from tests.unit.audit.tamper import (
    edit_record,
    read_lines,
    remove_record,
    segment_files,
    set_json_field,
    swap_records,
    swap_segments,
)

KEY = b"r" * 32


class Clock:
    def __init__(self, t: float = 1_750_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def fill(log: AuditLog, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        log.append({"destination": "fleet" if i % 3 else "uplink", "outcome": "sent", "i": i,
                    "classes": {"PERSON": i % 2}, "payload_sha256": f"{i:064x}", "tokens": i})


def small(**kw: object) -> AuditConfig:
    base: dict[str, object] = {"max_segment_bytes": 1500, "max_segments": None,
                               "max_total_bytes": None, "retention_days": None}
    base.update(kw)
    return AuditConfig.model_validate(base)


def test_size_rotation_continues_the_chain_across_gzip_segments(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small())
    fill(log, 40)
    closed, leftovers = log.layout.closed()
    assert len(closed) >= 5 and leftovers == []
    assert all(s.compressed for s in closed)
    assert [s.number for s in closed] == list(range(1, len(closed) + 1))
    prev_last = None
    for seg in closed:
        recs = [json.loads(x) for x in read_lines(seg.path)]
        assert (recs[0]["seq"], recs[-1]["seq"]) == (seg.first_seq, seg.last_seq)
        assert sum(len(x) for x in read_lines(seg.path)) <= 1500
        if prev_last is not None:
            assert recs[0]["seq"] == prev_last["seq"] + 1 and recs[0]["prev"] == prev_last["mac"]
        prev_last = recs[-1]
    active = [json.loads(x) for x in read_lines(log.path)]
    assert active[0]["prev"] == prev_last["mac"]
    report = log.verify()
    assert report.ok, report.problems
    assert (report.records, report.first_seq, report.last_seq) == (40, 1, 40)
    assert report.segments == len(closed) + 1 and report.retired is None
    assert oct(os.stat(closed[0].path).st_mode & 0o777) == "0o600"


def test_plain_segments_when_compression_is_off(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small(compress=False))
    fill(log, 20)
    closed, _ = log.layout.closed()
    assert closed and not any(s.compressed for s in closed)
    assert log.verify().ok


def test_age_rotation_closes_a_segment_once_its_first_record_is_old(tmp_path: Path) -> None:
    clock = Clock()
    log = AuditLog(tmp_path / "egress.jsonl", KEY,
                   small(max_segment_bytes=1 << 20, max_segment_age_s=3600), clock=clock)
    fill(log, 3)
    clock.t += 3599
    fill(log, 1, 3)
    assert log.layout.closed()[0] == []
    clock.t += 1
    fill(log, 1, 4)
    closed, _ = log.layout.closed()
    assert [(s.first_seq, s.last_seq) for s in closed] == [(1, 4)]
    assert closed[0].last_ts == int(clock.t - 1)  # named after its last record, to the second
    assert [json.loads(x)["seq"] for x in read_lines(log.path)] == [5]
    assert log.verify().ok


def test_retention_by_count_writes_a_signed_anchor_and_verify_reports_it_apart(
        tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small(max_segments=2))
    fill(log, 60)
    closed, _ = log.layout.closed()
    assert len(closed) == 2
    report = log.verify()
    assert report.ok, report.problems
    retired = report.retired
    assert retired is not None and retired.first_seq == 1
    assert retired.last_seq + 1 == closed[0].first_seq == report.first_seq
    assert retired.segments == closed[0].number - 1 and retired.tampered == ()
    assert report.records + retired.records == 60
    anchor = json.loads(log.layout.anchor.read_bytes())
    assert anchor["last_seq"] == retired.last_seq and len(anchor["sig"]) == 64


def test_retention_by_total_bytes_bounds_the_disk(tmp_path: Path) -> None:
    cap = 64 * 1024
    log = AuditLog(tmp_path / "egress.jsonl", KEY,
                   small(max_segment_bytes=4096, max_total_bytes=cap, compress=False))
    fill(log, 600)
    closed, _ = log.layout.closed()
    on_disk = sum(s.path.stat().st_size for s in closed) + log.path.stat().st_size
    assert on_disk <= cap + 4096
    assert log.verify().ok and log.verify().retired is not None


def test_retention_days_retires_segments_whose_last_record_is_older(tmp_path: Path) -> None:
    clock = Clock()
    log = AuditLog(tmp_path / "egress.jsonl", KEY,
                   small(max_segment_age_s=86400, max_segment_bytes=1 << 20, retention_days=1.5),
                   clock=clock)
    for _day in range(5):
        fill(log, 4)
        clock.t += 86400
    fill(log, 1, 100)
    closed, _ = log.layout.closed()
    # segments of days 0-4 were closed; day 5's rotation keeps those under 1.5 days old
    assert [int((clock.t - s.last_ts) // 86400) for s in closed] == [1]
    report = log.verify()
    assert report.ok and report.retired is not None and report.retired.segments == 4


def test_config_refuses_a_total_smaller_than_one_segment() -> None:
    with pytest.raises(ValidationError, match="max_total_bytes"):
        AuditConfig(max_segment_bytes=1 << 20, max_total_bytes=65536)


def test_audit_section_is_read_from_the_device_config(tmp_path: Path) -> None:
    path = tmp_path / "appliance.toml"
    path.write_text(f'state_dir = "{tmp_path}"\n[audit]\nmax_segment_bytes = 4096\n'
                    "compress = false\nretention_days = 30\n", encoding="utf-8")
    cfg = load(path)
    assert (cfg.audit.max_segment_bytes, cfg.audit.compress, cfg.audit.retention_days) == (
        4096, False, 30)


# --- tampering: each is found, and the message names the segment and the record --------
@pytest.fixture
def rotated(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small(max_segments=4))
    fill(log, 80)
    assert len(log.layout.closed()[0]) == 4 and log.layout.anchor.exists()
    return log


def _problems(log: AuditLog) -> str:
    report = log.verify()
    assert not report.ok
    return "\n".join(report.problems)


def test_edited_record_in_a_closed_segment_is_named(rotated: AuditLog) -> None:
    seg = segment_files(rotated)[1]
    edit_record(seg, 2)
    seq = json.loads(read_lines(seg)[2])["seq"]
    assert f"{seg.name} line 3 (seq {seq}): record was modified" in _problems(rotated)


def test_removed_and_reordered_records_are_found(rotated: AuditLog) -> None:
    first, second = segment_files(rotated)[0:2]
    remove_record(first, 1)
    swap_records(second, 0)
    problems = _problems(rotated)
    assert f"{first.name} line 2" in problems and "removed or reordered" in problems
    assert f"{second.name} line 2" in problems


def test_deleted_middle_segment_is_found(rotated: AuditLog) -> None:
    closed, _ = rotated.layout.closed()
    closed[1].path.unlink()
    problems = _problems(rotated)
    assert f"segment(s) number {closed[1].number} missing before {closed[2].path.name}" in problems
    assert f"records {closed[1].first_seq}-{closed[1].last_seq} are missing" in problems


def test_swapped_segments_are_found(rotated: AuditLog) -> None:
    closed, _ = rotated.layout.closed()
    swap_segments(closed[1].path, closed[2].path)
    assert f"{closed[1].path.name}: its name says records" in _problems(rotated)


def test_deleted_oldest_retained_segment_contradicts_the_anchor(rotated: AuditLog) -> None:
    closed, _ = rotated.layout.closed()
    closed[0].path.unlink()
    assert "missing after the retention anchor" in _problems(rotated)


def test_edited_or_deleted_anchor_is_found(rotated: AuditLog) -> None:
    anchor = rotated.layout.anchor
    saved = anchor.read_bytes()
    set_json_field(anchor, "last_seq", json.loads(saved)["last_seq"] + 5)
    assert "retention anchor was modified" in _problems(rotated)
    anchor.unlink()
    assert "are missing after the start of the log" in _problems(rotated)
    anchor.write_bytes(saved)
    assert rotated.verify().ok


def test_cut_off_tail_and_edited_head_are_found(rotated: AuditLog) -> None:
    head = rotated.head_path.read_bytes()
    set_json_field(rotated.head_path, "seq", 3)
    assert "head was modified" in _problems(rotated)
    rotated.head_path.write_bytes(head)
    remove_record(rotated.path, -1)
    assert "records removed from the end" in _problems(rotated)


def test_deleted_newest_segment_and_active_file_are_found(rotated: AuditLog) -> None:
    rotated.path.unlink()
    assert "records removed from the end" in _problems(rotated)


def test_problem_found_in_a_segment_outlives_its_retirement(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small(max_segments=3))
    fill(log, 30)
    oldest = segment_files(log)[0]
    edit_record(oldest, 0)
    fill(log, 40, 30)  # retention removes the edited segment
    assert not oldest.exists()
    problems = _problems(log)
    assert f"found when retention removed it: {oldest.name} line 1" in problems


# --- what a killed writer leaves verifies, with a note, and the next append tidies it ----
def _notes_then_clean(log: AuditLog, expect: str) -> None:
    report = log.verify()
    assert report.ok, report.problems
    assert any(expect in n for n in report.notes), report.notes
    fresh = AuditLog(log.path, KEY, log.config)  # a restarted writer recovers on first append
    fill(fresh, 1, 1000)
    report = fresh.verify()
    assert report.ok and report.notes == [], (report.problems, report.notes)


def test_leftovers_of_an_interrupted_compression(rotated: AuditLog) -> None:
    seg = segment_files(rotated)[-2]
    plain = seg.with_name(seg.name[: -len(".gz")])
    plain.write_bytes(gzip.decompress(seg.read_bytes()))  # killed before the plain file went
    (seg.parent / (seg.name + ".tmp")).write_bytes(b"partial")
    _notes_then_clean(rotated, "interrupted write")
    assert plain.exists() != seg.exists()


def test_segment_left_by_an_interrupted_retirement(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small(max_segments=3))
    fill(log, 25)
    oldest = segment_files(log)[0]
    saved = oldest.read_bytes()
    assert retire(log.layout, small(max_segments=2), KEY) == 1
    oldest.write_bytes(saved)  # the anchor was written, the unlink never happened
    _notes_then_clean(log, "already retired by the anchor")
    assert not oldest.exists()


def test_record_written_after_the_head(rotated: AuditLog) -> None:
    stale = rotated.head_path.read_bytes()
    fill(rotated, 1, 500)
    rotated.head_path.write_bytes(stale)  # killed after the line, before the head
    _notes_then_clean(rotated, "written after the head")


def test_torn_last_line_is_noted_and_dropped(rotated: AuditLog) -> None:
    with rotated.path.open("ab") as fh:
        fh.write(b'{"seq": 81, "prev": "')
    _notes_then_clean(rotated, "torn last line")
    assert [json.loads(x)["i"] for x in read_lines(rotated.path)][-1] == 1000


def test_copy_of_the_directory_verifies_elsewhere(rotated: AuditLog, tmp_path: Path) -> None:
    dst = tmp_path / "copy"
    shutil.copytree(rotated.path.parent, dst)
    assert AuditLog(dst / "egress.jsonl", KEY).verify().ok
    assert not AuditLog(dst / "egress.jsonl", b"x" * 32).verify().ok


def test_a_segment_left_plain_is_compressed_at_the_next_rotation(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small(compress=False))
    fill(log, 12)
    assert not any(s.compressed for s in log.layout.closed()[0])
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small(compress=True))
    fill(log, 12, 12)
    closed, _ = log.layout.closed()
    assert len(closed) >= 4 and all(s.compressed for s in closed)
    assert log.verify().ok


def test_corrupt_gzip_segment_is_reported_and_never_stops_the_writer(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small(max_segments=3))
    fill(log, 30)
    oldest = log.layout.closed()[0][0]
    data = bytearray(oldest.path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # flip bits inside the deflate stream
    oldest.path.write_bytes(bytes(data))
    report = log.verify()
    assert not report.ok
    assert any(p.startswith(f"{oldest.path.name}: segment unreadable") for p in report.problems)
    assert [r["seq"] for r in log.page(limit=3).records] == [30, 29, 28]
    fill(log, 30, 30)  # retention retires the damaged segment and keeps the damage on record
    assert log.page(limit=1).records[0]["seq"] == 60
    assert not oldest.path.exists() and len(log.layout.closed()[0]) == 3
    report = log.verify()
    assert not report.ok and report.retired is not None
    assert len(report.problems) == 1, report.problems  # the chain itself still links
    assert report.problems[0].startswith(
        f"found when retention removed it: {oldest.path.name} was unreadable (")
    assert report.first_seq == report.retired.last_seq + 1
