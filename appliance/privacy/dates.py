"""A compact grammar of written dates, and the check that a match is a real calendar date.

Dates alone are not personal data; a date is a date of birth next to a birth or age
cue (``DOB``, ``born``, ``geb.``, ``née le``, ``fecha de nacimiento``) or right after a
name (see :mod:`appliance.privacy.detect`). The grammar covers the forms people write:

* numeric day-first, month-first and year-first with ``/ . -`` or spaces, two- or
  four-digit years, ISO ``1981-05-03`` and compact ``19810503``;
* month names and abbreviations in English, German, French, Spanish, Italian, Dutch
  and Portuguese, any case, with ordinals (``3rd of May 1981``, ``May 3rd, 1981``,
  ``3. Mai 1981``, ``1er mai 1981``, ``3 de mayo de 1981``, ``06-NOV-1991``);
* Roman-numeral months (``7/XI/1969``, ``3.V.1981``, ``1981-V-03``).
"""

from __future__ import annotations

import datetime as dt
import re

_MONTH_NAMES: dict[str, int] = {}
for _names in (
    "january february march april may june july august september october november december",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "januari februari maart april mei juni juli augustus september oktober november december",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
):
    for _i, _name in enumerate(_names.split(), start=1):
        _MONTH_NAMES.setdefault(_name, _i)
        _MONTH_NAMES.setdefault(_name[:3], _i)
        if len(_name) > 4:
            _MONTH_NAMES.setdefault(_name[:4], _i)  # "Sept", "Janv", "Febr"
for _abbr, _i in (("mrt", 3), ("mär", 3), ("mae", 3), ("okt", 10), ("dez", 12), ("ene", 1),
                  ("dic", 12), ("ago", 8), ("set", 9), ("out", 10), ("fév", 2), ("avr", 4),
                  ("déc", 12), ("gen", 1), ("mag", 5), ("giu", 6), ("lug", 7)):
    _MONTH_NAMES.setdefault(_abbr, _i)
_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN = {r: i for i, r in enumerate(_ROMAN_MONTHS, start=1)}

_MON = ("(?:" + "|".join(sorted((re.escape(n) for n in _MONTH_NAMES), key=len, reverse=True))
        + r")\.?")
_ROM = r"(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
_ORD = r"(?:st|nd|rd|th|er|e|º|°|\.)?"
_D = r"(?:3[01]|[12]\d|0?[1-9])"
_M = r"(?:1[0-2]|0?[1-9])"
_Y4 = r"(?:19|20)\d{2}"
_Y = rf"(?:{_Y4}|\d{{2}})"

_SEPS = (r"/", r"\.", r"-")
DATE = (
    "(?:"
    rf"{_Y4}-{_M}-{_D}|{_Y4}/{_M}/{_D}|{_Y4}\.{_M}\.{_D}\.?|"  # 1981-05-03, 1981.05.03.
    + "|".join(rf"{_D}{s}{_D}{s}{_Y}" for s in _SEPS)  # 03/05/1981, 5/3/81, 03-05-81
    + rf"|{_D} {_M} {_Y4}|"  # 03 05 1981
    rf"(?:19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|"  # 19810503
    + "|".join(rf"{_D}\s?{s}\s?{_ROM}\s?{s}\s?{_Y}" for s in (*_SEPS, " "))  # 7/XI/1969
    + rf"|{_Y4}-{_ROM}-{_D}|"  # 1981-V-03
    rf"(?i:the\s+)?{_D}(?i:{_ORD})(?i:\s+of|\s+de)?(?:\s+|-)(?i:{_MON})(?i:\s+de)?(?:\s+|-|,\s*){_Y}|"
    rf"(?i:{_MON})(?:\s+|-){_D}(?i:{_ORD}),?(?:\s+|-){_Y4}"  # May 3rd, 1981; MAY 03 1981
    ")"
)
_DATE_RE = re.compile(rf"(?<![\w.:/-]){DATE}(?![\w:]|[./-]\d)")
_PARTS = re.compile(r"(?i)[a-zäöüéèûçº°]+\.?|\d+")


def find_dates(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` spans of the written dates in ``text``."""
    return [m.span() for m in _DATE_RE.finditer(text) if date_ok(m.group())]


def date_ok(value: str) -> bool:
    """True when ``value`` names a real calendar day (month 1-12, day in the month)."""
    if value.isdigit() and len(value) == 8:  # compact, year first
        return _real(int(value[:4]), int(value[4:6]), int(value[6:]))
    nums: list[int] = []
    month = 0
    for tok in _PARTS.findall(value):
        if tok.isdigit():
            nums.append(int(tok))
            continue
        word = tok.rstrip(".").lower()
        if tok.rstrip(".").upper() in _ROMAN and tok.rstrip(".").isupper():
            month = _ROMAN[tok.rstrip(".").upper()]
        elif word in _MONTH_NAMES:
            month = _MONTH_NAMES[word]
    if month:
        if len(nums) != 2:
            return False
        day, year = (nums[1], nums[0]) if nums[0] > 31 else (nums[0], nums[1])
        return _real(year, month, day)
    if len(nums) != 3:
        return False
    a, b, c = nums
    if a > 31:  # year first
        return _real(a, b, c)
    # day first or month first: either reading that is a real day will do
    return _real(c, b, a) or _real(c, a, b)


def _real(year: int, month: int, day: int) -> bool:
    if year < 100:
        year += 1900 if year > 30 else 2000
    if not 1890 <= year <= 2099:
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True
