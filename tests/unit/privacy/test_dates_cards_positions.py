"""Dates of birth in any written form, cards by IIN and Luhn in any grouping, map pins
and machine offsets, 8-digit national phone numbers, calendar words that are no names
(the recognizers added after the blind set b4)."""

from __future__ import annotations

import pytest

from appliance.privacy.cards import card_number_ok
from appliance.privacy.dates import date_ok, find_dates
from appliance.privacy.detect import Detector

from .conftest import found


@pytest.mark.parametrize(
    "value",
    ["14th of October 1989", "06-NOV-1991", "7/XI/1969", "19520422", "3. März 1981",
     "1er mai 1981", "3 de marzo de 1981", "May 3rd, 1981", "MAY 03 1981", "3.V.1981",
     "1981-V-03", "1981.05.03.", "03 05 1981", "9-Aug-90", "10/16/1990", "14 luglio 2003"],
)
def test_written_dates_are_found_whole(value: str) -> None:
    text = f"seen {value} here"
    assert [text[a:b] for a, b in find_dates(text)] == [value]


@pytest.mark.parametrize("value", ["31/02/1990", "13/13/1990", "19521341", "30 February 1980"])
def test_impossible_days_are_not_dates(value: str) -> None:
    assert not date_ok(value)


@pytest.mark.parametrize(
    ("text", "dob"),
    [
        ("Visitor: Anna Kowalski, born 14th of October 1989.", "14th of October 1989"),
        ("Patient (DOB 7/XI/1969) seen today.", "7/XI/1969"),
        ("geboren am 3. März 1981", "3. März 1981"),
        ("fecha de nacimiento: 3 de marzo de 1981", "3 de marzo de 1981"),
        ("date of birth 19520422", "19520422"),
    ],
)
def test_dates_next_to_birth_cues_are_dobs(detector: Detector, text: str, dob: str) -> None:
    assert ("DOB", dob) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    ["Batch MFG 2026-03-14 released at 14:22.", "Log Thu Jul 3 14:22:05 2026 shows the fault",
     "EXP 03/2027 on the label", "best before 14 September 2027"],
)
def test_machine_dates_are_not_dobs_or_names(detector: Detector, text: str) -> None:
    assert not {t for t, _ in found(detector, text)} & {"DOB", "PERSON"}


@pytest.mark.parametrize(
    ("number", "ok"),
    [("30569309025904", True),  # Diners, 14 digits
     ("6759649826438453", True),  # Maestro, 16
     ("6759000000000000005", True),  # Maestro, 19
     ("378282246310005", True),  # Amex, 15
     ("352099001761481", False),  # 15 digits from 35: an IMEI length, no JCB
     ("4111111111111112", False),  # Visa prefix, wrong Luhn digit
     ("7111111111111111", False)],  # no scheme starts with 7
)
def test_card_numbers_need_a_scheme_and_luhn(number: str, ok: bool) -> None:
    assert card_number_ok(number) is ok


@pytest.mark.parametrize(
    ("text", "card"),
    [("Paid with 3056 930902 5904 yesterday.", "3056 930902 5904"),
     ("Paid with 6759649826438453 yesterday.", "6759649826438453"),
     ("Charged 6759 6498 2643 8453 on Friday", "6759 6498 2643 8453")],
)
def test_cards_in_any_grouping_without_a_card_word(detector: Detector, text: str, card: str) -> None:
    assert ("CARD", card) in found(detector, text)


@pytest.mark.parametrize("text", ["IMEI 352099001761481 registered", "serial 6759649826438453"])
def test_digit_runs_named_as_something_else_are_no_cards(detector: Detector, text: str) -> None:
    assert "CARD" not in {t for t, _ in found(detector, text)}


def test_a_map_pin_is_a_position_and_a_door_pin_a_secret(detector: Detector) -> None:
    got = found(detector, "GPS pin for Anna Kowalski: 48.13740, 11.57550")
    assert ("GPS", "48.13740, 11.57550") in got
    assert "SECRET" not in {t for t, _ in got}
    assert ("SECRET", "4821#7") in found(detector, "PIN for the door: 4821#7")


@pytest.mark.parametrize(
    "text",
    ["Probe reports 43.6988, 29.9805 (probe offsets) on spindle 2",
     "stage offset 12.50871, -3.20455 after homing"],
)
def test_offsets_are_readings_not_positions(detector: Detector, text: str) -> None:
    assert "GPS" not in {t for t, _ in found(detector, text)}


def test_eight_digit_national_numbers_after_a_phone_word(detector: Detector) -> None:
    assert ("PHONE", "32128609") in found(detector, "Ring me on 32128609 later")
    assert "PHONE" not in {t for t, _ in found(detector, "Quote request for 0166-6720-61 today")}


def test_names_beside_calendar_words(detector: Detector) -> None:
    assert ("PERSON", "May Jones") in found(detector, "Ask May Jones about it")
    assert ("PERSON", "Jan Kowalski") in found(detector, "Jan Kowalski called")
    assert ("PERSON", "Jan Novak") in found(detector, "On Sep 12 Jan Novak left")
