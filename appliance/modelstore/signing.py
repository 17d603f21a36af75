"""Ed25519 signatures over the manifest's exact bytes.

The signature file is JSON: ``{"algorithm": "ed25519", "key_id": ..., "signature": base64}``.
``key_id`` is the first 16 hex digits of the sha256 of the raw public key; it
names the key in messages but verification always tries every trusted key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from appliance.errors import ModelError

log = logging.getLogger(__name__)

# The repository's development key (models/keys/dev-signing-key.*): fine for a
# lab, never for a fleet. Its id is logged as a warning whenever it verifies.
DEV_KEY_ID = "c6387415d87b24f1"


def key_id(public_key: Ed25519PublicKey) -> str:
    """Return the short id (16 hex digits) of a public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Load an Ed25519 public key (PEM); raise :class:`ModelError` if it is not one."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load trusted public key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ModelError(f"trusted key {path} is not an Ed25519 public key")
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Load an unencrypted Ed25519 private key (PEM); raise :class:`ModelError` otherwise."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ModelError(f"cannot load signing key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ModelError(f"signing key {path} is not an Ed25519 private key")
    return key


def generate_key_pair(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair (private file mode 0600); return the key id."""
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    private_path.write_bytes(pem)
    private_path.chmod(0o600)
    public = key.public_key()
    public_path.write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return key_id(public)


def sign_manifest_bytes(data: bytes, private_key: Ed25519PrivateKey) -> bytes:
    """Return the signature file content for manifest ``data``."""
    doc = {
        "algorithm": "ed25519",
        "key_id": key_id(private_key.public_key()),
        "signature": base64.b64encode(private_key.sign(data)).decode("ascii"),
    }
    return (json.dumps(doc, indent=2) + "\n").encode("utf-8")


def verify_manifest_bytes(
    data: bytes, signature_doc: bytes, trusted_keys: list[Path], source: str = "manifest"
) -> str:
    """Check ``signature_doc`` over ``data`` against the trusted keys; return the signer's key id.

    Raises :class:`ModelError` when no key is trusted, the signature file is
    malformed, or no trusted key verifies the signature.
    """
    if not trusted_keys:
        raise ModelError("no trusted public keys are configured (slm.trusted_keys)")
    try:
        doc = json.loads(signature_doc)
        if doc.get("algorithm") != "ed25519":
            raise ValueError(f"unsupported algorithm {doc.get('algorithm')!r}")
        signature = base64.b64decode(doc["signature"], validate=True)
        claimed = str(doc.get("key_id", "?"))
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"signature of {source} is malformed: {exc}") from exc
    tried = []
    for path in trusted_keys:
        public = load_public_key(path)
        tried.append(key_id(public))
        try:
            public.verify(signature, data)
        except InvalidSignature:
            continue
        kid = key_id(public)
        if kid == DEV_KEY_ID:
            log.warning(
                "model manifest %s is signed with the repository DEVELOPMENT key %s; "
                "production fleets must sign with their own key",
                source, kid,
            )
        return kid
    raise ModelError(
        f"signature of {source} does not verify (signed by key {claimed}; trusted keys: "
        f"{', '.join(tried)}): the manifest was modified or signed by an untrusted key"
    )
