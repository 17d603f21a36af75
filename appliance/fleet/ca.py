"""The fleet certificate authority: issue device client certificates from CSRs, build CRLs.

A thin layer: certificate mechanics belong to :mod:`appliance.uplink.pki` once it
exists; this module adds what enrollment needs (subject forced to the device id,
client-auth only, a serial and fingerprint to record).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from appliance.errors import ApplianceError


class EnrollmentError(ApplianceError):
    """A CSR or enrollment request was refused; ``reason`` is a stable code."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass(frozen=True)
class IssuedCertificate:
    """A freshly issued client certificate and the facts the registry records."""

    pem: str
    serial: str  # lower-case hex
    fingerprint: str  # sha256 of the DER, hex
    not_after: datetime


class FleetCA:
    """The CA key and certificate that sign device client certificates."""

    def __init__(self, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        self.cert = cert
        self.key = key

    @property
    def cert_pem(self) -> str:
        """Return the CA certificate in PEM (what devices and the relay pin)."""
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @classmethod
    def load_or_create(cls, directory: Path, name: str = "Appliance Fleet CA") -> FleetCA:
        """Load ``ca.pem``/``ca.key`` from ``directory``, creating them (key 0600) if absent."""
        cert_path, key_path = directory / "ca.pem", directory / "ca.key"
        if cert_path.exists() and key_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise EnrollmentError("ca_key", f"{key_path} is not an EC private key")
            return cls(x509.load_pem_x509_certificate(cert_path.read_bytes()), key)
        directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key_pem)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cls(cert, key)

    def issue(self, csr_pem: str, device_id: str, ttl_days: int) -> IssuedCertificate:
        """Sign a device CSR as a client certificate with CN = ``device_id``.

        Raises :class:`EnrollmentError` if the CSR does not parse or its signature is wrong.
        """
        try:
            csr = x509.load_pem_x509_csr(csr_pem.encode())
        except ValueError as exc:
            raise EnrollmentError("bad_csr", f"CSR does not parse: {exc}") from exc
        if not csr.is_signature_valid:
            raise EnrollmentError("bad_csr", "CSR signature does not verify")
        now = datetime.now(UTC)
        not_after = now + timedelta(days=ttl_days)
        pub = csr.public_key()
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, device_id)]))
            .issuer_name(self.cert.subject).public_key(pub)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(device_id)]), False)
            .sign(self.key, hashes.SHA256())
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        return IssuedCertificate(
            pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
            serial=format(cert.serial_number, "x"),
            fingerprint=hashlib.sha256(der).hexdigest(),
            not_after=not_after.replace(microsecond=0),
        )

    def crl_pem(self, revoked: list[tuple[str, datetime]], next_update_s: int = 3600) -> str:
        """Return a signed CRL listing ``(serial_hex, revoked_at)`` pairs."""
        now = datetime.now(UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject).last_update(now)
            .next_update(now + timedelta(seconds=next_update_s))
        )
        for serial, when in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(int(serial, 16))
                .revocation_date(when).build()
            )
        crl = builder.sign(self.key, hashes.SHA256())
        return crl.public_bytes(serialization.Encoding.PEM).decode()


def fingerprint_der(der: bytes) -> str:
    """Return the hex SHA-256 fingerprint of a DER certificate."""
    return hashlib.sha256(der).hexdigest()
