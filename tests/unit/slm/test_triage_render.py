"""How events are written for the triage prompt (pure)."""

from __future__ import annotations

from appliance.schema import Event, EventKind
from appliance.slm.triage import describe_anomaly, render_event


def test_anomaly_score_becomes_words() -> None:
    assert describe_anomaly(None) == ""
    assert describe_anomaly(0.1) == "reading normal"
    assert describe_anomaly(0.5) == "reading slightly unusual"
    assert describe_anomaly(0.75) == "reading clearly abnormal"
    assert describe_anomaly(0.95) == "reading extremely abnormal"


def test_sensor_event_lists_readings_and_anomaly() -> None:
    event = Event(id="1", kind=EventKind.SENSOR, source="pump-2", ts=0.0,
                  readings={"vibration": 8.25, "current": 12.0})
    expected = "sensor pump-2 current=12 vibration=8.25 reading clearly abnormal"
    assert render_event(event, 0.8) == expected


def test_ticket_and_camera_events() -> None:
    ticket = Event(id="2", kind=EventKind.TICKET, source="line-1", ts=0.0, text="oil on floor")
    assert render_event(ticket) == "operator: oil on floor"
    cam = Event(id="3", kind=EventKind.CAMERA, source="dock", ts=0.0,
                attributes={"label": "person", "zone": "forklift lane"})
    assert render_event(cam) == "camera dock saw person in forklift lane"
