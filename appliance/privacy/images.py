"""Faces in images: found with OpenCV's bundled Haar cascades and blurred beyond recovery."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from appliance.errors import ApplianceError

log = logging.getLogger(__name__)
CASCADES = ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml")


class ImageError(ApplianceError):
    """An image could not be decoded, or the face detector could not be loaded."""


@lru_cache(maxsize=1)
def _classifiers() -> tuple[Any, ...]:
    import cv2

    out = []
    for name in CASCADES:
        path = Path(cv2.data.haarcascades) / name  # type: ignore[attr-defined]
        clf = cv2.CascadeClassifier(str(path))
        if clf.empty():
            raise ImageError(f"OpenCV cascade {path} could not be loaded")
        out.append(clf)
    return tuple(out)


def find_faces(image: Any) -> list[tuple[int, int, int, int]]:
    """Return ``(x, y, w, h)`` boxes of faces in a BGR or grey numpy image."""
    import cv2

    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    grey = cv2.equalizeHist(grey)
    min_side = max(20, min(grey.shape[:2]) // 40)
    boxes: list[tuple[int, int, int, int]] = []
    for clf in _classifiers():
        found = clf.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5,
                                     minSize=(min_side, min_side))
        boxes.extend((int(x), int(y), int(w), int(h)) for x, y, w, h in found)
    return boxes


def blur_boxes(image: Any, boxes: list[tuple[int, int, int, int]], margin: float = 0.2) -> Any:
    """Return a copy of ``image`` with each box (grown by ``margin``) pixelated and blurred."""
    import cv2

    out = image.copy()
    height, width = out.shape[:2]
    for x, y, w, h in boxes:
        dx, dy = int(w * margin), int(h * margin)
        x0, y0 = max(0, x - dx), max(0, y - dy)
        x1, y1 = min(width, x + w + dx), min(height, y + h + dy)
        region = out[y0:y1, x0:x1]
        if region.size == 0:
            continue
        # pixelate first so no blur kernel can be inverted to recover the face
        small = cv2.resize(region, (8, 8), interpolation=cv2.INTER_AREA)
        coarse = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
        k = max(3, (min(x1 - x0, y1 - y0) // 4) | 1)
        out[y0:y1, x0:x1] = cv2.GaussianBlur(coarse, (k, k), 0)
    return out


def blur_faces(data: bytes) -> tuple[bytes, int]:
    """Return the image re-encoded (PNG in, PNG out; else JPEG) with faces blurred, and the count.

    Raises :class:`ImageError` if the bytes are not a decodable image.
    """
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageError("not a decodable image")
    boxes = find_faces(image)
    blurred = blur_boxes(image, boxes)
    ext = ".png" if data[:8] == b"\x89PNG\r\n\x1a\n" else ".jpg"
    ok, encoded = cv2.imencode(ext, blurred)
    if not ok:
        raise ImageError("could not re-encode the image")
    log.debug("blurred %d face(s)", len(boxes))
    return encoded.tobytes(), len(boxes)
