"""The interface every ingest source (MQTT, serial, camera) delivers into."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from appliance.schema import Event


class EventSink(Protocol):
    """Where ingest hands events and rejects; implemented by the pipeline."""

    def submit(self, event: Event, ack: Callable[[], None] | None = None) -> bool:
        """Queue ``event`` for a decision; ``ack`` runs once its decision is published.

        Returns False when the event was shed (queue full); the sink has then
        already dead-lettered it with reason ``shed`` and called ``ack``.
        """
        ...

    def dead_letter(self, topic: str, payload: bytes, reason: str, detail: str,
                    event_id: str | None = None, ack: Callable[[], None] | None = None) -> None:
        """Publish a dead-letter record for a rejected input, count it and log it.

        ``ack`` runs once the record is published (the input may then be released).
        """
        ...
