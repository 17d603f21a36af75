"""Sealed envelopes: what travels inside TLS, so a TLS-inspecting proxy sees nothing.

Sealing: a fresh ephemeral X25519 key agrees a secret with the recipient's
X25519 key; HKDF-SHA256 (salt = both public keys, info names the version and
kind) turns it into an AES-256-GCM key. The header — version, kind, device id,
message id, sender and recipient key ids, timestamp, ephemeral key, nonce and
(for requests) the device's reply key — is the GCM associated data, and the
sender signs ``magic || header || ciphertext`` with Ed25519.

Wire format (bytes)::

    b"AEV1" | u16 header length | header (canonical JSON) | u32 ciphertext length
            | ciphertext with GCM tag | Ed25519 signature (64)

Opening checks, in order, each with its own :class:`EnvelopeError` reason:
``malformed``, ``expired`` / ``from_future`` (time window), ``unknown_key``
(recipient key id not held), ``unknown_sender``, ``tampered`` (GCM fails),
``bad_signature``, ``replayed`` (envelope id seen before, remembered by a
:class:`ReplayGuard`). The envelope id is the ephemeral public key, fresh per
envelope, while the message id stays the same across retries of one item:
retries are new envelopes, replays are the same bytes again.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from appliance.errors import UplinkError
from appliance.uplink.keys import key_id, raw_public

MAGIC = b"AEV1"
VERSION = 1
SIGNATURE_LEN = 64
DEFAULT_WINDOW_S = 300.0
Kind = Literal["request", "reply"]
_HLEN = struct.Struct(">H")
_CLEN = struct.Struct(">I")


class EnvelopeError(UplinkError):
    """An envelope was refused; ``reason`` is a stable code counted by the receiver."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True)
class Header:
    """The authenticated, unencrypted part of an envelope."""

    kind: Kind
    device_id: str
    message_id: str
    sender_key_id: str
    recipient_key_id: str
    timestamp: float
    ephemeral_public: bytes
    nonce: bytes
    reply_public: bytes | None = None

    @property
    def envelope_id(self) -> str:
        """Unique per envelope (the ephemeral key): what replay protection remembers."""
        return self.ephemeral_public.hex()

    def encode(self) -> bytes:
        """Return the canonical JSON bytes (the GCM associated data)."""
        doc: dict[str, object] = {
            "v": VERSION, "kind": self.kind, "dev": self.device_id, "msg": self.message_id,
            "skid": self.sender_key_id, "rkid": self.recipient_key_id,
            "ts": round(self.timestamp * 1000), "epk": b64(self.ephemeral_public),
            "n": b64(self.nonce),
        }
        if self.reply_public is not None:
            doc["rpk"] = b64(self.reply_public)
        return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def decode(cls, raw: bytes) -> Header:
        """Parse header bytes; raise :class:`EnvelopeError` ``malformed``."""
        try:
            doc = json.loads(raw)
            if doc["v"] != VERSION or doc["kind"] not in ("request", "reply"):
                raise EnvelopeError("malformed", f"version {doc['v']} kind {doc['kind']}")
            rpk = doc.get("rpk")
            header = cls(kind=doc["kind"], device_id=str(doc["dev"]), message_id=str(doc["msg"]),
                         sender_key_id=str(doc["skid"]), recipient_key_id=str(doc["rkid"]),
                         timestamp=int(doc["ts"]) / 1000.0,
                         ephemeral_public=unb64(doc["epk"]), nonce=unb64(doc["n"]),
                         reply_public=unb64(rpk) if rpk is not None else None)
        except (ValueError, KeyError, TypeError) as exc:
            raise EnvelopeError("malformed", f"header: {exc}") from exc
        if len(header.ephemeral_public) != 32 or len(header.nonce) != 12:
            raise EnvelopeError("malformed", "bad key or nonce length")
        if header.reply_public is not None and len(header.reply_public) != 32:
            raise EnvelopeError("malformed", "bad reply key length")
        return header


@dataclass(frozen=True)
class Opened:
    """A verified, decrypted envelope."""

    header: Header
    plaintext: bytes


def b64(data: bytes) -> str:
    """Return unpadded base64url text."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    """Decode unpadded base64url text."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(shared: bytes, epk: bytes, recipient: bytes, kind: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + recipient,
                info=b"appliance/envelope/v1/" + kind.encode()).derive(shared)


def seal(plaintext: bytes, *, kind: Kind, device_id: str, message_id: str,
         signing_key: ed25519.Ed25519PrivateKey, recipient: x25519.X25519PublicKey,
         reply_public: x25519.X25519PublicKey | None = None, now: float | None = None) -> bytes:
    """Return the sealed, signed envelope bytes for ``plaintext``.

    Requests carry ``reply_public`` (the device's agreement key) so the answer
    can be sealed back to it; replies keep the request's message id.
    """
    eph = x25519.X25519PrivateKey.generate()
    epk = raw_public(eph.public_key())
    rpub = raw_public(recipient)
    header = Header(kind=kind, device_id=device_id, message_id=message_id,
                    sender_key_id=key_id(signing_key.public_key()),
                    recipient_key_id=key_id(recipient),
                    timestamp=time.time() if now is None else now, ephemeral_public=epk,
                    nonce=os.urandom(12),
                    reply_public=raw_public(reply_public) if reply_public is not None else None)
    hbytes = header.encode()
    key = _derive(eph.exchange(recipient), epk, rpub, kind)
    ct = AESGCM(key).encrypt(header.nonce, plaintext, hbytes)
    body = MAGIC + _HLEN.pack(len(hbytes)) + hbytes + _CLEN.pack(len(ct)) + ct
    return body + signing_key.sign(body)


def parse(data: bytes) -> tuple[Header, bytes, bytes, bytes, bytes]:
    """Split envelope bytes into ``(header, header_bytes, signed_body, ciphertext, signature)``.

    Nothing is verified; raises :class:`EnvelopeError` ``malformed`` on bad framing.
    """
    if len(data) < len(MAGIC) + 2 + 4 + SIGNATURE_LEN or not data.startswith(MAGIC):
        raise EnvelopeError("malformed", "not an envelope")
    pos = len(MAGIC)
    (hlen,) = _HLEN.unpack_from(data, pos)
    pos += 2
    hbytes = data[pos:pos + hlen]
    pos += hlen
    if len(data) < pos + 4 + SIGNATURE_LEN:
        raise EnvelopeError("malformed", "truncated")
    (clen,) = _CLEN.unpack_from(data, pos)
    pos += 4
    if len(data) != pos + clen + SIGNATURE_LEN:
        raise EnvelopeError("malformed", "length mismatch")
    ct = data[pos:pos + clen]
    return Header.decode(hbytes), hbytes, data[:pos + clen], ct, data[pos + clen:]


def peek(data: bytes) -> Header:
    """Return the header without verifying anything (to look up keys); raise ``malformed``."""
    return parse(data)[0]


class ReplayGuard(Protocol):
    """Remembers envelope ids inside the time window."""

    def remember(self, envelope_id: str, timestamp: float) -> bool:
        """Record the id; return False if it was already seen."""
        ...


def open_envelope(data: bytes, *, recipient_keys: Mapping[str, x25519.X25519PrivateKey],
                  sender_key: Callable[[Header], ed25519.Ed25519PublicKey | None],
                  replay: ReplayGuard | None, expect: Kind = "request",
                  window_s: float = DEFAULT_WINDOW_S, now: float | None = None) -> Opened:
    """Verify and decrypt an envelope; return the header and plaintext.

    ``sender_key`` returns the Ed25519 key expected for the header's device and
    sender key id (None: unknown sender). Raises :class:`EnvelopeError`.
    """
    header, hbytes, body, ct, sig = parse(data)
    if header.kind != expect:
        raise EnvelopeError("malformed", f"expected a {expect}, got a {header.kind}")
    clock = time.time() if now is None else now
    if header.timestamp < clock - window_s:
        raise EnvelopeError("expired", f"sealed {clock - header.timestamp:.0f}s ago")
    if header.timestamp > clock + window_s:
        raise EnvelopeError("from_future", f"sealed {header.timestamp - clock:.0f}s ahead")
    priv = recipient_keys.get(header.recipient_key_id)
    if priv is None:
        raise EnvelopeError("unknown_key", f"recipient key {header.recipient_key_id}")
    verify = sender_key(header)
    if verify is None:
        raise EnvelopeError("unknown_sender", f"{header.device_id} key {header.sender_key_id}")
    try:
        eph = x25519.X25519PublicKey.from_public_bytes(header.ephemeral_public)
        key = _derive(priv.exchange(eph), header.ephemeral_public,
                      raw_public(priv.public_key()), header.kind)
        plaintext = AESGCM(key).decrypt(header.nonce, ct, hbytes)
    except (InvalidTag, ValueError) as exc:
        raise EnvelopeError("tampered", "ciphertext or header does not authenticate") from exc
    try:
        verify.verify(sig, body)
    except InvalidSignature as exc:
        raise EnvelopeError("bad_signature", f"not signed by {header.sender_key_id}") from exc
    if replay is not None and not replay.remember(header.envelope_id, header.timestamp):
        raise EnvelopeError("replayed", f"envelope of message {header.message_id} seen before")
    return Opened(header, plaintext)


class MemoryReplayGuard:
    """Replay memory in RAM (the device, for replies); forgets ids older than the window."""

    def __init__(self, window_s: float = DEFAULT_WINDOW_S, max_entries: int = 100_000) -> None:
        self._window = window_s
        self._max = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, envelope_id: str, timestamp: float) -> bool:
        """Record the id; return False if seen. Old ids fall out after ``2 * window``."""
        cutoff = time.time() - 2 * self._window
        with self._lock:
            if envelope_id in self._seen:
                return False
            self._seen[envelope_id] = timestamp
            while self._seen and (len(self._seen) > self._max
                                  or next(iter(self._seen.values())) < cutoff):
                self._seen.popitem(last=False)
            return True


class SqliteReplayGuard:
    """Replay memory on disk (the relay), so a restart does not reopen the window."""

    def __init__(self, path: Path, window_s: float = DEFAULT_WINDOW_S) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._window = window_s
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, ts REAL NOT NULL)")
        self._lock = threading.Lock()
        self._inserts = 0

    def remember(self, envelope_id: str, timestamp: float) -> bool:
        """Record the id; return False if it was already seen."""
        with self._lock:
            cur = self._db.execute("INSERT OR IGNORE INTO seen (id, ts) VALUES (?, ?)",
                                   (envelope_id, timestamp))
            self._inserts += 1
            if self._inserts % 1000 == 0:
                self._db.execute("DELETE FROM seen WHERE ts < ?",
                                 (time.time() - 2 * self._window,))
            return cur.rowcount == 1

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
