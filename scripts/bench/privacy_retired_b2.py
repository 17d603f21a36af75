# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b2`` of the privacy corpus: now part of the DEV split.

It was the blind split (its own templates, Faker locales and value pools, written
before the detector changes it judged) until its one blind run, seed 5183 on commit
8c682e6 (``privacy_blind_seeds.txt``). The detector was tuned on its misses
afterwards, so its figures are dev figures now. The current blind set is
``privacy_blind.py``.
"""

from __future__ import annotations

import random
import string

import privacy_corpus as corpus
import privacy_retired_b1 as b1
from build_name_lexicon import GAZETTEER_LOCALES, HELD_OUT_LOCALES

from appliance.privacy import checksums as ck

B2_LOCALES = (
    "es_CO",
    "es_CA",
    "fr_CA",
    "fr_BE",
    "de_LI",
    "de_LU",
    "en_NG",
    "en_PK",
    "en_TH",
    "uz_UZ",
    "fr_DZ",
)
_DEV_LOCALES = GAZETTEER_LOCALES + HELD_OUT_LOCALES + b1.B1_LOCALES
assert not set(B2_LOCALES) & set(_DEV_LOCALES)


def b2_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of the b2 names (none in earlier dev pools)."""
    return corpus.fresh_pools(B2_LOCALES, _DEV_LOCALES)


class B2Gen(corpus.LocaleGen):
    """The b2 values: same classes, pools of their own."""

    group_name = "b2"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b2_names())

    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        user = r.choice(
            [
                f"{r.choice(first).lower()}-{r.choice(last).lower()}",
                f"{r.choice(last).lower()}{r.randint(60, 99)}",
                f"{r.choice(first).lower()}.{r.choice(last)[0].lower()}",
            ]
        )
        user = "".join(c for c in user if c.isascii() and (c.isalnum() or c in ".-"))
        dom = r.choice(
            [
                "mail.ca",
                "fabrik-lu.lu",
                "clinique-ixelles.be",
                "tiendas-bogota.co",
                "gmx.net",
                "proton.me",
                "lagos-general.ng",
                "karachi-mills.pk",
            ]
        )
        return f"{user.strip('.-') or 'info'}@{dom}"

    def phone(self) -> str:
        r = self.r
        return r.choice(
            [
                f"+57 310 {corpus.digits(r, 3)} {corpus.digits(r, 4)}",
                f"+1 (514) {corpus.digits(r, 3)}-{corpus.digits(r, 4)}",
                f"+32 2 {corpus.digits(r, 3)} {corpus.digits(r, 2)} {corpus.digits(r, 2)}",
                f"+352 621 {corpus.digits(r, 3)} {corpus.digits(r, 3)}",
                f"+423 {corpus.digits(r, 3)} {corpus.digits(r, 2)} {corpus.digits(r, 2)}",
                f"+234 803 {corpus.digits(r, 3)} {corpus.digits(r, 4)}",
                f"+92 300 {corpus.digits(r, 7)}",
                f"+66 81 {corpus.digits(r, 3)} {corpus.digits(r, 4)}",
                f"+998 90 {corpus.digits(r, 3)} {corpus.digits(r, 2)} {corpus.digits(r, 2)}",
                f"+213 5{corpus.digits(r, 2)} {corpus.digits(r, 2)} {corpus.digits(r, 2)} {corpus.digits(r, 2)}",
            ]
        )

    def phone_national(self) -> str:
        r = self.r
        return r.choice(
            [f"0803 {corpus.digits(r, 3)} {corpus.digits(r, 4)}", f"0300 {corpus.digits(r, 7)}", f"0470 {corpus.digits(r, 2)} {corpus.digits(r, 2)} {corpus.digits(r, 2)}"]
        )

    def address(self) -> str:
        r = self.r
        n = r.randint(2, 220)
        return r.choice(
            [
                f"Calle {r.randint(10, 140)} # {r.randint(1, 99)}-{r.randint(10, 99)}, {r.choice(['Bogotá', 'Medellín', 'Cali'])}",
                f"{n} rue {r.choice(['Sainte-Catherine', 'Saint-Denis', 'Sherbrooke'])} Ouest, Montréal, QC H3G {r.randint(1, 9)}P{r.randint(1, 9)}",
                f"Avenue {r.choice(['Louise', 'de Tervueren', 'Brugmann'])} {n}, {r.choice(['1050', '1180', '1040'])} Bruxelles",
                f"{n}, rue de la {r.choice(['Gare', 'Poste', 'Chapelle'])}, L-{r.randint(1000, 9999)} {r.choice(['Luxembourg', 'Esch-sur-Alzette'])}",
                f"{r.choice(['Städtle', 'Landstrasse', 'Feldkircherstrasse'])} {n}, {r.choice(['9490 Vaduz', '9494 Schaan'])}",
                f"{n} {r.choice(['Adeola Odeku', 'Awolowo', 'Herbert Macaulay'])} Street, {r.choice(['Victoria Island', 'Ikoyi', 'Yaba'])}, Lagos",
                f"House {n}, Street {r.randint(1, 40)}, F-{r.randint(6, 11)}/{r.randint(1, 4)}, Islamabad",
                f"{n} Sukhumvit Soi {r.randint(1, 71)}, Khlong Toei, Bangkok {r.randint(10100, 10330)}",
            ]
        )

    def date(self) -> str:
        r = self.r
        y, m, d = r.randint(1950, 2005), r.randint(1, 12), r.randint(1, 28)
        full = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"][m - 1]
        suffix = "th" if 4 <= d <= 20 or d % 10 > 3 or d % 10 == 0 else ["st", "nd", "rd"][d % 10 - 1]
        return r.choice(
            [
                f"{d:02d}/{m:02d}/{y}",
                f"{y}.{m:02d}.{d:02d}",
                f"{full} {d}{suffix}, {y}",
                f"{d}{suffix} {full} {y}",
                f"{d}-{full[:3]}-{y}",
            ]
        )

    def condition(self) -> str:
        return self.r.choice(
            [
                "sickle cell disease",
                "ulcerative colitis",
                "a heart murmur",
                "gestational diabetes",
                "hypothyroidism",
                "chronic kidney disease",
                "a slipped disc",
                "PTSD",
                "endometriosis",
                "shingles",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "sprained her wrist",
                "cut his forehead",
                "broke two fingers",
                "pulled a muscle in his back",
                "got chemical burns on one hand",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            ["is off work with stress", "is on long-term sick leave", "is signed off sick until Friday"]
        )

    def iban(self) -> str:
        r = self.r
        country, bban = r.choice(
            [
                ("BE", corpus.digits(r, 12)),
                ("LU", corpus.digits(r, 3) + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(13))),
                ("LI", corpus.digits(r, 5) + corpus.digits(r, 12)),
                ("CH", corpus.digits(r, 5) + corpus.digits(r, 12)),
                ("AT", corpus.digits(r, 16)),
            ]
        )
        num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        iban = f"{country}{98 - num % 97:02d}{bban}"
        assert ck.iban_ok(iban), iban
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if r.random() < 0.5 else iban

    def gps(self) -> str:
        r = self.r
        lat, lon = r.uniform(-10, 50), r.uniform(-80, 105)
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        return r.choice(
            [
                f"{lat:.5f}, {lon:.5f}",
                f"{ns} {abs(int(lat))}° {r.uniform(0, 59.999):.3f}' {ew} {abs(int(lon))}° {r.uniform(0, 59.999):.3f}'",
                f"{abs(lat):.4f}°{ns} {abs(lon):.4f}°{ew}",
            ]
        )

    def secret(self) -> str:
        r = self.r
        alnum = string.ascii_letters + string.digits
        rnd = lambda n, a=alnum: "".join(r.choice(a) for _ in range(n))  # noqa: E731
        return r.choice(
            [
                "sk_live_" + rnd(24),
                "AIza" + rnd(35, alnum + "_-"),
                "glpat-" + rnd(20, alnum + "_-"),
                "xoxp-" + rnd(11, string.digits) + "-" + rnd(12, string.digits) + "-" + rnd(32),
                "SG." + rnd(22, alnum + "_-") + "." + rnd(43, alnum + "_-"),
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA" + rnd(48) + "\n-----END OPENSSH PRIVATE KEY-----",
            ]
        )

    def password(self) -> str:
        r = self.r
        words = ["Mango", "Tundra", "Violet", "Gravel", "Pepper", "Rocket"]
        return r.choice(
            [
                f"{r.choice(words)}{r.choice(words)}{r.randint(10, 99)}",
                f"{r.choice(words).lower()}{r.choice('!?*&')}{r.randint(1000, 9999)}",
                "".join(r.choice(string.ascii_letters + string.digits + "!?*&%") for _ in range(10)),
            ]
        )


# Written as the blind set b2 before the detector changes it judged (retired; see above).
B2_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "From: {email}\nSubject: overtime Saturday\n{first}, can you cover the early shift? Thanks, {person}",
        "Forklift pre-use check failed (brakes). Operator: {person}. Truck serial {serial}.",
        "{person} and {person} completed lockout/tagout training on {ts}.",
        "Please update the emergency contact for {first}: {phone}.",
        "Near miss at goods-in: a pallet fell off the racking, nobody hurt. Witness: {surname}.",
        "PLC backup job on {ip} failed; the service account password is {password} if you need to rerun it.",
        "Spindle vibration {reading} on CNC 3 since firmware {version}; {first} thinks the bearing is gone.",
        "Payroll: {person}'s IBAN changed to {iban}, effective next month.",
        "Occupational health referral for {person} (badge {badge}): {condition}.",
        "{surname} from the night shift left the key to cabinet 4 with security.",
        "Camera {mac} at gate 3 streams to {ip}; ask {first} for the NVR login.",
        "Torque audit, part {part}, lot {lot}: 12 of 12 OK, checked by {person}.",
        "Drone survey of the yard finished at {gps}; pilot {person}.",
        "Christmas card for {person} goes to {address}.",
        "Printer {serial} at the packing bench uses token {secret} to reach the label server.",
    ),
    "clinic": (
        "{person} (born {dob}) was referred by Dr {surname} for {condition}.",
        "Missed appointment: {person}, MRN {mrn}; left a message on {phone}.",
        "Reception note: {first} called about the invoice; card on file {card}.",
        "{=HEALTH:Blood results} for {person} are back, {=HEALTH:HbA1c} high; known {condition}.",
        "The patient asked that only her sister {person} be given information.",
        "Home address changed to {address} for patient {mrn_token}.",
        "Insurance claim for {person}, policy holder ID {natid}, date of birth {dob}.",
        "Wi-Fi for the waiting room: network CLINIC-GUEST, password {password}",
        "{person} {injury} in the car park this morning and was seen in {=HEALTH:A&E}.",
        "Locum {person} starts Monday; rota questions to {email}.",
        "Defibrillator {serial} self-test passed at {ts}, firmware {version}.",
        "Telemetry box in bay 2 ({mac}) keeps dropping off {ip}.",
        "Patient transport for {person} from {address}, pickup at {gps}.",
    ),
    "retail": (
        "Customer complaint from {person} ({email}): the blender broke after a week.",
        "Till 2 refund of 34.99 to card {card}, authorised by supervisor {first}.",
        "CCTV request: police asked for footage of {person} from {ts}.",
        "Shelf-edge labels printed for {ean}; {first} put them up.",
        "Delivery driver {person} could not find {address}, please call the customer on {phone}.",
        "New starter {person}, NI number {natid}, starts on the tills Monday.",
        "Staff member {person} {sick}; {first} will cover the Saturday shift.",
        "Gift card balance query from {email}, order {order}.",
        "{first} says the cold room is at {reading} again.",
        "Payment terminal {serial} shows {ip} as its gateway, firmware {version}.",
        "Online order {order} to {address}; customer {person}, mobile {phone_nat}.",
        "Back office PC login: admin / {password}",
        "Supplier rebate paid to {iban}, contact {person}.",
        "API secret for the loyalty app: {secret}",
    ),
}
