"""`appliance redact` and `appliance audit verify` as a user runs them, in a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.audit import open_log

CLI = "from appliance.cli import main; main()"


def run(
    args: list[str], stdin: str = "", config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    if config is not None:
        env["APPLIANCE_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "appliance.toml"
    path.write_text(f'state_dir = "{tmp_path / "state"}"\n', encoding="utf-8")
    return path


def test_redact_prints_redacted_text(config: Path) -> None:
    proc = run(["redact"], "Anna Schmidt (badge B-12345) called +49 151 1234 5678.\n", config)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "<PERSON_1> (badge <EMPLOYEE_ID_1>) called <PHONE_1>.\n"


def test_redact_json_gives_offsets_into_the_input(config: Path) -> None:
    text = "Reported by Tuomas Häkkinen, mail t.hakkinen@werk.fi"
    proc = run(["redact", "--json"], text, config)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["text"] == "Reported by <PERSON_1>, mail <EMAIL_1>"
    for ent in result["entities"]:
        assert text[ent["start"] : ent["end"]] == ent["text"]
    assert [e["type"] for e in result["entities"]] == ["PERSON", "EMAIL"]


def test_redact_lines_prints_one_result_per_line(config: Path) -> None:
    lines = ["Anna Schmidt reset press 4.", "", "SSN 123-45-6788 on file", "Anna Schmidt again."]
    proc = run(["redact", "--lines"], "\n".join(lines) + "\n", config)
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == 4
    assert results[0]["text"] == "<PERSON_1> reset press 4." and results[1]["entities"] == []
    assert results[2]["entities"][0]["type"] == "NATIONAL_ID"
    assert results[3]["text"] == "<PERSON_1> again."  # consistent across lines of one run


def test_audit_verify_passes_then_detects_tampering(config: Path, tmp_path: Path) -> None:
    log = open_log(tmp_path / "state", Path("audit/egress.jsonl"), Path("privacy/keys"))
    for i in range(3):
        log.append({"destination": "uplink", "outcome": "sent", "tokens": i})
    ok = run(["audit", "verify"], config=config)
    assert ok.returncode == 0 and "3 records" in ok.stdout, ok.stderr
    listed = run(["audit", "list", "--limit", "2"], config=config)
    assert [json.loads(x)["seq"] for x in listed.stdout.splitlines()] == [3, 2]  # newest first
    lines = log.path.read_text(encoding="utf-8").splitlines(keepends=True)
    log.path.write_text(lines[0] + lines[2], encoding="utf-8")
    bad = run(["audit", "verify"], config=config)
    assert bad.returncode == 1 and "TAMPERED" in bad.stderr
