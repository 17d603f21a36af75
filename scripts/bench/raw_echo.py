"""The peer for bench_mqtt: a bare paho loop that republishes every message it gets."""

from __future__ import annotations

import sys
import time

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion


def main() -> None:
    host, port, out_topic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                         client_id="raw-echo", protocol=MQTTProtocolVersion.MQTTv5)
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)

    def on_message(c: paho.Client, userdata: object, msg: paho.MQTTMessage) -> None:
        c.publish(out_topic, msg.payload, qos=1)

    client.on_message = on_message
    client.on_connect = lambda c, u, f, rc, p: c.subscribe("factory/+/sensors/+", qos=1)
    client.connect(host, port)
    client.loop_start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
