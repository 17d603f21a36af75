"""Every forged or misdelivered escalation is refused with its own reason, and counted.

Each test sends to the real relay process over real TLS and checks both sides:
the error the device sees and ``appliance_relay_rejections_total{reason=...}``.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from appliance.uplink.client import (
    ENVELOPE_TYPE,
    ESCALATE_PATH,
    RelayKeys,
    TransportError,
    UplinkClient,
    tls_context,
)
from appliance.uplink.envelope import SIGNATURE_LEN, seal
from appliance.uplink.settings import RelayKey
from tests.fixtures.provider import ProviderProcess, RelayProcess, escalation, make_client
from tests.fixtures.tls import DeviceIdentity, SessionPki

REJECTIONS = "appliance_relay_rejections_total"


def relay_keys(relay: RelayProcess) -> RelayKeys:
    doc = relay.get("/v1/relay/keys").json()
    return RelayKeys.from_config({k: RelayKey.model_validate(v) for k, v in doc["keys"].items()},
                                 doc["current"])


def sealed(relay: RelayProcess, device: DeviceIdentity, message_id: str,
           now: float | None = None, device_id: str | None = None) -> bytes:
    keys = relay_keys(relay)
    return seal(escalation(), kind="request", device_id=device_id or device.device_id,
                message_id=message_id, signing_key=device.keys.signing,
                recipient=keys.agreement[keys.current],
                reply_public=device.keys.agreement.public_key(), now=now)


def post(relay: RelayProcess, device: DeviceIdentity, body: bytes) -> httpx.Response:
    with httpx.Client(verify=relay.client_context(device), timeout=10) as c:
        return c.post(relay.url + ESCALATE_PATH, content=body,
                      headers={"content-type": ENVELOPE_TYPE})


def refused_with(relay: RelayProcess, reason: str, before: float) -> None:
    assert relay.metric(REJECTIONS, reason=reason) == before + 1


def test_tampered_ciphertext_is_refused(relay: RelayProcess, pki: SessionPki) -> None:
    device = pki.device("edge-tamper")
    env = bytearray(sealed(relay, device, "m-tamper"))
    env[-SIGNATURE_LEN - 20] ^= 0x01  # a bit inside the ciphertext
    before = relay.metric(REJECTIONS, reason="tampered")
    resp = post(relay, device, bytes(env))
    assert resp.status_code == 400
    assert resp.json()["error"] == "tampered"
    refused_with(relay, "tampered", before)


def test_wrong_signature_is_refused(relay: RelayProcess, pki: SessionPki) -> None:
    device = pki.device("edge-badsig")
    env = sealed(relay, device, "m-badsig")
    body = env[:-SIGNATURE_LEN]
    forged = body + ed25519.Ed25519PrivateKey.generate().sign(body)
    before = relay.metric(REJECTIONS, reason="bad_signature")
    resp = post(relay, device, forged)
    assert resp.status_code == 401
    assert resp.json()["error"] == "bad_signature"
    refused_with(relay, "bad_signature", before)


def test_replayed_envelope_is_refused(relay: RelayProcess, pki: SessionPki,
                                      provider: ProviderProcess) -> None:
    device = pki.device("edge-replay")
    env = sealed(relay, device, "m-replay")
    assert post(relay, device, env).status_code == 200
    before = relay.metric(REJECTIONS, reason="replayed")
    resp = post(relay, device, env)
    assert resp.status_code == 400
    assert resp.json()["error"] == "replayed"
    refused_with(relay, "replayed", before)
    assert len(provider.requests("edge-replay")) == 1


def test_expired_timestamp_is_refused(relay: RelayProcess, pki: SessionPki) -> None:
    device = pki.device("edge-expired")
    env = sealed(relay, device, "m-old", now=time.time() - 3600)
    before = relay.metric(REJECTIONS, reason="expired")
    resp = post(relay, device, env)
    assert resp.status_code == 400
    assert resp.json()["error"] == "expired"
    refused_with(relay, "expired", before)


def test_envelope_for_another_device_than_the_certificate_is_refused(
        relay: RelayProcess, pki: SessionPki) -> None:
    device = pki.device("edge-honest")
    env = sealed(relay, device, "m-spoof", device_id="edge-someone-else")
    before = relay.metric(REJECTIONS, reason="device_mismatch")
    resp = post(relay, device, env)
    assert resp.status_code == 403
    assert resp.json()["error"] == "device_mismatch"
    refused_with(relay, "device_mismatch", before)


def test_revoked_device_certificate_is_refused_at_once(relay: RelayProcess, pki: SessionPki,
                                                       provider: ProviderProcess) -> None:
    device = pki.device("edge-revoked")
    client = make_client(relay, device)
    client.escalate("m-before", escalation())
    pki.revoke(device.certificate)
    before = relay.metric(REJECTIONS, reason="revoked")
    with pytest.raises(Exception) as info:
        client.escalate("m-after", escalation())
    assert getattr(info.value, "reason", None) == "revoked"
    refused_with(relay, "revoked", before)
    assert [r["key"] for r in provider.requests("edge-revoked")] == ["edge-revoked/m-before"]


def test_unknown_device_certificate_is_refused_in_the_handshake(
        relay: RelayProcess, pki: SessionPki, foreign_pki: SessionPki) -> None:
    stranger = foreign_pki.device("edge-stranger")
    ctx = tls_context(pki.ca_file, stranger.cert_file, stranger.keys_dir / "signing.key")
    client = UplinkClient(relay_url=relay.url, device_id=stranger.device_id, keys=stranger.keys,
                          ssl_context=ctx, timeout_s=5)
    before = relay.metric(REJECTIONS, reason="unknown_certificate")
    with pytest.raises(TransportError) as info:
        client.fetch_relay_keys()
    assert info.value.reason == "tls_failed"
    deadline = time.monotonic() + 5
    while relay.metric(REJECTIONS, reason="unknown_certificate") < before + 1:
        assert time.monotonic() < deadline, "the relay did not count the refused handshake"
        time.sleep(0.1)


def test_plaintext_http_is_refused_by_client_and_relay(relay: RelayProcess,
                                                        pki: SessionPki) -> None:
    device = pki.device("edge-plain")
    with pytest.raises(TransportError) as info:
        UplinkClient(relay_url=relay.url.replace("https://", "http://"), device_id="edge-plain",
                     keys=device.keys, ssl_context=relay.client_context(device))
    assert info.value.reason == "plaintext_refused"
    before = relay.metric(REJECTIONS, reason="plaintext_http")
    with pytest.raises(httpx.HTTPError):
        httpx.post(relay.url.replace("https://", "http://") + ESCALATE_PATH,
                   content=sealed(relay, device, "m-plain"), timeout=5)
    deadline = time.monotonic() + 5
    while relay.metric(REJECTIONS, reason="plaintext_http") < before + 1:
        assert time.monotonic() < deadline, "the relay did not count the plaintext request"
        time.sleep(0.1)


def test_tls_1_2_is_refused(relay: RelayProcess, pki: SessionPki) -> None:
    device = pki.device("edge-tls12")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_verify_locations(cafile=str(pki.ca_file))
    ctx.load_cert_chain(str(device.cert_file), str(device.keys_dir / "signing.key"))
    before = relay.metric(REJECTIONS, reason="tls_version")
    with pytest.raises(httpx.ConnectError):
        httpx.get(relay.url + "/healthz", verify=ctx, timeout=5)
    deadline = time.monotonic() + 5
    while relay.metric(REJECTIONS, reason="tls_version") < before + 1:
        assert time.monotonic() < deadline, "the relay did not count the TLS 1.2 attempt"
        time.sleep(0.1)


def test_without_a_client_certificate_the_relay_routes_refuse(
        relay_factory: Callable[..., RelayProcess], pki: SessionPki,
        provider: ProviderProcess) -> None:
    # the fleet's enrollment needs the port open to clients without a certificate
    own = relay_factory([provider], client_certificate="optional")
    own.start()
    device = pki.device("edge-nocert")
    env = sealed(own, device, "m-nocert")
    anonymous = ssl.create_default_context(cafile=str(pki.ca_file))
    with httpx.Client(verify=anonymous, timeout=10) as c:
        assert c.get(own.url + "/healthz").status_code == 200
        resp = c.post(own.url + ESCALATE_PATH, content=env,
                      headers={"content-type": ENVELOPE_TYPE})
        keys = c.get(own.url + "/v1/relay/keys")
    assert (resp.status_code, resp.json()["error"]) == (401, "no_client_certificate")
    assert keys.status_code == 401
    assert own.metric(REJECTIONS, reason="no_client_certificate") == 2
    assert provider.requests("edge-nocert") == []
    assert post(own, device, env).status_code == 200  # with its certificate it goes through
