"""``appliance classify`` and ``appliance calibrate`` on the real model, as operators run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures.model import REPO


def appliance(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from appliance.cli import main; main()", *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )


def cli_env(tmp_path: Path, model: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPLIANCE_")}
    env.update({
        "APPLIANCE_STATE_DIR": str(tmp_path / "state"),
        "APPLIANCE_SLM__MODEL_PATH": str(model),
        "APPLIANCE_SLM__N_THREADS": "2",
        "APPLIANCE_SLM__N_CTX": "1024",
        # generous: the test machine is shared, and a timeout is not what is tested here
        "APPLIANCE_SLM__DEADLINE_MS": "120000",
    })
    return env


def test_classify_reads_lines_and_jsonl_and_prints_one_json_per_line(
    gemma_model_path: Path, tmp_path: Path
) -> None:
    stdin = (
        "sensor oven-2 temperature=41 reading normal\n"
        '{"id": "t-2", "text": "operator: worker fell from a ladder and is bleeding"}\n'
        "\n"
    )
    run = appliance("classify", "--task", "triage", env=cli_env(tmp_path, gemma_model_path),
                    stdin=stdin)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2]
    assert rows[1]["id"] == "t-2"
    for row in rows:
        assert row["status"] == "ok"
        assert row["label"] in {"low", "medium", "high", "critical"}
        assert 0.0 <= row["confidence"] <= 1.0
        assert row["latency_ms"] > 0 and row["tokens"] > 0


def test_classify_with_a_site_task_file(gemma_model_path: Path, tmp_path: Path) -> None:
    task = tmp_path / "shift.toml"
    task.write_text(
        'name = "door"\nkind = "label"\ninstruction = "Is the door open or closed?"\n'
        'input_prefix = "Report:"\noutput_prefix = "Door:"\nlabels = ["open", "closed"]\n'
        '[[examples]]\ninput = "door sensor reads open"\noutput = "open"\n'
        '[[examples]]\ninput = "door sensor reads closed"\noutput = "closed"\n'
    )
    run = appliance("classify", "--task-file", str(task),
                    env=cli_env(tmp_path, gemma_model_path), stdin="the door is wide open\n")
    assert run.returncode == 0, run.stderr
    row = json.loads(run.stdout)
    assert row["task"] == "door" and row["label"] in {"open", "closed"}
    assert set(row["raw_probs"]) == {"open", "closed"}


def test_calibrate_fits_a_map_reports_ece_and_classify_uses_it(
    gemma_model_path: Path, tmp_path: Path
) -> None:
    labelled = tmp_path / "labelled.jsonl"
    rows = [
        ("sensor pump-1 pressure=5.0 reading normal", "low"),
        ("sensor oven-3 temperature=60 reading normal", "low"),
        ("operator: the break room fridge is humming", "low"),
        ("sensor fan-1 vibration=6.9 reading slightly unusual", "medium"),
        ("operator: conveyor 4 hesitates now and then", "medium"),
        ("sensor motor-3 current=21 reading clearly abnormal", "high"),
        ("operator: hydraulic hose on press-2 is dripping oil", "high"),
        ("operator: fire in the paint booth, evacuating", "critical"),
        ("sensor boiler-1 pressure=12 reading extremely abnormal", "critical"),
        ("operator: worker unconscious next to the mixer", "critical"),
    ]
    labelled.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in rows))
    env = cli_env(tmp_path, gemma_model_path)
    run = appliance("calibrate", str(labelled), "--task", "triage", env=env)
    assert run.returncode == 0, run.stderr
    assert "ECE before=" in run.stdout and "after=" in run.stdout
    fitted = json.loads((tmp_path / "state" / "calibration" / "triage.json").read_text())
    assert fitted["samples"] == len(rows)
    assert f"ECE before={fitted['ece_before']:.4f} after={fitted['ece_after']:.4f}" in run.stdout
    assert fitted["method"] in {"identity", "temperature", "temperature+bias"}
    # Apply a map we know is not the identity, and check classify uses it.
    fitted.update(method="temperature", temperature=3.0, bias=[0.0] * 4)
    (tmp_path / "state" / "calibration" / "triage.json").write_text(json.dumps(fitted))
    out = appliance("classify", "--task", "triage", env=env, stdin=rows[0][0] + "\n")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["status"] == "ok"
    raw, cal = result["raw_probs"], result["probs"]
    assert max(cal.values()) < max(raw.values())  # T=3 softens
    assert max(cal, key=cal.__getitem__) == max(raw, key=raw.__getitem__)
    assert abs(sum(cal.values()) - 1.0) < 1e-4
