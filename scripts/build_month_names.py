"""Build ``appliance/privacy/months.toml``: month and weekday names of the languages the appliance meets.

The date grammar (``appliance/privacy/dates.py``) matches any word between a day and a
year and accepts it only if it is a month name listed here. The names come from the
Unicode CLDR through Babel (a development dependency only: the device reads the TOML):
wide and abbreviated forms, in both the formatting (``3 stycznia``, genitive) and the
stand-alone (``styczeń``) context, lower-cased, with and without diacritics
(``kasim`` for ``kasım``, ``brezna`` for ``března``), Thai abbreviations without their
dots (``มค`` for ``ม.ค.``), or with German umlauts spelled
out (``maerz``, ``mae``), since people type all of them.

Weekday names (``Samstag``, ``sobota``) are listed too: the name detector does not take a
capitalised weekday for a person unless the gazetteer knows it as a name (``Domingo``).

A word that names different months in different languages (``listopad``: November in
Polish and Czech, October in Croatian) keeps every month it names.

Run:  .venv/bin/python scripts/build_month_names.py
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from babel import Locale

# European, Turkish, Latin American and Asian languages written on the plant floors and
# clinics the appliance ships to.
LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "sl", "hr", "sr_Latn", "bs",
    "hu", "ro", "bg", "ru", "uk", "el", "tr", "sv", "da", "nb", "nn", "is", "fi", "et", "lv",
    "lt", "ga", "cy", "ca", "gl", "eu", "mt", "sq", "mk", "be", "af", "id", "ms", "tl", "vi",
    "sw", "az", "uz", "kk", "th",
)
# and the smaller languages of the sites served, where the CLDR has them (their months
# only: their weekday names are left out, since many are also given names)
MORE_LANGUAGES = (
    "lb", "fo", "rm", "fy", "br", "kw", "gd", "gv", "se", "mi", "haw", "to", "mg", "qu", "yo",
    "ig", "ha", "zu", "xh", "so", "om", "rw", "lg", "ln", "wo", "ff", "sn", "ky", "tk", "tg",
    "mn", "ka", "hy", "ceb", "jv", "su", "fil", "ast", "sc", "fur", "lij", "vec", "nds",
    "tt", "ba", "ny", "bem",
)
# Turkic languages that put a month in its possessive form after the year ("1992 елның 4
# ноябре", "2001 елның 17 марты", "1975 йылдың 3 майы"): "ноябрь" -> "ноябре", "март" ->
# "марты", by the vowel of the last syllable
POSSESSIVE_MONTHS = ("tt", "ba")
# Languages the CLDR has no calendar for, from their standard spellings: Haitian Creole,
# Corsican, Papiamento, Samoan, Fijian, Tok Pisin and Tetum.
EXTRA_MONTHS = (
    "janvye fevriye mas avril me jen jiyè out septanm oktòb novanm desanm",
    "ghjennaghju ferraghju marzu aprile maghju ghjugnu lugliu aostu sittembre uttrovi nuvembre "
    "dicembre",
    "yanüari febrüari mart aprel mei yüni yüli ougùstùs sèptèmber òktober novèmber desèmber",
    "ianuari fepuari mati aperila me iuni iulai aokuso setema oketopa novema tesema",
    "janueri feperueri maji epereli me june julai okosita seviteba okotova noveba tiseba",
    "janueri februeri mas epril me jun julai ogas septemba oktoba novemba disemba",
    "janeiru fevereiru marsu abríl maiu juñu jullu agostu setembru outubru novembru dezembru",
    # and the spellings in common use beside the CLDR's: Hausa, Chichewa
    "janairu fabrairu maris afrilu mayu yuni yuli agusta satumba oktoba nuwamba disamba",
    "januwale febuluwale malichi epulo meyi juni julayi ogasiti seputembala okutobala novembala "
    "disembala",
)
OUT = Path(__file__).resolve().parent.parent / "appliance" / "privacy" / "months.toml"


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_BACK_VOWELS = frozenset("аоуыяюёғ")
_FRONT_VOWELS = frozenset("еэиәөүі")


def _possessive(word: str) -> set[str]:
    """Return the possessive forms of a Tatar or Bashkir month name ("ноябре", "марты")."""
    if word.endswith("ь"):
        return {word[:-1] + "е"}
    if word.endswith("й"):
        return {word[:-1] + "е", word + "ы"}  # "мае" (Tatar), "майы" (Bashkir)
    vowels = [c for c in word if c in _BACK_VOWELS or c in _FRONT_VOWELS]
    return {word + ("е" if vowels and vowels[-1] in _FRONT_VOWELS else "ы")}


def month_names() -> dict[str, set[int]]:
    """Return ``{name: {month numbers}}`` over every language, width and context."""
    names: dict[str, set[int]] = {}
    for line in EXTRA_MONTHS:
        for number, word in enumerate(line.split(), start=1):
            if len(word) >= 3:
                for form in {word, _plain(word)}:
                    names.setdefault(form, set()).add(number)
    for code in LANGUAGES + MORE_LANGUAGES:
        months = Locale.parse(code).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    word = name.lower().rstrip(".")
                    if "." in word and not word.replace(".", "").isascii():
                        word = word.replace(".", "")  # Thai "ม.ค.": stored as "มค"
                    if len(word) < 2 or not word.replace(" ", "").isalpha() or (
                            len(word) < 3 and word.isascii()):
                        continue  # "1", "i", "m01": numeric or one-letter forms
                    umlauts = word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
                    forms = {word, _plain(word).replace("ı", "i"), umlauts, umlauts[:3]}
                    if code in POSSESSIVE_MONTHS and width == "wide":
                        forms |= _possessive(word)
                    for form in forms:
                        names.setdefault(form, set()).add(int(number))
    return names


def weekday_names() -> set[str]:
    """Return the weekday names (wide and abbreviated, both contexts) of every language."""
    names: set[str] = set()
    for code in LANGUAGES:
        days = Locale.parse(code).days
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for name in days[context][width].values():
                    word = name.lower().rstrip(".")
                    if len(word) >= 3 and word.replace(" ", "").isalpha():
                        names |= {word, _plain(word).replace("ı", "i")}
    return names


def main() -> None:
    names = month_names()
    lines = [
        "# Generated by scripts/build_month_names.py from the Unicode CLDR (via Babel).",
        "# Do not edit by hand: change the script and run it again.",
        "[months]",
    ]
    lines += [f'"{name}" = {sorted(nums)}' for name, nums in sorted(names.items())]
    lines += ["", "[weekdays]", "names = ["]
    lines += [f'    "{day}",' for day in sorted(weekday_names())]
    lines += ["]"]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    count = len(LANGUAGES) + len(MORE_LANGUAGES) + len(EXTRA_MONTHS)
    print(f"wrote {len(names)} month names of {count} languages to {OUT}")


if __name__ == "__main__":
    main()
