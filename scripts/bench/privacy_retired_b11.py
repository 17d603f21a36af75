# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b11`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, history or
figures) until its one blind run: seed 4271 on commit c126fdc
(``privacy_blind_seeds.txt``). From now on its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B11Gen``, ``BLIND_TEMPLATES`` -> ``B11_TEMPLATES``,
``BLIND_LOCALES`` -> ``B11_LOCALES``, ``blind_names`` -> ``b11_names``, group ``blind`` ->
``b11``) and its seed log helpers left in ``privacy_blind.py``. Since then the code it
shared word for word with ``b10`` (check-digit helpers, tables, the name, card, MAC and
PESEL generators) is imported or inherited from there; the corpus it builds is the same
byte for byte.

What ``b11`` is: a realistic sample of what a privacy gate on an edge appliance in
factories, clinics and shops around the world sees (Europe, the Americas, the Middle
East and Iran, Africa, Asia, Oceania). Each generator draws the form of each value
once: about 60 % everyday forms, about 40 % less common but genuine ones. Separate
from the dev split:

* templates: a sentence family of its own, none shared with or edited from the dev
  templates or ``b1`` to ``b10`` (checked with a word 5-gram overlap test while it
  was written) -- prose notes, chat and SMS, e-mails, CSV rows, JSON, YAML and INI
  snippets, key=value logs, forms, message segments and a few lines in other
  languages;
* names: the one Faker person locale the dev split never reads is Persian
  (``fa_IR``, the one locale of ``BLIND_LOCALES``), romanised here by a simplified
  deterministic scheme (see ``persian_romanise``) minus every name of the dev pools
  (the romanised ``b4`` to ``b10`` pools included); written as real systems write
  them ("First Last", "LAST, First", "Last, First", two given names, an initial and
  surname, all caps); titles stay in the sentence;
* values: every one really of its class -- check digits computed here (and checked
  against python-stdnum where it knows the kind while the set was written), phones
  valid per ``phonenumbers``, real calendar dates -- for every class of the corpus
  (names, e-mail, phones, addresses, dates of birth, national IDs of many countries,
  employee/badge numbers, patient numbers, health conditions, injuries, medications
  and procedures, cards, IBANs, IPs, MACs, GPS, secrets of real services,
  passwords), and negatives (part numbers, serials, timestamps, versions, lots,
  GTINs, readings, order and tracking numbers, amounts) at about a fifth of the slots;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG``, ``privacy_blind_seeds.txt``, records
  every blind run (seed, time, commit, set), so that a seed's figures are reported as
  blind only once; the bench warns when a seed is reused.
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
import privacy_retired_b10 as b10
from privacy_retired_b10 import (
    _MONTHS,
    _ROMAN,
    _VH_P,
    _gtin,
    _iban,
    _luhn,
    _mod11_10,
    _verhoeff,
    _wsum,
)

B11_LOCALES = ("fa_IR",)
_DEV_LOCALES = b10._DEV_LOCALES + b10.B10_LOCALES
assert not set(B11_LOCALES) & set(_DEV_LOCALES)

# share of values drawn in an everyday form; the rest take a less common real one
EVERYDAY = 0.6


# --- Persian names, romanised -------------------------------------------------------------
# A simplified, deterministic scheme for unvocalised Persian script. Arabic and Persian
# variants of a letter are one letter (ي ی, ك ک, ة ه); diacritics, tatweel and zero-width
# joiners are dropped. Consonants: be b, pe p, te/ta t, se/sad/sin s, jim j, che ch, he
# (hutti) h, khe kh, dal d, zal/ze/zad/za z, re r, zhe zh, shin sh, ghein/qaf gh, fe f,
# kaf k, gaf g, lam l, mim m, nun n. Vowel letters: alef madda reads "a"; alef and ein
# read "a" word-initially or after a consonant and are silent after a vowel; hamza on
# yeh reads "e", a bare hamza nothing; vav reads "v" word-initially, doubled or after a
# vowel and "u" after a consonant; yeh likewise "y" or "i"; he reads "e" at the end after
# a consonant and "h" elsewhere. Unwritten short vowels are restored by syllable: a
# consonant before another takes "a" when it opens the word, stands before the word's
# last consonant or follows a consonant that took none, and none when the syllable
# before ends in a vowel (it closes it). Vav and yeh before alef are consonants.
_FA_CONS = {
    "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j", "چ": "ch", "ح": "h", "خ": "kh", "د": "d",
    "ذ": "z", "ز": "z", "ض": "z", "ظ": "z", "ر": "r", "ژ": "zh", "ش": "sh", "غ": "gh", "ق": "gh", "ف": "f", "ک": "k", "ك": "k",
    "گ": "g", "ل": "l", "م": "m", "ن": "n",
}


def _fa_units(word: str) -> list[tuple[str, str]]:
    """Split a Persian word into (kind, latin) units: C consonant, V vowel."""
    norm = {"ي": "ی", "ى": "ی", "ة": "ه", "أ": "ا", "إ": "ا"}
    chars = [norm.get(c, c) for c in word if not ("\u064b" <= c <= "\u065f" or c in "\u0640\u200c\u200d\u0670")]
    units: list[tuple[str, str]] = []
    i = 0
    while i < len(chars):
        c = chars[i]
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        prev = units[-1][0] if units else ""
        if c in _FA_CONS:
            units.append(("C", _FA_CONS[c]))
        elif c == "آ":
            units.append(("V", "a"))
        elif c in "اع":
            if i == 0 or prev == "C":
                units.append(("V", "a"))
        elif c == "ئ":
            units.append(("V", "e"))
        elif c == "ه":
            if not nxt and prev == "C":
                units.append(("V", "e"))
            else:
                units.append(("C", "h"))
        elif c in "وی":
            cons, vow = ("v", "u") if c == "و" else ("y", "i")
            if nxt == c:
                units.append(("C", cons))
                i += 2
                continue
            units.append(("V", vow) if i > 0 and prev == "C" and nxt != "ا" else ("C", cons))
        i += 1
    return units


def _fa_word(word: str) -> str:
    units = _fa_units(word)
    out: list[str] = []
    for i, (kind, lat) in enumerate(units):
        nxt = units[i + 1] if i + 1 < len(units) else None
        if kind == "V" or nxt is None or nxt[0] == "V":
            out.append(lat)
        elif i + 2 == len(units) or not (out and out[-1][-1:] in "aeiu"):
            out.append(lat + "a")
        else:
            out.append(lat)
    return "".join(out)


def persian_romanise(name: str) -> str:
    """Return the Latin spelling of a one-word Persian name (the scheme above)."""
    w = _fa_word(name.strip())
    return w[:1].upper() + w[1:]


def b11_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of blind names never seen in development:
    the romanised Persian names minus every dev name (romanised pools included)."""
    dev_first, dev_last = corpus.locale_names(_DEV_LOCALES)
    dev = {n.lower() for n in set(dev_first) | set(dev_last)}
    for romanised in (b4.b4_names, b5.b5_names, b6.b6_names, b7.b7_names, b8.b8_names, b9.b9_names, b10.b10_names):
        for first, last in romanised().values():
            dev |= {n.lower() for n in set(first) | set(last)}
            dev |= {n.lower().removeprefix("al-") for n in set(first) | set(last)}
    ok = re.compile(r"^[A-Z][a-z]{2,11}$")  # long ones are run-together entries

    def pool(names: list[str]) -> list[str]:
        out = set()
        for n in names:
            if " " in n.strip() or "-" in n:
                continue
            lat = persian_romanise(n)
            if ok.match(lat) and lat.lower() not in dev:
                out.add(lat)
        return sorted(out)

    pools = {}
    for loc in B11_LOCALES:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        firsts = [str(n) for a in ("first_names", "first_names_male", "first_names_female") for n in getattr(p, a, ())]
        pair = (pool(firsts), pool([str(n) for n in getattr(p, "last_names", ())]))
        if pair[0] and pair[1]:
            pools[loc] = pair
    return pools


# --- check digits (written for this set) -------------------------------------------------


for _k in range(2, 8):
    _VH_P.append([_VH_P[1][_VH_P[_k - 1][j]] for j in range(10)])


# (country code, everyday?, national number patterns ("#" a digit, "N" 2-9), groups of the
# national number, trunk prefix) -- numbers checked against phonenumbers while written
_PHONES: dict[str, tuple[int, bool, tuple[str, ...], tuple[int, ...], str]] = {
    "US": (1, True, ("312N######", "214N######", "602N######", "919N######", "503N######", "615N######"), (3, 3, 4), "1"),
    "GB": (44, True, ("74########", "7456######", "7534######", "7723######", "7890######", "7912######", "2079######", "2084######", "1614######", "1133######"), (4, 6), "0"),
    "DE": (49, True, ("157########", "162#######", "172#######", "221#######", "40########"), (3, 8), "0"),
    "FR": (33, True, ("61#######", "66#######", "68#######", "75#######", "78#######", "1########", "3########", "9########"), (1, 2, 2, 2, 2), "0"),
    "IT": (39, True, ("320#######", "347#######", "389#######"), (3, 3, 4), ""),
    "NL": (31, True, ("61#######", "62#######", "63#######", "64#######", "65#######"), (1, 2, 2, 2, 2), "0"),
    "IR": (98, True, ("912#######", "935#######", "919#######", "901#######", "21########", "31########", "51########"), (3, 3, 4), "0"),
    "TR": (90, False, ("532#######", "505#######", "212#######"), (3, 3, 2, 2), "0"),
    "AE": (971, False, ("50#######", "55#######", "56#######"), (2, 3, 4), "0"),
    "IN": (91, False, ("98########", "70########", "81########"), (5, 5), "0"),
    "MX": (52, False, ("55########", "33########", "81########"), (2, 4, 4), ""),
    "IL": (972, False, ("502######", "505######", "522######", "526######", "543######", "547######", "585######", "3#######", "4#######"), (2, 3, 4), "0"),
    "CA": (1, True, ("416N######", "604N######", "514N######"), (3, 3, 4), "1"),
    "AU": (61, False, ("40#######", "41#######", "42#######", "43#######"), (3, 3, 3), "0"),
    "PL": (48, False, ("51#######", "66#######", "88#######"), (3, 3, 3), ""),
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


class B11Gen(b10.B10Gen):
    """The blind split's values. Where a generator is the same as ``b10``'s (names, cards,
    MACs, PESEL, the shared helpers) it is inherited; phones read this set's own table."""

    group_name = "b11"

    def __init__(self, rng: random.Random) -> None:
        corpus.LocaleGen.__init__(self, rng, b11_names())

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first).lower(), r.choice(last).lower()
        if self._everyday():
            user = r.choice([f"{f}.{la}", f"{f}{la}", f"{f[0]}.{la}", f"{la}{f[0]}", f"{f}{r.randint(1, 999)}", f"{f}_{la}{r.randint(70, 99)}"])
            dom = r.choice(["gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.com", "icloud.com", "proton.me", "gmx.de", "chmail.ir", "yahoo.co.uk", "web.de", "orange.fr",
                            "hollmann-pumpen.de", "riverbend-clinic.org", "freshway-stores.com", "sina-hospital.ir", "baltic-tools.pl"])
            return f"{user}@{dom}"
        user = r.choice([f"{f}.{la}", f"{la}.{f[0]}", f"{f}+{r.choice(['hr', 'shifts', 'rx', 'invoices'])}", f"{f[0]}{la[0]}{r.randint(1000, 9999)}", f"{la}-{f}"])
        dom = r.choice(["tums.ac.ir", "ut.ac.ir", "nhs.net", "mail.yandex.com", "emirates.net.ae", "superonline.com", "t-online.de", "free.fr", "laposte.net",
                        "shaw.ca", "bigpond.com", "maint.north-works.example.co.kr", "o2.pl", "seznam.cz", "clinic.health.example.org"])
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
        if region == "IR":
            return r.choice([f"0{nsn[:3]} {nsn[3:6]} {nsn[6:]}", f"0{nsn}", f"0{nsn[:3]}-{nsn[3:]}"]) if nsn[0] == "9" else r.choice([f"0{nsn[:2]}-{nsn[2:]}", f"(0{nsn[:2]}) {nsn[2:6]} {nsn[6:]}"])
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
            kind = r.choice(["us", "us", "uk", "uk", "de", "fr", "it", "nl", "ir", "ir", "ir", "ca"])
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
            if kind == "ir":
                return r.choice([f"{r.choice(['Tehran', 'Isfahan', 'Shiraz', 'Tabriz', 'Mashhad'])}, {r.choice(['Vali-e Asr St.', 'Enghelab St.', 'Azadi Ave.', 'Chaharbagh Blvd.', 'Zand St.'])}, {r.choice(['No.', 'Pelak'])} {n}, {r.choice(['Unit', 'Vahed'])} {r.randint(1, 24)}, Postal Code {r.randint(1, 9)}{r.randint(100000000, 999999999)}",
                                 f"No. {n}, {r.choice(['Golestan', 'Bahar', 'Narges', 'Yas'])} Alley, {r.choice(['Shariati St.', 'Motahari St.', 'Ferdowsi Sq.'])}, {r.choice(['Tehran', 'Karaj', 'Qom', 'Rasht'])} {r.randint(1, 9)}{r.randint(1000, 9999)}-{r.randint(10000, 99999)}, Iran"])
            if kind == "ca":
                return f"{r.randint(10, 9999)} {r.choice(['Bloor St W', 'Rue Sainte-Catherine', 'Portage Ave', 'Jasper Ave', 'Robson St'])}, {r.choice(['Toronto, ON M5S', 'Montréal, QC H3B', 'Winnipeg, MB R3C', 'Edmonton, AB T5J', 'Vancouver, BC V6E'])} {r.randint(1, 9)}{r.choice('ABCEGHJKLMNPRSTVXY')}{r.randint(1, 9)}"
            return f"{r.choice(['', f'Unit {r.randint(1, 30)}/'])}{n} {r.choice(['Wattle', 'Banksia', 'Bridge', 'Currie'])} {r.choice(['St', 'Rd', 'Cres', 'Pde'])}, {r.choice(['Parramatta NSW 2150', 'Fremantle WA 6160', 'Geelong VIC 3220', 'Townsville QLD 4810'])}"
        kind = r.choice(["za", "ng", "ke", "pt", "be", "ch", "at", "se", "vn", "ph", "ir_fa", "ae", "tr", "mx", "il", "au", "us_rural", "de_postfach", "hk"])
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
        if kind == "ir_fa":
            return f"{r.choice(['تهران', 'اصفهان', 'شیراز', 'تبریز'])}، {r.choice(['خیابان ولیعصر', 'خیابان انقلاب', 'بلوار کشاورز', 'خیابان آزادی'])}، پلاک {n}، واحد {r.randint(1, 20)}"
        if kind == "ae":
            return f"{r.choice(['Villa', 'Apt', 'Office'])} {n}, {r.choice(['Street 4B', '15th Street', 'Al Wasl Road'])}, {r.choice(['Al Barsha 2', 'Jumeirah 1', 'Al Nahda', 'Khalifa City A'])}, {r.choice(['Dubai', 'Sharjah', 'Abu Dhabi'])}, UAE"
        if kind == "tr":
            return f"{r.choice(['Atatürk Cad.', 'Cumhuriyet Mah. Gül Sk.', 'Bağdat Cad.'])} No: {n} D: {r.randint(1, 30)}, {r.choice(['34710 Kadıköy/İstanbul', '06420 Çankaya/Ankara', '35220 Konak/İzmir'])}"
        if kind == "mx":
            return f"{r.choice(['Av. Insurgentes Sur', 'Calle Hidalgo', 'Blvd. Díaz Ordaz'])} {n}, Col. {r.choice(['Del Valle', 'Centro', 'Roma Norte'])}, {r.randint(10000, 99999)} {r.choice(['Ciudad de México, CDMX', 'Guadalajara, Jal.', 'Monterrey, N.L.'])}"
        if kind == "il":
            return f"{r.choice(['Herzl St.', 'Weizmann St.', 'HaYarkon St.'])} {n}, {r.choice(['Ramat Gan', 'Holon', 'Haifa'])} {r.randint(10, 99)}{r.randint(10000, 99999)}, Israel"
        if kind == "au":
            return f"{r.choice(['', f'Unit {r.randint(1, 30)}/'])}{n} {r.choice(['Wattle', 'Banksia', 'Bridge'])} {r.choice(['St', 'Rd', 'Cres'])}, {r.choice(['Parramatta NSW 2150', 'Geelong VIC 3220', 'Townsville QLD 4810'])}"
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
                         f"{b.day} de {_MONTHS['pt'][b.month - 1]} de {b.year}", f"{b:%d%m%Y}", f"{b:%Y.%m.%d}", f"{b:%d-%b-%y}", f"{en[:3].upper()} {b.day:02d} {b.year}", f"{b:%y%m%d}", f"{b.year}/{b.month}/{b.day}", self._jalali()])

    def _jalali(self) -> str:
        """A Solar Hijri (Persian calendar) birth date, as Iranian forms write them."""
        r = self.r
        m = r.randint(1, 12)
        d = r.randint(1, 31 if m <= 6 else 30 if m <= 11 else 29)
        return r.choice([f"{r.randint(1321, 1388)}/{m:02d}/{d:02d}", f"{r.randint(1321, 1388)}/{m}/{d}"])

    # --- identifiers -------------------------------------------------------------------
    def national_id(self) -> str:
        r = self.r
        kind = r.choice(["us", "us", "ir", "ir", "uk", "de", "fr", "it", "es", "nl", "ca", "in", "cn", "br"] if self._everyday() else
                        ["za", "il", "mx", "no", "dk", "ch", "at", "au", "tr", "cl", "ar", "se", "fi", "ee", "lt", "be", "bg", "ro", "cz", "pt_cc", "kr", "sg", "nhs", "ie", "hr"])
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
        if kind == "mx":
            vow, cons = "AEIOU", "BCDFGHJKLMNPQRSTVWXYZ"
            body = (r.choice(cons) + r.choice(vow) + r.choice(cons) + r.choice(cons + vow) + f"{b:%y%m%d}" + r.choice("HM")
                    + r.choice(["DF", "JC", "NL", "PL", "VZ", "MC", "GT"]) + "".join(r.choice(cons) for _ in range(3)) + (str(r.randint(0, 9)) if b.year < 2000 else r.choice("ABCDEF")))
            alpha = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"
            return body + str((10 - sum(alpha.index(ch) * (18 - i) for i, ch in enumerate(body)) % 10) % 10)
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

    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.randint(10000, 99999)}", f"EMP{r.randint(100000, 999999)}", f"E{r.randint(1000000, 9999999)}", f"{r.choice(['THR', 'IKA', 'STR', 'LDN'])}-{r.randint(1000, 9999)}",
                             f"0{r.randint(1000000, 9999999)}", f"PN {r.randint(10000, 99999)}", f"{r.randint(1000, 9999)}-{r.randint(10, 99)}", f"W{r.randint(10000, 99999)}"])
        return r.choice([f"{r.randint(2015, 2026)}{r.randint(1, 9999):04d}", f"HR/{r.randint(1000, 9999)}/{r.choice(['A', 'B', 'T'])}", f"{r.choice(['MNT', 'LOG', 'QC'])}{r.randint(100, 999)}-{r.randint(1, 9)}",
                         f"ID#{r.randint(10000, 99999)}", f"{r.randint(26, 255)}:{r.randint(10000, 65535)}", f"{r.choice('ABCDEFGH')}{r.choice('ABCDEFGH')}{r.randint(1000, 9999)}", f"P-{r.randint(100, 999)}-{r.randint(1000, 9999)}"])

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.randint(1000000, 9999999)}", f"{r.randint(10000000, 99999999)}", f"{r.randint(0, 999999):06d}", f"{r.randint(100000000, 999999999)}"])
        return r.choice([f"{r.randint(10, 99)}-{r.randint(10, 99)}-{r.randint(10, 99)}", f"{r.randint(1400, 1405)}{r.randint(1, 999999):06d}", f"{r.randint(100, 999)} {r.randint(100, 999)} {r.randint(1000, 9999)}",
                         f"{r.randint(1000000, 9999999)}/{r.randint(1, 9)}", f"00{r.randint(1000000, 9999999)}"])

    def mrn_token(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"MRN#{r.randint(100000, 9999999)}", f"MR-{r.randint(1000000, 9999999)}", f"H{r.randint(1000000, 9999999)}", f"URN {r.randint(100000, 999999)}", f"PAT{r.randint(100000, 9999999)}"])
        return r.choice([f"EPN{r.randint(100000, 999999)}", f"{r.choice(['KUH', 'STH', 'RMH'])}{r.randint(1000000, 9999999)}", f"CR No. {r.randint(2020, 2026)}{r.randint(100000, 999999)}", f"HN{r.randint(10, 99)}-{r.randint(100000, 999999)}",
                         f"PID:{r.randint(1000000, 99999999)}", f"{r.choice('MNPRST')}{r.randint(100000, 999999)}{r.choice('ABCDEFGHJK')}", f"CHI {r.randint(100000, 311299)}{r.randint(1000, 9999)}"])

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["diabetes", "high cholesterol", "hay fever", "eczema", "psoriasis", "gout", "an underactive thyroid", "a peanut allergy", "hypertension", "a chest infection",
                             "sciatica", "acid reflux", "a sinus infection", "COVID-19", "flu", "a migraine disorder", "anaemia", "coeliac disease", "long-term depression"])
        return r.choice(["multiple sclerosis", "Parkinson's disease", "lupus", "bipolar disorder", "thalassaemia major", "tuberculosis", "rheumatoid arthritis", "a brain tumour", "ulcerative colitis",
                         "sickle cell disease", "motor neurone disease", "chronic kidney disease stage 3", "atrial fibrillation", "endometriosis", "PTSD", "an eating disorder", "hepatitis B",
                         "glaucoma", "narcolepsy", "G6PD deficiency", "opioid use disorder", "prostate cancer"])

    def injury(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["trapped two fingers in a pallet jack", "twisted a knee stepping off the mezzanine stairs", "scalded a forearm with hot coolant", "grazed both palms falling in the yard",
                             "pulled a muscle in the lower back", "took a swarf cut across the knuckles", "strained a shoulder pulling a roll cage"])
        return r.choice(["lost consciousness after inhaling solvent fumes", "broke a collarbone falling from a scissor lift", "suffered a chemical burn to the face from caustic soda", "dislocated a shoulder in the conveyor",
                         "sustained a degloving injury to the ring finger", "received an arc flash burn to both hands", "fractured the pelvis when a rack collapsed"])

    def sick(self) -> str:
        return self.r.choice(["signed off for two weeks", "on long-term sick leave", "off work after surgery", "on a fit note with phased return", "in hospital since Friday", "off sick with stress", "on maternity-related sick leave"])

    def outcome(self) -> str:
        return self.r.choice(["cut lip", "sprained thumb", "suspected fractured toe", "burn to the forearm", "bump on the head, no loss of consciousness", "whiplash", "back strain"])

    def medication(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["atorvastatin 20 mg", "omeprazole 20 mg daily", "levothyroxine 50 mcg", "paracetamol 1 g qds", "ibuprofen 400 mg", "losartan 50 mg", "sertraline 50 mg",
                             "salbutamol inhaler", "amoxicillin 500 mg tds", "insulin glargine 20 units", "loratadine 10 mg", "ramipril 5 mg"])
        return r.choice(["methotrexate 15 mg weekly", "lithium carbonate 400 mg", "apixaban 5 mg bd", "tramadol 50 mg", "adalimumab 40 mg fortnightly", "hydroxychloroquine 200 mg",
                         "quetiapine 100 mg", "methadone 60 ml daily", "warfarin as per INR", "levetiracetam 750 mg bd", "prednisolone 30 mg", "tamoxifen 20 mg", "buprenorphine patch 10 mcg/h"])

    def procedure(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["a colonoscopy", "an MRI of the knee", "a cataract operation", "a root canal", "an ECG", "a mammogram", "physiotherapy", "a smear test", "an appendectomy"])
        return r.choice(["a coronary angioplasty", "a bone marrow biopsy", "dialysis", "a gastric bypass", "electroconvulsive therapy", "chemotherapy cycle 3", "a knee arthroscopy", "IVF egg collection",
                         "a carpal tunnel release", "a laparoscopic cholecystectomy"])

    # --- finance -----------------------------------------------------------------------

    def iban(self) -> str:
        r = self.r
        d = self._d
        if self._everyday():
            c = r.choice(["DE", "GB", "FR", "IT", "NL", "IR", "IR", "ES", "AT", "BE", "IE", "PL"])
        else:
            c = r.choice(["CH", "PT", "SE", "NO", "DK", "FI", "LU", "TR", "GR", "HR", "RO", "IL", "MT", "AE", "UA", "SA", "SI", "EE"])
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
                "IL": lambda: r.choice(["010", "012", "020", "011"]) + d(16), "IR": lambda: "0" + r.choice(["17", "12", "18", "55", "62", "56"]) + "0" + d(18),
                "TR": lambda: r.choice(["00010", "00062", "00064", "00046"]) + "0" + d(16), "SA": lambda: r.choice(["80", "10", "45"]) + d(18), "AT": lambda: d(16), "IE": lambda: r.choice(["AIBK", "BOFI", "IPBS"]) + d(14), "PL": lambda: d(24),
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
        return r.choice([f"2a00:{h()}:{h()}:{h()}::{h()}", f"2001:db8:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}", f"fe80::{h()}:{r.randint(0, 255):02x}ff:fe{r.randint(0, 255):02x}:{h()}", f"2a01:{h()}:{h()}::{h()}",
                         f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", f"169.254.{r.randint(1, 254)}.{r.randint(1, 254)}",
                         f"::ffff:10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"])

    def gps(self) -> str:
        r = self.r
        lat, lon = r.choice([(35.69, 51.39), (32.65, 51.67), (29.59, 52.58), (38.08, 46.29), (25.2, 55.27), (41.01, 28.98), (19.43, -99.13), (42.33, -83.05), (41.88, -87.63), (45.46, 9.19), (52.37, 4.90), (48.14, 11.58), (-26.2, 28.05), (-33.92, 18.42),
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
        low = string.ascii_lowercase + string.digits
        if self._everyday():
            return r.choice(["AKIA" + rnd(16, string.ascii_uppercase + "234567"), "ghp_" + rnd(36), "gho_" + rnd(36), "glpat-" + rnd(20, an + "-_"), "sk_live_" + rnd(99),
                             "whsec_" + rnd(32), "hf_" + rnd(34, string.ascii_letters), "AIza" + rnd(35, an + "-_"), "sk-ant-api03-" + rnd(93, an + "-_") + "AA",
                             "xoxb-" + rnd(12, string.digits) + "-" + rnd(13, string.digits) + "-" + rnd(24), "AC" + rnd(32, hx), "dop_v1_" + rnd(64, hx)])
        return r.choice(["DefaultEndpointsProtocol=https;AccountName=plantlogs" + rnd(4, low) + ";AccountKey=" + rnd(86, an + "+/") + "==;EndpointSuffix=core.windows.net",
                         "postgres://mes_app:" + rnd(18) + "@10.20.0.15:5432/mes", "ya29." + rnd(120, an + "-_"), "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA" + rnd(50, an + "+/") + "\n-----END OPENSSH PRIVATE KEY-----",
                         "https://discord.com/api/webhooks/" + rnd(18, string.digits) + "/" + rnd(68, an + "-_"), "key-" + rnd(32, hx), "sk_test_" + rnd(24), "SG." + rnd(22, an + "-_") + "." + rnd(43, an + "-_"),
                         "glrt-" + rnd(20, an + "-_"), "pat" + rnd(14) + "." + rnd(64, hx), "NRAK-" + rnd(27, string.ascii_uppercase + string.digits), "shpss_" + rnd(32, hx), "EAAG" + rnd(100)])

    def password(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.choice(['Tehran', 'Persepolis', 'Esteghlal', 'Spring', 'Welcome', 'Dragon', 'Monkey', 'Admin'])}{r.choice(['', '@', '!', '.', '#'])}{r.choice(['1403', '2025', '2026', '99', '1234', '7'])}{r.choice(['', '!', '$'])}",
                             f"{r.choice(['sara', 'kitty', 'mahsa', 'rocky', 'ali'])}{r.randint(1985, 2015)}", self._rnd(12, string.ascii_letters + string.digits + "!@#$%&*"), f"Aa{r.randint(1000000, 9999999)}@"])
        return r.choice([f"{r.choice(['orange', 'silver', 'window', 'tiger', 'falcon'])}.{r.choice(['pencil', 'garden', 'rocket', 'saffron'])}.{r.choice(['castle', 'harbor', 'pistachio', 'lantern'])}{r.randint(1, 99)}",
                         self._rnd(24, string.ascii_letters + string.digits + "-_"), f"{self._rnd(2, string.ascii_uppercase)}{self._rnd(6, string.ascii_lowercase)}%{r.randint(100, 999)}",
                         r.choice(["Azerty123!", "Passw0rd#2026", "Zaq12wsx", "admin@123", "Qwer1234$", "Iloveyou2!"])])

    # --- negatives ---------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice([f"{r.choice(['3RT2', '3RV2', '6EP1'])}{r.randint(10, 99)}-{r.randint(1, 4)}{self._rnd(2, string.ascii_uppercase)}{r.randint(10, 99)}", f"PN{r.randint(100000, 999999)}-{r.randint(1, 99):02d}", f"{r.randint(1000, 9999)}.{r.randint(1000, 9999)}",
                         f"DIN 912 M{r.choice([5, 6, 8, 10])}x{r.choice([16, 20, 35, 40])}", f"NSK {r.choice(['6008DDU', '7205BEA', 'NU2208'])}", f"ART-{r.randint(10000, 99999)}", f"{r.choice(['Bosch', 'Parker', 'Omron'])} {r.choice(['E3Z', 'PV', 'MY2N'])}-{r.randint(100, 999)}{r.choice('ABC')}",
                         f"{r.randint(10, 99)}-{r.randint(1000, 9999)}-{self._rnd(1, string.ascii_uppercase)}"])

    def serial(self) -> str:
        r = self.r
        up = string.ascii_uppercase + string.digits
        return r.choice([f"S/N {self._rnd(12, up)}", f"{r.randint(2021, 2026)}{r.randint(1, 52):02d}{r.randint(10000, 99999)}", f"{self._rnd(3, string.ascii_uppercase)}{r.randint(1000000, 9999999)}", f"CN-{self._rnd(2, string.ascii_uppercase)}{r.randint(100000, 999999)}",
                         f"{self._rnd(2, string.ascii_uppercase)}{r.randint(10, 99)}-{self._rnd(4, up)}-{self._rnd(4, up)}", f"0x{self._rnd(8, '0123456789ABCDEF')}", f"SN {r.randint(10**7, 10**8 - 1)}"])

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2025, 9, 1) + dt.timedelta(seconds=r.randint(0, 35_000_000))
        return r.choice([f"{t:%Y-%m-%dT%H:%M:%S}Z", f"{t:%Y-%m-%d %H:%M:%S}", f"{t:%d.%m.%Y %H:%M}", f"{t:%b %d %H:%M:%S}", f"{int(t.timestamp()) * 1000}",
                         f"{t:%d-%b-%Y %H:%M}", f"{t:%H:%M:%S}", f"{t:%Y/%m/%d %H:%M}", f"{t:%A %d %B %Y, %H:%M}", f"{t:%Y-%m-%dT%H:%M:%S}+03:30"])

    def version(self) -> str:
        r = self.r
        return r.choice([f"{r.randint(1, 15)}.{r.randint(0, 40)}.{r.randint(0, 120)}", f"v{r.randint(1, 4)}.{r.randint(0, 30)}.{r.randint(0, 20)}-beta.{r.randint(1, 9)}", f"rev {r.choice('ABCDEFG')}{r.randint(1, 9)}",
                         f"{r.randint(2023, 2026)}.{r.randint(1, 4)}", f"release {r.randint(100, 999)}", f"V{r.randint(1, 9)}.{r.randint(0, 9)} SP{r.randint(1, 5)}", f"{r.randint(1, 3)}.{r.randint(0, 9)}.{r.randint(0, 9)}+build.{r.randint(100, 9999)}"])

    def lot(self) -> str:
        r = self.r
        return r.choice([f"LOT{r.randint(10000, 99999)}", f"L{r.randint(25, 26)}{r.randint(1, 366):03d}{r.choice('ABC')}", f"Batch {r.randint(2025, 2026)}/{r.randint(1, 52):02d}-{r.randint(1, 9)}",
                         f"{self._rnd(2, string.ascii_uppercase)}-{r.randint(100, 999)}-{r.randint(10, 99)}", f"{r.randint(100000, 999999)}{self._rnd(1, 'XYZ')}", f"(10){self._rnd(6, string.ascii_uppercase + string.digits)}"])

    def ean(self) -> str:
        r = self.r
        style = r.random()
        if style < 0.5:
            return _gtin(r.choice(["626", "400", "869", "629", "590", "500", "761", "978"]) + self._d(9))
        if style < 0.75:
            return _gtin("0" + self._d(10))
        if style < 0.9:
            return _gtin(self._d(7))
        return _gtin(r.choice(["1", "2", "3"]) + self._d(12))

    def reading(self) -> str:
        r = self.r
        return r.choice([f"{r.uniform(0.1, 8.0):.2f} bar", f"{r.uniform(18, 85):.1f} °C", f"{r.uniform(500, 3000):.0f} rpm", f"{r.uniform(0.001, 0.5):.3f} mm", f"{r.uniform(210, 240):.1f} V",
                         f"{r.uniform(0.2, 30):.2f} kg", f"{r.uniform(1, 100):.1f} %RH", f"{r.uniform(5, 95):.0f} dB(A)", f"{r.uniform(0.5, 20):.2f} L/min", f"{r.uniform(-25, -15):.1f} °C"])

    def _s10(self) -> str:
        body = self._d(8)
        c = 11 - _wsum(body, (8, 6, 4, 2, 3, 5, 9, 7)) % 11
        c = {10: 0, 11: 5}.get(c, c)
        return f"{self.r.choice(['RB', 'EA', 'CX', 'LY'])}{body}{c}{self.r.choice(['IR', 'DE', 'GB', 'TR', 'FR'])}"

    def order(self) -> str:
        r = self.r
        return r.choice([f"SO-{r.randint(100000, 999999)}", f"ORD{r.randint(10**7, 10**8 - 1)}", f"PO#{r.randint(40000, 99999)}", self._s10(), f"1Z{self._rnd(6, string.ascii_uppercase + string.digits)}{r.randint(10**9, 10**10 - 1)}",
                         f"{r.randint(10**13, 10**14 - 1)}", f"INV/{r.randint(2025, 2026)}/{r.randint(1, 9999):04d}", f"RMA-{r.randint(1000, 99999)}", f"WO{r.randint(100000, 999999)}", f"{r.randint(100, 999)}-{r.randint(1000000, 9999999)}-{r.randint(1000000, 9999999)}"])


# Written for the blind set b11 without reading the detector. New situations only: no
# sentence here appears in, or is edited from, the dev templates or b1-b10.
B11_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Night supervisor notes: die change on press 11 overran, cycle counter reset at {ts}. {person} covered the crane; {first} went home early, {sick}.",
        "staff_ref;family;forename;dept;birthdate;id_doc_number;cell\n{badge};{surname};{first};Assembly;{dob};{natid};{phone}",
        "{\"event\": \"door_access\", \"reader\": \"gate-3\", \"badge\": \"{badge}\", \"holder\": \"{person}\", \"time\": \"{ts}\", \"controller_ip\": \"{ip}\"}",
        "First-aid register #{=NEG:118}\nCasualty: {person}\nWhat happened: {injury}\nTreatment: ice pack; {outcome} recorded by {first}",
        "Hi {first}, your overtime for the weekend stocktake goes to IBAN {iban}. If that account has changed, send the new one to {email} before Thursday.",
        "spindle={serial} vib={reading} temp={reading} sw={version} lot={lot} part={part}",
        "robot_cell:\n  controller: {serial}\n  firmware: {version}\n  lan_ip: {ip}\n  hw_addr: {mac}\n  cloud_token: {secret}",
        "Return-to-work interview held with {person} (works number {badge}). GP letter says {condition}; currently taking {med}. Light duties only.",
        "WhatsApp to shift group from {phone}: morning all, {first} here, I {injury} yesterday so can't drive the reach truck today",
        "Ziyaretçi kaydı: {person}, kimlik/pasaport no {natid}, telefon {phone_nat}, refakatçi {first}.",
        "پرسنل {person}، کد ملی {natid}، شماره همراه {phone_nat}، بخش تولید",
        "Maintenance request: compressor {serial} showing {reading} after the {ts} restart; spare {part} ordered on {order}.",
        "Canteen card top-up failed for {person}; card on file {card}, terminal log ref {order}.",
        "HR onboarding checklist\nName: {person}\nHome address: {address}\nBirth date: {dob}\nEmergency contact: {person}, {phone}\nPayroll account: {iban}",
        "Dock 4 GPS tracker on trailer {serial} reported {gps} at {ts}; driver {person} not answering {phone_nat}.",
        "[historian]\nserver = {ip}\nport = 4840\nuser = opcua_reader\npassword = {password}",
        "Quarantine tag: {=NEG:240} pcs of {part}, supplier batch {lot}, inspection release {version}, GTIN {ean}.",
        "Audiometry recall list: {person} ({badge}), {person} ({badge}), {person} ({badge}).",
        "From {email} at {ts}: the temp agency sent {person} for the paint line, her ID number is {natid} and she starts Monday.",
        "Antrag auf Fahrtkostenzuschuss: {person}, Personalnummer {badge}, wohnhaft {address}, Konto {iban}.",
        "Uprawnienia wózkowe: {person}, PESEL {pesel}, ważne do {=NEG:2027-03-31}.",
        "alarm_id=7731 host={ip} mac={mac} msg=\"PLC watchdog timeout\" firmware={version} t={ts}",
        "Please stop sharing the SCADA admin login in chat: user 'eng', password {password}. {first} {surname} will rotate it tonight.",
        "Weighbridge ticket {order}: gross {reading}, tare {reading}, haulier contact {person}.",
        "Pension enrolment letter sent to {person}, {address}; NI or national ID {natid}; born {dob}.",
        "Forklift telematics: unit {serial} impact at {gps}, operator {first} {surname}, badge {badge}.",
    ),
    "clinic": (
        "Admission note: {person}, born {dob}, brought in by her son {first} ({phone}). Background of {condition}; regular {med}.",
        "mrn,family_name,given_name,birth_date,postcode_address,contact\n{mrn},{surname},{first},{dob},\"{address}\",{phone}",
        "{\"patient_id\": \"{mrn_token}\", \"full_name\": \"{person}\", \"dob\": \"{dob}\", \"dx\": \"{condition}\", \"scheduled\": \"{procedure}\"}",
        "Voicemail transcribed {ts}: this is {person} calling to rebook my daughter for {procedure}, please ring me back on {phone_nat}.",
        "Operating list theatre 2\n08:30 {person} ({mrn_token}) - {procedure}\n10:15 {person} ({mrn_token}) - {procedure}\nAnaesthetist: Dr {surname}",
        "Dear {first},\nyour results are ready in the patient portal. Log in with {email}; the temporary password is {password}.\nOutpatients team",
        "Pharmacy reconciliation for {person}, hospital no. {mrn}: stopped {med}, started {med}; allergy documented: {=HEALTH:sulfa drugs}.",
        "بیمار {person}، تاریخ تولد {dob}، کد ملی {natid}، تشخیص: {=HEALTH:دیابت نوع ۲}، تلفن {phone_nat}",
        "Infusion pump {serial} occlusion alarm at {ts}; drug library {version}; ward gateway {ip}.",
        "Insurance claim for {person} (insured person ID {natid}) covering {procedure}; excess settled with card {card}.",
        "Clinic Wi-Fi log: device {mac} associated from {ip}, portal login {email}.",
        "Home visit route for nurse {first}: {person}, {address} (diabetic foot care); {person}, {address} (wound dressing).",
        "Dr {surname} to Dr {surname}: thanks for seeing {person}, {mrn_token}, who has {condition} and now {=HEALTH:worsening breathlessness}.",
        "Dossier de {person} (né le {dob}), n° sécu {natid}, traitement en cours: {med}.",
        "Cita confirmada para {person} (NIE/DNI {natid}) - {procedure}; teléfono de contacto {phone}.",
        "Refund after the cancelled appointment ({procedure}): {=NEG:320.00} EUR to {iban}, patient {person}, invoice {order}.",
        "Fridge 3 vaccine log: {reading} at {ts}; logger {serial}; stock lot {lot}, GTIN {ean}.",
        "Occupational health referral: {person}, employer staff no. {badge}, {sick}; reported {condition}.",
        "dicom_router.yaml\nlisten: {ip}\npeers:\n  - aet: CT01\n    host: {ip}\napi_secret: {secret}",
        "Patient portal chat\n{first}: hi, can I get a repeat of my {med}?\nNurse: please confirm your date of birth\n{first}: {dob}",
        "Ambulance dispatch: caller {person} at {gps}, patient collapsed, {=HEALTH:not breathing normally}; callback {phone}.",
        "Karta szczepień: {person}, PESEL {pesel}, adres {address}.",
        "Lab requisition | {person} | {mrn} | {dob} | tests: HbA1c, lipids | ordered by Dr {surname}",
        "MRI safety questionnaire - {person}: pacemaker no; previous procedures: {procedure}; metal fragments no. Signed {ts}.",
        "Badge {badge} (radiographer {person}) exported a study to USB at {ts} from workstation {ip}.",
        "Deposit for {procedure} taken from card {card}; receipt {order}; amount {=NEG:1,200.00} AED.",
    ),
    "retail": (
        "Customer complaint logged by {first}: {person} says the courier left her sofa outside {address} in the rain, order {order}.",
        "store_id,staff_no,colleague_name,work_email,mobile,birthday\n{=NEG:0412},{badge},{person},{email},{phone},{dob}",
        "{\"order\": \"{order}\", \"ship_to\": {\"name\": \"{person}\", \"street\": \"{address}\", \"tel\": \"{phone}\"}, \"sku\": \"{part}\", \"gtin\": \"{ean}\"}",
        "Till 6 void at {ts} by cashier {badge}; the merchant copy shows the full card number {card}.",
        "Lost property: wallet handed in with a driving licence for {person}, born {dob}, and a bank card {card}.",
        "Price check on {ean}: shelf says {=NEG:4.99}, till says {=NEG:5.49}; lot {lot}.",
        "Subject: invoice with your tax number\n\nHello {person}, attached is the invoice for {order}. We put your ID {natid} on it as asked.\n\n{first}, Customer Service",
        "Pharmacy aisle: {person} asked for advice on {condition} and bought {med}; pharmacist {first} noted it.",
        "Security camera export requested by police for {ts}; suspect paid with card {card} and gave phone {phone_nat}.",
        "kiosk.ini\n[lan]\nipv4 = {ip}\nhwaddr = {mac}\n[payments]\nprovider_key = {secret}\nlocal_admin = {password}",
        "Shift swap request: {first} {surname} takes Saturday, {first} {surname} takes Sunday. Approved by {person}.",
        "Store GPS check-in for merchandiser {person}: {gps}, {ts}.",
        "مشتری {person}، آدرس {address}، موبایل {phone}",
        "Müşteri {person} iade istedi; IBAN {iban}; sipariş numarası {order}.",
        "Delivery van {serial} reported at {gps}; driver {person}, handheld firmware {version}.",
        "Colleague welfare: {person} (staff {badge}) fainted in the stockroom, {outcome}; she mentioned {condition}.",
        "Kunde {person}, Geburtsdatum {dob}, möchte die Kundenkarte auf {email} umstellen.",
        "Planogram upload: bay {=NEG:12}, item {part}, GTIN {ean}, facing count {=NEG:6}, file {version}.",
        "Layaway plan for {person}: deposit paid by {card}, balance due {=NEG:89.00}, contact {phone_nat}.",
        "Staff discount abuse report: employee {badge} ({person}) used a family card for customer {person}.",
        "backoffice: sync failed from {ip} to {ip} at {ts}; retry token {secret}",
        "Chargeback notice {order}: cardholder {person}, card {card}, disputed {=NEG:212.40} USD.",
        "Click-and-collect locker code sent to {phone} for {person}; parcel {order}.",
        "Store manager {person} changed the Wi-Fi key to {password}; guest VLAN gateway {ip}.",
        "Cold room probe {serial}: {reading}, {reading}; compressor {part}; engineer visit {order}.",
        "Vale de devolución para {person}, dirección {address}, reembolso a {iban}.",
    ),
}
