"""Payment card numbers: any grouping of 12-19 digits with a Luhn digit and a known IIN.

A digit run is a card number when it passes the Luhn check AND its issuer
identification number (the leading digits) and length belong to a card scheme.
Runs named as something else (an IMEI, a serial, a barcode, an order) are not cards.
"""

from __future__ import annotations

import re

from appliance.privacy import checksums as ck

# (lowest prefix, highest prefix, lengths): prefixes compared on their own number of digits
_IIN: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("4", "4", (13, 16, 19)),  # Visa (and Visa Electron, Elo 4011/4389)
    ("51", "55", (16,)),  # Mastercard
    ("2221", "2720", (16,)),  # Mastercard 2-series
    ("2200", "2204", (16, 17, 18, 19)),  # Mir
    ("34", "34", (15,)), ("37", "37", (15,)),  # American Express
    ("300", "305", (14, 15, 16, 17, 18, 19)), ("3095", "3095", (14, 15, 16, 17, 18, 19)),
    ("36", "36", (14, 15, 16, 17, 18, 19)), ("38", "39", (14, 15, 16, 17, 18, 19)),  # Diners
    ("35", "35", (16, 17, 18, 19)),  # JCB (3528-3589 issued; the whole 35 range read as JCB)
    ("6011", "6011", (16, 17, 18, 19)), ("644", "649", (16, 17, 18, 19)),
    ("65", "65", (16, 17, 18, 19)),  # Discover, RuPay 65
    ("62", "62", (16, 17, 18, 19)), ("81", "82", (16, 17, 18, 19)),  # UnionPay, RuPay
    ("60", "60", (16, 17, 18, 19)),  # RuPay, Discover 6011 above
    ("50", "50", (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro, Verve 5060/5061, Dankort 5019
    ("56", "69", (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
    ("9792", "9792", (16,)),  # Troy
    ("1", "1", (15,)),  # UATP
)

# a run of 12-19 digits in groups of 2-7 separated by one space, a dash, a dot or two spaces
# groups apart by spaces (also the thin and no-break spaces typesetting puts in), dots, dashes
CARD_RUN = re.compile(
    r"(?<![\w+.,/-])(?<!\d[ .-])\d{2,19}(?:(?:[ .\u00a0\u2009\u202f-]| {2})\d{2,13}){0,5}"
    r"(?![\w-]|[.,]\d)")
_NOT_A_CARD = re.compile(
    r"(?i)\b(?:imei|imsi|iccid|meid|esn|serial|s/?n|sn|ean|gtin|upc|barcode|tracking|"
    r"order|invoice|part|p/?n|lot|batch|ref|ticket|po|so|wo|asset|tag|sku|item|article|model|"
    r"account\s+(?:no|number)|iban|sort code|routing|aba|mrn|patient|chart|phone|tel|mobile|"
    r"fax|call|ring|text|whatsapp)\b[\s#:.no-]*$")
_CARD_WORD = re.compile(
    r"(?i)\b(?:card|visa|mastercard|master card|amex|american express|diners|discover|jcb|"
    r"unionpay|maestro|mir|rupay|troy|verve|credit|debit|cc|pan|payment|paid|charged|refund)\b")


def card_number_ok(number: str) -> bool:
    """True when the digit string has a card scheme's prefix and length and its Luhn digit."""
    if not 12 <= len(number) <= 19:
        return False
    for low, high, lengths in _IIN:
        if len(number) in lengths and low <= number[: len(low)] <= high:
            return ck.luhn_ok(number)
    return False


def card_run_ok(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is a card number in its context."""
    number = ck.digits(text[start:end])
    if not card_number_ok(number):
        return False
    if _NOT_A_CARD.search(text, max(0, start - 24), start):
        return False
    if len(number) == 15 and ck.nir_ok(number):
        return False  # a French social security number, not an Amex
    # 12-digit Maestro numbers are short enough to be anything: they need a card word
    return len(number) > 12 or bool(_CARD_WORD.search(text, max(0, start - 40), start))
