"""Birth dates without separators or in the Solar Hijri calendar after a birth cue, a
DOB given as the answer to a question, any number after an identity-document word, and
phone numbers and coordinates kept from being read as IDs."""

from __future__ import annotations

import pytest

from appliance.privacy.dates import compact_or_solar_date_ok
from appliance.privacy.detect import Detector

from .conftest import found


@pytest.mark.parametrize(
    ("value", "ok"),
    [("29121987", True), ("19870721", True), ("930721", True), ("1364/03/30", True),
     ("1384/1/10", True), ("31131987", False), ("1364/07/31", False), ("12/03/1987", False),
     ("123", False), ("99999999", False)],
)
def test_compact_and_solar_dates(value: str, ok: bool) -> None:
    assert compact_or_solar_date_ok(value) is ok


@pytest.mark.parametrize(
    ("text", "dob"),
    [
        ("Pension letter for Ana Pop; born 29121987.", "29121987"),
        ("Dossier de Ana Pop (née le 760909), suivi en cours.", "760909"),
        ("Kunde Jan Novak, Geburtsdatum 02072008, neue Karte.", "02072008"),
        ("Ana Pop, born 1364/03/30, visa pending.", "1364/03/30"),
        ("Portal chat\nNurse: please confirm your date of birth\nAna: 000603", "000603"),
    ],
)
def test_birth_dates_after_a_birth_cue(detector: Detector, text: str, dob: str) -> None:
    assert ("DOB", dob) in found(detector, text)


def test_a_compact_number_with_no_birth_cue_is_no_birth_date(detector: Detector) -> None:
    assert not any(t == "DOB" for t, _ in found(detector, "Batch 29121987 shipped to bay 4."))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Visitor log: Ana Pop, kimlik/pasaport no 562-764279-3, escort Jan.", "562-764279-3"),
        ("The agency sent Ana Pop; her ID number is 44.328.217-H and she starts Monday.",
         "44.328.217-H"),
        ("پرسنل Ana Pop، کد ملی 6811613025، بخش تولید", "6811613025"),
        ("Dossier de Ana Pop, n° sécu 7593-0180-4416, traitement en cours.", "7593-0180-4416"),
        ("Appointment for Ana Pop (NIE/DNI 1045551491) - physiotherapy.", "1045551491"),
    ],
)
def test_any_number_after_an_identity_document_word(
    detector: Detector, text: str, value: str
) -> None:
    assert ("NATIONAL_ID", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Visitor Ana Pop, telefon 0901 766 9210, escort Jan.",
        "Driver Ana Pop not answering 0212582012 since noon.",
        "Tracker reported 37.90940N 46.11363E for driver Ana Pop.",
        "Trailer 20213336894 left with driver Ana Pop.",
    ],
)
def test_phones_coordinates_and_trailers_are_not_national_ids(
    detector: Detector, text: str
) -> None:
    assert not any(t == "NATIONAL_ID" for t, _ in found(detector, text))


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Called Ana Pop re: results. No answer on 6475 6619, left message.", "6475 6619"),
        ("Fehlzeitenmeldung: Ana Pop ist krank. Rückfragen unter 931 054 710.", "931 054 710"),
        ("Trả hàng: khách Ana Pop, SĐT 123432980, địa chỉ Số 4 Lê Lợi.", "123432980"),
        ("מטופל Ana Pop, טלפון 0547413991", "0547413991"),
    ],
)
def test_phone_words_of_more_languages_and_phrasings(
    detector: Detector, text: str, phone: str
) -> None:
    assert ("PHONE", phone) in found(detector, text)


@pytest.mark.parametrize(
    ("text", "dob"),
    [
        ("Surveillance result for Ana Pop, DOB 13.03.1969: spirometry normal.", "13.03.1969"),
        ("Shortlist\nAna Pop | b. 1946 оны 07 сарын 28 | +49 89 7566082", "1946 оны 07 сарын 28"),
    ],
)
def test_a_birth_date_before_a_colon_and_in_mongolian(
    detector: Detector, text: str, dob: str
) -> None:
    assert ("DOB", dob) in found(detector, text)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Mashine imesimama; fundi Ana Pop ameitwa, simu 0655745562.", "0655745562"),
        ("Paciente Ana Pop, natural de Puno. Teléfono 946 928 506.", "946 928 506"),
        ("Ажилтан: Ana Pop; утас: 09057326989; цех: 3", "09057326989"),
        ("Contractor induction\nName: Ana Pop\nMobile: +31688412258\n", "+31688412258"),
    ],
)
def test_phone_words_of_swahili_spanish_and_mongolian_and_a_plus_number_is_no_id(
    detector: Detector, text: str, phone: str
) -> None:
    assert ("PHONE", phone) in found(detector, text)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Gwaith cynnal a chadw: Ana Pop, rhif staff EE9958, ffôn 0477380265.", "0477380265"),
        ("Ana Pop can you cover Saturday? text me back on 00 49 1527 6436230", "00 49 1527 6436230"),
        ("DNAR discussion documented with Ana Pop's daughter (0614955485).", "0614955485"),
    ],
)
def test_welsh_phone_word_spaced_00_prefix_and_a_relative_s_number(
    detector: Detector, text: str, phone: str
) -> None:
    assert ("PHONE", phone) in found(detector, text)


def test_an_ip_address_after_a_phone_word_stays_an_ip_address(detector: Detector) -> None:
    got = found(detector, "Terminal for Ana Pop reachable at 172.17.214.90, hw address DCC33E857EB2")
    assert ("IP", "172.17.214.90") in got
    assert ("PHONE", "172.17.214.90") not in got
