"""The one egress gate: classify → apply policy → write the audit record → send.

Every payload that leaves the device (uplink escalations, fleet telemetry, shipped
logs) goes through :meth:`EgressGate.send`. It fails closed: a detector error, a
blocked data class, anything left after redaction, an unwritable audit log or a
disabled guard all raise :class:`~appliance.errors.EgressBlocked`, and the block is
itself audited (classes and counts only, never the values).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from appliance.audit import AuditError, AuditLog
from appliance.errors import EgressBlocked
from appliance.privacy.detect import Detector
from appliance.privacy.entities import DataClass, Entity
from appliance.privacy.redact import Applied, Session, redact, reidentify
from appliance.privacy.settings import PrivacyConfig
from appliance.privacy.vault import Vault, load_or_create_key

log = logging.getLogger(__name__)
T = TypeVar("T")
Payload = str | bytes | dict[str, Any] | list[Any]


def estimate_tokens(text: str) -> int:
    """Return a rough token count (about four characters per token)."""
    return max(1, math.ceil(len(text) / 4)) if text else 0


@dataclass
class Prepared:
    """A payload cleared to leave: the bytes to send and what was done to them."""

    data: bytes
    session_id: str
    found: Counter[str] = field(default_factory=Counter)
    applied: Counter[str] = field(default_factory=Counter)
    tokens: int = 0
    structured: Any = None


class _Walk:
    """Redact a JSON-like value in place of a copy, collecting every finding."""

    def __init__(self, detector: Detector, session: Session, config: PrivacyConfig) -> None:
        self.detector, self.session, self.config = detector, session, config
        self.found: list[Entity] = []
        self.applied: list[Applied] = []

    def text(self, value: str, field_name: str | None) -> str:
        entities = self.detector.detect(value, field_name)
        self.found.extend(entities)
        out, applied = redact(value, entities, self.session, self.config.policy)
        self.applied.extend(applied)
        return out

    def value(self, value: Any, field_name: str | None) -> Any:
        if isinstance(value, str):
            return self.text(value, field_name)
        if isinstance(value, dict):
            return {self.text(str(k), None): self.value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v, field_name) for v in value]
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float) and field_name is not None:
            as_text = str(value)
            redacted = self.text(as_text, field_name)
            return value if redacted == as_text else redacted
        return value


class EgressGate:
    """The egress gate. Thread-safe; build it once and pass it to every sender."""

    def __init__(self, config: PrivacyConfig, audit: AuditLog, state_dir: Path, *,
                 detector: Detector | None = None,
                 token_counter: Callable[[str], int] = estimate_tokens) -> None:
        self.config = config
        self.audit = audit
        self.detector = detector or Detector(config)
        self.count_tokens = token_counter
        keys = state_dir / config.key_dir
        self.vault = Vault(state_dir / config.vault_dir, load_or_create_key(keys / "vault.key"))
        self._pseudonym_key = load_or_create_key(keys / "pseudonym.key")
        self._audit_key = load_or_create_key(keys / "audit-digest.key")
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    # --- sessions --------------------------------------------------------------------
    def session(self, session_id: str | None = None) -> Session:
        """Return the session ``session_id`` (loaded from the vault), or a new one."""
        with self._lock:
            if session_id is not None and session_id in self._sessions:
                return self._sessions[session_id]
            if session_id is None:
                sess = Session(pseudonym_key=self._pseudonym_key)
            else:
                sess = Session(id=session_id, mapping=self.vault.load(session_id),
                               pseudonym_key=self._pseudonym_key)
            self._sessions[sess.id] = sess
            return sess

    def reidentify(self, text: str, session_id: str) -> str:
        """Return a cloud answer with the session's placeholders turned back into values."""
        return reidentify(text, self.session(session_id).mapping)

    def end_session(self, session_id: str) -> None:
        """Forget a session's mapping, in memory and in the vault."""
        with self._lock:
            self._sessions.pop(session_id, None)
        self.vault.delete(session_id)

    # --- the gate --------------------------------------------------------------------
    def _digest(self, data: bytes) -> str:
        return hmac.new(self._audit_key, data, hashlib.sha256).hexdigest()

    def _block(self, destination: str, reason: str, *, found: Counter[str], raw: bytes,
               session_id: str | None, cause: BaseException | None = None) -> EgressBlocked:
        record = {"destination": destination, "outcome": "blocked", "reason": reason,
                  "classes": dict(found), "redactions": {}, "payload_hmac": self._digest(raw),
                  "bytes": len(raw), "tokens": 0, "session": session_id}
        try:
            self.audit.append(record)
        except AuditError:
            log.exception("could not audit a blocked send to %s", destination)
        log.warning("egress to %s blocked: %s", destination, reason)
        err = EgressBlocked(f"egress to {destination} blocked: {reason}")
        err.__cause__ = cause
        return err

    def prepare(self, destination: str, payload: Payload, *,
                session_id: str | None = None) -> Prepared:
        """Classify and redact ``payload`` under the policy; raise EgressBlocked if it may not go.

        Audits blocks only; :meth:`send` and :meth:`redact` audit what is released.
        """
        raw = payload if isinstance(payload, bytes) else (
            payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        found: Counter[str] = Counter()
        if not self.config.enabled:
            raise self._block(destination, "privacy guard disabled", found=found, raw=raw,
                              session_id=session_id)
        try:
            session = self.session(session_id)
            walk = _Walk(self.detector, session, self.config)
            if isinstance(payload, bytes):
                payload = payload.decode("utf-8")  # binary never leaves through this path
            structured: Any = None
            if isinstance(payload, str):
                out_text = walk.text(payload, None)
            else:
                structured = walk.value(payload, None)
                out_text = json.dumps(structured, ensure_ascii=False, separators=(",", ":"))
            found = Counter(e.type.value for e in walk.found)
            blocked = sorted(c for c in found if self.config.action(c) == "block")
            if blocked:
                raise self._block(destination, "policy blocks " + ", ".join(blocked),
                                  found=found, raw=raw, session_id=session.id)
            if self.config.verify_output:
                residual = self._residual(out_text if structured is None else structured)
                if residual:
                    raise self._block(destination, "left after redaction: " + ", ".join(residual),
                                      found=found, raw=raw, session_id=session.id)
            if session.mapping:
                self.vault.save(session.id, session.mapping)
        except EgressBlocked:
            raise
        except Exception as exc:  # fail closed: any detector failure blocks
            raise self._block(destination, f"detector error ({type(exc).__name__})", found=found,
                              raw=raw, session_id=session_id, cause=exc) from exc
        applied = Counter(f"{a.entity.type.value}:{a.action}" for a in walk.applied)
        return Prepared(out_text.encode(), session.id, found, applied,
                        self.count_tokens(out_text), structured)

    def _residual(self, value: Any) -> list[str]:
        texts: list[tuple[str, str | None]] = []

        def collect(v: Any, key: str | None) -> None:
            if isinstance(v, str):
                texts.append((v, key))
            elif isinstance(v, dict):
                for k, item in v.items():
                    texts.append((str(k), None))
                    collect(item, str(k))
            elif isinstance(v, list):
                for item in v:
                    collect(item, key)

        collect(value, None)
        left: set[str] = set()
        for text, key in texts:
            for ent in self.detector.detect(text, key):
                if self.config.action(ent.type.value) != "allow":
                    left.add(ent.type.value)
        return sorted(left)

    def _audit_release(self, destination: str, prepared: Prepared, outcome: str) -> None:
        record = {"destination": destination, "outcome": outcome, "reason": "",
                  "classes": dict(prepared.found), "redactions": dict(prepared.applied),
                  "payload_sha256": hashlib.sha256(prepared.data).hexdigest(),
                  "bytes": len(prepared.data), "tokens": prepared.tokens,
                  "session": prepared.session_id}
        try:
            self.audit.append(record)
        except AuditError as exc:
            raise EgressBlocked(f"egress to {destination} blocked: audit log unwritable") from exc

    def send(self, destination: str, payload: Payload, send: Callable[[bytes], T], *,
             session_id: str | None = None) -> T:
        """Send ``payload`` to ``destination`` through ``send`` if policy allows; return its result.

        Raises :class:`EgressBlocked` (after auditing the block) when anything stops it.
        If ``send`` itself raises, a ``send_failed`` record follows and the error propagates.
        """
        prepared = self.prepare(destination, payload, session_id=session_id)
        self._audit_release(destination, prepared, "sent")
        try:
            return send(prepared.data)
        except Exception as exc:
            try:
                self.audit.append({"destination": destination, "outcome": "send_failed",
                                   "reason": type(exc).__name__, "classes": {}, "redactions": {},
                                   "payload_sha256": hashlib.sha256(prepared.data).hexdigest(),
                                   "bytes": 0, "tokens": 0, "session": prepared.session_id})
            except AuditError:
                log.exception("could not audit a failed send to %s", destination)
            raise

    def data_classes(self, text: str) -> frozenset[str]:
        """Return the data classes found in ``text`` (``"PERSON"``, ``"HEALTH"``...).

        Raises :class:`EgressBlocked` if the detector fails, so callers fail closed.
        """
        try:
            return frozenset(e.type.value for e in self.detector.detect(text))
        except Exception as exc:  # fail closed
            raise EgressBlocked(f"privacy detector failed ({type(exc).__name__})") from exc

    def redact(self, messages: Sequence[Mapping[str, Any]], *, destination: str = "cloud",
               session_id: str | None = None) -> list[dict[str, Any]]:
        """Return a redacted copy of chat ``messages`` cleared to leave, and audit the release.

        For callers whose transport sends the result itself (the chat router); prefer
        :meth:`send`. Raises :class:`EgressBlocked` like :meth:`send`.
        """
        prepared = self.prepare(destination, [dict(m) for m in messages], session_id=session_id)
        self._audit_release(destination, prepared, "released")
        return [dict(m) for m in prepared.structured]

    def send_image(self, destination: str, image: bytes, send: Callable[[bytes], T]) -> T:
        """Send an image only if policy says ``blur`` (faces blurred first); else block.

        Raises :class:`EgressBlocked` when images are blocked, the image cannot be
        decoded, or face detection fails.
        """
        found: Counter[str] = Counter()
        if not self.config.enabled or self.config.images == "block":
            raise self._block(destination, "images never leave (privacy.images = block)",
                              found=found, raw=image, session_id=None)
        try:
            from appliance.privacy.images import blur_faces

            data, faces = blur_faces(image)
        except Exception as exc:  # fail closed: any detector failure blocks
            raise self._block(destination, f"face detection failed ({type(exc).__name__})",
                              found=found, raw=image, session_id=None, cause=exc) from exc
        if faces:
            found[DataClass.FACE.value] = faces
        prepared = Prepared(data, "", found, Counter({"FACE:blur": faces} if faces else {}), 0)
        self._audit_release(destination, prepared, "sent")
        return send(data)


def gate_from_config(config: Any, **kwargs: Any) -> EgressGate:
    """Build the gate an :class:`appliance.config.Config` describes (its audit log included)."""
    from appliance.audit import open_from_config

    return EgressGate(config.privacy, open_from_config(config), config.state_dir, **kwargs)
