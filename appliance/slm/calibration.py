"""Confidence calibration for label tasks: a fitted map from model probabilities to confidence.

The map is temperature plus per-label bias on the log-probabilities
(``p'_i ∝ exp(log p_i / T + b_i)``), fitted by minimizing negative
log-likelihood on a labelled file. With no fitted map the identity is used.
Expected calibration error (ECE) measures the gap between confidence and
accuracy, in equal-width bins.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from appliance.errors import ModelError

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]
_EPS = 1e-9


@dataclass
class Calibration:
    """A fitted confidence map for one task."""

    task: str
    labels: list[str]
    temperature: float = 1.0
    bias: list[float] = field(default_factory=list)
    model: str = ""
    samples: int = 0
    ece_before: float | None = None
    ece_after: float | None = None
    fitted_at: float = 0.0
    method: str = "identity"
    accuracy_before: float | None = None
    accuracy_after: float | None = None

    def apply(self, probs: Sequence[float]) -> FloatArray:
        """Return calibrated probabilities for raw ``probs`` (ordered as ``labels``)."""
        logp = np.log(np.clip(np.asarray(probs, dtype=np.float64), _EPS, 1.0))
        bias = np.asarray(self.bias, dtype=np.float64) if self.bias else 0.0
        z = logp / self.temperature + bias
        z = z - np.max(z)
        out: FloatArray = np.exp(z) / np.sum(np.exp(z))
        return out


def identity(task: str, labels: list[str]) -> Calibration:
    """Return the no-op map (raw label probability mass is the confidence)."""
    return Calibration(task=task, labels=list(labels), bias=[0.0] * len(labels))


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """Return the ECE: sum over equal-width bins of |accuracy - confidence| weighted by bin size."""
    conf = np.asarray(confidences, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    if conf.size == 0:
        raise ValueError("no samples")
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            ece += float(mask.mean()) * abs(float(hit[mask].mean()) - float(conf[mask].mean()))
    return ece


def _nll(x: FloatArray, y: npt.NDArray[np.int64], log_t: float, bias: FloatArray) -> float:
    z = x / np.exp(log_t) + bias
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(logp[np.arange(len(y)), y]))


def _descend(
    x: FloatArray, y: npt.NDArray[np.int64], use_bias: bool, steps: int, l2: float
) -> tuple[float, FloatArray]:
    """Adam on (log T, bias) minimizing NLL; returns (log T, bias)."""
    n, k = x.shape
    onehot = np.eye(k)[y]
    log_t, bias = 0.0, np.zeros(k)
    # Adam on (log T, bias): smooth, convex enough in practice, no extra dependency.
    m = np.zeros(k + 1)
    v = np.zeros(k + 1)
    lr, b1, b2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        t = np.exp(log_t)
        z = x / t + bias
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        diff = (p - onehot) / n  # dNLL/dz
        g_bias = diff.sum(axis=0) + 2 * l2 * bias
        g_logt = float(np.sum(diff * (-x / t)))
        g = np.concatenate([[g_logt], g_bias])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        upd = lr * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + 1e-8)
        log_t -= upd[0]
        if use_bias:
            bias -= upd[1:]
        log_t = float(np.clip(log_t, -4.0, 4.0))
    return log_t, bias


def _cv_nll(x: FloatArray, y: npt.NDArray[np.int64], use_bias: bool, l2: float) -> float:
    """Mean held-out NLL of a fitted map over up to 5 folds."""
    n = len(y)
    folds = min(5, n)
    order = np.random.default_rng(0).permutation(n)
    total = 0.0
    for f in range(folds):
        test = order[f::folds]
        train = np.setdiff1d(order, test)
        if len(train) == 0:
            continue
        log_t, bias = _descend(x[train], y[train], use_bias, 400, l2)
        total += _nll(x[test], y[test], log_t, bias) * len(test)
    return total / n


def fit(
    task: str,
    labels: list[str],
    probs: Sequence[Sequence[float]],
    truth: Sequence[int],
    *,
    model: str = "",
    steps: int = 2000,
    l2: float = 0.01,
) -> Calibration:
    """Fit the confidence map on labelled model outputs; return it with ECE before and after.

    Candidates are identity, temperature only, and temperature plus per-label
    bias; the one with the lowest cross-validated negative log-likelihood wins,
    so a small file does not buy an overfitted map. ``truth`` holds the index
    of the correct label for each row of ``probs``. Raises ValueError on empty
    or mismatched input.
    """
    x = np.log(np.clip(np.asarray(probs, dtype=np.float64), _EPS, 1.0))
    y = np.asarray(truth, dtype=np.int64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[0] != y.shape[0] or x.shape[1] != len(labels):
        raise ValueError("probs must be an (n, labels) array with one truth index per row")
    n, k = x.shape
    scores = {
        "identity": _nll(x, y, 0.0, np.zeros(k)),
        "temperature": _cv_nll(x, y, False, l2),
        "temperature+bias": _cv_nll(x, y, True, l2),
    }
    method = min(scores, key=lambda name: scores[name])
    log_t, bias = 0.0, np.zeros(k)
    if method != "identity":
        log_t, bias = _descend(x, y, method == "temperature+bias", steps, l2)
    log.info("calibration %s: held-out NLL %s -> %s", task, scores, method)
    cal = Calibration(
        task=task, labels=list(labels), temperature=float(np.exp(log_t)),
        bias=[float(b) for b in bias], model=model, samples=n, fitted_at=time.time(),
        method=method,
    )
    raw = np.exp(x)
    before_conf = raw.max(axis=1)
    before_hit = raw.argmax(axis=1) == y
    after = np.vstack([cal.apply(row) for row in raw])
    cal.ece_before = expected_calibration_error(before_conf, before_hit)
    after_hit = after.argmax(axis=1) == y
    cal.ece_after = expected_calibration_error(after.max(axis=1), after_hit)
    cal.accuracy_before = float(before_hit.mean())
    cal.accuracy_after = float(after_hit.mean())
    return cal


def save(cal: Calibration, folder: Path) -> Path:
    """Write ``<folder>/<task>.json`` atomically; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{cal.task}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(cal), indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load(folder: Path | None, task: str, labels: list[str]) -> Calibration:
    """Return the fitted map for ``task``, or the identity when none exists.

    Raises :class:`ModelError` when the file exists but is unreadable or was
    fitted for different labels (a stale map would silently mislead).
    """
    if folder is None:
        return identity(task, labels)
    path = folder / f"{task}.json"
    if not path.exists():
        return identity(task, labels)
    try:
        cal = Calibration(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise ModelError(f"calibration file {path} is unreadable: {exc}") from exc
    if cal.labels != list(labels) or (cal.bias and len(cal.bias) != len(labels)):
        raise ModelError(
            f"calibration file {path} was fitted for labels {cal.labels}, task has {labels}; "
            "run `appliance calibrate` again"
        )
    if cal.temperature <= 0:
        raise ModelError(f"calibration file {path} has a non-positive temperature")
    log.info("task %s: calibration from %s (T=%.3f)", task, path, cal.temperature)
    return cal
