"""The relay's own keys: X25519 (devices seal to it) and Ed25519 (it signs replies).

Kept as key sets in one JSON file (mode 0600). The last set is current and is
what devices are told to seal to; older sets still open envelopes, so a
rotation (:meth:`RelayKeyring.rotate`) needs no downtime: devices pick up the
new key from ``GET /v1/relay/keys`` while their in-flight items still open.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

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


class RelayKeyring:
    """All relay key sets; the last one is current."""

    def __init__(self, path: Path, sets: list[KeySet]) -> None:
        self.path = path
        self.sets = sets

    @classmethod
    def load_or_create(cls, path: Path) -> RelayKeyring:
        """Load the keyring from ``path``, creating a first key set if the file is missing."""
        if not path.exists():
            ring = cls(path, [])
            ring.rotate()
            return ring
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            sets = [KeySet(x25519.X25519PrivateKey.from_private_bytes(unb64(s["x25519"])),
                           ed25519.Ed25519PrivateKey.from_private_bytes(unb64(s["ed25519"])),
                           float(s["created"])) for s in doc["sets"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ApplianceError(f"relay keyring {path} is unreadable: {exc}") from exc
        if not sets:
            raise ApplianceError(f"relay keyring {path} holds no keys")
        return cls(path, sets)

    def rotate(self) -> KeySet:
        """Add a new current key set, save the file, and return the new set."""
        new = KeySet(x25519.X25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate(),
                     time.time())
        self.sets.append(new)
        doc = {"sets": [{"x25519": b64(_raw_private(s.agreement)),
                         "ed25519": b64(_raw_private(s.signing)), "created": s.created}
                        for s in self.sets]}
        write_pem(self.path, json.dumps(doc, indent=1).encode(), 0o600)
        log.info("relay key set %s created (%d held)", new.key_id, len(self.sets))
        return new

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
