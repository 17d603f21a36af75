"""Thermal policy: thresholds, hysteresis, dwell, and what each level runs."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from appliance.hw.profiles import load_profiles
from appliance.hw.settings import ThermalConfig
from appliance.hw.thermal import (
    ThermalGovernor,
    ThermalLevel,
    ThermalPolicy,
    ThermalState,
    decide,
)

REPO_HW = Path(__file__).resolve().parents[3] / "hw"


def _policy(**kw: float) -> ThermalPolicy:
    base = {"throttle_c": 80.0, "fallback_c": 90.0, "hysteresis_c": 5.0, "min_dwell_s": 10.0}
    base.update(kw)
    return ThermalPolicy(normal_concurrency=4, reduced_concurrency=1, model="big",
                         fallback_model="small", **base)


def _run(policy: ThermalPolicy, temps: list[tuple[float, float | None]]) -> list[ThermalState]:
    state = ThermalState.initial(policy, 0.0)
    out = []
    for now, temp in temps:
        state = decide(policy, state, temp, now)
        out.append(state)
    return out


def test_heat_steps_up_immediately_and_switches_model_at_fallback() -> None:
    states = _run(_policy(), [(1, 70.0), (2, 81.0), (3, 91.0)])
    assert [s.level for s in states] == [ThermalLevel.NORMAL, ThermalLevel.THROTTLED,
                                         ThermalLevel.FALLBACK]
    assert (states[1].concurrency, states[1].model) == (1, "big")
    assert (states[2].concurrency, states[2].model) == (1, "small")
    assert "throttle 80.0" in states[1].reason and "fallback 90.0" in states[2].reason


def test_cooling_needs_hysteresis_and_dwell() -> None:
    policy = _policy()
    states = _run(policy, [
        (0, 92.0),   # fallback
        (20, 87.0),  # inside hysteresis band of fallback: stays
        (21, 84.0),  # below 85: down to throttled
        (22, 70.0),  # below 75 but only 1 s after the last change: stays (dwell)
        (40, 70.0),  # now normal
    ])
    assert [s.level for s in states] == [ThermalLevel.FALLBACK, ThermalLevel.FALLBACK,
                                         ThermalLevel.THROTTLED, ThermalLevel.THROTTLED,
                                         ThermalLevel.NORMAL]
    assert states[-1].concurrency == 4 and states[-1].model == "big"
    assert states[3].temperature_c == 70.0  # the reading is still recorded


def test_missing_reading_keeps_state_and_disabled_policy_stays_normal() -> None:
    policy = _policy()
    hot = decide(policy, ThermalState.initial(policy, 0), 95.0, 1)
    assert decide(policy, hot, None, 100) is hot
    off = ThermalPolicy(**{**policy.__dict__, "enabled": False})
    assert _run(off, [(1, 120.0)])[0].level is ThermalLevel.NORMAL


def test_policy_from_config_uses_profile_defaults_unless_overridden() -> None:
    profile = load_profiles(REPO_HW)["agx-orin-64gb"]
    policy = ThermalPolicy.from_config(ThermalConfig(), profile)
    assert (policy.throttle_c, policy.fallback_c) == (profile.thermal.throttle_c,
                                                      profile.thermal.fallback_c)
    assert policy.normal_concurrency == profile.slm.concurrency
    assert policy.fallback_model == profile.slm.fallback_model
    forced = ThermalPolicy.from_config(ThermalConfig(throttle_c=60, reduced_concurrency=2), profile)
    assert forced.throttle_c == 60 and forced.reduced_concurrency == 2


def test_governor_notifies_listeners_only_on_level_changes() -> None:
    gov = ThermalGovernor(_policy(min_dwell_s=0), now=0)
    seen: list[tuple[str, str]] = []
    gov.subscribe(lambda old, new: seen.append((old.level.value, new.level.value)))
    for t, temp in enumerate([50.0, 82.0, 83.0, 95.0, 60.0]):
        gov.update(temp, float(t))
    assert seen == [("normal", "throttled"), ("throttled", "fallback"), ("fallback", "normal")]
    assert gov.as_metrics()["thermal_changes_total"] == 3.0
    assert gov.state.as_dict()["level"] == "normal"


@given(st.lists(st.floats(min_value=20, max_value=120), min_size=1, max_size=40))
def test_level_always_matches_thresholds_band(temps: list[float]) -> None:
    policy = _policy(min_dwell_s=0)
    for state, temp in zip(_run(policy, [(float(i), t) for i, t in enumerate(temps)]), temps,
                           strict=True):
        if temp >= policy.fallback_c:
            assert state.level is ThermalLevel.FALLBACK
        elif temp >= policy.throttle_c:
            assert state.level is not ThermalLevel.NORMAL
        elif temp <= policy.throttle_c - policy.hysteresis_c:
            assert state.level is ThermalLevel.NORMAL
        assert state.concurrency == (4 if state.level is ThermalLevel.NORMAL else 1)
