"""The relay is SIGKILLed and restarted while a device streams escalations through it.

Every escalation is answered exactly once on the device, and the provider (a
real server process) sees each message id at most once: a request the killed
relay had in flight is answered ``outcome_unknown`` rather than sent again.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from appliance.uplink.forwarder import Forwarder
from appliance.uplink.messages import EscalationReply
from appliance.uplink.outbox import NewItem, Outbox, OutboxItem, load_or_create_storage_key
from tests.fixtures.provider import ProviderProcess, RelayProcess, escalation, make_client
from tests.fixtures.tls import SessionPki

ITEMS = 80
KILLS = 3


def test_relay_killed_mid_stream_answers_every_escalation_once(
        tmp_path: Path, pki: SessionPki, relay_factory: Callable[..., RelayProcess]) -> None:
    slow = ProviderProcess(tmp_path / "slow", "slow")
    slow.start(delay=0.05)  # so that kills land while requests are with the provider
    try:
        relay = relay_factory([slow], inflight_lease_s=1.0)
        relay.start()
        device = pki.device("edge-restart")
        box = Outbox(tmp_path / "outbox.db", load_or_create_storage_key(device.keys_dir),
                     retry_base_s=0.05, retry_max_s=0.4, lease_s=30)
        ids = [f"esc-{i:04d}" for i in range(ITEMS)]
        box.enqueue_many([NewItem(m, escalation(f"event {m}: vibration 12 mm/s")) for m in ids])
        replies: list[tuple[str, str]] = []
        lock = threading.Lock()

        def on_reply(item: OutboxItem, raw: bytes) -> None:
            with lock:
                replies.append((item.message_id, EscalationReply.model_validate_json(raw).status))

        fwd = Forwarder(box, make_client(relay, device, timeout_s=5), on_reply, batch=8,
                        concurrency=4)
        stop = threading.Event()
        sender = threading.Thread(target=fwd.run, args=(stop, 0.05), daemon=True)
        sender.start()
        for k in range(KILLS):
            target = (k + 1) * ITEMS // (KILLS + 2)
            deadline = time.monotonic() + 60
            while len(replies) < target:
                assert time.monotonic() < deadline, f"stalled at {len(replies)} before kill {k}"
                time.sleep(0.01)
            relay.kill()
            time.sleep(0.3)
            relay.start()
        deadline = time.monotonic() + 90
        while box.stats().depth:
            assert time.monotonic() < deadline, f"not drained: {box.stats()}"
            time.sleep(0.05)
        stop.set()
        sender.join(10)
        fwd.close()
    finally:
        slow.kill()

    answered = Counter(m for m, _ in replies)
    assert set(answered) == set(ids)
    assert max(answered.values()) == 1, "an escalation was answered twice"
    seen = Counter(r["key"] for r in slow.requests(device.device_id))
    assert max(seen.values()) == 1, "the provider saw a message id twice"
    ok = {m for m, status in replies if status == "ok"}
    unknown = {m for m, status in replies if status == "outcome_unknown"}
    assert ok | unknown == set(ids)
    # every "ok" answer came from exactly one provider request; unknowns were not re-sent
    assert {f"{device.device_id}/{m}" for m in ok} <= set(seen)
    assert box.stats().delivered == ITEMS
    print(f"relay restart: {len(ok)} ok, {len(unknown)} outcome_unknown, "
          f"{box.stats().failures} failed attempts retried")


def _escalate_while_relay_dies(tmp_path: Path, pki: SessionPki,
                               relay_factory: Callable[..., RelayProcess], idempotent: bool,
                               device_id: str) -> tuple[EscalationReply, list[dict[str, object]]]:
    """Kill the relay while the provider holds the request, restart it, let the device retry."""
    hanging = ProviderProcess(tmp_path / "hanging", "hanging")
    hanging.start(mode="hang", idempotent=idempotent)
    try:
        relay = relay_factory([hanging], inflight_lease_s=0.5)
        relay.start()
        device = pki.device(device_id)
        client = make_client(relay, device, timeout_s=10)
        client.fetch_relay_keys()
        errors: list[Exception] = []

        def first_try() -> None:
            try:
                client.escalate("m-1", escalation())
            except Exception as exc:
                errors.append(exc)

        attempt = threading.Thread(target=first_try)
        attempt.start()
        deadline = time.monotonic() + 10
        while not hanging.requests(device_id):
            assert time.monotonic() < deadline, "the provider never got the request"
            time.sleep(0.02)
        relay.kill()  # the provider has the request; the relay's record says "sent"
        attempt.join(10)
        assert errors, "the device should have seen the relay go away"
        hanging.control(mode="ok")
        relay.start()
        reply = EscalationReply.model_validate_json(client.escalate("m-1", escalation()))
        again = EscalationReply.model_validate_json(client.escalate("m-1", escalation()))
        assert again == reply  # settled: later retries get the same answer
        return reply, hanging.requests(device_id)
    finally:
        hanging.kill()


def test_request_lost_in_a_relay_crash_is_not_sent_again_to_a_plain_provider(
        tmp_path: Path, pki: SessionPki, relay_factory: Callable[..., RelayProcess]) -> None:
    reply, seen = _escalate_while_relay_dies(tmp_path, pki, relay_factory, idempotent=False,
                                             device_id="edge-crash-plain")
    assert reply.status == "outcome_unknown"  # the device keeps its local decision
    assert len(seen) == 1


def test_request_lost_in_a_relay_crash_is_resent_with_its_key_to_an_idempotent_provider(
        tmp_path: Path, pki: SessionPki, relay_factory: Callable[..., RelayProcess]) -> None:
    reply, seen = _escalate_while_relay_dies(tmp_path, pki, relay_factory, idempotent=True,
                                             device_id="edge-crash-idem")
    assert reply.status == "ok" and reply.content
    assert [r["key"] for r in seen] == ["edge-crash-idem/m-1"] * 2
    assert [r["repeat"] for r in seen] == [False, True]  # the provider can tell it is a repeat
