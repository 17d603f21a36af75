"""Egress audit log: appends/s with and without rotation, side by side, and bytes on disk per record.

Each configuration appends the same stream of records shaped like the gate's (a fleet
heartbeat released with a few redactions) to a fresh log, fsync and all. They run in
turns, each first in turn, so the shared disk's noise falls on each alike; then the
median appends/s is printed with the bytes the log takes on disk per retained record
(all files: segments, head, anchor), what a closed segment takes per record, and the
time to verify and to list one page from the middle.

    .venv/bin/python scripts/bench/bench_audit.py [--records 4000] [--runs 3] [--dir /var/tmp]

Configurations:
  single file       no rotation (one growing file, as before rotation existed)
  defaults          the [audit] defaults (8 MiB segments, daily, gzip, 256 MiB kept)
  small segments    64 KiB gzip segments, 256 KiB kept: rotation and retirement every few
                    hundred appends, the cost of rotating made visible
  small, plain      the same without gzip
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from appliance.audit import AuditConfig, AuditLog

KEY = bytes(range(32))
CONFIGS: dict[str, AuditConfig] = {
    "single file": AuditConfig(max_segment_bytes=1 << 40, max_segment_age_s=None, max_segments=None,
                               max_total_bytes=None, retention_days=None),
    "defaults": AuditConfig(),
    "small segments": AuditConfig(max_segment_bytes=64 * 1024, max_total_bytes=256 * 1024),
    "small, plain": AuditConfig(max_segment_bytes=64 * 1024, max_total_bytes=256 * 1024,
                                compress=False),
}


def record(i: int, session: str) -> dict[str, object]:
    """Return a record like the gate writes for a released fleet heartbeat."""
    body = f"heartbeat {i}".encode()
    return {"destination": "fleet", "outcome": "sent", "reason": "",
            "classes": {"PERSON": 1, "IP": 2} if i % 7 == 0 else {"IP": 2},
            "redactions": {"PERSON:redact": 1, "IP:redact": 2} if i % 7 == 0 else {"IP:redact": 2},
            "payload_sha256": hashlib.sha256(body).hexdigest(), "bytes": 900 + i % 300,
            "tokens": 225 + i % 75, "session": session}


def one(name: str, config: AuditConfig, n: int, base: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        log = AuditLog(Path(tmp) / "audit" / "egress.jsonl", KEY, config)
        session = uuid.uuid4().hex
        t0 = time.perf_counter()
        for i in range(n):
            log.append(record(i, session))
        elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        report = log.verify()
        verify_s = time.perf_counter() - t1
        assert report.ok, report.problems
        t2 = time.perf_counter()
        log.page(limit=50, offset=report.records // 2)
        page_s = time.perf_counter() - t2
        files = [p for p in (Path(tmp) / "audit").iterdir() if p.is_file()]
        on_disk = sum(p.stat().st_size for p in files)
        closed, _ = log.layout.closed()
        seg_bpr = (sum(s.path.stat().st_size for s in closed) / sum(s.records for s in closed)
                   if closed else on_disk / max(1, report.records))
        return {"aps": n / elapsed, "bpr": on_disk / max(1, report.records), "seg_bpr": seg_bpr,
                "segments": len(closed), "retired": report.retired.records if report.retired else 0,
                "verify_ms_per_10k": verify_s * 1000 * 10_000 / max(1, report.records),
                "page_ms": page_s * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=4000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()),
                    help="where the logs are written (the disk being measured)")
    args = ap.parse_args()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in CONFIGS}
    names = list(CONFIGS)
    for run in range(args.runs):
        for name in names[run % len(names):] + names[:run % len(names)]:  # each goes first in turn
            results[name].append(one(name, CONFIGS[name], args.records, args.dir))
    print(f"{args.records} appends per run, {args.runs} runs, median; fsync per append; "
          f"disk under {args.dir}")
    head = (f"{'configuration':<16}{'appends/s':>11}{'B/record':>10}{'closed B/rec':>14}"
            f"{'segments':>10}{'retired':>9}{'verify ms/10k':>15}{'page ms':>9}")
    print(head)
    print("-" * len(head))
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{name:<16}{med['aps']:>11.0f}{med['bpr']:>10.0f}{med['seg_bpr']:>14.0f}"
              f"{med['segments']:>10.0f}{med['retired']:>9.0f}{med['verify_ms_per_10k']:>15.0f}"
              f"{med['page_ms']:>9.1f}")
    single = statistics.median(r["aps"] for r in results["single file"])
    for name in list(CONFIGS)[1:]:
        aps = statistics.median(r["aps"] for r in results[name])
        print(f"{name}: {aps / single:.2f}x the single file's appends/s")


if __name__ == "__main__":
    main()
