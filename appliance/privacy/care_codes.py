"""Record numbers in a text about care that no cue word names.

A clinic's texts carry their patients' record numbers in every position: "all studies
of 3930829E", "haemolysed sample for NHC-176820", "needlestick, source CHL34140188". In a
text about care (and not about staff), a code of a record number's shape that no other
recognizer claimed and no part, lot, unit or order word explains is taken for one: it
fails safe, since a record number is blocked and a redacted lot number costs little.
"""

from __future__ import annotations

import re

from appliance.privacy.codes import CODE, about_care, code_ok
from appliance.privacy.entities import DataClass, Entity
from appliance.privacy.phones import PHONE_CONTEXT
from appliance.privacy.recognizers import ID_VETO

_TOKEN = re.compile(rf"(?<![\w#./:@-])({CODE})(?![\w#/@-]|[.,:]\d)")
# what a record number looks like without a cue: a short capital prefix (joined, or
# spaced before six digits and more) and digits, or digits with one letter inside when
# there is no prefix ("11D54762"), digit groups, and a check letter; not a serial that
# mixes letters and digits throughout ("C068YLGHLN1R", "WUS14C69974")
_RECORD_SHAPE = re.compile(
    r"(?:(?P<prefix>[A-ZА-ЯЁ]{1,5})(?:[-/.]|(?P<space> ))?)?"
    r"(?P<digits>\d+(?(prefix)|(?:[A-Z]\d+)?)(?:[-/. ]\d+){0,2})(?:[-/]?[A-Z])?")
_NOT_PREFIX = frozenset({"SN", "LOT", "REF", "PN", "PO", "SKU", "ID", "NO", "NR", "TEL", "FAX",
                         "GTIN", "EAN", "UPC", "SER", "SO", "INV", "WO", "RMA", "CCTV", "ORD"})
# an ICD-10 code ("G40.909"), a compact time stamp ("20251031204813")
_NOT_RECORD = re.compile(r"[A-Z]\d{2}(?:\.\d{1,4})?[A-Z]?|(?:19|20)\d{12}")
_NOT_RECORD_BEFORE = re.compile(
    r"(?i)\b(?:unit|bed|room|ward|bay|ext(?:ension)?|dose|tablet|vial|kit|device|pump|"
    r"monitor|scanner|printer|fridge|freezer|logger|sensor|analy[sz]er|macerator|incubator|"
    r"centrifuge|autoclave|compressor|rtu|bag|seal|slip|claim|expiry|exp|collected|cctv|"
    r"from|to|via|ip|host|port|mac|ch\.-b\.|charge|frames?|lens(?:es)?|colis|parcel|rx|"
    r"stand|erf)\W*$")


def records_in_care_text(text: str, found: list[Entity]) -> list[Entity]:
    """The record-number-shaped codes of a text about care that nothing else claimed."""
    if not about_care(text):  # (a text about work is not about care)
        return []
    out = []
    for m in _TOKEN.finditer(text):
        start, end = m.span(1)
        value = m.group(1)
        if any(e.start < end and start < e.end for e in found):
            continue
        if value.replace(" ", "").isdigit():
            continue  # a bare run of digits is as likely a phone number, a count or a reading
        if not _record_shaped(value) or not code_ok(value):
            continue
        before = text[max(0, start - 20):start]
        if (ID_VETO.search(before) or _NOT_RECORD_BEFORE.search(before)
                or PHONE_CONTEXT.search(before)):
            continue
        out.append(Entity(DataClass.MEDICAL_RECORD, start, end, value, 0.5, "record_in_care"))
    return out


def _record_shaped(value: str) -> bool:
    m = _RECORD_SHAPE.fullmatch(value)
    if m is None or (m.group("prefix") or "") in _NOT_PREFIX or _NOT_RECORD.fullmatch(value):
        return False
    digits: int = sum(c.isdigit() for c in str(m.group("digits")))
    if m.group("space") or not m.group("prefix"):
        return digits >= 6
    return digits >= 5
