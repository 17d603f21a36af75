"""The daemon learns from its escalations: the cloud's labels train the head the cascade asks.

Real parts: mosquitto, Gemma 3 270M through llama.cpp (triage and the pooled
embeddings), the stand-in OpenAI-compatible provider (it always answers
"severity=high"), and the daemon as a process.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from appliance.broker import EmbeddedBroker
from appliance.routing.learn import HeadStore
from appliance.routing.settings import LearnConfig
from tests.collector import Collector

PLACES = ["press 3", "line 2 conveyor", "packing station 5", "the paint booth", "dock door 4",
          "the welding cell", "mixer 1", "the boiler room", "storage rack B", "the canteen"]
LOW = ["please restock the paper towels near {p}", "the notice board by {p} needs new shift lists",
       "can someone water the plants at {p}", "the coffee cups at {p} ran out"]
MEDIUM = ["the fan at {p} sounds a little louder than usual",
          "a reading at {p} looks slightly off today, please keep an eye on it",
          "the belt at {p} squeaks now and then", "the lamp over {p} flickers sometimes"]
HIGH = ["hydraulic oil is leaking from the hose at {p}", "a loud grinding noise comes from {p}",
        "there is a burning smell at {p}", "the safety guard at {p} is loose and rattling"]


def _publish(broker: EmbeddedBroker, topic: str, body: dict[str, Any]) -> None:
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                         protocol=MQTTProtocolVersion.MQTTv5)
    client.connect(broker.host, broker.port)
    client.loop_start()
    client.publish(topic, json.dumps(body), qos=1).wait_for_publish(10)
    client.loop_stop()
    client.disconnect()


def _decide(broker: EmbeddedBroker, collector: Collector, daemon: Any, event_id: str,
            text: str) -> dict[str, Any]:
    """Publish one ticket and return its decision (waiting for it)."""
    _publish(broker, "factory/l2/tickets", {"id": event_id, "text": text})
    deadline = time.monotonic() + 120
    while event_id not in collector.decisions and time.monotonic() < deadline:
        time.sleep(0.05)
    assert event_id in collector.decisions, daemon.log_path.read_text()[-3000:]
    decision: dict[str, Any] = json.loads(next(iter(collector.decisions[event_id])))
    return decision


def test_escalation_answers_train_the_head_that_then_decides_locally(
        mqtt_broker: EmbeddedBroker, daemon_factory: Any, gemma_model_path: Path,
        provider: Any) -> None:
    from tests.fixtures.provider import PROVIDER_KEY

    device = f"learn-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(
        mqtt_broker, device, APPLIANCE_SLM__ENABLED="true",
        APPLIANCE_SLM__MODEL_PATH=str(gemma_model_path),
        APPLIANCE_ROUTING__CLOUD__BASE_URL=provider.base_url,
        APPLIANCE_ROUTING__CLOUD__MODEL="gpt-4.1", EDGE_CLOUD_API_KEY=PROVIDER_KEY,
        # Until a head exists every SLM answer counts as unsure, so the first tickets escalate.
        APPLIANCE_ROUTING__TASKS={"triage": {"threshold": 0.999, "latency_class": "batch"}},
        APPLIANCE_ROUTING__LEARN__MIN_EXAMPLES="10",
        APPLIANCE_ROUTING__LEARN__RETRAIN_EVERY="3",
        APPLIANCE_SLM__DEADLINE_MS="20000")  # the shared test machine may be busy
    # The site's own labelled examples, added before the daemon starts (no head trained yet).
    store = HeadStore(daemon.workdir / "state" / "heads", "triage", LearnConfig())
    seeds = [(t.format(p=p), label) for label, forms in (("low", LOW), ("medium", MEDIUM))
             for t in forms for p in PLACES[:5]]
    store.add_examples([(f"operator: {text}", label) for text, label in seeds], source="site")
    assert store.current_version() is None
    daemon.start()
    collector = Collector(mqtt_broker.host, mqtt_broker.port, device)
    deadline = time.monotonic() + 60
    while not daemon.api("/status").json()["models"]["slm_warm"] and time.monotonic() < deadline:
        time.sleep(0.2)

    # Phase 1: high tickets escalate; each cloud answer is kept (redacted) as an example,
    # and the daemon trains its first head in the background.
    decisions = []
    for i, form in enumerate(HIGH * 2):
        text = form.format(p=PLACES[i % len(PLACES)])
        if i == 0:
            text = f"Anna Kowalski reports that {text}"
        decisions.append(_decide(mqtt_broker, collector, daemon, f"h-{i}", text))
    assert decisions[0]["route"] == "cloud" and decisions[0]["label"] == "high", decisions[0]
    deadline = time.monotonic() + 120
    while store.current_version() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert store.current_version() is not None, daemon.log_path.read_text()[-3000:]

    learned = [row for row in map(json.loads, (store.dir / "examples.jsonl").read_text()
                                  .splitlines()) if row["source"] == "escalation"]
    assert len(learned) == sum(d["route"] == "cloud" for d in decisions) >= 1
    assert all(row["label"] == "high" for row in learned)
    assert "Anna Kowalski" not in (store.dir / "examples.jsonl").read_text()
    assert "<PERSON_1>" in learned[0]["text"], learned[0]
    meta = store.meta()
    assert meta["examples"] > len(seeds)  # trained on the site's examples and the cloud's

    # Phase 2: the trained head answers first; its calibrated threshold decides the route.
    later = [_decide(mqtt_broker, collector, daemon, f"n-{i}", text)
             for i, text in enumerate([LOW[0].format(p=PLACES[7]), MEDIUM[2].format(p=PLACES[8]),
                                       HIGH[1].format(p=PLACES[9])])]
    for d in later:
        assert d["detail"]["local_classifier"].startswith("head v"), d
        used = int(d["detail"]["local_classifier"].removeprefix("head v"))
        threshold = store.meta(used)["calibration"]["threshold"]
        assert d["detail"]["head_threshold"] == round(threshold, 4)
        confident = d["detail"]["head_confidence"] >= threshold - 1e-4
        assert d["route"] == ("local" if confident else "cloud"), d
    heads = daemon.api("/status").json()["models"]["heads"]
    assert heads["triage"]["in_use"] and heads["triage"]["version"] == store.current_version()
    assert heads["triage"]["examples"] == store.meta()["examples"]
    # The SLM alone calls all three "low" here; the head learned the site's own labels.
    assert [d["label"] for d in later] == ["low", "medium", "high"], later
    daemon.terminate()
    collector.close()
