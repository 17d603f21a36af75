"""Prometheus view of the outbox: depth, bytes, oldest age and lifetime counters."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from appliance.uplink.outbox import COUNTERS, Outbox


class OutboxCollector:
    """Prometheus collector reading :meth:`Outbox.stats` at scrape time.

    Register it on the daemon's registry: ``registry.register(OutboxCollector(outbox))``.
    """

    def __init__(self, outbox: Outbox, prefix: str = "appliance_outbox") -> None:
        self._outbox = outbox
        self._prefix = prefix

    def collect(self) -> Iterator[object]:
        """Yield the gauges (depth, bytes, oldest age) and counters of the outbox."""
        s = self._outbox.stats()
        p = self._prefix
        yield GaugeMetricFamily(f"{p}_depth", "Items waiting in the outbox", value=s.depth)
        yield GaugeMetricFamily(f"{p}_bytes", "Bytes held by the outbox", value=s.bytes)
        yield GaugeMetricFamily(f"{p}_oldest_age_seconds", "Age of the oldest queued item",
                                value=s.oldest_age_s)
        for name in COUNTERS:
            yield CounterMetricFamily(f"{p}_{name}", f"Outbox items {name}",
                                      value=getattr(s, name))
