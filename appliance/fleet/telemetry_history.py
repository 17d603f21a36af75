"""Telemetry history: heartbeat numbers kept per device, read back downsampled.

Each heartbeat may add one row to ``telemetry_samples`` — at most one per device every
``telemetry_every_s`` — holding the heartbeat's numbers under flat metric names
(``temperature.cpu``, ``queue.outbox``, ``cpu_load_percent``, ...). A row written also
deletes at most :data:`PRUNE_BATCH` of the same device's rows older than
``telemetry_keep_days``, through the ``(device_id, ts)`` index: one row in, old rows
out, and no heartbeat ever pays for a large delete. A device that stops reporting keeps
its last ``keep_days`` of history, so storage stays bounded by devices × samples kept.

Reading returns each metric's series between two times, at most ``max_points`` points:
the raw samples when there are few enough, otherwise per-bucket mean, minimum and
maximum over equal time buckets (a spike survives the downsampling in ``max``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from appliance.fleet.store import TelemetrySample

PRUNE_BATCH = 64
TEMPERATURE_MAX = "temperature_max"
QUEUE_TOTAL = "queue_total"

Point = tuple[float, float, float, float]  # (unix time, mean, min, max)


def metrics_of(temperatures: Mapping[str, float], queue_depths: Mapping[str, int],
               gauges: Mapping[str, float | None]) -> dict[str, float]:
    """Return a heartbeat's numbers under flat metric names; absent or non-finite values drop.

    ``temperature.<sensor>`` and ``queue.<name>`` per entry, ``temperature_max`` and
    ``queue_total`` across them, and each gauge (``budget_used``, loads, ...) by its name.
    """
    out: dict[str, float] = {}
    temps = {k: float(v) for k, v in temperatures.items() if math.isfinite(v)}
    for name, value in temps.items():
        out[f"temperature.{name}"] = value
    if temps:
        out[TEMPERATURE_MAX] = max(temps.values())
    for name, depth in queue_depths.items():
        out[f"queue.{name}"] = float(depth)
    if queue_depths:
        out[QUEUE_TOTAL] = float(sum(queue_depths.values()))
    for name, gauge in gauges.items():
        if gauge is not None and math.isfinite(gauge):
            out[name] = float(gauge)
    return out


class SampleClock:
    """When this process last saw each device's newest sample, to skip the lookup in between.

    Only a hint, never the truth: without an entry (a fresh process, a device that
    heartbeats through another replica) :func:`record` asks the database. Entries hold
    committed samples only, and one per enrolled device at most.
    """

    def __init__(self) -> None:
        self._newest: dict[str, datetime] = {}

    def knows_recent(self, device_id: str, now: datetime, every_s: float) -> bool:
        """Return whether a sample younger than ``every_s`` is known to exist."""
        newest = self._newest.get(device_id)
        return newest is not None and (now - newest).total_seconds() < every_s

    def saw(self, device_id: str, when: datetime) -> None:
        """Note a committed sample of ``device_id`` taken at ``when``."""
        if device_id not in self._newest or when > self._newest[device_id]:
            self._newest[device_id] = when


def record(s: Session, device_id: str, metrics: dict[str, float], now: datetime,
           every_s: float, keep_days: float, clock: SampleClock | None = None) -> bool:
    """Add a sample unless the device's newest one is younger than ``every_s``; prune a batch.

    Runs in the caller's (heartbeat's) transaction; the caller tells ``clock`` about a
    sample written once that transaction has committed. Returns whether one was written.
    """
    if every_s > 0:
        if clock is not None and clock.knows_recent(device_id, now, every_s):
            return False
        newest = s.scalar(select(TelemetrySample.ts).where(TelemetrySample.device_id == device_id)
                          .order_by(TelemetrySample.ts.desc()).limit(1))
        if newest is not None and clock is not None:
            clock.saw(device_id, newest)  # already committed, by this replica or another
        if newest is not None and (now - newest).total_seconds() < every_s:
            return False
    s.add(TelemetrySample(device_id=device_id, ts=now, metrics=metrics))
    cutoff = now - timedelta(days=keep_days)
    old = (select(TelemetrySample.id)
           .where(TelemetrySample.device_id == device_id, TelemetrySample.ts < cutoff)
           .order_by(TelemetrySample.ts).limit(PRUNE_BATCH))
    s.execute(delete(TelemetrySample).where(TelemetrySample.id.in_(old.scalar_subquery())),
              execution_options={"synchronize_session": False})
    return True


def _epoch(when: datetime) -> float:
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


@dataclass
class _Bucket:
    n: int = 0
    t_sum: float = 0.0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf

    def add(self, t: float, value: float) -> None:
        self.n += 1
        self.t_sum += t
        self.total += value
        self.low = min(self.low, value)
        self.high = max(self.high, value)

    def point(self) -> Point:
        return (round(self.t_sum / self.n, 3), self.total / self.n, self.low, self.high)


@dataclass
class Downsampler:
    """Folds samples (oldest first) into at most ``max_points`` points per metric.

    The first ``max_points`` samples are kept raw; past that, equal time buckets of
    ``bucket_s`` seconds (aligned to multiples of it, so a refreshed chart keeps its
    buckets) collect mean, minimum and maximum. Memory stays within ``max_points``
    samples plus ``max_points`` buckets per metric, whatever the number of rows read.
    """

    since: float
    until: float
    max_points: int
    wanted: frozenset[str] | None = None
    samples: int = 0
    bucket_s: float = field(init=False)
    _raw: list[tuple[float, Mapping[str, Any]]] = field(default_factory=list)
    _buckets: dict[str, dict[int, _Bucket]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_points < 2:
            raise ValueError("max_points must be at least 2")
        # Whole seconds, wide enough that the window spans at most max_points buckets.
        span = max(self.until - self.since, 1.0)
        self.bucket_s = float(max(1, math.ceil(span / (self.max_points - 1))))

    def add(self, t: float, metrics: Mapping[str, Any]) -> None:
        """Take one sample at UNIX time ``t``."""
        self.samples += 1
        if self.samples <= self.max_points:
            self._raw.append((t, metrics))
        key = int(t // self.bucket_s)
        for name, value in metrics.items():
            if self.wanted is not None and name not in self.wanted:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            self._buckets.setdefault(name, {}).setdefault(key, _Bucket()).add(t, float(value))

    def series(self) -> dict[str, list[Point]]:
        """Return ``{metric: [(t, mean, min, max), ...]}``, oldest first."""
        names = sorted(self.wanted if self.wanted is not None else self._buckets)
        out: dict[str, list[Point]] = {name: [] for name in names}
        if self.samples <= self.max_points:
            for t, metrics in self._raw:
                for name in names:
                    value = metrics.get(name)
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        out[name].append((t, float(value), float(value), float(value)))
            return out
        for name in names:
            buckets = self._buckets.get(name, {})
            out[name] = [buckets[key].point() for key in sorted(buckets)]
        return out

    @property
    def downsampled(self) -> bool:
        """Return whether :meth:`series` answers with buckets rather than raw samples."""
        return self.samples > self.max_points


def read_series(s: Session, device_id: str, since: datetime, until: datetime,
                metrics: Iterable[str] | None, max_points: int) -> dict[str, Any]:
    """Return the device's series between ``since`` and ``until`` (both inclusive).

    The answer holds ``samples`` (raw rows in the range), ``bucket_s`` (``None`` when
    the points are the raw samples) and ``series``: ``{metric: [[t, mean, min, max]]}``
    with ``t`` in UNIX seconds. Rows are streamed, so memory stays bounded.
    """
    wanted = frozenset(metrics) if metrics else None
    fold = Downsampler(_epoch(since), _epoch(until), max_points, wanted)
    rows = s.execute(
        select(TelemetrySample.ts, TelemetrySample.metrics)
        .where(TelemetrySample.device_id == device_id, TelemetrySample.ts >= since,
               TelemetrySample.ts <= until)
        .order_by(TelemetrySample.ts)
        .execution_options(yield_per=2000))
    for ts, values in rows:
        fold.add(_epoch(ts), values if isinstance(values, dict) else {})
    return {"device_id": device_id, "since": since.isoformat(), "until": until.isoformat(),
            "samples": fold.samples, "max_points": max_points,
            "bucket_s": fold.bucket_s if fold.downsampled else None,
            "series": {k: [list(p) for p in v] for k, v in fold.series().items()}}
