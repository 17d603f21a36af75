"""The heartbeat summary: daemon telemetry → the agent's format, written atomically, read fresh."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.fleet.registry import Heartbeat
from appliance.heartbeat_summary import (
    FILE_MODE,
    SummaryReader,
    SummaryWriter,
    agent_source,
    stale_reason,
    summarize,
    write_summary,
)
from appliance.hw.tegrastats import parse_line
from appliance.telemetry import TelemetryPublisher

DATA = Path(__file__).parent / "hw" / "data"


def _orin_nano_metrics() -> dict[str, float]:
    line = (DATA / "tegrastats-orin-nano-super-r36.txt").read_text().splitlines()[1]
    return parse_line(line).as_metrics()


def _doc(**over: Any) -> dict[str, Any]:
    """A telemetry document shaped like the daemon's (its sources' keys)."""
    doc: dict[str, Any] = {
        "device": "press-07", "ts": 1_700_000_000.5,
        "pipeline": {"queue_depth": 7, "inflight": 1},
        "models": {"slm": "gemma3-270m", "slm_queue": 2, "slm_warm": True, "decider": "models"},
        "uplink": {"configured": True, "up": False, "depth": 12, "oldest_age_s": 33.5},
        "budgets": {"device_day": {"day": "2026-01-01", "used": 1200, "limit": 50000},
                    "sessions": {}, "alerts": []},
        "hw": {"board": "orin-nano-8gb-super", "tegrastats": _orin_nano_metrics()},
    }
    doc.update(over)
    return doc


def test_summary_of_a_daemon_document_has_the_agents_fields() -> None:
    assert summarize(_doc()) == {
        "ts": 1_700_000_000.5,
        "temperatures": {"cpu": 69.031, "gpu": 71.218, "soc0": 68.156, "soc1": 68.875,
                         "soc2": 67.468, "tj": 71.218},
        "queue_depths": {"pipeline": 7, "slm": 2, "outbox": 12},
        "budget_used": 1200.0,
        "cpu_load_percent": pytest.approx((38 + 41 + 35 + 52 + 30 + 44) / 6),
        "gpu_load_percent": 99.0, "ram_used_mb": 5874.0, "outbox_oldest_age_s": 33.5,
    }


def test_failed_or_absent_sources_leave_their_fields_out() -> None:
    failed = {"error": "RuntimeError: boom"}
    doc = _doc(pipeline=failed, uplink=failed, budgets=failed, hw={"tegrastats": None},
               models={"slm": None, "slm_queue": 0})
    assert summarize(doc) == {"ts": 1_700_000_000.5, "temperatures": {}, "queue_depths": {}}
    assert summarize({}) == {"temperatures": {}, "queue_depths": {}}


def test_out_of_range_and_non_numeric_values_are_dropped() -> None:
    tegra = {"temp_cpu_c": float("nan"), "temp_gpu_c": 1e6, "temp_tj_c": True, "temp__c": 40.0,
             "temp_ok_c": -5.5, "cpu_load_percent": -1.0, "gpu_load_percent": "12",
             "ram_used_mb": 10**400}
    doc = _doc(hw={"tegrastats": tegra}, pipeline={"queue_depth": 2.5},
               uplink={"depth": -1, "oldest_age_s": float("inf")},
               budgets={"device_day": {"used": 2e12}})
    assert summarize(doc) == {"ts": 1_700_000_000.5, "temperatures": {"ok": -5.5},
                              "queue_depths": {"slm": 2}}


_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80))
_ANY = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
_TEGRA = st.dictionaries(
    st.from_regex(r"temp_[a-z0-9_]{0,80}_c", fullmatch=True) | st.sampled_from(
        ["cpu_load_percent", "gpu_load_percent", "ram_used_mb", "hot_spot_c"]),
    _SCALARS, max_size=40)


@given(st.fixed_dictionaries({}, optional={
    "ts": _SCALARS,
    "pipeline": st.fixed_dictionaries({}, optional={"queue_depth": _SCALARS}) | _ANY,
    "models": st.fixed_dictionaries({}, optional={"slm": _SCALARS, "slm_queue": _SCALARS}),
    "uplink": st.fixed_dictionaries({}, optional={"depth": _SCALARS, "oldest_age_s": _SCALARS}),
    "budgets": st.fixed_dictionaries({}, optional={
        "device_day": st.fixed_dictionaries({}, optional={"used": _SCALARS}) | _ANY}),
    "hw": st.fixed_dictionaries({}, optional={"tegrastats": _TEGRA | _ANY}) | _ANY,
}))
def test_any_document_gives_a_heartbeat_the_fleet_accepts(doc: dict[str, Any]) -> None:
    summary = summarize(doc)
    json.dumps(summary, allow_nan=False)  # what write_summary needs
    body = {k: v for k, v in summary.items() if k != "ts"}
    beat = Heartbeat.model_validate(body)  # the fleet's own request model
    assert beat.queue_depths == summary["queue_depths"]
    assert all(len(name) <= 64 for name in beat.temperatures)


@given(ts=st.floats(0, 4e9), now=st.floats(0, 4e9), max_age=st.floats(0.1, 1e6))
def test_a_summary_is_current_exactly_within_max_age_either_side(ts: float, now: float,
                                                                 max_age: float) -> None:
    reason = stale_reason({"ts": ts}, mtime=0.0, now=now, max_age_s=max_age)
    assert (reason is None) == (abs(now - ts) <= max_age)


def test_without_ts_the_file_time_dates_the_summary() -> None:
    assert stale_reason({}, mtime=1000.0, now=1100.0, max_age_s=120) is None
    assert "written 200.0s ago" in (stale_reason({}, mtime=1000.0, now=1200.0, max_age_s=120)
                                  or "")


def test_written_summary_is_private_and_replaces_the_old_one_whole(tmp_path: Path) -> None:
    path = tmp_path / "state" / "telemetry.json"
    write_summary(path, {"ts": 1.0, "queue_depths": {"pipeline": 1}})
    write_summary(path, {"ts": 2.0, "queue_depths": {"pipeline": 2}})
    assert json.loads(path.read_text()) == {"ts": 2.0, "queue_depths": {"pipeline": 2}}
    assert path.stat().st_mode & 0o777 == FILE_MODE == 0o640
    assert [p.name for p in path.parent.iterdir()] == ["telemetry.json"]  # no temp left


def test_writer_warns_once_while_it_cannot_write(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    writer = SummaryWriter(blocker / "telemetry.json")
    with caplog.at_level(logging.INFO, logger="appliance.heartbeat_summary"):
        for _ in range(3):
            writer(_doc())
        assert [r.levelname for r in caplog.records] == ["WARNING"]
        writer.path = tmp_path / "telemetry.json"
        writer(_doc())
    assert json.loads(writer.path.read_text())["queue_depths"]["outbox"] == 12
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO"]


def test_publisher_hands_each_document_to_its_sinks_and_survives_a_failing_one(
        tmp_path: Path) -> None:
    published: list[bytes] = []
    pub = TelemetryPublisher("press-07", published.append, 60.0)
    pub.sources["pipeline"] = lambda: {"queue_depth": 4}

    def broken(doc: dict[str, Any]) -> None:
        raise RuntimeError("sink down")

    pub.sinks += [broken, SummaryWriter(tmp_path / "telemetry.json")]
    pub.publish_now()
    summary = json.loads((tmp_path / "telemetry.json").read_text())
    assert summary["queue_depths"] == {"pipeline": 4}
    assert summary["ts"] == json.loads(published[0])["ts"]


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_reader_skips_a_stale_summary_and_warns_once(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "telemetry.json"
    write_summary(path, {"ts": 1000.0, "queue_depths": {"pipeline": 3}})
    clock = _Clock(1050.0)
    reader = SummaryReader(path, max_age_s=90, clock=clock)
    with caplog.at_level(logging.INFO, logger="appliance.heartbeat_summary"):
        assert reader.read()["queue_depths"] == {"pipeline": 3}
        clock.now = 1100.0
        assert reader.read() == {} and reader.read() == {}
        write_summary(path, {"ts": 1099.0, "queue_depths": {"pipeline": 0}})
        assert reader.read()["queue_depths"] == {"pipeline": 0}
    assert [(r.levelname, "stale: written 100.0s ago" in r.getMessage())
            for r in caplog.records] == [("WARNING", True), ("INFO", False)]


def test_reader_treats_missing_and_broken_files_as_no_telemetry(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="appliance.heartbeat_summary")  # whatever ran before
    path = tmp_path / "telemetry.json"
    reader = SummaryReader(path)
    assert reader.read() == {} and not caplog.records  # no daemon yet: nothing to warn about
    path.write_text("{not json")
    assert reader.read() == {}
    path.write_text("[1, 2]")
    assert reader.read() == {}
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert SummaryReader(None).read() == {}


def test_reader_dates_a_summary_without_ts_by_its_file(tmp_path: Path) -> None:
    path = tmp_path / "telemetry.json"
    path.write_text(json.dumps({"queue_depths": {"x": 1}}))
    reader = SummaryReader(path, max_age_s=60)
    assert reader.read() == {"queue_depths": {"x": 1}}
    old = time.time() - 600
    os.utime(path, (old, old))
    assert reader.read() == {}


def test_agent_finds_the_summary_through_the_device_config(tmp_path: Path) -> None:
    base = tmp_path / "base.toml"
    base.write_text(f'state_dir = "{tmp_path / "var"}"\n[pipeline]\ntelemetry_interval_s = 20\n')
    applied = tmp_path / "applied.toml"
    assert agent_source([applied, base], {}) == (tmp_path / "var" / "telemetry.json", 60.0)
    # The environment overrides the files, as it does for the daemon.
    env = {"APPLIANCE_STATE_DIR": str(tmp_path / "lib")}
    assert agent_source([applied, base], env) == (tmp_path / "lib" / "telemetry.json", 60.0)
    applied.write_text('[pipeline]\ntelemetry_interval_s = 1\ntelemetry_file = "/run/t.json"\n')
    assert agent_source([applied, base], {}) == (Path("/run/t.json"), 10.0)


def test_agent_without_a_readable_config_falls_back_to_the_state_dir(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("pipeline = 3\n")
    env = {"APPLIANCE_STATE_DIR": "/var/lib/appliance"}
    assert agent_source([broken, None], env) == (Path("/var/lib/appliance/telemetry.json"), 120.0)
    assert agent_source([None], {}) == (None, 120.0)
