"""Rule path through a real broker: the daemon beside a raw paho echo loop, same run.

Prints, for each: sustained events/s (a burst published as fast as possible,
outputs counted), and p50/p99 publish-to-output latency at a fixed offered
rate; then the ratio ours/raw and the daemon's RSS with no model loaded.

    .venv/bin/python scripts/bench/bench_mqtt.py [--rate 1000] [--seconds 10] [--burst 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from appliance.broker import EmbeddedBroker, free_port
from appliance.simulator import Factory


class Receiver:
    """Collects outputs on one topic and the time each arrived."""

    def __init__(self, host: str, port: int, topic: str, key: str) -> None:
        self.arrived: dict[str, float] = {}
        self.key = key
        self.lock = threading.Lock()
        self.client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                  protocol=MQTTProtocolVersion.MQTTv5)
        self.client.on_message = self._on_message
        self.client.connect(host, port)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()

    def _on_message(self, c: paho.Client, u: object, msg: paho.MQTTMessage) -> None:
        now = time.perf_counter()
        ident = json.loads(msg.payload)[self.key]
        with self.lock:
            self.arrived.setdefault(ident, now)

    def count(self) -> int:
        with self.lock:
            return len(self.arrived)


def _publisher(host: str, port: int) -> paho.Client:
    c = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                    protocol=MQTTProtocolVersion.MQTTv5)
    c.max_inflight_messages_set(1000)
    c.max_queued_messages_set(0)
    c.connect(host, port)
    c.loop_start()
    return c


def _messages(n: int, seed: int) -> list[tuple[str, bytes, str]]:
    out = []
    for topic, payload in Factory(seed=seed, mix=(1.0, 0.0, 0.0)).messages(n):
        out.append((topic, payload, json.loads(payload)["id"]))
    return out


def measure(host: str, port: int, out_topic: str, key: str, rate: float, seconds: float,
            burst: int, seed: int) -> dict[str, float]:
    """Return throughput (burst) and latency (fixed rate) for whatever echoes to ``out_topic``."""
    rx = Receiver(host, port, out_topic, key)
    pub = _publisher(host, port)
    time.sleep(0.3)
    # Latency at a fixed offered rate.
    msgs = _messages(int(rate * seconds), seed)
    sent: dict[str, float] = {}
    t0 = time.perf_counter()
    for i, (topic, payload, ident) in enumerate(msgs):
        due = t0 + i / rate
        while (now := time.perf_counter()) < due:
            time.sleep(min(0.0005, due - now))
        sent[ident] = time.perf_counter()
        pub.publish(topic, payload, qos=1)
    deadline = time.monotonic() + 30
    while rx.count() < len(msgs) and time.monotonic() < deadline:
        time.sleep(0.05)
    lat = sorted((rx.arrived[i] - sent[i]) * 1000 for i in sent if i in rx.arrived)
    got_rate = len(lat)
    # Sustained throughput: a burst as fast as possible.
    burst_msgs = _messages(burst, seed + 1)
    before = rx.count()
    start = time.perf_counter()
    for topic, payload, _ in burst_msgs:
        pub.publish(topic, payload, qos=1)
    deadline = time.monotonic() + 120
    while rx.count() - before < burst and time.monotonic() < deadline:
        time.sleep(0.01)
    last = max(rx.arrived[i] for _, _, i in burst_msgs if i in rx.arrived)
    done = rx.count() - before
    pub.loop_stop()
    rx.client.loop_stop()
    return {
        "offered": len(msgs), "received": got_rate,
        "p50_ms": statistics.median(lat) if lat else float("nan"),
        "p99_ms": lat[int(0.99 * (len(lat) - 1))] if lat else float("nan"),
        "burst_received": done, "throughput": done / (last - start),
    }


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--burst", type=int, default=20000)
    ap.add_argument("--with-anomaly", action="store_true",
                    help="keep the ONNX anomaly model in the loop (worker threads, no SLM)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        broker = EmbeddedBroker(Path(tmp) / "broker")
        broker.start()
        echo = subprocess.Popen([sys.executable, str(Path(__file__).with_name("raw_echo.py")),
                                 broker.host, str(broker.port), "bench/echo"],
                                stdout=subprocess.PIPE, text=True)
        assert echo.stdout is not None and echo.stdout.readline().strip() == "ready"
        print(f"raw paho echo: offering {args.rate:.0f}/s for {args.seconds:.0f}s, then a "
              f"{args.burst}-message burst", flush=True)
        raw = measure(broker.host, broker.port, "bench/echo", "id", args.rate, args.seconds,
                      args.burst, seed=1)
        echo.terminate()
        echo.wait()
        env = dict(os.environ, APPLIANCE_DEVICE_ID="bench", APPLIANCE_STATE_DIR=f"{tmp}/state",
                   APPLIANCE_MQTT__HOST=broker.host, APPLIANCE_MQTT__PORT=str(broker.port),
                   APPLIANCE_API__PORT=str(free_port()), APPLIANCE_API__TOKEN="bench",
                   APPLIANCE_LOGGING__LEVEL="WARNING", APPLIANCE_PIPELINE__QUEUE_SIZE="100000",
                   # The rule path: no SLM, no ONNX model (their costs are bench_slm's and
                   # bench_perception's), so the figures are the daemon's own overhead.
                   APPLIANCE_SLM__ENABLED="false",
                   APPLIANCE_PERCEPTION__ENABLED=str(args.with_anomaly).lower())
        daemon = subprocess.Popen([sys.executable, "-m", "appliance", "run"], env=env)
        time.sleep(3)
        stage = "rules + ONNX anomaly" if args.with_anomaly else "rule stage"
        print(f"appliance daemon ({stage}): same load", flush=True)
        ours = measure(broker.host, broker.port, "appliance/bench/decisions", "event_id",
                       args.rate, args.seconds, args.burst, seed=1)
        rss = rss_mb(daemon.pid)
        daemon.terminate()
        daemon.wait(30)
        broker.stop()
    print()
    print(f"{'':<22}{'raw echo':>12}{'appliance':>12}{'ratio':>8}")
    for key, fmt in (("throughput", "{:12.0f}"), ("p50_ms", "{:12.2f}"), ("p99_ms", "{:12.2f}")):
        ratio = ours[key] / raw[key] if raw[key] else float("nan")
        print(f"{key:<22}{fmt.format(raw[key])}{fmt.format(ours[key])}{ratio:8.2f}")
    print(f"{'received at rate':<22}{raw['received']:>12}{ours['received']:>12}  "
          f"(offered {ours['offered']})")
    print(f"daemon RSS, {'anomaly model' if args.with_anomaly else 'no model'} loaded: {rss:.1f} MB")
    print(f"goal: throughput ratio >= 0.50 -> {ours['throughput'] / raw['throughput']:.2f}; "
          f"p99 < 50 ms at {args.rate:.0f}/s -> {ours['p99_ms']:.1f} ms; RSS < 120 MB -> {rss:.0f} MB")


if __name__ == "__main__":
    main()
