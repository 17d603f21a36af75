"""Device-side state the agent keeps: atomic files, the applied config, two model slots.

Every file the agent replaces is written to a temporary file in the same directory,
fsynced, renamed over the old one and the directory fsynced: after a power cut the
device has either the old or the new version, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from appliance.config import merge_trees as deep_merge
from appliance.config import validate_tree
from appliance.errors import ConfigError, ModelError
from appliance.fleet.signing import SignatureError, verify
from appliance.fleet.toml_writer import dumps

log = logging.getLogger(__name__)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically and durably (temp + fsync + rename)."""
    _replace_durably(path, lambda fh: fh.write(data), mode)


def _replace_durably(path: Path, write: Callable[[BinaryIO], object], mode: int) -> None:
    """Write a temporary file with ``write``, fsync it, rename it over ``path``, fsync the dir.

    Whatever ``write`` raises leaves ``path`` as it was and no temporary file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_json(path: Path, default: Any) -> Any:
    """Return the JSON in ``path``, or ``default`` if the file does not exist."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


def write_json(path: Path, doc: Any, mode: int = 0o644) -> None:
    """Atomically write ``doc`` as JSON to ``path``."""
    atomic_write(path, json.dumps(doc, indent=1, sort_keys=True).encode(), mode)


class ConfigApplier:
    """Render base ⊕ desired ⊕ local overrides, validate it, and swap the config file."""

    def __init__(self, config_path: Path, base_path: Path | None, overrides_path: Path) -> None:
        self.config_path = config_path
        self.base_path = base_path
        self.overrides_path = overrides_path

    def _base(self) -> dict[str, Any]:
        if self.base_path is None:
            return {}
        try:
            return tomllib.loads(self.base_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError([("<file>", f"base config unreadable: {exc}")],
                              str(self.base_path)) from exc

    def render(self, desired: Mapping[str, Any]) -> dict[str, Any]:
        """Return the full tree the device would run with ``desired``."""
        overrides = read_json(self.overrides_path, {})
        return deep_merge(deep_merge(self._base(), desired), overrides)

    def apply(self, desired: Mapping[str, Any], version: str) -> None:
        """Validate and install ``desired``; raise :class:`ConfigError` and keep the old file."""
        tree = self.render(desired)
        validate_tree(tree, source=f"desired config {version}")
        try:
            text = dumps(tree)
        except TypeError as exc:
            raise ConfigError([("<root>", str(exc))], f"desired config {version}") from exc
        atomic_write(self.config_path, text.encode(), 0o640)
        log.info("config %s applied to %s", version, self.config_path)

    def set_override(self, path: list[str], value: Any) -> None:
        """Record a device-local override (e.g. a log level command) kept across rollouts."""
        overrides = read_json(self.overrides_path, {})
        node = overrides
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
        write_json(self.overrides_path, overrides)


class ModelSlots:
    """Two model slots, ``a`` and ``b``: install into the idle one, switch, switch back."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.state_path = directory / "slots.json"

    def _state(self) -> dict[str, Any]:
        state: dict[str, Any] = read_json(self.state_path, {"active": None, "slots": {}})
        return state

    def active(self) -> dict[str, Any] | None:
        """Return the active slot's metadata (manifest, rollout, slot, path) or None."""
        state = self._state()
        slot = state["active"]
        return None if slot is None else dict(state["slots"][slot], slot=slot)

    def version(self) -> str:
        """Return ``name@version`` of the active model, or ``""``."""
        meta = self.active()
        return "" if meta is None else f"{meta['manifest']['name']}@{meta['manifest']['version']}"

    def install(self, manifest: dict[str, Any], signature: str, data: bytes | Iterable[bytes],
                signers: list[str], rollout_id: int | None) -> str:
        """Verify the model against the signed manifest and write it to the idle slot.

        ``data`` is the blob or an iterable of its chunks (a download, a bundle
        member): it is hashed as it is written, so it never has to fit in memory,
        and it becomes the slot's file only when hash and size match.
        Returns the slot name; raises :class:`ModelError` (nothing is activated).
        """
        try:
            verify(signers, manifest, signature)
        except SignatureError as exc:
            raise ModelError(f"model manifest signature: {exc}") from exc
        state = self._state()
        slot = "b" if state["active"] == "a" else "a"
        path = self.dir / slot / "model.bin"
        _write_verified(path, [data] if isinstance(data, bytes) else data,
                        str(manifest.get("sha256", "")), int(manifest.get("size", -1)))
        state["slots"][slot] = {"manifest": manifest, "rollout_id": rollout_id,
                                "path": str(path)}
        write_json(self.state_path, state)
        return slot

    def activate(self, slot: str) -> None:
        """Make ``slot`` the active model (one atomic rename)."""
        state = self._state()
        if slot not in state["slots"]:
            raise ModelError(f"slot {slot} holds no model")
        state["active"] = slot
        write_json(self.state_path, state)

    def switch_back(self) -> bool:
        """Reactivate the other slot if it holds a model; return whether it did."""
        state = self._state()
        other = "b" if state["active"] == "a" else "a"
        if other not in state["slots"]:
            state["active"] = None
            write_json(self.state_path, state)
            return False
        state["active"] = other
        write_json(self.state_path, state)
        return True


def _write_verified(path: Path, chunks: Iterable[bytes], sha256: str, size: int) -> None:
    """Stream ``chunks`` to ``path`` durably; keep it only if its hash and size match."""

    def write(fh: BinaryIO) -> None:
        digest, written = hashlib.sha256(), 0
        for chunk in chunks:
            written += len(chunk)
            if written > size:
                raise ModelError(f"model blob is longer than the {size} bytes of its manifest")
            digest.update(chunk)
            fh.write(chunk)
        if digest.hexdigest() != sha256 or written != size:
            raise ModelError(f"model blob sha256 {digest.hexdigest()[:12]}… ({written} bytes) "
                             "does not match its manifest")

    _replace_durably(path, write, 0o644)


def run_check(cmd: list[str], env: dict[str, str], timeout_s: float) -> tuple[bool, str]:
    """Run a health/hook command; return (exit status 0, last output line or reason)."""
    try:
        proc = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True,
                              timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"{cmd[0]}: {exc}"
    tail = (proc.stdout + proc.stderr).strip().splitlines()
    detail = tail[-1][:500] if tail else ""
    return proc.returncode == 0, f"exit {proc.returncode}: {detail}" if detail else \
        f"exit {proc.returncode}"
