"""Shared helpers for the privacy tests: value generators with valid check digits."""

from __future__ import annotations

import random
import string

import pytest

from appliance.privacy import checksums as ck
from appliance.privacy.detect import Detector
from appliance.privacy.settings import PrivacyConfig


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector(PrivacyConfig())


def found(detector: Detector, text: str) -> set[tuple[str, str]]:
    """The ``(class, text)`` of every entity the detector finds in ``text``."""
    return {(e.type.value, e.text) for e in detector.detect(text)}


def luhn_complete(body: str) -> str:
    for d in "0123456789":
        if ck.luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable")


def card_number(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "55", "2221", "6011"])
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(15 - len(prefix)))
    num = luhn_complete(body)
    sep = rng.choice([" ", "-", ""])
    return sep.join(num[i : i + 4] for i in range(0, 16, 4))


def iban(rng: random.Random, country: str = "DE") -> str:
    bban = "".join(str(rng.randint(0, 9)) for _ in range(18))
    num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - num % 97:02d}{bban}"


def ssn(rng: random.Random) -> str:
    while True:
        v = f"{rng.randint(1, 899):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
        if ck.ssn_ok(v):
            return v


def aws_key(rng: random.Random) -> str:
    return "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
