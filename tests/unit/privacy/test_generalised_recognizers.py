"""Phone numbers by numbering plan, addresses by their parts, more national IDs, GPS
notations, credential families and health phrasing (the recognizers added after the
blind set b3): each found in a sentence, and look-alikes left alone."""

from __future__ import annotations

import pytest

from appliance.privacy import national_ids as nid
from appliance.privacy.detect import Detector
from appliance.privacy.settings import PrivacyConfig

from .conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # national numbers: a trunk prefix and a grouping, valid in a configured country
        ("Text me on 0171 2345678 when you land.", ("PHONE", "0171 2345678")),
        # the 00 international prefix, checked against the numbering plan
        ("Call 0044 20 7946 0018 for the depot.", ("PHONE", "0044 20 7946 0018")),
        ("Mobile +43 (0)664 1234567", ("PHONE", "+43 (0)664 1234567")),
        # no trunk prefix (Denmark): only after a phone word
        ("ring me on 20 12 34 56", ("PHONE", "20 12 34 56")),
    ],
)
def test_phone_numbers_by_structure(detector: Detector, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Lot 0171 2345678 passed QA.",  # a lot number, said so
        "Form dated 01.02.2026 09:30 signed.",  # a date and a time
        "Batch 20 12 34 56 is on hold.",  # grouped digits with no phone word
        "Call 0044 00 0000 0000 for the depot.",  # 00 and digits that are no number
    ],
)
def test_digit_groups_that_are_not_phone_numbers(detector: Detector, text: str) -> None:
    assert not any(t == "PHONE" for t, _ in found(detector, text))


def test_phone_regions_are_configurable() -> None:
    us_only = Detector(PrivacyConfig(phone_regions=["US"]))
    # a national number of a region not configured, with no phone word: not a phone here
    assert ("PHONE", "0171 2345678") not in found(us_only, "Bay 0171 2345678 is clear.")
    assert ("PHONE", "0171 2345678") in found(Detector(PrivacyConfig()), "Bay 0171 2345678 is clear.")
    # right after a phone word, a number valid in any country's plan is a phone number
    assert ("PHONE", "0171 2345678") in found(us_only, "Text me on 0171 2345678 today.")
    with pytest.raises(ValueError, match="unknown phone region"):
        PrivacyConfig(phone_regions=["XX"])


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Ship to Váci út 19, 1052 Budapest.", "Váci út 19, 1052 Budapest"),
        ("Deliver to Mannerheimintie 12, 00100 Helsinki.", "Mannerheimintie 12, 00100 Helsinki"),
        ("Return to 350 Fifth Avenue, New York, NY 10118.", "350 Fifth Avenue, New York, NY 10118"),
        ("Send it to Rua Augusta 24, 1100-053 Lisboa.", "Rua Augusta 24, 1100-053 Lisboa"),
        ("Address: Karl Johans gate 22, 0159 Oslo", "Karl Johans gate 22, 0159 Oslo"),
        ("Pickup at PO Box 225, Dayton, OH 45402", "PO Box 225, Dayton, OH 45402"),
        ("Visit at Nerudova 12, 118 00 Praha today.", "Nerudova 12, 118 00 Praha"),
        ("Post to C/ Princesa 4, 2º A, 28008 Madrid now.", "C/ Princesa 4, 2º A, 28008 Madrid"),
        ("Moved to 12 Willow Bend, Austin, TX 78701 last year.", "12 Willow Bend, Austin, TX 78701"),
    ],
)
def test_addresses_in_many_conventions(detector: Detector, text: str, address: str) -> None:
    assert ("ADDRESS", address) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Line 4 Test Run finished at 14:00.",  # an ordinary word as a street type, no town
        "Seal Ring 3 replaced on press 2.",
        "Bearing 4 on conveyor 7 is loud.",
        "Station 12, 1400 units packed.",
    ],
)
def test_machine_words_with_numbers_are_not_addresses(detector: Detector, text: str) -> None:
    assert not any(t == "ADDRESS" for t, _ in found(detector, text))


@pytest.mark.parametrize(
    ("check", "valid", "wrong"),
    [
        (nid.hetu_ok, "131052-308T", "131052-308U"),
        (nid.ahv_ok, "756.9217.0769.85", "756.9217.0769.84"),
        (nid.be_nn_ok, "85.07.30-033.28", "85.07.30-033.29"),
        (nid.pt_nif_ok, "123456789", "123456788"),
        (nid.ppsn_ok, "1234567T", "1234567A"),
        (nid.rodne_cislo_ok, "736028/5163", "736028/5164"),
        (nid.svnr_ok, "1237 010180", "1238 010180"),
        (nid.no_fnr_ok, "15038545660", "15038545661"),
        (nid.cpr_ok, "070761-4285", "320761-4285"),
    ],
)
def test_national_id_checks(check, valid: str, wrong: str) -> None:
    assert check(valid)
    assert not check(wrong)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Swiss social security number 756.9217.0769.85 for payroll.", "756.9217.0769.85"),
        ("Henkilötunnus 131052-308T on the form.", "131052-308T"),
        ("Rijksregisternummer 85.07.30-033.28 checked.", "85.07.30-033.28"),
        ("NIF 123456789 for the invoice.", "123456789"),
        ("Rodné číslo 736028/5163 in the file.", "736028/5163"),
    ],
)
def test_more_national_ids_in_sentences(detector: Detector, text: str, value: str) -> None:
    assert ("NATIONAL_ID", value) in found(detector, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Tracker: lat=48.1374&lon=11.5755", "lat=48.1374&lon=11.5755"),
        ('{"lat": 48.13740, "lng": 11.57550}', 'lat": 48.13740, "lng": 11.57550'),
        ("Parked at N48.13740 E11.57550 overnight.", "N48.13740 E11.57550"),
        ("Geometry POINT(11.57550 48.13740) stored.", "POINT(11.57550 48.13740)"),
        ("Fix 48 8 14.6 N, 11 34 31.8 E logged.", "48 8 14.6 N, 11 34 31.8 E"),
        ("$GPGGA,123519,4807.038,N,01131.000,E,1,08", "4807.038,N,01131.000,E"),
    ],
)
def test_gps_notations(detector: Detector, text: str, value: str) -> None:
    assert ("GPS", value) in found(detector, text)


def test_decimal_pairs_with_a_unit_are_readings_not_positions(detector: Detector) -> None:
    assert not any(t == "GPS" for t, _ in found(detector, "Probe offset 23.4959, 56.5403 mm."))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("DB_PASSWORD=q8Rz!w2Kd", "q8Rz!w2Kd"),
        ("AccountName=plantlogs;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA=="),
        ("Kiosk account: user svc_ops / Gr4nite#88", "Gr4nite#88"),
        ("VPN for the integrator, pass Tulpe77Q", "Tulpe77Q"),
        ("npm token npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
        ("Model pull used hf_QwErTyUiOpAsDfGhJkLzXcVbNm1234567890", "hf_QwErTyUiOpAsDfGhJkLzXcVbNm1234567890"),
        ("Bot 123456789:AAHk3mQ7x_VbN2pLr8sTe4WfYu9ZcXa1GdJ in the logs", "123456789:AAHk3mQ7x_VbN2pLr8sTe4WfYu9ZcXa1GdJ"),
        ("found q7Lm2Xv9Rt4Kp8Zs3Nw6Yb1Hc5Jd0Fg7Qe in a pasted config", "q7Lm2Xv9Rt4Kp8Zs3Nw6Yb1Hc5Jd0Fg7Qe"),
    ],
)
def test_credential_families(detector: Detector, text: str, value: str) -> None:
    assert ("SECRET", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Loyalty sign-up: Evelin Brandt, thanks.",  # 'sig' inside a word is no key name
        "token_count: 2048",  # a count under a key that mentions tokens
        "Boarding pass for the trip is printed.",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    ],
)
def test_words_near_credential_words_are_not_secrets(detector: Detector, text: str) -> None:
    assert not any(t == "SECRET" for t, _ in found(detector, text))


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Tomasz Nowak is off with the flu this week.", "off with the flu"),
        ("Operator Jan Kral crushed a thumb in the press guard.", "crushed a thumb"),
        ("Anna Meyer (badge B-20411) got a chemical splash in the eye.", "chemical splash"),
        ("Piet de Vries is on 20 mg atorvastatin.", "atorvastatin"),
        ("Clara Jensen had a colonoscopy on Monday.", "colonoscopy"),
        ("Mum of Eva Lind has Hashimoto's thyroiditis.", "Hashimoto's thyroiditis"),
        ("Lars Berg phoned in sick today.", "phoned in sick"),
    ],
)
def test_health_phrasing_near_a_person(detector: Detector, text: str, term: str) -> None:
    assert ("HEALTH", term) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Anna Meyer ordered a lithium battery pack for the scanner.",
        "Jan Kral read part 3 of the operation manual.",
        "Eva Lind logged the test results for lot 4.",
    ],
)
def test_factory_words_near_a_person_are_not_health(detector: Detector, text: str) -> None:
    assert not any(t == "HEALTH" for t, _ in found(detector, text))
