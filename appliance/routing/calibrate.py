"""Choose a task's cascade threshold from labelled outcomes.

Given, for a held-back labelled set, the local model's confidence on each item
and whether its answer was right, every threshold ``t`` sends the items with
confidence below ``t`` to the cloud. :func:`calibrate_threshold` returns the
threshold that meets the target accuracy with the least cloud use, and the
whole accuracy / cloud-share curve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CurvePoint:
    """The outcome of one threshold."""

    threshold: float
    accuracy: float
    cloud_share: float
    local_accuracy: float  # accuracy on the items kept local (1.0 when none are)


@dataclass(frozen=True)
class Calibration:
    """The chosen threshold (None when no threshold meets the target) and the curve."""

    threshold: float | None
    accuracy: float
    cloud_share: float
    target_accuracy: float
    cloud_accuracy: float
    curve: tuple[CurvePoint, ...]

    def as_dict(self) -> dict[str, object]:
        """Return the calibration as JSON-able data."""
        return {
            "threshold": self.threshold, "accuracy": self.accuracy,
            "cloud_share": self.cloud_share, "target_accuracy": self.target_accuracy,
            "cloud_accuracy": self.cloud_accuracy,
            "curve": [p.__dict__ for p in self.curve],
        }


def calibrate_threshold(confidences: Sequence[float], correct: Sequence[bool],
                        target_accuracy: float, cloud_accuracy: float = 1.0,
                        points: int = 21) -> Calibration:
    """Return the threshold meeting ``target_accuracy`` at the least cloud share.

    Escalated items count as right with probability ``cloud_accuracy`` (the
    expected accuracy of the cloud's answer). When no threshold meets the
    target, ``threshold`` is None and the all-cloud outcome is reported
    (threshold above 1 sends everything). The printed ``curve`` holds
    ``points`` evenly spaced thresholds. Raises ValueError on empty or
    mismatched input.
    """
    conf = np.asarray(confidences, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    if conf.size == 0 or conf.shape != ok.shape:
        raise ValueError("confidences and correct must be non-empty and of equal length")
    n = conf.size

    def outcome(t: float) -> CurvePoint:
        local = conf >= t
        n_local = int(local.sum())
        right = float(ok[local].sum()) + cloud_accuracy * (n - n_local)
        return CurvePoint(
            # rounded down, so the printed threshold keeps every item the choice kept
            threshold=math.floor(t * 10_000) / 10_000 if math.isfinite(t) else t,
            accuracy=right / n, cloud_share=(n - n_local) / n,
            local_accuracy=float(ok[local].mean()) if n_local else 1.0,
        )

    # Candidate thresholds: every distinct confidence (and "send everything").
    best: CurvePoint | None = None
    for t in [*np.unique(conf).tolist(), float("inf")]:
        p = outcome(t)
        meets = p.accuracy + 1e-12 >= target_accuracy
        if meets and (best is None or p.cloud_share < best.cloud_share):
            best = p
    curve = tuple(outcome(float(t)) for t in np.linspace(0.0, 1.0, points))
    if best is None or best.threshold == float("inf"):
        everything = outcome(float("inf"))
        chosen = None if best is None else 1.0
        return Calibration(chosen, everything.accuracy, 1.0, target_accuracy, cloud_accuracy, curve)
    return Calibration(best.threshold, best.accuracy, best.cloud_share, target_accuracy,
                       cloud_accuracy, curve)


def format_curve(cal: Calibration) -> list[str]:
    """Return printable lines of the accuracy / cloud-share curve and the choice."""
    lines = ["threshold  accuracy  cloud_share  local_accuracy"]
    lines += [f"{p.threshold:9.2f}  {p.accuracy:8.3f}  {p.cloud_share:11.3f}  "
              f"{p.local_accuracy:14.3f}" for p in cal.curve]
    if cal.threshold is None:
        lines.append(f"no threshold reaches accuracy {cal.target_accuracy:.3f}; "
                     f"all-cloud gives {cal.accuracy:.3f}")
    else:
        lines.append(f"chosen threshold {cal.threshold:.4f}: accuracy {cal.accuracy:.3f} at "
                     f"cloud share {cal.cloud_share:.3f} (target {cal.target_accuracy:.3f}, "
                     f"cloud answers assumed {cal.cloud_accuracy:.3f} accurate)")
    return lines
