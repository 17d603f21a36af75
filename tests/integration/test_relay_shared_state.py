"""The relay's state in the fleet database, as several replicas see it (SQLite and PostgreSQL).

Each "replica" here is its own :class:`Database` (own engine and connection pool) and its
own relay object on one real database, the way separate processes share it; the process
level (two ``appliance cloud`` processes) is tests/integration/test_relay_replicas.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from appliance.cloud import shared_replay
from appliance.cloud.keyring import RelayKeyring
from appliance.cloud.shared_keyring import open_shared_keyring
from appliance.cloud.shared_replay import DatabaseReplayGuard
from appliance.cloud.shared_requests import PRUNE_BATCH, PRUNE_BATCHES, DatabaseRelayStore
from appliance.cloud.store import RelayStateError
from appliance.fleet.keystore import reseal_keys
from appliance.fleet.sealing import SecretKey, SecretKeyError, write_secret_key
from appliance.fleet.store import Database, FleetKey, RelayRequest, RelaySeenEnvelope
from appliance.uplink.envelope import open_envelope, seal


@pytest.fixture
def connect(fleet_db_url: str) -> Iterator[Callable[[], Database]]:
    """Open a new connection pool on the migrated database, as another replica would."""
    Database(fleet_db_url).dispose()
    opened: list[Database] = []

    def make() -> Database:
        db = Database(fleet_db_url, run_migrations=False)
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.dispose()


@pytest.fixture
def secret(tmp_path: Path) -> SecretKey:
    return write_secret_key(tmp_path / "secret.key")


def test_a_message_id_claimed_by_one_replica_is_busy_then_answered_at_the_other(
        connect: Callable[[], Database]) -> None:
    a, b = DatabaseRelayStore(connect(), lease_s=60), DatabaseRelayStore(connect(), lease_s=60)
    assert a.begin("dev", "m-1").state == "new"
    assert b.begin("dev", "m-1").state == "busy"
    assert a.finish("dev", "m-1", b"the reply", tokens=40) == b"the reply"
    got = b.begin("dev", "m-1")
    assert (got.state, got.reply) == ("done", b"the reply")
    assert b.begin("other-dev", "m-1").state == "new"  # the key is (device, message id)
    assert a.tokens_used() == b.tokens_used() == 40  # one budget for the fleet
    b.finish("other-dev", "m-1", b"x", tokens=2)
    assert a.tokens_used() == 42


def test_a_released_claim_is_free_for_any_replica_but_only_its_owner_releases_it(
        connect: Callable[[], Database]) -> None:
    a, b = DatabaseRelayStore(connect(), lease_s=60), DatabaseRelayStore(connect(), lease_s=60)
    assert a.begin("dev", "m-2").state == "new"
    b.release("dev", "m-2")  # not b's claim: stays
    assert b.begin("dev", "m-2").state == "busy"
    a.release("dev", "m-2")
    assert b.begin("dev", "m-2").state == "new"


def test_replicas_claiming_one_message_id_at_once_give_it_to_exactly_one(
        connect: Callable[[], Database]) -> None:
    n = 6
    stores = [DatabaseRelayStore(connect(), lease_s=60) for _ in range(n)]
    start = threading.Barrier(n, timeout=60)
    states: list[str] = []

    def claim(store: DatabaseRelayStore) -> None:
        start.wait()
        states.append(store.begin("dev", "m-race").state)

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(states) == ["busy"] * (n - 1) + ["new"]


def test_an_orphaned_claim_is_taken_over_by_one_replica_only(
        connect: Callable[[], Database]) -> None:
    stopped = DatabaseRelayStore(connect(), lease_s=0.2)
    assert stopped.begin("dev", "m-3").state == "new"  # then that process "dies"
    time.sleep(0.3)
    others = [DatabaseRelayStore(connect(), lease_s=0.2) for _ in range(4)]
    start = threading.Barrier(len(others), timeout=60)
    states: list[str] = []

    def claim(store: DatabaseRelayStore) -> None:
        start.wait()
        states.append(store.begin("dev", "m-3").state)

    threads = [threading.Thread(target=claim, args=(s,)) for s in others]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(states) == ["busy", "busy", "busy", "orphaned"]
    # The owner that was thought dead finishes late: the takeover's answer stands.
    winner = others[states.index("orphaned")]
    assert winner.finish("dev", "m-3", b"outcome_unknown") == b"outcome_unknown"
    assert stopped.finish("dev", "m-3", b"late ok") == b"outcome_unknown"
    assert stopped.begin("dev", "m-3").reply == b"outcome_unknown"


def test_answered_records_are_pruned_after_the_keep_time_in_batches(
        connect: Callable[[], Database]) -> None:
    db = connect()
    old = datetime.now(UTC) - timedelta(hours=2)

    def add_old(prefix: str, n: int) -> None:
        with db.session() as s:
            s.execute(insert(RelayRequest), [
                {"device_id": f"d{i % 7}", "message_id": f"{prefix}-{i}", "state": "done",
                 "owner": "gone", "updated_at": old, "reply": b"r"} for i in range(n)])

    add_old("old", 1200)
    with db.session() as s:  # in flight for hours: never pruned as answered
        s.execute(insert(RelayRequest).values(device_id="d0", message_id="stuck", state="sent",
                                              owner="gone", updated_at=old))
    store = DatabaseRelayStore(db, lease_s=60, keep_s=3600, prune_every_s=3600)
    assert store.begin("dev", "fresh").state == "new"  # a replica's first claim prunes
    store.finish("dev", "fresh", b"r")
    with db.session() as s:
        left = sorted(s.scalars(select(RelayRequest.message_id)))
    assert left == ["fresh", "stuck"]
    add_old("older", PRUNE_BATCH * (PRUNE_BATCHES + 2))  # more than one call prunes
    assert store.begin("dev", "fresh2").state == "new"  # not due again for an hour
    assert store.prune() == PRUNE_BATCH * PRUNE_BATCHES
    assert store.prune() == PRUNE_BATCH * 2


def test_an_envelope_seen_by_one_replica_is_a_replay_at_another(
        connect: Callable[[], Database]) -> None:
    a, b = DatabaseReplayGuard(connect(), 300), DatabaseReplayGuard(connect(), 300)
    now = time.time()
    assert a.remember("e" * 64, now)
    assert not b.remember("e" * 64, now)
    assert not a.remember("e" * 64, now)
    assert b.remember("f" * 64, now)


def test_replicas_remembering_one_envelope_at_once_accept_it_once(
        connect: Callable[[], Database]) -> None:
    n = 6
    guards = [DatabaseReplayGuard(connect(), 300) for _ in range(n)]
    start = threading.Barrier(n, timeout=60)
    accepted: list[bool] = []

    def remember(guard: DatabaseReplayGuard) -> None:
        start.wait()
        accepted.append(guard.remember("a" * 64, time.time()))

    threads = [threading.Thread(target=remember, args=(g,)) for g in guards]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(accepted) == [False] * (n - 1) + [True]


def test_expired_envelope_ids_are_pruned_in_bounded_batches(
        connect: Callable[[], Database]) -> None:
    db = connect()
    guard = DatabaseReplayGuard(db, window_s=300)
    past = datetime.now(UTC) - timedelta(seconds=1)
    with db.session() as s:
        s.execute(insert(RelaySeenEnvelope), [
            {"envelope_id": f"{i:064x}", "expires_at": past}
            for i in range(shared_replay.PRUNE_BATCH + 5)])
    assert guard.remember("b" * 64, time.time())  # expires in two windows
    assert guard.prune() == shared_replay.PRUNE_BATCH + 5
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(RelaySeenEnvelope)) == 1
    assert not guard.remember("b" * 64, time.time())  # a live id survives the pruning


def _write_file_keyring(path: Path) -> RelayKeyring:
    return RelayKeyring.load_or_create(path)


def test_replicas_share_one_relay_keyring_and_import_each_old_keyring_file(
        connect: Callable[[], Database], secret: SecretKey, tmp_path: Path) -> None:
    file_a = _write_file_keyring(tmp_path / "a" / "relay-keys.json")
    file_b = _write_file_keyring(tmp_path / "b" / "relay-keys.json")
    a = open_shared_keyring(connect(), secret, tmp_path / "a" / "relay-keys.json")
    assert a.current.key_id == file_a.current.key_id  # the first import is the keyring
    b = open_shared_keyring(connect(), secret, tmp_path / "b" / "relay-keys.json")
    # B's old key is kept as an older set: what devices sealed to it still opens.
    assert [s.key_id for s in b.sets] == [file_b.current.key_id, file_a.current.key_id]
    assert b.public_document()["current"] == file_a.current.key_id
    fresh = open_shared_keyring(connect(), secret, tmp_path / "none.json")
    assert fresh.public_document() == b.public_document()
    assert a.refresh(0.0)  # A learns B's imported key
    assert a.public_document() == b.public_document()
    device = ed25519.Ed25519PrivateKey.generate()
    env = seal(b"to B's old key", kind="request", device_id="d", message_id="m",
               signing_key=device, recipient=file_b.current.agreement.public_key())
    assert open_envelope(env, recipient_keys=a.agreement_keys(),
                         sender_key=lambda h: device.public_key(),
                         replay=None).plaintext == b"to B's old key"
    # A rotation through one replica reaches the others on their next load.
    new = b.rotate()
    assert not a.refresh(3600.0)  # loaded moments ago: not reloaded yet
    assert a.refresh(0.0) and a.current.key_id == new.key_id
    assert not (tmp_path / "none.json").exists()  # no keyring file written


def test_replicas_creating_the_relay_keyring_at_once_end_up_with_one(
        connect: Callable[[], Database], secret: SecretKey, tmp_path: Path) -> None:
    n = 4
    dbs = [connect() for _ in range(n)]
    start = threading.Barrier(n, timeout=60)
    current: list[str] = []

    def replica(db: Database) -> None:
        start.wait()
        current.append(open_shared_keyring(db, secret, tmp_path / "none.json").current.key_id)

    threads = [threading.Thread(target=replica, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(current) == n and len(set(current)) == 1


def test_relay_keys_are_sealed_under_the_fleet_key_and_move_with_reseal(
        connect: Callable[[], Database], secret: SecretKey, tmp_path: Path) -> None:
    db = connect()
    ring = open_shared_keyring(db, secret, tmp_path / "none.json")
    with db.session() as s:
        row = s.get(FleetKey, "relay")
    assert row is not None and row.kek_id == secret.key_id
    private = ring.current.agreement.private_bytes_raw()
    assert private not in row.sealed_private  # not in clear
    other = write_secret_key(tmp_path / "other.key")
    with pytest.raises(SecretKeyError, match="no new keys were created"):
        open_shared_keyring(connect(), other, tmp_path / "none.json")
    assert reseal_keys(db, secret, other) >= 1
    again = open_shared_keyring(connect(), other, tmp_path / "none.json")
    assert again.public_document() == ring.public_document()


def test_an_unreachable_database_is_a_relay_state_error_not_an_answer(
        postgres_admin_url: str) -> None:
    # A port nothing listens on (the server is up, so this is the relay's connection only).
    url = make_url(postgres_admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    down = Database(url.set(port=1, query={"connect_timeout": "2"}).render_as_string(False),
                    run_migrations=False)
    try:
        with pytest.raises(RelayStateError):
            DatabaseRelayStore(down, lease_s=60).begin("dev", "m")
        with pytest.raises(RelayStateError):
            DatabaseReplayGuard(down, 300).remember("c" * 64, time.time())
        with pytest.raises(RelayStateError):
            DatabaseRelayStore(down, lease_s=60).tokens_used()
    finally:
        down.dispose()
