"""The rule stage: thresholds, per-sensor overrides, ticket keywords, camera zones."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from appliance.config import RulesConfig, Threshold
from appliance.rules import RuleDecider, classify_value
from appliance.schema import Event, EventKind, Severity


def _sensor(source: str, **readings: float) -> Event:
    return Event(id="e1", kind=EventKind.SENSOR, source=source, ts=0.0, readings=readings)


def test_thresholds_set_severity_and_action() -> None:
    d = RuleDecider(RulesConfig(), "dev")
    assert d.decide(_sensor("m1", temperature=60.0)).severity is Severity.LOW
    assert d.decide(_sensor("m1", temperature=85.0)).severity is Severity.MEDIUM
    crit = d.decide(_sensor("m1", temperature=99.0, vibration=1.0))
    assert crit.severity is Severity.CRITICAL and crit.action == "stop_line"
    assert any("temperature" in r for r in crit.reasons)


def test_per_sensor_override_applies_by_glob() -> None:
    rules = RulesConfig(per_sensor={"oven-*": {"temperature": Threshold(warn=250, critical=300)}})
    d = RuleDecider(rules, "dev")
    assert d.decide(_sensor("oven-3", temperature=200.0)).severity is Severity.LOW
    assert d.decide(_sensor("motor-3", temperature=200.0)).severity is Severity.CRITICAL


@given(st.floats(min_value=-1e6, max_value=1e6))
def test_confidence_is_a_probability_and_severity_monotone(value: float) -> None:
    t = Threshold(warn=10.0, critical=20.0)
    sev, conf = classify_value(value, t)
    assert 0.5 <= conf <= 1.0
    if value >= 20.0:
        assert sev is Severity.CRITICAL
    elif value < 10.0:
        assert sev is Severity.LOW


def test_ticket_keywords_and_camera_zones() -> None:
    d = RuleDecider(RulesConfig(), "dev")
    ticket = Event(id="t", kind=EventKind.TICKET, source="l1", ts=0.0,
                   text="Smoke coming out of press 4")
    assert d.decide(ticket).severity is Severity.CRITICAL
    cam = Event(id="c", kind=EventKind.CAMERA, source="dock_1", ts=0.0,
                attributes={"label": "person", "zones": ["restricted"], "score": 0.9})
    out = d.decide(cam)
    assert out.severity is Severity.HIGH and out.confidence == 0.9
