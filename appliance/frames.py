"""Camera frames to events: the ONNX detector runs on its own thread, never on MQTT's.

A JPEG frame (an MQTT ``camera_frame`` payload, or a frame sampled by the
camera ingest) waits for a free slot; when all are taken the frame is shed
with a dead letter, counted like any other shed event. The detections become
the event's attributes (``label`` and ``score`` of the best one, all of them
under ``detections``), which the decision stage reads like Frigate metadata.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from appliance.errors import PayloadError
from appliance.ingest.sink import EventSink
from appliance.schema import DeadLetterReason, Event

if TYPE_CHECKING:
    from appliance.perception.vision import Detector

log = logging.getLogger(__name__)


class FrameStage:
    """Detect objects in frames off the ingest thread, then hand the event to the sink."""

    def __init__(self, detector: Detector, sink: EventSink, max_pending: int = 4) -> None:
        self._detector = detector
        self._sink = sink
        self._slots = threading.BoundedSemaphore(max_pending)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="detect")

    def submit(self, event: Event, jpeg: bytes, ack: Callable[[], None] | None = None) -> bool:
        """Queue one frame; return False (after a ``shed`` dead letter) when all slots are busy."""
        if not self._slots.acquire(blocking=False):
            self._sink.dead_letter(event.topic, jpeg[:64], DeadLetterReason.SHED,
                                   "detector busy: frame dropped", event.id, ack=ack)
            return False
        self._pool.submit(self._run, event, jpeg, ack)
        return True

    def _run(self, event: Event, jpeg: bytes, ack: Callable[[], None] | None) -> None:
        try:
            found = self._detector.detect_jpeg(jpeg)
        except PayloadError as exc:
            self._sink.dead_letter(event.topic, jpeg[:64], exc.reason, exc.detail, event.id, ack=ack)
            return
        except Exception as exc:
            log.exception("detector failed on a frame from %s", event.source)
            self._sink.dead_letter(event.topic, jpeg[:64], DeadLetterReason.DECIDE_FAILED,
                                   f"{type(exc).__name__}: {exc}", event.id, ack=ack)
            return
        finally:
            self._slots.release()
        attrs = dict(event.attributes)
        attrs["detections"] = [
            {"label": d.label, "score": round(d.score, 4), "box": [round(v, 1) for v in d.box]}
            for d in found]
        if found:
            best = max(found, key=lambda d: d.score)
            attrs["label"], attrs["score"] = best.label, round(best.score, 4)
        self._sink.submit(event.model_copy(update={"attributes": attrs}), ack)

    def close(self) -> None:
        """Finish the frames already queued."""
        self._pool.shutdown(wait=True)
