"""Perception commands: ``anomaly`` backtests the streaming anomaly detector on a CSV history."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from appliance.cli import app
from appliance.cli.common import ConfigOption, err_console, fail, load_config, setup_logging
from appliance.errors import ConfigError, ModelError

if TYPE_CHECKING:
    from appliance.perception.anomaly import AnomalyDetector

_TS_NAMES = ("timestamp", "ts", "time")


def _parse_ts(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        return datetime.fromisoformat(raw.strip().replace("Z", "+00:00")).timestamp()


def _columns(header: list[str]) -> tuple[int, int] | None:
    """Return (timestamp, value) column indexes if ``header`` is a header row, else None."""
    names = [h.strip().lower() for h in header]
    try:
        float(names[1])
    except (ValueError, IndexError):
        ts_col = next((names.index(n) for n in _TS_NAMES if n in names), 0)
        value_col = names.index("value") if "value" in names else 1
        return ts_col, value_col
    return None


@app.command()
def anomaly(
    csv_file: Annotated[Path, typer.Option(
        "--csv", exists=True, dir_okay=False, readable=True,
        help="History as CSV: timestamp,value (UNIX seconds or ISO 8601; header optional).",
    )],
    config: ConfigOption = None,
    model: Annotated[Path | None, typer.Option(
        help="Anomaly model (.onnx); default perception.anomaly.model.")] = None,
    threshold: Annotated[float | None, typer.Option(
        min=0.0, max=1.0,
        help="Score at or above is anomalous; default perception.anomaly.threshold.",
    )] = None,
    metric: Annotated[str, typer.Option(help="Metric name the values are scored as.")] = "value",
) -> None:
    """Backtest a sensor's history through the streaming anomaly detector.

    Prints ``timestamp,value,score,anomaly`` for every row, in order, exactly as the
    daemon would score the readings live (the baseline is learned from the file's first
    rows, whose score is left empty). Use it to tune a sensor on its own history.
    """
    from appliance.perception.anomaly import AnomalyDetector

    cfg = load_config(config)
    setup_logging("WARNING", cfg.logging.json_format)
    perception = cfg.perception
    try:
        if model is not None:
            perception.anomaly.model = model
        if threshold is not None:
            perception.anomaly.threshold = threshold
    except ValueError as exc:
        fail(f"invalid option: {exc}")
    try:
        detector = AnomalyDetector(perception)
    except (ModelError, ConfigError) as exc:
        fail(str(exc), "build it with scripts/build_anomaly_model.py or set "
             "perception.anomaly.model (or pass --model)")
    with csv_file.open(newline="", encoding="utf-8") as fh:
        rows, flagged, skipped = _backtest(detector, fh, metric, sys.stdout)
    relearned = detector.relearned("csv").get(metric, 0)
    err_console.print(f"{rows} rows scored, {flagged} anomalous, {skipped} skipped, "
                      f"baseline relearned {relearned}x", highlight=False)


def _backtest(detector: AnomalyDetector, fh: TextIO, metric: str, out: TextIO
              ) -> tuple[int, int, int]:
    """Score every row of ``fh``, writing CSV to ``out``; return (scored, anomalous, skipped)."""
    reader = csv.reader(fh)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["timestamp", "value", "score", "anomaly"])
    ts_col, value_col = 0, 1
    rows = flagged = skipped = 0
    for lineno, row in enumerate(reader, start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if lineno == 1 and (cols := _columns(row)) is not None:
            ts_col, value_col = cols
            continue
        try:
            ts_raw, value_raw = row[ts_col].strip(), row[value_col].strip()
            ts, value = _parse_ts(ts_raw), float(value_raw)
        except (IndexError, ValueError) as exc:
            skipped += 1
            err_console.print(f"line {lineno}: skipped ({exc})", highlight=False)
            continue
        result = detector.update("csv", {metric: value}, ts)
        rows += 1
        flagged += result.anomalous
        score = "" if result.warming_up or metric not in result.metrics else f"{result.score:.4f}"
        writer.writerow([ts_raw, value_raw, score, int(result.anomalous)])
    return rows, flagged, skipped
