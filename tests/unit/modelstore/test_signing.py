"""Manifest signatures: Ed25519 over the exact bytes, checked against trusted keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.errors import ModelError
from appliance.modelstore.manifest import load_manifest
from appliance.modelstore.signing import (
    DEV_KEY_ID,
    generate_key_pair,
    key_id,
    load_private_key,
    load_public_key,
    sign_manifest_bytes,
    verify_manifest_bytes,
)

REPO = Path(__file__).resolve().parents[3]
DEV_PRIVATE = REPO / "models" / "keys" / "dev-signing-key.pem"
DEV_PUBLIC = REPO / "models" / "keys" / "dev-signing-key.pub.pem"


@pytest.fixture(scope="module")
def fleet_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("keys")
    private, public = folder / "fleet.pem", folder / "fleet.pub.pem"
    generate_key_pair(private, public)
    return private, public


def test_repository_manifest_verifies_with_the_development_key() -> None:
    manifest, signer = load_manifest(REPO / "models" / "manifest.toml", [DEV_PUBLIC])
    assert signer == DEV_KEY_ID
    assert any(m.kind == "gguf" for m in manifest.models)


def test_development_key_id_constant_matches_the_committed_key() -> None:
    assert key_id(load_public_key(DEV_PUBLIC)) == DEV_KEY_ID
    assert key_id(load_private_key(DEV_PRIVATE).public_key()) == DEV_KEY_ID


def test_generated_private_key_is_owner_only(fleet_key: tuple[Path, Path]) -> None:
    assert fleet_key[0].stat().st_mode & 0o777 == 0o600


def test_signature_from_untrusted_key_is_refused(fleet_key: tuple[Path, Path]) -> None:
    data = b"schema_version = 1\n"
    sig = sign_manifest_bytes(data, load_private_key(fleet_key[0]))
    with pytest.raises(ModelError, match="does not verify"):
        verify_manifest_bytes(data, sig, [DEV_PUBLIC])
    assert verify_manifest_bytes(data, sig, [DEV_PUBLIC, fleet_key[1]]) == key_id(
        load_public_key(fleet_key[1])
    )


def test_malformed_signature_file_is_refused() -> None:
    with pytest.raises(ModelError, match="malformed"):
        verify_manifest_bytes(b"x", b"not json", [DEV_PUBLIC])
    bad_alg = json.dumps({"algorithm": "rsa", "signature": "AAAA"}).encode()
    with pytest.raises(ModelError, match="unsupported algorithm"):
        verify_manifest_bytes(b"x", bad_alg, [DEV_PUBLIC])


def test_no_trusted_keys_is_refused() -> None:
    with pytest.raises(ModelError, match="no trusted public keys"):
        verify_manifest_bytes(b"x", b"{}", [])


def test_missing_signature_file_is_refused(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.toml"
    manifest.write_text("schema_version = 1\n")
    with pytest.raises(ModelError, match="unsigned manifest is refused"):
        load_manifest(manifest, [DEV_PUBLIC])


@settings(max_examples=40, deadline=None)
@given(data=st.binary(min_size=1, max_size=512), flip=st.integers(min_value=0))
def test_any_single_bit_flip_breaks_the_signature(data: bytes, flip: int) -> None:
    private = load_private_key(DEV_PRIVATE)
    sig = sign_manifest_bytes(data, private)
    assert verify_manifest_bytes(data, sig, [DEV_PUBLIC]) == DEV_KEY_ID
    pos = flip % (len(data) * 8)
    tampered = bytearray(data)
    tampered[pos // 8] ^= 1 << (pos % 8)
    with pytest.raises(ModelError):
        verify_manifest_bytes(bytes(tampered), sig, [DEV_PUBLIC])
