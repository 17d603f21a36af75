"""The relay's idempotency record and token count in the fleet database, shared by replicas.

Same contract as :class:`appliance.cloud.store.RelayStore`, across processes: the claim
on a message id is an insert on ``(device, message id)``, the primary key of
``relay_requests``, so of replicas taking the same escalation at once exactly one
insert wins and asks the provider; the others see the row and answer ``busy`` until
its reply is stored, then answer with that reply. A claim whose owner stopped (its
lease ran out) is taken over by one replica only: the takeover is an update that
names the owner and time it read. Done records older than ``keep_s`` are pruned in
bounded batches. Tokens are counted per UTC day in ``relay_token_days`` in the same
transaction as the reply.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import ParamSpec, TypeVar

from sqlalchemy import ColumnElement, delete, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from appliance.cloud.store import Begin, RelayStateError, utc_day
from appliance.fleet.store import Database, RelayRequest, RelayTokenDay

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

PRUNE_BATCH = 500
PRUNE_BATCHES = 10
_ATTEMPTS = 5


def database_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Wrap ``fn`` so a database failure raises :class:`RelayStateError` (answered 503)."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except SQLAlchemyError as exc:
            raise RelayStateError(f"{fn.__qualname__}: {type(exc).__name__}: {exc}") from exc

    return wrapper


class PruneSchedule:
    """Runs a pruning pass at most every ``every_s``, on whichever thread asks first.

    Only one pass runs at a time; a failure is logged, never passed to the request
    that happened to run it.
    """

    def __init__(self, prune: Callable[[], int], what: str, every_s: float,
                 first_in_s: float = 0.0) -> None:
        self._prune = prune
        self._what = what
        self._every = every_s
        self._next = time.monotonic() + first_in_s
        self._lock = threading.Lock()

    def maybe(self) -> None:
        """Prune now if the time has come and no other thread is pruning."""
        if time.monotonic() < self._next or not self._lock.acquire(blocking=False):
            return
        try:
            self._next = time.monotonic() + self._every
            if n := self._prune():
                log.debug("pruned %d %s", n, self._what)
        except SQLAlchemyError as exc:
            log.warning("pruning %s failed (tried again later): %s", self._what, exc)
        finally:
            self._lock.release()


def _key(device: str, message_id: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return RelayRequest.device_id == device, RelayRequest.message_id == message_id


def add_tokens(session: Session, day: str, n: int) -> None:
    """Add ``n`` to ``day``'s token count in the session's transaction (one upsert)."""
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(RelayTokenDay).values(day=day, used=n)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[RelayTokenDay.day], set_={"used": RelayTokenDay.used + n}))


class DatabaseRelayStore:
    """The idempotency record and daily token use in the fleet database. Thread-safe."""

    def __init__(self, db: Database, lease_s: float, keep_s: float = 7 * 86400.0,
                 prune_every_s: float = 60.0) -> None:
        self.db = db
        self.boot = uuid.uuid4().hex
        self._lease = timedelta(seconds=lease_s)
        self._keep = timedelta(seconds=keep_s)
        self._pruner = PruneSchedule(self.prune, "answered escalation records", prune_every_s)

    def _claim(self, device: str, message_id: str, now: datetime) -> bool:
        try:
            with self.db.session() as s:
                s.execute(insert(RelayRequest).values(device_id=device, message_id=message_id,
                                                      state="sent", owner=self.boot,
                                                      updated_at=now))
        except IntegrityError:
            return False
        return True

    @database_errors
    def begin(self, device: str, message_id: str) -> Begin:
        """Claim a message id for a provider call, or say why not.

        ``new``: claimed by this process. ``done``: answered before (by any replica), the
        stored reply is returned. ``busy``: a relay process is on it and its lease runs.
        ``orphaned``: its owner stopped with it in flight; now claimed by this process.
        """
        for _ in range(_ATTEMPTS):
            now = datetime.now(UTC)
            if self._claim(device, message_id, now):
                self._pruner.maybe()
                return Begin("new")
            with self.db.session() as s:
                row = s.execute(select(RelayRequest.state, RelayRequest.owner,
                                       RelayRequest.updated_at, RelayRequest.reply)
                                .where(*_key(device, message_id))).first()
            if row is None:  # released between the insert and the read
                continue
            state, owner, updated, reply = row
            if state == "done":
                return Begin("done", bytes(reply or b""))
            if owner == self.boot or now - updated < self._lease:
                return Begin("busy")
            with self.db.session() as s:
                took = s.execute(update(RelayRequest)
                                 .where(*_key(device, message_id), RelayRequest.state == "sent",
                                        RelayRequest.owner == owner,
                                        RelayRequest.updated_at == updated)
                                 .values(owner=self.boot, updated_at=now),
                                 execution_options={"synchronize_session": False})
            if took.rowcount == 1:  # type: ignore[attr-defined]
                log.info("took over escalation %s/%s orphaned by relay process %s", device,
                         message_id, owner)
                return Begin("orphaned")
        return Begin("busy")

    @database_errors
    def finish(self, device: str, message_id: str, reply: bytes, tokens: int = 0) -> bytes:
        """Store the reply and book its tokens in one transaction; return the reply on record.

        If another replica stored a reply first (it took over this claim after its lease
        ran out), that one stays and is returned, so every answer to the message id is
        the same.
        """
        now = datetime.now(UTC)
        with self.db.session() as s:
            stored = s.execute(update(RelayRequest)
                               .where(*_key(device, message_id), RelayRequest.state == "sent")
                               .values(state="done", reply=reply, owner=self.boot,
                                       updated_at=now),
                               execution_options={"synchronize_session": False})
            if tokens:
                add_tokens(s, utc_day(now.timestamp()), tokens)
            if stored.rowcount == 1:  # type: ignore[attr-defined]
                return reply
            on_record = s.scalar(select(RelayRequest.reply).where(*_key(device, message_id)))
        log.warning("escalation %s/%s was answered by another relay process meanwhile; "
                    "its reply stands", device, message_id)
        return bytes(on_record) if on_record is not None else reply

    @database_errors
    def release(self, device: str, message_id: str) -> None:
        """Forget this process's claim whose provider call did not happen or failed."""
        with self.db.session() as s:
            s.execute(delete(RelayRequest).where(*_key(device, message_id),
                                                 RelayRequest.state == "sent",
                                                 RelayRequest.owner == self.boot),
                      execution_options={"synchronize_session": False})

    @database_errors
    def tokens_used(self, day: str | None = None) -> int:
        """Tokens spent by the whole fleet (every replica) on ``day`` (today, UTC)."""
        with self.db.session() as s:
            used = s.scalar(select(RelayTokenDay.used).where(RelayTokenDay.day ==
                                                             (day or utc_day())))
        return int(used or 0)

    def prune(self, now: datetime | None = None) -> int:
        """Delete done records older than the keep time, in bounded batches; return how many."""
        cutoff = (now or datetime.now(UTC)) - self._keep
        deleted = 0
        pk = tuple_(RelayRequest.device_id, RelayRequest.message_id)
        old = (select(RelayRequest.device_id, RelayRequest.message_id)
               .where(RelayRequest.state == "done", RelayRequest.updated_at < cutoff)
               .limit(PRUNE_BATCH))
        for _ in range(PRUNE_BATCHES):
            with self.db.session() as s:
                gone: int = s.execute(delete(RelayRequest).where(pk.in_(old)),
                                      execution_options={"synchronize_session": False}
                                      ).rowcount  # type: ignore[attr-defined]
            deleted += gone
            if gone < PRUNE_BATCH:
                break
        return deleted

    def close(self) -> None:
        """Nothing to close: the fleet context owns the database."""
