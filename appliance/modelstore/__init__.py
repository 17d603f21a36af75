"""Verified model files: a signed manifest, sha256 checks, and assembly into the model store.

Every model the appliance loads is listed in ``models/manifest.toml`` with its
sha256 and size; the manifest itself is signed with Ed25519. Nothing is loaded
unless both the signature and the file hash match.
"""

from appliance.modelstore.manifest import Manifest, ModelEntry, load_manifest, parse_manifest
from appliance.modelstore.store import ModelState, ModelStore

__all__ = ["Manifest", "ModelEntry", "ModelState", "ModelStore", "load_manifest", "parse_manifest"]
