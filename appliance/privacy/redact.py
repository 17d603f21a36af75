"""Typed, numbered placeholders and the way back.

Within one :class:`Session` the same value always gets the same placeholder
(``<PERSON_1>`` stays Anna Schmidt all session), so a cloud model can reason about "the
same person" without learning who it is; :func:`reidentify` turns its answer back
into real names on the device.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from appliance.privacy.entities import Entity
from appliance.privacy.settings import Action
from appliance.privacy.vault import pseudonym

PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*?)(?:_(\d+)|#([0-9a-f]{6,64}))>", re.IGNORECASE)


def new_session_id() -> str:
    """Return a fresh random session id (URL- and file-name safe)."""
    return "s-" + secrets.token_hex(12)


@dataclass
class Session:
    """The placeholder numbering and mapping of one conversation with the cloud."""

    id: str = field(default_factory=new_session_id)
    mapping: dict[str, str] = field(default_factory=dict)
    pseudonym_key: bytes | None = None
    _reverse: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _counters: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for placeholder, original in self.mapping.items():
            m = PLACEHOLDER.fullmatch(placeholder)
            if m is None:
                continue
            kind = m.group(1).upper()
            self._reverse[(kind, original)] = placeholder
            if m.group(2):
                self._counters[kind] = max(self._counters.get(kind, 0), int(m.group(2)))

    def placeholder(self, kind: str, original: str) -> str:
        """Return the numbered placeholder for ``original`` (the same one on every call)."""
        known = self._reverse.get((kind, original))
        if known is not None and "#" not in known:
            return known
        n = self._counters.get(kind, 0) + 1
        self._counters[kind] = n
        token = f"<{kind}_{n}>"
        self._reverse[(kind, original)] = token
        self.mapping[token] = original
        return token

    def pseudonym(self, kind: str, original: str) -> str:
        """Return ``<KIND#hmac>``, stable across sessions that share the pseudonym key."""
        if self.pseudonym_key is None:
            raise ValueError("this session has no pseudonym key")
        token = f"<{kind}#{pseudonym(self.pseudonym_key, kind, original)}>"
        self.mapping[token] = original
        return token


@dataclass(frozen=True)
class Applied:
    """One replacement made: the entity and the action taken on it."""

    entity: Entity
    action: Action
    replacement: str


def redact(text: str, entities: Sequence[Entity], session: Session,
           actions: Mapping[str, Action] | None = None) -> tuple[str, list[Applied]]:
    """Return ``text`` with entities replaced, and what was replaced.

    ``entities`` must not overlap (as :meth:`Detector.detect` returns them). ``actions``
    maps a class to allow/redact/pseudonymize/block; missing classes are redacted, and
    ``block`` also redacts (the gate refuses the send before this matters).
    """
    out: list[str] = []
    applied: list[Applied] = []
    pos = 0
    for ent in sorted(entities, key=lambda e: e.start):
        action: Action = (actions or {}).get(ent.type.value, "redact")
        if action == "allow" or ent.start < pos:
            continue
        if action == "pseudonymize" and session.pseudonym_key is not None:
            token = session.pseudonym(ent.type.value, ent.text)
        else:
            token = session.placeholder(ent.type.value, ent.text)
        out.append(text[pos:ent.start])
        out.append(token)
        pos = ent.end
        applied.append(Applied(ent, action, token))
    out.append(text[pos:])
    return "".join(out), applied


def reidentify(text: str, mapping: Mapping[str, str]) -> str:
    """Return ``text`` with every known placeholder replaced by its original value.

    Unknown placeholders are left as they are; matching ignores letter case, because
    models sometimes rewrite ``<PERSON_1>`` as ``<Person_1>``.
    """
    upper = {k.upper(): v for k, v in mapping.items()}

    def sub(m: re.Match[str]) -> str:
        key = m.group(0)
        if key in mapping:
            return mapping[key]
        return upper.get(key.upper(), key)

    return PLACEHOLDER.sub(sub, text)
