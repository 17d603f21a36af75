"""The device's own keys: an Ed25519 signing key and an X25519 key-agreement key.

``appliance keys init`` writes them to ``<keys_dir>/signing.key`` and
``<keys_dir>/agreement.key`` (PKCS#8 PEM, mode 0600, directory 0700, owned by
the service user when run as root). Rotation moves the current pair to
``previous-*.key`` so replies sealed to the old agreement key still open while
the relay learns the new one.

A key id is the first 16 hex digits of SHA-256 over the raw public key; it
travels in every envelope so either side can hold several keys at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pwd
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from appliance.errors import ApplianceError
from appliance.uplink.pki import load_private_key, write_private_key

log = logging.getLogger(__name__)

SIGNING_FILE = "signing.key"
AGREEMENT_FILE = "agreement.key"
PREVIOUS_AGREEMENT_FILE = "previous-agreement.key"
PREVIOUS_SIGNING_FILE = "previous-signing.key"


class DeviceKeyError(ApplianceError):
    """Device keys are missing, unreadable, of the wrong type or too widely readable."""


def raw_public(key: ed25519.Ed25519PublicKey | x25519.X25519PublicKey) -> bytes:
    """Return the 32 raw bytes of an Ed25519 or X25519 public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: ed25519.Ed25519PublicKey | x25519.X25519PublicKey) -> str:
    """Return the key id of a public key: 16 hex digits of SHA-256 over its raw bytes."""
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


@dataclass(frozen=True)
class DeviceKeys:
    """The device's current signing and agreement keys, plus retired agreement keys."""

    signing: ed25519.Ed25519PrivateKey
    agreement: x25519.X25519PrivateKey
    previous_agreement: tuple[x25519.X25519PrivateKey, ...] = field(default=())

    @property
    def signing_key_id(self) -> str:
        """Key id of the signing key (named in envelopes as the sender key)."""
        return key_id(self.signing.public_key())

    @property
    def agreement_key_id(self) -> str:
        """Key id of the current agreement key (replies are sealed to it)."""
        return key_id(self.agreement.public_key())

    def agreement_keys(self) -> dict[str, x25519.X25519PrivateKey]:
        """Return every agreement key this device can open replies with, by key id."""
        keys = {key_id(k.public_key()): k for k in self.previous_agreement}
        keys[self.agreement_key_id] = self.agreement
        return keys


def _check_mode(path: Path) -> None:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise DeviceKeyError(f"{path} is readable by others (mode {mode:o}); run chmod 600 {path}")


def _owner_ids(owner: str | None) -> tuple[int, int] | None:
    # Only root can give files away; otherwise they stay with the user running us.
    if owner is None or os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(owner)
    except KeyError as exc:
        raise DeviceKeyError(f"no such user {owner!r} to own the device keys") from exc
    return entry.pw_uid, entry.pw_gid


def _chown(paths: list[Path], ids: tuple[int, int] | None) -> None:
    if ids is not None:
        for path in paths:
            os.chown(path, *ids)


def init_keys(keys_dir: Path, *, force: bool = False, owner: str | None = None) -> DeviceKeys:
    """Create the device's key pair in ``keys_dir`` and return it.

    Refuses to overwrite existing keys unless ``force`` (then the old pair is
    kept as the previous one, see :func:`rotate_keys`). Raises :class:`DeviceKeyError`.
    """
    signing_path = keys_dir / SIGNING_FILE
    ids = _owner_ids(owner)
    if signing_path.exists() and not force:
        raise DeviceKeyError(f"{signing_path} exists; pass force to rotate the device keys")
    if signing_path.exists():
        return rotate_keys(keys_dir, owner=owner)
    keys_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir, 0o700)
    keys = DeviceKeys(ed25519.Ed25519PrivateKey.generate(), x25519.X25519PrivateKey.generate())
    write_private_key(signing_path, keys.signing)
    write_private_key(keys_dir / AGREEMENT_FILE, keys.agreement)
    _chown([keys_dir, signing_path, keys_dir / AGREEMENT_FILE], ids)
    log.info("device keys created in %s (signing %s, agreement %s)", keys_dir,
             keys.signing_key_id, keys.agreement_key_id)
    return keys


def rotate_keys(keys_dir: Path, *, owner: str | None = None) -> DeviceKeys:
    """Replace the key pair, keeping the current one as ``previous-*``; return the new keys."""
    ids = _owner_ids(owner)
    old = load_keys(keys_dir)
    write_private_key(keys_dir / PREVIOUS_SIGNING_FILE, old.signing)
    write_private_key(keys_dir / PREVIOUS_AGREEMENT_FILE, old.agreement)
    new = DeviceKeys(ed25519.Ed25519PrivateKey.generate(), x25519.X25519PrivateKey.generate(),
                     (old.agreement,))
    write_private_key(keys_dir / SIGNING_FILE, new.signing)
    write_private_key(keys_dir / AGREEMENT_FILE, new.agreement)
    _chown([keys_dir / n for n in (SIGNING_FILE, AGREEMENT_FILE, PREVIOUS_SIGNING_FILE,
                                   PREVIOUS_AGREEMENT_FILE)], ids)
    log.info("device keys rotated: signing %s -> %s", old.signing_key_id, new.signing_key_id)
    return new


def _load(path: Path) -> object:
    if not path.exists():
        raise DeviceKeyError(f"{path} is missing; run `appliance keys init`")
    _check_mode(path)
    return load_private_key(path)


def load_keys(keys_dir: Path) -> DeviceKeys:
    """Load the device keys from ``keys_dir``; raise :class:`DeviceKeyError` if missing/unsafe."""
    signing = _load(keys_dir / SIGNING_FILE)
    agreement = _load(keys_dir / AGREEMENT_FILE)
    if not isinstance(signing, ed25519.Ed25519PrivateKey):
        raise DeviceKeyError(f"{keys_dir / SIGNING_FILE} is not an Ed25519 key")
    if not isinstance(agreement, x25519.X25519PrivateKey):
        raise DeviceKeyError(f"{keys_dir / AGREEMENT_FILE} is not an X25519 key")
    previous: tuple[x25519.X25519PrivateKey, ...] = ()
    prev_path = keys_dir / PREVIOUS_AGREEMENT_FILE
    if prev_path.exists():
        prev = _load(prev_path)
        if isinstance(prev, x25519.X25519PrivateKey):
            previous = (prev,)
    return DeviceKeys(signing, agreement, previous)
