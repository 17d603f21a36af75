"""Serial line protocols (JSON, CSV, key=value) to events, and the reasons for rejects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from appliance.errors import PayloadError
from appliance.hw.serial_ingest import parse_serial_line
from appliance.hw.settings import SerialPortConfig
from appliance.schema import EventKind


def _port(**kw: object) -> SerialPortConfig:
    return SerialPortConfig.model_validate({"path": "/dev/ttyTHS1", "line": "l1", **kw})


def test_json_line_becomes_sensor_event_on_serial_topic() -> None:
    event = parse_serial_line(_port(sensor="press-3"),
                              b'{"ts": 1700000000, "readings": {"pressure": 6.2}}', "s:1")
    assert event is not None
    assert (event.kind, event.source, event.line, event.topic) == (
        EventKind.SENSOR, "press-3", "l1", "serial/ttyTHS1")
    assert event.readings == {"pressure": 6.2} and event.ts == 1700000000


def test_csv_line_uses_columns_and_skips_header() -> None:
    port = _port(protocol="csv", csv_columns=["ts", "temperature", "vibration"], name="motor7")
    assert parse_serial_line(port, b"ts,temperature,vibration") is None
    event = parse_serial_line(port, b"1700000001.5, 71.25 ,3.5\r")
    assert event is not None
    assert event.readings == {"temperature": 71.25, "vibration": 3.5}
    assert (event.source, event.topic, event.ts) == ("motor7", "serial/motor7", 1700000001.5)


def test_kv_line_accepts_spaces_commas_and_semicolons() -> None:
    event = parse_serial_line(_port(protocol="kv"), b"temperature=70.5, current=12;unit=C id=x1")
    assert event is not None
    assert event.readings == {"temperature": 70.5, "current": 12.0}
    assert event.id == "x1" and event.attributes == {"unit": "C"}


def test_same_line_twice_gives_two_event_ids() -> None:
    port = _port(protocol="kv")
    a = parse_serial_line(port, b"temperature=70", "s:1")
    b = parse_serial_line(port, b"temperature=70", "s:2")
    assert a is not None and b is not None and a.id != b.id


@pytest.mark.parametrize(("port", "raw", "reason"), [
    ({}, b"\xff\xfe\x00garbage", "framing"),
    ({}, b"temp\x00rature=1", "framing"),
    ({}, b'{"readings": {"t": 1}', "malformed_json"),
    ({}, b'{"readings": {}}', "schema"),
    ({}, b'{"readings": {"t": 1}, "extra": 2}', "schema"),
    ({"protocol": "kv"}, b"temperature:70", "schema"),
    ({"protocol": "kv"}, b"temperature=hot", "schema"),
    ({"protocol": "kv"}, b"id=a ts=1", "schema"),
    ({"protocol": "kv"}, b"t=1 t=2", "schema"),
    ({"protocol": "csv", "csv_columns": ["a", "b"]}, b"1,2,3", "schema"),
    ({"protocol": "csv", "csv_columns": ["a", "b"]}, b"1,nan-ish", "schema"),
    ({"max_line_bytes": 16}, b'{"readings": {"temperature": 1}}', "oversize"),
])
def test_bad_lines_raise_payload_error_with_reason(port: dict, raw: bytes, reason: str) -> None:
    with pytest.raises(PayloadError) as err:
        parse_serial_line(_port(**port), raw)
    assert err.value.reason == reason


def test_blank_line_is_ignored() -> None:
    assert parse_serial_line(_port(), b"   \r") is None


@pytest.mark.parametrize("bad", [
    {"protocol": "csv"},
    {"protocol": "csv", "csv_columns": ["ts"]},
    {"protocol": "csv", "csv_columns": ["a", "a"]},
    {"stopbits": 3},
    {"name": "has/slash"},
    {"reconnect_min_s": 5, "reconnect_max_s": 1},
])
def test_port_config_rejects_bad_settings(bad: dict) -> None:
    with pytest.raises(ValidationError):
        _port(**bad)


def test_port_name_defaults_to_device_node_name() -> None:
    assert _port(path="/dev/serial/by-id/usb-FTDI_FT232R-if00-port0").topic == \
        "serial/usb-FTDI_FT232R-if00-port0"


@given(st.binary(max_size=200))
def test_any_bytes_give_an_event_none_or_a_payload_error(raw: bytes) -> None:
    for protocol in ("json", "kv"):
        try:
            event = parse_serial_line(_port(protocol=protocol), raw)
        except PayloadError as exc:
            assert exc.reason in {"framing", "malformed_json", "schema", "oversize"}
        else:
            assert event is None or event.readings
