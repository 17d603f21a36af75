"""Personal identity numbers of many countries, found by shape and checked by python-stdnum.

Rather than one hand-written pattern per country, any run of digit groups (with the
separators people write: spaces, dots, dashes, slashes) is split into its groups and
every contiguous stretch of them is offered to the national-ID validators of
`python-stdnum <https://arthurdejong.org/python-stdnum/>`_ whose length it has: a
Romanian CNP, a Chinese resident ID, a Chilean RUT and a Dutch BSN are found the same
way, whatever the spelling.

How much evidence a valid number needs depends on how often a random number of its
length passes the check (measured: ``scripts/bench/id_check_rates.py``):

* ``BARE`` (under 0.5 % pass by chance, or letters in fixed places): enough on its own,
  unless a part, order or phone word stands right before it;
* ``PERSONAL`` (under 3 %): in a text that already names a person or one of their
  identifiers, or after an ID word;
* ``CUE`` (a mod-10/mod-11 check only): after an ID word, or written in the kind's own
  official grouping (``12.345.678-5``, ``2345 6789 0123``) in a text about a person.

Without an ID word, a weakly checked number must also be written ungrouped or in its
official grouping: ``226-1181-305`` is a part number even where its digits pass a check.
Kinds stdnum does not know are checked by our own code here (``own.*``): Singapore
NRIC/FIN, Hong Kong and Taiwan identity cards, Russian SNILS, Emirates ID and Saudi ID.

One deliberate exception: nine digits pass the US SSN check 88 % of the time, yet a bare
nine-digit number in a text about a person, with no part, order or phone word before
it, is taken for an SSN (``PERSONAL``): failing safe costs a part number's redaction,
failing open an identity number.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from types import ModuleType

from appliance.privacy.entities import DataClass, Entity


class Evidence(IntEnum):
    """How much a valid number needs besides its check (lower: less)."""

    BARE = 0
    PERSONAL = 1
    CUE = 2


@dataclass(frozen=True)
class Kind:
    """One national identifier: its stdnum module, compact lengths and evidence tier."""

    module: str  # "stdnum.<module>", or a name of ours when ``check`` is given
    lengths: tuple[int, ...]
    evidence: Evidence
    words: tuple[str, ...] = ()  # the kind's own names, read as ID words before it
    letters: bool = False  # the compact form holds letters
    check: Callable[[str], bool] | None = None  # instead of the module's is_valid

    @property
    def mod(self) -> ModuleType:
        return _module(self.module)


@cache
def _module(name: str) -> ModuleType:
    return importlib.import_module(f"stdnum.{name}")


def _ric_ok(compact: str) -> bool:
    """Chinese resident ID: birth date and ISO 7064 check character. stdnum also wants the
    birth place in its own county list, which misses many districts (Shenzhen's 440305)."""
    ric = _module("cn.ric")
    ric.get_birth_date(compact)  # raises on an impossible date
    return bool(compact[:17].isdigit() and ric.calc_check_digit(compact) == compact[17])


def _nric_ok(compact: str) -> bool:
    """Singapore NRIC/FIN ``S1234567D``: weighted digits, a check letter per prefix."""
    if len(compact) != 9 or compact[0] not in "STFG" or not compact[1:8].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(compact[1:8], (2, 7, 6, 5, 4, 3, 2), strict=True))
    total += 4 if compact[0] in "TG" else 0
    letters = "JZIHGFEDCBA" if compact[0] in "ST" else "XWUTRQPNMLK"
    return letters[total % 11] == compact[8]


def _hkid_ok(compact: str) -> bool:
    """Hong Kong identity card ``A123456(3)``: one or two letters, six digits, mod-11 check."""
    m = re.fullmatch(r"([A-Z]{1,2})(\d{6})([0-9A])", compact)
    if m is None:
        return False
    letters = m.group(1).rjust(2)
    values = [36 if c == " " else ord(c) - 55 for c in letters] + [int(d) for d in m.group(2)]
    total = sum(v * w for v, w in zip(values, range(9, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return ("A" if check == 10 else str(check)) == m.group(3)


_TW_LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))


def _tw_id_ok(compact: str) -> bool:
    """Taiwan national ID ``A123456789``: a region letter, sex digit, weighted mod 10."""
    if len(compact) != 10 or compact[0] not in _TW_LETTERS or compact[1] not in "12" \
            or not compact[1:].isdigit():
        return False
    code = _TW_LETTERS[compact[0]]
    digits = [code // 10, code % 10] + [int(d) for d in compact[1:]]
    weights = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def _pt_cc_ok(compact: str) -> bool:
    """Portuguese citizen card ``00000000 0 ZZ4``: two check letters in fixed places (a
    run of digits alone is not one)."""
    return not compact.isdigit() and bool(_module("pt.cc").is_valid(compact))


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _uae_eid_ok(compact: str) -> bool:
    """UAE Emirates ID ``784-1992-2262694-9``: 784, the birth year, a serial, Luhn."""
    return (len(compact) == 15 and compact.isdigit() and compact.startswith("784")
            and 1900 <= int(compact[3:7]) <= 2030 and _luhn(compact))


def _saudi_nin_ok(compact: str) -> bool:
    """Saudi national (1...) or resident (2...) ID: ten digits, Luhn."""
    return len(compact) == 10 and compact.isdigit() and compact[0] in "12" and _luhn(compact)


def _snils_ok(compact: str) -> bool:
    """Russian SNILS ``112-233-445 95``: digits weighted 9..1, the sum mod 101 (100 -> 00)."""
    if len(compact) != 11 or not compact.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(compact[:9], range(9, 0, -1), strict=True))
    return f"{total % 101 % 100:02d}" == compact[9:]


_B, _P, _C = Evidence.BARE, Evidence.PERSONAL, Evidence.CUE
KINDS: tuple[Kind, ...] = (  # sorted by evidence: the first valid kind names the match
    Kind("ro.cnp", (13,), _B, ("cnp",)),
    Kind("cn.ric", (18,), _B, ("ric", "resident identity", "身份证"), letters=True, check=_ric_ok),
    Kind("za.idnr", (13,), _B),
    Kind("kr.rrn", (13,), _B, ("rrn", "resident registration")),
    Kind("si.emso", (13,), _B, ("emšo", "emso")),
    Kind("ch.ssn", (13,), _B, ("ahv", "avs", "avs/ahv")),

    Kind("be.nn", (11,), _B, ("rijksregisternummer", "numéro national", "nn", "niss")),
    Kind("be.bis", (11,), _B, ("bis",)),
    Kind("ee.ik", (11,), _B, ("isikukood",)),
    Kind("gr.amka", (11,), _B, ("amka",)),
    Kind("no.fodselsnummer", (11,), _B, ("fødselsnummer", "fodselsnummer", "fnr")),

    Kind("is_.kennitala", (10,), _B, ("kennitala", "kt")),
    Kind("se.personnummer", (10, 12), _B, ("personnummer", "pnr")),
    Kind("fi.hetu", (11,), _B, ("hetu", "henkilötunnus"), letters=True),
    Kind("it.codicefiscale", (16,), _B, ("codice fiscale", "cf"), letters=True),
    Kind("mx.curp", (18,), _B, ("curp",), letters=True),
    Kind("es.dni", (9,), _B, ("dni",), letters=True),
    Kind("es.nie", (9,), _B, ("nie",), letters=True),
    Kind("ie.pps", (8, 9), _B, ("pps", "ppsn"), letters=True),
    Kind("in_.pan", (10,), _B, ("pan",), letters=True),
    Kind("pt.cc", (12,), _B, ("cartão de cidadão", "cc"), letters=True, check=_pt_cc_ok),
    Kind("fr.nir", (15,), _P, ("nir", "insee", "sécurité sociale", "securite sociale"), letters=True),
    Kind("de.idnr", (11,), _P, ("idnr", "steuer-id", "steuerid", "steuer-identifikationsnummer")),
    Kind("tr.tckimlik", (11,), _P, ("tc kimlik", "tckn", "kimlik")),
    Kind("own.ru_snils", (11,), _P, ("snils", "снилс"), check=_snils_ok),
    Kind("own.ae_eid", (15,), _B, ("emirates id", "eid"), check=_uae_eid_ok),
    Kind("own.sa_nin", (10,), _C, ("iqama", "national id"), check=_saudi_nin_ok),
    Kind("own.sg_nric", (9,), _P, ("nric", "fin"), letters=True, check=_nric_ok),
    Kind("own.hk_id", (8, 9), _P, ("hkid", "hong kong identity"), letters=True, check=_hkid_ok),
    Kind("own.tw_id", (10,), _P, ("身分證", "national id"), letters=True, check=_tw_id_ok),
    Kind("bg.egn", (10,), _P, ("egn", "егн")),
    Kind("br.cpf", (11,), _P, ("cpf",)),
    Kind("cz.rc", (10,), _P, ("rodné číslo", "rodne cislo", "rč", "rc")),
    Kind("dk.cpr", (10,), _P, ("cpr", "cpr-nr", "personnummer")),
    Kind("lt.asmens", (11,), _P, ("asmens kodas", "ak")),
    Kind("pl.pesel", (11,), _P, ("pesel",)),
    Kind("my.nric", (12,), _P, ("nric", "mykad")),
    Kind("ec.ci", (10,), _P, ("cédula", "cedula")),
    Kind("id.nik", (16,), _P, ("nik",)),
    Kind("cz.rc", (9,), _C, ("rodné číslo", "rodne cislo", "rč", "rc")),  # issued before 1954
    Kind("gb.nhs", (10,), _C, ("nhs", "nhs number", "nhs no")),
    Kind("at.vnr", (10,), _C, ("svnr", "vsnr", "sozialversicherungsnummer", "versicherungsnummer")),
    Kind("nl.bsn", (8, 9), _C, ("bsn", "burgerservicenummer", "sofinummer")),
    Kind("pt.nif", (9,), _C, ("nif", "contribuinte")),
    Kind("hr.oib", (11,), _C, ("oib",)),
    Kind("cl.rut", (8, 9), _C, ("rut", "run"), letters=True),
    Kind("in_.aadhaar", (12,), _C, ("aadhaar", "uidai")),
    Kind("th.pin", (13,), _C, ("thai id",)),
    Kind("ca.sin", (9,), _C, ("sin", "social insurance")),
    Kind("au.tfn", (8, 9), _C, ("tfn", "tax file number")),
    Kind("il.idnr", (8, 9), _C, ("teudat zehut", "zehut")),
    Kind("jp.in_", (12,), _C, ("my number", "individual number")),
    Kind("lv.pvn", (11,), _C, ("personas kods",)),
    Kind("bg.pnf", (10,), _C, ("lnch", "pnf")),
    Kind("us.ssn", (9,), _P, ("ssn", "social security")),
)

_BY_LENGTH: dict[int, tuple[Kind, ...]] = {
    n: tuple(k for k in KINDS if n in k.lengths) for n in {n for k in KINDS for n in k.lengths}
}

# A group: digits and capitals with at least one digit ("308T", "RSSMRA85T10A562S"),
# or a lone check letter after a dash ("-K").
_GROUP = r"[A-Z]{0,6}\d[0-9A-Z]*"
_RUN = re.compile(
    rf"(?<![\w.+/@:#-])\+?{_GROUP}"
    rf"(?:(?:[ ./-]|\. ){_GROUP}){{0,6}}(?:-[0-9A-Z]|-k|\([0-9A]\))?(?![\w@]|[:./-]\w)")
# a number after a time word is a time stamp ("arrived 1704733170", "from 1781208328")
_TIME_BEFORE = re.compile(
    r"(?i)\b(?:from|since|until|till|arrived|left|departed|ts|time|timestamp|epoch|unix)"
    r"\s*[:=]?\s*$")
_SPLIT = re.compile(r"[ ./()-]+")
_LETTER_AFTER_DASH = re.compile(r"-[A-JL-Z]$")  # "-K" is the Chilean RUT's own check letter
_SHORTEST = min(n for k in KINDS for n in k.lengths)
_SEPARATORS = re.compile(r"[ ./()-]")
DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")  # shaped like an IPv4 address
_ID_WORDS = (
    r"id|i\.d\.|id\s*(?:no|nr|number|card|#)|identity(?:\s+(?:card|number|no))?|national\s+(?:id|number)|"
    r"personal\s+(?:id|number|code|no)|citizen(?:ship)?\s+(?:id|number)|tax\s+(?:id|number|no|code)|"
    r"tin|passport|residence\s+permit|social\s+(?:security|insurance)(?:\s+(?:number|no))?|"
    r"id[_ ]?no|document(?:o)?(?:\s+(?:de\s+)?identi\w+)?|pi[eè]ce\s+d['’]identit[eé]|"
    r"carta\s+d['’]identit[aà]|(?:personal)?ausweis(?:nummer)?|dow[oó]d(?:\s+osobisty)?|"
    r"c[ée]dula|identiteitskaart|henkilöllisyystodistus|ic|nric|fin|hkid|身分證|"
    r"(?:id|tax|n[uú]mero)\s+fiscal|fiscal\s+(?:id|code|number)|identity\s+document|"
    r"identificaci[oó]n|num[ée]ro\s+d['’]identification|kimlik(?:\s+no)?|proof\s+of\s+id")
_CUE = re.compile(
    r"(?i)(?<![^\W\d_])(?:" + _ID_WORDS + "|"
    + "|".join(sorted({re.escape(w) for k in KINDS for w in k.words}, key=len, reverse=True))
    + r")(?![^\W\d_])\.?(?:\s*(?:no|nr|number|#)\.?)?[\s:=#(]*(?:is\s+)?$")


def _valid(kind: Kind, compact: str) -> bool:
    try:  # stdnum raises ValidationError, and on rare inputs other errors: never propagate
        if kind.check is not None:
            return kind.check(compact)
        return bool(kind.mod.is_valid(compact))
    except Exception:  # any failure of a validator means "not this kind"
        return False


def _official(kind: Kind, value: str, compact: str) -> bool:
    """True when ``value`` is written in the kind's own grouping (its stdnum ``format``)."""
    if kind.module == "own.ru_snils":
        return re.fullmatch(r"\d{3}-\d{3}-\d{3} \d{2}", value) is not None
    if kind.module.startswith("own."):
        return "(" in value  # "A123456(3)": the check digit in brackets, as printed
    fmt: Callable[[str], str] | None = getattr(kind.mod, "format", None)
    if fmt is None:
        return False
    try:
        official = fmt(compact)
    except Exception:  # see _valid
        return False
    return official != compact and official.upper() == value.upper()


def _groups(run: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for sep in _SPLIT.finditer(run):
        spans.append((pos, sep.start()))
        pos = sep.end()
    spans.append((pos, len(run)))
    return [(s, e) for s, e in spans if e > s]


def find_id_numbers(text: str, personal: bool,
                    vetoed: Callable[[int], bool]) -> Iterable[Entity]:
    """Yield national identity numbers in ``text``.

    ``personal``: the text already names a person or one of their identifiers;
    ``vetoed(start)``: a part, order or phone word stands right before ``start``.
    """
    for m in _RUN.finditer(text):
        run = m.group()
        if len(run) < _SHORTEST or run.startswith("+") or DOTTED_QUAD.fullmatch(run):
            continue  # too short for any kind; an international phone number; an IPv4 address
        groups = _groups(m.group())
        found = _best(text, m.start(), m.group(), groups, personal, vetoed)
        if found is not None:
            yield found


def _best(text: str, base: int, run: str, groups: list[tuple[int, int]], personal: bool,
          vetoed: Callable[[int], bool]) -> Entity | None:
    n = len(groups)
    cues: dict[int, bool] = {}
    for size in range(n, 0, -1):  # longest stretch first
        for i in range(n - size + 1):
            s, e = groups[i][0], groups[i + size - 1][1]
            if run[e:e + 1] == ")":
                e += 1  # "K095011(4)": the bracketed check digit belongs to the number
            value = run[s:e]
            compact = _SEPARATORS.sub("", value).upper()
            kinds = _BY_LENGTH.get(len(compact))
            if not kinds:
                continue
            start = base + s
            if start not in cues:  # the context checks cost less than the validators
                cue = bool(_CUE.search(text, max(0, start - 40), start))
                cues[start] = cue or not (
                    vetoed(start) or _TIME_BEFORE.search(text, max(0, start - 20), start))
                cues[-start - 1] = cue
            if not cues[start]:
                continue  # a part, order, phone or time word before it, and no ID word
            if not cues[-start - 1] and _LETTER_AFTER_DASH.search(value):
                continue  # "4471-2231-B": a part's revision letter, unless an ID word says so
            found = _first_kind(kinds, value, compact, personal, cues[-start - 1])
            if found is not None:
                kind, score = found
                return Entity(DataClass.NATIONAL_ID, start, start + len(value), value, score,
                              f"id:{kind.module}")
    return None


def _first_kind(kinds: tuple[Kind, ...], value: str, compact: str, personal: bool,
                cue: bool) -> tuple[Kind, float] | None:
    digits_only = compact.isdigit()
    for kind in kinds:
        if not kind.letters and not digits_only:
            continue
        need = kind.evidence
        if need is Evidence.PERSONAL and not (personal or cue):
            continue
        if need is Evidence.CUE and not (cue or (personal and value != compact)):
            continue
        if not cue and need is not Evidence.BARE:
            # with no ID word, only the ungrouped form (PERSONAL) or the kind's official
            # grouping counts: another grouping is a part or order number (checked first,
            # since it costs less than the check digits)
            ungrouped = need is Evidence.PERSONAL and value == compact
            if not ungrouped and not _official(kind, value, compact):
                continue
        if not _valid(kind, compact):
            continue
        return kind, (0.9 if cue or need is Evidence.BARE else 0.7)
    return None
