"""Pipeline semantics: ack after publish, dedup of redeliveries, counted shedding, drain."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from appliance.metrics import DaemonMetrics
from appliance.pipeline import Pipeline
from appliance.schema import Decision, Event, EventKind


class Outbox:
    """Records publishes; acknowledges them immediately or when told."""

    def __init__(self, auto_ack: bool = True) -> None:
        self.sent: list[tuple[str, dict[str, object]]] = []
        self.waiting: list[Callable[[], None]] = []
        self.auto_ack = auto_ack
        self.lock = threading.Lock()

    def publish(self, topic: str, payload: bytes, on_acked: Callable[[], None] | None) -> None:
        with self.lock:
            self.sent.append((topic, json.loads(payload)))
        if on_acked is not None:
            if self.auto_ack:
                on_acked()
            else:
                self.waiting.append(on_acked)


def _event(i: int) -> Event:
    return Event(id=f"e{i}", kind=EventKind.SENSOR, source="m1", topic="t", ts=0.0,
                 readings={"temperature": 50.0})


def _decide(gate: threading.Event | None = None) -> Callable[[Event], Decision]:
    def decide(event: Event) -> Decision:
        if gate is not None:
            gate.wait(5)
        return Decision(event_id=event.id, device="d", kind=event.kind, source=event.source,
                        label="low", confidence=1.0)
    return decide


def test_ack_runs_only_after_the_decision_is_acknowledged() -> None:
    out = Outbox(auto_ack=False)
    p = Pipeline("d", _decide(), out.publish, "dec", "dl", DaemonMetrics(), 10, 1)
    p.start()
    acked = threading.Event()
    p.submit(_event(1), acked.set)
    assert p.stop(timeout=0.5) is False  # decided and published, broker ack outstanding
    assert not acked.is_set()
    out.waiting.pop()()
    assert acked.is_set() and p.inflight() == 0


def test_redelivered_event_is_acked_but_not_decided_twice() -> None:
    out = Outbox()
    p = Pipeline("d", _decide(), out.publish, "dec", "dl", DaemonMetrics(), 10, 1)
    p.start()
    acks: list[int] = []
    p.submit(_event(1), lambda: acks.append(1))
    p.stop(5)
    p2_acks: list[int] = []
    p.submit(_event(1), lambda: p2_acks.append(1))
    assert [t for t, _ in out.sent] == ["dec"] and acks == [1] and p2_acks == [1]
    assert p.metrics.duplicates._value.get() == 1


def test_full_queue_sheds_with_a_dead_letter_and_a_count() -> None:
    out = Outbox()
    gate = threading.Event()
    p = Pipeline("d", _decide(gate), out.publish, "dec", "dl", DaemonMetrics(), 2, 1)
    p.start()
    acked: list[str] = []
    results = [p.submit(_event(i), lambda i=i: acked.append(f"e{i}")) for i in range(6)]
    gate.set()
    p.stop(5)
    shed = [body for topic, body in out.sent if topic == "dl"]
    assert results.count(False) == len(shed) >= 3
    assert all(b["reason"] == "shed" for b in shed)
    assert sorted(acked) == [f"e{i}" for i in range(6)]  # every input released exactly once
    assert p.metrics.shed._value.get() == len(shed)


def test_decider_failure_is_dead_lettered_not_dropped() -> None:
    out = Outbox()

    def boom(event: Event) -> Decision:
        raise RuntimeError("model exploded")

    p = Pipeline("d", boom, out.publish, "dec", "dl", DaemonMetrics(), 10, 1)
    p.start()
    acked: list[int] = []
    p.submit(_event(1), lambda: acked.append(1))
    p.stop(5)
    assert out.sent[0][0] == "dl" and out.sent[0][1]["reason"] == "decide_failed"
    assert "model exploded" in str(out.sent[0][1]["detail"]) and acked == [1]
