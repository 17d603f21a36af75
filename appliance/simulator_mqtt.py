"""Publish the simulated factory to a broker at a steady rate (``appliance simulate``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from appliance.errors import ApplianceError
from appliance.simulator import Factory

log = logging.getLogger(__name__)


def connect_publisher(host: str, port: int, client_id: str = "") -> paho.Client:
    """Return a started MQTT 5 client connected to ``host:port``; raise if it cannot connect."""
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id,
                         protocol=MQTTProtocolVersion.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    try:
        client.connect(host, port, keepalive=30)
    except OSError as exc:
        raise ApplianceError(f"cannot reach the broker at {host}:{port}: {exc}") from exc
    client.loop_start()
    return client


def publish_stream(client: paho.Client, factory: Factory, count: int, rate: float,
                   on_progress: Callable[[int], None] | None = None, qos: int = 1) -> int:
    """Publish ``count`` messages at ``rate``/s (0 = as fast as possible); return how many."""
    start = time.perf_counter()
    sent = 0
    infos = []
    for topic, payload in factory.messages(count):
        if rate > 0:
            due = start + sent / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        infos.append(client.publish(topic, payload, qos=qos))
        sent += 1
        if on_progress is not None and sent % 100 == 0:
            on_progress(sent)
    for info in infos:
        info.wait_for_publish(timeout=30)
    return sent
