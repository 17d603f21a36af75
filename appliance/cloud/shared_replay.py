"""Replay protection in the fleet database: an envelope opened by any replica opens nowhere again.

Remembering an envelope id is one insert into ``relay_seen_envelopes``, whose primary
key is the id: the database refuses a second insert of it atomically, whichever
replica tries, so there is no window between "not seen" and "seen". A row lives until
its envelope's timestamp is two windows old (past one window the envelope is refused
as expired before its id is looked at; the second covers clocks that differ between
replicas), then it is deleted in bounded batches.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from appliance.cloud.shared_requests import PruneSchedule, database_errors
from appliance.fleet.store import Database, RelaySeenEnvelope

log = logging.getLogger(__name__)

PRUNE_BATCH = 1000
PRUNE_BATCHES = 10


class DatabaseReplayGuard:
    """Seen envelope ids in the fleet database, shared by every replica. Thread-safe."""

    def __init__(self, db: Database, window_s: float, prune_every_s: float = 30.0) -> None:
        self.db = db
        self._keep_s = 2 * window_s
        self._pruner = PruneSchedule(self.prune, "expired envelope ids", prune_every_s,
                                     first_in_s=prune_every_s)

    @database_errors
    def remember(self, envelope_id: str, timestamp: float) -> bool:
        """Record the id; return False if any replica recorded it before."""
        expires = datetime.fromtimestamp(timestamp + self._keep_s, UTC)
        try:
            with self.db.session() as s:
                s.execute(insert(RelaySeenEnvelope).values(envelope_id=envelope_id,
                                                           expires_at=expires))
        except IntegrityError:
            return False
        self._pruner.maybe()
        return True

    def prune(self, now: datetime | None = None) -> int:
        """Delete expired ids, at most a few batches; return how many were deleted."""
        old = (select(RelaySeenEnvelope.envelope_id)
               .where(RelaySeenEnvelope.expires_at < (now or datetime.now(UTC)))
               .limit(PRUNE_BATCH))
        deleted = 0
        for _ in range(PRUNE_BATCHES):
            with self.db.session() as s:
                gone: int = s.execute(
                    delete(RelaySeenEnvelope).where(RelaySeenEnvelope.envelope_id.in_(
                        old.scalar_subquery())),
                    execution_options={"synchronize_session": False},
                ).rowcount  # type: ignore[attr-defined]
            deleted += gone
            if gone < PRUNE_BATCH:
                break
        return deleted
