"""The device's HTTPS client to the relay: mutual TLS 1.3, the relay's CA pinned.

There is no plaintext path: an ``http://`` URL is refused before any socket
opens, the TLS context accepts TLS 1.3 only, trusts only the configured CA
(not the system store) and checks the relay's host name. The device proves
itself with its client certificate, whose key is the device's Ed25519 signing
key, and every request body is a sealed envelope (see :mod:`.envelope`).
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from appliance.errors import UplinkError
from appliance.uplink.envelope import (
    EnvelopeError,
    MemoryReplayGuard,
    open_envelope,
    seal,
    unb64,
)
from appliance.uplink.keys import DeviceKeys, key_id
from appliance.uplink.settings import RelayKey, UplinkConfig

log = logging.getLogger(__name__)

ESCALATE_PATH = "/v1/relay/escalate"
KEYS_PATH = "/v1/relay/keys"
ENVELOPE_TYPE = "application/vnd.appliance.envelope"


class RelayRejectedError(UplinkError):
    """The relay refused a request. ``final``: retrying the same item cannot succeed."""

    def __init__(self, reason: str, status: int, final: bool, detail: str = "") -> None:
        self.reason = reason
        self.status = status
        self.final = final
        super().__init__(f"relay refused ({status} {reason}){': ' + detail if detail else ''}")


class TransportError(UplinkError):
    """The relay could not be reached or the TLS handshake failed; ``reason`` says which."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}")


def tls_context(ca_file: Path, cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """Return a client context: TLS 1.3 only, only ``ca_file`` trusted, client cert loaded.

    Raises :class:`UplinkError` if a file is missing or does not parse.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.check_hostname = True
    try:
        ctx.load_verify_locations(cafile=str(ca_file))
        ctx.load_cert_chain(certfile=str(cert_file), keyfile=str(key_file))
    except (OSError, ssl.SSLError) as exc:
        raise UplinkError(f"cannot load uplink TLS material: {exc}") from exc
    return ctx


def _caused_by_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError) or "SSL" in str(seen) or "TLSV1" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(frozen=True)
class RelayKeys:
    """The relay public keys a device seals to and verifies replies with."""

    agreement: dict[str, x25519.X25519PublicKey]
    signing: dict[str, ed25519.Ed25519PublicKey]
    current: str

    @classmethod
    def from_config(cls, keys: Mapping[str, RelayKey], current: str | None) -> RelayKeys:
        """Build from ``{key_id: RelayKey}``; ``current`` defaults to the last listed key."""
        if not keys:
            raise UplinkError("no relay keys configured or fetched")
        agreement = {kid: x25519.X25519PublicKey.from_public_bytes(unb64(k.x25519))
                     for kid, k in keys.items()}
        for kid, pub in agreement.items():
            if key_id(pub) != kid:
                raise UplinkError(f"relay key id {kid} does not match its key")
        signing: dict[str, ed25519.Ed25519PublicKey] = {}
        for k in keys.values():
            verify = ed25519.Ed25519PublicKey.from_public_bytes(unb64(k.ed25519))
            signing[key_id(verify)] = verify
        return cls(agreement, signing, current or list(keys)[-1])


class UplinkClient:
    """Sends sealed escalations to the relay and opens its sealed replies. Thread-safe."""

    def __init__(self, *, relay_url: str, device_id: str, keys: DeviceKeys,
                 ssl_context: ssl.SSLContext, relay_keys: RelayKeys | None = None,
                 timeout_s: float = 30.0, window_s: float = 300.0) -> None:
        if not relay_url.startswith("https://"):
            raise TransportError("plaintext_refused", f"{relay_url} is not https")
        self.relay_url = relay_url.rstrip("/")
        self.device_id = device_id
        self._keys = keys
        self._relay_keys = relay_keys
        self._keys_pinned = relay_keys is not None  # from config: never replaced by a fetch
        self._window = window_s
        self._replay = MemoryReplayGuard(window_s)
        self._ssl = ssl_context
        self._http = httpx.Client(verify=ssl_context, timeout=timeout_s, trust_env=False)
        self.errors: Counter[str] = Counter()
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: UplinkConfig, device_id: str, keys: DeviceKeys) -> UplinkClient:
        """Build a client from the uplink config section (relay keys fetched later if unset)."""
        relay_keys = (RelayKeys.from_config(config.relay_keys, config.relay_key_id)
                      if config.relay_keys else None)
        return cls(relay_url=config.relay_url, device_id=device_id, keys=keys,
                   ssl_context=tls_context(config.ca_file, config.client_cert,
                                               config.tls_key_path()),
                   relay_keys=relay_keys, timeout_s=config.timeout_s, window_s=config.window_s)

    def _count(self, reason: str) -> None:
        with self._lock:
            self.errors[reason] += 1

    def _post(self, path: str, body: bytes | None) -> httpx.Response:
        url = self.relay_url + path
        try:
            if body is None:
                return self._http.get(url)
            return self._http.post(url, content=body, headers={"content-type": ENVELOPE_TYPE})
        except httpx.HTTPError as exc:
            # TLS 1.3 reports a refused client certificate on the first read, not at connect.
            if _caused_by_tls(exc) or (isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError)
                                       and self._tls_alert() is not None):
                reason = "tls_failed"
            elif isinstance(exc, httpx.ConnectError):
                reason = "unreachable"
            else:
                reason = "transport"
            self._count(reason)
            raise TransportError(reason, f"{type(exc).__name__}: {exc}") from exc

    def _tls_alert(self) -> str | None:
        """Probe one raw TLS connection; return why the relay refused the session, if it did.

        With TLS 1.3 a server refusing the client certificate does so after the
        client's side of the handshake is done, and asyncio servers close
        without flushing the alert: httpx reports a bare disconnect. A healthy
        relay answers ``/healthz``; an alert, or a close with no byte, means
        the session itself was refused.
        """
        url = httpx.URL(self.relay_url)
        try:
            with socket.create_connection((url.host, url.port or 443), timeout=5) as raw, \
                    self._ssl.wrap_socket(raw, server_hostname=url.host) as tls:
                tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n")
                first = tls.recv(1)
        except ssl.SSLError as exc:
            reason = str(exc.reason)
        except OSError:
            return None
        else:
            if first:
                return None
            reason = "closed right after the handshake (client certificate refused?)"
        log.warning("the relay refused the TLS session: %s", reason)
        return reason

    def fetch_relay_keys(self) -> RelayKeys:
        """Fetch the relay's public keys over the pinned mTLS channel and use them."""
        resp = self._post(KEYS_PATH, None)
        self._raise_for(resp)
        doc = resp.json()
        keys = {kid: RelayKey.model_validate(v) for kid, v in doc["keys"].items()}
        self._relay_keys = RelayKeys.from_config(keys, doc.get("current"))
        return self._relay_keys

    def _raise_for(self, resp: httpx.Response) -> None:
        if resp.status_code == 200:
            return
        try:
            doc = resp.json()
            reason, final, detail = str(doc["error"]), bool(doc.get("final")), str(
                doc.get("detail", ""))
        except (json.JSONDecodeError, KeyError, TypeError):
            reason, final, detail = f"http_{resp.status_code}", False, resp.text[:200]
        self._count(reason)
        raise RelayRejectedError(reason, resp.status_code, final, detail)

    def escalate(self, message_id: str, payload: bytes) -> bytes:
        """Seal ``payload``, send it, and return the opened reply's plaintext.

        Raises :class:`TransportError` (unreachable, TLS), :class:`RelayRejectedError`
        (the relay refused, ``final`` says whether a retry can help) or
        :class:`EnvelopeError` (the reply did not verify).
        """
        relay = self._relay_keys or self.fetch_relay_keys()
        try:
            resp = self._send_sealed(message_id, payload, relay)
        except RelayRejectedError as exc:
            # The relay no longer holds the key these sets name (a relay redeployed with
            # new keys): fetch its keys once over the pinned channel and seal again.
            if exc.reason != "unknown_key" or self._keys_pinned:
                raise
            log.warning("the relay does not know key %s; fetching its keys again", relay.current)
            relay = self.fetch_relay_keys()
            resp = self._send_sealed(message_id, payload, relay)
        try:
            opened = open_envelope(resp.content, recipient_keys=self._keys.agreement_keys(),
                                   sender_key=lambda h: relay.signing.get(h.sender_key_id),
                                   replay=self._replay, expect="reply", window_s=self._window)
        except EnvelopeError as exc:
            self._count(f"reply_{exc.reason}")
            raise
        if opened.header.message_id != message_id or opened.header.device_id != self.device_id:
            self._count("reply_mismatch")
            raise EnvelopeError("mismatch", "reply is for another message")
        return opened.plaintext

    def _send_sealed(self, message_id: str, payload: bytes, relay: RelayKeys) -> httpx.Response:
        envelope = seal(payload, kind="request", device_id=self.device_id, message_id=message_id,
                        signing_key=self._keys.signing,
                        recipient=relay.agreement[relay.current],
                        reply_public=self._keys.agreement.public_key())
        resp = self._post(ESCALATE_PATH, envelope)
        self._raise_for(resp)
        return resp

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()
