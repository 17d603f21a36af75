"""Addresses after a label, after a name and a comma, in HL7 PID segments, with a postal
code written out, and look-alikes after a name left alone."""

from __future__ import annotations

import pytest

from appliance.privacy.detect import Detector


def addresses(detector: Detector, text: str) -> set[str]:
    return {e.text for e in detector.detect(text) if e.type.value == "ADDRESS"}


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("HR checklist\nHome address: شیراز، بلوار کشاورز، پلاک 222، واحد 17\nBirth date: 1962",
         "شیراز، بلوار کشاورز، پلاک 222، واحد 17"),
        ("Antrag: Ana Pop, wohnhaft Office 142, Street 4B, Jumeirah 1, Abu Dhabi, UAE, Konto DE89.",
         "Office 142, Street 4B, Jumeirah 1, Abu Dhabi, UAE"),
        ("Letter sent to Ana Pop, Số 110 Nguyễn Huệ, Phường Hàng Bài, Quận Hoàn Kiếm, Hà Nội; ref 4.",
         "Số 110 Nguyễn Huệ, Phường Hàng Bài, Quận Hoàn Kiếm, Hà Nội"),
        ("Refund for Ana Pop, dirección: Chaharbagh Blvd., Pelak 47, Vahed 8, "
         "Postal Code 8281017402, reembolso a IBAN.",
         "Chaharbagh Blvd., Pelak 47, Vahed 8, Postal Code 8281017402"),
        ("ADT^A04 | PID|1||87745648^^^MAIN^MR||Pop^Ana||8/25/73|F|||Villa 143, Street 12, "
         "Al Barsha 2, Dubai, UAE", "Villa 143, Street 12, Al Barsha 2, Dubai, UAE"),
    ],
)
def test_addresses(detector: Detector, text: str, address: str) -> None:
    assert address in addresses(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Refund for patient Ana Pop, invoice WO275349.",
        "Address the complaint to the shift lead before 10.",
    ],
)
def test_look_alikes_are_not_addresses(detector: Detector, text: str) -> None:
    assert addresses(detector, text) == set()


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Staff bus pick-ups: Ana Pop at Stand 2526, Unit O, Chitungwiza; Jan at the gate.",
         "Stand 2526, Unit O, Chitungwiza"),
        ("AMBULANCE RUN SHEET\nPick-up: Vaitele-uta, Upolu, Samoa\nPatient: Ana Pop",
         "Vaitele-uta, Upolu, Samoa"),
        ("Chargeback: cardholder Ana Pop, billing address Erbil, Empire World, Street 95, "
         "House 69, device IP 10.0.0.1", "Erbil, Empire World, Street 95, House 69"),
        ("Courier them to P.O. Box 32033-80100, Kisumu.", "P.O. Box 32033-80100, Kisumu"),
    ],
)
def test_addresses_after_pick_up_at_billing_and_po_box(
    detector: Detector, text: str, address: str
) -> None:
    assert address in addresses(detector, text)
