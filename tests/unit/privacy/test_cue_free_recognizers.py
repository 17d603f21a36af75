"""Values with no cue word, and the notations added after the blind set b5: dates of
birth in texts about a person, checked national IDs as bare digits, MACs and GPS in
more notations, passwords after "is", phone numbers of any country after a phone
word or a name -- and the part numbers, stamps and readings that must stay out."""

from __future__ import annotations

import pytest

from appliance.privacy.detect import Detector
from appliance.privacy.settings import PrivacyConfig

from .conftest import found


def kinds(detector: Detector, text: str, value: str) -> set[str]:
    start = text.index(value)
    end = start + len(value)
    return {e.type.value for e in detector.detect(text) if e.start < end and start < e.end}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Loyalty desk: Anna Berg updated her birthday to 4.X.1978 today.", "4.X.1978"),
        ("Payroll row: Jan Novak; 12/03/1961; account closed.", "12/03/1961"),
        ("Visitor Maria Lopez, 3 May 1981, escorted to bay 2.", "3 May 1981"),
        ("Patient MRN-1234567 seen; 1954-02-28 on file.", "1954-02-28"),
    ],
)
def test_a_birth_era_date_in_a_text_about_a_person_is_a_dob(
    detector: Detector, text: str, value: str
) -> None:
    assert ("DOB", value) in found(detector, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Anna Berg checked lot 4711, exp 12/03/2011.", "12/03/2011"),
        ("Jan Novak logged the fault at 2014-05-03 14:22.", "2014-05-03"),
        ("Maria Lopez: calibration due 01.02.2015 on the gauge.", "01.02.2015"),
        ("Jan Novak shipped the order on 2025-03-03.", "2025-03-03"),
        ("Counter reset 2014-05-03, nobody named here.", "2014-05-03"),
    ],
)
def test_dates_stamped_on_things_or_events_are_no_dob(
    detector: Detector, text: str, value: str
) -> None:
    assert "DOB" not in kinds(detector, text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Payroll needs your 542 77 0994 by Friday.", "542 77 0994"),  # US SSN, spaced
        ("Referral: Anna Berg (681219 344 16), plan review.", "681219 344 16"),  # Belgian NN
        ("Referral: Anna Berg (6909192796), plan review.", "6909192796"),  # rodné číslo
        ("Payroll needs your 44051401359 by Friday.", "44051401359"),  # PESEL
        ("New starter, NI 1604626399, bank to follow.", "1604626399"),  # CPR after an ID word
    ],
)
def test_checked_national_ids_need_no_id_word(detector: Detector, text: str, value: str) -> None:
    assert ("NATIONAL_ID", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Order 44051401359 shipped.",  # a valid PESEL behind an order word
        "Call 6909192796 after six.",  # a valid rodné číslo behind a phone word
        "Serial 542 77 0994 on the plate.",
    ],
)
def test_checked_ids_behind_part_or_phone_words_are_no_ids(detector: Detector, text: str) -> None:
    assert not any(t == "NATIONAL_ID" for t, _ in found(detector, text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("MAC C701D9-167348 on port 3.", "C701D9-167348"),
        ("arp shows 0:1b:2c:3:4d:5e on vlan 20.", "0:1b:2c:3:4d:5e"),
        ("ether 001a2b3c4d5e brd ff:ff:ff:ff:ff:ff", "001a2b3c4d5e"),
        ("switch port learned 0023.4567.89ab", "0023.4567.89ab"),
    ],
)
def test_macs_in_every_common_notation(detector: Detector, text: str, value: str) -> None:
    assert ("MAC", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Part 123456-789012 in stock.",  # digits only: a part number
        "Serial 001A2B3C4D5E on the label.",  # bare hex with no network word
        "PN ABCDEF-ABCDEF reordered.",
    ],
)
def test_hex_and_digit_runs_without_network_words_are_no_macs(
    detector: Detector, text: str
) -> None:
    assert not any(t == "MAC" for t, _ in found(detector, text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Drop pin: S 25° 22.394 W 104° 13.676", "S 25° 22.394 W 104° 13.676"),
        ("Meet at 17d 30m 12s N, 44d 6m 7s E", "17d 30m 12s N, 44d 6m 7s E"),
        ("location +48.1374+011.5755/ near gate", "+48.1374+011.5755/"),
        ("location +4808+01134/ near gate", "+4808+01134/"),
    ],
)
def test_coordinates_in_more_notations(detector: Detector, text: str, value: str) -> None:
    assert ("GPS", value) in found(detector, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Wi-Fi for the contractors this week is Seoul47! (ask Kim).", "Seoul47!"),
        ("Portal login for kim@example.org was reset to poutine_kimchi_610", "poutine_kimchi_610"),
        ("The door code for the cage is 4821 until Friday.", "4821"),
        ("secrets: redis://:8zEa1SzBiPSnOfqfjccY@cache5.plant.internal:6379/0", "8zEa1SzBiPSnOfqfjccY"),
    ],
)
def test_passwords_after_is_and_reset_to(detector: Detector, text: str, value: str) -> None:
    assert ("SECRET", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "The error code is E4201 on the drive.",
        "Vendor login for the portal is plant-ops, ask IT.",
        "The password policy is strict.",
        "Zip code is 90210.",
    ],
)
def test_codes_usernames_and_words_after_is_are_no_passwords(
    detector: Detector, text: str
) -> None:
    assert not any(t == "SECRET" for t, _ in found(detector, text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Hand-over: call (11) 96123-4178 if it jams.", "(11) 96123-4178"),  # Brazil
        ("Confirm on 011 972 50-234-5573 please.", "011 972 50-234-5573"),  # 011 prefix
        ("Callback list: Anna Berg 0711230932, Jan Novak +420 601 123 456.", "0711230932"),
    ],
)
def test_phone_numbers_of_any_country_after_a_phone_word_or_a_name(
    detector: Detector, text: str, value: str
) -> None:
    assert ("PHONE", value) in found(detector, text)


def test_postcodes_after_a_name_are_no_phones() -> None:
    detector = Detector(PrivacyConfig())
    text = "Click & collect for Vikas Rao, Calle Las Mosquetas 726, Paiguano, 4772590, today."
    assert "PHONE" not in kinds(detector, text, "4772590")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Payroll row: Anna Berg; 111222333; started Monday.", "111222333"),  # BSN, 11-proof
        ("Anna Berg gave 811218-9876 at the desk.", "811218-9876"),  # personnummer
        ("Anna Berg gave 1237 010180 at the desk.", "1237 010180"),  # SVNR
    ],
)
def test_checked_ids_in_a_text_about_a_person(detector: Detector, text: str, value: str) -> None:
    assert ("NATIONAL_ID", value) in found(detector, text)


def test_a_checked_nine_digit_number_with_nobody_named_is_no_id(detector: Detector) -> None:
    assert not any(t == "NATIONAL_ID" for t, _ in found(detector, "Bin 111222333 is full."))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Gateway lost contact at 1759764190.", "1759764190"),  # Unix time
        ("Shelf-edge labels printed for 4219277880185; Anna put them up.", "4219277880185"),
        ("Printer 6456184130 at the packing bench is jammed.", "6456184130"),
    ],
)
def test_stamps_barcodes_and_device_numbers_stay_out(
    detector: Detector, text: str, value: str
) -> None:
    assert kinds(detector, text, value) == set()


def test_a_short_random_key_with_no_cue_is_a_secret(detector: Detector) -> None:
    text = "left in the job log: Q8rfZcVGRkT4mPz9XaW2 oops"
    assert ("SECRET", "Q8rfZcVGRkT4mPz9XaW2") in found(detector, text)


@pytest.mark.parametrize("value", ["ThisIsAVeryLongIdentifier2024", "OrderRef2024AbcDef12",
                                   "3f2b9c0e-7d41-4a57-9a1e-5b2c8d7e6f10"])
def test_identifiers_and_uuids_are_no_secrets(detector: Detector, value: str) -> None:
    assert kinds(detector, f"field {value} set", value) == set()
