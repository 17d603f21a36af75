"""The detector: every recognizer over text, and keys and values of structured payloads."""

from __future__ import annotations

import re
from collections.abc import Iterable

from appliance.privacy.addresses import ADDRESS_RULES, STREET_END, address_at
from appliance.privacy.care_codes import records_in_care_text
from appliance.privacy.checksums import bsn_ok, steuer_id_ok
from appliance.privacy.codes import SITE_IDS, listed_codes
from appliance.privacy.dates import DATE, find_dates
from appliance.privacy.entities import DataClass, Entity, resolve_overlaps
from appliance.privacy.fields import (
    LOOKS_LIKE_NAME,
    MACHINE_KEY,
    MACHINE_RULE_TYPES,
    MACHINE_VALUE,
    csv_columns,
    embedded_fields,
    key_class,
    norm_key,
    sql_columns,
)
from appliance.privacy.health import health_spans
from appliance.privacy.id_numbers import find_id_numbers
from appliance.privacy.name_codes import codes_after_names
from appliance.privacy.names import NameDetector
from appliance.privacy.national_ids import NATIONAL_ID_RULES, pt_nif_ok
from appliance.privacy.phones import (
    PHONE_CONTEXT,
    load_numbering_plans,
    phone_region_ok,
    phone_rules,
    phone_world_ok,
)
from appliance.privacy.prefilter import NeedleIndex
from appliance.privacy.recognizers import ID_VETO, RULES, Rule, Scan, context_rules
from appliance.privacy.redact import PLACEHOLDER
from appliance.privacy.settings import PrivacyConfig

_DATE_AFTER_NAME = re.compile(
    rf"\s*(?:\(\s*(?:b\.|born|\*)?\s*({DATE})\s*[),;]|,\s*({DATE})\s*(?:[,;:)]|$))")
_NUMBER_AFTER_NAME = re.compile(
    r"[,:]?\s(\(?\d{1,4}\)?(?:[ .-]?\d{2,5}){1,4})(?![\w-]|[.,/:]\d)")
_DIALABLE = re.compile(
    r"(?<![\w+\-./,:#])(?:\(\d{1,5}\)\s?)?\d{1,5}(?:\s?[./-]\s?\d{1,8}|\s\(?\d{1,8}\)?){0,4}"
    r"(?![\w-]|[.,/:]\d)")
# "2.19.0.119" (a version), "5732-403-57" (a part number): one-digit dotted groups, and
# dashes only, are not how phone numbers are written
_NOT_DIALED = re.compile(r"(?:^|\.)\d\.|\.\d$|^[\d-]+$")
_POSTCODE_SHAPE = re.compile(r"\d{5}-\d{3}|\d{3}-\d{4}|\d{4,7}")
_IDENTIFIERS = frozenset({  # HIPAA's identifiers: account and card numbers among them
    DataClass.PERSON, DataClass.MEDICAL_RECORD, DataClass.NATIONAL_ID, DataClass.EMPLOYEE_ID,
    DataClass.DATE_OF_BIRTH, DataClass.EMAIL, DataClass.PHONE, DataClass.ADDRESS,
    DataClass.PAYMENT_CARD, DataClass.IBAN,
})

# Identifiers that belong to a person: a capitalised word right before one is a name.
_NAMED_BY = frozenset({
    DataClass.EMPLOYEE_ID, DataClass.PHONE, DataClass.EMAIL, DataClass.MEDICAL_RECORD,
    DataClass.NATIONAL_ID, DataClass.DATE_OF_BIRTH,
})



# A calendar date in a text about a person is taken for a date of birth (fail safe),
# unless it is stamped on a thing or an event: expiry, manufacture, lot, calibration,
# delivery, log and visit dates, or a date followed by a clock time.
_PERSONAL = frozenset({
    DataClass.PERSON, DataClass.NATIONAL_ID, DataClass.MEDICAL_RECORD, DataClass.EMPLOYEE_ID,
})
_THING_DATE_BEFORE = re.compile(
    r"(?i)(?:\b(?:exp(?:iry|ires|ired)?|mfg|mfd|mfr|manufactured|made|produced|packed|"
    r"lot|batch|cal(?:ibrat\w*)?|due|until|till|by|before|after|since|from|at|valid|"
    r"best|use|sell|shipped|delivered|received|dispatched|installed|serviced|inspected|"
    r"logged|stamp\w*|updated|created|modified|last|next|on|dated|invoice|order|po|"
    r"week|wk|ts|time|date|eta|etd|start\w*|end\w*|opened|closed|appointment|visit|"
    r"booked|scheduled|release[sd]?|build|version|fw)\b[\s:.#=-]*|[@#])$")
_BIRTH_NEAR = re.compile(r"(?i)\b(?:birth\w*|born|dob|d\.o\.b)\W+(?:\w+\W+){0,3}$")
_CLOCK_AFTER = re.compile(r"[T\s,]*\d{1,2}:\d{2}")
_YEAR = re.compile(r"(?<!\d)(\d{4}|\d{2})(?!\d)")


def _birth_year(value: str) -> bool:
    if value.isdigit() and len(value) == 8:  # compact, year first: "19730216"
        return 1900 <= int(value[:4]) <= 2015
    years = [y for y in _YEAR.findall(value) if len(y) == 4]
    if years:
        return 1900 <= int(years[0]) <= 2015
    two = _YEAR.findall(value)
    return bool(two) and 31 < int(two[-1]) <= 99  # 2-digit year: a past century


def _dob_in_personal_text(text: str, found: list[Entity]) -> list[Entity]:
    if not any(e.type in _PERSONAL for e in found):
        return []
    out = []
    for start, end in find_dates(text):
        value = text[start:end]
        if not _birth_year(value):
            continue
        if (_THING_DATE_BEFORE.search(text, max(0, start - 24), start)
                and not _BIRTH_NEAR.search(text[max(0, start - 30):start])):
            continue
        if _CLOCK_AFTER.match(text, end):
            continue
        out.append(Entity(DataClass.DATE_OF_BIRTH, start, end, value, 0.7, "dob_personal"))
    return out


# 9- and 11-digit numbers whose check digit holds (BSN, NIF, Steuer-ID) pass by chance one
# time in ten: in a text about a person, not claimed by another recognizer and not after a
# part, order or phone word, they are taken for national IDs.
_BARE_ID = re.compile(
    r"(?<![\w+./-])(?:\d{9}|\d{2} ?\d{3} ?\d{3} ?\d{3}|\d{3} \d{3} \d{3})(?![\w/-]|[.,]\d)")
_BARE_ID_CHECKS = (bsn_ok, pt_nif_ok, steuer_id_ok)


def _ids_in_personal_text(text: str, found: list[Entity]) -> list[Entity]:
    if not any(e.type in _PERSONAL for e in found):
        return []
    out = []
    for m in _BARE_ID.finditer(text):
        start, end = m.span()
        if any(e.start < end and start < e.end for e in found):
            continue
        if ID_VETO.search(text, max(0, start - 20), start):
            continue
        digits = re.sub(r"\D", "", m.group())
        if any(check(digits) for check in _BARE_ID_CHECKS):
            out.append(Entity(DataClass.NATIONAL_ID, start, end, m.group(), 0.6, "id_personal"))
    return out


def _id_numbers(text: str, found: list[Entity]) -> list[Entity]:
    personal = any(e.type in _PERSONAL or e.type is DataClass.DATE_OF_BIRTH for e in found)
    out = []
    for ent in find_id_numbers(text, personal,
                               lambda start: bool(ID_VETO.search(text, max(0, start - 20), start))):
        if any(e.start < ent.end and ent.start < e.end and (
                ent.score < 0.9 or e.type in _SHAPED
                or (e.type is DataClass.PHONE and e.text.startswith(("+", "00")))
                or (e.type in SITE_IDS and e.recognizer != "code_after_name")) for e in found):
            continue  # a weakly evidenced number, a cued record or badge number, or a value
            # with a shape of its own (coordinates, cards) stays theirs; a well evidenced ID
            # outranks a code merely written next to a name
        out.append(ent)
    return out


_SHAPED = frozenset({DataClass.GPS, DataClass.IP_ADDRESS, DataClass.MAC_ADDRESS,
                     DataClass.PAYMENT_CARD, DataClass.IBAN, DataClass.EMAIL})
_FIELD_RECOGNIZERS = ("csv_column", "embedded_field", "key:")


def _fields_decide(found: list[Entity]) -> list[Entity]:
    """A field's name outweighs the shape of its value: a bare number that fills a
    "staff_no" column is not a phone number though it fits a numbering plan, and an
    ID-shaped number inside a "patient_id" value is the record number (both blocked)."""
    fields = [e for e in found if e.type in SITE_IDS
              and e.recognizer.startswith(_FIELD_RECOGNIZERS)]
    cued = [e for e in found if e.type in SITE_IDS and e.recognizer in _CUED_CODES]
    if not fields and not cued:
        return found

    def displaced(ent: Entity) -> bool:
        if ent.type is DataClass.PHONE:
            return any(f.start == ent.start and f.end == ent.end for f in fields)
        if ent.type is DataClass.NATIONAL_ID:
            # "hospital number 9414446E": a record word outweighs a one-in-23 check letter
            return any(f.type is DataClass.MEDICAL_RECORD and f.start <= ent.start
                       and ent.end <= f.end for f in fields) or (
                ent.recognizer in _WEAK_IDS
                and any(c.start <= ent.start and ent.end <= c.end for c in cued))
        return False

    return [e for e in found if not displaced(e)]


# numbers a record or staff word names, and national IDs a single check letter vouches for
_CUED_CODES = frozenset({"mrn_ctx", "mrn_cued_code", "mrn_record_code", "mrn_hl7_pid", "mrn_hl7_pv1",
                         "badge_ctx", "badge_cued_code", "listed_code"})
_WEAK_IDS = frozenset({"ie_ppsn", "es_dni"})
_NAME_COMMA = re.compile(r",\s*|\s+(?:at|of)\s+")


def _address_after_name(text: str, found: list[Entity]) -> list[Entity]:
    """"Letter sent to Ana Pop, Số 110 Nguyễn Huệ, Phường Hàng Bài, Hà Nội": an address
    right after a name and a comma is where that person lives."""
    taken = [(e.start, e.end) for e in found if e.type is not DataClass.PERSON]
    out = []
    for ent in found:
        if ent.type is not DataClass.PERSON:
            continue
        comma = _NAME_COMMA.match(text, ent.end)
        span = address_at(text, comma.end()) if comma else None
        if span is None or any(s < span[1] and span[0] < t for s, t in taken):
            continue
        value = text[span[0]:span[1]]
        if "," not in value or value[:1].islower():
            continue  # "Ana Pop, invoice WO275349": one lower-case part is no address
        out.append(Entity(DataClass.ADDRESS, *span, value, 0.6, "address_after_name"))
    return out


# the value of a field that names an organisation or a place ("Company: Tana Steel
# Erectors", "site": "Debre Zeit", "depot Antsirabe", "natural de Puno") holds no person
_PLACE_FIELD = re.compile(
    r"(?im)(?:^[ \t]*|[\"'])(?:company|employer|contractor|site|depot|city|town|location|store|"
    r"branch|department|dept|supplier|vendor|place of birth|birthplace)[\"']?[ \t]*[:=][ \t]*"
    r"[\"']?([^\n\"';,]{2,60})"
    r"|\b(?:depot|natural de|born in|n[ée]e? [àa]|nacid[oa] en)[ \t]+([^\n,;.]{2,40})")


def _no_people_in_places(text: str, found: list[Entity]) -> list[Entity]:
    if not any(e.type is DataClass.PERSON for e in found):
        return found
    places = [m.span(g) for m in _PLACE_FIELD.finditer(text) for g in (1, 2) if m.group(g)]
    if not places:
        return found
    return [e for e in found if e.type is not DataClass.PERSON
            or not any(s <= e.start and e.end <= t for s, t in places)]


def _no_dates_as_addresses(text: str, found: list[Entity]) -> list[Entity]:
    """"at Fri 10 Jul 2026 15:07": a weekday, day, month and year read as a street, a
    number and a postcode; an address holds no calendar date."""
    addresses = [e for e in found if e.type is DataClass.ADDRESS]
    if not addresses:
        return found
    dates = find_dates(text)
    return [e for e in found if e.type is not DataClass.ADDRESS
            or not any(e.start <= s and t <= e.end for s, t in dates)]


_AT_PLACE = re.compile(r"\s+(?:en|in|at|bei|à|a|i|w|z|na|em|no|ve|v|u)\s+")


def _person_out_of_address(text: str, found: list[Entity]) -> list[Entity]:
    """"Send the boots to Ana Pop, Flat 9, ...": the addressee opens a cued address;
    the address starts after the name."""
    people = [e for e in found if e.type is DataClass.PERSON]
    starts = {p.start: p for p in people}
    out = []
    for ent in found:
        lead = None if ent.type is not DataClass.ADDRESS else next(
            (p for p in people if p.start <= ent.start < p.end < ent.end), None)
        at = _AT_PLACE.match(text, lead.end) if lead is not None else None
        if at is not None:  # "no encuentra a Ana Pop en Goethering 151, 90578 Nürnberg"
            out.append(Entity(ent.type, at.end(), ent.end, text[at.end():ent.end], ent.score,
                              ent.recognizer))
            continue
        person = (starts.get(ent.start) if ent.type is DataClass.ADDRESS
                  and ent.recognizer != "addr_labelled" else None)  # "address: Ban X, ..."
        if (person is not None and person.end < ent.end and text.startswith(",", person.end)
                and " " in person.text.strip()  # a one-word "name" may be the town
                and not STREET_END.search(person.text)):  # "Moshoeshoe Rd, Maseru 100"
            start = person.end + 1
            start += len(text[start:ent.end]) - len(text[start:ent.end].lstrip())
            out.append(Entity(ent.type, start, ent.end, text[start:ent.end], ent.score,
                              ent.recognizer))
            continue
        out.append(ent)
    return out


class Detector:
    """All recognizers, configured once; ``detect`` is thread-safe and pure."""

    def __init__(self, config: PrivacyConfig, names: NameDetector | None = None) -> None:
        self.config = config
        self.rules: tuple[Rule, ...] = (
            RULES + phone_rules(tuple(config.phone_regions)) + ADDRESS_RULES + NATIONAL_ID_RULES
            + context_rules(config.employee_id_patterns, config.medical_record_patterns))
        self.names = names or NameDetector()
        self._machine_rules = tuple(r for r in self.rules if r.type in MACHINE_RULE_TYPES)
        load_numbering_plans()
        self._needles = NeedleIndex(frozenset(
            w for r in self.rules if r.needles is not None for w in r.needles.words))

    def detect(self, text: str, field: str | None = None) -> list[Entity]:
        """Return non-overlapping entities in ``text``, sorted by offset.

        ``field`` is the JSON key the text was found under; a telling key
        (``patient_id``, ``operator``) marks the whole value. Raises only on bugs:
        the egress gate treats any exception as "block".
        """
        found: list[Entity] = []
        if field is not None and PLACEHOLDER.fullmatch(field.strip()):
            field = None  # a key we redacted ourselves says nothing about its value
        if field is not None:
            cls = key_class(field)
            value = text.strip()
            if cls is not None and value and (cls is not DataClass.PERSON or
                                              field.lower() != "name" or
                                              LOOKS_LIKE_NAME.match(value)):
                lead = len(text) - len(text.lstrip())
                found.append(Entity(cls, lead, lead + len(value), value, 1.0, f"key:{field}"))
        machine = (field is not None and MACHINE_KEY.search(norm_key(field)) is not None
                   and MACHINE_VALUE.fullmatch(text) is not None)
        scan = Scan(text, self._needles)
        for rule in self._machine_rules if machine else self.rules:
            if rule.needles is None or scan.holds(rule.needles):
                found.extend(rule.find(text, scan))
        if not machine:
            found.extend(embedded_fields(text))
            if "\n" in text:
                found.extend(csv_columns(text))
        found.extend(self.names.find(text, [e.start for e in found if e.type in _NAMED_BY]))
        if not machine:
            found.extend(self._dob_after_name(text, found))
            found.extend(_dob_in_personal_text(text, found))
            rows = sql_columns(text, found)  # beside the codes after names, not after them
            found.extend(codes_after_names(text, found))
            found.extend(rows)
            found.extend(listed_codes(text, found))
            found.extend(_address_after_name(text, found))
            found.extend(self._phone_after_name(text, found))
            found.extend(_ids_in_personal_text(text, found))
            found.extend(_id_numbers(text, found))
            found.extend(self._phone_in_personal_text(text, found))
            found.extend(records_in_care_text(text, found))
        found.extend(self._phi(text, found))
        found = _fields_decide(_no_dates_as_addresses(text, _person_out_of_address(text, found)))
        found = _no_people_in_places(text, found)
        holes = [m.span() for m in PLACEHOLDER.finditer(text)]
        if holes:  # our own placeholders are never findings (the relay re-scans them)
            found = [e for e in found if not any(s < e.end and e.start < t for s, t in holes)]
        return resolve_overlaps(found)

    def _dob_after_name(self, text: str, found: list[Entity]) -> list[Entity]:
        # "Anna Schmidt (12.03.1984)", "Pt Anna Schmidt, 12 Mar 1984, MRN ...": a past
        # date in brackets or between commas right after a name is a DOB
        out = []
        for ent in found:
            if ent.type is not DataClass.PERSON:
                continue
            m = _DATE_AFTER_NAME.match(text, ent.end)
            if m is None:
                continue
            group = 1 if m.group(1) else 2
            years = re.findall(r"\d{4}", m.group(group))
            if years and 1900 <= int(years[0]) <= 2015:
                out.append(Entity(DataClass.DATE_OF_BIRTH, m.start(group), m.end(group),
                                  m.group(group), 0.8, "dob_after_name"))
        return out

    def _phone_after_name(self, text: str, found: list[Entity]) -> list[Entity]:
        # "Callback list: Anna Berg 0711 230932, ...", "Next of kin: Jan Novak, 22 345274":
        # a dialable number right after a name is that person's phone (any country's plan)
        taken = [(e.start, e.end) for e in found if e.type is not DataClass.PERSON]
        out = []
        for ent in found:
            if ent.type is not DataClass.PERSON:
                continue
            m = _NUMBER_AFTER_NAME.match(text, ent.end)
            if m is None:
                continue
            start, end = m.span(1)
            if any(s < end and start < t for s, t in taken):
                continue
            value = m.group(1)
            if _POSTCODE_SHAPE.fullmatch(value) or sum(c.isdigit() for c in value) < 8:
                continue  # "…, 05478-141" ends an address; 7 bare digits are a postcode as often
            if ID_VETO.search(text, max(0, start - 20), start):
                continue  # "Fridge (74) 5767-395": the "name" is a thing with a part number
            if phone_world_ok(value, tuple(self.config.phone_regions)):
                out.append(Entity(DataClass.PHONE, start, end, m.group(1), 0.75, "phone_after_name"))
        return out

    def _phone_in_personal_text(self, text: str, found: list[Entity]) -> list[Entity]:
        # "Questions to 506 / 23450-60", "Loyalty sign-up: Ana Pop, 3.2.1979, 0664123741":
        # in a text about a person, a dialable number no other recognizer claimed and no
        # part, order or time word explains is a phone number (fail safe)
        if not any(e.type in _PERSONAL for e in found):
            return []
        regions = tuple(self.config.phone_regions)
        out = []
        for m in _DIALABLE.finditer(text):
            start, end = m.span()
            if any(e.start < end and start < e.end for e in found):
                continue
            cued = PHONE_CONTEXT.search(text, max(0, start - 30), start) is not None
            if not cued and ID_VETO.search(text, max(0, start - 20), start):
                continue
            value = m.group()
            if _NOT_DIALED.search(value):
                continue
            if phone_world_ok(value, regions) if cued else phone_region_ok(value, regions):
                out.append(Entity(DataClass.PHONE, start, end, value, 0.6, "phone_personal"))
        return out

    def _phi(self, text: str, found: Iterable[Entity]) -> list[Entity]:
        anchors = [e for e in found if e.type in _IDENTIFIERS]
        if not anchors:
            return []
        window = self.config.phi_window
        out = []
        for start, end in health_spans(text):
            if any(a.start - window <= start <= a.end + window for a in anchors):
                out.append(Entity(DataClass.HEALTH, start, end, text[start:end], 0.85, "phi"))
        return out
