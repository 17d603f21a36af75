"""The cascade for chat requests: local first, escalate when allowed, account for it.

:class:`ChatRouter` holds the parts (local model, cloud path, egress gate,
budgets, cost meter) and runs one request through :func:`decide` twice:
before the local model (local first, straight to cloud, or blocked) and after
it (final, escalate, or degraded). Anything sent to the cloud is trimmed and
compressed first, then redacted by the gate. Errors a caller must show are
:class:`RouteBlockedError` and :class:`appliance.routing.budget.SessionEnded`.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from appliance.errors import ApplianceError, ConfigError, EgressBlocked, ModelError, UplinkError
from appliance.routing.budget import BudgetLedger
from appliance.routing.cloud import CloudChat, CloudReply
from appliance.routing.context import (
    ContextResult,
    Summarizer,
    content_text,
    count_messages,
    prepare_context,
)
from appliance.routing.cost import CostMeter
from appliance.routing.local_chat import LocalChat, LocalReply
from appliance.routing.router import (
    BudgetState,
    Features,
    Reason,
    RouteDecision,
    decide,
    estimate_complexity,
)
from appliance.routing.settings import RoutingConfig
from appliance.schema import Route

log = logging.getLogger(__name__)

Message = dict[str, Any]
LOCAL_MODEL_ID = "appliance/local"
CLOUD_MODEL_ID = "appliance/cloud"
AUTO_MODEL_ID = "appliance/auto"


class EgressGate(Protocol):
    """What the router needs from the privacy guard's egress gate."""

    def data_classes(self, text: str) -> frozenset[str]:
        """Return the data classes detected in ``text`` (fails closed: raise on error)."""
        ...

    def redact(self, messages: Sequence[Message], *, destination: str = ...,
               session_id: str | None = ...) -> list[Message]:
        """Return a redacted copy allowed to leave; raise EgressBlocked if none is."""
        ...

    def reidentify(self, text: str, session_id: str) -> str:
        """Return ``text`` with the session's placeholders turned back into values."""
        ...

    def end_session(self, session_id: str) -> None:
        """Forget the session's placeholder mapping."""
        ...


class RouteBlockedError(ApplianceError):
    """No route may answer this request; ``reasons`` says why."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(f"no route may answer: {', '.join(self.reasons)}")


@dataclass
class ChatRequest:
    """One chat completion request as the router sees it."""

    messages: list[Message]
    session: str = "default"
    task: str = ""
    model: str = AUTO_MODEL_ID
    max_tokens: int = 256
    temperature: float | None = None
    deadline_s: float | None = None
    age_s: float = 0.0


@dataclass
class ChatOutcome:
    """The answer and everything the response headers and usage report."""

    text: str
    route: Route
    reasons: tuple[str, ...]
    model: str
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    input_tokens_untrimmed: int = 0
    compression_ratio: float = 1.0
    confidence: float | None = None
    cost_usd: float = 0.0
    avoided_usd: float = 0.0
    queued_escalation: bool = False
    finish_reason: str = "stop"
    data_classes: tuple[str, ...] = ()


@dataclass
class ChatStream:
    """A route chosen before the first byte: ``deltas`` yields text; ``outcome`` fills at end."""

    route: Route
    reasons: tuple[str, ...]
    model: str
    prompt_tokens: int
    deltas: Iterator[str]
    outcome: ChatOutcome | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QueuedEscalation:
    """An escalation to forward when the uplink is back (redacted later, at send time)."""

    session: str
    task: str
    messages: list[Message]
    local_answer: str
    queued_at: float


class ChatRouter:
    """Runs chat requests through the cascade; thread-safe (its parts are)."""

    def __init__(self, config: RoutingConfig, *, local: LocalChat | None, cloud: CloudChat | None,
                 gate: EgressGate | None, budgets: BudgetLedger, meter: CostMeter,
                 on_escalation: Callable[[QueuedEscalation], None] | None = None,
                 summarize: Summarizer | None = None, allow_ungated_cloud: bool = False) -> None:
        self.config = config
        self.local = local
        self.cloud = cloud
        self.gate = gate
        self.budgets = budgets
        self.meter = meter
        self.on_escalation = on_escalation
        self.summarize = summarize
        # Without a gate nothing may leave unless a developer says so for synthetic data.
        self.allow_ungated_cloud = allow_ungated_cloud
        self.cloud_price_key = (f"{cloud.provider}/{cloud.model}" if cloud is not None
                                else config.counterfactual_model)
        if self.cloud_price_key not in meter.prices:
            raise ConfigError([("routing.prices", f"no price for {self.cloud_price_key!r}")])

    # --- helpers ---------------------------------------------------------------------------
    def count(self, text: str) -> int:
        """Return the token count from the local tokenizer (4 chars a token without one)."""
        if self.local is not None:
            return self.local.count_tokens(text)
        return max(1, len(text) // 4) if text else 0

    def features(self, req: ChatRequest) -> Features:
        """Return the features of ``req``; raises whatever the gate raises (fail closed)."""
        task = req.task or self.config.default_task
        policy = self.config.task(task)
        text = "\n".join(content_text(m) for m in req.messages)
        tokens = count_messages(req.messages, self.count)
        classes = (frozenset(c.upper() for c in self.gate.data_classes(text))
                   if self.gate is not None else frozenset())
        cloud_ok = self.cloud is not None and (self.gate is not None or self.allow_ungated_cloud)
        complexity = estimate_complexity(task, text, tokens, turns=len(req.messages))
        if req.model == CLOUD_MODEL_ID:
            complexity = 1.0
        return Features(
            task=task, input_tokens=tokens,
            deadline_s=(req.deadline_s if req.deadline_s is not None
                        else self.config.deadline_s(task)),
            threshold=policy.threshold, complexity=complexity, data_classes=classes,
            never_egress=frozenset(c.upper() for c in self.config.never_egress),
            cloud_allowed=policy.cloud_allowed and req.model != LOCAL_MODEL_ID,
            cloud_configured=cloud_ok, local_available=self.local is not None,
            max_local_input_tokens=policy.max_local_input_tokens,
            direct_cloud_complexity=policy.direct_cloud_complexity,
            local_estimate_s=(self.config.local_seconds_per_1k_tokens
                              * (tokens + req.max_tokens) / 1000),
            cloud_estimate_s=self.config.cloud.expected_latency_s,
            budget=self._budget_state(req, tokens),
            uplink_up=self.cloud.is_up() if self.cloud is not None else False,
            age_s=req.age_s, escalation_ttl_s=self.config.escalation_ttl_s,
        )

    def _budget_state(self, req: ChatRequest, input_tokens: int) -> BudgetState:
        state = self.budgets.state(req.session)
        if state in (BudgetState.OK, BudgetState.SOFT):
            # A request that would overrun what is left counts as over the hard limit.
            need = min(input_tokens, self.config.context.budget_tokens) + req.max_tokens
            if self.budgets.remaining(req.session) < need:
                return BudgetState.HARD
        return state

    def _run_local(self, req: ChatRequest) -> LocalReply:
        assert self.local is not None
        room = self.local.context_tokens - req.max_tokens - 16
        msgs = req.messages
        if count_messages(msgs, self.count) > room:
            msgs = prepare_context(msgs, self.count, self.config.context,
                                   budget_tokens=room).messages
        return self.local.complete(msgs, max_tokens=req.max_tokens)

    def _cloud_messages(self, req: ChatRequest) -> tuple[list[Message], ContextResult, str]:
        """Return the trimmed, redacted messages, the trim report and the redaction session."""
        ctx = prepare_context(req.messages, self.count, self.config.context,
                              summarize=self.summarize if self.config.context.summarize_old_turns
                              else None)
        msgs = ctx.messages
        # One redaction session per escalation: placeholders map back only for this answer.
        sid = "r-" + secrets.token_hex(12)
        if self.gate is not None:
            msgs = self.gate.redact(msgs, destination="cloud", session_id=sid)
        return msgs, ctx, sid

    def _restore(self, text: str, sid: str) -> str:
        return self.gate.reidentify(text, sid) if self.gate is not None else text

    def _forget(self, sid: str) -> None:
        if self.gate is not None:
            self.gate.end_session(sid)

    def _cascade(self, req: ChatRequest, f: Features) -> tuple[RouteDecision, LocalReply | None]:
        """Run the local step when the first decision asks; return the final decision."""
        self.budgets.ensure_open(req.session)
        first = decide(f)
        if first.route is Route.BLOCKED:
            raise RouteBlockedError(first.reasons)
        if first.route is Route.CLOUD:
            return first, None
        started = time.monotonic()
        try:
            reply = self._run_local(req)
        except ModelError as exc:
            log.warning("local model failed, deciding without it: %s", exc)
            second = decide(replace(f, local_available=False))
            if second.route is Route.BLOCKED:
                raise RouteBlockedError(second.reasons) from exc
            return second, None
        self.budgets.charge(req.session, reply.prompt_tokens + reply.completion_tokens,
                            billable=False)
        after = replace(f, local_confidence=reply.confidence,
                        elapsed_s=time.monotonic() - started)
        return decide(after), reply

    # --- non-streaming ----------------------------------------------------------------------
    def complete(self, req: ChatRequest) -> ChatOutcome:
        """Answer ``req``; raises RouteBlockedError, SessionEnded, or the gate's EgressBlocked."""
        f = self.features(req)
        decision, local = self._cascade(req, f)
        if decision.route is Route.CLOUD:
            try:
                return self._cloud_complete(req, f, decision)
            except (UplinkError, EgressBlocked) as exc:
                log.warning("escalation failed, answering locally: %s", exc)
                return self._fallback(req, f, local, exc)
        assert local is not None
        return self._local_outcome(req, f, decision, local)

    def _local_outcome(self, req: ChatRequest, f: Features, decision: RouteDecision,
                       local: LocalReply) -> ChatOutcome:
        if decision.queue_escalation and self.on_escalation is not None:
            self.on_escalation(QueuedEscalation(req.session, f.task, req.messages, local.text,
                                                time.time()))
        charge = self.meter.record(decision.route, self.config.local_model, local.prompt_tokens,
                                   local.completion_tokens,
                                   counterfactual_input_tokens=f.input_tokens)
        return ChatOutcome(
            text=local.text, route=decision.route, reasons=decision.reasons,
            model=self.local.model if self.local else "", prompt_tokens=local.prompt_tokens,
            completion_tokens=local.completion_tokens, input_tokens_untrimmed=f.input_tokens,
            confidence=local.confidence, cost_usd=charge.cost_usd, avoided_usd=charge.avoided_usd,
            queued_escalation=decision.queue_escalation,
            finish_reason="stop" if local.finished else "length",
            data_classes=tuple(sorted(f.data_classes)),
        )

    def _fallback(self, req: ChatRequest, f: Features, local: LocalReply | None,
                  exc: Exception) -> ChatOutcome:
        why = (Reason.UPLINK_DOWN.value if isinstance(exc, UplinkError)
               else "egress_blocked")
        if local is None and self.local is not None:
            try:
                local = self._run_local(req)
            except ModelError as err:
                raise RouteBlockedError([why, Reason.LOCAL_UNAVAILABLE]) from err
        if local is None:
            raise RouteBlockedError([why, Reason.LOCAL_UNAVAILABLE]) from exc
        queue = isinstance(exc, UplinkError) and req.age_s < self.config.escalation_ttl_s
        reasons = (Reason.LOW_CONFIDENCE.value, why,
                   *([Reason.ESCALATION_QUEUED.value] if queue else []))
        decision = RouteDecision(Route.LOCAL_DEGRADED, reasons, queue_escalation=queue)
        return self._local_outcome(req, f, decision, local)

    def _cloud_complete(self, req: ChatRequest, f: Features,
                        decision: RouteDecision) -> ChatOutcome:
        assert self.cloud is not None
        msgs, ctx, sid = self._cloud_messages(req)
        try:
            reply = self.cloud.complete(msgs, max_tokens=req.max_tokens,
                                        temperature=req.temperature)
            reply = replace(reply, text=self._restore(reply.text, sid))
        finally:
            self._forget(sid)
        return self._cloud_outcome(req, f, decision, ctx=ctx, sent=msgs, reply=reply)

    def _cloud_outcome(self, req: ChatRequest, f: Features, decision: RouteDecision, *,
                       ctx: ContextResult, sent: list[Message], reply: CloudReply) -> ChatOutcome:
        local_count = count_messages(sent, self.count)
        prompt = reply.prompt_tokens or local_count
        if reply.prompt_tokens:
            self.meter.reconcile(local_count, reply.prompt_tokens)
        completion = reply.completion_tokens or self.count(reply.text)
        charge = self.meter.record(Route.CLOUD, self.cloud_price_key, prompt, completion,
                                   cached_tokens=reply.cached_tokens,
                                   counterfactual_input_tokens=f.input_tokens)
        # Charged after the call: a runaway is detected on what was spent, and ends the session.
        self.budgets.charge(req.session, prompt + completion)
        return ChatOutcome(
            text=reply.text, route=Route.CLOUD, reasons=decision.reasons,
            model=reply.model or (self.cloud.model if self.cloud else ""),
            prompt_tokens=prompt, completion_tokens=completion, cached_tokens=reply.cached_tokens,
            input_tokens_untrimmed=f.input_tokens, compression_ratio=ctx.ratio,
            cost_usd=charge.cost_usd, avoided_usd=charge.avoided_usd,
            finish_reason=reply.finish_reason, data_classes=tuple(sorted(f.data_classes)),
        )

    # --- streaming --------------------------------------------------------------------------
    def stream(self, req: ChatRequest) -> ChatStream:
        """Choose the route, then return a stream of text; ``outcome`` is set once it ends.

        The local model's answer is needed for its confidence, so a local
        answer is computed first and then streamed; a cloud answer streams live.
        """
        f = self.features(req)
        decision, local = self._cascade(req, f)
        if decision.route is Route.CLOUD:
            assert self.cloud is not None
            try:
                msgs, ctx, sid = self._cloud_messages(req)
            except EgressBlocked as exc:
                return self._local_stream(self._fallback(req, f, local, exc))
            prompt_estimate = count_messages(msgs, self.count)
            out = ChatStream(Route.CLOUD, decision.reasons, self.cloud.model, prompt_estimate,
                             iter(()), extra={"compression_ratio": ctx.ratio})
            gen = self._cloud_deltas(req, f, decision, ctx=ctx, msgs=msgs, out=out, sid=sid)
            # Pull the first piece before answering, so a dead endpoint still falls back.
            try:
                first = [next(gen)]
            except StopIteration:
                first = []
            except UplinkError as exc:
                self._forget(sid)
                log.warning("escalation failed, answering locally: %s", exc)
                return self._local_stream(self._fallback(req, f, local, exc))
            out.deltas = itertools.chain(first, gen)
            return out
        assert local is not None
        return self._local_stream(self._local_outcome(req, f, decision, local))

    def _local_stream(self, outcome: ChatOutcome) -> ChatStream:
        words = outcome.text.split(" ")
        deltas = iter([w if i == 0 else f" {w}" for i, w in enumerate(words)] if outcome.text
                      else [])
        return ChatStream(outcome.route, outcome.reasons, outcome.model, outcome.prompt_tokens,
                          deltas, outcome)

    def _cloud_deltas(self, req: ChatRequest, f: Features, decision: RouteDecision, *,
                      ctx: ContextResult, msgs: list[Message], out: ChatStream,
                      sid: str) -> Iterator[str]:
        assert self.cloud is not None
        parts: list[str] = []
        usage: CloudReply | None = None
        pending = ""
        try:
            for delta in self.cloud.stream(msgs, max_tokens=req.max_tokens,
                                           temperature=req.temperature):
                if delta.usage is not None:
                    usage = delta.usage
                elif delta.text:
                    # Hold back a placeholder that may continue in the next delta.
                    pending += delta.text
                    cut = pending.rfind("<")
                    ready, pending = ((pending[:cut], pending[cut:])
                                      if cut >= 0 and ">" not in pending[cut:] else (pending, ""))
                    if ready:
                        ready = self._restore(ready, sid)
                        parts.append(ready)
                        yield ready
            if pending:
                pending = self._restore(pending, sid)
                parts.append(pending)
                yield pending
        finally:
            self._forget(sid)
        text = "".join(parts)
        reply = CloudReply(text, usage.prompt_tokens if usage else 0,
                           usage.completion_tokens if usage else 0,
                           usage.cached_tokens if usage else 0,
                           usage.model if usage else self.cloud.model,
                           usage.finish_reason if usage else "stop")
        out.outcome = self._cloud_outcome(req, f, decision, ctx=ctx, sent=msgs, reply=reply)
