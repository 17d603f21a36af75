"""Relay policy on real traffic: privacy re-check, per-device rate limit, fleet token budget."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from appliance.uplink.client import RelayRejectedError
from appliance.uplink.forwarder import Forwarder
from appliance.uplink.messages import EscalationReply
from appliance.uplink.outbox import Outbox, OutboxItem, load_or_create_storage_key
from tests.fixtures.provider import ProviderProcess, RelayProcess, escalation, make_client
from tests.fixtures.tls import SessionPki

LEAKY = "Operator Maria Keller (maria.keller@acme.example) reports press 4 jammed"


def test_regulated_data_is_refused_for_good_and_alerted(relay: RelayProcess, pki: SessionPki,
                                                        provider: ProviderProcess,
                                                        tmp_path: Path) -> None:
    device = pki.device("edge-leaky")
    box = Outbox(tmp_path / "outbox.db", load_or_create_storage_key(device.keys_dir))
    box.enqueue("leak-1", escalation(LEAKY))
    rejected: list[tuple[str, str]] = []
    replies: list[str] = []
    lock = threading.Lock()

    def on_reply(item: OutboxItem, raw: bytes) -> None:
        with lock:
            replies.append(item.message_id)

    fwd = Forwarder(box, make_client(relay, device), on_reply,
                    on_rejected=lambda item, why: rejected.append((item.message_id, why)))
    before = relay.metric("appliance_relay_privacy_alerts_total", data_class="EMAIL")
    result = fwd.drain_once()
    fwd.close()
    assert (result.rejected, replies) == (1, [])
    assert rejected == [("leak-1", "privacy_blocked")]
    assert box.stats().depth == 0 and box.stats().rejected == 1
    assert provider.requests(device.device_id) == []
    assert relay.metric("appliance_relay_privacy_alerts_total", data_class="EMAIL") == before + 1
    assert "maria.keller" not in relay.output()


def test_per_device_rate_limit(relay_factory: Callable[..., RelayProcess], pki: SessionPki,
                               provider: ProviderProcess) -> None:
    relay = relay_factory([provider], rate_per_minute=1.0, rate_burst=2)
    relay.start()
    busy, calm = pki.device("edge-busy"), pki.device("edge-calm")
    client = make_client(relay, busy)
    client.escalate("r1", escalation())
    client.escalate("r2", escalation())
    with pytest.raises(RelayRejectedError) as info:
        client.escalate("r3", escalation())
    assert (info.value.reason, info.value.status, info.value.final) == ("rate_limited", 429, False)
    make_client(relay, calm).escalate("c1", escalation())  # another device is not held back
    assert relay.metric("appliance_relay_rejections_total", reason="rate_limited") == 1


def test_fleet_token_budget_stops_escalations(relay_factory: Callable[..., RelayProcess],
                                              pki: SessionPki,
                                              provider: ProviderProcess) -> None:
    relay = relay_factory([provider], token_budget_per_day=10)
    relay.start()
    a, b = make_client(relay, pki.device("edge-b1")), make_client(relay, pki.device("edge-b2"))
    spent = EscalationReply.model_validate_json(a.escalate("t1", escalation())).usage.total_tokens
    assert spent >= 10  # the budget is now spent
    with pytest.raises(RelayRejectedError) as info:
        b.escalate("t2", escalation())
    assert info.value.reason == "budget_exhausted"
    assert provider.requests("edge-b2") == []
