"""Cameras to JPEG frames: OpenCV capture of RTSP/HTTP/file, V4L2 or a GStreamer pipeline.

One thread per camera grabs every frame (so a live stream's buffer never
backs up) but decodes and JPEG-encodes only the frames due at ``sample_fps``.
Live sources are sampled on the wall clock; files on their own timestamps,
paced at their natural speed when ``realtime`` is set. A stream that cannot be
opened, stops delivering frames, or ends (a file) is released and reopened
with exponential backoff, so a dead camera comes back by itself.

On Jetson, hardware decoding goes through a GStreamer pipeline ending in
``appsink`` (``kind = "gstreamer"``); that needs an OpenCV built with
GStreamer (JetPack's), which the PyPI wheel is not.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2

from appliance.hw.settings import CameraConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CameraFrame:
    """One sampled frame: JPEG bytes plus where and when it came from."""

    camera: str
    jpeg: bytes
    ts: float
    width: int
    height: int
    seq: int


@dataclass
class CameraStats:
    """Counters for one camera (read by telemetry and tests)."""

    opens: int = 0
    open_failures: int = 0
    disconnects: int = 0
    frames_read: int = 0
    frames_sampled: int = 0
    callback_errors: int = 0
    connected: bool = False
    last_error: str = ""

    def as_metrics(self) -> dict[str, float]:
        """Return flat gauges/counters for telemetry."""
        return {
            "camera_opens_total": float(self.opens),
            "camera_open_failures_total": float(self.open_failures),
            "camera_disconnects_total": float(self.disconnects),
            "camera_frames_read_total": float(self.frames_read),
            "camera_frames_sampled_total": float(self.frames_sampled),
            "camera_callback_errors_total": float(self.callback_errors),
            "camera_connected": 1.0 if self.connected else 0.0,
        }


@cache
def gstreamer_available() -> bool:
    """Return True when this OpenCV build can open GStreamer pipelines."""
    for line in cv2.getBuildInformation().splitlines():
        if line.strip().startswith("GStreamer:"):
            return "YES" in line
    return False


def is_file_source(camera: CameraConfig) -> bool:
    """Return True for a ``url`` camera that names a local file (no scheme, or file://)."""
    return camera.kind == "url" and ("://" not in camera.source
                                     or camera.source.startswith("file://"))


class CameraIngest:
    """Samples one camera and hands JPEG frames to ``on_frame`` (called in the camera thread)."""

    def __init__(self, camera: CameraConfig, on_frame: Callable[[CameraFrame], None]) -> None:
        self.camera = camera
        self.on_frame = on_frame
        self.stats = CameraStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seq = 0

    def start(self) -> None:
        """Start the capture thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"camera-{self.camera.name}")
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait for it (a blocked read ends at read_timeout_s)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _open(self) -> Any:
        cam = self.camera
        if cam.kind == "gstreamer":
            if not gstreamer_available():
                raise OSError("this OpenCV build has no GStreamer support (use JetPack's OpenCV)")
            cap = cv2.VideoCapture(cam.source, cv2.CAP_GSTREAMER)
        elif cam.kind == "v4l2":
            device: int | str = int(cam.source) if cam.source.isdigit() else cam.source
            cap = cv2.VideoCapture(device, cv2.CAP_V4L2)
        else:
            source = cam.source.removeprefix("file://")
            if is_file_source(cam) and not Path(source).is_file():
                raise OSError(f"no such file {source}")
            params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(cam.open_timeout_s * 1000),
                      cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(cam.read_timeout_s * 1000)]
            cap = cv2.VideoCapture(source, cv2.CAP_FFMPEG, params)
        if not cap.isOpened():
            cap.release()
            raise OSError(f"OpenCV could not open {cam.kind} source")
        return cap

    def _run(self) -> None:
        delay = self.camera.reconnect_min_s
        reported = False
        while not self._stop.is_set():
            try:
                cap = self._open()
            except (OSError, cv2.error) as exc:
                self.stats.open_failures += 1
                self.stats.last_error = str(exc)
                if not reported:
                    log.warning("camera %s: %s; retrying with backoff", self.camera.name, exc)
                    reported = True
                self._stop.wait(delay)
                delay = min(delay * 2, self.camera.reconnect_max_s)
                continue
            self.stats.opens += 1
            self.stats.connected = True
            log.info("camera %s: opened (%s)", self.camera.name, self.camera.kind)
            try:
                got_frames = self._read(cap)
            except cv2.error as exc:
                got_frames = False
                self.stats.last_error = str(exc)
                log.warning("camera %s: capture failed: %s", self.camera.name, exc)
            finally:
                cap.release()
                self.stats.connected = False
            if self._stop.is_set():
                break
            self.stats.disconnects += 1
            if got_frames:
                delay, reported = self.camera.reconnect_min_s, False
            log.info("camera %s: stream ended; reopening in %.1f s", self.camera.name, delay)
            self._stop.wait(delay)
            if not got_frames:
                delay = min(delay * 2, self.camera.reconnect_max_s)

    def _read(self, cap: Any) -> bool:
        """Grab frames until the stream ends or stop; return True if any frame arrived."""
        interval = 1.0 / self.camera.sample_fps
        media_clock = is_file_source(self.camera)
        started = time.monotonic()
        next_due = 0.0
        got = False
        while not self._stop.is_set():
            if not cap.grab():
                return got
            got = True
            self.stats.frames_read += 1
            if media_clock:
                at = max(0.0, float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0)
                if self.camera.realtime:
                    ahead = started + at - time.monotonic()
                    if ahead > 0 and self._stop.wait(ahead):
                        return got
            else:
                at = time.monotonic() - started
            if at + 1e-6 < next_due:
                continue
            while next_due <= at + 1e-6:
                next_due += interval
            self._deliver(cap)
        return got

    def _deliver(self, cap: Any) -> None:
        ok, frame = cap.retrieve()
        if not ok or frame is None:
            return
        height, width = frame.shape[:2]
        if self.camera.max_width is not None and width > self.camera.max_width:
            scale = self.camera.max_width / width
            frame = cv2.resize(frame, (self.camera.max_width, max(1, round(height * scale))),
                               interpolation=cv2.INTER_AREA)
            height, width = frame.shape[:2]
        ok, encoded = cv2.imencode(".jpg", frame,
                                   [cv2.IMWRITE_JPEG_QUALITY, self.camera.jpeg_quality])
        if not ok:
            self.stats.last_error = "JPEG encoding failed"
            return
        self._seq += 1
        self.stats.frames_sampled += 1
        sample = CameraFrame(self.camera.name, encoded.tobytes(), time.time(), int(width),
                             int(height), self._seq)
        try:
            self.on_frame(sample)
        except Exception:
            self.stats.callback_errors += 1
            log.exception("camera %s: frame handler failed", self.camera.name)
