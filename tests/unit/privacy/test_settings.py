"""The privacy config section: safe defaults, partial overrides, clear errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from appliance.config import load, validate_tree
from appliance.errors import ConfigError
from appliance.privacy.gate import gate_from_config


def test_defaults_block_phi_and_redact_personal_data() -> None:
    cfg = validate_tree({}).privacy
    for cls in ("HEALTH", "MRN", "NATIONAL_ID", "CARD", "SECRET", "FACE"):
        assert cfg.action(cls) == "block"
    for cls in ("PERSON", "EMAIL", "PHONE", "ADDRESS", "DOB", "EMPLOYEE_ID", "IBAN", "GPS"):
        assert cfg.action(cls) == "redact"
    assert "allow" not in cfg.policy.values() and cfg.images == "block"


def test_partial_policy_override_keeps_the_other_defaults(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text('[privacy.policy]\nIP = "allow"\nEMPLOYEE_ID = "pseudonymize"\n')
    cfg = load(path, environ={}).privacy
    assert cfg.action("IP") == "allow" and cfg.action("EMPLOYEE_ID") == "pseudonymize"
    assert cfg.action("HEALTH") == "block"


def test_unknown_class_and_bad_pattern_are_reported_with_their_key_path() -> None:
    with pytest.raises(ConfigError) as err:
        validate_tree({"privacy": {"policy": {"PERSONS": "allow"},
                                   "employee_id_patterns": ["B-(\\d+"]}})
    keys = [k for k, _ in err.value.problems]
    assert "privacy.policy" in keys and "privacy.employee_id_patterns" in keys


def test_gate_from_config_creates_private_keys_under_state_dir(tmp_path: Path) -> None:
    cfg = validate_tree({"state_dir": str(tmp_path)})
    gate = gate_from_config(cfg)
    sent: list[bytes] = []
    gate.send("fleet-telemetry", {"cpu_temp": 61.5, "queue": 3}, sent.append)
    assert sent == [b'{"cpu_temp":61.5,"queue":3}']
    for key in (tmp_path / "privacy" / "keys").iterdir():
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (tmp_path / "audit" / "egress.jsonl").exists() and gate.audit.verify().ok
