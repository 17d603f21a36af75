"""The [hw] config section: defaults, key validation, and its place in the config tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config import load
from appliance.errors import ConfigError


def test_hw_section_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("""
[hw]
board = "orin-nano-8gb-super"
tegrastats_interval_ms = 500

[[hw.serial]]
path = "/dev/appliance/ftdi-A10K"
name = "press"
baud = 9600
parity = "E"
protocol = "csv"
csv_columns = ["ts", "pressure"]

[[hw.cameras]]
name = "dock"
source = "rtsp://10.0.0.5:554/stream1"
sample_fps = 2

[hw.thermal]
throttle_c = 75
""")
    cfg = load(path, environ={})
    assert cfg.hw.board == "orin-nano-8gb-super"
    assert cfg.hw.serial[0].topic == "serial/press" and cfg.hw.serial[0].parity == "E"
    assert cfg.hw.cameras[0].sample_fps == 2
    assert cfg.hw.thermal.throttle_c == 75 and cfg.hw.thermal.fallback_c is None


def test_defaults_are_safe() -> None:
    cfg = load(None, environ={})
    assert cfg.hw.board == "auto" and cfg.hw.serial == [] and cfg.hw.cameras == []
    assert cfg.hw.thermal.enabled


@pytest.mark.parametrize(("snippet", "key"), [
    ("[hw]\nserail = []", "hw.serail"),
    ("[[hw.cameras]]\nname = 'a'\nsource = 'x'\nkind = 'gstreamer'", "hw.cameras.0"),
    ("[hw.thermal]\nthrottle_c = 90\nfallback_c = 80", "hw.thermal"),
    ("[[hw.serial]]\npath = '/dev/ttyUSB0'\n[[hw.serial]]\npath = '/dev/ttyUSB0'", "hw"),
])
def test_bad_hw_keys_are_reported_with_key_path(tmp_path: Path, snippet: str, key: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(snippet)
    with pytest.raises(ConfigError) as err:
        load(path, environ={})
    assert any(k.startswith(key) for k, _ in err.value.problems), err.value.problems
