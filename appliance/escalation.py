"""Where a local answer may go next: the routing cascade, the egress gate, the uplink.

:func:`build_escalation` assembles, from the config, the parts that decide
whether an event's local decision stands, is escalated to the cloud, or is
published degraded — the privacy gate (every outbound byte), budgets, the
cost meter, the decision cache, the cloud path (the sealed uplink to the
relay, or an OpenAI-compatible endpoint while no relay is configured) and the
durable outbox for escalations that must wait for the uplink. The same parts
back the OpenAI-compatible gateway on the local API.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry

from appliance.config import Config
from appliance.errors import EgressBlocked, UplinkError
from appliance.privacy.gate import EgressGate, gate_from_config
from appliance.routing.budget import BudgetAlert, BudgetLedger
from appliance.routing.cloud import CloudChat, OpenAICompatClient, UplinkChat
from appliance.routing.cost import CostMeter
from appliance.routing.label_cascade import LabelCascade, LabelOutcome, match_label
from appliance.routing.learned_local import HeadAnswer, LearnedLocal
from appliance.schema import Decision, Event, Route, Severity
from appliance.slm.engine import SlmEngine
from appliance.slm.triage import render_event
from appliance.uplink.messages import ChatMessage, EscalationReply, EscalationRequest
from appliance.uplink.outbox import OutboxItem
from appliance.uplink.service import Uplink

log = logging.getLogger(__name__)

PublishDecision = Callable[[Decision], None]


@dataclass
class Escalation:
    """The routing parts of one daemon; ``route`` is called on the deciding threads."""

    config: Config
    gate: EgressGate
    budgets: BudgetLedger
    meter: CostMeter
    cloud: CloudChat | None
    uplink: Uplink | None
    cascade: LabelCascade | None
    engine: SlmEngine | None
    learned: LearnedLocal | None = None
    publish: PublishDecision | None = None
    alert: Callable[[dict[str, Any]], None] | None = None
    _local: threading.local = field(default_factory=threading.local)
    _pending: dict[str, tuple[Decision, str, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def local_answer(self, task: str, text: str) -> tuple[str, float] | None:
        """The local classifier the cascade asks: the task's trained head, else the SLM.

        The SLM's answer is the one this thread already computed; a usable head
        (see :class:`LearnedLocal`) answers instead, with its calibrated threshold.
        """
        head = self.learned.answer(task, text) if self.learned is not None else None
        self._local.head = head
        if head is not None:
            return head.label, head.confidence
        answer: tuple[str, float] | None = getattr(self._local, "answer", None)
        return answer

    def local_threshold(self, task: str) -> float | None:
        """The threshold of the answer :meth:`local_answer` just gave (None: the task's own)."""
        head: HeadAnswer | None = getattr(self._local, "head", None)
        return head.threshold if head is not None else None

    def learn(self, task: str, redacted_text: str, label: str) -> None:
        """The cloud labelled an escalation: keep it as a training example for the task's head."""
        if self.learned is None:
            return
        try:
            self.learned.learn(task, redacted_text, label)
        except OSError as exc:  # a full disk must not lose the decision
            log.warning("could not keep the escalation of a %s input as an example: %s", task, exc)

    def route(self, event: Event, local: Decision, anomaly: float | None, task: str) -> Decision:
        """Return the decision after the cascade: local, cloud, degraded (queued) or blocked."""
        if self.cascade is None:
            return local
        self._local.answer = (local.label, local.confidence)
        self._local.head = None
        text = render_event(event, anomaly)
        try:
            out = self.cascade.classify(task, text, session="events", cache_text=text,
                                        age_s=max(0.0, time.time() - event.ts))
            head: HeadAnswer | None = self._local.head
        except EgressBlocked as exc:
            local.route = Route.BLOCKED
            local.reasons.append(f"egress_blocked:{exc}")
            return local
        finally:
            self._local.answer = None
            self._local.head = None
        decided = self._apply(local, out, head)
        if out.queue_escalation:
            self._queue(event, decided, task, text)
        return decided

    def _apply(self, local: Decision, out: LabelOutcome, head: HeadAnswer | None) -> Decision:
        d = local.model_copy(deep=True)
        d.route = out.route
        d.degraded = d.degraded or out.route is Route.LOCAL_DEGRADED
        d.reasons = [*d.reasons, *out.reasons]
        if out.cached:
            d.detail["cached"] = True
        elif head is not None:
            d.detail.update(local_classifier=head.source, head_threshold=round(head.threshold, 4),
                            head_confidence=round(head.confidence, 4))
            if out.route is not Route.CLOUD:
                d.confidence = round(head.confidence, 4)
        if out.route is Route.CLOUD or (head is not None and out.label != local.label):
            self._relabel(d, out.label)
        if out.route is Route.CLOUD:
            d.model = self.cloud.model if self.cloud is not None else "cloud"
            d.detail.update(prompt_tokens=out.prompt_tokens,
                            completion_tokens=out.completion_tokens, cost_usd=out.cost_usd)
        return d

    def _relabel(self, d: Decision, label: str) -> None:
        """Give ``d`` another model's label; a stricter rule's severity stays the floor."""
        d.label = label
        severity = _severity(self.engine, label, d.severity)
        try:
            floor = Severity(d.detail.get("rule_severity", Severity.LOW.value))
        except ValueError:
            floor = Severity.LOW
        if floor.rank > severity.rank:
            if "rule held severity" not in d.reasons:
                d.reasons.append("rule held severity")
            if d.severity.rank < floor.rank:  # combine() raised it already; keep it so
                d.severity, d.action = floor, _action(self.engine, floor.value, d.action)
            return
        d.severity = severity
        d.action = _action(self.engine, label, d.action)

    def _queue(self, event: Event, decided: Decision, task: str, text: str) -> None:
        if self.uplink is None:
            return
        sid = f"q-{event.id}"
        try:
            assert self.cascade is not None  # route() queues only through the cascade
            messages = self.gate.redact(self.cascade.prompt(task, text),
                                        destination="uplink", session_id=sid)
            request = EscalationRequest(
                messages=[ChatMessage(role=m["role"], content=str(m["content"])) for m in messages],
                task=task, max_tokens=16, event_id=event.id)
            if self.uplink.submit(f"esc-{event.id}", request):
                with self._lock:
                    self._pending[f"esc-{event.id}"] = (decided, task, request.messages[-1].content)
                decided.detail["escalation"] = "queued"
        except (EgressBlocked, UplinkError, OSError) as exc:
            log.warning("could not queue the escalation of %s: %s", event.id, exc)
        finally:
            self.gate.end_session(sid)

    def on_reply(self, message_id: str, reply: EscalationReply) -> None:
        """A queued escalation was answered: publish the cloud's decision for that event."""
        with self._lock:
            pending = self._pending.pop(message_id, None)
        if pending is None or self.publish is None:
            log.info("reply to %s arrived after a restart; the local decision stands", message_id)
            return
        if reply.status != "ok" or self.cascade is None:
            return
        local, task, redacted = pending
        labels = self.cascade.labels.get(task, [])
        label = match_label(reply.content or "", labels)
        if label in labels:
            self.learn(task, redacted, label)
        follow = local.model_copy(deep=True)
        follow.route, follow.degraded = Route.CLOUD, False
        self._relabel(follow, label)
        follow.reasons = [*local.reasons, "escalation_answered"]
        follow.detail["supersedes"] = "local-degraded"
        follow.decided_at = time.time()
        self.publish(follow)

    def on_budget_alert(self, alert: BudgetAlert) -> None:
        """A budget limit was crossed: log it and publish it (``appliance/<device>/alerts``)."""
        log.warning("token budget %s limit on %s %s: %d of %d", alert.level, alert.scope,
                    alert.key, alert.used, alert.limit)
        if self.alert is not None:
            self.alert({"kind": "budget", **alert.as_dict()})

    def on_expired(self, item: OutboxItem) -> None:
        """A queued escalation outlived its TTL: the local decision stands, final and degraded."""
        with self._lock:
            pending = self._pending.pop(item.message_id, None)
        self.gate.audit.append({"destination": "uplink", "event": "escalation_expired",
                                "message_id": item.message_id, "attempts": item.attempts})
        if pending is None or self.publish is None:
            return
        final = pending[0].model_copy(deep=True)
        final.route, final.degraded = Route.LOCAL_DEGRADED, True
        final.reasons = [*pending[0].reasons, "escalation_expired"]
        final.detail["final"] = True
        final.decided_at = time.time()
        self.publish(final)

    def usage(self) -> dict[str, Any]:
        """Cost meter and budgets (for /v1/usage, /status and the console)."""
        return {"cost": self.meter.snapshot(), "budgets": self.budgets.snapshot()}

    def uplink_state(self) -> dict[str, Any]:
        """Outbox depth, oldest age and whether a cloud path exists."""
        state: dict[str, Any] = {"configured": self.cloud is not None,
                                 "up": bool(self.cloud and self.cloud.is_up())}
        if self.uplink is not None:
            s = self.uplink.stats()
            state.update(depth=s.depth, oldest_age_s=s.oldest_age_s)
        return state

    def start(self) -> None:
        """Start the uplink sender, if any."""
        if self.uplink is not None:
            self.uplink.start()

    def stop(self) -> None:
        """Stop the uplink sender; queued items stay in the outbox."""
        if self.uplink is not None:
            self.uplink.stop()


def _severity(engine: SlmEngine | None, label: str, default: Severity) -> Severity:
    if engine is None:
        return default
    mapped = engine.task("triage").severity.get(label, label)
    try:
        return Severity(mapped)
    except ValueError:
        return default


def _action(engine: SlmEngine | None, label: str, default: str) -> str:
    if engine is None:
        return default
    return engine.task("triage").actions.get(label, default)


def build_escalation(config: Config, engine: SlmEngine | None,
                     registry: CollectorRegistry) -> Escalation:
    """Assemble the routing parts the config asks for (see the module docstring)."""
    rcfg = config.routing
    gate = gate_from_config(config)
    budgets = BudgetLedger(rcfg.budgets)
    meter = CostMeter(rcfg.prices, rcfg.counterfactual_model, registry=registry)
    esc = Escalation(config, gate, budgets, meter, cloud=None, uplink=None, cascade=None,
                     engine=engine)
    budgets.set_alert_handler(esc.on_budget_alert)
    if config.uplink.enabled:
        from appliance.uplink.client import UplinkClient
        from appliance.uplink.keys import load_keys

        esc.uplink = Uplink(config.uplink, config.device_id, on_reply=esc.on_reply,
                            on_expired=esc.on_expired)
        client = UplinkClient.from_config(config.uplink, config.device_id,
                                          load_keys(config.uplink.keys_dir))
        # The relay forwards to the configured provider model: price it as that model.
        esc.cloud = UplinkChat(client.escalate, provider=rcfg.cloud.provider, model=rcfg.cloud.model,
                               task="triage")
    elif rcfg.cloud.base_url:
        import os

        esc.cloud = OpenAICompatClient(rcfg.cloud, api_key=os.environ.get(rcfg.cloud.api_key_env))
    if rcfg.enabled and engine is not None:
        labels = {"triage": list(engine.task("triage").labels)}
        if rcfg.learn.enabled:
            esc.learned = LearnedLocal(config.state_dir / rcfg.learn.state_subdir, rcfg.learn,
                                       engine.embed, labels)
        esc.cascade = LabelCascade(
            rcfg, labels=labels, local=esc.local_answer, cloud=esc.cloud, gate=gate,
            budgets=budgets, meter=meter, count_tokens=engine.count_tokens,
            on_escalation=esc.learn, threshold_for=esc.local_threshold)
    return esc
