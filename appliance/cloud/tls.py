"""The relay's TLS: TLS 1.3 only, client certificates required, failures counted.

Two hooks make the TLS layer visible to the application:

* :class:`CountingSSLObject` is the context's ``sslobject_class``: a handshake
  that fails (plaintext HTTP on the TLS port, no client certificate, a
  certificate from an unknown CA, an old TLS version) is counted by reason
  before the error goes on, since asyncio drops these silently.
* :class:`TlsScopeH11Protocol` is uvicorn's h11 protocol with the peer's
  certificate added to every request's ASGI scope, as the ASGI TLS extension
  describes (``scope["extensions"]["tls"]["client_cert_chain"]``, PEM) — uvicorn
  does not fill that extension itself.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

HandshakeCounter = Callable[[str], None]


def classify_handshake_error(exc: ssl.SSLError) -> str:
    """Return a stable reason code for a failed server-side handshake."""
    reason = (exc.reason or "").upper()
    if reason == "HTTP_REQUEST":
        return "plaintext_http"
    if reason in ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "CERTIFICATE_REQUIRED"):
        return "no_client_certificate"
    if reason == "CERTIFICATE_VERIFY_FAILED":
        message = str(getattr(exc, "verify_message", "") or "")
        return "expired_certificate" if "expired" in message else "unknown_certificate"
    if reason in ("UNSUPPORTED_PROTOCOL", "WRONG_VERSION_NUMBER", "NO_PROTOCOLS_AVAILABLE",
                  "TLSV1_ALERT_PROTOCOL_VERSION"):
        return "tls_version"
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError) or "EOF" in reason:
        return "client_aborted"
    return "tls_other"


class CountingSSLObject(ssl.SSLObject):
    """An SSLObject whose failed handshakes are reported to ``counter`` by reason."""

    counter: HandshakeCounter | None = None

    def do_handshake(self) -> None:
        """Run the handshake step; count and re-raise a real failure."""
        try:
            super().do_handshake()
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            raise
        except ssl.SSLError as exc:
            code = classify_handshake_error(exc)
            log.info("TLS handshake refused: %s (%s)", code, exc.reason)
            if self.counter is not None:
                self.counter(code)
            raise


def server_context(cert_file: Path, key_file: Path, client_ca_file: Path | None,
                   counter: HandshakeCounter | None = None,
                   require_client_cert: bool = True,
                   client_ca_pem: str | None = None) -> ssl.SSLContext:
    """Return the relay context: TLS 1.3 only, client certificates from the client CAs.

    The client CAs are ``client_ca_file`` and/or ``client_ca_pem`` (the fleet CA, read
    from the fleet database). With ``require_client_cert=False`` a client may come
    without a certificate (the relay routes then refuse it themselves); one that
    presents a certificate not issued by a client CA is still refused in the handshake.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
    ctx.load_cert_chain(str(cert_file), str(key_file))
    if client_ca_file is None and client_ca_pem is None:
        raise ValueError("no client CA: give a client CA file or PEM")
    if client_ca_file is not None:
        ctx.load_verify_locations(cafile=str(client_ca_file))
    if client_ca_pem is not None:
        ctx.load_verify_locations(cadata=client_ca_pem)
    ctx.set_alpn_protocols(["http/1.1"])
    sslobject_class = type("BoundCountingSSLObject", (CountingSSLObject,), {"counter": counter})
    ctx.sslobject_class = sslobject_class
    return ctx


class TlsScopeH11Protocol(H11Protocol):
    """uvicorn's h11 protocol that puts the peer certificate into each request's scope."""

    def connection_made(self, transport: Any) -> None:
        """Wrap the app so every request on this connection sees the peer certificate."""
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        tls: dict[str, Any] = {
            "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
            "client_cert_name": None, "client_cert_error": None,
            "tls_version": 0x0304 if ssl_object is not None and ssl_object.version() == "TLSv1.3"
            else None,
            "cipher_suite": None, "server_cert": None,
        }
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            scope.setdefault("extensions", {})["tls"] = tls
            await inner(scope, receive, send)

        self.app = app
