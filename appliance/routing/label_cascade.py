"""The cascade for label tasks (event triage, ticket categories), with the decision cache.

For each input :class:`LabelCascade` looks in the decision cache, asks the local
classifier (the learned head or the SLM task) for a label and a calibrated
confidence, and lets :func:`decide` choose: keep the local label, escalate to
the cloud (redacted by the gate, asking for one label of the task's list), or
publish the local label degraded. The cloud's labels feed back as training
examples for the task's head. The pipeline wires it; it does no I/O of its own
beyond the parts it is given.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from appliance.errors import EgressBlocked, UplinkError
from appliance.routing.budget import BudgetLedger
from appliance.routing.cache import DecisionCache, cache_key
from appliance.routing.chat_router import EgressGate
from appliance.routing.cloud import CloudChat
from appliance.routing.cost import CostMeter
from appliance.routing.router import BudgetState, Features, Reason, decide
from appliance.routing.settings import RoutingConfig
from appliance.schema import Route

log = logging.getLogger(__name__)

LocalClassifier = Callable[[str, str], tuple[str, float] | None]  # (task, text) -> (label, conf)
ThresholdSource = Callable[[str], float | None]  # task -> threshold of the answer just given
EscalationSink = Callable[[str, str, str], None]  # (task, redacted text, cloud label)


@dataclass(frozen=True)
class LabelOutcome:
    """The label chosen for one input, where and why, and what it cost."""

    label: str
    confidence: float
    route: Route
    reasons: tuple[str, ...]
    cached: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    queue_escalation: bool = False


def match_label(answer: str, labels: Sequence[str]) -> str:
    """Return the label of ``labels`` that ``answer`` names (exact, then contained), else it."""
    text = answer.strip().strip(".").strip().lower()
    for label in labels:
        if text == label.lower():
            return label
    hits = [label for label in labels if label.lower() in text]
    return max(hits, key=len) if hits else answer.strip()


class LabelCascade:
    """Label tasks through cache → local classifier → router → cloud."""

    def __init__(self, config: RoutingConfig, *, labels: Mapping[str, Sequence[str]],
                 local: LocalClassifier, cloud: CloudChat | None, gate: EgressGate | None,
                 budgets: BudgetLedger, meter: CostMeter, count_tokens: Callable[[str], int],
                 cache: DecisionCache[LabelOutcome] | None = None,
                 on_escalation: EscalationSink | None = None,
                 thresholds: Mapping[str, float] | None = None,
                 threshold_for: ThresholdSource | None = None) -> None:
        self.config = config
        self.labels = labels
        self.local = local
        self.cloud = cloud
        self.gate = gate
        self.budgets = budgets
        self.meter = meter
        self.count = count_tokens
        self.cache = cache if cache is not None else DecisionCache(
            config.cache_ttl_s, config.cache_max_entries)
        self.on_escalation = on_escalation
        self.thresholds = dict(thresholds or {})
        # Asked right after ``local``: a learned head brings its own calibrated threshold.
        self.threshold_for = threshold_for

    def prompt(self, task: str, text: str) -> list[dict[str, str]]:
        """Return the messages an escalation sends (before redaction)."""
        labels = ", ".join(self.labels[task])
        return [{"role": "system", "content": f"Classify the input for the task '{task}'. "
                 f"Answer with exactly one of these labels and nothing else: {labels}."},
                {"role": "user", "content": text}]

    def classify(self, task: str, text: str, *, session: str = "events", age_s: float = 0.0,
                 cache_text: str | None = None) -> LabelOutcome:
        """Return the label for ``text``; never raises for a missing uplink (degrades instead).

        ``cache_text`` is what the cache key is made from (default ``text``),
        so a caller can leave per-delivery ids out of it.
        Raises :class:`EgressBlocked` only when the gate's detector itself fails.
        """
        prompt = self.prompt(task, text)
        tokens = sum(self.count(m["content"]) for m in prompt)
        key = cache_key(task, text=cache_text if cache_text is not None else text,
                        quantum=self.config.cache_reading_quantum)
        hit = self.cache.get(key)
        if hit is not None:
            # Answered on the device from the cache: no model, no cloud.
            self.meter.record(Route.LOCAL, self.config.local_model, 0, 0,
                              counterfactual_input_tokens=tokens)
            return replace(hit, cached=True, route=Route.LOCAL,
                           reasons=(Reason.CACHED.value, f"cached_from:{hit.route.value}"),
                           prompt_tokens=0, completion_tokens=0, cost_usd=0.0)
        policy = self.config.task(task)
        classes = (frozenset(c.upper() for c in self.gate.data_classes(text))
                   if self.gate is not None else frozenset())
        state = self.budgets.state(session)
        if state in (BudgetState.OK, BudgetState.SOFT) \
                and self.budgets.remaining(session) < tokens + 16:
            state = BudgetState.HARD
        f = Features(
            task=task, input_tokens=tokens, deadline_s=self.config.deadline_s(task),
            threshold=self.thresholds.get(task, policy.threshold),
            data_classes=classes,
            never_egress=frozenset(c.upper() for c in self.config.never_egress),
            cloud_allowed=policy.cloud_allowed,
            cloud_configured=self.cloud is not None and self.gate is not None,
            max_local_input_tokens=policy.max_local_input_tokens,
            direct_cloud_complexity=1.01,  # label tasks always try the device first
            local_estimate_s=self.config.local_seconds_per_1k_tokens * tokens / 1000,
            cloud_estimate_s=self.config.cloud.expected_latency_s, budget=state,
            uplink_up=self.cloud.is_up() if self.cloud is not None else False,
            age_s=age_s, escalation_ttl_s=self.config.escalation_ttl_s,
        )
        started = time.monotonic()
        got = self.local(task, text)
        label, conf = got if got is not None else ("", 0.0)
        own = self.threshold_for(task) if self.threshold_for is not None else None
        decision = decide(replace(f, local_confidence=conf, elapsed_s=time.monotonic() - started,
                                  threshold=f.threshold if own is None else own))
        if decision.route is Route.CLOUD:
            try:
                out = self._escalate(task, prompt, session=session, tokens=tokens,
                                     local_conf=conf, reasons=decision.reasons)
            except (UplinkError, EgressBlocked) as exc:
                log.warning("escalation of a %s input failed, keeping the local label: %s",
                            task, exc)
                queue = isinstance(exc, UplinkError) and age_s < self.config.escalation_ttl_s
                why = Reason.UPLINK_DOWN.value if isinstance(exc, UplinkError) else "egress_blocked"
                out = LabelOutcome(label, conf, Route.LOCAL_DEGRADED,
                                   (*decision.reasons, why), queue_escalation=queue)
                self.meter.record(out.route, self.config.local_model, tokens, 1)
        else:
            out = LabelOutcome(label, conf, decision.route, decision.reasons,
                               queue_escalation=decision.queue_escalation)
            self.meter.record(out.route, self.config.local_model, tokens, 1)
        if out.route in (Route.LOCAL, Route.CLOUD):
            self.cache.put(key, out)
        return out

    def _escalate(self, task: str, prompt: list[dict[str, str]], *, session: str, tokens: int,
                  local_conf: float, reasons: tuple[str, ...]) -> LabelOutcome:
        assert self.cloud is not None and self.gate is not None
        sid = "r-" + secrets.token_hex(12)
        try:
            sent = self.gate.redact(prompt, destination="cloud", session_id=sid)
            reply = self.cloud.complete(sent, max_tokens=16, temperature=0.0)
        finally:
            self.gate.end_session(sid)
        label = match_label(reply.text, self.labels[task])
        prompt_tokens = reply.prompt_tokens or tokens
        completion = reply.completion_tokens or self.count(reply.text)
        charge = self.meter.record(Route.CLOUD, f"{self.cloud.provider}/{self.cloud.model}",
                                   prompt_tokens, completion, cached_tokens=reply.cached_tokens,
                                   counterfactual_input_tokens=tokens)
        self.budgets.charge(session, prompt_tokens + completion)
        if self.on_escalation is not None and label in self.labels[task]:
            # The redacted text stays on the device with the cloud's label.
            self.on_escalation(task, str(sent[-1]["content"]), label)
        return LabelOutcome(label, local_conf, Route.CLOUD, reasons, prompt_tokens=prompt_tokens,
                            completion_tokens=completion, cost_usd=charge.cost_usd)
