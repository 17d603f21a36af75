"""Append-only, hash-chained log of everything that left the device (or was stopped).

Each line is one JSON record carrying ``seq``, ``prev`` (the previous record's ``mac``)
and ``mac`` = HMAC-SHA256(key, canonical JSON of the record without ``mac``). A head
file beside the log holds the last ``seq`` and ``mac``. :func:`verify` walks the chain,
so an edited line breaks its own MAC, a removed or reordered line breaks ``seq`` and
``prev``, and a cut-off tail no longer matches the head. The key (0600, under the state
directory) keeps someone who can write the log from re-forging the chain.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appliance.errors import ApplianceError

log = logging.getLogger(__name__)
GENESIS = "0" * 64


class AuditError(ApplianceError):
    """The audit log cannot be written or read."""


def _canonical(record: Mapping[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _mac(key: bytes, record: Mapping[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "mac"}
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


@dataclass
class VerifyReport:
    """Result of :func:`verify`: ``ok`` is True only when ``problems`` is empty."""

    records: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when the chain is intact."""
        return not self.problems


class AuditLog:
    """A JSON-lines audit log; ``append`` is safe across threads and processes."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.head_path = path.with_name(path.name + ".head")
        self._key = key
        self._lock = threading.Lock()

    def _head(self) -> tuple[int, str]:
        try:
            head = json.loads(self.head_path.read_text(encoding="utf-8"))
            return int(head["seq"]), str(head["mac"])
        except FileNotFoundError:
            last = None
            if self.path.exists():
                with self.path.open(encoding="utf-8") as fh:
                    for line in fh:
                        if line.strip():
                            last = line
            if last is None:
                return 0, GENESIS
            rec = json.loads(last)
            return int(rec["seq"]), str(rec["mac"])

    def append(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Append one record (``ts`` added if absent), fsync it, and return it as stored.

        Raises :class:`AuditError` if the log cannot be written; callers that gate a
        send must then refuse to send.
        """
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as fh:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
                    seq, prev = self._head()
                    record: dict[str, Any] = {"seq": seq + 1, "prev": prev, "ts": time.time()}
                    record.update({k: v for k, v in fields.items() if k not in record})
                    record["mac"] = _mac(self._key, record)
                    fh.write(_canonical(record).decode() + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                    tmp = self.head_path.with_suffix(".tmp")
                    tmp.write_text(json.dumps({"seq": record["seq"], "mac": record["mac"]}),
                                   encoding="utf-8")
                    with tmp.open("rb") as th:
                        os.fsync(th.fileno())
                    os.replace(tmp, self.head_path)
            except (OSError, ValueError, KeyError) as exc:
                raise AuditError(f"cannot append to audit log {self.path}: {exc}") from exc
        return record

    def records(self, offset: int = 0, limit: int | None = 100,
                destination: str | None = None) -> list[dict[str, Any]]:
        """Return stored records (oldest first) from ``offset``, at most ``limit``.

        ``destination`` keeps only records for that destination. Unparseable lines are
        skipped here; :meth:`verify` reports them.
        """
        out: list[dict[str, Any]] = []
        if not self.path.exists():
            return out
        seen = 0
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if destination is not None and rec.get("destination") != destination:
                    continue
                seen += 1
                if seen <= offset:
                    continue
                out.append(rec)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def verify(self) -> VerifyReport:
        """Check the whole chain and the head; return every problem found."""
        return verify(self.path, self._key)


def verify(path: Path, key: bytes) -> VerifyReport:
    """Walk the log at ``path`` and report edited, removed, reordered or cut-off records."""
    report = VerifyReport()
    prev, expected = GENESIS, 1
    if not path.exists():
        report.problems.append(f"{path} does not exist")
        return report
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                report.problems.append(f"line {lineno}: empty line")
                continue
            try:
                rec = json.loads(line)
                seq, rec_prev, rec_mac = int(rec["seq"]), rec["prev"], rec["mac"]
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                report.problems.append(f"line {lineno}: not a valid record")
                continue
            report.records += 1
            if not hmac.compare_digest(str(rec_mac), _mac(key, rec)):
                report.problems.append(f"line {lineno} (seq {seq}): record was modified")
            if seq != expected:
                report.problems.append(
                    f"line {lineno}: seq {seq} where {expected} was expected "
                    "(removed or reordered)")
            if rec_prev != prev:
                report.problems.append(f"line {lineno} (seq {seq}): chain broken, previous record "
                                       "missing, moved or altered")
            prev, expected = str(rec_mac), seq + 1
    head_path = path.with_name(path.name + ".head")
    try:
        head = json.loads(head_path.read_text(encoding="utf-8"))
        if int(head["seq"]) != expected - 1 or head["mac"] != prev:
            report.problems.append(
                f"head says the last record is seq {head['seq']}, the log ends at {expected - 1} "
                "(records removed from the end, or appended without the head)")
    except FileNotFoundError:
        if report.records:
            report.problems.append(f"head file {head_path} is missing")
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        report.problems.append(f"head file {head_path} is unreadable")
    return report


def open_log(state_dir: Path, audit_file: Path, key_dir: Path) -> AuditLog:
    """Return the audit log under ``state_dir``, creating its HMAC key (0600) if needed.

    Raises :class:`AuditError` if the key cannot be created or read.
    """
    from appliance.privacy.vault import VaultError, load_or_create_key

    try:
        key = load_or_create_key(state_dir / key_dir / "audit.key")
    except (OSError, VaultError) as exc:
        raise AuditError(f"cannot open the audit key: {exc}") from exc
    return AuditLog(state_dir / audit_file, key)


def open_from_config(config: Any) -> AuditLog:
    """Return the audit log an :class:`appliance.config.Config` points at."""
    return open_log(config.state_dir, config.privacy.audit_file, config.privacy.key_dir)


def list_records(config: Any, offset: int = 0, limit: int = 100,
                 destination: str | None = None) -> list[dict[str, Any]]:
    """Return audit records for the REST API (oldest first; see :meth:`AuditLog.records`)."""
    return open_from_config(config).records(offset, limit, destination)
