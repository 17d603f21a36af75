"""The daemon end to end through a real mosquitto: decisions, dead letters, restarts."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from appliance.broker import EmbeddedBroker
from appliance.simulator import Factory
from tests.collector import Collector


def _publisher(broker: EmbeddedBroker, persistent: bool = False) -> paho.Client:
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                         client_id=f"pub-{uuid.uuid4().hex[:8]}", protocol=MQTTProtocolVersion.MQTTv5)
    client.max_queued_messages_set(0)
    client.reconnect_delay_set(1, 2)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600 if persistent else 0
    client.connect(broker.host, broker.port, clean_start=not persistent, properties=props)
    client.loop_start()
    return client


def _publish_all(client: paho.Client, messages: list[tuple[str, bytes]], pause: float = 0.0) -> None:
    infos = []
    for topic, payload in messages:
        infos.append(client.publish(topic, payload, qos=1))
        if pause:
            time.sleep(pause)
    for info in infos:
        info.wait_for_publish(timeout=60)


def _event_ids(messages: list[tuple[str, bytes]]) -> set[str]:
    ids = set()
    for topic, payload in messages:
        body = json.loads(payload)
        if topic == "frigate/events":
            ids.add(f"frigate-{body['after']['id']}-{body['type']}")
        else:
            ids.add(body["id"])
    return ids


def test_every_simulated_event_gets_exactly_one_decision(mqtt_broker: EmbeddedBroker,
                                                         daemon_factory: Any) -> None:
    device = f"e2e-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(mqtt_broker, device)
    daemon.start()
    collector = Collector(mqtt_broker.host, mqtt_broker.port, device)
    messages = list(Factory(seed=11).messages(400))
    pub = _publisher(mqtt_broker)
    _publish_all(pub, messages)
    assert collector.wait_for(len(messages), 30), f"{collector.outcomes()} of {len(messages)}"
    time.sleep(0.3)
    assert set(collector.decisions) == _event_ids(messages)
    assert all(len(v) == 1 for v in collector.decisions.values())
    assert collector.deadletters == []
    kinds = {json.loads(next(iter(v)))["kind"] for v in collector.decisions.values()}
    assert kinds == {"sensor", "camera", "ticket"}
    assert daemon.terminate() == 0
    pub.loop_stop()
    collector.close()


def test_bad_inputs_are_dead_lettered_with_their_reason(mqtt_broker: EmbeddedBroker,
                                                        daemon_factory: Any) -> None:
    device = f"dl-{uuid.uuid4().hex[:6]}"
    subs = [{"topic": "factory/+/sensors/#", "kind": "sensor"},
            {"topic": "factory/+/tickets", "kind": "ticket"},
            {"topic": "frigate/events", "kind": "frigate"}]
    daemon = daemon_factory(mqtt_broker, device, APPLIANCE_MQTT__SUBSCRIPTIONS=subs,
                            APPLIANCE_MQTT__MAX_PAYLOAD_BYTES="2048")
    daemon.start()
    collector = Collector(mqtt_broker.host, mqtt_broker.port, device)
    cases = [
        ("factory/l9/sensors/m1", b"{not json", "malformed_json"),
        ("factory/l9/sensors/m1", json.dumps({"readings": {"t": "hot"}}).encode(), "schema"),
        ("factory/l9/sensors/m1", json.dumps({"readings": {"t": 1.0}, "x": 1}).encode(), "schema"),
        ("factory/l9/tickets", json.dumps({"text": ""}).encode(), "schema"),
        ("frigate/events", json.dumps({"type": "new"}).encode(), "schema"),
        ("factory/l9/sensors/m1", json.dumps({"readings": {"t": 1.0}, "pad": "x" * 4000}).encode(),
         "oversize"),
        ("factory/l9/sensors/m1/extra", json.dumps({"readings": {"t": 1.0}}).encode(),
         "unknown_topic"),
    ]
    pub = _publisher(mqtt_broker)
    _publish_all(pub, [(t, p) for t, p, _ in cases])
    assert collector.wait_for(len(cases), 20)
    reasons = sorted(d["reason"] for d in collector.deadletters)
    assert reasons == sorted(r for _, _, r in cases)
    assert all(d["detail"] and d["topic"] for d in collector.deadletters)
    metrics = daemon.api("/metrics").text
    assert 'appliance_deadletters_total{reason="schema"} 4.0' in metrics
    assert daemon.proc.poll() is None, "the daemon must survive bad input"
    daemon.terminate()
    pub.loop_stop()
    collector.close()


def test_broker_restart_mid_stream_loses_and_duplicates_nothing(private_broker: EmbeddedBroker,
                                                                daemon_factory: Any) -> None:
    device = f"br-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(private_broker, device)
    daemon.start()
    collector = Collector(private_broker.host, private_broker.port, device)
    messages = list(Factory(seed=5, mix=(1.0, 0.0, 0.0)).messages(600))
    pub = _publisher(private_broker, persistent=True)
    first, second = messages[:300], messages[300:]
    _publish_all(pub, first, pause=0.001)
    private_broker.restart()
    deadline = time.monotonic() + 20
    while not pub.is_connected() and time.monotonic() < deadline:
        time.sleep(0.05)
    _publish_all(pub, second)
    assert collector.wait_for(len(messages), 60), f"{collector.outcomes()} of {len(messages)}"
    time.sleep(0.5)
    assert set(collector.decisions) == _event_ids(messages)
    twice = {k: len(v) for k, v in collector.decisions.items() if len(v) > 1}
    assert twice == {}, f"decided twice: {twice}"
    daemon.terminate()
    pub.loop_stop()
    collector.close()


def test_killed_daemon_decides_messages_published_while_it_was_down(
        mqtt_broker: EmbeddedBroker, daemon_factory: Any) -> None:
    device = f"kill-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(mqtt_broker, device)
    daemon.start()
    collector = Collector(mqtt_broker.host, mqtt_broker.port, device)
    daemon.kill()
    messages = list(Factory(seed=3).messages(200))
    pub = _publisher(mqtt_broker)
    _publish_all(pub, messages)
    time.sleep(0.5)
    assert collector.outcomes() == 0
    daemon.start()
    assert collector.wait_for(len(messages), 30), f"{collector.outcomes()} of {len(messages)}"
    assert set(collector.decisions) == _event_ids(messages)
    daemon.terminate()
    pub.loop_stop()
    collector.close()


def test_systemd_notifications_status_and_last_will(mqtt_broker: EmbeddedBroker,
                                                    daemon_factory: Any) -> None:
    device = f"sd-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(mqtt_broker, device)
    daemon.start()
    daemon.wait_for_notification("WATCHDOG=1", timeout=5)
    status: list[bytes] = []
    watcher = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                          protocol=MQTTProtocolVersion.MQTTv5)
    watcher.on_message = lambda c, u, m: status.append(m.payload)
    watcher.connect(mqtt_broker.host, mqtt_broker.port)
    watcher.subscribe(f"appliance/{device}/status", qos=1)
    watcher.loop_start()
    deadline = time.monotonic() + 5
    while not status and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status[-1] == b"online"
    assert daemon.terminate() == 0
    assert "STOPPING=1" in daemon.read_notifications()
    deadline = time.monotonic() + 5
    while status[-1] != b"offline" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status[-1] == b"offline"
    daemon.start()
    daemon.kill()  # no clean disconnect: the broker publishes the last will
    deadline = time.monotonic() + 60
    while status[-1] != b"offline" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status[-1] == b"offline"
    watcher.loop_stop()


def test_local_api_requires_token_and_masks_secrets(mqtt_broker: EmbeddedBroker,
                                                    daemon_factory: Any) -> None:
    device = f"api-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(mqtt_broker, device, APPLIANCE_MQTT__USERNAME="edge",
                            APPLIANCE_MQTT__PASSWORD="s3cret-broker-pw")
    # mosquitto allows anonymous here, so the credentials are accepted but unused.
    daemon.start()
    assert daemon.api("/healthz", token=False).status_code == 200
    assert daemon.api("/readyz", token=False).json() == {"ready": True}
    for path in ("/status", "/metrics", "/config", "/decisions"):
        assert daemon.api(path, token=False).status_code == 401, path
    body = daemon.api("/config").text
    assert "s3cret-broker-pw" not in body and "test-token-" not in body
    assert daemon.api("/status").json()["mqtt"]["connected"] is True
    assert "appliance_ready 1.0" in daemon.api("/metrics").text
    assert "s3cret-broker-pw" not in daemon.log_path.read_text()
    daemon.terminate()
