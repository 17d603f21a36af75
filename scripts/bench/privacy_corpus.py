# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""A labelled corpus for the privacy bench: factory, clinic and retail text from templates.

Every regulated value is generated (valid check digits where the real thing has them)
and its span recorded, so precision and recall are computed against ground truth.
Negative slots (part numbers, serials, timestamps, versions, lots, barcodes, readings)
are recorded too, to count false positives on them.

Two splits (``build(..., split=...)``):

* ``dev``: the templates in ``privacy_templates.py`` (two families: the first one
  and the second, once held out and tuned on since) with this module's value pools,
  and the retired blind sets ``b1`` to ``b18`` (``privacy_retired_b*.py``) with
  their own. Names come from the pools ``seen`` (locales the detector's gazetteer was
  built from), ``unlisted`` (Faker locales the gazetteer never read, minus any name that
  happens to be in it), ``b1`` to ``b18``. The detector is developed against
  this split.
* ``blind``: ``privacy_blind.py`` -- its own templates, names and values, seeds from
  ``BLIND_SEED_MIN`` up. Never tuned on; see that module.
"""

from __future__ import annotations

import functools
import importlib
import random
import re
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_name_lexicon import GAZETTEER_LOCALES, HELD_OUT_LOCALES  # noqa: E402

from appliance.privacy import checksums as ck  # noqa: E402
from appliance.privacy.names import load_lexicon  # noqa: E402

NEGATIVE = "NEG"


@dataclass
class Span:
    """One labelled value: its class (or ``NEG``), offsets and text."""

    type: str
    start: int
    end: int
    text: str
    group: str = ""  # for PERSON: the name pool it came from (seen, unlisted, blind)


@dataclass
class Sample:
    """One text of the corpus with its labels."""

    domain: str
    text: str
    spans: list[Span] = field(default_factory=list)


def _listed(attr: object) -> set[str]:
    # Faker lists names as tuples, lists or weighted dicts (some locales: a property)
    return {str(n) for n in attr} if isinstance(attr, tuple | list | dict) else set()


def locale_names(locales: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Return the (first, last) names of Faker ``locales`` usable as corpus values."""
    first: set[str] = set()
    last: set[str] = set()
    for loc in locales:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for a in ("first_names", "first_names_male", "first_names_female"):
            first |= _listed(getattr(p, a, ()))
        for a in ("last_names", "last_names_male", "last_names_female"):
            last |= _listed(getattr(p, a, ()))
    ok = re.compile(r"^[^\W\d_]{2,}(?:[-'][^\W\d_]{2,})?$")
    return (
        sorted(n for n in first if ok.match(n) and n[0].isupper()),
        sorted(n for n in last if ok.match(n) and n[0].isupper()),
    )


def name_pools() -> dict[str, tuple[list[str], list[str]]]:
    """Return the dev pools ``{"seen": (first, last), "unlisted": (first, last)}``."""
    lex = load_lexicon()
    known = lex.first | lex.last | lex.ambiguous
    seen = locale_names(GAZETTEER_LOCALES)
    hf, hl = locale_names(HELD_OUT_LOCALES)
    return {
        "seen": seen,
        "unlisted": ([n for n in hf if n not in known], [n for n in hl if n not in known]),
    }


def digits(r: random.Random, n: int) -> str:
    """Return ``n`` random decimal digits."""
    return "".join(str(r.randint(0, 9)) for _ in range(n))


def luhn_complete(body: str) -> str:
    """Return ``body`` with the check digit that makes it pass Luhn."""
    return next(body + c for c in "0123456789" if ck.luhn_ok(body + c))


class Gen:
    """Value generators; each returns the string to insert."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng
        self.pools = name_pools()
        self.group = ""

    def _pool(self) -> tuple[list[str], list[str]]:
        self.group = "unlisted" if self.r.random() < 0.5 else "seen"
        return self.pools[self.group]

    def person(self) -> str:
        first, last = self._pool()
        return f"{self.r.choice(first)} {self.r.choice(last)}"

    def first(self) -> str:
        return self.r.choice(self._pool()[0])

    def surname(self) -> str:
        return self.r.choice(self._pool()[1])

    def email(self) -> str:
        r = self.r
        user = "".join(r.choice(string.ascii_lowercase) for _ in range(r.randint(3, 7)))
        sep = r.choice([".", "_", ""])
        user2 = "".join(r.choice(string.ascii_lowercase) for _ in range(r.randint(3, 8)))
        dom = r.choice(
            [
                "example.com",
                "acme-plant.de",
                "klinikum-nord.de",
                "retail.co.uk",
                "mail.fr",
                "post.pl",
                "hospital.org",
                "gmail.com",
            ]
        )
        return f"{user}{sep}{user2}@{dom}"

    def phone(self) -> str:
        r = self.r
        d = functools.partial(digits, r)
        return r.choice(
            [
                f"+49 151 {d(4)} {d(4)}",
                f"+49 30 {d(8)}",
                f"+48 601 {d(3)} {d(3)}",
                f"+44 7700 {d(6)}",
                f"+44 20 {d(4)} {d(4)}",
                f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
                f"+39 347 {d(7)}",
                f"+34 612 {d(3)} {d(3)}",
                f"+31 6 {d(8)}",
                f"+1 (415) {d(3)}-{d(4)}",
                f"(212) {r.randint(200, 999)}-{d(4)}",
                f"{r.randint(200, 989)}-{r.randint(200, 999)}-{d(4)}",
                f"+420 602 {d(3)} {d(3)}",
                f"+46 70 {d(3)} {d(2)} {d(2)}",
            ]
        )

    def phone_national(self) -> str:
        d = functools.partial(digits, self.r)
        return self.r.choice(
            [f"0151 {d(8)}", f"030 {d(7)}", f"07700 {d(6)}", f"06 {d(2)} {d(2)} {d(2)} {d(2)}"]
        )

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 240)
        return r.choice(
            [
                f"{n} {r.choice(['Maple', 'Oak', 'Hill', 'Lake', 'Church', 'Mill'])} "
                f"{r.choice(['Street', 'Road', 'Avenue', 'Lane', 'Drive'])}, "
                f"{r.choice(['Springfield', 'Dayton', 'Leeds', 'Bristol'])}",
                f"{n} {r.choice(['High', 'Station', 'Park'])} {r.choice(['Street', 'Road'])}, "
                f"{r.choice(['Leeds', 'York'])} LS{r.randint(1, 28)} {r.randint(1, 9)}"
                f"{r.choice('ABDEFGHJ')}{r.choice('LNPQRSTU')}",
                r.choice(
                    [
                        f"{r.choice(['Haupt', 'Bahnhof', 'Garten', 'Linden'])}"
                        f"{r.choice(['straße', 'weg', 'allee', 'gasse'])}",
                        f"{r.choice(['Berliner', 'Kölner', 'Alte'])} "
                        f"{r.choice(['Straße', 'Allee', 'Weg'])}",
                    ]
                )
                + f" {n}, {r.randint(10000, 99999)} {r.choice(['Berlin', 'Köln', 'Stuttgart', 'Bremen'])}",
                f"{n} rue {r.choice(['de la Paix', 'Victor Hugo', 'des Lilas', 'du Moulin'])}, "
                f"{r.randint(10000, 95999)} {r.choice(['Paris', 'Lyon', 'Lille'])}",
                f"ul. {r.choice(['Długa', 'Polna', 'Lipowa', 'Kwiatowa'])} {n}, "
                f"{r.randint(10, 99)}-{r.randint(100, 999)} {r.choice(['Kraków', 'Gdańsk', 'Poznań'])}",
                f"Via {r.choice(['Roma', 'Garibaldi', 'Dante', 'Mazzini'])} {n}, {r.randint(10000, 98000)} "
                f"{r.choice(['Milano', 'Torino', 'Bologna'])}",
                f"{r.choice(['Kerk', 'Molen', 'Dorps'])}{r.choice(['straat', 'laan', 'weg'])} {n}, "
                f"{r.randint(1000, 9999)} {r.choice(['AB', 'KL', 'XZ'])} {r.choice(['Utrecht', 'Delft'])}",
            ]
        )

    def date(self) -> str:
        r = self.r
        y, m, d = r.randint(1950, 2004), r.randint(1, 12), r.randint(1, 28)
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
        return r.choice(
            [
                f"{y}-{m:02d}-{d:02d}",
                f"{d:02d}.{m:02d}.{y}",
                f"{m:02d}/{d:02d}/{y}",
                f"{d} {mon} {y}",
                f"{mon} {d}, {y}",
            ]
        )

    def national_id(self) -> str:
        r = self.r
        kind = r.choice(["ssn", "nino", "dni", "nie", "nir", "cf"])
        if kind == "ssn":
            while True:
                v = f"{r.randint(1, 899):03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"
                if ck.ssn_ok(v):
                    return v
        if kind == "nino":
            prefix = r.choice(["AB", "CE", "JK", "NS", "PR", "SW", "WX", "YH", "LM", "ER"])
            return prefix + f"{r.randint(0, 999999):06d}" + r.choice("ABCD")
        if kind in ("dni", "nie"):
            num = r.randint(0, 9999999 if kind == "nie" else 99999999)
            letters = "TRWAGMYFPDXBNJZSQVHLCKE"
            if kind == "dni":
                return f"{num:08d}{letters[num % 23]}"
            pre = r.choice("XYZ")
            return f"{pre}{num:07d}{letters[int('XYZ'.index(pre).__str__() + f'{num:07d}') % 23]}"
        if kind == "nir":
            body = (
                f"{r.randint(1, 2)}{r.randint(50, 99):02d}{r.randint(1, 12):02d}{r.randint(1, 95):02d}"
                f"{r.randint(1, 999):03d}{r.randint(1, 999):03d}"
            )
            return f"{body}{97 - int(body) % 97:02d}"
        cons = "BCDFGHLMNPRSTVZ"
        return (
            "".join(r.choice(cons) for _ in range(6))
            + f"{r.randint(50, 99)}"
            + r.choice("ABCDEHLMPRST")
            + f"{r.randint(1, 71):02d}"
            + r.choice("ABCDEFGHL")
            + f"{r.randint(1, 999):03d}"
            + r.choice(string.ascii_uppercase)
        )

    def pesel(self) -> str:
        while True:
            v = digits(self.r, 11)
            if ck.pesel_ok(v):
                return v

    def badge(self) -> str:
        r = self.r
        return r.choice([f"B-{r.randint(10000, 99999)}", f"EMP-{r.randint(1000, 999999):06d}"])

    def mrn(self) -> str:
        return f"{self.r.randint(1000000, 99999999):08d}"

    def mrn_token(self) -> str:
        return self.r.choice(
            [f"MRN-{self.r.randint(100000, 9999999)}", f"PAT-{self.r.randint(100000, 999999)}"]
        )

    def condition(self) -> str:
        return self.r.choice(
            [
                "type 2 diabetes",
                "asthma",
                "epilepsy",
                "hypertension",
                "a fractured wrist",
                "depression",
                "a penicillin allergy",
                "migraine",
                "COPD",
                "angina",
                "Crohn's disease",
                "kidney stones",
                "tinnitus",
                "pregnancy",
                "a concussion",
                "HIV",
                "chronic back pain",
                "a heart condition",
                "sleep apnea",
                "an anxiety disorder",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "cut a finger",
                "suffered a laceration to the left hand",
                "sprained an ankle",
                "burned a hand",
                "got a metal splinter in the eye",
                "bruised a shoulder",
                "hurt his back",
                "fractured a toe",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            ["on sick leave", "off sick", "signed off by the GP", "on medical leave"]
        )

    def outcome(self) -> str:
        return self.r.choice(
            ["no injury", "bruised knee", "twisted ankle", "minor cut to the hand"]
        )

    def card(self) -> str:
        r = self.r
        prefix, length = r.choice(
            [("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16)]
        )
        num = luhn_complete(prefix + digits(r, length - len(prefix) - 1))
        sep = r.choice([" ", "-", ""])
        if length == 15:
            return f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        return sep.join(num[i : i + 4] for i in range(0, 16, 4))

    def iban(self) -> str:
        r = self.r
        country, bban_len = r.choice(
            [("DE", 18), ("FR", 23), ("GB", 18), ("NL", 14), ("PL", 24), ("ES", 20), ("IT", 23)]
        )
        if country == "GB":
            bban = "NWBK" + digits(r, 14)
        elif country == "NL":
            bban = "ABNA" + digits(r, 10)
        elif country == "IT":
            bban = "X" + digits(r, 22)
        else:
            bban = digits(r, bban_len)
        num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        iban = f"{country}{98 - num % 97:02d}{bban}"
        assert ck.iban_ok(iban), iban
        return (
            " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if r.random() < 0.6 else iban
        )

    def ip(self) -> str:
        r = self.r
        if r.random() < 0.2:
            return f"2001:db8:{r.randint(0, 65535):x}::{r.randint(1, 65535):x}"
        return r.choice(
            [
                f"192.168.{r.randint(0, 255)}.{r.randint(1, 254)}",
                f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
            ]
        )

    def mac(self) -> str:
        sep = self.r.choice([":", "-"])
        return sep.join(f"{self.r.randint(0, 255):02X}" for _ in range(6))

    def gps(self) -> str:
        r = self.r
        lat, lon = r.uniform(35, 60), r.uniform(-9, 30)
        return r.choice(
            [
                f"{lat:.6f}, {lon:.6f}",
                f"{lat:.5f},{lon:.5f}",
                f"lat {lat:.4f}, lon {lon:.4f}",
                f"{int(lat)}°{r.randint(0, 59)}'{r.randint(0, 59)}\"N {abs(int(lon))}°{r.randint(0, 59)}'{r.randint(0, 59)}\"{'E' if lon >= 0 else 'W'}",
            ]
        )

    def secret(self) -> str:
        r = self.r
        alnum = string.ascii_letters + string.digits
        rnd = lambda n, a=alnum: "".join(r.choice(a) for _ in range(n))  # noqa: E731
        return r.choice(
            [
                "AKIA" + rnd(16, string.ascii_uppercase + string.digits),
                "ghp_" + rnd(36),
                "sk-proj-" + rnd(40),
                "xoxb-" + rnd(12, string.digits) + "-" + rnd(24),
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI" + rnd(20) + "." + rnd(43),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEow"
                + rnd(60)
                + "\n-----END RSA PRIVATE KEY-----",
            ]
        )

    def password(self) -> str:
        r = self.r
        return r.choice(
            [
                "Tr0ub4dor&3",
                "Winter2026!",
                "hunter22x",
                "Zx9#kLm2qP",
                "Sommer-2025",
                "p4ssW0rd!!",
                "Qwerty!234",
            ]
        ) + str(r.randint(0, 99))

    # --- negatives ---------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.randint(1000, 9999)}-{r.randint(100, 999)}-{r.randint(10, 99)}",
                f"{r.randint(100, 999)}-{r.randint(1000, 9999)}-{r.randint(10, 99)}",
                f"A{r.randint(100, 999)}-{r.randint(10000, 99999)}",
            ]
        )

    def serial(self) -> str:
        r = self.r
        return r.choice(
            [
                f"SN{r.randint(2019, 2026)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}-{r.randint(1, 9999):04d}",
                f"{r.choice('ABCXYZ')}{r.randint(0, 9)}X-{r.randint(10000, 99999)}-{r.choice('ABC')}",
                f"{r.randint(10**9, 10**10 - 1)}",
            ]
        )

    def timestamp(self) -> str:
        r = self.r
        return r.choice(
            [
                f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:"
                f"{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z",
                f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
                f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.2026 {r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
                f"{r.randint(1_700_000_000, 1_800_000_000)}",
            ]
        )

    def version(self) -> str:
        r = self.r
        return f"{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 40)}.{r.randint(0, 255)}"

    def lot(self) -> str:
        return f"{self.r.randint(20, 26)}-{self.r.randint(1, 365):03d}-{self.r.randint(1, 99):02d}"

    def ean(self) -> str:
        digits = [self.r.randint(0, 9) for _ in range(12)]
        digits[0] = 4
        check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
        return "".join(map(str, digits)) + str(check)

    def reading(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.uniform(40, 99):.2f} °C",
                f"{r.uniform(1, 12):.3f} mm/s",
                f"{r.uniform(5, 25):.2f} A",
                f"{r.uniform(0.5, 9.9):.4f} bar",
            ]
        )

    def order(self) -> str:
        return f"PO-{self.r.randint(4500000000, 4599999999)}"


# slot name -> (generator, label type). Label None means a negative slot.
SLOTS: dict[str, tuple[str, str]] = {
    "person": ("person", "PERSON"),
    "first": ("first", "PERSON"),
    "surname": ("surname", "PERSON"),
    "email": ("email", "EMAIL"),
    "phone": ("phone", "PHONE"),
    "phone_nat": ("phone_national", "PHONE"),
    "address": ("address", "ADDRESS"),
    "dob": ("date", "DOB"),
    "natid": ("national_id", "NATIONAL_ID"),
    "pesel": ("pesel", "NATIONAL_ID"),
    "badge": ("badge", "EMPLOYEE_ID"),
    "mrn": ("mrn", "MRN"),
    "mrn_token": ("mrn_token", "MRN"),
    "condition": ("condition", "HEALTH"),
    "injury": ("injury", "HEALTH"),
    "sick": ("sick", "HEALTH"),
    "outcome": ("outcome", "HEALTH"),
    "med": ("medication", "HEALTH"),  # retired set b4 and the blind set
    "procedure": ("procedure", "HEALTH"),  # retired set b4 and the blind set
    "card": ("card", "CARD"),
    "iban": ("iban", "IBAN"),
    "ip": ("ip", "IP"),
    "mac": ("mac", "MAC"),
    "gps": ("gps", "GPS"),
    "secret": ("secret", "SECRET"),
    "password": ("password", "SECRET"),
    "part": ("part", NEGATIVE),
    "serial": ("serial", NEGATIVE),
    "ts": ("timestamp", NEGATIVE),
    "version": ("version", NEGATIVE),
    "lot": ("lot", NEGATIVE),
    "ean": ("ean", NEGATIVE),
    "reading": ("reading", NEGATIVE),
    "order": ("order", NEGATIVE),
}

from privacy_templates import SECOND_TEMPLATES, TEMPLATES  # noqa: E402


def fill(template: str, gen: Gen, domain: str) -> Sample:
    """Return a sample with every ``{slot}`` filled and labelled."""
    sample = Sample(domain, "")
    parts: list[str] = []
    pos = 0
    for m in re.finditer(r"\{(\w+)\}|\{=(\w+):([^}]*)\}", template):
        literal = template[pos : m.start()]
        parts.append(literal)
        offset = sum(len(p) for p in parts)
        if m.group(2):  # fixed text with a label, e.g. {=HEALTH:insulin}
            label, value = m.group(2), m.group(3)
        else:
            method, label = SLOTS[m.group(1)]
            value = getattr(gen, method)()
        group = gen.group if label == "PERSON" else ""
        sample.spans.append(Span(label, offset, offset + len(value), value, group))
        parts.append(value)
        pos = m.end()
    parts.append(template[pos:])
    sample.text = "".join(parts)
    return sample


def fresh_pools(locales: tuple[str, ...],
                dev_locales: tuple[str, ...]) -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of ``locales`` minus every name of ``dev_locales``."""
    dev_first, dev_last = locale_names(dev_locales)
    dev = set(dev_first) | set(dev_last)
    pools = {}
    for loc in locales:
        first, last = locale_names((loc,))
        first, last = [n for n in first if n not in dev], [n for n in last if n not in dev]
        if first and last:
            pools[loc] = (first, last)
    return pools


class LocaleGen(Gen):
    """Generators whose names come from per-locale pools: one locale first, then a name
    (so no single big locale list dominates), and a Faker per locale seeded from ``r``."""

    group_name = ""

    def __init__(self, rng: random.Random, pools: dict[str, tuple[list[str], list[str]]]) -> None:
        super().__init__(rng)
        self.pools = pools
        self.locales = sorted(pools)
        self._fakers: dict[str, Faker] = {}

    def _pool(self) -> tuple[list[str], list[str]]:
        self.group = self.group_name
        return self.pools[self.r.choice(self.locales)]

    def _faker(self, loc: str) -> Faker:
        if loc not in self._fakers:
            self._fakers[loc] = Faker(loc)
        fake = self._fakers[loc]
        fake.seed_instance(self.r.randint(0, 2**31))
        return fake


def dev_families(rng: random.Random, family: str = "all") -> list[tuple[Gen, dict[str, tuple[str, ...]]]]:
    """Return the dev (generator, templates per domain) families: ``first``, ``second``,
    ``b1`` to ``b18`` (retired blind sets) or ``all`` of them."""
    import privacy_retired_b1 as b1
    import privacy_retired_b2 as b2
    import privacy_retired_b3 as b3
    import privacy_retired_b4 as b4
    import privacy_retired_b5 as b5
    import privacy_retired_b6 as b6
    import privacy_retired_b7 as b7
    import privacy_retired_b8 as b8
    import privacy_retired_b9 as b9
    import privacy_retired_b10 as b10
    import privacy_retired_b11 as b11
    import privacy_retired_b12 as b12
    import privacy_retired_b13 as b13
    import privacy_retired_b14 as b14
    import privacy_retired_b15 as b15
    import privacy_retired_b16 as b16
    import privacy_retired_b17 as b17
    import privacy_retired_b18 as b18

    gen = Gen(rng)
    families = {
        "first": [(gen, TEMPLATES)],
        "second": [(gen, SECOND_TEMPLATES)],
        "b1": [(b1.B1Gen(rng), b1.B1_TEMPLATES)],
        "b2": [(b2.B2Gen(rng), b2.B2_TEMPLATES)],
        "b3": [(b3.B3Gen(rng), b3.B3_TEMPLATES)],
        "b4": [(b4.B4Gen(rng), b4.B4_TEMPLATES)],
        "b5": [(b5.B5Gen(rng), b5.B5_TEMPLATES)],
        "b6": [(b6.B6Gen(rng), b6.B6_TEMPLATES)],
        "b7": [(b7.B7Gen(rng), b7.B7_TEMPLATES)],
        "b8": [(b8.B8Gen(rng), b8.B8_TEMPLATES)],
        "b9": [(b9.B9Gen(rng), b9.B9_TEMPLATES)],
        "b10": [(b10.B10Gen(rng), b10.B10_TEMPLATES)],
        "b11": [(b11.B11Gen(rng), b11.B11_TEMPLATES)],
        "b12": [(b12.B12Gen(rng), b12.B12_TEMPLATES)],
        "b13": [(b13.B13Gen(rng), b13.B13_TEMPLATES)],
        "b14": [(b14.B14Gen(rng), b14.B14_TEMPLATES)],
        "b15": [(b15.B15Gen(rng), b15.B15_TEMPLATES)],
        "b16": [(b16.B16Gen(rng), b16.B16_TEMPLATES)],
        "b17": [(b17.B17Gen(rng), b17.B17_TEMPLATES)],
        "b18": [(b18.B18Gen(rng), b18.B18_TEMPLATES)],
    }
    if family == "all":
        return [f for fams in families.values() for f in fams]
    return families[family]


def build(
    n_per_domain: int = 300, seed: int = 1, split: str = "dev", family: str = "all"
) -> list[Sample]:
    """Return ``3 * n_per_domain`` labelled samples (factory, clinic, retail), reproducibly.

    ``split`` is ``dev`` (``family`` picks the dev templates) or ``blind`` (seed at
    least ``privacy_blind.BLIND_SEED_MIN``; never tune on it).
    """
    rng = random.Random(seed)
    if split == "blind":
        import privacy_blind as blind

        if seed < blind.BLIND_SEED_MIN:
            raise ValueError(f"blind seeds start at {blind.BLIND_SEED_MIN}")
        if not blind.BLIND_TEMPLATES:
            raise ValueError("no blind set is written: see privacy_blind.py")
        families: list[tuple[Gen, dict[str, tuple[str, ...]]]] = [
            (blind.BlindGen(rng), blind.BLIND_TEMPLATES)
        ]
    elif split == "dev":
        families = dev_families(rng, family)
    else:
        raise ValueError(f"unknown split {split!r}")
    out = []
    for domain in ("factory", "clinic", "retail"):
        choices = [(gen, t) for gen, templates in families for t in templates[domain]]
        for _ in range(n_per_domain):
            gen, template = rng.choice(choices)
            out.append(fill(template, gen, domain))
    return out
