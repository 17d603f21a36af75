"""The camera detector end to end through real onnxruntime, on a YOLO-shaped test graph.

The graph is built here with the onnx helper API: it takes a ``[1, 3, S, S]`` image
and returns a known ``[1, 4 + C, N]`` tensor (plus 0 x the image mean, so the image
really flows through the session). Decoding, NMS and the mapping back through the
letterbox are then checked against boxes computed by hand.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from appliance.errors import ModelError, PayloadError
from appliance.perception.settings import CameraConfig, PerceptionConfig
from appliance.perception.vision import Detector

SIZE = 64


def _yolo_graph(path: Path, output: np.ndarray, size: int | None = SIZE,
                names: str | None = None, input_shape: list[object] | None = None) -> Path:
    shape = input_shape or [1, 3, size if size else "h", size if size else "w"]
    image = helper.make_tensor_value_info("images", TensorProto.FLOAT, shape)
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(output.shape))
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["known", "nothing"], ["output0"]),
    ]
    inits = [numpy_helper.from_array(output.astype(np.float32), "known"),
             numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero")]
    graph = helper.make_graph(nodes, "tiny_yolo", [image], [out], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    if names is not None:
        prop = model.metadata_props.add()
        prop.key, prop.value = "names", names
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def _known_output() -> np.ndarray:
    # columns: candidate boxes; rows: cx, cy, w, h (letterbox pixels), score person, score forklift
    return np.array([[
        [20, 21, 20, 44, 50],
        [30, 30, 30, 40, 24],
        [10, 10, 10, 8, 6],
        [8, 8, 8, 8, 4],
        [0.90, 0.80, 0.05, 0.10, 0.01],
        [0.05, 0.10, 0.70, 0.60, 0.10],
    ]], dtype=np.float32)


def _jpeg(width: int, height: int) -> bytes:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, size=(height, width, 3), dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


def _detector(model: Path, **camera: object) -> Detector:
    return Detector(PerceptionConfig(camera=CameraConfig(enabled=True, model=model, **camera)))


def test_known_output_is_decoded_suppressed_and_mapped_back_to_the_frame(tmp_path: Path) -> None:
    model = _yolo_graph(tmp_path / "tiny.onnx", _known_output(),
                        names="{0: 'person', 1: 'forklift'}")
    det = _detector(model)
    # a 128 x 64 frame is scaled by 0.5 into the 64 x 64 input and padded 16 px top and bottom
    found = det.detect_jpeg(_jpeg(128, 64))
    assert [(d.label, d.class_id) for d in found] == [("person", 0), ("forklift", 1),
                                                       ("forklift", 1)]
    assert [d.score for d in found] == pytest.approx([0.90, 0.70, 0.60])
    # person: cx 20, cy 30, w 10, h 8 -> x (15..25) / 0.5, y (26..34 - 16) / 0.5
    assert found[0].box == pytest.approx((30.0, 20.0, 50.0, 36.0))
    # forklift at (44, 40, 8x8) -> x 80..96, y 40..56
    assert found[2].box == pytest.approx((80.0, 40.0, 96.0, 56.0))
    # the second person box (IoU with the first above 0.45) was suppressed; the low one dropped


def test_boxes_are_clipped_to_the_frame(tmp_path: Path) -> None:
    out = np.zeros((1, 5, 3), dtype=np.float32)
    out[0, :, 0] = [2, 32, 12, 12, 0.9]  # reaches left of the image edge
    det = _detector(_yolo_graph(tmp_path / "edge.onnx", out))
    (found,) = det.detect(np.zeros((64, 64, 3), dtype=np.uint8))
    assert found.box[0] == 0.0
    assert found.label == "class_0"


def test_thresholds_come_from_config(tmp_path: Path) -> None:
    model = _yolo_graph(tmp_path / "tiny.onnx", _known_output())
    strict = _detector(model, conf_threshold=0.8)
    assert [round(d.score, 2) for d in strict.detect_jpeg(_jpeg(64, 64))] == [0.9]
    loose = _detector(model, iou_threshold=0.95, max_detections=3)
    assert [round(d.score, 2) for d in loose.detect_jpeg(_jpeg(64, 64))] == [0.9, 0.8, 0.7]


def test_dynamic_input_size_comes_from_config(tmp_path: Path) -> None:
    model = _yolo_graph(tmp_path / "dyn.onnx", _known_output(), size=None)
    det = _detector(model, input_size=64, labels=["person", "forklift"])
    assert det.size == 64
    assert det.detect_jpeg(_jpeg(128, 64))[0].box == pytest.approx((30.0, 20.0, 50.0, 36.0))


def test_input_size_conflicting_with_the_model_is_refused(tmp_path: Path) -> None:
    model = _yolo_graph(tmp_path / "tiny.onnx", _known_output())
    with pytest.raises(ModelError, match="takes 64px input") as err:
        _detector(model, input_size=640)
    assert str(model) in str(err.value)


def test_model_without_an_image_input_is_refused(tmp_path: Path) -> None:
    model = _yolo_graph(tmp_path / "flat.onnx", _known_output(), input_shape=[1, 64])
    with pytest.raises(ModelError, match="input mismatch") as err:
        _detector(model)
    assert str(model) in str(err.value)


def test_payload_that_is_not_a_jpeg_is_rejected(tmp_path: Path) -> None:
    det = _detector(_yolo_graph(tmp_path / "tiny.onnx", _known_output()))
    with pytest.raises(PayloadError) as err:
        det.detect_jpeg(b"not an image at all")
    assert err.value.reason == "bad_image"
