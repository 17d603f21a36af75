"""Listing reads across segments, newest first, a page at a time."""

from __future__ import annotations

import threading
import tracemalloc
from pathlib import Path

from appliance.audit import AuditConfig, AuditLog
from tests.unit.audit.test_rotation import KEY, fill, small


def _log(tmp_path: Path, n: int, **kw: object) -> AuditLog:
    log = AuditLog(tmp_path / "egress.jsonl", KEY, small(**kw))
    fill(log, n)
    return log


def test_pages_run_newest_first_across_segments_and_retention(tmp_path: Path) -> None:
    log = _log(tmp_path, 90, max_segments=5)
    retired = log.verify().retired
    assert retired is not None
    first = retired.last_seq + 1
    page = log.page(limit=7)
    assert [r["seq"] for r in page.records] == list(range(90, 83, -1))
    assert page.total == 90 - first + 1 and page.next_before == 84
    seen: list[int] = []
    before = None
    while True:
        page = log.page(limit=7, before=before)
        seen += [r["seq"] for r in page.records]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == list(range(90, first - 1, -1))


def test_offset_pages_match_the_cursor_pages(tmp_path: Path) -> None:
    log = _log(tmp_path, 70)
    every = [r["seq"] for r in log.page(limit=1000).records]
    assert every == list(range(70, 0, -1))
    for offset in (0, 5, 17, 33, 64, 69, 70, 75):
        page = log.page(limit=6, offset=offset)
        assert [r["seq"] for r in page.records] == every[offset:offset + 6], offset
        assert page.next_before == (every[offset + 5] if offset + 6 < 70 else None)


def test_destination_filter_across_segments(tmp_path: Path) -> None:
    log = _log(tmp_path, 60)
    uplink = [r["seq"] for r in log.page(limit=100, destination="uplink").records]
    assert uplink == [s for s in range(60, 0, -1) if (s - 1) % 3 == 0]
    page = log.page(limit=4, offset=3, destination="uplink")
    assert [r["seq"] for r in page.records] == uplink[3:7] and page.total is None
    page = log.page(limit=4, before=uplink[6], destination="uplink")
    assert [r["seq"] for r in page.records] == uplink[7:11]


def test_oldest_first_records_span_segments(tmp_path: Path) -> None:
    log = _log(tmp_path, 50, max_segments=3)
    start = log.verify().first_seq
    assert start is not None and start > 1
    assert [r["seq"] for r in log.records(offset=2, limit=5)] == list(range(start + 2, start + 7))
    assert [r["i"] for r in log.records(limit=None)] == list(range(start - 1, 50))


def test_a_page_of_a_large_log_holds_only_the_page_in_memory(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "egress.jsonl", KEY,
                   AuditConfig(max_segment_bytes=256 * 1024, max_segment_age_s=None))
    fill(log, 6000)
    on_disk = sum(p.stat().st_size for p in tmp_path.iterdir())
    raw = 6000 * len(log.path.read_bytes().splitlines()[0])
    tracemalloc.start()
    try:
        for kw in ({"offset": 0}, {"offset": 3000}, {"before": 10}, {"destination": "uplink",
                                                                        "offset": 1500}):
            page = log.page(limit=20, **kw)  # type: ignore[arg-type]
            assert len(page.records) == (9 if "before" in kw else 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert raw > 2_000_000 and on_disk < raw
    assert peak < 400_000, f"peak {peak} bytes for pages of a {raw}-byte log"


def test_two_writers_on_one_log_keep_one_chain_through_rotations(tmp_path: Path) -> None:
    config = small(max_segments=50)
    a = AuditLog(tmp_path / "egress.jsonl", KEY, config)
    b = AuditLog(tmp_path / "egress.jsonl", KEY, config)

    def worker(log: AuditLog, tag: str) -> None:
        for i in range(40):
            log.append({"destination": tag, "outcome": "sent", "i": i})

    threads = [threading.Thread(target=worker, args=(log, tag))
               for log, tag in ((a, "a"), (b, "b"), (a, "c"), (b, "d"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = a.verify()
    assert report.ok, report.problems
    assert report.records == 160 and len(a.layout.closed()[0]) > 3
    for tag in "abcd":
        assert [r["i"] for r in a.records(limit=None, destination=tag)] == list(range(40))
