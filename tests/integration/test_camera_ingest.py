"""Camera ingest on a video file the test writes: sampling rate, JPEG output, reconnects."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from appliance.hw.camera_ingest import CameraFrame, CameraIngest, gstreamer_available
from appliance.hw.settings import CameraConfig
from appliance.ingest.parse import parse

FPS = 10.0
SECONDS = 1.0


def write_video(path: Path, seconds: float = SECONDS, fps: float = FPS) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (160, 120))
    assert writer.isOpened(), "OpenCV cannot write MJPG/AVI here"
    for i in range(int(seconds * fps)):
        frame = np.full((120, 160, 3), (i * 10 % 256, 80, 200), np.uint8)
        cv2.putText(frame, str(i), (50, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 2)
        writer.write(frame)
    writer.release()


class Frames:
    def __init__(self) -> None:
        self.items: list[CameraFrame] = []
        self._lock = threading.Lock()

    def __call__(self, frame: CameraFrame) -> None:
        with self._lock:
            self.items.append(frame)

    def __len__(self) -> int:
        with self._lock:
            return len(self.items)


def wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout:.0f} s")


@pytest.fixture
def video(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "dock.avi"
    write_video(path)
    yield path


def _camera(source: str, **kw: object) -> CameraConfig:
    return CameraConfig.model_validate({"name": "dock", "source": source, "sample_fps": 4,
                                        "reconnect_min_s": 0.1, "reconnect_max_s": 0.4, **kw})


def test_file_is_sampled_at_the_configured_rate_into_jpegs(video: Path) -> None:
    frames = Frames()
    # A long reconnect delay keeps it to one pass over the file within the test.
    ingest = CameraIngest(_camera(str(video), max_width=80, reconnect_min_s=5,
                                  reconnect_max_s=5), frames)
    ingest.start()
    try:
        wait_for(lambda: ingest.stats.disconnects >= 1)  # played once and ended
    finally:
        ingest.stop()
    # 10 frames over 1 s sampled at 4 fps: the frames at 0, 0.3, 0.5 and 0.8 s.
    assert len(frames) == 4 and [f.seq for f in frames.items] == [1, 2, 3, 4]
    assert ingest.stats.frames_read == int(SECONDS * FPS)
    for f in frames.items:
        assert f.jpeg[:2] == b"\xff\xd8" and (f.width, f.height) == (80, 60)
        image = cv2.imdecode(np.frombuffer(f.jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert image.shape == (60, 80, 3)
    # The frames are what the perception stage accepts as camera events.
    event = parse("camera_frame", "cameras/+", "cameras/dock", frames.items[0].jpeg, 1 << 20)
    assert event.source == "dock"


def test_realtime_pacing_spreads_frames_over_the_video_length(video: Path) -> None:
    frames = Frames()
    ingest = CameraIngest(_camera(str(video), sample_fps=2, reconnect_min_s=5,
                                          reconnect_max_s=5), frames)
    start = time.monotonic()
    ingest.start()
    try:
        wait_for(lambda: ingest.stats.disconnects >= 1)
    finally:
        ingest.stop()
    # Played at its own speed the 1 s file takes about 1 s, not a few milliseconds.
    assert time.monotonic() - start >= 0.8
    assert len(frames) == 2


def test_dead_stream_reconnects_when_the_file_returns(video: Path, tmp_path: Path) -> None:
    stash = tmp_path / "stash.avi"
    video.rename(stash)  # the source is gone before we start
    frames = Frames()
    ingest = CameraIngest(_camera(str(video)), frames)
    ingest.start()
    try:
        wait_for(lambda: ingest.stats.open_failures >= 3)
        assert len(frames) == 0 and not ingest.stats.connected
        assert "no such file" in ingest.stats.last_error
        stash.rename(video)  # it comes back
        wait_for(lambda: len(frames) >= 2)
    finally:
        ingest.stop()
    assert ingest.stats.opens >= 1


def test_bad_url_keeps_retrying_without_crashing() -> None:
    frames = Frames()
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    ingest = CameraIngest(_camera("rtsp://127.0.0.1:9/stream", open_timeout_s=2), frames)
    ingest.start()
    try:
        wait_for(lambda: ingest.stats.open_failures >= 2)
    finally:
        ingest.stop()
    assert len(frames) == 0 and ingest.stats.opens == 0


def test_frame_handler_errors_are_counted_and_capture_goes_on(video: Path) -> None:
    calls: list[int] = []

    def flaky(frame: CameraFrame) -> None:
        calls.append(frame.seq)
        if frame.seq == 1:
            raise RuntimeError("perception stage hiccup")

    ingest = CameraIngest(_camera(str(video)), flaky)
    ingest.start()
    try:
        wait_for(lambda: len(calls) >= 3)
    finally:
        ingest.stop()
    assert ingest.stats.callback_errors == 1 and calls[:3] == [1, 2, 3]


def test_gstreamer_pipeline_without_gstreamer_build_fails_clearly() -> None:
    cam = _camera("videotestsrc num-buffers=5 ! videoconvert ! appsink", kind="gstreamer")
    ingest = CameraIngest(cam, Frames())
    ingest.start()
    try:
        wait_for(lambda: ingest.stats.open_failures >= 1 or ingest.stats.frames_read >= 1)
    finally:
        ingest.stop()
    if gstreamer_available():
        assert ingest.stats.frames_read >= 1
    else:
        assert "no GStreamer support" in ingest.stats.last_error
