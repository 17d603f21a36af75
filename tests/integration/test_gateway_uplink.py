"""The gateway's cloud path through the real uplink: mTLS, sealed envelopes, the real relay.

The relay (``tests.fixtures.provider``) holds the provider key and answers
from its own stand-in provider process; the device never sees that key.
"""

from __future__ import annotations

from collections.abc import Callable

from appliance.routing.cloud import UplinkChat, escalation_messages
from tests.fixtures.provider import ProviderProcess, RelayProcess, make_client
from tests.fixtures.tls import SessionPki
from tests.integration.test_gateway_openai import Gateway, make_gateway  # noqa: F401

QUESTION = [{"role": "system", "content": "You triage machine alarms."},
            {"role": "tool", "content": "press-4 vibration=11.2 mm/s", "tool_call_id": "t1"},
            {"role": "user", "content": "Press 4 vibration 11.2 mm/s, bearing noise. Severity?"}]


def test_escalation_messages_fit_the_uplink_shape() -> None:
    msgs = escalation_messages([
        {"role": "system", "content": "a"}, {"role": "user", "content": "b"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
        {"role": "tool", "content": "c", "tool_call_id": "1"},
        {"role": "user", "content": [{"type": "text", "text": "d"}]}])
    assert msgs == [{"role": "system", "content": "a"},
                    {"role": "user", "content": "b\n\nTool result:\nc\n\nd"}]


def test_gateway_escalates_through_the_relay(make_gateway: Callable[..., Gateway],  # noqa: F811
                                             relay: RelayProcess, pki: SessionPki,
                                             provider: ProviderProcess) -> None:
    device = pki.device("edge-gateway")
    uplink = UplinkChat(make_client(relay, device).escalate, provider="openai", model="gpt-4.1")
    gw = make_gateway(None, cloud_chat=uplink)
    raw = gw.client("s-relay").chat.completions.with_raw_response.create(
        model="appliance/cloud", messages=QUESTION, max_tokens=32)
    completion = raw.parse()
    assert raw.headers["x-appliance-route"] == "cloud"
    assert completion.choices[0].message.content
    assert completion.usage is not None and completion.usage.prompt_tokens > 0
    assert float(raw.headers["x-appliance-cost-usd"]) > 0.0
    assert len(provider.requests("edge-gateway")) == 1
    with gw.client("s-relay").chat.completions.with_streaming_response.create(
            model="appliance/cloud", messages=QUESTION, max_tokens=32, stream=True) as resp:
        assert resp.headers["x-appliance-route"] == "cloud"
        text = "".join(c.choices[0].delta.content or "" for c in resp.parse() if c.choices)
    assert text.strip()
    assert len(provider.requests("edge-gateway")) == 2


def test_relay_down_answers_locally_degraded(make_gateway: Callable[..., Gateway],  # noqa: F811
                                             relay_factory: Callable[..., RelayProcess],
                                             pki: SessionPki, provider: ProviderProcess) -> None:
    own = relay_factory([provider])
    uplink = UplinkChat(make_client(own, pki.device("edge-gw-down"), timeout_s=3).escalate,
                        provider="openai", model="gpt-4.1")
    gw = make_gateway(None, threshold=1.0, cloud_chat=uplink)
    own.stop()
    raw = gw.client("s-relay-down").chat.completions.with_raw_response.create(
        model="appliance/auto", messages=QUESTION, max_tokens=8)
    assert raw.headers["x-appliance-route"] == "local-degraded"
    assert "uplink_down" in raw.headers["x-appliance-reasons"]
    assert len(gw.queued) == 1
