# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b12`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, tests, history
or figures) until its one blind run: seed 3917 on commit d02f280
(``privacy_blind_seeds.txt``). From now on its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B12Gen``, ``BLIND_TEMPLATES`` -> ``B12_TEMPLATES``,
``SITE_PATTERNS`` -> ``B12_SITE_PATTERNS``, ``blind_names`` -> ``b12_names``, group
``blind`` -> ``b12``) and its seed log helpers left in ``privacy_blind.py``.

As first written:

A blind set is written (and committed) before the detector changes it is used to
judge, without reading the detector's code, tests, history or figures; it is run once
per report on a seed never run before and then retired into the dev split
(``privacy_retired_b1.py`` to ``privacy_retired_b11.py``). ``b12`` is the current one.

What ``b12`` is: a realistic sample of what a privacy gate on an edge appliance in
factories, clinics and shops around the world sees (the Horn and East of Africa,
Southern and West Africa, Madagascar, Central and South-East Asia, Mongolia, the Andes,
the Pacific, Europe and North America). Each generator draws the form of each value
once: about 60 % everyday forms, about 40 % less common but genuine ones. Separate from
the dev split (``privacy_templates.py``, ``privacy_corpus.Gen`` and ``b1`` to ``b11``):

* templates: a sentence family of its own, none shared with or edited from the dev
  templates or ``b1`` to ``b11`` (checked with a word 5-gram overlap test against every
  one of them while it was written) -- prose notes, chat and SMS, e-mails, CSV rows,
  JSON, YAML and INI snippets, key=value logs, HL7 and FHIR messages, forms, and a few
  lines in Swahili, Somali, Amharic, Mongolian, Khmer, Russian, Spanish, French,
  Basque, Malagasy, Polish and Maori;
* names: every Faker person locale is read by the dev split, so the pools are built
  by hand (``_PEOPLES``) from given names and surnames of peoples no Faker locale
  covers -- Amhara, Somali, Khmer, Lao, Burmese, Mongolian, Malagasy, Maori, Samoan,
  Tongan, Quechua and Aymara, Basque, Kurdish, Pashtun, Kazakh, Rwandan and Shona --
  minus every name of the dev pools (Faker's and the romanised ``b4`` to ``b11``
  pools); written as real systems write them ("First Last", "LAST, First",
  "Last, First", two given names, initials and surname, all caps) and in the order
  their countries use (surname first for Khmer, Kazakh and Malagasy, a father's
  initial before a Mongolian given name, two surnames in the Andes and the Basque
  Country, three-part Ethiopian and Somali names); titles stay in the sentence;
* values: every one really of its class -- check digits computed here (and checked
  against python-stdnum where it knows the kind while the set was written), phones
  valid per ``phonenumbers``, real calendar dates (Ethiopian-calendar ones too) -- for
  every class of the corpus (names, e-mail, phones, addresses, dates of birth,
  national IDs of many countries, employee/badge numbers, patient numbers, health
  conditions, injuries, medications and procedures, cards, IBANs, IPs, MACs, GPS,
  secrets of real services, passwords), and negatives (part numbers, serials,
  timestamps, versions, lots, GTINs, readings, order and tracking numbers, amounts)
  at about a fifth of the slots;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG``, ``privacy_blind_seeds.txt``, records
  every blind run (seed, time, commit, set), so that a seed's figures are reported as
  blind only once; the bench warns when a seed is reused.

``SITE_PATTERNS`` holds the badge and record number formats of the set's organisations
as their site would configure them (``employee_id_patterns``, ``medical_record_patterns``).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import random
import string
import unicodedata

import privacy_corpus as corpus
import privacy_retired_b4 as b4
import privacy_retired_b5 as b5
import privacy_retired_b6 as b6
import privacy_retired_b7 as b7
import privacy_retired_b8 as b8
import privacy_retired_b9 as b9
import privacy_retired_b10 as b10
import privacy_retired_b11 as b11
from privacy_retired_b10 import _gtin, _iban, _luhn, _mod11_10, _verhoeff, _wsum

_DEV_LOCALES = b11._DEV_LOCALES + b11.B11_LOCALES

# share of values drawn in an everyday form; the rest take a less common real one
EVERYDAY = 0.6

# The formats a site would configure for its own badge and record numbers (the
# appliance's employee_id_patterns and medical_record_patterns): one regex per format
# that B12Gen.badge, .mrn and .mrn_token issue, as specific as the format. Formats no
# regex tells from other numbers (bare or merely grouped digits) are left out. Used by
# the benchmark's "site patterns" run.
B12_SITE_PATTERNS: dict[str, list[str]] = {
    "employee_id_patterns": [
        r"\bEMP\d{5}\b",
        r"\bE-\d{4}\b",
        r"\b(?:ADD|NBO|LIM|ALA|ULN|DUR)\d{4}\b",
        r"\bST\d{5}\b",
        r"(?<![\w-])\d{4}-\d{3}(?![\w-])",
        r"\b(?:ETH-ADD|KEN-NBO|PER-LIM|MNG-ULN)-\d{4}\b",
        r"\bB/\d{4}/\d{2}\b",
        r"\bHR-\d{2}-\d{4}\b",
        r"\bT\d{4}[A-HJK]\b",
        r"\bPRS \d{3} \d{3}\b",
        r"\bWN-\d{6}\b",
        r"(?<![\w#])#\d{5}\b",
        r"(?<![\w/])\d{6}/\d(?![\w/])",
        r"\b(?:OPS|WHS|MNT)\.\d{3}\.\d{2}\b",
    ],
    "medical_record_patterns": [
        r"(?<![\w/])\d{2}/\d{6}(?![\w/])",
        r"(?<![\w.])\d{2}\.\d{3}\.\d{3}(?![\w.-])",
        r"\bMRN\d{7}\b",
        r"\bMR\d{8}\b",
        r"\bUH\d{7}\b",
        r"\bHN\d{6}\b",
        r"\bP\d{8}\b",
        r"\bMRN-\d{6}\b",
        r"\bKNH/\d{6}\b",
        r"\bTASH\d{6}\b",
        r"\bOPD/\d{2}/\d{5}\b",
        r"\bIPN-\d{6}\b",
        r"\b(?:UB|PP|LM|AK)\d{7}[A-HJK]\b",
        r"\bCR\d{8}\b",
        r"\bUHID\d{10}\b",
        r"\bEHR-\d{8}\b",
    ],
}


# --- names ----------------------------------------------------------------------------
# Given names and surnames of peoples no Faker person locale covers, spelled as they are
# romanised at home. Ethiopian, Somali, Burmese and Rwandan names carry no inherited
# family name: what forms file as the surname is a father's name or a second personal
# name, and that is what the surname lists hold. Mongolian "surnames" are patronymics.
# fmt: off
_PEOPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "amhara": (
        ("Abebe", "Alemayehu", "Almaz", "Aster", "Berhanu", "Betelhem", "Biruk", "Birtukan", "Dawit", "Eskedar", "Ermias", "Fikru", "Genet", "Getachew", "Girma",
         "Hiwot", "Kidist", "Liya", "Mekdes", "Meron", "Mulugeta", "Netsanet", "Samrawit", "Selamawit", "Tewodros", "Tigist", "Tsehay", "Yared", "Zewditu", "Woinshet",
         "Mesfin", "Tamrat", "Yeshi", "Abrham", "Bezawit"),
        ("Tadesse", "Gebremedhin", "Woldemariam", "Mengistu", "Kebede", "Desta", "Ayele", "Negash", "Asfaw", "Demissie", "Tsegaye", "Lemma", "Worku", "Abate",
         "Shiferaw", "Teklu", "Alemu", "Fekadu", "Mekonnen", "Tefera", "Gebreyes", "Asrat", "Haileselassie", "Wondimu", "Birhane", "Gebeyehu", "Zeleke", "Tilahun"),
    ),
    "somali": (
        ("Abdirahman", "Abdiweli", "Faadumo", "Hodan", "Ayaan", "Hibaaq", "Ubah", "Cabdi", "Istar", "Sagal", "Nimco", "Khadar", "Guled", "Liban", "Deeqa", "Hamdi",
         "Shukri", "Idil", "Ifrah", "Bashiir", "Xamse", "Maryan", "Sucaad", "Abdikarim", "Najma", "Ugaaso", "Caasha", "Filsan"),
        ("Warsame", "Jama", "Hirsi", "Egal", "Samatar", "Omaar", "Dualeh", "Abdi", "Gelle", "Elmi", "Muse", "Gure", "Xasan", "Cali", "Mohamud", "Guleid", "Qorane",
         "Farah", "Shire", "Hersi", "Jibril", "Abokor", "Dirie", "Ahmed", "Cawil"),
    ),
    "khmer": (
        ("Sokha", "Dara", "Chenda", "Sophea", "Vuthy", "Sothea", "Bopha", "Chantha", "Kosal", "Rithy", "Sreymom", "Piseth", "Veasna", "Sovann", "Channary", "Rachana",
         "Samnang", "Sopheap", "Kunthea", "Makara", "Ratha", "Visal", "Sreyneang", "Chanthou", "Sokunthea", "Vannak", "Pisey", "Leakena", "Monyrath", "Sokhom"),
        ("Sok", "Chea", "Heng", "Keo", "Pich", "Meas", "Mao", "Nhem", "Ouk", "Prak", "Seng", "Tep", "Yin", "Hun", "Nuon", "Som", "Vann", "Khiev", "Sar", "Chhay", "Kong",
         "Hor", "Sorn", "Yim", "Nget", "Sam", "Chhun", "Ros", "Thach", "Pen"),
    ),
    "lao": (
        ("Somphone", "Khamla", "Bounmy", "Souksavanh", "Phonsavanh", "Vilayphone", "Somsack", "Bounthavy", "Chanthala", "Manivone", "Sengdao", "Khampheng", "Sisavath",
         "Thongdeng", "Viengkham", "Phouvong", "Souphanh", "Bouasone", "Vanhxay", "Latsamy", "Phetsamone", "Outhai", "Malaythong", "Ketsana"),
        ("Phommachanh", "Sisouk", "Keomany", "Vongsa", "Inthavong", "Souvannavong", "Phanthavong", "Sayavong", "Xayavong", "Chanthavong", "Luangrath", "Sengsouvanh",
         "Douangphachanh", "Vilaysack", "Phommasone", "Khounphakdy", "Somsanith", "Thammavongsa", "Sithideth", "Keovilay", "Sayasane", "Vongphachanh"),
    ),
    "burmese": (
        ("Aung", "Kyaw", "Thandar", "Zaw", "Hla", "Moe", "Nyein", "Thiha", "Htet", "Myint", "Phyo", "Khin", "Zin", "Yadanar", "Hnin", "Thura", "Naing", "Min", "Wai",
         "Pyae", "Nandar", "Sandar", "Thet", "Ohnmar", "Ei Ei", "Sithu"),
        ("Lwin", "Oo", "Htun", "Thein", "Soe", "Myat", "Hlaing", "Thant", "Tun", "Maung", "Khaing", "Aye", "Kyi", "Swe", "Nwe", "Thwin", "Htike", "Paing", "Phyu",
         "Latt", "Naing", "Zaw"),
    ),
    "mongolian": (
        ("Batbayar", "Bolormaa", "Enkhjargal", "Ganbold", "Oyuntsetseg", "Tsetsegmaa", "Naranbaatar", "Altantsetseg", "Munkhbat", "Sarnai", "Khulan", "Tuya",
         "Delgermaa", "Erdenebat", "Gantulga", "Nomin", "Uuganbayar", "Ariunaa", "Temuulen", "Narantuya", "Batsaikhan", "Otgonbayar", "Dulguun", "Bat-Erdene",
         "Enkhtuya", "Khongorzul", "Anujin", "Tsolmon", "Battulga"),
        ("Ganbaatar", "Tsogt", "Dorj", "Batjargal", "Purevdorj", "Enkhbold", "Gankhuyag", "Tumurbaatar", "Luvsan", "Damdin", "Bayarsaikhan", "Nyamdavaa", "Myagmar",
         "Ochir", "Sodnom", "Zorig", "Dashdorj", "Baatarkhuu", "Tserendorj", "Erdenebileg", "Lkhagvasuren", "Chuluun", "Sukhbaatar", "Jargalsaikhan", "Borjigin"),
    ),
    "malagasy": (
        ("Andry", "Hery", "Rivo", "Fanja", "Lalao", "Tiana", "Mamy", "Haja", "Voahangy", "Nirina", "Feno", "Tsiory", "Miora", "Rado", "Lova", "Njaka", "Hasina", "Fidy",
         "Tahina", "Onja", "Sitraka", "Faniry", "Toky", "Mialy", "Harilala", "Ony", "Volana"),
        ("Rakotomalala", "Randriamampionona", "Rasoanaivo", "Razafindrakoto", "Andrianarivo", "Rakotondrabe", "Rajaonarison", "Rasolofonirina", "Andriamanantena",
         "Razanamparany", "Rabemananjara", "Rakotoarisoa", "Ramanantsoa", "Randrianasolo", "Ratsimbazafy", "Rasoamanarivo", "Rabearivelo", "Razafimahefa",
         "Andriambololona", "Rakotovao", "Ranaivoson", "Rasamoelina"),
    ),
    "maori": (
        ("Aroha", "Hemi", "Tane", "Wiremu", "Ngaire", "Rangi", "Hine", "Tamati", "Manaia", "Kiri", "Whetu", "Ihaia", "Rawiri", "Anahera", "Nikau", "Kahurangi", "Mihi",
         "Tipene", "Awhina", "Hohepa", "Pania", "Matiu", "Ataahua", "Rewi", "Huia", "Ngaio", "Tui", "Te Ao"),
        ("Ngata", "Parata", "Tamihana", "Paewai", "Tipoki", "Horomona", "Karaka", "Waititi", "Kereama", "Rewiti", "Potae", "Ngatai", "Hapeta", "Turei", "Pomare",
         "Rangihuna", "Poutama", "Whaanga", "Tamatea", "Parekura", "Mahuta", "Harawira", "Ruawai", "Tawhai", "Ngarimu", "Wharepapa", "Kawiti"),
    ),
    "samoan": (
        ("Tavita", "Losa", "Sefo", "Iosefa", "Lagi", "Fetu", "Malia", "Sina", "Ioane", "Siaosi", "Lupe", "Afa", "Masina", "Falani", "Lanuola", "Mataio", "Peni",
         "Salamasina", "Tautala", "Faleupolu", "Tuala", "Vaiola"),
        ("Tuilagi", "Leota", "Faleolo", "Sapolu", "Amituanai", "Toleafoa", "Tuiasosopo", "Fuimaono", "Aiono", "Leiataua", "Soliai", "Fiso", "Lealaiauloto",
         "Malielegaoi", "Sopoaga", "Seiuli", "Tamapua", "Vaifale", "Tofilau", "Tuimavave", "Falaniko", "Sapini", "Matautia", "Ulugia"),
    ),
    "tongan": (
        ("Viliami", "Siosaia", "Tevita", "Salote", "Losana", "Finau", "Lavinia", "Sitani", "Kalolaine", "Sione", "Pita", "Semisi", "Tomasi", "Siueni", "Atelaite",
         "Heilala", "Sela", "Mosese", "Saia", "Lose", "Vika"),
        ("Tupou", "Fifita", "Vainikolo", "Havili", "Taumalolo", "Kata", "Latu", "Moala", "Fonua", "Taufa", "Lolohea", "Veikune", "Funaki", "Fakatava", "Mahe", "Pulu",
         "Hufanga", "Maka", "Taione", "Kioa", "Tuipulotu", "Vaipulu", "Piutau", "Naufahu", "Folau"),
    ),
    "andean": (
        ("Inti", "Killa", "Amaru", "Nina", "Sumaq", "Wayra", "Urpi", "Kusi", "Ayar", "Qori", "Mayta", "Illari", "Tupac", "Suyana", "Kantu", "Waman", "Chaska", "Sisa",
         "Kori", "Mallku", "Asiri", "Nayra", "Yaku", "Rumi"),
        ("Mamani", "Quispe", "Condori", "Huanca", "Choque", "Ticona", "Yupanqui", "Apaza", "Cusi", "Huaman", "Chambi", "Ccori", "Layme", "Huarachi", "Colque", "Poma",
         "Cutipa", "Quilca", "Ccama", "Huillca", "Pari", "Machaca", "Limachi", "Tarqui", "Callisaya", "Copa", "Coaquira", "Ccahuana"),
    ),
    "basque": (
        ("Aitor", "Iker", "Unai", "Ander", "Gorka", "Ibai", "Amaia", "Ane", "Nerea", "Itziar", "Maialen", "Garazi", "Leire", "Ainhoa", "Irati", "Oihane", "Eneko",
         "Asier", "Xabier", "Julen", "Iñaki", "Josu", "Urko", "Izaro", "Uxue", "Haizea", "Nahia", "Aiora", "Edurne", "Koldo", "Kepa", "Idoia", "Jone", "Oier", "Beñat",
         "Ekaitz", "Aimar"),
        ("Etxeberria", "Goikoetxea", "Agirre", "Aranburu", "Zubizarreta", "Urrutia", "Larrañaga", "Arrieta", "Olazabal", "Elorza", "Iturriaga", "Mendizabal", "Zabaleta",
         "Arregi", "Garmendia", "Bengoetxea", "Azkue", "Lizarralde", "Barrenetxea", "Gabilondo", "Aizpurua", "Egaña", "Ugarte", "Irigoien", "Zubiaurre", "Otegi",
         "Basterretxea", "Etxaniz", "Uriarte", "Landaluze", "Urkiola"),
    ),
    "kurdish": (
        ("Azad", "Dilan", "Rojin", "Berivan", "Shilan", "Rezan", "Zana", "Baran", "Jiyan", "Delal", "Newroz", "Dilovan", "Soran", "Kawa", "Hejar", "Rojhat", "Avesta",
         "Zozan", "Nazdar", "Hawre", "Rebaz", "Karwan", "Sarwar", "Hemin", "Shvan", "Awat", "Shno", "Peshawa", "Kochar", "Dilşad", "Hêvî"),
        ("Talabani", "Hawrami", "Zebari", "Baban", "Jaff", "Mukriani", "Rekani", "Doski", "Amedi", "Mizuri", "Harki", "Bradosti", "Shwani", "Kakai", "Hamawandi",
         "Berwari", "Goyi", "Khoshnaw", "Surchi", "Barzinji", "Sindi", "Zaxoyi", "Pishdari", "Dizayee", "Qaradaghi"),
    ),
    "pashtun": (
        ("Zarghona", "Malalai", "Wazhma", "Gulalai", "Spogmai", "Palwasha", "Mirwais", "Zalmay", "Khushal", "Ajmal", "Nangyalai", "Tooryalai", "Zarmina", "Wais",
         "Hekmat", "Lailuma", "Nazo", "Rahmatullah", "Asadullah", "Zabihullah", "Zarlasht", "Mursal", "Pashtana", "Shahwali"),
        ("Yousafzai", "Durrani", "Popalzai", "Barakzai", "Achakzai", "Mohmand", "Afridi", "Shinwari", "Khattak", "Wardak", "Kakar", "Ghilzai", "Stanikzai", "Niazi",
         "Mangal", "Zadran", "Safi", "Momand", "Tanai", "Noorzai", "Alokozay", "Hotak", "Ahmadzai", "Sherzai", "Amarkhel", "Sulaimankhel"),
    ),
    "kazakh": (
        ("Aigerim", "Nursultan", "Dauren", "Aruzhan", "Askar", "Yerlan", "Dinara", "Saule", "Bauyrzhan", "Gulnaz", "Nurlan", "Aidana", "Madi", "Arman", "Zhanar", "Asel",
         "Ainur", "Yerzhan", "Aibek", "Kairat", "Almas", "Akbota", "Zhuldyz", "Tolkyn", "Samal", "Marat", "Dariga", "Aisulu", "Yerbol", "Zhandos", "Meruert", "Assem"),
        ("Zhaksylykov", "Sultanbekov", "Kenzhebekov", "Akhmetov", "Iskakov", "Baimukhamedov", "Tulegenov", "Nurpeisov", "Omarov", "Suleimenov", "Zhumabayev", "Kassymov",
         "Beisenov", "Yessimov", "Abdrakhmanov", "Utebayev", "Mukanov", "Dosmukhamedov", "Zhunusov", "Tokhtarov", "Serikbayev", "Kudaibergenov", "Myrzakhmetov",
         "Abilov", "Zhakupova", "Nurmagambetova", "Sarsenbayeva"),
    ),
    "rwandan": (
        ("Mugisha", "Ishimwe", "Kwizera", "Umutoni", "Uwase", "Ingabire", "Iradukunda", "Nshuti", "Mutesi", "Keza", "Gatete", "Shema", "Ineza", "Munezero", "Byiringiro",
         "Hirwa", "Gisa", "Teta", "Mugabo", "Umuhoza", "Kalisa", "Uwera"),
        ("Niyonzima", "Habimana", "Nkurunziza", "Uwimana", "Mukamana", "Nsengiyumva", "Hakizimana", "Bizimana", "Ndayisaba", "Twagiramungu", "Mukandayisenga",
         "Nyirahabimana", "Rwigema", "Gasana", "Mutabazi", "Munyaneza", "Nzeyimana", "Habyarimana", "Sibomana", "Karangwa"),
    ),
    "shona": (
        ("Tendai", "Tatenda", "Farai", "Rudo", "Chipo", "Tafadzwa", "Nyasha", "Tinashe", "Kudzai", "Rutendo", "Takudzwa", "Chiedza", "Tapiwa", "Ruvimbo", "Tsitsi",
         "Munyaradzi", "Fadzai", "Kundai", "Shingai", "Tonderai", "Simbarashe", "Vimbai", "Tariro", "Ngonidzashe", "Fungai", "Ropafadzo"),
        ("Moyo", "Chikore", "Mutasa", "Chiwenga", "Mapfumo", "Marufu", "Chigumba", "Zvobgo", "Mukanya", "Gumbo", "Mhlanga", "Chinamasa", "Mangwana", "Muchena", "Nyathi",
         "Makoni", "Chitepo", "Chakanyuka", "Mazarura", "Shumba", "Madzimure", "Gwenzi", "Murambiwa"),
    ),
}
# fmt: on


def _dev_names() -> set[str]:
    """Every name of the dev pools (Faker's and the romanised b4 to b11 ones), folded."""
    dev_first, dev_last = corpus.locale_names(_DEV_LOCALES)
    dev = {n.lower() for n in set(dev_first) | set(dev_last)}
    for romanised in (
        b4.b4_names,
        b5.b5_names,
        b6.b6_names,
        b7.b7_names,
        b8.b8_names,
        b9.b9_names,
        b10.b10_names,
        b11.b11_names,
    ):
        for first, last in romanised().values():
            dev |= {n.lower() for n in set(first) | set(last)}
            dev |= {n.lower().removeprefix("al-") for n in set(first) | set(last)}
    return dev | {_fold(n) for n in dev}


def _fold(text: str) -> str:
    """Lower case without diacritics (Iñaki -> inaki)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _pools_without(
    peoples: dict[str, tuple[tuple[str, ...], tuple[str, ...]]], dev: set[str]
) -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{people: (first, last)}``: the hand-built ``peoples`` minus every name of ``dev``."""

    def keep(names: tuple[str, ...]) -> list[str]:
        return sorted({n for n in names if n.lower() not in dev and _fold(n) not in dev})

    pools = {}
    for people, (first, last) in peoples.items():
        pair = (keep(first), keep(last))
        if pair[0] and pair[1]:
            pools[people] = pair
    return pools


@functools.cache
def b12_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{people: (first, last)}``: the hand-built pools minus every dev name."""
    return _pools_without(_PEOPLES, _dev_names())


# --- check digits and calendars (written for this set) -----------------------------------
def _ethiopian(d: dt.date) -> tuple[int, int, int]:
    """Return (year, month, day) of Gregorian ``d`` in the Ethiopian calendar."""
    jdn = d.toordinal() + 1721425
    r = (jdn - 1723856) % 1461
    n = r % 365 + 365 * (r // 1460)
    year = 4 * ((jdn - 1723856) // 1461) + r // 365 - r // 1460
    return year, n // 30 + 1, n % 30 + 1


def _s10(body8: str) -> str:
    """UPU S10 check digit of an 8-digit parcel serial."""
    c = 11 - _wsum(body8, (8, 6, 4, 2, 3, 5, 9, 7)) % 11
    return str({10: 0, 11: 5}.get(c, c))


# fmt: off
_MONTHS = {
    "en": b5._MONTHS["en"],
    "es": b5._MONTHS["es"],
    "fr": b5._MONTHS["fr"],
    "de": b5._MONTHS["de"],
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"),
    "eu": ("urtarrilaren", "otsailaren", "martxoaren", "apirilaren", "maiatzaren", "ekainaren", "uztailaren", "abuztuaren", "irailaren", "urriaren", "azaroaren", "abenduaren"),
    "sw": ("Januari", "Februari", "Machi", "Aprili", "Mei", "Juni", "Julai", "Agosti", "Septemba", "Oktoba", "Novemba", "Desemba"),
    "mg": ("Janoary", "Febroary", "Martsa", "Aprily", "Mey", "Jona", "Jolay", "Aogositra", "Septambra", "Oktobra", "Novambra", "Desambra"),
}
# fmt: on

# region: (country code, everyday?, national significant number patterns ("#" any digit,
# "N" 2-9), international digit groups, national forms) -- every pattern checked against
# phonenumbers (valid numbers) while the set was written. National forms: "{t}" the trunk
# prefix written at home, groups "{0}" "{1}"... of the national digit groups below.
# fmt: off
_PHONES: dict[str, tuple[str, bool, tuple[str, ...], tuple[int, ...], tuple[str, ...]]] = {
    "US": ("1", True, ("412N######", "505N######", "317N######", "608N######", "808N######", "907N######", "210N######"), (3, 3, 4), ("({0}) {1}-{2}", "{0}-{1}-{2}", "{0}.{1}.{2}", "1-{0}-{1}-{2}")),
    "GB": ("44", True, ("73########", "74########", "75########", "772#######", "774#######", "778#######", "78########", "793#######", "795#######", "797#######"), (4, 6), ("0{0} {1}", "0{0}{1}", "0{0} {1}")),
    "GBL": ("44", True, ("1214######", "1216######", "1312######", "1314######", "1412######", "1415######", "1132######", "1134######", "1172######", "1179######"), (3, 3, 4), ("0{0} {1} {2}", "(0{0}) {1} {2}")),
    "DE": ("49", True, ("151########", "176########", "160#######", "171#######"), (3, 20), ("0{0} {1}", "0{0}/{1}", "0{0}-{1}")),
    "DEL": ("49", True, ("89N######", "211N######", "341N######"), (-1, 20), ("0{0} {1}", "(0{0}) {1}", "0{0}/{1}")),
    "FR": ("33", True, ("61#######", "62#######", "65#######", "66#######", "73#######", "76#######", "78#######", "1########", "42#######", "47#######", "55#######", "56#######"), (1, 2, 2, 2, 2), ("0{0} {1} {2} {3} {4}", "0{0}.{1}.{2}.{3}.{4}", "0{0}{1}{2}{3}{4}")),
    "ES": ("34", True, ("6########", "71#######", "72#######", "94N######", "91N######"), (3, 3, 3), ("{0} {1} {2}", "{0}{1}{2}", "{0} {1} {2}")),
    "NL": ("31", True, ("61#######", "62#######", "63#######", "64#######", "65#######", "68#######"), (1, 8), ("0{0}-{1}", "0{0} {1}", "0{0}{1}")),
    "IT": ("39", True, ("320#######", "347#######", "366#######", "392#######"), (3, 3, 4), ("{0} {1} {2}", "{0}{1}{2}", "{0}/{1}{2}")),
    "NG": ("234", True, ("803#######", "806#######", "703#######", "813#######", "816#######", "903#######", "905#######"), (3, 3, 4), ("0{0} {1} {2}", "0{0}{1}{2}", "0{0}-{1}-{2}")),
    "KE": ("254", True, ("712######", "722######", "733######", "110######", "791######"), (3, 3, 3), ("0{0} {1} {2}", "0{0}{1}{2}", "0{0} {1}{2}")),
    "ZA": ("27", True, ("82#######", "83#######", "72#######", "71#######", "11N######", "31N######"), (2, 3, 4), ("0{0} {1} {2}", "0{0}{1}{2}", "0{0}-{1}-{2}")),
    "ET": ("251", True, ("91#######", "92#######", "93#######", "94#######", "111######", "112######"), (2, 3, 4), ("0{0} {1} {2}", "0{0}{1}{2}", "0{0}-{1}-{2}")),
    "AU": ("61", True, ("40#######", "41#######", "42#######", "43#######", "46#######"), (3, 3, 3), ("0{0} {1} {2}", "0{0}{1}{2}")),
    "IN": ("91", True, ("98########", "99########", "97########", "70########", "81########", "63########"), (5, 5), ("0{0} {1}", "{0} {1}", "0{0}{1}")),
    "BR": ("55", False, ("119########", "219########", "319########", "719########"), (2, 5, 4), ("({0}) {1}-{2}", "{0} {1}-{2}", "0{0} {1}{2}")),
    "JP": ("81", False, ("90N#######", "80N#######", "70N#######"), (2, 4, 4), ("0{0}-{1}-{2}", "0{0}{1}{2}")),
    "MN": ("976", False, ("88######", "99######", "95######", "94######", "89######"), (4, 4), ("{0} {1}", "{0}{1}", "{0}-{1}")),
    "KH": ("855", False, ("12######", "17######", "77######", "96#######", "97#######"), (2, 3, 10), ("0{0} {1} {2}", "0{0}{1}{2}", "0{0}-{1}-{2}")),
    "LA": ("856", False, ("205#######", "207#######", "209#######", "202#######"), (2, 4, 4), ("0{0} {1} {2}", "0{0}{1}{2}")),
    "MM": ("95", False, ("977#######", "978#######", "96########", "925#######", "979#######"), (1, 3, 3, 10), ("0{0} {1} {2} {3}", "0{0}{1}{2}{3}", "0{0}-{1}{2}{3}")),
    "KZ": ("7", False, ("701#######", "702#######", "705#######", "707#######", "747#######", "771#######", "777#######", "7272######", "7273######"), (3, 3, 2, 2), ("8 {0} {1} {2} {3}", "8 ({0}) {1}-{2}-{3}", "8{0}{1}{2}{3}")),
    "UZ": ("998", False, ("90#######", "91#######", "93#######", "94#######", "97#######", "99#######", "712######"), (2, 3, 2, 2), ("{0} {1} {2} {3}", "({0}) {1}-{2}-{3}", "{0}{1}{2}{3}")),
    "PE": ("51", False, ("9########",), (3, 3, 3), ("{0} {1} {2}", "{0}{1}{2}", "{0}-{1}-{2}")),
    "BO": ("591", False, ("7#######", "6#######"), (4, 4), ("{0} {1}", "{0}{1}", "{0}-{1}")),
    "NZ": ("64", False, ("21#######", "22#######", "27#######"), (2, 3, 4), ("0{0} {1} {2}", "0{0}{1}{2}", "0{0}-{1}-{2}")),
    "MG": ("261", False, ("32#######", "33#######", "34#######", "38#######"), (2, 2, 3, 2), ("0{0} {1} {2} {3}", "0{0}{1}{2}{3}")),
    "AF": ("93", False, ("70#######", "72#######", "77#######", "78#######", "79#######"), (2, 3, 4), ("0{0} {1} {2}", "0{0}{1}{2}")),
    "IQ": ("964", False, ("750#######", "770#######", "780#######", "751#######"), (3, 3, 4), ("0{0} {1} {2}", "0{0}{1}{2}")),
    "SO": ("252", False, ("61#######", "63#######", "90#######"), (2, 3, 4), ("0{0} {1} {2}", "0{0}{1}{2}", "{0} {1} {2}")),
    "RW": ("250", False, ("78#######", "72#######", "73#######"), (3, 3, 3), ("0{0} {1} {2}", "0{0}{1}{2}")),
    "ZW": ("263", False, ("77#######", "71#######", "78#######"), (2, 3, 4), ("0{0} {1} {2}", "0{0}{1}{2}")),
    "TZ": ("255", False, ("754######", "713######", "655######", "621######"), (3, 3, 3), ("0{0} {1} {2}", "0{0}{1}{2}")),
    "GH": ("233", False, ("24#######", "54#######", "20#######", "55#######", "50#######"), (2, 3, 4), ("0{0} {1} {2}", "0{0}{1}{2}")),
    "PK": ("92", False, ("300#######", "321#######", "333#######", "345#######"), (3, 7), ("0{0} {1}", "0{0}-{1}", "0{0}{1}")),
    "WS": ("685", False, ("72#####", "75#####", "77#####"), (2, 5), ("{0}{1}", "{0} {1}")),
}
# fmt: on


def _split(nsn: str, sizes: tuple[int, ...]) -> list[str]:
    """Cut ``nsn`` into groups of ``sizes``; a size of -1 is a German area code (two
    digits for Munich, three for the others), the last group takes what is left."""
    out, i = [], 0
    for size in sizes:
        n = (2 if nsn.startswith("89") else 3) if size < 0 else size
        out.append(nsn[i : i + n])
        i += n
    if i < len(nsn):
        out[-1] += nsn[i:]
    return [p for p in out if p]


# first four letters RENAPO replaces because they spell a rude word (none is issued)
# fmt: off
_CURP_WORDS = frozenset((
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE", "COGI", "COJA", "COJE", "COJI", "COJO", "COLA", "CULO",
    "FALO", "FETO", "GETA", "GUEI", "GUEY", "JETA", "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE", "KOGI", "KOJA", "KOJE", "KOJI",
    "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO", "LOKA", "LOKO", "MAME", "MAMO", "MEAR", "MEAS", "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA",
    "MULO", "NACA", "NACO", "PEDA", "PEDO", "PENE", "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO", "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO",
    "TETA", "VACA", "VAGA", "VAGO", "VAKA", "VUEI", "VUEY", "WUEI", "WUEY",
))
# fmt: on


def _ddm(x: float) -> tuple[int, float]:
    """Degrees and decimal minutes (3 places) of a non-negative coordinate."""
    thou = round(x * 60_000)
    return thou // 60_000, thou % 60_000 / 1000


def _dms(x: float) -> tuple[int, int, float]:
    """Degrees, minutes and seconds (1 place) of a non-negative coordinate."""
    tenths = round(x * 36_000)
    return tenths // 36_000, tenths % 36_000 // 600, tenths % 600 / 10


class B12Gen(b10.B10Gen):
    """The blind split's values: same classes as the dev split, pools and forms of its own.
    The helpers it shares with ``b10`` (everyday draw, random strings and digits, first
    name and surname) are inherited; the birth date is ``b9``'s (born 1945 to 2008)."""

    group_name = "b12"

    def __init__(self, rng: random.Random) -> None:
        corpus.LocaleGen.__init__(self, rng, b12_names())
        self._people = self.locales[0]

    _birth = b9.B9Gen._birth

    # --- names -------------------------------------------------------------------------
    def _pool(self) -> tuple[list[str], list[str]]:
        self.group = self.group_name
        self._people = self.r.choice(self.locales)
        return self.pools[self._people]

    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        p = self._people
        if r.random() < 0.4:
            if p in ("khmer", "kazakh", "malagasy"):
                return r.choice([f"{la} {f}", f"{la.upper()} {f}", f"{la.upper()} {f}"])
            if p == "mongolian":
                return r.choice([f"{la[0]}.{f}", f"{la[0]}. {f}", f"{la} {f}"])
            if p in ("basque", "andean"):
                return r.choice([f"{f} {la} {self._other(last, la)}", f"{la} {self._other(last, la)}, {f}"])
            if p in ("amhara", "somali"):
                return f"{f} {self._other(first, f)} {la}"
        style = r.random()
        if style < 0.55:
            return f"{f} {la}"
        if style < 0.65:
            return f"{la.upper()}, {f}"
        if style < 0.73:
            return f"{la}, {f}"
        if style < 0.82:
            return f"{f} {self._other(first, f)} {la}"
        if style < 0.9:
            return f"{f[0]}. {la}"
        if style < 0.96:
            return f"{f} {la}".upper()
        return f"{f[0]}.{self._other(first, f)[0]}. {la}"

    def _other(self, names: list[str], taken: str) -> str:
        """A name of ``names`` other than ``taken`` (a second given name, a second surname)."""
        return self.r.choice([n for n in names if n != taken] or names)

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()

        def local(name: str) -> str:
            return "".join(c for c in _fold(name) if c.isalnum())

        f, la = local(r.choice(first)), local(r.choice(last))
        if self._everyday():
            user = r.choice(
                [
                    f"{f}.{la}",
                    f"{f}{la}",
                    f"{f[0]}{la}",
                    f"{f}.{la}{r.randint(1, 99)}",
                    f"{la}.{f}",
                    f"{f}{r.randint(1980, 2006)}",
                    f"{f}_{la}",
                ]
            )
            dom = r.choice(
                [
                    "gmail.com",
                    "gmail.com",
                    "yahoo.com",
                    "outlook.com",
                    "hotmail.com",
                    "icloud.com",
                    "yahoo.fr",
                    "mail.ru",
                    "yandex.ru",
                    "addis-agro.com.et",
                    "kiwi-dairy.co.nz",
                    "andes-textil.com.pe",
                    "steppe-logistics.kz",
                    "lakeview-clinic.org",
                    "mekong-garments.com.kh",
                ]
            )
            return f"{user}@{dom}"
        user = r.choice(
            [
                f"{f.capitalize()}.{la.capitalize()}",
                f"{f}+{r.choice(['payslips', 'orders', 'lab', 'work'])}",
                f"{la}{f[0]}{r.randint(10, 99)}",
                f"{f[0]}_{la}",
                f"{la}-{f}",
                f"{f}.{la}.{r.choice(['rn', 'md', 'hr'])}",
            ]
        )
        dom = r.choice(
            [
                "ethionet.et",
                "xtra.co.nz",
                "inbox.ru",
                "list.ru",
                "bk.ru",
                "yahoo.co.nz",
                "euskaltel.net",
                "telmex.net.pe",
                "zol.co.zw",
                "mtnloaded.co.za",
                "students.uonbi.ac.ke",
                "gov.ws",
                "nuol.edu.la",
                "num.edu.mn",
                "ur.ac.rw",
                "rhcc-hospital.example.org",
                "plant-ops.example.com",
            ]
        )
        return f"{user}@{dom}"

    def _nsn(self, region: str) -> str:
        pat = self.r.choice(_PHONES[region][2])
        return "".join(self._d(1) if c == "#" else str(self.r.randint(2, 9)) if c == "N" else c for c in pat)

    def _region(self) -> str:
        every = self._everyday()
        return self.r.choice([k for k, v in _PHONES.items() if v[1] == every])

    def phone(self) -> str:
        r = self.r
        region = self._region()
        cc, _, _, sizes, _ = _PHONES[region]
        nsn = self._nsn(region)
        groups = _split(nsn, sizes)
        style = r.random()
        if style < 0.5:
            return f"+{cc} {' '.join(groups)}"
        if style < 0.65:
            return f"+{cc}{nsn}"
        if style < 0.75:
            return f"00{cc} {' '.join(groups)}" if cc != "1" else f"+1 ({groups[0]}) {groups[1]}-{groups[2]}"
        if style < 0.85:
            return f"+{cc}-{'-'.join(groups)}"
        if style < 0.95:
            return f"(+{cc}) {' '.join(groups)}"
        return f"+{cc} {' '.join(groups)}" if cc != "49" else f"+49 (0){groups[0]} {''.join(groups[1:])}"

    def phone_national(self) -> str:
        r = self.r
        region = self._region()
        nsn = self._nsn(region)
        return r.choice(_PHONES[region][4]).format(*_split(nsn, _PHONES[region][3]))

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 240)
        if self._everyday():
            kind = r.choice(
                ["us", "us", "uk", "uk", "de", "fr", "es", "nl", "au", "ng", "ng", "ke", "za", "za", "et"]
            )
            if kind == "us":
                city, st, z = r.choice(
                    [
                        ("Duluth", "MN", "558"),
                        ("Bozeman", "MT", "597"),
                        ("Tulsa", "OK", "741"),
                        ("Fresno", "CA", "937"),
                        ("Akron", "OH", "443"),
                        ("Savannah", "GA", "314"),
                        ("Madison", "WI", "537"),
                        ("Provo", "UT", "846"),
                    ]
                )
                if r.random() < 0.15:
                    return f"PO Box {r.randint(10, 9999)}, {city}, {st} {z}{r.randint(1, 99):02d}"
                unit = r.choice(
                    [
                        "",
                        "",
                        "",
                        f" Apt {r.randint(1, 30)}",
                        f" Ste {r.randint(100, 450)}",
                        f", Unit {r.choice('ABCDEF')}",
                    ]
                )
                zip4 = f"-{r.randint(1000, 9999)}" if r.random() < 0.25 else ""
                return f"{r.randint(100, 19999)} {r.choice(['Cedar Ridge Dr', 'Wabash Ave', 'Elmhurst Rd', 'Sycamore Ln', 'Prairie View Blvd', 'Old Mill Rd', 'W 3rd St', 'Lakeshore Dr'])}{unit}, {city}, {st} {z}{r.randint(1, 99):02d}{zip4}"
            if kind == "uk":
                town, pc = r.choice(
                    [
                        ("Leicester", "LE"),
                        ("Derby", "DE"),
                        ("Cardiff", "CF"),
                        ("Aberdeen", "AB"),
                        ("Belfast", "BT"),
                        ("Brighton", "BN"),
                        ("Hull", "HU"),
                        ("Luton", "LU"),
                    ]
                )
                inward = (
                    f"{r.randint(0, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                )
                street = f"{n} {r.choice(['Cavendish', 'Thornbury', 'Westcott', 'Hollybank', 'Carrington', 'Fernhill'])} {r.choice(['Road', 'Close', 'Avenue', 'Terrace', 'Drive'])}"
                flat = r.choice(["", "", f"Flat {r.randint(1, 12)}, ", f"{r.randint(1, 9)}{r.choice('ab')} "])
                if flat.endswith(" ") and not flat.endswith(", "):
                    street = street.split(" ", 1)[1]
                return f"{flat}{street}, {town} {pc}{r.randint(1, 22)} {inward}"
            if kind == "de":
                city, plz = r.choice(
                    [
                        ("Leipzig", "04"),
                        ("Dresden", "01"),
                        ("Hannover", "30"),
                        ("Nürnberg", "90"),
                        ("Freiburg im Breisgau", "79"),
                        ("Münster", "48"),
                    ]
                )
                return r.choice(
                    [
                        f"{r.choice(['Lindenstraße', 'Am Mühlbach', 'Gartenweg', 'Karl-Liebknecht-Str.', 'Schillerplatz', 'Hohe Straße'])} {n}{r.choice(['', '', 'a', 'b'])}, {plz}{r.randint(100, 999)} {city}",
                        f"{r.choice(['Lindenstraße', 'Gartenweg', 'Feldstr.'])} {n}\n{plz}{r.randint(100, 999)} {city}",
                    ]
                )
            if kind == "fr":
                return r.choice(
                    [
                        f"{n}{r.choice(['', '', ' bis', ' ter'])}, {r.choice(['rue des Tanneurs', 'avenue Jean Jaurès', 'boulevard Carnot', 'allée des Tilleuls', 'place du Marché'])}, {r.choice(['67000 Strasbourg', '13008 Marseille', '35000 Rennes', '63000 Clermont-Ferrand', '76600 Le Havre'])}",
                        f"Résidence Les Pins, Bât. {r.choice('ABCD')}, {n} chemin des Vignes, {r.choice(['34000 Montpellier', '30900 Nîmes'])}",
                    ]
                )
            if kind == "es":
                return r.choice(
                    [
                        f"C/ {r.choice(['Mayor', 'Ercilla', 'Doctor Areilza', 'San Francisco', 'Licenciado Poza'])}, {n}, {r.randint(1, 9)}º {r.choice('ABCD')}, {r.choice(['48005 Bilbao', '48011 Bilbao', '20004 Donostia-San Sebastián', '01005 Vitoria-Gasteiz'])}",
                        f"Avda. de la Constitución {n}, {r.choice(['41001 Sevilla', '29005 Málaga', '18009 Granada'])}",
                    ]
                )
            if kind == "nl":
                return f"{r.choice(['Kastanjelaan', 'Vondelstraat', 'Oude Gracht', 'Molenweg', 'Dorpsstraat'])} {n}{r.choice(['', '', '-2', 'A', ' hs'])}, {r.randint(1011, 9999)} {r.choice('BCDEGHJKLMNPRSTVWXZ')}{r.choice('BCDEGHJKLMNPRSTVWXZ')} {r.choice(['Utrecht', 'Groningen', 'Eindhoven', 'Leiden', 'Nijmegen'])}"
            if kind == "au":
                if r.random() < 0.2:
                    return f"PO Box {r.randint(10, 2999)}, {r.choice(['Alice Springs NT 0871', 'Broome WA 6725', 'Mount Isa QLD 4825'])}"
                return f"{r.choice(['', f'Unit {r.randint(1, 24)}, ', f'{r.randint(1, 24)}/'])}{n} {r.choice(['Jacaranda Crescent', 'Bottlebrush Avenue', 'Kurrajong Street', 'Mitchell Highway', 'Ironbark Close'])}, {r.choice(['Toowoomba QLD 4350', 'Ballarat VIC 3350', 'Wagga Wagga NSW 2650', 'Bunbury WA 6230', 'Launceston TAS 7250'])}"
            if kind == "ng":
                return r.choice(
                    [
                        f"No. {n}, {r.choice(['Allen Avenue', 'Opebi Road', 'Admiralty Way', 'Isaac John Street'])}, {r.choice(['Ikeja', 'Lekki Phase 1', 'GRA Ikeja'])}, Lagos State",
                        f"Plot {r.randint(100, 3000)}, {r.choice(['Cadastral Zone B6', 'Aminu Kano Crescent', 'Gimbiya Street'])}, {r.choice(['Wuse II', 'Garki Area 11', 'Jabi'])}, Abuja",
                        f"{n}{r.choice(['', 'B', 'C'])} {r.choice(['Ogui Road', 'Zik Avenue', 'Bompai Road'])}, {r.choice(['Enugu', 'Kano', 'Onitsha'])}",
                    ]
                )
            if kind == "ke":
                return r.choice(
                    [
                        f"House {n}, {r.choice(['Riverside Drive', 'Argwings Kodhek Road', 'Lenana Road', 'Mombasa Road'])}, Nairobi",
                        f"P.O. Box {r.randint(100, 99999)}-{r.choice(['00100', '80100', '40100', '20100'])}, {r.choice(['Nairobi', 'Mombasa', 'Kisumu', 'Nakuru'])}",
                    ]
                )
            if kind == "za":
                return r.choice(
                    [
                        f"{n} {r.choice(['Umgeni Road', 'Rissik Street', 'Church Street', 'Main Road'])}, {r.choice(['Greyville, Durban, 4001', 'Marshalltown, Johannesburg, 2001', 'Hatfield, Pretoria, 0083', 'Observatory, Cape Town, 7925'])}",
                        f"Stand {r.randint(100, 9999)}, Zone {r.randint(1, 9)}, {r.choice(['Soweto', 'Mamelodi', 'Tembisa'])}, {r.choice(['1804', '0122', '1632'])}",
                    ]
                )
            return r.choice(
                [
                    f"{r.choice(['Bole', 'Kirkos', 'Yeka', 'Arada', 'Lideta'])} Sub-City, Woreda {r.randint(1, 14):02d}, House No. {r.randint(1, 2999)}, Addis Ababa",
                    f"Kebele {r.randint(1, 20):02d}, House {n}, {r.choice(['Bahir Dar', 'Hawassa', 'Mekelle', 'Dire Dawa', 'Adama'])}",
                ]
            )
        kind = r.choice(
            [
                "mn",
                "kh",
                "kz",
                "uz",
                "pe",
                "bo",
                "nz",
                "mg",
                "ws",
                "to",
                "af",
                "iq",
                "mm",
                "la",
                "rw",
                "zw",
                "eus",
                "jp",
                "br",
                "so",
                "gh",
            ]
        )
        if kind == "mn":
            return r.choice(
                [
                    f"{r.choice(['Sukhbaatar', 'Bayanzurkh', 'Khan-Uul', 'Chingeltei'])} district, {r.randint(1, 20)}{r.choice(['st', 'th'])} khoroo, {r.choice(['Peace Avenue', 'Seoul Street', 'Ikh Toiruu'])} {n}, apt {r.randint(1, 120)}, Ulaanbaatar {r.choice(['14200', '13381', '17011'])}",
                    f"Улаанбаатар, {r.choice(['Баянзүрх', 'Сүхбаатар', 'Хан-Уул'])} дүүрэг, {r.randint(1, 20)}-р хороо, {r.randint(1, 60)}-р байр, {r.randint(1, 120)} тоот",
                ]
            )
        if kind == "kh":
            return r.choice(
                [
                    f"#{n}{r.choice(['', 'E', 'Eo'])}, St. {r.randint(2, 600)}, Sangkat {r.choice(['Tuol Tumpung 2', 'Boeung Keng Kang 1', 'Toul Svay Prey 1'])}, Khan {r.choice(['Chamkarmon', 'Boeung Keng Kang', 'Toul Kork'])}, Phnom Penh",
                    f"Phum {r.randint(1, 9)}, Sangkat {r.choice(['Svay Dangkum', 'Sala Kamreuk'])}, Siem Reap",
                ]
            )
        if kind == "kz":
            return r.choice(
                [
                    f"ул. {r.choice(['Абая', 'Толе би', 'Жандосова', 'Сатпаева'])}, д. {n}, кв. {r.randint(1, 150)}, Алматы, 0500{r.randint(10, 63)}",
                    f"{r.choice(['Mangilik El Ave', 'Kabanbay Batyr Ave', 'Turan Ave'])} {n}/{r.randint(1, 30)}, apt {r.randint(1, 200)}, Astana 0100{r.randint(0, 19):02d}",
                ]
            )
        if kind == "uz":
            return r.choice(
                [
                    f"{r.choice(['Amir Temur', 'Shota Rustaveli', 'Bobur'])} ko'chasi, {n}{r.choice(['', 'A', 'B'])}-uy, {r.randint(1, 90)}-xonadon, Toshkent 1000{r.randint(10, 99)}",
                    f"{r.choice(['Registan', 'Navoi', 'Dagbitskaya'])} street {n}, apt {r.randint(1, 60)}, Samarkand 1401{r.randint(0, 99):02d}",
                ]
            )
        if kind == "pe":
            return r.choice(
                [
                    f"Av. {r.choice(['Arequipa', 'Javier Prado Este', 'Brasil'])} {r.randint(100, 4999)}, Dpto. {r.randint(101, 1204)}, {r.choice(['Lince', 'San Isidro', 'Jesús María'])}, Lima {r.choice(['15046', '15073', '15072'])}",
                    f"Jr. {r.choice(['Puno', 'Ayacucho', 'Lima'])} {n}, {r.choice(['Cusco 08002', 'Puno 21001', 'Juliaca 21101'])}",
                ]
            )
        if kind == "bo":
            return r.choice(
                [
                    f"Calle {r.choice(['Sagárnaga', 'Murillo', 'Illampu'])} {n}, Zona Central, La Paz",
                    f"Av. {r.choice(['Cristo Redentor', 'Banzer', 'Alemana'])} {r.randint(1, 8)}to anillo, Nº {n}, Santa Cruz de la Sierra",
                    f"Calle {r.randint(1, 40)} de Obrajes Nº {n}, La Paz",
                ]
            )
        if kind == "nz":
            return r.choice(
                [
                    f"{n} {r.choice(['Karaka Street', 'Ponsonby Road', 'Kowhai Avenue', 'Tui Crescent'])}, {r.choice(['Ponsonby, Auckland 1011', 'Te Aro, Wellington 6011', 'Riccarton, Christchurch 8011', 'Hamilton East, Hamilton 3216'])}",
                    f"{r.randint(10, 2999)} {r.choice(['Waikare Road', 'State Highway 2', 'Ohiwa Harbour Road'])}, RD {r.randint(1, 9)}, {r.choice(['Whakatāne 3192', 'Gisborne 4071', 'Kaikohe 0472'])}",
                ]
            )
        if kind == "mg":
            return f"Lot {r.choice(['II J', 'IVG', 'VB', 'IB'])} {n}{r.choice(['', ' Bis', ' Ter'])}, {r.choice(['Ivandry', 'Ambohipo', 'Analakely', 'Ankorondrano'])}, Antananarivo {r.choice(['101', '101', '105'])}"
        if kind == "ws":
            return r.choice(
                [
                    f"PO Box {r.randint(100, 3999)}, Apia, Samoa",
                    f"{r.choice(['Vaitele-uta', 'Vailima', 'Lepea', 'Faleula'])}, Upolu, Samoa",
                ]
            )
        if kind == "to":
            return f"{r.choice(['Fasi-moe-afi', 'Kolofoʻou', 'Haveluloto', 'Ma’ufanga'])}, Nukuʻalofa, Tonga"
        if kind == "af":
            return r.choice(
                [
                    f"House {n}, Street {r.randint(1, 15)}, {r.choice(['Karte Char', 'Karte Se', 'Taimani'])}, Kabul",
                    f"District {r.randint(1, 22)}, {r.choice(['Wazir Akbar Khan', 'Shahr-e Naw'])}, Street {r.randint(1, 15)}, Kabul",
                ]
            )
        if kind == "iq":
            return r.choice(
                [
                    f"Erbil, {r.choice(['Ankawa', 'Empire World', 'Dream City'])}, Street {r.randint(1, 120)}, House {n}",
                    f"Sulaymaniyah, {r.choice(['Salim Street', 'Bakhtiari', 'Sarchnar'])}, House {n}",
                ]
            )
        if kind == "mm":
            return r.choice(
                [
                    f"No. {n}, {r.choice(['Bogyoke Aung San Road', 'Anawrahta Road', 'Thein Phyu Road'])}, {r.choice(['Pabedan', 'Botahtaung', 'Kyauktada'])} Township, Yangon",
                    f"Room {r.randint(1, 12)}{r.choice('ABCD')}, {n} {r.choice(['Pyay Road', 'Kaba Aye Pagoda Road'])}, {r.choice(['Kamayut', 'Mayangone'])} Township, Yangon 110{r.randint(41, 61)}",
                ]
            )
        if kind == "la":
            return r.choice(
                [
                    f"Ban {r.choice(['Phonxay', 'Sisavath', 'Nongbone', 'Thatluang'])}, {r.choice(['Saysettha', 'Chanthabouly', 'Sikhottabong'])} District, Vientiane Capital",
                    f"House {n}, Unit {r.randint(1, 30)}, Ban Sisavath, Chanthabouly District, Vientiane",
                ]
            )
        if kind == "rw":
            return f"{r.choice(['KG', 'KN', 'KK'])} {r.randint(1, 700)} {r.choice(['Ave', 'St', 'Rd'])}, House {n}, {r.choice(['Kacyiru', 'Kimihurura', 'Kicukiro', 'Remera'])}, Kigali"
        if kind == "zw":
            return r.choice(
                [
                    f"{n} {r.choice(['Samora Machel Avenue', 'Herbert Chitepo Street', 'Josiah Tongogara Street'])}, {r.choice(['Harare', 'Bulawayo', 'Mutare'])}",
                    f"Stand {r.randint(1000, 29999)}, Unit {r.choice('ABCDLMNO')}, Chitungwiza",
                ]
            )
        if kind == "eus":
            return r.choice(
                [
                    f"{r.choice(['Kale Nagusia', 'Easo kalea', 'Urbieta kalea'])} {n}, {r.randint(1, 8)}. {r.choice(['ezk.', 'esk.', 'erd.'])}, {r.choice(['20003 Donostia', '20004 Donostia', '20600 Eibar'])}",
                    f"{r.choice(['Urkixo zumarkalea', 'Autonomia kalea', 'Sabino Arana etorbidea'])} {n}, {r.choice(['48008 Bilbo', '48010 Bilbo', '48013 Bilbo'])}",
                ]
            )
        if kind == "jp":
            return r.choice(
                [
                    f"〒{r.choice(['060-0042', '460-0008', '812-0011'])} {r.choice(['北海道札幌市中央区大通西', '愛知県名古屋市中区栄', '福岡県福岡市博多区博多駅前'])}{r.randint(1, 9)}丁目{r.randint(1, 20)}-{r.randint(1, 30)}",
                    f"{r.randint(1, 5)}-{r.randint(1, 20)}-{r.randint(1, 30)} {r.choice(['Sakae, Naka-ku, Nagoya, Aichi 460-0008', 'Hakata-ekimae, Hakata-ku, Fukuoka 812-0011'])}",
                ]
            )
        if kind == "br":
            return f"{r.choice(['Rua das Laranjeiras', 'Av. Sete de Setembro', 'Rua Chile'])}, {n}, apto {r.randint(101, 1802)} - {r.choice(['Laranjeiras, Rio de Janeiro - RJ, 22240-003', 'Centro, Salvador - BA, 40020-000', 'Vitória, Salvador - BA, 40080-121'])}"
        if kind == "so":
            return f"{r.choice(['Maka Al-Mukarama Road', 'Wadada Afgooye', 'Jidka Warshadaha'])}, {r.choice(['Hodan', 'Wadajir', 'Hamar Weyne'])} District, Mogadishu"
        return f"{r.choice(['GA', 'GA', 'AK', 'GT'])}-{r.randint(100, 999)}-{r.randint(1000, 9999)}, {r.choice(['Osu, Accra', 'East Legon, Accra', 'Adum, Kumasi', 'Tema Community 25'])}"

    def date(self) -> str:
        r = self.r
        b = self._birth()
        en = _MONTHS["en"][b.month - 1]
        if self._everyday():
            return r.choice(
                [
                    f"{b:%d/%m/%Y}",
                    f"{b:%m/%d/%Y}",
                    f"{b:%Y-%m-%d}",
                    f"{b:%d.%m.%Y}",
                    f"{b.day} {en[:3]} {b.year}",
                    f"{en} {b.day}, {b.year}",
                    f"{b:%d}-{en[:3].upper()}-{b.year}",
                    f"{b:%d/%m/%y}",
                ]
            )
        kind = r.choice(["hl7", "es", "fr", "de", "ru", "eu", "sw", "mg", "ja", "mn", "et", "slash", "nopad"])
        m = b.month - 1
        if kind == "hl7":
            return f"{b:%Y%m%d}"
        if kind == "es":
            return f"{b.day} de {_MONTHS['es'][m]} de {b.year}"
        if kind == "fr":
            return f"{'1er' if b.day == 1 else b.day} {_MONTHS['fr'][m]} {b.year}"
        if kind == "de":
            return f"{b.day}. {_MONTHS['de'][m]} {b.year}"
        if kind == "ru":
            return f"{b.day} {_MONTHS['ru'][m]} {b.year}"
        if kind == "eu":
            return f"{b.year}ko {_MONTHS['eu'][m]} {b.day}a"
        if kind == "sw":
            return f"{b.day} {_MONTHS['sw'][m]} {b.year}"
        if kind == "mg":
            return f"{b.day} {_MONTHS['mg'][m]} {b.year}"
        if kind == "ja":
            return f"{b.year}年{b.month}月{b.day}日"
        if kind == "mn":
            return f"{b.year} оны {b.month:02d} сарын {b.day:02d}"
        if kind == "et":
            y, mo, d = _ethiopian(b)
            return r.choice([f"{d:02d}/{mo:02d}/{y}", f"{d}/{mo}/{y}"])
        if kind == "slash":
            return f"{b:%Y/%m/%d}"
        return f"{b.day}/{b.month}/{b.year}"

    # --- identifiers -------------------------------------------------------------------
    NATID_EVERYDAY = (
        "us",
        "us",
        "gb",
        "es_dni",
        "es_nie",
        "fr",
        "de",
        "it",
        "nl",
        "in",
        "br",
        "za",
        "mx",
        "ng",
        "pk",
        "ca",
    )
    NATID_UNCOMMON = (
        "kz",
        "pe",
        "nz",
        "tr",
        "cl",
        "ec",
        "ar",
        "is",
        "hr",
        "lv",
        "gr",
        "pt",
        "ie",
        "my",
        "th",
        "id",
        "jp",
        "kr",
        "fi",
        "no",
        "mn",
        "cn",
        "ch",
        "au_medicare",
        "uy",
        "se",
        "ro",
    )

    def national_id(self) -> str:
        return self.natid_of(self.r.choice(self.NATID_EVERYDAY if self._everyday() else self.NATID_UNCOMMON))

    def natid_of(self, kind: str) -> str:
        r = self.r
        d = self._d
        b = self._birth(1945, 2006)
        if kind == "us":
            while True:
                area = r.randint(1, 899)
                if area != 666:
                    break
            v = f"{area:03d}{r.randint(1, 99):02d}{r.randint(1, 9999):04d}"
            return r.choice(
                [f"{v[:3]}-{v[3:5]}-{v[5:]}", f"{v[:3]}-{v[3:5]}-{v[5:]}", f"{v[:3]} {v[3:5]} {v[5:]}", v]
            )
        if kind == "gb":
            while True:
                p = r.choice("ABCEGHJKLMNOPRSTWXYZ") + r.choice("ABCEGHJKLMNPRSTWXYZ")
                if p not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
                    break
            body, suf = d(6), r.choice("ABCD")
            return r.choice(
                [f"{p} {body[:2]} {body[2:4]} {body[4:]} {suf}", f"{p}{body}{suf}", f"{p} {body} {suf}"]
            )
        if kind == "es_dni":
            num = r.randint(1000000, 79999999)
            v = f"{num:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[num % 23]}"
            return r.choice([v, f"{v[:8]} {v[8]}", f"{v[:8]}-{v[8]}"])
        if kind == "es_nie":
            pre = r.choice("XYZ")
            num = r.randint(0, 9999999)
            v = f"{pre}{num:07d}{'TRWAGMYFPDXBNJZSQVHLCKE'[int(str('XYZ'.index(pre)) + f'{num:07d}') % 23]}"
            return r.choice([v, f"{v[0]}-{v[1:8]}-{v[8]}"])
        if kind == "fr":
            dept, commune = r.choice(
                [
                    ("69", f"{r.randint(1, 299):03d}"),
                    ("13", f"{r.randint(1, 215):03d}"),
                    ("31", f"{r.randint(1, 590):03d}"),
                    ("44", f"{r.randint(1, 220):03d}"),
                    ("2A", f"{r.randint(1, 360):03d}"),
                    ("99", r.choice(["333", "350", "352", "341", "335"])),
                ]
            )
            body = f"{r.randint(1, 2)}{b:%y}{b.month:02d}{dept}{commune}{r.randint(1, 999):03d}"
            key = 97 - int(body.replace("2A", "19").replace("2B", "18")) % 97
            return r.choice(
                [
                    f"{body}{key:02d}",
                    f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:]} {key:02d}",
                    f"{body} {key:02d}",
                ]
            )
        if kind == "de":
            while True:
                body = str(r.randint(1, 9)) + d(9)
                counts = sorted((body.count(c) for c in set(body)), reverse=True)
                if counts[0] in (2, 3) and counts[1] == 1:
                    break
            v = body + _mod11_10(body)
            return r.choice([v, f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}", f"{v[:3]} {v[3:6]} {v[6:9]} {v[9:]}"])
        if kind == "it":
            cons, vow = "BCDFGLMNPRSTVZ", "AEIOU"
            sur = (
                r.choice(cons) + r.choice(vow) + r.choice(cons)
                if r.random() < 0.5
                else r.choice(cons) + r.choice(cons) + r.choice(vow)
            )
            nam = r.choice(cons) + r.choice(cons) + r.choice(cons)
            day = b.day + (40 if r.random() < 0.5 else 0)
            body = f"{sur}{nam}{b:%y}{'ABCDEHLMPRST'[b.month - 1]}{day:02d}{r.choice(['Z330', 'Z336', 'Z352', 'Z209', 'F839', 'B157', 'L736'])}"
            odd = dict(
                zip(
                    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                    [
                        1,
                        0,
                        5,
                        7,
                        9,
                        13,
                        15,
                        17,
                        19,
                        21,
                        1,
                        0,
                        5,
                        7,
                        9,
                        13,
                        15,
                        17,
                        19,
                        21,
                        2,
                        4,
                        18,
                        20,
                        11,
                        3,
                        6,
                        8,
                        12,
                        14,
                        16,
                        10,
                        22,
                        25,
                        24,
                        23,
                    ],
                    strict=True,
                )
            )
            tot = sum(
                odd[ch] if i % 2 == 0 else (int(ch) if ch.isdigit() else ord(ch) - 65)
                for i, ch in enumerate(body)
            )
            v = body + chr(65 + tot % 26)
            return v if r.random() < 0.8 else v.lower()
        if kind == "nl":
            while True:
                body = str(r.randint(1, 7)) + d(7)
                c = _wsum(body, range(9, 1, -1)) % 11
                if c < 10:
                    v = body + str(c)
                    return r.choice([v, f"{v[:3]} {v[3:6]} {v[6:]}"])
        if kind == "in":
            while True:
                v = _verhoeff(str(r.randint(2, 9)) + d(10))
                if v != v[::-1]:
                    return r.choice([f"{v[:4]} {v[4:8]} {v[8:]}", f"{v[:4]} {v[4:8]} {v[8:]}", v])
        if kind == "br":
            while True:
                body = d(9)
                if len(set(body)) > 1:
                    break
            c1 = _wsum(body, range(10, 1, -1)) * 10 % 11 % 10
            c2 = _wsum(body + str(c1), range(11, 1, -1)) * 10 % 11 % 10
            v = f"{body}{c1}{c2}"
            return r.choice([f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}", f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}", v])
        if kind == "za":
            v = _luhn(f"{b:%y%m%d}{r.randint(0, 9999):04d}{r.choice('001')}8")
            return r.choice([v, v, f"{v[:6]} {v[6:10]} {v[10:12]} {v[12]}"])
        if kind == "mx":
            vow, cons = "AEIOU", "BCDFGHJKLMNPRSTVZ"
            while True:
                head = r.choice(cons) + r.choice(vow) + r.choice(cons) + r.choice(cons + vow)
                if head not in _CURP_WORDS:
                    break
            body = (
                head
                + f"{b:%y%m%d}"
                + r.choice("HM")
                + r.choice(["OC", "CS", "GR", "YN", "QR", "PL", "DF", "NE"])
                + "".join(r.choice(cons) for _ in range(3))
                + (str(r.randint(0, 9)) if b.year < 2000 else r.choice("ABCDE"))
            )
            alpha = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"
            return body + str((10 - sum(alpha.index(ch) * (18 - i) for i, ch in enumerate(body)) % 10) % 10)
        if kind == "ng":
            return f"{r.randint(1, 9)}{d(10)}"
        if kind == "pk":
            v = f"{r.choice('123456')}{d(4)}{d(7)}{r.randint(1, 9)}"
            return r.choice([f"{v[:5]}-{v[5:12]}-{v[12]}", f"{v[:5]}-{v[5:12]}-{v[12]}", v])
        if kind == "ca":
            v = _luhn(str(r.choice([1, 2, 3, 4, 5, 6, 7, 9])) + d(7))
            return r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", f"{v[:3]}-{v[3:6]}-{v[6:]}", v])
        if kind == "kz":
            while True:
                g = r.choice("34") if b.year < 2000 else r.choice("56")
                body = f"{b:%y%m%d}{g}{d(4)}"
                c = _wsum(body, range(1, 12)) % 11
                if c == 10:
                    c = _wsum(body, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)) % 11
                if c < 10:
                    return body + str(c)
        if kind == "pe":
            body = f"{r.randint(10000000, 79999999)}"
            c = _wsum(body, (3, 2, 7, 6, 5, 4, 3, 2)) % 11
            return r.choice([body, f"{body}-{'65432110987'[c]}", f"{body} - {'65432110987'[c]}"])
        if kind == "nz":
            while True:
                base = f"{r.randint(1_000_000, 14_999_999):08d}"
                c = (-_wsum(base, (3, 2, 7, 6, 5, 4, 3, 2))) % 11
                if c == 10:
                    c = (-_wsum(base, (7, 4, 3, 2, 5, 2, 7, 6))) % 11
                if c < 10:
                    v = f"{base}{c}"
                    return r.choice(
                        [f"{v[:3]}-{v[3:6]}-{v[6:]}", v, f"{v[1:3]}-{v[3:6]}-{v[6:]}" if v[0] == "0" else v]
                    )
        if kind == "tr":
            body = str(r.randint(1, 9)) + d(8)
            c1 = (sum(int(x) for x in body[0::2]) * 7 - sum(int(x) for x in body[1::2])) % 10
            c2 = (sum(int(x) for x in body) + c1) % 10
            return f"{body}{c1}{c2}"
        if kind == "cl":
            num = r.randint(4_000_000, 25_999_999)
            s = sum(int(x) * w for x, w in zip(reversed(str(num)), [2, 3, 4, 5, 6, 7] * 2, strict=False))
            c = {10: "K", 11: "0"}.get(11 - s % 11, str(11 - s % 11))
            return r.choice([f"{num:,}".replace(",", ".") + f"-{c}", f"{num}-{c}", f"{num}{c}"])
        if kind == "ec":
            body = f"{r.randint(1, 24):02d}{r.randint(0, 5)}{d(6)}"
            s = sum(
                (p - 9 if p > 9 else p)
                for p in (int(x) * w for x, w in zip(body, (2, 1, 2, 1, 2, 1, 2, 1, 2), strict=True))
            )
            v = body + str((10 - s % 10) % 10)
            return r.choice([v, f"{v[:9]}-{v[9]}"])
        if kind == "ar":
            while True:
                pre = r.choice(["20", "27", "23", "24"])
                body = f"{pre}{r.randint(10_000_000, 45_999_999)}"
                c = 11 - _wsum(body, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11
                c = 0 if c == 11 else c
                if c != 10:
                    return r.choice([f"{body[:2]}-{body[2:]}-{c}", f"{body}{c}"])
        if kind == "is":
            while True:
                body = f"{b:%d%m%y}{r.randint(20, 99)}"
                c = 11 - _wsum(body, (3, 2, 7, 6, 5, 4, 3, 2)) % 11
                c = 0 if c == 11 else c
                if c != 10:
                    v = f"{body}{c}{9 if b.year < 2000 else 0}"
                    return r.choice([f"{v[:6]}-{v[6:]}", v])
        if kind == "hr":
            body = d(10)
            return body + _mod11_10(body)
        if kind == "lv":
            while True:
                body = f"{b:%d%m%y}{1 if b.year < 2000 else 2}{d(3)}"
                c = (1 - _wsum(body, (1, 6, 3, 7, 9, 10, 5, 8, 4, 2))) % 11
                if c < 10:
                    return f"{body[:6]}-{body[6:]}{c}"
        if kind == "gr":
            return _luhn(f"{b:%d%m%y}{d(4)}")
        if kind == "pt":
            body = r.choice("123") + d(7)
            c = 11 - _wsum(body, range(9, 1, -1)) % 11
            v = body + str(0 if c >= 10 else c)
            return r.choice([v, f"{v[:3]} {v[3:6]} {v[6:]}"])
        if kind == "ie":
            body = d(7)
            if r.random() < 0.4:
                return body + "WABCDEFGHIJKLMNOPQRSTUV"[(_wsum(body, range(8, 1, -1)) + 9) % 23] + "A"
            return body + "WABCDEFGHIJKLMNOPQRSTUV"[_wsum(body, range(8, 1, -1)) % 23]
        if kind == "my":
            v = f"{b:%y%m%d}{r.randint(1, 14):02d}{d(3)}{r.randint(0, 9)}"
            return r.choice([f"{v[:6]}-{v[6:8]}-{v[8:]}", v])
        if kind == "th":
            body = str(r.randint(1, 8)) + d(11)
            v = body + str((11 - _wsum(body, range(13, 1, -1)) % 11) % 10)
            return r.choice(
                [
                    f"{v[0]}-{v[1:5]}-{v[5:10]}-{v[10:12]}-{v[12]}",
                    f"{v[0]} {v[1:5]} {v[5:10]} {v[10:12]} {v[12]}",
                    v,
                ]
            )
        if kind == "id":
            region = r.choice(
                ["317101", "317402", "327301", "337401", "357801", "510101", "730101", "640101"]
            )
            day = b.day + (40 if r.random() < 0.5 else 0)
            return f"{region}{day:02d}{b:%m%y}{r.randint(1, 60):04d}"
        if kind == "jp":
            body = d(11)
            s = sum(int(x) * (n + 1 if n <= 6 else n - 5) for n, x in enumerate(reversed(body), start=1)) % 11
            v = body + str(0 if s <= 1 else 11 - s)
            return r.choice([f"{v[:4]} {v[4:8]} {v[8:]}", v])
        if kind == "kr":
            g = r.choice("12") if b.year < 2000 else r.choice("34")
            body = f"{b:%y%m%d}{g}{r.randint(0, 96):02d}{d(3)}"
            c = (11 - _wsum(body, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)) % 11) % 10
            return f"{body[:6]}-{body[6:]}{c}"
        if kind == "fi":
            ind = r.randint(2, 899)
            sep = r.choice("-YXWVU") if b.year < 2000 else r.choice("ABCDEF")
            if r.random() < 0.6:
                sep = "-" if b.year < 2000 else "A"
            c = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(f"{b:%d%m%y}{ind:03d}") % 31]
            return f"{b:%d%m%y}{sep}{ind:03d}{c}"
        if kind == "no":
            while True:
                dd = b.day + (40 if r.random() < 0.25 else 0)
                body = f"{dd:02d}{b:%m%y}{r.randint(0, 499) if b.year < 2000 else r.randint(500, 999):03d}"
                k1 = 11 - _wsum(body, (3, 7, 6, 1, 8, 9, 4, 5, 2)) % 11
                k1 = 0 if k1 == 11 else k1
                if k1 == 10:
                    continue
                k2 = 11 - _wsum(body + str(k1), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11
                k2 = 0 if k2 == 11 else k2
                if k2 != 10:
                    return r.choice([f"{body}{k1}{k2}", f"{body[:6]} {body[6:]}{k1}{k2}"])
        if kind == "mn":
            m = b.month + (20 if b.year >= 2000 else 0)
            return f"{r.choice('АБВГДЕЖЗИКЛМНОӨПРСТУҮФХЦЧШЭЮЯ')}{r.choice('АБВГДЕЖЗИКЛМНОӨПРСТУҮФХЦЧШЭЮЯ')}{b:%y}{m:02d}{b:%d}{d(2)}"
        if kind == "cn":
            # a county code in use in the birth year (the check python-stdnum makes)
            county, since = r.choice(
                [
                    ("110108", 1945),
                    ("110106", 1945),
                    ("310110", 1945),
                    ("650102", 1983),
                    ("530102", 1983),
                    ("150102", 1983),
                    ("630102", 1983),
                    ("420106", 1983),
                    ("510107", 1990),
                    ("440305", 1990),
                ]
            )
            b = self._birth(since, 2006)
            body = f"{county}{b:%Y%m%d}{d(3)}"
            return (
                body + "10X98765432"[_wsum(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)) % 11]
            )
        if kind == "ch":
            v = _gtin("756" + d(9))
            return r.choice([f"{v[:3]}.{v[3:7]}.{v[7:11]}.{v[11:]}", v])
        if kind == "au_medicare":
            body = str(r.randint(2, 6)) + d(7)
            v = f"{body}{_wsum(body, (1, 3, 7, 9, 1, 3, 7, 9)) % 10}{r.randint(1, 9)}"
            return r.choice([f"{v[:4]} {v[4:9]} {v[9]}", v])
        if kind == "uy":
            body = f"{r.randint(1_000_000, 6_999_999)}"
            c = (10 - _wsum(body, (2, 9, 8, 7, 6, 3, 4)) % 10) % 10
            return r.choice([f"{body[0]}.{body[1:4]}.{body[4:]}-{c}", f"{body}-{c}"])
        if kind == "se":
            v = _luhn(f"{b:%y%m%d}{d(3)}")
            return r.choice([f"{b.year // 100}{v[:6]}-{v[6:]}", f"{b.year // 100}{v}", f"{v[:6]}-{v[6:]}"])
        if kind == "ro":
            s = r.choice("12") if b.year < 2000 else r.choice("56")
            body = f"{s}{b:%y%m%d}{r.randint(1, 46):02d}{r.randint(1, 999):03d}"
            c = _wsum(body, (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)) % 11
            return body + str(1 if c == 10 else c)
        raise ValueError(kind)

    def pesel(self) -> str:
        b = self._birth(1950, 2008)
        m = b.month + (20 if b.year >= 2000 else 0)
        body = f"{b:%y}{m:02d}{b:%d}{self._d(3)}{self.r.randint(0, 9)}"
        return body + str((10 - _wsum(body, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)) % 10) % 10)

    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(10000, 999999)}",
                    f"EMP{r.randint(10000, 99999)}",
                    f"E-{r.randint(1000, 9999)}",
                    f"{r.choice(['ADD', 'NBO', 'LIM', 'ALA', 'ULN', 'DUR'])}{r.randint(1000, 9999)}",
                    f"0{r.randint(100000, 999999)}",
                    f"ST{r.randint(10000, 99999)}",
                    f"{r.randint(1000, 9999)}-{r.randint(100, 999)}",
                ]
            )
        return r.choice(
            [
                "-".join(r.choice([("ETH", "ADD"), ("KEN", "NBO"), ("PER", "LIM"), ("MNG", "ULN")]))
                + f"-{r.randint(1, 9999):04d}",
                f"B/{r.randint(1000, 9999)}/{r.randint(10, 99)}",
                f"HR-{r.randint(15, 26)}-{r.randint(1000, 9999)}",
                f"T{r.randint(1000, 9999)}{r.choice('ABCDEFGHJK')}",
                f"PRS {r.randint(100, 999)} {r.randint(100, 999)}",
                f"WN-{r.randint(100000, 999999)}",
                f"#{r.randint(10000, 99999)}",
                f"{r.randint(100000, 999999)}/{r.randint(1, 9)}",
                f"{r.choice(['OPS', 'WHS', 'MNT'])}.{r.randint(100, 999)}.{r.randint(10, 99)}",
            ]
        )

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(100000, 999999)}",
                    f"{r.randint(1000000, 9999999)}",
                    f"{r.randint(0, 99999999):08d}",
                    f"{r.randint(100000000, 999999999)}",
                    f"{r.randint(0, 9999999):07d}",
                ]
            )
        return r.choice(
            [
                f"{r.randint(15, 26)}/{r.randint(1, 999999):06d}",
                f"{r.randint(100, 999)}-{r.randint(100, 999)}-{r.randint(100, 999)}",
                f"{r.randint(10000000, 99999999)}-{r.randint(0, 9)}",
                f"{r.randint(1000, 9999)} {r.randint(1000, 9999)}",
                f"{r.randint(2015, 2026)}{r.randint(1, 999999):06d}",
                f"{r.randint(10, 99)}.{r.randint(100, 999)}.{r.randint(100, 999)}",
            ]
        )

    def mrn_token(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"MRN{r.randint(1000000, 9999999)}",
                    f"MR{r.randint(10000000, 99999999)}",
                    f"UH{r.randint(1000000, 9999999)}",
                    f"HN{r.randint(100000, 999999)}",
                    f"P{r.randint(10000000, 99999999)}",
                    f"MRN-{r.randint(100000, 999999)}",
                ]
            )
        return r.choice(
            [
                f"KNH/{r.randint(100000, 999999)}",
                f"TASH{r.randint(100000, 999999)}",
                f"OPD/{r.randint(15, 26)}/{r.randint(10000, 99999)}",
                f"IPN-{r.randint(100000, 999999)}",
                f"{r.choice(['UB', 'PP', 'LM', 'AK'])}{r.randint(10, 99)}{r.randint(10000, 99999)}{r.choice('ABCDEFGHJK')}",
                f"CR{r.randint(15, 26)}{r.randint(100000, 999999)}",
                f"UHID{r.randint(10**9, 10**10 - 1)}",
                f"EHR-{r.randint(10000000, 99999999)}",
            ]
        )

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "malaria",
                    "typhoid fever",
                    "iron-deficiency anaemia",
                    "type 2 diabetes mellitus",
                    "raised blood pressure",
                    "childhood asthma",
                    "a kidney infection",
                    "conjunctivitis",
                    "dengue fever",
                    "a stomach ulcer",
                    "chickenpox",
                    "a fungal skin infection",
                    "varicose veins",
                    "heartburn",
                    "a dust allergy",
                    "insomnia",
                    "mild hearing loss",
                    "a chest cold",
                    "lower back pain",
                ]
            )
        return r.choice(
            [
                "sickle cell anaemia",
                "pulmonary tuberculosis",
                "HIV on antiretroviral therapy",
                "brucellosis",
                "chronic hepatitis B",
                "rheumatic heart disease",
                "focal epilepsy",
                "schistosomiasis",
                "end-stage kidney failure",
                "postnatal depression",
                "obsessive-compulsive disorder",
                "leprosy",
                "Hodgkin lymphoma",
                "cervical cancer",
                "congestive heart failure",
                "Huntington's disease",
                "Kaposi sarcoma",
                "visceral leishmaniasis",
                "alcohol use disorder",
                "borderline personality disorder",
                "silicosis",
                "occupational asthma from isocyanates",
            ]
        )

    def injury(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "crushed a fingertip under a die set",
                    "got an acid splash on the forearm",
                    "sprained a wrist catching a falling carton",
                    "cut a palm on sheet metal",
                    "twisted an ankle in a floor drain",
                    "strained the neck lifting a gearbox",
                    "got grit in the left eye while grinding",
                    "burned a hand on a steam line",
                ]
            )
        return r.choice(
            [
                "lost part of an index finger in the bandsaw",
                "broke two ribs falling from the racking",
                "suffered second-degree burns from molten aluminium",
                "was knocked unconscious by a swinging crane hook",
                "crushed a foot under a pallet",
                "inhaled ammonia and was hospitalised",
                "tore a rotator cuff hauling cable",
                "fractured a kneecap slipping on the gantry",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            [
                "off on sick leave since Monday",
                "signed off by the clinic for a week",
                "on bed rest",
                "recovering from malaria at home",
                "in intensive care",
                "on light duties after surgery",
                "on a medical exemption until the 20th",
                "admitted to the district hospital",
            ]
        )

    def outcome(self) -> str:
        return self.r.choice(
            [
                "a swollen wrist",
                "a gashed forehead",
                "a sprained ankle",
                "bruised ribs",
                "a cut needing stitches",
                "a burnt palm",
                "a dislocated finger",
                "mild concussion",
            ]
        )

    def medication(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "metformin 500 mg twice daily",
                    "amlodipine 10 mg",
                    "artemether-lumefantrine",
                    "amoxicillin 250 mg",
                    "paracetamol 500 mg",
                    "omeprazole 40 mg",
                    "a salbutamol inhaler",
                    "ferrous sulfate 200 mg",
                    "hydrochlorothiazide 25 mg",
                    "ibuprofen 200 mg",
                    "oral rehydration salts",
                    "folic acid 5 mg",
                ]
            )
        return r.choice(
            [
                "tenofovir/lamivudine/dolutegravir",
                "rifampicin and isoniazid",
                "hydroxyurea 500 mg",
                "insulin aspart with meals",
                "clozapine 200 mg",
                "sodium valproate 600 mg",
                "furosemide 40 mg",
                "ciclosporin",
                "mycophenolate mofetil 1 g bd",
                "dexamethasone 4 mg",
                "oral morphine 10 mg/5 ml",
                "pregabalin 75 mg",
                "digoxin 125 mcg",
                "praziquantel",
            ]
        )

    def procedure(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "a dental filling",
                    "a chest X-ray",
                    "an eye test",
                    "a tetanus booster",
                    "a caesarean section",
                    "a blood transfusion",
                    "an abdominal ultrasound",
                    "a wound dressing change",
                    "an HIV test",
                    "a malaria blood smear",
                ]
            )
        return r.choice(
            [
                "a kidney transplant",
                "a cardiac bypass",
                "cataract surgery with a lens implant",
                "a skin graft",
                "a bronchoscopy",
                "hip fracture fixation",
                "a mastectomy",
                "a vasectomy",
                "a below-knee amputation",
                "haemodialysis three times a week",
                "a tubal ligation",
                "a liver biopsy",
            ]
        )

    # --- finance -----------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        if self._everyday():
            prefix, length = r.choice(
                [
                    ("4", 16),
                    ("4", 16),
                    ("4", 16),
                    ("5" + str(r.randint(1, 5)), 16),
                    ("2" + str(r.randint(221, 720)), 16),
                    ("37", 15),
                    ("34", 15),
                ]
            )
        else:
            prefix, length = r.choice(
                [
                    ("506" + str(r.randint(100, 198)), 19),
                    ("65000" + str(r.randint(2, 9)), 16),
                    ("62", 16),
                    ("62", 19),
                    ("35" + str(r.randint(28, 89)), 16),
                    ("220" + str(r.randint(0, 4)), 16),
                    ("60", 16),
                    ("65" + str(r.randint(2, 3)), 16),
                    ("508" + str(r.randint(5, 9)), 16),
                    ("36", 14),
                    ("9792", 16),
                    ("4", 13),
                    ("6011", 16),
                ]
            )
        num = _luhn(prefix + self._d(length - len(prefix) - 1))
        style = r.random()
        if length == 15:
            return r.choice([f"{num[:4]} {num[4:10]} {num[10:]}", f"{num[:4]}-{num[4:10]}-{num[10:]}", num])
        if length == 14:
            return r.choice([f"{num[:4]} {num[4:10]} {num[10:]}", num])
        if length == 13:
            return num if style < 0.5 else f"{num[:4]} {num[4:7]} {num[7:10]} {num[10:]}"
        if length == 19:
            return num if style < 0.5 else " ".join(num[i : i + 4] for i in range(0, length, 4))
        if style < 0.6:
            return " ".join(num[i : i + 4] for i in range(0, 16, 4))
        if style < 0.85:
            return num
        return "-".join(num[i : i + 4] for i in range(0, 16, 4))

    IBAN_EVERYDAY = ("DE", "FR", "ES", "IT", "NL", "GB", "BE", "PT", "IE", "DE", "FR")
    IBAN_UNCOMMON = (
        "KZ",
        "TR",
        "SA",
        "AE",
        "QA",
        "JO",
        "PK",
        "BR",
        "CR",
        "EG",
        "UA",
        "AZ",
        "GE",
        "MU",
        "TN",
        "MR",
        "IQ",
        "SC",
        "MN",
        "SO",
        "TL",
        "BH",
        "XK",
        "DO",
    )

    def iban(self) -> str:
        return self.iban_of(self.r.choice(self.IBAN_EVERYDAY if self._everyday() else self.IBAN_UNCOMMON))

    def iban_of(self, c: str) -> str:
        r = self.r
        d = self._d
        al = string.ascii_uppercase + string.digits
        if c == "FR":
            bank, branch, acct = r.choice(["30004", "30003", "20041", "10278", "11315"]), d(5), d(11)
            key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97
            bban = f"{bank}{branch}{acct}{key:02d}"
        elif c == "IT":
            rest = r.choice(["03069", "02008", "05034", "03062"]) + d(5) + d(12)
            odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
            bban = (
                chr(65 + sum(odd[int(x)] if i % 2 == 0 else int(x) for i, x in enumerate(rest)) % 26) + rest
            )
        elif c == "BE":
            body = r.choice(["001", "063", "310", "363", "750"]) + d(7)
            bban = f"{body}{int(body) % 97 or 97:02d}"
        elif c == "ES":
            bank, branch, acct = r.choice(["2095", "0182", "2100", "0049", "0081"]), d(4), d(10)
            w = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)

            def dc(s: str) -> str:
                v = 11 - _wsum(s, w) % 11
                return str({11: 0, 10: 1}.get(v, v))

            bban = bank + branch + dc("00" + bank + branch) + dc(acct) + acct
        elif c == "PT":
            body = r.choice(["0035", "0033", "0007", "0010"]) + d(4) + d(11)
            bban = f"{body}{98 - int(body + '00') % 97:02d}"
        else:
            bban = {
                "DE": lambda: r.choice(["10010010", "50010517", "70150000", "20041133", "86055592"]) + d(10),
                "NL": lambda: r.choice(["RABO", "ABNA", "TRIO", "ASNB"]) + d(10),
                "GB": lambda: r.choice(["BARC", "LOYD", "MIDL", "NAIA"]) + d(6) + d(8),
                "IE": lambda: r.choice(["BOFI", "AIBK", "ULSB"]) + d(6) + d(8),
                "KZ": lambda: (
                    r.choice(["722", "601", "998", "926"]) + "".join(r.choice(al) for _ in range(13))
                ),
                "TR": lambda: r.choice(["00010", "00012", "00046", "00067"]) + "0" + d(16),
                "SA": lambda: r.choice(["80", "10", "20", "65"]) + d(18),
                "AE": lambda: r.choice(["026", "033", "035"]) + d(16),
                "QA": lambda: r.choice(["QNBA", "DOHB", "CBQA"]) + d(21),
                "JO": lambda: r.choice(["ARAB", "CBJO", "HBHO"]) + d(4) + d(18),
                "PK": lambda: r.choice(["HABB", "MUCB", "SCBL", "UNIL"]) + d(16),
                "BR": lambda: (
                    r.choice(["00360305", "60701190", "00000000"])
                    + d(5)
                    + d(10)
                    + r.choice("PC")
                    + r.choice("12")
                ),
                "CR": lambda: "0" + r.choice(["152", "151", "104"]) + d(14),
                "EG": lambda: r.choice(["0019", "0002", "0003"]) + d(4) + d(17),
                "UA": lambda: r.choice(["305299", "322001", "300528"]) + d(19),
                "AZ": lambda: r.choice(["NABZ", "AIIB", "IBAZ"]) + d(20),
                "GE": lambda: r.choice(["TB", "BG", "LB"]) + d(16),
                "MU": lambda: r.choice(["BOMM", "MCBL"]) + d(2) + d(2) + d(12) + "000" + "MUR",
                "TN": lambda: r.choice(["10", "08", "25"]) + d(3) + d(13) + d(2),
                "MR": lambda: r.choice(["00020", "00003"]) + d(5) + d(11) + d(2),
                "IQ": lambda: r.choice(["NBIQ", "RAFB", "KIBI"]) + d(3) + d(12),
                "SC": lambda: r.choice(["SSCB", "BARC"]) + d(2) + d(2) + d(16) + "SCR",
                "MN": lambda: r.choice(["0005", "0004", "0015", "0034"]) + d(12),
                "SO": lambda: r.choice(["1000", "1100"]) + d(3) + d(12),
                "TL": lambda: "008" + d(14) + d(2),
                "BH": lambda: r.choice(["NBOB", "BBKU"]) + "".join(r.choice(al) for _ in range(14)),
                "XK": lambda: r.choice(["1212", "1301"]) + d(10) + d(2),
                "DO": lambda: r.choice(["BAGR", "BPDO"]) + d(20),
            }[c]()
        iban = _iban(c, bban)
        if self.r.random() < 0.6:
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban

    # --- network and location ----------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        o = r.randint
        if self._everyday():
            return r.choice(
                [
                    f"192.168.{o(0, 20)}.{o(2, 254)}",
                    f"10.{o(0, 255)}.{o(0, 255)}.{o(1, 254)}",
                    f"172.{o(16, 31)}.{o(0, 255)}.{o(1, 254)}",
                    f"{r.choice([41, 102, 105, 196, 197, 154])}.{o(0, 255)}.{o(0, 255)}.{o(1, 254)}",
                    f"{r.choice([103, 110, 202, 180, 27])}.{o(0, 255)}.{o(0, 255)}.{o(1, 254)}",
                    f"{r.choice([181, 190, 200, 186])}.{o(0, 255)}.{o(0, 255)}.{o(1, 254)}",
                    f"{r.choice([46, 78, 85, 91, 24, 73])}.{o(0, 255)}.{o(0, 255)}.{o(1, 254)}",
                ]
            )

        def h() -> str:
            return f"{o(1, 65535):x}"

        return r.choice(
            [
                f"2c0f:{r.choice(['f248', 'fe38', 'f7f8', 'eb68'])}:{h()}:{h()}::{h()}",
                f"2405:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}",
                f"2800:{r.choice(['a4', '810', '370'])}:{h()}::{h()}",
                f"fd{o(0, 255):02x}:{h()}:{h()}::{o(1, 255):x}",
                f"fe80::{h()}:{h()}:{h()}:{h()}",
                f"100.{o(64, 127)}.{o(0, 255)}.{o(1, 254)}",
                f"2c0f:{r.choice(['fe38', 'f248'])}:{o(0, 65535):04x}:0000:0000:0000:{o(0, 65535):04x}:{o(1, 65535):04x}",
                f"{r.choice([x for x in range(1, 224) if x not in (10, 100, 127, 169, 172, 192)])}.{o(0, 255)}.{o(0, 255)}.{o(1, 254)}",
            ]
        )

    def mac(self) -> str:
        r = self.r
        oui = r.choice(
            [
                "B8:27:EB",
                "DC:A6:32",
                "00:00:BC",
                "00:90:E8",
                "00:1B:1B",
                "24:0A:C4",
                "00:A0:F8",
                "00:0C:29",
                "3C:5A:B4",
                "F4:F5:D8",
                "00:1D:9C",
            ]
        )
        if r.random() < 0.15:
            oui = f"{r.randint(0, 15):X}{r.choice('26AE')}:{r.randint(0, 255):02X}:{r.randint(0, 255):02X}"
        octs = oui.split(":") + [f"{r.randint(0, 255):02X}" for _ in range(3)]
        h = "".join(octs)
        if self._everyday():
            return r.choice([":".join(octs), ":".join(octs).lower(), "-".join(octs), ":".join(octs)])
        return r.choice(
            [f"{h[:4]}.{h[4:8]}.{h[8:]}".lower(), h, h.lower(), "-".join(octs).lower(), f"{h[:6]}-{h[6:]}"]
        )

    def gps(self) -> str:
        r = self.r
        lat, lon = r.choice(
            [
                (9.03, 38.74),
                (6.45, 3.39),
                (47.92, 106.92),
                (11.56, 104.92),
                (43.24, 76.89),
                (41.30, 69.24),
                (-12.05, -77.04),
                (-16.50, -68.15),
                (-36.85, 174.76),
                (-13.83, -171.76),
                (-1.29, 36.82),
                (-6.79, 39.21),
                (5.60, -0.19),
                (43.26, -2.93),
                (36.19, 44.01),
                (34.53, 69.17),
                (-18.88, 47.51),
                (16.87, 96.20),
                (17.97, 102.60),
                (2.05, 45.32),
                (-29.86, 31.03),
                (-13.53, -71.97),
                (-17.83, 31.05),
                (-1.95, 30.06),
                (45.76, 4.84),
                (37.39, -5.98),
                (51.92, 4.48),
                (53.48, -2.24),
                (29.76, -95.37),
                (25.69, -100.32),
            ]
        )
        lat += r.uniform(-0.2, 0.2)
        lon += r.uniform(-0.2, 0.2)
        if self._everyday():
            return r.choice(
                [
                    f"{lat:.6f}, {lon:.6f}",
                    f"{lat:.5f},{lon:.5f}",
                    f"{lat:.6f},{lon:.6f}",
                    f"{lat:.4f}, {lon:.4f}",
                    f"{lat:.7f}, {lon:.7f}",
                ]
            )
        a, o = abs(lat), abs(lon)
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        (ad, am), (od, om) = _ddm(a), _ddm(o)
        (a1, a2, a3), (o1, o2, o3) = _dms(a), _dms(o)
        return r.choice(
            [
                f"{a:.5f}° {ns}, {o:.5f}° {ew}",
                f"{a1}°{a2:02d}'{a3:04.1f}\"{ns} {o1}°{o2:02d}'{o3:04.1f}\"{ew}",
                f"{ns} {ad}° {am:06.3f}' {ew} {od}° {om:06.3f}'",
                f"{ad:02d}{am:06.3f},{ns},{od:03d}{om:06.3f},{ew}",
                f"{lat:.6f};{lon:.6f}",
                f"{lat:.5f} {lon:.5f}",
            ]
        )

    # --- secrets -----------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        rnd = self._rnd
        an = string.ascii_letters + string.digits
        url = an + "-_"
        hx = "0123456789abcdef"
        if self._everyday():
            return r.choice(
                [
                    "AKIA" + rnd(16, string.ascii_uppercase + "234567"),
                    "ghp_" + rnd(36),
                    "glpat-" + rnd(20, url),
                    "sk_live_" + rnd(24),
                    "xoxb-" + rnd(12, string.digits) + "-" + rnd(13, string.digits) + "-" + rnd(24),
                    "AIza" + rnd(35, url),
                    "sk-proj-" + rnd(48, url),
                    self._jwt(),
                    f"{r.randint(10**8, 10**10 - 1)}:AA" + rnd(33, url),
                    "SG." + rnd(22, url) + "." + rnd(43, url),
                    "hf_" + rnd(34, string.ascii_letters),
                    "npm_" + rnd(36),
                ]
            )
        return r.choice(
            [
                "github_pat_11" + rnd(20, string.ascii_uppercase + string.digits) + "_" + rnd(59),
                "ghs_" + rnd(36),
                "glptt-" + rnd(40, hx),
                "rk_live_" + rnd(24),
                "whsec_" + rnd(32),
                "PMAK-" + rnd(24, hx) + "-" + rnd(34, hx),
                "hvs." + rnd(90, url),
                "dp.st.prd." + rnd(40),
                "glsa_" + rnd(32) + "_" + rnd(8, hx),
                "dapi" + rnd(32, hx),
                "sbp_" + rnd(40, hx),
                "FLWSECK-" + rnd(32, hx) + "-X",
                "sk_live_" + rnd(40, hx),
                rnd(32, hx) + "-us" + str(r.randint(1, 21)),
                "secret_" + rnd(43),
                "sl." + rnd(136, url),
                "AGE-SECRET-KEY-1" + rnd(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"),
                rnd(43, an + "+/") + "=",
                rnd(3, an) + str(r.randint(0, 9)) + "Q~" + rnd(34, url + "."),
                "AAAA" + rnd(7, url) + ":APA91b" + rnd(134, url),
                f"https://{rnd(32, hx)}@o{r.randint(100000, 999999)}.ingest.sentry.io/{r.randint(1000000, 9999999)}",
                f"redis://:{rnd(24)}@10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}:6379/0",
                f"mqtts://edge{r.randint(1, 99):02d}:{rnd(20)}@broker.plant.lan:8883",
                "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
                + rnd(32, an + "+/")
                + "\n"
                + rnd(64, an + "+/")
                + "\n-----END PRIVATE KEY-----",
                "sk."
                + self._b64(
                    {
                        "u": rnd(8, string.ascii_lowercase),
                        "a": rnd(25, string.ascii_lowercase + string.digits),
                    }
                )
                + "."
                + rnd(22, url),
                "tskey-auth-k" + rnd(10) + "CNTRL-" + rnd(33),
            ]
        )

    @staticmethod
    def _b64(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

    def _jwt(self) -> str:
        r = self.r
        b64 = self._b64
        iat = r.randint(1_760_000_000, 1_790_000_000)
        head = b64({"alg": r.choice(["HS256", "RS256"]), "typ": "JWT"})
        body = b64(
            {
                "sub": str(r.randint(1000, 99999)),
                "scope": r.choice(["edge:write", "pos", "emr.read"]),
                "iat": iat,
                "exp": iat + 3600,
            }
        )
        return f"{head}.{body}.{self._rnd(43, string.ascii_letters + string.digits + '-_')}"

    def password(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.choice(['Addis', 'Nairobi', 'Lagos', 'Almaty', 'Kiaora', 'Cusco', 'Welcome', 'Admin', 'Manager'])}{r.choice(['@', '#', '!', '', '_'])}{r.choice(['2025', '2026', '123', '1', '88', '1990'])}{r.choice(['', '!', '*'])}",
                    f"{r.choice(['lucky', 'baby', 'jesus', 'princess', 'simba'])}{r.randint(10, 9999)}",
                    self._rnd(14, string.ascii_letters + string.digits + "!#$%&*?"),
                    f"{r.choice(['Qazwsx', '1qaz2WSX', 'Zxcvbnm', 'Asdfgh'])}{r.choice(['@', '!', '#'])}{r.randint(1, 999)}",
                ]
            )
        return r.choice(
            [
                f"{r.choice(['copper', 'monsoon', 'baobab', 'glacier', 'saffron'])} {r.choice(['kettle', 'ladder', 'bicycle', 'compass'])} {r.choice(['violet', 'seven', 'harbour', 'quartz'])} {r.randint(10, 99)}",
                self._rnd(28, string.ascii_letters + string.digits),
                f"{self._rnd(4, string.ascii_uppercase)}-{self._rnd(4, string.digits)}-{self._rnd(4, string.ascii_lowercase)}",
                r.choice(["P@55w0rd!", "Changeme#1", "Summer@2025", "Letmein!23", "Adm1n@Site"]),
                f"{r.choice(['Ethiopia', 'Mongolia', 'Aotearoa'])}{r.randint(1, 99)}{r.choice(['$', '%', '&'])}{self._rnd(3, string.ascii_lowercase)}",
            ]
        )

    # --- negatives ---------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        up = string.ascii_uppercase
        return r.choice(
            [
                f"SKF {r.choice(['6205', '6306', '22212'])}-{r.choice(['2RSH', '2Z', 'E'])}",
                f"ISO 4017 M{r.choice([8, 10, 12])}x{r.choice([25, 30, 40, 60])}",
                f"6ES7 {r.randint(200, 599)}-{r.randint(1, 9)}{self._rnd(2, up)}{r.randint(10, 99)}-0XB0",
                f"1756-{r.choice(['L83E', 'IB16', 'OB16E', 'EN2T'])}",
                f"Festo DSBC-{r.choice([32, 40, 50])}-{r.choice([100, 160, 250])}-PPVA-N3",
                f"PT-{r.randint(10000, 99999)}-{r.choice('ABC')}",
                f"Item {r.randint(100, 999)}-{r.randint(1000, 9999)}",
                f"WAGO 750-{r.randint(400, 899)}",
                f"HX-{r.randint(1000, 9999)}/{r.randint(10, 99)}",
                f"{r.randint(100, 999)}.{r.randint(100, 999)}.{r.randint(10, 99)}",
            ]
        )

    def serial(self) -> str:
        r = self.r
        al = string.ascii_uppercase + string.digits
        return r.choice(
            [
                f"{self._rnd(2, string.ascii_uppercase)}{r.randint(21, 26)}{r.randint(1, 52):02d}{r.randint(10000, 99999)}",
                f"SER-{r.randint(0, 9999999):07d}",
                f"{self._rnd(4, al)}-{self._rnd(4, al)}-{r.randint(1000, 9999)}",
                f"{r.randint(2021, 2026)}{self._rnd(1, 'ABCDEFGHJK')}{r.randint(100000, 999999)}",
                f"{self._rnd(3, string.ascii_uppercase)}{self._rnd(7, al)}",
                f"FX-{r.randint(100000, 999999)}",
                f"{r.randint(10**10, 10**11 - 1)}",
            ]
        )

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2025, 6, 1) + dt.timedelta(seconds=r.randint(0, 40_000_000))
        return r.choice(
            [
                f"{t:%Y-%m-%d %H:%M:%S}.{r.randint(0, 999):03d}",
                f"{t:%d/%m/%Y} {t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'}",
                f"{t:%a, %d %b %Y %H:%M:%S} +0000",
                f"{t:%Y%m%dT%H%M%S}Z",
                f"{int(t.timestamp())}",
                f"{t:%Hh%M}",
                f"{t:%Y-%m-%dT%H:%M:%S}.{r.randint(0, 999):03d}+03:00",
                f"{t:%b} {t.day}, {t.year} {t:%H:%M}",
                f"{t:%Y.%m.%d %H:%M:%S}",
                f"{t:%Y%m%d%H%M%S}",
            ]
        )

    def version(self) -> str:
        r = self.r
        return r.choice(
            [
                f"fw {r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 30)}",
                f"v{r.randint(2024, 2026)}.{r.randint(1, 12)}.{r.randint(0, 5)}",
                f"{r.randint(12, 17)}.{r.randint(1, 9)}({r.randint(1, 9)}){r.choice('TMS')}",
                f"R{r.randint(1, 4)}.{r.randint(0, 9):02d}.{r.randint(0, 99):03d}",
                f"5.15.0-{r.randint(50, 130)}-generic",
                f"build {r.randint(19000, 26999)}.{r.randint(100, 9999)}",
                f"{r.randint(0, 3)}.{r.randint(0, 20)}.{r.randint(0, 9)}-rc.{r.randint(1, 5)}",
                f"V{r.randint(1, 9):02d}.{r.randint(0, 20):02d}.{r.randint(0, 99):02d}",
            ]
        )

    def lot(self) -> str:
        r = self.r
        return r.choice(
            [
                f"LOT {r.randint(24, 26)}{r.choice('ABCDEFGHJK')}{r.randint(100, 999)}",
                f"CH-{dt.date(2025, 1, 1) + dt.timedelta(days=r.randint(0, 700)):%y%m%d}-{r.randint(1, 20):02d}",
                f"B{r.randint(2401, 2612)}-{r.randint(1, 999):03d}",
                f"(10){self._rnd(6, string.ascii_uppercase + string.digits)}",
                f"Charge {r.randint(1000, 9999)}-{r.randint(1, 9)}",
                f"L-{r.randint(2024, 2026)}-{r.randint(1, 366):03d}-{r.choice('ABC')}",
            ]
        )

    def ean(self) -> str:
        r = self.r
        style = r.random()
        if style < 0.55:
            return _gtin(
                r.choice(["616", "603", "600", "775", "865", "487", "884", "940", "843", "478", "615"])
                + self._d(9)
            )
        if style < 0.75:
            return _gtin(self._d(11))
        if style < 0.9:
            return _gtin(r.choice(["6", "4", "8"]) + self._d(6))
        return _gtin(r.choice(["1", "5", "9"]) + r.choice(["616", "603", "775"]) + self._d(9))

    def reading(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.uniform(4, 20):.2f} mA",
                f"{r.uniform(20, 300):.1f} kPa",
                f"{r.uniform(0.1, 5):.3f} g",
                f"{r.randint(100, 4000)} mm",
                f"pH {r.uniform(3, 11):.2f}",
                f"{r.uniform(2, 80):.1f} Nm",
                f"{r.uniform(0.5, 12):.1f} mm/s RMS",
                f"{r.uniform(30, 110):.1f} °F",
                f"{r.uniform(0.8, 1.4):.3f} kg/L",
                f"{r.randint(380, 1800)} ppm CO2",
                f"{r.uniform(1, 60):.1f} Hz",
                f"{r.uniform(0, 40):.1f} °C",
            ]
        )

    def order(self) -> str:
        r = self.r
        d = self._d
        body = d(8)
        awb = r.randint(1000000, 9999999)
        return r.choice(
            [
                f"SO/{r.randint(24, 26)}/{r.randint(1, 99999):05d}",
                f"AWB {r.choice(['071', '706', '157', '176'])}-{awb}{awb % 7}",
                f"{r.choice(['EE', 'RR', 'CP', 'LX'])}{body}{_s10(body)}{r.choice(['ET', 'KE', 'NZ', 'PE', 'MN', 'KZ'])}",
                f"JJD{d(18)}",
                f"INV-{r.randint(2025, 2026)}-{r.randint(1, 9999):04d}",
                f"PO {r.randint(4500000000, 4500999999)}",
                f"#A-{r.randint(10000, 99999)}",
                f"RMA {r.randint(24, 26)}-{r.randint(1, 9999):04d}",
                " ".join(_split(_gtin("94001" + d(16)), (4, 4, 4, 4, 4, 2))),
                f"ORD-{self._rnd(6, string.ascii_uppercase + string.digits)}",
            ]
        )


# Written for the blind set b12 without reading the detector. New situations only: no
# sentence here appears in, or is edited from, the dev templates or b1-b11.
# fmt: off
B12_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Toolbox talk sign-in, bay C\n1. {person}  {badge}\n2. {person}  {badge}\n3. {person}  {badge}\nTopic: lockout before clearing jams",
        "{\"type\":\"clock_in\",\"site\":\"Debre Zeit\",\"worker\":{\"id\":\"{badge}\",\"name\":\"{person}\"},\"at\":\"{ts}\",\"terminal\":\"{ip}\"}",
        "sms from {phone}: boss its {first}, the matatu broke down near the junction, I'll be 40 min late for first shift",
        "Kaizen idea {=NEG:#2291} from {person} ({badge}): move the glue pot closer to station 9, saves about 300 steps a shift.",
        "Foundry heat log: {person} {=HEALTH:felt dizzy and vomited} beside the ladle and was walked to the clinic; hall sensor read {reading} at {ts}.",
        "[mqtt]\nbroker = {ip}\nclient_id = {serial}\nusername = kiln_pub\npassword = {password}",
        "CONTRACTOR INDUCTION\nCompany: Tana Steel Erectors\nName: {person}\nPassport/ID: {natid}\nMobile: {phone}\nNext of kin: {person} ({phone_nat})",
        "Pre-use check FAILED for reach truck {serial}: hose {part} weeping at the mast. {first} {surname} parked it by bay 4 and tagged it out.",
        "Silica surveillance result for {person}, DOB {dob}: spirometry consistent with {condition}. Refer to the occupational physician; no return to fettling.",
        "Payroll exception: {person} ({badge}) is missing from the bank file for {=NEG:28 Nov}; account on record {iban}.",
        "event=badge_denied reader=turnstile-2 card={badge} holder=\"{person}\" reason=expired src={ip} at={ts}",
        "Hi {first}, the replacement laptop is ready at the IT desk. Your first-login Windows password is {password} and it must be changed straight away.",
        "Mashine ya kusaga {serial} imesimama saa {ts}; fundi {person} ameitwa, simu {phone_nat}.",
        "Ажилтан: {person}; регистр: {natid}; утас: {phone_nat}; цех: 3",
        "Vibration route {=NEG:R-14}: pump {serial} {reading}, motor {serial} {reading}, gearbox {part} {reading}.",
        "Please stop forwarding the vendor portal credentials!! account {email} pw {password}",
        "Seal {=NEG:884213} checked on the outbound trailer at {ts}; tracker fix {gps}; driver {person}, {phone}.",
        "Absence: {person} {sick}. Cover for the kiln arranged with {surname}.",
        "uptime alert - plc-gw {ip} DOWN since {ts} (mac {mac}, image {version})",
        "Shortlist, welder grade 2\n{person} | b. {dob} | {phone}\n{person} | b. {dob} | {phone}",
        "Canteen allergy board (kitchen only): {person} - {condition}; {first} {surname} - {=HEALTH:coeliac, no wheat}.",
        "New hires' overalls: {first} {surname} (L), {first} {surname} (M). Courier them to {address}.",
        "Supplier bank-change letter arrived from {email} with a new IBAN {iban}. Ring {phone}, the number we already hold, before anyone approves it.",
        "Lubrication card: bearing {part}, grease lot {lot}, last reading {reading}, next due {ts}.",
        "Gate pass - visitor {person}, company pickup, licence/ID no. {natid}, escort {first}.",
        "ssh maint@{ip} works again. Someone had pasted the deploy token into the wiki page ({secret}), revoke it please",
        "incident_id: {=NEG:INC-4471}\nlocation: {gps}\ninjured: {person}\nwhat_happened: {injury}\nfirst_aider: {first}",
        "From: {email}\nSubject: leave request\n\nHello, I am {sick}. The note from Dr {surname} is attached.\nRegards, {first}",
        "Parte de accidente: {person}, DNI {natid}, {injury}; atendido por {first} en el botiquín de la planta.",
        "rtu {serial} heartbeat fw={version} ip={ip} mac={mac} val={reading}",
        "Staff bus route 7 pick-ups: {person} at {address}; {person} at {address}.",
        "Fuel card {card} issued to driver {person}, depot Antsirabe, weekly limit {=NEG:MGA 400 000}.",
        "Pension fund nomination\nSurname: {surname}\nForenames: {first}\nBorn: {dob}\nID no.: {natid}\nWorks no.: {badge}",
        "Ergonomics review: {person} has {condition}; fit a sit-stand stool at the labelling station.",
        "karaoke friday list: {first}, {first}, {first} + {person} from packing",
        "PPE vending log {ts}: badge {badge} took 2 pairs of cut-5 gloves, item {part}.",
        "Edge gateway cloud enrolment: device {serial}, bootstrap token {secret}, NTP server {ip}.",
        "Pracownik {person}, PESEL {pesel}, stanowisko: spawacz, zmiana B.",
        "Near miss at height ({gps}): {person} {=HEALTH:was caught by the harness and bruised a thigh}.",
    ),
    "clinic": (
        "MSH|^~\\&|RIS|MOH|PACS|MOH|{ts}||ORM^O01|{=NEG:55021}|P|2.3\nPID|||{mrn}||{surname}^{first}||||||||{phone}\nOBR|1||{=NEG:ACC-77120}|{procedure}",
        "Triage {ts}: {person}, born {dob}, complains of {=HEALTH:fever and joint pain for three days}; known {condition}.",
        "IMMUNISATION CARD\nChild: {person}\nDOB: {dob}\nCarer's phone: {phone_nat}\nVillage: {address}\nDoses: {=HEALTH:BCG, OPV0}",
        "Kia ora {first}, reminder: {procedure} on Thursday at 9.40am. Reply YES to confirm or ring {phone_nat}. Ngā mihi, the clinic team",
        "Lab {mrn_token} {person}: HIV-1 viral load {=HEALTH:not detected}; continue {med}.",
        "Ward round, bed 12 - {person} ({mrn}), day 3 after {procedure}. Plan: stop {med}, mobilise, review bloods tomorrow.",
        "Rx for {person} (DOB {dob})\n1) {med}\n2) {med}\nPrescriber: Dr {first} {surname}",
        "Bukaanka {person}, lambarka {mrn}, wuxuu qabaa {condition}; taleefanka qoyska {phone_nat}.",
        "Pre-authorisation: member {person}, national ID {natid}, requested {procedure}; co-pay card on file {card}.",
        "Telehealth visit {=NEG:#5521} joined from {ip} by {email}; {person} discussed {condition} and asked about {med}.",
        "Vaccination register - {person} ({dob}): {=HEALTH:hepatitis B dose 2} given, vial lot {lot}, expiry {=NEG:01/2027}.",
        "orthanc:\n  aet: ER_ARCHIVE\n  host: {ip}\n  admin_password: {password}\n  storage_connection: {secret}",
        "NOK changed on {mrn_token}: now {person} (brother), {phone}, {address}.",
        "Dr {surname}, please phone ward 6 about {person} in side room 2, new {=HEALTH:confusion since midnight}. Ext {=NEG:4417}.",
        "{\"resourceType\":\"Patient\",\"identifier\":[{\"value\":\"{mrn}\"}],\"name\":[{\"family\":\"{surname}\",\"given\":[\"{first}\"]}],\"birthDate\":\"{dob}\",\"telecom\":[{\"system\":\"phone\",\"value\":\"{phone}\"}]}",
        "Paciente {person}, DNI {natid}, natural de Puno. Diagnóstico: {condition}. Tratamiento: {med}. Teléfono {phone_nat}.",
        "Vaccine fridge logger {serial} exported at {ts}, last value {reading}; alarm acknowledged by staff {badge}.",
        "Billing query: {person} says {card} got debited two times for {procedure}; invoice {order}, {=NEG:MGA 180 000} each time.",
        "Visitors allowed for {person} in ward 6: {person} (husband) and {person} (mother). No others.",
        "Referral: please see {person}, {dob}, with {condition} not responding to {med}. Many thanks, Dr {surname} ({email})",
        "{=HEALTH:Haemodialysis} list Mon/Wed/Fri 07:00: {person} ({mrn_token}), {person} ({mrn_token}), {person} ({mrn_token}).",
        "ECG cart {serial} uploaded 12 tracings through {ip} ({mac}); software {version}.",
        "MEDICAL CERTIFICATE\nThis is to certify that {person} of {address} attended this clinic today and is {sick}.\nDr {surname}",
        "whatsapp 22:41 - hi nurse its {first}, my son's hospital number is {mrn}, he has {condition} and tonight it is much worse, can we come in",
        "Sharps injury report: nurse {person}, staff no. {badge}, {=HEALTH:needlestick to the left index finger} while assisting with {procedure}.",
        "Өвчтөн: {person}, регистрийн дугаар {natid}, утас {phone_nat}, онош: {=HEALTH:артерийн гипертензи}.",
        "ታካሚ: {person} | ስልክ: {phone_nat} | የካርድ ቁጥር: {mrn}",
        "Consent for {procedure} signed by {person} (ID {natid}); witnessed by {person}; interpreter {first}.",
        "AMBULANCE RUN SHEET\nPick-up: {address}\nPatient: {person}, DOB {dob}\nComplaint: {=HEALTH:central chest pain radiating to the left arm}\nCrew: {badge} / {badge}",
        "audit user={email} action=chart_export mrn={mrn} client={ip} ts={ts}",
        "Claim {order} declined for {person}: {procedure} is not covered by the plan; deposit refunded to {iban}.",
        "Eye clinic recall: {person}, {phone}, six-month follow-up for {condition}.",
        "Physio {person} reported badge {badge} lost; a replacement was printed at {ts}.",
        "dental_export.csv\npatient_no;name;dob;treatment\n{mrn};{person};{dob};{procedure}",
        "Outreach clinic at {gps}: 41 children weighed; community health worker {person} uploaded the forms from {phone}.",
        "Dossier : {person}, née le {dob}, domiciliée {address} ; allergie connue : {=HEALTH:pénicilline}.",
        "To Dr {surname}\nConcerning {person}, identity number {natid}, born on {dob}: thank you for sending us this patient with {condition}. We have booked {procedure} for next month.\nKind regards",
        "Printer on {ip} jammed while printing the discharge letter for {mrn_token}.",
    ),
    "retail": (
        "Loyalty sign-up at till 2: name {person}, mobile {phone}, e-mail {email}, birthday {dob}",
        "POS-7 restarted at {ts}; terminal {serial}, firmware {version}, acquirer host {ip}.",
        "Refund of {=NEG:NZ$64.90} back onto {card} (customer {person}); original receipt {order}.",
        "M-Pesa mismatch: {person} says they paid from {phone_nat} but the till shows nothing; ref {order}.",
        "Hi {first}! Order {order} is out for delivery to {address}. Your driver today is {first} ({phone}).",
        "Stocktake variance, GTIN {ean}: counted {=NEG:37}, system {=NEG:41}; lot {lot}; shelf label {part}.",
        "Police asked for the footage from {ts}: the suspect tapped {card} at till 3 and signed the slip as {person}.",
        "wifi_guest:\n  ssid: Shop-Free\n  psk: {password}\nwifi_staff:\n  gateway: {ip}\n  controller_mac: {mac}",
        "Courier label reprint - consignee {person}, {address}, tel {phone_nat}, tracking {order}",
        "Bezeroa: {person}; helbidea: {address}; telefonoa: {phone}; eskaera: {order}",
        "Rota wk {=NEG:47}: Mon {first}, Tue {first}, Wed {surname}, Thu {first} {surname}, Fri closed",
        "Chemist till: {person} picked up {med}; ID seen ({natid}); dispensed by {surname}.",
        "Chargeback pack {order}: cardholder {person}, billing address {address}, device IP {ip}, card {card}.",
        "ESL base station {serial} lost its link to {ip}; {=NEG:312} shelf labels stale since {ts}.",
        "El cliente {person} quiere la factura para su negocio; DNI {natid}, correo {email}.",
        "Instagram DM: '{first} here, your cashier wrote my number {phone} on the receipt and now a stranger keeps calling me'",
        "No-receipt return: {person}, {address}; {=NEG:$23.99} back as store credit; ID {natid}.",
        "customers_export.csv\ncustomer,phone,email,points\n{person},{phone},{email},{=NEG:1240}",
        "Delivery scooter {serial} last fix {gps} at {ts}; rider {person} not picking up {phone_nat}.",
        "We rotated the storefront webhook secret. The old value, {secret}, was in a public repo. Admin login stays {email}.",
        "Staff accident in the cold store: {person} {injury}; {outcome}; first aider {first}.",
        "Price file {lot}: {ean} -> {=NEG:KES 450}, {ean} -> {=NEG:KES 1,200}",
        "Layby for {person}: {=NEG:ETB 500} paid of {=NEG:ETB 2,400}; phone {phone_nat}; ID {natid}.",
        "Gift card fraud alert: card {card} redeemed at {ts} from {ip}; account {email}.",
        "New supplier: contact {person}, {email}, {phone}; remittance to {iban}.",
        "Staff purchase log: employee {badge} bought {part} ({ean}) at {=NEG:20%} off.",
        "Клиент: {person}, тел. {phone}, адрес доставки: {address}, заказ {order}",
        "Chiller sensor {serial}: {reading}, {reading}; calibration sticker {lot}.",
        "Please send my parcels to {address} from now on. Thanks, {person} ({email})",
        "Tafadhali mteja {person} alipe kwa namba {phone_nat}; oda {order}.",
        "Smart safe {serial} opened by {badge} ({person}) at {ts}.",
        "Age-restricted sale: {person} showed ID {natid}, born {dob}; cashier {badge}.",
        "Fraud review: name {person}, ship-to {address}, IP {ip}, card {card}, e-mail {email}",
        "{first}, payroll portal password is now {password} - don't share it with anyone!",
        "Deposit slip: {=NEG:MNT 1,450,000} banked by {person}, cashier {badge}, bank ref {order}.",
        "Regular customer {person} has {condition} and asked us to keep the ramp clear; call {phone} if it's blocked.",
        "EMV error {=NEG:6985} on card {card}, terminal {serial}, kernel {version}.",
        "Faktiora: anarana {person}; finday {phone_nat}; adiresy {address}",
        "អតិថិជន {person} ទូរស័ព្ទ {phone_nat} ការបញ្ជាទិញ {order}",
    ),
}
# fmt: on
