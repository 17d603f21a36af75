"""X.509 helpers: a certificate authority, certificates for devices and relays, revocation.

Used by ``appliance keys issue`` (a local CA for tests and the demo), by the
relay (revocation list) and by fleet enrollment (CSR in, certificate out).

A device's client certificate carries the device's Ed25519 *signing* key
(build the CSR with :func:`make_csr` on :attr:`appliance.uplink.keys.DeviceKeys.signing`),
so the key that authenticates the TLS channel is the same key that signs the
sealed envelopes; the relay checks both are the same. The subject common name
is the device id.

Everything here is pure (objects in, objects out) except the ``load_*`` /
``write_*`` helpers and :class:`RevocationList`, which reads a CRL file.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from appliance.errors import ApplianceError

log = logging.getLogger(__name__)

#: Private key types this module signs with or issues for.
SigningKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
CertKind = Literal["client", "server"]


class PkiError(ApplianceError):
    """A certificate, key, CSR or CRL is invalid, mismatched or unreadable."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _hash_for(key: SigningKey) -> hashes.SHA256 | None:
    # Ed25519 signs with its own built-in hash; ECDSA needs one named.
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def generate_key(kind: Literal["ed25519", "p256"] = "p256") -> SigningKey:
    """Return a new private key: ECDSA P-256 (default, for CAs and servers) or Ed25519."""
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


@dataclass(frozen=True)
class CertificateAuthority:
    """A CA certificate with its private key; issues and revokes certificates."""

    certificate: x509.Certificate
    key: SigningKey

    @classmethod
    def create(cls, common_name: str, *, valid_days: int = 3650,
               key: SigningKey | None = None) -> CertificateAuthority:
        """Return a new self-signed CA (path length 0: it signs leaf certificates only)."""
        key = key or generate_key("p256")
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, _hash_for(key))
        )
        return cls(cert, key)

    @classmethod
    def load(cls, cert_path: Path, key_path: Path) -> CertificateAuthority:
        """Load a CA from PEM files; raise :class:`PkiError` if unreadable or mismatched."""
        cert = load_certificate(cert_path)
        key = load_private_key(key_path)
        if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            raise PkiError(f"{key_path}: CA key must be Ed25519 or ECDSA")
        if public_bytes(key.public_key()) != public_bytes(cert.public_key()):
            raise PkiError(f"{key_path} does not belong to {cert_path}")
        return cls(cert, key)

    def save(self, cert_path: Path, key_path: Path) -> None:
        """Write the certificate (0644) and the private key (0600) as PEM."""
        write_pem(cert_path, self.certificate.public_bytes(serialization.Encoding.PEM), 0o644)
        write_private_key(key_path, self.key)

    def issue(self, *, common_name: str, kind: CertKind,
              csr: x509.CertificateSigningRequest | None = None,
              public_key: PublicKey | None = None, dns_names: Iterable[str] = (),
              ip_addresses: Iterable[str] = (), valid_days: int = 365,
              serial: int | None = None) -> x509.Certificate:
        """Return a leaf certificate for ``csr`` (signature checked) or a bare ``public_key``.

        ``kind="client"`` sets the TLS client-auth usage (devices), ``"server"``
        the server-auth usage (relays) with the given DNS names and IP addresses
        as subject alternative names. Raises :class:`PkiError` on a bad CSR.
        """
        if (csr is None) == (public_key is None):
            raise PkiError("give exactly one of csr or public_key")
        if csr is not None:
            if not csr.is_signature_valid:
                raise PkiError("the CSR's signature does not verify")
            key = csr.public_key()
            if not isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
                raise PkiError("the CSR's key must be Ed25519 or ECDSA")
            public_key = key
        assert public_key is not None
        now = _now()
        usage = (ExtendedKeyUsageOID.CLIENT_AUTH if kind == "client"
                 else ExtendedKeyUsageOID.SERVER_AUTH)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(serial or x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.key.public_key()), critical=False)
        )
        sans: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
        sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return builder.sign(self.key, _hash_for(self.key))

    def crl(self, revoked: Iterable[tuple[int, dt.datetime]], *,
            next_update_days: int = 7) -> x509.CertificateRevocationList:
        """Return a signed CRL listing ``(serial, revoked_at)`` pairs."""
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(now)
            .next_update(now + dt.timedelta(days=next_update_days))
        )
        for serial, when in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
        return builder.sign(self.key, _hash_for(self.key))


def make_csr(key: SigningKey, common_name: str) -> x509.CertificateSigningRequest:
    """Return a CSR for ``key`` with subject CN=``common_name`` (the device id)."""
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, _hash_for(key))
    )


def common_name(cert: x509.Certificate) -> str:
    """Return the certificate's subject common name (a device id); raise :class:`PkiError`."""
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not attrs:
        raise PkiError("certificate has no common name")
    value = attrs[0].value
    return value.decode() if isinstance(value, bytes) else value


def public_bytes(key: object) -> bytes:
    """Return a public key's canonical bytes (raw for Ed25519/X25519, DER SPKI otherwise)."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.public_bytes(serialization.Encoding.DER,
                                serialization.PublicFormat.SubjectPublicKeyInfo)
    raise PkiError(f"unsupported public key type {type(key).__name__}")


def verify_issued_by(cert: x509.Certificate, ca_cert: x509.Certificate) -> None:
    """Raise :class:`PkiError` unless ``cert`` was signed by ``ca_cert`` and is in its validity."""
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise PkiError(f"certificate not issued by {ca_cert.subject.rfc4514_string()}") from exc
    now = _now()
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise PkiError("certificate is outside its validity period")


# -- files -----------------------------------------------------------------------------------

def write_pem(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` atomically to ``path`` with permission ``mode`` (created that way)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def write_private_key(path: Path, key: object) -> None:
    """Write a private key as unencrypted PKCS#8 PEM, mode 0600."""
    if not hasattr(key, "private_bytes"):
        raise PkiError(f"not a private key: {type(key).__name__}")
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    write_pem(path, data, 0o600)


def write_certificate(path: Path, cert: x509.Certificate) -> None:
    """Write a certificate as PEM, mode 0644."""
    write_pem(path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def load_certificate(path: Path) -> x509.Certificate:
    """Read the first PEM certificate in ``path``; raise :class:`PkiError`."""
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PkiError(f"cannot read certificate {path}: {exc}") from exc


def load_private_key(path: Path) -> object:
    """Read an unencrypted PEM private key from ``path``; raise :class:`PkiError`."""
    try:
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise PkiError(f"cannot read private key {path}: {exc}") from exc


def write_crl(path: Path, crl: x509.CertificateRevocationList) -> None:
    """Write a CRL as PEM (atomically, so a reader never sees half a file)."""
    write_pem(path, crl.public_bytes(serialization.Encoding.PEM), 0o644)


class RevocationList:
    """Revoked serial numbers from a CRL file, re-read whenever the file changes.

    The CRL's signature is checked against the CA; a CRL that does not verify
    is refused and the previous list stays (fail closed: a missing file when
    one is configured revokes nothing but is logged). Thread-safe.
    """

    def __init__(self, path: Path | None, ca_cert: x509.Certificate) -> None:
        self._path = path
        self._ca = ca_cert
        self._stamp: tuple[int, int] | None = None
        self._serials: frozenset[int] = frozenset()
        self._lock = threading.Lock()

    def revoke(self, serials: Iterable[int]) -> None:
        """Add serials in memory (for a store that tracks revocation itself, e.g. the fleet)."""
        with self._lock:
            self._serials = self._serials | frozenset(serials)

    def is_revoked(self, serial: int) -> bool:
        """Return True if ``serial`` is revoked, re-reading the CRL file if it changed."""
        self._refresh()
        return serial in self._serials

    def _refresh(self) -> None:
        if self._path is None:
            return
        try:
            st = self._path.stat()
        except FileNotFoundError:
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return
        with self._lock:
            try:
                crl = x509.load_pem_x509_crl(self._path.read_bytes())
            except (OSError, ValueError) as exc:
                log.error("revocation list %s unreadable, keeping the previous one: %s",
                          self._path, exc)
                return
            if not crl.is_signature_valid(self._ca.public_key()):  # type: ignore[arg-type]
                log.error("revocation list %s is not signed by the CA, ignored", self._path)
                return
            self._serials = frozenset(r.serial_number for r in crl) | self._serials
            self._stamp = stamp
            log.info("revocation list loaded: %d revoked", len(self._serials))
