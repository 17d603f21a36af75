"""Codes written next to a name (badge or record number, by the text's subject), CSV rows
with quoted or unquoted separators inside values, and field names that outweigh shapes."""

from __future__ import annotations

import pytest

from appliance.privacy.codes import code_ok
from appliance.privacy.detect import Detector
from appliance.privacy.fields import csv_columns

from .conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # at work: a staff number, whatever its format
        ("Hearing test roster: Ana Pop (PN 40857), Jan Novak (QC221-7).", ("EMPLOYEE_ID", "PN 40857")),
        ("Hearing test roster: Ana Pop (PN 40857), Jan Novak (QC221-7).", ("EMPLOYEE_ID", "QC221-7")),
        ("Shift swap approved for Ana Pop (HR/9528/B) by the line lead.", ("EMPLOYEE_ID", "HR/9528/B")),
        ("Payroll query from Ana Pop (ID#58958) about overtime.", ("EMPLOYEE_ID", "ID#58958")),
        ("Forklift refresher: Ana Pop (works number STR-7383) passed.", ("EMPLOYEE_ID", "STR-7383")),
        ("Till 4 refund approved by cashier W50613 at 14:02.", ("EMPLOYEE_ID", "W50613")),
        ("Staff welfare note: employer staff no. ID#10254 reported a sprain.", ("EMPLOYEE_ID", "ID#10254")),
        ("Staff welfare: Ana Pop (staff 92:44652) fainted in the stockroom.", ("EMPLOYEE_ID", "92:44652")),
        # about care: the same shapes are record numbers
        ("Dr Berg to Dr Lund: thanks for seeing Ana Pop, H8133726, who has anaemia.", ("MRN", "H8133726")),
        ("Operating list\n08:30 Ana Pop (EPN225847) - a root canal\nAnaesthetist: Dr Lund", ("MRN", "EPN225847")),
        ("Lab requisition | Ana Pop | 38132647 | 1992-03-06 | tests: HbA1c", ("MRN", "38132647")),
        ("Referral: Ana Pop (PID:98422180) for a knee MRI.", ("MRN", "PID:98422180")),
    ],
)
def test_a_code_next_to_a_name_is_a_badge_at_work_and_a_record_in_care(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Ana Pop (14:30) called about the order.",
        "Ana Pop (2024) joined the night shift.",
        "Ana Pop, 0711 230932, asked for a callback.",
        "Ana Pop (10.0.0.12) could not log in.",
    ],
)
def test_times_years_phones_and_addresses_next_to_a_name_are_not_codes(
    detector: Detector, text: str
) -> None:
    assert not any(t in ("EMPLOYEE_ID", "MRN") for t, _ in found(detector, text))


@pytest.mark.parametrize(
    ("value", "ok"),
    [("P161853", True), ("PN 40857", True), ("HR/9528/B", True), ("60:12904", True),
     ("12:30", False), ("1999", False), ("10.1.2.3", False), ("12/03/1984", False),
     ("abc", False), ("P12", False)],
)
def test_code_shape(value: str, ok: bool) -> None:
    assert code_ok(value) is ok


def test_a_quoted_csv_field_may_hold_the_separator() -> None:
    text = ('mrn,family_name,given_name,birth_date,home_address,phone\n'
            '6988772,Pop,Ana,22 Mar 2003,"Rue du Rhône 62, 4051 Basel",+41 61 555 01 23')
    got = {(e.type.value, e.text) for e in csv_columns(text)}
    assert ("MRN", "6988772") in got
    assert ("ADDRESS", "Rue du Rhône 62, 4051 Basel") in got
    assert ("PHONE", "+41 61 555 01 23") in got


def test_an_unquoted_separator_in_a_free_text_column_keeps_the_other_columns_aligned() -> None:
    text = ("store,staff_no,colleague_name,work_email,birthday\n"
            "0412,05735688,Pop, Ana,ana.pop@example.com,September 15, 1967")
    got = {(e.type.value, e.text) for e in csv_columns(text)}
    assert ("EMPLOYEE_ID", "05735688") in got


def test_a_staff_number_column_outweighs_a_phone_shape(detector: Detector) -> None:
    text = "staff_ref;family;forename;birthdate;cell\n07423297;Pop;Ana;4 Dec 1982;+33 3 72 86 39 65"
    got = found(detector, text)
    assert ("EMPLOYEE_ID", "07423297") in got
    assert ("PHONE", "07423297") not in got
    assert ("PHONE", "+33 3 72 86 39 65") in got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Toolbox talk sign-in\n1. Ana Pop  ST20515\n2. Jan Novak  MNT.437.11\nTopic: lockout",
         ("EMPLOYEE_ID", "ST20515")),
        ("Toolbox talk sign-in\n1. Ana Pop  ST20515\n2. Jan Novak  MNT.437.11\nTopic: lockout",
         ("EMPLOYEE_ID", "MNT.437.11")),
        ("Dialysis list Mon/Wed: Ana Pop (UB7826811H), Jan Novak (EHR-16692674).",
         ("MRN", "UB7826811H")),
        ('{"type": "clock_in", "worker": {"id": "5921-558", "name": "Ana Pop"}}',
         ("EMPLOYEE_ID", "5921-558")),
        ('{"resourceType": "Patient", "identifier": [{"value": "2019765628"}], '
         '"name": [{"family": "Pop", "given": ["Ana"]}]}', ("MRN", "2019765628")),
        ("whatsapp: my son's hospital number is 9231533, he has asthma", ("MRN", "9231533")),
    ],
)
def test_codes_in_sign_in_sheets_care_lists_and_nested_records(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Silica surveillance for Ana Pop, DOB 11/21/1977: spirometry normal.",
        "Next of kin: Jan Novak (08065042756) was called.",
        "Refund for Ana Pop, 320.50, by card.",
    ],
)
def test_birth_dates_phones_and_amounts_next_to_a_name_are_not_codes(
    detector: Detector, text: str
) -> None:
    assert not any(t in ("EMPLOYEE_ID", "MRN") for t, _ in found(detector, text))


@pytest.mark.parametrize(
    "text",
    [
        "CONTRACTOR INDUCTION\nCompany: Tana Steel Erectors\nName: Ana Pop\n",
        '{"type": "clock_in", "site": "Debre Zeit", "worker": {"name": "Ana Pop"}}',
        "Fuel card issued to driver Ana Pop, depot Antsirabe, weekly limit 400.",
    ],
)
def test_organisations_and_places_in_their_fields_are_not_people(
    detector: Detector, text: str
) -> None:
    people = {v for t, v in found(detector, text) if t == "PERSON"}
    assert people == {"Ana Pop"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Audiometry screening flagged Ana Pop (stf68829) with tinnitus.", "stf68829"),
        ("Leaver checklist for Ana Pop: badge 73.1732 disabled, laptop returned.", "73.1732"),
        ("barcode scan 8716128998267 qty 240 bin NU2208-2RS op EE1593", "EE1593"),
        ("Drug and alcohol test, random selection: Ana Pop (W602122) - declared statins.",
         "W602122"),
    ],
)
def test_lower_case_and_dotted_staff_numbers_an_operator_field_and_a_workplace_test(
    detector: Detector, text: str, code: str
) -> None:
    assert ("EMPLOYEE_ID", code) in found(detector, text)
