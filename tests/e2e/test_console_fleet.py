"""The fleet console in headless Chromium against a real fleet service on loopback (SQLite).

Devices enroll with real keys and CSRs and send heartbeats over HTTP; the browser
logs in as an admin, searches the device list, opens a device page, starts a
rollout and watches it through canary, promotion and rollback while the devices
report progress. Screenshots go to docs/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from appliance.console.fleet import create_fleet_console_router
from tests.fixtures.browser import Browser
from tests.unit.fleet.harness import Fleet, Served


class Running:
    """The fleet app with the console mounted, served by uvicorn, and enrolled devices."""

    def __init__(self, root: Path, **config: Any) -> None:
        self.fleet = Fleet(f"sqlite:///{root / 'fleet.db'}", root, **config)
        self.fleet.app.include_router(create_fleet_console_router(self.fleet.ctx))
        self.server = Served(self.fleet.app)
        self.url = self.server.url
        self.devices: dict[str, str] = {}

    def enroll(self, device_id: str, root: Path, tags: list[str], site: str) -> None:
        token = self.fleet.enrollment_token(tags=tags, site=site, line="line-2")
        from cryptography.hazmat.primitives import serialization

        from appliance.uplink.keys import init_keys
        from appliance.uplink.pki import make_csr
        keys = init_keys(root / device_id)
        csr = make_csr(keys.signing, device_id).public_bytes(serialization.Encoding.PEM).decode()
        r = httpx.post(self.url + "/fleet/enroll", json={
            "token": token, "device_id": device_id, "serial": f"SN-{device_id}",
            "board": "orin-nano", "csr_pem": csr}, timeout=10)
        assert r.status_code == 201, r.text
        self.devices[device_id] = r.json()["device_token"]

    def as_device(self, device_id: str, method: str, path: str, body: dict[str, Any]) -> Any:
        r = httpx.request(method, self.url + path.format(id=device_id), json=body, timeout=10,
                          headers={"Authorization": f"Bearer {self.devices[device_id]}"})
        assert r.status_code < 300, r.text
        return r.json()

    def heartbeat(self, device_id: str, temp: float, model: str = "gemma-3-270m@1") -> None:
        self.as_device(device_id, "POST", "/fleet/devices/{id}/heartbeat", {
            "software_version": "0.1.0", "model_version": model, "board": "orin-nano",
            "queue_depths": {"decisions": 2, "outbox": 0}, "temperatures": {"cpu": temp, "gpu": temp - 3},
            "budget_used": 1200})

    def report(self, device_id: str, rollout_id: int, state: str, version: str) -> None:
        self.as_device(device_id, "POST", "/fleet/devices/{id}/model-report",
                       {"rollout_id": rollout_id, "state": state, "model_version": version,
                        "detail": "hash and signature verified" if state == "active" else ""})

    def close(self) -> None:
        self.server.stop()
        self.fleet.close()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    r = Running(tmp_path)
    yield r
    r.close()


def test_fleet_console_devices_device_page_rollout_and_tokens(running: Running, tmp_path: Path,
                                                              browser: Browser) -> None:
    for i, dev in enumerate(("press-01", "press-02", "press-03", "paint-01")):
        tags = ["press", "orin"] if dev.startswith("press") else ["paint"]
        running.enroll(dev, tmp_path, tags, site="plant-a" if i < 3 else "plant-b")
        running.heartbeat(dev, 48.0 + i)
    running.fleet.client.post("/fleet/configs", headers=running.fleet.auth("operator"), json={
        "scope": "group", "target": "press", "body": {"pipeline": {"workers": 3},
                                                      "api": {"token": "do-not-show"}}})
    running.fleet.client.post("/fleet/devices/press-01/commands", headers=running.fleet.auth("operator"),
                              json={"kind": "set_log_level", "args": {"level": "DEBUG"}})
    model_id = running.fleet.publish_model("gemma-3-270m", "2", b"\x00gguf-bytes" * 200)
    url = running.url

    # A viewer may look but not administer tokens.
    browser.login(url, "/console/fleet/login", running.fleet.tokens["viewer"])
    browser.get(url + "/console/fleet/admin")
    browser.wait_text("#notice", "needs the admin role")
    browser.find("#logout").click()
    browser.find("#login-form")

    browser.login(url, "/console/fleet/login", running.fleet.tokens["admin"])
    browser.get(url + "/console/fleet/devices")
    browser.wait_text("#count", "4 of 4 device(s) shown")
    browser.screenshot("fleet-devices")
    search = browser.find("#f-q")
    search.send_keys("paint")
    browser.driver.find_element("css selector", "#filters button[type=submit]").click()
    browser.wait_text("#count", "1 of 4 device(s) shown")
    browser.get(url + "/console/fleet/devices?site=plant-a")
    browser.wait_text("#count", "3 of 3 device(s) shown")

    browser.find("#devices tbody a").click()
    browser.wait_text("main h1", "Device press-01")
    browser.wait_text("#telemetry", "Temperature cpu")
    browser.wait_text("#commands", "set_log_level")
    drift = browser.wait_text("#drift", "Desired version").text
    assert "group:press v1" in drift and "none yet" in drift, drift
    assert "do-not-show" not in browser.driver.page_source
    browser.screenshot("fleet-device")

    # Start a rollout to the press devices from the rollouts page and watch it.
    browser.get(url + "/console/fleet/rollouts")
    browser.wait_text("#r-model", "gemma-3-270m 2")
    browser.find("#r-selector").send_keys("press")
    canary = browser.find("#r-canary")
    canary.clear()
    canary.send_keys("0.33")
    browser.driver.find_element("css selector", "#new-rollout button[type=submit]").click()
    browser.wait_text("#detail-title", "stage canary")
    browser.wait_text("#progress", "0 of 3 active")
    rollout = running.fleet.client.get("/fleet/rollouts/1", headers=running.fleet.auth("viewer")).json()
    assert rollout["model_id"] == model_id
    canaries = [d["device_id"] for d in rollout["devices"] if d["canary"]]
    rest = [d["device_id"] for d in rollout["devices"] if not d["canary"]]
    assert len(canaries) == 1 and len(rest) == 2
    running.report(canaries[0], 1, "downloading", "")
    browser.wait_text("#targets", "downloading")
    running.report(canaries[0], 1, "active", "gemma-3-270m@2")
    browser.wait_text("#progress", "1 of 3 active")

    browser.find("#promote").click()
    browser.wait_text("#detail-title", "stage all")
    running.report(rest[0], 1, "active", "gemma-3-270m@2")
    running.report(rest[1], 1, "failed", "")
    browser.wait_text("#progress", "2 of 3 active")
    browser.wait_text("#targets", "failed")
    browser.screenshot("fleet-rollout")

    browser.find("#rollback").click()
    stages = browser.wait_text("#stages", "Rolled back").text
    assert "All devices ✓" in stages, stages
    browser.wait_text("#rollouts tbody", "rolled_back")
    assert browser.find("#promote").get_attribute("disabled") is not None
    running.report(canaries[0], 1, "reverted", "gemma-3-270m@1")
    browser.wait_text("#targets", "reverted")
    browser.screenshot("fleet-rollback")

    browser.get(url + f"/console/fleet/devices/{canaries[0]}")
    browser.wait_text("#models", "gemma-3-270m@2")

    # Token administration: create an operator token, see it listed, revoke it.
    browser.get(url + "/console/fleet/admin")
    browser.wait_text("#operators", "test-admin")
    browser.screenshot("fleet-tokens")
    browser.find("#o-name").send_keys("line-lead")
    browser.driver.find_element("css selector", "#new-operator button[type=submit]").click()
    shown = browser.wait_text("#operator-secret", "shown once").find_element("css selector", ".token").text
    assert shown.startswith("flo_")
    me = httpx.get(url + "/console/fleet/api/whoami", headers={"Authorization": f"Bearer {shown}"})
    assert me.json() == {"name": "line-lead", "role": "viewer"}
    browser.wait_text("#operators", "line-lead")
    browser.find("button[aria-label='Revoke tokens named line-lead']").click()
    browser.wait_text("#operators tbody tr", "line-lead")
    me = httpx.get(url + "/console/fleet/api/whoami", headers={"Authorization": f"Bearer {shown}"})
    assert me.status_code == 401
    listed = httpx.get(url + "/console/fleet/api/tokens", headers=running.fleet.auth("admin")).text
    assert shown not in listed and running.fleet.tokens["admin"] not in listed

    errors = [e for e in browser.console_errors() if "403" not in e]
    assert errors == []
