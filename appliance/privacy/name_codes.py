"""Codes written right next to a person's name: their badge or record number.

Rosters, lab labels and referral letters put a person's number beside their name
("Ana Pop (P161853)", "Ana Pop, E1616177, admitted ...", "Lab request | Ana Pop |
38132647 | ..."). The shape of the code and its class (a record number in a text about
care, a badge number at work) are read as :mod:`appliance.privacy.codes` reads them.
"""

from __future__ import annotations

import re

from appliance.privacy.codes import AT_WORK, DIALABLE, about_care, code_ok
from appliance.privacy.entities import DataClass, Entity
from appliance.privacy.phones import PHONE_CONTEXT

# the place of the code: in brackets, between commas (or before a colon), or as the next
# field of a "|"-separated record; a staff or record word may open the brackets
_AFTER_NAME = re.compile(
    r"\s*\((?P<cue>(?i:(?:works|staff|employee|badge|payroll|personnel|clock(?:ing)?|"
    r"patient|record|hospital|case)\s+(?:number|no\.?|nr\.?|id|#)\s*:?\s*|"
    r"(?:tag|badge|staff|employee|payroll|pin|clock)\s*:?\s+))?"
    r"(?P<bracket>[^()\n]{4,24})\)"
    # "Ana Pop, namba EID882062": the word for "number" before it, in many languages
    r"|,\s*(?i:(?:number|no\.?|nr\.?|num[ée]ro|número|numero|numeru|numru|nummer|numer|namba|"
    r"nambari|nomoro|lambarka|номер|ቁጥር)(?![^\W\d_]))\s*[:#]?\s*"
    r"(?P<numbered>[^\s,;:|()][^,;|()\n]{2,22}?)"
    r"(?=\s*(?:[,;|.]|$))"
    r"|,\s*(?P<comma>[^\s,;:|()][^,;|()\n]{2,22}?)(?=\s*(?:[,;|:]|$))"
    r"|[ \t]*\|[ \t]*(?P<pipe>[^|\n]{4,24}?)[ \t]*(?=\||$)"
    # a field between slashes: "card printer queue: Ana Pop / 946-N34 / photo taken ..."
    r"|[ \t]+/[ \t]+(?P<slash>[^\s/|,;()][^/|,;()\n]{2,22}?)(?=[ \t]+/|[ \t]*$)"
    # a sign-in sheet: "1. Ana Pop  ST20515" (two spaces or a tab, then the line ends)
    r"|(?:[ ]{2,}|\t+)(?P<column>[^\s|,;()][^\n|,;()]{2,20}?)[ \t]*(?=\n|$)"
    # an item of a list: "clinic list: Ana Pop 78882051, Eva Kim PMH/58710, ..."
    r"|[ ](?P<item>[^\s,;:|()][^,;|()\n]{2,22}?)(?=\s*(?:[,;]|\.?$|\.\s))")
_ID_PREFIX = re.compile(r"ID(?:[\s#:]+|$)")
_KIN = re.compile(r"(?i)\b(?:next of kin|nok|emergency contact|contact person|kin)\b[^.\n]*$")


def _list_item(text: str, start: int, clinical: bool) -> bool:
    """Whether the name at ``start`` opens an item of a list of people (after ``:``,
    ``,``, ``;`` or a line start) in a text about care or work, with no phone cue before
    it: only then is a bare number after the name their record or badge number."""
    before = text[max(0, start - 3):start].rstrip(" \t")
    if before and before[-1] not in ":,;\n":
        return False
    if not clinical and AT_WORK.search(text) is None:
        return False
    return PHONE_CONTEXT.search(text, 0, start) is None


def codes_after_names(text: str, found: list[Entity]) -> list[Entity]:
    """The badge or record number written next to each person found in ``text``."""
    taken = [(e.start, e.end) for e in found if e.type is not DataClass.PERSON]
    out = []
    for ent in found:
        if ent.type is not DataClass.PERSON:
            continue
        m = _AFTER_NAME.match(text, ent.end)
        if m is None or _KIN.search(text, max(0, ent.start - 30), ent.start):
            continue  # "Next of kin: Ana Pop (719 176 896)": their number is a phone
        where = next(g for g in ("bracket", "numbered", "comma", "pipe", "slash", "column", "item")
                     if m.group(g) is not None)
        value = m.group(where)
        if not code_ok(value):
            continue
        clinical = about_care(text)  # memoised per text
        if where == "item" and not _list_item(text, ent.start, clinical):
            continue
        colon = text[m.end(where):m.end(where) + 3].lstrip().startswith(":")
        if (where == "comma" and not colon and DIALABLE.fullmatch(value)
                and not _list_item(text, ent.start, clinical)):
            continue  # ", 0711230932," is as often a phone number: letters, ":" or "/" say
            # code, and so does a list of people at work or in care with no phone word
        if where in ("pipe", "slash") and DIALABLE.fullmatch(value) and _row_opens_with_code(
                text, ent.start):
            continue  # "00418223|Ngumbang, Haseya|668133236|...": the row's number opens it
        start, end = m.span(where)
        if any(s < end and start < t for s, t in taken):
            continue
        cue = (m.group("cue") or "").lower()
        is_record = cue.startswith(("patient", "record", "hospital", "case")) or (
            clinical and not cue)
        cls = DataClass.MEDICAL_RECORD if is_record else DataClass.EMPLOYEE_ID
        prefix = _ID_PREFIX.match(value)
        if prefix and (clinical or AT_WORK.search(text) is None):
            cls = DataClass.NATIONAL_ID  # "Ana Pop, ID 4197376-3": her identity number
            start += prefix.end()
            value = value[prefix.end():]
        out.append(Entity(cls, start, end, value, 0.7, "code_after_name"))
    return out + _codes_before_names(text, found, taken)


_ROW_CODE = re.compile(r"[^\s|;,\t]{4,20}[ \t]*[|;,\t]")


def _row_opens_with_code(text: str, start: int) -> bool:
    """Whether the record (line) holding ``start`` opens with a code field."""
    line = text.rfind("\n", 0, start) + 1
    m = _ROW_CODE.match(text, line)
    return m is not None and m.end() <= start and code_ok(m.group().rstrip(" \t|;,"))


# a code written before the name, as a list or a log line puts it: "09:20 TCH6840-H Ana
# Pop; 09:40 ...", "[17/Aug/2026:18:26:39 +0000],T592-5728,Pop, Ana,TURNSTILE-3"
_BEFORE_NAME = re.compile(
    r"(?:^|(?<=[\s,;:|\]\[]))(?P<code>[A-Z0-9#][^\s,;|()]{2,20}(?: \d{3,4}){0,2})"
    r"(?:[ \t]+|[ \t]*[,|;][ \t]*)$")


def _codes_before_names(text: str, found: list[Entity],
                        taken: list[tuple[int, int]]) -> list[Entity]:
    out = []
    for ent in found:
        if ent.type is not DataClass.PERSON:
            continue
        m = _BEFORE_NAME.search(text, max(0, ent.start - 30), ent.start)
        if m is None or not code_ok(m.group("code")):
            continue
        start, end = m.span("code")
        lead = text[max(0, start - 12):start]
        if not (start == 0 or lead.rstrip(" ,|").endswith(("\n", ";", ":", "]"))
                or _TIME_BEFORE.search(lead.rstrip(" ,|;"))):
            continue  # the code must open a list item or a record, or follow a time
        if any(s < end and start < t for s, t in taken) or _OTHER_WORD.search(lead):
            continue
        clinical = about_care(text)
        if not clinical and AT_WORK.search(text) is None and not _record_row(text, start):
            continue
        line = text[text.rfind("\n", 0, start) + 1:start]
        if not line.strip() and "\n" in text and text.count(",", 0, text.find("\n")) >= 2:
            continue  # a row under a header: left to the columns
        cls = DataClass.MEDICAL_RECORD if clinical else DataClass.EMPLOYEE_ID
        out.append(Entity(cls, start, end, m.group("code"), 0.65, "code_before_name"))
    return out


# a time ("09:20 ", "03h01,", "02:08:09 +0000,", "20260622T204849Z,")
_TIME_BEFORE = re.compile(r"(?:\d{1,2}[:.h]\d{2}(?::\d{2}(?:[.,]\d{1,6})?)?(?:\s*[+-]\d{4}|Z)?"
                          r"|\d{8}T\d{6}Z?)\s*$")


def _record_row(text: str, start: int) -> bool:
    """Whether the code at ``start`` opens a line of a table of people: a record of four
    fields and more, split by "|", ";" or tabs ("2947-MH;Aalin Teare;12/6/67;...")."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() or line_start > 0:
        return False  # a row under a header line is left to the columns
    line_end = text.find("\n", start)
    line = text[start:line_end if line_end >= 0 else len(text)]
    return any(line.count(sep) >= 3 for sep in ("|", ";", "\t"))
_OTHER_WORD = re.compile(r"(?i)\b(?:order|invoice|part|po|lot|batch|serial|sku|item|ref)\W*$")
