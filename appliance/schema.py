"""The shapes that cross module lines: events in, decisions and dead letters out.

Every stage speaks these types and nothing looser; topic parsing and payload
validation turn raw bytes into an :class:`Event` in exactly one place
(:mod:`appliance.ingest.parse`).
"""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class EventKind(StrEnum):
    """What produced an event."""

    SENSOR = "sensor"
    CAMERA = "camera"
    TICKET = "ticket"


class Route(StrEnum):
    """Where a decision was made."""

    LOCAL = "local"
    CLOUD = "cloud"
    LOCAL_DEGRADED = "local-degraded"
    BLOCKED = "blocked"


class Severity(StrEnum):
    """Triage severity, ordered from least to most urgent."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for critical, for comparing severities."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Event(BaseModel):
    """One normalized inbound event.

    ``id`` is stable across redeliveries of the same message (taken from the
    payload, or derived from topic and bytes), so duplicates can be detected.
    ``readings`` holds numeric sensor values; ``text`` holds operator text;
    ``attributes`` holds the remaining typed metadata (Frigate label, score...).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = SCHEMA_VERSION
    id: str
    kind: EventKind
    source: str = Field(description="sensor id, camera name or ticket line")
    line: str = ""
    topic: str = ""
    ts: float = Field(description="event time, UNIX seconds")
    received_at: float = Field(default_factory=time.time)
    readings: dict[str, float] = Field(default_factory=dict)
    text: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class Decision(BaseModel):
    """What the appliance concluded about one event, as published on MQTT."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    event_id: str
    device: str
    kind: EventKind
    source: str
    line: str = ""
    label: str = Field(description="the task's answer, e.g. a severity or category")
    severity: Severity = Severity.LOW
    action: str = ""
    confidence: float = Field(ge=0.0, le=1.0)
    route: Route = Route.LOCAL
    reasons: list[str] = Field(default_factory=list)
    degraded: bool = False
    model: str = ""
    latency_ms: float = 0.0
    decided_at: float = Field(default_factory=time.time)
    detail: dict[str, Any] = Field(default_factory=dict)


class DeadLetter(BaseModel):
    """A rejected input: where it came from, why, and an excerpt to debug it."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    device: str
    topic: str
    reason: str = Field(description="stable code: malformed_json, schema, oversize, ...")
    detail: str
    size: int
    excerpt: str = Field(description="first bytes of the payload, repr-escaped")
    event_id: str | None = None
    received_at: float = Field(default_factory=time.time)


class DeadLetterReason(StrEnum):
    """The stable reason codes a dead-letter record carries."""

    MALFORMED_JSON = "malformed_json"
    SCHEMA = "schema"
    OVERSIZE = "oversize"
    UNKNOWN_TOPIC = "unknown_topic"
    SHED = "shed"
    FRAMING = "framing"
    DECIDE_FAILED = "decide_failed"
