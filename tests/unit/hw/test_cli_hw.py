"""`appliance hw detect` and `appliance hw tegrastats` through the real CLI app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from appliance.cli import _register, app

DATA = Path(__file__).parent / "data"
REPO_HW = Path(__file__).resolve().parents[3] / "hw"
runner = CliRunner()
_register()


def test_detect_prints_profile_for_a_model_string(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.write_bytes(b"NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super\0")
    result = runner.invoke(app, ["hw", "detect", "--model-path", str(model), "--profiles-dir",
                                 str(REPO_HW), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["profile"] == "orin-nano-8gb-super" and out["source"] in {"model", "part_number"}
    assert out["power_mode"]["name"] == "25W"
    assert out["slm"]["concurrency"] == 3


def test_detect_unknown_board_warns_and_uses_cpu_profile(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.write_bytes(b"QEMU Virtual Machine\0")
    result = runner.invoke(app, ["hw", "detect", "--model-path", str(model),
                                 "--profiles-dir", str(REPO_HW)])
    assert result.exit_code == 0
    assert "cpu-fallback" in result.stdout
    assert "no board profile matches" in result.stderr


def test_detect_unknown_forced_board_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["hw", "detect", "--board", "tx9", "--profiles-dir",
                                 str(REPO_HW)])
    assert result.exit_code == 2
    assert "unknown board 'tx9'" in result.stderr


def test_tegrastats_parses_stdin_and_counts_bad_lines() -> None:
    text = (DATA / "tegrastats-orin-nano-super-r36.txt").read_text() + "not a stats line\n"
    result = runner.invoke(app, ["hw", "tegrastats"], input=text)
    assert result.exit_code == 0
    samples = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["gpu_load_percent"] for s in samples] == [0.0, 99.0]
    assert "2 parsed, 1 skipped" in result.stderr


def test_tegrastats_with_nothing_parseable_exits_1() -> None:
    result = runner.invoke(app, ["hw", "tegrastats"], input="hello\n")
    assert result.exit_code == 1
