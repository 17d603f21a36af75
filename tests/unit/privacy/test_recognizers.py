"""Each data class is found in realistic sentences; look-alikes with bad check digits are not."""

from __future__ import annotations

import random

import pytest

from appliance.privacy import checksums as ck
from appliance.privacy.detect import Detector
from appliance.privacy.entities import DataClass
from appliance.privacy.fields import key_class

from .conftest import card_number, iban, ssn

CASES = [
    (
        "PERSON",
        "Safety guard on station 3 is loose. Reported by Tuomas Häkkinen.",
        "Tuomas Häkkinen",
    ),
    ("PERSON", "Nurse Kowalczyk checked the drip at 14:00.", "Kowalczyk"),
    (
        "EMAIL",
        "Send the shift report to anna.schmidt@werk-nord.de please.",
        "anna.schmidt@werk-nord.de",
    ),
    ("PHONE", "Call me on +49 151 2345 6789 if the press stops.", "+49 151 2345 6789"),
    ("PHONE", "Reach the night lead at (212) 555-0142.", "(212) 555-0142"),
    ("PHONE", "Contact: +33 6 12 34 56 78", "+33 6 12 34 56 78"),
    (
        "ADDRESS",
        "Ship the spare to Lindenstraße 12, 70173 Stuttgart.",
        "Lindenstraße 12, 70173 Stuttgart",
    ),
    (
        "ADDRESS",
        "Invoice address: 221B Baker Street, London NW1 6XE",
        "221B Baker Street, London NW1 6XE",
    ),
    ("DOB", "Patient DOB 12.03.1984, admitted for observation.", "12.03.1984"),
    ("DOB", "New starter, born on March 4, 1990, badge pending.", "March 4, 1990"),
    ("NATIONAL_ID", "Contractor ID card: AB123456C (NINO) for payroll.", "AB123456C"),
    ("NATIONAL_ID", "Tax form: PESEL 44051401458 attached.", "44051401458"),
    ("NATIONAL_ID", "Codice fiscale RSSMRA85T10A562S on file.", "RSSMRA85T10A562S"),
    ("EMPLOYEE_ID", "Forklift driver, badge B-40417, reported a near miss.", "B-40417"),
    ("EMPLOYEE_ID", "Employee no. 88123 requested leave.", "88123"),
    ("MRN", "Lab results for MRN 00482913 are ready.", "00482913"),
    ("MRN", "Chart PAT-552211 updated by the ward.", "PAT-552211"),
    ("CARD", "Refund to card 4111 1111 1111 1111 approved.", "4111 1111 1111 1111"),
    (
        "IBAN",
        "Pay the deposit to DE89 3704 0044 0532 0130 00 today.",
        "DE89 3704 0044 0532 0130 00",
    ),
    ("IP", "Gateway 192.168.10.24 dropped off the network.", "192.168.10.24"),
    ("IP", "The PLC answers on 2001:db8::8a2e:370:7334 only.", "2001:db8::8a2e:370:7334"),
    ("MAC", "Camera MAC 00:1A:2B:3C:4D:5E keeps rebooting.", "00:1A:2B:3C:4D:5E"),
    ("GPS", "Truck stopped at 52.520008, 13.404954 for an hour.", "52.520008, 13.404954"),
    ("SECRET", "HMI login: user maint, password: Zx9#kLm2", "Zx9#kLm2"),
    ("SECRET", "Key AKIAIOSFODNN7EXAMPLE was committed by mistake.", "AKIAIOSFODNN7EXAMPLE"),
    (
        "SECRET",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    ),
    ("HEALTH", "Maria Rossi (badge B-22871) is on sick leave with a fractured wrist.", "fractured"),
]


@pytest.mark.parametrize(
    ("kind", "text", "value"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_class_is_found_in_a_realistic_sentence(
    detector: Detector, kind: str, text: str, value: str
) -> None:
    found = detector.detect(text)
    hits = [e for e in found if e.type.value == kind]
    assert hits, f"{kind} not found in {text!r}; found {[(e.type.value, e.text) for e in found]}"
    assert any(value in e.text or e.text in value for e in hits)
    for e in found:
        assert text[e.start : e.end] == e.text


def test_generated_values_with_valid_check_digits_are_found(detector: Detector) -> None:
    rng = random.Random(5)
    for _ in range(200):
        card, account, number = card_number(rng), iban(rng), ssn(rng)
        text = f"Refund card {card}, account {account}, SSN {number}."
        kinds = {e.type.value: e.text for e in detector.detect(text)}
        assert kinds.get("CARD") == card and kinds.get("IBAN") == account
        assert kinds.get("NATIONAL_ID") == number


def test_version_and_hash_fields_hold_no_addresses_or_numbers(detector: Detector) -> None:
    # what a heartbeat carries: name@version of a model, a 16-hex config version
    assert detector.detect("detector@1.2.3.4", "model_version") == []
    assert detector.detect("4539578763621486", "applied_config_version") == []
    assert {e.type for e in detector.detect("4539578763621486", "note")} == {
        DataClass.PAYMENT_CARD
    }
    assert {e.type for e in detector.detect("10.1.2.3", "host")} == {DataClass.IP_ADDRESS}
    token = "ghp_" + "a1B2c3D4e5" * 4
    assert {e.type for e in detector.detect(token, "version")} == {DataClass.SECRET}
    assert {e.type for e in detector.detect("anna.schmidt@werk.de", "sha256")} == {
        DataClass.EMAIL
    }
    # free text under such a key is text: every recognizer runs
    assert {e.type for e in detector.detect("built on 10.1.2.3 by me", "version")} == {
        DataClass.IP_ADDRESS
    }


def test_a_french_nir_that_also_passes_luhn_is_a_national_id(detector: Detector) -> None:
    rng = random.Random(11)
    both = []
    while len(both) < 5:  # about one NIR in ten also passes the Luhn check
        body = f"{rng.randint(1, 2)}{rng.randint(50, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 95):02d}"
        body += f"{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
        nir = f"{body}{97 - int(body) % 97:02d}"
        if ck.luhn_ok(nir):
            both.append(nir)
    for nir in both:
        found = {(e.type, e.text) for e in detector.detect(f"Referral, insurance number {nir}.")}
        assert found == {(DataClass.NATIONAL_ID, nir)}


def test_look_alikes_with_bad_check_digits_are_not_cards_or_ibans(detector: Detector) -> None:
    bad_card = "4111 1111 1111 1112"
    bad_iban = "DE89 3704 0044 0532 0130 01"
    assert not ck.luhn_ok(bad_card.replace(" ", "")) and not ck.iban_ok(bad_iban)
    kinds = {e.type for e in detector.detect(f"Card {bad_card} and account {bad_iban}.")}
    assert DataClass.PAYMENT_CARD not in kinds and DataClass.IBAN not in kinds
    assert not ck.ssn_ok("000-12-3456") and not ck.ssn_ok("666-12-3456")


def test_health_terms_without_an_identifier_are_not_phi(detector: Detector) -> None:
    assert not [
        e
        for e in detector.detect("Stock of insulin pens is low in the pharmacy.")
        if e.type is DataClass.HEALTH
    ]


def test_json_keys_mark_their_values() -> None:
    assert key_class("patientId") is DataClass.MEDICAL_RECORD
    assert key_class("operator") is DataClass.PERSON
    assert key_class("badge_id") is DataClass.EMPLOYEE_ID
    assert key_class("temperature") is None


def _negative(rng: random.Random) -> str:
    r = rng
    return r.choice(
        [
            f"PN {r.randint(1000, 9999)}-{r.randint(100, 999)}-{r.randint(10, 99)}",
            f"P/N {r.randint(100, 999)}-{r.randint(1000, 9999)}-{r.randint(10, 99)}",
            f"SN{r.randint(2019, 2026)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
            f"-{r.randint(1, 9999):04d}",
            f"serial {r.randint(10**9, 10**10 - 1)}",
            f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T"
            f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z",
            f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
            f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.2026 "
            f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
            f"firmware {r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 40)}.{r.randint(0, 255)}",
            f"lot {r.randint(20, 26)}-{r.randint(1, 365):03d}-{r.randint(1, 99):02d}",
            f"PO-{r.randint(4500000000, 4599999999)}",
            f"temp {r.uniform(40, 99):.2f} °C, vibration {r.uniform(1, 12):.3f} mm/s",
            f"order {r.randint(100000, 999999)} qty {r.randint(1, 500)}",
            f"ts {r.randint(1_700_000_000, 1_800_000_000)}",
        ]
    )


def test_false_positives_on_part_numbers_serials_and_timestamps_stay_low(
    detector: Detector,
) -> None:
    rng = random.Random(11)
    total, flagged = 3000, []
    for _ in range(total):
        neg = _negative(rng)
        text = f"Motor 4 on line 2 logged {neg} before the stop."
        found = detector.detect(text)
        if found:
            flagged.append((neg, [(e.type.value, e.text) for e in found]))
    rate = len(flagged) / total
    print(
        f"false positives on part numbers, serials, timestamps: {len(flagged)}/{total} = {rate:.4f}"
    )
    assert rate <= 0.01, flagged[:10]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Root password on the historian box is 6ulbd!nyX0oH - change it", ("SECRET", "6ulbd!nyX0oH")),
        ("Letter to Nørregade 156, 8153 Aarhus came back.", ("ADDRESS", "Nørregade 156, 8153 Aarhus")),
        ("Car broke down near Rua das Flores 55, 1732-190 Porto", ("ADDRESS", "Rua das Flores 55, 1732-190 Porto")),
        ("Pt Reuben Brick, 9.5.1972, MRN 51192626: BP high.", ("DOB", "9.5.1972")),
        ("Anna Kowalski burned a forearm unloading cages.", ("HEALTH", "burned a forearm")),
        ("Pump reset; gateway 10.1.2.3 update failed.", ("IP", "10.1.2.3")),
        ("Patient DOB 1-Jan-1992, seen today.", ("DOB", "1-Jan-1992")),
        ("Date of birth 1954.02.28 on the form.", ("DOB", "1954.02.28")),
        ("Pickup at N 8° 34.205' E 101° 20.646' at noon.", ("GPS", "N 8° 34.205' E 101° 20.646'")),
        ("Order to Städtle 122, 9490 Vaduz today.", ("ADDRESS", "Städtle 122, 9490 Vaduz")),
        ("Order to Calle 58 # 37-50, Cali today.", ("ADDRESS", "Calle 58 # 37-50, Cali")),
        ("Sent to House 134, Street 33, F-9/1, Islamabad.", ("ADDRESS", "House 134, Street 33, F-9/1, Islamabad")),
        ("To 101 rue Sherbrooke Ouest, Montréal, QC H3G 7P5.", ("ADDRESS", "101 rue Sherbrooke Ouest, Montréal, QC H3G 7P5")),
        ("The printer uses token glpat-G--yjqKdEuwF6nazUvIm daily.", ("SECRET", "glpat-G--yjqKdEuwF6nazUvIm")),
        ("Back office PC login: admin / mango!4201", ("SECRET", "mango!4201")),
        ("Referral for Anna Kowalski (badge B-50547): hypothyroidism.", ("HEALTH", "hypothyroidism")),
    ],
)
def test_phrasings_found_since_the_first_blind_run(
    detector: Detector, text: str, expected: tuple[str, str]
) -> None:
    assert expected in {(e.type.value, e.text) for e in detector.detect(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Anna Kowalski wants the map updated before the 6.3.32.88 rollout.",
        "Can someone give Anna Kowalski a lift? Her car broke down near the gate.",
    ],
)
def test_versions_and_broken_cars_are_not_ips_or_health(detector: Detector, text: str) -> None:
    assert {e.type.value for e in detector.detect(text)} == {"PERSON"}
