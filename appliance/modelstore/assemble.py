"""Assemble a model shipped as PyPI chunk packages into the model store.

The package's module exposes ``chunk_paths()`` and ``EXPECTED_SHA256``; the
chunks are concatenated into a temporary file while hashing, checked against
both the package's published hash and the manifest, and only then renamed
into place, so a crash never leaves a half-written model under the final name.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from appliance.errors import ModelError
from appliance.modelstore.hashing import BLOCK, mismatch_message
from appliance.modelstore.manifest import ModelEntry, PypiSource

log = logging.getLogger(__name__)

# Called once with the total byte count, then with each block's size.
StartProgress = Callable[[int], Callable[[int], None]]


def chunk_files(source: PypiSource) -> tuple[list[Path], str]:
    """Return the chunk paths and the published sha256 of a PyPI-packaged model.

    Raises :class:`ModelError` when the package is not installed or a chunk is missing.
    """
    try:
        module = importlib.import_module(source.module)
    except ImportError as exc:
        raise ModelError(
            f"model package {source.package} is not installed (import {source.module} failed: "
            f"{exc}); install it with `pip install {source.package}`"
        ) from exc
    try:
        paths = [Path(p) for p in module.chunk_paths()]
        published = str(module.EXPECTED_SHA256).lower()
    except (AttributeError, ImportError) as exc:
        raise ModelError(f"model package {source.package} has no chunk_paths(): {exc}") from exc
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ModelError(f"model package {source.package} is missing chunks: {', '.join(missing)}")
    return paths, published


def assemble(entry: ModelEntry, target: Path, start_progress: StartProgress | None = None) -> Path:
    """Concatenate the entry's chunks into ``target`` and verify them; return ``target``.

    Raises :class:`ModelError` when the package's published hash disagrees with
    the manifest, or the assembled bytes match neither.
    """
    if not isinstance(entry.source, PypiSource):
        raise ModelError(f"model {entry.name!r} is not a PyPI chunk package; nothing to assemble")
    paths, published = chunk_files(entry.source)
    if published != entry.sha256:
        raise ModelError(
            f"package {entry.source.package} publishes sha256 {published} but the manifest "
            f"expects {entry.sha256} for {entry.name!r}; refusing to assemble"
        )
    total = sum(p.stat().st_size for p in paths)
    advance = start_progress(total) if start_progress else None
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for chunk in paths:
                with chunk.open("rb") as fh:
                    while block := fh.read(BLOCK):
                        out.write(block)
                        digest.update(block)
                        if advance is not None:
                            advance(len(block))
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ModelError(f"cannot write {partial}: {exc.strerror or exc}") from exc
    actual = digest.hexdigest()
    if actual != entry.sha256:
        partial.unlink(missing_ok=True)
        raise ModelError(mismatch_message(partial, entry.sha256, actual))
    os.replace(partial, target)
    log.info("assembled %s (%d bytes, sha256 %s) into %s", entry.name, total, actual, target)
    return target
