"""Towns of the world are not people (the GeoNames towns in the lexicon), unless a name's
shape says so; HL7 v2 name fields are read by position, whatever the words; the words
for a phone in more languages cue a national number; a device on the Wi-Fi is a MAC
address, not the Wi-Fi key."""

from __future__ import annotations

import pytest

from appliance.privacy.detect import Detector
from appliance.privacy.names import load_lexicon

from .conftest import found


def _people(detector: Detector, text: str) -> set[str]:
    return {t for c, t in found(detector, text) if c == "PERSON"}


def test_the_lexicon_holds_the_towns_of_the_world() -> None:
    places = load_lexicon().place
    assert len(places) > 25_000
    assert {"Tahlequah", "Thimphu", "Bafoussam", "Cheboksary", "Kajiado"} <= places


@pytest.mark.parametrize(
    "text",
    [
        "message 0722006613 for a lift from Tahlequah",
        "Night bus leaves Bafoussam at 22:00, crates for the depot on board.",
        "Tomatoes came up from Kajiado this morning, 40 crates.",
    ],
)
def test_a_town_mid_sentence_is_not_a_person(detector: Detector, text: str) -> None:
    assert _people(detector, text) == set()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a town's name is a surname or given name too, where the shape of a name says so
        ("Mother S. Bako signed the card.", "S. Bako"),
        ("Near miss: Leshan K. was hit by a snapped strap.", "Leshan K."),
        ("Ward round: PARSITAU, Leshan, bed 4.", "PARSITAU, Leshan"),
        ("Checkout flagged SALAVAT YULAEV (E-304583).", "SALAVAT YULAEV"),
        ("Spill logged by medic Leshan at 12:31.", "Leshan"),
    ],
)
def test_a_town_in_a_name_shape_is_a_person(detector: Detector, text: str, name: str) -> None:
    assert name in _people(detector, text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("PID|1||OIH85750R||Kabwe^Masindi^^^||07/01/2005|F||2106-3|",
         {"Kabwe", "Masindi"}),
        ("MSH|^~\\&|LAB|X\rPID|1||123^^^H^MR||DOE^JANE^Q^JR^MRS~SMITH^JANE|KAY^ANN|19700101|F\r"
         "NK1|1|DOE^JOHN^^|SPO|", {"DOE", "JANE", "SMITH", "KAY", "ANN", "JOHN"}),
    ],
)
def test_hl7_patient_next_of_kin_and_maiden_names_are_people(
    detector: Detector, text: str, names: set[str]
) -> None:
    assert names <= _people(detector, text)
    # the suffix and prefix components (JR, MRS) and the sex code are not names
    assert not {"JR", "MRS", "F"} & _people(detector, text)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Omulwadde Wendinmi Tapsoba, essimu 0150344995.", "0150344995"),  # Luganda
        ("Consultation : M. Netshidzivhani, 34 ans, tél. 015173081968, paludisme.", "015173081968"),
        ("Эшче Айдар авырый, бүген эшкә килмәде. Телефоны: 0168012289.", "0168012289"),  # Tatar
        ("Your appointment is at 10:00. Reply 1 to confirm. Queries: 08067943595", "08067943595"),
        ("Musa ya ji rauni a hannu. Lambar wayarsa 03892346305.", "03892346305"),  # Hausa
        ("Lounès yuḍen, ur d-yusi ara ass-a. Uṭṭun-is: 017044973396.", "017044973396"),  # Kabyle
    ],
)
def test_phone_words_of_more_languages_cue_a_national_number(
    detector: Detector, text: str, phone: str
) -> None:
    assert ("PHONE", phone) in found(detector, text)


@pytest.mark.parametrize(
    ("text", "mac"),
    [
        ("Unknown client list on the plant wifi: 00:07:4D:99:57:F7 at 95.183.203.36", "00:07:4D:99:57:F7"),
        ("Guest wifi lease: 00-07-4d-16-10-6e given 10.21.24.188", "00-07-4d-16-10-6e"),
        ("Pulse oximeter f8dc7a5d682c of patient 06183216-6 synced", "f8dc7a5d682c"),
    ],
)
def test_a_device_on_the_wifi_is_a_mac_address_not_the_wifi_key(
    detector: Detector, text: str, mac: str
) -> None:
    assert ("MAC", mac) in found(detector, text)
    assert ("SECRET", mac) not in found(detector, text)
