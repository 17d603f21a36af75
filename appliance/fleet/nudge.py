"""MQTT nudges: the fleet tells devices "pull now"; the agent wakes up and polls.

A nudge carries no instructions, only a reason, so it needs no signature: whatever a
device then does comes from the authenticated, signed poll. Devices that miss a
nudge (offline, broker down) catch up on their next regular poll.

Topics: ``<root>/<device>/fleet/nudge`` for one device, ``<root>/fleet/nudge`` for all.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

log = logging.getLogger(__name__)


def device_topic(root: str, device_id: str) -> str:
    """Return the nudge topic of one device."""
    return f"{root}/{device_id}/fleet/nudge"


def broadcast_topic(root: str) -> str:
    """Return the nudge topic every device listens on."""
    return f"{root}/fleet/nudge"


class Nudger:
    """Cloud side: publishes nudges (QoS 1, not retained) through a background loop."""

    def __init__(self, host: str, port: int, root: str = "appliance",
                 client_id: str = "") -> None:
        self.root = root
        self._client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                   client_id=client_id, protocol=MQTTProtocolVersion.MQTTv5)
        self._client.connect_async(host, port, keepalive=30)
        self._client.loop_start()

    def nudge(self, device_ids: list[str] | None, reason: str) -> None:
        """Nudge the listed devices, or every device when ``device_ids`` is None."""
        payload = json.dumps({"reason": reason}).encode()
        topics = ([broadcast_topic(self.root)] if device_ids is None
                  else [device_topic(self.root, d) for d in device_ids])
        for topic in topics:
            info = self._client.publish(topic, payload, qos=1)
            if info.rc != paho.MQTT_ERR_SUCCESS:
                log.info("nudge on %s not sent (%s); devices poll anyway", topic,
                         paho.error_string(info.rc))

    def close(self) -> None:
        """Disconnect and stop the loop thread."""
        self._client.disconnect()
        self._client.loop_stop()


class NudgeListener:
    """Device side: sets ``wake`` whenever a nudge for this device (or all) arrives."""

    def __init__(self, host: str, port: int, device_id: str, wake: threading.Event,
                 root: str = "appliance") -> None:
        self.wake = wake
        self.topics = [device_topic(root, device_id), broadcast_topic(root)]
        self.connected = threading.Event()
        self._client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                   client_id=f"fleet-agent-{device_id}",
                                   protocol=MQTTProtocolVersion.MQTTv5)
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.connect_async(host, port, keepalive=30)
        self._client.loop_start()

    def _on_connect(self, client: paho.Client, _userdata: Any, _flags: Any, reason: Any,
                    _props: Any) -> None:
        if reason.is_failure:
            log.warning("nudge listener not connected: %s", reason)
            return
        # Subscribed on every (re)connect: the session is not kept across restarts.
        client.subscribe([(t, 1) for t in self.topics])
        self.connected.set()
        self.wake.set()  # something may have been missed while disconnected

    def _on_message(self, _client: paho.Client, _userdata: Any, msg: Any) -> None:
        log.debug("nudged on %s", msg.topic)
        self.wake.set()

    def close(self) -> None:
        """Disconnect and stop the loop thread."""
        self._client.disconnect()
        self._client.loop_stop()
