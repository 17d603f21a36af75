"""Signed bundles: what was signed opens; any change, extra member or wrong key is refused."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.fleet.bundle import BundleError, open_bundle, write_bundle
from appliance.fleet.signing import public_b64

MODEL = b"model bytes " * 64


@pytest.fixture
def signed(tmp_path: Path) -> tuple[Path, str]:
    key = Ed25519PrivateKey.generate()
    blob = tmp_path / "blob"
    blob.write_bytes(MODEL)
    sha = hashlib.sha256(MODEL).hexdigest()
    path = tmp_path / "dev.bundle"
    write_bundle(path, key, {"device_id": "dev-a", "config": {"version": "v", "config": {}},
                             "models": [], "trust": {}, "crl_pem": ""}, {sha: blob})
    return path, public_b64(key)


def _rewrite(src: Path, dst: Path, change: str) -> None:
    with tarfile.open(src) as tin, tarfile.open(dst, "w") as tout:
        for m in tin.getmembers():
            data = bytearray(tin.extractfile(m).read())  # type: ignore[union-attr]
            if m.name.startswith(change):
                data[-2] ^= 0x20
            info = tarfile.TarInfo(m.name)
            info.size = len(data)
            tout.addfile(info, io.BytesIO(bytes(data)))
        if change == "extra":
            info = tarfile.TarInfo("models/evil")
            info.size = 4
            tout.addfile(info, io.BytesIO(b"evil"))


def test_a_signed_bundle_opens_with_its_key(signed: tuple[Path, str]) -> None:
    path, pub = signed
    bundle = open_bundle(path, [pub])
    assert bundle.manifest["device_id"] == "dev-a"
    sha = hashlib.sha256(MODEL).hexdigest()
    assert list(bundle.members) == [sha] and bundle.read(sha) == MODEL


@pytest.mark.parametrize(("change", "message"), [
    ("models/", "does not match its signed hash"),
    ("manifest.json", "signature invalid"),
    ("manifest.sig", "signature invalid"),
    ("extra", "not in the signed manifest"),
])
def test_tampering_is_detected(signed: tuple[Path, str], tmp_path: Path, change: str,
                               message: str) -> None:
    path, pub = signed
    bad = tmp_path / "bad.bundle"
    _rewrite(path, bad, change)
    with pytest.raises(BundleError, match=message):
        open_bundle(bad, [pub])


def test_an_untrusted_key_or_a_non_bundle_is_refused(signed: tuple[Path, str],
                                                     tmp_path: Path) -> None:
    path, _ = signed
    with pytest.raises(BundleError, match="signature invalid"):
        open_bundle(path, [public_b64(Ed25519PrivateKey.generate())])
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a tar")
    with pytest.raises(BundleError, match="not a readable bundle"):
        open_bundle(junk, [public_b64(Ed25519PrivateKey.generate())])
