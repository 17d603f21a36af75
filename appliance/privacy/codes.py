"""The shape of a badge or record number, and whether a text is about care or work.

No format of staff or record numbers is shared between sites, so the shape is read
generously: a short prefix, digits, up to three groups joined by ``-/:.#`` or spaces
("P161853", "PN 40857", "HR/9528/B", "51#1906", "39 6404 358", "KNH-2017-642920"). What
the text is about then says which of the two a number is: in a text about care it is a
medical record number, at work (staff, payroll, occupational health) a badge number.
"""

from __future__ import annotations

import re
from functools import lru_cache

from appliance.privacy.dates import find_dates
from appliance.privacy.entities import DataClass, Entity
from appliance.privacy.health import health_spans
from appliance.privacy.id_numbers import DOTTED_QUAD

# "P161853", "PN 40857", "ID#58958", "HR/9528/B", "MNT105-8", "60:12904", "PID:98422180",
# "MNT.437.11", "PRS 999 383", "#62746", "51#1906", "39 6404 358", "KNH-2017-642920"
# "ТН-45877", "РКБ-142352" (Cyrillic capitals), "emp_11637" (a lower-case prefix and "_")
CODE = (r"(?:(?P<prefix>ID|No\.?|Nr\.?|[A-ZА-ЯЁ]{1,5}|[a-z]{2,4}(?:_|(?=\d)))(?:\s?[#:№]\s?|\s|-|/|\.)?|#)?"
        r"[A-Z0-9]{0,4}\d[A-Z0-9]*(?:[-/:.#][A-Z0-9]{1,8}|\s\d{3,4}){0,3}")
_CODE = re.compile(CODE)
_NOT_CODE = re.compile(
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"  # a time
    r"|(?:19|20)\d{2}"  # a year
    r"|\d+\.\d{1,2}")  # an amount or a reading
# a prefix that says the number is something else: a birth date, a phone, a room
_OTHER_PREFIX = frozenset({"DOB", "TEL", "MOB", "PH", "FAX", "AGE", "BED", "ROOM", "RM", "EXT", "HP"})
DIALABLE = re.compile(r"[\d\s.-]+")
_SHORT_CODE = re.compile(r"[A-Z]{2,5}[-/]\d{3}")  # "DKR-388": letters make three digits enough

# a text about care: a code next to a name there is a record number, not a staff number
_CLINICAL = re.compile(
    r"(?i)\b(?:patient|admitted|admission|discharge[ds]?|ward|clinic|hospital|diagnos\w*|"
    r"surgery|underwent|prescri\w+|allerg\w+|treatment|GP|nurse|doctor|Dr|theatre|"
    r"operating list|anaesthe\w+|anesthe\w+|lab(?:oratory)?|requisition|specimen|referr\w+|"
    r"radiolog\w+|outpatient|inpatient|consultant|triage|mrn|charts?|optometr\w*|glasses|"
    r"consult(?:ation)?|blood bank|crossmatch\w*|transfusion|vaccin\w*|immuni[sz]\w*|dental|"
    r"dentist|physio\w*|pharmac\w*|dispens\w+|midwi\w+|maternity|paediatric\w*|"
    r"pediatric\w*|hospice|dialysis|oncolog\w*|cardiolog\w*|phlebotom\w*|pacs|dicom|imaging|"
    r"haemoly[sz]ed|hemoly[sz]ed|needlestick|pasyan|pasiente|paciente|pasienti|pazjent|"
    # "TB contact tracing: index case ...", a monitor that "pushed vitals for ...", the
    # patient and hospital words of Malay, Indonesian, Hausa, Chichewa, Swahili
    r"contact tracing|index case|vitals|pesakit|pasien|mara lafiya|asibiti|wodwala|"
    r"chipatala|mgonjwa|hospitali|krankenhaus|klinikum|больниц\w*|пациент\w*)\b")
# occupational health is about staff: "Return-to-work plan for Ana Pop (276693)"
AT_WORK = re.compile(
    r"(?i)\b(?:return[- ]to[- ]work|occupational|surveillance|staff|employee|operator|"
    r"personnel|payroll|shift|absence|fehlzeit\w*|personalnummer|works (?:number|no)|"
    r"audiometr\w*|recall list|roster|rota|toolbox|induction|sign-in|kaizen|timesheet|"
    r"clock(?:ed)?[- ]in|drug (?:and alcohol )?test|alcohol test|random selection|"
    r"fitness for work|guard|breath(?:alys\w+| test)|crew|picker|new starter|exit search|"
    r"bag search|allowance|overtime|turnstile|badge reader|swipe|audiogram|crusher|training|"
    r"trainer|awareness session|lamp room|mine (?:site|shaft|hospital)|mining|mill|concentrator|"
    r"underground|smelter|quarry|refinery|welding|plucker|sawmill|cannery|"
    r"lockout|lock-out|tag-?out|padlock|payslip|pay slip|employer ref\w*|price override|"
    r"till login|travagliador\w*|пропуск\w*|табельн\w*|"
    r"(?:shop|factory|production|plant|assembly|warehouse|"
    r"\w+ing) floor)\b")


def code_ok(value: str) -> bool:
    """Whether ``value`` is shaped like a badge or record number (not a time, a year,
    an IP address or a date)."""
    m = _CODE.fullmatch(value)
    if m is None or _NOT_CODE.fullmatch(value) or DOTTED_QUAD.fullmatch(value):
        return False
    if (m.group("prefix") or "").rstrip(".").upper() in _OTHER_PREFIX:
        return False
    digits = sum(c.isdigit() for c in value)
    if not (3 if _SHORT_CODE.fullmatch(value) else 4) <= digits <= 14:
        return False
    if digits >= 10 and value.startswith("0") and DIALABLE.fullmatch(value):
        return False  # "(08065042756)": a national phone number
    rest = value[m.end("prefix"):].lstrip(" #:-/.") if m.group("prefix") else value
    return not any(s == 0 and e == len(rest) for s, e in find_dates(rest))


_AND_THEN = re.compile(rf"\s*(?:,|&|/|\band\b|\bor\b|\by\b|\bet\b|\bund\b)\s*({CODE})(?![\w#/-]|[.,:]\d)")
# the classes whose format is the site's own (configurable patterns)
SITE_IDS = frozenset({DataClass.EMPLOYEE_ID, DataClass.MEDICAL_RECORD})


def listed_codes(text: str, found: list[Entity]) -> list[Entity]:
    """"Duplicate charts 40-93380-6 and 8981718C": the codes listed after a record or
    staff number are of its class too."""
    taken = [(e.start, e.end) for e in found]
    out = []
    for ent in found:
        if ent.type not in SITE_IDS:
            continue
        end = ent.end
        while (m := _AND_THEN.match(text, end)) is not None and code_ok(m.group(1)):
            start, end = m.span(1)
            if any(s < end and start < t for s, t in taken):
                break
            out.append(Entity(ent.type, start, end, m.group(1), ent.score * 0.9, "listed_code"))
    return out


@lru_cache(maxsize=256)
def about_care(text: str) -> bool:
    """Whether ``text`` is about a person's care rather than their work."""
    return ((_CLINICAL.search(text) is not None or bool(health_spans(text)))
            and AT_WORK.search(text) is None)
