"""The model decision stage: rules, the ONNX anomaly score and the SLM, combined.

* Sensor readings are scored by the streaming anomaly model. A reading that is
  normal by both the thresholds and the model is decided by the rules alone
  (the SLM is not worth 100+ ms for "all fine"); anything else is triaged by
  the SLM with the anomaly score in its prompt, and a threshold breach can
  only raise the severity the model chose.
* Operator tickets are triaged by the SLM.
* Frigate events are metadata: the rules decide them without re-detection.
* When the SLM times out or is overloaded the rule decision stands, marked
  ``degraded`` with the reason.

Built by :func:`build_decider` from the config; blocking model calls run on
the pipeline's worker threads, never on the MQTT thread.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.config import Config
from appliance.rules import RuleDecider
from appliance.schema import Decision, Event, EventKind, Severity

if TYPE_CHECKING:
    # onnxruntime and llama.cpp load only when a model is configured (daemon RSS).
    from appliance.escalation import Escalation
    from appliance.hw.monitor import HardwareMonitor
    from appliance.perception.anomaly import AnomalyDetector, AnomalyScore
    from appliance.slm.engine import SlmEngine
    from appliance.slm.triage import SlmTriage

log = logging.getLogger(__name__)

ANOMALY_MODEL = "sensor-anomaly"


def combine(rule: Decision, model: Decision, anomaly: AnomalyScore | None) -> Decision:
    """Return the model's decision, raised to the rule's severity if the rule is stricter (pure)."""
    out = model.model_copy(deep=True)
    if rule.severity.rank > model.severity.rank:
        out.severity, out.action = rule.severity, rule.action
        out.reasons = [*model.reasons, *rule.reasons, "rule raised severity"]
    else:
        out.reasons = [*model.reasons, *rule.reasons]
    out.detail["rule_severity"] = rule.severity.value
    if anomaly is not None:
        out.detail["anomaly"] = round(anomaly.score, 4)
    return out


class SlmLimiter:
    """How many events may wait on the SLM at once; lowered when the board runs hot."""

    def __init__(self, limit: int) -> None:
        self._cond = threading.Condition()
        self._limit = max(1, limit)
        self._busy = 0

    @property
    def limit(self) -> int:
        """The current limit."""
        return self._limit

    def set_limit(self, limit: int) -> None:
        """Change the limit (takes effect for the next acquisition)."""
        with self._cond:
            self._limit = max(1, limit)
            self._cond.notify_all()

    def acquire(self, timeout_s: float) -> bool:
        """Take a slot within ``timeout_s``; False if none came free."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._busy < self._limit, timeout_s):
                return False
            self._busy += 1
            return True

    def release(self) -> None:
        """Give a slot back."""
        with self._cond:
            self._busy -= 1
            self._cond.notify()


@dataclass
class ModelDecider:
    """Decide events with rules, the anomaly model and the SLM; safe on several threads."""

    rules: RuleDecider
    anomaly: AnomalyDetector | None
    triage: SlmTriage | None
    deadline_s: float
    warm: threading.Event = field(default_factory=threading.Event)
    escalation: Escalation | None = None
    limiter: SlmLimiter = field(default_factory=lambda: SlmLimiter(64))

    def decide(self, event: Event) -> Decision:
        """Return the decision for ``event`` (see the module docstring for the policy)."""
        rule = self.rules.decide(event)
        score: AnomalyScore | None = None
        if event.kind is EventKind.SENSOR and self.anomaly is not None:
            score = self.anomaly.update(event.source, event.readings, event.ts)
            rule.detail["anomaly"] = round(score.score, 4)
            rule.model = "rules+anomaly"
            if score.anomalous:
                rule.reasons.append(score.describe())
            elif rule.severity is Severity.LOW:
                rule.confidence = round(min(rule.confidence, 1.0 - score.score), 4)
                return rule
        if event.kind is EventKind.CAMERA or self.triage is None:
            return rule
        if not self.limiter.acquire(self.deadline_s):
            rule.degraded = True
            rule.reasons.append(f"slm_concurrency_limit:{self.limiter.limit}")
            return rule
        try:
            model = self.triage.decide(event, score.score if score else None, self.deadline_s)
        finally:
            self.limiter.release()
        if model.degraded:
            rule.degraded = True
            rule.reasons.append(model.reasons[0] if model.reasons else "slm unavailable")
            return rule
        decided = combine(rule, model, score)
        if self.escalation is not None:
            return self.escalation.route(event, decided, score.score if score else None,
                                         self.triage.task)
        return decided


def _warm(engine: SlmEngine, done: threading.Event) -> None:
    t0 = time.monotonic()
    try:
        engine.warm()
    except Exception:
        log.exception("warming the SLM's task prefixes failed; events will pay for them")
        return
    done.set()
    log.info("SLM task prefixes evaluated in %.2fs", time.monotonic() - t0)


def build_decider(config: Config, hardware: HardwareMonitor | None = None,
                  ) -> tuple[ModelDecider, SlmEngine | None]:
    """Load the configured models (verified against the signed manifest) and return the stage.

    Raises :class:`appliance.errors.ModelError` when a model is missing, corrupt or unsigned.
    """
    rules = RuleDecider(config.rules, config.device_id)
    anomaly = None
    if config.perception.enabled and config.perception.anomaly.enabled:
        from appliance.perception.anomaly import AnomalyDetector
        from appliance.slm.loader import model_store

        # The ONNX model is listed in the same signed manifest as the SLM: refuse it on
        # a hash or signature mismatch before onnxruntime ever opens it.
        model_store(config.slm, Path(config.state_dir)).verified_path(
            ANOMALY_MODEL, assemble_missing=False, override=config.perception.anomaly.model)
        anomaly = AnomalyDetector(config.perception)
    engine = None
    triage = None
    if config.slm.enabled:
        from appliance.slm.loader import open_engine
        from appliance.slm.triage import SlmTriage

        slm = config.slm
        if hardware is not None:
            board = hardware.detection.profile.slm
            slm = slm.with_board_defaults(board.gpu_layers, board.context)
        # Prefixes are evaluated on the engine's own worker after READY; events that
        # arrive first simply queue behind the warm-up instead of delaying start.
        engine = open_engine(slm, Path(config.state_dir), warm=False)
        triage = SlmTriage(engine, config.device_id, config.slm.triage_task)
    decider = ModelDecider(rules, anomaly, triage, config.slm.deadline_ms / 1000.0)
    if engine is not None:
        threading.Thread(target=_warm, args=(engine, decider.warm), name="slm-warm",
                         daemon=True).start()
    return decider, engine
