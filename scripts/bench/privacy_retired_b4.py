# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b4`` of the privacy corpus: now part of the DEV split.

It was the blind split (its own templates, romanised Japanese, Chinese, Armenian,
Georgian and Macedonian names, phone numbers of 19 countries, Faker addresses of 22
locales, nine national IDs with check digits, and value formats of its own, written
before the detector changes it judged) until its one blind run: seed 6217 on commit
2fbb78f (``privacy_blind_seeds.txt``). The detector was tuned on its misses
afterwards, so its figures are dev figures now. The current blind set is
``privacy_blind.py``.

Changes since the blind run (ground truth only, disclosed here):

* "Medication review" and "fit for light duties" next to a named patient are health
  data and were left unlabelled (they counted as false positives); now labelled.
* the ordinal date form always wrote "th" ("21th of October"); it now writes the
  right suffix (1st, 2nd, 3rd, 21st, 22nd, 23rd, else th).
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
from build_name_lexicon import GAZETTEER_LOCALES, HELD_OUT_LOCALES

from appliance.privacy import checksums as ck

B4_LOCALES = ("ja_JP", "zh_CN", "zh_TW", "hy_AM", "ka_GE", "mk_MK")
_DEV_LOCALES = GAZETTEER_LOCALES + HELD_OUT_LOCALES + b1.B1_LOCALES + b2.B2_LOCALES + b3.B3_LOCALES
assert not set(B4_LOCALES) & set(_DEV_LOCALES)

# --- names: romanised as people write them in Latin letters ----------------------------
_KA = dict(
    zip(
        "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ",
        [
            "a",
            "b",
            "g",
            "d",
            "e",
            "v",
            "z",
            "t",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "zh",
            "r",
            "s",
            "t",
            "u",
            "p",
            "k",
            "gh",
            "q",
            "sh",
            "ch",
            "ts",
            "dz",
            "ts",
            "ch",
            "kh",
            "j",
            "h",
        ],
        strict=True,
    )
)
_HY = {
    "ա": "a",
    "բ": "b",
    "գ": "g",
    "դ": "d",
    "ե": "e",
    "զ": "z",
    "է": "e",
    "ը": "y",
    "թ": "t",
    "ժ": "zh",
    "ի": "i",
    "լ": "l",
    "խ": "kh",
    "ծ": "ts",
    "կ": "k",
    "հ": "h",
    "ձ": "dz",
    "ղ": "gh",
    "ճ": "ch",
    "մ": "m",
    "յ": "y",
    "ն": "n",
    "շ": "sh",
    "ո": "o",
    "չ": "ch",
    "պ": "p",
    "ջ": "j",
    "ռ": "r",
    "ս": "s",
    "վ": "v",
    "տ": "t",
    "ր": "r",
    "ց": "ts",
    "ւ": "v",
    "փ": "p",
    "ք": "k",
    "օ": "o",
    "ֆ": "f",
    "և": "yev",
    "-": "-",
}
_MK = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ѓ": "gj",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "ѕ": "dz",
    "и": "i",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ќ": "kj",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "ch",
    "џ": "dzh",
    "ш": "sh",
}


def _romanise(name: str, table: dict[str, str], armenian: bool = False) -> str:
    low = name.lower()
    if armenian:
        low = low.replace("ու", "u")
        if low.startswith("ե"):
            low = "ye" + low[1:]
        if low.startswith("ո") and not low.startswith("ու"):
            low = "vo" + low[1:]
    out = "".join(table.get(ch, ch) for ch in low)
    return "-".join(part[:1].upper() + part[1:] for part in out.split("-"))


def _latin_pool(loc: str) -> tuple[set[str], set[str]]:
    p = importlib.import_module(f"faker.providers.person.{loc}").Provider
    if loc in ("ja_JP", "zh_CN", "zh_TW"):
        first = {n.title() for n in p.first_romanized_names}
        last = {n.title() for n in p.last_romanized_names}
        return first, last
    table, arm = {"ka_GE": (_KA, False), "hy_AM": (_HY, True), "mk_MK": (_MK, False)}[loc]
    first = {_romanise(n, table, arm) for n in p.first_names}
    last = {_romanise(n, table, arm) for a in ("last_names", "last_names_female") for n in getattr(p, a, ())}
    return first, last


def b4_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of the b4 names (none in earlier dev pools)."""
    dev_first, dev_last = corpus.locale_names(_DEV_LOCALES)
    dev = set(dev_first) | set(dev_last)
    pools = {}
    for loc in B4_LOCALES:
        first, last = _latin_pool(loc)
        ok = [n for n in sorted(first) if n not in dev and n.isascii() and len(n) > 1]
        ok_last = [n for n in sorted(last) if n not in dev and n.isascii() and len(n) > 1]
        if ok and ok_last:
            pools[loc] = (ok, ok_last)
    return pools


# countries none of the dev sets draws phone numbers from
PHONE_REGIONS = (
    "PT",
    "IE",
    "DK",
    "NO",
    "FI",
    "HU",
    "SK",
    "SI",
    "HR",
    "LT",
    "LV",
    "EE",
    "CH",
    "AT",
    "TR",
    "RS",
    "MT",
    "US",
    "CA",
)
# where a national number starts with a trunk prefix (or is NANP): written nationally
NATIONAL_REGIONS = ("IE", "FI", "HU", "SK", "SI", "HR", "CH", "AT", "TR", "RS", "US", "CA", "PT", "DK")
ADDRESS_LOCALES = (
    "en_US",
    "en_CA",
    "en_AU",
    "en_IE",
    "en_GB",
    "hu_HU",
    "fi_FI",
    "sk_SK",
    "sl_SI",
    "hr_HR",
    "fr_CH",
    "de_CH",
    "ro_RO",
    "no_NO",
    "da_DK",
    "pt_PT",
    "cs_CZ",
    "nl_BE",
    "it_IT",
    "es_ES",
    "pl_PL",
    "de_AT",
)
_MILITARY = ("APO", "FPO", "DPO", "PSC ", "USNS", "USS ", "USCGC", "USNV", "USCGC")


def _ordinal(d: int) -> str:
    return "th" if 10 <= d % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")


def _ean_check(digits12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return str((10 - total % 10) % 10)


class B4Gen(corpus.LocaleGen):
    """The b4 values: same classes, pools of their own."""

    group_name = "b4"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b4_names())

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first).lower(), r.choice(last).lower()
        user = r.choice(
            [f"{f[0]}.{la}", f"{la}.{f}", f"{f}{r.randint(1, 99)}", f"{f}.{la}+hr", f"{la[:6]}{f[0]}"]
        )
        user = "".join(c for c in user if c.isascii() and (c.isalnum() or c in ".+-")).strip(".-+") or "info"
        dom = r.choice(
            [
                "outlook.com",
                "t-online.de",
                "libero.it",
                "orange.fr",
                "seznam.cz",
                "mail.werk3.example-factory.eu",
                "klinik-sued.at",
                "yahoo.co.jp",
                "freemail.hu",
                "sapo.pt",
            ]
        )
        out = f"{user}@{dom}"
        return out.title() if r.random() < 0.1 else out

    def _number(self, region: str, mobile: bool | None = None) -> pn.PhoneNumber:
        r = self.r
        kind = (
            pn.PhoneNumberType.MOBILE
            if (r.random() < 0.6 if mobile is None else mobile)
            else pn.PhoneNumberType.FIXED_LINE
        )
        ex = pn.example_number_for_type(region, kind)
        nsn = str(ex.national_number)
        for _ in range(200):
            keep = max(2, len(nsn) - r.randint(4, 6))
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
        national = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL)
        styles = [
            intl,
            e164,
            "00" + intl[1:],
            intl.replace(" ", "-"),
            intl.replace(" ", ".", 1).replace(" ", ""),
            pn.format_number(num, pn.PhoneNumberFormat.RFC3966),
        ]
        digits = "".join(c for c in national if c.isdigit())
        if digits.startswith("0") and region not in ("HU",):
            styles.append(f"+{num.country_code} (0){intl.split(' ', 1)[1]}")
        return r.choice(styles)

    def phone_national(self) -> str:
        r = self.r
        region = r.choice(NATIONAL_REGIONS)
        num = self._number(region)
        national = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL)
        digits = "".join(c for c in national if c.isdigit())
        styles = [national]
        if region in ("US", "CA"):
            a, b, c = digits[:3], digits[3:6], digits[6:]
            styles += [f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"1-{a}-{b}-{c}", f"({a}) {b} {c}"]
        else:
            parts = national.replace("(", "").replace(")", "").split()
            if len(parts) >= 2:
                styles += [
                    f"{parts[0]}/{''.join(parts[1:])}",
                    "-".join(parts),
                    f"{parts[0]} {''.join(parts[1:])}",
                ]
            if digits.startswith("0"):
                styles.append(digits)
        return r.choice(styles)

    def address(self) -> str:
        r = self.r
        if r.random() < 0.7:
            loc = r.choice(ADDRESS_LOCALES)
            fake = self._faker(loc)
            for _ in range(20):
                value = fake.address()
                if not any(m in value for m in _MILITARY):
                    break
            lines = [ln.strip().rstrip(",") for ln in value.splitlines() if ln.strip()]
            return ", ".join(lines)
        n = r.randint(1, 180)
        return r.choice(
            [
                f"{r.choice(['Atatürk', 'Cumhuriyet', 'Bağdat', 'İstiklal'])} Cad. No: {n} D:{r.randint(1, 12)}, {r.randint(34000, 34990)} {r.choice(['Kadıköy', 'Beşiktaş', 'Şişli'])}/İstanbul",
                f"{r.choice(['Gedimino', 'Konstitucijos', 'Savanorių'])} pr. {n}-{r.randint(1, 40)}, LT-{r.randint(1000, 9999):05d} Vilnius",
                f"{r.choice(['Brīvības', 'Krišjāņa Valdemāra', 'Elizabetes'])} iela {n}-{r.randint(1, 30)}, Rīga, LV-{r.randint(1001, 1099)}",
                f"{r.choice(['Narva', 'Pärnu', 'Tartu'])} mnt {n}, {r.randint(10100, 13999)} Tallinn",
                f"{r.choice(['Laugavegur', 'Skólavörðustígur', 'Hverfisgata'])} {n}, {r.choice(['101', '105', '220'])} {r.choice(['Reykjavík', 'Hafnarfjörður'])}",
                f"PO Box {r.randint(100, 9999)}, {r.choice(['Boise, ID 83702', 'Akron, OH 44308', 'Fresno, CA 93721'])}",
                f"{r.randint(100, 9800)} {r.choice(['N', 'S', 'E', 'W'])} {r.choice(['Commerce', 'Industrial', 'Gateway'])} {r.choice(['Pkwy', 'Blvd', 'Dr'])}, Suite {r.randint(100, 450)}, {r.choice(['Weston, FL 33326', 'Plano, TX 75024', 'Reno, NV 89502'])}",
                f"Unit {r.randint(1, 40)}, {r.choice(['Hareness Road', 'Riverside', 'Trafford Park'])} Industrial Estate, {r.choice(['Aberdeen AB12 3LE', 'Hull HU9 1PQ', 'Manchester M17 1DB'])}",
                f"{n} {r.choice(['Seapoint', 'Merrion', 'Grove'])} {r.choice(['Avenue', 'Road', 'Park'])}, {r.choice(['Blackrock, Co. Dublin', 'Ballincollig, Co. Cork'])} {r.choice('ADKT')}{r.randint(10, 99)} {r.choice(string.ascii_uppercase)}{r.randint(1, 9)}{r.choice(string.ascii_uppercase)}{r.randint(1, 9)}",
            ]
        )

    # --- identity ---------------------------------------------------------------------
    def date(self) -> str:
        r = self.r
        y, m, d = r.randint(1949, 2006), r.randint(1, 12), r.randint(1, 28)
        mon = [
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
        ][m - 1]
        roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"][m - 1]
        return r.choice(
            [
                f"{y}/{m:02d}/{d:02d}",
                f"{d:02d}/{m:02d}/{y % 100:02d}",
                f"{mon} {d} {y}",
                f"{d}{_ordinal(d)} of {mon} {y}",
                f"{d:02d}-{mon[:3].upper()}-{y}",
                f"{d}/{roman}/{y}",
                f"{y}{m:02d}{d:02d}",
                f"{m}.{d}.{y}",
                f"{mon[:3]}. {d}, {y}",
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
        kind = r.choice(["cpr", "hetu", "ahv", "be", "nif", "ppsn", "fnr", "rc", "svnr"])
        if kind == "cpr":
            return f"{dd}{mm}{yy}-{corpus.digits(r, 4)}"
        if kind == "hetu":
            body = f"{dd}{mm}{yy}{r.randint(2, 899):03d}"
            return f"{dd}{mm}{yy}{'-' if b.year < 2000 else 'A'}{body[-3:]}{'0123456789ABCDEFHJKLMNPRSTUVWXY'[int(body) % 31]}"
        if kind == "ahv":
            d12 = "756" + corpus.digits(r, 9)
            s = d12 + _ean_check(d12)
            return f"{s[:3]}.{s[3:7]}.{s[7:11]}.{s[11:]}"
        if kind == "be":
            seq = f"{r.randint(1, 997):03d}"
            base = int(("2" if b.year >= 2000 else "") + f"{yy}{mm}{dd}{seq}")
            return f"{yy}.{mm}.{dd}-{seq}.{97 - base % 97:02d}"
        if kind == "nif":
            body = r.choice("12356") + corpus.digits(r, 7)
            c = 11 - sum(int(x) * (9 - i) for i, x in enumerate(body)) % 11
            return body + str(0 if c >= 10 else c)
        if kind == "ppsn":
            body = corpus.digits(r, 7)
            total = sum(int(x) * (8 - i) for i, x in enumerate(body))
            return body + "WABCDEFGHIJKLMNOPQRSTUV"[total % 23] + r.choice(["", "", "A", "W"])
        if kind == "fnr":
            while True:
                d9 = f"{dd}{mm}{yy}{r.randint(0, 499):03d}"
                k1 = 11 - sum(int(x) * w for x, w in zip(d9, (3, 7, 6, 1, 8, 9, 4, 5, 2), strict=True)) % 11
                k1 = 0 if k1 == 11 else k1
                if k1 == 10:
                    continue
                d10 = d9 + str(k1)
                k2 = (
                    11
                    - sum(int(x) * w for x, w in zip(d10, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
                )
                k2 = 0 if k2 == 11 else k2
                if k2 != 10:
                    return d10 + str(k2)
        if kind == "rc":
            month = b.month + (50 if r.random() < 0.5 else 0)
            while True:
                nine = f"{yy}{month:02d}{dd}{r.randint(0, 999):03d}"
                c = int(nine) % 11
                if c != 10:
                    return f"{nine[:6]}/{nine[6:]}{c}"
        while True:  # Austrian SVNR: 3 digits, check digit, DDMMYY
            serial = f"{r.randint(100, 999)}"
            digits = serial + "0" + f"{dd}{mm}{yy}"
            c = sum(int(x) * w for x, w in zip(digits, (3, 7, 9, 0, 5, 8, 4, 2, 1, 6), strict=True)) % 11
            if c != 10:
                return f"{serial}{c} {dd}{mm}{yy}"

    def card(self) -> str:
        r = self.r
        if r.random() < 0.4:
            return super().card()
        prefix, length, groups = r.choice(
            [
                ("35", 16, (4, 4, 4, 4)),
                ("62", 16, (4, 4, 4, 4)),
                ("36", 14, (4, 6, 4)),
                ("6759", 19, (4, 4, 4, 4, 3)),
                ("4", 16, (4, 4, 4, 4)),
                ("5", 16, (4, 4, 4, 4)),
            ]
        )
        body = prefix + corpus.digits(r, length - len(prefix) - 1)
        num = corpus.luhn_complete(body)
        sep = r.choice([" ", "-", "", " "])
        parts, i = [], 0
        for g in groups:
            parts.append(num[i : i + g])
            i += g
        return sep.join(parts)

    def iban(self) -> str:
        r = self.r
        country, bban = r.choice(
            [
                ("DK", corpus.digits(r, 14)),
                ("FI", corpus.digits(r, 14)),
                ("NO", corpus.digits(r, 11)),
                ("SE", corpus.digits(r, 20)),
                ("HU", corpus.digits(r, 24)),
                ("CZ", corpus.digits(r, 20)),
                ("SK", corpus.digits(r, 20)),
                ("SI", corpus.digits(r, 15)),
                ("HR", corpus.digits(r, 17)),
                ("IE", "AIBK" + corpus.digits(r, 14)),
                ("LT", corpus.digits(r, 16)),
                ("EE", corpus.digits(r, 16)),
                ("LV", "HABA" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(13))),
                ("TR", corpus.digits(r, 5) + "0" + corpus.digits(r, 16)),
                (
                    "MT",
                    "MALT"
                    + corpus.digits(r, 5)
                    + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(18)),
                ),
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
                f"B-{r.randint(1000, 999999)}",
                f"EMP{r.randint(10000, 9999999)}",
                f"EMP-{r.randint(1000, 99999999)}",
            ]
        )

    # --- network ----------------------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        v4 = f"{r.choice([172, 10, 100, 185, 91, 62])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        return r.choice(
            [
                v4,
                f"{v4}:{r.choice([443, 502, 1883, 4840, 8443])}",
                f"fe80::{r.randint(0, 0xFFFF):x}:{r.randint(0, 0xFFFF):x}:{r.randint(0, 0xFFFF):x}:{r.randint(0, 0xFFFF):x}%eth0",
                f"2a02:{r.randint(0x1000, 0xFFFF):x}:{r.randint(0, 0xFFFF):x}:{r.randint(0, 0xFFFF):x}::{r.randint(1, 0xFFFF):x}",
            ]
        )

    def mac(self) -> str:
        r = self.r
        octets = [r.randint(0, 255) for _ in range(6)]
        hexs = "".join(f"{o:02x}" for o in octets)
        return r.choice(
            [
                ":".join(f"{o:02x}" for o in octets),
                "-".join(f"{o:02X}" for o in octets),
                f"{hexs[:4]}.{hexs[4:8]}.{hexs[8:]}",
            ]
        )

    def gps(self) -> str:
        r = self.r
        lat, lon = r.uniform(27, 69), r.uniform(-124, 40)
        ns, ew = "N", ("E" if lon >= 0 else "W")
        alat, alon = abs(lat), abs(lon)

        def dms(v: float) -> tuple[int, int, float]:
            d = int(v)
            m = int((v - d) * 60)
            return d, m, ((v - d) * 60 - m) * 60

        (ld, lm, ls), (od, om, osec) = dms(alat), dms(alon)
        return r.choice(
            [
                f"{alat:.4f}° {ns}, {alon:.4f}° {ew}",
                f"{ns}{alat:.5f} {ew}{alon:.5f}",
                f"{lat:.6f},{lon:.6f}",
                f"({lat:.5f}, {lon:.5f})",
                f"{ld}°{lm:02d}′{ls:04.1f}″{ns} {od}°{om:02d}′{osec:04.1f}″{ew}",
                f"{ld} {lm} {ls:.1f} {ns}, {od} {om} {osec:.1f} {ew}",
                f"{ld}° {lm + ls / 60:.3f}' {ns}, {od}° {om + osec / 60:.3f}' {ew}",
                f"https://maps.google.com/?q={lat:.6f},{lon:.6f}",
                f"@{lat:.7f},{lon:.7f},17z",
                f"POINT({lon:.5f} {lat:.5f})",
                f'{{"lat": {lat:.5f}, "lng": {lon:.5f}}}',
                f"latitude {lat:.4f} / longitude {lon:.4f}",
            ]
        )

    # --- credentials ------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        alnum = string.ascii_letters + string.digits
        b64 = alnum + "+/"
        hexd = "0123456789abcdef"
        rnd = lambda n, a=alnum: "".join(r.choice(a) for _ in range(n))  # noqa: E731
        return r.choice(
            [
                f"aws_secret_access_key = {rnd(40, b64)}",
                "ASIA" + rnd(16, string.ascii_uppercase + string.digits),
                "ya29." + rnd(60, alnum + "_-"),
                f'"private_key_id": "{rnd(40, hexd)}"',
                f"DefaultEndpointsProtocol=https;AccountName=plant{r.randint(1, 99)}logs;AccountKey={rnd(86, b64)}==;EndpointSuffix=core.windows.net",
                f"sv=2022-11-02&ss=b&srt=sco&sp=rwdlac&se=2026-12-31T23:59:59Z&sig={rnd(43, alnum)}%3D",
                "github_pat_" + rnd(22) + "_" + rnd(59),
                "gho_" + rnd(36),
                f"https://hooks.slack.com/services/T{rnd(8, string.ascii_uppercase + string.digits)}/B{rnd(10, string.ascii_uppercase + string.digits)}/{rnd(24)}",
                "xapp-1-"
                + rnd(11, string.ascii_uppercase + string.digits)
                + "-"
                + rnd(13, string.digits)
                + "-"
                + rnd(64, hexd),
                "whsec_" + rnd(32),
                "rk_live_" + rnd(24),
                "SK" + rnd(32, hexd),
                "shpat_" + rnd(32, hexd),
                "pypi-AgEIcHlwaS5vcmc" + rnd(50, alnum + "_-"),
                "dckr_pat_" + rnd(27, alnum + "_-"),
                "ATATT3xFfGF0" + rnd(60, alnum + "_-"),
                f"{r.randint(10**8, 10**10 - 1)}:AA{rnd(33, alnum + '_-')}",
                f"postgresql://mes_app:{rnd(14)}@db{r.randint(1, 9)}.plant.local:5432/mes",
                f"mongodb+srv://reporting:{rnd(12)}@cluster0.{rnd(5, string.ascii_lowercase)}.mongodb.net/prod",
                f"Server=sql{r.randint(1, 9)};Database=Lims;User Id=lims_svc;Password={rnd(12)}!;",
                f"MQTT_PASSWORD={rnd(16)}",
                "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
                + rnd(64, b64)
                + "\n-----END PRIVATE KEY-----",
                "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ"
                + rnd(30, alnum + "_-")
                + "."
                + rnd(86, alnum + "_-"),
            ]
        )

    def password(self) -> str:
        r = self.r
        words = ["anchor", "tulip", "granite", "falcon", "cobalt", "meadow", "Lantern", "Harbor"]
        return r.choice(
            [
                "-".join(r.choice(words).lower() for _ in range(4)),
                f"{r.choice(words).title()}#{r.randint(2020, 2027)}",
                "".join(
                    r.choice(string.ascii_letters + string.digits + "@#%+=") for _ in range(r.randint(10, 16))
                ),
                f"{r.choice(['Werk', 'Linea', 'Halle', 'Planta'])}{r.randint(1, 9)}!{r.choice(words)}",
            ]
        )

    # --- health -----------------------------------------------------------------------
    def condition(self) -> str:
        return self.r.choice(
            [
                "type 1 diabetes",
                "rheumatoid arthritis",
                "multiple sclerosis",
                "an irregular heartbeat",
                "a benign brain tumour",
                "bipolar disorder",
                "chronic fatigue syndrome",
                "a latex allergy",
                "macular degeneration",
                "long COVID",
                "ADHD",
                "an overactive thyroid",
                "deep vein thrombosis",
                "a hiatus hernia",
                "stage 2 breast cancer",
                "alcohol dependence",
                "osteoarthritis in both knees",
                "a stammer",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "crushed a thumb between two pallets",
                "got a needle-stick injury",
                "took an electric shock from the panel",
                "was treated for heat exhaustion",
                "suffered smoke inhalation",
                "has a deep gash on the forearm",
                "twisted a knee on the stairs",
                "got swarf in the left eye",
                "was knocked unconscious by a falling box",
                "has a hairline fracture in the foot",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            [
                "is recovering from a hip replacement",
                "is in hospital with pneumonia",
                "is off with a chest infection",
                "had a panic attack on shift",
                "is on a phased return after chemotherapy",
                "has been signed off with burnout",
            ]
        )

    def medication(self) -> str:
        r = self.r
        return r.choice(
            [
                f"sertraline {r.choice([50, 100])} mg",
                f"{r.choice([10, 20, 40])}mg atorvastatin",
                "an EpiPen",
                "levothyroxine",
                "a salbutamol inhaler",
                f"methotrexate {r.choice([7.5, 10, 15])} mg weekly",
                "blood thinners",
                "insulin injections",
                "lithium",
                "morphine for the pain",
            ]
        )

    def procedure(self) -> str:
        return self.r.choice(
            [
                "a colonoscopy",
                "an MRI of the lumbar spine",
                "a knee arthroscopy",
                "a C-section",
                "cataract surgery",
                "a cardiac stress test",
                "physiotherapy for the shoulder",
                "a biopsy",
                "a tetanus booster",
                "an HIV test",
            ]
        )

    # --- negatives: formats of their own ------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice(
            [
                f"6ES7 {r.randint(100, 999)}-{r.randint(1, 9)}{r.choice('ABC')}{r.choice('GHJ')}{r.randint(10, 99)}-0XB0",
                f"3HAC{r.randint(10000, 99999)}-{r.randint(1, 9):03d}",
                f"{r.randint(0, 999):04d}-{r.randint(1000, 9999)}-{r.randint(10, 99)}",
                f"P/N {r.randint(100000, 999999)}.{r.randint(10, 99)}",
            ]
        )

    def serial(self) -> str:
        r = self.r
        return r.choice(
            [
                f"S/N {r.randint(10, 29)}{r.randint(1, 52):02d}{r.choice('ABCD')}{r.randint(1000, 9999)}",
                f"SN:{''.join(r.choice(string.ascii_uppercase + string.digits) for _ in range(10))}",
                f"{r.randint(0, 99999):05d} {r.randint(0, 99999):05d}",
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
        return r.choice(
            [
                f"2026-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}.{r.randint(0, 999):03d}+01:00",
                f"{['Mon', 'Tue', 'Wed', 'Thu', 'Fri'][d % 5]} {['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][mo - 1]} {d:2d} {h:02d}:{mi:02d}:{s:02d} 2026",
                f"2026{mo:02d}{d:02d}T{h:02d}{mi:02d}{s:02d}Z",
                f"{d:02d}/{mo:02d}/2026 {h:02d}:{mi:02d}",
                f"{r.randint(1_700_000_000_000, 1_800_000_000_000)}",
            ]
        )

    def version(self) -> str:
        r = self.r
        return r.choice(
            [
                f"v{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}-rc{r.randint(1, 4)}",
                f"10.0.{r.randint(17000, 22631)}.{r.randint(1, 4000)}",
                f"{r.randint(1, 5)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(100, 9999)}",
            ]
        )

    def lot(self) -> str:
        r = self.r
        return f"L{r.randint(24, 26)}{r.randint(1, 52):02d}-{r.randint(1, 9999):04d}"

    def reading(self) -> str:
        r = self.r
        return r.choice(
            [
                f"X {r.uniform(10, 80):.4f} Y {r.uniform(10, 80):.4f} mm",
                f"{r.uniform(0.001, 0.05):.4f} in",
                f"{r.uniform(950, 1050):.2f} hPa",
                f"{r.uniform(10, 60):.4f}, {r.uniform(10, 60):.4f} (probe offsets)",
                f"{r.randint(1100, 4999)} rpm",
            ]
        )

    def order(self) -> str:
        r = self.r
        return r.choice(
            [
                f"SO-2026-{r.randint(1, 999999):06d}",
                f"INC{r.randint(1, 9999999):07d}",
                f"WO {r.randint(100000, 999999)}",
            ]
        )


# Written for the blind set b4 before the detector changes it judged; labels fixed after
# its blind run (see the module docstring). New phrasing only: no sentence here appears in the dev templates or b1-b3.
B4_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "[{ts}] gate-reader: badge {badge} denied at turnstile 2 ({first} {surname})",
        "{person} – mobile {phone}\nShift Supervisor, Press Shop",
        "Can someone WhatsApp {first} on {phone_nat}? The kiln alarm is going off.",
        "Incident #{order}: {person} {injury}; ambulance called, site nurse {first} attended.",
        "Return-to-work meeting for {person}: she {sick} and takes {med}.",
        "env dump from edge-07: {secret}",
        "Tooling vendor login for the portal is plant-ops, pass {password}",
        "telematics: forklift FL-{lot} parked at {gps}, driver {first}",
        "Forward {first}'s relocation paperwork to the new address: {address}.",
        "Expense claim from {person}; reimburse to {iban} by Friday.",
        "Sensor gateway {ip} ({mac}) reports {reading} on spindle 2.",
        "{person}'s personal number {natid} is missing from the payroll export.",
        "Quote request for {part}, serial {serial}, firmware {version} — ask {surname} in purchasing.",
        "Contractor induction: {person}, born {dob}, emergency contact {phone}.",
        "Ring {surname} back at {phone_nat} about the crane inspection.",
        "{first}, {first} and {surname} are on the first-aid rota this month.",
    ),
    "clinic": (
        "Pt: {person} | DOB: {dob} | MRN: {mrn} | Dx: {condition}",
        "{person} is booked for {procedure} next Thursday; reminder to {phone}.",
        "{=HEALTH:Medication review}: {first} {surname} currently on {med} for {condition}.",
        "Occupational health: {person} {injury}, {=HEALTH:fit for light duties} only.",
        "Records request from {person}, {address}; ID checked ({natid}).",
        "Results portal account {email}; temporary password {password}",
        "Out-of-hours: family of {person} can be reached at {phone_nat}.",
        "Card payment declined for {person} ({card}); patient ref {mrn_token}.",
        "Home visit GPS pin for {person}: {gps}",
        "Integration config for the LIS: {secret}",
        "{person} (dob {dob}) attended for {procedure} with {condition}.",
        "Infusion pump {serial} rebooted at {ts}, gateway {ip}.",
        "Nurse {first} handed over to {person} at 19:00.",
        "Direct debit for {person} from {iban}; reply to {email}.",
        "Interpreter for {person}, who {sick}; patient ID {mrn_token}.",
    ),
    "retail": (
        "Order {order} for {person}, ship to {address}, tel. {phone}",
        "Customer {person} says her card {card} was charged twice.",
        "{first} from the bakery counter {injury} — accident book updated.",
        "Chat transcript: customer {email} asked about the loyalty points of {person}.",
        "Store 112 manager {person} is off: she {sick}.",
        "POS config pushed with {secret} by mistake; rotate it now.",
        "New hire {person}, date of birth {dob}, tax ID {natid}, IBAN {iban}.",
        "Cold chain logger {mac} last synced from {ip} at {ts}.",
        "Text {first} at {phone_nat} if the delivery van is late.",
        "Delivery geofence for van 3: {gps}",
        "Self-checkout admin: user tillsup / {password}",
        "Staff card {badge} belongs to {person}; lost at {ts}.",
        "{surname} signed for the pallet of part {part}, lot {lot}, reading {reading}.",
        "Pharmacy counter: {person} collected {med}, card ending {card}.",
        "Thanks {first}! Reach me on {phone} or at {email}.",
    ),
}
