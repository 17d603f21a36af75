"""The daemon-facing uplink: offline first, store and forward, expiry keeps the local decision."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from appliance.uplink.messages import ChatMessage, EscalationReply, EscalationRequest
from appliance.uplink.service import Uplink
from appliance.uplink.settings import UplinkConfig
from tests.fixtures.provider import ProviderProcess, RelayProcess
from tests.fixtures.tls import SessionPki


def request(text: str) -> EscalationRequest:
    return EscalationRequest(messages=[ChatMessage(role="user", content=text)])


def test_escalations_queued_while_offline_are_delivered_when_the_relay_appears(
        tmp_path: Path, pki: SessionPki, provider: ProviderProcess,
        relay_factory: Callable[..., RelayProcess]) -> None:
    device = pki.device("edge-offline")
    relay = relay_factory([provider])  # built, not started: the uplink is down
    config = UplinkConfig(enabled=True, relay_url=relay.url, ca_file=pki.ca_file,
                          client_cert=device.cert_file, keys_dir=device.keys_dir,
                          outbox_path=tmp_path / "outbox.db", retry_base_s=0.1,
                          retry_max_s=0.5, timeout_s=5)
    answers: dict[str, EscalationReply] = {}
    expired: list[str] = []
    lock = threading.Lock()

    def on_reply(message_id: str, reply: EscalationReply) -> None:
        with lock:
            answers[message_id] = reply

    uplink = Uplink(config, device.device_id, on_reply=on_reply,
                    on_expired=lambda item: expired.append(item.message_id), idle_s=0.05)
    uplink.start()
    try:
        for i in range(5):
            assert uplink.submit(f"off-{i}", request(f"press {i}: vibration 11 mm/s"))
        assert uplink.submit("short-lived", request("press 9: overheating"), ttl_s=0.5)
        assert not uplink.submit("off-0", request("again"))  # idempotent
        time.sleep(1.5)
        stats = uplink.stats()
        assert stats.failures > 0 and answers == {}
        assert expired == ["short-lived"]  # the local decision stands for this one
        relay.start()
        deadline = time.monotonic() + 30
        while uplink.stats().depth:
            assert time.monotonic() < deadline, uplink.stats()
            time.sleep(0.05)
    finally:
        uplink.stop()
    assert sorted(answers) == [f"off-{i}" for i in range(5)]
    assert all(r.status == "ok" and r.content for r in answers.values())
    keys = sorted(r["key"] for r in provider.requests(device.device_id))
    assert keys == [f"edge-offline/off-{i}" for i in range(5)]


def test_collector_reports_the_queue(tmp_path: Path, pki: SessionPki) -> None:
    device = pki.device("edge-metrics")
    config = UplinkConfig(keys_dir=device.keys_dir, outbox_path=tmp_path / "o.db")
    uplink = Uplink(config, device.device_id, on_reply=lambda m, r: None)
    uplink.submit("a", request("x"))
    samples = {m.name: m.samples[0].value for m in uplink.collector().collect()}  # type: ignore[attr-defined]
    assert samples["appliance_outbox_depth"] == 1
    uplink.stop()
