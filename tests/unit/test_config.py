"""Config loading: one validated tree, key paths in every error, env overrides."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from appliance.config import Config, api_token, env_overrides, load, masked
from appliance.errors import ConfigError


def test_defaults_are_valid_and_production_safe() -> None:
    cfg = Config()
    assert cfg.mqtt.qos == 1 and cfg.api.enabled and cfg.mode == "production"
    assert cfg.topic("decisions") == "appliance/edge-01/decisions"


def test_unknown_and_wrong_keys_are_reported_with_their_paths(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('device_id = "a"\n[mqtt]\nport = "many"\nhots = "x"\n'
                 '[rules.thresholds.temperature]\nwarn = 90\ncritical = 80\n')
    with pytest.raises(ConfigError) as info:
        load(f, environ={})
    keys = {k for k, _ in info.value.problems}
    assert {"mqtt.port", "mqtt.hots", "rules.thresholds.temperature.critical"} <= keys
    assert str(f) in str(info.value)


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('device_id = "from-file"\n[mqtt]\nport = 1883\n')
    cfg = load(f, environ={"APPLIANCE_MQTT__PORT": "1999", "APPLIANCE_DEVICE_ID": "from-env",
                           "OTHER": "x"})
    assert cfg.mqtt.port == 1999 and cfg.device_id == "from-env"


def test_bad_environment_value_names_the_key() -> None:
    with pytest.raises(ConfigError) as info:
        load(None, environ={"APPLIANCE_PIPELINE__WORKERS": "0"})
    assert info.value.problems[0][0] == "pipeline.workers"


def test_env_overrides_parse_json_values() -> None:
    tree = env_overrides({"APPLIANCE_MQTT__SUBSCRIPTIONS": '[{"topic": "a/#", "kind": "sensor"}]',
                          "APPLIANCE_API__ENABLED": "false"})
    assert tree == {"mqtt": {"subscriptions": [{"topic": "a/#", "kind": "sensor"}]},
                    "api": {"enabled": False}}


def test_device_id_must_be_a_safe_topic_level() -> None:
    with pytest.raises(ConfigError) as info:
        load(None, environ={"APPLIANCE_DEVICE_ID": "a/b#"})
    assert info.value.problems[0][0] == "device_id"


def test_secrets_are_masked(tmp_path: Path) -> None:
    cfg = load(None, environ={"APPLIANCE_MQTT__PASSWORD": "hunter2", "APPLIANCE_API__TOKEN": "tok"})
    text = str(masked(cfg))
    assert "hunter2" not in text and "tok'" not in text


def test_generated_api_token_file_is_private(tmp_path: Path) -> None:
    cfg = load(None, environ={"APPLIANCE_STATE_DIR": str(tmp_path / "s")})
    token = api_token(cfg)
    path = tmp_path / "s" / "api-token"
    assert len(token) >= 32 and path.stat().st_mode & 0o777 == 0o600
    assert api_token(cfg) == token


def test_config_check_cli_exits_nonzero_with_key_paths(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[mqtt]\nqos = 7\n")
    good = tmp_path / "good.toml"
    good.write_text('device_id = "line-3"\n')
    r = subprocess.run([sys.executable, "-m", "appliance", "config", "check", str(bad)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "mqtt.qos" in r.stderr
    r = subprocess.run([sys.executable, "-m", "appliance", "config", "check", str(good)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "line-3" in r.stdout
