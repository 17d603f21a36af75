"""Daemon start-up with the default models: seconds to READY=1 and RSS once warm.

Starts a private broker and ``appliance run`` with the SLM and the anomaly
model (assembled once into the model store beforehand, as on a device), waits
for systemd's READY=1 on a real notify socket, then for the SLM's task
prefixes, and prints both figures beside the goals (READY <= 3 s, RSS <= 600 MB).

    .venv/bin/python scripts/bench/bench_daemon_start.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from appliance.broker import EmbeddedBroker, free_port
from appliance.config import load
from appliance.slm.loader import verified_model_path


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run(broker: EmbeddedBroker, model: Path, tmp: Path, i: int) -> tuple[float, float, float]:
    """Return (seconds to READY, seconds to warm, RSS MB when warm) of one start."""
    sock_path = tmp / f"notify-{i}.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(60)
    port = free_port()
    env = dict(os.environ, APPLIANCE_DEVICE_ID=f"start-{i}", APPLIANCE_STATE_DIR=str(tmp / f"s{i}"),
               APPLIANCE_MQTT__HOST=broker.host, APPLIANCE_MQTT__PORT=str(broker.port),
               APPLIANCE_API__PORT=str(port), APPLIANCE_API__TOKEN="bench",
               APPLIANCE_SLM__MODEL_PATH=str(model), APPLIANCE_LOGGING__LEVEL="WARNING",
               NOTIFY_SOCKET=str(sock_path))
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "appliance", "run"], env=env)
    ready = float("nan")
    while True:
        msg = sock.recv(4096).decode()
        if "READY=1" in msg:
            ready = time.monotonic() - t0
            break
    warm = float("nan")
    while time.monotonic() - t0 < 120:
        status = httpx.get(f"http://127.0.0.1:{port}/status",
                           headers={"Authorization": "Bearer bench"}, timeout=5).json()
        if status["models"]["slm_warm"]:
            warm = time.monotonic() - t0
            break
        time.sleep(0.05)
    rss = rss_mb(proc.pid)
    proc.terminate()
    proc.wait(30)
    sock.close()
    return ready, warm, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cfg = load(None, environ={"APPLIANCE_STATE_DIR": str(tmp / "store")})
        model = verified_model_path(cfg.slm, cfg.state_dir)
        print(f"model assembled and verified at {model}", flush=True)
        broker = EmbeddedBroker(tmp / "broker")
        broker.start()
        rows = [one_run(broker, model, tmp, i) for i in range(args.runs)]
        broker.stop()
    for i, (ready, warm, rss) in enumerate(rows):
        print(f"run {i}: READY after {ready:.2f} s, SLM prefixes warm after {warm:.2f} s, "
              f"RSS {rss:.0f} MB")
    ready_med = statistics.median(r[0] for r in rows)
    rss_max = max(r[2] for r in rows)
    print(f"median start to READY: {ready_med:.2f} s (goal <= 3 s); "
          f"RSS with the default SLM loaded: {rss_max:.0f} MB (goal <= 600 MB)")


if __name__ == "__main__":
    main()
