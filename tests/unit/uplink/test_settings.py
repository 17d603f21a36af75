"""Uplink and cloud config sections: safe defaults, refusals with key paths, secrets kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from appliance.cloud.settings import CloudConfig, load_cloud_config
from appliance.errors import ConfigError
from appliance.uplink.settings import UplinkConfig


def test_uplink_refuses_a_plaintext_relay_url() -> None:
    with pytest.raises(ValidationError, match="https"):
        UplinkConfig(relay_url="http://relay.example")


def test_tls_key_defaults_to_the_signing_key() -> None:
    cfg = UplinkConfig(keys_dir=Path("/k"))
    assert cfg.tls_key_path() == Path("/k/signing.key")


def test_backoff_bounds_must_be_ordered() -> None:
    with pytest.raises(ValidationError):
        UplinkConfig(retry_base_s=10, retry_max_s=1)


def test_production_relay_needs_a_provider() -> None:
    with pytest.raises(ValidationError, match="providers"):
        CloudConfig()
    assert CloudConfig(mode="development").relay.providers == []


def test_cloud_config_from_toml_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "cloud.toml"
    path.write_text('mode = "development"\nport = 9000\n[[relay.providers]]\nname = "a"\n'
                    'base_url = "https://p.example/v1"\nmodel = "m"\n')
    cfg = load_cloud_config(path, {"APPLIANCE_CLOUD__PORT": "9443",
                                   "APPLIANCE_CLOUD__RELAY__RATE_BURST": "3"})
    assert (cfg.port, cfg.relay.rate_burst, cfg.relay.providers[0].name) == (9443, 3, "a")


def test_unknown_key_is_reported_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "cloud.toml"
    path.write_text('mode = "development"\n[relay]\nwindow = 3\n')
    with pytest.raises(ConfigError) as info:
        load_cloud_config(path, {})
    assert tuple(k for k, _ in info.value.problems) == ("relay.window", )


def test_provider_key_is_secret_in_dumps_and_reads_from_the_environment() -> None:
    cfg = CloudConfig.model_validate({"relay": {"providers": [
        {"name": "a", "base_url": "https://x/v1", "model": "m", "api_key": "sk-inline"},
        {"name": "b", "base_url": "https://y/v1", "model": "m", "api_key_env": "B_KEY"}]}})
    assert "sk-inline" not in cfg.model_dump_json()
    assert "sk-inline" not in repr(cfg)
    a, b = cfg.relay.providers
    assert a.key() is not None and a.key().get_secret_value() == "sk-inline"  # type: ignore[union-attr]
    key = b.key({"B_KEY": "sk-env"})
    assert key is not None and key.get_secret_value() == "sk-env"
    assert b.key({}) is None
