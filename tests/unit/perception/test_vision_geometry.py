"""Letterbox geometry, YOLO output decoding and NMS (pure numpy / OpenCV)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.errors import PayloadError
from appliance.perception.vision import PAD_VALUE, decode_jpeg, decode_yolo, letterbox, nms


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def test_letterbox_keeps_aspect_and_pads_grey_evenly() -> None:
    image = np.zeros((100, 200, 3), dtype=np.uint8)
    image[:, :, 2] = 255  # pure red in BGR
    tensor, box = letterbox(image, 64)
    assert tensor.shape == (1, 3, 64, 64) and tensor.dtype == np.float32
    assert (box.scale, box.pad_x, box.pad_y, box.width, box.height) == (0.32, 0, 16, 200, 100)
    assert tensor[0, :, 0, 0] == pytest.approx([PAD_VALUE / 255] * 3)  # grey border
    assert tensor[0, :, 32, 32] == pytest.approx([1.0, 0.0, 0.0])  # RGB order, 0..1


def test_decode_keeps_best_class_above_confidence_and_suppresses_overlaps() -> None:
    # rows: cx, cy, w, h, score(class 0), score(class 1); columns are candidate boxes
    pred = np.array([[
        [20, 21, 20, 50],
        [30, 30, 30, 50],
        [10, 10, 10, 10],
        [8, 8, 8, 10],
        [0.9, 0.8, 0.1, 0.2],
        [0.1, 0.2, 0.7, 0.1],
    ]], dtype=np.float32)
    boxes, scores, classes = decode_yolo(pred, conf_threshold=0.25, iou_threshold=0.45,
                                         max_detections=10)
    # box 1 overlaps box 0 in the same class -> dropped; box 2 is class 1 -> kept;
    # box 3 is under the confidence threshold
    assert scores.tolist() == pytest.approx([0.9, 0.7])
    assert classes.tolist() == [0, 1]
    assert boxes[0].tolist() == pytest.approx([15, 26, 25, 34])


def test_decode_accepts_boxes_first_layout() -> None:
    pred = np.zeros((1, 6, 50), dtype=np.float32)
    pred[0, :, 3] = [32, 32, 8, 8, 0.0, 0.95]
    a = decode_yolo(pred, 0.5, 0.5, 10)
    b = decode_yolo(pred.transpose(0, 2, 1).copy(), 0.5, 0.5, 10, num_classes=2)
    assert a[0].tolist() == b[0].tolist() == [[28, 28, 36, 36]]
    assert a[2].tolist() == b[2].tolist() == [1]


def test_decode_refuses_an_output_that_is_not_yolo_shaped() -> None:
    with pytest.raises(ValueError, match=r"\[1, 4 \+ classes, boxes\]"):
        decode_yolo(np.zeros((2, 3), dtype=np.float32), 0.5, 0.5, 10)


def test_jpeg_round_trip_and_garbage_refused() -> None:
    image = np.full((24, 32, 3), 200, dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    assert decode_jpeg(data.tobytes()).shape == (24, 32, 3)
    with pytest.raises(PayloadError) as err:
        decode_jpeg(b"\xff\xd8not a jpeg")
    assert err.value.reason == "bad_image"


box_strategy = st.tuples(
    st.floats(0, 100), st.floats(0, 100), st.floats(1, 50), st.floats(1, 50)
).map(lambda t: [t[0], t[1], t[0] + t[2], t[1] + t[3]])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(box_strategy, st.floats(0.01, 1.0)), min_size=1, max_size=30),
       st.floats(0.1, 0.9))
def test_nms_keeps_the_best_box_and_no_two_kept_boxes_overlap_beyond_the_threshold(
        items: list[tuple[list[float], float]], iou_threshold: float) -> None:
    boxes = np.array([b for b, _ in items], dtype=np.float32)
    scores = np.array([s for _, s in items], dtype=np.float32)
    keep = nms(boxes, scores, iou_threshold)
    assert scores[keep[0]] == scores.max()
    assert len(set(keep.tolist())) == len(keep)
    for i, a in enumerate(keep):
        for b in keep[i + 1:]:
            assert _iou(boxes[a], boxes[b]) <= iou_threshold + 1e-6
    # every dropped box overlaps some kept box with a score at least as high
    for d in set(range(len(boxes))) - set(keep.tolist()):
        assert any(_iou(boxes[d], boxes[k]) > iou_threshold - 1e-6 and scores[k] >= scores[d]
                   for k in keep)
