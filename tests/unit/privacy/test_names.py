"""Names are found without a model: gazetteer names, and names the gazetteer never listed."""

from __future__ import annotations

import importlib

import pytest

from appliance.privacy.names import NameDetector, load_lexicon
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
