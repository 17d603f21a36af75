"""The real Gemma model file and the repository's signed manifest: tampering is refused."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.errors import ModelError
from appliance.modelstore import ModelStore
from appliance.slm.loader import open_engine
from tests.fixtures.model import DEFAULT_MODEL, DEV_PUBLIC_KEY, MANIFEST, REPO, slm_test_config

EXPECTED = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"


def appliance(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from appliance.cli import main; main()", *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=REPO, timeout=240,
    )


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPLIANCE_")}
    env.update({"APPLIANCE_STATE_DIR": str(tmp_path / "state"), "COLUMNS": "200", **extra})
    return env


@pytest.fixture
def tampered_model(gemma_model_path: Path, tmp_path: Path) -> tuple[Path, str]:
    """A copy of the real model with one byte flipped in the middle of the weights."""
    copy = tmp_path / "store" / gemma_model_path.name
    copy.parent.mkdir()
    shutil.copyfile(gemma_model_path, copy)
    with copy.open("r+b") as fh:
        fh.seek(copy.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0x01]))
    digest = hashlib.sha256(copy.read_bytes()).hexdigest()
    return copy, digest


def test_assembled_model_matches_the_published_hash(gemma_model_path: Path) -> None:
    assert hashlib.sha256(gemma_model_path.read_bytes()).hexdigest() == EXPECTED


def test_tampered_model_file_is_refused_before_loading(
    tampered_model: tuple[Path, str], tmp_path: Path
) -> None:
    copy, bad = tampered_model
    store = ModelStore(MANIFEST, [DEV_PUBLIC_KEY], copy.parent)
    with pytest.raises(ModelError) as info:
        store.verified_path(DEFAULT_MODEL)
    assert str(copy) in str(info.value)
    assert EXPECTED in str(info.value) and bad in str(info.value)
    config = slm_test_config(store_dir=copy.parent)
    with pytest.raises(ModelError, match=bad):
        open_engine(config, tmp_path)


def test_tampered_manifest_is_refused(gemma_model_path: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.toml"
    text = MANIFEST.read_text().replace("size = 253113024", "size = 253113025")
    manifest.write_text(text)
    shutil.copyfile(MANIFEST.with_suffix(".sig"), manifest.with_suffix(".sig"))
    store = ModelStore(manifest, [DEV_PUBLIC_KEY], gemma_model_path.parent)
    with pytest.raises(ModelError, match="does not verify"):
        store.verified_path(DEFAULT_MODEL)
    config = slm_test_config(manifest=manifest, model_path=gemma_model_path)
    with pytest.raises(ModelError, match="does not verify"):
        open_engine(config, tmp_path)


def test_models_verify_cli_reports_a_tampered_file_and_exits_nonzero(
    tampered_model: tuple[Path, str], tmp_path: Path
) -> None:
    copy, bad = tampered_model
    env = cli_env(tmp_path, APPLIANCE_SLM__STORE_DIR=str(copy.parent))
    run = appliance("models", "verify", DEFAULT_MODEL, env=env)
    assert run.returncode == 1, run.stderr
    assert "signature OK" in run.stderr
    assert bad in run.stderr.replace("\n", "")


def test_models_assemble_then_verify_cli(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    built = appliance("models", "assemble", env=env)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "state" / "models" / f"{DEFAULT_MODEL}.gguf").is_file()
    checked = appliance("models", "verify", DEFAULT_MODEL, env=env)
    assert checked.returncode == 0, checked.stderr
    assert f"OK      {DEFAULT_MODEL}" in checked.stderr
