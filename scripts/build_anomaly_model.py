#!/usr/bin/env python3
"""Train the sensor anomaly model on simulator data and export it to ONNX.

    .venv/bin/python scripts/build_anomaly_model.py [--seed 7] [--readings 40000] \
        [--out models/anomaly]

Data: ``appliance.simulator.Factory(seed).readings(n)`` -- motors in normal
operation with labelled faults (bearing wear, overheat, stall, stuck sensor).
Features: the same streaming window features the appliance computes at run
time (:mod:`appliance.perception.features`), one row per metric per reading.
While building training rows the baseline freezes on the ground-truth label;
at run time it freezes on the model's own verdict.

The stream is split by time: the first ``1 - holdout`` share trains a random
forest, the last ``holdout`` share is held back. The exported ONNX model is then
evaluated end to end on the held-back readings through the real
``AnomalyDetector`` (onnxruntime, online adaptation driven by the model), and
precision/recall are written to ``<out>/report.json``. Same seed, same files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import skl2onnx
import sklearn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.ensemble import RandomForestClassifier

from appliance.perception.anomaly import (
    INPUT_NAME,
    MODEL_KIND,
    OUTPUT_NAME,
    AnomalyDetector,
    AnomalyModel,
    baseline_params,
)
from appliance.perception.features import FEATURE_NAMES, N_FEATURES, BaselineParams, MetricState
from appliance.perception.settings import AnomalyConfig, OnnxConfig, PerceptionConfig
from appliance.simulator import FAULTS, Factory, Reading

# Which metrics each simulated fault moves (appliance/simulator.py, Motor.next): the
# per-metric training label. bearing_wear's +4 degC temperature creep is within the
# load cycle's range, so temperature is not labelled anomalous for it.
FAULT_METRICS = {
    "bearing_wear": {"vibration"},
    "overheat": {"temperature"},
    "stall": {"current", "vibration"},
    "stuck_sensor": {"temperature", "vibration"},
}
assert set(FAULT_METRICS) == set(FAULTS), "simulator faults changed: update FAULT_METRICS"

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)


def simulate(seed: int, count: int, fault_rate: float, motors_per_line: int,
             rename: str | None = None) -> list[Reading]:
    """Return ``count`` labelled readings from the seeded simulator (2 lines of motors).

    ``rename`` gives the motors other names; the simulator derives each motor's
    load-cycle phase from its name, so this makes a plant with other phases.
    """
    factory = Factory(seed=seed, fault_rate=fault_rate, motors_per_line=motors_per_line)
    if rename:
        for k, motor in enumerate(factory.motors):
            motor.sensor = f"{rename}-{k}"
    return list(factory.readings(count))


Scorer = Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]]


def training_rows(readings: list[Reading], params: BaselineParams, scorer: Scorer | None = None,
                  threshold: float = 0.5, title: str = "features"
                  ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Return features, per-metric labels and the reading index of each row.

    Without ``scorer`` each baseline freezes on the ground-truth label (teacher
    forcing). With one, it freezes on ``scorer``'s verdict exactly as at run
    time, which yields the baseline states a deployed model really meets.
    """
    states: dict[tuple[str, str], MetricState] = {}
    feats: list[np.ndarray[Any, Any]] = []
    labels: list[int] = []
    index: list[int] = []
    with _progress() as bar:
        task = bar.add_task(title, total=len(readings))
        for i, r in enumerate(readings):
            pending: list[tuple[MetricState, float, np.ndarray[Any, Any], bool]] = []
            for metric, x in r.readings.items():
                st = states.setdefault((r.sensor, metric), MetricState(params))
                row = st.observe(x)
                bad = r.fault is not None and metric in FAULT_METRICS[r.fault]
                if row is None:
                    st.adapt(x, anomalous=bad)
                    continue
                pending.append((st, x, row, bad))
                feats.append(row)
                labels.append(int(bad))
                index.append(i)
            if pending:
                if scorer is None:
                    verdicts = [bad for _, _, _, bad in pending]
                else:
                    probs = scorer(np.stack([row for _, _, row, _ in pending]))
                    verdicts = [bool(p >= threshold) for p in probs]
                for (st, x, _, _), verdict in zip(pending, verdicts, strict=True):
                    st.adapt(x, anomalous=verdict)
            if i % 2000 == 0:
                bar.update(task, completed=i + 1)
        bar.update(task, completed=len(readings))
    return np.array(feats, dtype=np.float32), np.array(labels), np.array(index)


def export(clf: RandomForestClassifier, window: int, seed: int) -> onnx.ModelProto:
    """Return the classifier as ONNX with the metadata the appliance checks on load."""
    model: onnx.ModelProto = convert_sklearn(
        clf, initial_types=[(INPUT_NAME, FloatTensorType([None, N_FEATURES]))],
        options={id(clf): {"zipmap": False}}, target_opset={"": 17, "ai.onnx.ml": 3})
    for out in model.graph.output:
        if out.name not in ("label", OUTPUT_NAME):
            raise SystemExit(f"unexpected skl2onnx output {out.name}")
    model.graph.name = "sensor_anomaly"  # skl2onnx names the graph with a random uuid
    model.producer_name = "edge-appliance/build_anomaly_model"
    model.doc_string = "Sensor anomaly model: window features of one metric -> P(anomalous)"
    meta = {"appliance.kind": MODEL_KIND, "appliance.features": ",".join(FEATURE_NAMES),
            "appliance.window": str(window), "appliance.seed": str(seed)}
    for key, value in meta.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.checker.check_model(model)
    return model


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def evaluate(model_path: Path, readings: list[Reading], start: int, window: int,
             threshold: float) -> dict[str, Any]:
    """Stream every reading through a real AnomalyDetector; score readings from ``start`` on."""
    cfg = PerceptionConfig(anomaly=AnomalyConfig(model=model_path, window=window,
                                                 threshold=threshold),
                           onnx=OnnxConfig(threads=1))
    det = AnomalyDetector(cfg)
    tp = fp = fn = tn = warm = 0
    per_fault: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    episodes: dict[str, dict[str, Any]] = {}
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    delays: list[int] = []
    with _progress() as bar:
        task = bar.add_task("held-back evaluation", total=len(readings))
        for i, r in enumerate(readings):
            res = det.update(r.sensor, r.readings, r.ts)
            if i % 2000 == 0:
                bar.update(task, completed=i + 1)
            if i < start:
                continue
            if res.warming_up:
                warm += 1
                continue
            truth = r.fault is not None
            tp += truth and res.anomalous
            fp += (not truth) and res.anomalous
            fn += truth and not res.anomalous
            tn += (not truth) and not res.anomalous
            if truth:
                per_fault[r.fault or ""][0] += 1
                per_fault[r.fault or ""][1] += int(res.anomalous)
            ep = episodes.get(r.sensor)
            if ep is not None and (ep["fault"] != r.fault):
                found[ep["fault"]][0] += 1
                found[ep["fault"]][1] += int(ep["hit"] is not None)
                if ep["hit"] is not None:
                    delays.append(ep["hit"])
                episodes.pop(r.sensor)
                ep = None
            if truth and ep is None:
                ep = episodes[r.sensor] = {"fault": r.fault, "age": 0, "hit": None}
            if ep is not None:
                if res.anomalous and ep["hit"] is None:
                    ep["hit"] = ep["age"]
                ep["age"] += 1
        bar.update(task, completed=len(readings))
    events = sum(v[0] for v in found.values())
    detected = sum(v[1] for v in found.values())
    return {
        "readings_scored": tp + fp + fn + tn, "readings_warming_up": warm,
        "faulty_readings": tp + fn, "threshold": threshold,
        "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn), "false_positive_rate": _ratio(fp, fp + tn),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "recall_per_fault": {f: _ratio(v[1], v[0]) for f, v in sorted(per_fault.items())},
        "fault_episodes": events, "episodes_detected": detected,
        "episode_recall": _ratio(detected, events),
        "episode_recall_per_fault": {f: _ratio(v[1], v[0]) for f, v in sorted(found.items())},
        "median_detection_delay_readings": float(np.median(delays)) if delays else None,
    }


def _fit(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any], args: argparse.Namespace
         ) -> RandomForestClassifier:
    clf = RandomForestClassifier(n_estimators=args.trees, max_depth=args.depth, min_samples_leaf=4,
                                 random_state=args.seed, n_jobs=1)
    clf.fit(x, y)
    return clf


def main(argv: list[str] | None = None) -> int:
    """Build the model and the report; return the process exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--readings", type=int, default=64_000,
                    help="simulated readings (round-robin over 2 lines of motors)")
    ap.add_argument("--motors-per-line", type=int, default=8)
    ap.add_argument("--fault-rate", type=float, default=0.01)
    ap.add_argument("--window", type=int, default=16)
    ap.add_argument("--holdout", type=float, default=0.25,
                    help="last share of the stream held back")
    ap.add_argument("--trees", type=int, default=40)
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--out", type=Path, default=Path("models/anomaly"))
    args = ap.parse_args(argv)

    started = time.monotonic()
    defaults = AnomalyConfig(window=args.window)
    params = baseline_params(defaults, args.window)
    threshold = defaults.threshold
    motors = 2 * args.motors_per_line
    console.print(f"simulating {args.readings} readings from {motors} motors (seed {args.seed})")
    readings = simulate(args.seed, args.readings, args.fault_rate, args.motors_per_line)
    split = int(len(readings) * (1 - args.holdout))

    # Pass 1: baselines frozen by the labels.
    x1, y1, idx1 = training_rows(readings, params, title="features, pass 1")
    train1 = idx1 < split
    console.print(f"pass 1: {int(train1.sum())} training rows ({int(y1[train1].sum())} anomalous);"
                  f" training {args.trees} trees, depth {args.depth}")
    clf1 = _fit(x1[train1], y1[train1], args)
    # Pass 2: baselines frozen by the pass-1 model, as at run time. A deployed model meets
    # states teacher forcing never produces (a baseline it froze itself during a long but
    # normal excursion); training on them too removes that train/serve gap.
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp) / "pass1.onnx"
        first.write_bytes(export(clf1, args.window, args.seed).SerializeToString())
        scorer = AnomalyModel(first, OnnxConfig(threads=1)).score
        x2, y2, idx2 = training_rows(readings, params, scorer, threshold, title="features, pass 2")
    train2 = idx2 < split
    x_train = np.concatenate((x1[train1], x2[train2]))
    y_train = np.concatenate((y1[train1], y2[train2]))
    console.print(f"pass 2: training on {len(y_train)} rows ({int(y_train.sum())} anomalous)")
    clf = _fit(x_train, y_train, args)

    args.out.mkdir(parents=True, exist_ok=True)
    model_path = args.out / "sensor-anomaly.onnx"
    data = export(clf, args.window, args.seed).SerializeToString()
    model_path.write_bytes(data)
    console.print(f"wrote {model_path} ({len(data)} bytes)")

    # Row-level check of the exported graph (through onnxruntime) on held-back pass-2 rows.
    onnx_model = AnomalyModel(model_path, OnnxConfig(threads=1))
    p_onnx = onnx_model.score(x2[~train2])
    max_diff = float(np.abs(p_onnx - clf.predict_proba(x2[~train2])[:, 1]).max())
    pred = p_onnx >= threshold
    truth = y2[~train2].astype(bool)
    rows = {"precision": _ratio(int((pred & truth).sum()), int(pred.sum())),
            "recall": _ratio(int((pred & truth).sum()), int(truth.sum())),
            "rows": len(truth), "anomalous_rows": int(truth.sum()),
            "onnx_vs_sklearn_max_abs_diff": round(max_diff, 6)}

    stream = evaluate(model_path, readings, split, args.window, threshold)
    # Plants the model never saw: other seeds (other baselines) and other motor names (other
    # load phases), scored from each sensor's first reading, baselines learned live.
    fresh_seeds = [args.seed + 1000 + k for k in range(3)]
    fresh_count = len(readings) - split
    unseen: list[Reading] = []
    for k, fresh_seed in enumerate(fresh_seeds):
        unseen += simulate(fresh_seed, fresh_count, args.fault_rate, args.motors_per_line,
                           rename=f"unseen{k}")
    fresh = evaluate(model_path, unseen, 0, args.window, threshold)
    report = {
        "model": model_path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
        "data": {"generator": "appliance.simulator.Factory(seed).readings(n)", "seed": args.seed,
                 "readings": args.readings, "fault_rate": args.fault_rate, "motors": motors,
                 "split": f"by time: first {1 - args.holdout:.0%} train, last {args.holdout:.0%} "
                          "held back"},
        "features": list(FEATURE_NAMES), "window": args.window, "warmup": params.warmup,
        "probation": params.probation,
        "classifier": {"type": "RandomForestClassifier", "trees": args.trees,
                       "max_depth": args.depth, "min_samples_leaf": 4,
                       "training": "pass 1 label-frozen baselines + pass 2 model-frozen baselines"},
        "held_back_stream": stream,
        "held_back_rows": rows,
        "unseen_plants_stream": {"seeds": fresh_seeds, "readings": len(unseen),
                                 "motors": len(fresh_seeds) * motors,
                                 "motor_names": "unseen<plant>-<k>", **fresh},
        "versions": {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__,
                     "onnx": onnx.__version__},
    }
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for name, res in (("held-back stream", stream), ("unseen plants", fresh)):
        console.print(f"{name}: precision {res['precision']:.3f}, recall {res['recall']:.3f}, "
                      f"episode recall {res['episode_recall']:.3f}, "
                      f"false positive rate {res['false_positive_rate']:.4f}")
    console.print(f"wrote {args.out / 'report.json'} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    # appliance/simulator.py derives each motor's load phase from hash(sensor name), which
    # Python randomizes per process; pin it so the same seed gives the same data and model.
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    sys.exit(main())
