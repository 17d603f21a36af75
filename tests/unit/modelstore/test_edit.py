"""Re-hashing one manifest entry in place keeps everything else byte for byte."""

from __future__ import annotations

import pytest

from appliance.errors import ModelError
from appliance.modelstore.edit import update_entry_text
from appliance.modelstore.manifest import parse_manifest

TEXT = """# comment kept
schema_version = 1

[[models]]
name = "a"
kind = "onnx"
file = "a.onnx"
source = {{ type = "path", path = "a.onnx" }}
sha256 = "{}"
size = 10

[[models]]
name = "b"
kind = "onnx"
file = "b.onnx"
source = {{ type = "path", path = "b.onnx" }}
sha256 = "{}"
size = 20
""".format("1" * 64, "2" * 64)


def test_only_the_named_entry_changes() -> None:
    new = update_entry_text(TEXT, "b", "f" * 64, 99)
    manifest = parse_manifest(new.encode())
    assert manifest.get("b").sha256 == "f" * 64 and manifest.get("b").size == 99
    assert manifest.get("a").sha256 == "1" * 64 and manifest.get("a").size == 10
    assert new.startswith("# comment kept\n")
    assert new.replace("f" * 64, "2" * 64).replace("size = 99", "size = 20") == TEXT


def test_unknown_entry_or_bad_hash_is_refused() -> None:
    with pytest.raises(ModelError, match="not in the manifest"):
        update_entry_text(TEXT, "c", "f" * 64, 1)
    with pytest.raises(ModelError, match="64 lowercase hex"):
        update_entry_text(TEXT, "a", "XYZ", 1)
