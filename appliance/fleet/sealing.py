"""The deployment's key-encryption key (KEK) and AES-256-GCM sealing of private keys.

The fleet CA key and the fleet signing key live in the shared database, sealed under a
KEK that the database never sees: a secret of the deployment given to every replica by
``fleet.secret_key_file`` or ``fleet.secret_key_env``. A single-node SQLite fleet may go
without one: it gets ``<state_dir>/secret.key`` (0600) generated on first start. A
PostgreSQL fleet refuses to start without one, because a key generated on one replica's
local disk would make the shared keys unreadable to every other replica and lost with
that disk.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from appliance.errors import ApplianceError
from appliance.fleet.settings import FleetConfig

log = logging.getLogger(__name__)

KEK_BYTES = 32
NONCE_BYTES = 12
DEFAULT_KEK_NAME = "secret.key"


class SecretKeyError(ApplianceError):
    """The key-encryption key is missing, malformed, or not the one the keys were sealed with."""


def _derive(kek: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"appliance fleet " + purpose).derive(kek)


@dataclass(frozen=True)
class SecretKey:
    """A loaded KEK: ``source`` says where it came from (for error messages, never the key)."""

    key: bytes = field(repr=False)  # never in a log line or a traceback's locals
    source: str

    @property
    def key_id(self) -> str:
        """Return a short public identifier of the KEK (stored beside what it seals)."""
        return _derive(self.key, b"kek id v1")[:8].hex()

    def seal(self, plaintext: bytes, label: str) -> bytes:
        """Return ``nonce || AES-256-GCM(plaintext)``, bound to ``label`` as associated data."""
        nonce = os.urandom(NONCE_BYTES)
        aead = AESGCM(_derive(self.key, b"seal v1"))
        return nonce + aead.encrypt(nonce, plaintext, b"fleet-key:" + label.encode())

    def unseal(self, sealed: bytes, label: str, sealed_key_id: str) -> bytes:
        """Return the plaintext of :meth:`seal`; raise :class:`SecretKeyError` naming the cause.

        A different key id means another KEK sealed it (the deployment gave this replica
        the wrong one); the same id with a failed tag means the row was altered.
        """
        if sealed_key_id != self.key_id:
            raise SecretKeyError(
                f"the fleet keys in the database were sealed with key-encryption key "
                f"{sealed_key_id}, but this replica's key ({self.source}) is {self.key_id}: "
                "give every replica the same fleet.secret_key_file (or fleet.secret_key_env); "
                "no new keys were created")
        aead = AESGCM(_derive(self.key, b"seal v1"))
        try:
            return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                b"fleet-key:" + label.encode())
        except InvalidTag as exc:
            raise SecretKeyError(f"sealed fleet key {label!r} fails authentication with "
                                 f"key {self.key_id}: the database row was altered") from exc


def parse_secret_key(text: str, source: str) -> SecretKey:
    """Parse base64 text of exactly 32 bytes; raise :class:`SecretKeyError` naming ``source``."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEK_BYTES:
        raise SecretKeyError(f"{source}: expected {KEK_BYTES} random bytes in base64; "
                             "create a key with `appliance fleet secret-key FILE`")
    return SecretKey(raw, source)


def new_secret_key_text() -> str:
    """Return a fresh KEK as base64 text."""
    return base64.b64encode(os.urandom(KEK_BYTES)).decode()


def write_secret_key(path: Path) -> SecretKey:
    """Create ``path`` (mode 0600, never overwritten) holding a fresh KEK; return it.

    The file appears whole or not at all (written aside, then linked into place).
    Raises :class:`SecretKeyError` if the file exists or cannot be written.
    """
    text = new_secret_key_text()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
    except OSError as exc:
        raise SecretKeyError(f"cannot create {path}: {exc}") from exc
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)
    except FileExistsError as exc:
        raise SecretKeyError(f"{path} exists; a key-encryption key is never overwritten") from exc
    except OSError as exc:
        raise SecretKeyError(f"cannot create {path}: {exc}") from exc
    finally:
        os.unlink(tmp)
    return SecretKey(base64.b64decode(text), f"fleet.secret_key_file {path}")


def _read_file(path: Path, source: str) -> SecretKey:
    try:
        st = path.stat()
        if st.st_mode & stat.S_IRWXO:
            raise SecretKeyError(f"{source} is accessible by other users (mode "
                                 f"{stat.S_IMODE(st.st_mode):04o}); chmod 600 it")
        return parse_secret_key(path.read_text(), source)
    except FileNotFoundError as exc:
        raise SecretKeyError(f"{source} does not exist; create it once with `appliance fleet "
                             "secret-key FILE` and give the same file to every replica") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError(f"{source} is unreadable: {exc}") from exc


def read_secret_key_file(path: Path) -> SecretKey:
    """Return the KEK in ``path`` (private file, base64); raise :class:`SecretKeyError`."""
    return _read_file(path, f"key-encryption key file {path}")


def is_sqlite(url: str) -> bool:
    """Return True for a SQLite database URL (a single-node fleet)."""
    return url.startswith("sqlite")


def load_secret_key(config: FleetConfig, environ: Mapping[str, str] | None = None,
                    may_generate: bool = True) -> SecretKey:
    """Return the deployment's KEK from config, the environment, or (SQLite only) state_dir.

    ``may_generate=False`` (the database already holds sealed keys) never creates the
    state_dir key. Raises :class:`SecretKeyError` naming the setting to fix.
    """
    env = os.environ if environ is None else environ
    if config.secret_key_file is not None and config.secret_key_env is not None:
        raise SecretKeyError("fleet.secret_key_file and fleet.secret_key_env are both set; "
                             "give the key-encryption key one way")
    if config.secret_key_file is not None:
        return _read_file(config.secret_key_file,
                          f"fleet.secret_key_file {config.secret_key_file}")
    if config.secret_key_env is not None:
        source = f"fleet.secret_key_env ${config.secret_key_env}"
        if config.secret_key_env not in env:
            raise SecretKeyError(f"{source} is not set in the environment")
        return parse_secret_key(env[config.secret_key_env], source)
    if not is_sqlite(config.database_url):
        raise SecretKeyError(
            "fleet.secret_key_file is not set: replicas sharing a PostgreSQL fleet database "
            "need the same key-encryption key to read the fleet CA and signing keys. Create "
            "one with `appliance fleet secret-key /etc/appliance-cloud/fleet-secret.key` and "
            "set fleet.secret_key_file (or fleet.secret_key_env) on every replica")
    path = config.state_dir / DEFAULT_KEK_NAME
    source = f"{path} (generated; fleet.secret_key_file unset)"
    if path.exists():
        return SecretKey(_read_file(path, source).key, source)
    if not may_generate:
        raise SecretKeyError(
            "the fleet database holds sealed keys but fleet.secret_key_file is not set (and "
            f"{path} does not exist): set fleet.secret_key_file to the deployment's "
            "key-encryption key; no new keys were created")
    try:
        key = write_secret_key(path)
    except SecretKeyError:
        if path.exists():  # another process on this state_dir made it first
            return SecretKey(_read_file(path, source).key, source)
        raise
    log.warning("fleet.secret_key_file is not set: generated a key-encryption key at %s. "
                "It seals the fleet CA and signing keys; back it up with the database, and "
                "to run several replicas set fleet.secret_key_file to one shared key", path)
    return SecretKey(key.key, source)
