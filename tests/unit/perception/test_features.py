"""Streaming window features and the adaptive per-metric baseline."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.perception.features import (
    FEATURE_CLIP,
    FEATURE_NAMES,
    N_FEATURES,
    BaselineParams,
    MetricState,
)

PARAMS = BaselineParams(window=8, warmup=20, adapt_rate=0.05, freeze_z=10.0, relearn_after=30,
                        probation=0)


def _feed(state: MetricState, values: list[float], anomalous: bool = False) -> list[np.ndarray]:
    rows = []
    for x in values:
        row = state.observe(x)
        state.adapt(x, anomalous)
        if row is not None:
            rows.append(row)
    return rows


def _noise(n: int, loc: float, scale: float, seed: int = 0) -> list[float]:
    rng = np.random.default_rng(seed)
    return list(loc + scale * rng.standard_normal(n))


def test_metric_scores_nothing_until_its_baseline_is_learned() -> None:
    state = MetricState(PARAMS)
    values = _noise(PARAMS.warmup, 50.0, 1.0)
    assert [state.observe(x) for x in values[:-1]] == [None] * (PARAMS.warmup - 1)
    assert not state.ready
    assert state.observe(values[-1]) is None  # the value that completes the warmup
    assert state.ready
    row = state.observe(50.0)
    assert row is not None and row.shape == (N_FEATURES,) == (len(FEATURE_NAMES),)


def test_baseline_learns_location_and_spread_of_the_metric() -> None:
    state = MetricState(PARAMS)
    _feed(state, _noise(400, 120.0, 3.0, seed=1))
    assert state.mu == pytest.approx(120.0, abs=1.0)
    assert state.sigma == pytest.approx(3.0, rel=0.3)


def test_memory_is_fixed_however_long_the_stream() -> None:
    state = MetricState(PARAMS)
    _feed(state, _noise(50, 1.0, 0.1))
    sizes = (state.ring.nbytes, state.window_values().size)
    _feed(state, _noise(5000, 1.0, 0.1, seed=2))
    assert (state.ring.nbytes, state.window_values().size) == sizes == (8 * 8, 8)


def test_window_is_returned_oldest_first() -> None:
    state = MetricState(PARAMS)
    _feed(state, [float(i) for i in range(25)])
    assert list(state.window_values()) == [float(i) for i in range(17, 25)]


def test_spike_shows_as_large_deviation_and_step() -> None:
    state = MetricState(PARAMS)
    _feed(state, _noise(100, 10.0, 0.5, seed=3))
    row = state.observe(30.0)
    assert row is not None
    features = dict(zip(FEATURE_NAMES, row, strict=True))
    assert features["z_last"] > 20
    assert features["last_diff_ratio"] > 10


def test_stuck_value_shows_as_flat_window() -> None:
    state = MetricState(PARAMS)
    _feed(state, _noise(100, 10.0, 0.5, seed=4))
    rows = _feed(state, [10.2] * PARAMS.window, anomalous=True)
    features = dict(zip(FEATURE_NAMES, rows[-1], strict=True))
    assert features["flat_excess"] > 0.9
    assert features["diff_ratio"] == pytest.approx(0.0, abs=1e-9)


def test_baseline_does_not_move_while_the_metric_is_anomalous() -> None:
    state = MetricState(PARAMS)
    _feed(state, _noise(100, 10.0, 0.5, seed=5))
    mu, sigma = state.mu, state.sigma
    _feed(state, [25.0] * 20, anomalous=True)
    assert (state.mu, state.sigma) == (mu, sigma)


def test_huge_deviation_never_updates_the_baseline_even_if_called_normal() -> None:
    state = MetricState(PARAMS)
    _feed(state, _noise(100, 10.0, 0.5, seed=6))
    mu = state.mu
    _feed(state, [1000.0], anomalous=False)
    assert state.mu == mu


def test_persistent_shift_is_relearned_as_the_new_normal() -> None:
    state = MetricState(PARAMS)
    _feed(state, _noise(100, 10.0, 0.5, seed=7))
    shifted = _noise(PARAMS.relearn_after + PARAMS.warmup, 40.0, 0.5, seed=8)
    _feed(state, shifted, anomalous=True)  # as if the model kept flagging it
    assert state.relearned == 1
    assert state.ready
    assert state.mu == pytest.approx(40.0, abs=1.0)


def test_warmup_ignores_a_sensor_stuck_during_it() -> None:
    state = MetricState(PARAMS)
    values = _noise(PARAMS.warmup, 10.0, 0.5, seed=9)
    values[3:11] = [values[3]] * 8  # stuck for 8 of the 20 warm-up readings
    _feed(state, values)
    assert state.ready
    assert state.p0 < 0.1  # repeats of the stuck run are not the sensor's normal
    assert state.sigma == pytest.approx(0.5, rel=0.5)


def test_baseline_keeps_adapting_during_probation_even_when_flagged() -> None:
    params = BaselineParams(window=8, warmup=20, adapt_rate=0.05, relearn_after=1000,
                            probation=100)
    state = MetricState(params)
    _feed(state, _noise(20, 10.0, 0.2, seed=10))  # warm-up saw a narrow range only
    _feed(state, [10.0 + 0.02 * i for i in range(100)], anomalous=True)  # wider, but normal
    assert state.mu > 11.0  # followed the excursion although every value was flagged
    mu = state.mu
    _feed(state, [12.5] * 10, anomalous=True)  # probation over: flagged values freeze it
    assert state.mu == mu


def test_params_refuse_a_warmup_shorter_than_the_window() -> None:
    with pytest.raises(ValueError, match="warmup"):
        BaselineParams(window=16, warmup=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=30,
                max_size=80))
def test_features_are_finite_and_bounded_for_any_finite_stream(values: list[float]) -> None:
    state = MetricState(PARAMS)
    for x in values:
        row = state.observe(x)
        state.adapt(x, anomalous=False)
        if row is not None:
            assert all(math.isfinite(v) for v in row)
            assert np.abs(row).max() <= FEATURE_CLIP
