"""Append-only, hash-chained, rotated log of everything that left the device (or was stopped).

Each line is one JSON record carrying ``seq``, ``prev`` (the previous record's ``mac``)
and ``mac`` = HMAC-SHA256(key, canonical JSON of the record without ``mac``). The
chain runs on across segments: the active file is closed into numbered segments by
size or age (gzip optional), and retention retires the oldest, recording the last
retired seq and mac in a signed anchor. A signed head holds the last seq and mac.
Verification walks every retained segment, so an edited, removed or reordered
record, a deleted or swapped segment, an edited anchor and a cut-off tail are all
reported, while what retention removed is reported as such. The key (0600, under the
state directory) keeps someone who can write the log from re-forging the chain.

Modules: :mod:`.chain` (MACs, head, anchor), :mod:`.segments` (file layout and I/O),
:mod:`.log` (the writer), :mod:`.rotation`, :mod:`.verify`, :mod:`.listing`,
:mod:`.settings` (the ``[audit]`` config section).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appliance.audit.chain import GENESIS, Anchor, AuditError
from appliance.audit.listing import Page
from appliance.audit.log import AuditLog
from appliance.audit.segments import Layout
from appliance.audit.settings import AuditConfig
from appliance.audit.verify import VerifyReport, verify_log

__all__ = ["GENESIS", "Anchor", "AuditConfig", "AuditError", "AuditLog", "Page", "VerifyReport",
           "list_records", "open_from_config", "open_log", "verify"]


def verify(path: Path, key: bytes) -> VerifyReport:
    """Verify the log whose active segment is ``path`` (see :meth:`AuditLog.verify`)."""
    return verify_log(Layout(path), key)


def open_log(state_dir: Path, audit_file: Path, key_dir: Path,
             config: AuditConfig | None = None) -> AuditLog:
    """Return the audit log under ``state_dir``, creating its HMAC key (0600) if needed.

    Raises :class:`AuditError` if the key cannot be created or read.
    """
    from appliance.privacy.vault import VaultError, load_or_create_key

    try:
        key = load_or_create_key(state_dir / key_dir / "audit.key")
    except (OSError, VaultError) as exc:
        raise AuditError(f"cannot open the audit key: {exc}") from exc
    return AuditLog(state_dir / audit_file, key, config)


def open_from_config(config: Any) -> AuditLog:
    """Return the audit log an :class:`appliance.config.Config` points at (rotation included)."""
    return open_log(config.state_dir, config.privacy.audit_file, config.privacy.key_dir,
                    getattr(config, "audit", None))


def list_records(config: Any, limit: int = 50, offset: int = 0, before: int | None = None,
                 destination: str | None = None) -> Page:
    """Return a page of audit records, newest first, for the REST API."""
    return open_from_config(config).page(limit, offset, before, destination)
