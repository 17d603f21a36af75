"""Edit the manifest text in place (keeps comments and layout), for re-hashing rebuilt models."""

from __future__ import annotations

import re

from appliance.errors import ModelError

_BLOCK = re.compile(r"(?ms)^\[\[models\]\]\s*$.*?(?=^\[\[models\]\]\s*$|\Z)")


def update_entry_text(text: str, name: str, sha256: str, size: int) -> str:
    """Return manifest ``text`` with the ``sha256`` and ``size`` of entry ``name`` replaced.

    Raises :class:`ModelError` if no ``[[models]]`` block has that name, or the
    block lacks one of the two keys.
    """
    if not re.fullmatch(r"[0-9a-f]{64}", sha256) or size <= 0:
        raise ModelError("sha256 must be 64 lowercase hex digits and size positive")
    name_line = re.compile(rf'(?m)^name\s*=\s*"{re.escape(name)}"\s*$')
    for match in _BLOCK.finditer(text):
        block = match.group(0)
        if not name_line.search(block):
            continue
        new, n_sha = re.subn(r'(?m)^sha256\s*=\s*"[^"]*"', f'sha256 = "{sha256}"', block)
        new, n_size = re.subn(r"(?m)^size\s*=\s*\d+", f"size = {size}", new)
        if n_sha != 1 or n_size != 1:
            raise ModelError(f"manifest entry {name!r} needs exactly one sha256 and one size line")
        return text[: match.start()] + new + text[match.end() :]
    raise ModelError(f"model {name!r} is not in the manifest")
