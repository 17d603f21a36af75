"""Health terms near card numbers and in other languages, headings that are not health
data, passwords set "to" a value, admin keys and hardware-address fields."""

from __future__ import annotations

import pytest

from appliance.privacy.detect import Detector

from .conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Deposit for a colonoscopy paid with card 4111 1111 1111 1111.", ("HEALTH", "colonoscopy")),
        ("Ana Pop: took a swarf cut across the knuckles on line 2.", ("HEALTH", "cut across the knuckles")),
        ("First aid for Jan Novak: back strain after lifting.", ("HEALTH", "back strain")),
        ("Caller Ana Pop says the patient is not breathing normally.", ("HEALTH", "not breathing normally")),
        ("Pharmacy note for Ana Pop: allergy documented: sulfa drugs.", ("HEALTH", "sulfa drugs")),
        ("Ana Pop, historia: diabetes tipo 2; Bluthochdruck seit 2019.", ("HEALTH", "Bluthochdruck")),
        ("بیمار Ana Pop، تشخیص: فشار خون بالا", ("HEALTH", "فشار خون بالا")),
    ],
)
def test_health_terms(detector: Detector, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(detector, text)


def test_a_heading_is_not_health_data_but_its_entry_is(detector: Detector) -> None:
    got = found(detector, "Ana Pop, DOB 02.03.1971. Diagnosis: asthma. Medication salbutamol.")
    assert ("HEALTH", "asthma") in got
    assert ("HEALTH", "salbutamol") in got
    assert not {("HEALTH", "Diagnosis"), ("HEALTH", "Medication")} & got


def test_a_diagnosis_cue_inside_an_email_address_takes_nothing(detector: Detector) -> None:
    got = found(detector, "Ana Pop is reachable at dxrc.pop@clinic-nord.de today.")
    assert ("EMAIL", "dxrc.pop@clinic-nord.de") in got


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Store manager Ana Pop changed the Wi-Fi key to kitty2011; gateway 10.0.0.1.", "kitty2011"),
        ("Jan reset the alarm code to 482913 this morning.", "482913"),
        ("[kiosk]\nlocal_admin = tiger.saffron.castle80\n", "tiger.saffron.castle80"),
    ],
)
def test_passwords_set_to_a_value_and_admin_keys(detector: Detector, text: str, secret: str) -> None:
    assert ("SECRET", secret) in found(detector, text)


def test_an_admin_heading_in_prose_is_not_a_password_key(detector: Detector) -> None:
    got = found(detector, "Please stop sharing the admin login in chat: user 'eng' only.")
    assert not any(t == "SECRET" for t, _ in got)


def test_a_hardware_address_field_is_a_mac_address_not_a_street(detector: Detector) -> None:
    got = found(detector, "cell:\n  hw_addr: 28 7C 76 46 97 F9\n  hw_addr2: 5c84af0849f6\n")
    assert ("MAC", "28 7C 76 46 97 F9") in got
    assert not any(t == "ADDRESS" for t, _ in got)


def test_an_admin_login_line_keeps_its_email_and_finds_its_password(detector: Detector) -> None:
    got = found(detector, "Franchise POS admin: user ana.pop@example.org / pass cymru20Karasjok, "
                          "server 10.0.0.7")
    assert ("EMAIL", "ana.pop@example.org") in got
    assert ("SECRET", "cymru20Karasjok") in got


def test_default_credentials_after_a_few_words(detector: Detector) -> None:
    got = found(detector, "HMI default creds still active: admin / Qajaq_425 (IP 10.1.1.5)")
    assert ("SECRET", "Qajaq_425") in got
