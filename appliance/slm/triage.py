"""Turn an :class:`~appliance.schema.Event` and its anomaly score into a triage ``Decision``."""

from __future__ import annotations

import logging

from appliance.schema import Decision, Event, EventKind, Severity
from appliance.slm.engine import SlmEngine
from appliance.slm.results import LabelResult

log = logging.getLogger(__name__)

# Anomaly score bands, in words: a 270M model reads words far better than numbers.
_BANDS = ((0.9, "extremely abnormal"), (0.7, "clearly abnormal"), (0.4, "slightly unusual"))


def describe_anomaly(score: float | None) -> str:
    """Return the words the triage prompt uses for an anomaly score in [0, 1]."""
    if score is None:
        return ""
    for floor, words in _BANDS:
        if score >= floor:
            return f"reading {words}"
    return "reading normal"


def render_event(event: Event, anomaly_score: float | None = None) -> str:
    """Return the one-line text the triage task sees for ``event`` (pure, no model)."""
    if event.kind == EventKind.SENSOR:
        values = " ".join(f"{k}={v:g}" for k, v in sorted(event.readings.items()))
        parts = ["sensor", event.source, values, describe_anomaly(anomaly_score)]
        if event.text:
            parts.append(event.text)
    elif event.kind == EventKind.CAMERA:
        attrs = event.attributes
        what = attrs.get("label", "object")
        zone = attrs.get("zone") or attrs.get("zones") or ""
        parts = ["camera", event.source, f"saw {what}"]
        if zone:
            parts.append(f"in {zone}")
        if event.text:
            parts.append(event.text)
    else:
        parts = ["operator:", event.text or ""]
    return " ".join(p for p in parts if p)


class SlmTriage:
    """The triage task of an :class:`SlmEngine`, speaking the pipeline's shapes."""

    def __init__(self, engine: SlmEngine, device: str, task: str = "triage") -> None:
        self.engine = engine
        self.device = device
        self.task = task
        self._spec = engine.task(task)

    def _severity(self, label: str) -> Severity:
        mapped = self._spec.severity.get(label, label)
        try:
            return Severity(mapped)
        except ValueError:
            return Severity.LOW

    def to_decision(self, event: Event, result: LabelResult) -> Decision:
        """Return the Decision for ``event`` from a triage result (pure)."""
        ok = result.status == "ok"
        return Decision(
            event_id=event.id,
            device=self.device,
            kind=event.kind,
            source=event.source,
            line=event.line,
            label=result.label,
            severity=self._severity(result.label) if ok else Severity.LOW,
            action=result.action,
            confidence=result.confidence if ok else 0.0,
            reasons=[f"slm:{self.task}"] if ok else [f"slm_{result.status}"],
            degraded=not ok,
            model=result.model,
            latency_ms=result.latency_ms + result.queue_ms,
            detail={
                "status": result.status,
                "probs": result.probs,
                "raw_probs": result.raw_probs,
                "tokens": result.tokens,
            },
        )

    def decide(
        self, event: Event, anomaly_score: float | None = None, deadline_s: float | None = None
    ) -> Decision:
        """Triage ``event`` on the SLM within the deadline; never blocks past it.

        An overdue or shed request gives a Decision with label ``timeout`` /
        ``overloaded``, confidence 0 and ``degraded`` set, so the router can act on it.
        """
        text = render_event(event, anomaly_score)
        result = self.engine.classify(self.task, text, deadline_s)
        return self.to_decision(event, result)
