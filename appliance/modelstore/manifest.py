"""The model manifest: what models exist, where they come from, and their expected hashes.

The manifest is TOML (``models/manifest.toml``); its signature covers the
file's exact bytes, so any edit (even whitespace) needs a re-sign with
``appliance models sign``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from appliance.errors import ModelError
from appliance.modelstore.signing import verify_manifest_bytes

MANIFEST_VERSION = 1


class PypiSource(BaseModel):
    """A model shipped as PyPI chunk packages; ``module`` exposes ``chunk_paths()``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["pypi"] = "pypi"
    package: str
    module: str
    version: str = ""


class PathSource(BaseModel):
    """A model file in the repository or on disk; relative paths are from the manifest's folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["path"] = "path"
    path: Path


class ModelEntry(BaseModel):
    """One model listed in the manifest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
    kind: Literal["gguf", "onnx"]
    file: str = Field(description="file name inside the model store (pypi) or of the path")
    source: PypiSource | PathSource = Field(discriminator="type")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    license: str = ""
    quantization: str = ""
    tasks: list[str] = Field(default_factory=list)
    description: str = ""

    @field_validator("file")
    @classmethod
    def _plain_file_name(cls, v: str) -> str:
        if not v or "/" in v or "\\" in v or v in {".", ".."}:
            raise ValueError("must be a plain file name without folders")
        return v


class Manifest(BaseModel):
    """The parsed manifest plus where it was read from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = MANIFEST_VERSION
    models: list[ModelEntry] = Field(default_factory=list)

    @field_validator("models")
    @classmethod
    def _unique_names(cls, v: list[ModelEntry]) -> list[ModelEntry]:
        names = [m.name for m in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate model names: {', '.join(dupes)}")
        return v

    def get(self, name: str) -> ModelEntry:
        """Return the entry called ``name``; raise :class:`ModelError` listing the known names."""
        for entry in self.models:
            if entry.name == name:
                return entry
        known = ", ".join(m.name for m in self.models) or "none"
        raise ModelError(f"model {name!r} is not in the manifest (listed: {known})")


def parse_manifest(data: bytes, source: str = "manifest") -> Manifest:
    """Parse manifest bytes (no signature check); raise :class:`ModelError` on bad content."""
    try:
        tree = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ModelError(f"{source}: not valid TOML: {exc}") from exc
    try:
        manifest = Manifest.model_validate(tree)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ModelError(f"{source}: invalid manifest: {problems}") from exc
    if manifest.schema_version != MANIFEST_VERSION:
        raise ModelError(
            f"{source}: manifest schema_version {manifest.schema_version} is not supported "
            f"(expected {MANIFEST_VERSION})"
        )
    return manifest


def default_signature_path(manifest_path: Path) -> Path:
    """Return where the signature of ``manifest_path`` lives (``manifest.sig`` beside it)."""
    return manifest_path.with_suffix(".sig")


def load_manifest(
    path: Path, trusted_keys: list[Path], signature_path: Path | None = None
) -> tuple[Manifest, str]:
    """Read, verify and parse the manifest.

    Returns the manifest and the id of the trusted key that signed it. Raises
    :class:`ModelError` when the file or signature is missing, the signature does
    not verify with any trusted key, or the content is invalid.
    """
    sig_path = signature_path or default_signature_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read model manifest {path}: {exc.strerror or exc}") from exc
    try:
        signature = sig_path.read_bytes()
    except OSError as exc:
        raise ModelError(
            f"manifest signature {sig_path} is missing or unreadable ({exc.strerror or exc}); "
            "an unsigned manifest is refused (sign it with `appliance models sign`)"
        ) from exc
    key_id = verify_manifest_bytes(data, signature, trusted_keys, source=str(path))
    return parse_manifest(data, str(path)), key_id
