"""Check digits that turn a digit pattern into an identifier with confidence."""

from __future__ import annotations

import re

from stdnum.nl import bsn as nl_bsn
from stdnum.za import idnr as za_idnr

_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BA": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GI": 23, "GL": 18,
    "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "ME": 22, "MK": 19, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
    "RO": 24, "RS": 22, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26, "UA": 29, "VA": 22,
    "AE": 23, "SA": 24, "IL": 23, "BR": 29, "QA": 29, "KW": 30, "MU": 30, "TN": 24, "XK": 20,
}


def digits(text: str) -> str:
    """Return only the decimal digits of ``text``."""
    return re.sub(r"\D", "", text)


def luhn_ok(number: str) -> bool:
    """Return True if the digit string passes the Luhn (mod 10) check."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return bool(number) and total % 10 == 0


def card_ok(number: str) -> bool:
    """Return True for a 13-19 digit number with a known card prefix and a valid Luhn digit."""
    if not 13 <= len(number) <= 19 or not luhn_ok(number):
        return False
    two, four = int(number[:2]), int(number[:4])
    return (
        number[0] == "4"
        or 51 <= two <= 55 or 2221 <= four <= 2720
        or (two in (34, 37) and len(number) == 15)
        or number.startswith(("6011", "65", "644", "645", "646", "647", "648", "649"))
        or 3528 <= four <= 3589
        or two in (36, 38, 30)
        or number.startswith(("50", "56", "57", "58", "6"))  # Maestro
    )


def iban_ok(text: str) -> bool:
    """Return True if ``text`` (spaces or dashes allowed) is an IBAN of the right length whose
    mod-97 is 1. The national check digits inside the BBAN are not checked: an account number
    with a typo there is still one person's account."""
    iban = re.sub(r"[\s-]", "", text).upper()
    if len(iban) < 15 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    moved = iban[4:] + iban[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1
    except ValueError:
        return False


def ssn_ok(text: str) -> bool:
    """Return True for a US SSN whose area, group and serial are in issued ranges."""
    d = digits(text)
    if len(d) != 9:
        return False
    area, group, serial = int(d[:3]), int(d[3:5]), int(d[5:])
    return area not in (0, 666) and area < 900 and group != 0 and serial != 0


def pesel_ok(number: str) -> bool:
    """Return True for a Polish PESEL (11 digits, weighted check digit)."""
    if len(number) != 11 or not number.isdigit():
        return False
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    total = sum(int(a) * w for a, w in zip(number, weights, strict=False))
    return (10 - total % 10) % 10 == int(number[10])


def steuer_id_ok(number: str) -> bool:
    """Return True for a German tax ID (11 digits, ISO 7064 MOD 11,10)."""
    if len(number) != 11 or not number.isdigit() or number[0] == "0":
        return False
    product = 10
    for ch in number[:10]:
        total = (int(ch) + product) % 10 or 10
        product = (total * 2) % 11
    check = (11 - product) % 10
    return check == int(number[10])


def nir_ok(text: str) -> bool:
    """Return True for a French NIR (13 digits + 2-digit key = 97 - n mod 97; Corsica 2A/2B)."""
    raw = re.sub(r"\s", "", text).upper().replace("2A", "19").replace("2B", "18")
    if len(raw) != 15 or not raw.isdigit() or raw[0] not in "12":
        return False
    return 97 - int(raw[:13]) % 97 == int(raw[13:])


def bsn_ok(number: str) -> bool:
    """Return True for a Dutch BSN (9 digits, 11-proof)."""
    return len(number) == 9 and number.isdigit() and bool(nl_bsn.is_valid(number))


def dni_ok(text: str) -> bool:
    """Return True for a Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter)."""
    raw = text.upper().replace("-", "")
    if len(raw) != 9:
        return False
    head = {"X": "0", "Y": "1", "Z": "2"}.get(raw[0], raw[0]) + raw[1:8]
    if not head.isdigit():
        return False
    return "TRWAGMYFPDXBNJZSQVHLCKE"[int(head) % 23] == raw[8]


def za_id_ok(number: str) -> bool:
    """Return True for a South African identity number (13 digits: birth date, Luhn)."""
    return len(number) == 13 and number.isdigit() and bool(za_idnr.is_valid(number))
