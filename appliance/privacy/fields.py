"""Field names and their values: structured payloads, key/value pairs and tables in text.

A field name often says what its value is, whatever the value looks like
(``patient_id``, ``operator``, ``staff_password``); :func:`key_class` reads it. The same
reading applies inside free text: JSON fragments, YAML and ``key=value`` log fields, form
lines and HL7 v2 name fields (:func:`embedded_fields`), CSV rows under a header of field
names (:func:`csv_columns`), and the rows of a SQL ``INSERT`` under its column names
(:func:`sql_columns`).
"""

from __future__ import annotations

import re

from appliance.privacy.codes import SITE_IDS, code_ok
from appliance.privacy.entities import DataClass, Entity
from appliance.privacy.recognizers import secret_value_ok

# Field names that say what their value is, whatever the value looks like.
_KEY_CLASSES: tuple[tuple[re.Pattern[str], DataClass], ...] = tuple(
    (re.compile(rf"(?:^|_)(?:{words})(?:$|_)"), cls) for words, cls in (
        (r"password|passwd|pwd|secret|token|api_key|apikey|access_key|private_key|client_secret|"
         r"authorization|credentials?|cookie|session_token|refresh_token|admin(?=$)", DataClass.SECRET),
        (r"patient_id|patientid|mrn|medical_record(?:_number)?|chart|chart_(?:no|number|id)|"
         r"record|record_(?:no|number|id)|"
         r"patient_(?:no|number)", DataClass.MEDICAL_RECORD),
        (r"ssn|national_id|pesel|nino|tax_id|steuer_id|bsn|nir|dni|nie|personnummer|"
         r"social_security(?:_number)?|passport(?:_no|_number)?|id_doc(?:ument)?(?:_number|_no)?|"
         r"id_number|identity_number|identity_no|document_number", DataClass.NATIONAL_ID),
        (r"badge|badge_id|badge_no|employee_id|employee_no|staff|staff_id|staff_no|operator_id|"
         r"worker_id|personnel_(?:no|number)|employee_(?:number|num|nr)|crew_(?:id|no|number)|clock_(?:no|number|id)|"
         r"works_(?:no|number)|payroll_(?:id|no|number)|emp|emp_(?:id|no|number)|empno",
         DataClass.EMPLOYEE_ID),
        (r"e_?mail|email_address", DataClass.EMAIL),
        (r"phone|tel|telephone|mobile|cell_phone|fax|msisdn|phone_number", DataClass.PHONE),
        (r"dob|birth_?date|date_of_birth|birthday", DataClass.DATE_OF_BIRTH),
        # before the address keys, which "hw_addr" would match too
        (r"mac|mac_address|hw_addr|hwaddr|hw|calling_station_id|bssid|chaddr", DataClass.MAC_ADDRESS),
        (r"address|street|home_address|postal_address|addr|ship_to|bill_to|deliver_to|"
         r"delivery_address|shipping_address|residence|ship|deliver|delivery|billing", DataClass.ADDRESS),
        (r"lat|lon|lng|latitude|longitude|gps|coordinates|geo|geolocation", DataClass.GPS),
        (r"ip|ip_address|client_ip|remote_addr|src_ip|dst_ip|source_ip", DataClass.IP_ADDRESS),
        (r"card_number|pan|credit_card|cc_number|card_no", DataClass.PAYMENT_CARD),
        (r"iban|account_number|bank_account", DataClass.IBAN),
        (r"diagnosis|diagnoses|condition|medication|medications|allergies|allergy|symptoms|"
         r"treatment|icd|icd10|health|medical|injury|injuries", DataClass.HEALTH),
        (r"operator|driver|technician|patient|patient_name|reported_by|reporter|author|holder|"
         r"card_holder|cardholder|insured|member_name|"
         r"user_?name|employee|employee_name|assignee|contact|contact_name|customer|"
         r"customer_name|nurse|doctor|physician|cashier|signed_by|first_?name|last_?name|"
         r"surname|full_?name|person|given_names?|family_name|forenames?|first_names|wearer|worker|"
         r"picker|guard|visitor|guest|caller|requester|approver|attendee|staff_name|"
         r"crew_name", DataClass.PERSON),
    )
)
# Fields a machine fills with versions, hashes, digests, sizes, counts, serials and stamps
# ("model_version": "det@1.2.3.4", "disk_free_bytes": 52345678912, "certificate_serial"):
# a one-token value there is no IP, card, ID or phone number, whatever check digit it
# happens to pass. Secrets, e-mail addresses and names are still looked for.
MACHINE_KEY = re.compile(
    r"(?:^|_)(?:version|sha\d*|hash|digest|checksum|etag|revision|bytes|size|count|free|used|"
    r"total|uptime|seconds|secs|ms|pid|port|serial|offset|length|epoch|timestamp|ts)$")
MACHINE_VALUE = re.compile(r"[\w.@+:/-]{1,128}")
MACHINE_RULE_TYPES = frozenset({DataClass.SECRET, DataClass.EMAIL})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
LOOKS_LIKE_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.-][^\W\d_]+)*\.?$")


def norm_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", _CAMEL.sub("_", key).lower()).strip("_")


def key_class(key: str) -> DataClass | None:
    """Return the data class a JSON field name implies (``patientId`` → MRN), or None."""
    norm = norm_key(key)
    for pattern, cls in _KEY_CLASSES:
        if pattern.search(norm):
            return cls
    if norm == "name":
        return DataClass.PERSON
    if norm in ("card", "access_card", "key_card", "badge_card"):
        return DataClass.EMPLOYEE_ID  # an access badge; a payment card's number is a CARD
    return None


# Key/value pairs inside free text: JSON fragments ('"badge": "P244024"'), log fields
# ("staff=03224262;"), form lines ("Employee no.: W/1577"). A telling key marks its value as
# it does in a structured payload; identifiers need a digit, names a name's shape.
_EMBEDDED_FIELD = re.compile(
    r"\"([A-Za-z][\w .-]{0,30})\"\s*:\s*\"([^\"\n]{1,120})\"|"
    r"(?:^|(?<=\n))[ \t-]*([A-Za-z][\w.-]{0,30}):[ \t]*\"([^\"\n]{1,120})\"|"  # YAML: key: "value"
    r"(?<![\w/])([A-Za-z][\w/]*(?:[ .][A-Za-z]\w*){0,3}\.?)\s*(?::|=)\s*"
    r"([^\s;,&\"]+(?: (?![A-Za-z][\w/]*\s*[:=])[^\s;,&\"]+){0,3})")
_EMBEDDED_IDS = frozenset({DataClass.EMPLOYEE_ID, DataClass.MEDICAL_RECORD, DataClass.NATIONAL_ID})
# classes whose value, under a telling key, counts when it holds a digit
_EMBEDDED_DIGITS = _EMBEDDED_IDS | {
    DataClass.PHONE, DataClass.DATE_OF_BIRTH, DataClass.ADDRESS, DataClass.MAC_ADDRESS,
    DataClass.IP_ADDRESS, DataClass.GPS,
}
_PIN_KEY = re.compile(r"(?:^|_)(?:pass\w*|pwd|pin|passcode|code)(?:$|_)")


# {"worker": {"id": "5921-558", ...}}, {"resourceType": "Patient", "identifier": [{"value":
# "2019765628"}]}: a bare id or value takes its meaning from the object it is in
_CHILD_ID_KEYS = frozenset({"id", "value", "number", "no", "code"})
_PARENT = re.compile(r"[\"']?(\w+)[\"']?\s*:\s*\[?\s*\{[^{}\[\]]*$")
_FHIR_RESOURCE = re.compile(r"[\"']resourceType[\"']\s*:\s*[\"'](?:Patient|Encounter|Observation|"
                            r"Condition|Procedure|MedicationRequest|DiagnosticReport|"
                            r"Immunization|AllergyIntolerance|Appointment|ServiceRequest)[\"']")
_FHIR_PATIENT = re.compile(r"[\"']resourceType[\"']\s*:\s*[\"']Patient[\"']")
_PATIENT_PARENTS = frozenset({"patient", "subject", "resident", "client"})
_STAFF_PARENTS = frozenset({"worker", "employee", "staff", "operator", "driver", "technician",
                            "cashier", "holder", "member", "user", "person", "crew"})


def _parent_class(text: str, pos: int) -> DataClass | None:
    m = _PARENT.search(text, max(0, pos - 120), pos)
    if m is None:
        return None
    parent = norm_key(m.group(1))
    if parent == "identifier" and _FHIR_PATIENT.search(text):
        return DataClass.MEDICAL_RECORD
    if parent in _PATIENT_PARENTS:
        return DataClass.MEDICAL_RECORD
    cls = key_class(parent)
    if parent in _STAFF_PARENTS or cls is DataClass.PERSON:
        return DataClass.EMPLOYEE_ID
    return cls if cls in _EMBEDDED_IDS else None


def embedded_fields(text: str) -> list[Entity]:
    out = []
    for m in _EMBEDDED_FIELD.finditer(text):
        key_group = next(g for g in (1, 3, 5) if m.group(g) is not None)
        value_group = key_group + 1
        key = norm_key(m.group(key_group))
        cls = key_class(key)
        value = m.group(value_group).rstrip(".")
        start = m.start(value_group)
        if cls is None and key in _CHILD_ID_KEYS:
            cls = _parent_class(text, m.start())
        elif cls is None and key == "identifier":
            # a FHIR identifier given as a string: its parent's, or in a resource about a
            # patient the record number
            cls = _parent_class(text, m.start()) or (
                DataClass.MEDICAL_RECORD if _FHIR_RESOURCE.search(text) else None)
        elif cls is None and key == "display" and _parent_class(text, m.start()) in SITE_IDS:
            cls = DataClass.PERSON  # '"subject": {"display": "Ana Pop", ...}'
        if cls is DataClass.PERSON and any(c.isdigit() for c in value):
            # "patient=7903635", "operator: E-4471": a person's field holding a number
            # holds their record or badge number; "Ana Pop, 0160 7925057" holds a name
            # and a phone, left to the recognizers
            if not code_ok(value):
                continue
            cls = DataClass.MEDICAL_RECORD if "patient" in key else DataClass.EMPLOYEE_ID
        if key_group == 5 and cls in _EMBEDDED_IDS and " " in value:
            continue  # "Nurse Ana: bed 6 (Pop) is ...": prose after a colon, not a field value
        if cls is DataClass.SECRET and key.endswith("admin") and " " in value:
            continue  # "POS admin: user a@b.c / pass X": the admin's login, read by the rules
        secret = cls is DataClass.SECRET and not MACHINE_KEY.search(key) and (
            secret_value_ok(value) or (_PIN_KEY.search(key) is not None
                                       and value.isdigit() and 4 <= len(value) <= 8))
        identifier = cls in _EMBEDDED_DIGITS and any(c.isdigit() for c in value)
        name = (cls is DataClass.PERSON and value[:1].isupper()
                and LOOKS_LIKE_NAME.match(value) is not None)
        if cls is not None and (identifier or name or secret):
            out.append(Entity(cls, start, start + len(value), value, 0.9, "embedded_field"))
    if "|" in text:
        out += _hl7_names(text)
    if _FHIR_PERSON.search(text):
        for m in _FHIR_NAME_PART.finditer(text):
            value = m.group(1)
            if LOOKS_LIKE_NAME.match(value):
                out.append(Entity(DataClass.PERSON, m.start(1), m.end(1), value, 0.9,
                                  "embedded_field"))
    return out


# the parts of a FHIR HumanName: '"family": "Pop"', '"given": ["Ana", "Maria"]'
_FHIR_PERSON = re.compile(
    r"[\"']resourceType[\"']\s*:\s*[\"'](?:Patient|Practitioner|RelatedPerson|Person)[\"']")
_FHIR_NAME_PART = re.compile(
    r"(?:[\"']family[\"']\s*:\s*[\"']|[\"']given[\"']\s*:\s*\[\s*[\"'])([^\"'\n]{2,60})")


# HL7 v2 person names (XPN: family^given^middle^...; "~" between repeats): the patient's
# name and mother's maiden name (PID-5, PID-6), next of kin (NK1-2), the insured (IN1-16)
_HL7_NAME_FIELDS = tuple(re.compile(rf"\b{segment}([^|\r\n]{{2,160}})") for segment in (
    r"PID\|(?:[^|\r\n]*\|){4}", r"PID\|(?:[^|\r\n]*\|){5}", r"NK1\|[^|\r\n]*\|",
    r"IN1\|(?:[^|\r\n]*\|){15}"))
_HL7_REPEAT = re.compile(r"[^~]+")
_HL7_NAME_PART = re.compile(r"[^\^~&]+")


def _hl7_names(text: str) -> list[Entity]:
    out = []
    for m in (m for field in _HL7_NAME_FIELDS for m in field.finditer(text)):
        for rep in _HL7_REPEAT.finditer(m.group(1)):
            for i, part in enumerate(_HL7_NAME_PART.finditer(rep.group())):
                value = part.group()
                # family, given, middle: the components before the suffix, prefix, degree
                if rep.group().count("^", 0, part.start()) > 2 or i > 2:
                    break
                if len(value) > 1 and value[:1].isupper() and LOOKS_LIKE_NAME.match(value):
                    start = m.start(1) + rep.start() + part.start()
                    out.append(Entity(DataClass.PERSON, start, start + len(value), value, 0.9,
                                      "embedded_field"))
    return out


_CSV_SEPARATORS = (",", ";", "\t", "|")


def csv_columns(text: str) -> list[Entity]:
    """A header line of field names, then rows with as many fields: each field is read as
    the value of its column ("employee_id,name,dob,national_id,mobile"). A field in
    double quotes may hold the separator ("..., \"12 Rue X, 75002 Paris\", ...")."""
    lines = text.splitlines(keepends=True)
    out: list[Entity] = []
    offset = 0
    header: list[DataClass | None] | None = None
    sep = ","
    for line in lines:
        body = line.rstrip("\r\n")
        if header is None:
            for sep in _CSV_SEPARATORS:
                names = [f.strip() for f in body.split(sep)]
                if len(names) < 3 or not all(_HEADER_NAME.fullmatch(n) for n in names):
                    continue
                classes = [key_class(n) for n in names]
                if sum(c is not None for c in classes) >= 2:
                    header = classes
                    break
        else:
            spans = _csv_fields(body, sep)
            if len(spans) < len(header):
                header = None
            else:
                for cls, (start, end) in _aligned(header, spans):
                    value = body[start:end]
                    if cls is not None and value and (
                            cls not in _EMBEDDED_DIGITS or any(c.isdigit() for c in value)):
                        out.append(Entity(cls, offset + start, offset + end, value, 0.9,
                                          "csv_column"))
        offset += len(line)
    return out


# columns whose unquoted values may hold the separator ("Pop, Ana", "May 3, 1981")
_FREE_COLUMNS = frozenset({DataClass.PERSON, DataClass.ADDRESS, DataClass.DATE_OF_BIRTH})


def _aligned(header: list[DataClass | None], spans: list[tuple[int, int]]
             ) -> list[tuple[DataClass | None, tuple[int, int]]]:
    """Pair a row's fields with the header's columns. A row with more fields than the
    header has a separator inside an unquoted value: the columns before the first column
    that may hold one, and those after the last, still line up from their end."""
    if len(spans) == len(header):
        return list(zip(header, spans, strict=True))
    free = [i for i, cls in enumerate(header) if cls in _FREE_COLUMNS]
    if not free:
        return []
    first, last = free[0], free[-1]
    tail = len(header) - 1 - last
    return (list(zip(header[:first], spans[:first], strict=True))
            + (list(zip(header[last + 1:], spans[-tail:], strict=True)) if tail else []))


def _csv_fields(row: str, sep: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each field's value in ``row``: blanks around it and the
    double quotes of a quoted field left out."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        start = pos
        while start < len(row) and row[start] == " ":
            start += 1
        if row.startswith('"', start):
            close = row.find('"', start + 1)
            while close != -1 and row.startswith('""', close):
                close = row.find('"', close + 2)  # "" is a quote inside the field
            if close != -1:
                nxt = row.find(sep, close)
                spans.append((start + 1, close))
                if nxt == -1:
                    return spans
                pos = nxt + len(sep)
                continue
        nxt = row.find(sep, pos)
        end = len(row) if nxt == -1 else nxt
        value = row[pos:end]
        lead = len(value) - len(value.lstrip())
        spans.append((pos + lead, pos + len(value.rstrip())) if value.strip() else (end, end))
        if nxt == -1:
            return spans
        pos = nxt + len(sep)


_HEADER_NAME = re.compile(r"[A-Za-z][\w .-]{0,30}")


# "INSERT INTO operators (badge_id, full_name, ...) VALUES ('3C42876', 'Ana Pop', ...)"
_SQL_INSERT = re.compile(r"(?i)\binsert\s+into\s+[\w.`\"\[\]]+\s*\(([^()]{1,400})\)\s*values\s*")
_SQL_ROW = re.compile(r"\(((?:'(?:[^'\n]|'')*'|[^()'\n])*)\)")
_SQL_VALUE = re.compile(r"\s*('(?:[^'\n]|'')*'|[^,']*)\s*(?:,|$)")
_SQL_NEXT_ROW = re.compile(r"\s*,\s*")


def sql_columns(text: str, found: list[Entity]) -> list[Entity]:
    """The values of a SQL INSERT under a staff or record number column, where no finding
    other than a name holds them already."""
    if "insert" not in text.lower():
        return []
    taken = [(e.start, e.end) for e in found if e.type is not DataClass.PERSON]
    out = []
    for ins in _SQL_INSERT.finditer(text):
        columns = [key_class(c.strip(" `\"[]")) for c in ins.group(1).split(",")]
        if not any(c in SITE_IDS for c in columns):
            continue
        pos = ins.end()
        while (row := _SQL_ROW.match(text, pos)) is not None:
            at = row.start(1)
            for cls in columns:
                v = _SQL_VALUE.match(text, at, row.end(1))
                if v is None:
                    break
                raw = v.group(1)
                start = v.start(1) + (1 if raw.startswith("'") else 0)
                value = raw.strip("'")
                end = start + len(value)
                if (cls in SITE_IDS and value and any(c.isdigit() for c in value)
                        and not any(s < end and start < t for s, t in taken)):
                    out.append(Entity(cls, start, end, value, 0.9, "sql_column"))
                at = v.end()
            sep = _SQL_NEXT_ROW.match(text, row.end())
            if sep is None:
                break
            pos = sep.end()
    return out


