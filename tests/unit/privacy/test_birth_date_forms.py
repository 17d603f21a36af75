"""Written date forms of more languages: Korean, the Tatar and Bashkir year-day-month with
the month in its possessive form, Russian with the day in quotes, Hausa with "ga" before
the month, Catalan "d'abril", and the Chichewa, Bemba and common Hausa month spellings;
each is a date of birth after a birth cue and stays a plain date without one."""

from __future__ import annotations

import pytest

from appliance.privacy.dates import date_ok, find_dates
from appliance.privacy.detect import Detector

from .conftest import found


def _dates(text: str) -> list[str]:
    return [text[a:b] for a, b in find_dates(text)]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("접수일 2023년 3월 15일 오전 접수", "2023년 3월 15일"),
        ("Shipment logged 2019년10월2일 at the gate.", "2019년10월2일"),
        ("Отчёт за 2001 елның 17 марты, цех 3.", "2001 елның 17 марты"),
        ("Акт төзелде 1992 елның 4 ноябре, Казан.", "1992 елның 4 ноябре"),
        ("Ҡарар 1975 йылдың 3 майы ҡабул ителде.", "1975 йылдың 3 майы"),
        ("Договор от «20» июня 1974 г., экземпляр 2.", "«20» июня 1974"),
        ("Taron ya fara 17 ga Yuli, 1957 a Kano.", "17 ga Yuli, 1957"),
        ("An kafa kamfanin 25 ga Afrilu, 1959.", "25 ga Afrilu, 1959"),
        ("Msonkhano unachitika 1 Disembala 1975 ku Blantyre.", "1 Disembala 1975"),
        ("Lipoti la 18 Seputembala 1987 linasainidwa.", "18 Seputembala 1987"),
        ("Ukulongana kwa 28 Epreo 1988 mu Kitwe.", "28 Epreo 1988"),
        ("Signat a Girona el 20 d'abril de 2007.", "20 d'abril de 2007"),
        ("Lliurament del 3 d’agost de 2019 al moll 2.", "3 d’agost de 2019"),
    ],
)
def test_date_forms_of_more_languages(text: str, date: str) -> None:
    assert date in _dates(text)


@pytest.mark.parametrize(
    "value",
    ["2023년 13월 5일", "1992 елның 31 ноябре", "«32» июня 1974", "30 ga Fabrairu, 1986",
     "1992 елның 4 керосин"],
)
def test_impossible_or_unknown_dates_are_no_dates(value: str) -> None:
    assert not any(date_ok(d) for d in _dates(value))


@pytest.mark.parametrize(
    ("text", "dob"),
    [
        ("Pasien Siti Rahma, No. RM 79945818/5, DOB 1947년 7월 13일, didiagnosis asma.",
         "1947년 7월 13일"),
        ("Optician order CO-539910: Ana Pop, DOB 1992 елның 4 ноябре, lens 6204-E.",
         "1992 елның 4 ноябре"),
        ("Discharge letter\nPatient: Aisylu Yanturina\nBorn: 2001 елның 17 марты\n"
         "Diagnosis: scrub typhus", "2001 елның 17 марты"),
        ("Hello, this is Raushaniya Shakirova, DOB «19» ноября 2005 г.. Are my results back?",
         "«19» ноября 2005"),
        ("Road to Health card: Kalua Takondwa, born 29 ga Afrilu, 2008, BCG given.",
         "29 ga Afrilu, 2008"),
        ("Age check at the till: Kesso Jalloh, DOB 3 ga Fabrairu, 1986; OK to sell.",
         "3 ga Fabrairu, 1986"),
        ("Tripulació: Begench Atdayev (b. 20 d'abril de 2007), tel. 600 123 456.",
         "20 d'abril de 2007"),
        ("Age-restricted sale: Chikondi Banda, born 28 Epulo 1988, passport checked.",
         "28 Epulo 1988"),
        ("Potilas Dauda Gwarzo, syntynyt 19 Okutobala 1955, lähete: polven tähystys.",
         "19 Okutobala 1955"),
    ],
)
def test_birth_dates_in_these_forms(detector: Detector, text: str, dob: str) -> None:
    assert any(t == "DOB" and dob in v for t, v in found(detector, text))


@pytest.mark.parametrize(
    "text",
    [
        "Press 4 serviced 2023년 3월 15일; next service in six months.",
        "Поставка от «20» июня 2021 г. принята на склад 2.",
        "Taron masana'antu: 17 ga Yuli, 2019, a Kano.",
        "Ndondomeko ya 1 Disembala 2021 yasinthidwa.",
    ],
)
def test_dates_with_no_person_or_birth_cue_are_no_birth_dates(
    detector: Detector, text: str
) -> None:
    assert not any(t == "DOB" for t, _ in found(detector, text))


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("<Employee><Id>4A45721</Id><BirthDate>1982-03-02</BirthDate></Employee>", "1982-03-02"),
        ("Pesakit Siti Aminah, tarikh lahir 28 ga Afrilu, 1995, dirujuk kerana demam.",
         "28 ga Afrilu, 1995"),
        ("Omulwadde N. Lual, ennaku z'okuzaalibwa 1998년 4월 30일, essimu 0772 123456.",
         "1998년 4월 30일"),
        ("Pacient Ion Popa, născut la 1 aprilie 1946, internat cu pneumonie.", "1 aprilie 1946"),
        ("Beteg: Kiss Anna, szül.: 1969. szeptember 29., tel.: 06 1 713 636", "1969. szeptember 29."),
        ("Пацієнтка Олена Коваль, дата народження 12.03.1959, тел. 03591 847859.", "12.03.1959"),
        ("Hasta Ayşe Yılmaz, doğum tarihi 14.02.1971, kontrol randevusu.", "14.02.1971"),
    ],
)
def test_birth_words_of_more_languages_and_xml_elements_cue_a_birth_date(
    detector: Detector, text: str, date: str
) -> None:
    assert ("DOB", date) in found(detector, text)


def test_a_date_in_another_xml_element_is_not_a_birth_date(detector: Detector) -> None:
    text = "<Shipment><Id>SH-22</Id><ShipDate>2026-03-02</ShipDate></Shipment>"
    assert ("DOB", "2026-03-02") not in found(detector, text)
