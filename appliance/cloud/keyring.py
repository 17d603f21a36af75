"""The relay's own keys: X25519 (devices seal to it) and Ed25519 (it signs replies).

Kept as key sets in one JSON file (mode 0600), or, with the fleet served beside the
relay, sealed in the fleet database that every replica shares
(:mod:`appliance.cloud.shared_keyring`). The last set is current and is what devices
are told to seal to; older sets still open envelopes, so a rotation
(:meth:`RelayKeyring.rotate`) needs no downtime: devices pick up the new key from
``GET /v1/relay/keys`` while their in-flight items still open.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from appliance.errors import ApplianceError
from appliance.uplink.envelope import b64, unb64
from appliance.uplink.keys import key_id, raw_public
from appliance.uplink.pki import write_pem

log = logging.getLogger(__name__)


def _raw_private(key: x25519.X25519PrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


@dataclass(frozen=True)
class KeySet:
    """One generation of relay keys."""

    agreement: x25519.X25519PrivateKey
    signing: ed25519.Ed25519PrivateKey
    created: float

    @property
    def key_id(self) -> str:
        """The id devices name as the recipient key (of the X25519 public key)."""
        return key_id(self.agreement.public_key())


def sets_to_document(sets: list[KeySet]) -> dict[str, Any]:
    """Return the key sets (private keys in clear) as the keyring's JSON document."""
    return {"sets": [{"x25519": b64(_raw_private(s.agreement)),
                      "ed25519": b64(_raw_private(s.signing)), "created": s.created}
                     for s in sets]}


def sets_from_document(doc: Any) -> list[KeySet]:
    """Parse :func:`sets_to_document`'s output; raise ValueError, KeyError or TypeError."""
    return [KeySet(x25519.X25519PrivateKey.from_private_bytes(unb64(s["x25519"])),
                   ed25519.Ed25519PrivateKey.from_private_bytes(unb64(s["ed25519"])),
                   float(s["created"])) for s in doc["sets"]]


def new_key_set() -> KeySet:
    """Return a freshly generated key set."""
    return KeySet(x25519.X25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate(),
                  time.time())


def read_keyring_file(path: Path) -> list[KeySet]:
    """Return the key sets in a keyring file; raise :class:`ApplianceError` if unusable."""
    try:
        sets = sets_from_document(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ApplianceError(f"relay keyring {path} is unreadable: {exc}") from exc
    if not sets:
        raise ApplianceError(f"relay keyring {path} holds no keys")
    return sets


class KeyringStore(Protocol):
    """Where the key sets persist: a file, or the fleet database shared by replicas."""

    def load(self) -> list[KeySet]:
        """Return every stored key set, the current one last."""
        ...

    def append(self, new: KeySet, held: list[KeySet]) -> list[KeySet]:
        """Store ``new`` as the current set; return every set now stored."""
        ...


class FileKeyringStore:
    """The key sets in one JSON file, mode 0600 (a relay without the fleet database)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[KeySet]:
        """Return the file's key sets; raise :class:`ApplianceError` if unusable."""
        return read_keyring_file(self.path)

    def append(self, new: KeySet, held: list[KeySet]) -> list[KeySet]:
        """Write ``held`` plus ``new`` to the file; return them."""
        sets = [*held, new]
        write_pem(self.path, json.dumps(sets_to_document(sets), indent=1).encode(), 0o600)
        return sets


class RelayKeyring:
    """All relay key sets; the last one is current."""

    def __init__(self, store: KeyringStore, sets: list[KeySet]) -> None:
        self.store = store
        self.sets = sets
        self._lock = threading.Lock()
        self._loaded = time.monotonic()

    @classmethod
    def load_or_create(cls, path: Path) -> RelayKeyring:
        """Load the keyring from ``path``, creating a first key set if the file is missing."""
        store = FileKeyringStore(path)
        if not path.exists():
            ring = cls(store, [])
            ring.rotate()
            return ring
        return cls(store, store.load())

    def rotate(self) -> KeySet:
        """Add a new current key set, store it, and return the new set."""
        new = new_key_set()
        with self._lock:
            self.sets = self.store.append(new, self.sets)
            self._loaded = time.monotonic()
        log.info("relay key set %s created (%d held)", new.key_id, len(self.sets))
        return new

    def refresh(self, older_than_s: float) -> bool:
        """Reload the sets if the last load is older than ``older_than_s``.

        Another replica may have added a set (rotated, or imported its old keyring).
        Returns True if the key ids held changed. Raises what the store raises.
        """
        with self._lock:
            if time.monotonic() - self._loaded < older_than_s:
                return False
            self._loaded = time.monotonic()
            before = [s.key_id for s in self.sets]
            self.sets = self.store.load()
            changed = [s.key_id for s in self.sets] != before
        if changed:
            log.info("relay key sets reloaded: %d held, current %s", len(self.sets),
                     self.current.key_id)
        return changed

    @property
    def current(self) -> KeySet:
        """The key set devices should seal to."""
        return self.sets[-1]

    def agreement_keys(self) -> dict[str, x25519.X25519PrivateKey]:
        """Every X25519 private key by key id (envelopes to any of them open)."""
        return {s.key_id: s.agreement for s in self.sets}

    def signer_for(self, recipient_key_id: str) -> ed25519.Ed25519PrivateKey:
        """The signing key of the set a request was sealed to (the current one if unknown)."""
        for s in self.sets:
            if s.key_id == recipient_key_id:
                return s.signing
        return self.current.signing

    def public_document(self) -> dict[str, object]:
        """The public keys as served on ``GET /v1/relay/keys``."""
        return {"current": self.current.key_id,
                "keys": {s.key_id: {"x25519": b64(raw_public(s.agreement.public_key())),
                                    "ed25519": b64(raw_public(s.signing.public_key()))}
                         for s in self.sets}}
