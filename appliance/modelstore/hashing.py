"""Streaming sha256 of model files, with an optional progress callback."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from appliance.errors import ModelError
from appliance.modelstore.manifest import ModelEntry

BLOCK = 1024 * 1024
Progress = Callable[[int], None]


def sha256_file(path: Path, progress: Progress | None = None) -> str:
    """Return the hex sha256 of ``path``; ``progress`` is called with each block's byte count.

    Raises :class:`ModelError` if the file cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while block := fh.read(BLOCK):
                digest.update(block)
                if progress is not None:
                    progress(len(block))
    except OSError as exc:
        raise ModelError(f"cannot read model file {path}: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def mismatch_message(path: Path, expected: str, actual: str) -> str:
    """Return the refusal message naming the file and both hashes."""
    return (
        f"model file {path} does not match the manifest: expected sha256 {expected}, "
        f"got {actual}; refusing to load it (re-assemble with `appliance models assemble`, "
        "or rebuild the model and re-sign the manifest)"
    )


def verify_file(entry: ModelEntry, path: Path, progress: Progress | None = None) -> None:
    """Check that ``path`` has the entry's size and sha256.

    Raises :class:`ModelError` naming the file and both hashes on a mismatch, or
    saying the file is missing.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ModelError(f"model file {path} for {entry.name!r} does not exist") from exc
    if size != entry.size:
        # Still hash it: the message promises both hashes, and a wrong size is
        # the common shape of a truncated copy.
        actual = sha256_file(path, progress)
        raise ModelError(
            mismatch_message(path, entry.sha256, actual)
            + f" (size {size} bytes, manifest says {entry.size})"
        )
    actual = sha256_file(path, progress)
    if actual != entry.sha256:
        raise ModelError(mismatch_message(path, entry.sha256, actual))
