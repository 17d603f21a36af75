# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b1`` of the privacy corpus: now part of the DEV split.

It was the blind split (its own templates, Faker locales and value pools, written
before the detector changes it judged) until its one blind run, seed 2741 on commit
eac0de9 (``privacy_blind_seeds.txt``). That run showed misses, and the detector was
tuned on them afterwards, so its figures are dev figures now. The current blind set
is ``privacy_blind.py``.
"""

from __future__ import annotations

import functools
import random
import string

import privacy_corpus as corpus
from build_name_lexicon import GAZETTEER_LOCALES, HELD_OUT_LOCALES

B1_LOCALES = (
    "pt_BR",
    "es_MX",
    "es_AR",
    "es_CL",
    "en_IE",
    "ga_IE",
    "en_NZ",
    "en_KE",
    "ha_NG",
    "ig_NG",
    "is_IS",
    "fr_CH",
    "de_CH",
    "nl_BE",
    "vi_VN",
    "az_AZ",
    "tw_GH",
)
assert not set(B1_LOCALES) & (set(GAZETTEER_LOCALES) | set(HELD_OUT_LOCALES))


def b1_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{locale: (first, last)}`` of the b1 names (none in the first dev pools)."""
    return corpus.fresh_pools(B1_LOCALES, GAZETTEER_LOCALES + HELD_OUT_LOCALES)


class B1Gen(corpus.LocaleGen):
    """The b1 values: same classes, pools of their own."""

    group_name = "b1"

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, b1_names())

    def email(self) -> str:
        r = self.r
        first, last = self._pool()
        user = r.choice(
            [
                f"{r.choice(first).lower()}.{r.choice(last).lower()}",
                f"{r.choice(first)[0].lower()}{r.choice(last).lower()}",
                "".join(r.choice(string.ascii_lowercase) for _ in range(r.randint(4, 9)))
                + str(r.randint(1, 99)),
            ]
        )
        user = "".join(c for c in user if c.isascii() and (c.isalnum() or c in "._"))
        dom = r.choice(
            [
                "werk-sued.at",
                "praxis-am-see.ch",
                "shopfloor.ie",
                "posta.cz",
                "kliniek-oost.be",
                "outlook.com",
                "yahoo.co.uk",
                "lojas-norte.com.br",
                "northside-health.org.au",
            ]
        )
        return f"{user or 'staff'}@{dom}"

    def phone(self) -> str:
        r = self.r
        d = functools.partial(corpus.digits, r)
        return r.choice(
            [
                f"+43 664 {d(7)}",
                f"+41 79 {d(3)} {d(2)} {d(2)}",
                f"+353 87 {d(3)} {d(4)}",
                f"+32 470 {d(2)} {d(2)} {d(2)}",
                f"+45 {d(2)} {d(2)} {d(2)} {d(2)}",
                f"+351 912 {d(3)} {d(3)}",
                f"+36 30 {d(3)} {d(4)}",
                f"+61 4{d(2)} {d(3)} {d(3)}",
                f"+1-604-{d(3)}-{d(4)}",
                f"+49 (0) 171 {d(7)}",
            ]
        )

    def phone_national(self) -> str:
        d = functools.partial(corpus.digits, self.r)
        return self.r.choice(
            [f"0664 {d(7)}", f"079 {d(3)} {d(2)} {d(2)}", f"087 {d(3)} {d(4)}", f"0171 {d(7)}"]
        )

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 180)
        return r.choice(
            [
                f"{n} {r.choice(['Harbour', 'Willow', 'Chapel', 'Quarry', 'Orchard'])} "
                f"{r.choice(['Close', 'Road', 'Crescent', 'Way', 'Street'])}, "
                f"{r.choice(['Reading', 'Galway', 'Perth', 'Hamilton'])}",
                f"{r.choice(['Rosen', 'Birken', 'Schiller', 'Mozart'])}{r.choice(['weg', 'gasse', 'straße'])} "
                f"{n}, {r.randint(1000, 9999)} {r.choice(['Wien', 'Graz', 'Zürich', 'Basel'])}",
                f"Rua {r.choice(['Augusta', 'das Flores', 'do Carmo'])} {n}, "
                f"{r.randint(1000, 4999)}-{r.randint(100, 999)} {r.choice(['Lisboa', 'Porto'])}",
                f"{r.choice(['Nørre', 'Vester', 'Søndre'])}gade {n}, {r.randint(1000, 9999)} "
                f"{r.choice(['Aarhus', 'Odense'])}",
                f"{n} {r.choice(['Elm', 'Cedar', 'Pine'])} Ave, {r.choice(['Toledo', 'Albany'])}, "
                f"{r.choice(['OH', 'NY'])} {r.randint(10000, 99999)}",
                f"ul. {r.choice(['Słoneczna', 'Leśna', 'Ogrodowa'])} {n}/{r.randint(1, 40)}, "
                f"{r.randint(10, 99)}-{r.randint(100, 999)} {r.choice(['Łódź', 'Lublin'])}",
            ]
        )

    def date(self) -> str:
        r = self.r
        y, m, d = r.randint(1948, 2006), r.randint(1, 12), r.randint(1, 28)
        mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
        return r.choice(
            [f"{d}.{m}.{y}", f"{y}-{m:02d}-{d:02d}", f"{d} {mon} {y}", f"{d:02d}/{m:02d}/{y}"]
        )

    def badge(self) -> str:
        r = self.r
        return r.choice([f"B-{r.randint(1000, 999999)}", f"EMP{r.randint(10000, 9999999)}"])

    def condition(self) -> str:
        return self.r.choice(
            [
                "type 1 diabetes",
                "coeliac disease",
                "atrial fibrillation",
                "bipolar disorder",
                "rheumatoid arthritis",
                "multiple sclerosis",
                "a hernia",
                "glaucoma",
                "psoriasis",
                "long COVID",
                "hepatitis B",
                "an eating disorder",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "broke a wrist",
                "burned a forearm",
                "dislocated a shoulder",
                "cut his hand",
                "twisted her knee",
                "got a concussion",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            ["off sick since Tuesday", "on a sick note", "signed off for two weeks"]
        )

    def outcome(self) -> str:
        return self.r.choice(["sprained wrist", "bleeding from the head", "a suspected fracture"])

    def password(self) -> str:
        r = self.r
        words = ["Falcon", "Harbor", "Copper", "Lantern", "Meadow", "Quartz"]
        return r.choice(
            [
                f"{r.choice(words)}{r.randint(10, 99)}{r.choice('!$%#')}",
                f"{r.choice(words).lower()}_{r.choice(words)}{r.randint(1, 9)}",
                "".join(r.choice(string.ascii_letters + string.digits + "!@#") for _ in range(12)),
            ]
        )


# Written as the blind split before the detector changes it judged (retired; see above).
B1_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Hi all, {first} and {first} from the tool room will re-shim press 9 tonight; questions to {email}.",
        "[{ts}] line-4 PLC: alarm acknowledged by {surname}, station fw {version}",
        "Incident 2231: {person} caught a sleeve on the lathe chuck and {injury}; supervisor {person} informed.",
        "Overtime approved for {person} ({badge}), paid to {iban}.",
        "Can someone give {first} a lift home? Car broke down near {address}.",
        "Gauge R&R on part {part} done by {person}; spread {reading}, within limits.",
        "Pallet {serial} mislabelled at {ts}, relabelled by {first} on dock 2.",
        "{surname} wants the AGV map updated before the {version} rollout; ping her on {phone}.",
        "Vendor engineer {person} (ID {natid}) on site until Friday; laptop IP {ip}.",
        "Compressor 2 trending hot, {reading} at {ts}; {first}'s team is on it.",
        "Root password on the historian box is {password} - change it today please",
        "Kanban card for {part} lost; {person} reprinted it, lot {lot}.",
        "Welcome {person} to the maintenance crew! Locker 14, badge {badge}.",
        "Git token {secret} was committed to the PLC backup repo by mistake.",
        "Van tracker {mac} last seen at {gps}; driver was {first}.",
        "Toolbox talk attendance: {person}, {person}, {first}.",
        "Spoke to {surname} about the scrap on lot {lot}, he will check the die.",
    ),
    "clinic": (
        "Pt {person}, {dob}, MRN {mrn}: BP high again, known {condition}.",
        "Spoke with {first} (daughter of {person}) about the discharge plan; her number is {phone}.",
        # "Allergy" labelled since b1 retired: an allergy alert about a person is PHI
        "{=HEALTH:Allergy} alert for {person}: {=HEALTH:penicillin allergy}, see chart {mrn_token}.",
        "Appointment letter to {address} came back unopened; patient {person}, national ID {natid}.",
        "Dr {surname} and nurse {first} covered clinic B this morning.",
        "Letter from the GP of {person}: started on {=HEALTH:metformin} for {condition}.",
        "Portal login for {email} locked after 5 tries from {ip}.",
        "Courier collected samples for MRN {mrn} at {ts}; cold box at {reading}.",
        "{person} phoned to cancel; she {injury} at work and will rebook.",
        "Payment plan for {person}: card {card} on file, statement to {email}.",
        "{=HEALTH:Vaccination} record: {person}, born {dob}, PESEL {pesel}.",
        "Ultrasound unit {serial} needs firmware {version} before Monday.",
        "Next of kin for bed 7 is {person}, {phone}, {address}.",
        # "crutches" labelled since b1 retired: it is health data next to the name
        "{=HEALTH:Physio} notes, {first}: {=HEALTH:knee rehab} going well, walks without {=HEALTH:crutches}.",
    ),
    "retail": (
        "Thanks {first}! Customer {person} left a 5-star review for your help with the return.",
        "Age check at till 3: ID shown was {natid}, name on it {person}.",
        "Loyalty account {email} merged into the account of {person} (order {order}).",
        "{first} and {first} swapped shifts; {surname} signed it off.",
        "Card {card} declined three times for {person} at {ts}.",
        "Home delivery slot moved: {person}, {address}, call {phone_nat} before arrival.",
        "Security gate {ip} / {mac} false-alarms every few minutes.",
        "Customer called about a refund to {iban}; account holder {person}.",
        "Accident book: {person} {injury} unloading cages, {sick}.",
        "Reorder EAN {ean} x 24, PO {order}, received by {first}.",
        "Store wifi admin password: {password}",
        "Payment gateway secret {secret} expires next week.",
        "Parcel locker at {gps}: parcel for {person}, tel {phone}.",
        "Shift notes - {first} on tills, {first} on the floor, {surname} closing.",
    ),
}
