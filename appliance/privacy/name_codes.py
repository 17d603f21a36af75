"""Codes written right next to a person's name: their badge or record number.

Rosters, lab labels and referral letters put a person's number beside their name
("Ana Pop (P161853)", "Ana Pop, E1616177, admitted ...", "Lab request | Ana Pop |
38132647 | ..."). No format is shared between sites, so the shape is read generously
(a short capital prefix, digits, up to three separated groups) and the text decides the
class: in a text about care the code is a medical record number, at work (staff,
payroll, occupational health) a badge or staff number.
"""

from __future__ import annotations

import re

from appliance.privacy.dates import find_dates
from appliance.privacy.entities import DataClass, Entity
from appliance.privacy.health import health_spans
from appliance.privacy.id_numbers import DOTTED_QUAD

# the place of the code: in brackets, between commas (or before a colon), or as the next
# field of a "|"-separated record; a staff or record word may open the brackets
_AFTER_NAME = re.compile(
    r"\s*\((?P<cue>(?i:(?:works|staff|employee|badge|payroll|personnel|clock(?:ing)?|"
    r"patient|record|hospital|case)\s+(?:number|no\.?|nr\.?|id|#)\s*:?\s*))?"
    r"(?P<bracket>[^()\n]{4,24})\)"
    r"|,\s*(?P<comma>[^\s,;:|()][^,;|()\n]{2,22}?)(?=\s*(?:[,;|:]|$))"
    r"|[ \t]*\|[ \t]*(?P<pipe>[^|\n]{4,24}?)[ \t]*(?=\||$)"
    # a sign-in sheet: "1. Ana Pop  ST20515" (two spaces or a tab, then the line ends)
    r"|(?:[ ]{2,}|\t+)(?P<column>[^\s|,;()][^\n|,;()]{2,20}?)[ \t]*(?=\n|$)")
# "P161853", "PN 40857", "ID#58958", "HR/9528/B", "MNT105-8", "60:12904", "PID:98422180"
# "MNT.437.11", "PRS 999 383", "#62746"
_CODE = re.compile(
    r"(?:(?P<prefix>ID|No\.?|Nr\.?|[A-Z]{1,4}|[a-z]{2,4}(?=\d))(?:\s?[#:]\s?|\s|-|/|\.)?|#)?"
    r"[A-Z0-9]{0,4}\d[A-Z0-9]*(?:[-/:.][A-Z0-9]{1,8}|\s\d{3}){0,3}")
_NOT_CODE = re.compile(
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"  # a time
    r"|(?:19|20)\d{2}"  # a year
    r"|\d+\.\d{1,2}")  # an amount or a reading
# a prefix that says the number is something else: a birth date, a phone, a room
_OTHER_PREFIX = frozenset({"DOB", "TEL", "MOB", "PH", "FAX", "AGE", "BED", "ROOM", "RM", "EXT"})
_DIALABLE = re.compile(r"[\d\s.-]+")
_KIN = re.compile(r"(?i)\b(?:next of kin|nok|emergency contact|contact person|kin)\b[^.\n]*$")
# a text about care: a code next to a name there is a record number, not a staff number
_CLINICAL = re.compile(
    r"(?i)\b(?:patient|admitted|admission|discharge[ds]?|ward|clinic|hospital|diagnos\w*|"
    r"surgery|underwent|prescri\w+|allerg\w+|treatment|GP|nurse|doctor|Dr|theatre|"
    r"operating list|anaesthe\w+|anesthe\w+|lab(?:oratory)?|requisition|specimen|referr\w+|"
    r"radiolog\w+|outpatient|inpatient|consultant|triage|mrn)\b")
# occupational health is about staff: "Return-to-work plan for Ana Pop (276693)"
_AT_WORK = re.compile(
    r"(?i)\b(?:return[- ]to[- ]work|occupational|surveillance|staff|employee|operator|"
    r"personnel|payroll|shift|absence|fehlzeit\w*|personalnummer|works (?:number|no)|"
    r"audiometr\w*|recall list|roster|rota|toolbox|induction|sign-in|kaizen|timesheet|"
    r"clock(?:ed)?[- ]in|drug (?:and alcohol )?test|alcohol test|random selection|"
    r"fitness for work)\b")


def code_ok(value: str) -> bool:
    """Whether ``value`` is shaped like a badge or record number (not a time, a year,
    an IP address or a date)."""
    m = _CODE.fullmatch(value)
    if m is None or _NOT_CODE.fullmatch(value) or DOTTED_QUAD.fullmatch(value):
        return False
    if (m.group("prefix") or "").rstrip(".").upper() in _OTHER_PREFIX:
        return False
    digits = sum(c.isdigit() for c in value)
    if not 4 <= digits <= 14:
        return False
    if digits >= 10 and value.startswith("0") and _DIALABLE.fullmatch(value):
        return False  # "(08065042756)": a national phone number
    rest = value[m.end("prefix"):].lstrip(" #:-/.") if m.group("prefix") else value
    return not any(s == 0 and e == len(rest) for s, e in find_dates(rest))


def codes_after_names(text: str, found: list[Entity]) -> list[Entity]:
    """The badge or record number written next to each person found in ``text``."""
    taken = [(e.start, e.end) for e in found if e.type is not DataClass.PERSON]
    clinical: bool | None = None
    out = []
    for ent in found:
        if ent.type is not DataClass.PERSON:
            continue
        m = _AFTER_NAME.match(text, ent.end)
        if m is None or _KIN.search(text, max(0, ent.start - 30), ent.start):
            continue  # "Next of kin: Ana Pop (719 176 896)": their number is a phone
        where = next(g for g in ("bracket", "comma", "pipe", "column") if m.group(g) is not None)
        value = m.group(where)
        if not code_ok(value):
            continue
        colon = text[m.end(where):m.end(where) + 3].lstrip().startswith(":")
        if where == "comma" and not colon and _DIALABLE.fullmatch(value):
            continue  # ", 0711230932," is as often a phone number: letters, ":" or "/" say code
        start, end = m.span(where)
        if any(s < end and start < t for s, t in taken):
            continue
        cue = (m.group("cue") or "").lower()
        if clinical is None:
            clinical = ((_CLINICAL.search(text) is not None or bool(health_spans(text)))
                        and _AT_WORK.search(text) is None)
        is_record = cue.startswith(("patient", "record", "hospital", "case")) or (
            clinical and not cue)
        cls = DataClass.MEDICAL_RECORD if is_record else DataClass.EMPLOYEE_ID
        out.append(Entity(cls, start, end, value, 0.7, "code_after_name"))
    return out
