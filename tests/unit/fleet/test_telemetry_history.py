"""Telemetry history's pure parts: heartbeat numbers to metric names, and downsampling."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from appliance.fleet.telemetry_history import Downsampler, SampleClock, metrics_of


def test_metrics_of_flattens_sensors_and_queues_with_their_max_and_total() -> None:
    metrics = metrics_of({"cpu": 51.5, "gpu": 48.0, "broken": math.nan}, {"outbox": 3, "ingest": 2},
                         {"budget_used": 1200.0, "cpu_load_percent": None,
                          "gpu_load_percent": math.inf, "ram_used_mb": 2048.0})
    assert metrics == {"temperature.cpu": 51.5, "temperature.gpu": 48.0, "temperature_max": 51.5,
                       "queue.outbox": 3.0, "queue.ingest": 2.0, "queue_total": 5.0,
                       "budget_used": 1200.0, "ram_used_mb": 2048.0}


def test_metrics_of_an_empty_heartbeat_has_no_max_or_total() -> None:
    assert metrics_of({}, {}, {"budget_used": 0.0}) == {"budget_used": 0.0}


def test_few_samples_come_back_raw_with_their_exact_times() -> None:
    fold = Downsampler(since=1000.0, until=2000.0, max_points=10)
    for i in range(4):
        fold.add(1000.0 + i * 7.5, {"temperature.cpu": 40.0 + i, "queue.outbox": i})
    series = fold.series()
    assert not fold.downsampled and fold.samples == 4
    assert series["temperature.cpu"] == [(1000.0, 40.0, 40.0, 40.0), (1007.5, 41.0, 41.0, 41.0),
                                         (1015.0, 42.0, 42.0, 42.0), (1022.5, 43.0, 43.0, 43.0)]
    assert [p[1] for p in series["queue.outbox"]] == [0.0, 1.0, 2.0, 3.0]


def test_many_samples_fold_into_at_most_max_points_buckets_keeping_the_spike() -> None:
    since, until, n = 0.0, 86_400.0, 8_640  # a day of samples every 10 s
    values = [95.0 if i == 4321 else 50.0 + (i % 2) for i in range(n)]
    fold = Downsampler(since=since, until=until, max_points=100)
    for i, value in enumerate(values):
        fold.add(since + i * 10.0, {"temperature.cpu": value})
    points = fold.series()["temperature.cpu"]
    assert fold.downsampled and fold.samples == n
    assert 90 <= len(points) <= 100
    assert fold.bucket_s == math.ceil(86_400 / 99)
    assert [p[0] for p in points] == sorted(p[0] for p in points)
    assert max(p[3] for p in points) == 95.0  # the spike survives in the bucket maximum
    assert min(p[2] for p in points) == 50.0
    # Bucket means weighted by their sample counts give back the overall mean.
    counts = Counter(int(i * 10.0 // fold.bucket_s) for i in range(n))
    weighted = sum(counts[int(p[0] // fold.bucket_s)] * p[1] for p in points)
    assert math.isclose(weighted / n, sum(values) / n)


def test_a_metric_filter_keeps_only_the_named_metrics_even_if_never_reported() -> None:
    fold = Downsampler(since=0.0, until=100.0, max_points=50, wanted=frozenset({"queue.outbox",
                                                                                "ram_used_mb"}))
    fold.add(10.0, {"queue.outbox": 2, "temperature.cpu": 50.0})
    assert fold.series() == {"queue.outbox": [(10.0, 2.0, 2.0, 2.0)], "ram_used_mb": []}


def test_downsampler_refuses_fewer_than_two_points() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        Downsampler(since=0.0, until=1.0, max_points=1)


def test_sample_clock_knows_only_what_it_saw_and_never_goes_back() -> None:
    clock = SampleClock()
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    assert not clock.knows_recent("dev-a", t0, 60)
    clock.saw("dev-a", t0)
    clock.saw("dev-a", t0 - timedelta(hours=1))  # an older sample read later changes nothing
    assert clock.knows_recent("dev-a", t0 + timedelta(seconds=59), 60)
    assert not clock.knows_recent("dev-a", t0 + timedelta(seconds=60), 60)
    assert not clock.knows_recent("dev-b", t0, 60)
