# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b15`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, tests, history
or figures) until its one blind run: seed 8123 on commit 0502e9b
(``privacy_blind_seeds.txt``). From now on its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``B15Gen`` -> ``B15Gen``, ``B15_TEMPLATES`` -> ``B15_TEMPLATES``,
``B15_SITE_PATTERNS`` -> ``B15_SITE_PATTERNS``, ``b15_names`` -> ``b15_names``, group
``blind`` -> ``b15``) and its seed log helpers left in ``privacy_blind.py``.

As first written: the blind split of the privacy corpus, set ``b15``.

A blind set is written (and committed) before the detector changes it is used to
judge, without reading the detector's code, tests, history or figures; it is run once
per report on a seed never run before and then retired into the dev split
(``privacy_retired_b1.py`` to ``privacy_retired_b14.py``). ``b15`` is the current one.

What ``b15`` is: a realistic sample of what a privacy gate on an edge appliance in
factories, clinics and shops around the world sees (Haiti and Curaçao, the Isle of
Man, Iceland, Luxembourg, Corsica and Friuli, Yucatán and Araucanía, Nunavut,
Kiribati, the Marshall Islands, Tuvalu and Vanuatu, Congo, Buryatia, Tuva and North
Ossetia, Bali, Timor-Leste, Paraguay, the Hmong communities of Laos and the American
Midwest, and the big markets of Europe, North America, Mexico and Australia). Each
generator draws the form of each value once: about 60 % everyday forms, about 40 %
less common but genuine ones. Separate from the dev split (``privacy_templates.py``,
``privacy_corpus.Gen`` and ``b1`` to ``b14``):

* templates: a sentence family of its own, none shared with or edited from the dev
  templates or ``b1`` to ``b14`` (checked with a word 5-gram overlap test against every
  one of them while it was written) -- prose notes, chat and SMS, e-mails, CSV and
  pipe-separated rows, JSON, YAML and INI snippets, key=value logs, HL7 segments and
  FHIR fragments, forms, and a few lines in Haitian Creole, Papiamentu, Tok Pisin,
  Bislama, Icelandic, Luxembourgish, Guarani, Gilbertese, Samoan, Marshallese,
  Corsican, Friulian, Manx, Hmong, Tetum, Inuktitut and Mapudungun;
* names: every Faker person locale and the hand-built ``b12``, ``b13`` and ``b14``
  peoples are read by the dev split, so the pools are built by hand (``_PEOPLES``)
  from given names and surnames of peoples none of them covers -- Haitian, Hmong,
  Mapuche, Yucatec Maya, Manx, Corsican, Friulian, Buryat, Tuvan, Ossetian,
  I-Kiribati, Marshallese, Tuvaluan, Congolese (Luba and Kongo), Inuit of Nunavut,
  Curaçaoan and Balinese -- minus every name of the dev pools (every Faker person
  locale, the romanised ``b4`` to ``b12`` pools and the hand-built ``b12`` to ``b14``
  ones); written as real systems write them ("First Last", "LAST, First",
  "Last, First", initials and surname, all caps) and in the order their countries use
  (Russian-style surname, given name and patronymic in Buryatia, Tuva and Ossetia,
  two surnames in Yucatán and Araucanía, name, post-name and first name in Congo,
  "I"/"Ni" before Balinese birth-order names, surname first on Corsican and Hmong
  forms);
* values: every one really of its class -- check digits computed here (and checked
  against python-stdnum where it knows the kind while the set was written), phones
  valid per ``phonenumbers``, real calendar dates -- for every class of the corpus,
  and negatives (part numbers, serials, timestamps, versions, lots, GTINs, readings,
  order and waybill numbers, amounts) at about a fifth of the slots; some texts hold
  no personal data at all;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG``, ``privacy_blind_seeds.txt``, records
  every blind run (seed, time, commit, set), so that a seed's figures are reported as
  blind only once; the bench warns when a seed is reused.

``B15_SITE_PATTERNS`` holds the badge and record number formats of the set's organisations
as their site would configure them (``employee_id_patterns``, ``medical_record_patterns``).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import pkgutil
import random
import string

import privacy_corpus as corpus
import privacy_retired_b14 as b14
from privacy_retired_b10 import _ROMAN, _gtin, _iban, _luhn, _mod11_10, _verhoeff, _wsum
from privacy_retired_b12 import _fold, _pools_without

# --- names ----------------------------------------------------------------------------
# Given names and surnames of peoples no Faker person locale and no earlier set covers,
# spelled as they are written at home. Balinese "given names" here are the birth-order
# names (Wayan, Made, ...) and the "surnames" the personal names filed after them;
# Kiribati and Tuvaluan surnames are often a father's given name.
# fmt: off
_PEOPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "haitian": (
        ("Wisly", "Jovenel", "Nadège", "Wilner", "Rodnie", "Evens", "Widline", "Guerline", "Ketly", "Mackenson", "Dieunel", "Kerline", "Fritznel", "Dieujuste", "Wideline", "Roselaure", "Jean-Robert", "Marie-Carmelle", "Fedner", "Nephtalie", "Wilguens", "Rosemitha"),
        ("Dorsainvil", "Toussaint", "Dessalines", "Desrosiers", "Estimé", "Magloire", "Célestin", "Fignolé", "Manigat", "Jean-Baptiste", "Pierre-Louis", "Saint-Fleur", "Charlemagne", "Dorélien", "Exantus", "Jean-Gilles", "Métellus", "Petit-Frère", "Sainvil", "Thélusma", "Valbrun", "Zéphirin", "Occilus", "Pierrilus", "Bellegarde"),
    ),
    "hmong": (
        ("Tou", "Kou", "Nou", "Chue", "Yeng", "Pheng", "Xee", "Bao", "Pakou", "Kia", "Touger", "Neng", "Blia", "Youa", "Shoua", "Nhia", "Fue", "Ntxhi", "Zoua", "Yer", "Mai Nou", "Pa Houa", "Txawj"),
        ("Vang", "Xiong", "Thao", "Moua", "Her", "Lor", "Vue", "Kue", "Khang", "Cha", "Thor", "Yang", "Hang", "Lo", "Pha", "Chang", "Yaj", "Vaj", "Xyooj", "Thoj", "Tsab", "Muas", "Hawj", "Vwj"),
    ),
    "mapuche": (
        ("Millaray", "Rayén", "Ayelén", "Relmu", "Aukan", "Pehuén", "Amankay", "Licán", "Ailén", "Nahuel", "Huenu", "Llanka", "Malén", "Liwen", "Anka", "Kallfu", "Ñanco", "Antü"),
        ("Huenchumilla", "Millapán", "Calfucura", "Ñancupil", "Painemal", "Catrileo", "Huilcamán", "Llancaqueo", "Curihuinca", "Quilaqueo", "Antileo", "Caniupán", "Marileo", "Nahuelpán", "Lefiñir", "Coliñir", "Huaiquil", "Ancalaf", "Cayuqueo", "Paillalef", "Queupumil", "Railaf"),
    ),
    "maya": (
        ("Itzel", "Ixchel", "Nicté", "Kinich", "Zazil", "Yatzil", "Canek", "Sac-Nicté", "Ixmucané", "Kauil", "Itzae", "Xunaan", "Yaax", "Chilam", "Ixcanil", "Balam"),
        ("Canul", "Pech", "Cauich", "Dzul", "Poot", "Tun", "Cocom", "Xiu", "Tzul", "Tzoc", "Batz", "Quiej", "Chablé", "Euán", "Huchim", "Kantún", "Pool", "Tuz", "Xool", "Couoh", "Dzib", "Noh", "Cen", "Uc"),
    ),
    "manx": (
        ("Illiam", "Breesha", "Moirrey", "Orry", "Aalish", "Ealish", "Fenella", "Voirrey", "Finlo", "Kerree", "Caillin", "Aalin", "Joney", "Juan", "Chalse", "Ciaran"),
        ("Quayle", "Kewley", "Quilliam", "Kermode", "Corlett", "Cregeen", "Faragher", "Kinvig", "Quirk", "Skillicorn", "Clague", "Callister", "Kneale", "Costain", "Mylchreest", "Quine", "Crellin", "Cubbon", "Gelling", "Teare", "Moughtin", "Qualtrough", "Corkill", "Kissack", "Shimmin", "Watterson"),
    ),
    "corsican": (
        ("Ghjuvan", "Ghjacumu", "Petru", "Santu", "Lisandru", "Ghjulia", "Francescu", "Anghjulu", "Paulu", "Ghjuvanna", "Dumenica", "Saveriu", "Ghjiseppu", "Orsu", "Anghjula", "Matteu", "Ghjorghju", "Marcu-Antone"),
        ("Santoni", "Pieri", "Colonna", "Luciani", "Paoli", "Simeoni", "Talamoni", "Acquaviva", "Filippi", "Giacomoni", "Mattei", "Peretti", "Quilichini", "Albertini", "Leca", "Casabianca", "Ceccaldi", "Cristofari", "Poggi", "Susini", "Antonetti", "Pietri", "Orsoni", "Battestini"),
    ),
    "friulian": (
        ("Bepi", "Meni", "Checo", "Vigji", "Ane", "Catine", "Lussie", "Jacun", "Sef", "Zuan", "Bastian", "Ursule", "Tite", "Nadâl", "Agnul", "Titute", "Rosute", "Gjenio"),
        ("Zanutta", "Pittana", "Candotti", "Cargnelutti", "Marcuzzi", "Tomasin", "Zorzut", "Strizzolo", "Screm", "Della Mea", "Cossettini", "Bearzi", "Missio", "Vidoni", "Tosolini", "Zamparo", "Cecotti", "Treppo", "Degano", "Pascolo", "Coianiz", "Petrucco", "Fachin", "Tavagnacco", "Cimenti"),
    ),
    "buryat": (
        ("Bair", "Bato", "Tsyren", "Dashi", "Bolot", "Zorikto", "Badma", "Dorzho", "Zhargal", "Munko", "Ayur", "Bimba", "Erzhena", "Sesegma", "Sayana", "Tuyana", "Aryuna", "Soyol", "Dulma", "Tsyrendulma", "Balzhit", "Darima", "Oyuna"),
        ("Tsybikov", "Dorzhiev", "Namsaraev", "Tsyrenov", "Dashiev", "Badmaev", "Zhamsuev", "Tsydenov", "Budaev", "Garmaev", "Dambaev", "Sanzhiev", "Baldanov", "Ayushiev", "Munkuev", "Tsyrempilov", "Zhigzhitov", "Dugarov", "Khamaganov"),
    ),
    "tuvan": (
        ("Aldar", "Sholban", "Buyan", "Orlan", "Aydash", "Sayan", "Aidyn", "Chingis", "Kezhik", "Ayas", "Kherel", "Choigan", "Aidysmaa", "Chechek", "Ayana", "Aylana", "Choduraa", "Shenne", "Saylyk", "Dolaana", "Aziyana", "Urana"),
        ("Kara-ool", "Oorzhak", "Mongush", "Ondar", "Kuular", "Dongak", "Saryglar", "Khomushku", "Seden", "Salchak", "Kuzhuget", "Sambuu", "Dorzhu", "Khovalyg", "Baikara", "Tumat", "Irgit", "Choodu", "Tulush"),
    ),
    "ossetian": (
        ("Soslan", "Zaurbek", "Taimuraz", "Batraz", "Khetag", "Elbrus", "Inal", "Akhsar", "Atsamaz", "Tamerlan", "Kazbek", "Alan", "Zarina", "Zalina", "Agunda", "Dzerassa", "Madina", "Fatima"),
        ("Dzasokhov", "Gergiev", "Tokaty", "Kuchiev", "Bagaev", "Gagloev", "Kokoev", "Tibilov", "Mamsurov", "Dzhioev", "Khetagurov", "Abaev", "Tsagolov", "Gazzaev", "Kabisov", "Bitarov", "Mamiev", "Pliev", "Kozaev", "Dzagoev", "Tuaev", "Kaloev", "Khadikov", "Tedeev"),
    ),
    "ikiribati": (
        ("Teburoro", "Anote", "Taneti", "Tebao", "Bwenaua", "Teuea", "Kaotitaake", "Tiarite", "Tekena", "Taberannang", "Banuera", "Ioane", "Tetiro", "Kourabi", "Ruateki", "Tekarei", "Teretia", "Tabwena", "Karotu"),
        ("Tito", "Maamau", "Tabai", "Teannaki", "Ientaake", "Beniamina", "Tiira", "Kirata", "Tokataake", "Taoaba", "Tebuai", "Rimon", "Teiwaki", "Kaiea", "Tekeeua", "Bauro", "Toatu", "Kamoriki", "Teweia"),
    ),
    "marshallese": (
        ("Litokwa", "Amata", "Kessai", "Jurelang", "Kitlang", "Mattlan", "Tomaki", "Biram", "Jiba", "Lijon", "Neijon", "Lomes", "Ataji", "Likatnin", "Jinna", "Bwilmar", "Kathy-Jo"),
        ("Kabua", "Heine", "Loeak", "Tomeing", "Zackhras", "deBrum", "Balos", "Langidrik", "Jetnil-Kijiner", "Anjain", "Kattil", "Lanki", "Jibas", "Lakjohn", "Riklon", "Lemari", "Kijiner", "Lometo"),
    ),
    "tuvaluan": (
        ("Enele", "Kausea", "Taukelina", "Iakopo", "Saufatu", "Apisai", "Seve", "Malaki", "Feleti", "Tomu", "Kamuta", "Maatia", "Fakavae", "Toaripi", "Kitiona", "Monise", "Laloniu", "Puakena", "Selu", "Teagai"),
        ("Sopoaga", "Natano", "Puapua", "Ielemia", "Tafaaki", "Latasi", "Paeniu", "Toafa", "Apinelu", "Tausi", "Italeli", "Tinilau", "Kofe", "Seluka", "Penitala", "Taafaki", "Lotoala", "Telavi", "Nivaga", "Kelesoma"),
    ),
    "congolese": (
        ("Nzuzi", "Makiese", "Ngalula", "Tshala", "Kanku", "Mputu", "Tshibola", "Nsimba", "Luzolo", "Mbombo", "Kapinga", "Glody", "Plamedi", "Dieumerci", "Exaucé", "Fiston", "Mwamini", "Kadima", "Merveille"),
        ("Mukendi", "Kalonji", "Ilunga", "Kasongo", "Mwamba", "Kabeya", "Mutombo", "Tshibangu", "Mbuyi", "Tshisekedi", "Kalala", "Ngandu", "Tshimanga", "Nkulu", "Kazadi", "Lukusa", "Mpiana", "Nsenga", "Banza", "Kabongo", "Makengo", "Kapita"),
    ),
    "inuit": (
        ("Pauloosie", "Jaypeetee", "Leetia", "Looee", "Mosesie", "Pitseolak", "Ningiuk", "Aalasi", "Ooleepeeka", "Elisapee", "Qaumajuq", "Sheouak", "Kenojuak", "Tagak", "Leesee", "Joanasie", "Iqaluk", "Natsiq", "Nuvuja", "Amaruq", "Kunuk", "Siku"),
        ("Kusugak", "Qiatsuk", "Arnatsiaq", "Oolayou", "Akeeagok", "Kilabuk", "Nuqingaq", "Aglukark", "Ashevak", "Pootoogook", "Ipellie", "Qumuatuq", "Kootoo", "Ootoova", "Killiktee", "Angnakak", "Tootoo", "Arreak", "Eegeesiak", "Quassa", "Enuaraq", "Okalik", "Netser", "Audla", "Kalluk"),
    ),
    "curacaoan": (
        ("Shurandy", "Quensley", "Jurich", "Curtley", "Shairienne", "Rignald", "Churandy", "Jandino", "Dyonne", "Sharline", "Shurwin", "Ginelly", "Xiomara", "Jurgen", "Gerlando", "Shanaira"),
        ("Martina", "Rojer", "Pietersz", "Koolman", "Thode", "Schotte", "Croes", "Eman", "Wever", "Janga", "Isenia", "Girigoria", "Cijntje", "Bernadina", "Leito", "Winklaar", "Rosaria", "Sillé", "Anthonia", "Fecunda", "Wawoe", "Statie"),
    ),
    "balinese": (
        ("Wayan", "Made", "Nyoman", "Ketut", "Putu", "Kadek", "Komang", "Gede", "Luh", "Nengah", "Gusti Ayu", "Ngurah"),
        ("Sudarta", "Suardana", "Mertayasa", "Sukarsa", "Artini", "Suastika", "Astawa", "Budiarta", "Darmayasa", "Parwata", "Sumerta", "Suparta", "Adnyana", "Sukerta", "Antari", "Sriasih", "Sudiani", "Ekayanti", "Puspawati", "Wiradana", "Arsana", "Karmini"),
    ),
}
# fmt: on

# Women's given names of the peoples whose surnames and patronymics agree in gender
# fmt: off
_FEMALE = frozenset(
    (
        "Erzhena", "Sesegma", "Sayana", "Tuyana", "Aryuna", "Soyol", "Dulma", "Tsyrendulma", "Balzhit", "Darima", "Oyuna",
        "Aidysmaa", "Chechek", "Ayana", "Aylana", "Choduraa", "Shenne", "Saylyk", "Dolaana", "Aziyana", "Urana",
        "Zarina", "Zalina", "Agunda", "Dzerassa", "Madina", "Fatima",
    )
)
# fmt: on
_PATRONYMIC_PEOPLES = ("buryat", "tuvan", "ossetian")


def _dev_names() -> set[str]:
    """Every name of the dev pools, folded: ``b14``'s dev names, the hand-built ``b14``
    pools, and every Faker person locale installed (whether or not a set listed it)."""
    dev = set(b14._dev_names())
    for first, last in b14._PEOPLES.values():
        dev |= {n.lower() for n in set(first) | set(last)}
    person = importlib.import_module("faker.providers.person")
    locales = tuple(m.name for m in pkgutil.iter_modules(person.__path__) if not m.name.startswith("_"))
    faker_first, faker_last = corpus.locale_names(locales)
    dev |= {n.lower() for n in set(faker_first) | set(faker_last)}
    return dev | {_fold(n) for n in dev}


@functools.cache
def b15_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{people: (first, last)}``: the hand-built pools minus every dev name."""
    return _pools_without(_PEOPLES, _dev_names())


# --- phones -----------------------------------------------------------------------------
# region: (country code, everyday?, national significant numbers with their digit groups
# ("#" a digit, "N" 2-9, a space between groups), trunk prefix) -- every pattern checked
# against phonenumbers (valid numbers, of that region) while the set was written.
# fmt: off
_PHONES: dict[str, tuple[str, bool, tuple[str, ...], str]] = {
    "US": ("1", True, ("651 N## ####", "559 N## ####", "414 N## ####", "916 N## ####"), "1"),
    "CA": ("1", True, ("204 N## ####", "613 N## ####"), "1"),
    "GB": ("44", True, ("7520 ######", "7946 ######", "7984 ######", "113 3## ####"), "0"),
    "FR": ("33", True, ("6 1# ## ## ##", "6 7# ## ## ##", "7 5# ## ## ##", "4 95 ## ## ##", "4 20 ## ## ##"), "0"),
    "IT": ("39", True, ("347 ### ####", "320 ### ####", "0432 ######"), ""),
    "DE": ("49", True, ("1573 #######", "1609 #######", "8941 ######"), "0"),
    "AU": ("61", True, ("412 ### ###", "438 ### ###", "8 92## ####"), "0"),
    "MX": ("52", True, ("999 ### ####", "55 #### ####"), ""),
    "IM": ("44", False, ("7624 4#####", "7624 9#####", "1624 6#####"), "0"),
    "HT": ("509", False, ("34 ## ####", "37 ## ####", "48 ## ####", "22 ## ####"), ""),
    "CW": ("599", False, ("9 51# ####", "9 56# ####", "9 46# ####"), ""),
    "IS": ("354", False, ("69# ####", "77# ####", "86# ####", "55# ####"), ""),
    "LU": ("352", False, ("621 ### ###", "661 ### ###", "691 ### ###", "26 ## ## ##"), ""),
    "KI": ("686", False, ("73## ####", "72## ####", "63## ####"), ""),
    "MH": ("692", False, ("625 ####", "455 ####", "247 ####"), ""),
    "TV": ("688", False, ("90 ####", "20 ###"), ""),
    "VU": ("678", False, ("5## ####", "77# ####", "22###"), ""),
    "CD": ("243", False, ("81 ### ####", "99 ### ####", "97 ### ####", "85 ### ####"), "0"),
    "CL": ("56", False, ("9 9### ####", "9 6### ####", "45 2## ####"), ""),
    "GT": ("502", False, ("5### ####", "4### ####"), ""),
    "RU": ("7", False, ("3012 ## ## ##", "39422 # ## ##", "8672 ## ## ##", "924 ### ## ##", "983 ### ## ##"), "8"),
    "ID": ("62", False, ("361 ######", "812 #### ####"), "0"),
    "TL": ("670", False, ("77## ####", "78## ####", "33# ####"), ""),
    "PY": ("595", False, ("981 ### ###", "21 ### ###"), "0"),
    "LA": ("856", False, ("20 55## ####", "20 22## ####", "21 ### ###"), "0"),
    "WS": ("685", False, ("72 #####", "75 #####"), ""),
}
# fmt: on

# month names of the languages the set's dates are written in
# fmt: off
_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"),
    "is": ("janúar", "febrúar", "mars", "apríl", "maí", "júní", "júlí", "ágúst", "september", "október", "nóvember", "desember"),
    "ht": ("janvye", "fevriye", "mas", "avril", "me", "jen", "jiyè", "out", "septanm", "oktòb", "novanm", "desanm"),
    "pap": ("yanüari", "febrüari", "mart", "aprel", "mei", "yüni", "yüli", "ougùstùs", "sèptèmber", "òktober", "novèmber", "desèmber"),
    "lb": ("Januar", "Februar", "Mäerz", "Abrëll", "Mee", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"),
    "co": ("ghjennaghju", "ferraghju", "marzu", "aprile", "maghju", "ghjugnu", "lugliu", "aostu", "sittembre", "uttrovi", "nuvembre", "dicembre"),
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"),
}
# fmt: on

# check-character tables of the Italian codice fiscale (odd and even positions)
# fmt: off
_CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23), strict=True))
# fmt: on
_CF_EVEN = {c: (int(c) if c.isdigit() else ord(c) - 65) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_CF_MONTH = "ABCDEHLMPRST"
_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"
_RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
# the four-letter words Mexican CURP and RFC issuers never print (the second letter becomes X)
# fmt: off
_INCONVENIENT = frozenset((
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE", "COGI",
    "COJA", "COJE", "COJI", "COJO", "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI", "GUEY", "JETA",
    "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE", "KOGI", "KOJA", "KOJE", "KOJI",
    "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO", "LOKA", "LOKO", "MAME", "MAMO", "MEAR", "MEAS",
    "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO", "NACA", "NACO", "PEDA", "PEDO", "PENE",
    "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO", "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO",
    "TETA", "VACA", "VAGA", "VAGO", "VAKA", "VUEI", "VUEY", "WUEI", "WUEY",
))
# fmt: on
_CONS = "BCDFGHJKLMNPQRSTVWXYZ"
_VOWELS = "AEIOU"


def _cf_check(body15: str) -> str:
    """Check letter of an Italian codice fiscale."""
    s = sum(_CF_ODD[c] if i % 2 == 0 else _CF_EVEN[c] for i, c in enumerate(body15))
    return chr(65 + s % 26)


def _curp_check(body17: str) -> str:
    s = sum(_CURP_ALPHABET.index(c) * (18 - i) for i, c in enumerate(body17))
    return str((10 - s % 10) % 10)


def _rfc_check(body12: str) -> str:
    s = sum(_RFC_ALPHABET.index(c) * (13 - i) for i, c in enumerate(body12.rjust(12)))
    return _RFC_ALPHABET[(11 - s) % 11]


def _inn12(body10: str) -> str:
    """A 12-digit Russian personal INN from its first ten digits."""
    c1 = _wsum(body10, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10
    c2 = _wsum(body10 + str(c1), (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10
    return f"{body10}{c1}{c2}"


def _ruc_dv(body: str) -> str:
    """Paraguayan RUC check digit (mod 11, weights 2 up from the right)."""
    s = sum((i + 2) * int(c) for i, c in enumerate(reversed(body)))
    return str((-s % 11) % 10)


def _awb(serial7: str) -> str:
    """An air waybill serial with its mod-7 check digit."""
    return f"{serial7}{int(serial7) % 7}"


class B15Gen(b14.B14Gen):
    """The blind split's values: same classes as the dev split, pools and forms of its own.
    Names, contact data, dates, national identifiers, badges and record numbers, health
    phrasing, money, places, credentials and negatives are written here; the helpers
    (everyday draw, random strings and digits, the birth date), the MAC and PESEL
    generators and the US, UK, Spanish, Canadian, Chilean and Icelandic identifiers are
    inherited from ``b14``/``b13``."""

    group_name = "b15"

    def __init__(self, rng: random.Random) -> None:
        corpus.LocaleGen.__init__(self, rng, b15_names())
        self._people = self.locales[0]

    # --- names -------------------------------------------------------------------------
    def _patronymic(self, first: list[str], female: bool) -> str:
        father = self.r.choice([n for n in first if n not in _FEMALE] or first)
        stem = father.replace("-", "")
        if stem[-1] in "aeiouy":
            return stem + ("evna" if female else "evich")
        return stem + ("ovna" if female else "ovich")

    @staticmethod
    def _female_surname(surname: str) -> str:
        return surname + "a" if surname.endswith(("ov", "ev", "in")) else surname

    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        p = self._people
        if r.random() < 0.35:
            if p in _PATRONYMIC_PEOPLES:
                fem = f in _FEMALE
                la = self._female_surname(la) if fem else la
                pat = self._patronymic(first, fem)
                return r.choice(
                    [
                        f"{la} {f} {pat}",
                        f"{la.upper()} {f} {pat}",
                        f"{la} {f[0]}. {pat[0]}.",
                        f"{f} {pat} {la}",
                    ]
                )
            if p in ("mapuche", "maya"):
                la2 = self._other(last, la)
                return r.choice([f"{f} {la} {la2}", f"{la} {la2}, {f}", f"{la.upper()} {la2.upper()} {f}"])
            if p == "congolese":
                la2 = self._other(last, la)
                return r.choice([f"{la.upper()} {la2.upper()} {f}", f"{la} {la2} {f}", f"{f} {la} {la2}"])
            if p == "balinese":
                return r.choice([f"I {f} {la}", f"Ni {f} {la}", f"{f} {la}"])
            if p in ("corsican", "hmong"):
                return f"{la.upper()} {f}"
            if p == "haitian":
                return f"{f} {self._other(first, f)} {la}"
        style = r.random()
        if style < 0.5:
            return f"{f} {la}"
        if style < 0.62:
            return f"{la.upper()}, {f}"
        if style < 0.7:
            return f"{la}, {f}"
        if style < 0.8:
            return f"{f[0]}. {la}"
        if style < 0.9:
            return f"{f} {la}".upper()
        return f"{f[0]}.{self._other(first, f)[0]}. {la}"

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()

        def local(name: str) -> str:
            return "".join(c for c in _fold(name) if c.isalnum())

        f, la = local(r.choice(first)), local(r.choice(last))
        if self._everyday():
            user = r.choice(
                [f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}", f"{la}.{f}", f"{f}{r.randint(1, 99)}", f"{f}_{la}"]
            )
            dom = r.choice(
                [
                    "gmail.com",
                    "gmail.com",
                    "hotmail.com",
                    "outlook.com",
                    "yahoo.com",
                    "yahoo.fr",
                    "icloud.com",
                    "live.com",
                    "orange.fr",
                    "libero.it",
                    "gmx.net",
                    "prodigy.net.mx",
                ]
            )
            return f"{user}@{dom}"
        user = r.choice(
            [
                f"{la}{f[0]}",
                f"{f}.{la}{r.randint(1960, 2005)}",
                f"{f}-{la}",
                f"{la.upper()}.{f}",
                f"{f}+{r.choice(['pharmacy', 'payslip', 'orders', 'lab'])}",
                f"{f[:3]}{la[:3]}{r.randint(10, 99)}",
            ]
        )
        dom = r.choice(
            [
                "manx.net",
                "simnet.is",
                "pt.lu",
                "vodafone.is",
                "laposte.net",
                "vtr.net",
                "qiniq.com",
                "ntamar.net",
                "tuvalu.tv",
                "vanuatu.com.vu",
                "yandex.ru",
                "mail.ru",
                "telkom.net",
                "hispeed.ch",
                "digicelhaiti.com",
                "curacao.com",
                "tigo.com.py",
                "uol.com.br",
                "isla-refinery.example.cw",
                "mary-river.example.ca",
                "nobles-hospital.example.im",
                "copra-mill.example.ki",
                "ajaccio-clinique.example.fr",
                "udine-fonderia.example.it",
                "merida-farmacia.example.mx",
            ]
        )
        return f"{user}@{dom}"

    def _nsn(self, region: str) -> list[str]:
        pat = self.r.choice(_PHONES[region][2])
        return [
            "".join(self._d(1) if c == "#" else str(self.r.randint(2, 9)) if c == "N" else c for c in g)
            for g in pat.split(" ")
        ]

    def _region(self) -> str:
        every = self._everyday()
        return self.r.choice([k for k, v in _PHONES.items() if v[1] == every])

    def phone(self) -> str:
        r = self.r
        region = self._region()
        cc = _PHONES[region][0]
        g = self._nsn(region)
        nsn = "".join(g)
        if cc == "7" and len(g) == 4:
            return r.choice(
                [f"+7 {g[0]} {g[1]}-{g[2]}-{g[3]}", f"+7 ({g[0]}) {g[1]}-{g[2]}-{g[3]}", f"+7{nsn}"]
            )
        if cc == "1":
            return r.choice(
                [
                    f"+1 {g[0]} {g[1]} {g[2]}",
                    f"+1 ({g[0]}) {g[1]}-{g[2]}",
                    f"+1-{g[0]}-{g[1]}-{g[2]}",
                    f"+1{nsn}",
                ]
            )
        style = r.random()
        if style < 0.55:
            return f"+{cc} {' '.join(g)}"
        if style < 0.7:
            return f"+{cc}{nsn}"
        if style < 0.8:
            return f"+{cc}-{'-'.join(g)}"
        if style < 0.9:
            return f"00{cc} {' '.join(g)}"
        return f"+{cc} (0) {' '.join(g)}" if _PHONES[region][3] == "0" else f"(+{cc}) {' '.join(g)}"

    def phone_national(self) -> str:
        r = self.r
        region = self._region()
        cc, _, _, trunk = _PHONES[region]
        g = self._nsn(region)
        nsn = "".join(g)
        if cc == "1":
            return r.choice([f"({g[0]}) {g[1]}-{g[2]}", f"{g[0]}-{g[1]}-{g[2]}", f"{g[0]}.{g[1]}.{g[2]}"])
        if cc == "7" and len(g) == 4:
            return r.choice([f"8 ({g[0]}) {g[1]}-{g[2]}-{g[3]}", f"8-{g[0]}-{g[1]}{g[2]}{g[3]}"])
        if cc == "33":
            return r.choice([f"0{' '.join(g)}", f"0{'.'.join(g)}", f"0{nsn}"])
        return r.choice(
            [
                f"{trunk}{' '.join(g)}",
                f"{trunk}{nsn}",
                f"{trunk}{g[0]}-{''.join(g[1:])}" if len(g) > 1 else f"{trunk}{nsn}",
            ]
        )

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 199)
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(100, 2999)} {r.choice(['University Ave W', 'Payne Ave', 'Rice St', 'Arcade St'])}, {r.choice(['St Paul, MN 551', 'Saint Paul MN 551'])}{r.randint(1, 30):02d}",
                    f"{r.randint(1000, 6999)} {r.choice(['E Kings Canyon Rd', 'N Blackstone Ave', 'E Belmont Ave'])}, Fresno, CA 937{r.randint(1, 28):02d}",
                    f"{n} {r.choice(['Athol Street', 'Bucks Road', 'Victoria Street', 'Peel Road'])}, {r.choice(['Douglas', 'Onchan', 'Ramsey'])}, Isle of Man IM{r.randint(1, 9)} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                    f"{n} {r.choice(['Kirkgate', 'Wellington Street', 'Otley Road'])}, Leeds LS{r.randint(1, 17)} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                    f"{n} {r.choice(['cours Napoléon', 'boulevard Paoli', 'avenue Pascal Paoli'])}, {r.choice(['20000 Ajaccio', '20200 Bastia', '20250 Corte'])}",
                    f"{r.choice(['Via Mercatovecchio', 'Via Aquileia', 'Viale Venezia', 'Via Cividale'])} {r.randint(1, 120)}, {r.choice(['33100 Udine (UD)', '33033 Codroipo UD', '33043 Cividale del Friuli UD'])}",
                    f"{r.choice(['Luxemburger Straße', 'Kaiserstraße', 'Hauptstraße'])} {n}, {r.choice(['54290 Trier', '66111 Saarbrücken', '52062 Aachen'])}",
                    f"{n} {r.choice(['Pembina Hwy', 'Portage Ave', 'Bank St'])}, {r.choice(['Winnipeg, MB R3T 2E1', 'Winnipeg MB R3G 0N5', 'Ottawa, ON K1S 3W4'])}",
                    f"{r.randint(1, 40)}/{n} {r.choice(['Hay Street', 'Beaufort Street', 'Albany Hwy'])}, {r.choice(['Perth WA 6000', 'Mount Lawley WA 6050', 'Victoria Park WA 6100'])}",
                    f"Calle {r.randint(20, 70)} No. {r.randint(100, 699)} x {r.randint(20, 70)} y {r.randint(20, 70)}, {r.choice(['Centro', 'Col. García Ginerés', 'Col. Itzimná'])}, {r.choice(['97000', '97070', '97100'])} Mérida, Yuc.",
                ]
            )
        return r.choice(
            [
                f"{r.choice(['Rue Grégoire', 'Rue Lamarre', 'Delmas 33', 'Rue Capois'])} #{r.randint(1, 90)}, {r.choice(['Pétion-Ville', 'Delmas', 'Port-au-Prince', 'Cap-Haïtien'])}, Haïti",
                f"{r.choice(['Kaya Flamboyan', 'Kaya Grandi', 'Kaya Seru Domi', 'Santa Rosaweg'])} {r.randint(1, 80)}, {r.choice(['Willemstad', 'Santa Rosa', 'Barber'])}, Curaçao",
                f"{r.choice(['Laugavegur', 'Hafnarstræti', 'Hringbraut', 'Glerárgata'])} {r.randint(1, 120)}, {r.choice(['101 Reykjavík', '107 Reykjavík', '600 Akureyri', '220 Hafnarfirði'])}",
                f"{r.randint(1, 99)}, {r.choice(['rue de la Gare', 'rue de Hollerich', 'avenue de la Liberté', 'Grand-Rue'])}, L-{r.randint(1010, 9999)} {r.choice(['Luxembourg', 'Esch-sur-Alzette', 'Ettelbruck'])}",
                f"Av. {r.choice(['Alemania', 'Caupolicán', 'Pablo Neruda'])} {r.randint(10, 1999):04d}, {r.choice(['Temuco', 'Padre Las Casas', 'Villarrica'])}, Región de La Araucanía",
                f"Building {r.randint(100, 1999)}, {r.choice(['Rankin Inlet, NU X0C 0G0', 'Cambridge Bay, NU X0B 0C0', 'Pond Inlet, NU X0A 0S0', 'Igloolik NU X0A 0L0'])}",
                f"{r.choice(['Bairiki', 'Betio', 'Bikenibeu', 'Teaoraereke'])}, South Tarawa, Kiribati",
                f"P.O. Box {r.randint(100, 3999)}, {r.choice(['Majuro', 'Ebeye'])}, MH 969{r.choice(['60', '70'])}",
                f"{r.choice(['Vaiaku', 'Fakaifou', 'Alapi', 'Senala'])}, Funafuti, Tuvalu",
                f"PO Box {r.randint(100, 9999)}, {r.choice(['Rue de Paris', 'Kumul Highway', 'Lini Highway'])}, Port Vila, Vanuatu",
                f"Avenue {r.choice(['Kasa-Vubu', 'du Commerce', 'Lukusa', 'Mama Yemo'])} n° {r.randint(1, 400)}, {r.choice(['Commune de Kalamu, Kinshasa', 'Commune de la Gombe, Kinshasa', 'Commune de Lubumbashi, Haut-Katanga'])}",
                f"ул. {r.choice(['Смолина', 'Ербанова', 'Балтахинова'])}, д. {r.randint(1, 90)}, кв. {r.randint(1, 150)}, Улан-Удэ, 6700{r.randint(0, 4)}{r.randint(0, 9)}",
                f"ул. {r.choice(['Кочетова', 'Тувинских добровольцев', 'Красноармейская'])}, д. {r.randint(1, 120)}, Кызыл, Республика Тыва, 667000",
                f"пр. Мира, д. {r.randint(1, 60)}, кв. {r.randint(1, 90)}, Владикавказ, 3620{r.randint(0, 4)}{r.randint(0, 9)}",
                f"Jl. {r.choice(['Raya Ubud', 'Hanoman', 'Gatot Subroto Barat', 'Teuku Umar'])} No. {r.randint(1, 240)}, {r.choice(['Ubud, Gianyar, Bali 80571', 'Denpasar, Bali 80117', 'Kuta, Badung 80361'])}",
                f"{r.choice(['Rua de Balide', 'Avenida Nicolau Lobato', 'Rua Jacinto Cândido'])} {r.randint(1, 200)}, {r.choice(['Dili', 'Comoro, Dili', 'Becora, Dili'])}, Timor-Leste",
                f"{r.choice(['Avda. Mcal. López', 'Calle Palma', 'Avda. España'])} {r.randint(100, 3999)} c/ {r.choice(['Brasil', 'Perú', 'Tacuary'])}, Asunción, Paraguay",
                f"Ban {r.choice(['Phonxay', 'Nongbone', 'Sisavath'])}, {r.choice(['Xaysetha District', 'Chanthabouly District'])}, Vientiane, Lao PDR",
            ]
        )

    # --- dates -------------------------------------------------------------------------
    def date(self) -> str:
        r = self.r
        b = self._birth(1946, 2008)
        if self._everyday():
            return r.choice(
                [
                    f"{b:%d/%m/%Y}",
                    f"{b:%m/%d/%Y}",
                    f"{b:%Y-%m-%d}",
                    f"{b:%d.%m.%Y}",
                    f"{b.day} {_MONTHS['en'][b.month - 1]} {b.year}",
                    f"{_MONTHS['en'][b.month - 1]} {b.day}, {b.year}",
                    f"{b.day} {_MONTHS['en'][b.month - 1][:3]} {b.year}",
                    f"{b:%d-%m-%Y}",
                ]
            )
        m = b.month - 1
        return r.choice(
            [
                f"{b.day}. {_MONTHS['is'][m]} {b.year}",
                f"{b.day} {_MONTHS['ht'][m]} {b.year}",
                f"{b.day} di {_MONTHS['pap'][m]} {b.year}",
                f"{b.day}. {_MONTHS['lb'][m]} {b.year}",
                f"{b.day} di {_MONTHS['co'][m]} {b.year}",
                f"{b.day} {_MONTHS['id'][m]} {b.year}",
                f"{b.day} de {_MONTHS['es'][m]} de {b.year}",
                f"{b.day:02d} {_MONTHS['ru'][m]} {b.year} г.",
                f"le {b.day} {_MONTHS['fr'][m]} {b.year}",
                f"{b.day}-{_ROMAN[m]}-{b.year}",
                f"{b.day}/{b.month}/{b:%y}",
                f"{b.year}.{b.month:02d}.{b.day:02d}",
                f"{b.day:02d}{_MONTHS['en'][m][:3].upper()}{b.year}",
            ]
        )

    # --- national identifiers ----------------------------------------------------------
    def national_id(self) -> str:
        r = self.r
        kind = r.choice(
            ["us", "gb", "ca_sin", "es", "fr", "it", "de", "mx_curp", "nl"]
            if self._everyday()
            else ["fr_corse", "is", "lu", "ru_inn", "id_nik", "py_ruc", "cl", "mx_rfc", "in_aadhaar"]
        )
        return self.natid_of(kind)

    def natid_of(self, kind: str) -> str:
        r = self.r
        d = self._d
        b = self._birth(1948, 2006)
        if kind in ("fr", "fr_corse"):
            if kind == "fr_corse":
                dep = r.choice(["2A", "2B"])
                commune = r.choice(
                    ["004", "033", "050", "096", "247", "272"]
                    if dep == "2A"
                    else ["033", "096", "148", "272", "366"]
                )
            else:
                dep = r.choice(["13", "31", "33", "59", "67", "69", "75", "92", "93"])
                commune = f"{r.randint(1, 400):03d}"
            body = f"{r.choice('12')}{b:%y%m}{dep}{commune}{r.randint(1, 999):03d}"
            key = 97 - int(body.replace("2A", "19").replace("2B", "18")) % 97
            return r.choice(
                [
                    f"{body}{key:02d}",
                    f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:]} {key:02d}",
                ]
            )
        if kind == "it":
            female = r.random() < 0.5
            head = (
                "".join(r.choice(_CONS) for _ in range(2))
                + r.choice(_VOWELS)
                + "".join(r.choice(_CONS) for _ in range(3))
            )
            day = b.day + (40 if female else 0)
            town = r.choice(["L483", "C817", "C758", "E098", "G888", "L195"])
            body = f"{head}{b:%y}{_CF_MONTH[b.month - 1]}{day:02d}{town}"
            return body + _cf_check(body)
        if kind == "de":
            while True:
                body = str(r.randint(1, 9)) + d(9)
                repeated = [body.count(c) for c in set(body) if body.count(c) > 1]
                if len(repeated) == 1 and repeated[0] in (2, 3) and not any(c * 3 in body for c in set(body)):
                    v = body + _mod11_10(body)
                    return r.choice([v, f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}"])
        if kind == "nl":
            while True:
                body = d(8)
                s = _wsum(body, (9, 8, 7, 6, 5, 4, 3, 2)) % 11
                if s != 10 and body[0] != "0":
                    v = body + str(s)
                    return r.choice([v, f"{v[:4]}.{v[4:6]}.{v[6:]}"])
        if kind in ("mx_curp", "mx_rfc"):
            letters = r.choice(_CONS) + r.choice(_VOWELS) + r.choice(_CONS) + r.choice(_CONS + _VOWELS)
            if letters in _INCONVENIENT:
                letters = letters[0] + "X" + letters[2:]
            if kind == "mx_rfc":
                homo = r.choice("123456789ABCDEFGHIJKLMNPQRSTUV") + r.choice(
                    "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
                )
                body = f"{letters}{b:%y%m%d}{homo}"
                v = body + _rfc_check(body)
                return r.choice([v, f"{v[:4]}-{v[4:10]}-{v[10:]}"])
            state = r.choice(["YN", "YN", "QR", "CS", "DF", "CM", "TC"])
            inner = "".join(r.choice(_CONS) for _ in range(3))
            diff = str(r.randint(0, 9)) if b.year < 2000 else r.choice("ABCDEFGH")
            body = f"{letters}{b:%y%m%d}{r.choice('HM')}{state}{inner}{diff}"
            return body + _curp_check(body)
        if kind == "lu":
            # Luxembourg matricule: birth date, three digits, a Luhn and a Verhoeff digit
            # of those eleven (python-stdnum has no check for it)
            body = f"{b:%Y%m%d}{d(3)}"
            return f"{body}{_luhn(body)[-1]}{_verhoeff(body)[-1]}"
        if kind == "ru_inn":
            region = r.choice(["03", "17", "15", "03"])
            v = _inn12(f"{region}{r.randint(1, 99):02d}{d(6)}")
            return v
        if kind == "id_nik":
            place = r.choice(["5171", "5103", "5104", "5102", "5108"])
            day = b.day + (40 if r.random() < 0.5 else 0)
            return f"{place}{r.randint(1, 9):02d}{day:02d}{b:%m%y}{r.randint(1, 9999):04d}"
        if kind == "py_ruc":
            body = str(r.randint(600_000, 7_999_999))
            return f"{body}-{_ruc_dv(body)}"
        if kind == "in_aadhaar":
            while True:
                v = _verhoeff(str(r.randint(2, 9)) + d(10))
                if v != v[::-1]:
                    return r.choice([f"{v[:4]} {v[4:8]} {v[8:]}", v])
        return super().natid_of(kind)

    # --- badges and record numbers -----------------------------------------------------
    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(1000000, 9999999)}",
                    f"EID{r.randint(100000, 999999)}",
                    f"{r.choice(['CUR', 'IOM', 'MRY', 'UDN'])}{r.randint(10000, 99999)}",
                    f"T{r.randint(100, 999)}-{r.randint(1000, 9999)}",
                    f"{r.randint(10, 99)}/{r.choice('ABCDEFGH')}/{r.randint(100, 999)}",
                ]
            )
        return r.choice(
            [
                f"X{r.randint(1, 9)}{r.choice('KMPQ')}{r.randint(1000, 9999)}",
                f"OP{r.randint(1, 4)}-{r.randint(100, 999)}",
                f"{r.randint(1000, 9999)}-{r.choice(['NU', 'KI', 'VU', 'MH'])}",
                f"{r.choice('ABCDEFGHJK')}{r.choice('ABCDEFGHJK')}-{r.randint(10000, 99999)}",
                f"ID{r.randint(2010, 2026)}{r.choice('ABCD')}{r.randint(100, 999)}",
            ]
        )

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(10000000, 99999999)}",
                    self._mrn_luhn(),
                    f"{r.randint(10, 26)}{r.choice('ABCDEFGHJK')}{r.randint(10000, 99999)}",
                ]
            )
        return r.choice(
            [
                f"{r.randint(10000, 99999)}/{r.randint(2010, 2026)}",
                f"{r.randint(1000000, 9999999)}{'ABCDEFGHJK'[r.randint(0, 9)]}",
            ]
        )

    def _mrn_luhn(self) -> str:
        v = _luhn(f"{self.r.randint(10, 99)}{self.r.randint(10000, 99999)}")
        return f"{v[:2]}-{v[2:7]}-{v[7]}"

    def mrn_token(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"NOB{r.randint(100000, 999999)}",
                    f"LSH-{r.randint(1000000, 9999999)}",
                    f"CHL{r.randint(10000000, 99999999)}",
                    f"NHC-{r.randint(100000, 999999)}",
                    f"PAC{r.randint(100000, 999999)}",
                ]
            )
        return r.choice(
            [
                f"HUEH/{r.randint(2010, 2026)}/{r.randint(1000, 9999)}",
                f"QGH.{r.randint(100000, 999999)}",
                f"TCH{r.randint(1000, 9999)}-{r.choice('ABCDEFGH')}",
                f"VCH-{r.randint(10000, 99999)}",
                f"HNGV {r.randint(100000, 999999)}",
                f"HHHA-{r.randint(100000, 999999)}-{r.randint(0, 9)}",
                f"RSUP{r.randint(10000000, 99999999)}",
            ]
        )

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "high cholesterol",
                    "osteoarthritis of the knee",
                    "sciatica",
                    "a stomach ulcer",
                    "hay fever",
                    "eczema",
                    "carpal tunnel syndrome",
                    "a frozen shoulder",
                    "gallstones",
                    "irritable bowel syndrome",
                    "ADHD",
                    "postnatal depression",
                    "type 2 diabetes on insulin",
                    "heart failure",
                    "a urinary tract infection",
                ]
            )
        return r.choice(
            [
                "dengue fever",
                "chikungunya",
                "leptospirosis",
                "lymphatic filariasis",
                "ciguatera poisoning",
                "Chagas disease",
                "typhoid",
                "cholera",
                "rheumatic heart disease",
                "hydatid disease",
                "cystic fibrosis",
                "Huntington's disease",
                "haemophilia A",
                "narcolepsy",
                "silicosis",
                "vibration white finger",
                "noise-induced hearing loss",
                "mesothelioma",
                "myasthenia gravis",
                "drug-resistant TB",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "caught his sleeve in the auger and dislocated an elbow",
                "got caustic soda in both eyes",
                "crushed a foot under a copra sack trolley",
                "was scalded by steam from a ruptured line",
                "cut her palm on a fish-filleting knife",
                "fell two metres from a scaffold tower",
                "inhaled chlorine fumes at the dosing skid",
                "took an electric shock from a junction box",
                "tore a hamstring loading the container",
                "was stung by a stonefish on the jetty",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            [
                "off work with a medical certificate for ten days",
                "on leave after a miscarriage",
                "admitted with chest pains on Sunday",
                "off sick with burnout",
                "recovering from a hernia operation",
                "quarantined with suspected measles",
            ]
        )

    def outcome(self) -> str:
        return self.r.choice(
            [
                "three stitches and a tetanus shot",
                "fractured radius, in plaster",
                "sent home with a sprain",
                "second-degree burns to the forearm",
                "kept in for observation overnight",
                "no visible injury, checked by the medic",
            ]
        )

    def medication(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "paracetamol 1 g four times a day",
                    "co-amoxiclav 625 mg",
                    "losartan 50 mg",
                    "bisoprolol 2.5 mg",
                    "lansoprazole 30 mg",
                    "citalopram 20 mg",
                    "prednisolone 5 mg",
                    "empagliflozin 10 mg",
                    "semaglutide 0.5 mg weekly",
                    "montelukast 10 mg",
                    "furosemide 40 mg",
                ]
            )
        return r.choice(
            [
                "benznidazole",
                "doxycycline 100 mg twice daily",
                "ivermectin 12 mg",
                "albendazole 400 mg",
                "benzathine penicillin G monthly",
                "emicizumab injections",
                "pyridostigmine 60 mg",
                "buprenorphine patch 10 mcg/h",
                "bedaquiline",
                "ferrous sulfate 200 mg",
            ]
        )

    def procedure(self) -> str:
        return self.r.choice(
            [
                "a hip arthroscopy",
                "an upper GI endoscopy",
                "a cardiac catheterisation",
                "a cervical smear",
                "a mammogram",
                "a tonsillectomy",
                "a hysterectomy",
                "a carpal tunnel release",
                "a root canal",
                "a lumbar puncture",
                "a pacemaker fitting",
                "an inguinal hernia repair",
                "a bone marrow biopsy",
                "a CT angiogram",
                "an amputation of two toes",
            ]
        )

    # --- money -------------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        if self._everyday():
            prefix, length = r.choice(
                [("4", 16), ("4", 16), ("51", 16), ("54", 16), ("2221", 16), ("34", 15), ("6011", 16)]
            )
        else:
            prefix, length = r.choice(
                [
                    ("2202", 16),
                    ("2204", 16),
                    ("6212", 19),
                    ("3530", 16),
                    ("6759", 16),
                    ("36", 14),
                    ("6521", 16),
                    ("4", 19),
                ]
            )
        num = _luhn(prefix + self._d(length - len(prefix) - 1))
        sep = r.choice([" ", " ", "-", ""])
        if length in (14, 15):
            return f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        if length == 19:
            return sep.join([num[:4], num[4:8], num[8:12], num[12:16], num[16:]]) if sep else num
        return sep.join(num[i : i + 4] for i in range(0, 16, 4))

    def iban(self) -> str:
        r = self.r
        if self._everyday():
            return self.iban_of(r.choice(["DE", "GB", "FR", "ES", "NL", "IT"]))
        return self.iban_of(r.choice(["LU", "IS", "TL", "LU", "IS", "BE", "CH"]))

    def iban_of(self, c: str) -> str:
        r = self.r
        d = self._d
        if c == "LU":
            bban = r.choice(["001", "002", "003", "019", "014", "141"]) + self._rnd(
                13, string.digits + string.ascii_uppercase
            )
        elif c == "IS":
            kt = self.natid_of("is").replace("-", "")
            bban = (
                r.choice(["0101", "0133", "0515", "0301", "0162"]) + r.choice(["26", "05", "15"]) + d(6) + kt
            )
        elif c == "TL":
            bban = r.choice(["008", "003"]) + d(14) + r.choice(["57", "12", "90"])
        else:
            return super().iban_of(c)
        iban = _iban(c, bban)
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if r.random() < 0.55 else iban

    # --- network and places ------------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"192.168.{r.randint(0, 255)}.{r.randint(2, 254)}",
                    f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                    f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                    f"{r.choice([45, 77, 89, 130, 157, 181, 190, 200, 202])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                ]
            )
        h = lambda: f"{r.randint(1, 0xFFFF):x}"  # noqa: E731
        return r.choice(
            [
                f"2803:{h()}:{h()}:{h()}::{h()}",
                f"2407:{h()}:{h()}::{h()}:{h()}",
                f"2a01:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}",
                f"fd{r.randint(0, 255):02x}:{h()}:{h()}:{h()}::{h()}",
                f"169.254.{r.randint(1, 254)}.{r.randint(1, 254)}",
                f"::ffff:10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
            ]
        )

    def gps(self) -> str:
        r = self.r
        lat, lon = r.choice(
            [
                (18.54, -72.34),
                (12.11, -68.93),
                (54.15, -4.48),
                (64.14, -21.94),
                (49.61, 6.13),
                (41.92, 8.74),
                (46.06, 13.24),
                (20.97, -89.62),
                (-38.74, -72.60),
                (62.81, -92.09),
                (1.33, 172.98),
                (7.09, 171.38),
                (-8.52, 179.20),
                (-17.73, 168.32),
                (-4.32, 15.31),
                (-11.66, 27.48),
                (51.83, 107.58),
                (51.72, 94.45),
                (43.02, 44.68),
                (-8.51, 115.26),
                (-8.56, 125.57),
                (44.95, -93.10),
                (-25.28, -57.63),
                (17.97, 102.61),
            ]
        )
        lat += r.uniform(-0.2, 0.2)
        lon += r.uniform(-0.2, 0.2)
        ns, ew = "N" if lat >= 0 else "S", "E" if lon >= 0 else "W"
        a, o = abs(lat), abs(lon)
        if self._everyday():
            return r.choice(
                [
                    f"{lat:.6f}, {lon:.6f}",
                    f"{lat:.5f},{lon:.5f}",
                    f"{a:.5f}° {ns}, {o:.5f}° {ew}",
                    f"{a:.4f}{ns} {o:.4f}{ew}",
                ]
            )
        return r.choice(
            [
                f"{int(a)}°{int(a % 1 * 60)}'{a * 3600 % 60:.1f}\"{ns}, {int(o)}°{int(o % 1 * 60)}'{o * 3600 % 60:.1f}\"{ew}",
                f"{int(a):02d}{a % 1 * 60:07.4f},{ns},{int(o):03d}{o % 1 * 60:07.4f},{ew}",
                f"POINT ({lon:.6f} {lat:.6f})",
                f"geo:{lat:.6f},{lon:.6f};u=15",
                f"[{lon:.5f}, {lat:.5f}]",
                f"{ns}{int(a)} {a % 1 * 60:.3f} {ew}{int(o)} {o % 1 * 60:.3f}",
            ]
        )

    # --- credentials -------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        rnd = self._rnd
        al = string.ascii_letters + string.digits
        hx = "0123456789abcdef"
        if self._everyday():
            return r.choice(
                [
                    "ghp_" + rnd(36),
                    "AKIA" + rnd(16, string.ascii_uppercase + "234567"),
                    "sk_live_" + rnd(99),
                    "xoxb-" + rnd(12, string.digits) + "-" + rnd(13, string.digits) + "-" + rnd(24),
                    "AIza" + rnd(35, al + "-_"),
                    "sk-proj-" + rnd(48, al + "-_") + "T3BlbkFJ" + rnd(48, al + "-_"),
                    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
                    + rnd(64, al + "+/")
                    + "\n"
                    + rnd(64, al + "+/")
                    + "\n-----END PRIVATE KEY-----",
                ]
            )
        return r.choice(
            [
                "rk_live_" + rnd(99),
                "sk-ant-api03-" + rnd(93, al + "-_") + "AA",
                "lin_api_" + rnd(40),
                "PMAK-" + rnd(24, hx) + "-" + rnd(34, hx),
                "tskey-auth-k" + rnd(10) + "CNTRL-" + rnd(33),
                "glsa_" + rnd(32) + "_" + rnd(8, hx),
                "key-" + rnd(32, hx),
                "sq0atp-" + rnd(22, al + "-_"),
                "ATATT3xFfGF0" + rnd(180, al + "-_=") + "=" + rnd(8, string.ascii_uppercase + string.digits),
                "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI"
                + rnd(55, al + "+/")
                + "\n"
                + rnd(64, al + "+/")
                + "\n-----END EC PRIVATE KEY-----",
                "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: "
                + rnd(8, string.ascii_lowercase)
                + "\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI"
                + rnd(43, al + "+/")
                + "\nPrivate-Lines: 1\nAAAAI"
                + rnd(43, al + "+/"),
            ]
        )

    def password(self) -> str:
        r = self.r
        words = [
            "Kreyol",
            "Dushi",
            "Mannin",
            "Tarawa",
            "Funafuti",
            "Ubud",
            "Katanga",
            "Temuco",
            "Kyzyl",
            "Baikal",
            "Hekla",
            "Korsika",
            "Furlan",
            "Majuro",
            "Nunavut",
            "Mérida",
            "Tavola",
            "Selenga",
        ]
        if self._everyday():
            return r.choice(
                [
                    f"{r.choice(words)}{r.randint(2020, 2026)}!",
                    f"{r.choice(words)}@{r.randint(100, 999)}",
                    f"{r.choice(words).lower()}{r.randint(1, 99)}{r.choice('#$%&*')}",
                    f"{r.choice(words)}{r.choice(words)}{r.randint(1, 9)}",
                ]
            )
        return r.choice(
            [
                self._rnd(16, string.ascii_letters + string.digits + "!$%&()*+,-.:;<=>?@[]^_~"),
                f"{r.choice(words).lower()} {r.choice(words).lower()} {r.choice(words).lower()} {r.randint(10, 99)}",
                f"{r.choice(words)[:3].upper()}{self._rnd(4, string.digits)}{r.choice(words)[-3:]}{r.choice('?!')}",
                self._rnd(24, "0123456789abcdef"),
            ]
        )

    # --- negatives -----------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice(
            [
                f"DSBC-{r.choice([25, 32, 40, 50])}-{r.choice([50, 100, 160, 200])}-PPVA-N3",
                f"E3Z-{r.choice(['D61', 'D62', 'R61', 'T61'])}",
                f"CQ2B{r.choice([20, 25, 32])}-{r.choice([10, 20, 30])}DZ",
                f"09 {r.choice([14, 33])} {r.randint(0, 24):03d} {r.randint(2600, 3101)}",
                f"3RT{r.randint(2015, 2028)}-1{r.choice('ABC')}{r.choice('BFP')}4{r.randint(0, 2)}",
                f"R9113{r.randint(10000, 99999)}",
                f"{r.choice(['6205', '6308', '32210', 'NJ2312'])}{r.choice(['-ZZ', 'ZZC3', '-2Z/C3', ''])}",
            ]
        )

    def serial(self) -> str:
        r = self.r
        return r.choice(
            [
                f"FDO{r.randint(2101, 2652)}{self._rnd(4, string.ascii_uppercase + string.digits)}",
                f"SN: {r.randint(1, 9)}{r.choice('KLMN')}{r.randint(10**9, 10**10 - 1)}",
                f"C0{self._rnd(10, string.ascii_uppercase + string.digits)}",
                f"{r.randint(2021, 2026)}-{r.randint(1, 52):02d}-{r.randint(100000, 999999)}",
                f"{self._rnd(3, string.ascii_uppercase)}{r.randint(10, 26)}{r.choice('ABCDEFGHJKL')}{r.randint(10000, 99999)}",
            ]
        )

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=r.randint(0, 250 * 86400))
        return r.choice(
            [
                f"{t:%Y-%m-%d %H:%M:%S},{r.randint(0, 999):03d}",
                f"{t:%a, %d %b %Y %H:%M:%S} +0000",
                f"{t:%Y%m%dT%H%M%SZ}",
                f"[{t:%d/%b/%Y:%H:%M:%S} +0000]",
                f"{t:%H}h{t:%M}",
                f"{t:%d/%m/%Y %H:%M}",
                f"{t:%Y-%m-%dT%H:%M}",
            ]
        )

    def version(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}-b{r.randint(100, 999)}",
                f"v{r.randint(2024, 2026)}.{r.randint(1, 12)}",
                f"R{r.randint(18, 26)}.{r.randint(1, 4)}.{r.randint(0, 9)}",
                f"{r.randint(1, 3)}.{r.randint(0, 30)}.{r.randint(0, 9)}+git.{self._rnd(7, '0123456789abcdef')}",
                f"FW {r.randint(1, 9)}.{r.randint(0, 99):02d}",
            ]
        )

    def lot(self) -> str:
        r = self.r
        return r.choice(
            [
                f"LOT# {r.randint(24, 26)}{r.choice('ABCDEFGHJK')}{r.randint(10, 31)}{r.choice('ABC')}",
                f"Ch.-B. {r.randint(2300000, 2699999)}",
                f"LT-{r.randint(2025, 2026)}-{r.randint(1, 12):02d}{r.randint(1, 28):02d}-{r.randint(1, 9):02d}",
                f"{r.randint(100, 999)}{r.choice('XYZ')}{r.randint(1000, 9999)}",
            ]
        )

    def ean(self) -> str:
        r = self.r
        return r.choice(
            [
                _gtin(r.choice(["569", "750", "780", "784", "899", "460", "613", "540"]) + self._d(9)),
                _gtin(self._d(11)),
                _gtin(r.choice(["569", "750", "899"]) + self._d(4)),
                _gtin(r.choice(["1", "5"]) + self._d(12)),
            ]
        )

    def reading(self) -> str:
        r = self.r
        return r.choice(
            [
                f"pH {r.uniform(5.5, 8.5):.2f}",
                f"{r.uniform(4, 20):.1f} mA",
                f"{r.uniform(985, 1035):,.1f} hPa",
                f"{r.uniform(0, 35):.1f} ppm CO",
                f"{r.uniform(5, 90):.1f} Nm",
                f"{r.randint(900, 3000)} rpm",
                f"{r.uniform(-25, -18):.1f} °C",
                f"{r.uniform(0.1, 4.5):.2f} g",
            ]
        )

    def order(self) -> str:
        r = self.r
        return r.choice(
            [
                f"SO#{r.randint(100000, 999999)}",
                f"INV-{r.randint(2025, 2026)}-{r.randint(1, 99999):05d}",
                f"AWB {r.choice(['176', '074', '057', '618'])}-{_awb(f'{r.randint(0, 9999999):07d}')}",
                f"RMA-{r.randint(10000, 99999)}",
                f"{r.choice(['CUR', 'IOM', 'REK'])}-ORD-{r.randint(100000, 999999)}",
                f"#{r.randint(100000, 999999)}",
            ]
        )


# The formats a site would configure for its own badge and record numbers (the
# appliance's employee_id_patterns and medical_record_patterns): one regex per format
# that B15Gen.badge, .mrn and .mrn_token issue, as specific as the format. Formats no
# regex tells from other numbers (bare digits) are left out. Used by the benchmark's
# "site patterns" run.
B15_SITE_PATTERNS: dict[str, list[str]] = {
    "employee_id_patterns": [
        r"\bEID\d{6}\b",
        r"\b(?:CUR|IOM|MRY|UDN)\d{5}\b",
        r"\bT\d{3}-\d{4}\b",
        r"(?<![\w/])\d{2}/[A-H]/\d{3}(?![\w/])",
        r"\bX\d[KMPQ]\d{4}\b",
        r"\bOP[1-4]-\d{3}\b",
        r"\b\d{4}-(?:NU|KI|VU|MH)\b",
        r"\b[A-HJK]{2}-\d{5}\b",
        r"\bID20[12]\d[A-D]\d{3}\b",
    ],
    "medical_record_patterns": [
        r"(?<![\w-])\d{2}-\d{5}-\d(?![\w-])",
        r"\b(?:1\d|2[0-6])[A-HJK]\d{5}\b",
        r"(?<![\w/])\d{5}/20[12]\d(?![\w/])",
        r"\b\d{7}[A-HJK]\b",
        r"\bNOB\d{6}\b",
        r"\bLSH-\d{7}\b",
        r"\bCHL\d{8}\b",
        r"\bNHC-\d{6}\b",
        r"\bPAC\d{6}\b",
        r"\bHUEH/20[12]\d/\d{4}\b",
        r"\bQGH\.\d{6}\b",
        r"\bTCH\d{4}-[A-H]\b",
        r"\bVCH-\d{5}\b",
        r"\bHNGV \d{6}\b",
        r"\bHHHA-\d{6}-\d\b",
        r"\bRSUP\d{8}\b",
    ],
}


# Written for the blind set b15 without reading the detector. New situations only: no
# sentence here appears in, or is edited from, the dev templates or b1-b14.
# fmt: off
B15_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Tarawa copra mill: press operator {person} ({badge}) {injury} while clearing a jam at {ts}; {first} bandaged it on the spot.",
        "badge_no|full_name|cell|locker\n{badge}|{person}|{phone}|L-{=NEG:212}",
        "yo {first} can't do the 6am start, my little girl is {sick}. ring me on {phone_nat} if the kiln acts up",
        "[historian]\nserver = {ip}\nlogin = hist_reader\npwd = {password}\nretention_days = 400",
        "Refinery turnaround, Curaçao: permit holder {person} (ID {natid}), escorted by {person}; gate pass expires {ts}.",
        "Charter to the Mary River camp\n1. {person} - born {dob} - {phone}\n2. {person} - born {dob} - {phone}\nWheels up {ts}",
        "Audiogram for {person} ({badge}) shows {condition}; crusher house peaks at {reading}.",
        "Annealing furnace 4 recipe {version} loaded, charge {lot}, thermocouple {serial} reading {reading}.",
        "Wokman {person}, namba {badge}, i kisim bagarap long han long {ts}; dokta {surname} i lukim em pinis.",
        "Hose {part} on press 9 burst again. Replacement raised on {order}; line down about three hours, reported by {first}.",
        "Sea allowance for the Majuro longline crew: {person} -> {iban}; {person} -> {iban}.",
        "whose thermos is this?? left next to the tuna loin table since {ts}, pretty sure it's {first}'s",
        "Travayè {person} blese nan men l jodi a, li gen {outcome}. Rele madanm li nan {phone_nat}.",
        "{\"evt\":\"man_down\",\"tag\":\"{serial}\",\"worker\":\"{person}\",\"emp\":\"{badge}\",\"loc\":\"{gps}\"}",
        "The seaweed grower {person} wants her statements at {email} from now on and payment into {iban}.",
        "Return-to-work plan, {person}: no forklift while taking {med}; occupational health to review after {procedure}.",
        "LLDP on the packing-hall switch: port 23 sees {mac}, management address {ip}, image {version}.",
        "Collapsed in the boiler house: {person} ({dob}); the crew say he has {condition}.",
        "The CI job printed the registry credential for the HMI images in plain text: REGISTRY_TOKEN={secret}",
        "Visitor from the Udine office: {person}, codice fiscale {natid}, reachable at {email}.",
        "Fan {serial} vibration {reading}; {person} wants bearing {part} swapped at the next stop.",
        "Could payroll send {person}'s final payslip to the new home address please: {address}",
        "Breathalyser interlock on truck {serial} stopped {person} ({badge}); he says he is on {med}.",
        "{surname} came off the mezzanine stairs, {outcome}. Stairs taped off, camera footage from {ts} kept.",
        "Leaver: {person}. Clock card {badge} deactivated, radio {serial} returned, private e-mail for the P45: {email}.",
        "The robot cell teach pendant still accepts the integrator's login - integrator / {password} on controller {ip}.",
        "Starfsmaður {person} kemur ekki á vaktina í dag, hann er {sick}. Sími {phone_nat}.",
        "Stacker crane fault E{=NEG:4471} in aisle 6, PLC {serial}, firmware {version}. Reset by maintenance.",
        "date,shift,lead,lead_phone,tonnes\n{ts},B,{person},{phone},{=NEG:41.7}",
        "Noise dosimeter on {person} ({badge}) logged {reading} over the shift; booked for a hearing test.",
        "Chemical store keys are held by {person} (badge {badge}), {person} (badge {badge}) and {person} (badge {badge}).",
        "alerting:\n  oncall: {person}\n  sms: {phone}\n  mail: {email}\n  escalate_after: 15m",
        "Wokman {person} i kasem kil long leg, {outcome}. Namba blong famli blong hem {phone_nat}.",
        "Medevac from the drill pad: {person} flown to Iqaluit with {condition}; superintendent {person} told.",
        "Kaizen card {=NEG:58}: move the pallet-jack charger away from fire exit 3. Idea by {person} ({badge}).",
        "Night premium missing for {=NEG:3} shifts on {person}'s payslip ({badge}); bank account on file {iban}.",
        "Weighbridge ticket {order}: gross {=NEG:38,420 kg}, haulier driver {person}, mobile {phone}.",
        "Mba'apohára {person} oñembyai ipo ko pyharépe, oho hospital-pe. Pumbyry: {phone_nat}.",
        "site=MRY user={email} src={ip} action=vpn_login result=ok client={version}",
        "Lamp room: cap lamp out to {person} (tag {badge}), returned {ts}.",
        "Contractor induction signed: {person}, Lualaba Électro SARL, pièce d'identité {natid}, tel {phone}.",
        "guys {first} is in Nobles with {condition}, there's a card going round the fitters' cabin",
        "Release agent {ean}, batch {lot}, on hold until the supplier certificate arrives; buyer {person} chasing on {phone}.",
        "{badge};{person};{dob};{iban};{=NEG:2026-05}",
        "Trahadó {person} a sinti su mes malu riba trabou; e tin {condition}. Yama su kasá na {phone_nat}.",
        "Geofence alarm: loader 7 left the pit boundary at {gps}, operator {person} ({badge}).",
        "Sick note for {person} arrived - {sick}. Questions to HR at {email}.",
        "Someone pasted the gateway key into the shift log, please rotate:\n{secret}",
        "Canteen card: {person}, {=HEALTH:severe shellfish allergy}, carries an adrenaline pen; extension {=NEG:2214}.",
        "Line 2 OEE {=NEG:71.4 %} in week {=NEG:19}; biggest loss was the format change, scrap lot {lot}.",
        "Fuel card {card} of the pool car swiped by {person} on a Sunday night.",
        "Boot voucher: {person}, size {=NEG:43}, courier it to {address}.",
        "Moghrey mie {first}, ta {person} ching jiu as cha jig eh gys yn obbyr. Fone {phone_nat}.",
        "[mes_db]\nhost={ip}\nuser=mes_writer\npassword={password}\n; owner: {email}",
        "Forklift ticket renewal for {person}, born {dob}; medical done, needs glasses for driving.",
        "Cable drum {serial}, {reading} net, shipped on {order} to {person}, {address}.",
        "22:00 handover - {person} went home after he {injury}; {person} is covering the evaporators.",
        "U travagliadore {person}, numeru {badge}, hè malatu oghje; u so telefonu hè {phone_nat}.",
        "{ts},{badge},{person},TURNSTILE-3,GRANTED",
        "Blast freezer {serial} up to {reading}; refrigeration engineer {person} on call at {phone}.",
        "DNS log: {ip} ({mac}) keeps querying a crypto-mining pool. The laptop is assigned to {person}.",
        "Coveralls for new starter {first} {surname}: two sets, size L, stock code {part}.",
        "Il lavoradôr {person} al è stât ferît, {outcome}. Telefon di cjase {phone_nat}.",
        "Seal strength on {ean} came out at {reading}; lot {lot} held, {surname} signed the release.",
        "Te tia mwakuri {person} e aoraki ni {condition}. Am tareboon: {phone_nat}.",
        "Ammonia awareness session: {person} {badge}; {person} {badge}; trainer {surname}.",
        "SMS from {phone}: at gate 2 with pass {badge}, security won't let me through",
        "Agency worker {person}, PESEL {pesel}, starts on the filleting line Monday; lodging at {address}.",
        "Torque check on flange {part}: {reading}, wrench {serial}, done by {person} ({badge}).",
        "Compressor room walk-round at {ts}: oil pressure {reading}, dryer {serial} OK, no leaks.",
    ),
    "clinic": (
        "Labour ward, Port-au-Prince: {person}, née le {dob}, admitted 4 cm dilated; husband {person}, {phone}.",
        "record,surname,given,born,island\n{mrn},{surname},{first},{dob},Funafuti",
        "Hi {first}, our records say your smear is overdue. Call {phone_nat} to book or reply STOP.",
        "Haemodialysis: {person} ({mrn_token}) moves to the evening session; on {med}, background of {condition}.",
        "Pasyan {person}, dosye {mrn_token}, vini pou {procedure}. Telefòn fanmi: {phone}.",
        "DISCHARGE SUMMARY\nPatient: {person}\nBorn: {dob}\nUnit number: {mrn}\nDiagnosis: {condition}\nPlan: {procedure} in six weeks",
        "{\"resourceType\":\"Encounter\",\"subject\":{\"display\":\"{person}\",\"identifier\":\"{mrn_token}\"},\"reasonCode\":\"{condition}\",\"period\":{\"start\":\"{ts}\"}}",
        "Minors: {person} presented after she {injury}; temp {reading}; reviewed by Dr {surname}.",
        "Pre-authorisation request - {person}, scheme member {natid}: {procedure}, hospital file {mrn}.",
        "Specimen fridge {serial} at {ts}: {reading}. Swab batch {lot} within range.",
        "Pasiente {person}, numeru {mrn_token}, iha moras {condition}; telefone família {phone_nat}.",
        "Admission med rec - {person} ({mrn_token}) has {med} and {med} from home, NKDA.",
        "Telemetry VLAN: bedside monitor {serial} with MAC {mac} took {ip}; firmware {version}.",
        "Overpaid co-payment for {person}: refund to {iban}.",
        "Dental desk: {person} paid {=NEG:XCG 180.00} by card {card}, chart {mrn}.",
        "Community nursing: {person} at {address}, leg ulcer dressing twice weekly; key safe code known to daughter {first}.",
        "LIS interface account still on the vendor default: lis_iface / {password}",
        "DICOM router API key (rotate after go-live): {secret}",
        "Paramedic note: {person}, approx 70, {outcome}; pickup at {gps}, handed over at {ts}.",
        "Cold box audit {ts}: logger {serial} read {reading}, vaccine lot {lot} usable.",
        "Aaniaqtuq {person} ({mrn_token}) - {condition}. Uqarvik {phone_nat}.",
        "Fitness note: {person}, {mrn_token}, {sick}; amended duties from Monday.",
        "Web booking received from {email}: {person}, DOB {dob}, mobile {phone}, asks for {procedure}.",
        "Tuesday fracture clinic (Dr {surname}): 09:00 {mrn} {person}; 09:20 {mrn_token} {person}; 09:40 {mrn} {person}",
        "PID|1||{mrn}^^^LSH^MR||{surname}^{first}^^^^^L||{dob}|F|||{address}^^^^^IS||{phone}",
        "Hmong interpreter booked for {person} ({mrn_token}) for {procedure} on Thursday.",
        "Liaison psychiatry: {person} refused {med}; capacity assessed by Dr {surname}.",
        "Nightly export to {ip} failed; the job definition still contains {secret}",
        "Antenatal booking: {person}, ID {natid}, planned {procedure} at 39 weeks; partner {person}, {phone}.",
        "TB DOT register: {person} ({mrn_token}) on {med}, month {=NEG:4} of 6; household contacts via {phone_nat}.",
        "Dear {first}, your blood results are now in the app. If you cannot sign in, e-mail {email}.",
        "Talofa {first}, o lou taimi ma le fomai i le Aso Gafua i le {ts}. Fesili: {phone_nat}.",
        "Resus status discussed with {person}'s son on {phone}; patient known to have {condition}.",
        "Infusion pump {serial} ({mac}) lost its connection at {ts}; ward contact {first}.",
        "Card declined at reception: {person}, {card}. {=NEG:ANG 140.00} left on the account.",
        "Optometry: {person} ({mrn_token}) collected new glasses; recall in 24 months.",
        "Inter-hospital transfer: {person} from {address}, {condition}, currently on {med}.",
        "{\"mrn\":\"{mrn}\",\"patientName\":\"{person}\",\"birth\":\"{dob}\",\"allergyList\":[\"{=HEALTH:sulfonamides}\"],\"bed\":\"{=NEG:3C-12}\"}",
        "Sjúklingur {person}, kt. {natid}, lagður inn vegna {condition}. Aðstandandi {first}, sími {phone_nat}.",
        "PACS audit: user {email} exported all studies of {mrn} from {ip} to removable media.",
        "U duttore {surname} hà vistu {person}, natu u {dob}, per {condition}.",
        "Third missed visit for {person} (born {dob}); a letter went out and {phone} rang unanswered, so the referral is closed.",
        "Theatre 3 today: 08:30 {person}, {procedure} / 11:00 {person}, {procedure}",
        "Staff OH: nurse {person} (payroll {badge}) {=HEALTH:needlestick injury from a used cannula}, source {mrn_token}.",
        "Drug fridge {serial}: {reading} at {ts}, controller {version}. No excursion.",
        "Birth notification: infant of {person} (ID {natid}), born by {=HEALTH:emergency caesarean}, {=NEG:3.42 kg}; father {person}.",
        "Physio referral - {person}, {phone}; {condition}, post {procedure}.",
        "Pashent {person}, fecha di nasementu {dob}, tin sita pa {procedure}. Tel. {phone}.",
        "Dispensed to {person}: {med}; next supply in {=NEG:28} days; warned about dizziness.",
        "Oxygen concentrator {serial} installed at {address} for {person}.",
        "subject:\n  chart: {mrn_token}\n  display: {person}\n  birth: {dob}\n  gp_phone: {phone_nat}\n  problem: {condition}",
        "Outbreak line list, ward 5\n{person} | {dob} | {=HEALTH:diarrhoea since Monday}\n{person} | {dob} | {=HEALTH:vomiting, febrile}",
        "Clinic B cover: {first} mornings, {first} afternoons, locum {person} on {phone}.",
        "Haemolysed sample for {mrn_token}, please redraw; phlebotomist {badge}.",
        "Outreach van {serial} parked at {gps}; 23 children weighed, 2 referred on.",
        "Video consult link sent to {email} for {person} ({mrn_token}); fell back to audio.",
        "Mari mari {first}! Hora: {ts}, hospital Temuco. Fono {phone_nat}.",
        "Invoice for {procedure}: {person}, insurer number {natid}, pay into {iban}.",
        "Night log: bed 7, {person}, pulled out the cannula, {=HEALTH:acutely confused}; Dr {surname} aware.",
        "Consulting rooms wireless passphrase changed to {password}",
        "Eye clinic: {person} ({mrn_token}), {condition}, listed for {procedure}; address {address}.",
        "Duplicate charts {mrn} and {mrn} both belong to {person} (DOB {dob}); please merge.",
        "Patient {person}, gebuer de {dob}, kritt en Termin fir {procedure}. Tel. {phone_nat}.",
        "Blood bank: unit {lot} crossmatched for {person}, {mrn_token}, group {=HEALTH:O Rh-negative}.",
        "Iakwe {first}! Am appointment ilo {ts} ibben taktō. Kall {phone_nat}.",
        "Ward 4 sluice macerator {serial} fault cleared at {ts}; part {part} fitted.",
    ),
    "retail": (
        "New loyalty member, Willemstad store: {person}, {email}, {phone}, birthday {dob}.",
        "order_no,name,ship_addr,mobile\n{order},{person},\"{address}\",{phone_nat}",
        "{first}, good news: order {order} is on the van today - the driver will ring {phone_nat} before arriving",
        "Refund processed to {card} for {person}: {=NEG:USD 64.50}.",
        "Click & reserve, Douglas branch: {person} collecting at {ts}.",
        "Hire-purchase agreement: customer {person} shows ID {natid}; deposit {=NEG:15,000 HTG}, monthly debit from {iban}.",
        "Loss prevention: cashier {person} ({badge}) voided {=NEG:14} lines at {ts}.",
        "Kastoma {person} i wantem sendem fridj long {address}; namba {phone}.",
        "{\"basket\":\"{serial}\",\"customer\":{\"email\":\"{email}\",\"addr\":\"{address}\"},\"card\":\"{card}\",\"total\":\"{=NEG:ISK 12.990}\"}",
        "Planogram {version}: {ean} moves to shelf 4; old stock lot {lot} to the clearance bay.",
        "{person} asked whether we can stock sugar-free jam, she has {condition}; noted on {email}.",
        "Staff purchase review: {person}, employee {badge}, paid with {card} seven times this month.",
        "EFT terminal {serial} answers on {ip} with hardware address {mac}; payment app {version}.",
        "Signed for by {person} at {gps}; consignment {order}.",
        "INVENTORY_API_SECRET={secret}   # Reykjavík kiosk 2",
        "Till supervisor code is now {password} - please don't send it over WhatsApp.",
        "Accident book: {person} tripped over a pallet in aisle 9 and {injury}; first aider {first}.",
        "Warranty registration: blender {ean}, serial {serial}, owner {person}, tel. {phone}.",
        "De Client {person} wëll d'Bestellung op {address} geliwwert kréien; Telefon {phone_nat}.",
        "Scale audit by {person}: {ean} priced {=NEG:€2.49}, test weight read {reading}.",
        "Online wine order: {person}, born {dob} - age verified - delivering to {address}.",
        "Gift card {serial} loaded by {person}, e-receipt sent to {email}.",
        "Wave {order} picked by {person} ({badge}), finished {ts}.",
        "At the pharmacy till, {person} wanted {med} without a prescription; {surname} declined and referred her.",
        "Layby: {person}, {phone}, has paid {=NEG:$50.00} so far.",
        "Kliyan {person} peye ak kat {card}; li vle resi a voye nan {email}.",
        "Van 12: {gps}, {=NEG:62 km/h}, driver {person}.",
        "Seniors' discount applied for {person}, born {dob}; card checked by {first}.",
        "Handheld scanner {serial} ({mac}) leased {ip}; signed out to {person}.",
        "Sale refused - {person} produced ID {natid}; cashier {badge}.",
        "Supplier set-up: {person}, accounts at {email}, bank {iban}, tel {phone}.",
        "Police enquiry for an incident at {ts}: the suspect paid with {card}; the loyalty account is {person}'s.",
        "Mobile money receipt: {person}, {phone_nat}, ref {order}.",
        ".env\nSHOPIFY_ADMIN_TOKEN={secret}\nDB_HOST={ip}\nSTORE_OWNER={email}",
        "Tus neeg yuav khoom {person} xav kom xa mus rau {address}; xov tooj {phone_nat}.",
        "Chiller 5 alarm, {reading}; {first} moved the yoghurts to the walk-in.",
        "Driver note on {order}: nobody in at {address}, so the box for {person} went behind the side gate.",
        "Advance on wages for {person} ({badge}) approved; transfer to {iban}, {=NEG:€300}.",
        "Back-office login for the franchisee: {email} and {password} on host {ip}",
        "Goods receipt against delivery note {order}: GTIN {ean}, core temp {reading}; received by {person} ({badge}).",
        "No-show on click and collect: {person}, {phone}, order {order} back to stock.",
        "Price override by {badge} on {ean}: {=NEG:$9.99} down to {=NEG:$4.99}.",
        "E-mail complaint ({email}): {person} reports that the fridge delivered to {address} arrived dented.",
        "Returns desk: {person} brought back {part}; refunded to {card}.",
        "Cliente {person}, cédula {natid}, ojapo compra {order}; pumbyry {phone}.",
        "Mauri {first}! Am oota {order} e a tauraoi. Tareboon {phone_nat}.",
        "Mystery shop, Douglas: {person} ({badge}) scored 88 %.",
        "Stock transfer {order}, lot {lot}, driver {person}, mobile {phone_nat}.",
        "member;name;born;email;mobile\n{=NEG:700123};{person};{dob};{email};{phone}",
        "Skimmer found on pump 3 at {ts}; device {serial} handed to the police.",
        "Regular customer {person} lives with {condition}; should she feel faint in store, ring her son on {phone}.",
        "Shelf label wrong: {ean} shows {=NEG:1,250 XPF}, till charges {=NEG:1,480 XPF}.",
        "Courier exception on {order}: {address} - {person} not at home, card left.",
        "Keyholders: {person} {phone} / {person} {phone}. Alarm code {password}.",
        "Viðskiptavinur {person} ({email}) vill skila vöru {part} og fá endurgreitt.",
        "Invoice to {person}, {address}; settled by {card}.",
        "Tool hire deposit - {person}, ID {natid}, refund account {iban}.",
        "Forecourt drive-off at {ts}: pump {=NEG:6}, {=NEG:48.2 L}; the driver had first tried card {card}.",
        "ts={ts} ip={ip} email={email} event=checkout status=declined",
        "Guest Wi-Fi portal: {email} signed in from device {mac}.",
        "Contact lenses ordered for {person} ({condition}); ready on {=NEG:Tuesday}.",
        "Prescription delivery for {person}, {address}: {med}. If out, leave with {first} next door.",
        "Cliente {person}, telefon {phone_nat}, pueste {email}: al à ordenât {part}.",
        "Recall notice {order}: {ean}, batch {lot}; fourteen units sold before the hold.",
        "Colleague of the month: {person}, produce team, badge {badge}.",
        "Malo {first}, ua sauni lau oka {order}. Valaau mai {phone_nat}.",
        "Cash office count at {ts}: float {=NEG:ANG 500.00}; counted by {person} and {person}.",
        "Balance of layaway for {person}: {=NEG:Q 450.00}; contact {phone}, address {address}.",
    ),
}
# fmt: on
