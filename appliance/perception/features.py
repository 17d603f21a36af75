"""Streaming window features for one sensor metric, relative to its own adaptive baseline.

The anomaly model is univariate: it scores one metric of one sensor from a
fixed-size sliding window, expressed in units of that metric's *own* normal
behaviour (location, spread, step size, how often it repeats a value). The
baseline is learned online without labels:

* ``warmup`` first readings: robust start (median, MAD, mean step), ignoring
  long runs of one repeated value (a sensor stuck during its warm-up);
* ``probation`` readings after that: slow EWMA updates whatever the model says
  (only huge deviations are kept out), because a short warm-up may have seen
  only part of the metric's normal range (a motor idling, a quiet shift) and a
  baseline frozen on its own early alarms would never learn the rest;
* afterwards: slow EWMA updates, but only while the metric looks normal, so a
  fault does not teach the baseline that the fault is normal;
* a deviation that persists for ``relearn_after`` readings is a new normal
  (recalibration, a moved sensor, a different machine): the baseline is
  relearned from the recent window instead of alarming forever.

The same class computes the training features in ``scripts/build_anomaly_model.py``
and the serving features in :mod:`appliance.perception.anomaly`, so the model
never sees a feature computed differently from the one it was trained on.
Memory per metric is fixed: a ring buffer of ``window`` values plus, while
(re)learning, a buffer of ``warmup`` values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FEATURE_NAMES = (
    "z_last",          # last value vs baseline, in baseline scales
    "z_mean",          # window mean vs baseline
    "z_absmax",        # largest deviation in the window
    "std_ratio",       # window spread vs baseline spread
    "diff_ratio",      # mean step size vs baseline step size
    "last_diff_ratio",  # last step vs baseline step size
    "slope",           # change across the window, in baseline scales
    "flat_excess",     # share of repeated values above the baseline's share (stuck sensor)
)
N_FEATURES = len(FEATURE_NAMES)
FEATURE_CLIP = 50.0
_MAD_TO_SIGMA = 1.4826
_MEAN_ABS_TO_SIGMA = 1.2533

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BaselineParams:
    """How a metric's baseline is learned (see ``AnomalyConfig`` in the settings)."""

    window: int = 16
    warmup: int = 60
    adapt_rate: float = 0.01
    freeze_z: float = 10.0
    relearn_after: int = 300
    probation: int = 250

    def __post_init__(self) -> None:
        if self.window < 4:
            raise ValueError("window must be >= 4")
        if self.warmup < self.window:
            raise ValueError(f"warmup ({self.warmup}) must be >= window ({self.window})")


def _without_stuck_runs(values: FloatArray, min_run: int = 4) -> FloatArray:
    """Return ``values`` minus the repeats of runs of ``min_run`` or more equal values.

    Falls back to all values when that would drop half of them (a sensor that
    is coarsely quantized or constant by nature).
    """
    same = np.concatenate(([False], values[1:] == values[:-1]))
    run_id = np.cumsum(~same)
    run_len = np.bincount(run_id)[run_id]
    drop = same & (run_len >= min_run)
    if drop.sum() * 2 >= len(values):
        return values
    kept: FloatArray = values[~drop]
    return kept


def _floor(location: float) -> float:
    # A constant signal has zero spread; keep divisions finite and scale-aware.
    return 1e-3 * max(1.0, abs(location))


class MetricState:
    """Ring buffer and adaptive baseline of one metric of one sensor. Not thread-safe.

    Call :meth:`observe` with each new value, then :meth:`adapt` with the
    verdict on that value.
    """

    __slots__ = ("_absdiff", "_tc", "_tc_norm", "_warm", "_warm_n", "_z_last", "count", "dscale",
                 "frozen_streak", "mu", "p", "p0", "pos", "relearned", "ring", "sigma",
                 "since_learned")

    def __init__(self, params: BaselineParams) -> None:
        self.p = params
        self.ring: FloatArray = np.zeros(params.window)
        self.pos = 0
        self.count = 0
        self._warm: FloatArray | None = np.zeros(params.warmup)
        self._warm_n = 0
        self.mu = self.sigma = self.dscale = self.p0 = 0.0
        self.frozen_streak = 0
        self.relearned = 0
        self.since_learned = 0
        self._z_last = 0.0
        self._absdiff = 0.0
        tc = np.arange(params.window, dtype=np.float64) - (params.window - 1) / 2.0
        self._tc = tc
        self._tc_norm = float(tc @ tc)

    @property
    def ready(self) -> bool:
        """True once the baseline is learned and :meth:`observe` returns features."""
        return self._warm is None

    def window_values(self) -> FloatArray:
        """Return the values in the ring, oldest first."""
        if self.count < self.p.window:
            return self.ring[: self.count].copy()
        return np.concatenate((self.ring[self.pos :], self.ring[: self.pos]))

    def observe(self, x: float) -> FloatArray | None:
        """Add ``x``; return its feature vector (``N_FEATURES`` floats) or None while learning."""
        prev = self.ring[self.pos - 1] if self.count else x
        self._absdiff = abs(x - prev)
        self.ring[self.pos] = x
        self.pos = (self.pos + 1) % self.p.window
        self.count = min(self.count + 1, self.p.window)
        if self._warm is not None:
            self._warm[self._warm_n] = x
            self._warm_n += 1
            if self._warm_n == self.p.warmup:
                self._learn(self._warm)
            return None
        return self._features(x)

    def _learn(self, warm: FloatArray) -> None:
        values = _without_stuck_runs(warm)
        mu = float(np.median(values))
        floor = _floor(mu)
        steps = np.abs(np.diff(values))
        self.mu = mu
        self.sigma = max(_MAD_TO_SIGMA * float(np.median(np.abs(values - mu))), floor)
        self.dscale = max(float(steps.mean()), floor)
        self.p0 = float((steps == 0).mean())
        self._warm = None
        self._warm_n = 0
        self.since_learned = 0

    def _features(self, x: float) -> FloatArray:
        # Sums and dot products instead of ndarray.mean/std: this runs per metric per
        # reading, and on 16 values numpy's per-call overhead is most of the cost.
        n = self.p.window
        w = self.window_values()
        z = (w - self.mu) * (1.0 / self.sigma)
        z_last = float(z[-1])
        z_mean = float(z.sum()) / n
        centred = z - z_mean
        steps = np.abs(w[1:] - w[:-1])
        inv_d = 1.0 / self.dscale
        self._z_last = z_last
        feats = [
            z_last,
            z_mean,
            max(float(z.max()), -float(z.min())),
            math.sqrt(float(centred @ centred) / n),
            float(steps.sum()) / (n - 1) * inv_d,
            self._absdiff * inv_d,
            float(self._tc @ z) / self._tc_norm * n,
            (n - 1 - np.count_nonzero(steps)) / (n - 1) - self.p0,
        ]
        return np.array([min(max(f, -FEATURE_CLIP), FEATURE_CLIP) for f in feats])

    def adapt(self, x: float, anomalous: bool) -> None:
        """Update the baseline with ``x`` unless it is (or looks) anomalous.

        After ``relearn_after`` consecutive anomalous values the deviation is taken
        as the metric's new normal: the baseline is relearned, seeded from the window.
        """
        if self._warm is not None:
            return
        self.since_learned += 1
        if self.since_learned <= self.p.probation and abs(self._z_last) <= self.p.freeze_z:
            anomalous = False
        if anomalous or abs(self._z_last) > self.p.freeze_z:
            self.frozen_streak += 1
            if self.frozen_streak >= self.p.relearn_after:
                self._start_relearning()
            return
        self.frozen_streak = 0
        a = self.p.adapt_rate
        dev = x - self.mu
        self.mu += a * dev
        floor = _floor(self.mu)
        self.sigma = max(self.sigma + a * (_MEAN_ABS_TO_SIGMA * abs(dev) - self.sigma), floor)
        self.dscale = max(self.dscale + a * (self._absdiff - self.dscale), floor)
        self.p0 += a * (float(self._absdiff == 0.0) - self.p0)

    def _start_relearning(self) -> None:
        seed = self.window_values()
        self._warm = np.zeros(self.p.warmup)
        self._warm[: len(seed)] = seed
        self._warm_n = len(seed)
        self.frozen_streak = 0
        self.relearned += 1
        if self._warm_n >= self.p.warmup:
            self._learn(self._warm)

