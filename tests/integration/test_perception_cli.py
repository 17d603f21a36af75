"""``appliance anomaly --csv``: backtest a sensor history through the real CLI process."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from appliance.simulator import Factory

REPO = Path(__file__).resolve().parents[2]
TEMPERATURE_FAULTS = {"overheat", "stuck_sensor"}


def _appliance(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from appliance.cli import main; main()", *args],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False)


def test_backtest_prints_a_row_per_reading_and_flags_the_faults(tmp_path: Path) -> None:
    readings = list(Factory(seed=3, lines=1, motors_per_line=1, fault_rate=0.02).readings(1500))
    history = tmp_path / "motor.csv"
    history.write_text("timestamp,value\n" + "".join(
        f"{r.ts:.0f},{r.readings['temperature']}\n" for r in readings), encoding="utf-8")

    done = _appliance("anomaly", "--csv", str(history))
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["timestamp", "value", "score", "anomaly"]
    body = rows[1:]
    assert len(body) == len(readings)
    assert [r[0] for r in body] == [f"{x.ts:.0f}" for x in readings]
    assert all(r[2] == "" for r in body[:60])  # learning the baseline
    assert all(0.0 <= float(r[2]) <= 1.0 for r in body[60:])
    flagged = [r[3] == "1" for r in body]
    faulty = [x.fault in TEMPERATURE_FAULTS for x in readings]
    in_any_fault = [x.fault is not None for x in readings]
    hits = sum(f and t for f, t in zip(flagged, faulty, strict=True))
    assert sum(faulty[60:]) > 20, "the simulator produced too few temperature faults"
    assert hits >= 0.8 * sum(faulty[60:])
    assert sum(f and a for f, a in zip(flagged, in_any_fault, strict=True)) >= 0.9 * sum(flagged)
    assert f"{len(readings)} rows scored" in done.stderr


def test_backtest_reads_iso_timestamps_and_skips_bad_lines(tmp_path: Path) -> None:
    history = tmp_path / "pump.csv"
    lines = ["time,value"]
    for i in range(100):
        ts = datetime.fromtimestamp(1_767_225_600 + i, tz=UTC).isoformat().replace("+00:00", "Z")
        lines.append(f"{ts},{4.0 + 0.1 * ((i * 7) % 5)}")
    lines.insert(50, "2026-01-01T00:00:49Z,not-a-number")
    history.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _appliance("anomaly", "--csv", str(history), "--threshold", "0.9")
    assert done.returncode == 0, done.stderr
    body = list(csv.reader(io.StringIO(done.stdout)))[1:]
    assert len(body) == 100
    assert body[0][0] == "2026-01-01T00:00:00Z"
    assert "line 51: skipped" in done.stderr
    assert "1 skipped" in done.stderr


def test_backtest_with_a_missing_model_fails_naming_it(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    history.write_text("1,2\n2,3\n", encoding="utf-8")
    missing = tmp_path / "absent.onnx"
    done = _appliance("anomaly", "--csv", str(history), "--model", str(missing))
    assert done.returncode == 2
    assert "absent.onnx" in done.stderr
    assert "build_anomaly_model.py" in done.stderr
