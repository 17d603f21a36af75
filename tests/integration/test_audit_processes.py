"""The rotated audit log under real processes: killed mid-rotation, and two writers at once.

Writers are ``tests/stand_ins/audit_writer.py`` processes with tiny segments, gzip and
retention on, so rotations and retirements happen every few records. After each
``kill -9`` the log must verify, every acknowledged record must be there exactly once
(or lie within what the retention anchor says it retired), and the next writer must
carry on the chain.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

from appliance.audit import AuditConfig, AuditLog

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "tests" / "stand_ins" / "audit_writer.py"
KEY = bytes(range(32))
CONFIG: dict[str, Any] = {"max_segment_bytes": 1024, "max_segments": 4, "max_total_bytes": None,
                          "retention_days": None, "compress": True}


def _spec(tmp_path: Path, name: str, **kw: Any) -> Path:
    spec = {"log": str(tmp_path / "audit" / "egress.jsonl"), "key": KEY.hex(), "config": CONFIG,
            "count": 100_000, **kw}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def _start(spec: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(WRITER), str(spec)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _acks(stdout: str) -> list[tuple[int, str]]:
    out = []
    for line in stdout.splitlines():
        seq, tag = line.split()
        out.append((int(seq), tag))
    return out


def _check(log: AuditLog, acked: list[tuple[int, str]]) -> dict[int, str]:
    """Verify the log; return seq -> tag of what it holds, after checking every ack."""
    report = log.verify()
    assert report.ok, (report.problems, report.notes)
    held = {int(r["seq"]): str(r["tag"]) for r in log.records(limit=None)}
    tags = Counter(held.values())
    assert not [t for t, c in tags.items() if c > 1], "a record was written twice"
    retired = report.retired.last_seq if report.retired else 0
    for seq, tag in acked:
        if seq > retired:
            assert held.get(seq) == tag, f"acknowledged record {seq} {tag} lost"
    return held


def test_writer_killed_at_random_file_system_calls_loses_and_repeats_nothing(
        tmp_path: Path) -> None:
    rng = random.Random(4242)
    log = AuditLog(tmp_path / "audit" / "egress.jsonl", KEY, AuditConfig.model_validate(CONFIG))
    acked: list[tuple[int, str]] = []
    where: Counter[str] = Counter()
    for run in range(40):
        proc = _start(_spec(tmp_path, f"kill{run}", tag=f"r{run}",
                            kill_at_call=rng.randint(1, 80)))
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, err
        kill = [line.split() for line in err.splitlines() if line.startswith("KILL ")]
        assert len(kill) == 1, err
        where[kill[0][2]] += 1
        acked += _acks(out)
        _check(log, acked)
    # the kills landed inside each step of rotation, not only in plain appends
    assert {"_append_locked", "rotate", "compress", "retire"} <= set(where), where
    held = _check(log, acked)
    last = max(held)
    proc = _start(_spec(tmp_path, "after", tag="after", count=5))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert [s for s, _ in _acks(out)] == list(range(last + 1, last + 6))
    _check(log, acked + _acks(out))


def test_writer_killed_at_random_times_loses_and_repeats_nothing(tmp_path: Path) -> None:
    rng = random.Random()
    log = AuditLog(tmp_path / "audit" / "egress.jsonl", KEY, AuditConfig.model_validate(CONFIG))
    acked: list[tuple[int, str]] = []
    for run in range(12):
        proc = _start(_spec(tmp_path, f"t{run}", tag=f"t{run}"))
        # let it get past its imports, then kill it somewhere in the write loop
        time.sleep(0.5 + rng.random() * 0.6)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        acked += _acks(out)
        _check(log, acked)
    assert len(acked) > 50 and log.verify().retired is not None


def test_two_writer_processes_share_one_chain_through_rotations(tmp_path: Path) -> None:
    config = {**CONFIG, "max_segments": None}
    start_at = time.time() + 2.0
    procs = [_start(_spec(tmp_path, tag, tag=tag, count=300, start_at=start_at, config=config))
             for tag in ("daemon", "agent")]
    acked: list[tuple[int, str]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        acked += _acks(out)
    log = AuditLog(tmp_path / "audit" / "egress.jsonl", KEY, AuditConfig.model_validate(config))
    held = _check(log, acked)
    assert sorted(held) == list(range(1, 601))
    order = [held[s].split(":")[0] for s in sorted(held)]
    for tag in ("daemon", "agent"):
        assert [int(held[s].split(":")[1]) for s in sorted(held) if held[s].startswith(tag)] == \
            list(range(300))
    switches = sum(1 for a, b in pairwise(order) if a != b)
    assert switches > 2, "the two writers never interleaved"
    assert len(log.layout.closed()[0]) > 20
