"""The ONNX session factory on the real onnxruntime: providers, threads, refusals."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from appliance.errors import ModelError
from appliance.perception import onnx as onnx_factory
from appliance.perception.anomaly import AnomalyModel
from appliance.perception.settings import OnnxConfig

REPO = Path(__file__).resolve().parents[2]
ANOMALY_MODEL = REPO / "models" / "anomaly" / "sensor-anomaly.onnx"


def _relu_model(path: Path, input_name: str = "x", width: int = 3,
                meta: dict[str, str] | None = None) -> Path:
    x = helper.make_tensor_value_info(input_name, TensorProto.FLOAT, [None, width])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, width])
    graph = helper.make_graph([helper.make_node("Relu", [input_name], ["y"])], "relu", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    for key, value in (meta or {}).items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.save(model, path)
    return path


@pytest.fixture()
def fresh_probe() -> None:
    onnx_factory.usable_providers.cache_clear()


def test_every_offered_provider_is_used_or_dropped_with_a_logged_reason(
        fresh_probe: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="appliance.perception.onnx")
    usable = onnx_factory.usable_providers()
    assert usable[-1] == "CPUExecutionProvider"
    order = [p for p in onnx_factory.PREFERRED_ORDER if p in usable]
    assert list(usable) == order  # TensorRT -> CUDA -> CPU
    for provider in ort.get_available_providers():
        if provider in onnx_factory.PREFERRED_ORDER and provider not in usable:
            assert any(provider in r.getMessage() and "falling back" in r.getMessage()
                       for r in caplog.records), f"no logged reason for dropping {provider}"
    assert any("using in order" in r.getMessage() for r in caplog.records)


def test_session_opens_without_onnxruntime_provider_errors(
        fresh_probe: None, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    session = onnx_factory.open_session(_relu_model(tmp_path / "relu.onnx"), OnnxConfig())
    (out,) = session.run(None, {"x": np.array([[-1.0, 0.0, 2.0]], dtype=np.float32)})
    assert out.tolist() == [[0.0, 0.0, 2.0]]
    assert session.get_providers()[0] == onnx_factory.usable_providers()[0]
    captured = capfd.readouterr()
    assert "EP Error" not in captured.out + captured.err
    assert "Failed to load library" not in captured.out + captured.err


def test_provider_override_keeps_only_usable_ones_and_cpu_last() -> None:
    chosen = onnx_factory.select_providers(
        OnnxConfig(providers=["CUDAExecutionProvider", "CPUExecutionProvider"]))
    assert chosen[-1] == "CPUExecutionProvider"
    assert set(chosen) <= set(onnx_factory.usable_providers())
    assert onnx_factory.select_providers(OnnxConfig(providers=["CUDAExecutionProvider"]))[-1] \
        == "CPUExecutionProvider"


def test_threads_come_from_config(tmp_path: Path) -> None:
    session = onnx_factory.open_session(_relu_model(tmp_path / "relu.onnx"),
                                        OnnxConfig(threads=2, inter_op_threads=1))
    options = session.get_session_options()
    assert options.intra_op_num_threads == 2
    assert options.inter_op_num_threads == 1


def test_missing_model_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.onnx"
    with pytest.raises(ModelError, match=str(path)):
        onnx_factory.open_session(path, OnnxConfig())


def test_corrupt_model_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.onnx"
    path.write_bytes(b"\x08\x07this is not a protobuf model" * 10)
    with pytest.raises(ModelError, match="not a loadable ONNX model") as err:
        onnx_factory.open_session(path, OnnxConfig())
    assert str(path) in str(err.value)


def test_truncated_anomaly_model_is_refused(tmp_path: Path) -> None:
    data = ANOMALY_MODEL.read_bytes()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match=str(path)):
        AnomalyModel(path, OnnxConfig())


def test_model_with_another_input_shape_is_refused_with_both_signatures(tmp_path: Path) -> None:
    path = _relu_model(tmp_path / "wide.onnx", input_name="features", width=5)
    with pytest.raises(ModelError) as err:
        AnomalyModel(path, OnnxConfig())
    message = str(err.value)
    assert str(path) in message
    assert "features[None, 8]" in message and "features[None, 5]" in message


def test_model_with_another_input_name_is_refused(tmp_path: Path) -> None:
    path = _relu_model(tmp_path / "named.onnx", input_name="input", width=8)
    with pytest.raises(ModelError, match="input mismatch") as err:
        AnomalyModel(path, OnnxConfig())
    assert str(path) in str(err.value)


def test_model_that_is_not_a_sensor_anomaly_model_is_refused(tmp_path: Path) -> None:
    # right input, but no probabilities output and no appliance metadata
    path = _relu_model(tmp_path / "other.onnx", input_name="features", width=8)
    with pytest.raises(ModelError, match=r"expected output probabilities") as err:
        AnomalyModel(path, OnnxConfig())
    assert str(path) in str(err.value)


def test_shipped_anomaly_model_loads_and_scores_probabilities() -> None:
    model = AnomalyModel(ANOMALY_MODEL, OnnxConfig())
    rng = np.random.default_rng(0)
    scores = model.score(rng.normal(size=(64, 8)))
    assert scores.shape == (64,)
    assert ((scores >= 0) & (scores <= 1)).all()
    assert model.window == 16
