"""``appliance demo``: a private broker, the daemon and the simulator, decisions shown live."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from typing import Any

import paho.mqtt.client as paho
from rich.console import Console

from appliance.broker import EmbeddedBroker, free_port
from appliance.config import Config
from appliance.daemon import Daemon
from appliance.simulator import Factory
from appliance.simulator_mqtt import connect_publisher, publish_stream

_COLOURS = {"low": "green", "medium": "yellow", "high": "red", "critical": "bold red"}


def run_demo(cfg: Config, duration: float, rate: float, seed: int) -> int:
    """Run the demo for ``duration`` seconds; return 0 when every event got an outcome."""
    console = Console()
    logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s: %(message)s")
    state = cfg.state_dir / "demo"
    broker = EmbeddedBroker(state / "mosquitto")
    broker.start()
    cfg.mqtt.host, cfg.mqtt.port = broker.host, broker.port
    cfg.mqtt.embedded_broker = False
    cfg.state_dir = state
    cfg.api.port = free_port()
    console.print(f"[bold]broker[/] private mosquitto on {broker.host}:{broker.port}")
    daemon = Daemon(cfg)
    daemon.start()
    console.print(f"[bold]daemon[/] device [cyan]{cfg.device_id}[/], local API "
                  f"http://{cfg.api.host}:{cfg.api.port} (token in {state / 'api-token'})")

    counts: Counter[str] = Counter()
    done = threading.Event()

    def on_message(client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        body = json.loads(msg.payload)
        if msg.topic.endswith("/deadletter"):
            counts["deadletter"] += 1
            console.print(f"[magenta]dead letter[/] {body['topic']}: {body['reason']}")
            return
        counts[body["severity"]] += 1
        colour = _COLOURS.get(body["severity"], "white")
        reasons = "; ".join(body.get("reasons", []))[:70]
        flag = " [yellow]degraded[/]" if body.get("degraded") else ""
        console.print(
            f"[{colour}]{body['severity']:>8}[/] {body['kind']:<6} {body['source']:<14} "
            f"conf {body['confidence']:.2f} {body['latency_ms']:7.1f} ms  {body['model'][:19]:<19} "
            f"{body['action']:<20}{flag} {reasons}",
            highlight=False, no_wrap=True, overflow="ellipsis")

    watcher = connect_publisher(broker.host, broker.port)
    watcher.on_message = on_message
    watcher.subscribe([(cfg.topic("decisions"), 1), (cfg.topic("deadletter"), 1)])
    deadline = time.monotonic() + 10
    while not daemon.ready() and time.monotonic() < deadline:
        time.sleep(0.05)
    if daemon.model_decider is not None and daemon.engine is not None:
        with console.status(f"evaluating the task prefixes of {daemon.engine.model_name} once"):
            daemon.model_decider.warm.wait(120)
    console.print("[bold]simulator[/] publishing motors, Frigate events and operator tickets\n")
    count = max(1, int(duration * rate))
    pub = connect_publisher(broker.host, broker.port)
    sent = publish_stream(pub, Factory(seed=seed), count, rate)
    deadline = time.monotonic() + 10
    while sum(counts.values()) < sent and time.monotonic() < deadline:
        time.sleep(0.05)
    done.set()
    pub.loop_stop()
    watcher.loop_stop()
    daemon.shutdown()
    broker.stop()
    total = sum(counts.values())
    console.print(f"\n[bold]{sent} events published, {total} outcomes received[/]: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0 if total >= sent else 1
