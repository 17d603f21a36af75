"""Record and staff numbers in more positions: before the name, in a list after a record
word, in a FHIR reference, anywhere in a text about care; and the class an 'ID' prefix
gives a number next to a name."""

from __future__ import annotations

import pytest

from appliance.privacy.detect import Detector

from .conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fracture clinic (Dr Berg): 09:00 52479570 Ana Pop; 09:20 14B48789 Jan Novak",
         ("MRN", "14B48789")),
        ("[17/Aug/2026:18:26:39 +0000],T592-5728,Pop, Ana,TURNSTILE-3,GRANTED",
         ("EMPLOYEE_ID", "T592-5728")),
        ("Duplicate charts 40-93380-6 and 8981718C both belong to Ana Pop; please merge.",
         ("MRN", "8981718C")),
        ("Staff numbers E-4471 and E-4472 swapped shifts.", ("EMPLOYEE_ID", "E-4472")),
        ('{"resourceType":"Encounter","subject":{"display":"Ana Pop","identifier":"PAC658785"}}',
         ("MRN", "PAC658785")),
        ('{"resourceType":"Encounter","subject":{"display":"Ana Pop","identifier":"PAC658785"}}',
         ("PERSON", "Ana Pop")),
        ('{"evt":"man_down","worker":"Ana Pop","emp":"OP4-457"}', ("EMPLOYEE_ID", "OP4-457")),
        ("Lamp room: cap lamp out to Ana Pop (tag OP2-630), returned at 06:10.", ("EMPLOYEE_ID", "OP2-630")),
        ("Pasyan Ana Pop, dosye HNGV 364693, vini pou a hip arthroscopy.", ("MRN", "HNGV 364693")),
        ("Pre-authorisation: Ana Pop, a hysterectomy, hospital file 77872417.", ("MRN", "77872417")),
        ("PACS audit: a user exported all studies of 3930829E to removable media.", ("MRN", "3930829E")),
        ("Haemolysed sample for NHC-176820, please redraw; phlebotomist CUR20184.", ("MRN", "NHC-176820")),
        ("Haemolysed sample for NHC-176820, please redraw; phlebotomist CUR20184.",
         ("EMPLOYEE_ID", "CUR20184")),
        ("Antenatal booking: Ana Pop, ID 4197376-3, planned for week 39.", ("NATIONAL_ID", "4197376-3")),
        ("Invoice for a mammogram: Ana Pop, insurer number 680-587-326.", ("NATIONAL_ID", "680-587-326")),
    ],
)
def test_numbers_in_more_positions(detector: Detector, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Ward 4 sluice macerator C068YLGHLN1R fault cleared; part E3Z-T61 fitted.",
        "Lab courier bag 22W0568952 left the ward, seal L2026064C; 14 tubes.",
        "Discharge summary: admitted with G40.909 epilepsy, home on sertraline.",
        "Dental desk: paid XCG 180.00 for the filling.",
        "Vaccine fridge logger 2021-47-915557 read 4.1 °C at the clinic.",
    ],
)
def test_serials_seals_codes_and_amounts_in_care_texts_are_no_record_numbers(
    detector: Detector, text: str
) -> None:
    assert not any(cls == "MRN" for cls, _ in found(detector, text))


@pytest.mark.parametrize("text", ["Ring the ward: Sími 0438-418362.", "Hospital Temuco. Fono 414.662.6586."])
def test_a_word_for_calling_before_a_phone_is_no_name(detector: Detector, text: str) -> None:
    got = found(detector, text)
    assert any(cls == "PHONE" for cls, _ in got)
    assert not any(cls == "PERSON" for cls, _ in got)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Patient Ana Pop, gebuer de 26. Mäerz 1971, kritt en Termin.", ("DOB", "26. Mäerz 1971")),
        ("U duttore hà vistu Ana Pop, natu u 10 di uttrovi 1976, per a frebba.", ("DOB", "10 di uttrovi 1976")),
        ("Pasyan Ana Pop, born 16 desanm 2008, vini pou yon konsiltasyon.", ("DOB", "16 desanm 2008")),
        ("The teach pendant still accepts the integrator's login - integrator / tarawa22$ on it.",
         ("SECRET", "tarawa22$")),
        ("LIS interface account still on the vendor default: lis_iface / Hekla@480", ("SECRET", "Hekla@480")),
        ("Consulting rooms wireless passphrase changed to majuro dushi nunavut 13",
         ("SECRET", "majuro dushi nunavut 13")),
        ("Guest Wi-Fi portal: ana.pop@example.com signed in from device 3c-54-49-01-90-f7.",
         ("EMAIL", "ana.pop@example.com")),
        ("DNS log: 169.254.252.7 (B8BC0FF90CAA) keeps querying a mining pool.", ("MAC", "B8BC0FF90CAA")),
    ],
)
def test_dates_secrets_logins_and_macs(detector: Detector, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(detector, text)


def test_a_serial_in_hex_without_a_device_or_network_word_is_no_mac(detector: Detector) -> None:
    assert not any(cls == "MAC" for cls, _ in found(detector, "Batch B8BC0FF90CAA passed QA."))


@pytest.mark.parametrize(
    ("text", "name"),
    [("Mauri Checo! Am oota SO#926371 e a tauraoi. Tareboon 9-68475151.", "Checo"),
     ("Talofa Tavita, ua sauni lau oka #975187. Valaau mai 72-21629.", "Tavita")],
)
def test_a_greeting_is_no_part_of_the_name_it_greets(detector: Detector, text: str, name: str) -> None:
    got = found(detector, text)
    assert ("PERSON", name) in got
    assert any(cls == "PHONE" for cls, _ in got)


@pytest.mark.parametrize(
    "text",
    ["Unfallmeldung: Ana Pop hat sich beim Palettieren den linken Daumen gequetscht.",
     "<Employee><Name>Ana Pop</Name><BirthDate>13. Mai 1991</BirthDate></Employee>",
     "Leaving do for Ana Pop on Friday; she retires after 31 years on the looms."],
)
def test_german_nouns_xml_tags_and_words_after_an_article_are_no_names(
    detector: Detector, text: str
) -> None:
    people = {t for cls, t in found(detector, text) if cls == "PERSON"}
    assert people == {"Ana Pop"}, people
