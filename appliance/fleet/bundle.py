"""Air-gapped bundles: a signed tar of desired config, models and CA material.

``manifest.json`` lists every other member with its SHA-256; ``manifest.sig`` is the
fleet's Ed25519 signature over the exact manifest bytes. Opening a bundle checks the
signature first, then every member's hash, and refuses unknown or unsafe members.
Model blobs are hashed and later installed in chunks, straight from the bundle file,
so a bundle of several gigabytes never has to fit in the device's memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tarfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.errors import ApplianceError
from appliance.fleet.signing import SignatureError, sign_bytes, verify_bytes

log = logging.getLogger(__name__)

FORMAT = 1
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
READ_CHUNK = 1024 * 1024


class BundleError(ApplianceError):
    """A bundle is malformed, tampered with, or signed by an untrusted key."""


@dataclass
class Bundle:
    """A verified bundle: the manifest, and where its model blobs lie in the bundle file."""

    manifest: dict[str, Any]
    path: Path
    members: dict[str, str] = field(default_factory=dict)  # sha256 -> member name

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """Stream one model blob from the bundle file.

        The blob was hashed when the bundle was opened; whoever installs it hashes
        the stream again against the signed model manifest, so a file swapped in
        between is still caught.
        """
        name = self.members.get(sha256)
        if name is None:
            raise BundleError(f"the bundle carries no blob {sha256[:12]}…")
        with tarfile.open(self.path, "r:*") as tar:
            fh = tar.extractfile(name)
            if fh is None:
                raise BundleError(f"{name} is not a file")
            while block := fh.read(READ_CHUNK):
                yield block

    def read(self, sha256: str) -> bytes:
        """Return one blob whole (for small blobs; installers use :meth:`chunks`)."""
        return b"".join(self.chunks(sha256))


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    tar.addfile(info, io.BytesIO(data))


@dataclass(frozen=True)
class ChunkedBlob:
    """A model blob given as its size and a function yielding its bytes a chunk at a time."""

    size: int
    chunks: Callable[[], Iterator[bytes]]


class _ChunkReader(io.RawIOBase):
    """A readable file over an iterator of chunks (tarfile copies from it piece by piece)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._buf = b""
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while self._pos >= len(self._buf):
            nxt = next(self._chunks, None)
            if nxt is None:
                return 0
            self._buf, self._pos = nxt, 0
        n = min(len(b), len(self._buf) - self._pos)
        b[:n] = self._buf[self._pos:self._pos + n]
        self._pos += n
        return n


def _add_chunked(tar: tarfile.TarFile, name: str, blob: ChunkedBlob) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = blob.size, 0o644, 0
    chunks = blob.chunks()
    tar.addfile(info, _ChunkReader(chunks))
    # Run the source to its end, so that its closing checks (the whole hash) run too.
    if next(chunks, None) is not None:
        raise BundleError(f"{name}: the source is longer than its {blob.size} bytes")


def write_bundle(path: Path, key: Ed25519PrivateKey, content: dict[str, Any],
                 blobs: Mapping[str, Path | ChunkedBlob]) -> str:
    """Write a signed bundle to ``path``; return the manifest's SHA-256.

    ``content`` holds ``config``, ``models``, ``trust`` and ``crl_pem``; ``blobs`` maps
    each model's sha256 to a file or a :class:`ChunkedBlob` (streamed, never whole in
    memory). Errors of a chunk source (a corrupt stored blob) propagate.
    """
    files = {f"models/{sha}": sha for sha in blobs}
    manifest = {"format": FORMAT, **content, "files": files}
    raw = json.dumps(manifest, sort_keys=True, indent=1).encode()
    with tarfile.open(path, "w") as tar:
        _add(tar, "manifest.json", raw)
        _add(tar, "manifest.sig", sign_bytes(key, raw).encode())
        for sha, blob in blobs.items():
            if isinstance(blob, ChunkedBlob):
                _add_chunked(tar, f"models/{sha}", blob)
            else:
                tar.add(str(blob), arcname=f"models/{sha}")
    return hashlib.sha256(raw).hexdigest()


def open_bundle(path: Path, trusted_keys: list[str]) -> Bundle:
    """Verify and read a bundle; raise :class:`BundleError` naming what is wrong."""
    try:
        with tarfile.open(path, "r:*") as tar:
            manifest, members = _read_verified(tar, trusted_keys)
            return Bundle(manifest=manifest, path=path, members=members)
    except (OSError, tarfile.TarError, json.JSONDecodeError) as exc:
        raise BundleError(f"not a readable bundle: {exc}") from exc


def _read_verified(tar: tarfile.TarFile,
                   trusted_keys: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    members = {m.name: m for m in tar.getmembers()}
    for name, member in members.items():
        if not member.isfile() or name.startswith("/") or ".." in name.split("/"):
            raise BundleError(f"unsafe member {name!r}")

    def read(name: str, limit: int | None = None) -> bytes:
        member = members.get(name)
        if member is None:
            raise BundleError(f"missing {name}")
        if limit is not None and member.size > limit:
            raise BundleError(f"{name} too large")
        fh = tar.extractfile(member)
        assert fh is not None
        return fh.read()

    raw = read("manifest.json", MAX_MANIFEST_BYTES)
    try:
        verify_bytes(trusted_keys, raw, read("manifest.sig", 1024).decode())
    except (SignatureError, UnicodeDecodeError) as exc:
        raise BundleError(f"manifest signature invalid: {exc}") from exc
    manifest = json.loads(raw)
    if manifest.get("format") != FORMAT:
        raise BundleError(f"unsupported bundle format {manifest.get('format')!r}")
    files: dict[str, str] = manifest.get("files", {})
    extra = set(members) - set(files) - {"manifest.json", "manifest.sig"}
    if extra:
        raise BundleError(f"members not in the signed manifest: {sorted(extra)}")
    blobs: dict[str, str] = {}
    for name, sha in files.items():
        info = members.get(name)
        fh = tar.extractfile(info) if info is not None else None
        if fh is None:
            raise BundleError(f"missing {name}")
        digest = hashlib.sha256()
        while block := fh.read(READ_CHUNK):
            digest.update(block)
        if digest.hexdigest() != sha:
            raise BundleError(f"{name} does not match its signed hash")
        blobs[sha] = name
    return manifest, blobs

