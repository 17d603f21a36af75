"""A device escalates through the real relay (mTLS, sealed envelopes) to a real provider."""

from __future__ import annotations

import json
from collections.abc import Callable

from appliance.uplink.messages import EscalationReply
from tests.fixtures.provider import (
    PROVIDER_KEY,
    ProviderProcess,
    RelayProcess,
    escalation,
    make_client,
)
from tests.fixtures.tls import SessionPki


def test_escalation_is_answered_sealed_through_the_relay(relay: RelayProcess, pki: SessionPki,
                                                         provider: ProviderProcess) -> None:
    device = pki.device("edge-roundtrip")
    client = make_client(relay, device)
    reply = EscalationReply.model_validate_json(client.escalate("msg-1", escalation()))
    assert reply.status == "ok"
    assert reply.provider == "primary"
    assert "severity=high" in reply.content
    assert reply.usage.total_tokens > 0
    seen = provider.requests("edge-roundtrip")
    assert [r["key"] for r in seen] == ["edge-roundtrip/msg-1"]
    assert relay.metric("appliance_relay_escalations_total", outcome="answered") >= 1.0
    assert relay.metric("appliance_relay_tokens_total") >= reply.usage.total_tokens


def test_repeated_message_id_is_answered_from_the_record_not_the_provider(
        relay: RelayProcess, pki: SessionPki, provider: ProviderProcess) -> None:
    device = pki.device("edge-repeat")
    client = make_client(relay, device)
    before = relay.metric("appliance_relay_escalations_total", outcome="repeat")
    first = client.escalate("msg-r", escalation())
    second = client.escalate("msg-r", escalation())  # a retry: new envelope, same message id
    assert json.loads(first) == json.loads(second)
    assert [r["key"] for r in provider.requests("edge-repeat")] == ["edge-repeat/msg-r"]
    assert relay.metric("appliance_relay_escalations_total", outcome="repeat") == before + 1


def test_failing_provider_falls_back_to_the_second(
        relay: RelayProcess, pki: SessionPki, provider: ProviderProcess,
        fallback_provider: ProviderProcess) -> None:
    provider.control(mode="fail")
    try:
        client = make_client(relay, pki.device("edge-fallback"))
        reply = EscalationReply.model_validate_json(client.escalate("msg-f", escalation()))
    finally:
        provider.control(mode="ok")
    assert reply.provider == "fallback"
    assert len(provider.requests("edge-fallback")) == 1
    assert len(fallback_provider.requests("edge-fallback")) == 1
    assert relay.metric("appliance_relay_provider_calls_total", provider="primary",
                        outcome="http 500") >= 1.0


def test_provider_key_stays_in_the_relay_and_out_of_its_log(
        relay_factory: Callable[..., RelayProcess], pki: SessionPki,
        provider: ProviderProcess) -> None:
    own = relay_factory([provider])
    own.start()
    client = make_client(own, pki.device("edge-secret"))
    client.escalate("msg-s", escalation())
    own.stop()
    out = own.output()
    assert "cloud service on https://" in out
    assert PROVIDER_KEY not in out


def test_a_device_refetches_the_keys_of_a_relay_redeployed_with_new_ones(
        relay_factory: Callable[..., RelayProcess], pki: SessionPki,
        provider: ProviderProcess) -> None:
    own = relay_factory([provider])
    own.start()
    device = pki.device("edge-rekeyed")
    client = make_client(own, device)
    assert EscalationReply.model_validate_json(client.escalate("msg-a", escalation())).status == "ok"
    old = client.fetch_relay_keys().current
    # Redeployed without its keyring: the relay comes back with a key set of its own.
    own.kill()
    (own.workdir / "relay-keys.json").unlink()
    own.start()
    reply = EscalationReply.model_validate_json(client.escalate("msg-b", escalation()))
    assert reply.status == "ok"
    assert client.errors["unknown_key"] == 1  # refused once, fetched, sealed again
    assert client.fetch_relay_keys().current != old
    assert [r["key"] for r in provider.requests("edge-rekeyed")] == \
        ["edge-rekeyed/msg-a", "edge-rekeyed/msg-b"]
