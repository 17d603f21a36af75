"""The fleet certificate authority: enrollment's view of :mod:`appliance.uplink.pki`.

Certificate mechanics (CA creation, issuing from a CSR, CRLs) live in
:mod:`appliance.uplink.pki`; this module adds what enrollment needs: the subject
forced to the device id, and the serial and fingerprint the registry records. The CA
itself is kept in the database (:mod:`appliance.fleet.keystore`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from appliance.errors import ApplianceError
from appliance.uplink.pki import CertificateAuthority, PkiError


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


def fingerprint_der(der: bytes) -> str:
    """Return the hex SHA-256 fingerprint of a DER certificate."""
    return hashlib.sha256(der).hexdigest()


class FleetCA:
    """The CA that signs device client certificates."""

    def __init__(self, authority: CertificateAuthority) -> None:
        self.authority = authority

    @property
    def cert(self) -> x509.Certificate:
        """Return the CA certificate."""
        return self.authority.certificate

    @property
    def cert_pem(self) -> str:
        """Return the CA certificate in PEM (what devices and the relay pin)."""
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def issue(self, csr_pem: str, device_id: str, ttl_days: int) -> IssuedCertificate:
        """Sign a device CSR as a client certificate with CN = ``device_id``.

        Raises :class:`EnrollmentError` if the CSR does not parse or its signature is wrong.
        """
        try:
            csr = x509.load_pem_x509_csr(csr_pem.encode())
            cert = self.authority.issue(common_name=device_id, kind="client", csr=csr,
                                        valid_days=ttl_days)
        except ValueError as exc:
            raise EnrollmentError("bad_csr", f"CSR does not parse: {exc}") from exc
        except PkiError as exc:
            raise EnrollmentError("bad_csr", str(exc)) from exc
        der = cert.public_bytes(serialization.Encoding.DER)
        return IssuedCertificate(
            pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
            serial=format(cert.serial_number, "x"),
            fingerprint=fingerprint_der(der),
            not_after=cert.not_valid_after_utc,
        )

    def crl_pem(self, revoked: list[tuple[str, datetime]]) -> str:
        """Return a signed CRL (PEM) listing ``(serial_hex, revoked_at)`` pairs."""
        crl = self.authority.crl([(int(serial, 16), when) for serial, when in revoked])
        return crl.public_bytes(serialization.Encoding.PEM).decode()
