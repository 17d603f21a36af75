# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b7`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code or history)
until its one blind run: seed 9127 on commit 5c58e3e (``privacy_blind_seeds.txt``).
The detector is tuned on its misses from now on, so its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B7Gen``, ``BLIND_TEMPLATES`` -> ``B7_TEMPLATES``,
``BLIND_LOCALES`` -> ``B7_LOCALES``, ``blind_names`` -> ``b7_names``, group ``blind`` ->
``b7``) and its seed log helpers moved to ``privacy_blind.py``.

The earlier blind sets leaned almost entirely on exotic formats; ``b7`` is meant as a
realistic sample of what a privacy gate on an edge appliance in EU, US, UK and Asian
factories, clinics and shops sees. About 60 % of the values (each generator draws its
form once per value) are the everyday forms people write, about 40 % less common but
genuine ones. Separate from the dev split (``privacy_templates.py``,
``privacy_corpus.Gen`` and the retired sets ``b1`` to ``b6``):

* templates: their own sentence family, none shared with the dev split -- shift swap
  requests, incident and near-miss reports, HR onboarding forms, ward round notes,
  appointment reminders, delivery exceptions, CRM notes, ``key=value`` log lines,
  JSON fragments pasted into text, and a few German, French, Spanish, Dutch and
  Italian lines;
* names: no Faker locale written in Latin letters is left that the dev split does
  not read, so they are Sinhala (``si_LK``, the one locale of ``B7_LOCALES``)
  romanised as Sri Lankans write them ("Chathura Jayawardhana"), minus every name of
  the dev pools, the romanised ``b4``, ``b5`` and ``b6`` names included; mostly
  "First Last", some with a middle initial or as "SURNAME First";
* values (every one really of its class: check digits computed here, phones valid
  per ``phonenumbers``, real calendar dates):
  - everyday: "03/05/1981", "1981-05-03", "3 May 1981"; phones in international
    notation of UK/US/EU countries and their national notations ("020 7946 0958",
    "(415) 555-2671"); SSN ``123-45-6789``, NINO, Steuer-ID, NIR, codice fiscale,
    DNI, BSN; IBANs of DE/FR/GB/NL/ES/IT in groups of four; Visa and Mastercard in
    groups of four; IPv4; MACs with colons; AWS, GitHub, Slack, Stripe, Google API
    keys; passwords after "password:"; US/UK/EU street addresses;
  - less common: dates with German, French, Spanish, Dutch and Italian month names,
    two-digit years, ``19810503``, ``03-May-1981``; phones of Asian countries,
    ``00``-prefixed and ``+44 (0)`` notations, Japanese/Korean dashed and US dotted
    national numbers; national IDs of Belgium, Switzerland (AHV), Austria (SVNR),
    Ireland (PPSN), Portugal (NIF), Denmark (CPR), Finland (HETU), Norway,
    Czechia, Canada (SIN), Singapore (NRIC), Hong Kong (HKID), Korea (RRN), Japan
    (My Number), Taiwan; NHS and CHI numbers as patient identifiers; IBANs of a
    dozen more European countries (national check digits too where there are
    some); Amex, JCB, UnionPay and Diners cards; IPv6; MACs with dashes, dots or
    none; GPS as degrees-minutes-seconds, decimal minutes, ``geo:`` URIs and map
    links; GitLab, SendGrid, npm, Hugging Face, Telegram, DigitalOcean, Mailchimp
    and Azure secrets, OpenSSH private keys; Japanese, Singapore, Korean, Irish,
    Swiss, Polish, Swedish and Canadian addresses; ICD-10-coded and non-English
    diagnoses;
  - negatives (about a fifth of the slots, as in ``b6``): ABB/Bosch/bearing part
    numbers, vendor serials, log timestamps, build versions, lot codes, EAN/UPC,
    meter readings, web-shop order numbers, invoices and parcel tracking numbers.
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
import privacy_retired_b1 as b1
import privacy_retired_b2 as b2
import privacy_retired_b3 as b3
import privacy_retired_b4 as b4
import privacy_retired_b5 as b5
import privacy_retired_b6 as b6
from build_name_lexicon import GAZETTEER_LOCALES, HELD_OUT_LOCALES

B7_LOCALES = ("si_LK",)
_DEV_LOCALES = (
    GAZETTEER_LOCALES
    + HELD_OUT_LOCALES
    + b1.B1_LOCALES
    + b2.B2_LOCALES
    + b3.B3_LOCALES
    + b4.B4_LOCALES
    + b5.B5_LOCALES
    + b6.B6_LOCALES
)
assert not set(B7_LOCALES) & set(_DEV_LOCALES)

# share of values drawn in an everyday form; the rest take a less common real one
EVERYDAY = 0.6

# Sinhala, romanised the way Sri Lankans write their names in Latin letters
# (inherent "a", "th" for the dental t, "w" for va, long vowels written short)
_SI_VOWEL = {"අ": "a", "ආ": "a", "ඇ": "a", "ඈ": "a", "ඉ": "i", "ඊ": "i", "උ": "u", "ඌ": "u", "ඍ": "ri", "එ": "e", "ඒ": "e", "ඓ": "ai", "ඔ": "o", "ඕ": "o", "ඖ": "au"}
_SI_CONS = dict(
    zip(
        "කඛගඝඞඟචඡජඣඤඥඦටඨඩඪණඬතථදධනඳපඵබභමඹයරලවශෂසහළෆ",
        ["k", "kh", "g", "gh", "ng", "ng", "ch", "chh", "j", "jh", "ny", "gn", "nj", "t", "th", "d", "dh", "n", "nd", "th", "th", "d", "dh", "n", "nd", "p", "ph", "b", "bh", "m", "mb", "y", "r", "l", "w", "sh", "sh", "s", "h", "l", "f"],
        strict=True,
    )
)
_SI_SIGN = {"ා": "a", "ැ": "a", "ෑ": "a", "ි": "i", "ී": "i", "ු": "u", "ූ": "u", "ෘ": "ru", "ෙ": "e", "ේ": "e", "ෛ": "ai", "ො": "o", "ෝ": "o", "ෞ": "au", "ෟ": "lu", "ෲ": "ru"}
_VIRAMA = "\u0dca"


def _romanise(name: str) -> str:
    out = []
    chars = [c for c in name if c != "\u200d"]
    for i, c in enumerate(chars):
        if c in _SI_CONS:
            out.append(_SI_CONS[c])
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if nxt not in _SI_SIGN and nxt != _VIRAMA:
                out.append("a")
        elif c in _SI_VOWEL:
            out.append(_SI_VOWEL[c])
        elif c in _SI_SIGN:
            out.append(_SI_SIGN[c])
        elif c == "\u0d82":  # anusvara
            out.append("n")
        elif c == "\u0d83":  # visarga
            out.append("h")
        elif c != _VIRAMA:
            out.append(c)
    return " ".join(w.capitalize() for w in "".join(out).split())


def b7_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of blind names never seen in development.

    No Faker locale written in Latin letters is left that the dev split does not read,
    so the names are the romanised ones of ``si_LK``, minus every dev name (the
    romanised ``b4``, ``b5`` and ``b6`` pools included)."""
    dev_first, dev_last = corpus.locale_names(_DEV_LOCALES)
    dev = set(dev_first) | set(dev_last)
    for romanised in (b4.b4_names, b5.b5_names, b6.b6_names):
        for first, last in romanised().values():
            dev |= set(first) | set(last)
    ok = re.compile(r"^[A-Z][a-z]{2,}$")
    pools = {}
    for loc in B7_LOCALES:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        pair = []
        for names in (list(p.first_names), list(p.last_names)):
            pair.append(sorted({n for n in map(_romanise, names) if ok.match(n) and n not in dev}))
        if pair[0] and pair[1]:
            pools[loc] = (pair[0], pair[1])
    return pools




# --- check digits (written for this set) ----------------------------------------------
def luhn_ok(s: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_complete(body: str) -> str:
    return next(body + c for c in "0123456789" if luhn_ok(body + c))


def iban_ok(iban: str) -> bool:
    s = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def make_iban(country: str, bban: str) -> str:
    num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    iban = f"{country}{98 - num % 97:02d}{bban}"
    assert iban_ok(iban), iban
    return iban


def ean_check(body: str) -> str:
    """EAN/GTIN check digit of ``body`` (weights 3, 1 from the right)."""
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return str((10 - s % 10) % 10)


def mod11_nhs(body9: str) -> int | None:
    """NHS / CHI check digit of nine digits (weights 10..2), ``None`` where there is none."""
    c = 11 - sum(int(d) * w for d, w in zip(body9, range(10, 1, -1), strict=True)) % 11
    return None if c == 10 else c % 11


_CF_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23],
        strict=True,
    )
)
_CF_EVEN = {c: (int(c) if c.isdigit() else ord(c) - 65) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def cf_check(body: str) -> str:
    """The control letter of an Italian codice fiscale, also the CIN of an Italian BBAN."""
    s = sum(_CF_ODD[c] if i % 2 == 0 else _CF_EVEN[c] for i, c in enumerate(body))
    return chr(65 + s % 26)


def _ascii_upper(name: str) -> str:
    s = unicodedata.normalize("NFKD", name)
    return "".join(c for c in s if c.isascii() and c.isalpha()).upper()


def _cf_part(name: str, first: bool) -> str:
    s = _ascii_upper(name)
    cons = [c for c in s if c not in "AEIOU"]
    vow = [c for c in s if c in "AEIOU"]
    if first and len(cons) >= 4:
        cons = [cons[0], cons[2], cons[3]]
    return ("".join(cons + vow) + "XXX")[:3]


def _digit_sum_mod(body: str, weights: tuple[int, ...], mod: int = 11) -> int:
    return sum(int(d) * w for d, w in zip(body, weights, strict=True)) % mod


_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
_MONTHS = {
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"],
}

# phones: everyday international ones from these regions, the rest from the others
PHONE_EVERYDAY = ("GB", "US", "DE", "FR", "IT", "ES", "NL", "IE", "PL")
PHONE_OTHER = ("JP", "SG", "KR", "IN", "CN", "HK", "CH", "AT", "BE", "SE", "DK", "PT", "CZ", "CA", "AU")
NATIONAL_EVERYDAY = ("GB", "US", "DE", "FR", "NL", "IT", "ES")
NATIONAL_OTHER = ("JP", "KR", "SG", "IN", "CN", "HK", "SE", "PL", "CH", "AT", "US", "DE")


def _ord(d: int) -> str:
    return str(d) + ("th" if 10 <= d % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th"))


class B7Gen(corpus.LocaleGen):
    """The blind split's values: same classes, pools and formats of its own."""

    group_name = "b7"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b7_names())

    def _everyday(self) -> bool:
        return self.r.random() < EVERYDAY

    def _rnd(self, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def _birth(self) -> dt.date:
        return dt.date(1950, 1, 1) + dt.timedelta(days=self.r.randint(0, 20800))

    # --- names -------------------------------------------------------------------------
    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        style = r.random()
        if style < 0.87:
            return f"{f} {la}"
        if style < 0.95:
            return f"{f} {r.choice('ABCDEFGHJKLMNPRSTV')}. {la}"
        return f"{la.upper()} {f}"

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = _ascii_upper(r.choice(first)).lower(), _ascii_upper(r.choice(last)).lower()
        f = f or "info"
        la = la or "team"
        if self._everyday():
            user = r.choice([f"{f}.{la}", f"{f[0]}{la}", f"{f}{la[0]}", f"{f}_{la}", f"{f}.{la}{r.randint(1, 99)}"])
            dom = r.choice(
                ["gmail.com", "outlook.com", "yahoo.com", "hotmail.co.uk", "icloud.com", "web.de", "orange.fr",
                 "northfield-mfg.com", "stmarys-clinic.org", "shop-central.eu", "gmx.de", "libero.it"]
            )
        else:
            user = r.choice([f"{f}.{la}+orders", f"{la}.{f}", f"{f}-{la}", f"{f[0]}.{la}", f"{f}{r.randint(1970, 2005)}"])
            dom = r.choice(
                ["naver.com", "yahoo.co.jp", "singnet.com.sg", "qq.com", "hanmail.net", "eircom.net", "bluewin.ch",
                 "sapo.pt", "telia.se", "eu.werk-sued.example.com", "nhs.net", "ziggo.nl", "t-online.de"]
            )
        return f"{user}@{dom}"

    def _number(self, region: str, mobile: bool | None = None) -> pn.PhoneNumber:
        r = self.r
        if mobile is None:
            mobile = r.random() < 0.6
        kind = pn.PhoneNumberType.MOBILE if mobile else pn.PhoneNumberType.FIXED_LINE
        ex = pn.example_number_for_type(region, kind) or pn.example_number(region)
        nsn = str(ex.national_number)
        for _ in range(500):
            keep = max(2, len(nsn) - r.randint(4, 7))
            num = pn.parse(f"+{ex.country_code}{nsn[:keep]}{corpus.digits(r, len(nsn) - keep)}")
            if pn.is_valid_number(num):
                return num
        return ex

    def phone(self) -> str:
        r = self.r
        if self._everyday():
            region = r.choice(PHONE_EVERYDAY)
            num = self._number(region)
            intl = pn.format_number(num, pn.PhoneNumberFormat.INTERNATIONAL)
            if region == "US" and r.random() < 0.5:
                nat = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL)
                return f"+1 {nat}"
            return intl
        region = r.choice(PHONE_OTHER)
        num = self._number(region)
        intl = pn.format_number(num, pn.PhoneNumberFormat.INTERNATIONAL)
        style = r.random()
        if style < 0.4:
            return intl
        if style < 0.6:
            return pn.format_number(num, pn.PhoneNumberFormat.E164)
        if style < 0.85 and region not in ("US", "CA"):
            return "00" + intl[1:]
        if region in ("CH", "AT", "BE", "SE"):
            cc, rest = intl.split(" ", 1)
            return f"{cc} (0){rest}"
        return intl

    def phone_national(self) -> str:
        r = self.r
        if self._everyday():
            region = r.choice(NATIONAL_EVERYDAY)
            num = self._number(region)
            out = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL)
            if region == "US" and r.random() < 0.4:
                out = out.replace("(", "").replace(") ", "-")
            if region == "NL" and r.random() < 0.5:
                out = out.replace(" ", "", 1) if out.startswith("06") else out
        else:
            region = r.choice(NATIONAL_OTHER)
            num = self._number(region)
            out = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL)
            if region == "US":
                out = out.replace("(", "").replace(") ", ".").replace("-", ".")
            elif region == "DE":
                area, _, rest = out.partition(" ")
                out = f"{area}/{rest.replace(' ', '')}"
            elif region in ("JP", "KR"):
                out = out.replace(" ", "-")
        assert pn.is_valid_number(pn.parse(out, region)), (out, region)
        return out

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 250)
        if self._everyday():
            kind = r.choice(["us", "us", "uk", "uk", "de", "fr", "nl", "it", "es"])
            if kind == "us":
                city, state, z = r.choice([("Springfield", "IL", 627), ("Columbus", "OH", 432), ("Austin", "TX", 787), ("Tacoma", "WA", 984), ("Raleigh", "NC", 276), ("Fresno", "CA", 937), ("Albany", "NY", 122)])
                street = f"{r.randint(100, 9899)} {r.choice(['Elm', 'Cedar', 'Washington', 'Lincoln', 'Sunset', 'Pine Ridge', 'Franklin'])} {r.choice(['St', 'Street', 'Ave', 'Blvd', 'Dr', 'Rd'])}"
                apt = r.choice(["", "", f", Apt {r.randint(1, 30)}{r.choice('ABCD')}", f" #{r.randint(100, 999)}"])
                return f"{street}{apt}, {city}, {state} {z}{r.randint(0, 99):02d}"
            if kind == "uk":
                town, out = r.choice([("Manchester", f"M{r.randint(1, 40)}"), ("Birmingham", f"B{r.randint(1, 99)}"), ("London", f"SE{r.randint(1, 28)}"), ("Glasgow", f"G{r.randint(1, 80)}"), ("Cardiff", f"CF{r.randint(10, 24)}"), ("Sheffield", f"S{r.randint(1, 36)}")])
                inward = f"{r.randint(0, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                flat = r.choice(["", "", f"Flat {r.randint(1, 24)}, "])
                return f"{flat}{n} {r.choice(['Victoria', 'Queens', 'Mill', 'Windsor', 'Chapel', 'Albert'])} {r.choice(['Road', 'Street', 'Avenue', 'Close', 'Crescent', 'Terrace'])}, {town} {out} {inward}"
            if kind == "de":
                city, plz = r.choice([("München", 80), ("Hamburg", 22), ("Dortmund", 44), ("Leipzig", 4), ("Nürnberg", 90), ("Frankfurt am Main", 60)])
                return f"{r.choice(['Schiller', 'Goethe', 'Friedrich-Ebert-', 'Mozart', 'Eichen', 'Birken'])}{r.choice(['straße', 'str.', 'weg', 'ring'])} {n}{r.choice(['', '', 'a'])}, {plz:02d}{r.randint(0, 999):03d} {city}"
            if kind == "fr":
                city, cp = r.choice([("Marseille", 130), ("Toulouse", 310), ("Nantes", 440), ("Strasbourg", 670), ("Bordeaux", 330)])
                return f"{n}{r.choice(['', '', ' bis'])}, {r.choice(['rue', 'avenue', 'boulevard', 'allée'])} {r.choice(['Jean Jaurès', 'de la République', 'Pasteur', 'des Écoles', 'Gambetta'])}, {cp}{r.randint(0, 99):02d} {city}"
            if kind == "nl":
                city = r.choice(["Rotterdam", "Eindhoven", "Groningen", "Den Haag"])
                return f"{r.choice(['Nieuwe', 'Oude', 'Lange'])} {r.choice(['Binnenweg', 'Gracht', 'Haven', 'Kade'])} {n}{r.choice(['', '-1', ' B'])}, {r.randint(1000, 9999)} {r.choice('BCDEGHJKLMNPRSTVWXZ')}{r.choice('BCDEGHJKLMNPRSTVWXZ')} {city}"
            if kind == "it":
                city, cap, prov = r.choice([("Roma", "001", "RM"), ("Napoli", "801", "NA"), ("Torino", "101", "TO"), ("Firenze", "501", "FI")])
                return f"{r.choice(['Via', 'Corso', 'Viale', 'Piazza'])} {r.choice(['Cavour', 'Vittorio Emanuele II', 'XX Settembre', 'della Libertà'])} {n}, {cap}{r.randint(0, 99):02d} {city} ({prov})"
            return f"{r.choice(['Calle', 'Avenida', 'Paseo'])} {r.choice(['de Alcalá', 'Mayor', 'de la Castellana', 'del Prado'])} {n}, {r.randint(1, 8)}º {r.choice(['A', 'B', 'izq.', 'dcha.'])}, 28{r.randint(1, 55):03d} Madrid"
        kind = r.choice(["jp", "sg", "kr", "ie", "ch", "pl", "se", "ca", "at"])
        if kind == "jp":
            area, ward, city, zip3 = r.choice([("Shiba", "Minato-ku", "Tokyo", 105), ("Kanda-Jimbocho", "Chiyoda-ku", "Tokyo", 101), ("Ebisu", "Shibuya-ku", "Tokyo", 150), ("Hakata-ekimae", "Hakata-ku", "Fukuoka", 812), ("Sakae", "Naka-ku", "Nagoya", 460)])
            return f"{r.randint(1, 4)}-{r.randint(1, 25)}-{r.randint(1, 18)} {area}, {ward}, {city} {zip3}-{r.randint(1, 9999):04d}"
        if kind == "sg":
            return f"{n} {r.choice(['Tampines Street 21', 'Jurong West Avenue 1', 'Bukit Batok Street 31', 'Anson Road'])}, #{r.randint(2, 30):02d}-{r.randint(1, 450):02d}, Singapore {r.randint(10, 82)}{r.randint(0, 9999):04d}"
        if kind == "kr":
            return f"{r.randint(1, 500)} {r.choice(['Teheran-ro', 'Olympic-ro', 'Sejong-daero', 'Haeundae-ro'])}, {r.choice(['Gangnam-gu', 'Songpa-gu', 'Jung-gu', 'Haeundae-gu'])}, {r.choice(['Seoul', 'Busan'])} {r.randint(1000, 63999):05d}"
        if kind == "ie":
            return f"{n} {r.choice(['Main Street', 'Church Road', 'Fitzwilliam Square', 'Patrick Street'])}, {r.choice(['Naas, Co. Kildare W91', 'Cork T12', 'Dublin D04', 'Galway H91'])} {r.choice('ACDEFHKNPRTVWXY')}{r.randint(0, 9)}{r.choice('ACDEFHKNPRTVWXY')}{r.randint(0, 9)}"
        if kind == "ch":
            return f"{r.choice(['Bahnhofstrasse', 'Seestrasse', 'Dorfstrasse', 'Rue du Rhône'])} {n}, {r.choice(['8001 Zürich', '3011 Bern', '4051 Basel', '1204 Genève'])}"
        if kind == "pl":
            return f"ul. {r.choice(['Piotrkowska', 'Mickiewicza', 'Słowackiego', 'Grunwaldzka'])} {n}/{r.randint(1, 60)}, {r.randint(0, 99):02d}-{r.randint(0, 999):03d} {r.choice(['Łódź', 'Wrocław', 'Lublin', 'Katowice'])}"
        if kind == "se":
            return f"{r.choice(['Storgatan', 'Kungsgatan', 'Vasagatan', 'Skolgatan'])} {n}, {r.randint(100, 984)} {r.randint(10, 99)} {r.choice(['Göteborg', 'Malmö', 'Uppsala', 'Västerås'])}"
        if kind == "ca":
            return f"{r.randint(10, 9999)} {r.choice(['Yonge St', 'rue Sherbrooke Ouest', 'Granville St', 'Jasper Ave'])}, {r.choice(['Toronto, ON M4W', 'Montréal, QC H3A', 'Vancouver, BC V6Z', 'Edmonton, AB T5J'])} {r.randint(0, 9)}{r.choice('ABCEGHJKLMNPRSTVXY')}{r.randint(0, 9)}"
        street, city = r.choice([("Mariahilfer Straße", "1060 Wien"), ("Landstraßer Hauptstraße", "1030 Wien"), ("Annenstraße", "8020 Graz"), ("Landstraße", "4020 Linz")])
        return f"{street} {n}/{r.randint(1, 9)}/{r.randint(1, 20)}, {city}"

    # --- identity ----------------------------------------------------------------------
    def date(self) -> str:
        r = self.r
        b = self._birth()
        d, m, y = b.day, b.month, b.year
        if self._everyday():
            return r.choice(
                [
                    f"{m:02d}/{d:02d}/{y}",
                    f"{d:02d}/{m:02d}/{y}",
                    f"{y}-{m:02d}-{d:02d}",
                    f"{d:02d}.{m:02d}.{y}",
                    f"{d} {_EN[m - 1]} {y}",
                    f"{_EN[m - 1]} {d}, {y}",
                    f"{d} {_EN[m - 1][:3]} {y}",
                ]
            )
        style = r.random()
        if style < 0.4:
            lang = r.choice(sorted(_MONTHS))
            mon = _MONTHS[lang][m - 1]
            if lang == "de":
                return f"{d}. {mon} {y}"
            if lang == "es":
                return f"{d} de {mon} de {y}"
            if lang == "fr" and d == 1:
                return f"1er {mon} {y}"
            return f"{d} {mon} {y}"
        return r.choice(
            [
                f"{m}/{d}/{y % 100:02d}",
                f"{d:02d}.{m:02d}.{y % 100:02d}",
                f"{y}{m:02d}{d:02d}",
                f"{d:02d}-{_EN[m - 1][:3]}-{y}",
                f"{_ord(d)} {_EN[m - 1]} {y}",
                f"{y}/{m:02d}/{d:02d}",
                f"{d:02d}-{m:02d}-{y}",
            ]
        )

    def national_id(self) -> str:
        r = self.r
        if self._everyday():
            kind = r.choice(["ssn", "ssn", "nino", "steuer", "nir", "cf", "dni", "bsn"])
        else:
            kind = r.choice(["be", "ahv", "svnr", "pps", "nif", "cpr", "hetu", "fnr", "cz", "sin", "nric", "hkid", "rrn", "mynum", "tw"])
        return getattr(self, f"_id_{kind}")()

    def _id_ssn(self) -> str:
        r = self.r
        area = r.choice([a for a in range(1, 900) if a != 666])
        return f"{area:03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"

    def _id_nino(self) -> str:
        r = self.r
        while True:
            p = r.choice("ABCEGHJKLMNOPRSTWXYZ") + r.choice("ABCEGHJKLMNPRSTWXYZ")
            if p not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
                break
        d = corpus.digits(r, 6)
        s = r.choice("ABCD")
        return f"{p} {d[:2]} {d[2:4]} {d[4:]} {s}" if r.random() < 0.5 else f"{p}{d}{s}"

    def _id_steuer(self) -> str:
        r = self.r
        while True:
            ds = r.sample(range(10), 9)
            ds.insert(r.randint(0, 9), r.choice(ds))
            if ds[0] != 0:
                break
        product = 10
        for d in ds:
            s = (d + product) % 10 or 10
            product = s * 2 % 11
        c = (11 - product) % 10
        v = "".join(map(str, ds)) + str(c)
        return f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}" if r.random() < 0.4 else v

    def _id_nir(self) -> str:
        r = self.r
        b = self._birth()
        body = f"{r.randint(1, 2)}{b.year % 100:02d}{b.month:02d}{r.choice([d for d in range(1, 96) if d != 20]):02d}{r.randint(1, 990):03d}{r.randint(1, 999):03d}"
        key = 97 - int(body) % 97
        if r.random() < 0.6:
            return f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:]} {key:02d}"
        return f"{body}{key:02d}"

    def _id_cf(self) -> str:
        r = self.r
        first, last = self._pool()
        b = self._birth()
        female = r.random() < 0.5
        body = (
            _cf_part(r.choice(last), False)
            + _cf_part(r.choice(first), True)
            + f"{b.year % 100:02d}"
            + "ABCDEHLMPRST"[b.month - 1]
            + f"{b.day + (40 if female else 0):02d}"
            + r.choice(["H501", "F205", "L219", "A944", "G273", "F839", "D612", "L736"])
        )
        return body + cf_check(body)

    def _id_dni(self) -> str:
        n = self.r.randint(1_000_000, 99_999_999)
        letter = "TRWAGMYFPDXBNJZSQVHLCKE"[n % 23]
        return f"{n:08d}{'-' if self.r.random() < 0.3 else ''}{letter}"

    def _id_bsn(self) -> str:
        r = self.r
        while True:
            s = corpus.digits(r, 8)
            c = _digit_sum_mod(s, (9, 8, 7, 6, 5, 4, 3, 2))
            if c < 10 and s[0] != "0":
                v = s + str(c)
                return f"{v[:4]}.{v[4:6]}.{v[6:]}" if r.random() < 0.3 else v

    def _id_be(self) -> str:
        r = self.r
        b = self._birth()
        body = f"{b.year % 100:02d}{b.month:02d}{b.day:02d}{r.randint(1, 997):03d}"
        c = 97 - int(("2" if b.year >= 2000 else "") + body) % 97
        return f"{body[:2]}.{body[2:4]}.{body[4:6]}-{body[6:]}.{c:02d}"

    def _id_ahv(self) -> str:
        body = "756" + corpus.digits(self.r, 9)
        v = body + ean_check(body)
        return f"{v[:3]}.{v[3:7]}.{v[7:11]}.{v[11:]}"

    def _id_svnr(self) -> str:
        r = self.r
        while True:
            b = self._birth()
            serial = f"{r.randint(100, 999)}"
            dob = f"{b.day:02d}{b.month:02d}{b.year % 100:02d}"
            c = _digit_sum_mod(serial + dob, (3, 7, 9, 5, 8, 4, 2, 1, 6))
            if c < 10:
                return f"{serial}{c} {dob}"

    def _id_pps(self) -> str:
        r = self.r
        d = corpus.digits(r, 7)
        second = r.choice(["", "A", "A", "W"])
        extra = {"": 0, "A": 1, "W": 0}[second] * 9
        c = (_digit_sum_mod(d, (8, 7, 6, 5, 4, 3, 2), 10**6) + extra) % 23
        return d + "WABCDEFGHIJKLMNOPQRSTUV"[c] + second

    def _id_nif(self) -> str:
        r = self.r
        body = r.choice("123") + corpus.digits(r, 7)
        c = 11 - _digit_sum_mod(body, (9, 8, 7, 6, 5, 4, 3, 2))
        v = body + str(0 if c >= 10 else c)
        return f"{v[:3]} {v[3:6]} {v[6:]}" if r.random() < 0.4 else v

    def _id_cpr(self) -> str:
        r = self.r
        while True:
            b = dt.date(1950, 1, 1) + dt.timedelta(days=r.randint(0, 18200))  # born before 2000
            v = f"{b.day:02d}{b.month:02d}{b.year % 100:02d}{r.randint(0, 3)}{corpus.digits(r, 3)}"
            if _digit_sum_mod(v, (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)) == 0:
                return f"{v[:6]}-{v[6:]}"

    def _id_hetu(self) -> str:
        r = self.r
        b = self._birth()
        ind = f"{r.randint(2, 899):03d}"
        dob = f"{b.day:02d}{b.month:02d}{b.year % 100:02d}"
        return f"{dob}{'A' if b.year >= 2000 else '-'}{ind}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(dob + ind) % 31]

    def _id_fnr(self) -> str:
        r = self.r
        while True:
            b = self._birth()
            ind = f"{r.randint(500, 999) if b.year >= 2000 else r.randint(0, 499):03d}"
            s = f"{b.day:02d}{b.month:02d}{b.year % 100:02d}{ind}"
            k1 = 11 - _digit_sum_mod(s, (3, 7, 6, 1, 8, 9, 4, 5, 2))
            k1 = 0 if k1 == 11 else k1
            if k1 == 10:
                continue
            k2 = 11 - _digit_sum_mod(s + str(k1), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
            k2 = 0 if k2 == 11 else k2
            if k2 != 10:
                return f"{s}{k1}{k2}"

    def _id_cz(self) -> str:
        r = self.r
        while True:
            b = self._birth()
            mm = b.month + (50 if r.random() < 0.5 else 0)
            body = f"{b.year % 100:02d}{mm:02d}{b.day:02d}{r.randint(0, 999):03d}"
            c = int(body) % 11
            if c < 10:
                return f"{body[:6]}/{body[6:]}{c}"

    def _id_sin(self) -> str:
        v = luhn_complete(self.r.choice("1234567") + corpus.digits(self.r, 7))
        return f"{v[:3]} {v[3:6]} {v[6:]}" if self.r.random() < 0.7 else f"{v[:3]}-{v[3:6]}-{v[6:]}"

    def _id_nric(self) -> str:
        r = self.r
        b = dt.date(1968, 1, 1) + dt.timedelta(days=r.randint(0, 14000))
        prefix = "T" if b.year >= 2000 else "S"
        d = f"{b.year % 100:02d}{corpus.digits(r, 5)}"
        s = _digit_sum_mod(d, (2, 7, 6, 5, 4, 3, 2), 10**6) + (4 if prefix == "T" else 0)
        return f"{prefix}{d}{'JZIHGFEDCBA'[s % 11]}"

    def _id_hkid(self) -> str:
        r = self.r
        letter = r.choice("ACDEGHKPRVYZ")
        d = corpus.digits(r, 6)
        s = 36 * 9 + (ord(letter) - 55) * 8 + _digit_sum_mod(d, (7, 6, 5, 4, 3, 2), 10**6)
        c = (11 - s % 11) % 11
        return f"{letter}{d}({'A' if c == 10 else c})"

    def _id_rrn(self) -> str:
        r = self.r
        b = dt.date(1950, 1, 1) + dt.timedelta(days=r.randint(0, 20000))
        g = r.choice("12") if b.year < 2000 else r.choice("34")
        body = f"{b.year % 100:02d}{b.month:02d}{b.day:02d}{g}{r.randint(0, 95):02d}{corpus.digits(r, 3)}"  # then place of birth
        c = (11 - _digit_sum_mod(body, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5))) % 10
        return f"{body[:6]}-{body[6:]}{c}"

    def _id_mynum(self) -> str:
        body = str(self.r.randint(1, 9)) + corpus.digits(self.r, 10)
        s = sum(int(p) * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(body), start=1)) % 11
        v = body + str(0 if s <= 1 else 11 - s)
        return f"{v[:4]} {v[4:8]} {v[8:]}"

    def _id_tw(self) -> str:
        r = self.r
        codes = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
        letter = r.choice("ABCDEFGHJKLMNPQRSTUVXYWZ")
        body = r.choice("12") + corpus.digits(r, 7)
        code = codes[letter]
        s = code // 10 + (code % 10) * 9 + _digit_sum_mod(body, (8, 7, 6, 5, 4, 3, 2, 1), 10**6)
        return f"{letter}{body}{(10 - s % 10) % 10}"

    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"E{r.randint(100000, 999999)}", f"EMP-{r.randint(1000, 99999):05d}", f"{r.randint(10000, 99999)}"])
        return r.choice([f"{r.randint(0, 9999999):08d}", f"HR-{r.randint(2015, 2026)}-{r.randint(1, 9999):04d}", f"P{r.randint(100000, 999999)}", f"W/{r.randint(1000, 9999)}"])

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice([f"{r.randint(1000000, 9999999)}", f"{r.randint(0, 99999999):08d}"])
        if r.random() < 0.6:  # NHS number
            while True:
                body = str(r.randint(4, 7)) + corpus.digits(r, 8)
                c = mod11_nhs(body)
                if c is not None:
                    v = body + str(c)
                    return f"{v[:3]} {v[3:6]} {v[6:]}"
        while True:  # Scottish CHI number: date of birth, three digits, check digit
            b = self._birth()
            body = f"{b.day:02d}{b.month:02d}{b.year % 100:02d}{corpus.digits(r, 3)}"
            c = mod11_nhs(body)
            if c is not None:
                return body + str(c)

    def mrn_token(self) -> str:
        r = self.r
        return r.choice([f"MRN{r.randint(100000, 9999999)}", f"HN-{r.randint(100000, 999999)}", f"K{r.randint(1000000, 9999999)}", f"PID-{r.randint(10000, 99999)}-{r.randint(1, 9)}"])

    # --- health -----------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                ["high blood pressure", "atrial fibrillation", "rheumatoid arthritis", "a slipped disc", "coeliac disease",
                 "bipolar disorder", "multiple sclerosis", "osteoarthritis of the knee", "psoriasis", "glaucoma",
                 "a urinary tract infection", "bronchitis", "hepatitis B", "heart failure", "IBS", "endometriosis",
                 "a peanut allergy", "postnatal depression", "high cholesterol", "hypothyroidism"]
            )
        return r.choice(
            ["I10 essential hypertension", "E11.9 (type 2 diabetes)", "J45.909 asthma", "M54.5 low back pain",
             "F32.1 moderate depressive episode", "Diabetes mellitus Typ 2", "Bluthochdruck", "insuffisance cardiaque",
             "diabète de type 1", "hipertensión arterial", "COVID-19 positive", "T2DM", "CKD stage 3", "AF on anticoagulation"]
        )

    def injury(self) -> str:
        return self.r.choice(
            ["twisted his knee stepping off the loading ramp", "got a chemical splash on the forearm",
             "caught her thumb in the pallet wrapper", "strained his lower back lifting a gearbox",
             "was hit on the head by a falling tote", "cut his palm on a sheet-metal edge",
             "inhaled solvent fumes and felt dizzy", "broke a wrist falling from a step ladder"]
        )

    def sick(self) -> str:
        return self.r.choice(
            ["is off with flu", "has been signed off for two weeks with a chest infection", "is on maternity leave",
             "is having chemotherapy", "is off with a migraine", "is in rehab for alcohol dependency",
             "tested positive for COVID", "is recovering from knee surgery"]
        )

    def outcome(self) -> str:
        return self.r.choice(
            ["a grazed elbow", "suspected broken wrist", "a sprained wrist, first aid given",
             "a bump on the head, ambulance declined", "a cut to the chin, taken to A&E"]
        )

    def medication(self) -> str:
        return self.r.choice(
            ["metformin 500 mg twice daily", "atorvastatin 20 mg", "amlodipine 5 mg", "ramipril", "an EpiPen",
             "omeprazole", "apixaban 5 mg BD", "lithium", "Ozempic", "prednisolone 40 mg", "citalopram 20 mg",
             "Euthyrox 75 µg"]
        )

    def procedure(self) -> str:
        return self.r.choice(
            ["a knee arthroscopy", "a flu jab", "a CT scan of the chest", "an endoscopy", "a smear test",
             "a mammogram", "a stress echo", "wisdom tooth removal", "a skin biopsy", "a gastroscopy",
             "an ultrasound of the abdomen", "a hearing test"]
        )

    # --- money -----------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        if self._everyday():
            prefix = r.choice(["4", "4", "4", "51", "52", "53", "54", "55", str(r.randint(2221, 2720))])
            full = luhn_complete(prefix + corpus.digits(r, 15 - len(prefix)))
            sep = " " if r.random() < 0.8 else "-"
            return sep.join(full[i : i + 4] for i in range(0, 16, 4))
        prefix, length = r.choice([("34", 15), ("37", 15), ("37", 15), (str(r.randint(3528, 3589)), 16), ("62", 16), ("62", 19), ("36", 14), ("4", 16), ("5", 16)])
        if prefix == "5":
            prefix = str(r.randint(51, 55))
        full = luhn_complete(prefix + corpus.digits(r, length - len(prefix) - 1))
        if length in (14, 15):
            return " ".join([full[:4], full[4:10], full[10:]])
        if length == 19:
            return " ".join([full[:6], full[6:]]) if r.random() < 0.3 else " ".join(full[i : i + 4] for i in range(0, 19, 4))
        return full

    def iban(self) -> str:
        r = self.r
        d = lambda n: corpus.digits(r, n)  # noqa: E731
        up = string.ascii_uppercase
        if self._everyday():
            country = r.choice(["DE", "DE", "FR", "GB", "NL", "ES", "IT"])
        else:
            country = r.choice(["AT", "BE", "CH", "IE", "PT", "SE", "DK", "FI", "NO", "LU", "PL", "CZ"])
        if country == "DE":
            bban = d(18)
        elif country == "FR":
            bank, branch, acct = d(5), d(5), d(11)
            key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97
            bban = f"{bank}{branch}{acct}{key:02d}"
        elif country in ("GB", "IE"):
            bban = r.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"] if country == "GB" else ["AIBK", "BOFI", "IPBS"]) + d(14)
        elif country == "NL":
            bban = r.choice(["ABNA", "INGB", "RABO", "SNSB", "TRIO"]) + d(10)
        elif country == "ES":
            bank, branch, acct = d(4), d(4), d(10)
            w = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)

            def dc(s: str) -> str:
                c = 11 - _digit_sum_mod(s, w)
                return str({11: 0, 10: 1}.get(c, c))

            bban = bank + branch + dc("00" + bank + branch) + dc(acct) + acct
        elif country == "IT":
            rest = d(10) + d(12)
            bban = cf_check(rest) + rest
        elif country == "AT":
            bban = d(16)
        elif country == "BE":
            body = r.choice(["001", "068", "063", "310", "363", "731", "734", "979", "103"]) + d(7)
            bban = body + f"{int(body) % 97 or 97:02d}"
        elif country == "CH":
            bban = d(17)
        elif country == "PT":
            body = d(19)
            bban = body + f"{98 - int(body) * 100 % 97:02d}"
        elif country == "SE":
            bban = d(20)
        elif country in ("DK", "FI"):
            bban = d(14)
        elif country == "NO":
            while True:
                body = d(10)
                c = 11 - _digit_sum_mod(body, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
                if c != 10:
                    bban = body + str(c % 11)
                    break
        elif country == "LU":
            bban = d(3) + "".join(r.choice(up + string.digits) for _ in range(13))
        elif country == "PL":
            sort7 = d(7)
            c = (10 - _digit_sum_mod(sort7, (3, 9, 7, 1, 3, 9, 7), 10)) % 10
            bban = sort7 + str(c) + d(16)
        else:  # CZ
            bban = d(20)
        iban = make_iban(country, bban)
        if self._everyday():
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban

    # --- network ----------------------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"192.168.{r.randint(0, 254)}.{r.randint(2, 254)}",
                    f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}",
                    f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 254)}",
                    f"{r.choice([31, 62, 77, 85, 91, 109, 151, 185, 212, 217])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                ]
            )
        h = lambda: f"{r.randint(1, 0xFFFF):x}"  # noqa: E731
        return r.choice(
            [
                f"2a01:4f8:{h()}:{h()}::{r.randint(1, 9)}",
                f"fe80::{h()}:{r.randint(0, 255):02x}ff:fe{r.randint(0, 255):02x}:{h()}",
                f"2001:{r.choice(['67c', '41d0', '16b8', '1c00'])}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}",
                f"fd{r.randint(0, 255):02x}:{h()}:{h()}::{h()}",
                f"100.{r.randint(64, 127)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
            ]
        )

    def mac(self) -> str:
        r = self.r
        octs = [r.randint(0, 255) for _ in range(6)]
        octs[0] &= 0xFC  # universally administered unicast, as a vendor's NIC would be
        if self._everyday():
            s = ":".join(f"{o:02x}" for o in octs)
            return s.upper() if r.random() < 0.5 else s
        hx = "".join(f"{o:02x}" for o in octs)
        return r.choice(["-".join(f"{o:02X}" for o in octs), f"{hx[:4]}.{hx[4:8]}.{hx[8:]}", hx.upper()])

    def gps(self) -> str:
        r = self.r
        lat, lon = r.choice(
            [(r.uniform(43.0, 55.0), r.uniform(-4.5, 19.0)), (r.uniform(30.0, 47.0), r.uniform(-122.0, -75.0)), (r.uniform(1.2, 37.5), r.uniform(103.6, 139.8))]
        )
        if self._everyday():
            p = r.choice([6, 5, 4])
            return f"{lat:.{p}f}, {lon:.{p}f}" if r.random() < 0.8 else f"{lat:.{p}f},{lon:.{p}f}"
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")

        def dms(x: float) -> tuple[int, int, float]:
            x = abs(x)
            deg = int(x)
            mins = (x - deg) * 60
            return deg, int(mins), (mins - int(mins)) * 60

        (ld, lm, ls), (od, om, os_) = dms(lat), dms(lon)
        return r.choice(
            [
                f"{ld}°{lm:02d}'{ls:04.1f}\"{ns} {od}°{om:02d}'{os_:04.1f}\"{ew}",
                f"{ns} {ld}° {abs(lat) % 1 * 60:06.3f}' {ew} {od:03d}° {abs(lon) % 1 * 60:06.3f}'",
                f"geo:{lat:.5f},{lon:.5f}",
                f"https://maps.google.com/?q={lat:.6f},{lon:.6f}",
                f"{abs(lat):.4f}° {ns}, {abs(lon):.4f}° {ew}",
            ]
        )

    # --- secrets ------------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        rnd = self._rnd
        alnum = string.ascii_letters + string.digits
        hexd = "0123456789abcdef"
        if self._everyday():
            return r.choice(
                [
                    "AKIA" + rnd(16, string.ascii_uppercase + "234567"),
                    "ghp_" + rnd(36),
                    f"xoxb-{rnd(12, string.digits)}-{rnd(13, string.digits)}-{rnd(24)}",
                    "sk_live_" + rnd(24),
                    "AIza" + rnd(35, alnum + "_-"),
                    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOi" + rnd(38, alnum + "_-") + "." + rnd(86, alnum + "_-"),
                ]
            )
        return r.choice(
            [
                "glpat-" + rnd(20, alnum + "_-"),
                "SG." + rnd(22, alnum + "_-") + "." + rnd(43, alnum + "_-"),
                "npm_" + rnd(36),
                "hf_" + rnd(34, string.ascii_letters),
                f"{r.randint(10**8, 10**10 - 1)}:AA{rnd(33, alnum + '_-')}",
                "dop_v1_" + rnd(64, hexd),
                rnd(32, hexd) + f"-us{r.randint(1, 21)}",
                "AccountKey=" + rnd(86, alnum + "+/") + "==",
                "github_pat_11" + rnd(20, string.ascii_uppercase + string.digits) + "_" + rnd(59),
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
                + rnd(70, alnum + "+/")
                + "\n-----END OPENSSH PRIVATE KEY-----",
            ]
        )

    def password(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.choice(['Autumn', 'Spring', 'Welcome', 'Factory', 'Sunshine', 'Dragon', 'Monkey'])}{r.choice(['2024', '2025', '2026', '123', '01'])}{r.choice(['!', '#', '', '?'])}",
                    f"{r.choice(['Liverpool', 'Chelsea', 'Bayern', 'Juventus'])}{r.randint(1, 99)}{r.choice('!$')}",
                    self._rnd(12, string.ascii_letters + string.digits + "!@#$%&*"),
                    f"{r.choice(['Passwort', 'Motdepasse', 'Contrasena', 'Wachtwoord'])}{r.randint(10, 99)}!",
                ]
            )
        return r.choice(
            [
                f"{r.choice(['tulip', 'anchor', 'violin', 'glacier', 'pebble', 'comet'])}.{r.choice(['river', 'ladder', 'saffron', 'beacon'])}.{r.choice(['oak', 'fern', 'moss'])}{r.randint(1, 9)}",
                r.choice(["1qaz2WSX!", "Zaq12wsx#", "!QAZ2wsx3edc", "qwertz#2025"]),
                f"{corpus.digits(r, 6)}",
                f"{r.choice(['Lager', 'Kasse', 'Halle'])}-{r.randint(1, 9)}-{self._rnd(5, string.ascii_lowercase)}",
            ]
        )

    # --- negatives ----------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice(
            [
                f"3HAC{r.randint(10000, 99999):06d}-{r.randint(1, 9):03d}",
                f"0 986 {r.randint(100, 999)} {r.randint(100, 999)}",
                f"{r.choice(['6203', '6305', '22210', 'NU208'])}-2Z/C3",
                f"M{r.choice([6, 8, 10, 12])}x{r.choice([16, 20, 25, 30, 40])} DIN 912",
                f"1492-SP{r.randint(1, 3)}C{r.choice(['060', '100', '160'])}",
                f"{r.choice(['TS', 'MS', 'JK'])}-{r.randint(1000, 9999)}-{r.choice(['BLK', 'WHT', 'NAV'])}-{r.choice(['S', 'M', 'L', 'XL'])}",
            ]
        )

    def serial(self) -> str:
        r = self.r
        up = string.ascii_uppercase + string.digits
        return r.choice(
            [
                f"{r.randint(18, 26)}{r.choice(string.ascii_uppercase)}{r.randint(1, 9)}{r.choice(string.ascii_uppercase)}{r.randint(1000, 9999)}",
                f"C02{self._rnd(9, up)}",
                f"FCW{r.randint(2000, 2699)}{self._rnd(4, up)}",
                f"{r.randint(1, 9)}CE{r.randint(100, 999)}{self._rnd(4, up)}",
                f"{self._rnd(4, up)}-{self._rnd(4, up)}-{r.randint(1000, 9999)}",
            ]
        )

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=r.randint(0, 31_000_000))
        return r.choice(
            [
                f"{t:%Y-%m-%d %H:%M:%S}.{r.randint(0, 999):03d}",
                f"{t:%d/%m/%Y %H:%M}",
                f"{t:%b} {t.day:2d} {t:%H:%M:%S}",
                f"{t:%Y-%m-%dT%H:%M:%S}+0{r.choice([0, 1, 2])}:00",
                f"{t:%a %d %b %Y %H:%M}",
                f"{t:%H:%M}",
            ]
        )

    def version(self) -> str:
        r = self.r
        t = dt.date(2025, 1, 1) + dt.timedelta(days=r.randint(0, 500))
        return r.choice(
            [
                f"{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)} build {r.randint(100, 9999)}",
                f"v{r.randint(1, 4)}.{r.randint(0, 30)}.{r.randint(0, 20)}",
                f"V{r.randint(1, 9)}.{r.randint(0, 9)} SP{r.randint(1, 4)}",
                f"{r.randint(1, 3)}.{r.randint(0, 9)}.{r.randint(0, 9)}+{t:%Y%m%d}",
            ]
        )

    def lot(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.randint(24, 26)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.choice('ABC')}",
                f"L{r.randint(24, 26)}{r.randint(1, 52):02d}-{r.randint(100, 999)}",
                f"B{r.randint(24, 26)}-{r.randint(1, 9999):04d}",
            ]
        )

    def ean(self) -> str:
        r = self.r
        if r.random() < 0.3:  # UPC-A
            body = str(r.choice([0, 0, 6, 7, 8])) + corpus.digits(r, 10)
            return body + ean_check(body)
        body = r.choice(["50", "40", "41", "30", "87", "45", "49", "80", "84", "76"]) + corpus.digits(r, 10)
        return body + ean_check(body)

    def reading(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.uniform(218, 242):.1f} V",
                f"{r.uniform(0.5, 60):.1f} kWh",
                f"{r.uniform(985, 1035):.0f} hPa",
                f"{r.uniform(20, 80):.0f} % RH",
                f"{r.uniform(55, 95):.0f} dB(A)",
                f"{r.uniform(0.1, 9.9):.2f} m/s²",
                f"{r.uniform(2, 8):.1f} °C",
            ]
        )

    def order(self) -> str:
        r = self.r
        return r.choice(
            [
                f"ORD-2026-{r.randint(1, 999999):06d}",
                f"#{r.randint(1001, 99999)}",
                f"INV-{r.randint(24, 26)}-{r.randint(1, 99999):05d}",
                f"{r.randint(100, 999)}-{r.randint(1000000, 9999999)}-{r.randint(1000000, 9999999)}",
                f"1Z{self._rnd(6, string.ascii_uppercase + string.digits)}{corpus.digits(r, 10)}",
                f"SO-{r.randint(100000, 999999)}",
            ]
        )


# Written for the blind set b7 without reading the detector. New situations only: no
# sentence here appears in the dev templates or b1-b6.
B7_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Shift swap request: {person} takes my Saturday early and I take her Tuesday late. OK'd by {first}.",
        "Incident report - {person} {injury} at the coil slitter. Witness: {person}. First aid given by {first}.",
        "Onboarding form\nName: {person}\nDate of birth: {dob}\nTax/ID number: {natid}\nEmployee no.: {badge}\nSalary account: {iban}",
        "Could someone text {first} on {phone_nat}? Her reach truck licence runs out this month.",
        "level=warn host=edge-gw-02 src={ip} mac={mac} msg=\"login failed for user operator\" ts=\"{ts}\"",
        '{"operator": "{person}", "badge": "{badge}", "station": "CNC-07", "fw": "{version}"}',
        "Toolbox talk on manual handling, signed by {person}, {person} and {surname} at {ts}.",
        "Please pay back {person} for the safety glasses (expense claim {order}) to {iban}.",
        "Our new maintenance tech {person} starts Monday - e-mail {email}, mobile {phone}.",
        "Near-miss: the reach truck reversed into rack 12. Driver {first} {surname} unhurt; truck s/n {serial}.",
        "VPN for the robot integrator: user integ01, password: {password}",
        "Found this in the Ansible repo, please rotate it today: {secret}",
        "Part {part} rejected again from lot {lot}; last sensor value {reading} at {ts}.",
        "Emergency contact for {first}: partner {person}, {phone}, {address}.",
        "Sick call at 05:40 - {person} {sick}; agency cover booked.",
        "Return-to-work form: {person}, DOB {dob}. Diagnosis {condition}, currently taking {med}.",
        "Weighbridge PC {ip} pairs with the terminal {mac}, software {version}.",
        "Delivery exception: the haulier could not find gate 4 (pin {gps}); call {person} on {phone}.",
        "Payroll query from {person} ({badge}): the March slip shows the wrong ID {natid}.",
        "Schichttausch: {person} übernimmt die Frühschicht am Samstag, erreichbar unter {phone_nat}.",
        "Spare {part} and {part} booked out to line 5, serial {serial}, {ts}.",
        "Andon {ts}: station 14 is short of {part}, kanban reorder {order}, {first} informed.",
    ),
    "clinic": (
        "Ward round 08:30, bay C bed 4: {person}, {dob}, hosp. no. {mrn}. Known {condition}. Plan: continue {med}, repeat bloods.",
        "Appointment reminder: Dear {first}, you are booked for {procedure} on Tuesday at 10:40. To change it reply to {email} or call {phone_nat}.",
        "Patient ID: {mrn_token} | Name: {person} | DOB: {dob} | Allergies: {=HEALTH:penicillin}",
        "Mrs {surname} rang to say {person} {sick}. Please post the fit note to {address}.",
        "Insurance check for {person}, born {dob}, ID {natid}.",
        "Private patient {person} paid the dermatology invoice at the desk ({card}) and wants a copy sent to {email}.",
        "Phone consultation with {person} on {phone}: reports {condition}, referred for {procedure}.",
        "audit user={email} action=view_record patient={mrn} src={ip} at={ts}",
        "Physio handover: {first} {surname} {injury} last month and is now walking unaided.",
        "{person}, {dob} - {condition}; meds: {med}; review in 6 weeks.",
        "Overpayment refund to {person}, account {iban}.",
        "Label printer {serial} in pathology reset, firmware {version}; room sensor {reading}.",
        "Front desk shared mailbox password: {password} (changes monthly)",
        "The interface engine config still holds the live key: {secret}",
        "District nurse visit: {person}, {address}, key safe code {password}, location {gps}.",
        "Next of kin: {person} (son), {phone}. Patient {mrn_token}.",
        "Flu clinic list: {person} {dob}; {person} {dob}; {person} {dob}.",
        "Compte rendu : {person}, né(e) le {dob}, pièce d'identité {natid}, suivi pour {condition}.",
        "Reception kiosk {mac} at {ip} keeps dropping, ticket {order}.",
        "Infusion pump {serial} back from service with firmware {version}, asset check done {ts}.",
        "Patient {person}, hospital number {mrn}, asked for her results to go to {email}.",
        "Paziente {person}, nato/a il {dob}, documento {natid}: {condition}, in terapia con {med}.",
    ),
    "retail": (
        "CRM note - {person} rang about order {order}; wants it delivered to {address}; best number {phone}.",
        "Delivery exception: parcel {order} for {person} back at the depot, address not found ({address}).",
        "{person} ({email}) asked us to close her loyalty account and remove card {card} from file.",
        "Shift swap: {first} works my Sunday and I do her Thursday close. Thanks, {first}",
        "Bank transfer refund approved for {person}, IBAN {iban}, 129.00.",
        "HR onboarding row -> name={person}; birth={dob}; id_no={natid}; staff={badge}; mail={email}",
        "POS {ts} term=07 ip={ip} mac={mac} status=OFFLINE",
        "The bank says card {card} is reported stolen; the shopper gave the name {person} and phone {phone_nat}.",
        "{person} {=HEALTH:had an allergic reaction} to a sample at the deli counter; {=HEALTH:EpiPen} used, paramedics called.",
        "Wet floor by the juice chiller: {person} went down hard, {outcome}. Cleaner on duty was {first}.",
        "For the new handheld tablets the MDM enrolment password: {password}",
        "Web shop admin token pasted in the team chat: {secret}",
        "Store 0412 is at {gps}; ask for {first} at goods-in.",
        "Received EAN {ean} x 48 and {part} x 12 on {order}, batch {lot}.",
        "Deli scale s/n {serial} needs recalibrating after update {version}; the sensor beside it logged {reading}.",
        '{"customer": "{person}", "email": "{email}", "phone": "{phone}", "dob": "{dob}"}',
        "Click & collect for {first} {surname} is ready; the pickup code went to {phone_nat}.",
        "First-aid log, chillers: {person} {injury}; dressing applied by {first}.",
        "Alarm call-out order tonight: 1) {person} {phone} 2) {person} {phone_nat}",
        "Chargeback on card {card}: account holder {person}, date of birth {dob}.",
        "Envío retenido: el repartidor no encuentra a {person} en {address}; llamar al {phone}.",
        "Klant {person} wil het geld terug op {iban}; bon {order}.",
        "Planogram change for {ean}: move to bay 7, supplier invoice {order}.",
    ),
}
