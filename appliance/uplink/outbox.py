"""Durable store-and-forward queue for escalations: SQLite in WAL mode, fsync on commit.

* Nothing accepted is lost: :meth:`Outbox.enqueue` returns only after the
  item is committed with ``synchronous=FULL`` (the WAL is fsynced), so a
  ``kill -9`` or a power cut after the call keeps it. :meth:`enqueue_many`
  commits a group in one transaction (one fsync).
* Sealed at rest: payloads are AES-256-GCM encrypted under a device-local
  storage key (``<keys_dir>/outbox.key``), the message id bound as associated
  data. Envelopes for the relay are sealed at send time, so a long outage does
  not push them outside the relay's replay window.
* At-least-once with idempotent message ids: a message id is accepted once
  (queued or already delivered -> ``enqueue`` returns False); a claim is a
  lease, so an item whose sender died is offered again; the relay answers a
  repeated message id from its own record instead of asking the provider again.
* Retries back off exponentially with jitter; each item has a TTL; expiry and
  quota eviction (lowest priority first, then oldest) are counted, logged and
  reported through callbacks so the local decision stands and is audited.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from appliance.errors import UplinkError

log = logging.getLogger(__name__)

STORAGE_KEY_FILE = "outbox.key"
COUNTERS = ("accepted", "delivered", "failures", "expired", "evicted", "rejected", "duplicates")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    priority INTEGER NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    next_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS items_due ON items (next_at);
CREATE INDEX IF NOT EXISTS items_evict ON items (priority, created_at);
CREATE INDEX IF NOT EXISTS items_expiry ON items (expires_at);
CREATE TABLE IF NOT EXISTS done (message_id TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class OutboxFullError(UplinkError):
    """The item does not fit in the quota even after evicting every lower-priority item."""


@dataclass(frozen=True)
class NewItem:
    """An item to enqueue."""

    message_id: str
    payload: bytes
    priority: int = 5
    ttl_s: float | None = None


@dataclass(frozen=True)
class OutboxItem:
    """A queued item with its decrypted payload."""

    message_id: str
    payload: bytes
    priority: int
    created_at: float
    expires_at: float
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class OutboxStats:
    """What ``/metrics`` and telemetry show about the queue."""

    depth: int
    bytes: int
    oldest_age_s: float
    accepted: int
    delivered: int
    failures: int
    expired: int
    evicted: int
    rejected: int
    duplicates: int


def backoff_delay(attempts: int, base_s: float, max_s: float, jitter: float,
                  rng: random.Random | None = None) -> float:
    """Return the wait before retry number ``attempts`` (1-based).

    ``base * 2**(attempts-1)`` capped at ``max_s``, then reduced by a random
    share up to ``jitter`` so devices that failed together do not retry together.
    """
    raw = min(max_s, base_s * 2.0 ** min(max(attempts - 1, 0), 62))
    return raw * (1.0 - jitter * (rng or random).random())


def load_or_create_storage_key(keys_dir: Path) -> bytes:
    """Return the 32-byte at-rest key from ``<keys_dir>/outbox.key``, creating it (0600)."""
    path = keys_dir / STORAGE_KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        keys_dir.mkdir(parents=True, exist_ok=True)
        key = os.urandom(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
    if len(key) != 32:
        raise UplinkError(f"{path} is not a 32-byte key")
    return key


class Outbox:
    """The durable queue. Thread-safe; one process owns the file at a time."""

    def __init__(self, path: Path, storage_key: bytes, *, quota_bytes: int = 64 << 20,
                 ttl_s: float = 3600.0, retry_base_s: float = 1.0, retry_max_s: float = 300.0,
                 retry_jitter: float = 0.5, lease_s: float = 60.0,
                 on_expired: Callable[[OutboxItem], None] | None = None,
                 on_evicted: Callable[[OutboxItem], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._aead = AESGCM(storage_key)
        self.quota_bytes = quota_bytes
        self.ttl_s = ttl_s
        self._retry = (retry_base_s, retry_max_s, retry_jitter)
        self._lease_s = lease_s
        self.on_expired = on_expired
        self.on_evicted = on_evicted
        self._clock = clock
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is fsynced at every commit, so an accepted item survives a power cut.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM items").fetchone()
        self._bytes = int(row[0])

    # -- helpers ---------------------------------------------------------------------------

    def _seal(self, message_id: str, payload: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, payload, message_id.encode())

    def _unseal(self, message_id: str, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], message_id.encode())
        except InvalidTag as exc:
            raise UplinkError(f"outbox item {message_id} does not decrypt (wrong key?)") from exc

    def _tx(self) -> _Transaction:
        return _Transaction(self._db)

    def _bump(self, name: str, n: int = 1) -> None:
        self._db.execute("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) "
                         "DO UPDATE SET value = value + excluded.value", (name, n))

    def _item(self, row: tuple[Any, ...]) -> OutboxItem:
        mid, prio, created, expires, attempts, sealed, err = row
        return OutboxItem(str(mid), self._unseal(mid, sealed), int(prio), float(created),
                          float(expires), int(attempts), err if isinstance(err, str) else None)

    # -- writing ---------------------------------------------------------------------------

    def enqueue(self, message_id: str, payload: bytes, *, priority: int = 5,
                ttl_s: float | None = None) -> bool:
        """Durably queue one item; return False if the message id was already accepted.

        Raises :class:`OutboxFullError` if it cannot fit even after eviction.
        """
        return self.enqueue_many([NewItem(message_id, payload, priority, ttl_s)]) == 1

    def enqueue_many(self, items: Sequence[NewItem]) -> int:
        """Durably queue a group in one transaction (one fsync); return how many were new."""
        now = self._clock()
        evicted: list[OutboxItem] = []
        with self._lock:
            bytes_before = self._bytes
            try:
                with self._tx():
                    accepted = self._insert(items, now, evicted)
            except OutboxFullError:
                self._bytes = bytes_before
                with self._tx():
                    self._bump("rejected")
                raise
        for item in evicted:
            self._notify(self.on_evicted, item)
        return accepted

    def _insert(self, items: Sequence[NewItem], now: float, evicted: list[OutboxItem]) -> int:
        accepted = 0
        for it in items:
            if self._known(it.message_id):
                self._bump("duplicates")
                continue
            sealed = self._seal(it.message_id, it.payload)
            size = len(sealed) + len(it.message_id) + 64
            evicted += self._make_room(size, it.priority)
            ttl = self.ttl_s if it.ttl_s is None else it.ttl_s
            self._db.execute(
                "INSERT INTO items (message_id, priority, created_at, expires_at, next_at,"
                " size, sealed) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (it.message_id, it.priority, now, now + ttl, now, size, sealed))
            self._bytes += size
            accepted += 1
        if accepted:
            self._bump("accepted", accepted)
        return accepted

    def _known(self, message_id: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM items WHERE message_id = ? UNION ALL "
            "SELECT 1 FROM done WHERE message_id = ?", (message_id, message_id)).fetchone()
        return row is not None

    def _make_room(self, size: int, priority: int) -> list[OutboxItem]:
        need = self._bytes + size - self.quota_bytes
        if need <= 0:
            return []
        victims: list[tuple[Any, ...]] = []
        freed = 0
        for row in self._db.execute(
                "SELECT message_id, priority, created_at, expires_at, attempts, sealed, last_error,"
                " size FROM items WHERE priority <= ?"
                " ORDER BY priority ASC, created_at ASC, seq ASC",
                (priority,)):
            victims.append(row)
            freed += int(row[7])
            if freed >= need:
                break
        if freed < need:
            log.warning("outbox full (%d of %d bytes): item of priority %d refused",
                        self._bytes, self.quota_bytes, priority)
            raise OutboxFullError(f"outbox quota {self.quota_bytes} bytes reached")
        self._db.executemany("DELETE FROM items WHERE message_id = ?", [(v[0],) for v in victims])
        self._bytes -= freed
        self._bump("evicted", len(victims))
        log.warning("outbox quota reached: evicted %d item(s) (lowest priority, oldest first): %s",
                    len(victims), ", ".join(str(v[0]) for v in victims[:10]))
        return [self._item(v[:7]) for v in victims]

    # -- delivering ------------------------------------------------------------------------

    def claim(self, limit: int) -> list[OutboxItem]:
        """Lease up to ``limit`` due items (highest priority, then oldest) and return them.

        A leased item is offered again after ``lease_s`` unless acked or failed first.
        """
        now = self._clock()
        with self._lock:
            rows = self._db.execute(
                "SELECT message_id, priority, created_at, expires_at, attempts, sealed, last_error"
                " FROM items WHERE next_at <= ? AND expires_at > ?"
                " ORDER BY priority DESC, next_at ASC, seq ASC LIMIT ?",
                (now, now, limit)).fetchall()
            if rows:
                with self._tx():
                    self._db.executemany("UPDATE items SET next_at = ? WHERE message_id = ?",
                                         [(now + self._lease_s, r[0]) for r in rows])
        return [self._item(r) for r in rows]

    def ack(self, message_ids: Iterable[str]) -> int:
        """Mark items delivered (removed, remembered as done) in one commit; return the count."""
        now = self._clock()
        ids = list(message_ids)
        done = 0
        with self._lock, self._tx():
            for mid in ids:
                row = self._db.execute("DELETE FROM items WHERE message_id = ? RETURNING size",
                                       (mid,)).fetchone()
                if row is None:
                    continue
                self._bytes -= int(row[0])
                self._db.execute("INSERT OR IGNORE INTO done (message_id, at) VALUES (?, ?)",
                                 (mid, now))
                done += 1
            if done:
                self._bump("delivered", done)
        return done

    def fail(self, message_id: str, error: str) -> float:
        """Record a failed attempt; return the time of the next one (backoff with jitter)."""
        now = self._clock()
        with self._lock, self._tx():
            row = self._db.execute("SELECT attempts FROM items WHERE message_id = ?",
                                   (message_id,)).fetchone()
            if row is None:
                return now
            attempts = int(row[0]) + 1
            next_at = now + backoff_delay(attempts, *self._retry)
            self._db.execute("UPDATE items SET attempts = ?, next_at = ?, last_error = ? "
                             "WHERE message_id = ?", (attempts, next_at, error[:500], message_id))
            self._bump("failures")
        return next_at

    def drop(self, message_id: str, reason: str) -> bool:
        """Remove an item the relay refused for good (e.g. privacy); counted as rejected."""
        with self._lock, self._tx():
            row = self._db.execute("DELETE FROM items WHERE message_id = ? RETURNING size",
                                   (message_id,)).fetchone()
            if row is None:
                return False
            self._bytes -= int(row[0])
            self._db.execute("INSERT OR IGNORE INTO done (message_id, at) VALUES (?, ?)",
                             (message_id, self._clock()))
            self._bump("rejected")
        log.warning("outbox item %s dropped: %s", message_id, reason)
        return True

    def expire(self) -> list[OutboxItem]:
        """Remove items past their TTL, call ``on_expired`` for each, and return them."""
        now = self._clock()
        with self._lock:
            rows = self._db.execute(
                "SELECT message_id, priority, created_at, expires_at, attempts, sealed, last_error,"
                " size FROM items WHERE expires_at <= ?", (now,)).fetchall()
            if not rows:
                return []
            with self._tx():
                self._db.executemany("DELETE FROM items WHERE message_id = ?",
                                     [(r[0],) for r in rows])
                self._bytes -= sum(int(r[7]) for r in rows)
                self._bump("expired", len(rows))
        items = [self._item(r[:7]) for r in rows]
        log.warning("outbox: %d item(s) expired undelivered; local decisions stand", len(items))
        for item in items:
            self._notify(self.on_expired, item)
        return items

    def _notify(self, callback: Callable[[OutboxItem], None] | None, item: OutboxItem) -> None:
        if callback is None:
            return
        try:
            callback(item)
        except Exception:
            log.exception("outbox callback failed for %s", item.message_id)

    # -- reading ---------------------------------------------------------------------------

    def stats(self) -> OutboxStats:
        """Return depth, bytes, oldest age and the lifetime counters."""
        now = self._clock()
        with self._lock:
            depth, oldest = self._db.execute(
                "SELECT COUNT(*), MIN(created_at) FROM items").fetchone()
            counters = dict(self._db.execute("SELECT name, value FROM counters").fetchall())
        values = {name: int(counters.get(name, 0)) for name in COUNTERS}
        return OutboxStats(depth=int(depth), bytes=self._bytes,
                           oldest_age_s=max(0.0, now - oldest) if oldest is not None else 0.0,
                           **values)

    def pending_ids(self) -> list[str]:
        """Return the message ids still queued (oldest first)."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT message_id FROM items ORDER BY seq")]

    def close(self) -> None:
        """Close the database (a checkpoint folds the WAL back)."""
        with self._lock:
            self._db.close()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error (autocommit connection)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
