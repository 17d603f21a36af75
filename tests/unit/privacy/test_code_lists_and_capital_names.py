"""Record and badge numbers after a record or staff word and in lists of people, names
written all in capitals, people hurt at work, and addresses after a label, a delivery or
in Cyrillic script."""

from __future__ import annotations

import pytest

from appliance.privacy.codes import code_ok
from appliance.privacy.detect import Detector

from .conftest import found


@pytest.mark.parametrize("value", ["51#1906", "39 6404 358", "KNH-2017-642920", "QEH 6162/68",
                                   "CHPF.98768", "K32.969.72", "2026/918400", "787961-9"])
def test_site_number_shapes_are_codes(value: str) -> None:
    assert code_ok(value)


@pytest.mark.parametrize("value", ["14:05", "2026", "12.50", "10.0.0.7", "2026-03-01", "12/03/2026"])
def test_times_years_amounts_ips_and_dates_are_not_codes(value: str) -> None:
    assert not code_ok(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Discharge summary for Ana Pop, hospital number 41 7702 615, sent to the GP.",
         ("MRN", "41 7702 615")),
        ("Centre de santé Faaa: Teva Pito, n° dossier RTH/20417, rappel DTP fait.", ("MRN", "RTH/20417")),
        ("Co-pay receipt, patient Ana Pop, record 318204-7, physiotherapy x4.", ("MRN", "318204-7")),
        ("Canteen fraud review: Jan Novak, employee 44#2071, voided 12 meals.", ("EMPLOYEE_ID", "44#2071")),
        ("Welding bay - new starter Ana Pop, clock number T41.207.88, induction done.",
         ("EMPLOYEE_ID", "T41.207.88")),
    ],
)
def test_a_record_or_staff_word_takes_any_site_format(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


def test_a_bare_record_word_outside_care_is_no_record_number(detector: Detector) -> None:
    text = "Line 3 set a new output record 118204 units on the night shift."
    assert not any(cls == "MRN" for cls, _ in found(detector, text))


def test_numbers_in_a_clinic_list_of_people_are_record_numbers(detector: Detector) -> None:
    text = ("Dr Lund's clinic list: Ana Pop 60418822, Vaimiti Teriierooiterai RTH/20417, "
            "H.M. Taitano 33 4120 977.")
    got = found(detector, text)
    assert {("MRN", "60418822"), ("MRN", "RTH/20417"), ("MRN", "33 4120 977")} <= got
    assert ("PERSON", "H.M. Taitano") in got


def test_numbers_in_a_callback_list_stay_phone_numbers(detector: Detector) -> None:
    got = found(detector, "Callback list: Anna Berg 0711 230932, Jan Novak 22 345274.")
    assert not any(cls in ("MRN", "EMPLOYEE_ID") for cls, _ in got)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Self-checkout camera flagged KOFFI ATSUTSE (E-118204) scanning one item twice.",
         "KOFFI ATSUTSE"),
        ("Please pay the boot allowance for AIKHAL NIKIFOROV (545313) this month.", "AIKHAL NIKIFOROV"),
        ("Bay 4 sign-out: KONATÉ Siaka took the torque wrench.", "KONATÉ Siaka"),
        ("Leaver: SADULAYEV Turpal-Ali, locker 12 emptied.", "SADULAYEV Turpal-Ali"),
    ],
)
def test_names_in_capitals_are_found(detector: Detector, text: str, name: str) -> None:
    assert ("PERSON", name) in found(detector, text)


@pytest.mark.parametrize("text", ["WARNING: PUMP FAILURE ON LINE 3, CALL MAINTENANCE",
                                  "Reorder the ACME PUMP (P-1234) seals before Friday."])
def test_shouted_alarms_and_product_names_are_not_people(detector: Detector, text: str) -> None:
    assert not any(cls == "PERSON" for cls, _ in found(detector, text))


def test_a_person_hurt_at_work_is_named(detector: Detector) -> None:
    got = found(detector, "Tehaamoana caught a hand in the press guard on line 2, graze only.")
    assert ("PERSON", "Tehaamoana") in got


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Payroll please change Ana Pop's postal address to Kingsway, Maseru 100, Lesotho - "
         "the payslip bounced.", "Kingsway, Maseru 100, Lesotho"),
        ("Home delivery for Jan Novak, born 12.03.1961 (age check), to Flat 4, 18 Causewayhead\n"
         "Penzance TR18 2SW.", "Flat 4, 18 Causewayhead\nPenzance TR18 2SW"),
        ("District nurse visit for Ana Pop at Niels Finsens gøta 7, FO-100 Tórshavn; key in the box",
         "Niels Finsens gøta 7, FO-100 Tórshavn"),
        ("Доставка: ул. Ленина, д. 19, кв. 31, Якутск, 677000.", "ул. Ленина, д. 19, кв. 31, Якутск, 677000"),
        ('{"order":"SO-2231","ship":"Plot 8324, Tlokweng, Botswana"}', "Plot 8324, Tlokweng, Botswana"),
    ],
)
def test_addresses_after_labels_deliveries_and_in_cyrillic(
    detector: Detector, text: str, address: str
) -> None:
    assert ("ADDRESS", address) in found(detector, text)


def test_a_street_named_after_a_person_stays_in_the_address(detector: Detector) -> None:
    got = found(detector, "Send the P60 to Moshoeshoe Rd, Maseru 100, Lesotho please.")
    assert ("ADDRESS", "Moshoeshoe Rd, Maseru 100, Lesotho") in got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"resourceType":"Patient","identifier":"GMH-A514001","birthDate":"1991-11-28"}',
         ("MRN", "GMH-A514001")),
        ("crew_id;name;mobile\nGAB/9172;Ana Pop;+223 20 22 36 96", ("EMPLOYEE_ID", "GAB/9172")),
        ('{"type":"lone_worker_alarm","wearer":"Ana Pop","fw":"2025.10.4"}', ("PERSON", "Ana Pop")),
    ],
)
def test_more_field_names(detector: Detector, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Claim for Ana Pop, ID 23.155.671-0: knee replacement approved.", "23.155.671-0"),
        ("Layaway for Jan Novak, ID 71.460.703-W, deposit paid.", "71.460.703-W"),
        ("Il-pazjent Ana Pop, numru tal-karta 6211031971085, appuntament.", "6211031971085"),
    ],
)
def test_identity_numbers_before_a_colon_with_a_check_letter_or_luhn_checked(
    detector: Detector, text: str, value: str
) -> None:
    assert ("NATIONAL_ID", value) in found(detector, text)


def test_a_part_revision_letter_is_no_identity_check_letter(detector: Detector) -> None:
    got = found(detector, "Ana Pop swapped housing 7146-0703-W on press 2.")
    assert not any(cls == "NATIONAL_ID" for cls, _ in got)


def test_a_13_digit_luhn_number_after_a_card_word_stays_a_card(detector: Detector) -> None:
    assert ("CARD", "6211031971085") in found(detector, "Paid by card 6211031971085 at till 3.")


@pytest.mark.parametrize(
    "text",
    [
        "Nthabiseng, mohala 0519541062, o tla fihla hosane.",
        "Jógvan fekk skaða, ringið 0778965651.",
        "Hi Lesedi, your cleaning is tomorrow 09:15. Reply to 79116227 to move it.",
        "hi Teva! the driver rings 87.48.06.65 first",
    ],
)
def test_phone_words_in_many_languages_and_dotted_pairs(detector: Detector, text: str) -> None:
    assert any(cls == "PHONE" for cls, _ in found(detector, text))


def test_an_address_reachable_at_stays_an_ip(detector: Detector) -> None:
    assert ("IP", "10.12.14.16") in found(detector, "Ana Pop's laptop is reachable at 10.12.14.16")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hearing surveillance list: Ana Pop, 90508965, audiogram due; JAN NOVAK, 895096, asthma.",
         ("EMPLOYEE_ID", "895096")),
        ("Audiometry flagged Ana Pop (DKR-388) with tinnitus.", ("EMPLOYEE_ID", "DKR-388")),
        ("Sale refused to Ana Pop, cashier 93.9568.", ("EMPLOYEE_ID", "93.9568")),
        ("Dokter Berg: pasienti Ana Pop, nomoro 7842486, qaama asthma.", ("MRN", "7842486")),
        ("PV1|1|I|ICU^04^B||||0047^ATTEND|||||||||||QMC.932352", ("MRN", "QMC.932352")),
        ("NOK changed on UHID8306531831: now her brother.", ("MRN", "UHID8306531831")),
        ("employee_number,last_name,first_name\n663612,Doron,Jori", ("EMPLOYEE_ID", "663612")),
    ],
)
def test_staff_and_record_numbers_in_lists_segments_and_columns(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Absence: ISHIMWE HABYARIMANA on a medical exemption until the 20th.", "ISHIMWE HABYARIMANA"),
        ("Kahaleua - fell from the step ladder in the paint shop, bruised.", "Kahaleua"),
        ('{"resourceType":"Patient","name":[{"family":"Ranaivoson","given":["Feno"]}]}', "Feno"),
        ('{"resourceType":"Patient","name":[{"family":"Ranaivoson","given":["Feno"]}]}', "Ranaivoson"),
        ('emergency_contact: "Nadya Mashri, 01607925057"', "Nadya Mashri"),
        ("Loyalty account 4471 belongs to jnowak since March.", "jnowak"),
    ],
)
def test_note_subjects_fhir_names_contacts_and_logins(detector: Detector, text: str, name: str) -> None:
    assert ("PERSON", name) in found(detector, text)


@pytest.mark.parametrize("text", ["Weighbridge ticket 5001: gross 5.78 t, tare 2.1 t.",
                                  "Status: the conveyor restarted after the jam."])
def test_words_that_end_in_a_surname_are_no_logins(detector: Detector, text: str) -> None:
    assert not any(cls == "PERSON" for cls, _ in found(detector, text))


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Order ORD-11 is out for delivery to Ma’ufanga, Nukuʻalofa, Tonga. Driver: Mamy.",
         "Ma’ufanga, Nukuʻalofa, Tonga"),
        ("Faktiora: anarana Ana Pop; adiresy Ban Phonxay, Chanthabouly District, Vientiane Capital",
         "Ban Phonxay, Chanthabouly District, Vientiane Capital"),
        ("Fraud review: ship-to KK 681 Rd, House 101, Kimihurura, Kigali, IP 172.18.108.140",
         "KK 681 Rd, House 101, Kimihurura, Kigali"),
        ("לקוח: Ana Pop, כתובת למשלוח 28359 Farm to Market Rd 126, Pella, IA 50219",
         "28359 Farm to Market Rd 126, Pella, IA 50219"),
    ],
)
def test_address_words_in_many_languages(detector: Detector, text: str, address: str) -> None:
    assert ("ADDRESS", address) in found(detector, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Age-restricted sale: Ana Pop showed ID 3973124960166, born 1972-06-12.", "3973124960166"),
        ("Pasient Ana Pop, fødselsnummer 22102195741806, innlagt.", "22102195741806"),
        ("Gate pass - visitor Ana Pop, licence/ID no. 27186644250, escort Jan.", "27186644250"),
        ("Patient Ana Pop, JMBG 0101990710006, admitted.", "0101990710006"),
    ],
)
def test_any_number_after_an_identity_document_word(detector: Detector, text: str, value: str) -> None:
    assert ("NATIONAL_ID", value) in found(detector, text)


def test_a_part_that_showed_idle_cycles_is_no_identity_number(detector: Detector) -> None:
    assert not any(cls == "NATIONAL_ID" for cls, _ in
                   found(detector, "Spindle 4471 showed idle 223344 cycles overnight."))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Starter pack posted to Masarykova 572/93, 779 07 Plzeň for Ana Pop.", ("PERSON", "Ana Pop")),
        ("Starter pack posted to Masarykova 572/93, 779 07 Plzeň for Ana Pop.",
         ("ADDRESS", "Masarykova 572/93, 779 07 Plzeň")),
        ("Toolbox talk sign-in, bay C\n1. Hemin Baban  8736-917\n2. Jiyan Zebari  0941696",
         ("EMPLOYEE_ID", "8736-917")),
        ("el repartidor no encuentra a Ruwani Herath en Lange Gracht 215 B, 9966 SK Den Haag; llamar",
         ("PERSON", "Ruwani Herath")),
        ("Ermias, payroll portal password is now Almaty123* - don't share it with anyone!",
         ("PERSON", "Ermias")),
        ("Vendor onboarding: YAZMURADOVA AYNABAT, VAT contact a@b.it", ("PERSON", "YAZMURADOVA AYNABAT")),
        ("عميل: AMRU AL-HALAQ، جوال 0041 44 740 12 61", ("PERSON", "AMRU AL-HALAQ")),
    ],
)
def test_people_beside_addresses_lists_and_messages(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in found(detector, text)
