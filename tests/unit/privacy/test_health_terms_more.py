"""Health terms: tropical, rare and occupational conditions, more medicines, injuries told
as what happened, diagnosis cues and conditions in more languages (German compounds,
Romanian, Hungarian, Finnish, Cyrillic scripts, Korean, Hausa, Chichewa, Malay)."""

from __future__ import annotations

import pytest

from appliance.privacy.detect import Detector
from appliance.privacy.health import health_spans

from .conftest import found


def terms(text: str) -> set[str]:
    return {text[s:e] for s, e in health_spans(text)}


def covered(text: str, phrase: str) -> bool:
    start = text.index(phrase)
    end = start + len(phrase)
    return any(s < end and start < e for s, e in health_spans(text))


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        # tropical, rare, occupational and obstetric conditions
        ("Labour ward: Ana Pop, 23 y, G2P1, pre-eclampsia; husband on call.", "pre-eclampsia"),
        ("Jan Novak has had tennis elbow since the spring.", "tennis elbow"),
        ("Field team: Ana Pop was treated for river blindness last year.", "river blindness"),
        ("The eye camp found trachoma in Jan Novak.", "trachoma"),
        ("Jan Novak, my boy, has lead poisoning from the smelter.", "lead poisoning"),
        ("Jan Novak, referred with scrub typhus.", "scrub typhus"),
        ("Snakebite ward: Ana Pop, puff adder bite to the left calf.", "puff adder bite"),
        ("Ana Pop is at the TB clinic every morning for treatment.", "TB clinic"),
        ("Blood bank: donor Ana Pop, group O Rh-negative, deferred.", "Rh-negative"),
        # medicines and results
        ("Jan Novak, continues co-trimoxazole prophylaxis.", "co-trimoxazole prophylaxis"),
        ("Jan Novak's grandson collects the dapsone and clofazimine.", "dapsone"),
        ("Ana Pop: two vials of antivenom given.", "antivenom"),
        ("Ana Pop, tenofovir, viral load suppressed, next refill Monday.", "suppressed"),
        # procedures
        ("Jan Novak is back at work after a coronary bypass.", "coronary bypass"),
        ("Invoice for Jan Novak: a hydrocele repair, paid by card.", "hydrocele"),
        ("Ana Pop cleared for night work after an IUD insertion.", "IUD insertion"),
        ("Jan Novak needs a skin graft on the forearm.", "skin graft"),
        # injuries told as what happened
        ("Cane cutter Jan Novak slashed his shin with a panga.", "slashed his shin"),
        ("Jan Novak was kicked by a steer in the crush.", "kicked by"),
        ("Jan Novak was hit in the face by a snapped strap.", "hit in the face"),
        ("Ana Pop got hydraulic oil injected into her palm.", "injected into her palm"),
        ("Jan Novak got a sliver of glass in the left eye.", "glass in the left eye"),
        ("Ana Pop fell off the loading bay into the yard.", "fell off the loading bay"),
        ("Ana Pop, admission to the burns unit.", "burns unit"),
        # diagnosis cues
        ("Triage: Ana Pop, presents with typhoid fever.", "typhoid fever"),
        ("Clinic intake: Jan Novak, complaint: thalassaemia trait.", "thalassaemia trait"),
        ("Pasien Ana Pop, didiagnosis hepatitis C.", "hepatitis C"),
        ("Pesakit Jan Novak dirujuk kerana demam denggi.", "demam denggi"),
        # other languages
        ("Jan Novak hat sich den linken Daumen gequetscht.", "Daumen gequetscht"),
        ("Patientin Ana Pop, Aufnahme wegen Oberschenkelhalsbruch.", "Oberschenkelhalsbruch"),
        ("Ana Pop klagt über Rückenschmerzen.", "Rückenschmerzen"),
        ("Pacient Jan Novak, internat cu pneumonie.", "pneumonie"),
        ("Beteg: Ana Pop, diagnózis: magas vérnyomás.", "magas vérnyomás"),
        ("Potilas Jan Novak; lähete: polven tähystys.", "polven tähystys"),
        ("Авыру Ana Pop, диагноз: шикәр диабеты.", "шикәр диабеты"),
        ("Пацієнтка Ana Pop, направлена на УЗД щитоподібної залози.", "УЗД"),
        ("Рецепт: Jan Novak, метформин 850 мг.", "метформин 850 мг"),
        ("환자 Ana Pop, 진단명 당뇨병.", "당뇨병"),
        ("Mara lafiya Ana Pop yana da zazzabin cizon sauro.", "zazzabin cizon sauro"),
        ("Wodwala Jan Novak ali ndi chifuwa chachikulu.", "chifuwa chachikulu"),
        ("Infirmerie : Ana Pop, piqûre de scorpion à la cheville.", "piqûre de scorpion"),
    ],
)
def test_health_terms_found(text: str, phrase: str) -> None:
    assert covered(text, phrase), terms(text)


@pytest.mark.parametrize(
    "text",
    [
        "The burglary (Einbruch) and a breach of contract (Vertragsbruch) were reported.",
        "Prices fell by a third; the order was prepped for Monday.",
        "The customer complaint about the late delivery was closed.",
        "Grease the bearings with lithium grease before the run.",
        "Storage holds 2 TB of logs; the clinic opens at nine.",
        "The tractor and the forklift were serviced; the bay door sticks.",
        "Cold chain: vaccine fridge 9KG10LM at 4.6 °C when checked.",
        "ECG patch 3C:71:BF:38:88:74 paired with the phone at enrolment.",
        "Cold box recorder of the immunisation store: no excursions.",
        "Hydraulic press overhaul closed; signed off by the shift lead at 06:10.",
        "The key safe code is known to the daughter next door.",
    ],
)
def test_no_health_terms_in_ordinary_text(text: str) -> None:
    assert not terms(text), terms(text)


def test_a_compound_condition_next_to_a_name_is_phi(detector: Detector) -> None:
    got = found(detector, "Patientin Ana Pop, geb. 03.04.1950, Aufnahme wegen Oberschenkelhalsbruch.")
    assert ("HEALTH", "Oberschenkelhalsbruch") in got


def test_a_field_name_is_not_health_data_but_its_value_is() -> None:
    text = 'Lipid clinic upload: patient=CNHS-7987-P ldl=4.1 statin="atorvastatin 20 mg"'
    assert "statin" not in terms(text)
    assert covered(text, "atorvastatin 20 mg")


def test_signed_off_sick_is_still_an_absence() -> None:
    assert covered("Jan Novak was signed off for two weeks.", "signed off")
