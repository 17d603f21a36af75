"""Device-side state: a refused config leaves the old file; model slots verify and switch back."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.errors import ConfigError, ModelError
from appliance.fleet.device_state import ConfigApplier, ModelSlots
from appliance.fleet.signing import public_b64, sign


def test_invalid_config_is_refused_with_key_paths_and_the_file_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "appliance.toml"
    applier = ConfigApplier(out, None, tmp_path / "overrides.json")
    applier.apply({"device_id": "dev-a", "logging": {"level": "INFO"}}, "v1")
    before = out.read_bytes()
    with pytest.raises(ConfigError) as err:
        applier.apply({"device_id": "bad id!", "pipeline": {"workerz": 2}}, "v2")
    keys = {k for k, _ in err.value.problems}
    assert {"device_id", "pipeline.workerz"} <= keys
    assert out.read_bytes() == before


def test_local_override_survives_a_new_desired_config(tmp_path: Path) -> None:
    out = tmp_path / "appliance.toml"
    applier = ConfigApplier(out, None, tmp_path / "overrides.json")
    applier.set_override(["logging", "level"], "DEBUG")
    applier.apply({"logging": {"level": "ERROR", "json_format": True}}, "v3")
    assert 'level = "DEBUG"' in out.read_text() and "json_format = true" in out.read_text()


def _entry(key: Ed25519PrivateKey, data: bytes, version: str) -> tuple[dict[str, object], str]:
    manifest = {"name": "m", "version": version, "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data)}
    return manifest, sign(key, manifest)


def test_slots_verify_hash_and_signature_and_switch_back(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    signers = [public_b64(key)]
    slots = ModelSlots(tmp_path / "models")
    m1, s1 = _entry(key, b"one", "1")
    slots.activate(slots.install(m1, s1, b"one", signers, 1))
    m2, s2 = _entry(key, b"two", "2")
    with pytest.raises(ModelError, match="does not match"):
        slots.install(m2, s2, b"tw0", signers, 2)
    with pytest.raises(ModelError, match="signature"):
        slots.install(m2, s2, b"two", [public_b64(Ed25519PrivateKey.generate())], 2)
    forged = dict(m2, version="3")
    with pytest.raises(ModelError, match="signature"):
        slots.install(forged, s2, b"two", signers, 2)
    assert slots.version() == "m@1"
    slots.activate(slots.install(m2, s2, b"two", signers, 2))
    assert slots.version() == "m@2"
    assert slots.switch_back() is True
    assert slots.version() == "m@1"
    active = slots.active()
    assert active is not None and Path(active["path"]).read_bytes() == b"one"


def test_a_streamed_model_is_installed_in_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc
    from collections.abc import Iterator

    key = Ed25519PrivateKey.generate()
    block = bytes(range(256)) * 4096  # 1 MiB
    count = 64
    digest = hashlib.sha256()
    for _ in range(count):
        digest.update(block)
    manifest = {"name": "big", "version": "1", "sha256": digest.hexdigest(),
                "size": len(block) * count}

    def chunks() -> Iterator[bytes]:
        for _ in range(count):
            yield block

    slots = ModelSlots(tmp_path / "models")
    tracemalloc.start()
    try:
        slot = slots.install(manifest, sign(key, manifest), chunks(), [public_b64(key)], 7)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak  # 64 MiB went through; a few chunks at most were held
    path = tmp_path / "models" / slot / "model.bin"
    assert path.stat().st_size == len(block) * count


@pytest.mark.parametrize(("blocks", "message"), [
    ([b"abc", b"def"], "does not match"),  # same length, other bytes
    ([b"abc", b"defg"], "longer than"),  # refused as soon as it overruns
    ([b"abc"], "does not match"),  # cut short
])
def test_a_bad_stream_leaves_no_file_behind(tmp_path: Path, blocks: list[bytes],
                                            message: str) -> None:
    key = Ed25519PrivateKey.generate()
    manifest, signature = _entry(key, b"abcdeF", "1")
    slots = ModelSlots(tmp_path / "models")
    with pytest.raises(ModelError, match=message):
        slots.install(manifest, signature, iter(blocks), [public_b64(key)], 1)
    assert slots.active() is None
    assert not [p for p in (tmp_path / "models").rglob("*") if p.is_file()]
