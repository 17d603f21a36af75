# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b3`` of the privacy corpus: now part of the DEV split.

It was the blind split (its own templates, Faker locales and value pools, written
before the detector changes it judged) until its blind runs: seed 7759 on commit
9bef0e5, then seeds 8821 (5c89dab, after a change to the name rules) and 9403
(5322ab6, after a fix to its labels) (``privacy_blind_seeds.txt``). The detector
was tuned on its misses afterwards, so its figures are dev figures now. The current
blind set is ``privacy_blind.py``.
"""

from __future__ import annotations

import random
import string

import privacy_corpus as corpus
import privacy_retired_b1 as b1
import privacy_retired_b2 as b2
from build_name_lexicon import GAZETTEER_LOCALES, HELD_OUT_LOCALES

from appliance.privacy import checksums as ck

B3_LOCALES = ("en", "uk_UA", "ru_RU", "bg_BG", "el_GR")
_DEV_LOCALES = GAZETTEER_LOCALES + HELD_OUT_LOCALES + b1.B1_LOCALES + b2.B2_LOCALES
assert not set(B3_LOCALES) & set(_DEV_LOCALES)


def b3_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of the b3 names (none in earlier dev pools)."""
    return corpus.fresh_pools(B3_LOCALES, _DEV_LOCALES)


class B3Gen(corpus.LocaleGen):
    """The b3 values: same classes, pools of their own."""

    group_name = "b3"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b3_names())

    def email(self) -> str:
        r = self.r
        user = r.choice(
            [
                "".join(r.choice(string.ascii_lowercase) for _ in range(r.randint(2, 3)))
                + "".join(r.choice(string.ascii_lowercase) for _ in range(r.randint(4, 8))),
                f"{''.join(r.choice(string.ascii_lowercase) for _ in range(5))}_{r.randint(1970, 2004)}",
            ]
        )
        dom = r.choice(["ukr.net", "abv.bg", "otenet.gr", "yandex.ru", "icloud.com", "werk-ost.de", "hotmail.co.uk"])
        return f"{user}@{dom}"

    def phone(self) -> str:
        r = self.r
        return r.choice(
            [
                f"+30 69{corpus.digits(r, 2)} {corpus.digits(r, 3)} {corpus.digits(r, 3)}",
                f"+380 67 {corpus.digits(r, 3)} {corpus.digits(r, 2)} {corpus.digits(r, 2)}",
                f"+359 88 {corpus.digits(r, 3)} {corpus.digits(r, 4)}",
                f"+44 (0)7{corpus.digits(r, 3)} {corpus.digits(r, 6)}",
                f"+1 {r.randint(201, 989)}.{r.randint(200, 999)}.{corpus.digits(r, 4)}",
                f"0049 160 {corpus.digits(r, 7)}",
                f"+40 7{corpus.digits(r, 2)} {corpus.digits(r, 3)} {corpus.digits(r, 3)}",
            ]
        )

    def phone_national(self) -> str:
        r = self.r
        return r.choice([f"069{corpus.digits(r, 1)} {corpus.digits(r, 6)}", f"067 {corpus.digits(r, 3)} {corpus.digits(r, 4)}", f"0160 {corpus.digits(r, 7)}"])

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 199)
        return r.choice(
            [
                f"Ermou {n}, {r.randint(100, 199)} {r.randint(10, 99)} Athens",
                f"vul. {r.choice(['Khreshchatyk', 'Sadova', 'Shevchenka'])} {n}, Kyiv {r.randint(1001, 4999):05d}",
                f"{n} {r.choice(['Amphitheatre', 'Juniper', 'Hawthorne'])} Pkwy, {r.choice(['Mountain View, CA', 'Austin, TX', 'Denver, CO'])} {r.randint(10000, 99999)}",
                f"Flat {r.randint(1, 30)}, {n} {r.choice(['Kings', 'Queens', 'Albert'])} Road, London SW{r.randint(1, 20)} {r.randint(1, 9)}ND",
                f"Am {r.choice(['Markt', 'Bahnhof', 'Stadtpark'])} {n}, {r.randint(10000, 99999)} {r.choice(['Leipzig', 'Dresden', 'Erfurt'])}",
                f"C/ {r.choice(['Mayor', 'Alcalá', 'Serrano'])} {n}, 3º B, {r.randint(28001, 28080)} Madrid",
                f"bul. {r.choice(['Vitosha', 'Tsar Osvoboditel'])} {n}, {r.randint(1000, 1999)} Sofia",
            ]
        )

    def date(self) -> str:
        r = self.r
        y, m, d = r.randint(1952, 2004), r.randint(1, 12), r.randint(1, 28)
        mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
        return r.choice([f"{y}-{m:02d}-{d:02d}", f"{d:02d}.{m:02d}.{y}", f"{d} {mon}. {y}", f"{m}/{d}/{y}", f"{d:02d}-{m:02d}-{y}"])

    def iban(self) -> str:
        r = self.r
        country, bban = r.choice(
            [
                ("GR", corpus.digits(r, 7) + corpus.digits(r, 16)),
                ("BG", "BNBG" + corpus.digits(r, 6) + corpus.digits(r, 8)),
                ("UA", corpus.digits(r, 6) + corpus.digits(r, 19)),
                ("PT", corpus.digits(r, 21)),
                ("RO", "RNCB" + corpus.digits(r, 16)),
            ]
        )
        num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        iban = f"{country}{98 - num % 97:02d}{bban}"
        assert ck.iban_ok(iban), iban
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if r.random() < 0.5 else iban

    def condition(self) -> str:
        return self.r.choice(
            [
                "Hashimoto's thyroiditis",
                "a pacemaker fitted last year",
                "severe nut allergy",
                "early-stage Parkinson's",
                "postnatal depression",
                "a torn rotator cuff",
                "spina bifida",
                "cystic fibrosis",
                "hearing loss in one ear",
                "high blood pressure",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "trapped two fingers in the press guard",
                "inhaled solvent fumes and felt faint",
                "got a chemical splash in the eye",
                "fell from the step ladder and hurt her hip",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(["is off with the flu", "is on sick leave after surgery", "phoned in sick"])

    def gps(self) -> str:
        r = self.r
        lat, lon = r.uniform(36, 60), r.uniform(-10, 40)
        return r.choice(
            [
                f"geo:{lat:.5f},{lon:.5f}",
                f"{int(lat)}°{r.randint(0, 59)}'{r.uniform(0, 59.9):.1f}\"N {int(lon) if lon >= 0 else -int(lon)}°{r.randint(0, 59)}'{r.uniform(0, 59.9):.1f}\"{'E' if lon >= 0 else 'W'}",
                f"lat={lat:.4f}&lon={lon:.4f}",
                f"{lat:.6f} {lon:.6f}",
            ]
        )

    def secret(self) -> str:
        r = self.r
        alnum = string.ascii_letters + string.digits
        rnd = lambda n, a=alnum: "".join(r.choice(a) for _ in range(n))  # noqa: E731
        return r.choice(
            [
                "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI" + rnd(24) + "." + rnd(40, alnum + "_-"),
                "ghs_" + rnd(36),
                "npm_" + rnd(36),
                "AKIA" + rnd(16, string.ascii_uppercase + string.digits),
                "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI" + rnd(50) + "\n-----END EC PRIVATE KEY-----",
                "hf_" + rnd(34),
            ]
        )

    def password(self) -> str:
        r = self.r
        return r.choice(
            [
                f"Spring{r.randint(2020, 2026)}!",
                "".join(r.choice(string.ascii_letters) for _ in range(6)) + str(r.randint(100, 999)) + r.choice("#$!"),
                f"{r.choice(['kava', 'mačka', 'doggo', 'tiger'])}{r.randint(1, 99)}{r.choice(['XX', 'Zz', 'Qq'])}",
            ]
        )


# Written as the blind set b3 before the detector changes it judged (retired; see above).
# New phrasing only: no sentence here appears in the dev templates or b1/b2.
# Labels corrected after seeds 7759 and 8821 (no detector change in between): "chest
# pain" and "Prescription" next to a patient are health data and were left unlabelled.
B3_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Hi {first}, the new lathe arrives Tuesday; {person} from purchasing has the details.",
        "Daily log {ts}: {person} {injury}, first aider {first} on site.",
        "Agency worker {person}, passport/ID {natid}, booked for nights all week.",
        "Remote access for the integrator: VPN user plc-svc, pass {password}",
        "Gateway {ip} pushes data with {secret} in the query string.",
        "Muster point check done by {person} at {ts}; nobody missing.",
        "Send the calibration certificates for gauge {serial} to {email}, cc {first}.",
        "{first} asked for a day off on Friday; {person} agreed.",
        "Transport booked for {person} from {address} to the plant.",
        "Wristband {mac} belongs to {first}, last seen near gate 4 at {gps}.",
        "Salary slip for {person} (DOB {dob}) shows IBAN {iban}.",
        "Line 6 OEE was {reading} yesterday; {surname} wants a meeting about it.",
    ),
    "clinic": (
        "Triage: {person}, {dob}, came in with {=HEALTH:chest pain}; history of {condition}.",
        "{=HEALTH:Prescription} renewal for {first} {surname} sent to the pharmacy, MRN {mrn}.",
        "Call from {person}'s daughter on {phone}: mum has {condition}.",
        "Patient {person} {injury} at work, occupational health to follow up.",
        "Dr. {surname} is covering for Dr. {surname} until the 14th.",
        "Consent form signed by {person}, witness nurse {first}.",
        "Lab courier {first} collected samples {mrn_token} at {ts}.",
        "Appointment reminder texted to {phone_nat} for {person}.",
        "Statement for {person} to {address}; paid by card {card}.",
        "Monitor {serial} in bay 5 logs to {ip} ({mac}).",
        "Pharmacy portal login {email} / {password}",
        "New patient registration: {person}, born {dob}, {address}, ID {natid}.",
    ),
    "retail": (
        "{person} returned a drill without receipt; refund to card {card}.",
        "Staff rota: mornings {first} and {first}, evenings {surname}.",
        "Complaint by phone from {person}, {phone}, about late delivery to {address}.",
        "Loyalty card owner {person} changed e-mail to {email}.",
        "Manager's note: {person} {sick}, back next week.",
        "Till {ip} printed the admin password {password} on a receipt.",
        "Click & collect: order {order} picked by {first}, customer {person}.",
        "Store {gps}: shutter fault reported by {surname} at {ts}.",
        "Refund by bank transfer for {person}: {iban}.",
        "Fraud check: {person}, date of birth {dob}, ID {natid}, card {card}.",
        "Webhook secret {secret} exposed in the shop logs.",
        "Price scanner {serial} on firmware {version} rejects EAN {ean}.",
    ),
}
