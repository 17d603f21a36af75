"""`appliance audit verify|list` on a rotated, retained log, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.audit import open_from_config
from appliance.config import load
from tests.integration.test_privacy_cli import run


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "appliance.toml"
    path.write_text(f'state_dir = "{tmp_path / "state"}"\n'
                    "[audit]\nmax_segment_bytes = 1200\nmax_segments = 3\n", encoding="utf-8")
    log = open_from_config(load(path))
    for i in range(60):
        log.append({"destination": "fleet" if i % 2 else "uplink", "outcome": "sent",
                    "classes": {}, "redactions": {}, "bytes": 100, "tokens": i})
    return path


def test_verify_reports_retention_apart_from_an_intact_chain(config: Path) -> None:
    log = open_from_config(load(config))
    retired = log.verify().retired
    assert retired is not None
    ok = run(["audit", "verify"], config=config)
    assert ok.returncode == 0, ok.stderr
    assert (f"retention removed {retired.segments} segment(s): records 1-{retired.last_seq} "
            f"({retired.last_seq} records,") in ok.stdout
    assert f"ok: {60 - retired.last_seq} records in 4 segment(s) (seq {retired.last_seq + 1}-60)" \
        in ok.stdout
    assert "TAMPERED" not in ok.stdout + ok.stderr


def test_verify_names_a_deleted_segment_and_an_edited_anchor(config: Path) -> None:
    log = open_from_config(load(config))
    closed, _ = log.layout.closed()
    saved = closed[1].path.read_bytes()
    closed[1].path.unlink()
    bad = run(["audit", "verify"], config=config)
    assert bad.returncode == 1
    assert (f"TAMPERED: segment(s) number {closed[1].number} missing before "
            f"{closed[2].path.name} (deleted)") in bad.stderr
    closed[1].path.write_bytes(saved)
    anchor = json.loads(log.layout.anchor.read_bytes())
    anchor["segments"] -= 1
    log.layout.anchor.write_text(json.dumps(anchor), encoding="utf-8")
    bad = run(["audit", "verify"], config=config)
    assert bad.returncode == 1
    assert "TAMPERED: egress.jsonl.anchor: retention anchor was modified" in bad.stderr


def test_list_pages_newest_first_across_segments(config: Path) -> None:
    start = open_from_config(load(config)).verify().first_seq
    assert start is not None and start > 1
    every = run(["audit", "list", "--limit", "100"], config=config)
    assert every.returncode == 0, every.stderr
    assert [json.loads(x)["seq"] for x in every.stdout.splitlines()] == list(range(60, start - 1, -1))
    older = run(["audit", "list", "--limit", "3", "--before", "56", "--destination", "uplink"],
                config=config)
    assert [json.loads(x)["seq"] for x in older.stdout.splitlines()] == [55, 53, 51]
    skipped = run(["audit", "list", "--limit", "2", "--offset", "10"], config=config)
    assert [json.loads(x)["seq"] for x in skipped.stdout.splitlines()] == [50, 49]
