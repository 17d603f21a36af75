"""National identity numbers found by shape and checked by python-stdnum (evidence tiers,
vetoes, time stamps, part numbers, phones), written dates in many languages and
spellings, and the recognizers added beside them: obfuscated e-mail addresses, MRNs
after hospital/case/admission numbers, IBANs in dash groups and unclaimed phone numbers
in texts about a person.

Every value expected to be found is checked against python-stdnum or phonenumbers inside
the test, so that no test passes on a bad literal."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import verhoeff
from stdnum.bg import egn
from stdnum.cl import rut
from stdnum.cn import ric
from stdnum.ee import ik
from stdnum.es import nie
from stdnum.in_ import aadhaar
from stdnum.nl import bsn
from stdnum.pl import pesel
from stdnum.ro import cnp

from appliance.privacy.dates import date_ok, find_dates
from appliance.privacy.detect import Detector
from appliance.privacy.entities import DataClass
from appliance.privacy.id_numbers import KINDS, Evidence, Kind, _valid, find_id_numbers
from appliance.privacy.recognizers import ID_VETO

from .conftest import found, iban

# --- helpers ------------------------------------------------------------------------------


def vetoed_in(text: str) -> Callable[[int], bool]:
    """The veto the detector passes: a part, order or phone word right before ``start``."""
    return lambda start: bool(ID_VETO.search(text, max(0, start - 20), start))


def ids(text: str, personal: bool = False) -> dict[str, str]:
    """The national IDs found in ``text``: value -> stdnum module that named it."""
    out = {}
    for ent in find_id_numbers(text, personal, vetoed_in(text)):
        assert ent.type is DataClass.NATIONAL_ID
        assert text[ent.start : ent.end] == ent.text
        out[ent.text] = ent.recognizer.removeprefix("id:")
    return out


def valid_kinds(compact: str) -> list[Kind]:
    """Every kind whose length and check ``compact`` passes."""
    return [k for k in KINDS if len(compact) in k.lengths and _valid(k, compact)]


def make_cnp(born: dt.date, female: bool, county: int, serial: int) -> str:
    sex = (2 if female else 1) + (4 if born.year >= 2000 else 0)
    body = f"{sex}{born:%y%m%d}{county:02d}{serial:03d}"
    return body + cnp.calc_check_digit(body)


def make_ric(district: str, born: dt.date, seq: int) -> str:
    body = f"{district}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


def make_ik(born: dt.date, female: bool, serial: int) -> str:
    century = {18: 1, 19: 3, 20: 5}[born.year // 100]
    body = f"{century + female}{born:%y%m%d}{serial:03d}"
    return body + ik.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


def make_nie(prefix: str, digits: int) -> str:
    body = f"{prefix}{digits:07d}"
    return body + nie.calc_check_digit(body)


def make_egn(born: dt.date, serial: int) -> str:
    month = born.month + {18: 20, 19: 0, 20: 40}[born.year // 100]
    body = f"{born:%y}{month:02d}{born:%d}{serial:03d}"
    return body + egn.calc_check_digit(body)


def make_pesel(born: dt.date, serial: int) -> str:
    month = born.month + {18: 80, 19: 0, 20: 20}[born.year // 100]
    body = f"{born:%y}{month:02d}{born:%d}{serial:04d}"
    return body + pesel.calc_check_digit(body)


def make_rut(body: int) -> str:
    return f"{body}{rut.calc_check_digit(str(body))}"


def make_aadhaar(body: str) -> str:
    return body + verhoeff.calc_check_digit(body)


BORN = dt.date(1985, 3, 12)
CNP = make_cnp(BORN, female=False, county=40, serial=123)
RIC_SHENZHEN = make_ric("440305", BORN, 123)  # Shenzhen's Nanshan district
RIC_X = "11010519491231002X"  # a check character X
IK = make_ik(BORN, female=False, serial=12)
NIE = make_nie("X", 1234567)
EGN = make_egn(BORN, 123)
PESEL = make_pesel(BORN, 1234)
PESEL_2000S = make_pesel(dt.date(2004, 11, 30), 567)
BSN = "123456782"  # python-stdnum has no calc for the BSN; checked below
RUT = make_rut(12345678)
AADHAAR = make_aadhaar("23456789012")


def test_the_generated_values_are_valid() -> None:
    assert cnp.is_valid(CNP)
    assert ric.is_valid(RIC_SHENZHEN) and RIC_SHENZHEN.startswith("440305")
    assert ric.is_valid(RIC_X) and RIC_X.endswith("X")
    assert ric.calc_check_digit(RIC_X) == "X"
    assert ik.is_valid(IK)
    assert nie.is_valid(NIE)
    assert egn.is_valid(EGN) and egn.is_valid("7523169263")
    assert pesel.is_valid(PESEL) and pesel.get_birth_date(PESEL) == BORN
    assert pesel.get_birth_date(PESEL_2000S) == dt.date(2004, 11, 30)
    assert bsn.is_valid(BSN) and bsn.format(BSN) == "1234.56.782"
    assert rut.is_valid(RUT) and rut.format(RUT) == "12.345.678-5"
    assert aadhaar.is_valid(AADHAAR) and aadhaar.format(AADHAAR) == "2345 6789 0124"


# --- evidence tiers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "module"),
    [
        (CNP, "ro.cnp"),
        (RIC_SHENZHEN, "cn.ric"),
        (RIC_X, "cn.ric"),
        (IK, "ee.ik"),
        (NIE, "es.nie"),
    ],
)
def test_bare_tier_numbers_are_found_with_no_cue(value: str, module: str) -> None:
    assert _valid(next(k for k in KINDS if k.module == module), value)
    assert next(k for k in KINDS if k.module == module).evidence is Evidence.BARE
    assert ids(f"Visitor {value} signed in at the gate.") == {value: module}
    assert ids(f"Visitor {value} signed in at the gate.", personal=True) == {value: module}


def test_a_bare_tier_number_is_found_at_the_end_of_a_sentence() -> None:
    assert ids(f"Applicant: {NIE}.") == {NIE: "es.nie"}
    assert ids(f"Resident card {RIC_X}.") == {RIC_X: "cn.ric"}


dates_1900_2099 = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
cnps = st.builds(
    make_cnp, dates_1900_2099, st.booleans(), st.integers(1, 46), st.integers(1, 999)
).filter(cnp.is_valid)


@given(cnps)
def test_any_valid_cnp_is_found_bare(value: str) -> None:
    assert ids(f"Applicant {value} verified.") == {value: "ro.cnp"}


@given(dates_1900_2099.filter(lambda d: d <= dt.date(2025, 1, 1)), st.integers(0, 999))
def test_any_shenzhen_resident_id_is_found_bare(born: dt.date, seq: int) -> None:
    value = make_ric("440305", born, seq)
    # stdnum's own is_valid also wants the district to have existed in the birth year
    # (Nanshan: from 1990); the detector checks the birth date and the check character
    assert ric.get_birth_date(value) == born and ric.calc_check_digit(value) == value[-1]
    assert ids(f"Guest {value} checked in.") == {value: "cn.ric"}


@pytest.mark.parametrize("value", [EGN, "7523169263", PESEL, PESEL_2000S])
def test_personal_tier_numbers_need_a_person_or_an_id_word(value: str) -> None:
    kinds = valid_kinds(value)
    assert kinds and all(k.evidence is not Evidence.BARE for k in kinds)  # no bare kind claims it
    text = f"Visitor {value} signed in at the gate."
    assert ids(text) == {}
    assert value in ids(text, personal=True)


@pytest.mark.parametrize(
    ("text", "value", "module"),
    [
        ("EGN 7523169263", "7523169263", "bg.egn"),
        (f"ЕГН: {EGN}", EGN, "bg.egn"),
        (f"PESEL {PESEL} on the form", PESEL, "pl.pesel"),
        (f"Pesel nr {PESEL_2000S}", PESEL_2000S, "pl.pesel"),
        (f"national ID {EGN}", EGN, "bg.egn"),
    ],
)
def test_personal_tier_numbers_are_found_after_an_id_word(text: str, value: str, module: str) -> None:
    assert ids(text) == {value: module}


@given(dates_1900_2099, st.integers(0, 9999))
def test_any_pesel_with_a_real_birth_date_is_found_in_a_personal_text(born: dt.date, serial: int) -> None:
    value = make_pesel(born, serial)
    assert pesel.is_valid(value) and pesel.get_birth_date(value) == born
    assert value in ids(f"Visitor {value} signed in.", personal=True)
    # found after its own ID word; another valid 11-digit kind may name it (CPF, AMKA...)
    assert value in ids(f"PESEL: {value}")


@pytest.mark.parametrize(
    ("cued", "value", "module"),
    [
        (f"BSN {BSN}", BSN, "nl.bsn"),
        (f"burgerservicenummer: {BSN}", BSN, "nl.bsn"),
        (f"RUT {rut.format(RUT)}", rut.format(RUT), "cl.rut"),
        (f"RUT: {RUT}", RUT, "cl.rut"),
        (f"Aadhaar {AADHAAR}", AADHAAR, "in_.aadhaar"),
        (f"Aadhaar no. {aadhaar.format(AADHAAR)}", aadhaar.format(AADHAAR), "in_.aadhaar"),
    ],
)
def test_cue_tier_numbers_are_found_after_an_id_word(cued: str, value: str, module: str) -> None:
    assert ids(cued) == {value: module}


@pytest.mark.parametrize(
    ("official", "module"),
    [
        (bsn.format(BSN), "nl.bsn"),  # 1234.56.782
        (rut.format(RUT), "cl.rut"),  # 12.345.678-5
        (aadhaar.format(AADHAAR), "in_.aadhaar"),  # 2345 6789 0124
    ],
)
def test_cue_tier_numbers_in_their_official_grouping_need_a_personal_text(official: str, module: str) -> None:
    kind = next(k for k in KINDS if k.module == module)
    assert kind.evidence is Evidence.CUE
    text = f"Visitor {official} signed in at the gate."
    assert ids(text) == {}
    assert ids(text, personal=True) == {official: module}


@pytest.mark.parametrize("value", [BSN, RUT, AADHAAR])
def test_cue_tier_numbers_bare_are_no_ids_without_a_person(value: str) -> None:
    assert ids(f"Visitor {value} signed in at the gate.") == {}


def test_a_bare_aadhaar_needs_an_id_word_even_in_a_personal_text() -> None:
    assert all(k.evidence is Evidence.CUE for k in valid_kinds(AADHAAR))
    assert ids(f"Visitor {AADHAAR} signed in at the gate.", personal=True) == {}


@given(st.integers(1_000_000, 99_999_999))
def test_any_rut_in_its_official_grouping_is_found_in_a_personal_text(body: int) -> None:
    value = rut.format(make_rut(body))
    assert rut.is_valid(value)
    assert value in ids(f"Cliente {value} registrado.", personal=True)
    # a "-K" RUT may also pass a Spanish DNI or Irish PPS check, and that kind names it
    assert value in ids(f"RUT {value}")


# --- what keeps a valid number out --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"Order {CNP} shipped.",
        f"Part no. {CNP} in stock.",
        f"Serial {IK} on the plate.",
        f"SKU {RIC_SHENZHEN} restocked.",
        f"Call {EGN} after six.",
        f"Tracking {NIE} delivered.",
    ],
)
def test_a_part_order_or_phone_word_vetoes(text: str) -> None:
    assert ids(text) == {}
    assert ids(text, personal=True) == {}


@pytest.mark.parametrize("word", ["arrived", "from", "since", "timestamp:"])
@pytest.mark.parametrize("value", [CNP, IK])
def test_a_number_after_a_time_word_is_no_id(word: str, value: str) -> None:
    assert ids(f"Visitor {value} signed in.") != {}  # found when no time word stands before it
    assert ids(f"Truck {word} {value} at dock 4.", personal=True) == {}


def test_a_part_number_in_a_non_official_grouping_is_no_id() -> None:
    compact = "2261181305"
    kinds = valid_kinds(compact)
    assert kinds and all(k.evidence is not Evidence.BARE for k in kinds)  # it does pass a check
    assert compact in ids(f"Anna Berg fitted {compact} today.", personal=True)
    assert ids("Anna Berg fitted 226-1181-305 today.", personal=True) == {}


def test_an_international_phone_number_is_never_an_id() -> None:
    national = make_ik(dt.date(1971, 1, 1), female=False, serial=12)
    assert national == "37101010120" and ik.is_valid(national)
    phone = "+49 371 01010120"
    assert phonenumbers.is_valid_number(phonenumbers.parse(phone))
    assert ids(f"Anna Berg's desk: {national}", personal=True) == {national: "ee.ik"}
    for written in (phone, "+4937101010120", f"+49 {national}"):
        assert ids(f"Anna Berg's desk: {written}", personal=True) == {}
        assert ids(f"Anna Berg's desk: {written}") == {}


@given(cnps, st.integers(0, 12), st.integers(1, 9))
def test_a_cnp_with_one_digit_changed_is_not_found_as_a_cnp(value: str, pos: int, shift: int) -> None:
    mutated = value[:pos] + str((int(value[pos]) + shift) % 10) + value[pos + 1 :]
    assume(not cnp.is_valid(mutated))
    found = ids(f"CNP {mutated} on file", personal=True)
    assert found.get(mutated) != "ro.cnp"
    if not valid_kinds(mutated):  # no other kind claims it: nothing is found at all
        assert found == {}


@given(st.text())
def test_valid_never_raises_on_any_text(text: str) -> None:
    for kind in KINDS:
        assert isinstance(_valid(kind, text), bool)


@given(st.text(alphabet="0123456789XKAZ -./+", max_size=24))
def test_valid_never_raises_on_number_like_text(text: str) -> None:
    for kind in KINDS:
        assert isinstance(_valid(kind, text), bool)
    ids(text, personal=True)  # checks each span against the text


# --- dates --------------------------------------------------------------------------------


def spans(text: str) -> list[str]:
    return [text[s:e] for s, e in find_dates(text)]


@pytest.mark.parametrize(
    "value",
    [
        "26 stycznia 1944",  # Polish
        "26 STYCZNIA 1944",
        "11. toukokuuta 1946",  # Finnish
        "8 Temmuz 1981",  # Turkish
        "9. března 2003",  # Czech
        "9. brezna 2003",  # Czech without diacritics
        "1999. június 29.",  # Hungarian, year first
        "3 de mayo de 1981",
        "the 25th day of December, 1993",
        "1969 May 8",
        "07SEP1985",
        "18 - 01 - 1946",
        "7/XI/1969",
    ],
)
def test_written_dates_are_found_whole(value: str) -> None:
    assert date_ok(value)
    assert spans(f"Born {value} in the old town") == [value]
    assert spans(value) == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Loaded 3 pallets 2024 units total", "3 pallets 2024"),
        ("Stamped 31 Feb 1990 on the box", "31 Feb 1990"),
        ("Stamped 30 Feb 1990 on the box", "30 Feb 1990"),
        ("Code 07XYZ1985 on the label", "07XYZ1985"),
        ("Reading 31.04.1990 on the meter", "31.04.1990"),
        ("Lot 32/13/1990 mixed", "32/13/1990"),
    ],
)
def test_non_dates_are_not_dates(text: str, value: str) -> None:
    assert not date_ok(value)
    start = text.index(value)
    assert not any(s < start + len(value) and start < e for s, e in find_dates(text))


DATE_FORMATS = (
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y-%m-%d",
    "%Y%m%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%d-%b-%Y",
    "%d%b%Y",
    "%Y %B %d",
    "%d - %m - %Y",
)


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.sampled_from(DATE_FORMATS),
    st.sampled_from([str.upper, str.lower, str]),
)
def test_any_real_date_in_any_common_format_is_found_whole(
    day: dt.date, fmt: str, case: Callable[[str], str]
) -> None:
    value = case(day.strftime(fmt))
    assert date_ok(value)
    assert spans(f"Noted {value} in the log") == [value]


# --- through the detector -----------------------------------------------------------------


def kinds_at(detector: Detector, text: str, value: str) -> set[str]:
    start = text.index(value)
    end = start + len(value)
    return {e.type.value for e in detector.detect(text) if e.start < end and start < e.end}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rota questions: ana.k [at] mail [dot] com", "ana.k [at] mail [dot] com"),
        ("Write to ana(at)seznam.cz please", "ana(at)seznam.cz"),
        ("Reach ana at mail dot com today", "ana at mail dot com"),
        ("Send it to j.novak {at} firma (dot) cz", "j.novak {at} firma (dot) cz"),
    ],
)
def test_obfuscated_emails_are_emails(detector: Detector, text: str, value: str) -> None:
    assert ("EMAIL", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Let's meet at noon. Then we load the van.",
        "Please look at site.com for the manual.",
        "Jan is at lunch. Dot the forms before two.",
    ],
)
def test_at_in_plain_prose_is_no_email(detector: Detector, text: str) -> None:
    assert "EMAIL" not in {t for t, _ in found(detector, text)}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Patient hospital number 22-114561 admitted to ward 3.", "22-114561"),
        ("Hospital number: 4411234 on the wristband.", "4411234"),
        ("Case no. 22-114561 reopened by the ward.", "22-114561"),
        ("case no. 7788123 reviewed", "7788123"),
        ("Admission no. 7788123 today.", "7788123"),
        ("admission no. 22-114561, bed 4", "22-114561"),
    ],
)
def test_mrn_after_hospital_case_and_admission_numbers(detector: Detector, text: str, value: str) -> None:
    assert ("MRN", value) in found(detector, text)


def test_an_iban_in_dash_groups_is_an_iban(detector: Detector) -> None:
    value = "DE89-3704-0044-0532-0130-00"
    assert stdnum_iban.is_valid(value)
    assert ("IBAN", value) in found(detector, f"Refund to {value} please.")


@given(st.integers(0, 2**32))
def test_any_valid_german_iban_in_dash_groups_is_found_whole(detector: Detector, seed: int) -> None:
    compact = iban(random.Random(seed), "DE")  # 22 characters: the German length
    assert stdnum_iban.is_valid(compact)
    dashed = "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    assert ("IBAN", dashed) in found(detector, f"Refund to {dashed} please.")


def test_an_unclaimed_national_phone_number_in_a_text_naming_a_person_is_a_phone(detector: Detector) -> None:
    value = "030 / 1234567"
    assert phonenumbers.is_valid_number(phonenumbers.parse(value, "DE"))
    assert ("PHONE", value) in found(detector, f"Ask Anna Berg. Questions to {value}")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Anna Berg updated the firmware to 2.19.0.119 today.", "2.19.0.119"),
        ("Anna Berg swapped 5732-403-57 on line 2.", "5732-403-57"),
        ("Anna Berg checked the Fridge (74) 5767-395 today.", "Fridge (74) 5767-395"),
        ("Anna Berg reported Fridge (74) 5767-395 warm.", "Fridge (74) 5767-395"),
    ],
)
def test_versions_and_part_numbers_in_a_text_naming_a_person_are_no_phones(
    detector: Detector, text: str, value: str
) -> None:
    assert ("PERSON", "Anna Berg") in found(detector, text)
    assert "PHONE" not in kinds_at(detector, text, value)


@pytest.mark.parametrize("field", ["disk_free_bytes", "certificate_serial", "uptime_seconds"])
def test_a_number_a_machine_filled_in_is_no_identifier_whatever_check_it_passes(
    detector: Detector, field: str
) -> None:
    # 11 digits with an Estonian birth date and check digit: found in free text
    number = "3900101000" + ik.calc_check_digit("3900101000")
    assert ik.is_valid(number)
    assert [e.type.value for e in detector.detect(f"ID {number}")] == ["NATIONAL_ID"]
    assert detector.detect(number, field) == []
    assert [e.type.value for e in detector.detect(number, "patient_note")] == ["NATIONAL_ID"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Insurance check for Ana Pop, born 21 May 1974, ID S1234567D.", "S1234567D"),  # SG NRIC
        ("Ana Pop, HKID A123456(3), seen today.", "A123456(3)"),  # the card's own printed form
        ("Ana Pop, Taiwan ID A123456789, seen today.", "A123456789"),  # Taiwan
    ],
)
def test_asian_identity_cards_checked_by_their_own_check_characters(
    detector: Detector, text: str, value: str
) -> None:
    assert ("NATIONAL_ID", value) in found(detector, text)
    wrong = value[:-2] + ("0" if value[-2] != "0" else "1") + value[-1]  # one digit off
    assert ("NATIONAL_ID", wrong) not in found(detector, text.replace(value, wrong))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("audit user=x action=view_record patient=7903635 src=10.0.0.1", ("MRN", "7903635")),
        ('{"operator": "Ana Pop", "badge": "W/2077"}', ("EMPLOYEE_ID", "W/2077")),
        ("Next of kin: Ana Pop (son). Patient K3260150.", ("MRN", "K3260150")),
        ("Ward round: Ana Pop, hosp. no. 1110008341. Known IBS.", ("MRN", "1110008341")),
        ("Paziente Ana Pop, nato/a il 10 March 1983, documento A123456789.", ("DOB", "10 March 1983")),
        ("Ana Pop, 19730216 - a peanut allergy", ("DOB", "19730216")),
        ("District nurse visit: Ana Pop, key safe code Monkey2025!, location 52.98, 3.11.",
         ("SECRET", "Monkey2025!")),
    ],
)
def test_record_badge_birth_and_code_forms_from_retired_blind_set_b7(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Witness: HETTIARACHCHI Marwin. First aid given by Ana.", ("PERSON", "HETTIARACHCHI Marwin")),
        ("Klant JAYASURIYA Uditha wil het geld terug.", ("PERSON", "JAYASURIYA Uditha")),
        ("Return-to-work form: Ana Pop, DOB 12/30/1970. Diagnosis hipertensión arterial, currently "
         "taking prednisolone.", ("HEALTH", "hipertensión arterial")),
        ("Ward round: Ana Pop, hosp. no. 5997968. Known T2DM. Plan: continue.", ("HEALTH", "T2DM")),
        ("Incident report - Ana Pop caught her thumb in the pallet wrapper at the slitter.",
         ("HEALTH", "caught her thumb")),
    ],
)
def test_surname_first_names_and_conditions_after_a_diagnosis_word(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    "text",
    ["Ana Pop signed the SOP HMI Update form.", "Ana Pop checked the PLC Cabinet twice."],
)
def test_capitalised_acronyms_before_a_word_are_not_a_surname_first_name(
    detector: Detector, text: str
) -> None:
    assert {v for k, v in found(detector, text) if k == "PERSON"} == {"Ana Pop"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Payroll query from Ana Pop (P161853): the slip is wrong.", ("EMPLOYEE_ID", "P161853")),
        ("Payroll query from Ana Pop (HR-2023-9607): the slip is wrong.", ("EMPLOYEE_ID", "HR-2023-9607")),
        ("Send it to Ana Pop, 439 Olympic-ro, Gangnam-gu, Seoul 09516.",
         ("ADDRESS", "439 Olympic-ro, Gangnam-gu, Seoul 09516")),
        ("Nurse visit: Ana Pop, 4-4-6 Shiba, Minato-ku, Tokyo 105-6998, code 1234.",
         ("ADDRESS", "4-4-6 Shiba, Minato-ku, Tokyo 105-6998")),
    ],
)
def test_staff_numbers_after_a_name_and_east_asian_addresses(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


def test_a_phone_number_in_brackets_after_a_name_stays_a_phone(detector: Detector) -> None:
    assert kinds_at(detector, "Callback: Anna Berg (0711 230932) today.", "0711 230932") == {"PHONE"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Occupational referral: Ana Pop, staff H51/4791, is on stress leave.", ("EMPLOYEE_ID", "H51/4791")),
        ("Staff discount card PN-57870 belongs to Ana Pop.", ("EMPLOYEE_ID", "PN-57870")),
        ("Please update the bank details for Ana Pop, 50512158: new account.", ("EMPLOYEE_ID", "50512158")),
        ("Discharge summary: Ana Pop, E1616177, admitted with a stomach ulcer.", ("MRN", "E1616177")),
        ("patients.csv row: URN700004;Ana Pop;2/23/1973", ("MRN", "URN700004")),
        ("HN 30-81536 | Ana Pop | penicillin allergy", ("MRN", "HN 30-81536")),
        ("Contractor induction done: Ana Pop, born 02JUL89, company van.", ("DOB", "02JUL89")),
        ("Contractor induction done: Ana Pop, born 1964年10月7日, company van.", ("DOB", "1964年10月7日")),
    ],
)
def test_staff_and_record_numbers_and_dates_from_retired_blind_set_b8(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SMS: your parcel is waiting at the locker. Code KX37pDrXkH. Enjoy!", ("SECRET", "KX37pDrXkH")),
        ("Locker 118 reassigned from Ana Pop; padlock code Letmein@1!.", ("SECRET", "Letmein@1!")),
        ("[smtp]\nuser = ops@plant.local\npassword = l;ylfu57\n", ("SECRET", "l;ylfu57")),
        ("Shop Wi-Fi for staff: SSID MB-STAFF, password 84572673", ("SECRET", "84572673")),
        ("SMS from Ana Pop: stuck at the hospital, I was struck by a swinging hook.",
         ("HEALTH", "was struck by")),
        ("Ambulance handover: Ana Pop, found at the gate; a graze on both palms.",
         ("HEALTH", "a graze on both palms")),
        ("Ana Pop from the Rayong line called in: she has dengue.", ("HEALTH", "dengue")),
        ("Discharge summary: Ana Pop, HN 39-68386, admitted with G6PD deficiency.",
         ("HEALTH", "G6PD deficiency")),
    ],
)
def test_typed_codes_and_health_from_retired_blind_set_b8(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize("text", ["Ana Pop: flash code v2.3.1-beta.", "Ana Pop: error code E4711 again."])
def test_versions_and_error_codes_after_code_are_no_secrets(detector: Detector, text: str) -> None:
    assert not {k for k, _ in found(detector, text)} & {"SECRET"}


def test_a_csv_header_names_the_class_of_every_field_below_it(detector: Detector) -> None:
    text = ("employee_id,name,dob,national_id,mobile\n"
            "LDN372089,Ana Pop,11APR50,500910-14-5104,015123498505\n")
    assert {("EMPLOYEE_ID", "LDN372089"), ("PERSON", "Ana Pop"), ("DOB", "11APR50"),
            ("NATIONAL_ID", "500910-14-5104"), ("PHONE", "015123498505")} <= found(detector, text)


def test_a_csv_without_a_telling_header_is_not_read_by_column(detector: Detector) -> None:
    text = "part,qty,lot\nA5E-1234,12,L2516-808\n"
    assert found(detector, text) == set()


def test_yaml_quoted_values_under_telling_keys(detector: Detector) -> None:
    text = 'customer:\n  name: "Ana Pop"\n  birthday: "25/06/2493"\n  loyalty_phone: "0612326033"\n'
    assert {("DOB", "25/06/2493"), ("PHONE", "0612326033")} <= found(detector, text)


@pytest.mark.parametrize(
    "value", ["6 ก.ย. 2515", "8 เม.ย. 02", "25/06/2493", "16. 8. 1963"]
)
def test_thai_buddhist_era_and_spaced_czech_dates(value: str) -> None:
    text = f"born {value}, ok"
    assert [text[s:e] for s, e in find_dates(text)] == [value]


def test_a_buddhist_era_year_is_converted_before_the_calendar_check() -> None:
    assert date_ok("29/02/2543")  # 2000, a leap year
    assert not date_ok("29/02/2544")  # 2001


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Ana Pop, SNILS 112-233-445 95, joined.", "112-233-445 95"),
        ("Ana Pop, n.º 00000000 0 ZZ4, morada Lisboa.", "00000000 0 ZZ4"),
    ],
)
def test_snils_and_portuguese_citizen_card(detector: Detector, text: str, value: str) -> None:
    assert ("NATIONAL_ID", value) in found(detector, text)


def test_prose_after_a_colon_is_no_field_value(detector: Detector) -> None:
    text = "Chat - Nurse Wankon: bed 6 (Yapalohit) is NBM from midnight."
    assert not {k for k, _ in found(detector, text)} & {"EMPLOYEE_ID", "MRN"}


def test_a_surname_comma_given_name_is_kept_out_of_the_address_it_opens(detector: Detector) -> None:
    text = "Pharmacy delivery note: to TANTHANUT, Natya, 186 avenue Voltaire, 35078 Rennes. Contents: x."
    assert {("PERSON", "TANTHANUT, Natya"), ("ADDRESS", "186 avenue Voltaire, 35078 Rennes")} <= found(
        detector, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi Ana, can you confirm your ID number 784-1992-2262694-9 please?",
         ("NATIONAL_ID", "784-1992-2262694-9")),
        ("Return-to-work plan for Ana Pop (276693): light duties only, known a peanut allergy.",
         ("EMPLOYEE_ID", "276693")),
        ("Medical surveillance list: Ana Pop, 33:11579, audiogram due.", ("EMPLOYEE_ID", "33:11579")),
        ('{"event": "gate_entry", "card": "W4646", "holder": "Ana Pop"}', ("EMPLOYEE_ID", "W4646")),
        ("ADT^A04 | PID|1||367995719^^^MAIN^MR||Pop^Ana||23 November 1992|F", ("MRN", "367995719")),
        ("Home care stop 4 - Ana Pop, wound dressing; access code for key safe 880882.",
         ("SECRET", "880882")),
        ("The admin password was changed to WDZT-rw2n-MySn by Ana Pop.", ("SECRET", "WDZT-rw2n-MySn")),
        ('integration.yaml\nstaff_password: "861366"\n', ("SECRET", "861366")),
    ],
)
def test_ids_records_and_codes_from_retired_blind_set_b9(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fitness-for-work review: Ana Pop (staff no. X64920A) may return.", ("EMPLOYEE_ID", "X64920A")),
        ("Bus pass form - name Ana Pop, home Jabotinsky St. 25, Apt 4, Herzliya, Israel, ok.",
         ("ADDRESS", "Jabotinsky St. 25, Apt 4, Herzliya, Israel")),
        ("ts=1765750821 lvl=ERROR src=172.16.55.182 dst_mac=5caeef:50ed0e detail=x",
         ("MAC", "5caeef:50ed0e")),
        ("Geofence alert: tug left zone at N45°22.129 E009°23.458; badge 00130092 (Ana Pop).",
         ("GPS", "N45°22.129 E009°23.458")),
        ("Nurse log: Ana Pop came in and ruptured an Achilles tendon.", ("HEALTH", "ruptured an Achilles tendon")),
        ("Community nurse visit: Ana Pop; keypad code for door tigger1995.", ("SECRET", "tigger1995")),
    ],
)
def test_staff_addresses_network_and_codes_from_retired_blind_set_b10(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("SMS from 0685306295: hi its Karmel, can't come in today.", "Karmel"),
        ("ward chat\nMikhol: bay 3 is asking for pain relief\nSivon: she had 0.5 mg at 14:00", "Mikhol"),
        ("Registration\nSurname: Alkovi\nGiven names: Nay\nBorn on: April 14, 1973", "Nay"),
    ],
)
def test_names_people_give_themselves_chat_speakers_and_form_fields(
    detector: Detector, text: str, name: str
) -> None:
    assert ("PERSON", name) in found(detector, text)


def test_chat_roles_are_no_speaker_names(detector: Detector) -> None:
    text = "Chat transcript\nAgent: can I have your date of birth?\nCustomer: sure\nAgent: thanks"
    assert not {v for k, v in found(detector, text) if k == "PERSON"} & {"Agent", "Customer"}
