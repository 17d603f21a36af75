"""A small TOML writer for config trees (the standard library only reads TOML).

Supports what a config tree holds: tables, strings, booleans, integers, floats,
lists of scalars and lists of tables (written inline). ``None`` values are left out,
which TOML reads back as "use the default".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _string(text: str) -> str:
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise TypeError("text with a lone surrogate cannot be written as TOML")
    # A JSON string is a TOML basic string, once DEL (allowed raw in JSON) is escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(key: str) -> str:
    # fullmatch: "$" would also accept a key ending in a newline.
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items()
                          if v is not None)
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dumps(tree: Mapping[str, Any]) -> str:
    """Return ``tree`` as TOML text; raise ``TypeError`` for values TOML cannot hold."""
    lines: list[str] = []

    def table(node: Mapping[str, Any], path: list[str]) -> None:
        scalars = [(k, v) for k, v in node.items() if v is not None and not isinstance(v, Mapping)]
        tables = [(k, v) for k, v in node.items() if isinstance(v, Mapping)]
        if path and (scalars or not tables):
            lines.append(f"[{'.'.join(_key(p) for p in path)}]")
        for key, value in scalars:
            lines.append(f"{_key(str(key))} = {_value(value)}")
        if scalars:
            lines.append("")
        for key, value in tables:
            table(value, [*path, str(key)])

    table(tree, [])
    return "\n".join(lines).rstrip() + "\n"
