"""The device console in headless Chromium against a real daemon (``appliance run``) and mosquitto.

Logs in with the API token, watches a decision appear live after an event is
published on MQTT, filters by route and source, and opens the savings, health and
privacy pages. Screenshots go to docs/screenshots/ (the savings and privacy pages
with data are shot by test_console_savings.py).
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from appliance.broker import EmbeddedBroker
from tests.fixtures.browser import Browser

REPO = Path(__file__).resolve().parents[2]
TEGRASTATS = REPO / "tests" / "unit" / "hw" / "data" / "tegrastats-orin-nano-super-r36.txt"


def _publish(broker: EmbeddedBroker, topic: str, body: dict[str, Any]) -> None:
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                         client_id=f"console-pub-{uuid.uuid4().hex[:8]}")
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        client.publish(topic, json.dumps(body).encode(), qos=1).wait_for_publish(timeout=10)
    finally:
        client.loop_stop()
        client.disconnect()


def _sensor_event(sensor: str, value: float) -> tuple[str, dict[str, Any]]:
    return (f"factory/line7/sensors/{sensor}",
            {"id": f"evt-{uuid.uuid4().hex}", "ts": time.time(), "readings": {"temperature_c": value}})


def test_console_login_live_decisions_and_pages(private_broker: EmbeddedBroker, daemon_factory: Any,
                                                browser: Browser, tmp_path: Path) -> None:
    # A broker of the test's own: the test stops it to show the outage on the page.
    mqtt_broker = private_broker
    device = f"console-{uuid.uuid4().hex[:6]}"
    # This host is no Jetson: force the Orin Nano Super profile and let tegrastats be a
    # replay of lines recorded on one, so the health page shows real board telemetry.
    replay = tmp_path / "tegrastats"
    replay.write_text("#!/bin/sh\nwhile :; do while IFS= read -r l; do echo \"$l\"; sleep 0.3; "
                      f"done < {TEGRASTATS}; done\n")
    replay.chmod(0o755)
    daemon = daemon_factory(mqtt_broker, device, APPLIANCE_HW__BOARD="orin-nano-8gb-super",
                            APPLIANCE_HW__PROFILES_DIR=str(REPO / "hw"),
                            APPLIANCE_HW__TEGRASTATS=str(replay))
    daemon.start()
    base = f"http://127.0.0.1:{daemon.api_port}"

    # The shells are public and carry no data; the data routes want the token.
    page = httpx.get(base + "/console/decisions", timeout=5)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert daemon.token not in page.text
    assert httpx.get(base + "/console/api/decisions", timeout=5).status_code == 401
    assert httpx.get(base + "/console/api/stream", timeout=5).status_code == 401

    # A wrong token is refused on the login page and nothing is stored.
    browser.get(base + "/console/login")
    browser.find("#token").send_keys("not-the-token")
    browser.driver.find_element("id", "login-submit").click()
    browser.wait_text("#login-error", "refused")
    assert browser.driver.execute_script("return sessionStorage.length") == 0
    # The refused check is the one error expected in the browser console; drain it.
    assert all("401" in e for e in browser.console_errors())

    # Without a token a page sends the browser to the login page.
    browser.get(base + "/console/health")
    browser.find("#login-form")
    assert "/console/login?next=" in browser.driver.current_url

    browser.login(base, "/console/login", daemon.token)
    browser.get(base + "/console/decisions")
    browser.wait_text("#live", "Live")

    hot_sensor = f"press-{uuid.uuid4().hex[:6]}"
    topic, body = _sensor_event(hot_sensor, 140.0)
    _publish(mqtt_broker, topic, body)
    row = browser.wait_text("#decisions tbody tr", hot_sensor)
    assert row.get_attribute("data-event-id") == body["id"]
    assert "local" in row.text and "ms" in row.text

    cool_sensor = f"fan-{uuid.uuid4().hex[:6]}"
    for value in (21.0, 22.5, 23.0):
        _publish(mqtt_broker, *_sensor_event(cool_sensor, value))
    browser.wait_text("#live", "4 decision(s) shown")
    browser.screenshot("device-decisions")

    # Filter by source: only the hot sensor's row stays, and the stream keeps the filter.
    src = browser.find("#f-source")
    src.clear()
    src.send_keys(hot_sensor)
    browser.driver.find_element("css selector", "#filters button[type=submit]").click()
    browser.wait_text("#live", "1 decision(s) shown")
    _publish(mqtt_broker, *_sensor_event(cool_sensor, 24.0))
    _publish(mqtt_broker, *_sensor_event(hot_sensor, 150.0))
    browser.wait_text("#live", "2 decision(s) shown")
    texts = [r.text for r in browser.driver.find_elements("css selector", "#decisions tbody tr")]
    assert len(texts) == 2 and all(hot_sensor in t for t in texts), texts
    assert f"source={hot_sensor}" in browser.driver.current_url

    # A broker outage shows on the live page, and the stream comes back after it.
    mqtt_broker.stop()
    browser.wait_text("#live", "Device not ready", timeout=15)
    mqtt_broker.start()
    browser.wait_text("#live", "Live", timeout=20)
    _publish(mqtt_broker, *_sensor_event(hot_sensor, 151.0))
    browser.wait_text("#live", "3 decision(s) shown")

    # Filter by route: nothing here goes to the cloud.
    browser.get(base + "/console/decisions?route=cloud")
    browser.wait_text("#decisions tbody td.empty", "No decisions match")

    browser.get(base + "/console/savings")
    browser.wait_text("#summary", "Decided on the device")
    summary = browser.find("#summary").text
    assert "Decided on the device\n7" in summary, summary
    browser.find("#chart-routes svg polyline")

    browser.get(base + "/console/health")
    browser.wait_text("#health", device)
    health = browser.find("#health").text
    assert "connected" in health and "Ready\nyes" in health, health
    browser.wait_text("#health", "orin-nano-8gb-super")
    browser.wait_text("#health", "Power draw")
    health = browser.find("#health").text
    assert "tj" in health and "Deciding with" in health, health
    browser.screenshot("device-health")

    browser.get(base + "/console/privacy")
    browser.wait_text("#chain", "audit log is empty")

    # Keyboard: the first Tab lands on the skip link, which moves focus to the content.
    from selenium.webdriver.common.keys import Keys
    browser.get(base + "/console/decisions")
    browser.wait_text("#live", "Live")
    browser.find("body").send_keys(Keys.TAB)
    focused = browser.driver.switch_to.active_element
    assert focused.text == "Skip to content"
    focused.send_keys(Keys.ENTER)
    assert browser.driver.switch_to.active_element.get_attribute("id") == "main"

    # Ticket text never reaches the page: only the decision's safe fields are sent.
    _publish(mqtt_broker, "factory/line7/tickets", {
        "id": f"tkt-{uuid.uuid4().hex}", "ts": time.time(),
        "text": "Jane Roe says the badge door code is 4711-secret, press jammed"})
    browser.wait_text("#decisions tbody tr", "ticket")
    assert "4711-secret" not in browser.driver.page_source
    assert "Jane Roe" not in browser.driver.page_source

    # Tablet portrait width: the same page, no horizontal page scroll.
    browser.get(base + "/console/health")
    browser.wait_text("#health", device)
    browser.screenshot("device-health-tablet", width=820)
    assert browser.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")

    assert browser.console_errors() == []
    assert daemon.token not in browser.driver.page_source

    # A graceful stop is not held up by a browser holding the live stream open.
    browser.get(base + "/console/decisions")
    browser.wait_text("#live", "Live")
    started = time.monotonic()
    assert daemon.terminate() == 0
    print(f"daemon stopped in {time.monotonic() - started:.2f}s with a live console stream open")
