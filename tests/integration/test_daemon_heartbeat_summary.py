"""The daemon's heartbeat summary reaches the fleet through a real agent process.

A real daemon (``appliance run`` against a real mosquitto, tegrastats replayed from a
line captured on an Orin Nano) writes ``<state_dir>/telemetry.json``; a real
``appliance agent`` process, told only the daemon's state directory, heartbeats with
it to a fleet served by uvicorn on SQLite; the fleet's telemetry history returns the
daemon's temperatures, loads and queue depths. When the daemon stops, its summary
ages out and the agent stops reporting it (one warning), until the daemon is back.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.broker import EmbeddedBroker
from appliance.hw.tegrastats import parse_line
from tests.fixtures.fleet_agent import AgentDevice as Device
from tests.unit.fleet.harness import Fleet, Served

ROOT = Path(__file__).resolve().parents[2]
CAPTURE = ROOT / "tests/unit/hw/data/tegrastats-orin-nano-super-r36.txt"
MAX_AGE_S = 8.0  # generous: a busy CI machine may delay a 0.3 s summary by seconds


def _wait(pred: Callable[[], Any], what: str, log: Path, timeout: float = 40) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; log:\n{log.read_text()[-3000:]}")


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[tuple[Fleet, Served]]:
    f = Fleet(f"sqlite:///{tmp_path / 'fleet.db'}", tmp_path / "fleet", telemetry_every_s=0)
    served = Served(f.app)
    yield f, served
    served.stop()
    f.close()


def test_agent_heartbeats_the_daemons_summary_and_drops_it_once_stale(
        mqtt_broker: EmbeddedBroker, daemon_factory: Any, fleet: tuple[Fleet, Served],
        tmp_path: Path) -> None:
    f, served = fleet
    line = CAPTURE.read_text().splitlines()[1]
    expected = parse_line(line).as_metrics()
    replay = tmp_path / "tegrastats"
    replay.write_text(f"#!/bin/sh\nwhile :; do echo '{line}'; sleep 0.2; done\n")
    replay.chmod(0o755)
    device_id = f"sum-{uuid.uuid4().hex[:6]}"
    daemon = daemon_factory(mqtt_broker, device_id, APPLIANCE_HW__BOARD="orin-nano-8gb-super",
                            APPLIANCE_HW__PROFILES_DIR=str(ROOT / "hw"),
                            APPLIANCE_HW__TEGRASTATS=str(replay),
                            APPLIANCE_PIPELINE__TELEMETRY_INTERVAL_S="0.3")
    daemon.start()
    summary_path = daemon.workdir / "state" / "telemetry.json"

    def summary() -> dict[str, Any]:
        doc = json.loads(summary_path.read_text()) if summary_path.exists() else {}
        return doc if doc.get("temperatures") else {}

    written = _wait(summary, "the daemon's summary", daemon.log_path)
    assert summary_path.stat().st_mode & 0o777 == 0o640
    assert written["temperatures"] == {k[5:-2]: v for k, v in expected.items()
                                       if k.startswith("temp_")}
    assert written["ram_used_mb"] == 5874.0 and written["gpu_load_percent"] == 99.0
    assert "pipeline" in written["queue_depths"] and abs(written["ts"] - time.time()) < 30

    # The agent is told the daemon's state directory the way its unit tells it.
    dev = Device(tmp_path / "agent", device_id, served.url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPLIANCE_")}
    env["APPLIANCE_STATE_DIR"] = str(daemon.workdir / "state")
    with dev.log.open("ab") as log:
        dev.proc = subprocess.Popen(
            dev.agent_args(f.enrollment_token(), "--telemetry-max-age", str(MAX_AGE_S)),
            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        viewer = f.auth("viewer")

        def series() -> dict[str, list[list[float]]]:
            r = f.client.get(f"/fleet/devices/{device_id}/telemetry", headers=viewer)
            out: dict[str, list[list[float]]] = r.json()["series"] if r.status_code == 200 else {}
            return out

        got = _wait(lambda: (s := series()).get("temperature.tj") and s, "telemetry history",
                    dev.log)
        assert got["temperature.tj"][-1][1] == expected["temp_tj_c"] == 71.218
        assert got["temperature.gpu"][-1][1] == expected["temp_gpu_c"]
        assert got["temperature_max"][-1][1] == 71.218
        assert got["cpu_load_percent"][-1][1] == pytest.approx(expected["cpu_load_percent"])
        assert got["gpu_load_percent"][-1][1] == 99.0 and got["ram_used_mb"][-1][1] == 5874.0
        assert "queue.pipeline" in got and "queue_total" in got
        registry = f.client.get(f"/fleet/devices/{device_id}", headers=viewer).json()
        assert set(registry["queue_depths"]) == set(summary()["queue_depths"])

        # The daemon stops: its last summary stays on disk and ages out.
        assert daemon.terminate() == 0
        stopped_at = time.time()

        def dropped() -> dict[str, Any] | None:
            reg = f.client.get(f"/fleet/devices/{device_id}", headers=viewer).json()
            return reg if reg["queue_depths"] == {} else None

        reg = _wait(dropped, "the stale summary to be dropped", dev.log)
        assert time.time() - stopped_at >= MAX_AGE_S - 1  # not before it aged out
        assert not set(reg["temperatures"]) & set(written["temperatures"])
        time.sleep(5 * 0.3)  # several more heartbeats, still one warning
        warnings = [ln for ln in dev.log.read_text().splitlines() if "not reported: stale" in ln]
        assert len(warnings) == 1, warnings
        assert summary_path.exists()  # the file is there; its age is what counts

        daemon.start()  # back: current again, reported again
        _wait(lambda: f.client.get(f"/fleet/devices/{device_id}", headers=viewer)
              .json()["queue_depths"], "queue depths after the daemon's restart", dev.log)
        assert "is current again" in dev.log.read_text()
    finally:
        dev.stop()
