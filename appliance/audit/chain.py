"""The hash chain's primitives: record MACs, and the signed head and retention anchor.

A record's ``mac`` is HMAC-SHA256(key, canonical JSON of the record without ``mac``);
its ``prev`` is the previous record's ``mac``. The head (the last record's seq and
mac) and the anchor (what retention removed) are signed with the same key under their
own prefixes, so neither can be passed off as the other or as a record.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from appliance.errors import ApplianceError

GENESIS = "0" * 64
_HEAD = b"audit-head\n"
_ANCHOR = b"audit-anchor\n"


class AuditError(ApplianceError):
    """The audit log cannot be written or read."""


def canonical(record: Mapping[str, Any]) -> bytes:
    """Return the record as the exact bytes that are stored and signed."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_mac(key: bytes, record: Mapping[str, Any]) -> str:
    """Return the MAC of ``record`` (its ``mac`` field left out)."""
    body = {k: v for k, v in record.items() if k != "mac"}
    return hmac.new(key, canonical(body), hashlib.sha256).hexdigest()


def _signed(key: bytes, prefix: bytes, body: Mapping[str, Any]) -> str:
    return hmac.new(key, prefix + canonical(body), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Head:
    """The last record written: the end the chain must reach."""

    seq: int
    mac: str

    def dump(self, key: bytes) -> bytes:
        """Return the signed head file's bytes."""
        body = {"seq": self.seq, "mac": self.mac}
        return canonical({**body, "sig": _signed(key, _HEAD, body)})

    @classmethod
    def load(cls, data: bytes, key: bytes) -> Head:
        """Parse a head file; raise :class:`ValueError` if it is unreadable or its signature is wrong."""
        doc = json.loads(data)
        head = cls(int(doc["seq"]), str(doc["mac"]))
        if not hmac.compare_digest(str(doc.get("sig", "")),
                                   _signed(key, _HEAD, {"seq": head.seq, "mac": head.mac})):
            raise ValueError("signature does not match")
        return head


@dataclass(frozen=True)
class Anchor:
    """What retention removed: the chain's retained part starts right after ``last_seq``.

    ``tampered`` carries problems found in a segment as it was retired, so evidence of
    tampering outlives the records themselves.
    """

    segments: int
    last_segment: int
    first_seq: int
    last_seq: int
    last_mac: str
    first_ts: float
    last_ts: float
    tampered: tuple[str, ...] = field(default=())

    @property
    def records(self) -> int:
        """Return how many records retention removed."""
        return self.last_seq - self.first_seq + 1

    def body(self) -> dict[str, Any]:
        """Return the anchor's fields as JSON-ready values."""
        out = asdict(self)
        out["tampered"] = list(self.tampered)
        return out

    def dump(self, key: bytes) -> bytes:
        """Return the signed anchor file's bytes."""
        body = self.body()
        return canonical({**body, "sig": _signed(key, _ANCHOR, body)})

    @classmethod
    def load(cls, data: bytes, key: bytes) -> Anchor:
        """Parse an anchor file; raise :class:`ValueError` if unreadable or wrongly signed."""
        doc = json.loads(data)
        sig = str(doc.pop("sig", ""))
        if not hmac.compare_digest(sig, _signed(key, _ANCHOR, doc)):
            raise ValueError("signature does not match")
        return cls(segments=int(doc["segments"]), last_segment=int(doc["last_segment"]),
                   first_seq=int(doc["first_seq"]), last_seq=int(doc["last_seq"]),
                   last_mac=str(doc["last_mac"]), first_ts=float(doc["first_ts"]),
                   last_ts=float(doc["last_ts"]),
                   tampered=tuple(str(t) for t in doc.get("tampered", [])))
