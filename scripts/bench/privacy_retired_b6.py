# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b6`` of the privacy corpus: now part of the DEV split.

It was the blind split until its one blind run: seed 8447 on commit ab56c9d
(``privacy_blind_seeds.txt``). The detector is tuned on its misses from now on, so
its figures are dev figures. The current blind set is ``privacy_blind.py``.

Changes since the blind run (ground truth only, disclosed here): none so far; the
module was renamed (``BlindGen`` -> ``B6Gen``, ``BLIND_TEMPLATES`` -> ``B6_TEMPLATES``,
``BLIND_LOCALES`` -> ``B6_LOCALES``, ``blind_names`` -> ``b6_names``, group ``blind`` ->
``b6``) and its seed log helpers moved to the current blind set.

What the earlier blind sets kept revealing is values in forms the recognizers had
never seen and values with no cue word beside them; this set leans on both.
Separate from the dev split (``privacy_templates.py``, ``privacy_corpus.Gen`` and
the retired sets ``b1`` to ``b5``):

* templates: their own sentence family (maintenance-window notes, radio/PA logs,
  locker and uniform issue, occupational-health triage, pharmacy counter, e-commerce
  returns chat), none shared, many with values and no cue word ("{person}, {dob},
  {natid}" rows, bare pairs of coordinates, a code "for the cage");
* names: Faker locales neither the gazetteer nor any dev pool nor ``b5`` reads --
  Gujarati, Bengali, Odia and Tamil (``gu_IN``, ``bn_BD``, ``or_IN``, ``ta_IN``),
  mapped onto Devanagari by their parallel Unicode layout and romanised with the
  ``b5`` transliterator -- minus every name in the dev pools;
* values from sources no dev set used:
  - phone numbers of 20 further countries (Asia, Africa, Latin America, Oceania:
    valid per ``phonenumbers``) in international, E.164, ``tel:`` URI and national
    notations, and national numbers of configured European/North American regions
    written with the area code in brackets, slashes, ``+CC (0)`` and extensions;
  - dates of birth with month names in Polish, Czech, Swedish, Danish, Finnish,
    Hungarian and Turkish, weekday-prefixed English, "the 3rd day of May, 1981",
    ``03MAR1981``, ``1981 Mar 3``, unpadded ``3.3.1981`` and ``1981/3/3``, often
    with no birth word near;
  - national IDs of kinds no dev set generated (Romanian CNP, Bulgarian EGN,
    Estonian isikukood, Swedish personnummer, Greek AMKA, Chilean RUT, Aadhaar,
    Chinese resident ID, Italian codice fiscale, Spanish NIE) and dev kinds in
    other spellings, mostly with no ID word;
  - MACs in Cisco dot-triplets, 6+6, unpadded (``0:1b:...``), bare 12 hex after
    ``ether``/``BSSID``/``chaddr``; GPS in Unicode primes, hemisphere-suffixed
    decimals, decimal minutes without marks, ISO 6709, map-URL ``@lat,lon,zoom``,
    ``lat:``/``lng:`` JSON and UTM; IPs as IPv4-mapped IPv6, CIDR, bracketed with
    zone and port;
  - secrets of new families (PyPI, Vault, Shopify, Databricks, age, Doppler,
    Twilio, JWTs, basic-auth URLs) and passwords as passphrases and PINs after
    "code", "key", "PIN" and "is";
  - addresses from Faker ``en_MS``, ``en_BD``, ``en_PH``, ``he_IL`` (Latin forms
    only) and hand-written Singapore, Hong Kong, Japanese, Indian, UAE, Nigerian
    and Philippine forms; IBANs of new countries; obfuscated e-mails;
  - negatives: Siemens/Rockwell/SKF part numbers, UUIDs, git hashes, GTIN-14, hex
    serials, epoch stamps, calibration-due, expiry and manufacture dates.
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG`` records every blind run (seed,
  time, commit, set); the bench warns when a seed is reused, since its figures are
  then no longer blind.
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
import privacy_retired_b5 as b5
from build_name_lexicon import GAZETTEER_LOCALES, HELD_OUT_LOCALES

from appliance.privacy import checksums as ck

B6_LOCALES = ("gu_IN", "bn_BD", "or_IN", "ta_IN")
_DEV_LOCALES = (
    GAZETTEER_LOCALES
    + HELD_OUT_LOCALES
    + b1.B1_LOCALES
    + b2.B2_LOCALES
    + b3.B3_LOCALES
    + b4.B4_LOCALES
    + b5.B5_LOCALES
)
assert not set(B6_LOCALES) & set(_DEV_LOCALES)

# Brahmic scripts share Devanagari's layout: the same letter sits at the same offset
_OFFSET = {"gu_IN": 0x180, "bn_BD": 0x80, "or_IN": 0x200, "ta_IN": 0x280}


def _romanise(name: str, loc: str) -> str:
    off = _OFFSET[loc]
    dev = "".join(chr(ord(c) - off) if c > " " and 0x900 + off <= ord(c) < 0x980 + off else c for c in name)
    return b5._devanagari(dev)


def b6_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of blind names never seen in development."""
    dev_first, dev_last = corpus.locale_names(_DEV_LOCALES)
    dev = set(dev_first) | set(dev_last)
    for f5, l5 in b5.b5_names().values():  # b5's romanised names are dev names now
        dev |= set(f5) | set(l5)
    pools = {}
    for loc in B6_LOCALES:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        firsts = list(getattr(p, "first_names", ())) or list(p.first_names_male) + list(p.first_names_female)
        pairs = []
        for names in (firsts, list(p.last_names)):
            out = {_romanise(n, loc) for n in names}
            pairs.append(
                sorted(
                    n
                    for n in out
                    if n not in dev
                    and n.replace("-", "").replace(" ", "").isalpha()
                    and n.isascii()
                    and len(n) > 2
                )
            )
        if pairs[0] and pairs[1]:
            pools[loc] = (pairs[0], pairs[1])
    # gu_IN has one surname left: borrow the other Indian pools' surnames
    if "gu_IN" in pools:
        pools["gu_IN"] = (pools["gu_IN"][0], sorted(set(pools["or_IN"][1]) | set(pools["bn_BD"][1])))
    return pools




_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def _verhoeff_complete(body: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return body + str(_VERHOEFF_INV[c])


# countries no dev set (nor b5) draws phone numbers from
PHONE_REGIONS = (
    "PH",
    "MY",
    "TH",
    "VN",
    "ID",
    "NG",
    "KE",
    "EG",
    "MA",
    "PK",
    "BD",
    "LK",
    "CO",
    "PE",
    "UY",
    "CR",
    "AU",
    "HK",
    "TW",
    "SA",
)
# configured regions, written nationally with the area code in brackets and friends
BRACKET_REGIONS = ("DE", "AT", "GB", "US", "CA", "NL", "BE", "PL", "CZ", "SE", "IT", "ES", "GR", "RO")
ADDRESS_LOCALES = ("en_MS", "en_BD", "en_PH")
_MONTHS = {
    "pl": [
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ],
    "cs": [
        "ledna",
        "února",
        "března",
        "dubna",
        "května",
        "června",
        "července",
        "srpna",
        "září",
        "října",
        "listopadu",
        "prosince",
    ],
    "sv": [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "da": [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "fi": [
        "tammikuuta",
        "helmikuuta",
        "maaliskuuta",
        "huhtikuuta",
        "toukokuuta",
        "kesäkuuta",
        "heinäkuuta",
        "elokuuta",
        "syyskuuta",
        "lokakuuta",
        "marraskuuta",
        "joulukuuta",
    ],
    "hu": [
        "január",
        "február",
        "március",
        "április",
        "május",
        "június",
        "július",
        "augusztus",
        "szeptember",
        "október",
        "november",
        "december",
    ],
    "tr": [
        "Ocak",
        "Şubat",
        "Mart",
        "Nisan",
        "Mayıs",
        "Haziran",
        "Temmuz",
        "Ağustos",
        "Eylül",
        "Ekim",
        "Kasım",
        "Aralık",
    ],
}
_EN = [
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
]


def _ord(d: int) -> str:
    return str(d) + ("th" if 10 <= d % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th"))


def _dms(x: float) -> tuple[int, int, float]:
    x = abs(x)
    d = int(x)
    m = (x - d) * 60
    return d, int(m), (m - int(m)) * 60


class B6Gen(corpus.LocaleGen):
    """The blind split's values: same classes, pools and formats of its own."""

    group_name = "b6"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b6_names())

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first).lower(), r.choice(last).lower()
        dom = r.choice(
            [
                "rediffmail.com",
                "yahoo.co.in",
                "outlook.in",
                "ymail.com",
                "seznam.cz",
                "wp.pl",
                "mail.ee",
                "bigpond.com",
                "werk-7.example.net",
                "gmail.com",
            ]
        )
        user = r.choice([f"{f}.{la}", f"{f}+rota", f"{la}.{f[0]}{r.randint(1, 99)}", f"{f}{la}"])
        style = r.random()
        if style < 0.15:
            return f"{user} [at] {dom.replace('.', ' [dot] ')}"
        if style < 0.3:
            return f"{user}(at){dom}"
        if style < 0.45:
            return f"{user.title()}@{dom.upper()}"
        return f"{user}@{dom}"

    def _number(self, region: str) -> pn.PhoneNumber:
        r = self.r
        kind = pn.PhoneNumberType.MOBILE if r.random() < 0.6 else pn.PhoneNumberType.FIXED_LINE
        ex = pn.example_number_for_type(region, kind) or pn.example_number(region)
        nsn = str(ex.national_number)
        for _ in range(200):
            keep = max(2, len(nsn) - r.randint(3, 6))
            num = pn.parse(f"+{ex.country_code}{nsn[:keep]}{corpus.digits(r, len(nsn) - keep)}")
            if pn.is_valid_number(num):
                return num
        return ex

    def phone(self) -> str:
        r = self.r
        num = self._number(r.choice(PHONE_REGIONS))
        intl = pn.format_number(num, pn.PhoneNumberFormat.INTERNATIONAL)
        rest = intl.split(" ", 1)[1] if " " in intl else intl
        return r.choice(
            [
                intl,
                pn.format_number(num, pn.PhoneNumberFormat.E164),
                pn.format_number(num, pn.PhoneNumberFormat.RFC3966),
                f"+{num.country_code} {rest.replace(' ', '')}",
                f"+{num.country_code}/{rest.replace(' ', '-')}",
                f"({num.country_code}) {rest}",
            ]
        )

    def phone_national(self) -> str:
        r = self.r
        region = r.choice(BRACKET_REGIONS)
        num = self._number(region)
        nat = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL)
        intl = pn.format_number(num, pn.PhoneNumberFormat.INTERNATIONAL)
        parts = nat.replace("(", "").replace(")", "").replace("-", " ").split()
        if len(parts) >= 2:
            area, rest = parts[0], "".join(parts[1:])
            out = [
                f"({area}) {rest[:3]} {rest[3:]}",
                f"{area}/{rest}",
                f"({area}) {rest}",
                f"{area} / {rest[:-2]}-{rest[-2:]}",
            ]
        else:
            out = [nat]
        out += [
            intl.replace(" ", " (0) ", 1)
            if region not in ("US", "CA", "IT", "ES", "GR", "PL", "CZ")
            else intl,
            nat.replace(" ", ""),
        ]
        return r.choice(out)

    def address(self) -> str:
        r = self.r
        _first, last = self._pool()
        n = r.randint(1, 240)
        style = r.random()
        if style < 0.35:
            fake = self._faker(r.choice(ADDRESS_LOCALES))
            return fake.address().replace("\n", ", ")
        return r.choice(
            [
                f"Blk {n} Ang Mo Kio Ave {r.randint(1, 10)}, #{r.randint(2, 25):02d}-{r.randint(1, 999):02d}, Singapore {r.randint(100000, 829999)}",
                f"Flat {r.choice('ABCDEFGH')}, {r.randint(2, 40)}/F, {r.choice(['Tai Koo Shing', 'Mei Foo Sun Chuen', 'Kornhill Gardens'])} Block {r.randint(1, 12)}, {r.choice(['Quarry Bay', 'Lai Chi Kok', 'Sha Tin'])}, Hong Kong",
                f"{r.randint(1, 5)}-{r.randint(1, 30)}-{r.randint(1, 20)} {r.choice(['Jingumae', 'Nishi-Shinjuku', 'Umeda', 'Sakae'])}, {r.choice(['Shibuya-ku', 'Shinjuku-ku', 'Kita-ku', 'Naka-ku'])}, {r.choice(['Tokyo', 'Osaka', 'Nagoya'])} {r.randint(100, 999)}-{r.randint(0, 9999):04d}",
                f"Flat {r.randint(1, 9)}0{r.randint(1, 8)}, {r.choice(['Sai Residency', 'Lotus Towers', 'Green Acres'])}, {r.choice(['MG Road', 'Link Road', 'FC Road'])}, {r.choice(['Pune', 'Bengaluru', 'Chennai'])} {r.randint(400001, 600099)}",
                f"Villa {n}, Street {r.randint(1, 40)}, {r.choice(['Al Barsha 2', 'Jumeirah 3', 'Mirdif'])}, Dubai",
                f"{n} {r.choice(['Admiralty Way', 'Adeola Odeku Street', 'Awolowo Road'])}, {r.choice(['Lekki Phase 1', 'Victoria Island', 'Ikoyi'])}, Lagos",
                f"Blk {r.randint(1, 40)} Lot {r.randint(1, 60)}, Phase {r.randint(1, 5)}, {r.choice(['Camella Homes', 'BF Homes', 'Greenwoods'])}, {r.choice(['Bacoor, Cavite', 'Parañaque City', 'Pasig City'])} {r.randint(1000, 4200)}",
                f"c/o {r.choice(last)}, {n} {r.choice(['Gandhi Nagar', 'Anna Salai', 'Park Street'])}, {r.choice(['Kolkata', 'Chennai', 'Ahmedabad'])} {r.randint(600001, 700099)}",
            ]
        )

    # --- identity ----------------------------------------------------------------------
    def _birth(self) -> dt.date:
        return dt.date(1942, 1, 1) + dt.timedelta(days=self.r.randint(0, 23000))

    def date(self) -> str:
        r = self.r
        b = self._birth()
        d, m, y = b.day, b.month, b.year
        style = r.random()
        if style < 0.35:
            lang = r.choice(sorted(_MONTHS))
            mon = _MONTHS[lang][m - 1]
            if lang == "hu":
                return f"{y}. {mon} {d}."
            if lang in ("cs", "da", "fi"):
                return f"{d}. {mon} {y}"
            return f"{d} {mon} {y}"
        return r.choice(
            [
                f"{b.strftime('%A')}, {d} {_EN[m - 1]} {y}",
                f"the {_ord(d)} day of {_EN[m - 1]}, {y}",
                f"{d:02d}{_EN[m - 1][:3].upper()}{y}",
                f"{y} {_EN[m - 1][:3]} {d}",
                f"{d}.{m}.{y}",
                f"{y}/{m}/{d}",
                f"{_EN[m - 1][:3]}. {d} {y}",
                f"{d:02d} - {m:02d} - {y}",
            ]
        )

    def national_id(self) -> str:
        r = self.r
        b = self._birth()
        yy, mm, dd = f"{b.year % 100:02d}", f"{b.month:02d}", f"{b.day:02d}"
        kind = r.choice(
            ["cnp", "egn", "ee", "se", "amka", "rut", "aadhaar", "cn", "nie", "pesel", "bsn", "ssn"]
        )
        if kind == "cnp":
            s = ("1" if b.year < 2000 else "5") + yy + mm + dd + f"{r.randint(1, 52):02d}" + corpus.digits(r, 3)
            c = sum(int(a) * int(w) for a, w in zip(s, "279146358279", strict=True)) % 11
            return s + ("1" if c == 10 else str(c))
        if kind == "egn":
            s = yy + (mm if b.year < 2000 else f"{b.month + 40:02d}") + dd + corpus.digits(r, 3)
            c = sum(int(a) * w for a, w in zip(s, (2, 4, 8, 5, 10, 9, 7, 3, 6), strict=True)) % 11
            return s + ("0" if c == 10 else str(c))
        if kind == "ee":
            s = ("3" if b.year < 2000 else "5") + yy + mm + dd + corpus.digits(r, 3)
            c = sum(int(a) * w for a, w in zip(s, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1), strict=True)) % 11
            if c == 10:
                c = sum(int(a) * w for a, w in zip(s, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3), strict=True)) % 11 % 10
            return s + str(c)
        if kind == "se":
            body = yy + mm + dd + corpus.digits(r, 3)
            full = corpus.luhn_complete(body)
            return f"{b.year}{mm}{dd}-{full[6:]}" if r.random() < 0.5 else f"{full[:6]}-{full[6:]}"
        if kind == "amka":
            full = corpus.luhn_complete(dd + mm + yy + corpus.digits(r, 4))
            return full
        if kind == "rut":
            n = r.randint(5_000_000, 25_000_000)
            v = (
                11
                - sum(int(c) * w for c, w in zip(reversed(str(n)), [2, 3, 4, 5, 6, 7] * 2, strict=False)) % 11
            )
            dv = {11: "0", 10: "K"}.get(v, str(v))
            return f"{n:,}".replace(",", ".") + f"-{dv}"
        if kind == "aadhaar":
            full = _verhoeff_complete(str(r.randint(2, 9)) + corpus.digits(r, 10))
            return f"{full[:4]} {full[4:8]} {full[8:]}"
        if kind == "cn":
            body = f"{r.choice(['110105', '310104', '440305', '510107'])}{b.year}{mm}{dd}{corpus.digits(r, 3)}"
            w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
            return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w, strict=True)) % 11]
        if kind == "nie":
            lead = r.choice("XYZ")
            n = f"{r.randint(0, 9999999):07d}"
            return f"{lead}{n}{'TRWAGMYFPDXBNJZSQVHLCKE'[int(str('XYZ'.index(lead)) + n) % 23]}"
        if kind == "pesel":
            return super().pesel()
        if kind == "bsn":
            while True:
                s = corpus.digits(r, 8)
                c = sum(int(a) * w for a, w in zip(s, range(9, 1, -1), strict=True)) % 11
                if c < 10 and s[0] != "0":
                    full = s + str(c)
                    return f"{full[:4]}.{full[4:6]}.{full[6:]}"
        return f"{r.randint(100, 665)}{r.randint(10, 99)}{r.randint(1000, 9999)}"

    def card(self) -> str:
        r = self.r
        prefix, length = r.choice(
            [
                ("4", 16),
                ("51", 16),
                ("2221", 16),
                ("34", 15),
                ("37", 15),
                ("6011", 16),
                ("35", 16),
                ("62", 16),
                ("36", 14),
                ("4", 19),
            ]
        )
        full = corpus.luhn_complete(prefix + corpus.digits(r, length - len(prefix) - 1))
        sep = r.choice([" ", "-", "", " ", "\u2009"])
        if length == 15:
            return sep.join([full[:4], full[4:10], full[10:]])
        if length == 14:
            return sep.join([full[:4], full[4:10], full[10:]])
        return sep.join(full[i : i + 4] for i in range(0, length, 4))

    def iban(self) -> str:
        r = self.r
        up = string.ascii_uppercase
        country, bban = r.choice(
            [
                ("KW", "".join(r.choice(up) for _ in range(4)) + corpus.digits(r, 22)),
                ("QA", "".join(r.choice(up) for _ in range(4)) + corpus.digits(r, 21)),
                ("JO", "".join(r.choice(up) for _ in range(4)) + corpus.digits(r, 22)),
                ("BH", "".join(r.choice(up) for _ in range(4)) + corpus.digits(r, 14)),
                ("PK", "".join(r.choice(up) for _ in range(4)) + corpus.digits(r, 16)),
                ("AZ", "".join(r.choice(up) for _ in range(4)) + corpus.digits(r, 20)),
                ("KZ", corpus.digits(r, 16)),
                ("XK", corpus.digits(r, 16)),
                ("TN", corpus.digits(r, 20)),
                ("MU", "".join(r.choice(up) for _ in range(4)) + corpus.digits(r, 19) + "MUR"),
                ("DO", "".join(r.choice(up) for _ in range(4)) + corpus.digits(r, 20)),
                ("CR", corpus.digits(r, 18)),
            ]
        )
        num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        iban = f"{country}{98 - num % 97:02d}{bban}"
        assert ck.iban_ok(iban), iban
        style = r.random()
        if style < 0.4:
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        if style < 0.55:
            return "-".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban

    def badge(self) -> str:
        r = self.r
        return r.choice([f"EMP{r.randint(100, 9999999)}", f"B-{r.randint(1000, 999999)}"])

    def mrn(self) -> str:
        r = self.r
        return r.choice([f"{r.randint(100000, 9999999)}", f"{r.randint(10, 99)}-{r.randint(100000, 999999)}"])

    # --- network ----------------------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        v4 = f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        h = lambda: f"{r.randint(0, 0xFFFF):x}"  # noqa: E731
        return r.choice(
            [
                f"::ffff:{v4}",
                f"{v4}/{r.choice([24, 28, 32])}",
                f"[fe80::{h()}:{h()}%eth{r.randint(0, 3)}]:{r.randint(1024, 65000)}",
                f"2a02:{h()}:{h()}::{h()}",
                f"{v4}:502",
                f"{h()}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}".upper(),
            ]
        )

    def mac(self) -> str:
        r = self.r
        octs = [r.randint(0, 255) for _ in range(6)]
        hx = "".join(f"{o:02x}" for o in octs)
        return r.choice(
            [
                f"{hx[:4]}.{hx[4:8]}.{hx[8:]}",
                f"{hx[:6]}-{hx[6:]}".upper(),
                ":".join(f"{o:x}" for o in octs),
                hx.upper(),
                hx,
                "-".join(f"{o:02X}" for o in octs),
            ]
        )

    def gps(self) -> str:
        r = self.r
        lat = r.uniform(-55, 65)
        lon = r.uniform(-120, 150)
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        ld, lm, ls = _dms(lat)
        od, om, os_ = _dms(lon)
        return r.choice(
            [
                f"{ld}°{lm:02d}′{ls:04.1f}″{ns} {od}°{om:02d}′{os_:04.1f}″{ew}",
                f"{abs(lat):.4f}{ns}, {abs(lon):.4f}{ew}",
                f"{ns}{ld} {lm + ls / 60:06.3f} {ew}{od:03d} {om + os_ / 60:06.3f}",
                f"{lat:+08.4f}{lon:+09.4f}/",
                f"https://www.google.com/maps/@{lat:.6f},{lon:.6f},17z",
                f'{{"lat": {lat:.5f}, "lng": {lon:.5f}}}',
                f"{lat:.5f} {lon:.5f}",
                f"{abs(lat):.3f}° {ns} / {abs(lon):.3f}° {ew}",
            ]
        )

    def secret(self) -> str:
        r = self.r
        alnum = string.ascii_letters + string.digits
        hexd = "0123456789abcdef"
        rnd = lambda n, a=alnum: "".join(r.choice(a) for _ in range(n))  # noqa: E731
        return r.choice(
            [
                "pypi-AgEIcHlwaS5vcmc" + rnd(60, alnum + "_-"),
                "hvs." + rnd(24),
                "shpat_" + rnd(32, hexd),
                "dapi" + rnd(32, hexd),
                "AGE-SECRET-KEY-1" + rnd(58, string.ascii_uppercase + "023456789"),
                "dp.st.prd." + rnd(43),
                "SK" + rnd(32, hexd),
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + rnd(40, alnum + "_-") + "." + rnd(43, alnum + "_-"),
                f"https://svc-{r.choice(['mes', 'erp', 'scada'])}:{rnd(14)}@{r.choice(['historian', 'erp', 'ftp'])}.plant.internal/",
                f"DATABASE_URL=mysql://root:{rnd(16)}@10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}/mes",
            ]
        )

    def password(self) -> str:
        r = self.r
        words = [
            "maple",
            "orbit",
            "copper",
            "falcon",
            "tundra",
            "violet",
            "harbor",
            "quartz",
            "lantern",
            "pepper",
        ]
        return r.choice(
            [
                f"{r.choice(words)}-{r.choice(words)}-{r.randint(10, 99)}",
                f"{r.choice(words).title()}{r.randint(1, 9)}{r.choice('!?#$')}{r.choice(words).title()}",
                corpus.digits(r, r.choice([4, 6, 8])),
                "".join(
                    r.choice(string.ascii_letters + string.digits + "!@#%") for _ in range(r.randint(10, 14))
                ),
            ]
        )

    # --- health -----------------------------------------------------------------------
    def condition(self) -> str:
        return self.r.choice(
            [
                "sciatica",
                "long COVID",
                "tinnitus",
                "carpal tunnel syndrome",
                "a COPD flare-up",
                "panic attacks",
                "type 1 diabetes",
                "gout",
                "shingles",
                "a hernia",
                "pre-eclampsia",
                "vertigo",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "trapped two fingers in the roller guard",
                "got a metal splinter in the eye",
                "slipped on coolant and cracked a rib",
                "burned a forearm on the shrink tunnel",
                "sprained an ankle on the mezzanine stairs",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            [
                "is signed off with stress",
                "has gastroenteritis",
                "is off after a miscarriage",
                "is recovering from chemo",
                "is in hospital with pneumonia",
            ]
        )

    def medication(self) -> str:
        return self.r.choice(
            [
                "sertraline 50 mg",
                "warfarin",
                "a salbutamol inhaler",
                "levothyroxine",
                "methotrexate",
                "insulin glargine",
                "pregabalin",
            ]
        )

    def procedure(self) -> str:
        return self.r.choice(
            [
                "a colonoscopy",
                "cataract surgery",
                "an MRI of the knee",
                "a hip replacement",
                "dialysis",
                "an ECG",
            ]
        )

    # --- negatives ----------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice(
            [
                f"6ES7 {r.randint(100, 999)}-{r.randint(1, 9)}{r.choice('ABCDE')}{r.choice('BCFGH')}{r.randint(10, 99)}-0{r.choice('AX')}B0",
                f"1756-L{r.randint(60, 85)}",
                f"SKF {r.randint(6000, 6399)}-2RS",
                f"GTIN {r.randint(10**13, 10**14 - 1)}",
                f"({r.randint(10, 99)}) {r.randint(1000, 9999)}-{r.randint(100, 999)}",
            ]
        )

    def serial(self) -> str:
        r = self.r
        return r.choice(
            [
                "".join(r.choice("0123456789ABCDEF") for _ in range(12)),
                "-".join("".join(r.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)),
                "".join(r.choice("0123456789abcdef") for _ in range(40)),
                f"SN {r.randint(10, 99)}{r.choice('ABC')}{r.randint(1, 9)}-{r.randint(1000, 9999)}-{r.randint(10, 99)}",
            ]
        )

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=r.randint(0, 30_000_000))
        return r.choice(
            [
                str(int(t.timestamp())),
                f"CAL DUE {t:%Y-%m-%d}",
                f"EXP {t:%m/%Y}",
                f"MFD {t:%d.%m.%Y}",
                f"{t:%b %d %H:%M:%S}",
                f"{t:%d/%m/%Y %H:%M}",
            ]
        )

    def version(self) -> str:
        r = self.r
        return f"v{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 40)}-rc{r.randint(1, 5)}"

    def lot(self) -> str:
        r = self.r
        return f"CH-{r.randint(2019, 2026)}{r.randint(1, 52):02d}-{r.randint(100, 999)}"

    def reading(self) -> str:
        r = self.r
        return r.choice(
            [f"{r.uniform(1, 99):.1f} kPa", f"{r.uniform(-30, 8):.1f} °C", f"{r.randint(600, 3600)} rpm"]
        )

    def order(self) -> str:
        r = self.r
        return r.choice([f"SO{r.randint(10**7, 10**8 - 1)}", f"RET-{r.randint(10000, 99999)}"])


# Written for the blind set b6 before the detector changes it judged. New phrasing only: no sentence here appears in the dev templates or b1-b5.
B6_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Maintenance window tonight: {person} isolates the press, {first} holds the lock-out key. Questions to {phone_nat}.",
        "Uniform issue — {person}, {dob}, size L, locker {badge}.",
        "Radio log 02:14 {first} to {surname}: forklift back on charge, {reading}.",
        "{person} {injury}; first aid by {first}, RIDDOR form started.",
        "Payroll row: {person}; {natid}; {iban}",
        "Contractor {person} ({dob}) signed in with {natid}.",
        "The code for the tool cage is {password} until Friday.",
        "AP in bay 3: BSSID {mac}, ether {mac}, lease to {ip}.",
        "chaddr {mac} asked for {ip} at {ts}",
        "Spare {part} and {serial} arrived, {lot}, {ts}.",
        "Meet the crane hire at {gps}",
        "historian creds leaked in the job log: {secret}",
        "{first}, {first} and {first} on the late shift; {surname} covers breaks.",
        "Send the safety boots to {person}, {address}.",
        "Reach {person} on {phone} while she is in the field.",
        "Firmware {version} pushed to {serial}; {reading}.",
    ),
    "clinic": (
        "Occ-health triage: {person}, {dob}, hospital number {mrn}, reports {condition}.",
        "{person} {sick}; GP letter says {med}.",
        "Booked {person} for {procedure} — contact {phone}.",
        "ID check at reception: {natid}, {person}",
        "Pharmacy counter: {first} {surname} collected {med}, paid {card}.",
        "Case no. {mrn} — {first} {surname}, born {dob}.",
        "{person} ({email}) asked for her results by post to {address}.",
        "Home visit pin {gps}",
        "Door code for the dispensary is {password}",
        "Radiology PACS token: {secret}",
        "Reach the on-call nurse {first} at {phone_nat}.",
        "Workstation {serial} ({ip}) rebooted at {ts}, {version}.",
        "{person}, {dob}, {natid}, {condition}.",
        "Fridge {part} at {reading}, checked by {first}.",
    ),
    "retail": (
        "Returns chat: customer {person}, order {order}, refund to {card}.",
        "Customer said the card on file should be {card}, email {email}.",
        "{person} wants the dress sent to {address} instead; phone {phone}.",
        "Staff discount for {person} (employee {badge}), DOB {dob}.",
        "Wi-Fi key for the pop-up shop: {password}",
        "Refund by bank transfer: {person}, {iban}",
        "Price gun {serial} synced at {ts} from {ip}.",
        "Delivery van parked at {gps}, driver {first}.",
        "POS api secret in the ticket: {secret}",
        "{surname} covering tills, {first} on the floor, {first} on the door.",
        "{person} fainted at the till — {condition}, ambulance called.",
        "Card reader {mac} dropped off the network, {reading}.",
        "Loyalty sign-up: {person}, {dob}, {phone_nat}, {email}",
        "{part} and {part} out of stock, reorder {order}.",
    ),
}
