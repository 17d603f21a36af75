"""Keys and the on-device vault that maps placeholders back to the original values.

Keys are random 32-byte files created with mode 0600 under ``<state_dir>/<key_dir>``.
A session's mapping is stored AES-256-GCM encrypted (nonce ‖ ciphertext, the session id
as associated data), so a stolen vault file reveals nothing without the key and a file
moved to another session's name fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from appliance.errors import ApplianceError

log = logging.getLogger(__name__)
_SESSION_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class VaultError(ApplianceError):
    """A vault file or key is missing, unreadable, or fails authentication."""


def load_or_create_key(path: Path, size: int = 32) -> bytes:
    """Return the key at ``path``, creating it (mode 0600, parents 0700) if absent.

    Raises :class:`VaultError` if the file exists with the wrong size or is readable
    by group or others.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise VaultError(f"key file {path} has mode {mode:o}; it must be 0600") from None
        key = path.read_bytes()
        if len(key) != size:
            raise VaultError(f"key file {path} holds {len(key)} bytes, expected {size}") from None
        return key
    key = os.urandom(size)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
    log.info("created key file %s", path)
    return key


def pseudonym(key: bytes, data_class: str, value: str, length: int = 12) -> str:
    """Return a stable keyed pseudonym (HMAC-SHA256, hex) for ``value`` of ``data_class``.

    The same key, class and value always give the same pseudonym; without the key it
    cannot be reversed or confirmed by hashing guesses.
    """
    mac = hmac.new(key, f"{data_class}\x00{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:length]


class Vault:
    """Encrypted storage of ``placeholder -> original`` mappings, one file per session."""

    def __init__(self, directory: Path, key: bytes) -> None:
        self.directory = directory
        self._aead = AESGCM(key)

    def _path(self, session_id: str) -> Path:
        if not _SESSION_ID.match(session_id):
            raise VaultError(f"invalid session id {session_id!r}")
        return self.directory / f"{session_id}.vault"

    def save(self, session_id: str, mapping: dict[str, str]) -> None:
        """Encrypt and atomically write ``mapping``; raise :class:`VaultError` on I/O errors."""
        path = self._path(session_id)
        nonce = os.urandom(12)
        blob = nonce + self._aead.encrypt(nonce, json.dumps(mapping).encode(), session_id.encode())
        tmp = path.with_suffix(".tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            raise VaultError(f"cannot write vault {path}: {exc}") from exc

    def load(self, session_id: str) -> dict[str, str]:
        """Return the session's mapping ({} if none); raise :class:`VaultError` if tampered."""
        path = self._path(session_id)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise VaultError(f"cannot read vault {path}: {exc}") from exc
        try:
            plain = self._aead.decrypt(blob[:12], blob[12:], session_id.encode())
        except (InvalidTag, ValueError) as exc:
            raise VaultError(f"vault {path} failed authentication (wrong key or tampered)") from exc
        data = json.loads(plain)
        if not isinstance(data, dict):
            raise VaultError(f"vault {path} does not hold a mapping")
        return {str(k): str(v) for k, v in data.items()}

    def delete(self, session_id: str) -> None:
        """Forget a session's mapping (no error if it does not exist)."""
        self._path(session_id).unlink(missing_ok=True)
