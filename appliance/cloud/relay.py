"""The relay: terminates the uplink, asks a provider, seals the answer back.

For each ``POST /v1/relay/escalate`` (body: a sealed envelope) it checks, in
order, each failure refused with its own reason code and counted in
``appliance_relay_rejections_total{reason}``:

1. the TLS client certificate (required by the TLS layer; ``revoked`` by the CRL or,
   with the fleet served alongside, by the fleet database that every replica shares),
2. the envelope: device id equals the certificate's common name, signed by the
   certificate's own Ed25519 key, time window, not replayed, decrypts,
3. the per-device rate limit and the fleet's daily token budget,
4. the privacy check again (defence in depth: regulated data is refused and alerted),
5. the message id: a repeat gets the stored answer, never a second provider call
   (a repeat of one still with the provider waits briefly for its answer, then is
   answered 409 ``in_progress`` and the device retries),

then forwards to the first provider that answers and seals the reply to the
device's reply key. Provider API keys stay in this process's config.

With the fleet served alongside, the keys, the replay record and the idempotency
record live in the fleet database, so replicas behind a load balancer act as one
relay: an envelope opened by one is a replay at every other, and a message id
answered by one is answered from that record by all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, Counter, Histogram
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from appliance.cloud.keyring import RelayKeyring
from appliance.cloud.providers import ProviderChain, ProvidersFailedError
from appliance.cloud.settings import CloudConfig
from appliance.cloud.store import Begin, RelayStateError, RequestRecord
from appliance.errors import ApplianceError
from appliance.uplink.envelope import (
    EnvelopeError,
    Opened,
    ReplayGuard,
    open_envelope,
    peek,
    seal,
)
from appliance.uplink.envelope import Header as EnvelopeHeader
from appliance.uplink.keys import key_id
from appliance.uplink.messages import EscalationReply, EscalationRequest
from appliance.uplink.pki import PkiError, common_name

log = logging.getLogger(__name__)

ENVELOPE_TYPE = "application/vnd.appliance.envelope"
#: Returns the regulated data classes found in a text (empty: clean).
PrivacyCheck = Callable[[str], list[str]]
MAX_MESSAGE_ID = 255  # characters; the shared record's column is this wide
KEY_RELOAD_S = 1.0  # an unknown recipient key reloads the key sets at most this often
KEYS_MAX_AGE_S = 0.0  # GET /keys reloads the sets: every replica shows what is stored
IN_PROGRESS_POLL_S = 0.1


class RevocationCheck(Protocol):
    """Anything that says whether a certificate serial is revoked (a CRL, the fleet database)."""

    def is_revoked(self, serial: int) -> bool:
        """Return True if the certificate with ``serial`` is revoked; may raise if unsure."""
        ...


class RevokedByAny:
    """Revoked if any of the checks says so (the relay's CRL file and the fleet database)."""

    def __init__(self, *checks: RevocationCheck) -> None:
        self.checks = checks

    def is_revoked(self, serial: int) -> bool:
        """Return True if any check reports ``serial`` revoked."""
        return any(check.is_revoked(serial) for check in self.checks)


class RelayRefusedError(Exception):
    """A request refused with a stable ``reason``; ``final``: a retry cannot succeed."""

    def __init__(self, reason: str, status: int, final: bool = False, detail: str = "") -> None:
        self.reason = reason
        self.status = status
        self.final = final
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


class RelayMetrics:
    """The relay's Prometheus metrics, on a registry of its own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.rejections = Counter("appliance_relay_rejections_total",
                                  "Requests refused, by reason (TLS handshakes included)",
                                  ["reason"], registry=r)
        self.escalations = Counter("appliance_relay_escalations_total",
                                   "Escalations answered, by how", ["outcome"], registry=r)
        self.provider_calls = Counter("appliance_relay_provider_calls_total",
                                      "Provider attempts", ["provider", "outcome"], registry=r)
        self.provider_latency = Histogram("appliance_relay_provider_seconds",
                                          "Provider call time", ["provider"], registry=r)
        self.tokens = Counter("appliance_relay_tokens_total", "Provider tokens spent", registry=r)
        self.privacy_alerts = Counter("appliance_relay_privacy_alerts_total",
                                      "Escalations refused for regulated data", ["data_class"],
                                      registry=r)

    def refused(self, reason: str) -> None:
        """Count one refusal."""
        self.rejections.labels(reason=reason).inc()

    def provider_attempt(self, provider: str, outcome: str, seconds: float) -> None:
        """Count one provider attempt and its duration."""
        self.provider_calls.labels(provider=provider, outcome=outcome).inc()
        self.provider_latency.labels(provider=provider).observe(seconds)


class RateLimiter:
    """A token bucket per device: ``burst`` at once, ``per_minute`` sustained."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, device: str, now: float | None = None) -> bool:
        """Take one token for ``device``; return False if its bucket is empty."""
        t = time.monotonic() if now is None else now
        with self._lock:
            level, last = self._buckets.get(device, (self._burst, t))
            level = min(self._burst, level + (t - last) * self._rate)
            if level < 1.0:
                self._buckets[device] = (level, t)
                return False
            self._buckets[device] = (level - 1.0, t)
            return True


@dataclass(frozen=True)
class Peer:
    """The authenticated TLS peer."""

    device_id: str
    serial: int
    signing_key: ed25519.Ed25519PublicKey | None


def peer_from_scope(scope: dict[str, Any]) -> Peer:
    """Return the TLS client identity from the ASGI scope; raise :class:`RelayRefusedError`."""
    chain = scope.get("extensions", {}).get("tls", {}).get("client_cert_chain") or []
    if not chain:
        raise RelayRefusedError("no_client_certificate", 401)
    try:
        cert = x509.load_pem_x509_certificate(chain[0].encode())
        device = common_name(cert)
    except (ValueError, PkiError) as exc:
        raise RelayRefusedError("unknown_certificate", 401, detail=str(exc)) from exc
    key = cert.public_key()
    return Peer(device, cert.serial_number, key if isinstance(key, ed25519.Ed25519PublicKey)
                else None)


class Relay:
    """The relay's logic, independent of the web framework (the router below is thin)."""

    def __init__(self, config: CloudConfig, metrics: RelayMetrics, *, keyring: RelayKeyring,
                 store: RequestRecord, replay: ReplayGuard, revocation: RevocationCheck | None,
                 providers: ProviderChain, privacy_check: PrivacyCheck | None) -> None:
        self.config = config.relay
        self.metrics = metrics
        self.keyring = keyring
        self.store = store
        self.replay = replay
        self.revocation = revocation
        self.providers = providers
        self.privacy_check = privacy_check
        self.limiter = RateLimiter(self.config.rate_per_minute, self.config.rate_burst)

    def check_revocation(self, peer: Peer) -> None:
        """Raise :class:`RelayRefusedError` if the peer's certificate is revoked.

        A revocation source that cannot answer (the fleet database down) refuses the
        request too: the relay does not guess.
        """
        if self.revocation is None:
            return
        try:
            revoked = self.revocation.is_revoked(peer.serial)
        except Exception as exc:
            log.error("revocation of certificate %x cannot be checked: %s", peer.serial, exc)
            raise RelayRefusedError("revocation_unavailable", 503) from exc
        if revoked:
            raise RelayRefusedError("revoked", 403, detail=f"certificate {peer.serial:x}")

    def refresh_keys(self, older_than_s: float) -> bool:
        """Reload the key sets (another replica may have added one); True if they changed.

        A store that cannot answer keeps the sets held (logged).
        """
        try:
            return self.keyring.refresh(older_than_s)
        except ApplianceError as exc:
            log.warning("relay keys not reloaded: %s", exc)
            return False

    def _authenticate(self, peer: Peer, body: bytes) -> tuple[EnvelopeHeader, bytes]:
        self.check_revocation(peer)
        if len(body) > self.config.max_envelope_bytes:
            raise RelayRefusedError("too_large", 413, final=True)
        try:
            header = peek(body)
            if header.device_id != peer.device_id:
                raise RelayRefusedError(
                    "device_mismatch", 403,
                    detail=f"envelope {header.device_id} on cert {peer.device_id}")

            if len(header.message_id) > MAX_MESSAGE_ID:
                raise RelayRefusedError("malformed", 400, final=True,
                                        detail=f"message id over {MAX_MESSAGE_ID} characters")

            def sender(h: EnvelopeHeader) -> ed25519.Ed25519PublicKey | None:
                key = peer.signing_key
                return key if key is not None and key_id(key) == h.sender_key_id else None

            def attempt() -> Opened:
                return open_envelope(body, recipient_keys=self.keyring.agreement_keys(),
                                     sender_key=sender, replay=self.replay,
                                     window_s=self.config.window_s)

            try:
                opened = attempt()
            except EnvelopeError as exc:
                # Sealed to a key another replica added since these sets were loaded?
                if exc.reason != "unknown_key" or not self.refresh_keys(KEY_RELOAD_S):
                    raise
                opened = attempt()
        except EnvelopeError as exc:
            raise RelayRefusedError(exc.reason, 401 if exc.reason == "bad_signature" else 400,
                                    detail=exc.detail) from exc
        if opened.header.reply_public is None:
            raise RelayRefusedError("malformed", 400, final=True, detail="no reply key")
        return opened.header, opened.plaintext

    def _check_privacy(self, header: EnvelopeHeader, request: EscalationRequest) -> None:
        if not self.config.privacy_check or self.privacy_check is None:
            return
        text = "\n".join(m.content for m in request.messages)
        try:
            found = self.privacy_check(text)
        except Exception as exc:  # fail closed: a broken detector blocks
            log.exception("privacy check failed; refusing %s/%s", header.device_id,
                          header.message_id)
            raise RelayRefusedError("privacy_check_failed", 503) from exc
        if found:
            for cls in sorted(set(found)):
                self.metrics.privacy_alerts.labels(data_class=cls).inc()
            log.warning("ALERT: regulated data (%s) in escalation %s from %s refused",
                        ", ".join(sorted(set(found))), header.message_id, header.device_id)
            raise RelayRefusedError("privacy_blocked", 422, final=True,
                                    detail=",".join(sorted(set(found))))

    def _seal_reply(self, header: EnvelopeHeader, reply: bytes) -> bytes:
        assert header.reply_public is not None
        return seal(reply, kind="reply", device_id=header.device_id, message_id=header.message_id,
                    signing_key=self.keyring.signer_for(header.recipient_key_id),
                    recipient=x25519.X25519PublicKey.from_public_bytes(header.reply_public))

    async def handle(self, peer: Peer, body: bytes) -> bytes:
        """Process one sealed escalation; return the sealed reply.

        Raises :class:`RelayRefusedError` with the reason code (``state_unavailable``,
        503, when the shared database cannot record the request: the device retries).
        """
        try:
            return await self._handle(peer, body)
        except RelayStateError as exc:
            log.error("relay state unavailable: %s", exc)
            raise RelayRefusedError("state_unavailable", 503) from exc

    async def _begin(self, dev: str, mid: str) -> Begin:
        """Claim the message id; while another call has it, wait a little for its reply."""
        begin = await run_in_threadpool(self.store.begin, dev, mid)
        deadline = time.monotonic() + self.config.in_progress_wait_s
        while begin.state == "busy" and time.monotonic() < deadline:
            await asyncio.sleep(IN_PROGRESS_POLL_S)
            begin = await run_in_threadpool(self.store.begin, dev, mid)
        return begin

    async def _handle(self, peer: Peer, body: bytes) -> bytes:
        header, plaintext = await run_in_threadpool(self._authenticate, peer, body)
        try:
            request = EscalationRequest.model_validate_json(plaintext)
        except ValidationError as exc:
            raise RelayRefusedError("bad_request", 422, final=True,
                                    detail=str(exc.errors()[0]["loc"])) from exc
        await run_in_threadpool(self._check_privacy, header, request)
        dev, mid = header.device_id, header.message_id
        begin = await self._begin(dev, mid)
        if begin.state == "done":
            assert begin.reply is not None
            self.metrics.escalations.labels(outcome="repeat").inc()
            return self._seal_reply(header, begin.reply)
        if begin.state == "busy":
            raise RelayRefusedError("in_progress", 409)
        resend = begin.state == "orphaned" and all(p.supports_idempotency
                                                   for p in self.config.providers)
        if begin.state == "orphaned" and not resend:
            log.warning("escalation %s/%s was in flight when the relay stopped: answered "
                        "outcome_unknown, not sent again", dev, mid)
            reply = EscalationReply(status="outcome_unknown").model_dump_json().encode()
            reply = await run_in_threadpool(self.store.finish, dev, mid, reply)
            self.metrics.escalations.labels(outcome="outcome_unknown").inc()
            return self._seal_reply(header, reply)
        if not self.limiter.allow(dev):
            await run_in_threadpool(self.store.release, dev, mid)
            raise RelayRefusedError("rate_limited", 429)
        budget = self.config.token_budget_per_day
        if budget and await run_in_threadpool(self.store.tokens_used) >= budget:
            await run_in_threadpool(self.store.release, dev, mid)
            raise RelayRefusedError("budget_exhausted", 429)
        try:
            done = await self.providers.complete(request, idempotency_key=f"{dev}/{mid}")
        except ProvidersFailedError as exc:
            await run_in_threadpool(self.store.release, dev, mid)
            raise RelayRefusedError("providers_failed", 502, detail=str(exc)) from exc
        self.metrics.tokens.inc(done.usage.total_tokens)
        reply = EscalationReply(status="ok", content=done.content, provider=done.provider,
                                model=done.model, usage=done.usage).model_dump_json().encode()
        reply = await run_in_threadpool(self.store.finish, dev, mid, reply,
                                        done.usage.total_tokens)
        self.metrics.escalations.labels(outcome="answered").inc()
        return self._seal_reply(header, reply)


def _refusal_response(exc: RelayRefusedError) -> JSONResponse:
    return JSONResponse({"error": exc.reason, "final": exc.final, "detail": exc.detail},
                        status_code=exc.status)


def build_relay_router(relay: Relay) -> APIRouter:
    """Return the relay's routes (``/v1/relay/...``) bound to ``relay``."""
    router = APIRouter(prefix="/v1/relay", tags=["relay"])

    @router.post("/escalate", response_class=Response,
                 responses={200: {"content": {ENVELOPE_TYPE: {}}}})
    async def escalate(request: Request,
                       content_type: Annotated[str | None, Header()] = None) -> Response:
        """Take one sealed escalation; answer with the sealed reply."""
        try:
            peer = peer_from_scope(dict(request.scope))
            if content_type != ENVELOPE_TYPE:
                raise RelayRefusedError("malformed", 415, final=True, detail="wrong content type")
            sealed = await relay.handle(peer, await request.body())
        except RelayRefusedError as exc:
            relay.metrics.refused(exc.reason)
            log.info("refused %s: %s", exc.reason, exc.detail)
            return _refusal_response(exc)
        return Response(sealed, media_type=ENVELOPE_TYPE)

    @router.get("/keys")
    async def keys(request: Request) -> Response:
        """The relay's public keys (over the mTLS channel: devices pin the CA)."""
        try:
            peer = peer_from_scope(dict(request.scope))
            await run_in_threadpool(relay.check_revocation, peer)
        except RelayRefusedError as exc:
            relay.metrics.refused(exc.reason)
            return _refusal_response(exc)
        await run_in_threadpool(relay.refresh_keys, KEYS_MAX_AGE_S)
        return Response(json.dumps(relay.keyring.public_document()),
                        media_type="application/json")

    return router
