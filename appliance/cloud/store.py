"""The relay's durable record: which message ids it has asked a provider about, and tokens used.

This is what makes retries idempotent: a device repeats a message id until it
gets an answer, and the relay answers a repeat from here instead of asking the
provider again. The record of a request is committed (fsync) *before* the
provider is called, so after a crash the relay knows the provider may have seen
it; such an orphaned request is answered ``outcome_unknown`` (or re-sent with
the same Idempotency-Key when the provider honours it), never sent blind.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from appliance.errors import ApplianceError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    device TEXT NOT NULL,
    message_id TEXT NOT NULL,
    state TEXT NOT NULL,
    boot TEXT NOT NULL,
    updated_at REAL NOT NULL,
    reply BLOB,
    PRIMARY KEY (device, message_id)
);
CREATE TABLE IF NOT EXISTS tokens (day TEXT PRIMARY KEY, used INTEGER NOT NULL);
"""

BeginState = Literal["new", "done", "busy", "orphaned"]


class RelayStateError(ApplianceError):
    """The relay's shared state (the fleet database) could not be read or written."""


@dataclass(frozen=True)
class Begin:
    """The outcome of :meth:`RelayStore.begin`; ``reply`` is set when ``state == "done"``."""

    state: BeginState
    reply: bytes | None = None


class RequestRecord(Protocol):
    """The relay's idempotency record and token count: this file, or the fleet database."""

    def begin(self, device: str, message_id: str) -> Begin:
        """Claim a message id for a provider call, or say why not (see :class:`RelayStore`)."""
        ...

    def finish(self, device: str, message_id: str, reply: bytes, tokens: int = 0) -> bytes:
        """Store the reply and book its tokens; return the reply on record."""
        ...

    def release(self, device: str, message_id: str) -> None:
        """Forget a claim whose provider call certainly did not happen or failed."""
        ...

    def tokens_used(self, day: str | None = None) -> int:
        """Tokens spent by the whole fleet on ``day`` (today, UTC)."""
        ...

    def close(self) -> None:
        """Release what the record holds open."""
        ...


def utc_day(now: float | None = None) -> str:
    """Return the UTC date the token budget is counted against."""
    return dt.datetime.fromtimestamp(time.time() if now is None else now, dt.UTC).date().isoformat()


class RelayStore:
    """SQLite (WAL, synchronous=FULL) record of requests and token use. Thread-safe."""

    def __init__(self, path: Path, lease_s: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.boot = uuid.uuid4().hex
        self._lease = lease_s
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def begin(self, device: str, message_id: str) -> Begin:
        """Claim a message id for a provider call, or say why not.

        ``new``: claimed (durably) by this call. ``done``: answered before, the
        stored reply is returned. ``busy``: another call is on it right now.
        ``orphaned``: a relay process that stopped had it in flight (its lease ran out).
        """
        now = time.time()
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO requests (device, message_id, state, boot, updated_at)"
                " VALUES (?, ?, 'sent', ?, ?)", (device, message_id, self.boot, now))
            if cur.rowcount == 1:
                return Begin("new")
            state, boot, updated, reply = self._db.execute(
                "SELECT state, boot, updated_at, reply FROM requests WHERE device = ? AND "
                "message_id = ?", (device, message_id)).fetchone()
            if state == "done":
                return Begin("done", bytes(reply))
            if boot == self.boot or now - float(updated) < self._lease:
                return Begin("busy")
            self._db.execute("UPDATE requests SET boot = ?, updated_at = ? WHERE device = ? AND "
                             "message_id = ?", (self.boot, now, device, message_id))
            return Begin("orphaned")

    def finish(self, device: str, message_id: str, reply: bytes, tokens: int = 0) -> bytes:
        """Store the final reply for a message id and add its tokens, in one commit.

        Returns ``reply`` (one process owns this file, so no other reply is on record).
        """
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("UPDATE requests SET state = 'done', reply = ?, updated_at = ? "
                                 "WHERE device = ? AND message_id = ?",
                                 (reply, now, device, message_id))
                if tokens:
                    self._db.execute(
                        "INSERT INTO tokens (day, used) VALUES (?, ?) ON CONFLICT(day) DO UPDATE "
                        "SET used = used + excluded.used", (utc_day(now), tokens))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return reply

    def release(self, device: str, message_id: str) -> None:
        """Forget a claim whose provider call certainly did not happen or failed."""
        with self._lock:
            self._db.execute("DELETE FROM requests WHERE device = ? AND message_id = ? AND "
                             "state = 'sent'", (device, message_id))

    def tokens_used(self, day: str | None = None) -> int:
        """Tokens spent by the whole fleet on ``day`` (today, UTC)."""
        with self._lock:
            row = self._db.execute("SELECT used FROM tokens WHERE day = ?",
                                   (day or utc_day(),)).fetchone()
        return int(row[0]) if row else 0

    def add_tokens(self, n: int, day: str | None = None) -> int:
        """Add ``n`` tokens to today's use; return the new total."""
        with self._lock:
            row = self._db.execute(
                "INSERT INTO tokens (day, used) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET "
                "used = used + excluded.used RETURNING used", (day or utc_day(), n)).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
