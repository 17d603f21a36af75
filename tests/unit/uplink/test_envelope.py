"""Sealed envelopes: round trips, and every kind of forgery refused with its own reason."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.uplink.envelope import (
    SIGNATURE_LEN,
    EnvelopeError,
    Header,
    MemoryReplayGuard,
    open_envelope,
    parse,
    seal,
)
from appliance.uplink.keys import key_id

DEVICE = ed25519.Ed25519PrivateKey.generate()
REPLY = x25519.X25519PrivateKey.generate()
RELAY = x25519.X25519PrivateKey.generate()
RELAY_KEYS = {key_id(RELAY.public_key()): RELAY}


def sender(h: Header) -> ed25519.Ed25519PublicKey | None:
    return DEVICE.public_key() if h.sender_key_id == key_id(DEVICE.public_key()) else None


def make(plaintext: bytes = b'{"q": 1}', **kw: object) -> bytes:
    args: dict[str, object] = {"kind": "request", "device_id": "edge-1", "message_id": "m-1",
                               "signing_key": DEVICE, "recipient": RELAY.public_key(),
                               "reply_public": REPLY.public_key()}
    args.update(kw)
    return seal(plaintext, **args)  # type: ignore[arg-type]


def opened(data: bytes, **kw: object) -> bytes:
    args: dict[str, object] = {"recipient_keys": RELAY_KEYS, "sender_key": sender,
                               "replay": MemoryReplayGuard()}
    args.update(kw)
    return open_envelope(data, **args).plaintext  # type: ignore[arg-type]


def reason(data: bytes, **kw: object) -> str:
    with pytest.raises(EnvelopeError) as info:
        opened(data, **kw)
    return info.value.reason


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=4096), st.text(min_size=1, max_size=40))
def test_seal_then_open_returns_the_plaintext_and_header(plaintext: bytes, mid: str) -> None:
    env = make(plaintext, message_id=mid)
    got = open_envelope(env, recipient_keys=RELAY_KEYS, sender_key=sender, replay=None)
    assert got.plaintext == plaintext
    assert got.header.message_id == mid
    assert got.header.device_id == "edge-1"
    assert got.header.reply_public is not None


def test_plaintext_does_not_appear_in_the_envelope() -> None:
    secret = b"line 7 pressure 9.9 bar, valve V-12 sticking"
    assert secret not in make(secret)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_flipped_bit_is_refused(data: st.DataObject) -> None:
    env = bytearray(make(b"payload" * 20))
    i = data.draw(st.integers(0, len(env) - 1))
    env[i] ^= 1 << data.draw(st.integers(0, 7))
    assert reason(bytes(env)) in {"malformed", "tampered", "bad_signature", "unknown_key",
                                  "unknown_sender", "expired", "from_future"}


def test_tampered_ciphertext_is_refused_as_tampered() -> None:
    env = bytearray(make(b"x" * 100))
    env[-SIGNATURE_LEN - 5] ^= 0x80
    assert reason(bytes(env)) == "tampered"


def test_header_change_breaks_the_associated_data() -> None:
    env = make()
    _, hbytes, *_ = parse(env)
    forged = hbytes.replace(b'"msg":"m-1"', b'"msg":"m-2"')
    assert reason(env.replace(hbytes, forged)) == "tampered"


def test_signature_by_another_key_is_refused() -> None:
    env = make()
    body = env[:-SIGNATURE_LEN]
    assert reason(body + ed25519.Ed25519PrivateKey.generate().sign(body)) == "bad_signature"


def test_unknown_sender_key_is_refused() -> None:
    assert reason(make(signing_key=ed25519.Ed25519PrivateKey.generate())) == "unknown_sender"


def test_replayed_envelope_is_refused_but_a_resealed_retry_opens() -> None:
    guard = MemoryReplayGuard()
    env = make()
    assert opened(env, replay=guard)
    assert reason(env, replay=guard) == "replayed"
    assert opened(make(), replay=guard)  # same message id, new envelope: a retry


def test_timestamps_outside_the_window_are_refused() -> None:
    assert reason(make(now=time.time() - 301), window_s=300) == "expired"
    assert reason(make(now=time.time() + 301), window_s=300) == "from_future"


def test_envelope_to_a_retired_key_still_opens_while_it_is_held() -> None:
    new = x25519.X25519PrivateKey.generate()
    ring = {**RELAY_KEYS, key_id(new.public_key()): new}
    assert opened(make(b"old"), recipient_keys=ring) == b"old"
    assert opened(make(b"new", recipient=new.public_key()), recipient_keys=ring) == b"new"
    assert reason(make(recipient=new.public_key())) == "unknown_key"


def test_reply_is_refused_where_a_request_is_expected() -> None:
    assert reason(make(kind="reply")) == "malformed"


JUNK = [b"", b"AEV1", b"hello world" * 10, b"AEV1\x00\x05{}{}x" + b"0" * 80]


@pytest.mark.parametrize("junk", JUNK)
def test_garbage_is_malformed(junk: bytes) -> None:
    assert reason(junk) == "malformed"
