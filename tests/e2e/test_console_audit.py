"""The rotated audit log through the device's REST API and the console's privacy page.

The device API with the console (``create_app``, served by uvicorn on loopback, see
test_console_savings.py) over a log with tiny segments and retention on: ``GET /audit``
pages newest first across segments, and the privacy page shows what retention removed,
pages back with "Older", and turns to broken when a middle segment is deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from appliance.audit import AuditConfig, AuditLog, open_from_config
from tests.e2e.test_console_savings import TOKEN, DeviceApi
from tests.fixtures.browser import Browser


def _first_seq(browser: Browser) -> str:
    return str(browser.driver.execute_script(
        "const c = document.querySelector('#audit tbody tr:first-child td');"
        "return c ? c.textContent : '';"))


def _wait_first_seq(browser: Browser, seq: int) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser.driver, 10).until(lambda _d: _first_seq(browser) == str(seq))


@pytest.fixture
def rotated_api(tmp_path: Path) -> Iterator[tuple[DeviceApi, AuditLog]]:
    api = DeviceApi(tmp_path / "state")
    api.config.audit = AuditConfig(max_segment_bytes=4096, max_segments=6)
    log = open_from_config(api.config)
    for i in range(150):
        log.append({"destination": "fleet" if i % 3 else "uplink", "outcome": "sent", "reason": "",
                    "classes": {"PERSON": 1} if i % 5 == 0 else {}, "redactions": {},
                    "payload_sha256": f"{i:064x}", "bytes": 200 + i, "tokens": i,
                    "session": "sess-private"})
    yield api, log
    api.stop()


def test_rest_api_lists_every_retained_record_newest_first(
        rotated_api: tuple[DeviceApi, AuditLog]) -> None:
    api, log = rotated_api
    report = log.verify()
    assert report.ok and report.retired is not None and report.first_seq is not None
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=api.url, timeout=10) as client:
        assert client.get("/audit").status_code == 401
        seen: list[int] = []
        params: dict[str, int] = {"limit": 9}
        while True:
            body = client.get("/audit", params=params, headers=auth).json()
            assert body["total"] is None or body["total"] == report.records
            seen += [r["seq"] for r in body["records"]]
            if body["next_before"] is None:
                break
            params = {"limit": 9, "before": body["next_before"]}
        assert seen == list(range(150, report.first_seq - 1, -1))
        first = client.get("/audit", params={"limit": 2}, headers=auth).json()
        assert first["total"] == report.records
        assert first["records"][0]["mac"] and first["records"][0]["prev"] == first["records"][1]["mac"]
        uplink = client.get("/audit", params={"destination": "uplink", "offset": 1, "limit": 3},
                            headers=auth).json()
        assert [r["seq"] for r in uplink["records"]] == [145, 142, 139]
        assert client.get("/audit", params={"limit": 0}, headers=auth).status_code == 422


def test_privacy_page_pages_back_and_shows_retention_apart_from_tampering(
        rotated_api: tuple[DeviceApi, AuditLog], browser: Browser) -> None:
    api, log = rotated_api
    report = log.verify()
    retired = report.retired
    assert retired is not None
    browser.login(api.url, "/console/login", TOKEN)
    browser.get(api.url + "/console/privacy")
    browser.wait_text("#chain", f"Chain verified: {report.records} record(s) in "
                                f"{report.segments} segment(s)")
    browser.wait_text("#retired", f"Retention removed {retired.segments} older segment(s): "
                                  f"records 1–{retired.last_seq}")
    assert report.records > 50  # more than one page of 50
    assert browser.find("#newest").get_attribute("disabled") == "true"
    shown: list[int] = []
    while True:
        page = [int(x) for x in browser.driver.execute_script(
            "return [...document.querySelectorAll('#audit tbody tr')]"
            ".map((r) => r.cells[0].textContent);")]
        assert page and len(page) <= 50 and page == sorted(page, reverse=True)
        shown += page
        older = browser.find("#older")
        if older.get_attribute("disabled") == "true":
            break
        older.click()
        _wait_first_seq(browser, page[-1] - 1)
    assert shown == list(range(150, retired.last_seq, -1))
    assert "sess-private" not in browser.driver.page_source
    browser.find("#newest").click()
    _wait_first_seq(browser, 150)

    closed, _ = log.layout.closed()
    closed[1].path.unlink()
    browser.get(api.url + "/console/privacy")
    browser.wait_text("#chain", "Chain BROKEN")
    browser.wait_text("#problems", f"missing before {closed[2].path.name}")
    assert browser.console_errors() == []
