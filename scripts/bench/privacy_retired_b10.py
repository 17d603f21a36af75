# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b10`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, history or
figures) until its one blind run: seed 6143 on commit 686271a
(``privacy_blind_seeds.txt``). From now on its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B10Gen``, ``BLIND_TEMPLATES`` -> ``B10_TEMPLATES``,
``BLIND_LOCALES`` -> ``B10_LOCALES``, ``blind_names`` -> ``b10_names``, group ``blind`` ->
``b10``) and its seed log helpers left in ``privacy_blind.py``.

What ``b10`` is: a realistic sample of what a privacy gate on an edge appliance in
factories, clinics and shops in Europe, the Americas, the Middle East, Africa and
Asia sees. Each generator draws the form of each value once: about 60 % everyday
forms, about 40 % less common but genuine ones. Separate from the dev split
(``privacy_templates.py``, ``privacy_corpus.Gen`` and the retired sets ``b1`` to
``b9``):

* templates: a sentence family of its own, none shared with or edited from the dev
  split (checked with a word 5-gram overlap test against every dev template while it
  was written) -- prose notes, chat and SMS, e-mails, CSV rows, JSON, YAML and INI
  snippets, key=value logs, message segments, forms, and a few lines in other
  languages;
* names: every Faker person locale written in Latin letters is read by the dev split,
  and so are the Cyrillic, Greek, Armenian, Georgian, CJK, Indic, Thai, Sinhala and
  Arabic ones, so the names are Hebrew (``he_IL``, the one locale of
  ``B10_LOCALES``), romanised here by a simplified deterministic scheme (see
  ``hebrew_romanise``) minus every name of the dev pools (the romanised ``b4`` to
  ``b9`` pools included); written as real systems write them ("First Last",
  "LAST, First", "Last, First", two given names, an initial and surname, all caps);
  titles stay in the sentence;
* values: every one really of its class -- check digits computed here (and checked
  against python-stdnum where it knows the kind while the set was written), phones
  valid per ``phonenumbers``, real calendar dates -- for every class of the corpus
  (names, e-mail, phones, addresses, dates of birth, national IDs of many countries,
  employee/badge numbers, patient numbers, health conditions, injuries, medications
  and procedures, cards, IBANs, IPs, MACs, GPS, secrets of real services,
  passwords), and negatives (part numbers, serials, timestamps, versions, lots,
  GTINs, readings, order and tracking numbers, amounts) at about a fifth of the slots;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG`` records every blind run (seed,
  time, commit, set); the bench warns when a seed is reused, since its figures are
  then no longer blind.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import re
import string

import privacy_corpus as corpus
import privacy_retired_b4 as b4
import privacy_retired_b5 as b5
import privacy_retired_b6 as b6
import privacy_retired_b7 as b7
import privacy_retired_b8 as b8
import privacy_retired_b9 as b9

B10_LOCALES = ("he_IL",)
_DEV_LOCALES = b9._DEV_LOCALES + b9.B9_LOCALES
assert not set(B10_LOCALES) & set(_DEV_LOCALES)

# share of values drawn in an everyday form; the rest take a less common real one
EVERYDAY = 0.6




# --- Hebrew names, romanised --------------------------------------------------------------
# A simplified, deterministic scheme for unpointed Hebrew. Points and cantillation are
# dropped. Consonants: bet b word-initially, v elsewhere; kaf k / kh, pe p / f likewise;
# het ch, tsadi tz, shin sh, tav and tet t, qof k; gimel, zayin, tsadi with a geresh
# j, zh, ch. Vowel letters: alef and ayin read "a" word-initially or after a consonant
# and are silent after a vowel; vav reads "v" word-initially, doubled or after a vowel
# and "o" after a consonant; yod likewise "y" or "i"; he reads "a" at the end after a
# consonant, silent at the end after a vowel, "h" elsewhere. Unwritten vowels are
# restored by syllable: the first consonant of a word before another takes "a"; a
# consonant before another that follows a vowel closes its syllable (no vowel); any
# other consonant before a consonant takes "e"; a final consonant after a closing one
# takes "o" before it.
_HE_CONS = {
    "ג": "g", "ד": "d", "ז": "z", "ח": "ch", "ט": "t", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n",
    "ס": "s", "צ": "tz", "ץ": "tz", "ק": "k", "ר": "r", "ש": "sh", "ת": "t",
}
_HE_SOFT = {"ב": ("b", "v"), "כ": ("k", "kh"), "ך": ("k", "kh"), "פ": ("p", "f"), "ף": ("p", "f")}
_HE_GERESH = {"ג": "j", "ז": "zh", "צ": "ch", "ץ": "ch"}


def _he_units(word: str) -> list[tuple[str, str]]:
    """Split a Hebrew word into (kind, latin) units: C consonant, V vowel."""
    chars = [c for c in word if not ("\u0591" <= c <= "\u05c7")]
    units: list[tuple[str, str]] = []
    i = 0
    while i < len(chars):
        c = chars[i]
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        prev = units[-1][0] if units else ""
        if nxt in ("'", "׳", "’") and c in _HE_GERESH:
            units.append(("C", _HE_GERESH[c]))
            i += 2
            continue
        if c in _HE_CONS:
            units.append(("C", _HE_CONS[c]))
        elif c in _HE_SOFT:
            units.append(("C", _HE_SOFT[c][0 if i == 0 else 1]))
        elif c in "אע":
            if i == 0 or prev == "C":
                units.append(("V", "a"))
        elif c == "ה":
            if nxt:
                units.append(("C", "h"))
            elif prev == "C":
                units.append(("V", "a"))
        elif c in "וי":
            cons, vow = ("v", "o") if c == "ו" else ("y", "i")
            if nxt == c:
                units.append(("C", cons))
                i += 2
                continue
            units.append(("V", vow) if i > 0 and prev == "C" else ("C", cons))
        i += 1
    return units


def _he_word(word: str) -> str:
    units = _he_units(word)
    out: list[str] = []
    closed = False
    for i, (kind, lat) in enumerate(units):
        if kind == "V":
            out.append(lat)
            closed = False
            continue
        nxt = units[i + 1] if i + 1 < len(units) else None
        if nxt is None:
            out.append(("o" if closed else "") + lat)
        elif nxt[0] == "C":
            if i == 0:
                out.append(lat + "a")
            elif out and out[-1][-1:] in "aeiou":
                out.append(lat)
                closed = True
                continue
            else:
                out.append(lat + "e")
        else:
            out.append(lat)
        closed = False
    return "".join(out)


def hebrew_romanise(name: str) -> str:
    """Return the Latin spelling of a one-word Hebrew name (the scheme above)."""
    w = _he_word(name.strip())
    return w[:1].upper() + w[1:]


def b10_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of blind names never seen in development:
    the romanised Hebrew names minus every dev name (romanised pools included)."""
    dev_first, dev_last = corpus.locale_names(_DEV_LOCALES)
    dev = {n.lower() for n in set(dev_first) | set(dev_last)}
    for romanised in (b4.b4_names, b5.b5_names, b6.b6_names, b7.b7_names, b8.b8_names, b9.b9_names):
        for first, last in romanised().values():
            dev |= {n.lower() for n in set(first) | set(last)}
            dev |= {n.lower().removeprefix("al-") for n in set(first) | set(last)}
    ok = re.compile(r"^[A-Z][a-z]{2,}$")

    def pool(names: list[str]) -> list[str]:
        out = set()
        for n in names:
            if " " in n.strip() or "-" in n:
                continue
            lat = hebrew_romanise(n)
            if ok.match(lat) and lat.lower() not in dev:
                out.add(lat)
        return sorted(out)

    pools = {}
    for loc in B10_LOCALES:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        firsts = [str(n) for a in ("first_names", "first_names_male", "first_names_female") for n in getattr(p, a, ())]
        pair = (pool(firsts), pool([str(n) for n in getattr(p, "last_names", ())]))
        if pair[0] and pair[1]:
            pools[loc] = pair
    return pools


# --- check digits (written for this set) -------------------------------------------------
def _luhn(body: str) -> str:
    """``body`` and the digit that makes it pass Luhn."""
    tot = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (1 if i % 2 else 2)
        tot += d - 9 if d > 9 else d
    return body + str((10 - tot % 10) % 10)


def _wsum(body: str, weights: tuple[int, ...] | range) -> int:
    return sum(int(x) * w for x, w in zip(body, weights, strict=True))


def _mod11_10(body: str) -> str:
    """ISO 7064 MOD 11,10 check digit."""
    p = 10
    for ch in body:
        s = (int(ch) + p) % 10 or 10
        p = s * 2 % 11
    return str((11 - p) % 10)


def _iban(country: str, bban: str) -> str:
    num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    iban = f"{country}{98 - num % 97:02d}{bban}"
    assert int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1
    return iban


def _gtin(body: str) -> str:
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return body + str((10 - s % 10) % 10)


_VH_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VH_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]]
for _k in range(2, 8):
    _VH_P.append([_VH_P[1][_VH_P[_k - 1][j]] for j in range(10)])
_VH_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def _verhoeff(body: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _VH_D[c][_VH_P[(i + 1) % 8][int(ch)]]
    return body + str(_VH_INV[c])


_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"],
}
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]

# (country code, everyday?, national number patterns ("#" a digit, "N" 2-9), groups of the
# national number, trunk prefix) -- numbers checked against phonenumbers while written
_PHONES: dict[str, tuple[int, bool, tuple[str, ...], tuple[int, ...], str]] = {
    "US": (1, True, ("312N######", "214N######", "602N######", "919N######", "503N######", "615N######"), (3, 3, 4), "1"),
    "GB": (44, True, ("74########", "7456######", "7534######", "7723######", "7890######", "7912######", "2079######", "2084######", "1614######", "1133######"), (4, 6), "0"),
    "DE": (49, True, ("157########", "162#######", "172#######", "221#######", "40########"), (3, 8), "0"),
    "FR": (33, True, ("61#######", "66#######", "68#######", "75#######", "78#######", "1########", "3########", "9########"), (1, 2, 2, 2, 2), "0"),
    "IT": (39, True, ("320#######", "347#######", "389#######"), (3, 3, 4), ""),
    "NL": (31, True, ("61#######", "62#######", "63#######", "64#######", "65#######"), (1, 2, 2, 2, 2), "0"),
    "IL": (972, True, ("502######", "505######", "522######", "526######", "543######", "547######", "585######", "3#######", "4#######"), (2, 3, 4), "0"),
    "CA": (1, True, ("416N######", "604N######", "514N######"), (3, 3, 4), "1"),
    "AU": (61, True, ("40#######", "41#######", "42#######", "43#######"), (3, 3, 3), "0"),
    "PL": (48, True, ("51#######", "66#######", "88#######"), (3, 3, 3), ""),
    "ZA": (27, False, ("82#######", "72#######", "11#######", "21#######"), (2, 3, 4), "0"),
    "NG": (234, False, ("803#######", "806#######", "813#######"), (3, 3, 4), "0"),
    "KE": (254, False, ("712######", "722######"), (3, 6), "0"),
    "PT": (351, False, ("91#######", "93#######", "96#######"), (3, 3, 3), ""),
    "BE": (32, False, ("47#######", "49#######"), (3, 2, 2, 2), "0"),
    "AT": (43, False, ("664#######", "676#######"), (3, 7), "0"),
    "CH": (41, False, ("76#######", "78#######", "79#######"), (2, 3, 2, 2), "0"),
    "SE": (46, False, ("70#######", "72#######", "73#######"), (2, 3, 2, 2), "0"),
    "NO": (47, False, ("41######", "46######", "47######", "9#######"), (3, 2, 3), ""),
    "DK": (45, False, ("26######", "27######", "28######"), (2, 2, 2, 2), ""),
    "VN": (84, False, ("90#######", "93#######", "97#######"), (2, 3, 2, 2), "0"),
    "PH": (63, False, ("917#######", "918#######"), (3, 3, 4), "0"),
    "ID": (62, False, ("812#######", "813########"), (3, 4, 4), "0"),
    "NZ": (64, False, ("21#######",), (2, 3, 4), "0"),
    "HK": (852, False, ("94######", "96######", "61######", "65######"), (4, 4), ""),
}

_TLD = {"US": "com", "GB": "co.uk", "DE": "de", "IL": "co.il", "IT": "it", "NL": "nl", "FR": "fr", "ZA": "co.za", "PT": "pt", "AU": "com.au"}


class B10Gen(corpus.LocaleGen):
    """The blind split's values: same classes, pools and formats of its own."""

    group_name = "b10"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b10_names())

    def _everyday(self) -> bool:
        return self.r.random() < EVERYDAY

    def _rnd(self, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def _d(self, n: int) -> str:
        return corpus.digits(self.r, n)

    def _birth(self, lo: int = 1942, hi: int = 2009) -> dt.date:
        start = dt.date(lo, 1, 1)
        return start + dt.timedelta(days=self.r.randint(0, (dt.date(hi, 12, 31) - start).days))

    # --- names -------------------------------------------------------------------------
    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        style = r.random()
        if style < 0.58:
            return f"{f} {la}"
        if style < 0.68:
            return f"{la}, {f}"
        if style < 0.76:
            return f"{la.upper()} {f}"
        if style < 0.86:
            return f"{f} {r.choice(first)} {la}"
        if style < 0.93:
            return f"{f[0]}. {la}"
        if style < 0.97:
            return f"{f} {r.choice(last)[0]}. {la}"
        return f"{la}-{r.choice(last)}, {f}"

    def first(self) -> str:
        return self.r.choice(self._pool()[0])

    def surname(self) -> str:
        return self.r.choice(self._pool()[1])

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first).lower(), r.choice(last).lower()
        if self._everyday():
            user = r.choice([f"{f}.{la}", f"{f}{la}", f"{f[0]}.{la}", f"{la}{f[0]}", f"{f}{r.randint(1, 999)}", f"{f}_{la}{r.randint(70, 99)}"])
            dom = r.choice(["gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.com", "icloud.com", "proton.me", "gmx.de", "walla.co.il", "bezeqint.net",
                            "kessler-drivetrain.de", "lakeside-health.org", "corner-grocer.com", "brightmart.co.za", "medicentro.it"])
            return f"{user}@{dom}"
        user = r.choice([f"{f}.{la}", f"{la}.{f[0]}", f"{f}+{r.choice(['hr', 'shifts', 'rx', 'invoices'])}", f"{f[0]}{la[0]}{r.randint(1000, 9999)}", f"{la}-{f}"])
        dom = r.choice(["clalit.org.il", "sheba.health.gov.il", "nhs.net", "student.tau.ac.il", "mail.ru", "libero.it", "telenet.be", "xs4all.nl", "sapo.pt",
                        "bluewin.ch", "optusnet.com.au", "plant3.ops.example-motors.co.jp", "wp.pl", "tiscali.it", "intl.med-group.example"])
        return f"{user}@{dom}"

    def _nsn(self, region: str) -> str:
        pat = self.r.choice(_PHONES[region][2])
        return "".join(self._d(1) if c == "#" else str(self.r.randint(2, 9)) if c == "N" else c for c in pat)

    def _region(self) -> str:
        every = self._everyday()
        return self.r.choice([k for k, v in _PHONES.items() if v[1] == every])

    @staticmethod
    def _group(nsn: str, sizes: tuple[int, ...], sep: str = " ") -> str:
        out, i = [], 0
        for s in sizes:
            out.append(nsn[i : i + s])
            i += s
        if i < len(nsn):
            out[-1] += nsn[i:]
        return sep.join(p for p in out if p)

    def phone(self) -> str:
        r = self.r
        region = self._region()
        cc, _, _, sizes, _ = _PHONES[region]
        nsn = self._nsn(region)
        style = r.random()
        if style < 0.5:
            return f"+{cc} {self._group(nsn, sizes)}"
        if style < 0.65:
            return f"+{cc}{nsn}"
        if style < 0.75:
            return f"+{cc}-{self._group(nsn, sizes, '-')}"
        if style < 0.85:
            return f"00{cc} {self._group(nsn, sizes)}" if cc != 1 else f"+1 ({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}"
        if style < 0.93:
            return f"+{cc} {self._group(nsn, sizes, '.')}" if cc != 1 else f"1-{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}"
        return f"+{cc} (0) {self._group(nsn, sizes)}" if region in ("DE", "AT", "CH", "GB") else f"+{cc} {nsn}"

    def phone_national(self) -> str:
        r = self.r
        region = self._region()
        _, _, _, sizes, trunk = _PHONES[region]
        nsn = self._nsn(region)
        if region in ("US", "CA"):
            return r.choice([f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}", f"{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}", f"{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}", f"1 {nsn[:3]} {nsn[3:6]} {nsn[6:]}"])
        if region == "IL":
            return r.choice([f"0{nsn[:2]}-{nsn[2:]}", f"0{nsn[:2]}-{nsn[2:5]}-{nsn[5:]}", f"0{nsn}"]) if nsn[0] == "5" else f"0{nsn[0]}-{nsn[1:]}"
        if region == "GB":
            return r.choice([f"0{nsn[:4]} {nsn[4:]}", f"0{nsn}", f"(0{nsn[:4]}) {nsn[4:]}"])
        if region == "DE":
            return r.choice([f"0{nsn[:3]} {nsn[3:]}", f"0{nsn[:3]}/{nsn[3:]}", f"(0{nsn[:3]}) {nsn[3:]}"]) if nsn[0] == "1" else f"0{nsn[:3]} {nsn[3:]}"
        grouped = self._group(nsn, sizes)
        return trunk + (grouped if r.random() < 0.7 else nsn)

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 280)
        if self._everyday():
            kind = r.choice(["us", "us", "uk", "uk", "de", "fr", "it", "nl", "il", "il", "ca", "au"])
            if kind == "us":
                city, st, z = r.choice([("Toledo", "OH", "436"), ("Spokane", "WA", "992"), ("Boise", "ID", "837"), ("Knoxville", "TN", "379"), ("Wichita", "KS", "672"), ("Reno", "NV", "895"), ("Lowell", "MA", "018")])
                unit = r.choice(["", "", "", f" Unit {r.randint(1, 40)}", f" #{r.randint(100, 999)}", f", Apt. {r.randint(1, 20)}{r.choice('ABCD')}"])
                return f"{r.randint(10, 9999)} {r.choice(['N', 'S', 'E', 'W', ''])} {r.choice(['Magnolia', 'Juniper', 'Harrison', 'Birchwood', 'Meadowlark', 'Jefferson'])} {r.choice(['Ave', 'St', 'Way', 'Ct', 'Pkwy'])}{unit}, {city}, {st} {z}{r.randint(1, 99):02d}".replace("  ", " ")
            if kind == "uk":
                town, pc = r.choice([("Norwich", "NR"), ("Swindon", "SN"), ("Stockport", "SK"), ("Preston", "PR"), ("Exeter", "EX"), ("Dundee", "DD"), ("Wigan", "WN")])
                return f"{n} {r.choice(['Ashgrove', 'Kingsway', 'Beech', 'Rosemary', 'Albion', 'Greenfield'])} {r.choice(['Road', 'Gardens', 'Way', 'Mews', 'Grove'])}, {town} {pc}{r.randint(1, 19)} {r.randint(0, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            if kind == "de":
                city, plz = r.choice([("Bielefeld", "33"), ("Chemnitz", "09"), ("Kassel", "34"), ("Rostock", "18"), ("Augsburg", "86"), ("Ulm", "89")])
                return f"{r.choice(['Ahorn', 'Rosen', 'Kirch', 'Bismarck', 'Tannen', 'Wiesen'])}{r.choice(['weg', 'straße', 'str.', 'platz'])} {n}, {plz}{r.randint(100, 999)} {city}"
            if kind == "fr":
                return f"{n}, {r.choice(['rue', 'avenue', 'impasse', 'chemin'])} {r.choice(['Émile Zola', 'des Acacias', 'Paul Bert', 'du Général Leclerc', 'Saint-Exupéry'])}, {r.choice(['33000 Bordeaux', '21000 Dijon', '49000 Angers', '87000 Limoges', '37000 Tours'])}"
            if kind == "it":
                return f"Via {r.choice(['Nazionale', 'Manzoni', 'dei Mille', 'San Francesco', 'Carducci'])}, {n}, {r.choice(['37121 Verona', '43121 Parma', '56125 Pisa', '70121 Bari', '25121 Brescia'])}"
            if kind == "nl":
                return f"{r.choice(['Linden', 'Beuken', 'Wilgen', 'Esdoorn'])}{r.choice(['laan', 'hof', 'plein', 'dreef'])} {n}{r.choice(['', '', '-A', ' bis'])}, {r.randint(1000, 9999)} {r.choice('BCDEGHJKLMNPRSTVWXZ')}{r.choice('BCDEGHJKLMNPRSTVWXZ')} {r.choice(['Tilburg', 'Zwolle', 'Breda', 'Arnhem', 'Haarlem'])}"
            if kind == "il":
                return r.choice([f"{r.choice(['Rehov Herzl', 'Derech Menachem Begin', 'Rehov HaNassi', 'Sderot Rothschild', 'Rehov Ben Yehuda'])} {n}, {r.choice(['Tel Aviv', 'Haifa', 'Petah Tikva', 'Rishon LeZion', 'Netanya', 'Be’er Sheva'])} {r.randint(10, 99)}{r.randint(10000, 99999)}",
                                 f"{r.choice(['Herzl St.', 'Weizmann St.', 'Jabotinsky St.', 'HaYarkon St.'])} {n}, Apt {r.randint(1, 40)}, {r.choice(['Ramat Gan', 'Holon', 'Herzliya', 'Ashdod'])}, Israel"])
            if kind == "ca":
                return f"{r.randint(10, 9999)} {r.choice(['Bloor St W', 'Rue Sainte-Catherine', 'Portage Ave', 'Jasper Ave', 'Robson St'])}, {r.choice(['Toronto, ON M5S', 'Montréal, QC H3B', 'Winnipeg, MB R3C', 'Edmonton, AB T5J', 'Vancouver, BC V6E'])} {r.randint(1, 9)}{r.choice('ABCEGHJKLMNPRSTVXY')}{r.randint(1, 9)}"
            return f"{r.choice(['', f'Unit {r.randint(1, 30)}/'])}{n} {r.choice(['Wattle', 'Banksia', 'Bridge', 'Currie'])} {r.choice(['St', 'Rd', 'Cres', 'Pde'])}, {r.choice(['Parramatta NSW 2150', 'Fremantle WA 6160', 'Geelong VIC 3220', 'Townsville QLD 4810'])}"
        kind = r.choice(["za", "ng", "ke", "pt", "be", "ch", "at", "se", "vn", "ph", "il_heb", "il_pobox", "us_rural", "de_postfach", "hk"])
        if kind == "za":
            return f"{n} {r.choice(['Jan Smuts Ave', 'Voortrekker Rd', 'Florida Rd', 'Long St'])}, {r.choice(['Rosebank', 'Bellville', 'Morningside', 'Gardens'])}, {r.choice(['Johannesburg, 2196', 'Cape Town, 7530', 'Durban, 4001', 'Cape Town, 8001'])}"
        if kind == "ng":
            return f"Plot {n}, {r.choice(['Adeola Odeku Street', 'Awolowo Road', 'Ahmadu Bello Way'])}, {r.choice(['Victoria Island, Lagos', 'Ikoyi, Lagos', 'Garki, Abuja'])}"
        if kind == "ke":
            return f"{r.choice(['Ngong Rd', 'Moi Avenue', 'Kenyatta Ave'])}, {r.choice(['Kilimani', 'Westlands', 'Upper Hill'])}, P.O. Box {r.randint(100, 99999)}-00{r.randint(100, 623)}, Nairobi"
        if kind == "pt":
            return f"{r.choice(['Rua de Santa Catarina', 'Av. da Liberdade', 'Rua Augusta'])}, {n}, {r.randint(1, 9)}º {r.choice(['Esq.', 'Dto.'])}, {r.choice(['4000-442 Porto', '1250-096 Lisboa', '3000-150 Coimbra'])}"
        if kind == "be":
            return f"{r.choice(['Rue Neuve', 'Meir', 'Chaussée de Waterloo', 'Korenmarkt'])} {n}{r.choice(['', ' bte 3', '/2'])}, {r.choice(['1000 Bruxelles', '2000 Antwerpen', '9000 Gent', '4000 Liège'])}"
        if kind == "ch":
            return f"{r.choice(['Bahnhofstrasse', 'Rue du Rhône', 'Spitalgasse'])} {n}, {r.choice(['8001 Zürich', '1204 Genève', '3011 Bern', '4051 Basel'])}"
        if kind == "at":
            return f"{r.choice(['Mariahilfer Straße', 'Landstraßer Hauptstraße', 'Herrengasse'])} {n}/{r.randint(1, 9)}/{r.randint(1, 30)}, {r.choice(['1060 Wien', '8010 Graz', '4020 Linz'])}"
        if kind == "se":
            return f"{r.choice(['Drottninggatan', 'Storgatan', 'Kungsgatan'])} {n}, {r.randint(100, 999)} {r.randint(10, 99)} {r.choice(['Stockholm', 'Göteborg', 'Uppsala'])}"
        if kind == "vn":
            return f"Số {n} {r.choice(['Nguyễn Huệ', 'Lê Lợi', 'Trần Hưng Đạo'])}, {r.choice(['Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh', 'Phường Hàng Bài, Quận Hoàn Kiếm, Hà Nội'])}"
        if kind == "ph":
            return f"{n} {r.choice(['Rizal St.', 'Ayala Ave.', 'Mabini St.'])}, {r.choice(['Brgy. San Antonio', 'Brgy. Poblacion', 'Brgy. Lahug'])}, {r.choice(['Makati City 1203', 'Cebu City 6000', 'Pasig City 1605'])}"
        if kind == "il_heb":
            return f"{r.choice(['רחוב הרצל', 'שדרות רוטשילד', 'רחוב ויצמן', 'דרך השלום'])} {n}, {r.choice(['תל אביב', 'חיפה', 'ירושלים', 'באר שבע'])}"
        if kind == "il_pobox":
            return f"P.O.B. {r.randint(100, 99999)}, {r.choice(['Kfar Saba', 'Modi’in', 'Karmiel', 'Eilat'])} {r.randint(10, 99)}{r.randint(10000, 99999)}, Israel"
        if kind == "us_rural":
            return f"{r.randint(1000, 99999)} {r.choice(['County Road', 'State Route', 'Farm to Market Rd'])} {r.randint(1, 999)}, {r.choice(['Ada, OK 74820', 'Pella, IA 50219', 'Lodi, CA 95240', 'Elko, NV 89801'])}"
        if kind == "de_postfach":
            return f"Postfach {r.randint(10, 9999)} {r.randint(10, 99)}, {r.randint(10000, 99999)} {r.choice(['Hannover', 'Dortmund', 'Mannheim'])}"
        return f"Flat {r.choice('ABCDEFGH')}, {r.randint(2, 40)}/F, {r.choice(['Block 3', 'Tower 2', 'Wing B'])}, {r.choice(['Taikoo Shing', 'Mei Foo Sun Chuen', 'Lok Fu Estate'])}, {r.choice(['Quarry Bay', 'Kowloon', 'Wong Tai Sin'])}, Hong Kong"

    def date(self) -> str:
        r = self.r
        b = self._birth()
        en = _MONTHS["en"][b.month - 1]
        if self._everyday():
            return r.choice([f"{b:%d/%m/%Y}", f"{b:%m/%d/%Y}", f"{b:%Y-%m-%d}", f"{b:%d.%m.%Y}", f"{b.day} {en[:3]} {b.year}", f"{en} {b.day}, {b.year}", f"{b.day} {en} {b.year}", f"{b:%d-%m-%Y}"])
        return r.choice([f"{b.day}.{b.month}.{b.year}", f"{b.day}/{_ROMAN[b.month - 1]}/{b.year}", f"{b.day} {_MONTHS['it'][b.month - 1]} {b.year}", f"{b.day} {_MONTHS['nl'][b.month - 1]} {b.year}",
                         f"{b.day} de {_MONTHS['pt'][b.month - 1]} de {b.year}", f"{b:%d%m%Y}", f"{b:%Y.%m.%d}", f"{b:%d-%b-%y}", f"{en[:3].upper()} {b.day:02d} {b.year}", f"{b:%y%m%d}", f"{b.year}/{b.month}/{b.day}"])

    # --- identifiers -------------------------------------------------------------------
    def national_id(self) -> str:
        r = self.r
        kind = r.choice(["us", "us", "il", "il", "uk", "de", "fr", "it", "es", "nl", "ca", "in", "cn", "br"] if self._everyday() else
                        ["za", "ir", "no", "dk", "ch", "at", "au", "tr", "cl", "ar", "se", "fi", "ee", "lt", "be", "bg", "ro", "cz", "pt_cc", "kr", "sg", "nhs", "ie", "hr"])
        b = self._birth(1945, 2006)
        d = self._d
        if kind == "us":
            while True:
                area = r.randint(1, 899)
                if area != 666:
                    break
            v = f"{area:03d}{r.randint(1, 99):02d}{r.randint(1, 9999):04d}"
            return r.choice([f"{v[:3]}-{v[3:5]}-{v[5:]}", f"{v[:3]}-{v[3:5]}-{v[5:]}", v, f"{v[:3]} {v[3:5]} {v[5:]}"])
        if kind == "il":
            body = d(8)
            s = 0
            for i, x in enumerate(body):
                p = int(x) * (1 if i % 2 == 0 else 2)
                s += p - 9 if p > 9 else p
            v = body + str((10 - s % 10) % 10)
            return r.choice([v, v, f"{v[:8]}-{v[8]}", f"{v[:3]}-{v[3:6]}-{v[6:]}"])
        if kind == "uk":
            while True:
                p = r.choice("ABCEGHJKLMNOPRSTWXYZ") + r.choice("ABCEGHJKLMNPRSTWXYZ")
                if p not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
                    break
            body, suf = d(6), r.choice("ABCD")
            return r.choice([f"{p}{body}{suf}", f"{p} {body[:2]} {body[2:4]} {body[4:]} {suf}", f"{p}-{body}-{suf}"])
        if kind == "de":
            while True:
                body = str(r.randint(1, 9)) + d(9)
                counts = sorted((body.count(c) for c in set(body)), reverse=True)
                if counts[0] == 2 and counts[1] == 1:
                    break
            v = body + _mod11_10(body)
            return r.choice([v, f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}"])
        if kind == "fr":
            body = f"{r.randint(1, 2)}{b:%y}{b.month:02d}{r.choice(['75', '13', '69', '59', '33', '31', '2A', '2B', '99'])}{r.randint(1, 990):03d}{r.randint(1, 999):03d}"
            num = int(body.replace("2A", "19").replace("2B", "18"))
            key = 97 - num % 97
            return r.choice([f"{body}{key:02d}", f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:]} {key:02d}"])
        if kind == "it":
            cons, vow = "BCDFGHLMNPRSTVZ", "AEIOU"
            name3 = "".join(r.choice(cons) for _ in range(2)) + r.choice(cons + vow)
            sur3 = r.choice(cons) + r.choice(vow) + r.choice(cons)
            day = b.day + (40 if r.random() < 0.5 else 0)
            body = f"{sur3}{name3}{b:%y}{'ABCDEHLMPRST'[b.month - 1]}{day:02d}{r.choice(['F205', 'H501', 'L219', 'A944', 'G273', 'Z210', 'D612'])}"
            odd = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23], strict=True))
            tot = sum(odd[ch] if i % 2 == 0 else (int(ch) if ch.isdigit() else ord(ch) - 65) for i, ch in enumerate(body))
            return body + chr(65 + tot % 26)
        if kind == "es":
            num = r.randint(10000000, 99999999)
            v = f"{num:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[num % 23]}"
            return r.choice([v, f"{v[:8]}-{v[8]}", f"{int(v[:8]):,}".replace(",", ".") + f"-{v[8]}"])
        if kind == "nl":
            while True:
                body = str(r.randint(1, 6)) + d(7)
                c = _wsum(body, range(9, 1, -1)) % 11
                if c < 10:
                    v = body + str(c)
                    return r.choice([v, f"{v[:4]}.{v[4:6]}.{v[6:]}"])
        if kind == "ca":
            v = _luhn(str(r.choice([1, 2, 3, 4, 5, 6, 7, 9])) + d(7))
            return r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", f"{v[:3]}-{v[3:6]}-{v[6:]}", v])
        if kind == "in":
            v = _verhoeff(str(r.randint(2, 9)) + d(10))
            return r.choice([f"{v[:4]} {v[4:8]} {v[8:]}", v, f"{v[:4]}-{v[4:8]}-{v[8:]}"])
        if kind == "cn":
            body = f"{r.choice(['110101', '110102', '110105', '310104', '310101', '120101', '120103'])}{b:%Y%m%d}{d(3)}"
            s = _wsum(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2))
            return body + "10X98765432"[s % 11]
        if kind == "br":
            while True:
                body = d(9)
                if len(set(body)) > 1:
                    break
            c1 = _wsum(body, range(10, 1, -1)) * 10 % 11 % 10
            c2 = _wsum(body + str(c1), range(11, 1, -1)) * 10 % 11 % 10
            v = f"{body}{c1}{c2}"
            return r.choice([f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}", v])
        if kind == "za":
            body = f"{b:%y%m%d}{r.randint(0, 9999):04d}{r.choice('01')}8"
            v = _luhn(body)
            return r.choice([v, f"{v[:6]} {v[6:10]} {v[10:]}"])
        if kind == "ir":
            while True:
                body = d(9)
                if len(set(body)) > 1:
                    break
            rem = _wsum(body, range(10, 1, -1)) % 11
            v = body + str(rem if rem < 2 else 11 - rem)
            return r.choice([v, f"{v[:3]}-{v[3:9]}-{v[9]}"])
        if kind == "no":
            while True:
                body = f"{b:%d%m%y}{r.randint(0, 499) if b.year < 2000 else r.randint(500, 999):03d}"
                k1 = 11 - _wsum(body, (3, 7, 6, 1, 8, 9, 4, 5, 2)) % 11
                k1 = 0 if k1 == 11 else k1
                if k1 == 10:
                    continue
                k2 = 11 - _wsum(body + str(k1), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11
                k2 = 0 if k2 == 11 else k2
                if k2 != 10:
                    return r.choice([f"{body}{k1}{k2}", f"{body[:6]} {body[6:]}{k1}{k2}"])
        if kind == "dk":
            digit7 = r.choice("0123") if b.year < 2000 else r.choice("4")
            return f"{b:%d%m%y}-{digit7}{d(3)}"
        if kind == "ch":
            v = _gtin("756" + d(9))
            return f"{v[:3]}.{v[3:7]}.{v[7:11]}.{v[11:]}"
        if kind == "at":
            while True:
                serial = str(r.randint(1, 9)) + d(2)
                date6 = f"{b:%d%m%y}"
                c = _wsum(serial + date6, (3, 7, 9, 5, 8, 4, 2, 1, 6)) % 11
                if c < 10:
                    return r.choice([f"{serial}{c}{date6}", f"{serial}{c} {date6}"])
        if kind == "au":
            while True:
                body = d(8)
                for c in range(10):
                    if _wsum(body + str(c), (1, 4, 3, 7, 5, 8, 6, 9, 10)) % 11 == 0:
                        v = body + str(c)
                        return r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", v])
        if kind == "tr":
            body = str(r.randint(1, 9)) + d(8)
            c1 = (sum(int(x) for x in body[0::2]) * 7 - sum(int(x) for x in body[1::2])) % 10
            c2 = (sum(int(x) for x in body) + c1) % 10
            return f"{body}{c1}{c2}"
        if kind == "cl":
            num = r.randint(5_000_000, 26_000_000)
            s = sum(int(x) * w for x, w in zip(reversed(str(num)), [2, 3, 4, 5, 6, 7] * 2, strict=False))
            c = "0123456789K0"[11 - s % 11] if s % 11 else "0"
            return r.choice([f"{num:,}".replace(",", ".") + f"-{c}", f"{num}-{c}"])
        if kind == "ar":
            num = r.randint(10_000_000, 47_999_999)
            return r.choice([f"{num:,}".replace(",", "."), str(num)])
        if kind == "se":
            body = f"{b:%y%m%d}{d(3)}"
            v = _luhn(body)
            return r.choice([f"{v[:6]}-{v[6:]}", f"{b.year // 100}{v}", f"{v[:6]}-{v[6:]}"])
        if kind == "fi":
            ind = r.randint(2, 899)
            c = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(f"{b:%d%m%y}{ind:03d}") % 31]
            return f"{b:%d%m%y}{'-' if b.year < 2000 else 'A'}{ind:03d}{c}"
        if kind == "ee" or kind == "lt":
            g = (3 if r.random() < 0.5 else 4) if b.year < 2000 else (5 if r.random() < 0.5 else 6)
            body = f"{g}{b:%y%m%d}{d(3)}"
            c = _wsum(body, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1)) % 11
            if c == 10:
                c = _wsum(body, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)) % 11
                c = 0 if c == 10 else c
            return body + str(c)
        if kind == "be":
            seq = r.randint(1, 997)
            base = f"{b:%y%m%d}{seq:03d}"
            c = 97 - int(("2" if b.year >= 2000 else "") + base) % 97
            return r.choice([f"{base[:2]}.{base[2:4]}.{base[4:6]}-{base[6:]}.{c:02d}", f"{base[:6]} {base[6:]} {c:02d}"])
        if kind == "bg":
            m = b.month + (40 if b.year >= 2000 else 0)
            body = f"{b:%y}{m:02d}{b:%d}{d(3)}"
            c = _wsum(body, (2, 4, 8, 5, 10, 9, 7, 3, 6)) % 11 % 10
            return body + str(c)
        if kind == "ro":
            s = r.choice("12") if b.year < 2000 else r.choice("56")
            body = f"{s}{b:%y%m%d}{r.randint(1, 46):02d}{r.randint(1, 999):03d}"
            c = _wsum(body, (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)) % 11
            return body + str(1 if c == 10 else c)
        if kind == "cz":
            b = self._birth(1954, 2006)
            m = b.month + (50 if r.random() < 0.5 else 0)
            while True:
                body = f"{b:%y}{m:02d}{b:%d}{d(3)}"
                c = int(body) % 11
                if c < 10:
                    return r.choice([f"{body[:6]}/{body[6:]}{c}", f"{body}{c}"])
        if kind == "pt_cc":
            num = f"{r.randint(10000000, 39999999)}"
            c = (11 - _wsum(num, range(9, 1, -1)) % 11) % 11
            if c == 10:
                c = 0
            v = f"{num}{c}{r.choice(['ZZ', 'ZZ', 'ZY', 'ZX', 'ZW'])}"
            vals = [int(ch) if ch.isdigit() else ord(ch) - 55 for ch in v]
            tot = sum((2 * x - 9 if 2 * x > 9 else 2 * x) if i % 2 == 0 else x for i, x in enumerate(reversed(vals)))
            return r.choice([f"{v[:8]} {v[8]} {v[9:]}{(10 - tot % 10) % 10}", f"{v}{(10 - tot % 10) % 10}"])
        if kind == "kr":
            g = r.choice("12") if b.year < 2000 else r.choice("34")
            body = f"{b:%y%m%d}{g}{r.randint(0, 96):02d}{d(3)}"
            c = (11 - _wsum(body, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)) % 11) % 10
            return f"{body[:6]}-{body[6:]}{c}"
        if kind == "sg":
            pre = r.choice("ST") if r.random() < 0.7 else "F"
            body = d(7)
            s = _wsum(body, (2, 7, 6, 5, 4, 3, 2)) + (4 if pre == "T" else 0)
            return pre + body + ("JZIHGFEDCBA" if pre in "ST" else "XWUTRQPNMLK")[s % 11]
        if kind == "nhs":
            while True:
                body = str(r.randint(4, 6)) + d(8)
                c = 11 - _wsum(body, range(10, 1, -1)) % 11
                c = 0 if c == 11 else c
                if c != 10:
                    v = body + str(c)
                    return r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", v])
        if kind == "ie":
            body = d(7)
            return body + "WABCDEFGHIJKLMNOPQRSTUV"[_wsum(body, range(8, 1, -1)) % 23]
        body = d(10)
        return body + _mod11_10(body)

    def pesel(self) -> str:
        b = self._birth(1950, 2007)
        m = b.month + (20 if b.year >= 2000 else 0)
        body = f"{b:%y}{m:02d}{b:%d}{self._d(4)}"
        return body + str((10 - _wsum(body, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)) % 10) % 10)

    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.randint(100000, 999999)}", f"E-{r.randint(1000, 99999)}", f"EMP-{r.randint(10000, 99999)}", f"{r.randint(1000, 9999)}", f"00{r.randint(100000, 999999)}",
                             f"{r.choice(['TLV', 'HFA', 'DET', 'MUC'])}{r.randint(1000, 9999)}", f"K{r.randint(100000, 999999)}", f"{r.choice(string.ascii_uppercase)}{r.randint(10000, 99999)}"])
        return r.choice([f"{r.randint(10, 99)}-{r.randint(10000, 99999)}", f"PERS-{r.randint(2010, 2026)}-{r.randint(1, 999):03d}", f"{r.choice(['OP', 'MT', 'QA'])}/{r.randint(100, 999)}",
                         f"X{r.randint(10000, 99999)}{r.choice('ABC')}", f"HID {r.randint(100, 255)}-{r.randint(10000, 65535)}", f"{r.randint(100, 999)}{r.choice('ABCDEFGH')}{r.randint(100, 999)}", f"C{r.randint(1, 9)}{r.randint(1000, 9999)}"])

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.randint(100000, 999999)}", f"{r.randint(1000000, 9999999)}", f"{r.randint(0, 99999999):08d}", f"{r.randint(10000000, 99999999)}"])
        return r.choice([f"{r.randint(100, 999)}.{r.randint(100, 999)}.{r.randint(100, 999)}", f"{r.randint(2000, 2026)}{r.randint(1, 99999):05d}", f"{r.randint(1, 99)}/{r.randint(10000, 99999)}",
                         f"{r.randint(100000, 999999)}-{r.randint(0, 9)}", f"000{r.randint(100000, 999999)}"])

    def mrn_token(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"MRN {r.randint(100000, 9999999)}", f"MRN:{r.randint(100000, 9999999)}", f"M{r.randint(10000000, 99999999)}", f"HOSP-{r.randint(100000, 999999)}", f"PT{r.randint(1000000, 9999999)}"])
        return r.choice([f"RN{r.randint(1000000, 9999999)}", f"{r.choice(['SMC', 'RMB', 'HDS'])}-{r.randint(100000, 9999999)}", f"UMRN {r.randint(10**9, 10**10 - 1)}", f"CHART#{r.randint(10000, 999999)}",
                         f"{r.choice('ABCDEFGHJK')}{r.randint(10, 99)}{r.randint(10000, 99999)}", f"PID-{r.randint(100000, 999999)}-{r.randint(10, 99)}", f"Z{r.randint(100000, 999999)}"])

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["diabetes type 2", "type 2 diabetes", "high blood pressure", "an egg allergy", "asthma", "a nut allergy", "depression", "anxiety", "a thyroid problem", "osteoarthritis",
                             "a bad back", "irritable bowel syndrome", "shingles", "a urinary tract infection", "bronchitis", "tonsillitis", "gastroenteritis", "a latex allergy", "obesity"])
        return r.choice(["cystic fibrosis", "Tourette syndrome", "ankylosing spondylitis", "schizophrenia", "hepatitis C", "myasthenia gravis", "Addison's disease", "a pulmonary embolism",
                         "Bell's palsy", "sarcoidosis", "Ménière's disease", "familial Mediterranean fever", "type 1 diabetes with neuropathy", "an aortic aneurysm", "fibromyalgia",
                         "Graves' disease", "haemophilia A", "a deep vein thrombosis", "bulimia", "alcohol dependence", "dementia", "stage II breast cancer"])

    def injury(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["bruised a hip against the racking", "cut a thumb on a box cutter", "rolled an ankle off the loading dock", "strained a wrist lifting a drum",
                             "got dust in the right eye", "hit a head on the low beam", "slipped on oil and hurt a knee"])
        return r.choice(["amputated the tip of a finger in the press", "fractured a forearm falling from a ladder", "suffered electric shock from an open panel", "got a hydraulic oil injection injury to the hand",
                         "suffered heat exhaustion at the furnace", "ruptured an Achilles tendon", "sustained a crush injury to the foot from a forklift"])

    def sick(self) -> str:
        return self.r.choice(["off sick with a doctor's note", "on sick leave until further notice", "on a medical certificate for ten days", "recovering at home after an operation",
                              "admitted to hospital overnight", "on reduced hours on medical advice", "off with a work-related injury"])

    def outcome(self) -> str:
        return self.r.choice(["swollen ankle", "gash on the shin", "concussion suspected", "broken wrist", "nosebleed", "bruised knee and grazed palms", "fainted, recovered"])

    def medication(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["amlodipine 5 mg once daily", "metformin 850 mg", "lisinopril 10 mg", "simvastatin 40 mg", "cetirizine 10 mg", "fluoxetine 20 mg", "naproxen 500 mg",
                             "a ventolin inhaler", "co-codamol 30/500", "lansoprazole 30 mg", "aspirin 75 mg", "bisoprolol 2.5 mg"])
        return r.choice(["enoxaparin 40 mg sc daily", "valproate 500 mg bd", "rivaroxaban 20 mg", "morphine sulfate 10 mg prn", "ozempic 0.5 mg weekly", "mesalazine 1.2 g",
                         "carbamazepine 200 mg", "spironolactone 25 mg", "infliximab infusion", "olanzapine 10 mg nocte", "isoniazid 300 mg", "colchicine 0.5 mg"])

    def procedure(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["an X-ray of the chest", "a blood test", "an ultrasound scan", "a hip replacement", "a tooth extraction", "an endoscopy", "a flu vaccination", "stitches to the forearm"])
        return r.choice(["a lumbar puncture", "a thyroidectomy", "a cardiac catheterisation", "radiotherapy", "a cystoscopy", "a septoplasty", "a tonsillectomy", "a spinal fusion", "a hysterectomy", "a PET-CT scan"])

    # --- finance -----------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        if self._everyday():
            prefix, length = r.choice([("4", 16), ("4", 16), ("4", 16), ("5" + str(r.randint(1, 5)), 16), ("2" + str(r.randint(221, 720)), 16), ("37", 15), ("34", 15)])
        else:
            prefix, length = r.choice([("35" + str(r.randint(28, 89)), 16), ("6011", 16), ("64" + str(r.randint(4, 9)), 16), ("62", 16), ("62", 18), ("30" + str(r.randint(0, 5)), 14), ("38", 14),
                                       ("4", 19), ("5019", 16), ("6304", 18), ("9792", 16), ("50", 16), ("6062", 16)])
        num = _luhn(prefix + self._d(length - len(prefix) - 1))
        sep = r.choice([" ", " ", "-", ""])
        if length in (15, 14):
            return f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        if length in (18, 19):
            return num if r.random() < 0.6 else " ".join(num[i : i + 4] for i in range(0, length, 4))
        return sep.join(num[i : i + 4] for i in range(0, length, 4))

    def iban(self) -> str:
        r = self.r
        d = self._d
        if self._everyday():
            c = r.choice(["DE", "GB", "FR", "IT", "NL", "IL", "IL", "ES", "AT", "BE", "IE", "PL"])
        else:
            c = r.choice(["CH", "PT", "SE", "NO", "DK", "FI", "LU", "CY", "GR", "HR", "RO", "LT", "MT", "AE", "UA", "MC", "SI", "EE"])
        up = string.ascii_uppercase
        if c == "FR":
            bank, branch, acct = d(5), d(5), d(11)
            key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97
            bban = f"{bank}{branch}{acct}{key:02d}"
        elif c == "IT":
            rest = d(10) + d(12)
            odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
            bban = chr(65 + sum(odd[int(x)] if i % 2 == 0 else int(x) for i, x in enumerate(rest)) % 26) + rest
        elif c == "BE":
            body = r.choice(["001", "310", "068", "735"]) + d(7)
            bban = f"{body}{int(body) % 97 or 97:02d}"
        elif c == "ES":
            bank, branch, acct = d(4), d(4), d(10)
            w = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)

            def dc(s: str) -> str:
                v = 11 - _wsum(s, w) % 11
                return str({11: 0, 10: 1}.get(v, v))

            bban = bank + branch + dc("00" + bank + branch) + dc(acct) + acct
        elif c == "NO":
            while True:
                body = d(10)
                k = 11 - _wsum(body, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11
                if k != 10:
                    bban = body + str(0 if k == 11 else k)
                    break
        elif c == "FI":
            bban = _luhn(r.choice(["1", "2", "5", "8"]) + d(12))
        else:
            bban = {
                "DE": lambda: d(18), "GB": lambda: r.choice(["NWBK", "BUKB", "HBUK", "SRLG"]) + d(14), "NL": lambda: r.choice(["INGB", "KNAB", "BUNQ", "SNSB"]) + d(10),
                "IL": lambda: r.choice(["010", "012", "020", "011"]) + d(16), "AT": lambda: d(16), "IE": lambda: r.choice(["AIBK", "BOFI", "IPBS"]) + d(14), "PL": lambda: d(24),
                "CH": lambda: d(17), "PT": lambda: None, "SE": lambda: d(20), "DK": lambda: d(14), "LU": lambda: d(3) + "".join(r.choice(up + string.digits) for _ in range(13)),
                "CY": lambda: d(8) + d(16), "GR": lambda: d(23), "HR": lambda: d(17), "RO": lambda: r.choice(["BTRL", "RNCB", "INGB"]) + d(16), "LT": lambda: d(16),
                "MT": lambda: r.choice(["MALT", "VALL"]) + d(5) + d(18), "AE": lambda: r.choice(["033", "026", "030"]) + d(16), "UA": lambda: d(6) + d(19),
                "MC": lambda: d(10) + d(11) + d(2), "SI": lambda: d(15), "EE": lambda: d(16),
            }[c]()
            if c == "PT":
                body = d(19)
                bban = f"{body}{98 - int(body + '00') % 97:02d}"
        iban = _iban(c, bban)
        style = r.random()
        if style < 0.55:
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        if style < 0.9:
            return iban
        return "-".join(iban[i : i + 4] for i in range(0, len(iban), 4))

    # --- network and location ----------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"192.168.{r.randint(0, 254)}.{r.randint(2, 254)}", f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                             f"{r.choice([5, 31, 62, 77, 84, 109, 147, 212])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", f"192.168.{r.randint(0, 254)}.{r.randint(2, 254)}"])
        h = lambda: f"{r.randint(1, 65535):x}"  # noqa: E731
        return r.choice([f"2a00:{h()}:{h()}:{h()}::{h()}", f"2001:db8:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}", f"fe80::{h()}:{h()}ff:fe{r.randint(0, 255):02x}:{h()}", f"2a01:{h()}:{h()}::{h()}",
                         f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", f"169.254.{r.randint(1, 254)}.{r.randint(1, 254)}",
                         f"::ffff:10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"])

    def mac(self) -> str:
        r = self.r
        octs = [r.choice(["00", "08", "28", "3C", "5C", "AC", "E4", "F0", "B4"])] + [f"{r.randint(0, 255):02X}" for _ in range(5)]
        if self._everyday():
            sep = r.choice([":", ":", "-"])
            s = sep.join(octs)
            return s.lower() if r.random() < 0.5 else s
        h = "".join(octs)
        return r.choice([f"{h[:4]}.{h[4:8]}.{h[8:]}".lower(), h.lower(), h, " ".join(octs), f"{h[:6]}:{h[6:]}".lower(), ":".join(o.lstrip("0") or "0" for o in octs).lower()])

    def gps(self) -> str:
        r = self.r
        lat, lon = r.choice([(32.08, 34.78), (32.79, 34.99), (31.77, 35.21), (42.33, -83.05), (41.88, -87.63), (45.46, 9.19), (52.37, 4.90), (48.14, 11.58), (-26.2, 28.05), (-33.92, 18.42),
                             (6.52, 3.38), (-1.29, 36.82), (38.72, -9.14), (50.85, 4.35), (59.33, 18.07), (10.78, 106.70), (14.60, 120.98), (-37.81, 144.96), (43.65, -79.38), (22.32, 114.17)])
        lat += r.uniform(-0.3, 0.3)
        lon += r.uniform(-0.3, 0.3)
        if self._everyday():
            return r.choice([f"{lat:.6f}, {lon:.6f}", f"{lat:.5f},{lon:.5f}", f"{lat:.6f} {lon:.6f}", f"{lat:.4f}, {lon:.4f}"])
        a, o = abs(lat), abs(lon)
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        am, om = (a - int(a)) * 60, (o - int(o)) * 60
        return r.choice([f"{int(a)}°{int(am)}'{(am - int(am)) * 60:.2f}\"{ns}, {int(o)}°{int(om)}'{(om - int(om)) * 60:.2f}\"{ew}", f"{int(a)} {am:.4f}{ns} {int(o)} {om:.4f}{ew}",
                         f"{a:.5f}{ns} {o:.5f}{ew}", f"{lat:.7f} {lon:.7f}", f"{ns}{int(a):02d}°{am:06.3f} {ew}{int(o):03d}°{om:06.3f}"])

    # --- secrets -----------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        rnd = self._rnd
        an = string.ascii_letters + string.digits
        hx = "0123456789abcdef"
        if self._everyday():
            return r.choice(["AKIA" + rnd(16, string.ascii_uppercase + "234567"), "ghp_" + rnd(36), "github_pat_11" + rnd(20, string.ascii_uppercase + string.digits) + "_" + rnd(59), "glpat-" + rnd(20, an + "-_"),
                             "sk_live_" + rnd(24), "rk_live_" + rnd(24), "xoxp-" + rnd(11, string.digits) + "-" + rnd(12, string.digits) + "-" + rnd(13, string.digits) + "-" + rnd(32, hx),
                             "AIza" + rnd(35, an + "-_"), "sk-" + rnd(48), "SG." + rnd(22, an + "-_") + "." + rnd(43, an + "-_"), "dckr_pat_" + rnd(27, an + "-_")])
        return r.choice(["ASIA" + rnd(16, string.ascii_uppercase + "234567"), "pypi-AgEIcHlwaS5vcmc" + rnd(60, an + "-_"), "SK" + rnd(32, hx), "ATATT3xFfGF0" + rnd(180, an + "-_") + "=" + rnd(8, string.ascii_uppercase + string.digits),
                         "shpat_" + rnd(32, hx), "lin_api_" + rnd(40), "sq0atp-" + rnd(22, an + "-_"), "EAACEdEose0cBA" + rnd(80), "mongodb+srv://plant_ro:" + rnd(16) + "@cluster0." + rnd(5, "abcdefghijklmnopqrstuvwxyz0123456789") + ".mongodb.net/mes",
                         "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI" + rnd(55, an + "+/") + "\n" + rnd(64, an + "+/") + "\n-----END EC PRIVATE KEY-----", "https://hooks.slack.com/services/T" + rnd(8, string.ascii_uppercase + string.digits) + "/B" + rnd(10, string.ascii_uppercase + string.digits) + "/" + rnd(24),
                         "amqp://mes:" + rnd(14) + "@broker.plant.local:5672/", "npm_" + rnd(36), "xapp-1-A" + rnd(10, string.ascii_uppercase + string.digits) + "-" + rnd(13, string.digits) + "-" + rnd(64, hx)])

    def password(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.choice(['Shalom', 'Summer', 'Football', 'Maccabi', 'Password', 'Autumn', 'Sunshine', 'Letmein'])}{r.choice(['', '@', '!', '_', '#'])}{r.choice(['2023', '2024', '2026', '12', '123', '1'])}{r.choice(['', '!', '?'])}",
                             f"{r.choice(['noa', 'tigger', 'buster', 'charlie', 'daisy'])}{r.randint(1980, 2012)}", self._rnd(14, string.ascii_letters + string.digits + "!@#$%^&*-_"), f"Qq{r.randint(100000, 999999)}!"])
        return r.choice([f"{r.choice(['correct', 'purple', 'lemon', 'quiet', 'rusty'])}-{r.choice(['horse', 'anchor', 'piano', 'cactus'])}-{r.choice(['battery', 'river', 'tulip', 'violin'])}-{r.randint(1, 99)}",
                         self._rnd(32, string.ascii_letters + string.digits), f"{self._rnd(1, string.ascii_uppercase)}{self._rnd(7, string.ascii_lowercase)}{r.randint(10, 99)}{r.choice('!@#$%&*')}",
                         f"{r.choice(['Gd', 'Mx', 'Vk'])}~{self._rnd(5, string.ascii_letters)}^{r.randint(10, 99)}", r.choice(["1qaz2wsx!", "Pa$$w0rd!", "Welkom01", "Passwort123", "changeme-" + str(r.randint(10, 99))])])

    # --- negatives ---------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice([f"6ES7 {r.randint(100, 999)}-{r.randint(1, 9)}{self._rnd(2, string.ascii_uppercase)}{r.randint(10, 99)}-0AB0", f"{r.randint(100, 999)}-{r.randint(1000, 9999)}", f"P/N {r.randint(10000, 99999)}{r.choice('ABCD')}",
                         f"ISO 4017 M{r.choice([8, 10, 12, 16])}x{r.choice([25, 30, 50, 60])}", f"{r.choice(['SKF', 'FAG'])} {r.choice(['6204-2RS', '6305-ZZ', '22210 E'])}", f"{r.randint(10, 99)}.{r.randint(100, 999)}.{r.randint(100, 999)}",
                         f"REF {r.randint(100000, 999999)}", f"{r.choice(['SMC', 'FESTO'])} {r.choice(['VQ', 'DSBC', 'MHZ2'])}-{r.randint(10, 99)}-{r.randint(25, 200)}"])

    def serial(self) -> str:
        r = self.r
        up = string.ascii_uppercase + string.digits
        return r.choice([f"SN:{self._rnd(10, up)}", f"{r.randint(10, 26)}{r.randint(100000, 999999)}", f"{self._rnd(4, string.ascii_uppercase)}-{r.randint(100000, 999999)}", f"S{r.randint(10**10, 10**11 - 1)}",
                         f"{r.randint(2020, 2026)}/{r.randint(1, 99999):05d}", f"FCW{r.randint(2000, 2999)}{self._rnd(4, up)}", f"#{r.randint(100000, 999999)}"])

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2025, 6, 1) + dt.timedelta(seconds=r.randint(0, 40_000_000))
        return r.choice([f"{t:%Y-%m-%dT%H:%M:%S}+02:00", f"{t:%Y-%m-%d %H:%M}", f"{t:%d/%m/%Y %H:%M:%S}", f"{t:%m/%d/%Y %I:%M %p}", f"{int(t.timestamp())}",
                         f"{t:%a, %d %b %Y %H:%M:%S} GMT", f"{t:%H:%M}", f"{t:%Y%m%d%H%M%S}", f"{t:%d %b %Y, %H:%M}", f"{t:%Y-%m-%dT%H:%M:%S.%f}Z"])

    def version(self) -> str:
        r = self.r
        return r.choice([f"{r.randint(1, 12)}.{r.randint(0, 30)}.{r.randint(0, 99)}", f"v{r.randint(0, 5)}.{r.randint(0, 40)}.{r.randint(0, 9)}-rc{r.randint(1, 4)}", f"FW {r.randint(1, 9)}.{r.randint(10, 99)}",
                         f"{r.randint(2022, 2026)}.{r.randint(1, 12):02d}.{r.randint(1, 28):02d}", f"build {r.randint(1000, 99999)}", f"V{r.randint(1, 5)}R{r.randint(1, 30)}C{r.randint(10, 99)}",
                         f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(1000, 30000)}"])

    def lot(self) -> str:
        r = self.r
        return r.choice([f"LOT {r.randint(100000, 999999)}", f"{r.randint(24, 26)}{r.randint(1, 52):02d}{self._rnd(1, 'ABCDEFGH')}{r.randint(10, 99)}", f"B{r.randint(2024, 2026)}-{r.randint(1, 999):03d}",
                         f"CH-{self._rnd(2, string.ascii_uppercase)}{r.randint(1000, 9999)}", f"{r.randint(1, 31):02d}{r.randint(1, 12):02d}{r.randint(24, 26)}-{r.randint(1, 9)}", f"(10){r.randint(100000, 999999)}"])

    def ean(self) -> str:
        r = self.r
        style = r.random()
        if style < 0.5:
            return _gtin(r.choice(["729", "400", "800", "871", "500", "600", "893", "480"]) + self._d(9))
        if style < 0.75:
            return _gtin("0" + self._d(10))
        if style < 0.9:
            return _gtin(self._d(7))
        return _gtin("1" + self._d(12))

    def reading(self) -> str:
        r = self.r
        return r.choice([f"{r.uniform(0.5, 6.0):.2f} bar", f"{r.uniform(15, 40):.1f} °C", f"{r.uniform(1, 400):.0f} rpm", f"{r.uniform(0.01, 2.5):.3f} mm",
                         f"{r.uniform(380, 415):.0f} V", f"{r.uniform(0.5, 50):.1f} kg", f"{r.uniform(0.1, 15):.2f} kW", f"{r.uniform(300, 1200):.0f} ppm CO2", f"{r.uniform(1, 40):.1f} Nm", f"{r.uniform(2, 8):.1f} °C"])

    def _s10(self) -> str:
        body = self._d(8)
        c = 11 - _wsum(body, (8, 6, 4, 2, 3, 5, 9, 7)) % 11
        c = {10: 0, 11: 5}.get(c, c)
        return f"{self.r.choice(['RR', 'CP', 'LX', 'EE'])}{body}{c}{self.r.choice(['IL', 'DE', 'GB', 'US', 'NL'])}"

    def order(self) -> str:
        r = self.r
        return r.choice([f"INV-{r.randint(2025, 2026)}-{r.randint(1, 99999):05d}", f"#{r.randint(100000, 9999999)}", f"PO {r.randint(4500000000, 4599999999)}", self._s10(),
                         f"TBA{r.randint(10**11, 10**12 - 1)}", f"JD{r.randint(10**15, 10**16 - 1)}", f"{r.randint(10**11, 10**12 - 1)}", f"WO-{r.randint(10000, 99999)}", f"Q-{r.randint(1000, 9999)}-{r.randint(10, 99)}"])


# Written for the blind set b10 without reading the detector. New situations only: no
# sentence here appears in, or is edited from, the dev templates or b1-b9.
B10_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Handover B->C shift: extruder 2 back up after {ts}. {first} stayed late, {person} takes the forklift keys tonight. Reach me on {phone} if the chiller trips again.",
        "Toolbox talk sign-in (topic: lockout/tagout on press {part})\n{person} signed, badge {badge}\n{person} signed, badge {badge}\n{person} absent, badge {badge}",
        "ts={ts} lvl=ERROR comp=historian src={ip} dst_mac={mac} detail=\"write rejected, tag count {reading}\" fw={version}",
        "employee_number,last_name,first_name,contract,dob,personal_id,shift,mobile\n{badge},{surname},{first},temp-agency,{dob},{natid},day,{phone}",
        "Occupational nurse log: {person} came in at {ts} and {injury}. Cleaned and dressed; {outcome} noted; back on line after 30 min.",
        "Dear {first},\n\nyour relocation allowance will be paid to {iban} with the March payroll. Please bring your ID ({natid}) to HR before then.\n\nKind regards,\nPayroll",
        "Station 7 torque audit: wrench {serial}, probe values {reading} and {reading}, socket {part}, recipe {version}.",
        "[gateway]\nsite = haifa-bay-2\nmqtt_host = {ip}\nmqtt_user = edge01\nmqtt_pass = {password}\n[cloud]\napi_key = {secret}",
        "SMS from {phone_nat}: hi its {first}, can't come in, {sick}. told {person} already",
        "Fitness-for-work review: {person} (staff no. {badge}) may return to the paint booth; {condition} under control with {med}.",
        "Geofence alert: tug AGV-09 left zone at {gps}; last operator badge {badge} ({person}).",
        "Unfallmeldung an die BG: Mitarbeiter {person}, geb. {dob}, wohnhaft {address}, hat sich an der Stanze verletzt.",
        "Infortunio in reparto saldatura: {person}, matricola {badge}, trasportato in pronto soccorso; contattare il figlio al {phone}.",
        "Goods receipt {order}: pallet GTIN {ean}, supplier lot {lot}, item {part}, gross weight {reading}.",
        "From: {email}\nSent: {ts}\nSubject: locker swap\n\nHi, could {person} have my old locker? I moved to the night crew. Thanks, {first}",
        "Security desk: contractor {person} with passport/ID {natid} escorted to the roof plant room by {first}.",
        "Expense claim for the Haifa trip by {person}: hotel {=NEG:1,240.00} ILS, paid on corporate card {card}.",
        "contractors:\n  - company: Delta Scaffolding\n    lead: \"{person}\"\n    phone: \"{phone}\"\n    email: \"{email}\"\n    induction_date: \"{ts}\"",
        "Line 4 PLC inventory: CPU {part} fw {version}, IO module {serial}, HMI {serial} fw {version}.",
        "הודעה לעובדים: {person} מהמשמרת השנייה, טלפון {phone_nat}, יחליף את אחראי הבטיחות השבוע",
        "#it-alerts in plant chat: someone pasted a deploy key in the MES channel, revoke ASAP: {secret}",
        "Vibration route 12: pump {serial} {reading}; fan {serial} {reading}; work order {order} raised.",
        "Hearing conservation: {person} (badge {badge}) threshold shift flagged; {person} (badge {badge}) diagnosed with {condition}, referred.",
        "Salary advance approved for {person}, sent to account {iban}; loan ref {order}.",
        "Bus pass form - name {person}, home {address}, PESEL {pesel}, e-mail {email}.",
        "Dagrapport: {person} heeft zich gemeld, {sick}; vervanging door {first}, bereikbaar op {phone}.",
    ),
    "clinic": (
        "Triage note {ts}: {person}, DOB {dob}, walked in with chest tightness; known {condition}, takes {med}. Seen by Dr {surname}.",
        "MSH|^~\\&|LAB|MAIN|EHR|MAIN|{ts}||ORU^R01\nPID|1||{mrn}^^^HOSP^MR||{surname}^{first}^^^||{dob}|M|||{address}||{phone}",
        "{\"resourceType\": \"Patient\", \"identifier\": [{\"system\": \"urn:hosp:mrn\", \"value\": \"{mrn}\"}], \"name\": [{\"text\": \"{person}\"}], \"birthDate\": \"{dob}\", \"telecom\": [{\"value\": \"{phone}\"}]}",
        "Receptionist: {person} rang to move her appointment for {procedure}. New number {phone_nat}, confirmation to {email}.",
        "Discharge letter\nPatient: {person}   Hospital no.: {mrn_token}\nDiagnosis: {condition}\nProcedure: {procedure}\nTake home: {med}\nFollow-up with Dr {surname} in 6 weeks.",
        "Consent form witnessed by {person} for {procedure}; next of kin {person}, tel {phone}.",
        "Registration\nSurname: {surname}\nGiven names: {first}\nBorn on: {dob}\nIdentity document no.: {natid}\nAddress: {address}\nGP practice phone: {phone_nat}",
        "Self-pay deposit for {procedure}: {=NEG:450.00} charged to {card}, receipt {order}, patient {person}.",
        "Biomed ticket {order}: ventilator {serial} raised a low-pressure alarm {ts}; firmware {version}, flow sensor read {reading}.",
        "Paziente {person}, nato il {dob}, codice fiscale {natid}, ricoverato per {condition}; terapia: {med}.",
        "Utente {person}, data de nascimento {dob}, NIF/CC {natid}, marcação para {procedure} confirmada por SMS para {phone}.",
        "ward chat\n{first}: bay 3 {surname} is asking for pain relief again\n{first}: she had {med} at 14:00, next due 18:00",
        "RADIUS accounting: user {email} started session from {ip}, calling-station-id {mac}.",
        "Safeguarding note: {person} ({mrn_token}) must not be discharged to {address}; social worker {person} informed.",
        "Community nurse visit {ts}: {person}, {address}; {procedure} done, keypad code for door {password}.",
        "Staff health: {person}, employee no. {badge}, {sick}; cover arranged with {first}.",
        "Prior authorisation request - member {person}, member ID {natid}, diagnosis {condition}, requested {procedure}, prescriber Dr {surname}.",
        "מטופל {person}, תעודת זהות {natid}, אבחנה: {condition}, טלפון {phone_nat}",
        "Analyser {serial} calibration failed {ts}; control lot {lot}, value {reading}, software {version}.",
        "Overpayment refund to {person}: bank account {iban}; original invoice {order}.",
        "Ambulance handover: {person}, approx. age 60, found at {gps}; {=HEALTH:suspected stroke}; daughter {first} on {phone}.",
        "Historia clínica: {person}, F. nac. {dob}, DNI {natid}, alérgico a {=HEALTH:penicilina}; programado para {procedure}.",
        "pacs.ini\n[dicom]\nae_title = RAD01\nhost = {ip}\n[auth]\nservice_password = {password}\nweb_token = {secret}",
        "Letter to GP: Dear Dr {surname}, I reviewed {person} (DOB {dob}, NHS/ID {natid}) today for {condition}. I have started {med}.",
        "Karta pacjenta: {person}, PESEL {pesel}, rozpoznanie: {condition}, tel. {phone}.",
        "Lab label | {surname}, {first} | {mrn_token} | DOB {dob} | collected {ts}",
    ),
    "retail": (
        "Loyalty desk: {person} wants the points moved to a new card; new email {email}, mobile {phone}, birthday {dob}.",
        "txn_id,customer_name,card_number,currency,amount,lane,store_ip\n{order},{person},{card},EUR,{=NEG:89.90},3,{ip}",
        "{\"basket_id\": \"{order}\", \"shopper\": {\"name\": \"{person}\", \"mail\": \"{email}\", \"mobile_no\": \"{phone_nat}\"}, \"items\": [\"{ean}\", \"{ean}\"]}",
        "Pharmacy counter: prescription for {med} handed to {person}, who showed ID {natid}; checked by {first}.",
        "POS event=login cashier={badge} lane=7 ip={ip} hw={mac} at={ts}",
        "Loss prevention: the man stopped at exit 2 gave his name as {person}, DOB {dob}, address {address}.",
        "Delivery dispute {order}: driver says parcel left at {address} at {ts}; customer {person} ({phone}) says no.",
        "Customer {person} fainted near the tills; she said she has {condition}. First aider {first} recorded {outcome}.",
        "Return form\nCustomer: {person}\nRefund to IBAN: {iban}\nProduct: {part}\nBatch: {lot}\nReason: faulty",
        "payment_terminal.cfg\n[acquirer]\nterminal_id={serial}\nmerchant_secret={secret}\nsupervisor_pin={password}\nos={version}",
        "Shelf audit: GTIN {ean} out of stock, chiller at {reading}, handheld {serial}.",
        "All-staff e-mail: congratulations to {person}, our new deputy store manager in Petah Tikva! You can reach her at {email} or {phone}.",
        "Cliente {person} chiede la fattura intestata; codice fiscale {natid}; inviare a {email}.",
        "Zamówienie {order} dla {person}, adres: {address}, telefon {phone_nat}.",
        "live chat transcript\nAgent: how can I help?\nCustomer: my order {order} went to the wrong place\nAgent: sorry about that, what full name and address were on it?\nCustomer: {person}, {address}",
        "Fraud alert: caller pretending to be {person} asked us to read back card {card} and expiry.",
        "Fleet telematics | {gps} | {ts} | driver {person} | handset {ip}",
        "Extended warranty: {person}, born {dob}, appliance serial {serial}, paid with {card}.",
        "לקוח: {person}, נייד {phone}, כתובת למשלוח {address}",
        "Rota change: {first} {surname} (payroll {badge}) to early shift; {first} {surname} (payroll {badge}) to late shift.",
        "Scale log {ts}: tare {reading}, PLU GTIN {ean}, scale software {version}.",
        "Klant {person}, telefoon {phone}, ruilt artikel {part} om.",
        "Ops note: the web shop admin password is now {password} (set by {person}); the payment gateway key {secret} needs replacing as well.",
        "Incident book: {person} {injury} while restocking aisle 9; staff number {badge}.",
        "Supplier payment run: {order} to {iban}, lot {lot}, {=NEG:1,150} units.",
        "Click & collect: {person} picking up for {person}, showed ID {natid}, phone on file {phone_nat}.",
    ),
}
