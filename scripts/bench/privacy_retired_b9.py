# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b9`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, history or
figures) until its one blind run: seed 5531 on commit 6d49060
(``privacy_blind_seeds.txt``). The detector is tuned on its misses from now on, so its
figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B9Gen``, ``BLIND_TEMPLATES`` -> ``B9_TEMPLATES``,
``BLIND_LOCALES`` -> ``B9_LOCALES``, ``blind_names`` -> ``b9_names``, group ``blind`` ->
``b9``) and its seed log helpers left in ``privacy_blind.py``.

What ``b9`` is: a realistic sample of what a privacy gate on an edge appliance in
EU, US, UK, Middle-Eastern, Asian and Latin-American factories, clinics and shops
sees. Each generator draws the form of each value once: about 60 % everyday forms,
about 40 % less common but genuine ones. Separate from the dev split
(``privacy_templates.py``, ``privacy_corpus.Gen`` and the retired sets ``b1`` to
``b8``):

* templates: a sentence family of its own, none shared with or edited from the dev
  split (checked with a word n-gram overlap test against every dev template while it
  was written) -- prose notes, chat and SMS, e-mails, CSV rows, JSON, YAML and INI
  snippets, key=value logs, forms, and a few lines in Arabic, Spanish, Portuguese,
  Turkish, German and French;
* names: every Faker person locale in Latin letters is read by the dev split, and
  so are the Thai, Sinhala, Indic, CJK and Cyrillic ones, so the names are Arabic
  (``B9_LOCALES``), romanised here by a simplified deterministic scheme (see
  ``arabic_romanise``) minus every name of the dev pools (the romanised ``b4`` to
  ``b8`` pools included); written as real systems write them ("First Last",
  "LAST, First", "Last, First", first + father + family name, an initial and
  surname); titles stay in the sentence;
* values: every one really of its class -- check digits computed here (and checked
  against python-stdnum where it knows the kind while the set was written), phones
  valid per ``phonenumbers``, real calendar dates -- for every class of the corpus
  (names, e-mail, phones, addresses, dates of birth, national IDs of many countries,
  employee/badge numbers, patient numbers, health conditions, injuries, medications
  and procedures, cards, IBANs, IPs, MACs, GPS, secrets of real services,
  passwords), and negatives (part numbers, serials, timestamps, versions, lots,
  GTINs, readings, order and tracking numbers) at about a fifth of the slots;
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

import phonenumbers as pn
import privacy_corpus as corpus
import privacy_retired_b4 as b4
import privacy_retired_b5 as b5
import privacy_retired_b6 as b6
import privacy_retired_b7 as b7
import privacy_retired_b8 as b8

B9_LOCALES = ("ar_AA", "ar_DZ", "ar_PS", "ar_SA")
_DEV_LOCALES = b8._DEV_LOCALES + b8.B8_LOCALES
assert not set(B9_LOCALES) & set(_DEV_LOCALES)

# share of values drawn in an everyday form; the rest take a less common real one
EVERYDAY = 0.6




# --- Arabic names, romanised --------------------------------------------------------------
# A simplified, deterministic scheme for unvocalised Arabic: short vowels and hamza
# seats dropped except word-initially (alif/hamza -> a, i under it); alif, alif
# maqsura and ta marbuta -> a; waw/ya -> u/i between consonants (or after a
# consonant at the end), w/y otherwise; ain -> a word-initially, silent elsewhere;
# shadda doubles its consonant; the article "al" -> "Al-" and the next letter
# capitalised. Vowels are restored by syllable: a consonant followed by another
# takes "a", unless it closes a syllable (it follows a vowel and is not the last
# letter); a final consonant after such a closing one takes "a" before it.
_AR_CONS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f", "ق": "q", "ك": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "h", "پ": "p", "چ": "ch", "ڤ": "v", "گ": "g",
}
_AR_LONG = {"ا": "a", "ى": "a", "ة": "a", "آ": "a"}
_AR_HAMZA = {"أ": "a", "إ": "i", "ء": "", "ئ": "", "ؤ": ""}
_AR_SHADDA = "\u0651"


def _ar_units(word: str) -> list[tuple[str, str]]:
    """Split an Arabic word into (kind, latin) units: C consonant, V vowel."""
    chars = [c for c in word if not ("\u064b" <= c <= "\u0650" or c in "\u0652\u0670\u0640")]
    units: list[tuple[str, str]] = []
    for i, c in enumerate(chars):
        if c == _AR_SHADDA:
            if units and units[-1][0] == "C":
                units.append(units[-1])
            continue
        if c in _AR_CONS:
            units.append(("C", _AR_CONS[c]))
        elif c in _AR_LONG:
            if (i == 0 and c == "ا") or not units or units[-1] != ("V", "a"):
                units.append(("V", "a"))
        elif c in _AR_HAMZA:
            if i == 0 or (_AR_HAMZA[c] and (not units or units[-1][0] == "C")):
                units.append(("V", _AR_HAMZA[c]))
        elif c == "ع":
            if i == 0:
                units.append(("V", "a"))
            else:
                units.append(("S", ""))
        elif c in "وي":
            prev = units[-1][0] if units else ""
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            nxt_cons = nxt in _AR_CONS or nxt in "عوي" or nxt == ""
            if prev in ("C", "S") and nxt_cons:
                units.append(("V", "u" if c == "و" else "i"))
            else:
                units.append(("C", "w" if c == "و" else "y"))
    return [u for u in units if u[0] != "S"] if all(u[0] == "S" for u in units) else units


def _ar_word(word: str) -> str:
    units = _ar_units(word)
    out: list[str] = []
    closed = False  # the last consonant closed a syllable
    for i, (kind, lat) in enumerate(units):
        if kind == "S":
            continue
        if kind == "V":
            out.append(lat)
            closed = False
            continue
        nxt = next((u for u in units[i + 1 :] if u[0] != "S"), None)
        prev_vowel = bool(out) and out[-1][-1:] in "aiu"
        if nxt is None:
            out.append(("a" if closed else "") + lat)
        elif nxt[0] == "C":
            if prev_vowel and i > 0:
                out.append(lat)
                closed = True
                continue
            out.append(lat + "a")
        else:
            out.append(lat)
        closed = False
    return "".join(out)


def arabic_romanise(name: str) -> str:
    """Return the Latin spelling of an Arabic name (the scheme above)."""
    name = name.strip()
    if name.startswith("ال") and len(name) > 3:
        rest = _ar_word(name[2:])
        return "Al-" + rest[:1].upper() + rest[1:]
    w = _ar_word(name)
    return w[:1].upper() + w[1:]


def b9_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of blind names never seen in development:
    the romanised Arabic names minus every dev name (romanised pools included)."""
    dev_first, dev_last = corpus.locale_names(_DEV_LOCALES)
    dev = {n.lower() for n in set(dev_first) | set(dev_last)}
    for romanised in (b4.b4_names, b5.b5_names, b6.b6_names, b7.b7_names, b8.b8_names):
        for first, last in romanised().values():
            dev |= {n.lower() for n in set(first) | set(last)}
    ok = re.compile(r"^(?:Al-)?[A-Z][a-z]{2,}$")

    def pool(names: list[str]) -> list[str]:
        out = set()
        for n in names:
            if " " in n.strip():
                continue
            lat = arabic_romanise(n)
            if ok.match(lat) and lat.lower() not in dev and lat.removeprefix("Al-").lower() not in dev:
                out.add(lat)
        return sorted(out)

    pools: dict[str, tuple[list[str], list[str]]] = {}
    for loc in B9_LOCALES:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        firsts = [str(n) for a in ("first_names", "first_names_male", "first_names_female") for n in vars(p).get(a, ())]
        lasts = pool([str(n) for n in vars(p).get("last_names", ())])
        if firsts:
            pools[loc] = (pool(firsts), lasts)
        else:  # ar_PS, ar_SA list family names only: they join the first pool
            first_loc = next(iter(pools))
            pools[first_loc] = (pools[first_loc][0], sorted(set(pools[first_loc][1]) | set(lasts)))
    return {k: v for k, v in pools.items() if v[0] and v[1]}


# --- check digits (written for this set) -------------------------------------------------
def _luhn_sum(s: str) -> int:
    tot = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch) * (2 if i % 2 else 1)
        tot += d - 9 if d > 9 else d
    return tot


def _luhn(body: str) -> str:
    """``body`` and the digit that makes it pass Luhn."""
    return body + str((10 - _luhn_sum(body + "0") % 10) % 10)


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


_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def _verhoeff(body: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return body + str(_VERHOEFF_INV[c])


_CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23], strict=True))


def _cf_check(body: str) -> str:
    tot = 0
    for i, ch in enumerate(body):
        tot += _CF_ODD[ch] if i % 2 == 0 else (int(ch) if ch.isdigit() else ord(ch) - 65)
    return chr(65 + tot % 26)


_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"]
_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]

# region: (everyday?, national significant number generator pattern) -- "#" a digit
_PHONES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "US": (True, ("212#######", "312#######", "617#######", "713#######", "404#######", "206#######", "614#######", "303#######")),
    "GB": (True, ("74########", "75########", "77########", "79########", "20########", "161#######", "113#######")),
    "DE": (True, ("151########", "160#######", "170#######", "176########", "30########", "89########", "711#######")),
    "FR": (True, ("6########", "7########", "1########", "4########")),
    "ES": (True, ("6########", "91#######", "93#######")),
    "IT": (True, ("33########", "34########", "02########", "06########")),
    "NL": (True, ("6########", "20#######", "10#######")),
    "PL": (True, ("50#######", "60#######", "69#######", "79#######", "22#######")),
    "MX": (True, ("55########", "33########", "81########")),
    "BR": (True, ("119########", "219########", "31########", "419########")),
    "SA": (True, ("5########", "11#######")),
    "AE": (True, ("50#######", "55#######", "4#######")),
    "EG": (False, ("10########", "11########", "12########", "2########")),
    "MA": (False, ("6########", "5229#####")),
    "JO": (False, ("79#######", "77#######", "6#######")),
    "QA": (False, ("55######", "33######", "66######")),
    "TR": (False, ("53########", "54########", "212#######")),
    "CL": (False, ("9########", "22#######")),
    "CO": (False, ("3#########", "601#######")),
    "AR": (False, ("911########", "11########")),
    "PE": (False, ("9########", "1#######")),
    "JP": (False, ("90########", "80########", "3########")),
    "SG": (False, ("8#######", "9#######", "6#######")),
    "IN": (False, ("98########", "70########", "22########")),
    "KR": (False, ("10########", "2########")),
    "CH": (False, ("79#######", "44#######")),
    "IE": (False, ("87#######", "1#######")),
}


class B9Gen(corpus.LocaleGen):
    """The blind split's values: same classes, pools and formats of its own."""

    group_name = "b9"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b9_names())

    def _everyday(self) -> bool:
        return self.r.random() < EVERYDAY

    def _rnd(self, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def _d(self, n: int) -> str:
        return corpus.digits(self.r, n)

    def _birth(self, lo: int = 1945, hi: int = 2008) -> dt.date:
        start = dt.date(lo, 1, 1)
        return start + dt.timedelta(days=self.r.randint(0, (dt.date(hi, 12, 31) - start).days))

    # --- names -------------------------------------------------------------------------
    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        style = r.random()
        if style < 0.6:
            return f"{f} {la}"
        if style < 0.7:
            return f"{la.upper()}, {f}"
        if style < 0.78:
            return f"{la}, {f}"
        if style < 0.9:
            return f"{f} {r.choice(first)} {la}"
        if style < 0.96:
            return f"{f[0]}. {la}"
        return f"{f.upper()} {la.upper()}"

    def first(self) -> str:
        return self.r.choice(self._pool()[0])

    def surname(self) -> str:
        return self.r.choice(self._pool()[1])

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        f = r.choice(first).lower()
        la = r.choice(last).lower().replace("al-", "al")
        if self._everyday():
            user = r.choice([f"{f}.{la}", f"{f[0]}{la}", f"{f}{la[0]}", f"{f}.{la}{r.randint(1, 99)}", f"{la}.{f}", f"{f}_{la}"])
            dom = r.choice(["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "live.com", "web.de", "orange.fr", "libero.it",
                            "gulfsteel-fab.ae", "cedarcare-clinic.com", "harbourline-retail.co.uk", "nordwerk-teile.de"])
            return f"{user}@{dom}"
        user = r.choice([f"{f}.{la}+{r.choice(['payroll', 'lab', 'orders', 'badge'])}", f"{f[0].upper()}.{la.capitalize()}", f"{la}{r.randint(1970, 2005)}",
                         f"{f}-{la}", f"dr.{la}", f"{f}.{la}"])
        dom = r.choice(["yahoo.com.mx", "uol.com.br", "bol.com.br", "hotmail.es", "terra.cl", "naver.com", "qq.com", "yandex.ru", "mail.sa",
                        "moh.gov.sa", "students.ju.edu.jo", "kfshrc.edu.sa", "corp.mx.example-industrial.com", "stc.com.sa", "etisalat.ae", "t-online.de"])
        return f"{user}@{dom}"

    def _nsn(self, region: str) -> str:
        pats = _PHONES[region][1]
        for _ in range(300):
            pat = self.r.choice(pats)
            nsn = "".join(self._d(1) if c == "#" else c for c in pat)
            num = pn.parse("+" + str(pn.country_code_for_region(region)) + nsn)
            if pn.is_valid_number(num) and pn.region_code_for_number(num) == region:
                return nsn
        raise AssertionError(region)

    def _region(self) -> str:
        every = [k for k, v in _PHONES.items() if v[0]]
        return self.r.choice(every if self._everyday() else [k for k, v in _PHONES.items() if not v[0]])

    @staticmethod
    def _groups(nsn: str, region: str) -> str:
        lead = {
            "GB": (4, 6) if nsn[0] == "7" else (2, 4, 4) if nsn[:2] == "20" else (3, 3, 4),
            "DE": (3, 8) if nsn[0] == "1" else (2, 8) if nsn[:2] in ("30", "89") else (3, 7),
            "NL": (1, 8) if nsn[0] == "6" else (2, 7),
            "JP": (2, 4, 4) if nsn[0] in "89" else (1, 4, 4),
            "IT": (3, 7) if nsn[0] == "3" else (2, 8),
            "MA": (3, 6),
            "IE": (2, 7) if nsn[0] == "8" else (1, 7),
            "CH": (2, 3, 2, 2),
            "PE": (3, 3, 3) if nsn[0] == "9" else (1, 7),
            "CO": (3, 3, 4),
            "AR": (1, 2, 4, 4) if nsn[0] == "9" else (2, 4, 4),
            "JO": (1, 4, 4),
        }.get(region)
        sizes = lead or {"US": (3, 3, 4), "MX": (2, 4, 4), "BR": (2, 5, 4), "FR": (1, 2, 2, 2, 2), "SA": (2, 3, 4), "AE": (2, 3, 4), "TR": (3, 3, 2, 2),
                 "JP": (2, 4, 4), "KR": (2, 4, 4), "IN": (5, 5), "SG": (4, 4), "QA": (4, 4), "ES": (3, 3, 3), "PL": (3, 3, 3), "CL": (1, 4, 4), "EG": (2, 4, 4)}.get(region)
        if not sizes:
            return nsn[: len(nsn) - 6] + " " + nsn[-6:] if len(nsn) > 8 else nsn[:-4] + " " + nsn[-4:]
        out, i = [], 0
        for s in sizes:
            out.append(nsn[i : i + s])
            i += s
        if i < len(nsn):
            out[-1] += nsn[i:]
        return " ".join(p for p in out if p)

    def phone(self) -> str:
        r = self.r
        region = self._region()
        nsn = self._nsn(region)
        cc = pn.country_code_for_region(region)
        grouped = self._groups(nsn, region)
        style = r.random()
        if style < 0.55:
            out = f"+{cc} {grouped}"
        elif style < 0.7:
            out = f"+{cc}{nsn}"
        elif style < 0.8:
            out = f"00{cc} {grouped}"
        elif style < 0.9:
            out = f"+{cc}-{grouped.replace(' ', '-')}"
        else:
            out = f"+{cc} ({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}" if region in ("US", "MX") else f"+{cc}.{grouped.replace(' ', '.')}"
        assert pn.is_valid_number(pn.parse(out, "DE" if out.startswith("00") else region)), out
        return out

    def phone_national(self) -> str:
        r = self.r
        region = self._region()
        nsn = self._nsn(region)
        grouped = self._groups(nsn, region)
        if region == "US":
            out = r.choice([f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}", f"{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}", f"{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}"])
        elif region == "BR":
            out = f"({nsn[:2]}) {nsn[2:-4]}-{nsn[-4:]}"
        elif region in ("MX", "SG", "QA", "IN", "CL"):
            out = grouped
        elif region == "JP" or region == "KR":
            out = "0" + grouped.replace(" ", "-")
        elif region == "AR":
            out = f"011 15-{nsn[-8:-4]}-{nsn[-4:]}" if nsn.startswith("911") else f"011 {nsn[2:6]}-{nsn[6:]}"
        elif region in ("IT", "ES", "PL", "CO"):
            out = grouped
        else:
            out = "0" + (grouped if r.random() < 0.75 else nsn)
        assert pn.is_valid_number(pn.parse(out, region)), (out, region)
        return out

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 320)
        if self._everyday():
            kind = r.choice(["us", "us", "uk", "uk", "de", "fr", "es", "it", "nl", "mx", "br", "ae"])
            if kind == "us":
                city, st, z = r.choice([("Columbus", "OH", "432"), ("Tulsa", "OK", "741"), ("Fresno", "CA", "937"), ("Omaha", "NE", "681"), ("Dearborn", "MI", "481"), ("Allentown", "PA", "181"), ("Greenville", "SC", "296")])
                apt = r.choice(["", "", "", f" Apt {r.randint(1, 30)}{r.choice('ABC')}", f", Suite {r.randint(100, 900)}"])
                return f"{r.randint(100, 19999)} {r.choice(['Sycamore', 'Lincoln', 'Prospect', 'Willow Creek', 'Franklin', 'Cedar Ridge'])} {r.choice(['Street', 'Blvd', 'Dr', 'Rd', 'Ln'])}{apt}, {city}, {st} {z}{r.randint(1, 99):02d}"
            if kind == "uk":
                town, area = r.choice([("Sheffield", "S"), ("Coventry", "CV"), ("Derby", "DE"), ("Bradford", "BD"), ("Cardiff", "CF"), ("Reading", "RG"), ("Luton", "LU")])
                return f"{n} {r.choice(['Clarendon', 'Victoria', 'Oakwood', 'Hawthorn', 'Chapel', 'Fernbank'])} {r.choice(['Road', 'Close', 'Avenue', 'Terrace', 'Crescent'])}, {town} {area}{r.randint(1, 20)} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            if kind == "de":
                city, plz = r.choice([("Wuppertal", "42"), ("Regensburg", "93"), ("Oldenburg", "26"), ("Erfurt", "99"), ("Saarbrücken", "66"), ("Würzburg", "97")])
                return f"{r.choice(['Goethe', 'Eichen', 'Schiller', 'Birken', 'Mühlen', 'Friedrich-Ebert-'])}{r.choice(['straße', 'str.', 'ring', 'allee'])} {n}{r.choice(['', '', 'a', 'b'])}, {plz}{r.randint(0, 999):03d} {city}"
            if kind == "fr":
                city, cp = r.choice([("Toulouse", "31"), ("Nantes", "44"), ("Strasbourg", "67"), ("Montpellier", "34"), ("Le Havre", "76")])
                return f"{n}{r.choice(['', '', ' bis'])} {r.choice(['rue', 'boulevard', 'allée'])} {r.choice(['Jean Jaurès', 'Pasteur', 'des Tilleuls', 'de la République', 'Gambetta'])}, {cp}{r.randint(0, 999):03d} {city}"
            if kind == "es":
                return f"Avda. {r.choice(['de la Constitución', 'Diagonal', 'del Puerto', 'Blasco Ibáñez'])} {n}, {r.randint(1, 12)}º{r.choice(['A', 'B', 'izq.', 'dcha.'])}, {r.choice(['29001 Málaga', '30001 Murcia', '33001 Oviedo', '03001 Alicante'])}"
            if kind == "it":
                return f"{r.choice(['Corso', 'Viale', 'Piazza'])} {r.choice(['Vittorio Emanuele II', 'Cavour', 'Matteotti', 'della Libertà'])} {n}, {r.choice(['40121 Bologna', '50123 Firenze', '80133 Napoli', '10121 Torino'])}"
            if kind == "nl":
                return f"{r.choice(['Prinses', 'Oranje', 'Nieuwe', 'Hoog'])}{r.choice(['gracht', 'straat', 'singel', 'weg'])} {n}, {r.randint(1000, 9999)} {r.choice('BCDEGHJKLMNPRSTVWXZ')}{r.choice('BCDEGHJKLMNPRSTVWXZ')} {r.choice(['Eindhoven', 'Groningen', 'Leiden', 'Nijmegen'])}"
            if kind == "mx":
                return f"Calle {r.choice(['Morelos', 'Juárez', 'Hidalgo', '5 de Mayo'])} {n}, Col. {r.choice(['Centro', 'Del Valle', 'Roma Norte', 'Industrial'])}, {r.choice(['64000 Monterrey, N.L.', '44100 Guadalajara, Jal.', '03100 Ciudad de México, CDMX', '76000 Querétaro, Qro.'])}"
            if kind == "br":
                return f"Rua {r.choice(['das Flores', 'XV de Novembro', 'Sete de Setembro', 'Barão do Rio Branco'])}, {n} - {r.choice(['Centro', 'Jardim Paulista', 'Boa Vista'])}, {r.choice(['Curitiba - PR', 'São Paulo - SP', 'Campinas - SP', 'Recife - PE'])}, {r.randint(10000, 89999)}-{r.randint(0, 999):03d}"
            return f"Villa {n}, {r.choice(['Street 12', 'Al Wasl Road', 'Street 4B', 'Hessa Street'])}, {r.choice(['Al Barsha 2', 'Jumeirah 1', 'Mirdif', 'Al Quoz Industrial Area 3'])}, Dubai, UAE"
        kind = r.choice(["sa", "sa", "eg", "jo", "ma", "tr", "cl", "ar", "co", "jp", "sg", "us_pobox", "uk_flat", "ar_script"])
        if kind == "sa":
            return f"{r.randint(1000, 9999)} {r.choice(['King Fahd Rd', 'Prince Sultan St', 'Olaya St', 'Al Tahlia St'])}, {r.choice(['Al Olaya', 'Al Malqa', 'Al Rawdah', 'Al Khobar Al Shamalia'])}, {r.choice(['Riyadh 12214', 'Jeddah 23432', 'Dammam 32241', 'Al Khobar 34428'])}, Additional No. {r.randint(1000, 9999)}"
        if kind == "eg":
            return f"{n} {r.choice(['El Tahrir St.', 'Gameat El Dowal El Arabia St.', 'El Nozha St.', 'Abbas El Akkad St.'])}, {r.choice(['Dokki, Giza', 'Mohandessin, Giza', 'Heliopolis, Cairo', 'Nasr City, Cairo'])} {r.randint(11311, 12655)}"
        if kind == "jo":
            return f"Building {n}, {r.choice(['Mecca Street', 'Wasfi Al-Tal Street', 'Zahran Street'])}, {r.choice(['Um Uthaina', 'Sweifieh', 'Abdoun', 'Shmeisani'])}, Amman {r.choice(['11183', '11814', '11195'])}, Jordan"
        if kind == "ma":
            return f"{n}, {r.choice(['Bd Mohammed V', 'Rue Ibn Battouta', 'Av. Hassan II', 'Bd Zerktouni'])}, {r.choice(['Maarif', 'Gauthier', 'Agdal', 'Hay Riad'])}, {r.choice(['20000 Casablanca', '10090 Rabat', '90000 Tanger'])}"
        if kind == "tr":
            return f"{r.choice(['Atatürk Cad.', 'Cumhuriyet Mah. İnönü Sk.', 'Bağdat Cad.', 'Fevzi Çakmak Mah. 10532 Sk.'])} No:{n} D:{r.randint(1, 24)}, {r.choice(['34740 Kadıköy/İstanbul', '06420 Çankaya/Ankara', '35220 Konak/İzmir', '16140 Nilüfer/Bursa'])}"
        if kind == "cl":
            return f"{r.choice(['Av. Providencia', 'Av. Libertador Bernardo O’Higgins', 'Calle Merced', 'Av. Apoquindo'])} {r.randint(100, 6999)}, depto {r.randint(101, 2209)}, {r.choice(['Providencia', 'Las Condes', 'Santiago', 'Ñuñoa'])}, Región Metropolitana"
        if kind == "ar":
            return f"{r.choice(['Av. Corrientes', 'Av. Rivadavia', 'Calle Florida', 'Av. Santa Fe'])} {r.randint(100, 8999)}, piso {r.randint(1, 14)} dto. {r.choice('ABCDEF')}, {r.choice(['C1043AAZ CABA', 'C1406GZB CABA', 'B1642 San Isidro', 'X5000 Córdoba'])}"
        if kind == "co":
            return f"{r.choice(['Cra.', 'Calle', 'Av. Cra.'])} {r.randint(1, 120)} # {r.randint(1, 140)}-{r.randint(1, 99)}, {r.choice(['Bogotá D.C.', 'Medellín, Antioquia', 'Cali, Valle del Cauca', 'Barranquilla, Atlántico'])}"
        if kind == "jp":
            return r.choice([f"〒{r.randint(100, 999)}-{r.randint(0, 9999):04d} 愛知県名古屋市中村区名駅{r.randint(1, 5)}丁目{r.randint(1, 30)}-{r.randint(1, 20)}", f"{r.randint(1, 5)}-{r.randint(1, 30)}-{r.randint(1, 20)} {r.choice(['Shiba', 'Nishi-Shinjuku', 'Umeda'])}, {r.choice(['Minato-ku, Tokyo 105-0014', 'Shinjuku-ku, Tokyo 160-0023', 'Kita-ku, Osaka 530-0001'])}"])
        if kind == "sg":
            return f"Blk {r.randint(100, 999)} {r.choice(['Jurong West St 61', 'Tampines Ave 4', 'Ang Mo Kio Ave 10', 'Woodlands Dr 14'])}, #{r.randint(2, 16):02d}-{r.randint(1, 450):02d}, Singapore {r.randint(100000, 829999)}"
        if kind == "us_pobox":
            return f"PO Box {r.randint(10, 9999)}, {r.choice(['Laredo, TX 78042', 'Yuma, AZ 85366', 'Bangor, ME 04402', 'Casper, WY 82602'])}"
        if kind == "uk_flat":
            return f"Flat {r.randint(1, 40)}, {r.choice(['Alder House', 'Kestrel Court', 'Meridian Point'])}, {n} {r.choice(['Bath Road', 'Wellington Street', 'Canal Walk'])}, {r.choice(['Slough SL1', 'Leeds LS2', 'Salford M5'])} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        return f"{r.choice(['شارع الملك عبدالعزيز', 'شارع التحلية', 'شارع الأمير محمد بن عبدالعزيز'])} {n}، حي {r.choice(['الروضة', 'النزهة', 'السلامة'])}، {r.choice(['جدة 23433', 'الرياض 12345', 'الدمام 32242'])}"

    def date(self) -> str:
        r = self.r
        b = self._birth()
        if self._everyday():
            return r.choice([f"{b:%Y-%m-%d}", f"{b:%d/%m/%Y}", f"{b:%m/%d/%Y}", f"{b.day} {_EN[b.month - 1]} {b.year}", f"{_EN[b.month - 1]} {b.day}, {b.year}", f"{b:%d.%m.%Y}", f"{b.day:02d} {_EN[b.month - 1][:3]} {b.year}"])
        return r.choice([f"{b:%d-%b-%Y}".upper(), f"{b:%Y%m%d}", f"{b.month}/{b.day}/{b:%y}", f"{b.day} de {_ES[b.month - 1]} de {b.year}", f"{b.day}. {_DE[b.month - 1]} {b.year}",
                         f"{b.year}年{b.month}月{b.day}日", f"{b:%Y/%m/%d}", f"{b.day}-{b.month}-{b.year}", f"{b:%a %d %b %Y}"])

    # --- identifiers -------------------------------------------------------------------
    def national_id(self) -> str:
        r = self.r
        kind = r.choice(["us", "us", "uk", "de", "fr", "it", "es", "nl", "br", "mx", "sa", "ae"] if self._everyday() else
                        ["cl", "tr", "il", "in", "cn", "sg", "kr", "jp", "se", "fi", "be", "pl", "ca", "ie", "pt", "nhs", "ar", "es_nie"])
        b = self._birth(1950, 2005)
        d = self._d
        if kind == "us":
            while True:
                area = r.randint(1, 899)
                if area != 666:
                    break
            g, s = r.randint(1, 99), r.randint(1, 9999)
            return r.choice([f"{area:03d}-{g:02d}-{s:04d}", f"{area:03d} {g:02d} {s:04d}", f"{area:03d}{g:02d}{s:04d}"])
        if kind == "uk":
            while True:
                p = r.choice("ABCEGHJKLMNOPRSTWXYZ") + r.choice("ABCEGHJKLMNPRSTWXYZ")
                if p not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
                    break
            body = d(6)
            suf = r.choice("ABCD")
            return r.choice([f"{p}{body}{suf}", f"{p} {body[:2]} {body[2:4]} {body[4:]} {suf}"])
        if kind == "de":
            while True:
                body = str(r.randint(1, 9)) + d(9)
                counts = sorted((body.count(c) for c in set(body)), reverse=True)
                if counts[0] in (2, 3) and (len(counts) < 2 or counts[1] == 1):
                    break
            v = body + _mod11_10(body)
            return r.choice([v, f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}"])
        if kind == "fr":
            body = f"{r.randint(1, 2)}{b:%y}{b.month:02d}{r.randint(1, 95):02d}{r.randint(1, 999):03d}{r.randint(1, 999):03d}"
            key = 97 - int(body) % 97
            return r.choice([f"{body}{key:02d}", f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:]} {key:02d}"])
        if kind == "it":
            cons = "BCDFGHLMNPRSTVZ"
            mon = "ABCDEHLMPRST"[b.month - 1]
            day = b.day + (40 if r.random() < 0.5 else 0)
            body = "".join(r.choice(cons) for _ in range(3)) + "".join(r.choice(cons + "AEIOU") for _ in range(3)) + f"{b:%y}{mon}{day:02d}" + r.choice("ADFHLMG") + f"{r.randint(1, 999):03d}"
            return body + _cf_check(body)
        if kind in ("es", "es_nie"):
            letters = "TRWAGMYFPDXBNJZSQVHLCKE"
            if kind == "es":
                num = r.randint(1000000, 99999999)
                return r.choice([f"{num:08d}{letters[num % 23]}", f"{num:08d}-{letters[num % 23]}"])
            pre = r.choice("XYZ")
            num = r.randint(0, 9999999)
            return f"{pre}{num:07d}{letters[int(str('XYZ'.index(pre)) + f'{num:07d}') % 23]}"
        if kind == "nl":
            while True:
                body = d(8)
                c = sum(int(x) * w for x, w in zip(body, range(9, 1, -1), strict=True)) % 11
                if c < 10 and body[0] != "0":
                    return body + str(c)
        if kind == "br":
            body = d(9)
            for _ in range(2):
                s = sum(int(x) * w for x, w in zip(body, range(len(body) + 1, 1, -1), strict=True))
                body += str(0 if s % 11 < 2 else 11 - s % 11)
            return r.choice([f"{body[:3]}.{body[3:6]}.{body[6:9]}-{body[9:]}", body])
        if kind == "mx":
            v = "AEIOU"
            cons = "BCDFGHJKLMNPQRSTVWXYZ"
            body = (r.choice(cons) + r.choice(v) + r.choice(cons) + r.choice(cons + v) + f"{b:%y%m%d}" + r.choice("HM")
                    + r.choice(["AS", "BC", "CH", "DF", "GT", "JC", "MC", "NL", "PL", "QT", "SP", "VZ", "YN"]) + "".join(r.choice(cons) for _ in range(3))
                    + (str(r.randint(0, 9)) if b.year < 2000 else r.choice(string.ascii_uppercase)))
            alpha = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
            s = sum(alpha.index(c) * (18 - i) for i, c in enumerate(body))
            return body + str((10 - s % 10) % 10)
        if kind == "sa":
            v = _luhn(r.choice("12") + d(8))
            return v
        if kind == "ae":
            v = _luhn(f"784{b.year}{d(7)}")
            return r.choice([f"{v[:3]}-{v[3:7]}-{v[7:14]}-{v[14]}", v])
        if kind == "cl":
            num = r.randint(5_000_000, 26_000_000)
            s = sum(int(x) * w for x, w in zip(reversed(str(num)), [2, 3, 4, 5, 6, 7] * 2, strict=False))
            c = 11 - s % 11
            dv = {11: "0", 10: "K"}.get(c, str(c))
            return r.choice([f"{num:,}".replace(",", ".") + f"-{dv}", f"{num}-{dv}"])
        if kind == "tr":
            ds = [r.randint(1, 9)] + [r.randint(0, 9) for _ in range(8)]
            ds.append(((ds[0] + ds[2] + ds[4] + ds[6] + ds[8]) * 7 - (ds[1] + ds[3] + ds[5] + ds[7])) % 10)
            ds.append(sum(ds) % 10)
            return "".join(map(str, ds))
        if kind == "il":
            return _luhn(d(8))
        if kind == "in":
            v = _verhoeff(str(r.randint(2, 9)) + d(10))
            return r.choice([f"{v[:4]} {v[4:8]} {v[8:]}", v])
        if kind == "cn":
            body = r.choice(["110105", "110101", "110102", "310104", "310101", "120101"]) + f"{b:%Y%m%d}" + d(3)
            s = sum(int(x) * (2 ** (17 - i) % 11) for i, x in enumerate(body))
            c = (12 - s % 11) % 11
            return body + ("X" if c == 10 else str(c))
        if kind == "sg":
            pre = r.choice("ST")
            body = d(7)
            s = sum(int(x) * w for x, w in zip(body, (2, 7, 6, 5, 4, 3, 2), strict=True)) + (4 if pre == "T" else 0)
            return pre + body + "JZIHGFEDCBA"[s % 11]
        if kind == "kr":
            g = r.choice("12") if b.year < 2000 else r.choice("34")
            body = f"{b:%y%m%d}{g}{r.randint(0, 96):02d}{d(3)}"
            c = (11 - sum(int(x) * w for x, w in zip(body, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True)) % 11) % 10
            return f"{body[:6]}-{body[6:]}{c}"
        if kind == "jp":
            body = d(11)
            s = sum(int(x) * (n + 1 if n <= 6 else n - 5) for n, x in zip(range(1, 12), reversed(body), strict=True))
            rem = s % 11
            v = body + str(0 if rem <= 1 else 11 - rem)
            return r.choice([v, f"{v[:4]} {v[4:8]} {v[8:]}"])
        if kind == "se":
            body = f"{b:%y%m%d}{d(3)}"
            v = _luhn(body)
            return r.choice([f"{v[:6]}-{v[6:]}", f"{b.year // 100}{v[:6]}-{v[6:]}"])
        if kind == "fi":
            ind = r.randint(2, 899)
            c = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(f"{b:%d%m%y}{ind:03d}") % 31]
            return f"{b:%d%m%y}{'-' if b.year < 2000 else 'A'}{ind:03d}{c}"
        if kind == "be":
            seq = r.randint(1, 998)
            base = f"{b:%y%m%d}{seq:03d}"
            c = 97 - int(("2" if b.year >= 2000 else "") + base) % 97
            return r.choice([f"{base[:2]}.{base[2:4]}.{base[4:6]}-{base[6:]}.{c:02d}", f"{base}{c:02d}"])
        if kind == "pl":
            m = b.month + (20 if b.year >= 2000 else 0)
            body = f"{b:%y}{m:02d}{b:%d}{d(4)}"
            s = sum(int(x) * w for x, w in zip(body, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), strict=True))
            return body + str((10 - s % 10) % 10)
        if kind == "ca":
            v = _luhn(str(r.choice([1, 2, 3, 4, 5, 6, 7, 9])) + d(7))
            return r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", f"{v[:3]}-{v[3:6]}-{v[6:]}"])
        if kind == "ie":
            body = d(7)
            s = sum(int(x) * w for x, w in zip(body, range(8, 1, -1), strict=True))
            return body + "WABCDEFGHIJKLMNOPQRSTUV"[s % 23]
        if kind == "pt":
            while True:
                body = r.choice("123") + d(7)
                c = 11 - sum(int(x) * w for x, w in zip(body, range(9, 1, -1), strict=True)) % 11
                if c < 10:
                    return body + str(c) if r.random() < 0.6 else f"{body[:3]} {body[3:6]} {body[6:]}{c}"
                if c in (10, 11):
                    return body + "0"
        if kind == "nhs":
            while True:
                body = str(r.randint(4, 6)) + d(8)
                c = 11 - sum(int(x) * w for x, w in zip(body, range(10, 1, -1), strict=True)) % 11
                if c == 11:
                    c = 0
                if c != 10:
                    v = body + str(c)
                    return r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", v, f"{v[:3]}-{v[3:6]}-{v[6:]}"])
        num = r.randint(10_000_000, 45_999_999)
        return f"{num:,}".replace(",", ".")

    def pesel(self) -> str:
        b = self._birth(1950, 2006)
        m = b.month + (20 if b.year >= 2000 else 0)
        body = f"{b:%y}{m:02d}{b:%d}{self._d(4)}"
        s = sum(int(x) * w for x, w in zip(body, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), strict=True))
        return body + str((10 - s % 10) % 10)

    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"E{r.randint(10000, 999999)}", f"{r.randint(10000000, 99999999)}", f"EMP{r.randint(1000, 99999):05d}", f"{r.choice(['MX', 'DE', 'SA', 'UK'])}-{r.randint(100000, 999999)}",
                             f"{r.randint(100000, 999999)}", f"W{r.randint(1000, 9999)}"])
        return r.choice([f"HR/{r.randint(2008, 2026)}/{r.randint(1, 9999):04d}", f"P{r.randint(0, 9999999):07d}", f"{r.choice('ABCDKLMT')}{r.randint(10, 99)}-{r.randint(1000, 9999)}",
                         f"STF{r.randint(10000, 99999)}", f"{r.randint(1, 255)}:{r.randint(1, 65535):05d}", f"C{r.randint(100000, 999999)}-{r.randint(1, 9)}", f"ID {r.randint(1000, 9999)}-{r.randint(10, 99)}"])

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.randint(1000000, 9999999)}", f"{r.randint(0, 99999999):08d}", f"{r.randint(100000000, 999999999)}", f"{r.randint(100000, 999999)}"])
        return r.choice([f"{r.randint(10, 99)}-{r.randint(10, 99)}-{r.randint(10, 99)}", f"{r.randint(1000000000, 9999999999)}", f"00{r.randint(1000000, 9999999)}", f"{r.randint(100, 999)}-{r.randint(100, 999)}-{r.randint(100, 999)}"])

    def mrn_token(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"MRN{r.randint(1000000, 9999999)}", f"E{r.randint(1000000, 9999999)}", f"H{r.randint(100000, 999999)}", f"PT-{r.randint(100000, 9999999)}"])
        return r.choice([f"{r.choice(['RXH', 'KCH', 'QEH'])}{r.randint(1000000, 9999999)}", f"HN{r.randint(60, 69)}-{r.randint(1, 999999):06d}", f"UR{r.randint(100000, 9999999)}",
                         f"{r.choice('ABKMT')}{r.randint(100000, 999999)}{r.choice('ABCDEFGHJK')}", f"PID^{r.randint(100000, 9999999)}", f"MR-{r.randint(2015, 2026)}-{r.randint(1, 999999):06d}"])

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["high blood pressure", "type 1 diabetes", "diabetes", "asthma", "a peanut allergy", "coeliac disease", "depression", "an underactive thyroid",
                             "arthritis", "high cholesterol", "eczema", "gout", "hay fever", "a hernia", "anaemia", "long COVID", "acid reflux", "a shellfish allergy"])
        return r.choice(["sickle cell disease", "multiple sclerosis", "ulcerative colitis", "atrial fibrillation", "hepatitis B", "bipolar disorder", "psoriasis",
                         "rheumatoid arthritis", "thalassaemia minor", "PTSD", "lupus", "Parkinson's disease", "chronic kidney disease stage 3", "G6PD deficiency",
                         "tuberculosis", "hypothyroidism", "ADHD", "endometriosis", "glaucoma", "heart failure", "an eating disorder", "narcolepsy"])

    def injury(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["trapped two fingers in the door", "twisted a knee on the stairs", "got a chemical splash on the forearm", "pulled a muscle in the lower back",
                             "crushed a toe under a pallet", "sliced a palm on sheet metal", "took a blow to the head from a hanging hook"])
        return r.choice(["dislocated a shoulder", "suffered a second-degree burn to the wrist", "broke a collarbone", "tore a ligament in the thumb",
                         "got a flash burn to both eyes from the welder", "suffered a puncture wound to the calf", "inhaled solvent fumes and passed out"])

    def sick(self) -> str:
        return self.r.choice(["off on a fit note until Friday", "off work with a doctor's certificate", "on long-term sick leave", "in hospital since Tuesday",
                              "on phased return after surgery", "signed off for stress", "on maternity leave"])

    def outcome(self) -> str:
        return self.r.choice(["grazed elbow", "suspected fractured hip", "bump on the forehead", "sprained wrist", "cut lip", "bruised ribs", "no visible injury but dizzy"])

    def medication(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["metformin 500 mg twice daily", "ramipril 5 mg", "atorvastatin 20 mg at night", "salbutamol inhaler", "omeprazole 20 mg", "levothyroxine 75 mcg",
                             "amoxicillin 500 mg three times a day", "ibuprofen 400 mg", "sertraline 50 mg", "insulin glargine 20 units", "paracetamol 1 g"])
        return r.choice(["apixaban 5 mg bd", "methotrexate 15 mg weekly", "warfarin (INR target 2-3)", "lithium carbonate 400 mg", "adalimumab 40 mg every two weeks",
                         "tacrolimus 2 mg", "buprenorphine patch 10 mcg/h", "hydroxychloroquine 200 mg", "an EpiPen 0.3 mg", "clopidogrel 75 mg od", "prednisolone 30 mg tapering"])

    def procedure(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["a colonoscopy", "a knee replacement", "cataract surgery", "an MRI of the lumbar spine", "a CT scan", "an appendectomy", "physiotherapy", "chemotherapy"])
        return r.choice(["a coronary angiogram", "haemodialysis", "a laparoscopic cholecystectomy", "an ERCP", "a bone marrow biopsy", "a carpal tunnel release", "an EEG", "IVF"])

    # --- finance -----------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        if self._everyday():
            prefix, length = r.choice([("4", 16), ("4", 16), ("5" + str(r.randint(1, 5)), 16), ("2" + str(r.randint(221, 720)), 16), ("3" + r.choice("47"), 15)])
        else:
            prefix, length = r.choice([("6011", 16), ("65", 16), ("35" + str(r.randint(28, 89)), 16), ("62", 16), ("36", 14), ("4", 13), ("62", 19), ("6759", 16), ("5018", 16)])
        num = _luhn(prefix + self._d(length - len(prefix) - 1))
        sep = r.choice([" ", " ", "-", ""])
        if length == 15:
            return f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        if length == 14:
            return f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        if length in (13, 19):
            return num if r.random() < 0.7 else f"{num[:4]} {num[4:8]} {num[8:12]} {num[12:]}"
        return sep.join(num[i : i + 4] for i in range(0, length, 4))

    def iban(self) -> str:
        r = self.r
        d = self._d
        up = string.ascii_uppercase
        if self._everyday():
            c = r.choice(["DE", "GB", "FR", "ES", "IT", "NL", "SA", "AE", "BE", "AT"])
        else:
            c = r.choice(["BR", "TR", "JO", "QA", "EG", "PS", "PT", "PL", "CH", "IE", "KW", "BH"])
        bban = {
            "DE": lambda: d(18), "GB": lambda: r.choice(["BARC", "LOYD", "HBUK", "MIDL"]) + d(14), "FR": lambda: None, "ES": lambda: None, "IT": lambda: None,
            "NL": lambda: r.choice(["RABO", "INGB", "ABNA", "TRIO"]) + d(10), "SA": lambda: r.choice(["80", "10", "45", "20"]) + d(18), "AE": lambda: r.choice(["033", "026", "035"]) + d(16),
            "BE": lambda: None, "AT": lambda: d(16), "BR": lambda: d(23) + r.choice("CP") + r.choice("12"), "TR": lambda: d(5) + "0" + d(16),
            "JO": lambda: r.choice(["CBJO", "ARAB", "HBHO"]) + d(22), "QA": lambda: r.choice(["QNBA", "DOHB", "CBQA"]) + "".join(r.choice(up + string.digits) for _ in range(21)),
            "EG": lambda: d(25), "PS": lambda: r.choice(["PALS", "ARAB"]) + d(21), "PT": lambda: None, "PL": lambda: d(24), "CH": lambda: d(5) + d(12),
            "IE": lambda: r.choice(["AIBK", "BOFI"]) + d(14), "KW": lambda: r.choice(["NBOK", "CBKU"]) + d(22), "BH": lambda: r.choice(["NBOB", "BBKU"]) + d(14),
        }[c]()
        if c == "FR":
            bank, branch, acct = d(5), d(5), d(11)
            key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97
            bban = f"{bank}{branch}{acct}{key:02d}"
        elif c == "ES":
            bank, branch, acct = d(4), d(4), d(10)
            w = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)

            def dc(s: str) -> str:
                v = 11 - sum(int(x) * y for x, y in zip(s, w, strict=True)) % 11
                return str({11: 0, 10: 1}.get(v, v))

            bban = bank + branch + dc("00" + bank + branch) + dc(acct) + acct
        elif c == "IT":
            rest = d(10) + d(12)
            odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
            tot = sum(odd[int(x)] if i % 2 == 0 else int(x) for i, x in enumerate(rest))
            bban = chr(65 + tot % 26) + rest
        elif c == "BE":
            body = r.choice(["001", "363", "734", "068"]) + d(7)
            chk = int(body) % 97 or 97
            bban = f"{body}{chk:02d}"
        elif c == "PT":
            body = d(19)
            chk = 98 - int(body + "00") % 97
            bban = f"{body}{chk:02d}"
        assert bban is not None
        iban = _iban(c, bban)
        if r.random() < 0.6:
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban

    # --- network and location ----------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"192.168.{r.randint(0, 254)}.{r.randint(2, 254)}", f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                             f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}", f"{r.choice([81, 86, 91, 185, 203, 41, 189, 200])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"])
        h = lambda: f"{r.randint(0, 65535):x}"  # noqa: E731
        return r.choice([f"2a02:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}", f"fe80::{h()}:{h()}:{h()}:{h()}", f"2001:41d0:{h()}::{h()}", f"fd{r.randint(0, 255):02x}:{h()}:{h()}::{r.randint(1, 254)}",
                         f"100.{r.randint(64, 127)}.{r.randint(0, 255)}.{r.randint(1, 254)}", f"::ffff:{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"])

    def mac(self) -> str:
        r = self.r
        octs = [r.choice(["00", "3C", "B8", "DC", "F4", "A4", "00", "70"])] + [f"{r.randint(0, 255):02X}" for _ in range(5)]
        if self._everyday():
            sep = r.choice([":", ":", "-"])
            s = sep.join(octs)
            return s.lower() if r.random() < 0.4 else s
        h = "".join(octs).lower()
        return r.choice([f"{h[:4]}.{h[4:8]}.{h[8:]}", h, h.upper(), f"{h[:6]}-{h[6:]}"])

    def gps(self) -> str:
        r = self.r
        lat, lon = r.choice([(24.7, 46.7), (25.2, 55.3), (30.0, 31.2), (19.4, -99.1), (-23.5, -46.6), (-33.4, -70.6), (40.4, -3.7), (51.5, -0.1), (52.5, 13.4),
                             (41.9, 12.5), (35.7, 139.7), (1.35, 103.8), (41.0, 28.9), (33.7, -84.4), (4.7, -74.1), (31.95, 35.9)])
        lat += r.uniform(-0.4, 0.4)
        lon += r.uniform(-0.4, 0.4)
        if self._everyday():
            return r.choice([f"{lat:.6f}, {lon:.6f}", f"{lat:.5f},{lon:.5f}", f"{lat:.4f} {lon:.4f}"])

        def dms(v: float) -> tuple[int, int, float]:
            a = abs(v)
            deg = int(a)
            mins = int((a - deg) * 60)
            return deg, mins, (a - deg - mins / 60) * 3600

        (ad, am, asec), (od, om, osec) = dms(lat), dms(lon)
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        return r.choice([f"{ad}°{am:02d}'{asec:04.1f}\"{ns} {od}°{om:02d}'{osec:04.1f}\"{ew}", f"{ns}{abs(lat):.5f} {ew}{abs(lon):.5f}", f"{abs(lat):.4f}°{ns}, {abs(lon):.4f}°{ew}",
                         f"{ad}° {am + asec / 60:.3f}' {ns}, {od}° {om + osec / 60:.3f}' {ew}", f"geo:{lat:.6f},{lon:.6f}"])

    # --- secrets -----------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        rnd = self._rnd
        an = string.ascii_letters + string.digits
        hx = "0123456789abcdef"
        if self._everyday():
            return r.choice(["AKIA" + rnd(16, string.ascii_uppercase + "234567"), rnd(40, an + "/+"), "ghp_" + rnd(36), "gho_" + rnd(36), "glpat-" + rnd(20, an + "-_"),
                             "sk_test_" + rnd(24), "SG." + rnd(22, an + "-_") + "." + rnd(43, an + "-_"), "xoxb-" + rnd(12, string.digits) + "-" + rnd(13, string.digits) + "-" + rnd(24),
                             "hf_" + rnd(34), "npm_" + rnd(36), "sk-ant-api03-" + rnd(93, an + "-_") + "AA"])
        return r.choice([f"{r.randint(10**9, 10**10 - 1)}:AA{rnd(33, an + '-_')}", "ya29.a0" + rnd(100, an + "-_"), "dop_v1_" + rnd(64, hx), "AC" + rnd(32, hx),
                         "key-" + rnd(32, hx), "shpss_" + rnd(32, hx), "DefaultEndpointsProtocol=https;AccountName=plant" + rnd(4, string.ascii_lowercase + string.digits) + ";AccountKey=" + rnd(86, an + "+/") + "==;EndpointSuffix=core.windows.net",
                         "postgres://svc_report:" + rnd(18) + "@db-" + rnd(4, string.ascii_lowercase) + ".internal:5432/erp", "AGE-SECRET-KEY-1" + rnd(58, "023456789ACDEFGHJKLMNPQRSTUVWXYZ"),
                         "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA" + rnd(46, an + "+/") + "\n" + rnd(70, an + "+/") + "\n-----END OPENSSH PRIVATE KEY-----",
                         "whsec_" + rnd(32), "rk_test_" + rnd(24), "FLWSECK-" + rnd(32, hx) + "-X"])

    def password(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.choice(['Riyadh', 'Dubai', 'Mexico', 'Brasil', 'Welcome', 'Spring', 'Admin', 'Monday'])}{r.choice(['@', '#', '', '_'])}{r.choice(['2024', '2025', '2026', '123', '1'])}{r.choice(['', '!', '.'])}",
                             f"{r.choice(['Hilal', 'Realmadrid', 'Chelsea', 'Flamengo', 'Juventus'])}{r.randint(1, 99)}{r.choice(['!', '', '#'])}", self._rnd(12, string.ascii_letters + string.digits + "!#%&*?"),
                             f"{r.choice(['abc', 'pass', 'test', 'shop'])}{r.randint(1000, 99999)}"])
        return r.choice([f"{r.choice(['blue', 'copper', 'desert', 'falcon', 'olive'])} {r.choice(['camel', 'window', 'harbor', 'lamp'])} {r.choice(['seven', 'dance', 'coffee', 'stone'])}",
                         f"{self._rnd(4, string.ascii_uppercase)}-{self._rnd(4, string.ascii_lowercase + string.digits)}-{self._rnd(4, string.ascii_letters)}", self._d(r.choice([4, 6])),
                         f"{r.choice(['Clave', 'Senha', 'Sifre', 'Kennwort'])}.{r.randint(10, 99)}{self._rnd(2, string.ascii_uppercase)}", f"${self._rnd(2, string.ascii_uppercase)}{r.randint(1000, 9999)}!{self._rnd(3)}",
                         r.choice(["P@$$w0rd", "Adm1n!str8r", "L3tM3In#"]) + str(r.randint(10, 99))])

    # --- negatives ---------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice([f"{r.choice(['NJ', 'NU', 'NUP'])}{r.choice(['206', '2210', '312'])} {r.choice(['ECP', 'ECJ'])}", f"1756-{r.choice(['L83E', 'IB16', 'OB16E', 'EN2T'])}", f"{r.randint(100, 999)}{r.choice('ABCDEFGH')}{r.randint(1000, 9999)}-{r.randint(1, 9)}",
                         f"M{r.choice([6, 8, 10, 12])}x{r.choice([16, 20, 25, 40])} DIN 912 A2", f"PN {r.randint(10000, 99999)}-{r.randint(100, 999)}", f"{r.randint(1000000, 9999999)}-{r.choice('ABC')}",
                         f"RJ45-{r.choice(['C6A', 'C5E'])}-{r.randint(1, 20)}M", f"ART.{r.randint(100000, 999999)}"])

    def serial(self) -> str:
        r = self.r
        up = string.ascii_uppercase + string.digits
        return r.choice([f"C02{self._rnd(8, up)}", f"{r.randint(20, 26)}{r.randint(1, 53):02d}{r.randint(10000, 99999)}", f"S/N: {self._rnd(3, string.ascii_uppercase)}{r.randint(1000000, 9999999)}",
                         f"{self._rnd(2, string.ascii_uppercase)}{r.randint(10000000, 99999999)}", f"PF{self._rnd(6, up)}", f"HW-{r.randint(2023, 2026)}{r.randint(1, 12):02d}-{r.randint(1, 99999):05d}"])

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=r.randint(0, 30_000_000))
        return r.choice([f"{t:%Y-%m-%dT%H:%M:%S}+03:00", f"{t:%Y-%m-%d %H:%M:%S}", f"{t:%d/%m/%Y %H:%M}", f"{t:%b %d %H:%M:%S}", f"{int(t.timestamp() * 1000)}",
                         f"{t:%Y-%m-%dT%H:%M:%S}.{r.randint(0, 999):03d}Z", f"{t:%I:%M %p}", f"{t:%d-%b-%y %H.%M}"])

    def version(self) -> str:
        r = self.r
        return r.choice([f"v{r.randint(1, 6)}.{r.randint(0, 30)}.{r.randint(0, 99)}", f"{r.randint(1, 4)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(1000, 9999)}", f"V{r.randint(1, 9)}.{r.randint(0, 9)}{r.randint(0, 9)}",
                         f"{r.randint(2023, 2026)}.{r.randint(1, 4)}", f"{r.randint(1, 9)}.{r.randint(0, 20)}-{r.choice(['beta', 'lts', 'hotfix'])}{r.randint(1, 9)}", f"SP{r.randint(1, 6)} build {r.randint(100, 9999)}"])

    def lot(self) -> str:
        r = self.r
        return r.choice([f"L{r.randint(24, 26)}{r.randint(1, 366):03d}{r.choice('ABC')}", f"{r.randint(100000, 999999)}", f"LOT-{r.randint(2024, 2026)}-{r.randint(1, 9999):04d}",
                         f"{self._rnd(3, string.ascii_uppercase)}{r.randint(100, 999)}{self._rnd(1, string.ascii_uppercase)}", f"{r.randint(24, 26)}/{r.randint(1, 52):02d}/{r.randint(1, 99):02d}"])

    def ean(self) -> str:
        r = self.r
        style = r.random()
        if style < 0.55:
            return _gtin(r.choice(["628", "629", "750", "789", "780", "869", "490", "400", "840"]) + self._d(9))
        if style < 0.8:
            return _gtin(self._d(11))
        return _gtin(self._d(7))

    def reading(self) -> str:
        r = self.r
        return r.choice([f"{r.uniform(18, 55):.1f} °C", f"{r.uniform(0.2, 9.5):.2f} g", f"{r.uniform(20, 95):.0f} %RH", f"{r.uniform(210, 245):.1f} V", f"{r.uniform(0.1, 60):.1f} L/min",
                         f"{r.uniform(50, 110):.1f} dB(A)", f"{r.uniform(1, 14):.2f} pH", f"{r.uniform(0.5, 30):.2f} kN"])

    def order(self) -> str:
        r = self.r
        up = string.ascii_uppercase + string.digits
        return r.choice([f"1Z{self._rnd(6, up)}{r.randint(10, 99)}{r.randint(10**7, 10**8 - 1)}", f"{r.randint(10**11, 10**12 - 1)}", f"SO-{r.randint(100000, 999999)}",
                         f"ORD{r.randint(2025, 2026)}{r.randint(1, 999999):06d}", f"{r.randint(100, 999)}-{r.randint(1000000, 9999999)}-{r.randint(1000000, 9999999)}",
                         f"RMA{r.randint(10000, 99999)}", f"CASE-{r.randint(100000, 999999)}", f"DN {r.randint(80000000, 89999999)}"])


# Written for the blind set b9 without reading the detector. New situations only: no
# sentence here appears in, or is edited from, the dev templates or b1-b8.
B9_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Morning all, quick one: {first} from paint shop swapped her shift with {person}. If anything comes up ring {phone} before 6.",
        "{\"event\": \"gate_entry\", \"card\": \"{badge}\", \"holder\": \"{person}\", \"reader_ip\": \"{ip}\", \"at\": \"{ts}\"}",
        "level=warn svc=opcua-bridge host={ip} hwaddr={mac} msg=\"auth failed\" user=svc_opc pass={password}",
        "badge_no;surname;given_name;birth_date;home_address\n{badge};{surname};{first};{dob};{address}",
        "First aid book entry #88: {person} {injury} at the slitter, treated by {first}, sent to A&E at {ts}.",
        "Hi {first}, payroll here. Can you confirm the ID number we hold, {natid}, and the IBAN for wages, {iban}?",
        "Spindle on CNC-14 changed: removed {serial}, fitted {part}, measured {reading}, controller {version}.",
        "[mes-agent]\nplant_id = MTY-02\nupstream = https://mes.internal/api\ntoken = {secret}\nnic_mac = {mac}",
        "WhatsApp | {first}: bro I {injury}, doc says two weeks off\nWhatsApp | {first}: ok take care, I'll tell {person}",
        "Return-to-work plan for {person} ({badge}): light duties only, known {condition}, medication {med}.",
        "Yard camera 3 geotag {gps} | truck plate blurred | driver {person} signed the CMR at {ts}.",
        "Fehlzeitenmeldung: {person}, Personalnummer {badge}, ist {sick}. Rückfragen unter {phone_nat}.",
        "Reporte de incidente: el operador {person} ({badge}) sufrió una quemadura leve; supervisor {first}, tel. {phone}.",
        "Inbound QC: GTIN {ean}, batch {lot}, {part}, probe {reading}, delivery {order}.",
        "From: {email}\nTo: ehs-team@plant.example\nSubject: near miss\n\nI saw {person} walk under the crane load at {ts}. Nobody hurt.",
        "Please add {person} (DOB {dob}, national ID {natid}) to the confined-space permit list.",
        "Fuel card for the shuttle van was charged {=NEG:312.40} EUR; card used: {card}, driver {surname}.",
        "- name: {person}\n  role: maintenance tech\n  mobile: \"{phone}\"\n  emergency_contact: \"{person}, {phone_nat}\"",
        "Firmware audit: drive {serial} {version}, drive {serial} {version}, PLC {part}.",
        "تم تسجيل دخول الزائر {person} برقم الهوية {natid} الساعة {ts}",
        "Ops chat: leaked in #line-5 by mistake, rotating now -> {secret}",
        "Compressor room sensor {serial} reported {reading} and {reading}; ticket {order}.",
        "Medical surveillance list: {person}, {badge}, audiogram due; {person}, {badge}, {condition}.",
        "Wage advance approved for {person}; transfer to {iban}, reference {order}.",
        "Accommodation form: {person}, residence {address}, contact {email}.",
    ),
    "clinic": (
        "Appointment reminder sent to {phone}: \"Dear {first}, we look forward to seeing you on Thursday for {procedure}.\"",
        "ADT^A04 | PID|1||{mrn}^^^MAIN^MR||{surname}^{first}||{dob}|F|||{address}",
        "{\"patient\": {\"name\": \"{person}\", \"mrn\": \"{mrn_token}\", \"birth_date\": \"{dob}\"}, \"allergy_list\": [\"{=HEALTH:sulfa drugs}\"], \"problem\": \"{condition}\"}",
        "Called {person} re: blood results. No answer on {phone_nat}, left message, will email {email}.",
        "Medication reconciliation - {person} ({mrn}): continue {med}; stop {med}; history of {condition}.",
        "Consent audit: the surgeon for {procedure} was Dr {surname}; patient {person} (hosp. no {mrn_token}).",
        "Pre-op questionnaire\nFull name: {person}\nBorn: {dob}\nPassport or ID no.: {natid}\nCurrent medicines: {med}\nNext of kin phone: {phone}",
        "Billing query: {person} disputes the invoice; paid {=NEG:85.00} by card {card} on {ts}.",
        "Infusion room: pump {serial}, drug library {version}, occlusion alarm {ts}, sensor value {reading}.",
        "Paciente {person}, fecha de nacimiento {dob}, identificación {natid}, acude por {condition}; se indica {med}.",
        "Paciente {person}, nascida em {dob}, documento {natid}, agendada para {procedure}.",
        "Nurse station chat\n{first}: can someone cover bed 9? {surname} needs {med} at 10\n{first}: on it",
        "Clinic VPN: user {email} logged in from {ip}, device MAC {mac}.",
        "Visitor restriction: only {person} may visit the patient in room 12 ({mrn_token}); request made by {person}.",
        "Home care route stop 4 - {address}, {person}, wound dressing; access code for key safe {password}.",
        "Occupational health: {person}, employee {badge}, {sick} after {procedure}.",
        "Insurance pre-authorisation: insured person {person}, identity document {natid}, diagnosis {condition}, planned {procedure}.",
        "المريض {person} رقم الملف {mrn} يعاني من {condition}",
        "Lab analyser {serial} QC failed at {ts}, reagent lot {lot}, result {reading}.",
        "Patient refund: {person}, IBAN {iban}, original receipt {order}.",
        "EMS dispatch: caller {phone}, patient {person}, location {gps}, complaint: {=HEALTH:shortness of breath}.",
        "Hasta {person}, doğum tarihi {dob}, kimlik no {natid}, tanı: {condition}.",
        "integration.yaml\nfhir_base: https://ehr.example/fhir\nclient_secret: \"{secret}\"\nstaff_password: \"{password}\"",
        "Note from Dr {surname}: {person} had {procedure} on Monday, discharged on {med}, GP to review.",
        "Dossier patient : {person}, né le {dob}, numéro d'identification {natid}, antécédents : {condition}.",
    ),
    "retail": (
        "Hey team, {first} here. The customer who called about the broken blender is {person}, number {phone}, email {email}.",
        "order_id,customer,ship_address,phone,card_last_charge\n{order},{person},\"{address}\",{phone},{card}",
        "{\"order_ref\": \"{order}\", \"member\": \"{person}\", \"birthday\": \"{dob}\", \"tel\": \"{phone_nat}\"}",
        "Pharmacy pickup: {person} collected {med}; proof of ID {natid}; pharmacist {first}.",
        "Till log: op={badge} terminal={ip} mac={mac} ts={ts} event=drawer_open",
        "Security report: shoplifting suspect said his name was {person}, born {dob}; staff witness {person}.",
        "Courier exception {order}: nobody home at {address}, driver left a card, contact {phone}.",
        "Customer {person} told the cashier she has {condition} and asked for a chair; {outcome} after she stumbled.",
        "Refund request\nName: {person}\nIBAN: {iban}\nReason: item {part} arrived damaged\nLot: {lot}",
        "POS config dump\n[payments]\nmerchant_key={secret}\nadmin_pin={password}\nfw={version}",
        "Planogram check: GTIN {ean} missing, probe {reading}, scanner {serial}.",
        "Head office e-mail: please welcome {person} as assistant manager at store 41, contact: {email} / {phone}.",
        "Cliente {person} pidió factura a nombre de su empresa; ID fiscal {natid}; enviar a {email}.",
        "Encomenda {order} para {person}, {address}, telefone {phone_nat}.",
        "Customer chat\n> hi, order {order} never came\n< sorry! can you confirm name and postcode?\n> {person}, it's the {address} one",
        "Mystery caller claimed to be {person} from the bank and asked for card {card} and the CVV.",
        "Van tracker: {gps} / {ts} / {person} at the wheel / tablet {ip}",
        "Warranty registration: {person}, born {dob}, product serial {serial}, bought with card {card}.",
        "عميل: {person}، جوال {phone}، العنوان {address}",
        "Staff rota: {first} {surname} ({badge}) moved to Saturdays; {first} {surname} ({badge}) on nights.",
        "Self-checkout log {ts}: mismatch {reading}, item GTIN {ean}, app {version}.",
        "Müşteri {person}, telefon {phone}, iade edilen ürün {part}.",
        "The e-commerce admin password was changed to {password} by {person}; please rotate the API key {secret} too.",
        "Accident book: colleague {person} {injury} while unloading; badge {badge}.",
        "Supplier remittance {order}: pay {iban}, lot {lot}, qty {=NEG:240}.",
    ),
}
