#!/usr/bin/env python3
"""Anomaly model speed on CPU: the appliance's path next to a raw onnxruntime loop.

    .venv/bin/python scripts/bench/bench_perception.py [--readings 3000] [--repeats 3]

Same model file, same inputs, same thread settings, same run. Inputs are the
window features of simulated readings (``appliance.simulator.Factory``), one row
per metric. Rows printed:

* batch 1: one ``run`` per metric row -- raw ``session.run`` vs ``AnomalyModel.score``;
* per reading: one ``run`` per reading's metric rows (what the detector does);
* batch 1024: throughput of large batches;
* streaming: ``AnomalyDetector.update`` per reading (features, model, adaptation),
  next to the raw per-reading ``run`` on the same readings.

Each figure is the best of ``--repeats`` timed passes after one warm-up pass;
the raw and the appliance passes alternate, so machine load hits both alike.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime as ort

from appliance.perception.anomaly import (
    INPUT_NAME,
    OUTPUT_NAME,
    AnomalyDetector,
    AnomalyModel,
    baseline_params,
)
from appliance.perception.features import MetricState
from appliance.perception.settings import AnomalyConfig, OnnxConfig, PerceptionConfig
from appliance.simulator import Factory, Reading


def _timed(fn: Callable[[], int]) -> float:
    start = time.perf_counter()
    items = fn()
    return items / (time.perf_counter() - start)


def _side_by_side(raw_fn: Callable[[], int], app_fn: Callable[[], int],
                  repeats: int) -> tuple[float, float]:
    """Return the best items/s of each, timed alternately so machine load hits both alike."""
    raw_fn()
    app_fn()
    raw_best = app_best = 0.0
    for _ in range(repeats):
        raw_best = max(raw_best, _timed(raw_fn))
        app_best = max(app_best, _timed(app_fn))
    return raw_best, app_best


def _reading_batches(readings: list[Reading], window: int) -> list[np.ndarray]:
    params = baseline_params(AnomalyConfig(), window)
    states: dict[tuple[str, str], MetricState] = {}
    batches = []
    for r in readings:
        rows = []
        for metric, x in r.readings.items():
            st = states.setdefault((r.sensor, metric), MetricState(params))
            row = st.observe(x)
            st.adapt(x, anomalous=False)
            if row is not None:
                rows.append(row)
        if rows:
            batches.append(np.stack(rows).astype(np.float32))
    return batches


def main() -> int:
    """Run the benchmark and print the table; return the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=Path("models/anomaly/sensor-anomaly.onnx"))
    ap.add_argument("--readings", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    onnx_cfg = OnnxConfig(threads=args.threads, inter_op_threads=1,
                          providers=["CPUExecutionProvider"])
    model = AnomalyModel(args.model, onnx_cfg)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    raw = ort.InferenceSession(str(args.model), sess_options=options,
                               providers=["CPUExecutionProvider"])

    print(f"onnxruntime {ort.__version__}, CPU provider, {args.threads} intra-op thread(s), "
          f"{len(os.sched_getaffinity(0))} CPUs visible; model {args.model} "
          f"({args.model.stat().st_size} bytes)", file=sys.stderr)
    print("preparing inputs from the simulator ...", file=sys.stderr)
    readings = list(Factory(seed=args.seed).readings(args.readings + 8 * 80))
    warm_skip = 8 * 80  # readings used to learn baselines before features exist
    batches = _reading_batches(readings, model.window)
    rows = np.concatenate(batches)
    single = [rows[i : i + 1] for i in range(len(rows))]
    big = [rows[i : i + 1024] for i in range(0, len(rows) - 1023, 1024)] or [rows]

    def raw_loop(inputs: list[np.ndarray]) -> Callable[[], int]:
        def run() -> int:
            for x in inputs:
                raw.run([OUTPUT_NAME], {INPUT_NAME: x})
            return sum(len(x) for x in inputs)
        return run

    def app_loop(inputs: list[np.ndarray]) -> Callable[[], int]:
        def run() -> int:
            for x in inputs:
                model.score(x)
            return sum(len(x) for x in inputs)
        return run

    def raw_per_reading() -> int:
        for x in batches:
            raw.run([OUTPUT_NAME], {INPUT_NAME: x})
        return len(batches)

    def app_model_per_reading() -> int:
        for x in batches:
            model.score(x)
        return len(batches)

    elapsed: list[float] = []

    def streaming() -> int:
        det = AnomalyDetector(PerceptionConfig(onnx=onnx_cfg), model=model)
        for r in readings[:warm_skip]:
            det.update(r.sensor, r.readings, r.ts)
        start = time.perf_counter()
        for r in readings[warm_skip:]:
            det.update(r.sensor, r.readings, r.ts)
        elapsed.append(time.perf_counter() - start)
        return len(readings) - warm_skip

    table = []
    steps = [
        ("batch 1 (rows/s)", raw_loop(single), app_loop(single)),
        ("per reading, 3 rows (readings/s)", raw_per_reading, app_model_per_reading),
        ("batch 1024 (rows/s)", raw_loop(big), app_loop(big)),
    ]
    for name, raw_fn, app_fn in steps:
        print(f"timing {name} ...", file=sys.stderr)
        table.append((name, *_side_by_side(raw_fn, app_fn, args.repeats)))
    print("timing streaming AnomalyDetector.update ...", file=sys.stderr)
    raw_best = stream_best = 0.0
    streaming()
    for _ in range(args.repeats):
        raw_best = max(raw_best, _timed(raw_per_reading))
        n = streaming()
        stream_best = max(stream_best, n / elapsed[-1])
    table.append(("streaming update (readings/s)", raw_best, stream_best))

    print(f"{'measure':<36}{'raw onnxruntime':>18}{'appliance':>14}{'ratio':>8}")
    for name, r, a in table:
        print(f"{name:<36}{r:>18,.0f}{a:>14,.0f}{a / r:>8.2f}")
    print(f"(rows: {len(rows)} metric rows from {len(batches)} simulated readings; "
          "streaming = features + model + baseline adaptation per reading)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
