"""The savings page fed by the routing cost meter, in headless Chromium.

The device API (``create_app``) with the console runs on loopback under uvicorn
around a real pipeline (rule stage) and a real :class:`CostMeter`; the meter
records local and cloud requests while the page is open, and the chart and the
figures follow its totals. Also checks that audit records show classes and
counts but no hashes, and that the chain state turns to broken when a record is
edited.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from appliance.api.device import DeviceContext, create_app
from appliance.audit import open_from_config
from appliance.broker import free_port
from appliance.config import Config
from appliance.console.device import create_device_console_router
from appliance.metrics import DaemonMetrics
from appliance.pipeline import Pipeline
from appliance.routing.cost import CostMeter
from appliance.rules import RuleDecider
from appliance.schema import Event, EventKind, Route
from tests.fixtures.browser import Browser

TOKEN = "savings-test-token"


class DeviceApi:
    """The local API with the console, a pipeline and a cost meter, served on loopback."""

    def __init__(self, state: Path) -> None:
        self.config = Config(device_id="meter-dev", state_dir=state)
        self.meter = CostMeter(self.config.routing.prices, self.config.routing.counterfactual_model)
        metrics = DaemonMetrics()
        self.pipeline = Pipeline(self.config.device_id,
                                 RuleDecider(self.config.rules, self.config.device_id).decide,
                                 lambda _t, _p, acked: acked() if acked else None,
                                 "d", "dl", metrics, inline=True)
        self.pipeline.start()
        ctx = DeviceContext(config=self.config, token=TOKEN, metrics=metrics, pipeline=self.pipeline,
                            ready=lambda: True, link_state=lambda: {"connected": True})
        app = create_app(ctx)
        app.include_router(create_device_console_router(
            ctx, usage=lambda: {"cost": self.meter.snapshot()}, usage_sample_s=0.2))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def event(self, i: int) -> None:
        self.pipeline.submit(Event(id=f"m-{i}", kind=EventKind.SENSOR, source=f"motor-{i % 3}",
                                   ts=time.time(), readings={"vibration_mm_s": 2.0 + i}))

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def device_api(tmp_path: Path) -> Iterator[DeviceApi]:
    api = DeviceApi(tmp_path / "state")
    yield api
    api.stop()


def _dd(browser: Browser, label: str) -> str:
    for pair in browser.driver.find_elements("css selector", "#summary .pair"):
        if pair.find_element("css selector", "dt").text == label:
            return str(pair.find_element("css selector", "dd").text)
    pytest.fail(f"no figure {label!r} on the savings page")


def test_savings_chart_follows_the_cost_meter(device_api: DeviceApi, browser: Browser) -> None:
    browser.login(device_api.url, "/console/login", TOKEN)
    browser.get(device_api.url + "/console/savings")
    browser.wait_text("#source-note", "From the routing cost meter")
    for i in range(6):
        device_api.event(i)
        device_api.meter.record(Route.LOCAL, device_api.config.routing.local_model, 800, 60)
        if i % 3 == 2:  # every third request escalates, with a trimmed context
            device_api.meter.record(Route.CLOUD, "openai/gpt-4.1", 1500, 200,
                                    counterfactual_input_tokens=4000)
        time.sleep(0.3)
    snap: dict[str, Any] = device_api.meter.snapshot()  # type: ignore[assignment]
    kept = snap["counterfactual_usd"] - snap["cost_usd"]
    browser.wait_text("#summary", f"${kept:.4f}", timeout=12)
    assert _dd(browser, "Spent") == f"${snap['cost_usd']:.4f}"
    assert _dd(browser, "Tokens kept local") == f"{6 * 860:,}"
    assert _dd(browser, "Tokens sent") == f"{2 * 1700:,}"
    assert _dd(browser, "Decided on the device") == "6"
    assert _dd(browser, "Requests answered locally") == "6"
    assert _dd(browser, "Requests sent to the cloud") == "2"
    points = browser.find("#chart-money polyline.s0").get_attribute("points").split()
    assert len(points) >= 3, points
    browser.screenshot("device-savings")
    assert browser.console_errors() == []


def test_privacy_page_shows_classes_not_values_and_a_broken_chain(device_api: DeviceApi,
                                                                 browser: Browser) -> None:
    log = open_from_config(device_api.config)
    log.append({"destination": "relay", "outcome": "sent", "reason": "", "classes": {"PERSON": 2},
                "redactions": {"PERSON": 2}, "payload_sha256": "ab" * 32, "bytes": 812,
                "tokens": 190, "session": "sess-very-private"})
    log.append({"destination": "relay", "outcome": "blocked", "reason": "HEALTH may never leave",
                "classes": {"HEALTH": 1}, "redactions": {}, "payload_hmac": "cd" * 32,
                "bytes": 300, "tokens": 0, "session": None})
    browser.login(device_api.url, "/console/login", TOKEN)
    browser.get(device_api.url + "/console/privacy")
    browser.wait_text("#chain", "Chain verified: 2 record(s)")
    table = browser.wait_text("#audit tbody", "blocked").text
    assert "PERSON × 2" in table and "HEALTH × 1" in table, table
    source = browser.driver.page_source
    assert "sess-very-private" not in source and "ab" * 32 not in source
    browser.screenshot("device-privacy")

    lines = log.path.read_text().splitlines()
    first = json.loads(lines[0])
    first["bytes"] = 10
    log.path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    browser.get(device_api.url + "/console/privacy")
    browser.wait_text("#chain", "Chain BROKEN")
    browser.wait_text("#problems", "modified")
