"""Budgets: soft alerts, hard limit turns routing local-only, runaway sessions are ended."""

from __future__ import annotations

from dataclasses import replace

import pytest

from appliance.routing.budget import BudgetAlert, BudgetLedger, SessionEnded
from appliance.routing.router import BudgetState, Features, Reason, decide
from appliance.routing.settings import BudgetConfig
from appliance.schema import Route


class Clock:
    def __init__(self, t: float = 1_767_225_600.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_soft_limit_alerts_once_and_hard_limit_falls_back_to_local() -> None:
    clock = Clock()
    alerts: list[BudgetAlert] = []
    cfg = BudgetConfig(session_tokens=1000, device_day_tokens=10_000, soft_fraction=0.8,
                       runaway_tokens_per_window=10**9)
    ledger = BudgetLedger(cfg, on_alert=alerts.append, clock=clock)
    assert ledger.charge("s1", 500) is BudgetState.OK
    clock.t += 120
    assert ledger.charge("s1", 350) is BudgetState.SOFT
    clock.t += 120
    assert ledger.charge("s1", 10) is BudgetState.SOFT
    assert [(a.scope, a.level) for a in alerts] == [("session", "soft")]
    clock.t += 120
    assert ledger.charge("s1", 200) is BudgetState.HARD
    assert [(a.scope, a.level) for a in alerts][-1] == ("session", "hard")
    assert ledger.remaining("s1") == 0
    # the exhausted budget makes a low-confidence answer stay local, marked degraded, with reason
    f = Features(task="chat", input_tokens=100, deadline_s=15, threshold=0.8,
                 local_confidence=0.3, budget=ledger.state("s1"))
    d = decide(f)
    assert d.route is Route.LOCAL_DEGRADED
    assert Reason.BUDGET_HARD_LIMIT in d.reasons
    # another session still has its own budget
    assert ledger.state("s2") is BudgetState.OK


def test_device_day_budget_resets_next_utc_day() -> None:
    clock = Clock()
    cfg = BudgetConfig(session_tokens=10**6, device_day_tokens=1000,
                       runaway_tokens_per_window=10**9)
    ledger = BudgetLedger(cfg, clock=clock)
    ledger.charge("a", 600)
    ledger.charge("b", 500)
    assert ledger.state("c") is BudgetState.HARD
    clock.t += 86_400
    assert ledger.state("c") is BudgetState.OK
    snap = ledger.snapshot()
    assert snap["device_day"] == {"day": "2026-01-02", "used": 0, "limit": 1000}


def test_runaway_session_is_ended_with_clear_error() -> None:
    clock = Clock()
    alerts: list[BudgetAlert] = []
    cfg = BudgetConfig(session_tokens=10**7, device_day_tokens=10**8, runaway_window_s=60,
                       runaway_tokens_per_window=10**6, runaway_spike_factor=5.0,
                       runaway_min_tokens=5000)
    ledger = BudgetLedger(cfg, on_alert=alerts.append, clock=clock)
    # a steady agent: ~1,000 tokens a minute for ten minutes
    for _ in range(10):
        ledger.charge("agent", 1000)
        clock.t += 60
    # then a loop: 20 calls of 800 tokens inside one minute
    with pytest.raises(SessionEnded) as err:
        for _ in range(20):
            ledger.charge("agent", 800)
            clock.t += 2
    assert "spiked" in str(err.value) and "agent" in str(err.value)
    assert ledger.state("agent") is BudgetState.RUNAWAY
    with pytest.raises(SessionEnded):
        ledger.ensure_open("agent")
    assert any(a.level == "runaway" for a in alerts)
    assert decide(Features(task="chat", input_tokens=10, deadline_s=15, threshold=0.5,
                           budget=ledger.state("agent"))).route is Route.BLOCKED
    ledger.ensure_open("other-session")


def test_absolute_window_limit_ends_a_new_session() -> None:
    clock = Clock()
    cfg = BudgetConfig(runaway_tokens_per_window=5000, runaway_window_s=60)
    ledger = BudgetLedger(cfg, clock=clock)
    ledger.charge("s", 4000)
    with pytest.raises(SessionEnded, match="exceeds the runaway limit"):
        ledger.charge("s", 2000)


def test_alert_sink_failure_does_not_fail_the_charge() -> None:
    def broken(_: BudgetAlert) -> None:
        raise RuntimeError("mqtt down")

    ledger = BudgetLedger(BudgetConfig(session_tokens=100, runaway_tokens_per_window=10**6),
                          on_alert=broken, clock=Clock())
    assert ledger.charge("s", 90) is BudgetState.SOFT


def test_ended_session_stays_blocked_in_router() -> None:
    ledger = BudgetLedger(BudgetConfig(), clock=Clock())
    ledger.end_session("s", "operator")
    f = replace(Features(task="chat", input_tokens=1, deadline_s=1, threshold=0.5),
                budget=ledger.state("s"))
    assert decide(f).reasons == (Reason.SESSION_RUNAWAY,)
