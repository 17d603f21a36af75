"""The daemon with its real models in the loop: Gemma through llama.cpp and the ONNX anomaly model."""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from appliance.broker import EmbeddedBroker
from tests.collector import Collector


def _publish(broker: EmbeddedBroker, messages: list[tuple[str, dict[str, Any]]]) -> None:
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                         protocol=MQTTProtocolVersion.MQTTv5)
    client.connect(broker.host, broker.port)
    client.loop_start()
    for topic, body in messages:
        client.publish(topic, json.dumps(body), qos=1).wait_for_publish(10)
    client.loop_stop()


def _watch_json(broker: EmbeddedBroker, topic: str) -> tuple[paho.Client, list[dict[str, Any]]]:
    """Subscribe to ``topic``; return the client and the list its JSON messages land in."""
    seen: list[dict[str, Any]] = []
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                         protocol=MQTTProtocolVersion.MQTTv5)
    client.on_message = lambda c, u, m: seen.append(json.loads(m.payload))
    client.connect(broker.host, broker.port)
    client.subscribe(topic, qos=1)
    client.loop_start()
    return client, seen


def _wait_until_warm(daemon: Any, timeout: float = 60) -> None:
    """Wait until the daemon has evaluated its SLM task prefixes (events are then fast)."""
    deadline = time.monotonic() + timeout
    while not daemon.api("/status").json()["models"]["slm_warm"] and time.monotonic() < deadline:
        time.sleep(0.2)


def test_tickets_and_anomalies_are_triaged_by_the_slm_end_to_end(
        mqtt_broker: EmbeddedBroker, daemon_factory: Any, gemma_model_path: Path) -> None:
    device = f"slm-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(mqtt_broker, device, APPLIANCE_SLM__ENABLED="true",
                            APPLIANCE_SLM__MODEL_PATH=str(gemma_model_path))
    started = time.monotonic()
    daemon.start()
    ready_s = time.monotonic() - started
    collector = Collector(mqtt_broker.host, mqtt_broker.port, device)
    _wait_until_warm(daemon)
    messages = [
        ("factory/l1/tickets", {"id": "t-fire", "text": "Smoke and flames coming out of press 4, people evacuating"}),
        ("factory/l1/tickets", {"id": "t-label", "text": "Please reorder label rolls for printer 2 next week"}),
        ("factory/l1/sensors/m1", {"id": "s-ok", "readings": {"temperature": 61.0, "vibration": 2.4}}),
    ]
    _publish(mqtt_broker, messages)
    assert collector.wait_for(len(messages), 120), daemon.log_path.read_text()[-3000:]
    by_id = {k: json.loads(next(iter(v))) for k, v in collector.decisions.items()}
    for tid in ("t-fire", "t-label"):
        d = by_id[tid]
        assert d["model"] == "gemma-3-270m-q4_k_m", d
        assert 0.0 < d["confidence"] < 1.0 and "slm:triage" in d["reasons"]
        # No cloud is configured: a confident answer stands, an unsure one is published
        # degraded with the router's reasons.
        if d["route"] == "local":
            assert "confident" in d["reasons"] and not d["degraded"]
        else:
            assert d["route"] == "local-degraded" and d["degraded"], d
            assert {"low_confidence", "cloud_not_configured"} <= set(d["reasons"])
    assert by_id["t-fire"]["severity"] in {"high", "critical"}
    assert by_id["s-ok"]["model"] == "rules+anomaly" and by_id["s-ok"]["severity"] == "low"
    assert by_id["t-fire"]["confidence"] != by_id["t-label"]["confidence"]
    status = daemon.api("/status").json()
    assert status["models"]["slm"] == "gemma-3-270m-q4_k_m" and status["models"]["anomaly"]
    log = daemon.log_path.read_text()
    assert re.search(r"ready [0-9.]+s after start", log)
    assert ready_s < 60
    assert "SLM task prefixes evaluated" in log
    daemon.terminate()
    collector.close()


def test_daemon_refuses_a_tampered_anomaly_model(mqtt_broker: EmbeddedBroker, daemon_factory: Any,
                                                  tmp_path: Path) -> None:
    bad = tmp_path / "sensor-anomaly.onnx"
    shutil.copy(Path(__file__).resolve().parents[2] / "models/anomaly/sensor-anomaly.onnx", bad)
    with bad.open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01\x02\x03")
    daemon = daemon_factory(mqtt_broker, f"tamper-{uuid.uuid4().hex[:6]}",
                            APPLIANCE_PERCEPTION__ANOMALY__MODEL=str(bad))
    daemon.start(wait_ready=False)
    assert daemon.proc.wait(30) != 0
    log = daemon.log_path.read_text()
    assert str(bad) in log and "sha256" in log


def test_unsure_event_is_escalated_redacted_to_the_cloud_and_metered(
        mqtt_broker: EmbeddedBroker, daemon_factory: Any, gemma_model_path: Path,
        provider: Any) -> None:
    from tests.fixtures.provider import PROVIDER_KEY

    device = f"esc-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(
        mqtt_broker, device, APPLIANCE_SLM__ENABLED="true",
        APPLIANCE_SLM__MODEL_PATH=str(gemma_model_path),
        APPLIANCE_ROUTING__CLOUD__BASE_URL=provider.base_url,
        APPLIANCE_ROUTING__CLOUD__MODEL="gpt-4.1",
        EDGE_CLOUD_API_KEY=PROVIDER_KEY,
        # Every triage answer counts as unsure, so the cascade must escalate it; the tiny
        # soft limit makes that one escalation raise a budget alert.
        APPLIANCE_ROUTING__TASKS={"triage": {"threshold": 0.999, "latency_class": "batch"}},
        APPLIANCE_ROUTING__BUDGETS__DEVICE_DAY_TOKENS="100000",
        APPLIANCE_ROUTING__BUDGETS__SOFT_FRACTION="0.0001")
    watcher, alerts = _watch_json(mqtt_broker, f"appliance/{device}/alerts")
    daemon.start()
    collector = Collector(mqtt_broker.host, mqtt_broker.port, device)
    _wait_until_warm(daemon)
    before = len(provider.requests())
    text = "Anna Kowalski (badge B-48213) says the hydraulic hose on press 7 is leaking oil"
    _publish(mqtt_broker, [("factory/l2/tickets", {"id": "t-esc", "text": text})])
    assert collector.wait_for(1, 120), daemon.log_path.read_text()[-3000:]
    d = json.loads(next(iter(collector.decisions["t-esc"])))
    assert d["route"] == "cloud", json.dumps(d)  # whole, so a failure shows the reasons
    assert d["label"] == "high" and d["model"] == "gpt-4.1"  # the stand-in answers "severity=high"
    assert "low_confidence" in d["reasons"] and d["detail"]["cost_usd"] > 0
    assert len(provider.requests()) == before + 1
    usage = daemon.api("/v1/usage").json()
    assert usage["cost"]["routes"]["cloud"]["requests"] >= 1, usage
    audit = daemon.workdir / "state" / "audit" / "egress.jsonl"
    records = [line for line in audit.read_text().splitlines() if line]
    assert records and "Anna Kowalski" not in "".join(records) and "PERSON" in "".join(records)
    assert "Anna Kowalski" not in daemon.log_path.read_text()
    deadline = time.monotonic() + 10
    while not alerts and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alerts and alerts[0]["kind"] == "budget" and alerts[0]["level"] == "soft", alerts
    watcher.loop_stop()
    daemon.terminate()
    collector.close()


def test_jpeg_frames_on_mqtt_go_through_the_onnx_detector(
        mqtt_broker: EmbeddedBroker, daemon_factory: Any, tmp_path: Path) -> None:
    from tests.integration.test_perception_detector import _jpeg, _known_output, _yolo_graph

    model = _yolo_graph(tmp_path / "tiny-yolo.onnx", _known_output())
    device = f"cam-{uuid.uuid4().hex[:6]}"
    subs = [{"topic": "cameras/+/frame", "kind": "camera_frame"}]
    daemon = daemon_factory(mqtt_broker, device, APPLIANCE_MQTT__SUBSCRIPTIONS=subs,
                            APPLIANCE_PERCEPTION__CAMERA__ENABLED="true",
                            APPLIANCE_PERCEPTION__CAMERA__MODEL=str(model),
                            APPLIANCE_PERCEPTION__CAMERA__LABELS=["person", "forklift"])
    daemon.start()
    collector = Collector(mqtt_broker.host, mqtt_broker.port, device)
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                         protocol=MQTTProtocolVersion.MQTTv5)
    client.connect(mqtt_broker.host, mqtt_broker.port)
    client.loop_start()
    client.publish("cameras/dock_3/frame", _jpeg(128, 96), qos=1).wait_for_publish(10)
    client.publish("cameras/dock_3/frame", b"\xff\xd8 not really a jpeg", qos=1).wait_for_publish(10)
    client.loop_stop()
    assert collector.wait_for(2, 30), daemon.log_path.read_text()[-3000:]
    (decision,) = [json.loads(next(iter(v))) for v in collector.decisions.values()]
    assert decision["kind"] == "camera" and decision["source"] == "dock_3"
    assert decision["detail"]["label"] == "person" and decision["severity"] == "medium"
    assert decision["confidence"] == 0.9  # the best detection's score
    (rejected,) = collector.deadletters
    assert rejected["topic"] == "cameras/dock_3/frame" and rejected["reason"] == "bad_image"
    daemon.terminate()
    collector.close()


def test_hot_board_shows_in_telemetry_and_decisions(mqtt_broker: EmbeddedBroker,
                                                    daemon_factory: Any, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    captured = (root / "tests/unit/hw/data/tegrastats-orin-nano-super-r36.txt").read_text()
    hot = re.sub(r"@\d+(\.\d+)?C", "@96.5C", captured.splitlines()[1])
    replay = tmp_path / "tegrastats"
    replay.write_text(f"#!/bin/sh\nwhile :; do echo '{hot}'; sleep 0.2; done\n")
    replay.chmod(0o755)
    device = f"hot-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(mqtt_broker, device, APPLIANCE_HW__BOARD="orin-nano-8gb-super",
                            APPLIANCE_HW__PROFILES_DIR=str(root / "hw"),
                            APPLIANCE_HW__TEGRASTATS=str(replay),
                            APPLIANCE_HW__THERMAL__MIN_DWELL_S="0",
                            APPLIANCE_PIPELINE__TELEMETRY_INTERVAL_S="0.5")
    watcher, telemetry = _watch_json(mqtt_broker, f"appliance/{device}/telemetry")
    daemon.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(
            t.get("hw", {}).get("thermal", {}).get("level") not in (None, "normal") for t in telemetry):
        time.sleep(0.1)
    hot_docs = [t for t in telemetry if t.get("hw", {}).get("thermal", {}).get("level") != "normal"]
    assert hot_docs, telemetry[-1:] or "no telemetry"
    assert hot_docs[-1]["hw"]["board"] == "orin-nano-8gb-super"
    collector = Collector(mqtt_broker.host, mqtt_broker.port, device)
    _publish(mqtt_broker, [("factory/l1/sensors/m9", {"id": "s-hot", "readings": {"temperature": 60.0}})])
    assert collector.wait_for(1, 20)
    d = json.loads(next(iter(collector.decisions["s-hot"])))
    assert d["detail"]["thermal"]["level"] in {"throttled", "fallback"}, d
    assert "thermal state normal ->" in daemon.log_path.read_text()
    assert "appliance_hw_" in daemon.api("/metrics").text
    watcher.loop_stop()
    daemon.terminate()
    collector.close()


def test_daemon_escalates_over_the_sealed_uplink_through_the_relay(
        mqtt_broker: EmbeddedBroker, daemon_factory: Any, gemma_model_path: Path,
        relay: Any, pki: Any, provider: Any, tmp_path: Path) -> None:
    device = f"upl-{uuid.uuid4().hex[:6]}"
    ident = pki.device(device)
    daemon = daemon_factory(
        mqtt_broker, device, APPLIANCE_SLM__ENABLED="true",
        APPLIANCE_SLM__MODEL_PATH=str(gemma_model_path),
        APPLIANCE_UPLINK__ENABLED="true", APPLIANCE_UPLINK__RELAY_URL=relay.url,
        APPLIANCE_UPLINK__CA_FILE=str(pki.ca_file),
        APPLIANCE_UPLINK__CLIENT_CERT=str(ident.cert_file),
        APPLIANCE_UPLINK__KEYS_DIR=str(ident.keys_dir),
        APPLIANCE_UPLINK__OUTBOX_PATH=str(tmp_path / "outbox.db"),
        APPLIANCE_ROUTING__TASKS={"triage": {"threshold": 0.999, "latency_class": "batch"}})
    daemon.start()
    collector = Collector(mqtt_broker.host, mqtt_broker.port, device)
    _wait_until_warm(daemon)
    _publish(mqtt_broker, [("factory/l3/tickets", {
        "id": "t-relay", "text": "Coolant pump on line 3 is leaking and the floor is slippery"})])
    assert collector.wait_for(1, 120), daemon.log_path.read_text()[-3000:]
    d = json.loads(next(iter(collector.decisions["t-relay"])))
    assert d["route"] == "cloud" and d["label"] == "high", d  # the relay's provider says "high"
    assert len(provider.requests(device)) == 1  # sealed, mTLS, through the relay, once
    status = daemon.api("/status").json()
    assert status["uplink"]["configured"] and status["uplink"]["depth"] == 0
    assert "appliance_outbox" in daemon.api("/metrics").text
    daemon.terminate()
    collector.close()
