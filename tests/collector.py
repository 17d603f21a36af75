"""An independent MQTT subscriber that records what the daemon published."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


class Collector:
    """Subscribes (persistent session, QoS 1) to a device's decisions and dead letters.

    ``decisions`` maps event id to the distinct decision payloads seen for it: an
    MQTT redelivery of the same message is one payload; a second decision is two.
    """

    def __init__(self, host: str, port: int, device: str) -> None:
        self.device = device
        self.decisions: dict[str, set[bytes]] = {}
        self.deadletters: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                  client_id=f"collector-{uuid.uuid4().hex[:8]}",
                                  protocol=MQTTProtocolVersion.MQTTv5)
        self.client.reconnect_delay_set(1, 2)
        self.client.on_message = self._on_message
        self.client.on_connect = self._on_connect
        self._subscribed = threading.Event()
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        self.client.connect(host, port, clean_start=False, properties=props)
        self.client.loop_start()
        assert self._subscribed.wait(10), "collector could not subscribe"

    def _on_connect(self, client: paho.Client, userdata: Any, flags: Any, rc: Any,
                    props: Any) -> None:
        client.subscribe([(f"appliance/{self.device}/decisions", 1),
                          (f"appliance/{self.device}/deadletter", 1)])
        self._subscribed.set()

    def _on_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        body = json.loads(msg.payload)
        with self.lock:
            if msg.topic.endswith("/deadletter"):
                if body not in self.deadletters:
                    self.deadletters.append(body)
            else:
                self.decisions.setdefault(body["event_id"], set()).add(msg.payload)

    def outcomes(self) -> int:
        """Distinct events decided plus dead letters."""
        with self.lock:
            return len(self.decisions) + len(self.deadletters)

    def wait_for(self, n: int, timeout: float) -> bool:
        """Wait until at least ``n`` outcomes arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.outcomes() >= n:
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()
