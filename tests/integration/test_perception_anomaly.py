"""Streaming anomaly detection on the real trained ONNX model through onnxruntime."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from appliance.errors import ModelError
from appliance.perception.anomaly import AnomalyDetector, AnomalyScore
from appliance.perception.settings import AnomalyConfig, PerceptionConfig
from appliance.simulator import Factory

REPO = Path(__file__).resolve().parents[2]
SHIPPED_MODEL = REPO / "models" / "anomaly" / "sensor-anomaly.onnx"


@pytest.fixture(scope="module")
def anomaly_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped model; built from the simulator if the checkout lacks it (about a minute)."""
    if SHIPPED_MODEL.is_file():
        return SHIPPED_MODEL
    out = tmp_path_factory.mktemp("anomaly")
    build = subprocess.run([sys.executable, str(REPO / "scripts" / "build_anomaly_model.py"),
                            "--out", str(out)], capture_output=True, text=True, check=False)
    assert build.returncode == 0, f"building the anomaly model failed:\n{build.stderr[-2000:]}"
    return out / "sensor-anomaly.onnx"


def _detector(model: Path, **anomaly: object) -> AnomalyDetector:
    return AnomalyDetector(PerceptionConfig(anomaly=AnomalyConfig(model=model, **anomaly)))


def test_simulated_faults_are_flagged_and_normal_operation_is_not(anomaly_model: Path) -> None:
    det = _detector(anomaly_model)
    tp = fp = fn = 0
    episodes: dict[str, bool] = {}
    detected = total = 0
    for r in Factory(seed=21).readings(8 * 700):
        res = det.update(r.sensor, r.readings, r.ts)
        assert 0.0 <= res.score <= 1.0
        if r.fault is None and r.sensor in episodes:
            total += 1
            detected += episodes.pop(r.sensor)
        if res.warming_up:
            continue
        if r.fault is not None:
            episodes[r.sensor] = episodes.get(r.sensor, False) or res.anomalous
        tp += r.fault is not None and res.anomalous
        fp += r.fault is None and res.anomalous
        fn += r.fault is not None and not res.anomalous
    assert tp + fn > 100, "the simulator produced too few faults to judge"
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.9, (precision, tp, fp)
    assert recall >= 0.85, (recall, tp, fn)
    assert detected >= 0.95 * total


def test_shifted_baseline_stops_alarming_while_a_real_fault_still_alarms(
        anomaly_model: Path) -> None:
    relearn_after = AnomalyConfig().relearn_after
    det = _detector(anomaly_model)
    readings = list(Factory(seed=11, lines=1, motors_per_line=1, fault_rate=0.0).readings(2000))
    shift_at, fault_at = 400, 1600
    flags = []
    for i, r in enumerate(readings):
        values = dict(r.readings)
        if i >= shift_at:  # the sensor is recalibrated / moved: +15 degC from now on
            values["temperature"] += 15.0
        if fault_at <= i < fault_at + 20:  # then the motor really overheats
            values["temperature"] += 35.0 * min(1.0, (i - fault_at + 1) / 6)
        flags.append(det.update("motor-x", values, r.ts).anomalous)
    flags_arr = np.array(flags)
    # the shift is anomalous at first ...
    assert flags_arr[shift_at : shift_at + 50].mean() > 0.8
    # ... is accepted as the new normal once it has persisted ...
    assert det.relearned("motor-x")["temperature"] == 1
    settled = shift_at + relearn_after + AnomalyConfig().warmup
    assert flags_arr[settled:fault_at].mean() < 0.03
    # ... and a real fault on top of the new baseline still alarms
    assert flags_arr[fault_at + 2 : fault_at + 20].mean() > 0.9


def test_sensor_on_another_scale_and_drifting_is_learned_from_its_own_history(
        anomaly_model: Path) -> None:
    det = _detector(anomaly_model)
    rng = np.random.default_rng(5)
    flags = []
    for i in range(3000):
        # kPa around 300, a slow daily-like swing and a slow upward drift: nothing like the
        # motors the model was trained on
        x = 300 + 5 * rng.standard_normal() + 20 * np.sin(i / 100) + 40 * i / 3000
        if 2500 <= i < 2520:
            x += 100.0  # a real pressure spike
        flags.append(det.update("press-1", {"pressure_kpa": float(x)}, float(i)).anomalous)
    flags_arr = np.array(flags)
    assert flags_arr[: AnomalyConfig().warmup].sum() == 0
    assert flags_arr[AnomalyConfig().warmup : 2500].mean() < 0.02
    assert flags_arr[2500:2520].mean() > 0.8
    assert det.relearned("press-1") == {"pressure_kpa": 0}


def test_readings_from_several_threads_score_as_they_would_one_by_one(
        anomaly_model: Path) -> None:
    readings = list(Factory(seed=5, fault_rate=0.03).readings(8 * 150))
    sequential = _detector(anomaly_model)
    expected = [sequential.update(r.sensor, r.readings, r.ts) for r in readings]
    shared = _detector(anomaly_model)
    got: dict[int, AnomalyScore] = {}
    sensors = sorted({r.sensor for r in readings})

    def worker(mine: set[str]) -> None:
        for i, r in enumerate(readings):
            if r.sensor in mine:
                got[i] = shared.update(r.sensor, r.readings, r.ts)

    threads = [threading.Thread(target=worker, args=({s for s in sensors[k::4]},))
               for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(len(readings))] == expected
    assert any(e.anomalous for e in expected)


def test_tracked_sensors_are_bounded(anomaly_model: Path) -> None:
    det = _detector(anomaly_model, max_sensors=5)
    for k in range(20):
        det.update(f"s{k}", {"temperature": 60.0}, 0.0)
    assert det.sensors == 5
    assert det.evicted == 15


def test_non_finite_values_are_ignored(anomaly_model: Path) -> None:
    det = _detector(anomaly_model)
    rng = np.random.default_rng(1)
    for i in range(100):
        det.update("s", {"a": float(10 + rng.standard_normal()), "b": float("nan")}, float(i))
    res = det.update("s", {"a": 10.0, "b": float("inf")}, 100.0)
    assert set(res.metrics) == {"a"}
    assert not res.warming_up
    assert det.update("t", {"a": float("nan")}, 0.0).warming_up


def test_score_explains_itself_for_the_triage_prompt(anomaly_model: Path) -> None:
    det = _detector(anomaly_model)
    rng = np.random.default_rng(2)
    for i in range(80):
        det.update("s", {"temperature": float(60 + 0.5 * rng.standard_normal())}, float(i))
    res = det.update("s", {"temperature": 95.0}, 80.0)
    assert res.anomalous
    assert res.describe().startswith(f"anomaly score {res.score:.2f}: temperature")
    assert "learning" in det.update("new", {"temperature": 1.0}, 0.0).describe()


def test_window_other_than_the_models_is_refused(anomaly_model: Path) -> None:
    with pytest.raises(ModelError, match="--window 24") as err:
        _detector(anomaly_model, window=24)
    assert str(anomaly_model) in str(err.value)
