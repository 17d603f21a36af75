"""The relay's key sets in the fleet key store, so every replica holds the same keys.

One ``fleet_keys`` row named ``relay``: ``public`` lists the sets' public keys,
``sealed_private`` is the keyring document (private keys) sealed with AES-256-GCM under
the deployment's key-encryption key, like the fleet CA, so ``appliance fleet reseal``
moves it too. The first replica to start inserts the row (the name is the primary key:
of replicas starting together one insert wins, the others load the winner's). A
replica with a keyring file of an older release imports it: the first as the row, the
others' files merged in as older sets, so envelopes sealed to any replica's old key
still open everywhere. Changes are compare-and-swap on the sealed bytes, so two
replicas rotating or importing at once lose nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import update

from appliance.cloud.keyring import (
    KeySet,
    RelayKeyring,
    new_key_set,
    read_keyring_file,
    sets_from_document,
    sets_to_document,
)
from appliance.cloud.shared_requests import database_errors
from appliance.errors import ApplianceError
from appliance.fleet.keystore import insert_or_fetch
from appliance.fleet.sealing import SecretKey, SecretKeyError
from appliance.fleet.store import Database, FleetKey
from appliance.uplink.envelope import b64
from appliance.uplink.keys import raw_public

log = logging.getLogger(__name__)

ROW = "relay"
_ATTEMPTS = 5


def _public_text(sets: list[KeySet]) -> str:
    return json.dumps([{"key_id": s.key_id, "x25519": b64(raw_public(s.agreement.public_key())),
                        "ed25519": b64(raw_public(s.signing.public_key())),
                        "created": s.created} for s in sets], separators=(",", ":"))


class DatabaseKeyringStore:
    """The relay key sets sealed in the ``fleet_keys`` row ``relay``."""

    def __init__(self, db: Database, secret: SecretKey) -> None:
        self.db = db
        self.secret = secret

    def row(self, sets: list[KeySet]) -> FleetKey:
        """Return a new ``fleet_keys`` row holding ``sets`` sealed."""
        plain = json.dumps(sets_to_document(sets)).encode()
        return FleetKey(name=ROW, public=_public_text(sets),
                        sealed_private=self.secret.seal(plain, ROW), kek_id=self.secret.key_id)

    def open(self, row: FleetKey) -> list[KeySet]:
        """Return the key sets of ``row``; raise :class:`SecretKeyError` if they do not open."""
        plain = self.secret.unseal(row.sealed_private, ROW, row.kek_id)
        try:
            sets = sets_from_document(json.loads(plain))
        except (ValueError, KeyError, TypeError) as exc:
            raise SecretKeyError(f"the sealed relay keyring does not parse: {exc}") from exc
        if not sets or _public_text(sets) != row.public:
            raise SecretKeyError("the sealed relay keys do not match their public keys")
        return sets

    def _fetch(self) -> FleetKey:
        with self.db.session() as s:
            row = s.get(FleetKey, ROW)
        if row is None:
            raise ApplianceError("the relay keys are missing from the fleet database")
        return row

    @database_errors
    def load(self) -> list[KeySet]:
        """Return the stored key sets, the current one last."""
        return self.open(self._fetch())

    def _swap(self, change: Callable[[list[KeySet]], list[KeySet] | None]) -> list[KeySet]:
        """Apply ``change`` to the stored sets (None: nothing to change); return the result.

        The update only lands if nobody changed the row since it was read; otherwise
        it is read again and ``change`` applied to what another replica stored.
        """
        for _ in range(_ATTEMPTS):
            row = self._fetch()
            held = self.open(row)
            wanted = change(held)
            if wanted is None:
                return held
            new = self.row(wanted)
            with self.db.session() as s:
                done = s.execute(update(FleetKey)
                                 .where(FleetKey.name == ROW,
                                        FleetKey.sealed_private == row.sealed_private)
                                 .values(public=new.public, sealed_private=new.sealed_private,
                                         kek_id=new.kek_id),
                                 execution_options={"synchronize_session": False})
            if done.rowcount == 1:  # type: ignore[attr-defined]
                return wanted
            log.info("relay keys changed by another replica meanwhile; trying again")
        raise ApplianceError("the relay keys could not be updated: they kept changing")

    def append(self, new: KeySet, held: list[KeySet]) -> list[KeySet]:
        """Add ``new`` as the current set to what the database holds; return every set."""
        return self._swap(lambda stored: [*stored, new])

    def merge_older(self, sets: list[KeySet]) -> list[KeySet]:
        """Add the sets the database lacks, before the stored ones (the current stays)."""
        def change(stored: list[KeySet]) -> list[KeySet] | None:
            known = {s.key_id for s in stored}
            missing = [s for s in sets if s.key_id not in known]
            return [*missing, *stored] if missing else None

        return self._swap(change)


def open_shared_keyring(db: Database, secret: SecretKey, legacy_file: Path) -> RelayKeyring:
    """Return the relay keyring from the fleet database, creating or importing it once.

    ``legacy_file`` is the relay's keyring file of an older release (``relay.keyring_file``);
    if it exists its sets are imported, and it is never written again. Raises
    :class:`SecretKeyError` if the stored keys do not open with ``secret``, and
    :class:`ApplianceError` if the file is unreadable.
    """
    store = DatabaseKeyringStore(db, secret)
    legacy = read_keyring_file(legacy_file) if legacy_file.exists() else None
    row = insert_or_fetch(db, ROW, lambda: store.row(legacy or [new_key_set()]))
    sets = store.open(row)
    if legacy is not None:
        sets = store.merge_older(legacy)
        log.warning("the relay keys of %s are in the fleet database (imported); the file is "
                    "no longer written: remove it once every replica runs this release",
                    legacy_file)
    log.info("relay keys from the fleet database: %d sets, current %s", len(sets),
             sets[-1].key_id)
    return RelayKeyring(store, sets)
