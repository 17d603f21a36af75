"""Threshold calibration and the logistic head's training, calibration and versioning."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.routing.calibrate import calibrate_threshold, format_curve
from appliance.routing.learn import HeadStore, LearnError, LogisticHead, read_examples
from appliance.routing.settings import LearnConfig


def test_calibration_picks_least_cloud_share_meeting_target() -> None:
    conf = [0.95, 0.9, 0.85, 0.7, 0.6, 0.55, 0.4, 0.3]
    right = [True, True, True, True, False, True, False, False]
    cal = calibrate_threshold(conf, right, target_accuracy=0.85, cloud_accuracy=1.0)
    # t=0.7 keeps 4 right local, sends 4 to cloud: 8/8; t=0.55 keeps 6 (5 right) -> 7/8 = 0.875
    assert cal.threshold == 0.55
    assert cal.cloud_share == pytest.approx(2 / 8)
    assert cal.accuracy == pytest.approx(7 / 8)
    lines = format_curve(cal)
    assert lines[-1].startswith("chosen threshold 0.5500")


def test_unreachable_target_reports_none() -> None:
    cal = calibrate_threshold([0.9, 0.8], [False, False], target_accuracy=0.99, cloud_accuracy=0.9)
    assert cal.threshold is None and cal.cloud_share == 1.0
    assert "no threshold reaches" in format_curve(cal)[-1]


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=60),
       st.floats(0.5, 1.0))
def test_chosen_threshold_meets_target(items: list[tuple[float, bool]], target: float) -> None:
    conf = [c for c, _ in items]
    ok = [o for _, o in items]
    cal = calibrate_threshold(conf, ok, target_accuracy=target, cloud_accuracy=1.0)
    assert cal.threshold is not None  # all-cloud at accuracy 1.0 always qualifies
    assert cal.accuracy >= target - 1e-9
    assert [p.cloud_share for p in cal.curve] == sorted(p.cloud_share for p in cal.curve)


def blobs(n: int, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 1, size=(3, 16))
    idx = rng.integers(0, 3, size=n)
    x = centers[idx] + rng.normal(0, 0.9, size=(n, 16))
    return x, [["leak", "jam", "noise"][i] for i in idx]


def test_head_learns_separable_classes_and_calibrates() -> None:
    x, y = blobs(600)
    head = LogisticHead.fit(x[:400], y[:400], l2=1e-3, epochs=200, lr=0.5)
    t = head.calibrate_temperature(x[400:500], y[400:500])
    preds = head.predict(x[500:])
    acc = np.mean([p[0] == lbl for p, lbl in zip(preds, y[500:], strict=True)])
    assert acc > 0.85
    assert 0.05 <= t <= 20
    conf = np.array([p[1] for p in preds])
    right = np.array([p[0] == lbl for p, lbl in zip(preds, y[500:], strict=True)])
    # calibrated: confident predictions are more often right than unconfident ones
    assert right[conf >= np.median(conf)].mean() >= right[conf < np.median(conf)].mean()


class LabelWordEmbedder:
    """Embeds a text deterministically from its label word; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        out = []
        for t in texts:
            rng = np.random.default_rng(zlib.crc32(t.encode()))
            base = {"leak": 0, "jam": 1, "noise": 2}[t.split()[0]]
            v = rng.normal(0, 0.5, 8)
            v[base] += 3.0
            out.append(v)
        return np.array(out)


def test_store_versions_retrain_and_roll_back(tmp_path: Path) -> None:
    store = HeadStore(tmp_path, "tickets", LearnConfig(epochs=60, keep_versions=3))
    embed = LabelWordEmbedder()
    pairs = [(f"{w} case {i}", w) for i in range(30) for w in ("leak", "jam")]
    assert store.add_examples(pairs) == 60
    v1, cal = store.retrain(embed)
    assert v1 == 1 and store.current_version() == 1
    assert cal.threshold is not None
    first_texts = embed.texts
    store.add_examples([(f"noise case {i}", "noise") for i in range(30)])
    v2, _ = store.retrain(embed)
    assert v2 == 2
    assert embed.texts == first_texts + 30, "cached embeddings are not recomputed"
    assert store.head() is not None and store.head().classes == ["jam", "leak", "noise"]
    label, conf = store.classify(embed(["noise case 3"])[0])
    assert label == "noise" and 0.0 <= conf <= 1.0
    assert store.rollback() == 1
    assert store.head().classes == ["jam", "leak"]
    assert store.meta()["examples"] == 60
    assert store.add_escalation("noise case 99", "noise") is False
    for _v in range(3):
        store.retrain(embed)
    assert store.versions() == [3, 4, 5]
    with pytest.raises(LearnError, match="no version 1"):
        store.rollback(1)


def test_too_few_examples_is_a_clear_error(tmp_path: Path) -> None:
    store = HeadStore(tmp_path, "t", LearnConfig())
    store.add_examples([("leak a", "leak")])
    with pytest.raises(LearnError, match="need at least 10"):
        store.retrain(LabelWordEmbedder())


def test_bad_examples_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "ex.jsonl"
    path.write_text(json.dumps({"text": "ok", "label": "a"}) + "\n{\"text\": \"x\"}\n")
    with pytest.raises(LearnError, match=r"ex.jsonl:2"):
        read_examples(path)


def test_label_counts_follow_this_store_and_other_writers(tmp_path: Path) -> None:
    from appliance.routing.settings import LearnConfig

    store = HeadStore(tmp_path, "t", LearnConfig())
    assert store.label_counts() == {}
    assert store.add_examples([("a", "x"), ("b", "y")]) == 2
    assert store.add_examples([("c", "x")]) == 3
    other = HeadStore(tmp_path, "t", LearnConfig())  # e.g. `appliance learn` beside the daemon
    other.add_examples([("d", "z")])
    assert store.label_counts() == {"x": 2, "y": 1, "z": 1}
