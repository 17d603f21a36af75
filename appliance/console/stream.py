"""Live decisions for the console: the fields safe to show, and a fan-out to SSE clients.

A :class:`DecisionFeed` registers one listener on the pipeline; each connected
browser gets a bounded asyncio queue fed from the deciding thread. A slow browser
loses events (counted) rather than slowing the pipeline.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from appliance.schema import Decision

log = logging.getLogger(__name__)

# ``reasons`` and ``detail`` may quote operator text or readings; the console shows none of it.
SAFE_FIELDS = ("event_id", "kind", "source", "line", "label", "severity", "action", "confidence",
               "route", "degraded", "model", "latency_ms", "decided_at")


def safe_view(decision: Decision) -> dict[str, Any]:
    """Return the decision's fields that are safe to display (no text, no readings)."""
    data = decision.model_dump(mode="json", include=set(SAFE_FIELDS))
    tokens = decision.detail.get("tokens")
    data["tokens"] = tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else None
    return data


def matches(decision: Decision, source: str | None, route: str | None) -> bool:
    """Return whether ``decision`` passes the console's source and route filters."""
    return (not source or decision.source == source) and (not route or decision.route == route)


class DecisionFeed:
    """Fan decisions out from the pipeline's thread to every open event stream."""

    def __init__(self, queue_size: int = 256) -> None:
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._subscribers: list[tuple[asyncio.AbstractEventLoop,
                                      asyncio.Queue[Decision]]] = []
        self.dropped = 0

    def publish(self, decision: Decision) -> None:
        """Hand ``decision`` to every subscriber (called on the pipeline's thread)."""
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            try:
                loop.call_soon_threadsafe(self._offer, queue, decision)
            except RuntimeError:  # the subscriber's loop has closed
                continue

    def _offer(self, queue: asyncio.Queue[Decision], decision: Decision) -> None:
        try:
            queue.put_nowait(decision)
        except asyncio.QueueFull:
            self.dropped += 1
            log.warning("console stream too slow; dropped a decision (%d so far)", self.dropped)

    def subscribers(self) -> int:
        """Return how many streams are open."""
        with self._lock:
            return len(self._subscribers)

    async def events(self, source: str | None, route: str | None,
                     disconnected: Callable[[], Any], ready: Callable[[], bool],
                     max_age_s: float = 25.0, keepalive_s: float = 10.0,
                     check_s: float = 0.5) -> AsyncIterator[str]:
        """Yield SSE frames for matching decisions until the client leaves or ``max_age_s``.

        The stream also ends (with a ``notready`` event) as soon as the daemon is not
        ready: it is stopping, or its broker link is down. So a stopping server is never
        held open by a browser; the console reconnects and fills any gap from
        ``/console/api/decisions``.
        """
        queue: asyncio.Queue[Decision] = asyncio.Queue(self._queue_size)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers.append(entry)
        try:
            yield "retry: 1000\n: connected\n\n"
            now = time.monotonic()
            end, quiet_since = now + max_age_s, now
            while time.monotonic() < end:
                if not ready():
                    yield "event: notready\ndata: {}\n\n"
                    return
                try:
                    decision = await asyncio.wait_for(queue.get(), check_s)
                except TimeoutError:
                    if time.monotonic() - quiet_since >= keepalive_s:
                        if await disconnected():
                            return
                        quiet_since = time.monotonic()
                        yield ": keepalive\n\n"
                    continue
                if matches(decision, source, route):
                    yield f"event: decision\ndata: {json.dumps(safe_view(decision))}\n\n"
            yield "event: reconnect\ndata: {}\n\n"
        finally:
            with self._lock:
                self._subscribers.remove(entry)
