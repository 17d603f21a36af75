"""A compact grammar of written dates, and the check that a match is a real calendar date.

Dates alone are not personal data; a date is a date of birth next to a birth or age
cue (``DOB``, ``born``, ``geb.``, ``née le``, ``fecha de nacimiento``) or right after a
name (see :mod:`appliance.privacy.detect`). The grammar covers the forms people write:

* numeric day-first, month-first and year-first with ``/ . -`` (spaced or not) or
  spaces, two- or four-digit years, ISO ``1981-05-03`` and compact ``19810503``;
* month names and abbreviations of over 100 languages (``months.toml``, built from the
  Unicode CLDR by ``scripts/build_month_names.py``), any case, with or without
  diacritics, with ordinals (``3rd of May 1981``, ``May 3rd, 1981``, ``3. Mai 1981``,
  ``1er mai 1981``, ``3 de mayo de 1981``, ``06-NOV-1991``, ``26 stycznia 1944``,
  ``1999. június 29.``, ``the 3rd day of May, 1981``, ``1981 May 3``, ``03MAY1981``,
  ``20 d'abril de 2007``, ``17 ga Yuli, 1957``, ``«20» июня 1974 г.``, the Tatar and
  Bashkir ``1992 елның 4 ноябре`` and the Korean ``1947년 7월 13일``);
* Roman-numeral months (``7/XI/1969``, ``3.V.1981``, ``1981-V-03``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

MONTHS_FILE = Path(__file__).with_name("months.toml")


with MONTHS_FILE.open("rb") as _fh:  # read once: month names here, weekdays for the names
    _CALENDAR_TABLE = tomllib.load(_fh)


def _month_names() -> dict[str, frozenset[int]]:
    table: dict[str, list[int]] = _CALENDAR_TABLE["months"]
    names = {name: frozenset(months) for name, months in table.items()}
    for name, months in list(names.items()):  # "Sept", "Janv", "Febr": cut-off wide names
        if len(name) > 5:
            for cut in (name[:3], name[:4]):
                names.setdefault(cut, months)
    return names


_MONTH_NAMES = _month_names()


def calendar_words() -> frozenset[str]:
    """Return the month and weekday names of every language listed (lower case)."""
    return frozenset(_CALENDAR_TABLE["months"]) | frozenset(_CALENDAR_TABLE["weekdays"]["names"])


_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN = {r: i for i, r in enumerate(_ROMAN_MONTHS, start=1)}
# "of the year" words between a year and its day: Mongolian, Tatar, Bashkir, Kazakh, Kyrgyz
_YEAR_OF = ("оны", "елның", "йылдың", "жылғы", "жылдың", "жылдын")
_FILLERS = frozenset({"the", "day", "of", "de", "del", "сарын", *_YEAR_OF})
_THAI_DOTS = re.compile(r"(?<=[\u0e01-\u0e4e])\.")

# any word may stand for the month: ``date_ok`` looks it up (an alternation of 900 names
# would cost more than the lookup)
_MON = r"[^\W\d_]{3,12}\.?"
_ROM = r"(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
_ORD = r"(?:st|nd|rd|th|er|e|º|°|\.)?"
_D = r"(?:3[01]|[12]\d|0?[1-9])"
_M = r"(?:1[0-2]|0?[1-9])"
_Y4 = r"(?:19|20|24|25)\d{2}"  # 24xx and 25xx: Buddhist-era years (Thailand)
_Y = rf"(?:{_Y4}|\d{{2}})"
_QUOTED_D = rf"[«„“\"]{_D}[»“”\"]"  # «20» июня 1974 г.: the day in quotes (Russian forms)

_SEPS = (r"/", r"\.", r"-")
DATE = (
    "(?:"
    rf"{_Y4} оны {_M} сарын {_D}|"  # 1981 оны 05 сарын 03 (Mongolian; before "1981 May 3")
    rf"{_Y4}\s+(?:{'|'.join(_YEAR_OF[1:])})\s+{_D}\s+{_MON}|"  # 1992 елның 4 ноябре (Tatar)
    rf"{_Y4}-{_M}-{_D}|{_Y4}/{_M}/{_D}|{_Y4}\.{_M}\.{_D}\.?|"  # 1981-05-03, 1981.05.03.
    + "|".join(rf"{_D}{s}{_D}{s}{_Y}" for s in _SEPS)  # 03/05/1981, 5/3/81, 03-05-81
    + "|" + "|".join(rf"{_D} {s} {_D} {s} {_Y4}" for s in _SEPS)  # 18 - 01 - 1946
    + rf"|{_D} {_M} {_Y4}|"  # 03 05 1981
    rf"(?:19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|"  # 19810503
    + "|".join(rf"{_D}\s?{s}\s?{_ROM}\s?{s}\s?{_Y}" for s in (*_SEPS, " "))  # 7/XI/1969
    + rf"|{_Y4}-{_ROM}-{_D}|"  # 1981-V-03
    # 3rd of May 1981, 3 de mayo de 1981, 20 d'abril de 2007, 17 ga Yuli, 1957 (Hausa),
    # «20» июня 1974 г. (Russian)
    rf"(?i:the\s+)?(?:{_D}(?i:{_ORD})|{_QUOTED_D})(?i:\s+of|\s+de|\s+di|\s+ga)?(?:\s+|-)"
    rf"(?i:d['’])?(?i:{_MON})(?i:\s+de|\s+di)?(?:\s+|-|,\s*){_Y}|"
    rf"(?i:{_MON})(?:\s+|-){_D}(?i:{_ORD}),?(?:\s+|-){_Y4}|"  # May 3rd, 1981; MAY 03 1981
    rf"(?i:the\s+)?{_D}(?i:{_ORD})\s+(?i:day\s+of)\s+(?i:{_MON}),?\s+{_Y4}|"  # the 3rd day of May, 1981
    rf"{_Y4}\.?\s+(?i:{_MON})\s+{_D}\b\.?|"  # 1981 May 3, 1981. május 3.
    rf"(?:0[1-9]|[12]\d|3[01])[A-Za-z]{{3}}(?:{_Y4}|\d{{2}})(?!\d)|"  # 03MAY1981, 03MAY81
    rf"{_Y4}年{_M}月{_D}日|{_Y4}년\s?{_M}월\s?{_D}일|"  # 1981年5月3日, 1981년 5월 3일
    rf"{_D}\s[\u0e01-\u0e4e]{{1,3}}\.[\u0e01-\u0e4e]{{1,3}}\.\s(?:{_Y4}|\d{{2}})|"  # 6 ก.ย. 2515
    rf"{_D}\.\s{_M}\.\s{_Y4}"  # 16. 8. 1963
    ")"
)
_DATE_RE = re.compile(rf"(?<![\w.:/-]){DATE}(?!\w|[./:-]\d)")
_PARTS = re.compile(r"[^\W\d_]+\.?|[º°]|\d+")


def find_dates(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` spans of the written dates in ``text``."""
    return [m.span() for m in _DATE_RE.finditer(text) if date_ok(m.group())]


def date_ok(value: str) -> bool:
    """True when ``value`` names a real calendar day (month 1-12, day in the month)."""
    value = _THAI_DOTS.sub("", value)  # "ก.ย." -> "กย"
    if value.isdigit() and len(value) == 8:  # compact, year first
        return _real(int(value[:4]), int(value[4:6]), int(value[6:]))
    nums: list[int] = []
    months: frozenset[int] = frozenset()
    for tok in _PARTS.findall(value):
        if tok.isdigit():
            nums.append(int(tok))
            continue
        word = tok.rstrip(".")
        if word in _ROMAN:
            months = frozenset({_ROMAN[word]})
        elif word.lower() in _MONTH_NAMES:
            months = _MONTH_NAMES[word.lower()]
        elif word.isalpha() and len(word) >= 3 and word.lower() not in _FILLERS:
            return False  # a word between a day and a year that names no month
    if months:
        if len(nums) != 2:
            return False
        day, year = (nums[1], nums[0]) if nums[0] > 31 else (nums[0], nums[1])
        return any(_real(year, month, day) for month in months)
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
    elif 2400 <= year < 2600:
        year -= 543  # Buddhist era
    if not 1890 <= year <= 2099:
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


# Written right after a birth cue, a date may come without separators ("born 29121987",
# "Geburtsdatum 620619") or in the Solar Hijri calendar of Iran and Afghanistan
# ("born 1364/03/30"): both are read only there.
COMPACT_OR_SOLAR = r"\d{6}(?:\d{2})?|1[34]\d{2}[/.-](?:1[0-2]|0?[1-9])[/.-](?:3[01]|[12]\d|0?[1-9])"

_COMPACT_OR_SOLAR = re.compile(COMPACT_OR_SOLAR)


def compact_or_solar_date_ok(value: str) -> bool:
    """True for a real birth date written as 6 or 8 digits in any common order (day,
    month, year; year, month, day; month, day, year) or as a Solar Hijri date."""
    if _COMPACT_OR_SOLAR.fullmatch(value) is None:
        return False
    if not value.isdigit():
        year, month, day = (int(p) for p in re.split(r"[/.-]", value))
        return 1300 <= year <= 1410 and day <= (31 if month <= 6 else 30)
    orders: tuple[tuple[str, str, str], ...]
    if len(value) == 8:
        orders = ((value[4:], value[2:4], value[:2]), (value[:4], value[4:6], value[6:]),
                  (value[4:], value[:2], value[2:4]))
    else:
        orders = ((value[4:], value[2:4], value[:2]), (value[:2], value[2:4], value[4:]))
    return any(_real(int(y), int(m), int(d)) and (len(y) == 2 or 1900 <= int(y) <= 2030)
               for y, m, d in orders)

