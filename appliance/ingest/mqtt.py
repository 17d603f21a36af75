"""The daemon's MQTT connection: subscribe, deliver, publish, acknowledge late.

paho-mqtt v2 callbacks, MQTT 5, QoS 1 and a persistent session
(``clean_start=False`` with a session expiry), so messages published while
the daemon is down are delivered when it returns. Inbound messages are
acknowledged manually, only after the decision (or dead letter) they caused
has been acknowledged by the broker; an acknowledgement is tied to the
connection it arrived on, so a stale one is never sent on a new connection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from appliance.config import Config, Subscription
from appliance.ingest.parse import topic_matches

log = logging.getLogger(__name__)

OnMessage = Callable[[Subscription | None, str, bytes, Callable[[], None]], None]


def _noop() -> None:
    return None


@dataclass
class LinkState:
    """What operators see about the broker connection."""

    connected: bool = False
    subscribed: bool = False
    connects: int = 0
    disconnects: int = 0
    last_error: str = ""


class MqttLink:
    """One paho client: subscriptions in, decisions/dead letters/status out."""

    def __init__(self, config: Config, on_message: OnMessage,
                 on_subscribed: Callable[[], None] | None = None) -> None:
        self._cfg = config
        self._mq = config.mqtt
        self._on_message_cb = on_message
        self._on_subscribed = on_subscribed
        self.state = LinkState()
        self._lock = threading.Lock()
        self._generation = 0
        self._pending: dict[int, Callable[[], None]] = {}
        self._early: set[int] = set()
        self._matches: dict[str, Subscription | None] = {}
        self._accepting = True
        client_id = self._mq.client_id or f"appliance-{config.device_id}"
        self._client = paho.Client(
            callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id,
            protocol=MQTTProtocolVersion.MQTTv5, manual_ack=True,
        )
        if self._mq.username:
            password = self._mq.password.get_secret_value() if self._mq.password else None
            self._client.username_pw_set(self._mq.username, password)
        if self._mq.tls:
            self._client.tls_set(ca_certs=str(self._mq.ca_file) if self._mq.ca_file else None)
        self._client.reconnect_delay_set(
            min_delay=max(1, int(self._mq.reconnect_min_s)), max_delay=int(self._mq.reconnect_max_s)
        )
        self._client.max_inflight_messages_set(1000)
        self._client.max_queued_messages_set(0)
        self._client.will_set(config.topic("status"), "offline", qos=1, retain=True)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        self._client.on_publish = self._on_publish

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background; paho's loop thread reconnects with backoff."""
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self._mq.session_expiry_s
        self._client.connect_async(self._mq.host, self._mq.port, keepalive=self._mq.keepalive_s,
                                   clean_start=False, properties=props)
        self._client.loop_start()

    def stop_accepting(self) -> None:
        """Stop taking new messages; they stay unacknowledged for the next session."""
        self._accepting = False

    def pending_acks(self) -> int:
        """Publishes whose broker acknowledgement is still outstanding."""
        with self._lock:
            return len(self._pending)

    def stop(self) -> None:
        """Publish ``offline`` (retained), disconnect cleanly and stop the loop thread."""
        if self.state.connected:
            info = self._client.publish(self._cfg.topic("status"), "offline", qos=1, retain=True)
            try:
                info.wait_for_publish(timeout=2.0)
            except (RuntimeError, ValueError):
                log.warning("could not publish offline status before disconnect")
        self._client.disconnect()
        self._client.loop_stop()

    # -- outbound ---------------------------------------------------------------------------

    def publish(self, topic: str, payload: bytes, on_acked: Callable[[], None] | None = None,
                retain: bool = False) -> None:
        """Publish at the configured QoS; ``on_acked`` runs once the broker has it."""
        # paho invokes on_publish while holding its own locks, so ours is never held
        # across client.publish(); an acknowledgement that races ahead of the
        # registration below is parked in _early and picked up here.
        info = self._client.publish(topic, payload, qos=self._mq.qos, retain=retain)
        if info.rc not in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN):
            log.error("publish to %s failed: %s", topic, paho.error_string(info.rc))
        if self._mq.qos == 0:
            if on_acked is not None:
                on_acked()
            return
        # Every mid is registered (a no-op when nobody waits) so that a parked early
        # acknowledgement can never be matched to a later publish reusing the mid.
        on_acked = on_acked or _noop
        with self._lock:
            if info.mid in self._early:
                self._early.discard(info.mid)
                run_now = True
            else:
                self._pending[info.mid] = on_acked
                run_now = False
        if run_now:
            on_acked()

    def _on_publish(self, client: paho.Client, userdata: Any, mid: int, rc: ReasonCode,
                    props: Properties | None) -> None:
        with self._lock:
            done = self._pending.pop(mid, None)
            if done is None:
                self._early.add(mid)
        if done is not None:
            done()

    # -- inbound ----------------------------------------------------------------------------

    def _on_connect(self, client: paho.Client, userdata: Any, flags: Any, rc: ReasonCode,
                    props: Properties | None) -> None:
        if rc.is_failure:
            self.state.last_error = str(rc)
            log.error("broker %s:%d refused the connection: %s", self._mq.host, self._mq.port, rc)
            return
        with self._lock:
            self._generation += 1
        self.state.connected = True
        self.state.connects += 1
        log.info("connected to %s:%d (session present: %s)", self._mq.host, self._mq.port,
                 getattr(flags, "session_present", "?"))
        subs = [(s.topic, SubscribeOptions(qos=self._mq.qos)) for s in self._mq.subscriptions]
        client.subscribe(subs)
        self.publish(self._cfg.topic("status"), b"online", retain=True)

    def _on_subscribe(self, client: paho.Client, userdata: Any, mid: int,
                      rcs: list[ReasonCode], props: Properties | None) -> None:
        failed = [str(r) for r in rcs if r.is_failure]
        if failed:
            self.state.last_error = f"subscribe refused: {failed}"
            log.error("broker refused subscriptions: %s", failed)
            return
        self.state.subscribed = True
        if self._on_subscribed is not None:
            self._on_subscribed()

    def _on_disconnect(self, client: paho.Client, userdata: Any, flags: Any, rc: ReasonCode,
                       props: Properties | None) -> None:
        self.state.connected = False
        self.state.subscribed = False
        self.state.disconnects += 1
        if rc.is_failure:
            self.state.last_error = str(rc)
            log.warning("disconnected from broker (%s); reconnecting with backoff", rc)

    def _make_ack(self, msg: paho.MQTTMessage) -> Callable[[], None]:
        generation = self._generation
        mid, qos = msg.mid, msg.qos
        acked: list[bool] = []

        def ack() -> None:
            if qos == 0 or acked:
                return
            acked.append(True)
            # An ack on a later connection could match another message's mid: the broker
            # redelivers the original instead, and dedup acknowledges that copy.
            if generation == self._generation and self.state.connected:
                self._client.ack(mid, qos)

        return ack

    def _on_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        if not self._accepting:
            return
        ack = self._make_ack(msg)
        sub = self._match(msg.topic)
        try:
            self._on_message_cb(sub, msg.topic, bytes(msg.payload), ack)
        except Exception:
            # The handler dead-letters on its own; this guards the network thread.
            log.exception("message handler failed for %s", msg.topic)

    def _match(self, topic: str) -> Subscription | None:
        # paho.topic_matches_sub builds a matcher per call; topics repeat, so the
        # answer is cached (bounded: a flood of distinct topics resets the cache).
        try:
            return self._matches[topic]
        except KeyError:
            pass
        found = next((sub for sub in self._mq.subscriptions
                      if topic_matches(sub.topic, topic) is not None), None)
        if len(self._matches) >= 65536:
            self._matches.clear()
        self._matches[topic] = found
        return found
