"""Raw MQTT (or serial) bytes to a typed :class:`~appliance.schema.Event`.

This is the one place where topics are matched and payloads validated. Every
failure raises :class:`~appliance.errors.PayloadError` with a stable reason
code, which the caller turns into a dead-letter record.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from appliance.errors import PayloadError
from appliance.schema import DeadLetterReason, Event, EventKind

SubscriptionKind = Literal["sensor", "frigate", "ticket", "camera_frame"]


def topic_matches(pattern: str, topic: str) -> dict[int, str] | None:
    """Match an MQTT topic against a filter with ``+``/``#``.

    Returns the levels that the ``+`` wildcards captured, keyed by level index,
    or None when the topic does not match.
    """
    pat, top = pattern.split("/"), topic.split("/")
    captured: dict[int, str] = {}
    for i, p in enumerate(pat):
        if p == "#":
            return captured
        if i >= len(top):
            return None
        if p == "+":
            captured[i] = top[i]
        elif p != top[i]:
            return None
    return captured if len(pat) == len(top) else None


def _ts(value: float | str | None) -> float:
    if value is None:
        return time.time()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError as exc:
            raise ValueError(f"ts {value!r} is neither UNIX seconds nor ISO 8601") from exc
    if not math.isfinite(value):
        raise ValueError("ts must be finite")
    return float(value)


class SensorPayload(BaseModel):
    """``{"id"?, "ts"?, "readings": {name: number}}`` or ``{"metric", "value"}``."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=128)
    ts: float | str | None = None
    readings: dict[str, float] | None = None
    metric: str | None = Field(default=None, max_length=64)
    value: float | None = None
    unit: str | None = None

    @field_validator("readings")
    @classmethod
    def _finite(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None:
            if not v:
                raise ValueError("readings must not be empty")
            bad = [k for k, x in v.items() if not math.isfinite(x)]
            if bad:
                raise ValueError(f"non-finite reading(s): {', '.join(bad)}")
        return v

    def values(self) -> dict[str, float]:
        """Return the readings as one mapping, whichever form was sent."""
        if self.readings is not None:
            return dict(self.readings)
        if self.metric is not None and self.value is not None:
            if not math.isfinite(self.value):
                raise ValueError("value must be finite")
            return {self.metric: self.value}
        raise ValueError("give either 'readings' or both 'metric' and 'value'")


class TicketPayload(BaseModel):
    """Operator ticket: free text plus optional metadata."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=128)
    ts: float | str | None = None
    text: str = Field(min_length=1, max_length=8000)
    operator: str | None = None
    priority: str | None = None


class FrigateObject(BaseModel):
    """The part of a Frigate event object the appliance uses (other keys are ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    camera: str
    label: str
    score: float | None = None
    top_score: float | None = None
    start_time: float
    end_time: float | None = None
    current_zones: list[str] = Field(default_factory=list)
    has_snapshot: bool = False
    false_positive: bool | None = None


class FrigatePayload(BaseModel):
    """Frigate's ``frigate/events`` message: ``type`` plus ``before``/``after``."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["new", "update", "end"]
    before: FrigateObject | None = None
    after: FrigateObject


def _stable_id(topic: str, payload: bytes) -> str:
    return "h-" + hashlib.sha256(topic.encode() + b"\0" + payload).hexdigest()[:24]


def _schema_error(exc: ValidationError) -> PayloadError:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "<root>"
        parts.append(f"{loc}: {err['msg']}")
    return PayloadError(DeadLetterReason.SCHEMA, "; ".join(parts))


def decode_json(payload: bytes, max_bytes: int) -> Any:
    """Return the decoded JSON document, or raise PayloadError (oversize / malformed_json)."""
    if len(payload) > max_bytes:
        raise PayloadError(DeadLetterReason.OVERSIZE, f"{len(payload)} bytes > limit {max_bytes}")
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(DeadLetterReason.MALFORMED_JSON, str(exc)) from exc


def sensor_event(doc: Any, topic: str, line: str, sensor: str, raw: bytes) -> Event:
    """Validate a sensor document into an Event (used by MQTT and serial ingest)."""
    try:
        body = SensorPayload.model_validate(doc)
        readings = body.values()
        ts = _ts(body.ts)
    except ValidationError as exc:
        raise _schema_error(exc) from exc
    except ValueError as exc:
        raise PayloadError(DeadLetterReason.SCHEMA, str(exc)) from exc
    attrs: dict[str, Any] = {"unit": body.unit} if body.unit else {}
    return Event(id=body.id or _stable_id(topic, raw), kind=EventKind.SENSOR, source=sensor,
                 line=line, topic=topic, ts=ts, readings=readings, attributes=attrs)


def parse(kind: SubscriptionKind, pattern: str, topic: str, payload: bytes, max_bytes: int) -> Event:
    """Turn one message into an Event.

    Raises PayloadError with reason ``oversize``, ``malformed_json``, ``schema``
    or ``unknown_topic``.
    """
    captured = topic_matches(pattern, topic)
    levels = topic.split("/")
    if kind == "camera_frame":
        if len(payload) > max_bytes:
            raise PayloadError(DeadLetterReason.OVERSIZE, f"{len(payload)} bytes > limit {max_bytes}")
        # The camera is the level a '+' captured (cameras/+/frame), else the last level.
        camera = (next(iter(captured.values()), levels[-1]) if captured is not None else "")
        if captured is None or not payload.startswith(b"\xff\xd8"):
            raise PayloadError(DeadLetterReason.SCHEMA, "camera frames must be JPEG bytes")
        return Event(id=_stable_id(topic, payload), kind=EventKind.CAMERA, source=camera,
                     topic=topic, ts=time.time(), attributes={"jpeg_bytes": len(payload)})
    doc = decode_json(payload, max_bytes)
    if kind == "sensor":
        # factory/<line>/sensors/<sensor>: the last level is the sensor, the one two up the line.
        if captured is None or len(levels) < 3 or levels[-2] != "sensors":
            raise PayloadError(DeadLetterReason.UNKNOWN_TOPIC,
                               f"{topic!r} is not <prefix>/<line>/sensors/<sensor>")
        return sensor_event(doc, topic, levels[-3], levels[-1], payload)
    if kind == "ticket":
        if captured is None or len(levels) < 2 or levels[-1] != "tickets":
            raise PayloadError(DeadLetterReason.UNKNOWN_TOPIC, f"{topic!r} is not <prefix>/<line>/tickets")
        try:
            ticket = TicketPayload.model_validate(doc)
            ts = _ts(ticket.ts)
        except ValidationError as exc:
            raise _schema_error(exc) from exc
        except ValueError as exc:
            raise PayloadError(DeadLetterReason.SCHEMA, str(exc)) from exc
        attrs = {k: v for k, v in (("operator", ticket.operator), ("priority", ticket.priority)) if v}
        return Event(id=ticket.id or _stable_id(topic, payload), kind=EventKind.TICKET,
                     source=levels[-2], line=levels[-2], topic=topic, ts=ts, text=ticket.text,
                     attributes=attrs)
    if captured is None:
        raise PayloadError(DeadLetterReason.UNKNOWN_TOPIC, f"{topic!r} does not match {pattern!r}")
    try:
        fr = FrigatePayload.model_validate(doc)
    except ValidationError as exc:
        raise _schema_error(exc) from exc
    obj = fr.after
    return Event(
        id=f"frigate-{obj.id}-{fr.type}", kind=EventKind.CAMERA, source=obj.camera, topic=topic,
        ts=obj.start_time, attributes={
            "frigate_type": fr.type, "label": obj.label, "score": obj.score,
            "top_score": obj.top_score, "zones": obj.current_zones,
            "has_snapshot": obj.has_snapshot, "false_positive": obj.false_positive,
        })
