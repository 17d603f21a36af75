"""HardwareMonitor reading tegrastats output from a real child process.

NVIDIA's tegrastats exists only on Jetson; here a small script prints lines
captured on an Orin Nano in the same way (one line per interval on stdout), so
the process handling, parsing, thermal decisions and telemetry run for real.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from appliance.hw.monitor import HardwareMonitor
from appliance.hw.profiles import detect, load_profiles
from appliance.hw.settings import HardwareConfig, ThermalConfig

DATA = Path(__file__).parent / "data"
REPO_HW = Path(__file__).resolve().parents[3] / "hw"


def _fake_tegrastats(tmp_path: Path, lines: list[str]) -> Path:
    script = tmp_path / "tegrastats"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, time\n"
        f"for line in {lines!r}:\n"
        "    print(line, flush=True)\n"
        "    time.sleep(0.05)\n"
        "time.sleep(30)\n")
    script.chmod(0o755)
    return script


def _wait(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    assert predicate()


def test_monitor_publishes_samples_and_thermal_changes(tmp_path: Path) -> None:
    idle, loaded = (DATA / "tegrastats-orin-nano-super-r36.txt").read_text().splitlines()
    script = _fake_tegrastats(tmp_path, [idle, "garbage line", loaded])
    model = tmp_path / "model"
    model.write_bytes(b"NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super\0")
    config = HardwareConfig(tegrastats=str(script), tegrastats_interval_ms=100,
                            profiles_dir=REPO_HW, device_tree_model=model,
                            thermal=ThermalConfig(throttle_c=70, fallback_c=90))
    detection = detect(load_profiles(REPO_HW), model, meminfo_path=tmp_path / "none")
    monitor = HardwareMonitor(config, detection)
    changes: list[str] = []
    monitor.on_thermal_change(lambda old, new: changes.append(new.level.value))
    assert monitor.start()
    try:
        _wait(lambda: monitor.reader.samples == 2 and monitor.reader.bad_lines == 1)
    finally:
        monitor.stop()
    telemetry = monitor.telemetry()
    assert telemetry["board"] == "orin-nano-8gb-super"
    assert telemetry["power_mode"]["name"] == "25W"
    assert telemetry["tegrastats"]["gpu_load_percent"] == 99.0
    # 71.2 C on the loaded line crosses the 70 C throttle threshold.
    assert changes == ["throttled"]
    assert telemetry["thermal"]["level"] == "throttled"
    assert telemetry["thermal"]["concurrency"] == 1
    metrics = monitor.metrics()
    assert metrics["hw_thermal_level"] == 1.0 and metrics["hw_tegrastats_bad_lines_total"] == 1.0


def test_monitor_without_tegrastats_runs_on(tmp_path: Path) -> None:
    config = HardwareConfig(tegrastats=str(tmp_path / "missing-tegrastats"),
                            profiles_dir=REPO_HW, device_tree_model=tmp_path / "model")
    monitor = HardwareMonitor(config)
    assert monitor.start() is False
    monitor.stop()
    telemetry = monitor.telemetry()
    assert telemetry["board"] == "cpu-fallback" and telemetry["tegrastats"] is None
    assert telemetry["thermal"]["level"] == "normal"
