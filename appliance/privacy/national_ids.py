"""More European national identifiers, each with its own check (digits, date, or both).

Danish CPR, Finnish HETU, Swiss AHV/AVS, Belgian national number, Portuguese NIF,
Irish PPSN, Norwegian fødselsnummer, Czech/Slovak rodné číslo and Austrian social
insurance number. Where a format is distinctive and checked (an AHV number starts
``756.`` and ends in an EAN check digit; a HETU ends in a mod-31 character) no context
is needed; plain digit runs (a NIF, a bare SVNR) count only after an ID word.

The AHV and PESEL checks are python-stdnum's (they agree with the rules' needs exactly);
the others stay our own where stdnum's accept other numbers (stdnum's CPR, for
one, reads the century from the seventh digit and refuses future birth dates), since
these rules were tuned on ours.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum.ch import ssn as ch_ssn
from stdnum.pl import pesel as pl_pesel

from appliance.privacy import checksums as ck
from appliance.privacy.entities import DataClass
from appliance.privacy.recognizers import ID_CONTEXT, ID_VETO, PART_VETO, Rule


def _date_ok(day: int, month: int, year: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _ddmmyy_ok(text: str) -> bool:
    d = text[:6]
    return d.isdigit() and any(_date_ok(int(d[:2]), int(d[2:4]), c + int(d[4:6]))
                               for c in (1900, 2000))


def cpr_ok(text: str) -> bool:
    """Danish CPR ``DDMMYY-SSSS``: a real birth date (no check digit since 2007)."""
    d = ck.digits(text)
    return len(d) == 10 and _ddmmyy_ok(d)


def hetu_ok(text: str) -> bool:
    """Finnish HETU ``DDMMYYCZZZQ``: birth date, century sign, mod-31 check character."""
    raw = text.upper()
    if len(raw) != 11 or not _ddmmyy_ok(raw[:6]) or not raw[7:10].isdigit():
        return False
    return "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(raw[:6] + raw[7:10]) % 31] == raw[10]


def ahv_ok(text: str) -> bool:
    """Swiss AHV/AVS ``756.XXXX.XXXX.XC``: 13 digits starting 756, EAN-13 check digit."""
    return bool(ch_ssn.is_valid(ck.digits(text)))


def be_nn_ok(text: str) -> bool:
    """Belgian national number ``YY.MM.DD-XXX.CC``: CC = 97 - n mod 97 (2 prefixed after 2000)."""
    d = ck.digits(text)
    if len(d) != 11:
        return False
    body, check = int(d[:9]), int(d[9:])
    return check in (97 - body % 97, 97 - int("2" + d[:9]) % 97)


def pt_nif_ok(text: str) -> bool:
    """Portuguese NIF: 9 digits, weighted mod-11 check digit."""
    d = ck.digits(text)
    if len(d) != 9 or d[0] not in "1235689":
        return False
    c = 11 - sum(int(x) * (9 - i) for i, x in enumerate(d[:8])) % 11
    return (0 if c >= 10 else c) == int(d[8])


def ppsn_ok(text: str) -> bool:
    """Irish PPSN: 7 digits, a mod-23 check letter, an optional second letter."""
    raw = text.upper()
    if not re.fullmatch(r"\d{7}[A-W][A-IW]?", raw):
        return False
    total = sum(int(x) * (8 - i) for i, x in enumerate(raw[:7]))
    if len(raw) == 9 and raw[8] != "W":
        total += 9 * (ord(raw[8]) - 64)
    return "WABCDEFGHIJKLMNOPQRSTUV"[total % 23] == raw[7]


def no_fnr_ok(text: str) -> bool:
    """Norwegian fødselsnummer: birth date (D-numbers add 40 to the day), two mod-11 digits."""
    d = ck.digits(text)
    if len(d) != 11:
        return False
    day = int(d[:2]) - (40 if int(d[:2]) > 40 else 0)
    if not _ddmmyy_ok(f"{day:02d}{d[2:6]}"):
        return False
    for weights, pos in (((3, 7, 6, 1, 8, 9, 4, 5, 2), 9), ((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), 10)):
        k = 11 - sum(int(x) * w for x, w in zip(d, weights, strict=False)) % 11
        if (0 if k == 11 else k) != int(d[pos]):
            return False
    return True


def rodne_cislo_ok(text: str) -> bool:
    """Czech/Slovak rodné číslo ``YYMMDD/XXXX``: a birth date (women: month + 50), mod 11."""
    d = ck.digits(text)
    if len(d) != 10:
        return False
    month = int(d[2:4]) % 50
    if month > 12:
        month -= 20  # the +20 months issued since 2004
    if not any(_date_ok(int(d[4:6]), month, c + int(d[:2])) for c in (1900, 2000)):
        return False
    return int(d) % 11 == 0 or (int(d[:9]) % 11 == 10 and d[9] == "0")


def svnr_ok(text: str) -> bool:
    """Austrian social insurance number ``XXXC DDMMYY``: weighted mod-11 check, birth date."""
    d = ck.digits(text)
    if len(d) != 10 or d[0] == "0" or not _ddmmyy_ok(d[4:]):
        return False
    total = sum(int(x) * w for x, w in zip(d, (3, 7, 9, 0, 5, 8, 4, 2, 1, 6), strict=True))
    return total % 11 == int(d[3])


def se_pnr_ok(text: str) -> bool:
    """Swedish personnummer ``(CC)YYMMDD-NNNC``: a birth date (or +60 coordination day), Luhn."""
    d = ck.digits(text)[-10:]
    if len(d) != 10 or not ck.luhn_ok(d):
        return False
    day = int(d[4:6])
    day = day - 60 if day > 60 else day
    return any(_date_ok(day, int(d[2:4]), c + int(d[:2])) for c in (1900, 2000))


def pesel_dated_ok(text: str) -> bool:
    """PESEL ``YYMMDDZZZXQ``: check digit and a birth date (month + 20/40/60/80 by century)."""
    return bool(pl_pesel.is_valid(ck.digits(text)))


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


NATIONAL_ID_RULES: tuple[Rule, ...] = (
    Rule("ch_ahv", DataClass.NATIONAL_ID, _c(r"(?<![\w.])756[. ]?\d{4}[. ]?\d{4}[. ]?\d{2}(?![\w.]?\d)"),
         validate=ahv_ok, score=0.95),
    Rule("be_nn", DataClass.NATIONAL_ID,
         _c(r"(?<![\w.-])\d{2}\.\d{2}\.\d{2}[- ]\d{3}\.\d{2}(?![\w.-]?\d)"), validate=be_nn_ok),
    Rule("be_nn_spaced", DataClass.NATIONAL_ID,  # "681219 344 16", "68121934416"
         _c(r"(?<![\w.-])\d{6} ?\d{3} ?\d{2}(?![\w.-]?\d)"), validate=be_nn_ok, veto=ID_VETO),
    Rule("cz_rodne_cislo_bare", DataClass.NATIONAL_ID, _c(r"(?<![\w/+-])\d{10}(?![\w/-])"),
         validate=rodne_cislo_ok, veto=ID_VETO, score=0.8),
    Rule("se_pnr_bare", DataClass.NATIONAL_ID,  # "811218-9876", "19811218-9876": date and Luhn
         _c(r"(?<![\w-])(?:19|20)?\d{6}[-+]\d{4}(?![\w-])"), validate=se_pnr_ok, veto=ID_VETO),
    Rule("at_svnr_bare", DataClass.NATIONAL_ID, _c(r"(?<![\w/+-])\d{10}(?![\w/-])"),
         validate=svnr_ok, veto=ID_VETO, score=0.75),
    Rule("pl_pesel_bare", DataClass.NATIONAL_ID, _c(r"(?<![\w+-])\d{11}(?![\w-])"),
         validate=pesel_dated_ok, veto=ID_VETO, score=0.8),
    Rule("fi_hetu", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?![\w-])"),
         validate=hetu_ok),
    Rule("cz_rodne_cislo", DataClass.NATIONAL_ID, _c(r"(?<![\w/-])\d{6}/\d{3,4}(?![\w/-])"),
         validate=rodne_cislo_ok, veto=PART_VETO),
    Rule("dk_cpr", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{6}-\d{4}(?![\w-])"),
         validate=cpr_ok, veto=PART_VETO),
    Rule("dk_cpr_ctx", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{10}(?![\w-])"),
         validate=cpr_ok, context=ID_CONTEXT, window=20),
    Rule("ie_ppsn", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{7}[A-W][A-IW]?(?![\w-])"),
         validate=ppsn_ok, veto=PART_VETO),
    Rule("no_fnr", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{6} ?\d{5}(?![\w-])"),
         validate=no_fnr_ok, veto=PART_VETO),
    Rule("at_svnr", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{4} \d{6}(?![\w-])"),
         validate=svnr_ok, veto=PART_VETO),
    Rule("at_svnr_ctx", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{10}(?![\w-])"),
         validate=svnr_ok, context=ID_CONTEXT),
    Rule("pt_nif", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{3} ?\d{3} ?\d{3}(?![\w-])"),
         validate=pt_nif_ok, context=ID_CONTEXT),
)
