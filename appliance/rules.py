"""The rule stage: per-metric thresholds for sensors, keywords for tickets, zones for cameras.

Deterministic and cheap. It decides every event when no model is configured,
and stays as the fallback the models are measured against.
"""

from __future__ import annotations

import fnmatch
import re

from appliance.config import RulesConfig, Threshold
from appliance.schema import Decision, Event, EventKind, Route, Severity

_ACTIONS = {
    Severity.LOW: "log",
    Severity.MEDIUM: "notify_shift_lead",
    Severity.HIGH: "dispatch_maintenance",
    Severity.CRITICAL: "stop_line",
}
_TICKET_WORDS: list[tuple[Severity, re.Pattern[str]]] = [
    (Severity.CRITICAL, re.compile(r"\b(fire|smoke|injur\w*|bleed\w*|unconscious|explosion)\b", re.I)),
    (Severity.HIGH, re.compile(r"\b(burning|leak\w*|safety|nearly hit|guard|spark\w*)\b", re.I)),
    (Severity.MEDIUM, re.compile(r"\b(stopped|jam\w*|reject\w*|noise|loose|recalibrat\w*)\b", re.I)),
]


def _worse(a: Severity, b: Severity) -> Severity:
    return a if a.rank >= b.rank else b


def classify_value(value: float, t: Threshold) -> tuple[Severity, float]:
    """Return the severity of ``value`` and a confidence from its distance to the nearest limit."""
    if t.low_critical is not None and value < t.low_critical:
        sev, nearest = Severity.CRITICAL, t.low_critical
    elif value >= t.critical:
        sev, nearest = Severity.CRITICAL, t.critical
    elif value >= t.warn:
        sev, nearest = Severity.MEDIUM, min((t.warn, t.critical), key=lambda x: abs(x - value))
    else:
        sev, nearest = Severity.LOW, t.warn
    scale = max(abs(t.critical - t.warn), 1e-9)
    margin = min(1.0, abs(value - nearest) / scale)
    return sev, round(0.5 + 0.5 * margin, 4)


class RuleDecider:
    """Decide an event from configured thresholds; thread-safe (holds no mutable state)."""

    name = "rules"

    def __init__(self, rules: RulesConfig, device_id: str) -> None:
        self._rules = rules
        self._device = device_id

    def thresholds_for(self, sensor: str) -> dict[str, Threshold]:
        """Return the metric thresholds that apply to ``sensor`` (globs override defaults)."""
        merged = dict(self._rules.thresholds)
        for pattern, overrides in self._rules.per_sensor.items():
            if fnmatch.fnmatchcase(sensor, pattern):
                merged.update(overrides)
        return merged

    def decide(self, event: Event) -> Decision:
        """Return the rule-based decision for ``event``."""
        if event.kind is EventKind.SENSOR:
            return self._sensor(event)
        if event.kind is EventKind.TICKET:
            return self._ticket(event)
        return self._camera(event)

    def _decision(self, event: Event, severity: Severity, confidence: float, reasons: list[str],
                  **detail: object) -> Decision:
        return Decision(
            event_id=event.id, device=self._device, kind=event.kind, source=event.source,
            line=event.line, label=severity.value, severity=severity, action=_ACTIONS[severity],
            confidence=confidence, route=Route.LOCAL, reasons=reasons, model=self.name,
            detail=dict(detail))

    def _sensor(self, event: Event) -> Decision:
        limits = self.thresholds_for(event.source)
        severity, confidence, reasons = Severity.LOW, 1.0, []
        for metric, value in sorted(event.readings.items()):
            t = limits.get(metric)
            if t is None:
                continue
            sev, conf = classify_value(value, t)
            if sev is not Severity.LOW:
                reasons.append(f"{metric}={value:g} beyond {t.warn:g}/{t.critical:g}")
            if sev.rank > severity.rank:
                severity, confidence = sev, conf
            elif sev is severity:
                confidence = min(confidence, conf)
        if not reasons:
            reasons.append("all readings within limits")
        return self._decision(event, severity, confidence, reasons, readings=event.readings)

    def _ticket(self, event: Event) -> Decision:
        text = event.text or ""
        severity, reasons = Severity.LOW, []
        for sev, pattern in _TICKET_WORDS:
            match = pattern.search(text)
            if match:
                severity = _worse(severity, sev)
                reasons.append(f"keyword {match.group(0).lower()!r}")
        confidence = 0.6 if reasons else 0.5
        return self._decision(event, severity, confidence, reasons or ["no urgent keyword"])

    def _camera(self, event: Event) -> Decision:
        label = str(event.attributes.get("label", ""))
        zones = [str(z) for z in event.attributes.get("zones", [])]
        score = event.attributes.get("score")
        severity = Severity.LOW
        reasons = [f"{label or 'object'} on {event.source}"]
        if label in self._rules.camera_labels_high and "restricted" in zones:
            severity = Severity.HIGH
            reasons.append("in restricted zone")
        elif label in self._rules.camera_labels_high:
            severity = Severity.MEDIUM
        confidence = float(score) if isinstance(score, (int, float)) else 0.5
        return self._decision(event, severity, max(0.0, min(1.0, confidence)), reasons,
                              label=label, zones=zones)
