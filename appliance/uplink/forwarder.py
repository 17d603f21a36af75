"""Drains the outbox to the relay: claim due items, send them, ack or back off.

An item is acknowledged only after its reply was opened and handed to
``on_reply``, so a crash anywhere before that sends it again (the relay
answers a repeated message id from its own record, never asking the provider
twice). A reply the relay refuses for good (``final``, e.g. privacy) drops the
item through ``on_rejected``; everything else backs off and retries until the
item's TTL, when the outbox's expiry callback lets the local decision stand.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from appliance.errors import UplinkError
from appliance.uplink.client import RelayRejectedError, UplinkClient
from appliance.uplink.outbox import Outbox, OutboxItem

log = logging.getLogger(__name__)

OnReply = Callable[[OutboxItem, bytes], None]
OnRejected = Callable[[OutboxItem, str], None]


@dataclass(frozen=True)
class RoundResult:
    """What one drain round did."""

    delivered: int
    failed: int
    rejected: int
    expired: int

    @property
    def idle(self) -> bool:
        """True when the round found nothing to send."""
        return self.delivered + self.failed + self.rejected == 0


class Forwarder:
    """Sends outbox items to the relay with a bounded number in flight."""

    def __init__(self, outbox: Outbox, client: UplinkClient, on_reply: OnReply, *,
                 on_rejected: OnRejected | None = None, batch: int = 32,
                 concurrency: int = 4) -> None:
        self.outbox = outbox
        self.client = client
        self.on_reply = on_reply
        self.on_rejected = on_rejected
        self.batch = batch
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="uplink")

    def _send(self, item: OutboxItem) -> tuple[str, str]:
        try:
            reply = self.client.escalate(item.message_id, item.payload)
        except RelayRejectedError as exc:
            if exc.final:
                return "rejected", exc.reason
            return "failed", str(exc)
        except UplinkError as exc:
            return "failed", str(exc)
        try:
            self.on_reply(item, reply)
        except Exception as exc:  # the consumer's bug must not lose the item
            log.exception("reply handler failed for %s", item.message_id)
            return "failed", f"reply handler: {exc}"
        return "ok", ""

    def drain_once(self) -> RoundResult:
        """Expire, claim a batch, send it, and record each outcome; return the counts."""
        expired = len(self.outbox.expire())
        items = self.outbox.claim(self.batch)
        if not items:
            return RoundResult(0, 0, 0, expired)
        outcomes = list(self._pool.map(self._send, items))
        ok = [it.message_id for it, (what, _) in zip(items, outcomes, strict=True) if what == "ok"]
        self.outbox.ack(ok)
        failed = rejected = 0
        for item, (what, why) in zip(items, outcomes, strict=True):
            if what == "failed":
                failed += 1
                self.outbox.fail(item.message_id, why)
            elif what == "rejected":
                rejected += 1
                self.outbox.drop(item.message_id, why)
                if self.on_rejected is not None:
                    self.on_rejected(item, why)
        if failed:
            log.info("uplink: %d delivered, %d failed this round (will retry)", len(ok), failed)
        return RoundResult(len(ok), failed, rejected, expired)

    def run(self, stop: threading.Event, idle_s: float = 0.5) -> None:
        """Drain until ``stop`` is set, resting ``idle_s`` when nothing was due."""
        while not stop.is_set():
            try:
                result = self.drain_once()
            except UplinkError:
                log.exception("uplink drain round failed")
                result = RoundResult(0, 0, 0, 0)
            if result.idle or result.failed:
                stop.wait(idle_s)

    def close(self) -> None:
        """Stop the worker threads."""
        self._pool.shutdown(wait=True)
