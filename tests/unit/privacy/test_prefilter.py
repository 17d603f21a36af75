"""Literal prefilters: a rule is skipped only when it could not have matched."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.privacy.detect import Detector
from appliance.privacy.health import HEALTH_TERMS
from appliance.privacy.prefilter import NeedleIndex, fold, needles, trie_pattern
from appliance.privacy.recognizers import Rule, Scan
from appliance.privacy.settings import PrivacyConfig

RULES = Detector(PrivacyConfig()).rules


def _needle_source(rule: Rule) -> re.Pattern[str] | None:
    """The pattern a rule's needles were read from: its regex, or else its trigger (the
    words a match needs nearby)."""
    from_regex = needles(rule.regex)
    if from_regex and rule.needles is not None and set(from_regex) == set(rule.needles.words):
        return rule.regex
    return rule.trigger


SOURCES = {rule.name: _needle_source(rule) for rule in RULES if rule.needles is not None}
ALL_CHARS = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)


@pytest.mark.parametrize("ch", list(string.printable))
def test_fold_maps_every_case_insensitive_partner_of_an_ascii_character_onto_it(ch: str) -> None:
    partners = re.findall("(?i)" + re.escape(ch), ALL_CHARS)
    assert ch in partners
    assert all(fold(ch) in fold(p) for p in partners), [p for p in partners if fold(ch) not in fold(p)]


def test_every_case_insensitive_partner_of_a_needle_character_folds_onto_it() -> None:
    chars = {c for r in RULES if r.needles is not None for w in r.needles.words for c in w
             if not c.isascii()}
    assert chars  # Cyrillic, Persian and Arabic cue words are among them
    for ch in chars:
        partners = re.findall("(?i)" + re.escape(ch), ALL_CHARS)
        assert all(ch in fold(p) for p in partners), (ch, partners)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?i)\b(?:pass(?:word|wd)?|pwd)\s*[:=]", {"pass", "pwd"}),
        (r"[\w.+-]+@[\w-]+\.\w+", {"@"}),
        (r"\b(?:[Rr]ue|[Aa]venue)\s+\w+", {"rue", "avenue"}),
        (r"MRN-\d{5,10}", {"mrn-"}),
        (r"x?\d+", None),  # can match digits alone
        (r"(?:abc|\d)", None),  # one alternative has no literal
        (r"(?:abc)*q", {"q"}),
    ],
)
def test_needles_are_read_off_the_pattern(pattern: str, expected: set[str] | None) -> None:
    got = needles(re.compile(pattern))
    assert (set(got) if got is not None else None) == expected


@given(st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=4), min_size=1, max_size=8),
       st.text(alphabet="abcxyz ", max_size=30))
def test_the_trie_pattern_finds_a_word_exactly_when_one_is_in_the_text(
        words: list[str], text: str) -> None:
    found = re.search(trie_pattern(tuple(words)), text) is not None
    assert found == any(w in text for w in words)


TEXTS = st.text(
    alphabet=st.sampled_from(list("aAbBcdeEiIıkKſsStTxXzZ0123456789 .,:;-_/@#()=+'’\nÄäßéł")),
    max_size=60)
WORDS = st.sampled_from(["password", "PIN", "Straße", "rue", "MRN", "tel", "IBAN", "mac",
                         "passwort", "Kennwort", "DOB", "born", "badge", "key", "token"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(TEXTS, WORDS), max_size=6))
def test_a_rule_skipped_by_its_needles_never_matches(parts: list[str]) -> None:
    text = " ".join(parts)
    scan = Scan(text)
    for rule in RULES:
        if rule.needles is not None and not scan.holds(rule.needles):
            source = SOURCES[rule.name]
            assert source is not None
            assert source.search(text) is None, (rule.name, text)


def test_most_rules_have_needles_and_skipping_them_finds_the_same_entities() -> None:
    detector = Detector(PrivacyConfig())
    with_needles = [r for r in detector.rules if r.needles is not None]
    assert len(with_needles) >= len(detector.rules) // 2
    text = ("Operator Anna Schmidt (badge B-20417), tel. +49 151 2345 6789, password: Winter2024!, "
            "lives at Rue de la Paix 4, 75002 Paris; MRN-0048213; MAC 00:1A:2B:3C:4D:5E.")
    scan = Scan(text)
    for rule in detector.rules:
        unfiltered = list(rule.find(text, Scan(text)))
        if rule.needles is not None and not scan.holds(rule.needles):
            assert unfiltered == []


def test_health_terms_grouped_by_first_letter_still_find_group_led_terms() -> None:
    text = "He had a stroke; Minor burns to the left hand; phoned in sick; 20 mg daily"
    found = [m.group() for m in HEALTH_TERMS.finditer(text)]
    assert "had a stroke" in found
    assert any(f.lower().startswith("minor burns to") for f in found)
    assert "phoned in sick" in found
    assert any(f.startswith("20 mg") for f in found)


@settings(max_examples=300, deadline=None)
@given(words=st.frozensets(st.text(alphabet="abcp:", min_size=1, max_size=4), min_size=1, max_size=12),
       text=st.text(alphabet="abcp: ", max_size=40))
def test_the_needle_index_finds_exactly_the_needles_in_the_text(words: frozenset[str], text: str) -> None:
    # overlapping needles and needles that are prefixes of others are all reported
    assert NeedleIndex(words).present(text) == {w for w in words if w in text}


def test_the_detector_skips_the_same_rules_with_the_index_as_without(detector: Detector) -> None:
    text = "Call Ana Pop on 0711 230932; password: Tr0ub4dor&3, MRN 4471823."
    indexed = Scan(text, detector._needles)
    plain = Scan(text)
    for rule in detector.rules:
        if rule.needles is not None:
            assert indexed.holds(rule.needles) == plain.holds(rule.needles), rule.name


_CUE_WORDS = ["Dr", "by", "reported by", "thanks", "operator", "patient", "nurse", "nom", "is",
              "was", "to", "cc", "Mr.", "dear", "pazjent", "named", "signed off by"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*_CUE_WORDS, "pump", "line 4", "the", ":", ",", "-", " ", "7"]),
                max_size=8))
def test_an_end_cue_answers_as_its_whole_pattern_does(parts: list[str]) -> None:
    from appliance.privacy import names

    window = " ".join(parts)
    for cue in (names._CUE_AGENT, names._CUE_BEFORE_STRONG, names._TITLE_OR_ROLE):
        assert bool(cue.search(window)) == bool(cue._pattern.search(window)), window
