"""Topic matching and payload validation: every bad input becomes a PayloadError."""

from __future__ import annotations

import json

import paho.mqtt.client as paho
import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.errors import PayloadError
from appliance.ingest.parse import parse, topic_matches
from appliance.schema import EventKind
from appliance.simulator import Factory

LEVEL = st.text(alphabet="abc+#", min_size=0, max_size=3)


@given(st.lists(st.sampled_from(["a", "b", "+"]), min_size=1, max_size=4),
       st.booleans(), st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=5))
def test_topic_matches_agrees_with_paho(pattern: list[str], hash_tail: bool, topic: list[str]) -> None:
    pat = "/".join(pattern + (["#"] if hash_tail else []))
    top = "/".join(topic)
    assert (topic_matches(pat, top) is not None) == paho.topic_matches_sub(pat, top)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_but_payload_error(payload: bytes) -> None:
    for kind, pattern, topic in [("sensor", "factory/+/sensors/+", "factory/l1/sensors/m1"),
                                 ("ticket", "factory/+/tickets", "factory/l1/tickets"),
                                 ("frigate", "frigate/events", "frigate/events")]:
        try:
            event = parse(kind, pattern, topic, payload, 256)  # type: ignore[arg-type]
        except PayloadError as exc:
            assert exc.reason in {"malformed_json", "schema", "oversize", "unknown_topic"}
        else:
            assert event.id


@given(st.dictionaries(st.text(max_size=8), st.floats(allow_nan=True, allow_infinity=True),
                       max_size=4))
def test_sensor_readings_must_be_finite_and_present(readings: dict[str, float]) -> None:
    raw = json.dumps({"readings": readings}).encode()
    try:
        event = parse("sensor", "factory/+/sensors/+", "factory/l1/sensors/m1", raw, 10_000)
    except PayloadError as exc:
        assert exc.reason in {"schema", "malformed_json"}
    else:
        assert event.readings == readings and readings


def test_simulated_messages_all_parse() -> None:
    kinds = {"sensors": "sensor", "tickets": "ticket", "events": "frigate"}
    patterns = {"sensor": "factory/+/sensors/+", "ticket": "factory/+/tickets",
                "frigate": "frigate/events"}
    seen = set()
    for topic, payload in Factory(seed=1).messages(300):
        kind = kinds[topic.split("/")[-2] if "sensors" in topic else topic.split("/")[-1]]
        event = parse(kind, patterns[kind], topic, payload, 10_000)  # type: ignore[arg-type]
        seen.add(event.kind)
    assert seen == {EventKind.SENSOR, EventKind.TICKET, EventKind.CAMERA}


def test_same_bytes_give_the_same_id_without_an_id_field() -> None:
    raw = json.dumps({"metric": "temperature", "value": 71.5, "ts": "2026-01-01T00:00:00Z"}).encode()
    a = parse("sensor", "factory/+/sensors/+", "factory/l1/sensors/m1", raw, 1000)
    b = parse("sensor", "factory/+/sensors/+", "factory/l1/sensors/m1", raw, 1000)
    assert a.id == b.id and a.readings == {"temperature": 71.5} and a.ts == 1767225600.0


@pytest.mark.parametrize(("topic", "payload", "reason"), [
    ("factory/l1/sensors/m1", b"x" * 2000, "oversize"),
    ("factory/l1/sensors/m1", b"\xff\xfe", "malformed_json"),
    ("factory/l1/sensors/m1", b'{"readings": {}}', "schema"),
    ("factory/l1/sensors/m1", b'{"metric": "t"}', "schema"),
    ("factory/l1/sensors/m1", b'{"readings": {"t": 1}, "ts": "yesterday"}', "schema"),
    ("factory/l1/other/m1", b'{"readings": {"t": 1}}', "unknown_topic"),
])
def test_each_rejection_has_its_reason(topic: str, payload: bytes, reason: str) -> None:
    with pytest.raises(PayloadError) as info:
        parse("sensor", "factory/+/+/+", topic, payload, 1000)
    assert info.value.reason == reason
