"""Relay pieces without the network: rate limits, the idempotency record, TLS error codes."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from appliance.cloud.keyring import RelayKeyring
from appliance.cloud.relay import RateLimiter
from appliance.cloud.store import RelayStore
from appliance.cloud.tls import classify_handshake_error
from appliance.uplink.envelope import open_envelope, seal
from appliance.uplink.keys import key_id


def test_rate_limiter_allows_a_burst_then_the_sustained_rate() -> None:
    limiter = RateLimiter(per_minute=60, burst=3)
    assert [limiter.allow("d", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("other", now=0.0)
    assert not limiter.allow("d", now=0.5)
    assert limiter.allow("d", now=1.01)


def test_store_answers_a_repeat_from_the_record(tmp_path: Path) -> None:
    store = RelayStore(tmp_path / "relay.db", lease_s=10)
    assert store.begin("d", "m").state == "new"
    assert store.begin("d", "m").state == "busy"
    store.finish("d", "m", b"reply")
    again = store.begin("d", "m")
    assert (again.state, again.reply) == ("done", b"reply")
    assert store.begin("other-device", "m").state == "new"


def test_request_in_flight_at_a_crash_is_orphaned_after_its_lease(tmp_path: Path) -> None:
    first = RelayStore(tmp_path / "relay.db", lease_s=0.0)
    assert first.begin("d", "m").state == "new"
    first.close()
    restarted = RelayStore(tmp_path / "relay.db", lease_s=0.0)
    assert restarted.begin("d", "m").state == "orphaned"
    assert restarted.begin("d", "m").state == "busy"  # now claimed by this process


def test_released_claim_can_be_tried_again(tmp_path: Path) -> None:
    store = RelayStore(tmp_path / "relay.db", lease_s=10)
    store.begin("d", "m")
    store.release("d", "m")
    assert store.begin("d", "m").state == "new"


def test_finishing_a_request_books_its_tokens_in_the_same_commit(tmp_path: Path) -> None:
    store = RelayStore(tmp_path / "relay.db", lease_s=10)
    store.begin("d", "m")
    before = store.tokens_used()
    store.finish("d", "m", b"reply", tokens=42)
    assert store.tokens_used() == before + 42


def test_token_budget_adds_up_per_day(tmp_path: Path) -> None:
    store = RelayStore(tmp_path / "relay.db", lease_s=10)
    store.add_tokens(100, day="2026-01-01")
    assert store.add_tokens(50, day="2026-01-01") == 150
    assert store.tokens_used("2026-01-02") == 0


def _ssl_error(reason: str, cls: type[ssl.SSLError] = ssl.SSLError) -> ssl.SSLError:
    exc = cls(1, reason)
    exc.reason = reason
    return exc


def test_handshake_failures_get_stable_codes() -> None:
    assert classify_handshake_error(_ssl_error("HTTP_REQUEST")) == "plaintext_http"
    assert classify_handshake_error(
        _ssl_error("PEER_DID_NOT_RETURN_A_CERTIFICATE")) == "no_client_certificate"
    assert classify_handshake_error(
        _ssl_error("CERTIFICATE_VERIFY_FAILED", ssl.SSLCertVerificationError)
    ) == "unknown_certificate"
    assert classify_handshake_error(_ssl_error("UNSUPPORTED_PROTOCOL")) == "tls_version"


def test_relay_key_rotation_keeps_old_envelopes_opening(tmp_path: Path) -> None:
    path = tmp_path / "relay-keys.json"
    ring = RelayKeyring.load_or_create(path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    old = ring.current
    device = ed25519.Ed25519PrivateKey.generate()
    in_flight = seal(b"sealed before the rotation", kind="request", device_id="d",
                     message_id="m", signing_key=device,
                     recipient=old.agreement.public_key())
    new = ring.rotate()
    reloaded = RelayKeyring.load_or_create(path)
    assert reloaded.public_document()["current"] == new.key_id
    assert set(reloaded.agreement_keys()) == {old.key_id, new.key_id}
    got = open_envelope(in_flight, recipient_keys=reloaded.agreement_keys(),
                        sender_key=lambda h: device.public_key(), replay=None)
    assert got.plaintext == b"sealed before the rotation"
    assert key_id(reloaded.signer_for(old.key_id).public_key()) == key_id(
        old.signing.public_key())
