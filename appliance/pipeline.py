"""The one place that wires ingest to deciding to publishing.

Bounded queue, worker threads, explicit and counted load shedding, dedup of
redelivered events, acknowledgement only after the outcome is published, and
a drain on shutdown. The deciding stage is any callable ``Event -> Decision``
(rules today, models when configured), so the path is real end to end.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from appliance.metrics import DaemonMetrics
from appliance.schema import DeadLetter, DeadLetterReason, Decision, Event, EventKind, Route, Severity

log = logging.getLogger(__name__)

Decide = Callable[[Event], Decision]
Publish = Callable[[str, bytes, Callable[[], None] | None], None]
_STOP = object()


@dataclass
class _Work:
    event: Event
    received: float


class Pipeline:
    """Queue events, decide them on worker threads, publish, then acknowledge."""

    def __init__(self, device_id: str, decide: Decide, publish: Publish, decision_topic: str,
                 deadletter_topic: str, metrics: DaemonMetrics, queue_size: int = 1024,
                 workers: int = 2, dedup_window: int = 65536, inline: bool = False) -> None:
        self.device_id = device_id
        self._decide = decide
        self._publish = publish
        self._decision_topic = decision_topic
        self._deadletter_topic = deadletter_topic
        self.metrics = metrics
        self._queue: queue.Queue[_Work | object] = queue.Queue(maxsize=queue_size)
        self._workers_n = workers
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._inflight: dict[str, list[Callable[[], None]]] = {}
        self._decided: OrderedDict[str, None] = OrderedDict()
        self._dedup_window = dedup_window
        # A cheap, non-blocking decider (the rule stage: tens of microseconds) runs on the
        # caller's thread; a thread hand-off per event would cost more than the decision.
        self._inline = inline
        self._busy_since: dict[int, float | None] = {}
        self.recent: deque[Decision] = deque(maxlen=500)
        # Labelled Prometheus children looked up once, not per event.
        self._events_by_kind = {k: metrics.events.labels(k.value) for k in EventKind}
        self._decisions_by = {(r, s): metrics.decisions.labels(r.value, s.value)
                              for r in Route for s in Severity}
        self.listeners: list[Callable[[Decision], None]] = []

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker threads (none when deciding inline)."""
        for i in range(0 if self._inline else self._workers_n):
            t = threading.Thread(target=self._work, args=(i,), name=f"decide-{i}", daemon=True)
            self._busy_since[i] = None
            t.start()
            self._threads.append(t)

    def alive(self, stall_s: float = 30.0) -> bool:
        """True while every worker runs and none has been stuck on one event for ``stall_s``."""
        now = time.monotonic()
        if self._inline:
            return True
        return bool(self._threads) and all(t.is_alive() for t in self._threads) and all(
            since is None or now - since < stall_s for since in self._busy_since.values())

    def depth(self) -> int:
        """Events waiting for a worker."""
        return self._queue.qsize()

    def inflight(self) -> int:
        """Events accepted whose outcome is not yet acknowledged by the broker."""
        with self._lock:
            return len(self._inflight)

    def stop(self, timeout: float) -> bool:
        """Drain queued work, wait for outstanding acknowledgements; True if all finished."""
        deadline = time.monotonic() + timeout
        for _ in self._threads:
            self._queue.put(_STOP)
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        while self.inflight() and time.monotonic() < deadline:
            time.sleep(0.02)
        left = self.inflight()
        if left:
            log.warning("shutdown: %d event(s) not acknowledged; the broker will redeliver them", left)
        return left == 0

    # -- intake (appliance.ingest.sink.EventSink) -------------------------------------------

    def submit(self, event: Event, ack: Callable[[], None] | None = None) -> bool:
        """Queue ``event``; see :class:`appliance.ingest.sink.EventSink`."""
        with self._lock:
            if event.id in self._decided:
                self.metrics.duplicates.inc()
                if ack is not None:
                    ack()
                return True
            if event.id in self._inflight:
                self.metrics.duplicates.inc()
                if ack is not None:
                    self._inflight[event.id].append(ack)
                return True
            self._inflight[event.id] = [ack] if ack is not None else []
        if self._inline:
            self._events_by_kind[event.kind].inc()
            self._handle(_Work(event, time.monotonic()))
            return True
        try:
            self._queue.put_nowait(_Work(event, time.monotonic()))
        except queue.Full:
            with self._lock:
                acks = self._inflight.pop(event.id, [])
            self.metrics.shed.inc()
            self.dead_letter(event.topic, event.model_dump_json().encode(), DeadLetterReason.SHED,
                             f"decision queue full ({self._queue.maxsize})", event.id,
                             ack=lambda: _run_all(acks))
            return False
        self._events_by_kind[event.kind].inc()
        self.metrics.queue_depth.set(self._queue.qsize())
        return True

    def dead_letter(self, topic: str, payload: bytes, reason: str, detail: str,
                    event_id: str | None = None, ack: Callable[[], None] | None = None) -> None:
        """Publish a dead-letter record, count it and log it; ``ack`` runs once published."""
        record = DeadLetter(device=self.device_id, topic=topic, reason=str(reason), detail=detail,
                            size=len(payload), excerpt=repr(payload[:160])[2:-1],
                            event_id=event_id)
        self.metrics.deadletters.labels(str(reason)).inc()
        log.warning("dead letter from %s: %s (%s)", topic, reason, detail[:200])
        self._publish(self._deadletter_topic, record.model_dump_json().encode(), ack)

    # -- workers ----------------------------------------------------------------------------

    def _work(self, index: int) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            assert isinstance(item, _Work)
            self.metrics.queue_depth.set(self._queue.qsize())
            self._busy_since[index] = time.monotonic()
            try:
                self._handle(item)
            finally:
                self._busy_since[index] = None

    def _handle(self, work: _Work) -> None:
        event = work.event
        try:
            decision = self._decide(event)
        except Exception as exc:
            log.exception("deciding event %s failed", event.id)
            self.dead_letter(event.topic, event.model_dump_json().encode(),
                             DeadLetterReason.DECIDE_FAILED, f"{type(exc).__name__}: {exc}",
                             event.id, ack=lambda: self._finish(event.id))
            return
        decision.latency_ms = round((time.monotonic() - work.received) * 1000.0, 3)
        self._publish(self._decision_topic, decision.model_dump_json().encode(),
                      lambda: self._finish(event.id, work.received))
        self._decisions_by[(decision.route, decision.severity)].inc()
        self.recent.append(decision)
        for listener in list(self.listeners):
            try:
                listener(decision)
            except Exception:
                log.exception("decision listener failed")

    def _finish(self, event_id: str, received: float | None = None) -> None:
        with self._lock:
            acks = self._inflight.pop(event_id, [])
            if self._dedup_window:
                self._decided[event_id] = None
                while len(self._decided) > self._dedup_window:
                    self._decided.popitem(last=False)
        if received is not None:
            self.metrics.latency.observe(time.monotonic() - received)
        _run_all(acks)


def _run_all(acks: list[Callable[[], None]]) -> None:
    for ack in acks:
        ack()
