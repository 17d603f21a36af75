"""Periodic device telemetry: published on ``appliance/<device>/telemetry`` and on /metrics.

Sources are plain callables returning JSON-able dicts (hardware monitor,
pipeline, outbox, budgets...), so the daemon adds whatever it runs and this
module imports none of the stages.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

Source = Callable[[], dict[str, Any]]
Sink = Callable[[dict[str, Any]], None]


class GaugeCollector(Collector):
    """Exposes ``fn() -> {name: value}`` as Prometheus gauges, read at scrape time."""

    def __init__(self, fn: Callable[[], dict[str, float]], prefix: str = "appliance_") -> None:
        self._fn = fn
        self._prefix = prefix

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield one gauge per value (Prometheus calls this on every scrape)."""
        try:
            values = self._fn()
        except Exception:
            log.exception("metrics source failed")
            return
        for name, value in sorted(values.items()):
            metric = GaugeMetricFamily(self._prefix + name, name.replace("_", " "))
            metric.add_metric([], float(value))
            yield metric


class TelemetryPublisher:
    """Every ``interval_s``, merge the sources and publish one JSON document.

    Each document is also handed to the ``sinks`` (e.g. the heartbeat summary file); a
    failing sink is logged and never stops the publishing.
    """

    def __init__(self, device: str, publish: Callable[[bytes], None], interval_s: float) -> None:
        self.device = device
        self._publish = publish
        self.interval_s = interval_s
        self.sources: dict[str, Source] = {}
        self.sinks: list[Sink] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def snapshot(self) -> dict[str, Any]:
        """Return the current telemetry document (a failing source reports its error)."""
        doc: dict[str, Any] = {"device": self.device, "ts": time.time()}
        for name, fn in self.sources.items():
            try:
                doc[name] = fn()
            except Exception as exc:
                log.exception("telemetry source %s failed", name)
                doc[name] = {"error": f"{type(exc).__name__}: {exc}"}
        return doc

    def publish_now(self) -> None:
        """Publish one telemetry document immediately (also on state changes)."""
        doc = self.snapshot()
        for sink in self.sinks:
            try:
                sink(doc)
            except Exception:
                log.exception("telemetry sink %s failed", getattr(sink, "__name__", sink))
        self._publish(json.dumps(doc, default=str).encode())

    def start(self) -> None:
        """Start the periodic thread."""
        self._thread = threading.Thread(target=self._run, name="telemetry", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.publish_now()

    def stop(self) -> None:
        """Stop the periodic thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
