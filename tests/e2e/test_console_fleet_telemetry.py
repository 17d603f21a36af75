"""The fleet device page charts a device's telemetry history, in headless Chromium.

A real ``appliance agent`` process enrolls with the fleet (uvicorn on loopback, SQLite)
and heartbeats every 0.3 s, reading its numbers from a telemetry file the test
rewrites; every heartbeat becomes a sample. The page must chart exactly the samples
the API holds, name the latest values in the charts' accessible titles, list them in
the data tables, and pick up a new heartbeat on its next refresh. Screenshots go to
docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_console_fleet import Running
from tests.fixtures.browser import Browser

APPLIANCE = str(Path(sys.executable).with_name("appliance"))


def _readings(i: int) -> dict[str, Any]:
    """The device's numbers at step ``i``: warming up under a burst of work."""
    return {"temperatures": {"soc": 45.0 + 1.5 * i, "gpu": 41.0 + 1.25 * i},
            "queue_depths": {"decisions": (3 * i) % 7, "outbox": max(0, i - 6)},
            "cpu_load_percent": 20.0 + 6.0 * i, "gpu_load_percent": 70.0 - 4.0 * i,
            "budget_used": 150.0 * i}


class Agent:
    """One device agent process fed by a telemetry file."""

    def __init__(self, root: Path, fleet_url: str) -> None:
        self.root = root
        self.telemetry = root / "telemetry.json"
        self.log = root / "agent.log"
        base = root / "base.toml"
        base.write_text(f'device_id = "press-07"\nstate_dir = "{root / "var"}"\n')
        self.args = [APPLIANCE, "agent", "--fleet-url", fleet_url, "--device-id", "press-07",
                     "--state-dir", str(root / "state"), "--config-out", str(root / "app.toml"),
                     "--base-config", str(base), "--telemetry-file", str(self.telemetry),
                     "--interval", "0.3", "--board", "orin-nano"]
        self.proc: subprocess.Popen[bytes] | None = None

    def report(self, readings: dict[str, Any]) -> None:
        tmp = self.telemetry.with_suffix(".tmp")
        tmp.write_text(json.dumps(readings))
        os.replace(tmp, self.telemetry)  # the agent never reads half a file

    def start(self, token: str) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([*self.args, "--enroll-token", token], stdout=log,
                                         stderr=subprocess.STDOUT)

    def once(self) -> None:
        subprocess.run([*self.args, "--once"], check=True, timeout=60, capture_output=True)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    r = Running(tmp_path, telemetry_every_s=0)
    yield r
    r.close()


def _history(running: Running) -> dict[str, Any]:
    r = running.fleet.client.get("/fleet/devices/press-07/telemetry",
                                 headers=running.fleet.auth("viewer"))
    return r.json() if r.status_code == 200 else {"samples": 0, "series": {}}


def _wait_samples(running: Running, agent: Agent, at_least: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = _history(running)
        if body["samples"] >= at_least:
            return body
        if agent.proc is not None and agent.proc.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"fewer than {at_least} samples; agent log:\n{agent.log.read_text()[-3000:]}")


def _points(browser: Browser, chart: str, series: str) -> int:
    line = browser.find(f"#{chart} svg polyline[data-name='{series}']")
    return len(line.get_attribute("points").split())


def test_device_page_charts_the_telemetry_a_real_agent_reported(running: Running, tmp_path: Path,
                                                                browser: Browser) -> None:
    agent = Agent(tmp_path, running.url)
    agent.report(_readings(0))
    agent.start(running.fleet.enrollment_token(tags=["press"], site="plant-a", line="line-2"))
    try:
        seen = 0
        for i in range(10):  # each reading reaches the fleet in at least one heartbeat
            agent.report(_readings(i))
            seen = _wait_samples(running, agent, seen + 1)["samples"]
            seen = _wait_samples(running, agent, seen + 1)["samples"]
    finally:
        agent.stop()
    body = _history(running)
    n = body["samples"]
    assert n >= 10 and body["bucket_s"] is None
    assert body["series"]["temperature.soc"][-1][1] == 58.5
    assert body["series"]["cpu_load_percent"][-1][1] == 74.0

    browser.login(running.url, "/console/fleet/login", running.fleet.tokens["viewer"])
    browser.get(running.url + "/console/fleet/devices/press-07")
    browser.wait_text("#trend-note", f"{n} sample(s) in the last 24 hours")
    assert _points(browser, "chart-temperature", "soc") == n
    assert _points(browser, "chart-temperature", "gpu") == n
    assert _points(browser, "chart-queues", "decisions") == n
    assert _points(browser, "chart-load", "CPU") == n
    titles = {c: browser.find(f"#{c} svg title").get_attribute("textContent")
              for c in ("chart-temperature", "chart-queues", "chart-load")}
    assert "soc 58.5 °C" in titles["chart-temperature"], titles
    assert "gpu 52.3 °C" in titles["chart-temperature"], titles  # 52.25 shown to one decimal
    assert "outbox 3" in titles["chart-queues"] and "CPU 74 %" in titles["chart-load"], titles
    desc = browser.find("#chart-temperature svg desc").get_attribute("textContent")
    assert f"soc: {n} point(s)" in desc, desc

    # The same numbers as a table, newest first, behind a keyboard-reachable summary.
    summary = browser.find("#chart-temperature details summary")
    summary.click()
    rows = browser.driver.find_elements("css selector", "#chart-temperature table.chart-table tbody tr")
    assert len(rows) == n
    assert "58.5 °C" in rows[0].text and "45 °C" in rows[-1].text, (rows[0].text, rows[-1].text)

    # A new heartbeat shows on the page's next refresh, and the open table stays open.
    agent.report({**_readings(9), "temperatures": {"soc": 61.5, "gpu": 53.0}})
    agent.once()
    browser.wait_text("#trend-note", f"{n + 1} sample(s)")
    browser.wait_text("#chart-temperature table.chart-table tbody tr", "61.5 °C")
    assert _points(browser, "chart-temperature", "soc") == n + 1
    assert "soc 61.5 °C" in browser.find("#chart-temperature svg title").get_attribute("textContent")
    assert browser.find("#chart-temperature details").get_attribute("open") is not None
    summary = browser.find("#chart-temperature details summary")
    summary.click()  # closed again for the screenshot
    browser.wait_text("#telemetry", "Temperature soc")
    browser.screenshot("fleet-device-telemetry")
    browser.screenshot("fleet-device-telemetry-tablet", width=820)
    assert browser.console_errors() == []
