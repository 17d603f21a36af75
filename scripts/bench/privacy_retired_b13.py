# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b13`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, tests, history
or figures) until its one blind run: seed 5273 on commit 3bcb23c
(``privacy_blind_seeds.txt``). From now on its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B13Gen``, ``BLIND_TEMPLATES`` -> ``B13_TEMPLATES``,
``SITE_PATTERNS`` -> ``B13_SITE_PATTERNS``, ``blind_names`` -> ``b13_names``, group
``blind`` -> ``b13``) and its seed log helpers left in ``privacy_blind.py``.

As first written: the blind split of the privacy corpus, set ``b13``.

A blind set is written (and committed) before the detector changes it is used to
judge, without reading the detector's code, tests, history or figures; it is run once
per report on a seed never run before and then retired into the dev split
(``privacy_retired_b1.py`` to ``privacy_retired_b12.py``). ``b13`` is the current one.

What ``b13`` is: a realistic sample of what a privacy gate on an edge appliance in
factories, clinics and shops around the world sees (West and Southern Africa, the Horn
of Africa, Central Asia and the Tibetan plateau, the Pacific and Hawaii, the Arctic,
the Celtic fringe and the smaller languages of Western Europe, and the big markets of
Europe, North America, India and Australia). Each generator draws the form of each
value once: about 60 % everyday forms, about 40 % less common but genuine ones.
Separate from the dev split (``privacy_templates.py``, ``privacy_corpus.Gen`` and
``b1`` to ``b12``):

* templates: a sentence family of its own, none shared with or edited from the dev
  templates or ``b1`` to ``b12`` (checked with a word 5-gram overlap test against every
  one of them while it was written) -- prose notes, chat and SMS, e-mails, CSV rows,
  JSON, YAML and INI snippets, key=value logs, message segments, forms, and a few lines
  in Wolof, Tigrinya, Kyrgyz, Welsh, Catalan, Norwegian, Fijian, Xhosa, Breton and
  Frisian;
* names: every Faker person locale and the hand-built ``b12`` peoples are read by the
  dev split, so the pools are built by hand (``_PEOPLES``) from given names and surnames
  of peoples none of them covers -- Xhosa, Wolof, Tigrinya, Oromo, Uyghur, Tajik,
  Kyrgyz, Turkmen, Tibetan, Fijian, Hawaiian, Greenlandic Inuit, Sami, Welsh, Scottish
  Gaelic, Breton, Catalan, Sardinian and Frisian -- minus every name of the dev pools
  (Faker's and the romanised ``b4`` to ``b12`` pools); written as real systems write
  them ("First Last", "LAST, First", "Last, First", two given names, initial and
  surname, all caps, Tibetan and Fijian single or two-part names, Russian-style
  patronymics in Central Asia); titles stay in the sentence;
* values: every one really of its class -- check digits computed here (and checked
  against python-stdnum where it knows the kind while the set was written), phones
  valid per ``phonenumbers``, real calendar dates -- for every class of the corpus
  (names, e-mail, phones, addresses, dates of birth, national IDs of many countries,
  employee/badge numbers, patient numbers, health conditions, injuries, medications and
  procedures, cards, IBANs, IPs, MACs, GPS, secrets of real services, passwords), and
  negatives (part numbers, serials, timestamps, versions, lots, GTINs, readings, order
  and tracking numbers, amounts) at about a fifth of the slots;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG``, ``privacy_blind_seeds.txt``, records
  every blind run (seed, time, commit, set), so that a seed's figures are reported as
  blind only once; the bench warns when a seed is reused.

``B13_SITE_PATTERNS`` holds the badge and record number formats of the set's organisations
as their site would configure them (``employee_id_patterns``, ``medical_record_patterns``).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import string

import privacy_corpus as corpus
import privacy_retired_b4 as b4
import privacy_retired_b5 as b5
import privacy_retired_b6 as b6
import privacy_retired_b7 as b7
import privacy_retired_b8 as b8
import privacy_retired_b9 as b9
import privacy_retired_b10 as b10
import privacy_retired_b11 as b11
import privacy_retired_b12 as b12
from privacy_retired_b10 import _ROMAN, _gtin, _iban, _luhn, _wsum
from privacy_retired_b12 import _fold, _pools_without

_DEV_LOCALES = b12._DEV_LOCALES

# share of values drawn in an everyday form; the rest take a less common real one
EVERYDAY = 0.6


# --- names ----------------------------------------------------------------------------
# Given names and surnames of peoples no Faker person locale and no earlier blind set
# covers, spelled as they are written at home. Tigrinya and Oromo names carry no
# inherited family name: what forms file as the surname is the father's name. Uyghur
# "surnames" are a father's given name too; Tibetan names are two personal names, the
# second one filed as the surname.
# fmt: off
_PEOPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "xhosa": (
        ("Luvuyo", "Mzwandile", "Nomakhaya", "Ayanda", "Lwandile", "Unathi", "Zukisa", "Sinovuyo", "Lubabalo", "Athenkosi", "Siphokazi", "Nosipho", "Vuyani", "Zintle",
         "Yonela", "Asanda", "Khanyisa", "Babalwa", "Mthunzi", "Xolani", "Nomonde", "Akhona", "Sizwe", "Thembeka", "Wandile", "Nandipha", "Mncedisi", "Lulama"),
        ("Mgijima", "Nqakula", "Matanzima", "Sigcau", "Mtirara", "Tshwete", "Ngqondi", "Mafu", "Mabandla", "Madikizela", "Sisulu", "Mqhayi", "Ntsebeza", "Goniwe",
         "Mpetha", "Ngcukana", "Qwabe", "Jonas", "Mxenge", "Tshabalala", "Gqirana", "Makana", "Nkwinti", "Magxaki", "Sobukwe"),
    ),
    "wolof": (
        ("Cheikh", "Aminata", "Fatou", "Ousmane", "Ndeye", "Khady", "Modou", "Assane", "Babacar", "Coumba", "Aissatou", "Abdoulaye", "Mariama", "Serigne", "Daba",
         "Astou", "Souleymane", "Rokhaya", "Bineta", "Mame", "Lamine", "Pape", "Sokhna", "Moustapha", "Yacine", "Dieynaba", "Ibrahima", "Awa"),
        ("Ndiaye", "Diop", "Fall", "Sarr", "Mbaye", "Gueye", "Seck", "Faye", "Ndour", "Thiam", "Niang", "Diouf", "Mbengue", "Dieng", "Wade", "Sylla", "Samb",
         "Ndoye", "Kebe", "Touré", "Cissé", "Lo", "Sène", "Diagne", "Mboup", "Thioune"),
    ),
    "tigrinya": (
        ("Yonas", "Senait", "Filmon", "Semhar", "Tesfay", "Mehari", "Freweini", "Haben", "Luwam", "Abrehet", "Kibrom", "Tesfalem", "Natnael", "Saba", "Yordanos",
         "Merhawi", "Ghirmay", "Aklilu", "Rahwa", "Selamawit", "Tsega", "Mussie", "Ruta", "Biniam", "Helen", "Winta"),
        ("Tesfamariam", "Gebrehiwet", "Berhane", "Habte", "Kidane", "Tekle", "Ghebremedhin", "Woldu", "Asmelash", "Fessehaye", "Mebrahtu", "Tewolde", "Zerai",
         "Andemariam", "Ghebreyesus", "Tesfazion", "Negassi", "Okbazghi", "Weldeab", "Yohannes", "Abraha"),
    ),
    "oromo": (
        ("Chaltu", "Gemechu", "Lensa", "Bontu", "Obsa", "Gadisa", "Ebisa", "Hawi", "Kena", "Galane", "Boku", "Lelisa", "Tolessa", "Bilisuma", "Urgessa", "Jaalata",
         "Feyisa", "Diriba", "Soreti", "Ayantu", "Hachalu", "Iftu", "Milkessa", "Dabessa"),
        ("Gudina", "Lemessa", "Tolosa", "Bekele", "Dinsa", "Merga", "Gemeda", "Fufa", "Gurmu", "Jiru", "Kumsa", "Negasa", "Abdisa", "Dibaba", "Tola", "Wakjira",
         "Olana", "Gutema", "Regassa", "Tufa", "Daba", "Jalata"),
    ),
    "uyghur": (
        ("Dilnur", "Abdurehim", "Gulnar", "Ablikim", "Mihray", "Nurmemet", "Rahile", "Erkin", "Zulpiye", "Parhat", "Muyesser", "Ilham", "Gulzire", "Adil", "Mukaddes",
         "Qurban", "Memtimin", "Tursun", "Aynur", "Arzigul", "Ekber", "Patigul", "Alimjan", "Mahire"),
        ("Tohti", "Kadeer", "Ablimit", "Niyaz", "Rozi", "Hoshur", "Turdi", "Yasin", "Emet", "Abduqadir", "Sawut", "Qasim", "Mamut", "Imin", "Sidiq", "Obulqasim",
         "Nurmuhemmet", "Ghopur", "Eysa", "Zunun"),
    ),
    "tajik": (
        ("Rustam", "Farrukh", "Firuza", "Manizha", "Sherali", "Davlat", "Zarina", "Bakhtiyor", "Parvina", "Jamshed", "Shahlo", "Nilufar", "Sitora", "Daler", "Tahmina",
         "Khurshed", "Gulru", "Bahrom", "Mehrangez", "Shodmon", "Sadriddin", "Muhabbat", "Faridun", "Zuhro"),
        ("Rahmonov", "Nazarov", "Saidov", "Qurbonov", "Sharipov", "Mirzoev", "Davlatov", "Rajabov", "Safarov", "Abdulloev", "Khudoyorov", "Ismoilov", "Nematov",
         "Boboev", "Sodiqov", "Olimova", "Jurayeva", "Hasanzoda", "Rahimzoda", "Sharifzoda", "Qodirov", "Mahmadaliev"),
    ),
    "kyrgyz": (
        ("Chyngyz", "Aizada", "Nurbek", "Kanykei", "Meerim", "Bakyt", "Elnura", "Begimai", "Ulan", "Cholpon", "Tilek", "Aizhan", "Kubanych", "Baktygul", "Aidai",
         "Temirlan", "Kunduz", "Nurzhamal", "Eldiyar", "Aichurok", "Adilet", "Syrga", "Bektur", "Kalys"),
        ("Toktogulov", "Sadyrbaev", "Abdyldaev", "Japarov", "Atambaev", "Osmonaliev", "Usenov", "Beishenaliev", "Sooronbaev", "Zhumabekova", "Kadyrbekov",
         "Tashiev", "Mamytov", "Moldokulov", "Asanaliev", "Bakirova", "Turdumambetov", "Chynybaev", "Orozbekova", "Kasymaliev", "Duishenbiev"),
    ),
    "turkmen": (
        ("Serdar", "Maral", "Ogulgerek", "Dovlet", "Bahar", "Myrat", "Jeren", "Batyr", "Gozel", "Annagul", "Kerim", "Sapar", "Arslan", "Ogulbibi", "Hemra", "Altyn",
         "Begench", "Mahri", "Nurmuhammet", "Ogulnabat", "Rahym", "Shemshat", "Yusup", "Aynabat"),
        ("Berdimuhamedov", "Atayev", "Orazov", "Niyazov", "Annayev", "Charyyev", "Gurbanov", "Hojamuradov", "Durdyyev", "Meredov", "Amanov", "Nurmuhammedov",
         "Babayev", "Muradova", "Garajayev", "Atdayev", "Gurdov", "Hommadov", "Ovezov", "Saparmyradov", "Yazmuradova"),
    ),
    "tibetan": (
        ("Tenzin", "Pema", "Tashi", "Dawa", "Norbu", "Sonam", "Karma", "Jigme", "Yangchen", "Lobsang", "Tsering", "Kunga", "Palden", "Choden", "Rinzin", "Ngawang",
         "Yeshe", "Chodron", "Phuntsok", "Thinley", "Dhondup", "Lhakpa", "Kelsang", "Tsomo", "Dechen", "Nyima", "Lhadon", "Dolkar"),
        ("Dorjee", "Wangmo", "Namgyal", "Gyatso", "Dolma", "Lhamo", "Chodon", "Sherpa", "Tsundue", "Gyaltsen", "Rabten", "Tsewang", "Topgyal", "Yangzom", "Samdup",
         "Wangdu", "Tharchin", "Lhundup", "Sangpo", "Youdon"),
    ),
    "fijian": (
        ("Sitiveni", "Losana", "Mereoni", "Jone", "Vilimaina", "Ilisapeci", "Semi", "Timoci", "Akanisi", "Laisenia", "Sainimili", "Epeli", "Litia", "Waisale",
         "Unaisi", "Apisai", "Seru", "Kelera", "Inoke", "Vasemaca", "Josaia", "Makereta", "Saimoni", "Torika", "Asaeli", "Naomi", "Adriu", "Salanieta"),
        ("Nadolo", "Vunipola", "Rabuka", "Bainimarama", "Tuilevuka", "Qarase", "Naiqama", "Waqanivalu", "Ratuva", "Koroibete", "Nakarawa", "Matanatabu", "Delana",
         "Tuisawau", "Cakobau", "Volavola", "Radradra", "Yavala", "Seniloli", "Vakaloloma", "Nawalu", "Tikoisuva", "Ravouvou", "Baleiwai", "Dakuwaqa"),
    ),
    "hawaiian": (
        ("Kealoha", "Leilani", "Kalani", "Keoni", "Makana", "Nalani", "Kainoa", "Noelani", "Kapono", "Keahi", "Mahina", "Kaimana", "Pualani", "Ikaika", "Kawika",
         "Lokelani", "Kekoa", "Haunani", "Kamaka", "Alohilani", "Keola", "Healani", "Kanoa", "Iolana"),
        ("Kahananui", "Kamakau", "Kealamakia", "Akana", "Kaleikini", "Kanahele", "Kamakana", "Nakoa", "Kaniho", "Kahale", "Makekau", "Keawe", "Kahaleua", "Palakiko",
         "Kauhane", "Kapaona", "Nahinu", "Kaholokula", "Kealoha", "Kamai", "Kekumu", "Kaawa"),
    ),
    "greenlandic": (
        ("Aqqaluk", "Nuka", "Inuk", "Malik", "Naja", "Pipaluk", "Aviaja", "Ivalu", "Kiiraq", "Paninnguaq", "Kunuk", "Qillaq", "Pilu", "Arnaq", "Ulloriaq", "Apputiku",
         "Ujarak", "Tukummeq", "Nivi", "Aputsiaq", "Nukannguaq", "Isak", "Minik", "Sara"),
        ("Lynge", "Kleist", "Motzfeldt", "Lyberth", "Heilmann", "Egede", "Berthelsen", "Kreutzmann", "Fleischer", "Rosing", "Kuitse", "Qujaukitsoq", "Jeremiassen",
         "Sandgreen", "Broberg", "Chemnitz", "Thorleifsen", "Siegstad", "Enoksen", "Kristiansen", "Olsvig", "Storch"),
    ),
    "sami": (
        ("Áile", "Ánde", "Máret", "Biret", "Ristin", "Niillas", "Mihkkal", "Elle", "Sunná", "Ovllá", "Ánte", "Ailo", "Risten", "Beaska", "Jovnna", "Inga", "Issát",
         "Sárá", "Heaika", "Gáddja", "Lemet", "Ásllat"),
        ("Gaup", "Somby", "Eira", "Hætta", "Buljo", "Bongo", "Utsi", "Turi", "Balto", "Oskal", "Skum", "Gaino", "Länsman", "Valkeapää", "Magga", "Partapuoli", "Sara",
         "Anti", "Kuoljok", "Labba", "Vars", "Nutti"),
    ),
    "welsh": (
        ("Rhys", "Dafydd", "Gwenllian", "Rhiannon", "Iolo", "Cerys", "Gethin", "Eluned", "Aled", "Siân", "Bethan", "Iwan", "Llinos", "Owain", "Meinir", "Emyr", "Hywel",
         "Geraint", "Elin", "Ffion", "Gruffydd", "Tegwen", "Catrin", "Dyfrig", "Eirlys", "Cadi", "Heledd", "Osian"),
        ("Pritchard", "Llewellyn", "Bowen", "Griffiths", "Pugh", "Vaughan", "Gwynne", "Parry", "Prosser", "Meredith", "Maddocks", "Powell", "Bevan", "Cadwaladr",
         "Llwyd", "Gruffudd", "Tudur", "Wyn", "Jenkins", "Prydderch", "Morgan", "Rowlands", "Bowden", "Eynon"),
    ),
    "gaelic": (
        ("Mòrag", "Ruaraidh", "Eilidh", "Seumas", "Catrìona", "Ealasaid", "Calum", "Mairead", "Dòmhnall", "Peigi", "Coinneach", "Seonag", "Tormod", "Murchadh",
         "Oighrig", "Raonaid", "Uisdean", "Anndra", "Ciorstaidh", "Sìne", "Aonghas", "Beathag"),
        ("MacLeòid", "MacDhòmhnaill", "MacAoidh", "Caimbeul", "Moireasdan", "MacIlleathain", "NicLeòid", "MacNeacail", "Stiùbhart", "MacCoinnich", "MacÌomhair",
         "NicAoidh", "MacRath", "Macaulay", "Macinnes", "Maciver", "Macritchie", "Macsween", "Maclennan", "Nicolson", "Macphail"),
    ),
    "breton": (
        ("Gwenola", "Loïg", "Erwan", "Tanguy", "Goulven", "Nolwenn", "Ronan", "Klervi", "Maiwenn", "Gwendal", "Soizic", "Yannig", "Riwal", "Bleuenn", "Anaïg", "Briac",
         "Katell", "Gurvan", "Enora", "Tudual", "Malo", "Gwenc'hlan", "Youenn", "Azenor"),
        ("Kerjean", "Quéré", "Caradec", "Morvan", "Riou", "Kervella", "Guillou", "Pennec", "Jaouen", "Abgrall", "Kerhervé", "Cadiou", "Tanneau", "Quillévéré",
         "Bourhis", "Madec", "Gourmelon", "Kerdraon", "Le Bihan", "Le Gall", "Le Coz", "Le Saux", "Guivarc'h", "Kerautret"),
    ),
    "catalan": (
        ("Jordi", "Montserrat", "Núria", "Pau", "Oriol", "Meritxell", "Arnau", "Roser", "Laia", "Mireia", "Quim", "Jaume", "Ona", "Aina", "Biel", "Queralt", "Ferran",
         "Lluís", "Eulàlia", "Roc", "Bernat", "Neus", "Txell", "Pere", "Joana", "Martí", "Berta", "Aleix"),
        ("Puig", "Vilaseca", "Casals", "Puigdemont", "Riera", "Pujol", "Font", "Camps", "Bosch", "Sabaté", "Llobet", "Miralles", "Vilanova", "Prat", "Rovira",
         "Batlle", "Casanovas", "Canals", "Espinàs", "Oliveras", "Coromines", "Vilaró", "Puigvert", "Masdeu", "Ribalta", "Sunyer", "Comas"),
    ),
    "sardinian": (
        ("Efisio", "Gavino", "Bachisio", "Antioco", "Sisinnio", "Giommaria", "Bonaria", "Lussorio", "Gonario", "Itria", "Priamo", "Raimonda", "Battistina",
         "Nicolina", "Saturnino", "Peppina", "Tonina", "Costantino", "Giuannicu", "Simplicio"),
        ("Pinna", "Piras", "Melis", "Porcu", "Sanna", "Cocco", "Murgia", "Floris", "Mulas", "Usai", "Deiana", "Pintus", "Cossu", "Atzeni", "Loi", "Fadda", "Mereu",
         "Sechi", "Contini", "Puddu", "Zedda", "Ledda", "Marras", "Corrias", "Soru", "Pittau"),
    ),
    "frisian": (
        ("Sjoerd", "Wiebe", "Tjitske", "Hylke", "Jildou", "Auke", "Baukje", "Durk", "Froukje", "Gerben", "Klaske", "Minke", "Oeds", "Rintje", "Sietske", "Tsjalling",
         "Wytske", "Doutzen", "Eelke", "Folkert", "Haye", "Jouke", "Lolkje", "Marrit", "Sybren", "Tjeerd", "Ytsje", "Aukje"),
        ("Dijkstra", "Hoekstra", "Postma", "Wiersma", "Jellema", "Terpstra", "Bosma", "Zijlstra", "Hiemstra", "Sikkema", "Veenstra", "Boersma", "Tjeerdsma",
         "Hellinga", "Osinga", "Algra", "Wijbenga", "Tolsma", "Dykstra", "Rienstra", "Sijtsma", "Ykema", "Kingma", "Haitsma", "Feenstra"),
    ),
}
# fmt: on


def _dev_names() -> set[str]:
    """Every name of the dev pools (Faker's and the romanised b4 to b12 ones), folded."""
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
        b12.b12_names,
    ):
        for first, last in romanised().values():
            dev |= {n.lower() for n in set(first) | set(last)}
            dev |= {n.lower().removeprefix("al-") for n in set(first) | set(last)}
    # the hand-built b12 pools as written, before their own subtraction
    for first, last in b12._PEOPLES.values():
        dev |= {n.lower() for n in set(first) | set(last)}
    return dev | {_fold(n) for n in dev}


@functools.cache
def b13_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{people: (first, last)}``: the hand-built pools minus every dev name."""
    return _pools_without(_PEOPLES, _dev_names())


# --- phones -----------------------------------------------------------------------------
# region: (country code, everyday?, national significant number patterns ("#" a digit,
# "N" 2-9), digit groups, trunk prefix) -- every pattern checked against phonenumbers
# (valid numbers) while the set was written.
# fmt: off
_PHONES: dict[str, tuple[str, bool, tuple[str, ...], tuple[int, ...], str]] = {
    "US": ("1", True, ("206N######", "718N######", "404N######", "512N######", "808N######", "907N######"), (3, 3, 4), "1"),
    "CA": ("1", True, ("416N######", "604N######", "514N######", "867N######", "902N######"), (3, 3, 4), "1"),
    "GB": ("44", True, ("7956######", "7480######", "7824######", "7403######", "2920######", "1851######", "1970######"), (4, 6), "0"),
    "DE": ("49", True, ("152########", "170#######", "1577#######", "4621######"), (4, 8), "0"),
    "FR": ("33", True, ("61#######", "66#######", "75#######", "78#######", "298######"), (1, 2, 2, 2, 2), "0"),
    "IN": ("91", True, ("98########", "94########", "88########", "79########"), (5, 5), "0"),
    "AU": ("61", True, ("412######", "438######", "404######", "89N######"), (3, 3, 3), "0"),
    "ZA": ("27", True, ("82#######", "73#######", "61#######", "47N######"), (2, 3, 4), "0"),
    "ES": ("34", True, ("6########", "93N######", "972######"), (3, 3, 3), ""),
    "IT": ("39", True, ("333#######", "340#######", "070######"), (3, 3, 10), ""),
    "NL": ("31", True, ("61#######", "62#######", "65#######", "58#######"), (2, 3, 4), "0"),
    "SN": ("221", False, ("77#######", "78#######", "76#######", "70#######", "338######"), (2, 3, 2, 2), ""),
    "ER": ("291", False, ("7######",), (1, 3, 3), "0"),
    "KG": ("996", False, ("555######", "700######", "770######", "312######"), (3, 3, 3), "0"),
    "TJ": ("992", False, ("93#######", "90#######", "918######", "372######"), (2, 3, 4), ""),
    "TM": ("993", False, ("65######", "61######", "62######"), (2, 2, 2, 2), "8"),
    "CN": ("86", False, ("138########", "159########", "186########", "991#######"), (3, 4, 4), "0"),
    "NP": ("977", False, ("984#######", "980#######", "1442####"), (3, 7), "0"),
    "FJ": ("679", False, ("7######", "9######", "33#####"), (3, 4), ""),
    "GL": ("299", False, ("52####", "55####", "32####"), (2, 2, 2), ""),
    "NO": ("47", False, ("41######", "9#######", "78######"), (3, 2, 3), ""),
    "ET": ("251", False, ("91#######", "92#######", "93#######", "94#######"), (2, 3, 4), "0"),
}
# fmt: on


def _groups(nsn: str, sizes: tuple[int, ...]) -> list[str]:
    """Cut ``nsn`` into groups of ``sizes`` (the last one takes what is left)."""
    out, i = [], 0
    for size in sizes:
        out.append(nsn[i : i + size])
        i += size
    if i < len(nsn):
        out[-1] += nsn[i:]
    return [p for p in out if p]


_MONTHS = {
    "en": b12._MONTHS["en"],
    "fr": b12._MONTHS["fr"],
    "ca": (
        "gener",
        "febrer",
        "març",
        "abril",
        "maig",
        "juny",
        "juliol",
        "agost",
        "setembre",
        "octubre",
        "novembre",
        "desembre",
    ),
    "cy": (
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ),
    "no": (
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ),
    "ru": b12._MONTHS["ru"],
}

# Taiwan ID: the letter's two-digit code
_TW = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))


class B13Gen(b12.B12Gen):
    """The blind split's values: same classes as the dev split, pools and forms of its own.
    The helpers it shares with ``b12`` (everyday draw, random strings and digits, the name
    pool draw, first name and surname) are inherited; the birth date is ``b8``'s (born 1948
    to 2007)."""

    group_name = "b13"

    def __init__(self, rng: random.Random) -> None:
        corpus.LocaleGen.__init__(self, rng, b13_names())
        self._people = self.locales[0]

    _birth = b8.B8Gen._birth

    # --- names -------------------------------------------------------------------------
    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        p = self._people
        if r.random() < 0.35:
            if p in ("tajik", "kyrgyz", "turkmen", "uyghur"):
                return r.choice([f"{la} {f}", f"{la.upper()} {f.upper()}", f"{la} {f[0]}."])
            if p in ("tigrinya", "oromo"):
                return f"{f} {la} {self._other(last, la)}"
            if p in ("catalan",):
                return f"{f} {la} i {self._other(last, la)}"
            if p in ("sardinian", "frisian", "breton"):
                return f"{la.upper()} {f}"
        style = r.random()
        if style < 0.52:
            return f"{f} {la}"
        if style < 0.62:
            return f"{la.upper()}, {f}"
        if style < 0.7:
            return f"{la}, {f}"
        if style < 0.78:
            return f"{f} {self._other(first, f)} {la}"
        if style < 0.87:
            return f"{f[0]}. {la}"
        if style < 0.94:
            return f"{f} {la}".upper()
        return f"{f[0]}{la}".lower() if r.random() < 0.3 else f"{f[0]} {la}"

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
                    f"{f}{la[0]}",
                    f"{f[0]}.{la}",
                    f"{la}{r.randint(1, 999)}",
                    f"{f}-{la}",
                    f"{f}.{la}{r.randint(70, 99)}",
                ]
            )
            dom = r.choice(
                [
                    "gmail.com",
                    "gmail.com",
                    "outlook.com",
                    "yahoo.com",
                    "proton.me",
                    "hotmail.co.uk",
                    "icloud.com",
                    "live.fr",
                    "orange.sn",
                    "btinternet.com",
                    "web.de",
                ]
            )
            return f"{user}@{dom}"
        user = r.choice(
            [
                f"{la}.{f}",
                f"{f}_{la}_{r.randint(1, 9)}",
                f"{f[0]}{f[1]}{la}",
                f"{f}+{r.choice(['shop', 'rx', 'rota', 'bills'])}",
                f"{la.upper()}.{f.capitalize()}",
                f"{f}{r.randint(1, 9)}{la[:3]}",
            ]
        )
        dom = r.choice(
            [
                "hawaiiantel.net",
                "tele.gl",
                "connect.com.fj",
                "sentoo.sn",
                "eritel.com.er",
                "mail.kg",
                "tojikiston.tj",
                "online.tm",
                "telefonica.cat",
                "tiscali.it",
                "ziggo.nl",
                "wanadoo.fr",
                "lafibre.bzh",
                "hotmail.no",
                "uit.no",
                "kyrgyz-mining.example.kg",
                "makana-clinic.example.org",
                "nuuk-fisk.example.gl",
                "sardinia-caseificio.example.it",
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
        cc = _PHONES[region][0]
        nsn = self._nsn(region)
        g = _groups(nsn, _PHONES[region][3])
        style = r.random()
        if style < 0.55:
            return f"+{cc} {' '.join(g)}"
        if style < 0.7:
            return f"+{cc}{nsn}"
        if style < 0.8:
            return f"+{cc}.{'.'.join(g)}"
        if style < 0.9:
            return f"00 {cc} {' '.join(g)}" if cc != "1" else f"+1-{'-'.join(g)}"
        return f"+{cc} ({g[0]}) {' '.join(g[1:])}" if len(g) > 1 else f"+{cc} {nsn}"

    def phone_national(self) -> str:
        r = self.r
        region = self._region()
        cc, _, _, sizes, trunk = _PHONES[region]
        nsn = self._nsn(region)
        g = _groups(nsn, sizes)
        if cc == "1":
            return r.choice([f"({g[0]}) {g[1]}-{g[2]}", f"{g[0]}-{g[1]}-{g[2]}", f"{g[0]}.{g[1]}.{g[2]}"])
        if cc == "7":
            return f"8 {' '.join(g)}"
        return r.choice(
            [f"{trunk}{g[0]} {' '.join(g[1:])}", f"{trunk}{nsn}", f"{trunk}{g[0]}-{''.join(g[1:])}"]
        ).strip()

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 180)
        if self._everyday():
            kind = r.choice(["us", "us", "ca", "uk", "uk", "de", "au", "in", "za", "es", "nl", "it", "fr"])
            if kind == "us":
                city, st, z = r.choice(
                    [
                        ("Hilo", "HI", "967"),
                        ("Honolulu", "HI", "968"),
                        ("Spokane", "WA", "992"),
                        ("Anchorage", "AK", "995"),
                        ("Omaha", "NE", "681"),
                        ("Knoxville", "TN", "379"),
                        ("Albany", "NY", "122"),
                    ]
                )
                return r.choice(
                    [
                        f"{r.randint(10, 9999)} {r.choice(['Kamehameha Ave', 'Kalanianaole Hwy', 'N Division St', 'Spenard Rd', 'Dodge St', 'Chapman Hwy', 'Delaware Ave'])}, {city}, {st} {z}{r.randint(1, 99):02d}",
                        f"{r.randint(10, 9999)} {r.choice(['Pine Hollow Ct', 'Kapiolani Blvd', 'Birch Run Rd'])} #{r.randint(1, 40)}\n{city} {st} {z}{r.randint(1, 99):02d}",
                    ]
                )
            if kind == "ca":
                return r.choice(
                    [
                        f"{r.randint(100, 2999)} {r.choice(['Niaqunngusiaq Rd', 'Queen Elizabeth Way', 'Federal Rd'])}, Iqaluit, NU X0A {r.randint(0, 1)}H0",
                        f"{n}-{r.randint(100, 999)} {r.choice(['Rue Sainte-Catherine E', 'Commercial Dr', 'Barrington St'])}, {r.choice(['Montréal, QC H2L 2C5', 'Vancouver, BC V5N 4A8', 'Halifax, NS B3J 1S9'])}",
                    ]
                )
            if kind == "uk":
                return r.choice(
                    [
                        f"{n} {r.choice(['Heol y Nant', 'Ffordd Penrhos', 'Stryd Fawr', 'Maes Glas'])}, {r.choice(['Aberystwyth SY23', 'Caernarfon LL55', 'Bangor LL57', 'Carmarthen SA31'])} {r.randint(1, 9)}{r.choice('ABDEHJLNPQRSTUWXY')}{r.choice('ABDEHJLNPQRSTUWXY')}",
                        f"{n} {r.choice(['Keith Street', 'Bayhead', 'Matheson Road', 'Seaforth Road'])}, Stornoway, Isle of Lewis HS1 {r.randint(2, 2)}{r.choice('ABDEHJLNPQRSTUWXY')}{r.choice('ABDEHJLNPQRSTUWXY')}",
                        f"Flat {r.randint(1, 20)}/{r.randint(1, 4)}, {n} {r.choice(['Dumbarton Road', 'Great Western Road', 'Paisley Road West'])}, Glasgow G{r.randint(11, 51)} {r.randint(1, 9)}{r.choice('ABDEHJLNPQRSTUWXY')}{r.choice('ABDEHJLNPQRSTUWXY')}",
                    ]
                )
            if kind == "de":
                return f"{r.choice(['Friesische Straße', 'Am Hafen', 'Norderstraße', 'Große Straße'])} {n}, {r.choice(['24937 Flensburg', '25813 Husum', '26721 Emden', '25980 Sylt'])}"
            if kind == "au":
                return f"{r.choice(['', f'{r.randint(1, 30)}/'])}{n} {r.choice(['Smith Street', 'Cavenagh St', 'Gregory Terrace', 'Bagot Road'])}, {r.choice(['Darwin City NT 0800', 'Alice Springs NT 0870', 'Cairns City QLD 4870', 'Hobart TAS 7000'])}"
            if kind == "in":
                return f"{r.choice(['H.No.', 'Flat'])} {r.randint(1, 40)}-{r.randint(1, 300)}, {r.choice(['McLeod Ganj', 'Bylakuppe Camp 4', 'Majnu-ka-tilla', 'Jorethang Road'])}, {r.choice(['Dharamshala, Himachal Pradesh 176219', 'Kushalnagar, Karnataka 571104', 'New Delhi 110054', 'Namchi, Sikkim 737126'])}"
            if kind == "za":
                return f"{n} {r.choice(['Sutherland Street', 'Oxford Street', 'Madeira Street', 'Govan Mbeki Avenue'])}, {r.choice(['Mthatha, 5099', 'East London, 5201', 'Gqeberha, 6001', 'Makhanda, 6139'])}"
            if kind == "es":
                return f"{r.choice(['Carrer de', 'Passeig de', 'Plaça de'])} {r.choice(['Sant Joan', 'la Riera', 'Gràcia', 'la Indústria'])}, {n}, {r.randint(1, 6)}r {r.randint(1, 4)}a, {r.choice(['08025 Barcelona', '17001 Girona', '25001 Lleida', '43003 Tarragona'])}"
            if kind == "nl":
                return f"{r.choice(['Tuinen', 'Nieuwestad', 'Voorstreek', 'Eewal'])} {n}, {r.choice(['8911 KD', '8913 HS', '8934 AB'])} Leeuwarden"
            if kind == "it":
                return f"Via {r.choice(['Sassari', 'Roma', 'Dante', 'Is Mirrionis'])} {n}, {r.choice(['09124 Cagliari', '07100 Sassari', '08100 Nuoro', '09170 Oristano'])} ({r.choice(['CA', 'SS', 'NU', 'OR'])})"
            return f"{n} {r.choice(['rue de Brest', 'rue Kéréon', 'place Saint-Corentin', 'rue Jean Jaurès'])}, {r.choice(['29000 Quimper', '29200 Brest', '29600 Morlaix', '22300 Lannion'])}"
        kind = r.choice(["sn", "er", "kg", "tj", "tm", "cn", "np", "fj", "gl", "no", "et"])
        if kind == "sn":
            return r.choice(
                [
                    f"Villa n° {r.randint(1, 9999)}, {r.choice(['Sicap Liberté 6', 'HLM Grand Yoff', 'Cité Keur Gorgui', 'Ouakam'])}, Dakar",
                    f"Quartier {r.choice(['Sor', 'Ndar Toute', 'Guet Ndar'])}, Saint-Louis, BP {r.randint(100, 999)}",
                ]
            )
        if kind == "er":
            return f"{r.choice(['Harnet Avenue', 'Sematat Avenue', 'Street 171-1'])}, House No. {r.randint(1, 300)}, {r.choice(['Asmara', 'Keren', 'Massawa'])}, Eritrea"
        if kind == "kg":
            return r.choice(
                [
                    f"ул. {r.choice(['Киевская', 'Токтогула', 'Ахунбаева'])}, д. {n}, кв. {r.randint(1, 90)}, Бишкек 7200{r.randint(10, 99)}",
                    f"{r.choice(['Chui Ave', 'Manas Ave', 'Jibek Jolu'])} {n}, apt {r.randint(1, 90)}, Bishkek 7200{r.randint(10, 99)}",
                ]
            )
        if kind == "tj":
            return f"{r.choice(['Rudaki Ave', 'Ismoili Somoni St', 'Bokhtar St'])} {n}, apt. {r.randint(1, 80)}, Dushanbe 7340{r.randint(10, 99)}, Tajikistan"
        if kind == "tm":
            return f"{r.choice(['Magtymguly', 'Oguzhan', 'Bitarap Turkmenistan'])} {r.choice(['şaýoly', 'köçesi'])} {n}, jaý {r.randint(1, 90)}, Aşgabat 7440{r.randint(0, 9)}{r.randint(0, 9)}"
        if kind == "cn":
            return f"{r.choice(['Xinhua North Road', 'Youhao South Road', 'Jiefang Road'])} {n}, {r.choice(['Tianshan District', 'Saybagh District'])}, Urumqi, Xinjiang 8300{r.randint(0, 9)}{r.randint(0, 9)}"
        if kind == "np":
            return f"{r.choice(['Ward No.', 'Ward'])} {r.randint(1, 32)}, {r.choice(['Boudha', 'Jawalakhel', 'Swayambhu'])}, {r.choice(['Kathmandu', 'Lalitpur'])} 4460{r.randint(0, 9)}, Nepal"
        if kind == "fj":
            return f"Lot {r.randint(1, 400)}, {r.choice(['Ratu Sukuna Road', 'Waimanu Road', 'Queens Road', 'Namaka Lane'])}, {r.choice(['Suva', 'Nadi', 'Lautoka', 'Labasa'])}, Fiji"
        if kind == "gl":
            return f"{r.choice(['Aqqusinersuaq', 'Qupanuk', 'Imaneq', 'Nuussuaq'])} {n}, {r.choice(['3900 Nuuk', '3911 Sisimiut', '3952 Ilulissat'])}"
        if kind == "no":
            return f"{r.choice(['Finnmarksveien', 'Markanveien', 'Storgata', 'Bokstadveien'])} {n}, {r.choice(['9730 Karasjok', '9520 Kautokeino', '9900 Kirkenes', '9008 Tromsø'])}"
        return f"{r.choice(['Kebele 03', 'Kebele 11', 'Boku Shanan', 'Dabe Soloqe'])}, House {r.randint(1, 900)}, {r.choice(['Adama', 'Jimma', 'Shashemene', 'Nekemte'])}, Oromia"

    def date(self) -> str:
        r = self.r
        b = self._birth()
        if self._everyday():
            return r.choice(
                [
                    f"{b:%d/%m/%Y}",
                    f"{b:%m/%d/%Y}",
                    f"{b:%Y-%m-%d}",
                    f"{b.day} {_MONTHS['en'][b.month - 1]} {b.year}",
                    f"{_MONTHS['en'][b.month - 1][:3]} {b.day}, {b.year}",
                    f"{b:%d.%m.%Y}",
                    f"{b.month}/{b.day}/{b:%y}",
                ]
            )
        return r.choice(
            [
                f"{b.day:02d}-{_MONTHS['en'][b.month - 1][:3].upper()}-{b.year}",
                f"{b.day} {_MONTHS['fr'][b.month - 1]} {b.year}",
                f"{b.day} de {_MONTHS['ca'][b.month - 1]} de {b.year}"
                if b.month not in (4, 8, 10)
                else f"{b.day} d'{_MONTHS['ca'][b.month - 1]} de {b.year}",
                f"{b.day} {_MONTHS['cy'][b.month - 1]} {b.year}",
                f"{b.day}. {_MONTHS['no'][b.month - 1]} {b.year}",
                f"{b.day} {_MONTHS['ru'][b.month - 1]} {b.year} г.",
                f"{b.day}.{_ROMAN[b.month - 1]}.{b.year}",
                f"{b:%Y%m%d}",
                f"{b:%Y/%m/%d}",
                f"{b.year}年{b.month}月{b.day}日",
            ]
        )

    # --- national identifiers ----------------------------------------------------------
    def national_id(self) -> str:
        r = self.r
        kind = r.choice(
            ["us", "gb", "be", "dk", "cz", "ee", "es", "ca_sin"]
            if self._everyday()
            else ["bg", "lt", "at", "sg", "hk", "tw", "cn", "za", "no", "kg"]
        )
        return self.natid_of(kind)

    def natid_of(self, kind: str) -> str:
        r = self.r
        d = self._d
        b = self._birth(1950, 2006)
        if kind == "us":
            while True:
                a, g, s = r.randint(1, 899), r.randint(1, 99), r.randint(1, 9999)
                if a != 666:
                    break
            return r.choice(
                [f"{a:03d}-{g:02d}-{s:04d}", f"{a:03d} {g:02d} {s:04d}", f"{a:03d}{g:02d}{s:04d}"]
            )
        if kind == "gb":
            pre = r.choice(["JG", "KL", "NY", "PW", "RB", "SE", "TC", "WE", "AS", "HT"])
            v = f"{pre}{d(6)}{r.choice('ABCD')}"
            return r.choice([f"{v[:2]} {v[2:4]} {v[4:6]} {v[6:8]} {v[8]}", v, f"{v[:2]}{v[2:8]} {v[8]}"])
        if kind == "be":
            seq = r.randint(1, 998)
            body = f"{b:%y%m%d}{seq:03d}"
            num = int(("2" if b.year >= 2000 else "") + body)
            c = 97 - num % 97
            return r.choice(
                [f"{b:%y.%m.%d}-{seq:03d}.{c:02d}", f"{body}{c:02d}", f"{b:%y%m%d} {seq:03d} {c:02d}"]
            )
        if kind == "dk":
            tail = r.randint(0, 3999) if b.year < 2000 else r.randint(4000, 4999)
            return r.choice([f"{b:%d%m%y}-{tail:04d}", f"{b:%d%m%y}{tail:04d}"])
        if kind == "cz":
            while True:
                m = b.month + (50 if r.random() < 0.5 else 0)
                body = f"{b:%y}{m:02d}{b:%d}{r.randint(0, 999):03d}"
                c = int(body) % 11
                if c != 10:
                    return r.choice([f"{body[:6]}/{body[6:]}{c}", f"{body}{c}"])
        if kind == "ee":
            g = r.choice("34") if b.year < 2000 else r.choice("56")
            body = f"{g}{b:%y%m%d}{r.randint(1, 710):03d}"
            c = _wsum(body, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1)) % 11
            if c == 10:
                c = _wsum(body, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)) % 11 % 10
            return body + str(c)
        if kind == "es":
            num = r.randint(1_000_000, 79_999_999)
            letter = "TRWAGMYFPDXBNJZSQVHLCKE"[num % 23]
            return r.choice(
                [f"{num:08d}-{letter}", f"{num:08d}{letter}", f"{num:,}".replace(",", ".") + f"-{letter}"]
            )
        if kind == "ca_sin":
            v = _luhn(str(r.choice([1, 2, 4, 5, 6, 7])) + d(7))
            return r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", f"{v[:3]}-{v[3:6]}-{v[6:]}"])
        if kind == "bg":
            m = b.month + (40 if b.year >= 2000 else 0)
            body = f"{b:%y}{m:02d}{b:%d}{d(3)}"
            c = _wsum(body, (2, 4, 8, 5, 10, 9, 7, 3, 6)) % 11 % 10
            return body + str(c)
        if kind == "lt":
            g = r.choice("34") if b.year < 2000 else r.choice("56")
            body = f"{g}{b:%y%m%d}{d(3)}"
            c = _wsum(body, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1)) % 11
            if c == 10:
                c = _wsum(body, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)) % 11 % 10
            return body + str(c)
        if kind == "at":
            while True:
                serial = f"{r.randint(100, 999)}"
                c = _wsum(serial + f"{b:%d%m%y}", (3, 7, 9, 5, 8, 4, 2, 1, 6)) % 11
                if c != 10:
                    return r.choice([f"{serial}{c} {b:%d%m%y}", f"{serial}{c}{b:%d%m%y}"])
        if kind == "sg":
            pre = "S" if b.year < 2000 else "T"
            body = d(7)
            s = _wsum(body, (2, 7, 6, 5, 4, 3, 2)) + (4 if pre == "T" else 0)
            return f"{pre}{body}{'JZIHGFEDCBA'[s % 11]}"
        if kind == "hk":
            letter = r.choice("ACDEGHKPRVYZ")
            body = d(6)
            s = 36 * 9 + (ord(letter) - 55) * 8 + _wsum(body, (7, 6, 5, 4, 3, 2))
            c = (11 - s % 11) % 11
            ch = "A" if c == 10 else str(c)
            return r.choice([f"{letter}{body}({ch})", f"{letter}{body}{ch}"])
        if kind == "tw":
            letter = r.choice("ABFHKMNOQTUWXZ")
            body = f"{r.randint(1, 2)}{d(7)}"
            code = _TW[letter]
            s = code // 10 + (code % 10) * 9 + _wsum(body, (8, 7, 6, 5, 4, 3, 2, 1))
            return f"{letter}{body}{(10 - s % 10) % 10}"
        if kind == "cn":
            county = r.choice(["650102", "650104", "652801", "540102", "652101"])
            b = self._birth(1984, 2006)
            body = f"{county}{b:%Y%m%d}{d(3)}"
            return (
                body + "10X98765432"[_wsum(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)) % 11]
            )
        if kind == "za":
            v = _luhn(f"{b:%y%m%d}{r.randint(0, 9999):04d}{r.choice('01')}8")
            return v
        if kind == "no":
            while True:
                ind = r.randint(0, 499) if b.year < 2000 else r.randint(500, 999)
                body = f"{b:%d%m%y}{ind:03d}"
                k1 = (11 - _wsum(body, (3, 7, 6, 1, 8, 9, 4, 5, 2)) % 11) % 11
                if k1 == 10:
                    continue
                k2 = (11 - _wsum(body + str(k1), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11) % 11
                if k2 != 10:
                    return r.choice([f"{body}{k1}{k2}", f"{body[:6]} {body[6:]}{k1}{k2}"])
        # Kyrgyz personal number (PIN): sex digit, birth date, five-digit sequence
        return f"{r.choice('12')}{b:%d%m%Y}{d(5)}"

    def pesel(self) -> str:
        b = self._birth(1955, 2006)
        m = b.month + (20 if b.year >= 2000 else 0)
        body = f"{b:%y}{m:02d}{b:%d}{self._d(4)}"
        v = body + str((10 - _wsum(body, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)) % 10) % 10)
        return v if self.r.random() < 0.8 else f"{v[:6]} {v[6:]}"

    # --- badges and record numbers -----------------------------------------------------
    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(1000, 99999)}",
                    f"W{r.randint(100000, 999999)}",
                    f"ID-{r.randint(10000, 99999)}",
                    f"{r.choice(['DKR', 'NUK', 'SUV', 'FRU'])}-{r.randint(100, 999)}",
                    f"EE{r.randint(1000, 9999)}",
                    f"{r.randint(10, 99)}.{r.randint(1000, 9999)}",
                ]
            )
        return r.choice(
            [
                f"C{r.randint(1, 9)}-{r.randint(1000, 9999)}-{r.choice('ABCDEFGH')}",
                f"SAL/{r.randint(2010, 2026)}/{r.randint(1, 999):03d}",
                f"TM{r.randint(10, 99)}{r.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{r.randint(100, 999)}",
                f"P-{r.randint(100, 999)}-{r.randint(10, 99)}",
                f"{r.randint(1000, 9999)}K",
                f"stf{r.randint(10000, 99999)}",
            ]
        )

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(100000, 9999999)}",
                    f"{r.randint(0, 99999999):08d}",
                    f"{r.randint(100, 999)} {r.randint(100, 999)} {r.randint(1000, 9999)}",
                ]
            )
        return r.choice(
            [
                f"{r.randint(10, 99)}-{r.randint(10, 99)}-{r.randint(10, 99)}",
                f"{r.randint(1000000, 9999999)}/{r.randint(10, 26)}",
                f"{r.randint(2000, 2026)}.{r.randint(10000, 99999)}",
            ]
        )

    def mrn_token(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"HOSP{r.randint(100000, 999999)}",
                    f"PN-{r.randint(1000000, 9999999)}",
                    f"MR#{r.randint(100000, 999999)}",
                    f"CHN{r.randint(10000000, 99999999)}",
                    f"RX{r.randint(1000, 9999)}-{r.randint(100, 999)}",
                ]
            )
        return r.choice(
            [
                f"HNZ-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}",
                f"QMC.{r.randint(100000, 999999)}",
                f"PT{r.randint(10, 99)}/{r.randint(10000, 99999)}",
                self._nhi(),
                f"DOS-{r.randint(2018, 2026)}-{r.randint(10000, 99999)}",
                f"UR{r.randint(100000, 999999)}",
            ]
        )

    def _nhi(self) -> str:
        """A New Zealand NHI number (old form: three letters, four digits, mod 11 check)."""
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        while True:
            head = "".join(self.r.choice(letters) for _ in range(3)) + self._d(3)
            s = (
                sum(
                    (letters.index(c) + 1 if c.isalpha() else int(c)) * w
                    for c, w in zip(head, (7, 6, 5, 4, 3, 2), strict=True)
                )
                % 11
            )
            if s > 1:
                return head + str(11 - s)

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "high blood pressure",
                    "type 1 diabetes",
                    "gout",
                    "hypothyroidism",
                    "atrial fibrillation",
                    "rheumatoid arthritis",
                    "psoriasis",
                    "a peanut allergy",
                    "glaucoma",
                    "bipolar disorder",
                    "iron-deficiency anaemia",
                    "coeliac disease",
                    "a hernia",
                    "long COVID",
                    "shingles",
                ]
            )
        return r.choice(
            [
                "sickle cell disease",
                "tuberculosis",
                "hepatitis C",
                "lupus",
                "multiple sclerosis",
                "altitude sickness (HAPE)",
                "schizophrenia",
                "an eating disorder",
                "Parkinson's disease",
                "thalassaemia",
                "leprosy",
                "brucellosis",
                "chronic kidney disease stage 3",
                "PTSD",
                "endometriosis",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "trapped two fingers in the die set",
                "took a chemical splash to the forearm",
                "slipped on ice and broke a wrist",
                "strained his lower back lifting a reel",
                "was burned by hot wax on the neck",
                "lost the tip of a thumb",
                "got a hook cut on the palm",
                "was hit on the head by a falling bracket",
                "twisted her knee on the loading ramp",
                "got frostbite on three toes",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            [
                "off with a doctor's note until Friday",
                "on long-term sick leave",
                "signed off for stress",
                "in hospital since Tuesday",
                "on phased return after surgery",
                "home with a fever",
            ]
        )

    def outcome(self) -> str:
        return self.r.choice(
            [
                "stitches at A&E",
                "broken collarbone",
                "concussion, kept overnight",
                "graze only",
                "first-degree burn",
                "hairline fracture",
            ]
        )

    def medication(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "metformin 500 mg twice daily",
                    "amlodipine 5 mg",
                    "salbutamol inhaler",
                    "atorvastatin 20 mg",
                    "levothyroxine 50 mcg",
                    "omeprazole 20 mg",
                    "sertraline 50 mg",
                    "ibuprofen 400 mg",
                    "insulin glargine 18 units",
                    "warfarin",
                ]
            )
        return r.choice(
            [
                "tenofovir/lamivudine/dolutegravir",
                "rifampicin-isoniazid",
                "hydroxyurea 1 g",
                "methotrexate 15 mg weekly",
                "lithium carbonate 400 mg",
                "artemether-lumefantrine",
                "sofosbuvir/velpatasvir",
                "apixaban 5 mg",
                "clozapine 200 mg",
                "acetazolamide 250 mg",
            ]
        )

    def procedure(self) -> str:
        return self.r.choice(
            [
                "a colonoscopy",
                "cataract surgery",
                "a knee replacement",
                "an echocardiogram",
                "a tooth extraction",
                "a C-section",
                "chemotherapy cycle 3",
                "a biopsy of the thyroid",
                "an MRI of the lumbar spine",
                "dialysis",
                "a vasectomy",
                "an appendectomy",
                "IVF egg retrieval",
                "a skin graft",
            ]
        )

    # --- money -------------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        if self._everyday():
            prefix, length = r.choice(
                [("4", 16), ("4", 16), ("53", 16), ("2720", 16), ("37", 15), ("6011", 16)]
            )
        else:
            prefix, length = r.choice(
                [("3566", 16), ("62", 16), ("62", 19), ("36", 14), ("6759", 16), ("4", 13)]
            )
        num = _luhn(prefix + self._d(length - len(prefix) - 1))
        sep = r.choice([" ", " ", "-", ""])
        if length == 15:
            return f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        if length == 14:
            return f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        if length == 13:
            return num
        if length == 19:
            return f"{num[:6]}{sep}{num[6:]}" if sep else num
        return sep.join(num[i : i + 4] for i in range(0, 16, 4))

    def iban(self) -> str:
        r = self.r
        c = r.choice(
            ["DE", "GB", "FR", "ES", "NL", "IT"]
            if self._everyday()
            else ["BE", "NO", "DK", "AT", "CH", "IE", "FI", "GL"]
        )
        return self.iban_of(c)

    def iban_of(self, c: str) -> str:
        r = self.r
        d = self._d
        if c == "BE":
            body = self.r.choice(["001", "063", "068", "310", "363", "734", "737"]) + d(7)
            bban = f"{body}{int(body) % 97 or 97:02d}"
        elif c == "NO":
            while True:
                body = d(10)
                k = (11 - _wsum(body, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11) % 11
                if k != 10:
                    bban = f"{body}{k}"
                    break
        elif c == "GB":
            bban = r.choice(["BARC", "LOYD", "HBUK", "MIDL", "NAIA"]) + d(14)
        elif c == "NL":
            bban = r.choice(["RABO", "INGB", "ABNA", "SNSB"]) + d(10)
        elif c == "IT":
            bban = (
                r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + r.choice(["01015", "03069", "02008"]) + d(5) + d(12)
            )
        elif c == "FR":
            bban = d(10) + d(11) + d(2)
            key = 97 - (89 * int(bban[:5]) + 15 * int(bban[5:10]) + 3 * int(bban[10:21])) % 97
            bban = bban[:21] + f"{key:02d}"
        elif c == "ES":
            bank, branch, acct = d(4), d(4), d(10)

            def dc(s: str) -> str:
                v = 11 - _wsum(s.zfill(10), (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)) % 11
                return str({10: 1, 11: 0}.get(v, v))

            bban = bank + branch + dc("00" + bank + branch) + dc(acct) + acct
        else:
            bban = d({"DE": 18, "DK": 14, "AT": 16, "CH": 17, "IE": 18, "FI": 14, "GL": 14}[c])
            if c == "IE":
                bban = r.choice(["AIBK", "BOFI"]) + d(14)
            if c == "FI":
                bban = _luhn(d(13))
        iban = _iban(c, bban)
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if r.random() < 0.55 else iban

    # --- network -----------------------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                    f"192.168.{r.randint(0, 255)}.{r.randint(2, 254)}",
                    f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                    f"{r.choice([41, 62, 81, 102, 154, 196, 203])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                ]
            )
        h = lambda: f"{r.randint(0, 0xFFFF):x}"  # noqa: E731
        return r.choice(
            [
                f"2a02:{h()}:{h()}:{h()}::{h()}",
                f"fe80::{h()}:{r.randint(0, 255):x}ff:fe{r.randint(0, 255):02x}:{h()}",
                f"2c0f:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}",
                f"fd{r.randint(0, 255):02x}:{h()}:{h()}::{r.randint(1, 254)}",
                f"100.{r.randint(64, 127)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                f"::ffff:{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
            ]
        )

    def mac(self) -> str:
        r = self.r
        octets = [r.choice([0x00, 0x3C, 0xB8, 0xDC, 0xA4]), *(r.randint(0, 255) for _ in range(5))]
        if self._everyday():
            sep = r.choice([":", ":", "-"])
            text = sep.join(f"{o:02x}" for o in octets)
            return text if r.random() < 0.5 else text.upper()
        hexs = "".join(f"{o:02x}" for o in octets)
        return r.choice([f"{hexs[:4]}.{hexs[4:8]}.{hexs[8:]}", hexs.upper(), f"{hexs[:6]}-{hexs[6:]}"])

    def gps(self) -> str:
        r = self.r
        lat, lon = r.choice(
            [
                (14.7, -17.4),
                (15.3, 38.9),
                (42.9, 74.6),
                (38.6, 68.8),
                (37.9, 58.4),
                (43.8, 87.6),
                (29.6, 91.1),
                (-18.1, 178.4),
                (21.3, -157.8),
                (64.2, -51.7),
                (69.0, 23.0),
                (52.4, -4.1),
                (58.2, -6.4),
                (48.0, -4.1),
                (41.4, 2.2),
                (39.2, 9.1),
                (53.2, 5.8),
                (-31.6, 28.8),
            ]
        )
        lat += r.uniform(-0.3, 0.3)
        lon += r.uniform(-0.3, 0.3)
        ns, ew = "N" if lat >= 0 else "S", "E" if lon >= 0 else "W"
        if self._everyday():
            return r.choice(
                [
                    f"{lat:.6f}, {lon:.6f}",
                    f"{lat:.5f},{lon:.5f}",
                    f"{abs(lat):.4f}° {ns}, {abs(lon):.4f}° {ew}",
                ]
            )
        a, o = abs(lat), abs(lon)
        return r.choice(
            [
                f"{ns}{int(a)}° {(a % 1) * 60:.3f}' {ew}{int(o):03d}° {(o % 1) * 60:.3f}'",
                f"{int(a)}°{int(a % 1 * 60):02d}'{(a * 3600) % 60:04.1f}\"{ns} {int(o)}°{int(o % 1 * 60):02d}'{(o * 3600) % 60:04.1f}\"{ew}",
                f"{lat:.7f} {lon:.7f}",
                f"{ns} {a:.5f} {ew} {o:.5f}",
            ]
        )

    # --- secrets -----------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        rnd = self._rnd
        up, lo, hx = (
            string.ascii_uppercase + string.digits,
            string.ascii_lowercase + string.digits,
            "0123456789abcdef",
        )
        if self._everyday():
            return r.choice(
                [
                    "AKIA" + rnd(16, up),
                    "github_pat_11" + rnd(20, up) + "_" + rnd(59),
                    "sk_live_" + rnd(24),
                    "AIza" + rnd(35, string.ascii_letters + string.digits + "-_"),
                    "xoxp-"
                    + rnd(11, string.digits)
                    + "-"
                    + rnd(12, string.digits)
                    + "-"
                    + rnd(13, string.digits)
                    + "-"
                    + rnd(32, hx),
                    "glpat-" + rnd(20, string.ascii_letters + string.digits + "-_"),
                ]
            )
        return r.choice(
            [
                "SG."
                + rnd(22, string.ascii_letters + string.digits + "-_")
                + "."
                + rnd(43, string.ascii_letters + string.digits + "-_"),
                "SK" + rnd(32, hx),
                "npm_" + rnd(36),
                "hf_" + rnd(34, string.ascii_letters),
                "DefaultEndpointsProtocol=https;AccountName="
                + rnd(10, lo)
                + ";AccountKey="
                + rnd(86)
                + "==;EndpointSuffix=core.windows.net",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"
                + rnd(52, string.ascii_letters + string.digits + "+/")
                + "\n-----END OPENSSH PRIVATE KEY-----",
                "shpat_" + rnd(32, hx),
                "dop_v1_" + rnd(64, hx),
            ]
        )

    def password(self) -> str:
        r = self.r
        words = [
            "Teranga",
            "Mauna",
            "Bishkek",
            "Qajaq",
            "Cymru",
            "Bula",
            "Karasjok",
            "Nuuk",
            "Tsampa",
            "Ndar",
            "Kiteo",
            "Sardegna",
        ]
        if self._everyday():
            return r.choice(
                [
                    f"{r.choice(words)}{r.randint(2019, 2026)}{r.choice('!#$%*')}",
                    f"{r.choice(words).lower()}{r.randint(10, 99)}{r.choice(words)}",
                    f"{r.choice(words)}_{r.randint(100, 999)}",
                ]
            )
        return r.choice(
            [
                self._rnd(14, string.ascii_letters + string.digits + "!@#%^&*"),
                f"{r.choice(words).lower()}-{r.choice(words).lower()}-{r.choice(words).lower()}-{r.randint(1, 9)}",
                f"{r.choice(words)[0]}{r.randint(0, 9)}{self._rnd(6)}{r.choice('?!.')}{self._rnd(3, string.digits)}",
            ]
        )

    # --- negatives -----------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.choice(['KF', 'HX', 'TR'])}-{r.randint(100, 999)}-{r.choice('ABCDEFGH')}{r.randint(10, 99)}",
                f"{r.randint(10, 99)}.{r.randint(100, 999)}.{r.randint(10, 99)}-{r.randint(0, 9)}",
                f"P/N {r.randint(100000, 999999)}-{r.randint(10, 99)}",
                f"{r.choice(['6204', '6305', '22210', 'NU2208'])}-2RS{r.choice(['', '/C3'])}",
                f"M{r.choice([6, 8, 10, 12])}x{r.choice([20, 25, 35, 50])}-A2-70",
            ]
        )

    def serial(self) -> str:
        r = self.r
        return r.choice(
            [
                f"S/N {r.choice('ABCDEFGHJK')}{r.choice('ABCDEFGHJK')}{r.randint(10, 26)}{r.randint(10000, 99999)}",
                f"{r.randint(21, 26)}W{r.randint(1, 52):02d}{r.randint(10000, 99999)}",
                f"{self._rnd(4, string.ascii_uppercase)}{r.randint(100000, 999999)}",
                f"0x{r.randint(0, 2**32 - 1):08X}",
                f"SER-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}-{r.choice('XYZ')}",
            ]
        )

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=r.randint(0, 200 * 86400))
        return r.choice(
            [
                f"{t:%Y-%m-%d %H:%M:%S}",
                f"{t:%Y-%m-%dT%H:%M:%S}.{r.randint(0, 999):03d}+00:00",
                f"{t:%d/%m/%y %H:%M}",
                f"{t:%H:%M}",
                f"{int(t.timestamp() * 1000)}",
                f"{t:%b %d %H:%M:%S}",
            ]
        )

    def version(self) -> str:
        r = self.r
        return r.choice(
            [
                f"v{r.randint(0, 5)}.{r.randint(0, 30)}.{r.randint(0, 99)}",
                f"{r.randint(1, 12)}.{r.randint(0, 9)}-rc{r.randint(1, 5)}",
                f"build {r.randint(1000, 9999)}",
                f"{r.randint(2023, 2026)}.{r.randint(1, 12):02d}.{r.randint(0, 9)}",
            ]
        )

    def lot(self) -> str:
        r = self.r
        return r.choice(
            [
                f"L{r.randint(2024, 2026)}{r.randint(1, 366):03d}{r.choice('ABC')}",
                f"LOT {r.randint(10000, 99999)}/{r.randint(1, 9)}",
                f"B{r.randint(100, 999)}-{r.choice(['A', 'B', 'C'])}{r.randint(10, 99)}",
            ]
        )

    def ean(self) -> str:
        r = self.r
        return r.choice(
            [
                _gtin(r.choice(["600", "629", "622", "871", "840"]) + self._d(9)),
                _gtin("0" + self._d(10)),
                _gtin(r.choice(["2", "5"]) + self._d(6)),
            ]
        )

    def reading(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.uniform(-30, -15):.1f} °C",
                f"{r.uniform(2, 8):.1f}°C",
                f"{r.uniform(0.8, 14):.2f} mm/s RMS",
                f"{r.uniform(380, 415):.0f} V",
                f"{r.uniform(55, 98):.1f} dB(A)",
                f"{r.uniform(20, 80):.0f} %RH",
                f"{r.uniform(1, 60):.1f} kPa",
            ]
        )

    def order(self) -> str:
        r = self.r
        return r.choice(
            [
                f"SO-{r.randint(100000, 999999)}",
                f"1Z{self._rnd(6, string.ascii_uppercase + string.digits)}{r.randint(10, 99)}{r.randint(10000000, 99999999)}",
                f"WO{r.randint(2026, 2026)}-{r.randint(1000, 9999)}",
                f"#{r.randint(1000, 9999)}-{r.randint(100, 999)}",
                f"GRN {r.randint(10000, 99999)}",
                f"DN/{r.randint(1000, 9999)}",
            ]
        )


# The formats a site would configure for its own badge and record numbers (the
# appliance's employee_id_patterns and medical_record_patterns): one regex per format
# that B13Gen.badge, .mrn and .mrn_token issue, as specific as the format. Formats no
# regex tells from other numbers (bare or merely grouped or dotted digits) are left out.
# Used by the benchmark's "site patterns" run.
B13_SITE_PATTERNS: dict[str, list[str]] = {
    "employee_id_patterns": [
        r"\bW\d{6}\b",
        r"\bID-\d{5}\b",
        r"\b(?:DKR|NUK|SUV|FRU)-\d{3}\b",
        r"\bEE\d{4}\b",
        r"\bC\d-\d{4}-[A-H]\b",
        r"\bSAL/20\d{2}/\d{3}\b",
        r"\bTM\d{2}[A-HJ-NP-Z]\d{3}\b",
        r"\bP-\d{3}-\d{2}\b",
        r"\b\d{4}K\b",
        r"\bstf\d{5}\b",
    ],
    "medical_record_patterns": [
        r"\bHOSP\d{6}\b",
        r"\bPN-\d{7}\b",
        r"\bMR#\d{6}\b",
        r"\bCHN\d{8}\b",
        r"\bRX\d{4}-\d{3}\b",
        r"\bHNZ-\d{4}-\d{4}\b",
        r"\bQMC\.\d{6}\b",
        r"\bPT\d{2}/\d{5}\b",
        r"\b[A-HJ-NP-Z]{3}\d{4}\b",
        r"\bDOS-20\d{2}-\d{5}\b",
        r"\bUR\d{6}\b",
        r"(?<![\w/])\d{7}/(?:1\d|2[0-6])(?![\w/])",
    ],
}


# Written for the blind set b13 without reading the detector. New situations only: no
# sentence here appears in, or is edited from, the dev templates or b1-b12.
# fmt: off
B13_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Fish plant Nuuk, freezer tunnel 2: {person} {injury}; blast freezer held at {reading}. Supervisor {first} drove her to the hospital.",
        "shift_swap,{ts},from={person},{badge},to={person},{badge},approved",
        "{first} can you cover my Saturday on the extruder? mum is {sick}. text me back on {phone}",
        "[opcua]\nendpoint = opc.tcp://{ip}:4840\nuser = scada_ro\nsecret = {password}\ncert_thumb = {serial}",
        "Welcome aboard {person}! Your locker is 114, payroll number {badge}; the induction video is on the intranet at 08:30 on Monday.",
        "Wind farm crew transfer manifest\n- {person} (b. {dob}) tel {phone}\n- {person} (b. {dob}) tel {phone}\nVessel: CTV Skerry, departs {ts}",
        "Audiometry screening flagged {person} ({badge}) with {condition}; noise at the press line measured {reading}.",
        "mould change done on M-14, insert {part}, resin {lot}, first-off approved by {surname} at {ts}",
        "Gwaith cynnal a chadw: {person}, rhif staff {badge}, ffôn {phone_nat}.",
        "Torque tool {serial} returned to stores by {first}; calibration cert {lot}, next check {ts}.",
        "Overtime claim - {person}, employee {badge}, 6.5 h on Sunday, bank {iban}.",
        "anyone seen {first}'s keys? he left them by the CNC {serial} around {ts}",
        "Bëgg naa la jox xibaar: liggéeykat {person} dafa feebar, nimero {phone_nat}.",
        "{\"event\":\"forklift_impact\",\"truck\":\"{serial}\",\"g\":{=NEG:2.7},\"driver_badge\":\"{badge}\",\"pos\":\"{gps}\"}",
        "Reindeer-hide supplier {person} asks that the invoice go to {email}; account {iban}.",
        "Grievance meeting notes: {person} says a supervisor shared that he has {condition} with the whole crew. HR rep {first} to follow up.",
        "Access point {mac} upgraded to {version}; it rejoined the controller as {ip}.",
        "Medical surveillance recall: {person}, born {dob}, lead-in-blood retest; started {med} last month.",
        "The git remote in /opt/line-sync still carries a token: https://{secret}@git.example.com/ops/line-sync.git",
        "Уведомление: {person}, ПИН {natid}, телефон {phone_nat}, цех упаковки.",
        "Contractor permit-to-work #{=NEG:PTW-0931}: {person}, company Tundra Lifts, passport/ID {natid}, contact {email}.",
        "Temperature excursion on cold store door sensor {serial}: {reading} for 22 min from {ts}.",
        "Please update {person}'s home address in SAP to {address}; payslips keep bouncing back.",
        "Drug and alcohol test, random selection: {person} ({badge}) - declared {med} before the test.",
        "{surname} - fell from step ladder in the paint shop, {outcome}. CCTV {ts} kept.",
        "Leaver checklist for {person}: badge {badge} disabled, laptop {serial} returned, VPN account {email} closed.",
        "Pallet wrapper HMI default creds still active: admin / {password} (IP {ip})",
        "Nurse visit at the quarry: {person} {=HEALTH:short of breath on the haul road}; oxygen sat measured and sent to the clinic.",
        "Rota Gŵyl: {first} (Llun), {first} (Mawrth), {person} (Mercher)",
        "GPS collar on site vehicle {serial} parked at {gps} overnight; last driver {person}.",
        "Fitness-for-work form\nEmployee: {person}\nIdentity number: {natid}\nBorn: {dob}\nRestriction: no work at height ({condition})",
        "barcode scan {ean} qty {=NEG:240} bin {part} op {badge}",
    ),
    "clinic": (
        "Night sister's handover: {person} in bay 3, {condition}, on {med}; family asked to be phoned on {phone} if anything changes.",
        "PV1|1|I|ICU^04^B||||{=NEG:0047}^ATTEND|||||||||||{mrn_token}\nPID|1||{mrn}||{surname}^{first}||{dob}",
        "mahalo for coming in {first}! your {procedure} is booked, please fast from midnight. questions: {phone_nat}",
        "Specimen label misprint: tube carried {mrn_token} but the requisition says {person}; lab tech {badge} rejected it at {ts}.",
        "Clinic Wi-Fi: SSID Kaumatua-Staff, WPA key {password}. Do NOT put it on the whiteboard again.",
        "Pharmacy note - {person} (born {dob}) picked up {med}; next pickup in 28 days; counselled on side effects.",
        "Outreach nurse checked in from {gps} (household of {person}); the patient lives with {condition}.",
        "GP letter: {person}, {address}. Diagnosis {condition}. Please arrange {procedure} under the two-week rule.",
        "patient_id,family,given,sex,birth,phone\n{mrn},{surname},{first},F,{dob},{phone}",
        "Interpreter request (Tigrinya) for {person} (hosp. no. {mrn}), attending for {procedure} on Wed.",
        "Escalation: {person} refuses {med}; capacity assessment by Dr {surname} at {ts}.",
        "backup job failed: pg_dump to {ip} denied, connection string carried {secret}",
        "Stomatologia: pacjent {person}, PESEL {pesel}, zabieg {procedure}.",
        "Claim submitted on behalf of {person} by the policyholder {person}, SIN {natid}, services: {procedure}; reimbursement to {iban}.",
        "Hep C follow-up session {ts}: {person} ({mrn_token}) then {person} ({mrn_token}) then {person} ({mrn_token})",
        "Dear {first}, new results have been posted to the patient app. If you can't log in, reply to {email}.",
        "Ma'e dokter {surname}: pasienti {person}, nomoro {mrn}, qaama {condition}.",
        "DNAR discussion documented with {person}'s daughter ({phone_nat}); patient has {condition}.",
        "Vitals monitor {serial} bed 9 (MAC {mac}) dropped off the central station at {ts}.",
        "Card declined at reception for {person}: {card}. Balance of {=NEG:FJD 85.00} left open.",
        "Dental lab courier collected the crown for {person} ({mrn_token}), delivery slip {order}.",
        "Ambulance handover: {person}, aged about 60, picked up from {address}, {=HEALTH:GCS 13, suspected stroke}, on {med}.",
        "{\"patient\":{\"mrn\":\"{mrn_token}\",\"fullName\":\"{person}\",\"birth\":\"{dob}\"},\"allergy\":\"{=HEALTH:latex}\",\"ward\":\"{=NEG:5B}\"}",
        "Pasient {person}, fødselsnummer {natid}, innlagt for {condition}. Pårørende: {first}, {phone_nat}.",
        "Radiology PACS export from {ip} by user {email}: studies for {mrn} copied to USB.",
        "Fisioterapeuta: {person} ha de venir dimarts; diagnòstic {condition}; telèfon {phone}.",
        "Missed appointment x3: {person}, {dob}, {phone}. Discharged back to GP.",
        "Surgical list theatre 2: 08:00 {person} - {procedure}; 10:30 {person} - {procedure}",
        "Staff health: nurse {person} (payroll {badge}) {=HEALTH:tested positive for influenza A}; off until cleared.",
        "Fridge {serial} in the vaccine store: {reading} logged {ts}, controller {version}, no stock lost.",
        "Mother {person}, ID {natid}, delivered by {procedure}; baby boy, APGAR {=NEG:9/10}; father {person} present.",
    ),
    "retail": (
        "Click & collect #{=NEG:4471}: {person} will pick up today, confirm ID and call {phone} on arrival.",
        "terminal={serial} sw={version} acquirer={ip} txn_amt={=NEG:EUR 42.10} pan={card} rc=05",
        "{first} pls dont give the safe code to new starters, and the back office PC password is {password} now",
        "Customer complaint (e-mail from {email}): {person} says the delivery to {address} came two days late.",
        "Mystery shopper report for the Bangor store, staff member {person} ({badge}) scored 92%.",
        "Loyalty export\nid;name;dob;tier;email;phone\n{=NEG:88123};{person};{dob};gold;{email};{phone}",
        "Shelf-edge price query for {ean}: shelf shows {=NEG:£3.49}, till charged {=NEG:£3.99}.",
        "Returns desk: {person} returned item {part}, refund to card ending in full {card}.",
        "Stock transfer {order} from the Quimper depot, lot {lot}, pallets {=NEG:6}.",
        "Kaarten: klant {person}, telefoan {phone_nat}, adres {address}.",
        "Card skimmer found on the self-checkout 4 reader at {ts}; serial of the device {serial}.",
        "Hi team, {person} has {condition} - if she comes over faint on the shop floor, ring {phone} (her husband).",
        "Vendor onboarding: {person}, VAT contact {email}, bank {iban}, phone {phone}.",
        "CCTV request from police, incident {ts}: suspect paid with {card}, loyalty account belongs to {person}.",
        "Mobile money payment by {person} from {phone_nat}; reference {order}.",
        "ecommerce.env\nSTRIPE_KEY={secret}\nDB_HOST={ip}\nADMIN_EMAIL={email}",
        "Delivery van {serial} telematics: {gps}, speed {=NEG:48 km/h}, driver {person}.",
        "Gift receipt for {first} {surname}; item {part}; gift wrap, no price.",
        "Senior discount verified: {person}, born {dob}, pensioner card seen.",
        "Backroom scanner {serial} on {mac} got DHCP lease {ip} at {ts}.",
        "Umthengi {person} ucela ukuba umyalelo wakhe uthunyelwe ku {address}; inombolo {phone_nat}.",
        "Tobacco sale refused to {person}, ID shown {natid}, cashier {badge}.",
        "Layaway balance for {person}: {=NEG:$120.00} of {=NEG:$340.00}; phone {phone}.",
        "Staff discount abuse: employee {badge} used {card} for a friend's purchase at {ts}.",
        "Cliente {person}, NIE {natid}, vol factura a nom de l'empresa; correu {email}.",
        "Chiller C3 alarm: {reading} at {ts}, stock moved by {first}.",
        "Parcel {order} for {person}, {address}, left with neighbour; photo taken.",
        "Pharmacy counter: {person} asked for more {med}; the pharmacist {surname} phoned the GP.",
        "Wage advance: {person} ({badge}) to {iban}, paid on {=NEG:25/06}.",
        "Franchise POS admin: user {email} / pass {password}, server {ip}",
        "Goods-in: delivery note {order}; barcode {ean}; batch {lot}; probe {reading}.",
    ),
}
# fmt: on
