"""Fitting the confidence map and measuring expected calibration error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from appliance.errors import ModelError
from appliance.slm import calibration


def test_ece_of_perfectly_calibrated_bins_is_zero() -> None:
    conf = [0.8] * 10
    hits = [True] * 8 + [False] * 2
    assert calibration.expected_calibration_error(conf, hits) == pytest.approx(0.0)


def test_ece_of_overconfident_predictions() -> None:
    assert calibration.expected_calibration_error([0.9] * 4, [True, False, False, False]) == (
        pytest.approx(0.65)
    )


def synthetic(n: int, seed: int) -> tuple[list[list[float]], list[int]]:
    """Overconfident 3-class predictions: sharp probabilities, 60% accurate."""
    rng = np.random.default_rng(seed)
    probs, truth = [], []
    for _ in range(n):
        y = int(rng.integers(3))
        guess = y if rng.random() < 0.6 else int((y + 1 + rng.integers(2)) % 3)
        p = np.full(3, 0.025)
        p[guess] = 0.95
        probs.append(list(p))
        truth.append(y)
    return probs, truth


def test_fit_reduces_ece_of_overconfident_model() -> None:
    probs, truth = synthetic(400, seed=1)
    cal = calibration.fit("t", ["a", "b", "c"], probs, truth)
    assert cal.ece_before is not None and cal.ece_after is not None
    assert cal.ece_before > 0.25
    assert cal.ece_after < cal.ece_before / 3
    assert cal.temperature > 1.0  # softens
    held_probs, held_truth = synthetic(400, seed=2)
    after = np.array([cal.apply(p) for p in held_probs])
    ece_held = calibration.expected_calibration_error(
        after.max(axis=1), after.argmax(axis=1) == np.array(held_truth)
    )
    assert ece_held < cal.ece_before / 2


def test_identity_map_changes_nothing() -> None:
    cal = calibration.identity("t", ["a", "b"])
    assert cal.apply([0.7, 0.3]) == pytest.approx([0.7, 0.3])


def test_saved_map_round_trips_and_stale_labels_are_refused(tmp_path: Path) -> None:
    probs, truth = synthetic(60, seed=3)
    cal = calibration.fit("triage", ["a", "b", "c"], probs, truth, model="m")
    calibration.save(cal, tmp_path)
    loaded = calibration.load(tmp_path, "triage", ["a", "b", "c"])
    assert loaded.temperature == pytest.approx(cal.temperature)
    assert loaded.apply([0.5, 0.3, 0.2]) == pytest.approx(cal.apply([0.5, 0.3, 0.2]))
    with pytest.raises(ModelError, match="fitted for labels"):
        calibration.load(tmp_path, "triage", ["a", "b"])
    assert calibration.load(tmp_path, "other", ["x", "y"]).temperature == 1.0


def test_fit_rejects_mismatched_input() -> None:
    with pytest.raises(ValueError):
        calibration.fit("t", ["a", "b"], [[0.5, 0.5]], [0, 1])
