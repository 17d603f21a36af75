"""The outbox on a real SQLite file: idempotence, retries, TTL, quota eviction, sealing at rest."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.errors import UplinkError
from appliance.uplink.outbox import (
    NewItem,
    Outbox,
    OutboxFullError,
    OutboxItem,
    backoff_delay,
    load_or_create_storage_key,
)
from appliance.uplink.outbox_metrics import OutboxCollector


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


def outbox(tmp_path: Path, clock: Clock, **kw: object) -> Outbox:
    key = load_or_create_storage_key(tmp_path / "keys")
    return Outbox(tmp_path / "outbox.db", key, clock=clock, **kw)  # type: ignore[arg-type]


def test_storage_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    first = load_or_create_storage_key(tmp_path / "k")
    assert load_or_create_storage_key(tmp_path / "k") == first
    assert os.stat(tmp_path / "k" / "outbox.key").st_mode & 0o777 == 0o600


def test_enqueue_claim_ack_round_trip(tmp_path: Path, clock: Clock) -> None:
    box = outbox(tmp_path, clock)
    assert box.enqueue("a", b"payload-a")
    [item] = box.claim(10)
    assert (item.message_id, item.payload, item.attempts) == ("a", b"payload-a", 0)
    assert box.claim(10) == []  # leased
    assert box.ack(["a"]) == 1
    s = box.stats()
    assert (s.depth, s.accepted, s.delivered, s.bytes) == (0, 1, 1, 0)


def test_message_id_is_accepted_once_even_after_delivery(tmp_path: Path, clock: Clock) -> None:
    box = outbox(tmp_path, clock)
    assert box.enqueue("a", b"1")
    assert not box.enqueue("a", b"2")
    box.ack(["a"])
    assert not box.enqueue("a", b"3")
    assert box.stats().duplicates == 2
    assert box.stats().depth == 0


def test_items_are_sealed_at_rest(tmp_path: Path, clock: Clock) -> None:
    box = outbox(tmp_path, clock)
    box.enqueue("a", b"operator note: pump P-7 leaking")
    box.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.db*"))
    assert b"pump P-7" not in raw
    other = Outbox(tmp_path / "outbox.db", os.urandom(32), clock=clock)
    with pytest.raises(UplinkError):
        other.claim(1)


def test_failed_item_waits_for_its_backoff(tmp_path: Path, clock: Clock) -> None:
    box = outbox(tmp_path, clock, retry_base_s=2.0, retry_max_s=60.0, retry_jitter=0.0)
    box.enqueue("a", b"x")
    box.claim(1)
    assert box.fail("a", "unreachable") == clock.t + 2.0
    assert box.claim(1) == []
    clock.t += 2.0
    [item] = box.claim(1)
    assert (item.attempts, item.last_error) == (1, "unreachable")
    assert box.fail("a", "again") == clock.t + 4.0
    assert box.stats().failures == 2


def test_lease_runs_out_and_the_item_is_offered_again(tmp_path: Path, clock: Clock) -> None:
    box = outbox(tmp_path, clock, lease_s=30.0)
    box.enqueue("a", b"x")
    assert len(box.claim(1)) == 1
    clock.t += 31
    assert [i.message_id for i in box.claim(1)] == ["a"]


def test_claim_takes_highest_priority_first(tmp_path: Path, clock: Clock) -> None:
    box = outbox(tmp_path, clock)
    box.enqueue_many([NewItem("low", b"x", 1), NewItem("high", b"x", 9), NewItem("mid", b"x", 5)])
    assert [i.message_id for i in box.claim(3)] == ["high", "mid", "low"]


def test_expired_items_are_removed_counted_and_reported(tmp_path: Path, clock: Clock) -> None:
    gone: list[OutboxItem] = []
    box = outbox(tmp_path, clock, ttl_s=60.0, on_expired=gone.append)
    box.enqueue("short", b"s", ttl_s=10)
    box.enqueue("long", b"l")
    clock.t += 11
    assert [i.message_id for i in box.expire()] == ["short"]
    assert [i.message_id for i in gone] == ["short"]
    assert gone[0].payload == b"s"
    assert [i.message_id for i in box.claim(5)] == ["long"]
    assert box.stats().expired == 1


def test_quota_evicts_lowest_priority_then_oldest(tmp_path: Path, clock: Clock) -> None:
    evicted: list[str] = []
    box = outbox(tmp_path, clock, quota_bytes=2000,
                 on_evicted=lambda i: evicted.append(i.message_id))
    for mid, prio in [("p5-old", 5), ("p1-old", 1), ("p5-new", 5), ("p1-new", 1)]:
        box.enqueue(mid, b"x" * 300, priority=prio)
        clock.t += 1
    assert box.stats().evicted == 0
    box.enqueue("p9", b"x" * 900, priority=9)  # needs the room of two small items
    assert evicted == ["p1-old", "p1-new"]
    box.enqueue("p5-newest", b"x" * 300, priority=5)
    assert evicted == ["p1-old", "p1-new", "p5-old"]
    assert set(box.pending_ids()) == {"p5-new", "p9", "p5-newest"}
    assert box.stats().evicted == 3
    assert box.stats().bytes <= 2000


def test_item_that_cannot_fit_is_refused_and_nothing_evicted(tmp_path: Path,
                                                             clock: Clock) -> None:
    box = outbox(tmp_path, clock, quota_bytes=1500)
    box.enqueue("high", b"x" * 1000, priority=9)
    with pytest.raises(OutboxFullError):
        box.enqueue("low", b"x" * 1000, priority=1)
    assert box.pending_ids() == ["high"]
    assert box.stats().rejected == 1
    assert box.enqueue("small", b"x" * 100, priority=1)


def test_group_commit_is_all_or_nothing(tmp_path: Path, clock: Clock) -> None:
    box = outbox(tmp_path, clock, quota_bytes=3000)
    with pytest.raises(OutboxFullError):
        box.enqueue_many([NewItem("a", b"x" * 1000), NewItem("b", b"x" * 5000)])
    assert box.pending_ids() == []
    assert box.stats().bytes == 0


def test_state_survives_reopening(tmp_path: Path, clock: Clock) -> None:
    box = outbox(tmp_path, clock)
    box.enqueue_many([NewItem(f"m{i}", b"x") for i in range(5)])
    box.ack(["m0"])
    box.close()
    again = outbox(tmp_path, clock)
    assert again.pending_ids() == ["m1", "m2", "m3", "m4"]
    assert again.stats().delivered == 1
    with sqlite3.connect(tmp_path / "outbox.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_collector_exposes_depth_and_counters(tmp_path: Path, clock: Clock) -> None:
    box = outbox(tmp_path, clock)
    box.enqueue("a", b"x")
    clock.t += 7
    metrics = {m.name: m.samples[0].value for m in OutboxCollector(box).collect()}  # type: ignore[attr-defined]
    assert metrics["appliance_outbox_depth"] == 1
    assert metrics["appliance_outbox_oldest_age_seconds"] == 7
    assert metrics["appliance_outbox_accepted"] == 1


@given(st.integers(1, 200), st.floats(0.01, 10), st.floats(10, 1000), st.floats(0, 1))
def test_backoff_grows_is_capped_and_jitter_only_shortens(attempts: int, base: float,
                                                          cap: float, jitter: float) -> None:
    rng = random.Random(attempts)
    full = min(cap, base * 2 ** (attempts - 1))
    got = backoff_delay(attempts, base, cap, jitter, rng)
    assert full * (1 - jitter) - 1e-9 <= got <= full + 1e-9
