"""Camera frames through a YOLO-style ONNX detector: letterbox, decode, NMS.

Any detector exported the YOLOv8 way works: one image input ``[1, 3, S, S]``
(RGB, 0..1) and one output ``[1, 4 + classes, boxes]`` whose rows are
``cx, cy, w, h`` in input pixels followed by one score per class. (An output
laid out ``[1, boxes, 4 + classes]`` is transposed when the labels give the
class count.) Frigate events already
carry detections and are consumed as metadata by ingest, not re-detected here.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from appliance.errors import ModelError, PayloadError
from appliance.perception.onnx import expect_input, metadata, open_session
from appliance.perception.settings import PerceptionConfig

log = logging.getLogger(__name__)

DEFAULT_INPUT_SIZE = 640
PAD_VALUE = 114  # the grey YOLO exporters pad with; the model saw it in training

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Letterbox:
    """How an image was fitted into the square model input (to map boxes back)."""

    scale: float
    pad_x: int
    pad_y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Detection:
    """One detected object; ``box`` is ``(x1, y1, x2, y2)`` in original image pixels."""

    label: str
    class_id: int
    score: float
    box: tuple[float, float, float, float]


def decode_jpeg(data: bytes) -> npt.NDArray[np.uint8]:
    """Return the BGR image in ``data`` (JPEG or anything OpenCV reads).

    Raises :class:`PayloadError` (reason ``bad_image``) when it does not decode.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(buf, cv2.IMREAD_COLOR) if buf.size else None
    if image is None:
        raise PayloadError("bad_image", f"{len(data)} bytes do not decode as an image")
    return np.asarray(image, dtype=np.uint8)


def letterbox(image: npt.NDArray[np.uint8], size: int) -> tuple[FloatArray, Letterbox]:
    """Fit a BGR image into ``size`` x ``size`` keeping its aspect ratio, padded grey.

    Returns the NCHW float32 RGB tensor in [0, 1] and the :class:`Letterbox` used.
    """
    height, width = image.shape[:2]
    scale = min(size / height, size / width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    pad_x, pad_y = (size - new_w) // 2, (size - new_h) // 2
    canvas = np.full((size, size, 3), PAD_VALUE, dtype=np.uint8)
    canvas[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized
    rgb = canvas[:, :, ::-1].transpose(2, 0, 1)
    tensor = np.ascontiguousarray(rgb, dtype=np.float32)[None] / np.float32(255.0)
    return tensor, Letterbox(scale, pad_x, pad_y, width, height)


def nms(boxes: FloatArray, scores: FloatArray, iou_threshold: float) -> npt.NDArray[np.intp]:
    """Greedy non-maximum suppression of ``boxes`` (``[N, 4]`` xyxy).

    Returns the indices kept, highest score first; a box is dropped when its IoU
    with a kept, higher-scoring box exceeds ``iou_threshold``.
    """
    order = np.argsort(-scores, kind="stable")
    widths = np.clip(boxes[:, 2] - boxes[:, 0], 0, None)
    areas = widths * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)
    keep: list[int] = []
    while order.size:
        best = int(order[0])
        keep.append(best)
        rest = order[1:]
        xx1 = np.maximum(boxes[best, 0], boxes[rest, 0])
        yy1 = np.maximum(boxes[best, 1], boxes[rest, 1])
        xx2 = np.minimum(boxes[best, 2], boxes[rest, 2])
        yy2 = np.minimum(boxes[best, 3], boxes[rest, 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        union = areas[best] + areas[rest] - inter
        iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        order = rest[iou <= iou_threshold]
    return np.array(keep, dtype=np.intp)


def decode_yolo(output: npt.NDArray[Any], conf_threshold: float, iou_threshold: float,
                max_detections: int, num_classes: int | None = None
                ) -> tuple[FloatArray, FloatArray, npt.NDArray[np.intp]]:
    """Decode a ``[1, 4 + C, N]`` YOLO output into boxes (xyxy, input pixels), scores, classes.

    Keeps the best class per box, drops scores below ``conf_threshold``, runs
    NMS per class, and returns at most ``max_detections`` results, best first.
    A ``[1, N, 4 + C]`` output is accepted when ``num_classes`` identifies it.
    Raises ValueError when the output has another shape.
    """
    pred = np.asarray(output, dtype=np.float32)
    if num_classes is not None and pred.ndim == 3 and pred.shape[1] != 4 + num_classes \
            and pred.shape[2] == 4 + num_classes:
        pred = pred.transpose(0, 2, 1)
    if pred.ndim != 3 or pred.shape[0] != 1 or pred.shape[1] < 5:
        raise ValueError(f"expected a [1, 4 + classes, boxes] output, got {list(pred.shape)}")
    rows = pred[0]
    class_scores = rows[4:]
    class_ids = np.argmax(class_scores, axis=0)
    scores = class_scores[class_ids, np.arange(class_scores.shape[1])]
    mask = scores >= conf_threshold
    cx, cy, w, h = rows[0, mask], rows[1, mask], rows[2, mask], rows[3, mask]
    boxes = np.stack((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), axis=1).astype(np.float32)
    scores, class_ids = scores[mask], class_ids[mask]
    if not len(scores):
        return boxes, scores, class_ids
    # Offsetting each class into its own region makes one NMS pass class-wise.
    offset = class_ids[:, None].astype(np.float32) * (float(np.abs(boxes).max()) + 1.0)
    keep = nms(boxes + offset, scores, iou_threshold)[:max_detections]
    return boxes[keep], scores[keep], class_ids[keep]


def _labels_from_metadata(meta: dict[str, str]) -> list[str] | None:
    raw = meta.get("names")
    if not raw:
        return None
    try:  # Ultralytics writes a Python dict literal: "{0: 'person', 1: 'bicycle'}"
        names = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return None
    if isinstance(names, dict):
        return [str(names[k]) for k in sorted(names)]
    if isinstance(names, list):
        return [str(n) for n in names]
    return None


class Detector:
    """A YOLO-style ONNX object detector. Safe to share between threads."""

    def __init__(self, config: PerceptionConfig) -> None:
        """Open ``config.camera.model``. Raises :class:`ModelError` naming the file on mismatch."""
        cam = config.camera
        if cam.model is None:
            raise ModelError("perception.camera.model is not set (path of a YOLO-style .onnx)")
        self.path = cam.model
        self.session = open_session(cam.model, config.onnx)
        self.input_name = expect_input(self.session, cam.model, None, (None, 3, None, None))
        shape = self.session.get_inputs()[0].shape
        fixed = [d for d in shape[2:] if isinstance(d, int)]
        if fixed and (len(fixed) != 2 or fixed[0] != fixed[1]):
            raise ModelError(f"model file {cam.model}: expected a square image input, got {shape}")
        if fixed and cam.input_size is not None and cam.input_size != fixed[0]:
            raise ModelError(f"model file {cam.model} takes {fixed[0]}px input, "
                             f"perception.camera.input_size is {cam.input_size}")
        self.size = fixed[0] if fixed else (cam.input_size or DEFAULT_INPUT_SIZE)
        outputs = self.session.get_outputs()
        if len(outputs) < 1 or len(outputs[0].shape) != 3:
            got = [(o.name, o.shape) for o in outputs]
            raise ModelError(f"model file {cam.model}: expected output [1, 4 + classes, boxes], "
                             f"the model has {got}")
        self.output_name = outputs[0].name
        self.labels = cam.labels or _labels_from_metadata(dict(metadata(self.session)))
        self.conf = cam.conf_threshold
        self.iou = cam.iou_threshold
        self.max_detections = cam.max_detections
        log.info("detector %s: input %dpx, %s labels", cam.model, self.size,
                 len(self.labels) if self.labels else "unnamed")

    def _label(self, class_id: int) -> str:
        if self.labels and 0 <= class_id < len(self.labels):
            return self.labels[class_id]
        return f"class_{class_id}"

    def detect(self, image: npt.NDArray[np.uint8]) -> list[Detection]:
        """Return the objects in a BGR image, best first, boxes in the image's pixels."""
        tensor, box = letterbox(image, self.size)
        (output,) = self.session.run([self.output_name], {self.input_name: tensor})
        boxes, scores, class_ids = decode_yolo(output, self.conf, self.iou, self.max_detections,
                                               len(self.labels) if self.labels else None)
        boxes = boxes.copy()
        boxes[:, [0, 2]] = np.clip((boxes[:, [0, 2]] - box.pad_x) / box.scale, 0, box.width)
        boxes[:, [1, 3]] = np.clip((boxes[:, [1, 3]] - box.pad_y) / box.scale, 0, box.height)
        return [
            Detection(self._label(int(c)), int(c), float(s),
                      (float(b[0]), float(b[1]), float(b[2]), float(b[3])))
            for b, s, c in zip(boxes, scores, class_ids, strict=True)
        ]

    def detect_jpeg(self, data: bytes) -> list[Detection]:
        """Decode a JPEG payload and detect; raises :class:`PayloadError` if it is not an image."""
        return self.detect(decode_jpeg(data))
