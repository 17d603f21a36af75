# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b16`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, tests, history
or figures) until its one blind run: seed 9311 on commit 1533642
(``privacy_blind_seeds.txt``). From now on its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``B16Gen`` -> ``B16Gen``, ``B16_TEMPLATES`` -> ``B16_TEMPLATES``,
``B16_SITE_PATTERNS`` -> ``B16_SITE_PATTERNS``, ``b16_names`` -> ``b16_names``, group
``blind`` -> ``b16``) and its seed log helpers left in ``privacy_blind.py``.

As first written: the blind split of the privacy corpus, set ``b16``.

A blind set is written (and committed) before the detector changes it is used to
judge, without reading the detector's code, tests, history or figures; it is run once
per report on a seed never run before and then retired into the dev split
(``privacy_retired_b1.py`` to ``privacy_retired_b15.py``). ``b16`` is the current one.

What ``b16`` is: a realistic sample of what a privacy gate on an edge appliance in
factories, clinics and shops around the world sees (Mizoram and Meghalaya, Sarawak,
Limpopo, northern Namibia, Burkina Faso, South Sudan, northern Nigeria, Kabylia and
its diaspora in France, Lusatia, the Navajo Nation and the Pine Ridge reservation,
Malawi, Zambia, Uganda, Tatarstan, Guinea and Senegal, and the big markets of Europe,
North America, India and Australia). Each generator draws the form of each value
once: about 60 % everyday forms, about 40 % less common but genuine ones. Separate
from the dev split (``privacy_templates.py``, ``privacy_corpus.Gen`` and ``b1`` to
``b15``):

* templates: a sentence family of its own, none shared with or edited from the dev
  templates or ``b1`` to ``b15`` (checked with a word 5-gram overlap test against every
  one of them while it was written) -- prose notes, chat, SMS and WhatsApp exports,
  e-mails and signatures, CSV, pipe-separated and SQL rows, JSON, XML, YAML, INI and
  .env snippets, key=value and syslog lines, HL7 segments and FHIR fragments, vCards
  and calendar entries, forms, and a few lines in Hausa, Chichewa, Luganda, Tatar,
  Malay, Afrikaans, Upper Sorbian, Kabyle, Mizo, Hungarian, Romanian, Finnish,
  Slovene, Ukrainian, Greek and Korean, with greetings in Navajo, Lakota, Oshiwambo,
  Tshivenda, Mooré and Bemba;
* names: every Faker person locale and the hand-built ``b12`` to ``b15`` peoples are
  read by the dev split, so the pools are built by hand (``_PEOPLES``) from given
  names and surnames of peoples none of them covers -- Mizo, Khasi, Iban, Venda,
  Ovambo, Mossi, Dinka, Hausa, Kabyle, Sorbian, Navajo, Lakota, Chewa, Zambian (Bemba,
  Tonga and Lozi), Baganda and Banyankole, Tatar and Fula -- minus every name of the
  dev pools (every Faker person locale, the romanised ``b4`` to ``b12`` pools and the
  hand-built ``b12`` to ``b15`` ones); written as real systems write them ("First
  Last", "LAST, First", "Last, First", initials and surname, all caps, diacritics
  dropped by older systems) and in the forms their countries use (an initial before a
  Mizo given name, "anak"/"ak" before an Iban father's name, surname first in capitals
  on Burkinabè, Guinean, Ugandan and Algerian forms, father's and grandfather's names
  after a Dinka given name, a father's name in Hausa names, Russian-style surname,
  given name and patronymic in Tatarstan, two- and three-word Lakota surnames,
  apostrophes and particles);
* values: every one really of its class -- check digits computed here (and checked
  against python-stdnum where it knows the kind while the set was written), phones
  valid per ``phonenumbers``, real calendar dates -- for every class of the corpus,
  and negatives (part numbers, serials, timestamps, versions, lots, GTINs and GS1
  strings, readings, order, waybill and mobile-money numbers, amounts) at about a
  fifth of the slots; some texts hold no personal data at all;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG``, ``privacy_blind_seeds.txt``, records
  every blind run (seed, time, commit, set), so that a seed's figures are reported as
  blind only once; the bench warns when a seed is reused.

``B16_SITE_PATTERNS`` holds the badge and record number formats of the set's organisations
as their site would configure them (``employee_id_patterns``, ``medical_record_patterns``).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import string

import privacy_corpus as corpus
import privacy_retired_b14 as b14
import privacy_retired_b15 as b15
from privacy_retired_b10 import _gtin, _iban, _luhn, _mod11_10, _wsum
from privacy_retired_b12 import _fold, _pools_without

# --- names ----------------------------------------------------------------------------
# Given names and surnames of peoples no Faker person locale and no earlier set covers,
# spelled as they are written at home. Iban "surnames" are fathers' given names (filed
# after "anak"), Dinka and Hausa ones often a father's or grandfather's name, Lakota ones
# often two or three words; Zambian given names and surnames are interchangeable.
# fmt: off
_PEOPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "mizo": (
        ("Lalremruata", "Lalrinpuii", "Zothanpuii", "Vanlalhruaii", "Lalthanzuala", "Lalmuanpuia", "Lalnunmawia", "Vanlalruata", "Lalhmingliana", "Malsawmtluanga", "Lalrinawma", "Ramdinliana", "Lalrinfela", "Lalbiakzuala", "Vanlalhmangaihi", "Lalchhanhimi", "Zonunmawii", "Lalngaihzuali", "Rosangpuii", "Lalawmpuii", "Lalnunziri", "Zorammawia", "Lalduhawma"),
        ("Ralte", "Hnamte", "Chhangte", "Sailo", "Khiangte", "Pachuau", "Renthlei", "Fanai", "Tlau", "Chawngthu", "Colney", "Zadeng", "Hauhnar", "Khawlhring", "Tochhawng", "Varte", "Chenkual", "Bawitlung", "Hrahsel", "Khawlni", "Tlangte", "Sailung", "Vanchhawng"),
    ),
    "khasi": (
        ("Banteilang", "Iaineh", "Wanshan", "Ibadahun", "Kyrmenlang", "Badaplin", "Shanborlang", "Daiaphira", "Donboklang", "Wanphrang", "Pynshailang", "Ibanylla", "Dawanri", "Kitboklang", "Iohborlang", "Raplang", "Kynsai", "Baiahun", "Ibameri", "Phrangsngi", "Riewlang", "Ksanlang"),
        ("Lyngdoh", "Kharkongor", "Syiem", "Marbaniang", "Nongrum", "Nongkynrih", "Kharbuli", "Lyngkhoi", "Pakyntein", "Kharsyntiew", "Warjri", "Nongbri", "Mawlong", "Rymbai", "Sohtun", "Suting", "Kharmawphlang", "Dkhar", "Passah", "Lyngwa", "Mylliemngap", "Thabah", "Kharpuri", "Shylla", "Wahlang", "Nongsiej", "Lamare", "Pariat"),
    ),
    "iban": (
        ("Jugah", "Janting", "Linggi", "Kanyan", "Ngelai", "Rentap", "Libau", "Nyanggau", "Kumang", "Lulong", "Sendi", "Unchat", "Ambau", "Belayang", "Imang", "Ensiring", "Empiang", "Ujai", "Selan", "Dunggau", "Lemambang", "Inai"),
        ("Barieng", "Jimbun", "Entali", "Nyalau", "Empaling", "Ngumbang", "Sanggau", "Jinggut", "Manggi", "Bangkong", "Gerinang", "Ramba", "Gelang", "Unggat", "Sulang", "Mujah", "Sindu", "Masing", "Jabu", "Embas", "Numpang", "Sandah", "Enchana", "Tinggom"),
    ),
    "venda": (
        ("Khathutshelo", "Ndivhuwo", "Rudzani", "Mashudu", "Livhuwani", "Tshilidzi", "Vhutshilo", "Fulufhelo", "Thifhelimbilu", "Ndivhuho", "Mpfareleni", "Lufuno", "Phathutshedzo", "Azwinndini", "Ronewa", "Murendeni", "Masindi", "Tshimangadzo", "Mulalo", "Ntsieni", "Takalani", "Khumbudzo", "Rotondwa", "Dakalo", "Mukondeleli"),
        ("Mudau", "Ramabulana", "Netshitenzhe", "Nemukula", "Mphephu", "Tshivhase", "Netshiavha", "Ravele", "Nemavhola", "Mulaudzi", "Mukhwathi", "Ramaano", "Nethengwe", "Makhado", "Sikhwari", "Ramovha", "Nemutanzhela", "Ramashia", "Netshidzivhani", "Tshikovhi", "Magau", "Mukwevho", "Nengovhela", "Ramudzuli", "Munyai"),
    ),
    "ovambo": (
        ("Ndapewa", "Ndeshipanda", "Tuyeni", "Nangula", "Penda", "Hafeni", "Ndilimeke", "Ndinelao", "Nelago", "Ndahambelela", "Tangeni", "Tulonga", "Ndapandula", "Iyaloo", "Ndeyapo", "Kaino", "Ndatega", "Tuhafeni", "Pandeni", "Meameno", "Tuyakula", "Shaningwa", "Ndamona"),
        ("Nujoma", "Pohamba", "Hamutenya", "Shaanika", "Nghipondoka", "Haufiku", "Amupanda", "Iipumbu", "Shikongo", "Nandi-Ndaitwah", "Angula", "Shiimi", "Iyambo", "Ya Toivo", "Namoloh", "Shilongo", "Nghidinwa", "Amweelo", "Ekandjo", "Hamunyela", "Kapofi", "Shifeta", "Kaapanda", "Amutenya", "Nghimtina"),
    ),
    "mossi": (
        ("Wendpanga", "Wendkouni", "Wendyam", "Pengdwendé", "Relwendé", "Nabonswendé", "Tegawendé", "Wendlassida", "Kiswendsida", "Sibiri", "Rasmané", "Noufou", "Bibata", "Kalizeta", "Poko", "Ousséni", "Tinga", "Raogo", "Sayouba", "Bintou", "Zalissa", "Wendinmi", "Pegdwendé"),
        ("Ouédraogo", "Sawadogo", "Kaboré", "Compaoré", "Zongo", "Kiemdé", "Zoungrana", "Yaméogo", "Tapsoba", "Nikiéma", "Ilboudo", "Kafando", "Tiendrébéogo", "Nacoulma", "Bonkoungou", "Kagambèga", "Sorgho", "Rouamba", "Ouangraoua", "Belem", "Zagré", "Kinda", "Zoundi", "Guiro", "Sawadogo-Kaboré"),
    ),
    "dinka": (
        ("Majok", "Akech", "Nyandeng", "Achol", "Mabior", "Kuol", "Ayen", "Aluel", "Agot", "Abuk", "Nyibol", "Makuei", "Atem", "Ajak", "Akuol", "Adut", "Manyang", "Awut", "Aguer", "Ater", "Malual", "Amou", "Nyanluak"),
        ("Mabior", "Mayardit", "Makuei", "Lueth", "Akol", "Thon", "Bior", "Ajak", "Malual", "Kuol", "Arop", "Nhial", "Alor", "Mading", "Dut", "Aguer", "Atem", "Majak", "Lual", "Anyieth", "Deng Ajak", "Ayuen", "Akuei", "Marial"),
    ),
    "hausa": (
        ("Ladi", "Binta", "Tanko", "Dauda", "Audu", "Danladi", "Jummai", "Lami", "Talatu", "Kande", "Ramatu", "Jibrin", "Inuwa", "Salisu", "Murtala", "Asabe", "Larai", "Saratu", "Dije", "Yusha'u"),
        ("Gwarzo", "Kwankwaso", "Bichi", "Dantata", "Dangote", "Shekarau", "Ganduje", "Dogara", "Bako", "Dikko", "Gusau", "Tambuwal", "Bafarawa", "Wamakko", "Yero", "Shinkafi", "Dangiwa", "Jega", "Kurfi", "Zuru", "Yar'Adua", "Dankwambo", "Gidado", "Dan Fodio", "Sambo", "Tsafe"),
    ),
    "kabyle": (
        ("Yugurten", "Tiziri", "Tafsut", "Dihya", "Amayas", "Menad", "Lounès", "Idir", "Tanina", "Thiziri", "Aghiles", "Koceila", "Tinhinane", "Thilelli", "Sifax", "Ouiza", "Tassadit", "Dahbia", "Taous", "Mhand", "Akli"),
        ("Aït Menguellet", "Aït Ahmed", "Aït Hamouda", "Aït Kaci", "Aït Sahalia", "Ouyahia", "Matoub", "Mammeri", "Feraoun", "Ouamrane", "Abane", "Ighil", "Iratni", "Ouslimani", "Hamiche", "Imache", "Aïssat", "Ourabah", "Oussedik", "Naït Djoudi", "Ait Mouhoub", "Yermeche", "Zenati"),
    ),
    "sorbian": (
        ("Měrćin", "Handrij", "Hańža", "Křesćan", "Madlena", "Syman", "Bjarnat", "Hilža", "Wórša", "Lejna", "Mikławš", "Jěwa", "Kito", "Marhata", "Měto", "Pawoł"),
        ("Brězan", "Kosyk", "Šołta", "Zejler", "Ćišinski", "Mjeń", "Krawc", "Hicka", "Wićaz", "Bjedrich", "Nuk", "Kapler", "Mětšk", "Lorenc", "Cyž", "Młynk", "Wjela", "Kilank", "Pjech", "Wałda", "Kokla", "Hajduk"),
    ),
    "navajo": (
        ("Hastiin", "Ashkii", "Atsa", "Yanaba", "Shandiin", "Nizhoni", "Ahiga", "Naalnish", "Sahkyo", "Tazbah", "Dezba", "Haseya", "Niyol", "Bidziil", "Nascha", "Yiska", "Manaba", "Kinta", "Tsela", "Shiwoyi"),
        ("Begay", "Yazzie", "Tsosie", "Benally", "Nez", "Begaye", "Tsinajinnie", "Bitsui", "Yellowhair", "Manygoats", "Etsitty", "Chee", "Haskie", "Largo", "Todacheene", "Attakai", "Begody", "Notah", "Kinlicheenie", "Tohee", "Bitsoi", "Cly", "Deschenie", "Peshlakai", "Redhouse", "Nakai", "Silversmith", "Whitehorse", "Yellowman"),
    ),
    "lakota": (
        ("Wanbli", "Chaske", "Tatanka", "Ohanzee", "Wichapi", "Mahpiya", "Takoda", "Hotah", "Chumani", "Kimimela", "Zitkala", "Wakinyan", "Anpo", "Hehaka", "Tokala", "Wiyaka", "Hinto", "Ozuye", "Cetan", "Kangi", "Wachiwi", "Anpetu"),
        ("Red Cloud", "Two Bulls", "Iron Shell", "Black Elk", "Yellow Bird", "Fast Horse", "Whirlwind Horse", "High Hawk", "Eagle Heart", "Looking Horse", "Little Thunder", "Bear Runner", "Two Crow", "Crazy Thunder", "Her Many Horses", "Brings Plenty", "Kills Enemy", "Spotted Eagle", "Swift Bird", "Blue Arm", "Good Voice", "American Horse", "Afraid of Bear", "Runs Close", "Star Comes Out", "Two Eagle", "Poor Bear", "Ecoffey"),
    ),
    "chewa": (
        ("Chimwemwe", "Tiyamike", "Mphatso", "Chikondi", "Dalitso", "Kondwani", "Madalitso", "Limbani", "Tamanda", "Yamikani", "Chisomo", "Pemphero", "Tawonga", "Wezi", "Takondwa", "Alinafe", "Tadala", "Mayeso", "Chifundo", "Kumbukani", "Tionge", "Lusungu", "Khumbo", "Ulemu", "Mwayi", "Thokozani"),
        ("Banda", "Phiri", "Mwale", "Chirwa", "Tembo", "Mbewe", "Nyirenda", "Chakwera", "Kachingwe", "Mkandawire", "Gondwe", "Kumwenda", "Chimombo", "Msiska", "Nkhoma", "Chimwaza", "Kalua", "Mutharika", "Chilima", "Muluzi", "Chiumia", "Ngwira", "Nyasulu", "Munthali", "Mhango", "Kanyenda"),
    ),
    "zambian": (
        ("Mulenga", "Mwansa", "Bwalya", "Musonda", "Mutale", "Chilufya", "Chileshe", "Mwila", "Kabwe", "Chisanga", "Katongo", "Mubanga", "Chola", "Mapalo", "Twaambo", "Luyando", "Namukolo", "Inonge", "Nchimunya", "Mwenya", "Kasonde", "Bupe"),
        ("Mulenga", "Mwansa", "Bwalya", "Musonda", "Mutale", "Chilufya", "Chileshe", "Mwila", "Kabwe", "Chisanga", "Katongo", "Mubanga", "Kalaba", "Sata", "Chiluba", "Kaunda", "Hichilema", "Mwanawasa", "Kapwepwe", "Sinkamba", "Chisala", "Chibwe", "Chama", "Besa", "Kapembwa", "Lungu"),
    ),
    "baganda": (
        ("Nakato", "Babirye", "Wasswa", "Ssanyu", "Mirembe", "Kisakye", "Mbabazi", "Kirabo", "Ainembabazi", "Tendo", "Ntege", "Mwesigwa", "Nakimuli", "Namukasa", "Nalwanga", "Nabukenya", "Namatovu", "Nantongo", "Kizza", "Musoke", "Atuhaire", "Tumusiime", "Ahimbisibwe", "Kyomuhendo", "Asiimwe", "Ninsiima"),
        ("Ssemakula", "Mukasa", "Ssekandi", "Kiggundu", "Nsubuga", "Kasozi", "Ssempijja", "Lubega", "Mutebi", "Ssewanyana", "Kyambadde", "Kibirige", "Ssebunya", "Mayanja", "Kawooya", "Lule", "Sserwadda", "Kakooza", "Ssenyonga", "Walusimbi", "Nabbanja", "Kadaga", "Tumwine", "Rugunda", "Byamukama", "Turyahikayo", "Byaruhanga"),
    ),
    "tatar": (
        ("Ildar", "Ilnur", "Aigul", "Rinat", "Ilsiyar", "Alsu", "Fanis", "Radik", "Zulfiya", "Guzel", "Ilshat", "Raushaniya", "Lyaisan", "Aidar", "Ilgiz", "Rezeda", "Gulshat", "Nailya", "Dilyara", "Ilfat", "Ilmira", "Chulpan"),
        ("Minnikhanov", "Shaimiev", "Galeev", "Khairullin", "Gabdullin", "Sabirov", "Fatkhullin", "Nurgaliev", "Zakirov", "Valiullin", "Mingazov", "Garipov", "Shakirov", "Khabibullin", "Akhmetzyanov", "Gilmutdinov", "Mukhametshin", "Sagdiev", "Nigmatullin", "Zaripov", "Safin", "Gimadiev", "Fazleev", "Khuzin", "Mingaleev", "Sharafutdinov", "Gainutdinov", "Kamalov", "Latypov", "Gabdrakhmanov"),
    ),
    "fulani": (
        ("Hamadou", "Oumarou", "Boubacar", "Ramatoulaye", "Tierno", "Fatoumata", "Kadidiatou", "Saliou", "Djenabou", "Hadiatou", "Oury", "Abdourahmane", "Thierno", "Mountaga", "Maimouna", "Sadio", "Hamidou", "Aliou", "Mamadou Saliou", "Kesso", "Bhoye"),
        ("Sow", "Baldé", "Jalloh", "Ly", "Ba", "Tall", "Sy", "Wane", "Dicko", "Diao", "Sidibé", "Diakhaby", "Kandé", "Sall", "Baldeh", "Jallow", "Sowe", "Bobo Diallo"),
    ),
}
# fmt: on

# Tatar women's given names: their surnames and patronymics take the feminine ending
_TATAR_WOMEN = frozenset(
    (
        "Aigul",
        "Ilsiyar",
        "Alsu",
        "Zulfiya",
        "Guzel",
        "Raushaniya",
        "Lyaisan",
        "Rezeda",
        "Gulshat",
        "Nailya",
        "Dilyara",
        "Ilmira",
        "Chulpan",
    )
)
# peoples whose forms put the surname first, in capitals
_SURNAME_FIRST = ("mossi", "fulani", "baganda", "kabyle")


def _dev_names() -> set[str]:
    """Every name of the dev pools, folded: ``b15``'s dev names (every Faker person
    locale installed, the romanised ``b4`` to ``b12`` pools, the hand-built ``b12`` to
    ``b14`` ones) and the hand-built ``b15`` pools."""
    dev = set(b15._dev_names())
    for first, last in b15._PEOPLES.values():
        dev.update(n.lower() for n in (*first, *last))
    return dev | {_fold(n) for n in dev}


@functools.cache
def b16_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{people: (first, last)}``: the hand-built pools minus every dev name."""
    return _pools_without(_PEOPLES, _dev_names())


# --- phones -----------------------------------------------------------------------------
# region: (country code, everyday?, national significant numbers as digit groups joined
# by "|" ("#" a digit, "N" 2-9), trunk prefix) -- every pattern checked against
# phonenumbers (valid numbers, of that region) while the set was written.
# fmt: off
_PHONES: dict[str, tuple[str, bool, tuple[str, ...], str]] = {
    "US": ("1", True, ("928|N##|####", "505|N##|####", "605|N##|####", "218|N##|####", "612|N##|####"), "1"),
    "CA": ("1", True, ("306|N##|####", "867|N##|####", "807|N##|####"), "1"),
    "GB": ("44", True, ("7403|######", "7588|######", "7939|######", "1274|######", "1482|######"), "0"),
    "DE": ("49", True, ("1517|#######", "1525|#######", "1704|#######", "176|########", "3591|######", "355|#######"), "0"),
    "FR": ("33", True, ("6|4#|##|##|##", "6|5#|##|##|##", "7|3#|##|##|##", "1|4#|##|##|##", "1|5#|##|##|##"), "0"),
    "IN": ("91", True, ("98###|#####", "94###|#####", "89###|#####", "70###|#####", "389|23#####", "364|2######"), "0"),
    "ZA": ("27", True, ("82|###|####", "76|###|####", "66|###|####", "15|962|####"), "0"),
    "MY": ("60", True, ("12|###|####", "16|8##|####", "19|###|####", "11|28##|####", "82|42####", "88|24####"), "0"),
    "NG": ("234", True, ("803|###|####", "806|###|####", "703|###|####", "813|###|####", "906|###|####"), "0"),
    "AU": ("61", True, ("404|###|###", "433|###|###", "8|89##|####"), "0"),
    "NA": ("264", False, ("81|###|####", "85|###|####", "65|220|####"), "0"),
    "BF": ("226", False, ("70|##|##|##", "76|##|##|##", "78|##|##|##", "25|30|##|##", "56|##|##|##"), ""),
    "SS": ("211", False, ("92|###|####", "91|###|####", "98|###|####"), "0"),
    "DZ": ("213", False, ("55#|##|##|##", "66#|##|##|##", "77#|##|##|##", "26|##|##|##"), "0"),
    "MW": ("265", False, ("88|###|####", "99|###|####", "1|7##|###"), "0"),
    "ZM": ("260", False, ("97|###|####", "96|###|####", "77|###|####", "211|######"), "0"),
    "UG": ("256", False, ("772|######", "782|######", "701|######", "414|######"), "0"),
    "RU": ("7", False, ("843|###|##|##", "8552|##|##|##", "917|###|##|##", "987|###|##|##"), "8"),
    "GN": ("224", False, ("62#|##|##|##", "66#|##|##|##", "65#|##|##|##"), ""),
    "SN": ("221", False, ("77|###|##|##", "78|###|##|##", "33|8##|##|##"), ""),
}
# fmt: on

# month names of the languages the set's dates are written in (genitive where dates use it)
# fmt: off
_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"),
    "tt": ("гыйнвары", "феврале", "марты", "апреле", "мае", "июне", "июле", "августы", "сентябре", "октябре", "ноябре", "декабре"),
    "ms": ("Januari", "Februari", "Mac", "April", "Mei", "Jun", "Julai", "Ogos", "September", "Oktober", "November", "Disember"),
    "af": ("Januarie", "Februarie", "Maart", "April", "Mei", "Junie", "Julie", "Augustus", "September", "Oktober", "November", "Desember"),
    "ha": ("Janairu", "Fabrairu", "Maris", "Afrilu", "Mayu", "Yuni", "Yuli", "Agusta", "Satumba", "Oktoba", "Nuwamba", "Disamba"),
    "ny": ("Januwale", "Febuluwale", "Malichi", "Epulo", "Meyi", "Juni", "Julayi", "Ogasiti", "Seputembala", "Okutobala", "Novembala", "Disembala"),
    "hu": ("január", "február", "március", "április", "május", "június", "július", "augusztus", "szeptember", "október", "november", "december"),
}
# fmt: on

# INSEE codes of the countries of birth a French NIR carries after département 99
_NIR_ABROAD = ("352", "350", "351", "331", "330", "341", "335", "326")
# Malaysian MyKad place-of-birth codes of Sarawak, Sabah, Selangor and Kuala Lumpur
_MYKAD_PLACES = ("13", "50", "51", "52", "53", "12", "47", "48", "49", "10", "41", "14", "54")
# Italian CIN: the values of the digits at odd positions
_CIN_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21)
# German pension insurance area numbers (Rentenversicherungsnummer)
_SVNR_AREAS = ("12", "13", "15", "25", "26", "28", "53", "65")


def _snils(body9: str) -> str:
    """A Russian SNILS with its two check digits, written ``123-456-789 01``."""
    s = sum(int(c) * (9 - i) for i, c in enumerate(body9))
    if s < 100:
        c = s
    elif s in (100, 101):
        c = 0
    else:
        c = s % 101
        c = 0 if c == 100 else c
    return f"{body9[:3]}-{body9[3:6]}-{body9[6:]} {c:02d}"


def _svnr(area: str, born: dt.date, initial: str, serial: str) -> str:
    """A German Rentenversicherungsnummer: area, birth date, initial, serial, check digit."""
    body = f"{area}{born:%d%m%y}{ord(initial) - 64:02d}{serial}"
    weights = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
    total = sum(sum(divmod(int(c) * w, 10)) for c, w in zip(body, weights, strict=True))
    return f"{area}{born:%d%m%y}{initial}{serial}{total % 10}"


def _rntrc(born: dt.date, serial: str, sex_digit: int) -> str:
    """A Ukrainian RNTRC: days since 31 Dec 1899, a serial, the sex digit, a check digit."""
    body = f"{(born - dt.date(1899, 12, 31)).days:05d}{serial}{sex_digit}"
    total = sum(w * int(c) for w, c in zip((-1, 5, 7, 9, 4, 6, 10, 5, 7), body, strict=True))
    return body + str(total % 11 % 10)


def _mod23(body: str) -> str:
    """A check letter: the number modulo 23 into the letters a site's records use."""
    return "TRWAGMYFPDXBNJZSQVHLCKE"[int(body) % 23]


def _tfn(r: random.Random) -> str:
    """An Australian tax file number (weights 1 4 3 7 5 8 6 9 10, modulo 11)."""
    while True:
        body = "".join(str(r.randint(0, 9)) for _ in range(8))
        for last in "0123456789":
            v = body + last
            if v[0] != "0" and _wsum(v, (1, 4, 3, 7, 5, 8, 6, 9, 10)) % 11 == 0:
                return v


class B16Gen(b14.B14Gen):
    """The blind split's values: same classes as the dev split, pools and forms of its own.
    Every generator of a value is written here; only the helpers (everyday draw, random
    strings and digits, the people draw, a second name of a pool) and the PESEL generator
    are inherited from ``b14``/``b13``/``b12``."""

    group_name = "b16"

    def __init__(self, rng: random.Random) -> None:
        corpus.LocaleGen.__init__(self, rng, b16_names())
        self._people = self.locales[0]

    def _birth(self, lo: int = 1944, hi: int = 2008) -> dt.date:
        first = dt.date(lo, 1, 1)
        return first + dt.timedelta(days=self.r.randint(0, (dt.date(hi, 12, 31) - first).days))

    # --- names -------------------------------------------------------------------------
    @staticmethod
    def _tatar_patronymic(father: str, female: bool) -> str:
        stem = father + ("ev" if father.endswith("l") else "ov")
        return stem + ("na" if female else "ich")

    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        p = self._people
        if p == "tatar" and f in _TATAR_WOMEN:
            la += "a"  # Khairullin -> Khairullina
        if r.random() < 0.4:
            if p == "mizo":
                return r.choice([f"{la[0]}. {f}", f"{f} {la}", f"{la[0]}.{f}"])
            if p == "iban":
                return r.choice([f"{f} anak {la}", f"{f} ak {la}", f"{f} Ak. {la}", f"{f} anak {la}".upper()])
            if p == "tatar":
                fathers = [n for n in first if n not in _TATAR_WOMEN] or first
                pat = self._tatar_patronymic(r.choice(fathers), f in _TATAR_WOMEN)
                return r.choice(
                    [
                        f"{la} {f} {pat}",
                        f"{la.upper()} {f} {pat}",
                        f"{la} {f[0]}. {pat[0]}.",
                        f"{f} {pat} {la}",
                    ]
                )
            if p in ("sorbian", "mossi") and r.random() < 0.4:
                return _fold(f"{f} {la}").replace("ł", "l").title()
            if p in _SURNAME_FIRST:
                return f"{la.upper()} {f}"
            if p == "dinka":
                return f"{f} {la} {self._other(last, la)}"
            if p == "hausa":
                return r.choice([f"{f} {self._other(first, f)} {la}", f"{f} {la}"])
            if p in ("ovambo", "venda", "chewa"):
                return r.choice(
                    [f"{f} {self._other(first, f)} {la}", f"{f[0]}.{self._other(first, f)[0]}. {la}"]
                )
        style = r.random()
        if style < 0.52:
            return f"{f} {la}"
        if style < 0.62:
            return f"{la.upper()}, {f}"
        if style < 0.7:
            return f"{la}, {f}"
        if style < 0.78:
            return f"{f[0]}. {la}"
        if style < 0.86:
            return f"{f} {la}".upper()
        if style < 0.93:
            return f"{la} {f}"
        return f"{f} {la[0]}."

    # --- contact -----------------------------------------------------------------------
    def email(self) -> str:
        r = self.r
        first, last = self._pool()

        def plain(name: str) -> str:
            return "".join(c for c in _fold(name) if c.isalnum())

        f, la = plain(r.choice(first)), plain(r.choice(last))
        if self._everyday():
            user = r.choice(
                [
                    f"{f}.{la}",
                    f"{f}{la}",
                    f"{f}{r.randint(1, 999)}",
                    f"{la}.{f}",
                    f"{f[0]}{la}",
                    f"{f}_{la}{r.randint(1, 99)}",
                ]
            )
            dom = r.choice(
                [
                    "gmail.com",
                    "gmail.com",
                    "gmail.com",
                    "yahoo.com",
                    "outlook.com",
                    "hotmail.com",
                    "icloud.com",
                    "yahoo.co.in",
                    "rediffmail.com",
                    "yahoo.fr",
                    "gmx.de",
                    "t-online.de",
                    "aol.com",
                    "mweb.co.za",
                ]
            )
            return f"{user}@{dom}"
        user = r.choice(
            [
                f"{la}{f[0]}{r.randint(1, 9)}",
                f"{f}.{la}.{r.randint(1970, 2006)}",
                f"{f}{la[:2]}",
                f"{f}+{r.choice(['clinic', 'shop', 'payslip', 'momo'])}",
                f"{la.lower()}-{f.lower()}",
                f"{f[:2]}{la}",
            ]
        )
        dom = r.choice(
            [
                "iway.na",
                "zamtel.zm",
                "africa-online.net",
                "globemw.net",
                "fasonet.bf",
                "orange.sn",
                "sotelgui.net.gn",
                "mtn.co.ug",
                "yandex.ru",
                "bk.ru",
                "list.ru",
                "streamyx.com",
                "tm.net.my",
                "yahoo.co.in",
                "navajo.example.org",
                "pineridge-coop.example.org",
                "lausitz-kraftwerk.example.de",
                "kano-textiles.example.ng",
                "copperbelt-smelter.example.zm",
                "thyolo-tea.example.mw",
                "oshakati-hospital.example.na",
                "tizi-clinique.example.dz",
                "aizawl-civil.example.in",
                "kuching-medical.example.my",
                "kazan-zavod.example.ru",
            ]
        )
        return f"{user}@{dom}"

    def _groups_of(self, region: str) -> list[str]:
        pat = self.r.choice(_PHONES[region][2])
        return [
            "".join(self._d(1) if c == "#" else str(self.r.randint(2, 9)) if c == "N" else c for c in g)
            for g in pat.split("|")
        ]

    def _region(self) -> str:
        every = self._everyday()
        return self.r.choice(sorted(k for k, v in _PHONES.items() if v[1] == every))

    def phone(self) -> str:
        r = self.r
        region = self._region()
        cc, _, _, trunk = _PHONES[region]
        g = self._groups_of(region)
        nsn = "".join(g)
        if cc == "1":
            return r.choice(
                [
                    f"+1 ({g[0]}) {g[1]}-{g[2]}",
                    f"+1 {g[0]}-{g[1]}-{g[2]}",
                    f"+1{nsn}",
                    f"1-{g[0]}-{g[1]}-{g[2]}",
                ]
            )
        if cc == "7":
            return r.choice([f"+7 ({g[0]}) {'-'.join(g[1:])}", f"+7 {g[0]} {''.join(g[1:])}", f"+7{nsn}"])
        style = r.random()
        if style < 0.5:
            return f"+{cc} {' '.join(g)}"
        if style < 0.68:
            return f"+{cc}{nsn}"
        if style < 0.78:
            return f"+{cc} {g[0]} {''.join(g[1:])}"
        if style < 0.88:
            return f"00{cc} {' '.join(g)}"
        if style < 0.95 and trunk == "0":
            return f"+{cc} (0){g[0]} {' '.join(g[1:])}"
        return f"+{cc}.{'.'.join(g)}"

    def phone_national(self) -> str:
        r = self.r
        region = self._region()
        cc, _, _, trunk = _PHONES[region]
        g = self._groups_of(region)
        nsn = "".join(g)
        if cc == "1":
            return r.choice([f"({g[0]}) {g[1]}-{g[2]}", f"{g[0]}-{g[1]}-{g[2]}", f"{g[0]}.{g[1]}.{g[2]}"])
        if cc == "7":
            return r.choice([f"8 ({g[0]}) {'-'.join(g[1:])}", f"8{nsn}", f"8-{g[0]}-{''.join(g[1:])}"])
        if region == "IN" and len(g[0]) == 5:
            return r.choice([f"{g[0]} {g[1]}", f"0{g[0]}{g[1]}", f"{nsn}"])
        if not trunk:
            return r.choice([" ".join(g), nsn])
        return r.choice(
            [f"{trunk}{g[0]} {' '.join(g[1:])}", f"{trunk}{nsn}", f"{trunk}{g[0]}-{''.join(g[1:])}"]
        )

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 180)
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(100, 3999)} {r.choice(['E Aztec Ave', 'W Historic Hwy 66', 'S 2nd St', 'Boardman Dr'])}, Gallup, NM 8730{r.randint(1, 5)}",
                    f"{r.randint(100, 2999)} {r.choice(['N Maple Ave', 'Mt Rushmore Rd', 'E St Patrick St', 'Haines Ave'])}, Rapid City, SD 5770{r.randint(1, 3)}",
                    f"{r.randint(10, 999)} {r.choice(['Thornton Road', 'Manningham Lane', 'Leeds Road', 'Great Horton Road'])}, Bradford BD{r.randint(1, 9)} {r.randint(1, 9)}{r.choice('ABDEHJLNPQRSTUWXY')}{r.choice('ABDEHJLNPQRSTUWXY')}",
                    f"{r.choice(['Töpferstraße', 'Steinstraße', 'Taucherstraße', 'Lauengraben'])} {r.randint(1, 60)}, 02625 Bautzen",
                    f"{r.choice(['Sandower Straße', 'Berliner Straße', 'Karl-Liebknecht-Straße'])} {r.randint(1, 120)}, 030{r.choice(['44', '46', '48', '50'])} Cottbus",
                    f"{n} {r.choice(['rue Myrha', 'rue des Pyrénées', 'boulevard Barbès', 'rue de Tanger'])}, {r.choice(['75018', '75019', '75020'])} Paris",
                    f"House No. {r.randint(1, 99)}, {r.choice(['Chanmari West', 'Dawrpui Vengthar', 'Zarkawt', 'Bawngkawn'])}, Aizawl, Mizoram 7960{r.choice(['01', '07', '12'])}",
                    f"{r.choice(['Laitumkhrah', 'Mawlai Mawroh', 'Nongthymmai', 'Jaiaw Pdeng'])}, Shillong, Meghalaya 7930{r.randint(1, 8):02d}",
                    f"No. {r.randint(1, 120)}, Jalan {r.choice(['Padungan', 'Ban Hock', 'Tabuan', 'Rock'])}, 93{r.choice(['100', '150', '200', '350'])} Kuching, Sarawak",
                    f"Stand {r.randint(100, 2999)}, {r.choice(['Shayandima', 'Sibasa', 'Tshilidzini', 'Maniini'])}, Thohoyandou, 0950",
                    f"No. {r.randint(1, 90)} {r.choice(['Zoo Road', 'Bello Road', 'Murtala Mohammed Way', 'Ibrahim Taiwo Road'])}, {r.choice(['Nassarawa', 'Fagge', 'Gyadi-Gyadi', 'Tarauni'])}, Kano",
                    f"{r.randint(1, 99)} {r.choice(['Selkirk Ave', 'Princeton Dr', 'Thompson Dr N'])}, Thompson, MB R8N {r.randint(0, 1)}{r.choice('ABCEGHJKLMNPRSTVWXYZ')}{r.randint(1, 9)}",
                    f"{r.randint(1, 40)} {r.choice(['Smith Street', 'Cavenagh Street', 'Bagot Road'])}, {r.choice(['Darwin City NT 0800', 'Millner NT 0810', 'Alice Springs NT 0870'])}",
                ]
            )
        bp = r.choice(["01", "02", "03"])
        return r.choice(
            [
                f"PO Box {r.randint(100, 4999)}, {r.choice(['Window Rock, AZ 86515', 'Chinle, AZ 86503', 'Kayenta, AZ 86033', 'Shiprock, NM 87420'])}",
                f"HC {r.randint(58, 63)} Box {r.randint(10, 999)}, {r.choice(['Ganado, AZ 86505', 'Pine Ridge, SD 57770', 'Kyle, SD 57752', 'Wanblee, SD 57577'])}",
                f"Erf {r.randint(100, 4999)}, {r.choice(['Oshakati East', 'Ongwediva', 'Ondangwa', 'Outapi'])}, {r.choice(['Oshana Region', 'Omusati Region'])}",
                f"Secteur {r.randint(1, 55)}, {bp} BP {r.randint(100, 9999)} Ouagadougou {bp}",
                f"{r.choice(['Hai Malakal', 'Munuki Payam', 'Hai Cinema', 'Gudele Block 4'])}, Juba, South Sudan",
                f"Cité {r.choice(['des 600 Logements', 'Bekkar', 'Nouvelle-Ville'])}, Bt {r.randint(1, 40)} n° {r.randint(1, 30)}, 15000 Tizi Ouzou",
                f"Area {r.choice(['18B', '25', '47', '49'])}, Plot {r.randint(1, 899)}, Lilongwe",
                f"P.O. Box {r.randint(100, 99999)}, {r.choice(['Blantyre 3', 'Limbe', 'Thyolo', 'Mulanje'])}, Malawi",
                f"Plot {r.randint(100, 9999)}, {r.choice(['Parklands', 'Nkana East', 'Riverside'])}, Kitwe",
                f"House {r.randint(1, 200)}, {r.choice(['Kansenshi', 'Northrise', 'Itawa'])}, Ndola",
                f"Plot {r.randint(1, 120)}, {r.choice(['Ntinda II Road', 'Kira Road', 'Bukoto Street', 'Naboa Road, Mbale'])}, {r.choice(['Kampala', 'Uganda'])}",
                f"г. Казань, ул. {r.choice(['Баумана', 'Пушкина', 'Декабристов', 'Чистопольская'])}, д. {r.randint(1, 99)}, кв. {r.randint(1, 240)}, 4201{r.randint(0, 3)}{r.randint(0, 9)}",
                f"Набережные Челны, пр. {r.choice(['Мира', 'Сююмбике', 'Московский'])}, д. {r.randint(1, 90)}, кв. {r.randint(1, 300)}, 4238{r.randint(0, 3)}{r.randint(0, 9)}",
                f"Quartier {r.choice(['Dixinn', 'Kaloum', 'Ratoma', 'Hamdallaye'])}, Commune de {r.choice(['Dixinn', 'Matam', 'Ratoma'])}, Conakry",
                f"Lot {r.randint(100, 9999)}, Jalan {r.choice(['Lanang', 'Kampung Nyabor', 'Pahlawan'])}, 96000 Sibu, Sarawak",
                f"{r.choice(['Mukhwathi', 'Ha-Tshivhase', 'Phiphidi'])} Village, Vhembe District, Limpopo",
            ]
        )

    # --- dates -------------------------------------------------------------------------
    def date(self) -> str:
        r = self.r
        b = self._birth()
        m = b.month - 1
        en = _MONTHS["en"][m]
        suffix = "th" if 10 <= b.day <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(b.day % 10, "th")
        if self._everyday():
            return r.choice(
                [
                    f"{b:%d/%m/%Y}",
                    f"{b:%m/%d/%Y}",
                    f"{b:%Y-%m-%d}",
                    f"{b:%d.%m.%Y}",
                    f"{b.day} {en} {b.year}",
                    f"{en} {b.day}, {b.year}",
                    f"{b.day:02d}-{en[:3]}-{b.year}",
                    f"{b.day}/{b.month}/{b.year}",
                ]
            )
        return r.choice(
            [
                f"{b.day}. {_MONTHS['de'][m]} {b.year}",
                f"{b.day} {_MONTHS['fr'][m]} {b.year}",
                f"{b.day:02d}.{b.month:02d}.{b.year} г.",
                f"«{b.day}» {_MONTHS['ru'][m]} {b.year} г.",
                f"{b.year} елның {b.day} {_MONTHS['tt'][m]}",
                f"{b.day} {_MONTHS['ms'][m]} {b.year}",
                f"{b.day} {_MONTHS['af'][m]} {b.year}",
                f"{b.day} ga {_MONTHS['ha'][m]}, {b.year}",
                f"{b.day} {_MONTHS['ny'][m]} {b.year}",
                f"{b.year}. {_MONTHS['hu'][m]} {b.day}.",
                f"{b:%d%b%y}".upper(),
                f"{b.day}{suffix} of {en} {b.year}",
                f"{b:%Y%m%d}",
                f"{b.year}년 {b.month}월 {b.day}일",
            ]
        )

    # --- national identifiers ----------------------------------------------------------
    def national_id(self) -> str:
        r = self.r
        kind = r.choice(
            ["us_ssn", "gb_nino", "de_idnr", "fr_nir", "in_pan", "ca_sin", "au_tfn", "za_id", "my_nric"]
            if self._everyday()
            else [
                "fr_nir_abroad",
                "ru_snils",
                "ru_passport",
                "in_epic",
                "na_id",
                "zm_nrc",
                "ng_nin",
                "us_itin",
                "de_svnr",
                "ua_rntrc",
            ]
        )
        return self.natid_of(kind)

    def natid_of(self, kind: str) -> str:
        r = self.r
        d = self._d
        b = self._birth(1950, 2006)
        if kind == "us_ssn":
            area = r.choice([n for n in range(1, 900) if n != 666])
            v = f"{area:03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"
            return r.choice([v, v, v.replace("-", " "), v.replace("-", "")])
        if kind == "us_itin":
            group = r.choice([*range(70, 89), 90, 91, 92, *range(94, 100)])
            return f"9{d(2)}-{group}-{d(4)}"
        if kind == "gb_nino":
            while True:
                a, b2 = r.choice("ABCEGHJKLMNOPRSTWXYZ"), r.choice("ABCEGHJKLMNPRSTWXYZ")
                if a + b2 not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
                    break
            v = f"{a}{b2}{d(6)}{r.choice('ABCD')}"
            return r.choice([v, f"{v[:2]} {v[2:4]} {v[4:6]} {v[6:8]} {v[8]}"])
        if kind == "de_idnr":
            while True:
                body = str(r.randint(1, 9)) + d(9)
                repeated = [body.count(c) for c in set(body) if body.count(c) > 1]
                if len(repeated) == 1 and repeated[0] in (2, 3) and all(c * 3 not in body for c in set(body)):
                    v = body + _mod11_10(body)
                    return r.choice([v, f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}"])
        if kind in ("fr_nir", "fr_nir_abroad"):
            if kind == "fr_nir":
                place = r.choice(["75", "93", "94", "13", "69", "59", "92"]) + f"{r.randint(1, 120):03d}"
            else:
                place = "99" + r.choice(_NIR_ABROAD)
            body = f"{r.choice('12')}{b:%y%m}{place}{r.randint(1, 999):03d}"
            key = 97 - int(body) % 97
            return r.choice(
                [
                    f"{body}{key:02d}",
                    f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:]} {key:02d}",
                ]
            )
        if kind == "in_pan":
            return (
                "".join(r.choice(string.ascii_uppercase) for _ in range(3))
                + "P"
                + r.choice(string.ascii_uppercase)
                + d(4)
                + r.choice(string.ascii_uppercase)
            )
        if kind == "in_epic":
            return "".join(r.choice(string.ascii_uppercase) for _ in range(3)) + _luhn(d(6))
        if kind == "ca_sin":
            v = _luhn(str(r.choice([1, 2, 3, 4, 5, 6, 7, 9])) + d(7))
            return r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", f"{v[:3]}-{v[3:6]}-{v[6:]}", v])
        if kind == "au_tfn":
            v = _tfn(r)
            return r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", v])
        if kind == "za_id":
            return _luhn(f"{b:%y%m%d}{r.randint(0, 9999):04d}{r.choice('01')}8")
        if kind == "my_nric":
            v = f"{b:%y%m%d}{r.choice(_MYKAD_PLACES)}{d(4)}"
            return r.choice([f"{v[:6]}-{v[6:8]}-{v[8:]}", v])
        if kind == "ru_snils":
            while True:
                body = d(9)
                if int(body) > 1001998:
                    return _snils(body)
        if kind == "ru_passport":
            return r.choice(
                [
                    f"92 {r.randint(0, 24):02d} {d(6)}",
                    f"92{r.randint(0, 24):02d} {d(6)}",
                    f"92{r.randint(0, 24):02d}{d(6)}",
                ]
            )
        if kind == "na_id":
            return f"{b:%y%m%d}{d(5)}"
        if kind == "zm_nrc":
            return f"{r.randint(100000, 999999)}/{r.randint(10, 99)}/1"
        if kind == "ng_nin":
            return str(r.randint(1, 9)) + d(10)
        if kind == "de_svnr":
            v = _svnr(r.choice(_SVNR_AREAS), b, r.choice("ABDEFGHKLMNPRSTWZ"), f"{r.randint(0, 99):02d}")
            return r.choice([v, f"{v[:2]} {v[2:8]} {v[8]} {v[9:]}"])
        if kind == "ua_rntrc":
            return _rntrc(b, d(3), r.randint(0, 9))
        raise ValueError(kind)

    # --- badges and record numbers -----------------------------------------------------
    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"00{r.randint(100000, 999999)}",
                    f"{r.choice(['AZL', 'SHL', 'KUC', 'OSH', 'KNO', 'LLW', 'KZN'])}.{r.randint(10000, 99999)}",
                    f"EMPL/{r.randint(1000, 9999)}",
                    f"{r.randint(1, 9)}{r.choice('ABCDEFGH')}{r.randint(10000, 99999)}",
                    f"WF-{r.randint(100, 999)}-{r.randint(100, 999)}",
                ]
            )
        return r.choice(
            [
                f"ТН-{r.randint(10000, 99999)}",
                f"ZW{_luhn(str(r.randint(10000, 99999)))}",
                f"{r.choice(['MZ', 'KH', 'VE', 'OV', 'MO', 'HA'])}{r.randint(100, 999)}/{r.randint(10, 26)}",
                f"{r.randint(100, 999)}-{r.choice('JKLMNPRT')}{r.randint(10, 99)}",
                f"emp_{r.randint(10000, 99999)}",
            ]
        )

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(100000000, 999999999)}",
                    f"U{r.randint(1, 99999999):08d}",
                    f"{r.randint(2008, 2026)}{r.randint(100000, 999999)}",
                ]
            )
        body = f"{r.randint(100000, 999999)}"
        return r.choice([f"{body}-{_mod23(body)}", f"H{r.randint(10, 26)}/{r.randint(0, 99999):05d}"])

    def mrn_token(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"AKTH/{r.randint(100000, 999999)}",
                    f"SGH-{r.randint(10, 26)}-{r.randint(100000, 999999)}",
                    f"MNRH{r.randint(1000000, 9999999)}",
                    f"HRN {r.randint(100000, 999999)}",
                    f"UTH.{r.randint(10000, 99999)}.{r.randint(10, 26)}",
                ]
            )
        return r.choice(
            [
                f"CHUYO-{r.randint(2010, 2026)}-{r.randint(1, 9999):04d}",
                f"OIH{r.randint(10000, 99999)}{r.choice(string.ascii_uppercase)}",
                f"JTH/{r.choice(['M1', 'M2', 'S1', 'P3', 'ANC', 'GYN'])}/{r.randint(1, 9999):04d}",
                f"РКБ-{r.randint(100000, 999999)}",
                f"OLK{r.randint(1000, 9999)}.{r.randint(100, 999)}",
            ]
        )

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "gout",
                    "psoriasis",
                    "glaucoma",
                    "rheumatoid arthritis",
                    "atrial fibrillation",
                    "an underactive thyroid",
                    "plantar fasciitis",
                    "shingles",
                    "tennis elbow",
                    "bipolar disorder",
                    "alcohol dependence",
                    "anaemia",
                    "a slipped disc",
                    "endometriosis",
                    "coeliac disease",
                    "type 1 diabetes",
                    "chronic kidney disease",
                    "long COVID",
                ]
            )
        return r.choice(
            [
                "sickle cell disease",
                "falciparum malaria",
                "schistosomiasis",
                "river blindness",
                "trachoma",
                "podoconiosis",
                "a Buruli ulcer",
                "visceral leishmaniasis",
                "chronic hepatitis B",
                "melioidosis",
                "scrub typhus",
                "Japanese encephalitis",
                "brucellosis",
                "pneumoconiosis",
                "occupational asthma",
                "lead poisoning",
                "beta thalassaemia major",
                "G6PD deficiency",
                "nodding syndrome",
                "Lassa fever",
                "meningococcal meningitis",
                "leprosy",
                "Kaposi sarcoma",
            ]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "trapped two fingers in the press brake",
                "got hydraulic oil injected into his palm",
                "slipped on the wet floor and broke a wrist",
                "was hit in the face by a snapped strap",
                "inhaled ammonia from a leaking valve",
                "burned her forearm on the retort door",
                "crushed a thumb between two pallets",
                "was bitten by the guard dog at the gate",
                "fell off the loading bay into the yard",
                "got a sliver of glass in the left eye",
                "twisted a knee jumping off the tractor",
                "was kicked by a steer in the crush",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            [
                "off sick with malaria",
                "in hospital after a stroke",
                "on maternity leave until spring",
                "off with a bad back since Monday",
                "signed off with stress for two weeks",
                "at the TB clinic every morning for treatment",
                "isolating with chickenpox",
                "recovering from gallbladder surgery",
            ]
        )

    def outcome(self) -> str:
        return self.r.choice(
            [
                "two broken ribs",
                "a cut that needed five stitches",
                "bruising only, back on shift",
                "admission to the burns unit",
                "a concussion, kept in overnight",
                "a dislocated thumb, put back in casualty",
                "a hairline fracture of the shin",
            ]
        )

    def medication(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    "metformin 500 mg twice a day",
                    "atorvastatin 20 mg",
                    "amlodipine 5 mg",
                    "omeprazole 20 mg",
                    "a salbutamol inhaler",
                    "ibuprofen 400 mg",
                    "sertraline 50 mg",
                    "levothyroxine 75 mcg",
                    "warfarin",
                    "apixaban 5 mg",
                    "insulin glargine 20 units at night",
                    "allopurinol 300 mg",
                    "methotrexate 15 mg weekly",
                    "amoxicillin 500 mg three times a day",
                ]
            )
        return r.choice(
            [
                "artemether-lumefantrine",
                "hydroxyurea 500 mg",
                "praziquantel",
                "tenofovir/lamivudine/dolutegravir",
                "rifampicin and isoniazid",
                "miltefosine",
                "two vials of antivenom",
                "dapsone and clofazimine",
                "co-trimoxazole prophylaxis",
                "sodium valproate 500 mg",
                "lithium carbonate 400 mg",
                "methadone 60 mg",
                "disulfiram",
            ]
        )

    def procedure(self) -> str:
        return self.r.choice(
            [
                "a knee replacement",
                "a colonoscopy",
                "cataract surgery",
                "an appendicectomy",
                "a caesarean section",
                "a vasectomy",
                "an MRI of the lumbar spine",
                "a skin graft",
                "a coronary bypass",
                "a liver biopsy",
                "an exercise ECG",
                "a thyroidectomy",
                "an IUD insertion",
                "a trabeculectomy",
                "a hydrocele repair",
                "haemodialysis",
            ]
        )

    # --- money -------------------------------------------------------------------------
    def card(self) -> str:
        r = self.r
        if self._everyday():
            prefix, length = r.choice(
                [
                    ("4", 16),
                    ("4", 16),
                    ("4", 16),
                    ("53", 16),
                    ("52", 16),
                    ("2720", 16),
                    ("37", 15),
                    ("6011", 16),
                ]
            )
        else:
            prefix, length = r.choice(
                [
                    (f"5061{r.randint(0, 8)}{r.randint(0, 9)}", 19),
                    (f"6500{r.randint(10, 27)}", 16),
                    ("60", 16),
                    ("508", 16),
                    (f"220{r.choice('013')}", 16),
                    ("624", 16),
                    ("3095", 14),
                    ("3566", 16),
                    ("6304", 19),
                ]
            )
        num = _luhn(prefix + self._d(length - len(prefix) - 1))
        sep = r.choice([" ", " ", "-", ""])
        if length == 15:
            return f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        if length == 14:
            return f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        if length == 19:
            return r.choice(
                [f"{num[:6]} {num[6:]}", num, " ".join([num[:4], num[4:8], num[8:12], num[12:16], num[16:]])]
            )
        return sep.join(num[i : i + 4] for i in range(0, 16, 4))

    def iban(self) -> str:
        r = self.r
        if self._everyday():
            return self.iban_of(r.choice(["DE", "DE", "FR", "GB", "ES", "NL", "IT"]))
        return self.iban_of(r.choice(["HU", "RO", "SI", "UA", "TN", "MU", "LT", "SK"]))

    def iban_of(self, c: str) -> str:
        r = self.r
        d = self._d
        if c == "DE":
            bban = r.choice(["85050300", "86050000", "18050000", "37010050", "50010517"]) + d(10)
        elif c == "FR":
            bank, branch, acct = d(5), d(5), d(11)
            key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97
            bban = f"{bank}{branch}{acct}{key:02d}"
        elif c == "GB":
            bban = r.choice(["NWBK", "HBUK", "BUKB", "LOYD", "SRLG"]) + d(14)
        elif c == "ES":
            bank, branch, acct = r.choice(["2100", "0049", "0182", "2085"]), d(4), d(10)

            def dc(s: str) -> str:
                v = 11 - _wsum(s.zfill(10), (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)) % 11
                return str({10: 1, 11: 0}.get(v, v))

            bban = bank + branch + dc("00" + bank + branch) + dc(acct) + acct
        elif c == "NL":
            while True:
                acct = d(10)
                if _wsum(acct, range(10, 0, -1)) % 11 == 0:
                    break
            bban = r.choice(["INGB", "RABO", "ABNA", "TRIO", "KNAB"]) + acct
        elif c == "IT":
            body = r.choice(["03069", "02008", "05034"]) + d(5) + d(12)
            total = sum(_CIN_ODD[int(ch)] if i % 2 == 0 else int(ch) for i, ch in enumerate(body))
            bban = chr(65 + total % 26) + body
        elif c == "HU":
            head = r.choice(["117", "104", "120", "116"]) + d(4)
            c1 = (10 - _wsum(head, (9, 7, 3, 1, 9, 7, 3)) % 10) % 10
            acct = d(15)
            c2 = (10 - _wsum(acct, (9, 7, 3, 1) * 3 + (9, 7, 3)) % 10) % 10
            bban = f"{head}{c1}{acct}{c2}"
        elif c == "RO":
            bban = r.choice(["BTRL", "RNCB", "BRDE", "INGB"]) + "".join(
                r.choice(string.ascii_uppercase + string.digits) for _ in range(16)
            )
        elif c == "SI":
            body = r.choice(["02", "03", "04", "05", "06", "10"]) + d(11)
            bban = f"{body}{98 - int(body + '00') % 97:02d}"
        elif c == "UA":
            bban = r.choice(["305299", "322001", "300528", "320478"]) + "00000" + "2620" + d(10)
        elif c == "TN":
            body = r.choice(["08", "10", "11", "14"]) + d(3) + d(13)
            bban = f"{body}{97 - int(body + '00') % 97:02d}"
        elif c == "MU":
            bban = r.choice(["MCBL", "BOMM", "SBMM"]) + d(2) + d(2) + d(12) + "000MUR"
        elif c == "LT":
            bban = r.choice(["73000", "70440", "40100", "21400"]) + d(11)
        else:  # SK: account prefix and number with their mod-11 weights
            while True:
                pre, acct = "000000", d(10)
                if _wsum(acct, (6, 3, 7, 9, 10, 5, 8, 4, 2, 1)) % 11 == 0 and acct[0] != "0":
                    break
            bban = r.choice(["0200", "0900", "1100", "7500"]) + pre + acct
        iban = _iban(c, bban)
        return r.choice([" ".join(iban[i : i + 4] for i in range(0, len(iban), 4)), iban, iban])

    # --- network and places ------------------------------------------------------------
    def ip(self) -> str:
        r = self.r
        o = lambda: r.randint(0, 255)  # noqa: E731
        if self._everyday():
            return r.choice(
                [
                    f"192.168.{o()}.{r.randint(2, 254)}",
                    f"10.{o()}.{o()}.{r.randint(1, 254)}",
                    f"172.{r.randint(16, 31)}.{o()}.{r.randint(1, 254)}",
                    f"{r.choice([41, 102, 105, 154, 196, 197, 103, 113, 95, 178, 24, 73])}.{o()}.{o()}.{r.randint(1, 254)}",
                ]
            )
        h = lambda: f"{r.randint(1, 0xFFFF):x}"  # noqa: E731
        return r.choice(
            [
                f"2c0f:{h()}:{h()}::{h()}",
                f"2404:{h()}:{h()}:{h()}::{h()}",
                f"2a00:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}",
                f"{r.choice([41, 105, 197])}.{o()}.{o()}.{r.randint(1, 254)}:{r.randint(1024, 65535)}",
                f"[2c0f:{h()}::{h()}]:{r.choice([443, 8443, 1883, 4840])}",
                f"192.168.{o()}.{r.randint(2, 254)}/24",
            ]
        )

    def mac(self) -> str:
        r = self.r
        oui = r.choice(
            ["b827eb", "dca632", "e45f01", "001b1b", "00074d", "f8dc7a", "3c71bf", "a4cf12", "0080f4"]
        )
        raw = oui + "".join(f"{r.randint(0, 255):02x}" for _ in range(3))
        if self._everyday():
            sep = r.choice([":", ":", "-"])
            v = sep.join(raw[i : i + 2] for i in range(0, 12, 2))
            return v.upper() if r.random() < 0.5 else v
        return r.choice(
            [
                f"{raw[:4]}.{raw[4:8]}.{raw[8:]}",
                raw.upper(),
                raw,
                " ".join(raw[i : i + 2] for i in range(0, 12, 2)).upper(),
            ]
        )

    def gps(self) -> str:
        r = self.r
        lat, lon = r.choice(
            [
                (23.73, 92.72),
                (25.57, 91.88),
                (1.55, 110.34),
                (2.29, 111.83),
                (-22.95, 30.48),
                (-17.79, 15.70),
                (-22.96, 14.51),
                (12.37, -1.52),
                (4.85, 31.58),
                (12.00, 8.52),
                (36.72, 4.05),
                (51.18, 14.43),
                (51.76, 14.33),
                (35.68, -109.05),
                (43.03, -102.56),
                (-13.96, 33.79),
                (-12.80, 28.21),
                (0.35, 32.58),
                (55.79, 49.12),
                (9.64, -13.58),
                (41.88, -87.63),
                (53.80, -1.75),
                (48.89, 2.35),
            ]
        )
        lat += r.uniform(-0.15, 0.15)
        lon += r.uniform(-0.15, 0.15)
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        a, o = abs(lat), abs(lon)
        if self._everyday():
            return r.choice(
                [
                    f"{lat:.6f}, {lon:.6f}",
                    f"{lat:.5f},{lon:.5f}",
                    f"https://maps.google.com/?q={lat:.6f},{lon:.6f}",
                    f"Lat: {lat:.5f} Long: {lon:.5f}",
                ]
            )
        return r.choice(
            [
                f"{ns}{int(a)}° {a % 1 * 60:06.3f}' {ew}{int(o):03d}° {o % 1 * 60:06.3f}'",
                f"{int(a)} deg {int(a % 1 * 60)}' {a * 3600 % 60:.2f}\" {ns}, {int(o)} deg {int(o % 1 * 60)}' {o * 3600 % 60:.2f}\" {ew}",
                f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}",
                f"<coordinates>{lon:.6f},{lat:.6f},0</coordinates>",
                f"({lat:.4f}, {lon:.4f})",
                f"{a:.5f}{ns} {o:.5f}{ew}",
            ]
        )

    # --- credentials -------------------------------------------------------------------
    def secret(self) -> str:
        r = self.r
        rnd = self._rnd
        al = string.ascii_letters + string.digits
        b64 = al + "+/"
        hx = "0123456789abcdef"
        if self._everyday():
            return r.choice(
                [
                    "AKIA" + rnd(16, string.ascii_uppercase + "234567"),
                    "ghp_" + rnd(36),
                    "AIza" + rnd(35, al + "-_"),
                    "sk_live_" + rnd(24),
                    "xoxb-" + rnd(13, string.digits) + "-" + rnd(13, string.digits) + "-" + rnd(24),
                    "sk-proj-" + rnd(64, al + "-_"),
                    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA"
                    + rnd(48, b64)
                    + "\n"
                    + rnd(64, b64)
                    + "\n-----END RSA PRIVATE KEY-----",
                ]
            )
        return r.choice(
            [
                "sntrys_eyJpYXQiOjE3" + rnd(60, al) + "_" + rnd(43, al + "-_"),
                "figd_" + rnd(40, al + "-_"),
                "pscale_tkn_" + rnd(43, al + "-_"),
                "fo1_" + rnd(43, al + "-_"),
                "ntn_" + rnd(11, string.digits) + rnd(35),
                "xkeysib-" + rnd(64, hx) + "-" + rnd(16),
                "glc_eyJvIjoi" + rnd(80, al) + "In19",
                "dt0c01."
                + rnd(24, string.ascii_uppercase + string.digits)
                + "."
                + rnd(64, string.ascii_uppercase + string.digits),
                "LTAI5t" + rnd(18),
                "AKID" + rnd(32),
                "nvapi-" + rnd(64, al + "-_"),
                "gsk_" + rnd(52),
                "sk-or-v1-" + rnd(64, hx),
                "GOCSPX-" + rnd(28, al + "-_"),
                "HostName=edge-hub.azure-devices.net;DeviceId="
                + rnd(8, string.ascii_lowercase)
                + ";SharedAccessKey="
                + rnd(43, b64)
                + "=",
                rnd(43, b64) + "=",
                "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQVYBG"
                + rnd(58, b64)
                + "\n"
                + rnd(64, b64)
                + "\n="
                + rnd(4, b64)
                + "\n-----END PGP PRIVATE KEY BLOCK-----",
            ]
        )

    def password(self) -> str:
        r = self.r
        words = [
            "Mulanje",
            "Zambezi",
            "Etosha",
            "Aizawl",
            "Shillong",
            "Kuching",
            "Ouaga",
            "Djurdjura",
            "Spree",
            "Chuska",
            "Luangwa",
            "Kampala",
            "Volga",
            "Fouta",
            "Venda",
            "Sahel",
            "Rajang",
            "Shiprock",
        ]
        if self._everyday():
            w = r.choice(words)
            return r.choice(
                [
                    f"{w}{r.randint(2019, 2026)}!",
                    f"{w}@{r.randint(100, 9999)}",
                    f"{w.lower()}.{r.choice(words).lower()}{r.randint(1, 9)}",
                    f"{w}#{r.randint(10, 99)}{r.choice('xyzq')}",
                ]
            )
        return r.choice(
            [
                self._rnd(20, string.ascii_letters + string.digits + "!#$%&*+-=?@^_"),
                "-".join(r.choice(words).lower() for _ in range(4)),
                r.choice(["1qaz@WSX3edc", "zaq1@WSX", "!QAZ2wsx#EDC", "Pa$$w0rd"]) + str(r.randint(1, 99)),
                f"{r.choice(words)[::-1].capitalize()}{r.randint(10, 99)}&{r.choice(words)[:4].lower()}",
            ]
        )

    # --- negatives -----------------------------------------------------------------------
    def part(self) -> str:
        r = self.r
        return r.choice(
            [
                f"LC1D{r.choice(['09', '12', '18', '25', '32'])}{r.choice(['BD', 'M7', 'P7', 'F7'])}",
                f"E2E-X{r.choice([2, 5, 8, 10])}ME{r.randint(1, 2)}",
                f"R9005{r.randint(10000, 99999)}",
                f"NBB{r.choice([2, 5, 8])}-{r.choice([12, 18, 30])}GM{r.choice([40, 50, 60])}-E{r.randint(0, 2)}",
                f"131B{r.randint(1000, 9999)}",
                f"FR-D720S-{r.choice(['008', '014', '025', '042', '070', '100'])}-EC",
                f"BES {r.randint(500, 520)}-{r.randint(100, 399)}-G-E4",
                f"{r.choice(['6204', '6305', '22212', 'NU2208'])}-{r.choice(['2RS1', 'ZZ', 'E', 'ECP'])}",
            ]
        )

    def serial(self) -> str:
        r = self.r
        al = string.ascii_uppercase + string.digits
        return r.choice(
            [
                f"S/N {r.randint(20, 26)}{r.randint(1, 52):02d}{r.randint(10000, 99999)}",
                self._rnd(7, "BCDFGHJKLMNPQRSTVWXYZ0123456789"),
                f"10000000{self._rnd(8, '0123456789abcdef')}",
                f"{r.choice(['5CG', '5CD', 'CND'])}{r.randint(1, 4)}{self._rnd(6, al)}",
                f"{r.choice(['PF', 'R9', 'MP'])}{self._rnd(6, al)}",
                f"{r.randint(19, 26)}{r.randint(100, 999)}B{r.randint(1000, 9999)}",
            ]
        )

    def timestamp(self) -> str:
        r = self.r
        t = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=r.randint(0, 300 * 86400))
        return r.choice(
            [
                f"{t:%Y-%m-%dT%H:%M:%S}.{r.randint(0, 999):03d}+0{r.randint(0, 3)}:00",
                f"{t:%b} {t.day:>2} {t:%H:%M:%S}",
                f"{t:%Y/%m/%d %H:%M:%S}",
                f"{t.month}/{t.day}/{t.year} {t.hour % 12 or 12}:{t:%M:%S} {'PM' if t.hour >= 12 else 'AM'}",
                f"{t:%H:%M}",
                f"{t:%d.%m.%Y, %H:%M}",
                f"{int(t.replace(tzinfo=dt.UTC).timestamp()) * 1000 + r.randint(0, 999)}",
            ]
        )

    def version(self) -> str:
        r = self.r
        return r.choice(
            [
                f"v{r.randint(1, 5)}.{r.randint(0, 30)}.{r.randint(0, 12)}",
                f"build {r.randint(2025, 2026)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}.{r.randint(1, 9)}",
                f"fw {r.randint(1, 4)}.{r.randint(0, 9)}.{r.randint(0, 20)}-rc{r.randint(1, 4)}",
                f"{r.randint(2024, 2026)}.{r.randint(1, 12):02d}",
                f"6.{r.randint(1, 12)}.0-{r.randint(10, 40)}-arm64",
            ]
        )

    def lot(self) -> str:
        r = self.r
        return r.choice(
            [
                f"LOT {r.randint(24, 26)}{r.choice('ABCDEFGHJK')}{r.randint(10, 31)}",
                f"Batch B{r.randint(24, 26)}{r.randint(1, 12):02d}-{r.randint(100, 999)}",
                f"Charge {r.randint(24, 26)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}-{r.randint(1, 9):02d}",
                f"{r.randint(1, 9)}{r.choice('FGHK')}{r.randint(1000, 9999)}{r.choice('AB')}",
            ]
        )

    def ean(self) -> str:
        r = self.r
        return r.choice(
            [
                _gtin(
                    r.choice(["600", "601", "616", "613", "615", "619", "890", "955", "460", "400", "300"])
                    + self._d(9)
                ),
                _gtin(r.choice(["600", "890", "955"]) + self._d(9)),
                _gtin("0" + self._d(10)),
                f"(01){_gtin('0' + r.choice(['600', '890', '400']) + self._d(9))}(17){r.randint(26, 29)}{r.randint(1, 12):02d}{r.choice(['00', '15', '28'])}(10){r.choice('ABCL')}{r.randint(1000, 9999)}",
                _gtin(self._d(7)),
            ]
        )

    def reading(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.uniform(5, 400):.1f} kW",
                f"{r.uniform(0.2, 25):.2f} MPa",
                f"{r.randint(80, 1200)} lux",
                f"{r.uniform(20, 95):.1f} %RH",
                f"{r.uniform(60, 105):.1f} dB(A)",
                f"{r.uniform(0.005, 2.5):.3f} mm",
                f"{r.uniform(1, 250):.1f} L/min",
                f"{r.uniform(0.1, 48):.2f} kg",
                f"{r.randint(50, 2000)} µS/cm",
            ]
        )

    def order(self) -> str:
        r = self.r
        return r.choice(
            [
                f"DN{r.randint(10000000, 99999999)}",
                f"INV/{r.randint(2025, 2026)}/{r.randint(1, 9999):04d}",
                f"CO-{r.randint(100000, 999999)}-{r.choice('ABCDEF')}",
                self._rnd(10, string.ascii_uppercase + string.digits),
                f"{r.randint(10**9, 10**10 - 1)}",
                f"WB {r.randint(100, 999)} {r.randint(1000, 9999)} {r.randint(100, 999)}",
            ]
        )


# The formats a site would configure for its own badge and record numbers (the
# appliance's employee_id_patterns and medical_record_patterns): one regex per format
# that B16Gen.badge, .mrn and .mrn_token issue, as specific as the format. Formats no
# regex tells from other numbers (bare digits) are left out. Used by the benchmark's
# "site patterns" run.
B16_SITE_PATTERNS: dict[str, list[str]] = {
    "employee_id_patterns": [
        r"\b(?:AZL|SHL|KUC|OSH|KNO|LLW|KZN)\.\d{5}\b",
        r"\bEMPL/\d{4}\b",
        r"\b[1-9][A-H]\d{5}\b",
        r"\bWF-\d{3}-\d{3}\b",
        r"\bТН-\d{5}\b",
        r"\bZW\d{6}\b",
        r"\b(?:MZ|KH|VE|OV|MO|HA)\d{3}/(?:1\d|2[0-6])\b",
        r"(?<![\w-])\d{3}-[JKLMNPRT]\d{2}(?![\w-])",
        r"\bemp_\d{5}\b",
    ],
    "medical_record_patterns": [
        r"\bU\d{8}\b",
        r"(?<![\w-])\d{6}-[A-HJ-NP-TV-Z](?![\w-])",
        r"\bH(?:1\d|2[0-6])/\d{5}\b",
        r"\bAKTH/\d{6}\b",
        r"\bSGH-(?:1\d|2[0-6])-\d{6}\b",
        r"\bMNRH\d{7}\b",
        r"\bHRN \d{6}\b",
        r"\bUTH\.\d{5}\.(?:1\d|2[0-6])\b",
        r"\bCHUYO-20[12]\d-\d{4}\b",
        r"\bOIH\d{5}[A-Z]\b",
        r"\bJTH/(?:M1|M2|S1|P3|ANC|GYN)/\d{4}\b",
        r"\bРКБ-\d{6}\b",
        r"\bOLK\d{4}\.\d{3}\b",
    ],
}


# Written for the blind set b16 without reading the detector. New situations only: no
# sentence here appears in, or is edited from, the dev templates or b1-b15.
# fmt: off
B16_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Tea estate, Thyolo: plucker {person} ({badge}) {injury} on the upper terraces at {ts}; the estate dresser {first} cleaned it up and wrote it in the book.",
        "emp_no;surname;given;mobile;shift\n{badge};{surname};{first};{phone};B",
        "[{ts}] {first}: cant make nights, my wife is taking our boy to the clinic, he has {condition}\n[{ts}] {first}: no stress, I'll ask {person} to swap. ring {phone_nat} if the dryer trips",
        "opcua:\n  server: opc.tcp://{ip}:48010/line4\n  user: line4_hmi\n  pass: {password}\n  security_mode: SignAndEncrypt",
        "Журнал проходной: {person}, пропуск {badge}, прошёл через турникет в {ts}, паспорт {natid}.",
        "Эшче {person} авырый, бүген эшкә килмәде. Телефоны: {phone_nat}.",
        "Ginnery weighbridge ticket {order}: {=NEG:1 840 kg} of seed cotton from grower {person}, paid out to mobile money {phone}; clerk {first}.",
        "From the Kitwe concentrator: {person} ({badge}) is {sick}; the mine hospital keeps his file under {mrn_token}.",
        "[mqtt]\nhost = {ip}\nclientid = {serial}\nuser = press_line_07\npassword = {password}\nkeepalive = 60",
        "{\"evt\":\"badge_denied\",\"reader\":\"{serial}\",\"card\":\"{badge}\",\"holder\":\"{person}\",\"at\":\"{ts}\",\"door\":\"kiln hall east\"}",
        "Fishmeal plant, Walvis Bay: {person} (ID {natid}) starts as boiler attendant on Monday; overalls XL, locker beside {first}'s.",
        "From: {email}\nSubject: salary account\n\nGood day, please pay my wages into {iban} from this month on.\n{person}, works no. {badge}",
        "ts={ts} gw=edge-07 lvl=WARN msg=\"ssh auth failed\" src={ip} user=maint fw={version}",
        "Retort 3, batch {lot} on hold: sensor {serial} gave {reading} at {ts}, outside the recipe window. QA to re-check it.",
        "Ma'aikaci {person} ya ji rauni a hannu da safiyar yau. Lambar wayarsa {phone_nat}.",
        "Dźěłaćer {person} je dźensa chory; telefon {phone_nat}.",
        "@{first} exhaust fan {serial} alarmed again ({reading} on the trend), can you fit the spare bearing {part} before {ts}?",
        "UNDERGROUND INDUCTION\nName: {person}\nBorn: {dob}\nID/passport: {natid}\nNext of kin: {person}, {phone}\nMedical: cleared, declared {condition}",
        "Forklift ticket renewed for {person}, clock no {badge}; eyesight fine, says {med} does not make him drowsy.",
        "Háu {first}! bison plant shift moved to {ts}. text {phone_nat} if you need a ride in from Kyle",
        "Yá'át'ééh {first}, the van for the Window Rock crew leaves at {ts}; {person} is driving, cell {phone}.",
        "# /opt/edge/.env\nHISTORIAN_URL=http://{ip}:8086\nHISTORIAN_TOKEN={secret}\nSITE_CODE=kiln-2",
        "Man-down alarm from pendant {serial} worn by {person} at {gps}; battery 14 %, escalated to {first}.",
        "Aizawl bamboo works: {person} {injury}; taken to the Civil Hospital, record {mrn_token}.",
        "Hnathawk {person} chu a dam lo a, vawiin hna a thawk thei lo. A phone: {phone_nat}.",
        "Days-only request: {person} asks to stay off nights while on {med}; the OH nurse {surname} agreed until the next review.",
        "Kem balak Kapit: {person}, No. K/P {natid}, telefon {phone_nat}, mula kerja hari Isnin.",
        "card printer queue: {person} / {badge} / photo taken {ts} / printer {serial}",
        "INSERT INTO operators (badge_id, full_name, mobile, born) VALUES ('{badge}', '{person}', '{phone}', '{dob}');",
        "Gate ANPR matched the van of contractor {person}, ID {natid}; escort {first} from maintenance.",
        "Compressor {part} changed on line 2, new unit {serial}, controller {version}; hour meter reset at {ts}.",
        "Welding bay air sampling: {person} ({badge}) above the manganese limit, booked for {procedure} and a neuro review.",
        "--\n{person}\nShift engineer, lignite power station\nMob. {phone}\n{email}",
        "Unfallmeldung Brikettfabrik: {person}, Personalnr. {badge}, hat sich beim Palettieren {=HEALTH:den linken Daumen gequetscht}; Ersthelfer {first}.",
        "Cane cutter {person} {=HEALTH:slashed his shin with a panga} at field 14; {outcome}. Wife's number: {phone}.",
        "Omukozi {person} mulwadde leero, essimu ye {phone_nat}.",
        "Wogwira ntchito {person} sanabwere lero chifukwa akudwala; foni yake ndi {phone_nat}.",
        "staff,name,dob,bank_iban\n{badge},{person},{dob},{iban}",
        "{\"visitor\":\"{person}\",\"host\":\"{person}\",\"mobile\":\"{phone}\",\"id_doc\":\"{natid}\",\"signed_in\":\"{ts}\"}",
        "Carnet de l'infirmerie, site minier de Kaya : {person} ({badge}), {=HEALTH:piqûre de scorpion à la cheville}, soigné à {ts}.",
        "Ne y yibeoogo {first}, la navette du site part à {ts} ; {person} conduit, tél. {phone_nat}.",
        "Axeddam {person} yuḍen, ur d-yusi ara ass-a. Uṭṭun-is: {phone_nat}.",
        "Huilerie de Tizi Rached : {person} {injury} pendant le pressage ; pièce d'identité {natid}.",
        "Wa lele po {first}! The salt works bus is late, {person} will fetch you at {ts}. Call {phone_nat}.",
        "Ndaa {first}, the pack house still needs a copy of your ID {natid} and your bank details before payday.",
        "Mwashibukeni {first}! Shaft 4 cage check done at {ts}; rope {serial} passed, next test in a fortnight.",
        "{ts} hmi-04 sshd[2291]: Accepted password for {first} from {ip} port 50522 ssh2",
        "environment:\n  - PLC_HOST={ip}\n  - GF_SECURITY_ADMIN_PASSWORD={password}\n  - GF_SECURITY_SECRET_KEY={secret}",
        "Spindle {serial} on CNC 7 logged {reading} at {ts}, alarm cleared; spare {part} from lot {lot} fitted.",
        "Leaving do for {person} on Friday, envelope is with {first}; she retires after 31 years on the looms.",
        "{badge}|{surname}, {first}|{phone_nat}|{dob}|{address}",
        "Hearing test recall: {person}, born {dob}, badge {badge}. The last audiogram showed {condition}.",
        "Near miss at ammonia compressor {serial}: {person} {injury} but is back at work; valve {part} isolated.",
        "Thompson mill: {person} ({badge}) cleared for underground work after {procedure}; the doctor's letter went to {email}.",
        "Hey {first}, HR here. The I-9 scan of your ID ({natid}) is blurry, could you bring the card in on Monday? {phone_nat}",
        "Canteen top-up kiosk {serial} wrote the whole PAN {card} of {person} into its debug log at {ts}.",
        "Telematics: forklift {serial}, driver badge {badge}, harsh-impact event ({reading} on channel 2) at {gps}.",
        "Agency housing sheet: {person}, PESEL {pesel}, bed in {address}, first shift {ts}.",
        "nmap: {mac} at {ip}, firmware {version}, Modbus/TCP open, no owner in the asset list",
        "Subject: RE: line 3 dashboard\n\nHi {first}, use this token for the API: {secret}\nCheers, {person}",
        "Quarry, East Khasi Hills: blaster {person} (voter ID {natid}) shows a hand tremor, sent for {procedure}.",
        "Night bus roster\n{person} - {address} - {phone_nat}\n{person} - {address} - {phone_nat}",
        "<Employee><Id>{badge}</Id><Name>{person}</Name><BirthDate>{dob}</BirthDate><Mail>{email}</Mail></Employee>",
        "Palm oil mill intake {order}: {=NEG:14.62 t} net, grading 3 % unripe bunches, ticket printed {ts}.",
        "Lockout tag: {person}, {badge}, padlock 17, isolated {part} at {ts}.",
        "Payroll change request\nEmployee: {person} ({badge})\nOld account: {iban}\nNew account: {iban}\nApproved by {first}",
        "DHCP lease {mac} -> {ip}, hostname tablet-{first}, from the packing hall",
        "Geofence exit: crew truck driven by {person} left the lease at {gps}; dispatcher {person}, {phone}.",
    ),
    "clinic": (
        "MSH|^~\\&|LIS|OIH|||{ts}||ORU^R01|{serial}|P|2.5\nPID|1||{mrn_token}||{surname}^{first}^^^||{dob}|F||2106-3|{address}||{phone}",
        "{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"Patient/{mrn}\",\"display\":\"{person}\"},\"code\":{\"text\":\"{condition}\"},\"recordedDate\":\"{ts}\"}",
        "Hello {first}, we have booked your {procedure} for {ts} at the Kuching clinic. Reply 1 to confirm. Queries: {phone_nat}",
        "Pesakit {person} (K/P {natid}), tarikh lahir {dob}, dirujuk kerana {condition}.",
        "Pasiënt {person}, gebore {dob}, kontaknommer {phone}, is verwys vir {procedure}.",
        "Omulwadde {person}, ennaku z'okuzaalibwa {dob}, essimu {phone_nat}.",
        "Mara lafiya {person}, lambar asibiti {mrn}, yana da {=HEALTH:zazzabin cizon sauro}.",
        "Wodwala {person}, nambala ya chipatala {mrn_token}, ali ndi {=HEALTH:chifuwa chachikulu}.",
        "Авыру {person}, туган көне {dob}, диагноз: {=HEALTH:шикәр диабеты}.",
        "Пацієнтка {person}, дата народження {dob}, тел. {phone_nat}, направлена на {=HEALTH:УЗД щитоподібної залози}.",
        "Beteg: {person}, szül.: {dob}, tel.: {phone}, diagnózis: {=HEALTH:magas vérnyomás}.",
        "Pacient {person}, născut la {dob}, internat cu {=HEALTH:pneumonie}, telefon aparținător {phone_nat}.",
        "Potilas {person}, syntynyt {dob}, puh. {phone_nat}; lähete: {=HEALTH:polven tähystys}.",
        "환자 {person}, 생년월일 {dob}, 연락처 {phone}, 진단명 {=HEALTH:당뇨병}.",
        "Ordonnance CHU Tizi Ouzou - patient(e) {person} (naissance : {dob}) : {med}, à renouveler dans un mois.",
        "NEW PATIENT FORM\nSurname: {surname}\nFirst name(s): {first}\nDOB: {dob}\nMobile: {phone}\nEmail: {email}\nAllergies: {=HEALTH:sulfa drugs}",
        "Subject: fitness to work\n\n{person} (hospital no. {mrn}) attended clinic today; currently {sick}.\nRegards, Dr {surname}\n{email}",
        "sample_id,patient,mrn,result\n{serial},{person},{mrn},{=HEALTH:HbA1c 7.9 % (high)}",
        "disp {ts} rx={order} pt={mrn_token} drug=\"{med}\" by={first}",
        "Ambulance 3 sent to {gps} for {person}, about 40, {outcome}; caller {phone}.",
        "[{ts}] Sister {surname}: bed 4 is free. {person} coming up from casualty with {condition}",
        "Road to Health card: {person}, born {dob}, mother {person}; {=HEALTH:BCG and OPV0 given}, next visit {ts}.",
        "{\"consult_id\":\"{serial}\",\"patient\":{\"name\":\"{person}\",\"dob\":\"{dob}\",\"phone\":\"{phone}\"},\"reason\":\"{condition}\",\"clinician\":\"Dr {surname}\"}",
        "Gallup Indian Medical Center, chart {mrn_token}: {person}, DOB {dob}; diabetic foot check done, continues {med}.",
        "Home health visit: {person} at {address} with {condition}; grandson {first} collects the {med} from IHS.",
        "Self-pay invoice {order} for {person}: {procedure}, settled by card {card}; receipt e-mailed to {email}.",
        "Überzahlung von {=NEG:EUR 85,00} für {person} (Fall-Nr. {mrn}) bitte auf {iban} zurücküberweisen.",
        "Patientin {person}, geb. {dob}, Aufnahme wegen {=HEALTH:Oberschenkelhalsbruch}; Angehörige {person}, Tel. {phone_nat}.",
        "RIS worklist {ts}: {mrn_token} {person} CT head, indication {condition}",
        "{first} can you cover bay 2? Mr {surname} in bed 7 needs his {med} at six and obs hourly",
        "Claim form: member {person}, ID {natid}, date of service {ts}, procedure {procedure}, provider Dr {surname}.",
        "PACS gateway TLS key (rotate after the audit!)\n{secret}",
        "Infusion pump {serial}, firmware {version}, last PM {ts}, next due {=NEG:2026-11-30}.",
        "Cold chain: vaccine fridge {serial} at {=NEG:4.6 °C} when checked at {ts}, data logger {reading}; lot {lot} fine.",
        "orgUnit=Oshakati;tei={mrn_token};nm={person};bd={dob};diag={condition}",
        "BEGIN:VEVENT\nSUMMARY:{procedure}\nATTENDEE;CN={person}:mailto:{email}\nDTSTART:{ts}\nEND:VEVENT",
        "ART refill: {person}, file {mrn}, {med}, viral load {=HEALTH:suppressed}, next refill {ts}.",
        "Labour ward, Lilongwe: {person}, 23 y, G2P1, {=HEALTH:pre-eclampsia}; husband {person} on {phone}.",
        "Occupational injury claim: employee {person}, ID {natid}, employer ref {badge}, {outcome}.",
        "Waiting-room wifi is ClinicGuest, key {password} - please don't give it to the drug reps",
        "audit user={first}.{surname} action=VIEW record={mrn} ip={ip} at={ts}",
        "Dear colleague,\nI would be grateful if you could see {person} (born {dob}; our ref. {mrn}). Known {condition}, currently on {med}.\nYours sincerely, Dr {surname}",
        "Рецепт: {person}, {dob}, документ {natid}, {=HEALTH:метформин 850 мг}.",
        "Mobile clinic at {gps}: saw {person} ({condition}) and {person} ({condition}); driver {first}.",
        "Dental chart {mrn_token}: {person}, lower left molar extracted, {med} given; recall in six months.",
        "Counselling note, {ts}: {first} disclosed {condition}; safety plan agreed, crisis line {phone_nat}.",
        "Pre-employment medical: {person}, ID document {natid}, DOB {dob}; fit except for {condition}; site badge {badge} to follow.",
        "Dialysis transport\n{person} / {phone_nat} / {address}\n{person} / {phone_nat} / {address}",
        "Patient portal: password reset for {person} mailed to {email}; temporary password {password}",
        "Oxygen plant: compressor {part} reading {reading}, service order {order}, logged {ts}.",
        "Bedside monitor {mac} at {ip} pushed vitals for {mrn_token} at {ts}",
        "HIS_INTEGRATION_KEY={secret}\nHIS_BASE_URL=https://{ip}/api/v2",
        "Co-pay {=NEG:ZMW 150.00} by card {card} for {person}, file {mrn}.",
        "TB contact tracing: index case {person} ({mrn_token}); contacts {person}, {phone} and {person}, {phone}.",
        "Fiche de consultation, CMA de Pissy : {person}, 34 ans, tél. {phone_nat}, diagnostic {=HEALTH:paludisme grave}.",
        "Yá'át'ééh {first}! This is the Chinle clinic reminding you about your {procedure} on {ts}. Call {phone_nat} to change it.",
        "Snakebite, Gulu: {person}, {=HEALTH:puff adder bite to the left calf}, {med}; ref {mrn}.",
        "Reception OCR: name={person} | id={natid} | dob={dob} | addr={address}",
        "Eye camp, Lunglei: {person} ({phone_nat}) listed for {procedure} with Dr {surname}.",
        "Physio: {person} discharged; {outcome} now healed, light lifting allowed from next week.",
        "Blood bank: donor {person}, group {=HEALTH:O Rh-negative}, donor card {mrn_token}, deferred because of {condition}.",
        "From: {email}\nSubject: my results?\n\nHello, this is {person}, DOB {dob}. Are the results of my {procedure} back yet? My number is {phone}.",
        "Polish seasonal worker {person}, PESEL {pesel}, EHIC on file, treated for {condition}.",
        "Autoclave {serial} cycle {lot} passed at {ts}, sensor {reading}; no patient data on this log.",
        "Ward 6 handover: {person} ({mrn}) nil by mouth from midnight for {procedure}; daughter {first} on {phone}.",
        "Refund request: {person}, {address}, bank account {iban}; charged twice for {procedure}.",
        "Home visit route\n1) {person}, {address}, pin {gps}\n2) {person}, {address}, pin {gps}",
        "ECG patch {mac} paired with the phone of {person} ({phone}) at enrolment; monitoring for {condition}.",
    ),
    "retail": (
        "SIM registration: {person}, NRC/ID {natid}, birth date {dob}, new line {phone}, agent {badge}.",
        "Cash-out at agent 5512: {=NEG:ZMW 1,200.00} to {person} on {phone}, txn {order}.",
        "BEGIN:VCARD\nVERSION:3.0\nFN:{person}\nTEL;TYPE=CELL:{phone}\nEMAIL:{email}\nADR;TYPE=HOME:;;{address}\nEND:VCARD",
        "Parcel {order} will reach you today. Driver {first}, {phone_nat}. Leave it at the door? Reply Y",
        "card_no,name,email,birthday,points\n{serial},{person},{email},{dob},412",
        "pos=TILL03 store=Oshakati pan={card} resp=51 amt={=NEG:N$ 899.95} ts={ts}",
        "Klant {person} het gebel oor bestelling {order}; stuur asseblief die faktuur na {email}.",
        "Pelanggan {person}, telefon {phone}, alamat penghantaran {address}.",
        "Abokin ciniki {person}, lambar waya {phone_nat}, ya biya {=NEG:₦18,500} domin oda {order}.",
        "Сатып алучы {person}, телефон {phone}, заказ {order}.",
        "Kupec {person}, tel. {phone_nat}, naslov za dostavo: {address}.",
        "Πελάτης {person}, τηλ. {phone}, email {email}, παραγγελία {order}.",
        "Trading post ledger: {person} pawned a squash blossom necklace, ticket {order}, {=NEG:$340.00}; ID {natid}.",
        "Powwow vendor permit: {person}, {address}, {phone}, booth 22, card on file {card}.",
        "{\"order\":\"{order}\",\"buyer\":{\"name\":\"{person}\",\"tel\":\"{phone}\",\"email\":\"{email}\"},\"ship_to\":\"{address}\",\"items\":[{\"gtin\":\"{ean}\",\"qty\":2}]}",
        "Pseudoephedrine log: {person} bought {=HEALTH:pseudoephedrine 60 mg x 12}, ID {natid} scanned at {ts}.",
        "Repeat prescription ready for {person}: {med}. Collect by Friday or ring {phone_nat}.",
        "Refund for {person}: card {card} has expired, so pay {=NEG:R 1 299,00} to {iban} instead.",
        "PAYMENT_GATEWAY_SECRET={secret}\nSHOP_DB_PASSWORD={password}",
        "POS lane 4: MAC {mac}, IP {ip}, app {version}, last sync {ts}",
        "Price change batch {lot}: GTIN {ean} now {=NEG:RM 12.90}, shelf labels reprinted {ts}.",
        "Stock count, Kazan branch: {ean} system 48, counted 45, variance {=NEG:-3}; ref {order}.",
        "From: {email}\nSubject: leaking kettle\n\nHi, I'm {person}. The kettle (serial {serial}) from order {order} leaks. Call me on {phone}.",
        "Store security: the shoplifting suspect was later identified as {person} of {address}; police ref {=NEG:CR 117/03/2026}.",
        "LAY-BY\nName: {person}\nID no: {natid}\nCell: {phone_nat}\nDeposit: {=NEG:R 500}\nBalance due: {ts}",
        "Gift note for {order}: 'Happy birthday {first}! love, {person}' - deliver to {address}",
        "Proof of delivery: {person} received parcel {order} at {gps} ({ts}), signature captured.",
        "Trade account {person} ({email}), credit limit {=NEG:€5,000}, direct debit from {iban}.",
        "{first} the tomatoes from Nkhoma came, 40 crates. pay {person} on {phone} with Airtel Money",
        "Boda rider {person} ({phone}) took order {order} to {address}; the customer paid cash.",
        "Optician record {mrn_token}: {person}, DOB {dob}, {=HEALTH:glaucoma suspect}, frames {part}.",
        "Fuel card {card} used at pump 6 by driver {person}, vehicle {=NEG:N 23-417 W}.",
        "captive portal: {email} logged in from {mac} / {ip} at {ts}",
        "Staff discount: {person} ({badge}) got {=NEG:15 %} off {ean}.",
        "Cake order {order} for {person}: no nuts, her son has {=HEALTH:a peanut allergy}; pick-up Saturday, tel {phone_nat}.",
        "return:\n  rma: {order}\n  customer: {person}\n  email: {email}\n  reason: wrong size\n  gtin: {ean}",
        "TAX INVOICE {order}\n{ean} x1 {=NEG:MK 4,500.00}\nVAT 16.5 %\nThank you for shopping with us",
        "Repair ticket {order}: {person}, {phone}, screen unlock code {password}, device {serial}.",
        "curl -s -H \"Authorization: Bearer {secret}\" https://api.example.net/v1/stock?store=17",
        "Abholung: {person}, Bestellnr. {order}, Abholfach 12, Abhol-PIN {password}.",
        "Colis {order} pour {person}, {address} : le livreur n'arrive pas à le joindre, rappeler au {phone_nat}.",
        "Tax refund form: {person}, passport {natid}, refund to card {card}, purchase {order}.",
        "Happy birthday {first}! Your {=NEG:N$ 50} voucher is loaded on loyalty card {serial}.",
        "Credit application: {person}, ID {natid}, salary paid into {iban}, mobile {phone}, employer a sugar estate.",
        "Client {person}, commande {order}, à livrer {address}, tél. {phone}.",
        "Fraud check on {order}: billing {address}, IP {ip} geolocates to {gps}; card {card}.",
        "Delivery note {order}: 120 x {part}, lot {lot}, received {ts}.",
        "Agent: for security, what's your date of birth?\nCustomer: {dob}\nAgent: thank you {first}. Which e-mail is on the account?\nCustomer: {email}",
        "Tool hire: {person}, licence {natid}, deposit card {card}, address {address}.",
        "Coffee coop, Mbale\n{person} | {phone} | {=NEG:212 kg}\n{person} | {phone} | {=NEG:95 kg}",
        "Market levy receipt {order}: stall 14, {person}, {=NEG:UGX 5,000}.",
        "Hi {first}, your new till login is {badge} with temp password {password}; change it at first sign-in.",
        "Weihnachtsmarkt Bautzen, Stand 31: Händler {person}, Tel. {phone_nat}, Stromzähler {serial}.",
        "Kupc {person}, telefon {phone_nat}, skazanka {order}.",
        "Omuguzi {person}, essimu {phone}, ebintu bitwalibwe e {address}.",
        "Kasitomala {person}, foni {phone_nat}, walipira {=NEG:MK 12,000} pa oda {order}.",
        "pg_dump -h {ip} -U shop -W shopdb > nightly.sql   # password is {password}",
        "-- pasted into the ticket by mistake --\n{secret}\n-- end --",
        "Age check at the till: {person}, DOB {dob}, ID {natid}; OK to sell alcohol.",
        "Coupon abuse: the same card {card} was used by {email} and {email} on 7 orders.",
        "Hearing aid fitting for {person}, {=HEALTH:moderate hearing loss in both ears}, battery subscription to {address}.",
        "COD order {order}: {person}, {address}, {phone}. Customer asked for a call before 6 pm.",
        "<Customer><Name>{person}</Name><Tel>{phone}</Tel><IBAN>{iban}</IBAN></Customer>",
        "Mobile money reversal {order}: {=NEG:MWK 25,000} sent to {phone} by mistake, sender {person}.",
        "Direct debit mandate, loyalty club: {person}, {address}, account {iban}, e-mail {email}.",
        "Click-and-collect: {person} shared a live location {gps} while waiting in the car park.",
        "Layaway at the hardware store: {person}, {phone_nat}, {address}; deposit taken by card {card}.",
    ),
}
# fmt: on
