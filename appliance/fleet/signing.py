"""Ed25519 signatures over canonical JSON: commands, bundles and model manifests.

The fleet signs commands and bundles with its own key; model manifests are signed by
a model-signing key the operator holds. Devices pin the public keys at enrollment.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from appliance.errors import ApplianceError


class SignatureError(ApplianceError):
    """A signature is missing, malformed or does not verify with any trusted key."""


def canonical(doc: Any) -> bytes:
    """Return the canonical JSON bytes of ``doc`` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def public_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Return the raw 32-byte public key as base64."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def load_public(b64: str) -> Ed25519PublicKey:
    """Parse a base64 raw Ed25519 public key; raise :class:`SignatureError` if malformed."""
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(b64, validate=True))
    except ValueError as exc:
        raise SignatureError(f"malformed Ed25519 public key: {exc}") from exc


def sign(key: Ed25519PrivateKey, doc: Any) -> str:
    """Return the base64 Ed25519 signature of ``canonical(doc)``."""
    return base64.b64encode(key.sign(canonical(doc))).decode()


def sign_bytes(key: Ed25519PrivateKey, data: bytes) -> str:
    """Return the base64 Ed25519 signature of raw ``data``."""
    return base64.b64encode(key.sign(data)).decode()


def verify_bytes(trusted: list[str], data: bytes, signature_b64: str) -> str:
    """Return the trusted key (base64) that signed ``data``; raise :class:`SignatureError`."""
    try:
        sig = base64.b64decode(signature_b64, validate=True)
    except ValueError as exc:
        raise SignatureError("signature is not base64") from exc
    for pub_b64 in trusted:
        try:
            load_public(pub_b64).verify(sig, data)
        except InvalidSignature:
            continue
        return pub_b64
    raise SignatureError("signature does not verify with any trusted key")


def verify(trusted: list[str], doc: Any, signature_b64: str) -> str:
    """Return the trusted key that signed ``canonical(doc)``; raise :class:`SignatureError`."""
    return verify_bytes(trusted, canonical(doc), signature_b64)
