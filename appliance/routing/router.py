"""The routing decision: a pure function of features that cost no model call.

:func:`decide` is called twice in the cascade. Before the local model runs
(``local_confidence is None``) it says whether to run locally first
(``Route.LOCAL``), to go straight to the cloud (``Route.CLOUD``), or that
nothing may answer (``Route.BLOCKED``). After the local model answered it says
whether that answer is final (``LOCAL``), must be escalated (``CLOUD``), or is
published marked degraded (``LOCAL_DEGRADED``, with ``queue_escalation`` when
the uplink is down and the escalation has not expired). Every decision carries
its reasons as stable codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from appliance.schema import Route


class BudgetState(StrEnum):
    """Where the session and device budgets stand."""

    OK = "ok"
    SOFT = "soft"  # an alert was raised; escalation still allowed
    HARD = "hard"  # exhausted: local only
    RUNAWAY = "runaway"  # the session was ended


class Reason(StrEnum):
    """Stable reason codes a decision carries."""

    CONFIDENT = "confident"
    LOW_CONFIDENCE = "low_confidence"
    LOCAL_FIRST = "local_first"
    COMPLEX_INPUT = "complex_input"
    INPUT_TOO_LONG_FOR_LOCAL = "input_too_long_for_local"
    LOCAL_UNAVAILABLE = "local_unavailable"
    DEADLINE_NO_TIME_TO_ESCALATE = "deadline_no_time_to_escalate"
    DEADLINE_TIGHT = "deadline_tight"
    DATA_CLASS_FORBIDDEN = "data_class_forbidden"
    TASK_LOCAL_ONLY = "task_local_only"
    CLOUD_NOT_CONFIGURED = "cloud_not_configured"
    BUDGET_SOFT_LIMIT = "budget_soft_limit"
    BUDGET_HARD_LIMIT = "budget_hard_limit"
    SESSION_RUNAWAY = "session_runaway"
    UPLINK_DOWN = "uplink_down"
    ESCALATION_QUEUED = "escalation_queued"
    ESCALATION_EXPIRED = "escalation_expired"
    CACHED = "cached"


# Reasons that forbid the cloud outright (as opposed to the uplink merely being down).
REFUSALS = frozenset({
    Reason.DATA_CLASS_FORBIDDEN, Reason.TASK_LOCAL_ONLY, Reason.CLOUD_NOT_CONFIGURED,
    Reason.BUDGET_HARD_LIMIT, Reason.SESSION_RUNAWAY, Reason.DEADLINE_NO_TIME_TO_ESCALATE,
})


@dataclass(frozen=True)
class Features:
    """Everything :func:`decide` looks at; all of it is known without a model call.

    ``data_classes`` are the privacy classes detected in the input;
    ``never_egress`` the classes policy keeps on the device even redacted.
    ``age_s`` is how long ago the event happened (for escalation expiry).
    """

    task: str
    input_tokens: int
    deadline_s: float
    threshold: float
    complexity: float = 0.0
    local_confidence: float | None = None
    data_classes: frozenset[str] = frozenset()
    never_egress: frozenset[str] = frozenset()
    cloud_allowed: bool = True
    cloud_configured: bool = True
    local_available: bool = True
    max_local_input_tokens: int = 6000
    direct_cloud_complexity: float = 0.85
    local_estimate_s: float = 0.5
    cloud_estimate_s: float = 2.5
    elapsed_s: float = 0.0
    budget: BudgetState = BudgetState.OK
    uplink_up: bool = True
    age_s: float = 0.0
    escalation_ttl_s: float = 900.0


@dataclass(frozen=True)
class RouteDecision:
    """The route and why; ``queue_escalation`` asks the caller to forward later."""

    route: Route
    reasons: tuple[str, ...]
    queue_escalation: bool = False
    notes: dict[str, float] = field(default_factory=dict)

    @property
    def degraded(self) -> bool:
        """True when the answer is published without the escalation it needed."""
        return self.route is Route.LOCAL_DEGRADED


def cloud_refusals(f: Features) -> list[str]:
    """Return the reasons (codes, some with ``:detail``) the cloud may not be used.

    The uplink being down is not a refusal: the escalation can be queued.
    """
    out: list[str] = []
    if f.budget is BudgetState.RUNAWAY:
        out.append(Reason.SESSION_RUNAWAY)
    forbidden = sorted(f.data_classes & f.never_egress)
    if forbidden:
        out.append(f"{Reason.DATA_CLASS_FORBIDDEN}:{','.join(forbidden)}")
    if not f.cloud_allowed:
        out.append(Reason.TASK_LOCAL_ONLY)
    if not f.cloud_configured:
        out.append(Reason.CLOUD_NOT_CONFIGURED)
    if f.budget is BudgetState.HARD:
        out.append(Reason.BUDGET_HARD_LIMIT)
    return out


def _code(reason: str) -> str:
    return reason.split(":", 1)[0]


def decide(f: Features) -> RouteDecision:
    """Return where ``f`` is decided and every reason why. Pure; never raises."""
    if f.budget is BudgetState.RUNAWAY:
        return RouteDecision(Route.BLOCKED, (Reason.SESSION_RUNAWAY,))
    refusals = cloud_refusals(f)
    notes = {"complexity": f.complexity, "threshold": f.threshold}
    soft = [Reason.BUDGET_SOFT_LIMIT.value] if f.budget is BudgetState.SOFT else []
    local_fits = f.local_available and f.input_tokens <= f.max_local_input_tokens
    if f.local_confidence is None:
        return _before_local(f, refusals, soft, local_fits, notes)
    return _after_local(f, refusals, soft, notes)


def _before_local(f: Features, refusals: list[str], soft: list[str], local_fits: bool,
                  notes: dict[str, float]) -> RouteDecision:
    cloud_possible = not refusals and f.uplink_up
    if not local_fits:
        why = (Reason.LOCAL_UNAVAILABLE if not f.local_available
               else Reason.INPUT_TOO_LONG_FOR_LOCAL)
        if cloud_possible:
            return RouteDecision(Route.CLOUD, (why, *soft), notes=notes)
        blockers = [*refusals] if refusals else [Reason.UPLINK_DOWN.value]
        return RouteDecision(Route.BLOCKED, (why, *blockers), notes=notes)
    remaining = f.deadline_s - f.elapsed_s
    if f.complexity >= f.direct_cloud_complexity and cloud_possible \
            and f.cloud_estimate_s <= remaining:
        return RouteDecision(Route.CLOUD, (Reason.COMPLEX_INPUT, *soft), notes=notes)
    reasons: list[str] = [Reason.LOCAL_FIRST]
    if f.local_estimate_s > remaining:
        # Nothing is faster than the device; run it anyway and say the deadline is at risk.
        reasons.append(Reason.DEADLINE_TIGHT)
    return RouteDecision(Route.LOCAL, (*reasons, *soft), notes=notes)


def _after_local(f: Features, refusals: list[str], soft: list[str],
                 notes: dict[str, float]) -> RouteDecision:
    conf = f.local_confidence if f.local_confidence is not None else 0.0
    notes = {**notes, "confidence": conf}
    if conf >= f.threshold:
        return RouteDecision(Route.LOCAL, (Reason.CONFIDENT, *soft), notes=notes)
    reasons: list[str] = [Reason.LOW_CONFIDENCE]
    remaining = f.deadline_s - f.elapsed_s
    if f.cloud_estimate_s > remaining:
        refusals = [*refusals, Reason.DEADLINE_NO_TIME_TO_ESCALATE.value]
    if refusals:
        return RouteDecision(Route.LOCAL_DEGRADED, (*reasons, *refusals, *soft), notes=notes)
    if not f.uplink_up:
        if f.age_s < f.escalation_ttl_s:
            return RouteDecision(
                Route.LOCAL_DEGRADED,
                (*reasons, Reason.UPLINK_DOWN, Reason.ESCALATION_QUEUED, *soft),
                queue_escalation=True, notes=notes,
            )
        return RouteDecision(
            Route.LOCAL_DEGRADED,
            (*reasons, Reason.UPLINK_DOWN, Reason.ESCALATION_EXPIRED, *soft), notes=notes,
        )
    return RouteDecision(Route.CLOUD, (*reasons, *soft), notes=notes)


_QUESTION = re.compile(r"\?")
_STEPS = re.compile(
    r"\b(why|explain|compare|plan|analy[sz]e|root cause|step by step|summari[sz]e|"
    r"correlate|diagnos\w*|recommend|trade-?offs?)\b",
    re.IGNORECASE,
)
_CODE = re.compile(r"```|Traceback|\bdef |\bclass |[{};]{3,}")


def estimate_complexity(task: str, text: str, input_tokens: int, turns: int = 1) -> float:
    """Return a cheap complexity estimate in [0, 1] from surface features only.

    Label tasks on short inputs score low; long multi-question reasoning
    requests with code or many turns score high. No model is called.
    """
    score = 0.0
    if task in ("chat", "agent", "summary"):
        score += 0.25
    score += min(input_tokens / 4000.0, 1.0) * 0.3
    score += min(len(_QUESTION.findall(text)), 3) / 3.0 * 0.1
    score += min(len(_STEPS.findall(text)), 3) / 3.0 * 0.2
    score += 0.1 if _CODE.search(text) else 0.0
    score += min(max(turns - 1, 0), 8) / 8.0 * 0.05
    return round(min(score, 1.0), 4)


def explain(f: Features, decision: RouteDecision) -> list[tuple[str, str]]:
    """Return ``(name, value)`` rows for every feature and the outcome, for ``--explain``."""
    def show(value: object) -> str:
        if isinstance(value, frozenset):
            return ", ".join(sorted(str(v) for v in value)) or "-"
        return str(value)

    rows = [(name, show(getattr(f, name))) for name in f.__dataclass_fields__]
    rows.append(("=> route", decision.route.value))
    rows.append(("=> reasons", ", ".join(decision.reasons)))
    if decision.queue_escalation:
        rows.append(("=> queue_escalation", "yes"))
    return rows
