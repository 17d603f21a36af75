"""The egress audit log is append-only and hash-chained; any tampering is found."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from appliance.audit import AuditLog, open_log, verify


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    audit = open_log(tmp_path, Path("audit/egress.jsonl"), Path("keys"))
    for i in range(5):
        audit.append(
            {
                "destination": "uplink",
                "outcome": "sent",
                "classes": {"PERSON": i},
                "payload_sha256": f"{i:064x}",
                "tokens": 10 + i,
            }
        )
    return audit


def _lines(audit: AuditLog) -> list[str]:
    return audit.path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_intact_chain_verifies_and_lists(log: AuditLog) -> None:
    report = log.verify()
    assert report.ok and report.records == 5
    recs = log.records(offset=1, limit=2)
    assert [r["seq"] for r in recs] == [2, 3] and recs[0]["tokens"] == 11
    assert recs[1]["prev"] == recs[0]["mac"]


def test_edited_record_is_detected(log: AuditLog) -> None:
    lines = _lines(log)
    rec = json.loads(lines[2])
    rec["destination"] = "somewhere-else"
    lines[2] = json.dumps(rec) + "\n"
    log.path.write_text("".join(lines), encoding="utf-8")
    report = log.verify()
    assert not report.ok and any("modified" in p for p in report.problems)


def test_removed_record_is_detected(log: AuditLog) -> None:
    lines = _lines(log)
    del lines[1]
    log.path.write_text("".join(lines), encoding="utf-8")
    report = log.verify()
    assert not report.ok and any("removed or reordered" in p for p in report.problems)


def test_reordered_records_are_detected(log: AuditLog) -> None:
    lines = _lines(log)
    lines[1], lines[3] = lines[3], lines[1]
    log.path.write_text("".join(lines), encoding="utf-8")
    assert not log.verify().ok


def test_cut_off_tail_is_detected(log: AuditLog) -> None:
    log.path.write_text("".join(_lines(log)[:-2]), encoding="utf-8")
    report = log.verify()
    assert not report.ok and any("head says" in p for p in report.problems)


def test_reforged_chain_without_the_key_is_detected(log: AuditLog, tmp_path: Path) -> None:
    forged = AuditLog(tmp_path / "forged.jsonl", b"x" * 32)
    for rec in log.records(limit=None):
        forged.append({k: v for k, v in rec.items() if k not in ("seq", "prev", "mac", "ts")})
    log.path.write_bytes(forged.path.read_bytes())
    log.head_path.write_bytes(forged.head_path.read_bytes())
    assert not verify(log.path, log._key).ok


def test_concurrent_appends_keep_the_chain(tmp_path: Path) -> None:
    audit = open_log(tmp_path, Path("a.jsonl"), Path("keys"))

    def worker(n: int) -> None:
        for i in range(25):
            audit.append({"destination": f"d{n}", "outcome": "sent", "i": i})

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = audit.verify()
    assert report.ok and report.records == 100
