"""The data classes the privacy guard knows and the spans it finds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DataClass(StrEnum):
    """A kind of regulated data; the value is the placeholder prefix (``<PERSON_1>``)."""

    PERSON = "PERSON"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    ADDRESS = "ADDRESS"
    DATE_OF_BIRTH = "DOB"
    NATIONAL_ID = "NATIONAL_ID"
    EMPLOYEE_ID = "EMPLOYEE_ID"
    MEDICAL_RECORD = "MRN"
    HEALTH = "HEALTH"
    PAYMENT_CARD = "CARD"
    IBAN = "IBAN"
    IP_ADDRESS = "IP"
    MAC_ADDRESS = "MAC"
    GPS = "GPS"
    SECRET = "SECRET"  # noqa: S105 - a class name, not a password
    FACE = "FACE"


# When two findings overlap, the one whose class comes first here wins: a secret or a
# card number inside a longer "address" match must keep its stricter class.
PRIORITY: tuple[DataClass, ...] = (
    DataClass.SECRET, DataClass.IBAN, DataClass.PAYMENT_CARD, DataClass.NATIONAL_ID,
    DataClass.MEDICAL_RECORD, DataClass.HEALTH, DataClass.EMAIL, DataClass.DATE_OF_BIRTH,
    DataClass.PHONE, DataClass.MAC_ADDRESS, DataClass.IP_ADDRESS, DataClass.GPS,
    DataClass.EMPLOYEE_ID, DataClass.ADDRESS, DataClass.PERSON, DataClass.FACE,
)
_RANK = {cls: i for i, cls in enumerate(PRIORITY)}


@dataclass(frozen=True, slots=True)
class Entity:
    """One finding: ``text == source[start:end]``."""

    type: DataClass
    start: int
    end: int
    text: str
    score: float = 1.0
    recognizer: str = ""

    def as_dict(self) -> dict[str, object]:
        """Return the JSON shape ``{"type", "start", "end", "text"}``."""
        return {"type": self.type.value, "start": self.start, "end": self.end, "text": self.text}


def resolve_overlaps(found: list[Entity]) -> list[Entity]:
    """Return non-overlapping entities sorted by start.

    Overlaps are settled by class priority, then by length (longer wins), then score.
    """
    ranked = sorted(found, key=lambda e: (_RANK[e.type], -(e.end - e.start), -e.score, e.start))
    kept: list[Entity] = []
    for ent in ranked:
        if ent.end <= ent.start:
            continue
        if all(ent.end <= k.start or ent.start >= k.end for k in kept):
            kept.append(ent)
    return sorted(kept, key=lambda e: e.start)
