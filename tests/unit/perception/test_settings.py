"""The perception config section: defaults, key paths on errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config import validate_tree
from appliance.errors import ConfigError


def test_defaults_are_cpu_safe_and_point_at_the_shipped_model() -> None:
    cfg = validate_tree({}).perception
    assert cfg.anomaly.model == Path("models/anomaly/sensor-anomaly.onnx")
    assert cfg.onnx.providers is None  # TensorRT -> CUDA -> CPU, filtered at run time
    assert cfg.onnx.threads == 1
    assert cfg.camera.enabled is False


def test_unknown_key_is_reported_with_its_path() -> None:
    with pytest.raises(ConfigError) as err:
        validate_tree({"perception": {"anomaly": {"treshold": 0.7}}})
    assert any(k == "perception.anomaly.treshold" for k, _ in err.value.problems)


def test_unknown_provider_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        validate_tree({"perception": {"onnx": {"providers": ["OpenVINOExecutionProvider"]}}})
    assert any(k.startswith("perception.onnx.providers") for k, _ in err.value.problems)


def test_camera_enabled_without_a_model_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"camera\.model"):
        validate_tree({"perception": {"camera": {"enabled": True}}})


def test_threshold_must_be_a_probability() -> None:
    with pytest.raises(ConfigError):
        validate_tree({"perception": {"anomaly": {"threshold": 1.5}}})
