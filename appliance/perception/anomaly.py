"""Streaming sensor anomaly detection: window features -> ONNX model -> per-sensor verdict.

Each metric of each sensor keeps a fixed-size window and its own adaptive
baseline (:mod:`appliance.perception.features`); every reading is scored by
the ONNX anomaly model in one batched ``run`` over the reading's metrics. The
sensor's score is the highest metric score. Memory is bounded: a fixed amount
per metric, at most ``MAX_METRICS_PER_SENSOR`` metrics per sensor and
``anomaly.max_sensors`` sensors (least recently seen forgotten first).
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from appliance.errors import ModelError
from appliance.perception.features import FEATURE_NAMES, N_FEATURES, BaselineParams, MetricState
from appliance.perception.onnx import expect_input, metadata, open_session
from appliance.perception.settings import AnomalyConfig, OnnxConfig, PerceptionConfig

log = logging.getLogger(__name__)

MODEL_KIND = "sensor-anomaly"
INPUT_NAME = "features"
OUTPUT_NAME = "probabilities"
MAX_METRICS_PER_SENSOR = 64


@dataclass(frozen=True, slots=True)
class AnomalyScore:
    """The verdict on one reading.

    ``score`` is the model's anomaly probability in [0, 1] (highest over the
    reading's metrics), ``metrics`` the score per metric, ``deviations`` each
    metric's deviation from its own baseline in baseline scales. While a metric
    is still learning its baseline it is absent from both; ``warming_up`` is
    True when no metric of the reading could be scored yet.
    """

    score: float
    anomalous: bool
    metrics: dict[str, float] = field(default_factory=dict)
    deviations: dict[str, float] = field(default_factory=dict)
    warming_up: bool = False

    def describe(self) -> str:
        """Return a one-line summary for a triage prompt, worst metric first."""
        if self.warming_up:
            return "anomaly score unavailable (learning this sensor's baseline)"
        worst = sorted(self.metrics, key=lambda m: -self.metrics[m])
        parts = [f"{m} {self.metrics[m]:.2f} (z={self.deviations[m]:+.1f})" for m in worst]
        return f"anomaly score {self.score:.2f}: " + ", ".join(parts)


class AnomalyModel:
    """The sensor anomaly ONNX model: ``features[N, 8] -> probabilities[N, 2]``.

    Safe to share between threads (onnxruntime sessions are).
    """

    def __init__(self, path: Path, onnx_config: OnnxConfig) -> None:
        """Open and check the model. Raises :class:`ModelError` naming ``path`` on any mismatch."""
        self.path = path
        self.session = open_session(path, onnx_config)
        expect_input(self.session, path, INPUT_NAME, (None, N_FEATURES))
        outputs = {o.name: o for o in self.session.get_outputs()}
        prob = outputs.get(OUTPUT_NAME)
        if prob is None or len(prob.shape) != 2 or prob.shape[1] not in (2, None, "2"):
            got = [(o.name, o.shape) for o in outputs.values()]
            raise ModelError(f"model file {path}: expected output {OUTPUT_NAME}[N, 2], "
                             f"the model has {got}")
        meta = metadata(self.session)
        features = meta.get("appliance.features", "")
        if meta.get("appliance.kind") != MODEL_KIND or features != ",".join(FEATURE_NAMES):
            raise ModelError(
                f"model file {path} is not a sensor anomaly model for this version: "
                f"kind={meta.get('appliance.kind')!r}, features={features!r}, "
                f"expected kind={MODEL_KIND!r}, features={','.join(FEATURE_NAMES)!r} "
                "(rebuild it with scripts/build_anomaly_model.py)")
        try:
            self.window = int(meta["appliance.window"])
        except (KeyError, ValueError) as exc:
            raise ModelError(f"model file {path}: metadata appliance.window missing") from exc
        self.metadata = meta

    def score(self, features: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Return the anomaly probability of each row of ``features`` (shape ``[N, 8]``)."""
        batch = np.ascontiguousarray(features, dtype=np.float32)
        (probs,) = self.session.run([OUTPUT_NAME], {INPUT_NAME: batch})
        return np.asarray(probs[:, 1], dtype=np.float64)


def baseline_params(config: AnomalyConfig, window: int) -> BaselineParams:
    """Return the per-metric baseline parameters for ``config`` and the model's ``window``."""
    return BaselineParams(window=window, warmup=max(config.warmup, window),
                          adapt_rate=config.adapt_rate, freeze_z=config.freeze_z,
                          relearn_after=config.relearn_after, probation=config.probation)


class _Sensor:
    __slots__ = ("last_ts", "lock", "metrics")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.metrics: dict[str, MetricState] = {}
        self.last_ts = 0.0


class AnomalyDetector:
    """Per-sensor streaming anomaly detection with online, label-free adaptation.

    Thread safety: :meth:`update` may be called from several threads at once.
    The sensor table is guarded by one lock; each sensor has its own lock, so
    readings of one sensor are scored one at a time (in the order the calls take
    the lock) while different sensors proceed in parallel. The ONNX session is
    shared; onnxruntime allows concurrent ``run`` calls.
    """

    def __init__(self, config: PerceptionConfig, model: AnomalyModel | None = None) -> None:
        """Load the model named by ``config.anomaly.model`` (or use ``model``).

        Raises :class:`ModelError` when the model is missing, corrupt, or was
        trained with another window than ``anomaly.window``.
        """
        cfg = config.anomaly
        self.model = model or AnomalyModel(cfg.model, config.onnx)
        window = cfg.window or self.model.window
        if window != self.model.window:
            raise ModelError(
                f"model file {self.model.path} was trained with window {self.model.window}, "
                f"perception.anomaly.window is {window}: rebuild the model with "
                f"scripts/build_anomaly_model.py --window {window} or unset the key")
        self.params = baseline_params(cfg, window)
        self.threshold = cfg.threshold
        self.max_sensors = cfg.max_sensors
        self._sensors: OrderedDict[str, _Sensor] = OrderedDict()
        self._lock = threading.Lock()
        self.evicted = 0
        log.info("anomaly detector: model %s, window %d, warmup %d, threshold %.2f",
                 self.model.path, window, self.params.warmup, self.threshold)

    @property
    def sensors(self) -> int:
        """Return how many sensors are currently tracked."""
        return len(self._sensors)

    def _sensor(self, sensor_id: str) -> _Sensor:
        with self._lock:
            sensor = self._sensors.get(sensor_id)
            if sensor is None:
                sensor = self._sensors[sensor_id] = _Sensor()
                if len(self._sensors) > self.max_sensors:
                    gone, _ = self._sensors.popitem(last=False)
                    self.evicted += 1
                    log.warning("anomaly: tracking more than %d sensors, forgot %s",
                                self.max_sensors, gone)
            else:
                self._sensors.move_to_end(sensor_id)
            return sensor

    def update(self, sensor_id: str, readings: dict[str, float], ts: float) -> AnomalyScore:
        """Score one reading of ``sensor_id`` and adapt that sensor's baselines.

        Non-finite values are ignored. Returns an :class:`AnomalyScore`; never
        raises for odd input (an empty reading scores as warming up).
        """
        sensor = self._sensor(sensor_id)
        with sensor.lock:
            sensor.last_ts = ts
            names: list[str] = []
            values: list[float] = []
            rows: list[np.ndarray[Any, Any]] = []
            for name, raw in readings.items():
                x = float(raw)
                if not math.isfinite(x):
                    continue
                state = sensor.metrics.get(name)
                if state is None:
                    if len(sensor.metrics) >= MAX_METRICS_PER_SENSOR:
                        log.warning("anomaly: %s has more than %d metrics, ignoring %s",
                                    sensor_id, MAX_METRICS_PER_SENSOR, name)
                        continue
                    state = sensor.metrics[name] = MetricState(self.params)
                feats = state.observe(x)
                if feats is None:
                    continue
                names.append(name)
                values.append(x)
                rows.append(feats)
            if not rows:
                return AnomalyScore(0.0, False, warming_up=True)
            scores = self.model.score(np.stack(rows))
            per_metric: dict[str, float] = {}
            deviations: dict[str, float] = {}
            for name, x, row, s in zip(names, values, rows, scores, strict=True):
                per_metric[name] = float(s)
                deviations[name] = float(row[0])
                sensor.metrics[name].adapt(x, anomalous=bool(s >= self.threshold))
            top = max(per_metric.values())
            return AnomalyScore(top, top >= self.threshold, per_metric, deviations)

    def relearned(self, sensor_id: str) -> dict[str, int]:
        """Return how often each metric of ``sensor_id`` accepted a persistent shift as normal."""
        with self._lock:
            sensor = self._sensors.get(sensor_id)
        if sensor is None:
            return {}
        with sensor.lock:
            return {name: st.relearned for name, st in sensor.metrics.items()}
