"""The fleet's shared keys in the database: the fleet CA and the fleet signing key, sealed.

Every replica loads the same keys from the ``fleet_keys`` table. The first replica to
start creates each key; creation is an insert on the key's name (the primary key), so
of replicas starting together exactly one insert wins and the others read the winner's
row. A fleet that kept its keys as files (older releases) has them imported once.
:func:`reseal_keys` moves the keys to a new key-encryption key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from appliance.fleet.sealing import SecretKey, SecretKeyError
from appliance.fleet.signing import public_b64
from appliance.fleet.store import Database, FleetKey
from appliance.uplink.pki import CertificateAuthority, PkiError, public_bytes

log = logging.getLogger(__name__)

CA_NAME = "Appliance Fleet CA"
_ATTEMPTS = 3


@dataclass(frozen=True)
class FleetKeys:
    """The fleet CA (certificate and key) and the fleet's Ed25519 signing key."""

    ca: CertificateAuthority
    signing: Ed25519PrivateKey


def _pkcs8(key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _seal_ca(secret: SecretKey, ca: CertificateAuthority) -> FleetKey:
    assert isinstance(ca.key, Ed25519PrivateKey | ec.EllipticCurvePrivateKey)
    return FleetKey(name="ca",
                    public=ca.certificate.public_bytes(serialization.Encoding.PEM).decode(),
                    sealed_private=secret.seal(_pkcs8(ca.key), "ca"), kek_id=secret.key_id)


def _seal_signing(secret: SecretKey, key: Ed25519PrivateKey) -> FleetKey:
    return FleetKey(name="signing", public=public_b64(key),
                    sealed_private=secret.seal(_pkcs8(key), "signing"), kek_id=secret.key_id)


def _private(secret: SecretKey, row: FleetKey) -> object:
    der = secret.unseal(row.sealed_private, row.name, row.kek_id)
    return serialization.load_der_private_key(der, password=None)


def _open_ca(secret: SecretKey, row: FleetKey) -> CertificateAuthority:
    cert = x509.load_pem_x509_certificate(row.public.encode())
    key = _private(secret, row)
    if not isinstance(key, Ed25519PrivateKey | ec.EllipticCurvePrivateKey) or \
            public_bytes(key.public_key()) != public_bytes(cert.public_key()):
        raise SecretKeyError("the sealed fleet CA key does not belong to the CA certificate")
    return CertificateAuthority(cert, key)


def _open_signing(secret: SecretKey, row: FleetKey) -> Ed25519PrivateKey:
    key = _private(secret, row)
    if not isinstance(key, Ed25519PrivateKey) or public_b64(key) != row.public:
        raise SecretKeyError("the sealed fleet signing key does not match its public key")
    return key


def insert_or_fetch(db: Database, name: str, make: Callable[[], FleetKey]) -> FleetKey:
    """Return the row ``name``, inserting ``make()`` if there is none.

    Race-safe: of processes inserting at once, one insert wins on the primary key and
    the others read the winner's row. Raises :class:`SecretKeyError` if that fails
    repeatedly.
    """
    for _ in range(_ATTEMPTS):
        with db.session() as s:
            row = s.get(FleetKey, name)
        if row is not None:
            return row
        candidate = make()
        try:
            with db.session() as s:
                s.add(candidate)
        except IntegrityError:
            log.info("another replica created fleet key %r first; using it", name)
            continue
        log.info("created fleet key %r in the database", name)
        return candidate
    raise SecretKeyError(f"fleet key {name!r} could be neither created nor read")


def _legacy_ca(state_dir: Path | None) -> CertificateAuthority | None:
    if state_dir is None:
        return None
    cert, key = state_dir / "ca" / "ca.pem", state_dir / "ca" / "ca.key"
    if not (cert.exists() and key.exists()):
        return None
    try:
        ca = CertificateAuthority.load(cert, key)
    except PkiError as exc:
        raise SecretKeyError(f"cannot import the fleet CA of an older release: {exc}") from exc
    log.warning("imported the fleet CA from %s into the database; remove %s once every "
                "replica runs this release", cert.parent, key)
    return ca


def _legacy_signing(state_dir: Path | None) -> Ed25519PrivateKey | None:
    path = state_dir / "fleet-signing.key" if state_dir is not None else None
    if path is None or not path.exists():
        return None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SecretKeyError(f"cannot import the fleet signing key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SecretKeyError(f"{path} is not an Ed25519 private key")
    log.warning("imported the fleet signing key %s into the database; remove it once every "
                "replica runs this release", path)
    return key


def load_or_create_keys(db: Database, secret: SecretKey,
                        legacy_dir: Path | None = None) -> FleetKeys:
    """Return the fleet keys from the database, creating (or importing) any that are missing.

    ``legacy_dir`` is a state directory of an older release whose ``ca/`` and
    ``fleet-signing.key`` are imported instead of creating new keys. Raises
    :class:`SecretKeyError` if ``secret`` is not the key the rows were sealed with; no
    key is ever replaced.
    """
    # Open each key before creating the next, so a wrong secret stops here, having
    # sealed nothing under itself.
    ca = _open_ca(secret, insert_or_fetch(db, "ca", lambda: _seal_ca(
        secret, _legacy_ca(legacy_dir) or CertificateAuthority.create(CA_NAME))))
    signing = _open_signing(secret, insert_or_fetch(db, "signing", lambda: _seal_signing(
        secret, _legacy_signing(legacy_dir) or Ed25519PrivateKey.generate())))
    return FleetKeys(ca=ca, signing=signing)


def reseal_keys(db: Database, old: SecretKey, new: SecretKey) -> int:
    """Seal every fleet key under ``new`` instead of ``old``, in one transaction.

    Returns how many keys were resealed. Raises :class:`SecretKeyError` (changing
    nothing) if a key does not open with ``old``. Replicas keep running on the keys
    they loaded; each needs ``new`` before its next start.
    """
    with db.session() as s:
        rows = list(s.scalars(select(FleetKey).order_by(FleetKey.name).with_for_update()))
        for row in rows:
            plain = old.unseal(row.sealed_private, row.name, row.kek_id)
            row.sealed_private, row.kek_id = new.seal(plain, row.name), new.key_id
    log.warning("fleet keys resealed from key-encryption key %s to %s", old.key_id, new.key_id)
    return len(rows)
