"""The device's uplink in one object, for the daemon to wire: outbox, client and sender thread.

    uplink = Uplink(config.uplink, config.device_id, on_reply=..., on_expired=...)
    uplink.start()
    uplink.submit(message_id, EscalationRequest(...), priority=7)   # durable once it returns
    registry.register(uplink.collector())                          # depth, age, counters
    uplink.stop()

Callbacks run on the sender thread: ``on_reply(message_id, EscalationReply)``
once an answer arrived (``status="outcome_unknown"`` means: keep the local
decision), ``on_expired(OutboxItem)`` / ``on_evicted(OutboxItem)`` when an item
is given up (publish the local decision as final ``degraded``, write the audit
record), ``on_rejected(OutboxItem, reason)`` when the relay refused it for good.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from pydantic import ValidationError

from appliance.errors import UplinkError
from appliance.uplink.client import UplinkClient
from appliance.uplink.forwarder import Forwarder, OnRejected
from appliance.uplink.keys import load_keys
from appliance.uplink.messages import EscalationReply, EscalationRequest
from appliance.uplink.outbox import (
    Outbox,
    OutboxItem,
    OutboxStats,
    load_or_create_storage_key,
)
from appliance.uplink.outbox_metrics import OutboxCollector
from appliance.uplink.settings import UplinkConfig

log = logging.getLogger(__name__)

OnAnswer = Callable[[str, EscalationReply], None]


class Uplink:
    """Store-and-forward escalations to the relay; survives restarts through its outbox."""

    def __init__(self, config: UplinkConfig, device_id: str, *, on_reply: OnAnswer,
                 on_expired: Callable[[OutboxItem], None] | None = None,
                 on_evicted: Callable[[OutboxItem], None] | None = None,
                 on_rejected: OnRejected | None = None, idle_s: float = 0.5) -> None:
        self.config = config
        self.device_id = device_id
        self._on_reply = on_reply
        self._on_rejected = on_rejected
        self._idle_s = idle_s
        self.outbox = Outbox(
            config.outbox_path, load_or_create_storage_key(config.keys_dir),
            quota_bytes=config.quota_bytes, ttl_s=config.ttl_s,
            retry_base_s=config.retry_base_s, retry_max_s=config.retry_max_s,
            retry_jitter=config.retry_jitter, lease_s=config.timeout_s * 2 + 5,
            on_expired=on_expired, on_evicted=on_evicted)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._forwarder: Forwarder | None = None

    def _deliver(self, item: OutboxItem, raw: bytes) -> None:
        try:
            reply = EscalationReply.model_validate_json(raw)
        except ValidationError as exc:
            raise UplinkError(f"reply to {item.message_id} is not an EscalationReply") from exc
        self._on_reply(item.message_id, reply)

    def start(self) -> None:
        """Load the keys, open the TLS client and start the sender thread.

        Raises :class:`UplinkError` (or a key/PKI error) if keys or certificates are missing.
        """
        client = UplinkClient.from_config(self.config, self.device_id,
                                          load_keys(self.config.keys_dir))
        self._forwarder = Forwarder(self.outbox, client, self._deliver,
                                    on_rejected=self._on_rejected, batch=self.config.batch,
                                    concurrency=self.config.concurrency)
        self._stop.clear()
        self._thread = threading.Thread(target=self._forwarder.run,
                                        args=(self._stop, self._idle_s),
                                        name="uplink-sender", daemon=True)
        self._thread.start()
        log.info("uplink to %s started (%d queued)", self.config.relay_url,
                 self.outbox.stats().depth)

    def submit(self, message_id: str, request: EscalationRequest, *,
               priority: int | None = None, ttl_s: float | None = None) -> bool:
        """Durably queue an escalation; return False if this message id was accepted before.

        Raises :class:`~appliance.uplink.outbox.OutboxFullError` if the quota
        cannot make room (the caller keeps its local decision).
        """
        prio = self.config.default_priority if priority is None else priority
        return self.outbox.enqueue(message_id, request.model_dump_json().encode(),
                                   priority=prio, ttl_s=ttl_s)

    def stats(self) -> OutboxStats:
        """Queue depth, oldest age and counters (for telemetry)."""
        return self.outbox.stats()

    def collector(self) -> OutboxCollector:
        """A Prometheus collector for the daemon's registry."""
        return OutboxCollector(self.outbox)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the sender (in-flight items are retried after a restart) and close the outbox."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        if self._forwarder is not None:
            self._forwarder.close()
            self._forwarder.client.close()
        self.outbox.close()
