"""Names are found without a model: gazetteer names, and names the gazetteer never listed."""

from __future__ import annotations

import importlib

import pytest

from appliance.privacy.detect import Detector
from appliance.privacy.entities import DataClass
from appliance.privacy.names import NameDetector, load_lexicon
from appliance.privacy.settings import PrivacyConfig
from appliance.simulator import FIRST_NAMES, LAST_NAMES


def _unlisted_names() -> list[tuple[str, str]]:
    """Finnish and Yoruba names from Faker that are not in the detector's lexicon."""
    lex = load_lexicon()
    known = lex.first | lex.last | lex.ambiguous | lex.vocab
    out = []
    for loc in ("fi_FI", "yo_NG"):
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        first = sorted(n for n in set(p.first_names) if n not in known and n.lower() not in known)
        last = sorted(n for n in set(p.last_names) if n not in known and n.lower() not in known)
        out += list(zip(first[:15], last[:15], strict=False))
    return out


def _unlisted_word_names() -> list[str]:
    """Names from Faker locales the lexicon never read that are also English words (and
    not one of the detector's stop words, which are never names by design: roles such as
    "Doctor", "Date", "Tank", the German article "Das")."""
    lex = load_lexicon()
    kind = NameDetector(lex)._kind
    out: set[str] = set()
    for loc in ("fi_FI", "yo_NG", "en_IN", "id_ID", "hu_HU", "sw", "zu_ZA"):
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for attr in ("first_names", "last_names"):
            values = getattr(p, attr, ())
            for n in values if isinstance(values, tuple | list | dict) else ():
                name = str(n)
                if (name.isalpha() and name[0].isupper() and name.lower() in lex.vocab
                        and name not in lex.first | lex.last | lex.ambiguous | lex.place
                        and kind(name) != "stop"):
                    out.add(name)
    return sorted(out)


@pytest.fixture(scope="module")
def names() -> NameDetector:
    return NameDetector()


def test_simulator_names_are_not_the_only_source() -> None:
    lex = load_lexicon()
    assert len(lex.first) > 20 * len(FIRST_NAMES) and len(lex.last) > 20 * len(LAST_NAMES)


@pytest.mark.parametrize(
    "template",
    [
        "Reported by {first} {last}, line 2.",
        "{first} {last} reports a burning smell near press 4.",
        "Hydraulic leak under cell 7; driver {first} {last} put absorbent down.",
        "Patient {first} {last}, seen today.",
    ],
)
def test_names_missing_from_the_lexicon_are_found_in_context(
    names: NameDetector, template: str
) -> None:
    pairs = _unlisted_names()
    assert len(pairs) >= 20
    missed = []
    for first, last in pairs:
        text = template.format(first=first, last=last)
        found = [e.text for e in names.find(text)]
        if f"{first} {last}" not in found:
            missed.append((text, found))
    assert len(missed) <= len(pairs) // 20, missed[:5]


@pytest.mark.parametrize(
    "text",
    [
        "Press 4 on Line 2 stopped at 12:30 on Monday.",
        "The Siemens PLC and the Bosch Rexroth GmbH drive need firmware 4.2.",
        "Quality Control asked Maintenance to check the Hydraulic Pump.",
        "SKU 4471-220 and IBAN check failed; MRN field empty.",
    ],
)
def test_ordinary_capitalised_words_are_not_names(names: NameDetector, text: str) -> None:
    assert [e.text for e in names.find(text)] == []


@pytest.mark.parametrize(
    "template",
    [
        "Truck with parts for {w} arrived late.",
        "The guard on press 4 is loose, ask {w} about it.",
        "Thanks {w}, the conveyor runs again.",
        "{w} says the guard on press 4 is loose.",
        "Label printer jam on line 2. {w} (B-40512).",
        "Rota: {w} covers the tills on Sunday, Anna does the stock count.",
    ],
)
def test_names_that_are_also_english_words_are_found_in_name_positions(template: str) -> None:
    detector = Detector(PrivacyConfig())
    words = _unlisted_word_names()
    assert len(words) >= 40, words
    missed = []
    for word in words:
        text = template.format(w=word)
        found = [e.text for e in detector.detect(text) if e.type is DataClass.PERSON]
        if word not in found:
            missed.append((text, found))
    assert len(missed) <= len(words) // 20, missed[:5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # consistency: once a name, every occurrence (here after a possessive)
        ("Ask Anu about the rejects. Anu's team has the gauge.", ["Anu", "Anu"]),
        ("Reported by Aryan Made. Made says the guard is loose.", ["Aryan Made", "Made"]),
        # a list joined to a name
        ("Toolbox talk: Anna Nowak, Hani and Imam attended.", ["Anna Nowak", "Hani", "Imam"]),
        # two words in a name position, and a listed first name that is also a stop word
        ("Co-pay taken for Goma Som at the front desk.", ["Goma Som"]),
        ("Refund approved by May Jones.", ["May Jones"]),
        ("Delivery for Reda Kannan to the back door.", ["Reda Kannan"]),
        # a person as first object, a role filled, what belongs to a person
        ("Can someone give Olive a lift home?", ["Olive"]),
        ("Van tracker last seen at the depot; driver was Ruby.", ["Ruby"]),
        ("Compressor 2 trending hot; Uma's team is on it.", ["Uma"]),
        ("Welcome Reuben Fulton to the maintenance crew!", ["Reuben Fulton"]),
        ("Subject: overtime\nAssia, can you cover the early shift?", ["Assia"]),
        ("Nägele from the night shift left the key with security.", ["Nägele"]),
        # an unknown capitalised word mid-sentence, and the clause slots beside two names
        ("Shift notes - Kosisochukwu on tills, Debora on the floor, Matheson closing.",
         ["Kosisochukwu", "Debora", "Matheson"]),
    ],
)
def test_context_extends_to_other_words_of_the_same_text(
    names: NameDetector, text: str, expected: list[str]
) -> None:
    assert [e.text for e in names.find(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Shipment from Poland arrived late.",
        "Parts from New York arrived on Tuesday.",
        "Insurance covers the cost of the repair.",
        "The Mixer is down again and the Hydraulic Pump leaks.",
        "Pump (P-101) tripped at 12:30.",
        "Logged in the Quality System by Maintenance.",
        "Rota change: the tills close early on Sunday, Press 4 runs late.",
        "Raised by Night Shift, fixed by Maintenance.",
        "The Compressor's bearing is gone again.",
        "From: ops@werk.de\nSubject: Press 4 overtime",
        "Token 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 rotated.",
        "Press 4, 12345 Units made today.",
        # found by comparing with the earlier detector on the routing workload's tickets
        "Hi team, Labeller at the end of line 2 keeps eating labels.",
        "Hi team, Something smells scorched at press 29.",
        "Which fault code did motor 20 raise? Answer with the code only.",
    ],
)
def test_places_terms_and_things_stay_unnamed(names: NameDetector, text: str) -> None:
    assert [e.text for e in names.find(text)] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a capitalised word (a town's name, here) right before a personal identifier
        ("Damu Vig (patient ID MRN-6123769) was seen today.", "Damu Vig"),
        ("Label printer jam on line 2. Imam (B-40512).", "Imam"),
        # a listed first name that is also a common word, after a role
        ("Cashier Till (badge B-71463) reported till 4 short.", "Till"),
        # a town's name after a given name is a surname
        ("Quality hold on lot 26-258-94: Maman Seč found burrs.", "Maman Seč"),
    ],
)
def test_identifiers_and_roles_name_the_word_next_to_them(text: str, expected: str) -> None:
    found = [e.text for e in Detector(PrivacyConfig()).detect(text) if e.type is DataClass.PERSON]
    assert found == [expected]
