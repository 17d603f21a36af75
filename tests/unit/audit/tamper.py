"""What someone with write access to the audit directory (but not the key) can do to it.

Each function changes the files on disk the way an editor, ``rm`` or ``mv`` would, and
returns a short description. Used by the unit and property tests.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from appliance.audit import AuditLog


def segment_files(log: AuditLog) -> list[Path]:
    """Return the closed segments in order, then the active one if it exists."""
    closed, _ = log.layout.closed()
    files = [s.path for s in closed]
    if log.path.exists() and log.path.stat().st_size:
        files.append(log.path)
    return files


def read_lines(path: Path) -> list[bytes]:
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    return data.splitlines(keepends=True)


def write_lines(path: Path, lines: list[bytes]) -> None:
    data = b"".join(lines)
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


def edit_record(path: Path, index: int) -> str:
    lines = read_lines(path)
    rec = json.loads(lines[index])
    rec["destination"] = "elsewhere-" + str(rec.get("destination"))
    lines[index] = (json.dumps(rec, sort_keys=True, separators=(",", ":")) + "\n").encode()
    write_lines(path, lines)
    return f"edited line {index + 1} of {path.name}"


def remove_record(path: Path, index: int) -> str:
    lines = read_lines(path)
    del lines[index]
    write_lines(path, lines)
    return f"removed line {index + 1} of {path.name}"


def swap_records(path: Path, index: int) -> str:
    lines = read_lines(path)
    lines[index], lines[index + 1] = lines[index + 1], lines[index]
    write_lines(path, lines)
    return f"swapped lines {index + 1} and {index + 2} of {path.name}"


def swap_segments(a: Path, b: Path) -> str:
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    return f"swapped {a.name} and {b.name}"


def set_json_field(path: Path, field: str, value: object) -> str:
    doc = json.loads(path.read_bytes())
    doc[field] = value
    path.write_text(json.dumps(doc), encoding="utf-8")
    return f"set {field} in {path.name}"
