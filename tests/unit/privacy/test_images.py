"""Faces: found with OpenCV's Haar cascade, blurred past detection; images blocked by default."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from matplotlib import cbook

from appliance.errors import EgressBlocked
from appliance.privacy.gate import EgressGate
from appliance.privacy.images import ImageError, blur_faces, find_faces
from appliance.privacy.settings import PrivacyConfig

from .test_gate import make_gate


@pytest.fixture(scope="module")
def portrait() -> bytes:
    # a real photograph of a face that ships inside matplotlib's wheel (dev extra)
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    return Path(str(path)).read_bytes()


def _decode(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_face_is_found_and_blurred_beyond_detection(portrait: bytes) -> None:
    original = _decode(portrait)
    boxes = find_faces(original)
    assert len(boxes) == 1
    data, count = blur_faces(portrait)
    assert count == 1
    blurred = _decode(data)
    assert find_faces(blurred) == []
    x, y, w, h = boxes[0]
    face_before = original[y : y + h, x : x + w].astype(float)
    face_after = blurred[y : y + h, x : x + w].astype(float)
    # detail (local variance) inside the face box is gone; outside it is kept
    assert (
        cv2.Laplacian(face_after, cv2.CV_64F).var()
        < 0.1 * cv2.Laplacian(face_before, cv2.CV_64F).var()
    )
    assert (
        np.abs(original[:, : max(1, x - 40)].astype(float) - blurred[:, : max(1, x - 40)]).mean()
        < 8
    )


def test_images_never_leave_under_the_default_policy(tmp_path: Path, portrait: bytes) -> None:
    gate = make_gate(tmp_path)
    sent: list[bytes] = []
    with pytest.raises(EgressBlocked, match="images never leave"):
        gate.send_image("uplink", portrait, sent.append)
    assert sent == [] and gate.audit.records()[-1]["outcome"] == "blocked"


def test_blur_policy_sends_the_blurred_image_and_audits_faces(
    tmp_path: Path, portrait: bytes
) -> None:
    gate: EgressGate = make_gate(tmp_path, PrivacyConfig(images="blur"))
    sent: list[bytes] = []
    gate.send_image("uplink", portrait, sent.append)
    assert len(sent) == 1 and find_faces(_decode(sent[0])) == []
    rec = gate.audit.records()[-1]
    assert rec["classes"] == {"FACE": 1} and rec["redactions"] == {"FACE:blur": 1}


def test_undecodable_image_is_blocked(tmp_path: Path) -> None:
    with pytest.raises(ImageError):
        blur_faces(b"not an image")
    gate = make_gate(tmp_path, PrivacyConfig(images="blur"))
    with pytest.raises(EgressBlocked, match="face detection failed"):
        gate.send_image("uplink", b"not an image", lambda b: None)
