# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b5`` of the privacy corpus: now part of the DEV split.

It was the blind split (its own templates: shift hand-over notes, ticket comments,
pick lists, visitor logs, telehealth notes, loyalty-desk notes; romanised Korean,
Hindi, Marathi and Nepali names; phone numbers of 20 countries, dates in ordinal,
seven-language month-name, ISO, compact and Roman-numeral forms, cards of every
brand, coordinates in a dozen notations, new IBAN countries, credentials, health
phrasing and negatives of its own, written before the detector changes it judged)
until its one blind run: seed 7321 on commit ebff2ad (``privacy_blind_seeds.txt``).
The detector is tuned on its misses from now on, so its figures are dev figures.
The current blind set is ``privacy_blind.py``.

Changes since the blind run (ground truth only, disclosed here): none so far; the
module was renamed (``B5Gen`` -> ``B5Gen``, ``B5_TEMPLATES`` ->
``B5_TEMPLATES``, ``B5_LOCALES`` -> ``B5_LOCALES``) and its seed log helpers
removed (the blind log lives with the current blind set).
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import string

import phonenumbers as pn
import privacy_corpus as corpus
import privacy_retired_b1 as b1
import privacy_retired_b2 as b2
import privacy_retired_b3 as b3
import privacy_retired_b4 as b4
from build_name_lexicon import GAZETTEER_LOCALES, HELD_OUT_LOCALES

from appliance.privacy import checksums as ck

B5_LOCALES = ("ko_KR", "hi_IN", "mr_IN", "ne_NP")
_DEV_LOCALES = (
    GAZETTEER_LOCALES + HELD_OUT_LOCALES + b1.B1_LOCALES + b2.B2_LOCALES + b3.B3_LOCALES + b4.B4_LOCALES
)
assert not set(B5_LOCALES) & set(_DEV_LOCALES)

# --- Korean names, romanised ----------------------------------------------------------
_KO_SURNAME = {
    "김": "Kim",
    "이": "Lee",
    "박": "Park",
    "정": "Jung",
    "최": "Choi",
    "조": "Cho",
    "강": "Kang",
    "윤": "Yoon",
    "장": "Jang",
    "임": "Lim",
    "한": "Han",
    "오": "Oh",
    "서": "Seo",
    "신": "Shin",
    "권": "Kwon",
    "황": "Hwang",
    "안": "Ahn",
    "송": "Song",
    "류": "Ryu",
    "홍": "Hong",
    "전": "Jeon",
    "고": "Ko",
    "문": "Moon",
    "양": "Yang",
    "손": "Son",
    "배": "Bae",
    "백": "Baek",
    "허": "Heo",
    "유": "Yu",
    "남": "Nam",
    "심": "Shim",
    "노": "Noh",
    "하": "Ha",
    "곽": "Kwak",
    "성": "Sung",
    "차": "Cha",
    "주": "Joo",
    "우": "Woo",
    "구": "Koo",
    "민": "Min",
    "진": "Jin",
    "지": "Ji",
    "엄": "Eom",
    "채": "Chae",
    "원": "Won",
    "천": "Cheon",
    "방": "Bang",
    "공": "Kong",
    "현": "Hyun",
}
_RR_INITIAL = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_RR_VOWEL = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
_RR_FINAL = [
    "",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]


def _rr_syllable(ch: str) -> str:
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return ch
    return _RR_INITIAL[code // 588] + _RR_VOWEL[(code % 588) // 28] + _RR_FINAL[code % 28]


def _ko_given(name: str, hyphen: bool) -> str:
    parts = [_rr_syllable(c) for c in name]
    if hyphen and len(parts) == 2:
        return f"{parts[0].title()}-{parts[1]}"
    return "".join(parts).title()


# --- Hindi, Marathi and Nepali names (Devanagari), romanised ---------------------------
_DV_CONS = dict(
    zip(
        "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहळ",
        [
            "k",
            "kh",
            "g",
            "gh",
            "n",
            "ch",
            "chh",
            "j",
            "jh",
            "n",
            "t",
            "th",
            "d",
            "dh",
            "n",
            "t",
            "th",
            "d",
            "dh",
            "n",
            "p",
            "ph",
            "b",
            "bh",
            "m",
            "y",
            "r",
            "l",
            "v",
            "sh",
            "sh",
            "s",
            "h",
            "l",
        ],
        strict=True,
    )
)
_DV_VOWEL = {
    "अ": "a",
    "आ": "a",
    "इ": "i",
    "ई": "i",
    "उ": "u",
    "ऊ": "u",
    "ए": "e",
    "ऐ": "ai",
    "ओ": "o",
    "औ": "au",
    "ऋ": "ri",
}
_DV_MATRA = {"ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "े": "e", "ै": "ai", "ो": "o", "ौ": "au", "ृ": "ri"}
_DV_VIRAMA, _DV_NASAL = "्", {"ं": "n", "ँ": "n", "ः": "h"}


def _devanagari(name: str) -> str:
    out: list[str] = []
    pending = False  # a consonant whose inherent vowel is still open
    conjunct = False  # that consonant closes a cluster (Narendra, Aditya keep the final a)
    prev = ""
    for ch in name.replace("क़", "क").replace("ज़", "ज").replace("फ़", "फ").replace("़", ""):
        if ch in _DV_CONS:
            if pending:
                out.append("a")
            conjunct = bool(out) and not pending and prev == _DV_VIRAMA
            out.append(_DV_CONS[ch])
            pending = True
        elif ch in _DV_MATRA:
            out.append(_DV_MATRA[ch])
            pending = False
        elif ch == _DV_VIRAMA:
            pending = False
        elif ch in _DV_NASAL:
            if pending:
                out.append("a")
            out.append(_DV_NASAL[ch])
            pending = False
        elif ch in _DV_VOWEL:
            if pending:
                out.append("a")
            out.append(_DV_VOWEL[ch])
            pending = False
        elif ch == " ":
            out.append(" ")
            pending = False
        else:
            return ""
        prev = ch
    if pending and conjunct:
        out.append("a")
    word = "".join(out)  # the final inherent vowel is not spoken (Hindi, Marathi, Nepali)
    return " ".join(w.title() for w in word.split())


def _latin_pool(loc: str) -> tuple[set[str], set[str]]:
    p = importlib.import_module(f"faker.providers.person.{loc}").Provider
    if loc == "ko_KR":
        first = {_ko_given(n, h) for n in p.first_names for h in (False, True)}
        last = {_KO_SURNAME[n] for n in p.last_names if n in _KO_SURNAME}
        return first, last
    first = {_devanagari(n) for n in p.first_names}
    last = {_devanagari(n) for n in p.last_names}
    return first - {""}, last - {""}


def b5_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of blind names never seen in development."""
    dev_first, dev_last = corpus.locale_names(_DEV_LOCALES)
    dev = set(dev_first) | set(dev_last)
    pools = {}
    for loc in B5_LOCALES:
        first, last = _latin_pool(loc)
        ok = [
            n
            for n in sorted(first)
            if n not in dev and n.replace("-", "").replace(" ", "").isalpha() and len(n) > 1
        ]
        ok_last = [
            n
            for n in sorted(last)
            if n not in dev and n.replace("-", "").replace(" ", "").isalpha() and len(n) > 1
        ]
        if ok and ok_last:
            pools[loc] = (ok, ok_last)
    return pools


def _ordinal(d: int) -> str:
    return "th" if 10 <= d % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")


# countries none of the dev sets (nor b4) draws phone numbers from
PHONE_REGIONS = (
    "IS",
    "CY",
    "BA",
    "ME",
    "MK",
    "AL",
    "MD",
    "GE",
    "IL",
    "ZA",
    "MX",
    "BR",
    "AR",
    "CL",
    "JP",
    "KR",
    "SG",
    "NZ",
    "IN",
    "AE",
)
# written nationally (with the country's own trunk prefix or none)
NATIONAL_REGIONS = ("IS", "CY", "SG", "NZ", "ZA", "JP", "KR", "IL", "MX", "BR", "IN", "AE")
ADDRESS_LOCALES = (
    "fr_QC",
    "en_NZ",
    "en_IN",
    "es_MX",
    "es_CL",
    "es_AR",
    "pt_BR",
    "el_GR",
    "de_LU",
    "nl_NL",
    "sv_SE",
    "lt_LT",
    "et_EE",
    "id_ID",
    "th_TH",
    "zh_TW",
)
_MILITARY = ("APO", "FPO", "DPO", "PSC ", "USNS", "USS ", "USCGC", "USNV")
_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "it": [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "pt": [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ],
}
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


class B5Gen(corpus.LocaleGen):
    """The blind split's values: same classes, pools of its own."""

    group_name = "b5"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b5_names())

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first).lower(), r.choice(last).lower()
        user = r.choice([f"{f}_{la}", f"{la}{r.randint(70, 99)}", f"{f[0]}{la}", f"{f}.{la[0]}", f"{la}-{f}"])
        user = (
            "".join(c for c in user if c.isascii() and (c.isalnum() or c in "._-")).strip("._-") or "contact"
        )
        dom = r.choice(
            [
                "videotron.ca",
                "naver.com",
                "daum.net",
                "telefonica.net",
                "hotmail.es",
                "gmx.ch",
                "post.werksnetz.example.org",
                "clinique-laval.qc.ca",
                "proton.me",
                "icloud.com",
            ]
        )
        return f"{user}@{dom}"

    def _number(self, region: str, mobile: bool | None = None) -> pn.PhoneNumber:
        r = self.r
        kind = (
            pn.PhoneNumberType.MOBILE
            if (r.random() < 0.6 if mobile is None else mobile)
            else pn.PhoneNumberType.FIXED_LINE
        )
        ex = pn.example_number_for_type(region, kind) or pn.example_number(region)
        nsn = str(ex.national_number)
        for _ in range(200):
            keep = max(2, len(nsn) - r.randint(3, 6))
            cand = nsn[:keep] + corpus.digits(r, len(nsn) - keep)
            num = pn.parse(f"+{ex.country_code}{cand}")
            if pn.is_valid_number(num):
                return num
        return ex

    def phone(self) -> str:
        r = self.r
        region = r.choice(PHONE_REGIONS)
        num = self._number(region)
        intl = pn.format_number(num, pn.PhoneNumberFormat.INTERNATIONAL)
        e164 = pn.format_number(num, pn.PhoneNumberFormat.E164)
        rest = intl.split(" ", 1)[1] if " " in intl else intl[len(str(num.country_code)) + 1 :]
        styles = [
            intl,
            e164,
            "00" + intl[1:],
            f"011 {intl[1:]}",
            f"+{num.country_code}-{rest.replace(' ', '-')}",
            f"(+{num.country_code}) {rest}",
            f"+{num.country_code}.{rest.replace(' ', '.').replace('-', '.')}",
        ]
        return r.choice(styles)

    def phone_national(self) -> str:
        r = self.r
        region = r.choice(NATIONAL_REGIONS)
        num = self._number(region)
        national = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL)
        digits = "".join(c for c in national if c.isdigit())
        styles = [national, national.replace(" ", "-"), national.replace(" ", ".")]
        if len(digits) == 8:
            styles += [
                f"{digits[:4]} {digits[4:]}",
                f"{digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}",
                digits,
            ]
        elif len(digits) == 7:
            styles += [f"{digits[:3]}-{digits[3:]}", f"{digits[:3]} {digits[3:]}"]
        else:
            styles.append(digits)
        return r.choice(styles)

    def address(self) -> str:
        r = self.r
        if r.random() < 0.6:
            loc = r.choice(ADDRESS_LOCALES)
            fake = self._faker(loc)
            for _ in range(20):
                value = fake.address()
                if not any(m in value for m in _MILITARY):
                    break
            lines = [ln.strip().rstrip(",") for ln in value.splitlines() if ln.strip()]
            return ", ".join(lines)
        n = r.randint(1, 240)
        return r.choice(
            [
                f"Odos {r.choice(['Patision', 'Stadiou', 'Egnatia'])} {n}, {r.randint(104, 546)} {r.randint(10, 99)} {r.choice(['Athina', 'Thessaloniki'])}",
                f"{n}, Triq {r.choice(['il-Kbira', 'San Pawl', 'ir-Repubblika'])}, {r.choice(['Qormi', 'Birkirkara', 'Valletta'])} {r.choice(['QRM', 'BKR', 'VLT'])} {r.randint(1000, 9999)}",
                f"{r.choice(['Slovenska', 'Celovška', 'Dunajska'])} cesta {n}, {r.randint(1000, 1999)} Ljubljana",
                f"{r.randint(100, 9999)}, rue {r.choice(['Sainte-Catherine', 'Saint-Denis', 'Sherbrooke Est'])}, app. {r.randint(1, 30)}, Montréal (Québec) H{r.randint(1, 9)}{r.choice('ABCEGHJKLMNPRSTVXY')} {r.randint(1, 9)}{r.choice('ABCEGHJKLMNPRSTVXY')}{r.randint(1, 9)}",
                f"Lot {r.randint(1, 40)}/{n} {r.choice(['Kororoit Creek', 'Abbotts', 'Boundary'])} Rd, {r.choice(['Altona North VIC 3025', 'Wetherill Park NSW 2164', 'Eagle Farm QLD 4009'])}",
                f"Calle {r.choice(['Insurgentes Sur', 'Reforma', 'Hidalgo'])} {n}, Col. {r.choice(['Del Valle', 'Centro', 'Roma Norte'])}, C.P. {r.randint(1000, 16999):05d}, {r.choice(['CDMX', 'Monterrey, N.L.'])}",
                f"Rua {r.choice(['Augusta', 'da Consolação', 'Oscar Freire'])}, {n} - apto {r.randint(11, 190)}, São Paulo - SP, {r.randint(1000, 5999):05d}-{r.randint(0, 999):03d}",
            ]
        )

    # --- identity ---------------------------------------------------------------------
    def date(self) -> str:
        r = self.r
        y, m, d = r.randint(1946, 2007), r.randint(1, 12), r.randint(1, 28)
        lang = r.choice(list(_MONTHS))
        mon = _MONTHS[lang][m - 1]
        en = _MONTHS["en"][m - 1]
        roman = _ROMAN[m - 1]
        named = {
            "en": f"{d} {en} {y}",
            "de": f"{d}. {mon} {y}",
            "fr": f"{'1er' if d == 1 else d} {mon} {y}",
            "es": f"{d} de {mon} de {y}",
            "it": f"{d} {mon} {y}",
            "nl": f"{d} {mon} {y}",
            "pt": f"{d} de {mon} de {y}",
        }[lang]
        return r.choice(
            [
                named,
                named,
                f"{d}{_ordinal(d)} of {en} {y}",
                f"{en} {d}{_ordinal(d)}, {y}",
                f"the {d}{_ordinal(d)} {en} {y}",
                f"{en[:3].upper()} {d:02d} {y}",
                f"{d:02d} {en[:3]} {y}",
                f"{d}-{en[:3]}-{y % 100:02d}",
                f"{y}-{m:02d}-{d:02d}",
                f"{y}{m:02d}{d:02d}",
                f"{d}.{roman}.{y}",
                f"{y}-{roman}-{d:02d}",
                f"{d} {roman} {y}",
                f"{d:02d}/{m:02d}/{y}",
                f"{m}/{d}/{y % 100:02d}",
                f"{d}.{m}.{y}",
                f"{d:02d} {m:02d} {y}",
                f"{y}.{m:02d}.{d:02d}.",
                f"{d:02d}-{m:02d}-{y % 100:02d}",
            ]
        )

    def _birth(self) -> dt.date:
        r = self.r
        return dt.date(r.randint(1950, 2004), r.randint(1, 12), r.randint(1, 28))

    def national_id(self) -> str:
        r = self.r
        if r.random() < 0.5:
            return super().national_id()
        b = self._birth()
        dd, mm, yy = f"{b.day:02d}", f"{b.month:02d}", f"{b.year % 100:02d}"
        kind = r.choice(["cpr", "hetu", "be", "rc", "ssn", "nino"])
        if kind == "cpr":
            return f"{dd}{mm}{yy}{corpus.digits(r, 4)}"
        if kind == "hetu":
            body = f"{dd}{mm}{yy}{r.randint(2, 899):03d}"
            return f"{dd}{mm}{yy}{'-' if b.year < 2000 else 'A'}{body[-3:]}{'0123456789ABCDEFHJKLMNPRSTUVWXY'[int(body) % 31]}"
        if kind == "be":
            seq = f"{r.randint(1, 997):03d}"
            base = int(("2" if b.year >= 2000 else "") + f"{yy}{mm}{dd}{seq}")
            return f"{yy}{mm}{dd} {seq} {97 - base % 97:02d}"
        if kind == "rc":
            month = b.month + (50 if r.random() < 0.5 else 0)
            while True:
                nine = f"{yy}{month:02d}{dd}{r.randint(0, 999):03d}"
                c = int(nine) % 11
                if c != 10:
                    return f"{nine}{c}"
        if kind == "ssn":
            return f"{r.randint(1, 665):03d} {r.randint(1, 99):02d} {r.randint(1, 9999):04d}"
        return f"{r.choice('ABCEGHJKLMNPRSTWXYZ')}{r.choice('ABCEGHJKLMNPRSTWXYZ')} {corpus.digits(r, 2)} {corpus.digits(r, 2)} {corpus.digits(r, 2)} {r.choice('ABCD')}"

    def card(self) -> str:
        r = self.r
        brand = r.choice(
            [
                "visa13",
                "visa16",
                "visa19",
                "mc5",
                "mc2",
                "amex",
                "diners",
                "discover",
                "jcb",
                "unionpay",
                "maestro",
                "mir",
                "rupay",
                "troy",
                "verve",
            ]
        )
        prefix, length = {
            "visa13": ("4", 13),
            "visa16": ("4", 16),
            "visa19": ("4", 19),
            "mc5": (str(r.randint(51, 55)), 16),
            "mc2": (str(r.randint(2221, 2720)), 16),
            "amex": (r.choice(["34", "37"]), 15),
            "diners": (r.choice(["300", "305", "36", "38"]), 14),
            "discover": (r.choice(["6011", "644", "65"]), 16),
            "jcb": (str(r.randint(3528, 3589)), r.choice([16, 19])),
            "unionpay": ("62", r.choice([16, 17, 18, 19])),
            "maestro": (
                r.choice(["5018", "5020", "5038", "6304", "6759", "6761"]),
                r.choice([12, 13, 15, 16, 18, 19]),
            ),
            "mir": (f"220{r.randint(0, 4)}", 16),
            "rupay": (r.choice(["60", "6521", "81", "82"]), 16),
            "troy": ("9792", 16),
            "verve": (r.choice(["506099", "5061", "650002"]), r.choice([16, 19])),
        }[brand]
        num = corpus.luhn_complete(prefix + corpus.digits(r, length - len(prefix) - 1))
        groupings = {
            13: [(4, 4, 5), (13,)],
            14: [(4, 6, 4), (14,), (4, 4, 4, 2)],
            15: [(4, 6, 5), (15,), (4, 4, 4, 3)],
            12: [(4, 4, 4), (12,)],
            16: [(4, 4, 4, 4), (16,), (8, 8)],
            17: [(4, 4, 4, 5), (17,)],
            18: [(4, 4, 4, 6), (18,)],
            19: [(4, 4, 4, 4, 3), (6, 13), (19,)],
        }[length]
        groups = r.choice(groupings)
        sep = r.choice([" ", "-", " ", ".", "  "])
        parts, i = [], 0
        for g in groups:
            parts.append(num[i : i + g])
            i += g
        return sep.join(parts)

    def iban(self) -> str:
        r = self.r
        country, bban = r.choice(
            [
                ("GR", corpus.digits(r, 7) + corpus.digits(r, 16)),
                (
                    "CY",
                    corpus.digits(r, 8)
                    + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
                ),
                (
                    "BG",
                    "BNBG"
                    + corpus.digits(r, 6)
                    + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(8)),
                ),
                ("RO", "RNCB" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16))),
                ("IS", corpus.digits(r, 22)),
                ("BA", corpus.digits(r, 16)),
                ("ME", corpus.digits(r, 18)),
                (
                    "AL",
                    corpus.digits(r, 8)
                    + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
                ),
                ("IL", corpus.digits(r, 19)),
                ("AE", corpus.digits(r, 19)),
                (
                    "SA",
                    corpus.digits(r, 2)
                    + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(18)),
                ),
                ("BR", corpus.digits(r, 23) + "P1"),
                ("GE", "NB" + corpus.digits(r, 16)),
                ("MD", "AG" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(18))),
            ]
        )
        num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        iban = f"{country}{98 - num % 97:02d}{bban}"
        assert ck.iban_ok(iban), iban
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if r.random() < 0.5 else iban

    def badge(self) -> str:
        r = self.r
        return r.choice(
            [
                f"EMP{r.randint(1000, 99999)}",
                f"B-{r.randint(100000, 999999)}",
                f"EMP-{r.randint(10, 9999):04d}",
            ]
        )

    def mrn(self) -> str:
        return f"{self.r.randint(10000000, 99999999)}"

    # --- network ----------------------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        v4 = f"{r.choice([192, 10, 145, 203, 81, 46])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        return r.choice(
            [
                v4,
                f"{v4}/{r.choice([24, 28, 32])}",
                f"[2001:{r.randint(0x4000, 0x4FFF):x}:{r.randint(0, 0xFFFF):x}::{r.randint(1, 0xFFFF):x}]:{r.choice([443, 8883])}",
                f"::ffff:{v4}",
                f"fd{r.randint(0, 255):02x}:{r.randint(0, 0xFFFF):x}:{r.randint(0, 0xFFFF):x}:{r.randint(0, 0xFFFF):x}::{r.randint(1, 0xFF):x}",
            ]
        )

    def mac(self) -> str:
        r = self.r
        octets = [r.randint(0, 255) for _ in range(6)]
        hexs = "".join(f"{o:02X}" for o in octets)
        return r.choice(
            [
                ":".join(f"{o:02X}" for o in octets),
                hexs[:6] + "-" + hexs[6:],
                "-".join(f"{o:02x}" for o in octets),
            ]
        )

    def gps(self) -> str:
        r = self.r
        lat, lon = r.uniform(-45, 64), r.uniform(-120, 150)
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        alat, alon = abs(lat), abs(lon)

        def dms(v: float) -> tuple[int, int, float]:
            d = int(v)
            m = int((v - d) * 60)
            return d, m, ((v - d) * 60 - m) * 60

        (ld, lm, ls), (od, om, osec) = dms(alat), dms(alon)
        return r.choice(
            [
                f"{lat:.5f}, {lon:.5f}",
                f"{lat:.6f} {lon:.6f}",
                f"{alat:.4f}{ns} {alon:.4f}{ew}",
                f"{ns} {ld}° {lm + ls / 60:.3f} {ew} {od}° {om + osec / 60:.3f}",
                f"{ld}°{lm:02d}'{ls:04.1f}\"{ns} {od}°{om:02d}'{osec:04.1f}\"{ew}",
                f"{ld}d {lm}m {ls:.0f}s {ns}, {od}d {om}m {osec:.0f}s {ew}",
                f"{'+' if lat >= 0 else '-'}{alat:08.5f}{'+' if lon >= 0 else '-'}{alon:09.5f}/",
                f"geo:{lat:.5f},{lon:.5f}",
                f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}",
                f"https://maps.apple.com/?ll={lat:.6f},{lon:.6f}",
                f"lat={lat:.5f}&lon={lon:.5f}",
                f"Lat: {lat:.4f} Long: {lon:.4f}",
                f"{lat:.5f}°, {lon:.5f}°",
            ]
        )

    # --- credentials ------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        alnum = string.ascii_letters + string.digits
        hexd = "0123456789abcdef"
        rnd = lambda n, a=alnum: "".join(r.choice(a) for _ in range(n))  # noqa: E731
        return r.choice(
            [
                "AKIA" + rnd(16, string.ascii_uppercase + string.digits),
                f"AZURE_CLIENT_SECRET={rnd(3)}8Q~{rnd(31, alnum + '_-.~')}",
                "glpat-" + rnd(20, alnum + "_-"),
                "ghs_" + rnd(36),
                "xoxb-" + rnd(12, string.digits) + "-" + rnd(13, string.digits) + "-" + rnd(24),
                "sk_test_" + rnd(24),
                "SG." + rnd(22, alnum + "_-") + "." + rnd(43, alnum + "_-"),
                "hf_" + rnd(34),
                "npm_" + rnd(36),
                "sk-proj-" + rnd(48, alnum + "_-"),
                f"redis://:{rnd(20)}@cache{r.randint(1, 9)}.plant.internal:6379/0",
                f"amqp://scada:{rnd(14)}@broker.line{r.randint(1, 9)}.local:5672/%2F",
                f"export INFLUX_TOKEN={rnd(86, alnum + '_-')}==",
                f"Authorization: Bearer {rnd(40, alnum + '._-')}",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"
                + rnd(60)
                + "\n-----END OPENSSH PRIVATE KEY-----",
                f'"client_secret": "{rnd(32, hexd)}"',
            ]
        )

    def password(self) -> str:
        r = self.r
        words = ["maple", "hockey", "poutine", "seoul", "kimchi", "paella", "tortuga", "Sirop", "Castor"]
        return r.choice(
            [
                f"{r.choice(words).title()}{r.randint(10, 99)}{r.choice('!?$*')}",
                "".join(
                    r.choice(string.ascii_letters + string.digits + "!$%&*") for _ in range(r.randint(9, 15))
                ),
                f"{r.choice(words)}_{r.choice(words)}_{r.randint(1, 999)}",
                f"{r.choice(['Usine', 'Fabrica', 'Gongjang'])}@{r.randint(2019, 2027)}",
            ]
        )

    # --- health -----------------------------------------------------------------------
    def condition(self) -> str:
        return self.r.choice(
            [
                "Crohn's disease",
                "coeliac disease",
                "psoriatic arthritis",
                "narcolepsy",
                "atrial fibrillation",
                "glaucoma",
                "schizophrenia",
                "an eating disorder",
                "hepatitis B",
                "sickle cell anaemia",
                "tinnitus",
                "sleep apnoea",
                "a heart murmur",
                "endometriosis",
                "post-traumatic stress disorder",
                "COPD",
                "lupus",
                "gout",
                "Parkinson's",
                "a peanut allergy",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "sprained a wrist catching a falling tote",
                "burned a hand on the sealing jaw",
                "cut a finger on the bandsaw",
                "fell from a stepladder and hit the head",
                "strained the lower back lifting a coil",
                "got a chemical splash to the face",
                "dislocated a shoulder",
                "broke two ribs in a fall",
                "got a splinter of glass in the palm",
                "was stung by a wasp and had a reaction",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            [
                "is off after a miscarriage",
                "is having dialysis three times a week",
                "is off sick with shingles",
                "had a stroke last month",
                "is in rehab for an opioid addiction",
                "is recovering from a heart bypass",
                "is on sick leave with depression",
                "has COVID-19",
            ]
        )

    def medication(self) -> str:
        r = self.r
        return r.choice(
            [
                f"metformin {r.choice([500, 850, 1000])} mg",
                f"{r.choice([5, 10])} mg ramipril",
                "warfarin",
                "fluoxetine",
                "an inhaled steroid",
                f"prednisolone {r.choice([5, 20, 40])}mg",
                "antibiotics",
                "methadone",
                "an antihistamine",
                f"omeprazole {r.choice([20, 40])} mg",
            ]
        )

    def procedure(self) -> str:
        return self.r.choice(
            [
                "an endoscopy",
                "a CT scan of the chest",
                "a hernia repair",
                "an ECG",
                "a mammogram",
                "a blood transfusion",
                "a hip X-ray",
                "a gastric band fitting",
                "a flu jab",
                "a hearing test",
            ]
        )

    # --- negatives: formats of their own ------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice(
            [
                f"1756-L{r.randint(61, 85)}E",
                f"A5E{r.randint(10000000, 99999999)}",
                f"{r.randint(100, 999)}-{r.randint(1000, 9999)}-{r.randint(100, 999)}",
                f"PN {r.randint(1000, 9999)} {r.randint(1000, 9999)} {r.randint(10, 99)}",
                f"{r.randint(10, 99)}.{r.randint(100, 999)}.{r.randint(100, 999)}.{r.randint(10, 99)}",
            ]
        )

    def serial(self) -> str:
        r = self.r
        imei = corpus.luhn_complete(r.choice(["35", "86", "01"]) + corpus.digits(r, 12))
        return r.choice(
            [
                f"IMEI {imei}",
                f"S/N: {r.choice(string.ascii_uppercase)}{r.choice(string.ascii_uppercase)}{corpus.digits(r, 9)}",
                f"serial {corpus.digits(r, 4)}-{corpus.digits(r, 4)}-{corpus.digits(r, 4)}",
                f"SN {r.randint(2019, 2026)}{r.randint(1, 12):02d}{corpus.digits(r, 6)}",
            ]
        )

    def timestamp(self) -> str:
        r = self.r
        mo, d, h, mi, s = (
            r.randint(1, 12),
            r.randint(1, 28),
            r.randint(0, 23),
            r.randint(0, 59),
            r.randint(0, 59),
        )
        mon = _MONTHS["en"][mo - 1][:3]
        return r.choice(
            [
                f"{mon} {d:2d} {h:02d}:{mi:02d}:{s:02d}",
                f"2026-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
                f"{d:02d}-{mon.upper()}-2026 {h:02d}:{mi:02d}",
                f"MFG {r.randint(2023, 2026)}-{mo:02d}-{d:02d}",
                f"EXP {mo:02d}/{r.randint(2026, 2030)}",
                f"best before {d} {_MONTHS['en'][mo - 1]} 2027",
                f"{['Sat', 'Sun', 'Mon'][d % 3]}, {d:02d} {mon} 2026 {h:02d}:{mi:02d}:{s:02d} +0100",
                f"2026{mo:02d}{d:02d}-{h:02d}{mi:02d}{s:02d}",
            ]
        )

    def version(self) -> str:
        r = self.r
        return r.choice(
            [
                f"V{r.randint(1, 9)}.{r.randint(0, 9)} SP{r.randint(1, 5)}",
                f"build {r.randint(2300, 2699)}.{r.randint(1, 31):02d}",
                f"{r.randint(1, 4)}.{r.randint(0, 20)}.{r.randint(0, 99)}",
            ]
        )

    def lot(self) -> str:
        r = self.r
        return r.choice(
            [
                f"LOT {r.randint(23, 26)}-{r.randint(1, 12):02d}{r.randint(1, 28):02d}",
                f"CH{r.randint(100000, 999999)}",
            ]
        )

    def reading(self) -> str:
        r = self.r
        return r.choice(
            [
                f"stage offset {r.uniform(-50, 50):.5f}, {r.uniform(-50, 50):.5f}",
                f"probe at X={r.uniform(0, 600):.3f} Y={r.uniform(0, 400):.3f}",
                f"{r.uniform(40, 60):.5f}, {r.uniform(5, 15):.5f} mm from datum",
                f"{r.uniform(20, 90):.1f} %RH",
                f"{r.uniform(0.1, 9.9):.2f} bar",
            ]
        )

    def order(self) -> str:
        r = self.r
        return r.choice(
            [
                f"CMD-{r.randint(10000, 99999)}",
                f"RMA {r.randint(1000000, 9999999)}",
                f"#{r.randint(100000, 999999)}",
            ]
        )


# Written for the blind set b5 before the detector changes it judges; see the module
# docstring. New phrasing only: no sentence here appears in the dev templates or b1-b4.
B5_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Hand-over, night to early: {person} covered line 4, call {phone_nat} if the palletiser jams again.",
        "Visitor log — {person}, birthdate {dob}, escorted by {first}, badge {badge}.",
        "{surname} left the keys to the compressor room with {first} at {ts}.",
        "Ticket {order}: {person} {injury} near the bandsaw; first responder was {first}.",
        "Welcome aboard {person}! Payroll needs your {natid} and account {iban} by the 25th.",
        "Drop pin for the spare-parts van meeting {first}: {gps}",
        "secrets.yaml committed to the HMI repo: {secret}",
        "Wi-Fi for the contractors this week is {password} (ask {surname} to rotate it).",
        "PLC {part} s/n {serial} on {ip}, MAC {mac}, firmware {version}; {reading}.",
        "{person} asked us to send the P60 to {address}.",
        "Reimbursement for {person}: card {card} was used for the tool order.",
        "{person} (born {dob}) {sick}; HR informed, cover from {first}.",
        "Lot {lot} released by {surname} at {ts}, {reading}.",
        "Text from {phone}: running late, {first}",
        "{first} {surname} and {person} swapped to the weekend shift.",
        "Pick list {order}: {part}, {part}, {serial} — packed by {first}.",
    ),
    "clinic": (
        "Telehealth note: {person}, DOB {dob}, chart {mrn}, seen for {condition}; started {med}.",
        "{person} born on {dob} is scheduled for {procedure}; confirm on {phone}.",
        "Referral: {first} {surname} ({natid}) — {condition}, plan {procedure}.",
        "Callback list: {person} {phone_nat}, {person} {phone}.",
        "Portal login for {email} was reset to {password}",
        "Billing: {person} paid with {card}; refund to {iban} if the claim goes through.",
        "Patient {mrn_token} — {person} {sick}.",
        "Home care visit for {person} at {address}; location {gps}",
        "HL7 feed credentials: {secret}",
        "{person}, d.o.b. {dob}, {injury} at work; on {med}.",
        "Scanner {serial} on {ip} went offline at {ts}.",
        "Dr {surname} handed over to {first} for the afternoon list.",
        "Fax from {phone}: results for {person}, MRN {mrn}.",
        "Please email {person} at {email} about the appointment.",
        "Next of kin for {person}: {first} {surname}, {phone_nat}.",
    ),
    "retail": (
        "Loyalty desk: {person} updated her birthday to {dob} and phone to {phone}.",
        "Refund for {person}, paid by {card} on {ts}.",
        "Chargeback on {card}; customer {email}.",
        "Click & collect {order} for {person}, {address}, mob {phone_nat}.",
        "Courier left the parcel at the side door — GPS {gps}",
        "{first} from returns {injury}; the accident report is filed.",
        "Till admin password reset to {password} by {surname}.",
        "Staging env leaked {secret} in the logs.",
        "Handheld scanner {mac} at {ip} synced {lot} at {ts}.",
        "New starter {person}, DOB {dob}, NI {natid}, bank {iban}, badge {badge}.",
        "{person} said she {sick} and can't do Saturday.",
        "Store safe code changed; {surname} and {first} have it.",
        "Meeting point for the stocktake crew: {gps} — ask {first}.",
        "Customer {person} bought {med} and asked for {first}.",
        "Supplier rep {person} can be reached on {phone} or {email}.",
    ),
}
