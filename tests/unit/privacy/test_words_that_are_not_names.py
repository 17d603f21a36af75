"""Capitalised words that are not people: headings across a line break, labels before an
identifier, numbered things, streets and quarters, institutions named after a person,
brands, units, German nouns, holidays; and the names beside them still found."""

from __future__ import annotations

import pytest

from appliance.privacy.detect import Detector

from .conftest import found


def _people(detector: Detector, text: str) -> set[str]:
    return {t for c, t in found(detector, text) if c == "PERSON"}


@pytest.mark.parametrize(
    ("text", "not_names", "names"),
    [
        # a role word at the end of one line is no cue for the first word of the next
        ("CONFINED SPACE PERMIT HOLDER\nFull name: A. Ivanov-Paimen\nDate of birth: 1983-05-06",
         {"Full"}, {"A. Ivanov-Paimen"}),
        # a label before an identifier
        ("Discharge letter\nPatient: Aisylu Yanturin\nRecord: KNHC667043\nBorn: 21/3/1960",
         {"Record"}, {"Aisylu Yanturin"}),
        ("Your appointment is on May 31 at the clinic. Queries: 01525-3578101",
         {"Queries"}, set()),
        # a heading word before a comma is not one of the names after it
        ("Triage, Indira Gandhi Memorial: AISHATH SHUAIB, 6 April 1951, file 527943",
         {"Triage", "Indira Gandhi"}, {"AISHATH SHUAIB"}),
        # numbered things, streets and quarters
        ("N.F. Ramashia took order 7ZK to Stand 1279, Thohoyandou; paid cash.",
         {"Stand"}, {"N.F. Ramashia"}),
        ("worker Tumpal Manurung, House No. 4, Babesa, says bruising only",
         {"House"}, {"Tumpal Manurung"}),
        ("Delivery to Jalan Lanang 12 for Siti Rahayu.", {"Lanang", "Jalan Lanang"}, {"Siti Rahayu"}),
        # brands, units, acronyms in the plural, German compound nouns and abbreviations
        ("Cashback to Aliev, Zagidat: KES 500 sent to M-Pesa +254722000111.", {"M-Pesa"}, set()),
        ("pay Kapwepwe, Katongo on +260 97 789 2658 with Airtel Money", {"Airtel Money"}, set()),
        ("Price change batch 6163375703: 214 SKUs, effective 2026/07/30.", {"SKUs"}, set()),
        ("Cold chain alert, dairy fridge 5CD1CP4HR2: 15.61 MPa for 20 minutes.", {"MPa"}, set()),
        ("Reply on WhatsApp when the van leaves.", {"WhatsApp"}, set()),
        ("Patientin Aguer Arop, geb. 09/19/1983, Aufnahme wegen Oberschenkelhalsbruch.",
         {"Aufnahme", "Oberschenkelhalsbruch"}, {"Aguer Arop"}),
        ("Unfallmeldung: Bjarnat Krawc, Personalnr. 6E75208, hat sich verletzt.",
         {"Personalnr"}, {"Bjarnat Krawc"}),
        ("Pre-order list for Eid: Bikbaev Aitughan, 7731247.", {"Eid"}, {"Bikbaev Aitughan"}),
        ("Contractor induction: A. Bedeau, employer Kasese Pipes, phone +447712538085",
         {"Kasese", "Pipes", "Kasese Pipes"}, {"A. Bedeau"}),
        ("ebintu bitwalibwe e Quartier Hamdallaye, Commune de Dixinn, Conakry.",
         {"Quartier Hamdallaye", "Hamdallaye", "Commune", "Dixinn"}, set()),
        ("Parcel for Keishampat Leikai, Imphal; call Thoiba on 98620 12345.",
         {"Keishampat", "Keishampat Leikai"}, set()),
    ],
)
def test_words_that_are_not_names(
    detector: Detector, text: str, not_names: set[str], names: set[str]
) -> None:
    people = _people(detector, text)
    assert not (people & not_names), people
    assert names <= people, people


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a list joined by "and" after a salutation still lists people
        ("Hi all, Cristal and Jean-Pierre from the tool room will re-shim press 9.", "Cristal"),
        # a line ending in a colon still cues the next one
        ("Patient:\nSeyi Adebayo, seen today.", "Seyi Adebayo"),
        # internal capitals of names are not brands
        ("Signed off by Siobhan McDonald and Ruairi MacLeod.", "Siobhan McDonald"),
        # a listed surname that is also an institution word stays a name
        ("Forklift refresher passed by John Mills this morning.", "John Mills"),
        ("Ask Charlotte Church about the late delivery.", "Charlotte Church"),
    ],
)
def test_names_beside_those_rules_are_still_found(detector: Detector, text: str, name: str) -> None:
    assert name in _people(detector, text)
