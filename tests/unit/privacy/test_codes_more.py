"""Badge and record numbers read by context and structure, with no site pattern: staff
and record words of more languages, Cyrillic and lower-case prefixes, a field between
slashes, a record row that opens with its number, SQL, XML, FHIR references and log keys."""

from __future__ import annotations

import pytest

from appliance.privacy.detect import Detector

from .conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # staff words
        ("Injury claim: employee Ana Pop, employer ref EMPL/4618, back on shift.",
         ("EMPLOYEE_ID", "EMPL/4618")),
        ("Customer changed her number to +44 7939 977523, agent ZW216507.", ("EMPLOYEE_ID", "ZW216507")),
        ("Журнал проходной: Ana Pop, пропуск 2F50170, прошёл через турникет в 15:59.",
         ("EMPLOYEE_ID", "2F50170")),
        ("Unfallmeldung: Ana Pop, Personalnr. SHL.26914, hat sich den Daumen gequetscht.",
         ("EMPLOYEE_ID", "SHL.26914")),
        ("Hi Ana, your new till login is 1G95633 with a temporary password.", ("EMPLOYEE_ID", "1G95633")),
        ("Price override by X2K7328 on 55702895181627: $9.99 down to $4.99.", ("EMPLOYEE_ID", "X2K7328")),
        # shapes: a lower-case prefix with "_", Cyrillic capitals
        ("Staff discount: Ana Pop (emp_11637) got 15 % off.", ("EMPLOYEE_ID", "emp_11637")),
        ("Lockout tag: Ana Pop, ТН-45877, padlock 17, isolated at 02:40.", ("EMPLOYEE_ID", "ТН-45877")),
        ("Lockout tag: POP, Ana, 00253878, padlock 17, isolated at 19:19.", ("EMPLOYEE_ID", "00253878")),
        ("U travagliadore Ana Pop, numeru 2414-VU, hè malatu oghje.", ("EMPLOYEE_ID", "2414-VU")),
        # positions and structures
        ("card printer queue: Ana Pop / 946-N34 / photo taken 20:26 / printer 7", ("EMPLOYEE_ID", "946-N34")),
        ("2947-MH;Ana Pop;12/6/67;DE45 9794 2035 7286 9080 09;2026-05", ("EMPLOYEE_ID", "2947-MH")),
        ("2026-01-07T06:25,39/E/158,Jan Novak,TURNSTILE-3,GRANTED", ("EMPLOYEE_ID", "39/E/158")),
        ("INSERT INTO operators (badge_id, full_name, mobile) VALUES ('3C42876', 'Ana Pop', '+1 807 347 4121');",
         ("EMPLOYEE_ID", "3C42876")),
        ("<Employee><Id>188-M81</Id><Name>Ana Pop</Name></Employee>", ("EMPLOYEE_ID", "188-M81")),
        ("<Patient><Id>H24/32841</Id><Name>Ana Pop</Name></Patient>", ("MRN", "H24/32841")),
        ('{"resourceType":"Condition","subject":{"reference":"Patient/128905-J","display":"Ana Pop"}}',
         ("MRN", "128905-J")),
        ('disp 18:43 rx=6587760081 pt=JTH/S1/0227 drug="warfarin" by=Ana', ("MRN", "JTH/S1/0227")),
        # record words
        ("Mara lafiya Ana Pop, lambar asibiti U05979419, yana da zazzabin cizon sauro.",
         ("MRN", "U05979419")),
        ("Wodwala Ana Pop, nambala ya chipatala HRN 243253, ali ndi chifuwa chachikulu.",
         ("MRN", "HRN 243253")),
        ("Überzahlung von EUR 85,00 für Ana Pop (Fall-Nr. H13/55959) bitte zurücküberweisen.",
         ("MRN", "H13/55959")),
        ("Grateful if you could see Ana Pop (born 4 June 1948; our ref. 401183-V).", ("MRN", "401183-V")),
        ("Ana Pop was bitten at the gate; the mine hospital keeps his file under AKTH/174829.",
         ("MRN", "AKTH/174829")),
        ("Bedside monitor at 10.1.2.3 pushed vitals for OIH53927J at 12:13", ("MRN", "OIH53927J")),
        ("TB contact tracing: index case Ana Pop (UTH.73277.17); contacts Eva Kim and Jan Novak.",
         ("MRN", "UTH.73277.17")),
        ("Gallup Indian Medical Center, chart РКБ-252906: Ana Pop, diabetic foot check.",
         ("MRN", "РКБ-252906")),
    ],
)
def test_codes_by_context_and_structure(detector: Detector, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Autoclave 7 cycle Charge 240720-01 passed at 08:35; no patient data.",
        "Optometry: Ana Pop, glaucoma suspect, frames 131B1520.",
        "Colis CO-770678-F pour Ana Pop, livraison demain.",
        "Staff OH: nurse Ana Pop (payroll MRY21455) needlestick injury from a used cannula.",
        "Boarding pass printed at the kiosk, seat 14C.",
        "INSERT INTO parts (part_no, qty) VALUES ('E3Z-T61', 4);",
        "<Order><Id>PO-55120</Id><Qty>4</Qty></Order>",
    ],
)
def test_lots_frames_parcels_parts_and_staff_codes_are_no_record_numbers(detector: Detector, text: str) -> None:
    assert not any(cls == "MRN" for cls, _ in found(detector, text))


@pytest.mark.parametrize(
    "text",
    [
        "INSERT INTO parts (part_no, qty) VALUES ('E3Z-T61', 4);",
        "<Order><Id>PO-55120</Id><Qty>4</Qty></Order>",
        "The pass rate was 98 percent this shift.",
        "Replacement part ordered through the agent, order 4471-22.",
    ],
)
def test_part_and_order_numbers_are_no_badge_numbers(detector: Detector, text: str) -> None:
    assert not any(cls == "EMPLOYEE_ID" for cls, _ in found(detector, text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Пост охраны: Ana Pop, табельный MKH#6612, въехал в 19:40.", ("EMPLOYEE_ID", "MKH#6612")),
        ("Pasien Ana Pop, No. RM R6497038, didiagnosis multiple sclerosis.", ("MRN", "R6497038")),
        ("Ana Pop broke a wrist; sent to casualty, registration МКБ№66029.", ("MRN", "МКБ№66029")),
        ("Sijil perubatan: Ana Pop, rekod CNHS-4470-P, dirawat kerana river blindness.", ("MRN", "CNHS-4470-P")),
    ],
)
def test_more_record_and_staff_words(detector: Detector, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(detector, text)


def test_a_handphone_number_is_no_badge_number(detector: Detector) -> None:
    text = "Karyawan baru: Ana Pop, HP 0711956086, masuk hari Senin."
    assert not any(cls == "EMPLOYEE_ID" for cls, _ in found(detector, text))


@pytest.mark.parametrize(
    "text",
    [
        "Release agent 56920826, batch LOT# 26H26A, on hold until the supplier certificate arrives.",
        "member;name;born;email\n700123;Ana Pop;06/04/1961;ana@example.com",
    ],
)
def test_a_release_agent_and_a_row_under_a_header_are_no_badge_numbers(detector: Detector, text: str) -> None:
    assert not any(cls == "EMPLOYEE_ID" and value in ("56920826", "700123") for cls, value in found(detector, text))
