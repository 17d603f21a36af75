"""Fleet telemetry history on real SQLite and PostgreSQL: written by heartbeats, pruned, served.

Every test runs twice (``fleet_db_url`` is parametrized over both databases).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from appliance.fleet.store import TelemetrySample
from appliance.fleet.telemetry_history import PRUNE_BATCH
from tests.unit.fleet.harness import Fleet


@pytest.fixture
def fleet(fleet_db_url: str, tmp_path: Path) -> Iterator[Fleet]:
    f = Fleet(fleet_db_url, tmp_path, telemetry_every_s=0)
    yield f
    f.close()


def _device(fleet: Fleet, tmp_path: Path, device_id: str) -> dict[str, str]:
    out = fleet.enroll(device_id, tmp_path / device_id)
    return {"Authorization": f"Bearer {out['device_token']}"}


def _beat(fleet: Fleet, device_id: str, auth: dict[str, str], temp: float, queue: int,
          **extra: Any) -> None:
    r = fleet.client.post(f"/fleet/devices/{device_id}/heartbeat", headers=auth, json={
        "temperatures": {"cpu": temp, "gpu": temp - 5}, "queue_depths": {"outbox": queue,
                                                                          "decisions": 1},
        "budget_used": 100.0 * queue, **extra})
    assert r.status_code == 200, r.text


def _samples(fleet: Fleet, device_id: str) -> int:
    with fleet.ctx.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(TelemetrySample)
                            .where(TelemetrySample.device_id == device_id)) or 0)


def _insert(fleet: Fleet, device_id: str, start: datetime, n: int, step_s: float,
            temp: float = 40.0) -> None:
    with fleet.ctx.db.session() as s:
        s.add_all([TelemetrySample(device_id=device_id, ts=start + timedelta(seconds=i * step_s),
                                   metrics={"temperature.cpu": temp + i % 3})
                   for i in range(n)])


def test_each_heartbeat_adds_a_sample_the_viewer_reads_back_in_order(fleet: Fleet,
                                                                     tmp_path: Path) -> None:
    auth = _device(fleet, tmp_path, "dev-a")
    for i in range(5):
        _beat(fleet, "dev-a", auth, 50.0 + i, i, cpu_load_percent=10.0 * i, ram_used_mb=2048)
    r = fleet.client.get("/fleet/devices/dev-a/telemetry", headers=fleet.auth("viewer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["samples"] == 5 and body["bucket_s"] is None
    series = body["series"]
    assert [p[1] for p in series["temperature.cpu"]] == [50.0, 51.0, 52.0, 53.0, 54.0]
    assert [p[1] for p in series["temperature_max"]] == [50.0, 51.0, 52.0, 53.0, 54.0]
    assert [p[1] for p in series["queue_total"]] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [p[1] for p in series["cpu_load_percent"]] == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert series["ram_used_mb"][-1][1] == 2048.0
    assert "gpu_load_percent" not in series  # never reported, so not invented
    times = [p[0] for p in series["temperature.cpu"]]
    assert times == sorted(times) and abs(times[-1] - datetime.now(UTC).timestamp()) < 60

    only = fleet.client.get("/fleet/devices/dev-a/telemetry?metric=queue.outbox&metric=nope",
                            headers=fleet.auth("viewer")).json()
    assert set(only["series"]) == {"queue.outbox", "nope"} and only["series"]["nope"] == []
    assert [p[1] for p in only["series"]["queue.outbox"]] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_telemetry_needs_a_viewer_token_and_a_known_device(fleet: Fleet, tmp_path: Path) -> None:
    auth = _device(fleet, tmp_path, "dev-a")
    _beat(fleet, "dev-a", auth, 50.0, 1)
    assert fleet.client.get("/fleet/devices/dev-a/telemetry").status_code == 401
    assert fleet.client.get("/fleet/devices/dev-a/telemetry", headers=auth).status_code == 401
    assert fleet.client.get("/fleet/devices/dev-z/telemetry",
                            headers=fleet.auth("viewer")).status_code == 404
    reversed_window = fleet.client.get(
        "/fleet/devices/dev-a/telemetry?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z",
        headers=fleet.auth("viewer"))
    assert reversed_window.status_code == 422
    too_many = "&".join(f"metric=m{i}" for i in range(40))
    assert fleet.client.get(f"/fleet/devices/dev-a/telemetry?{too_many}",
                            headers=fleet.auth("viewer")).status_code == 422
    for edge in ("since=0001-01-01T00:00:00%2B05:00", "until=9999-12-31T23:59:59-05:00",
                 "since=0001-01-01T00:00:00Z&until=0001-01-01T00:00:01Z"):
        r = fleet.client.get(f"/fleet/devices/dev-a/telemetry?{edge}", headers=fleet.auth("viewer"))
        assert r.status_code in (200, 422), (edge, r.text)
    op = fleet.app.openapi()["paths"]["/fleet/devices/{device_id}/telemetry"]["get"]
    assert op["x-required-role"] == "viewer"
    assert {p["name"] for p in op["parameters"]} >= {"since", "until", "metric", "points"}


def test_a_long_window_is_downsampled_to_the_points_asked_for(fleet: Fleet,
                                                              tmp_path: Path) -> None:
    _device(fleet, tmp_path, "dev-a")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    _insert(fleet, "dev-a", start, 1440, 60.0)  # one day, a sample a minute
    _insert(fleet, "dev-a", start + timedelta(hours=12, seconds=30), 1, 0, temp=99.0)  # a spike
    q = "since=2026-03-01T00:00:00Z&until=2026-03-02T00:00:00Z"
    body = fleet.client.get(f"/fleet/devices/dev-a/telemetry?{q}&points=48",
                            headers=fleet.auth("viewer")).json()
    points = body["series"]["temperature.cpu"]
    assert body["samples"] == 1441 and body["bucket_s"] == 1839  # ceil(86400 / 47)
    assert len(points) <= 48
    assert max(p[3] for p in points) == 99.0 and min(p[2] for p in points) == 40.0
    assert all(40.0 <= p[1] <= 99.0 for p in points)
    # A window holds only its own samples: the last hour of that day has 60.
    last_hour = fleet.client.get(
        "/fleet/devices/dev-a/telemetry?since=2026-03-01T23:00:00Z&until=2026-03-01T23:59:59Z",
        headers=fleet.auth("viewer")).json()
    assert last_hour["samples"] == 60 and last_hour["bucket_s"] is None
    # The server's own ceiling caps what a caller may ask for.
    fleet.ctx.config.telemetry_points_max = 10
    capped = fleet.client.get(f"/fleet/devices/dev-a/telemetry?{q}&points=5000",
                              headers=fleet.auth("viewer")).json()
    assert capped["max_points"] == 10 and len(capped["series"]["temperature.cpu"]) <= 10


def test_samples_are_taken_at_most_every_telemetry_every_s(fleet: Fleet, fleet_db_url: str,
                                                           tmp_path: Path) -> None:
    auth = _device(fleet, tmp_path, "dev-a")
    fleet.ctx.config.telemetry_every_s = 3600
    for i in range(3):
        _beat(fleet, "dev-a", auth, 50.0 + i, i)
    assert _samples(fleet, "dev-a") == 1
    # A second replica on the same database knows nothing in memory: it asks the database.
    replica = Fleet(fleet_db_url, tmp_path / "replica", telemetry_every_s=3600,
                    secret_key_file=fleet.config.secret_key_file
                    or fleet.config.state_dir / "secret.key")
    try:
        r = replica.client.post("/fleet/devices/dev-a/heartbeat", headers=auth, json={})
        assert r.status_code == 200, r.text
        assert _samples(fleet, "dev-a") == 1
    finally:
        replica.close()
    fleet.ctx.config.telemetry_every_s = 0.5
    time.sleep(0.6)
    _beat(fleet, "dev-a", auth, 60.0, 0)
    _beat(fleet, "dev-a", auth, 61.0, 0)
    assert _samples(fleet, "dev-a") == 2


def test_old_samples_are_pruned_in_bounded_batches_per_device(fleet: Fleet,
                                                              tmp_path: Path) -> None:
    auth = _device(fleet, tmp_path, "dev-a")
    _device(fleet, tmp_path, "dev-b")
    fleet.ctx.config.telemetry_keep_days = 7
    old = datetime.now(UTC) - timedelta(days=10)
    _insert(fleet, "dev-a", old, PRUNE_BATCH + 20, 1.0)
    _insert(fleet, "dev-a", datetime.now(UTC) - timedelta(days=6), 5, 1.0)  # within retention
    _insert(fleet, "dev-b", old, 10, 1.0)
    _beat(fleet, "dev-a", auth, 50.0, 0)
    # One heartbeat: its own sample in, at most one batch of the oldest out.
    assert _samples(fleet, "dev-a") == 20 + 5 + 1
    _beat(fleet, "dev-a", auth, 50.0, 0)
    assert _samples(fleet, "dev-a") == 5 + 2
    _beat(fleet, "dev-a", auth, 50.0, 0)
    assert _samples(fleet, "dev-a") == 5 + 3  # nothing old left: nothing more goes
    assert _samples(fleet, "dev-b") == 10  # another device's history is its own
