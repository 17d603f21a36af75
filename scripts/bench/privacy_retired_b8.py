# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b8`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, history or
figures) until its one blind run: seed 7391 on commit 60a10ba
(``privacy_blind_seeds.txt``). The detector is tuned on its misses from now on, so its
figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B8Gen``, ``BLIND_TEMPLATES`` -> ``B8_TEMPLATES``,
``BLIND_LOCALES`` -> ``B8_LOCALES``, ``blind_names`` -> ``b8_names``, group ``blind`` ->
``b8``) and its seed log helpers left in ``privacy_blind.py``.

What ``b8`` is: a realistic sample of what a privacy gate on an edge appliance in
EU, US, UK and Asian factories, clinics and shops sees. Each generator draws the
form of each value once: about 60 % everyday forms, about 40 % less common but
genuine ones. Separate from the dev split (``privacy_templates.py``,
``privacy_corpus.Gen`` and the retired sets ``b1`` to ``b7``):

* templates: a sentence family of its own, none shared with or edited from the dev
  split -- canteen allergy lists, visitor and contractor badges, lab sample labels,
  pharmacy delivery notes, warranty claims, chat transcripts, e-mail signatures,
  CSV rows, YAML and INI snippets, ticket comments, SMS texts, and a few lines in
  Thai, Polish, Portuguese, Czech and Vietnamese;
* names: every Faker person locale written in Latin letters is read by the dev
  split, so the names are Thai (``th_TH``, the one locale of ``B8_LOCALES``),
  romanised here by a simplified, deterministic RTGS scheme (see ``thai_romanise``)
  minus every name of the dev pools (the romanised ``b4`` to ``b7`` pools included);
  written as real systems write them: "First Last", "LAST, First", "Last, First",
  with a middle initial, or an initial and surname; titles stay in the sentence;
* values: every one really of its class -- check digits computed here (checked against
  python-stdnum, where it knows the kind, while the set was written), phones valid per
  ``phonenumbers``, real calendar dates -- for every class of the corpus (names,
  e-mail, phones, addresses, dates of birth, national IDs of many countries,
  employee/badge numbers, patient numbers, health conditions, injuries and
  treatments, cards, IBANs, IPs, MACs, GPS, secrets of real services, passwords),
  and negatives (part numbers, serials, timestamps, versions, lots, GTINs, readings,
  order, invoice and tracking numbers) at about a fifth of the slots.
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
import unicodedata

import phonenumbers as pn
import privacy_corpus as corpus
import privacy_retired_b4 as b4
import privacy_retired_b5 as b5
import privacy_retired_b6 as b6
import privacy_retired_b7 as b7

B8_LOCALES = ("th_TH",)
_DEV_LOCALES = b7._DEV_LOCALES + b7.B7_LOCALES
assert not set(B8_LOCALES) & set(_DEV_LOCALES)

# share of values drawn in an everyday form; the rest take a less common real one
EVERYDAY = 0.6




# --- Thai names, romanised -------------------------------------------------------------
# A simplified Royal Thai General System: tone marks dropped; a consonant before the
# silencer (thanthakhat) dropped with its vowel sign; preposed vowels (e, ae, o, ai)
# read after their onset; consonants romanised by their initial or final value;
# an onset with no vowel sign takes "a" before a marked consonant and "o" plus a
# final otherwise; "rr" reads "an"/"a", a leading silent "h" before a sonorant is
# dropped; k/kh/t/p/ph/b before r/l/w with a vowel sign form a cluster.
_TH_INIT = dict(zip("กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ", ["k", "kh", "kh", "kh", "kh", "kh", "ng", "ch", "ch", "ch", "s", "ch", "y", "d", "t", "th", "th", "th", "n", "d", "t", "th", "th", "th", "n", "b", "p", "ph", "f", "ph", "f", "ph", "m", "y", "r", "l", "w", "s", "s", "s", "h", "l", "", "h"], strict=True))
_TH_FINAL = dict(zip("กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ", ["k", "k", "k", "k", "k", "k", "ng", "t", "t", "t", "t", "t", "n", "t", "t", "t", "t", "t", "n", "t", "t", "t", "t", "t", "n", "p", "p", "p", "p", "p", "p", "p", "m", "i", "n", "n", "o", "t", "t", "t", "", "n", "", ""], strict=True))
_TH_LEAD = "เแโใไ"
_TH_MARK = set("ัิีึืุู็ะาำ")
_TH_TONE = set("่้๊๋")
_TH_SILENT = "์"


def _th_vowel(lead: str, marks: list[str]) -> str:
    m = "".join(marks)
    table = {
        "เ": {"": "e", "ะ": "e", "็": "e", "ีย": "ia", "ียะ": "ia", "ือ": "uea", "ิ": "oe", "อ": "oe", "า": "ao", "าะ": "o"},
        "แ": {"": "ae", "ะ": "ae", "็": "ae"},
        "โ": {"": "o", "ะ": "o"},
        "ใ": {"": "ai"},
        "ไ": {"": "ai"},
    }[lead]
    return table.get(m, table[""])


def thai_romanise(word: str) -> str:
    """Return the Latin spelling of a Thai name (the scheme above)."""
    s = [c for c in word if c not in _TH_TONE and c != "ๆ"]
    out, i, state = [], 0, "start"  # state: start | onset (consonant, no vowel yet) | vowel (nucleus, may take a final)
    n = len(s)

    def is_cons(k: int) -> bool:
        return k < n and s[k] in _TH_INIT

    def marked(k: int) -> bool:
        return k < n and s[k] in _TH_MARK

    while i < n:
        c = s[i]
        if c == _TH_SILENT:
            i += 1
            continue
        if i + 1 < n and s[i + 1] == _TH_SILENT:
            i += 2
            continue
        if c in _TH_INIT and i + 2 < n and s[i + 1] in "ิุ" and s[i + 2] == _TH_SILENT:
            i += 3
            continue
        if c in _TH_LEAD:
            if state == "onset":
                out.append("a")
            j = i + 1
            onset = ""
            if j < n and s[j] == "ห" and j + 1 < n and s[j + 1] in "งญนมยรลว":
                j += 1
            if is_cons(j):
                onset = _TH_INIT[s[j]]
                j += 1
                if s[j - 1] in "กขคตปผพบ" and j < n and s[j] in "รล" and (marked(j + 1) or j + 1 >= n or s[j + 1] in "ยอ"):
                    onset += _TH_INIT[s[j]]
                    j += 1
            marks = []
            while j < n and (s[j] in _TH_MARK or (s[j] in "ยอ" and marks and marks[-1] in "ีื") or (s[j] == "อ" and not marks and c == "เ" and not (j + 1 < n and s[j + 1] in _TH_MARK))):
                marks.append(s[j])
                j += 1
            if c == "เ" and marks == [] and j < n and s[j] == "า":
                marks, j = ["า"], j + 1
            v = _th_vowel(c, marks)
            out.append(onset + v)
            state = "start" if v in ("ai", "ao") else "vowel"
            i = j
            continue
        if c == "ฤ":
            out.append("ri" if state == "onset" else "rue")
            state = "vowel"
            i += 1
            continue
        if c in _TH_MARK:
            if c == "ั":
                if i + 1 < n and s[i + 1] == "ว":
                    out.append("ua")
                    i += 2
                    state = "vowel"
                    continue
                out.append("a")
            elif c == "ำ":
                out.append("am")
                state = "start"
                i += 1
                continue
            elif c == "ื" and i + 1 < n and s[i + 1] == "อ":
                out.append("ue")
                i += 2
                state = "vowel"
                continue
            else:
                out.append({"ิ": "i", "ี": "i", "ึ": "ue", "ื": "ue", "ุ": "u", "ู": "u", "็": "e", "ะ": "a", "า": "a"}[c])
            state = "vowel"
            i += 1
            continue
        if c not in _TH_INIT:
            i += 1
            continue
        nxt_marked = marked(i + 1) or (i + 1 < n and s[i + 1] in _TH_LEAD and False)
        if state == "vowel" and not nxt_marked and not (i + 2 == n and is_cons(i + 1) and out and out[-1][-1:] in "aeiou"):
            out.append(_TH_FINAL[c])
            state = "start"
            i += 1
            continue
        if state == "onset":
            if c == "ร" and i + 1 < n and s[i + 1] == "ร":
                if is_cons(i + 2) and not marked(i + 3):
                    out.append("a")
                    state = "vowel"
                else:
                    out.append("an")
                    state = "start"
                i += 2
                continue
            if c == "อ" and not nxt_marked:
                out.append("o")
                state = "vowel"
                i += 1
                continue
            if c == "ว" and not nxt_marked and is_cons(i + 1):
                out.append("ua")
                state = "vowel"
                i += 1
                continue
            if nxt_marked:
                out.append("a")
                state = "start"
            else:
                out.append("o" + _TH_FINAL[c])
                state = "start"
                i += 1
                continue
        if state == "start" and c == "ห" and i + 1 < n and s[i + 1] in "งญนมยรลว":
            i += 1
            continue
        onset = _TH_INIT[c]
        if c in "กขคตปผพบ" and i + 1 < n and s[i + 1] in "รลว" and marked(i + 2):
            onset += _TH_INIT[s[i + 1]]
            i += 1
        out.append(onset)
        state = "onset"
        i += 1
    if state == "onset":
        out.append("a")
    w = "".join(out)
    return w[:1].upper() + w[1:]


def b8_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of blind names never seen in development:
    the romanised ``th_TH`` names minus every dev name (romanised pools included)."""
    dev_first, dev_last = corpus.locale_names(_DEV_LOCALES)
    dev = set(dev_first) | set(dev_last)
    for romanised in (b4.b4_names, b5.b5_names, b6.b6_names, b7.b7_names):
        for first, last in romanised().values():
            dev |= set(first) | set(last)
    ok = re.compile(r"^[A-Z][a-z]{2,}$")
    pools = {}
    for loc in B8_LOCALES:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        firsts = list(p.first_names_male) + list(p.first_names_female)
        pair = [sorted({n for n in map(thai_romanise, names) if ok.match(n) and n not in dev}) for names in (firsts, list(p.last_names))]
        if pair[0] and pair[1]:
            pools[loc] = (pair[0], pair[1])
    return pools


# --- check digits (written for this set) -------------------------------------------------
def _luhn_ok(s: str) -> bool:
    tot = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch) * (2 if i % 2 else 1)
        tot += d - 9 if d > 9 else d
    return tot % 10 == 0


def _luhn(body: str) -> str:
    """``body`` and the digit that makes it pass Luhn."""
    return next(body + c for c in "0123456789" if _luhn_ok(body + c))


def _wsum(body: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(body, weights, strict=True))


def _iban(country: str, bban: str) -> str:
    num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    iban = f"{country}{98 - num % 97:02d}{bban}"
    assert int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1
    return iban


def _gtin(body: str) -> str:
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return body + str((10 - s % 10) % 10)


def _mod11_10(body: str) -> str:
    """ISO 7064 MOD 11,10 check digit (Croatian OIB, German tax ID)."""
    p = 10
    for ch in body:
        s = (int(ch) + p) % 10 or 10
        p = s * 2 % 11
    return str((11 - p) % 10)


def _ascii(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if c.isascii() and c.isalpha())


_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
_TH_MON = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
_PT_MON = ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"]
_PL_MON = ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"]

PHONE_EVERYDAY = ("GB", "US", "DE", "FR", "IT", "ES", "NL", "PL", "TH")
PHONE_OTHER = ("VN", "MY", "PH", "ID", "TW", "PT", "GR", "HU", "RO", "HR", "MX", "BR", "AU", "NZ", "TR", "IL", "ZA", "FI", "SK", "LT")
NATIONAL_EVERYDAY = ("GB", "US", "DE", "FR", "IT", "ES", "NL", "TH")
NATIONAL_OTHER = ("VN", "MY", "PH", "TW", "PT", "AU", "GR", "HU", "BR", "PL", "CZ", "AT")


class B8Gen(corpus.LocaleGen):
    """The blind split's values: same classes, pools and formats of its own."""

    group_name = "b8"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b8_names())

    def _everyday(self) -> bool:
        return self.r.random() < EVERYDAY

    def _rnd(self, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def _d(self, n: int) -> str:
        return corpus.digits(self.r, n)

    def _birth(self, lo: int = 1948, hi: int = 2007) -> dt.date:
        start = dt.date(lo, 1, 1)
        return start + dt.timedelta(days=self.r.randint(0, (dt.date(hi, 12, 31) - start).days))

    # --- names -------------------------------------------------------------------------
    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        style = r.random()
        if style < 0.62:
            return f"{f} {la}"
        if style < 0.74:
            return f"{la.upper()}, {f}"
        if style < 0.84:
            return f"{la}, {f}"
        if style < 0.93:
            return f"{f} {r.choice('ABCDEJKMNPSTW')}. {la}"
        return f"{f[0]}. {la}"

    def first(self) -> str:
        return self.r.choice(self._pool()[0])

    def surname(self) -> str:
        return self.r.choice(self._pool()[1])

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = _ascii(r.choice(first)).lower(), _ascii(r.choice(last)).lower()
        if self._everyday():
            user = r.choice([f"{f}.{la}", f"{f}.{la[:2]}", f"{f[0]}.{la}", f"{f}{r.randint(1, 999)}", f"{la}.{f}"])
            dom = r.choice(["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com", "gmx.net", "wp.pl", "free.fr", "btinternet.com",
                            "siamcoil-mfg.co.th", "brightwater-health.org", "millbrook-stores.co.uk", "werk-am-see.de"])
            return f"{user}@{dom}"
        user = r.choice([f"{f}_{la}", f"{f}{la[0]}", f"{f}.{la}+{r.choice(['rx', 'hr', 'warranty', 'shop'])}", f"{la}{r.randint(10, 99)}", f"{f[0].upper()}{la.capitalize()}", f"{f}.{la}"])
        dom = r.choice(["hotmail.co.th", "yahoo.com.vn", "student.chula.ac.th", "bumrungrad.com", "mail.ru", "seznam.cz", "sapo.pt", "otenet.gr",
                        "freemail.hu", "hr.apac.example-group.com", "msn.com", "protonmail.com", "yandex.com", "outlook.co.th"])
        return f"{user}@{dom}"

    def _number(self, region: str) -> pn.PhoneNumber:
        r = self.r
        kind = pn.PhoneNumberType.MOBILE if r.random() < 0.65 else pn.PhoneNumberType.FIXED_LINE
        ex = pn.example_number_for_type(region, kind) or pn.example_number(region)
        nsn = str(ex.national_number)
        for _ in range(400):
            keep = max(2, len(nsn) - r.randint(4, 7))
            num = pn.parse(f"+{ex.country_code}{nsn[:keep]}{self._d(len(nsn) - keep)}")
            if pn.is_valid_number(num):
                return num
        return ex

    def phone(self) -> str:
        r = self.r
        fmt = pn.PhoneNumberFormat
        if self._everyday():
            num = self._number(r.choice(PHONE_EVERYDAY))
            return pn.format_number(num, fmt.INTERNATIONAL if r.random() < 0.8 else fmt.E164)
        region = r.choice(PHONE_OTHER)
        num = self._number(region)
        intl = pn.format_number(num, fmt.INTERNATIONAL)
        style = r.random()
        if style < 0.35:
            return intl
        if style < 0.5:
            return pn.format_number(num, fmt.E164)
        if style < 0.65:
            return intl.replace(" ", "-", 1)[::-1].replace(" ", "-")[::-1] if r.random() < 0.5 else intl.replace(" ", ".")
        if style < 0.8:
            return "00" + intl[1:].replace(" ", "")
        if style < 0.9:
            return f"({intl.split(' ', 1)[0]}) {intl.split(' ', 1)[1]}"
        return pn.format_number(num, fmt.RFC3966).removeprefix("tel:")

    def phone_national(self) -> str:
        r = self.r
        region = r.choice(NATIONAL_EVERYDAY if self._everyday() else NATIONAL_OTHER)
        num = self._number(region)
        out = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL)
        style = r.random()
        if style < 0.2:
            out = out.replace(" ", "")
        elif style < 0.35 and region in ("TH", "VN", "MY", "PH", "TW"):
            out = out.replace(" ", "-")
        elif style < 0.45 and region == "US":
            out = out.replace("(", "").replace(") ", "-")
        assert pn.is_valid_number(pn.parse(out, region)), (out, region)
        return out

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 260)
        if self._everyday():
            kind = r.choice(["us", "us", "uk", "uk", "de", "fr", "nl", "es", "it", "pl", "th"])
            if kind == "us":
                city, st, z = r.choice([("Dayton", "OH", 454), ("Knoxville", "TN", 379), ("Boise", "ID", 837), ("Spokane", "WA", 992), ("Reno", "NV", 895), ("Lansing", "MI", 489), ("Macon", "GA", 312)])
                unit = r.choice(["", "", "", f" Unit {r.randint(1, 40)}", f" Ste {r.randint(100, 450)}"])
                return f"{r.randint(100, 9999)} {r.choice(['N', 'S', 'E', 'W', ''])} {r.choice(['Maplewood', 'Harrison', 'Jefferson', 'Birch', 'Riverside', 'Walnut'])} {r.choice(['Ave', 'St', 'Ct', 'Pkwy', 'Way'])}{unit}, {city}, {st} {z}{r.randint(0, 99):02d}".replace("  ", " ")
            if kind == "uk":
                town, pc = r.choice([("Nottingham", f"NG{r.randint(1, 22)}"), ("Leicester", f"LE{r.randint(1, 19)}"), ("Bristol", f"BS{r.randint(1, 16)}"), ("Newcastle upon Tyne", f"NE{r.randint(1, 15)}"), ("Swansea", f"SA{r.randint(1, 9)}"), ("Norwich", f"NR{r.randint(1, 14)}")])
                inc = f"{r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                return f"{n} {r.choice(['Beech', 'Thornton', 'Kingsway', 'Marlborough', 'Ashfield', 'Elmtree'])} {r.choice(['Road', 'Grove', 'Gardens', 'Way', 'Mews'])}, {town} {pc} {inc}"
            if kind == "de":
                city, plz = r.choice([("Bielefeld", 33), ("Augsburg", 86), ("Kassel", 34), ("Ulm", 89), ("Rostock", 18), ("Mannheim", 68)])
                return f"{r.choice(['Wilhelm-Busch-', 'Tannen', 'Kirch', 'Am Sonnen', 'Heinrich-Heine-', 'Rosen'])}{r.choice(['straße', 'weg', 'hang', 'platz'])} {n}, {plz:02d}{r.randint(0, 999):03d} {city}"
            if kind == "fr":
                city, cp = r.choice([("Rennes", 350), ("Dijon", 210), ("Grenoble", 380), ("Angers", 490), ("Reims", 510)])
                return f"{n} {r.choice(['rue', 'avenue', 'impasse', 'chemin'])} {r.choice(['des Acacias', 'Émile Zola', 'du Général Leclerc', 'de la Gare', 'Voltaire'])}, {cp}{r.randint(0, 99):02d} {city}"
            if kind == "nl":
                return f"{r.choice(['Zonnebloem', 'Wilgen', 'Beuken', 'Kastanje'])}{r.choice(['straat', 'laan', 'hof'])} {n}, {r.randint(1000, 9999)} {r.choice('BCDEGHJKLMNPRSTVWXZ')}{r.choice('BCDEGHJKLMNPRSTVWXZ')} {r.choice(['Tilburg', 'Almere', 'Breda', 'Zwolle', 'Arnhem'])}"
            if kind == "es":
                city, cp = r.choice([("Valencia", 46), ("Sevilla", 41), ("Zaragoza", 50), ("Bilbao", 48)])
                return f"C/ {r.choice(['Colón', 'San Vicente', 'Gran Vía', 'Reyes Católicos'])}, {n}, {r.randint(1, 9)}º {r.choice('ABCD')}, {cp}{r.randint(1, 99):03d} {city}"
            if kind == "it":
                city, cap, pr = r.choice([("Bergamo", "241", "BG"), ("Padova", "351", "PD"), ("Brescia", "251", "BS"), ("Verona", "371", "VR")])
                return f"Via {r.choice(['Manzoni', 'Verdi', 'San Francesco', 'dei Mille'])}, {n} - {cap}{r.randint(0, 99):02d} {city} ({pr})"
            if kind == "pl":
                return f"ul. {r.choice(['Ogrodowa', 'Szkolna', 'Leśna', 'Jana Pawła II'])} {n}/{r.randint(1, 80)}, {r.randint(0, 99):02d}-{r.randint(0, 999):03d} {r.choice(['Rzeszów', 'Toruń', 'Opole', 'Bydgoszcz'])}"
            return f"{n}/{r.randint(1, 400)} Moo {r.randint(1, 12)}, {r.choice(['Soi Sukhumvit 71', 'Thanon Bang Na-Trat', 'Soi Ramkhamhaeng 24', 'Thanon Rama IX'])}, {r.choice(['Khlong Tan Nuea, Watthana', 'Bang Na, Bang Na', 'Hua Mak, Bang Kapi', 'Huai Khwang, Huai Khwang'])}, Bangkok {r.choice(['10110', '10260', '10240', '10310'])}"
        kind = r.choice(["th", "th", "vn", "my", "ph", "tw", "pt", "cz", "hu", "au", "gr", "us_po"])
        if kind == "th":
            return f"{r.randint(1, 999)}/{r.randint(1, 99)} หมู่ {r.randint(1, 9)} ต.{r.choice(['บ้านบึง', 'หนองขาม', 'บ่อวิน'])} อ.{r.choice(['บ้านบึง', 'ศรีราชา'])} จ.ชลบุรี {r.choice(['20170', '20230', '20110'])}" if r.random() < 0.3 else f"{r.randint(1, 999)}/{r.randint(1, 99)} Moo {r.randint(1, 9)}, T. {r.choice(['Bo Win', 'Nong Kham', 'Map Ta Phut'])}, A. {r.choice(['Si Racha', 'Mueang Rayong'])}, {r.choice(['Chon Buri 20230', 'Rayong 21150'])}"
        if kind == "vn":
            return f"Số {n} {r.choice(['Nguyễn Huệ', 'Lê Lợi', 'Trần Hưng Đạo', 'Hai Bà Trưng'])}, Phường {r.choice(['Bến Nghé', 'Tân Định', 'Đa Kao'])}, Quận {r.randint(1, 12)}, TP. Hồ Chí Minh"
        if kind == "my":
            return f"No. {n}, Jalan {r.choice(['SS 2/24', 'Ampang', 'Tun Razak', 'PJU 1/45'])}, {r.choice(['47300 Petaling Jaya, Selangor', '50450 Kuala Lumpur', '10200 George Town, Pulau Pinang'])}"
        if kind == "ph":
            return f"{n} {r.choice(['Rizal St.', 'Mabini St.', 'Aguinaldo Hwy'])}, Brgy. {r.choice(['San Antonio', 'Poblacion', 'Malinta'])}, {r.choice(['Makati City 1203', 'Quezon City 1100', 'Cavite 4103'])}"
        if kind == "tw":
            return f"No. {n}, Ln. {r.randint(2, 300)}, Sec. {r.randint(1, 5)}, {r.choice(['Zhongxiao E. Rd.', 'Minsheng E. Rd.', 'Heping W. Rd.'])}, {r.choice([chr(68) + 'a' + chr(39) + 'an Dist., Taipei City 106', 'Songshan Dist., Taipei City 105', 'West Central Dist., Tainan City 700'])}"
        if kind == "pt":
            return f"Rua {r.choice(['Augusta', 'do Carmo', 'de Santa Catarina', 'Alexandre Herculano'])}, {n}, {r.randint(1, 6)}º {r.choice(['Esq.', 'Dto.'])}, {r.randint(1000, 4999)}-{r.randint(0, 999):03d} {r.choice(['Lisboa', 'Porto', 'Braga'])}"
        if kind == "cz":
            return f"{r.choice(['Vinohradská', 'Koněvova', 'Masarykova', 'Palackého'])} {r.randint(100, 2999)}/{r.randint(1, 120)}, {r.randint(100, 799)} {r.randint(0, 99):02d} {r.choice(['Praha 3', 'Brno', 'Plzeň'])}"
        if kind == "hu":
            return f"{r.choice(['Budapest', 'Győr', 'Debrecen'])}, {r.choice(['Váci út', 'Rákóczi út', 'Kossuth Lajos utca'])} {n}., {r.randint(1011, 9999)}"
        if kind == "au":
            return f"Unit {r.randint(1, 30)}/{n} {r.choice(['George St', 'Church St', 'Station Rd'])}, {r.choice(['Parramatta NSW 2150', 'Geelong VIC 3220', 'Fremantle WA 6160'])}"
        if kind == "gr":
            return f"{r.choice(['Odos Ermou', 'Leoforos Syngrou', 'Odos Tsimiski'])} {n}, {r.randint(10431, 11799)} {r.choice(['Athina', 'Thessaloniki'])}" if r.random() < 0.5 else f"{r.choice(['Ερμού', 'Τσιμισκή', 'Πανεπιστημίου'])} {n}, {r.randint(104, 117)} {r.randint(10, 99)} Αθήνα"
        return f"PO Box {r.randint(100, 99999)}, {r.choice(['Anchorage, AK 995', 'Bangor, ME 044', 'Billings, MT 591'])}{r.randint(0, 99):02d}"

    # --- identity ----------------------------------------------------------------------
    def date(self) -> str:
        r = self.r
        b = self._birth()
        d, m, y = b.day, b.month, b.year
        if self._everyday():
            return r.choice([f"{d:02d}/{m:02d}/{y}", f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d:02d}.{m:02d}.{y}",
                             f"{d} {_EN[m - 1]} {y}", f"{_EN[m - 1][:3]} {d}, {y}", f"{d:02d}-{_EN[m - 1][:3]}-{y}"])
        style = r.random()
        if style < 0.25:  # Thai forms: Buddhist-era year
            be = y + 543
            return r.choice([f"{d:02d}/{m:02d}/{be}", f"{d} {_TH_MON[m - 1]} {be}", f"{d} {_TH_MON[m - 1]} {be % 100:02d}"])
        if style < 0.4:
            return r.choice([f"{d} de {_PT_MON[m - 1]} de {y}", f"{d} {_PL_MON[m - 1]} {y} r.", f"{d:02d}.{m:02d}.{y} r."])
        return r.choice([f"{y}年{m}月{d}日", f"{d}. {m}. {y}", f"{y}.{m:02d}.{d:02d}.", f"{d:02d}{_EN[m - 1][:3].upper()}{y % 100:02d}", f"{d:02d}-{_EN[m - 1][:3].upper()}-{y % 100:02d}",
                         f"{y}{m:02d}{d:02d}", f"{d}/{m}/{y % 100:02d}", f"{_EN[m - 1]} {d}{'th' if 10 <= d <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}, {y}"])

    def national_id(self) -> str:
        r = self.r
        if self._everyday():
            kind = r.choice(["ssn", "ssn", "nino", "steuer", "nir", "dni", "nie", "bsn", "pesel_", "th", "th"])
        else:
            kind = r.choice(["oib", "tckn", "za", "cpf", "tfn", "il", "lt", "kt", "my", "emso", "hu", "pt_cc", "ru_snils"])
        return getattr(self, f"_id_{kind}")()

    def pesel(self) -> str:
        return self._id_pesel_()

    def _id_ssn(self) -> str:
        r = self.r
        area = r.choice([a for a in range(1, 900) if a != 666])
        v = f"{area:03d}{r.randint(1, 99):02d}{r.randint(1, 9999):04d}"
        return f"{v[:3]}-{v[3:5]}-{v[5:]}" if r.random() < 0.8 else (f"{v[:3]} {v[3:5]} {v[5:]}" if r.random() < 0.5 else v)

    def _id_nino(self) -> str:
        r = self.r
        while True:
            p = r.choice("ABCEGHJKLMNOPRSTWXYZ") + r.choice("ABCEGHJKLMNPRSTWXYZ")
            if p not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
                break
        d = self._d(6)
        return f"{p}{d}{r.choice('ABCD')}" if r.random() < 0.6 else f"{p} {d[:2]} {d[2:4]} {d[4:]} {r.choice('ABCD')}"

    def _id_steuer(self) -> str:
        r = self.r
        while True:
            ds = r.sample(range(10), 9)
            ds.insert(r.randint(0, 9), r.choice(ds))
            if ds[0]:
                break
        body = "".join(map(str, ds))
        v = body + _mod11_10(body)
        return v if r.random() < 0.6 else f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}"

    def _id_nir(self) -> str:
        r = self.r
        b = self._birth()
        body = f"{r.randint(1, 2)}{b.year % 100:02d}{b.month:02d}{r.choice([x for x in range(1, 96) if x != 20]):02d}{r.randint(1, 999):03d}{r.randint(1, 999):03d}"
        key = 97 - int(body) % 97
        return f"{body}{key:02d}" if r.random() < 0.5 else f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:]} {key:02d}"

    def _id_dni(self) -> str:
        n = self.r.randint(1_000_000, 99_999_999)
        return f"{n:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"

    def _id_nie(self) -> str:
        r = self.r
        pre, n = r.choice("XYZ"), r.randint(0, 9_999_999)
        c = "TRWAGMYFPDXBNJZSQVHLCKE"[int(f"{'XYZ'.index(pre)}{n:07d}") % 23]
        return f"{pre}{n:07d}{c}" if r.random() < 0.7 else f"{pre}-{n:07d}-{c}"

    def _id_bsn(self) -> str:
        r = self.r
        while True:
            s = str(r.randint(1, 9)) + self._d(7)
            c = _wsum(s, (9, 8, 7, 6, 5, 4, 3, 2)) % 11
            if c < 10:
                return s + str(c)

    def _id_pesel_(self) -> str:
        b = self._birth()
        mm = b.month + (20 if b.year >= 2000 else 0)
        body = f"{b.year % 100:02d}{mm:02d}{b.day:02d}{self._d(4)}"
        return body + str((10 - _wsum(body, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)) % 10) % 10)

    def _id_th(self) -> str:
        r = self.r
        body = str(r.randint(1, 8)) + self._d(11)
        v = body + str((11 - _wsum(body, tuple(range(13, 1, -1))) % 11) % 10)
        return f"{v[0]}-{v[1:5]}-{v[5:10]}-{v[10:12]}-{v[12]}" if r.random() < 0.6 else v

    def _id_oib(self) -> str:
        body = str(self.r.randint(1, 9)) + self._d(9)
        return body + _mod11_10(body)

    def _id_tckn(self) -> str:
        d = [self.r.randint(1, 9)] + [int(c) for c in self._d(8)]
        d.append(((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10)
        d.append(sum(d) % 10)
        return "".join(map(str, d))

    def _id_za(self) -> str:
        r = self.r
        b = self._birth()
        v = _luhn(f"{b.year % 100:02d}{b.month:02d}{b.day:02d}{r.randint(0, 9999):04d}{r.choice('01')}8")
        return v if r.random() < 0.7 else f"{v[:6]} {v[6:10]} {v[10:]}"

    def _id_cpf(self) -> str:
        while True:
            body = self._d(9)
            if len(set(body)) > 1:
                break
        for n in (10, 11):
            s = sum(int(c) * w for c, w in zip(body, range(n, 1, -1), strict=False))
            body += str(s * 10 % 11 % 10)
        return f"{body[:3]}.{body[3:6]}.{body[6:9]}-{body[9:]}"

    def _id_tfn(self) -> str:
        while True:
            v = str(self.r.randint(1, 9)) + self._d(8)
            if _wsum(v, (1, 4, 3, 7, 5, 8, 6, 9, 10)) % 11 == 0:
                return f"{v[:3]} {v[3:6]} {v[6:]}"

    def _id_il(self) -> str:
        return _luhn(str(self.r.randint(0, 3)) + self._d(7))

    def _id_lt(self) -> str:
        r = self.r
        b = self._birth()
        g = (3 if b.year < 2000 else 5) + r.randint(0, 1)
        body = f"{g}{b.year % 100:02d}{b.month:02d}{b.day:02d}{self._d(3)}"
        c = _wsum(body, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1)) % 11
        if c == 10:
            c = _wsum(body, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)) % 11
            c = 0 if c == 10 else c
        return body + str(c)

    def _id_kt(self) -> str:
        while True:
            b = self._birth(1948, 1999)
            body = f"{b.day:02d}{b.month:02d}{b.year % 100:02d}{self.r.randint(20, 99)}"
            c = (11 - _wsum(body, (3, 2, 7, 6, 5, 4, 3, 2)) % 11) % 11
            if c != 10:
                return f"{body[:6]}-{body[6:]}{c}9"

    def _id_my(self) -> str:
        r = self.r
        b = self._birth()
        return f"{b.year % 100:02d}{b.month:02d}{b.day:02d}-{r.choice(['01', '05', '07', '08', '10', '14'])}-{r.randint(1, 9999):04d}"

    def _id_emso(self) -> str:
        while True:
            b = self._birth()
            body = f"{b.day:02d}{b.month:02d}{b.year % 1000:03d}50{self._d(3)}"
            c = (11 - _wsum(body, (7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11) % 11
            if c != 10:
                return body + str(c)

    def _id_hu(self) -> str:
        while True:
            days = (self._birth() - dt.date(1867, 1, 1)).days
            body = f"8{days:05d}{self._d(3)}"
            c = _wsum(body, tuple(range(1, 10))) % 11
            if c != 10:
                return body + str(c)

    def _id_pt_cc(self) -> str:
        r = self.r
        num = self._d(8)
        c = (11 - _wsum(num, (9, 8, 7, 6, 5, 4, 3, 2)) % 11) % 11 % 10
        letters = r.choice(["ZZ", "ZZ", "ZY", "ZX", "ZW"])
        body = f"{num}{c}{letters}"
        vals = [int(ch, 36) for ch in body]
        tot = 0
        for i, v in enumerate(reversed([*vals, 0])):
            w = v * 2 if i % 2 else v
            tot += w - 9 if i % 2 and w > 9 else w
        return f"{num} {c} {letters}{(10 - tot % 10) % 10}"

    def _id_ru_snils(self) -> str:
        while True:
            body = self._d(9)
            if int(body) > 1001998:
                break
        s = _wsum(body, tuple(range(9, 0, -1))) % 101
        return f"{body[:3]}-{body[3:6]}-{body[6:]} {0 if s == 100 else s:02d}"

    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.randint(100000, 999999)}", f"EMP{r.randint(10000, 99999)}", f"E-{r.randint(1000, 99999):05d}", f"{r.randint(0, 99999999):08d}", f"ID {r.randint(10000, 99999)}"])
        return r.choice([f"TH{r.randint(10, 99)}-{r.randint(1000, 9999)}", f"{r.choice(['BKK', 'RYG', 'LDN', 'MUC'])}{r.randint(100000, 999999)}", f"C{r.randint(2019, 2026)}{r.randint(1, 999):03d}",
                         f"{r.choice('ABCDEFGH')}{r.randint(10, 99)}/{r.randint(1000, 9999)}", f"50{r.randint(0, 999999):06d}", f"PN-{r.randint(10000, 99999)}"])

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.randint(100000, 9999999)}", f"{r.randint(0, 9999999):07d}", f"{r.randint(10000000, 99999999)}"])
        style = r.random()
        if style < 0.35:  # Australian Medicare number
            body = str(r.randint(2, 6)) + self._d(7)
            c = _wsum(body, (1, 3, 7, 9, 1, 3, 7, 9)) % 10
            return f"{body[:4]} {body[4:]}{c} {r.randint(1, 9)}"
        if style < 0.65:  # German health insurance number (KVNR)
            letter = r.choice(string.ascii_uppercase)
            body = self._d(8)
            seq = f"{ord(letter) - 64:02d}{body}"
            tot = 0
            for i, ch in enumerate(seq):
                p = int(ch) * (2 if i % 2 else 1)
                tot += p // 10 + p % 10
            return f"{letter}{body}{tot % 10}"
        return r.choice([f"{r.randint(1, 999999):06d}/{r.randint(60, 69)}", f"{r.randint(10, 68)}-{r.randint(0, 99999):05d}", f"{r.randint(100, 999)}-{r.randint(100, 999)}-{r.randint(100, 999)}"])

    def mrn_token(self) -> str:
        r = self.r
        return r.choice([f"HN{r.randint(100000, 9999999)}", f"HN {r.randint(10, 69)}-{r.randint(1, 99999):05d}", f"MR#{r.randint(100000, 999999)}",
                         f"PT{r.randint(1000000, 9999999)}", f"E{r.randint(1000000, 9999999)}", f"URN{r.randint(100000, 999999)}", f"KH-{r.randint(10000, 99999)}-{r.choice('ABCDEFGH')}"])

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(["lactose intolerance", "a tree nut allergy", "a shellfish allergy", "gout", "anaemia", "fibromyalgia", "shingles",
                             "long COVID", "type 1 diabetes", "an underactive thyroid", "sciatica", "carpal tunnel syndrome", "hay fever",
                             "eczema", "PTSD", "ADHD", "a stomach ulcer", "gallstones", "cataracts", "dengue fever", "tuberculosis", "a sesame allergy"])
        return r.choice(["K21.0 GERD", "G40.909 epilepsy", "E66.9 obesity", "N18.4", "Z33.1 pregnant state", "B18.1 chronic hep B", "ICD-10 F41.1",
                         "Hashimoto-Thyreoiditis", "cukrzyca typu 2", "hipertensão", "đái tháo đường", "เบาหวาน", "s/p CABG", "HbA1c 9.1% (poorly controlled DM)", "G6PD deficiency"])

    def injury(self) -> str:
        return self.r.choice(["trapped two fingers in the press guard", "was scalded by steam from the autoclave", "slipped on oil and dislocated a shoulder",
                              "got swarf in the left eye", "was struck by a swinging hook", "tore a hamstring unloading the container",
                              "has a puncture wound from a pallet nail", "suffered an electric shock at panel 3", "developed contact dermatitis from the coolant"])

    def sick(self) -> str:
        return self.r.choice(["is off with gastroenteritis", "has a doctor's note for five days (tonsillitis)", "is on sick leave after a miscarriage",
                              "is in hospital with pneumonia", "is off for cataract surgery", "is on stress leave", "has dengue and is off this week",
                              "is off for IVF treatment"])

    def outcome(self) -> str:
        return self.r.choice(["a split lip, cleaned and taped", "a swollen ankle, sent to urgent care", "a graze on both palms",
                              "a suspected fractured hip, ambulance called", "no visible injury, complained of neck pain"])

    def medication(self) -> str:
        return self.r.choice(["insulin glargine 20 units nightly", "levothyroxine 100 mcg", "sertraline 50 mg", "warfarin", "salbutamol inhaler PRN",
                              "methotrexate 15 mg weekly", "Xarelto 20 mg", "allopurinol", "Jardiance 10 mg", "clopidogrel 75 mg OD",
                              "tenofovir", "isoniazid 300 mg", "paracetamol 1 g QDS"])

    def procedure(self) -> str:
        return self.r.choice(["a colonoscopy", "an MRI of the lumbar spine", "a cataract operation", "dialysis", "an HIV test", "a hip replacement",
                              "a pregnancy scan", "a dental extraction", "a bone density scan", "spirometry", "a Holter monitor fitting", "a hepatitis B booster"])

    # --- money -------------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        if self._everyday():
            prefix = r.choice(["4", "4", "4", "4", "51", "53", "55", str(r.randint(2221, 2720))])
            full = _luhn(prefix + self._d(15 - len(prefix)))
            sep = r.choice([" ", " ", " ", "-", ""])
            return sep.join(full[i : i + 4] for i in range(0, 16, 4))
        prefix, length = r.choice([("37", 15), ("34", 15), ("35" + str(r.randint(28, 89)), 16), ("62", 16), ("6011", 16), ("65", 16), ("36", 14), ("4", 13), ("6759", 19), ("4", 16)])
        full = _luhn(prefix + self._d(length - len(prefix) - 1))
        if length == 15:
            return f"{full[:4]} {full[4:10]} {full[10:]}" if r.random() < 0.7 else full
        if length == 14:
            return f"{full[:4]} {full[4:10]} {full[10:]}"
        if length == 19:
            return f"{full[:4]} {full[4:8]} {full[8:12]} {full[12:16]} {full[16:]}"
        if length == 13:
            return full
        return full if r.random() < 0.5 else "-".join(full[i : i + 4] for i in range(0, 16, 4))

    def iban(self) -> str:
        r = self.r
        d = self._d
        if self._everyday():
            country = r.choice(["DE", "DE", "GB", "FR", "NL", "ES", "IT", "PL"])
        else:
            country = r.choice(["GR", "RO", "HR", "SI", "SK", "LT", "LV", "BG", "MT", "CY", "HU", "TR", "EE"])
        if country == "DE":
            bban = d(18)
        elif country == "GB":
            bban = r.choice(["BARC", "NWBK", "LOYD", "HBUK", "NAIA"]) + d(14)
        elif country == "FR":
            bank, branch, acct = d(5), d(5), d(11)
            bban = f"{bank}{branch}{acct}{97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97:02d}"
        elif country == "NL":
            bban = r.choice(["INGB", "ABNA", "RABO", "KNAB"]) + d(10)
        elif country == "ES":
            bank, branch, acct = d(4), d(4), d(10)
            w = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)

            def dc(s: str) -> str:
                c = 11 - _wsum(s, w) % 11
                return str({11: 0, 10: 1}.get(c, c))

            bban = bank + branch + dc("00" + bank + branch) + dc(acct) + acct
        elif country == "IT":
            rest = d(10) + d(12)
            odd = dict(zip(string.digits, (1, 0, 5, 7, 9, 13, 15, 17, 19, 21), strict=True))
            cin = chr(65 + sum(odd[c] if i % 2 == 0 else int(c) for i, c in enumerate(rest)) % 26)
            bban = cin + rest
        elif country == "PL":
            sort7 = d(7)
            bban = sort7 + str((10 - _wsum(sort7, (3, 9, 7, 1, 3, 9, 7)) % 10) % 10) + d(16)
        elif country == "GR":
            bban = r.choice(["011", "014", "017", "026"]) + d(4) + d(16)
        elif country == "RO":
            bban = r.choice(["RNCB", "BTRL", "BRDE", "INGB"]) + d(16)
        elif country == "HR":
            bban = d(17)
        elif country == "SI":
            body = r.choice(["01000", "02010", "04515", "05100"]) + d(8)
            bban = body + f"{98 - int(body) * 100 % 97:02d}"
        elif country == "SK":
            bban = r.choice(["0200", "0900", "1100", "7500"]) + d(16)
        elif country == "LT":
            bban = r.choice(["73000", "70440", "40100"]) + d(11)
        elif country == "LV":
            bban = r.choice(["HABA", "UNLA", "RIKO"]) + d(13)
        elif country == "BG":
            bban = r.choice(["BNBG", "UNCR", "STSA"]) + d(4) + r.choice(["10", "15"]) + d(8)
        elif country == "MT":
            bban = r.choice(["MALT", "VALL"]) + d(5) + d(18)
        elif country == "CY":
            bban = r.choice(["002", "005"]) + d(5) + d(16)
        elif country == "HU":
            b7d = d(7)
            acct = d(15)
            bban = b7d + str((10 - _wsum(b7d, (9, 7, 3, 1, 9, 7, 3)) % 10) % 10) + acct + str((10 - _wsum(acct, (9, 7, 3, 1) * 3 + (9, 7, 3)) % 10) % 10)
        elif country == "TR":
            bban = d(5) + "0" + d(16)
        else:  # EE
            bban = r.choice(["22", "10", "17"]) + d(14)
        iban = _iban(country, bban)
        if r.random() < 0.6:
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban

    # --- network -----------------------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"192.168.{r.randint(0, 20)}.{r.randint(2, 254)}", f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}",
                             f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 254)}", f"{r.choice([49, 58, 82, 94, 110, 124, 171, 182, 203])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"])
        h = lambda: f"{r.randint(1, 0xFFFF):x}"  # noqa: E731
        return r.choice([f"2405:{h()}:{h()}:{h()}::{h()}", f"2001:{r.choice(['44b8', '4860', '470', 'ee0'])}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}", f"fe80::{h()}:{h()}:{h()}:{h()}",
                         f"::ffff:{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(0, 255)}",
                         f"fd00:{h()}::{h()}"])

    def mac(self) -> str:
        r = self.r
        o = [r.randint(0, 255) for _ in range(6)]
        o[0] &= 0xFC
        if self._everyday():
            s = ":".join(f"{x:02x}" for x in o)
            return s.upper() if r.random() < 0.6 else s
        hx = "".join(f"{x:02x}" for x in o)
        return r.choice(["-".join(f"{x:02x}" for x in o), f"{hx[:4]}.{hx[4:8]}.{hx[8:]}", hx, f"{hx[:6]}-{hx[6:]}".upper(), " ".join(f"{x:02X}" for x in o)])

    def gps(self) -> str:
        r = self.r
        lat, lon = r.choice([(r.uniform(12.5, 14.2), r.uniform(100.2, 101.5)), (r.uniform(44.0, 55.5), r.uniform(-3.0, 24.0)), (r.uniform(33.0, 45.0), r.uniform(-118.0, -78.0)), (r.uniform(-37.9, -27.4), r.uniform(115.8, 153.1))])
        if self._everyday():
            p = r.choice([6, 5, 4, 7])
            return f"{lat:.{p}f}, {lon:.{p}f}" if r.random() < 0.7 else f"{lat:.{p}f},{lon:.{p}f}"
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        alat, alon = abs(lat), abs(lon)
        dm = lambda x: (int(x), (x - int(x)) * 60)  # noqa: E731
        (ld, lm), (od, om) = dm(alat), dm(alon)
        return r.choice([f"{ns}{alat:.5f} {ew}{alon:.5f}", f"{alat:.5f}{ns}, {alon:.5f}{ew}", f"{ld} {lm:.3f}{ns} {od} {om:.3f}{ew}",
                         f"{ld}°{int(lm)}′{(lm % 1) * 60:.1f}″{ns} {od}°{int(om)}′{(om % 1) * 60:.1f}″{ew}", f"https://www.google.com/maps/@{lat:.7f},{lon:.7f},17z",
                         f"lat=\"{lat:.6f}\" lon=\"{lon:.6f}\"", f"{{\"lat\": {lat:.6f}, \"lng\": {lon:.6f}}}", f"http://maps.apple.com/?ll={lat:.6f},{lon:.6f}"])

    # --- secrets -----------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        rnd = self._rnd
        an = string.ascii_letters + string.digits
        hx = "0123456789abcdef"
        if self._everyday():
            return r.choice(["AKIA" + rnd(16, string.ascii_uppercase + "234567"), "github_pat_11" + rnd(22, string.ascii_uppercase + string.digits) + "_" + rnd(59),
                             "ghp_" + rnd(36), f"xoxp-{rnd(11, string.digits)}-{rnd(12, string.digits)}-{rnd(13, string.digits)}-{rnd(32, hx)}",
                             "sk_live_51" + rnd(96), "rk_live_" + rnd(24), "AIza" + rnd(35, an + "-_"), "sk-proj-" + rnd(48, an + "-_"),
                             "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1aWQiOi" + rnd(30, an + "-_") + "." + rnd(43, an + "-_")])
        return r.choice(["SK" + rnd(32, hx), "shpat_" + rnd(32, hx), "ATATT3xFfGF0" + rnd(180, an + "-_") + "=" + rnd(8, string.ascii_uppercase + string.digits),
                         "PMAK-" + rnd(24, hx) + "-" + rnd(34, hx), "pypi-AgEIcHlwaS5vcmc" + rnd(60, an + "-_"), "sq0atp-" + rnd(22, an + "-_"),
                         f"https://hooks.slack.com/services/T{rnd(10, string.ascii_uppercase + string.digits)}/B{rnd(10, string.ascii_uppercase + string.digits)}/{rnd(24)}",
                         rnd(40, an + "/+"), "dp.st.prd." + rnd(43), "sv=2023-11-03&ss=b&srt=sco&sp=rwl&se=2026-12-31T00:00:00Z&sig=" + rnd(43, an + "+/").replace("+", "%2B").replace("/", "%2F") + "%3D",
                         rnd(171, an + "+/") + "=",
                         "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI" + rnd(55, an + "+/") + "\n" + rnd(64, an + "+/") + "\n-----END EC PRIVATE KEY-----",
                         "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + rnd(32, an + "+/") + "\n" + rnd(64, an + "+/") + "\n-----END PRIVATE KEY-----",
                         "mongodb+srv://app_rw:" + rnd(16) + "@cluster0." + rnd(5, string.ascii_lowercase + string.digits) + ".mongodb.net"])

    def password(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.choice(['Bangkok', 'Summer', 'Password', 'Welcome', 'Changeme', 'Letmein', 'Football', 'Siam'])}{r.choice(['1', '123', '2025', '2026', '@1', '#2026'])}{r.choice(['', '!', '*'])}",
                             f"{r.choice(['Arsenal', 'Manutd', 'Barcelona', 'Liverpool'])}{r.randint(1, 2026)}", self._rnd(10, string.ascii_letters + string.digits + "!@#$%^&*"),
                             f"{r.choice(['qwerty', 'asdf', 'zxcv'])}{r.randint(100, 9999)}{r.choice(['!', '$', ''])}"])
        return r.choice([f"{r.choice(['correct', 'purple', 'silent', 'mango', 'tiger', 'lantern'])}-{r.choice(['horse', 'monsoon', 'river', 'temple', 'rocket'])}-{r.choice(['battery', 'noodle', 'cloud', 'garden'])}-{r.randint(10, 99)}",
                         r.choice(["l;ylfu", "ohk=k", "kd;kfu", "vd^gmu"]) + str(r.randint(10, 99)), self._d(r.choice([4, 6, 8])), self._rnd(20, string.ascii_letters + string.digits),
                         f"P@ss{r.randint(1000, 9999)}", f"{r.choice(['Hala', 'Sklep', 'Loja', 'Sklad'])}_{r.randint(2020, 2026)}#{self._rnd(3, string.ascii_lowercase)}"])

    # --- negatives ---------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice([f"6ES7 {r.choice(['214', '215', '521', '531'])}-{r.randint(1, 7)}{r.choice('ABGH')}{r.choice('CGL')}{r.randint(30, 44)}-0XB0", f"{r.choice(['6205', '6308', '22312', '7206'])}-2RS{r.choice(['H', '1', 'L'])}",
                         f"DSBC-{r.choice([32, 40, 50, 63])}-{r.choice([100, 160, 200, 320])}-PPVA-N3", f"E3Z-{r.choice(['T61', 'R61', 'D62'])} {r.choice([2, 5])}M", f"{r.randint(2800000, 2999999)}",
                         f"0{r.randint(700, 999)} {r.randint(100, 999)} {r.randint(10, 99)}", f"{r.choice(['LED', 'CAP', 'RES'])}-{r.randint(1000, 9999)}-{r.choice(['0603', '0805', '1206'])}",
                         f"SKU {r.randint(100, 999)}-{r.randint(10000, 99999)}"])

    def serial(self) -> str:
        r = self.r
        up = string.ascii_uppercase + string.digits
        return r.choice([self._rnd(7, "BCDFGHJKLMNPQRSTVWXYZ0123456789"), f"5CD{r.randint(1, 4)}{r.randint(10, 52)}{self._rnd(4, up)}", f"XXZ{r.choice('FGHJ')}{r.randint(20, 26)}{r.randint(10000, 99999):05d}",
                         f"S/N {r.randint(10, 26)}{r.randint(1, 52):02d}{r.randint(100000, 999999)}", f"R58{self._rnd(8, up)}", f"{r.randint(1, 9)}{self._rnd(3, string.ascii_uppercase)}{r.randint(100000, 999999)}",
                         f"SN-{r.randint(2020, 2026)}-{self._rnd(6, up)}"])

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=r.randint(0, 30_000_000))
        return r.choice([f"[{t:%d/%b/%Y:%H:%M:%S} +0700]", f"{t:%Y-%m-%dT%H:%M:%S}.{r.randint(0, 999999):06d}Z", f"{t:%Y-%m-%d %H:%M}", f"{t:%d %b %Y %H:%M} ICT",
                         f"{t:%m/%d/%Y %I:%M %p}", f"{t:%H:%M:%S}", f"{t:%Y%m%d-%H%M%S}", f"{t:%a, %d %b %Y %H:%M:%S} GMT"])

    def version(self) -> str:
        r = self.r
        return r.choice([f"FW {r.randint(1, 9)}.{r.randint(0, 12)}.{r.randint(0, 30)}-rc{r.randint(1, 5)}", f"build {r.randint(2024, 2026)}.{r.randint(1, 12):02d}.{r.randint(1, 9)}",
                         f"{r.randint(1, 20)}.{r.randint(0, 9)}.{r.randint(0, 99)}", f"v{r.randint(0, 5)}.{r.randint(0, 40)}.{r.randint(0, 20)}-{self._rnd(7, '0123456789abcdef')}",
                         f"R{r.randint(2019, 2026)}{r.choice('ab')}", f"Android {r.randint(12, 15)} ({r.choice(['UP1A', 'TP1A', 'AP2A'])}.{r.randint(230101, 251231)}.{r.randint(1, 30):03d})"])

    def lot(self) -> str:
        r = self.r
        return r.choice([f"LOT {r.randint(24, 26)}{r.randint(1, 12):02d}-{r.choice('ABCDEF')}{r.randint(100, 999)}", f"{r.randint(2400000, 2699999)}", f"CH{r.randint(24, 26)}{r.randint(1, 365):03d}{r.choice('XYZ')}",
                         f"B/{r.randint(24, 26)}/{r.randint(1, 9999):04d}", f"{self._rnd(2, string.ascii_uppercase)}{r.randint(1000, 9999)}"])

    def ean(self) -> str:
        r = self.r
        style = r.random()
        if style < 0.5:
            return _gtin(r.choice(["885", "890", "500", "400", "590", "560", "893"]) + self._d(9))
        if style < 0.7:
            return _gtin("0" + self._d(10))
        if style < 0.85:
            return _gtin(self._d(7))
        g = _gtin(str(r.randint(1, 8)) + r.choice(["885", "400", "500"]) + self._d(9))
        exp = dt.date(2026, 1, 1) + dt.timedelta(days=r.randint(30, 900))
        return f"(01){g}(17){exp:%y%m%d}(10){self._rnd(6, string.ascii_uppercase + string.digits)}"

    def reading(self) -> str:
        r = self.r
        return r.choice([f"{r.uniform(0.1, 4.5):.2f} mm/s RMS", f"{r.uniform(380, 415):.0f} VAC", f"{r.uniform(-22, -16):.1f} °C", f"{r.uniform(2.0, 7.5):.1f} bar",
                         f"{r.uniform(300, 1400):.0f} ppm CO2", f"{r.uniform(40, 98):.1f} kPa", f"{r.uniform(0.5, 45):.2f} kg", f"{r.uniform(1, 1500):.0f} rpm"])

    def order(self) -> str:
        r = self.r
        up = string.ascii_uppercase + string.digits
        s10 = self._d(8)
        c = 11 - _wsum(s10, (8, 6, 4, 2, 3, 5, 9, 7)) % 11
        s10 += str({10: 0, 11: 5}.get(c, c))
        return r.choice([f"{r.randint(100, 999)}{r.randint(10, 12)}{r.randint(10, 28)}{self._rnd(6, up)}", f"E{r.choice('EFGKLMR')}{s10}TH", f"RMA-{r.randint(100000, 999999)}",
                         f"WC{r.randint(2025, 2026)}-{r.randint(1, 99999):05d}", f"JJD{r.randint(10**17, 10**18 - 1)}", f"INV/{r.randint(2025, 2026)}/{r.randint(1, 9999):04d}",
                         f"#{r.randint(100000, 999999)}", f"TKT-{r.randint(10000, 99999)}"])


# Written for the blind set b8 without reading the detector. New situations only: no
# sentence here appears in, or is edited from, the dev templates or b1-b7.
B8_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Canteen allergy list, night shift:\n- {person}: {condition}\n- {person}: {=HEALTH:gluten-free (coeliac)}\n- {first} {surname}: no pork",
        "Visitor badge issued {ts} to {person} (contractor, HVAC), escorted by {first}; phone left at gate: {phone}.",
        "Ticket comment: replaced the barcode scanner on line 2, old unit {serial}, new unit {serial}, firmware {version}. Closed by {person}.",
        "employee_id,name,dob,national_id,mobile\n{badge},{person},{dob},{natid},{phone_nat}",
        "[smtp]\nhost = mail.plant.local\nuser = scada-alerts@plant.local\npassword = {password}\n",
        "modbus:\n  gateway: {ip}\n  hw_addr: \"{mac}\"\n  api_token: \"{secret}\"",
        "SMS from {phone}: Hi, it's {first}. Stuck at the hospital, they say I {injury}. Won't make the 14:00 shift.",
        "Chat 07:12 {first}: who has the key for the compressor room?\nChat 07:13 {first}: ask {person}, ext 4471",
        "Best regards,\n{person}\nShift Supervisor, Press Shop\nM: {phone} | E: {email}",
        "Occupational health recall: {person} (staff no. {badge}) - hearing test due, history of {condition}.",
        "Warranty claim {order}: spindle bearing {part} failed after 900 h, lot {lot}, vibration {reading}.",
        "Please update the bank details for {surname}, {badge}: new account {iban}, effective next payroll.",
        "Contractor induction done: {person}, born {dob}, passport/ID {natid}, company van parked at {gps}.",
        "Khun {first} from the Rayong line called in: she {sick}.",
        "Goods-in {ts}: 6 pallets of {part}, GTIN {ean}, lot {lot}, temp {reading}, delivery note {order}.",
        "Forklift camera shows {first} {surname} at 02:14, tag reader {mac} on {ip}.",
        "ใบลาป่วย: {person} รหัสพนักงาน {badge} ป่วยเป็น {=HEALTH:ไข้หวัดใหญ่} โทร {phone_nat}",
        "Zgłoszenie wypadku: {person} ({=HEALTH:skręcenie kostki przy rampie}); świadek {person}, PESEL poszkodowanego {pesel}.",
        "Locker 118 reassigned from {person} to {person}; padlock code {password}.",
        "HMI panel {serial} at cell 9 still on {version}; last alarm {ts}, motor at {reading}.",
        "The CI job log printed the deploy key in clear text: {secret}",
        "New starter pack posted to {address} for {person}.",
        "Safety-boot deposit refunded to {person} on card {card}.",
        "Kiosk check-in {ts}: {person} / badge {badge} / temp {reading} / site {gps}",
    ),
    "clinic": (
        "Lab label\nNAME: {person}\nDOB: {dob}\nMRN: {mrn}\nSPECIMEN: EDTA blood, drawn {ts}",
        "Pharmacy delivery note: to {person}, {address}. Contents: {med}. Leave with neighbour? No. Contact {phone_nat}.",
        "Triage SMS from {phone}: my dad {person} has chest pain, he has {condition} and takes {med}.",
        "patients.csv row: {mrn_token};{person};{dob};{natid};{email}",
        "Referral letter cc: Dr {surname}, re: {person} (DOB {dob}, hospital no. {mrn}) for {procedure}.",
        "Dentist recall: Hi {first}, your check-up is due. Book online or ring {phone}. Reply STOP to opt out.",
        "Insurance claim for {person}, member ID {natid}, paid by card {card}, reference {order}.",
        "HN {mrn} | {person} | แพ้ยา {=HEALTH:penicillin} | โรคประจำตัว {condition}",
        "ward_kiosk.ini\n[network]\naddress={ip}\nmac={mac}\n[auth]\nsecret={secret}",
        "Night note: {person} fell in bay 2 - {outcome}; son informed on {phone}.",
        "Discharge summary: {person}, {mrn_token}, admitted with {condition}, underwent {procedure}, go home on {med}.",
        "The PACS admin password on the sticky note was {password} - please change it.",
        "Patient portal sign-up: {email}, date of birth {dob}, phone {phone}, NHI/ID {natid}.",
        "Transport booking: collect {person} from {address} at 07:15 for {procedure}; wheelchair.",
        "Fridge logger {serial} in the vaccine room: alarm at {ts}, firmware {version}; vials lot {lot} quarantined.",
        "Chat - Nurse {first}: bed 6 ({surname}) is NBM from midnight.\nDr {surname}: ok, consent signed for {procedure}.",
        "Reimburse {person} for the taxi to dialysis: IBAN {iban}.",
        "Ficha do utente: {person}, nascido a {dob}, n.º {natid}, morada {address}.",
        "Zpráva pro pojišťovnu: pacient {person}, r. č. {natid}, diagnóza {condition}.",
        "Ambulance handover: {person}, approx. {dob}, found at {gps}; {outcome}.",
        "Stock order {order}: 40 x GTIN {ean}, lot {lot}, delivered {ts}.",
        "Occupational referral: {person}, staff {badge}, {sick}; GP phone {phone_nat}.",
        "Bệnh nhân {person}, sinh ngày {dob}, số CCCD {natid}, chẩn đoán {condition}.",
    ),
    "retail": (
        "Warranty claim {order}: kettle bought {ts} by {person}, contact {email} / {phone}, refund to {iban}.",
        "customer:\n  name: \"{person}\"\n  birthday: \"{dob}\"\n  loyalty_phone: \"{phone_nat}\"\n  ship_to: \"{address}\"",
        "Ticket #4412 comment: customer {person} says the card {card} was charged twice for {order}.",
        "SMS to {phone}: Your parcel {order} is waiting at the locker. Code {password}. Enjoy, Millbrook Stores",
        "Email footer:\n{person} | Store Manager, Branch 217\nTel {phone} | {email}\n{address}",
        "Chat transcript\nAgent: can I have your date of birth to confirm?\nCustomer: {dob}\nAgent: and the last name?\nCustomer: {surname}",
        "Staff discount card {badge} belongs to {person}, not to the shopper who used it at till 4.",
        "Pharmacy counter: {first} {surname} collected {med}; ID shown {natid}.",
        "Customer {person} {=HEALTH:fainted} near the freezers, {outcome}; she mentioned {condition}.",
        "Handheld {serial} (MAC {mac}) keeps getting {ip} from DHCP, app {version}.",
        "Price check: GTIN {ean}, shelf label says {part}, scale shows {reading}.",
        "Store 0932 delivery pin: {gps}; night manager {first} on {phone_nat}.",
        "payment_gateway.yaml leaked in the shared drive:\n  live_key: {secret}",
        "Supplier credit note {order} for lot {lot}: pay {iban} by Friday.",
        "Loyalty merge request: {person} ({email}) and {person} ({email}) are the same customer.",
        "Returned goods: {part} x 3 and serial {serial}, received {ts}.",
        "Trả hàng: khách {person}, SĐT {phone_nat}, địa chỉ {address}.",
        "Reklamacja {order}: klient {person}, tel. {phone}, zwrot na konto {iban}.",
        "CCTV request from police re {person}, DOB {dob}, seen at till 3 at {ts}.",
        "Gift card fraud: the caller gave {natid} as her tax number and {card} as the card.",
        "Shop Wi-Fi for staff: SSID MB-STAFF, password {password}",
        "Self-checkout {ts}: terminal {ip} reported {reading} on the bagging scale; fw {version}.",
        "Khun {first} {surname} ordered a cake for pick-up, deposit paid, call {phone}.",
    ),
}
