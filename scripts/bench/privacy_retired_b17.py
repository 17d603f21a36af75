# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b17`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, tests, history
or figures) until its one blind run: seed 7043 on commit 1613ace
(``privacy_blind_seeds.txt``). From now on its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B17Gen``, ``BLIND_TEMPLATES`` -> ``B17_TEMPLATES``,
``SITE_PATTERNS`` -> ``B17_SITE_PATTERNS``, ``blind_names`` -> ``b17_names``, group
``blind`` -> ``b17``) and its seed log helpers left in ``privacy_blind.py``.

As first written: the blind split of the privacy corpus: set ``b17``.

A blind set is written (and committed) before the detector changes it is used to
judge, without reading the detector's code, tests, history or figures; it is run once
per report on a seed never run before and then retired into the dev split
(``privacy_retired_b1.py`` to ``privacy_retired_b16.py``). ``b17`` is the current one.

What ``b17`` is: text a privacy gate on an edge appliance sees in factories, clinics
and shops of Bashkortostan and Chuvashia, Dagestan, North Sumatra and South Sulawesi,
West Sumatra, the Maldives, Bhutan, Manipur, central Kenya and the Rift Valley, the
Cameroon grasslands, the Cherokee Nation in Oklahoma and the Ojibwe communities of
Minnesota and Ontario, and the big markets of Europe and North America. Values:
names, record and badge numbers, phones and addresses are drawn here; the other value
generators are inherited from ``b16`` (every value really of its class). Separate from
the dev split:

* templates: a sentence family of its own (word 5-gram overlap 0 with the dev templates
  and ``b1`` to ``b16`` when written) -- notes, chat and SMS, e-mail, CSV, JSON, YAML,
  INI, key=value logs, HL7 and FHIR fragments, forms, and a few lines in Bashkir,
  Chuvash, Indonesian, Batak Toba, Dhivehi, Dzongkha, Meitei, Kikuyu, Kalenjin, Avar,
  Latvian, Maltese and Albanian, with greetings in Cherokee, Ojibwe and Maa;
* names: hand-built pools (``_PEOPLES``) of peoples none of the dev pools covers, minus
  every dev name (``b16``'s dev names plus its own hand-built pools);
* negatives at about a fifth of the slots; some texts hold no personal data;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG``, ``privacy_blind_seeds.txt``, records
  every blind run (seed, time, commit, set), so that a seed's figures are reported as
  blind only once.

``B17_SITE_PATTERNS`` holds the badge and record number formats of the set's organisations
as their site would configure them (``employee_id_patterns``, ``medical_record_patterns``).
"""

from __future__ import annotations

import functools
import random

import privacy_corpus as corpus
import privacy_retired_b16 as b16
from privacy_retired_b12 import _fold, _pools_without

# --- names ----------------------------------------------------------------------------
# fmt: off
_PEOPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bashkir": (
        ("Azat", "Salavat", "Ural", "Timerbulat", "Aigiza", "Gulnaz", "Zilya", "Rustem", "Aisylu", "Ilgam", "Zarema", "Nurlybai", "Yulai", "Kinyabulat", "Akhmetsafa", "Gulsasak", "Aitughan"),
        ("Yulaev", "Kinzyabulatov", "Bikbulatov", "Yumagulov", "Akmullin", "Karimov", "Mustai", "Bikbaev", "Kuvatov", "Ishmukhametov", "Yanbaev", "Khudaiberdin", "Baimurzin", "Iskuzhin", "Kulsharipov", "Abdrakhmanov", "Yanturin"),
    ),
    "chuvash": (
        ("Attil", "Elentei", "Narspi", "Sentti", "Ultiv", "Pikesh", "Salampi", "Ilempi", "Tevlesh", "Uksine", "Setner", "Ilpek", "Kavrak", "Tukai", "Vetlu"),
        ("Ashmarin", "Yakovlev-Sespel", "Ivanov-Paimen", "Khuzangai", "Mishshi", "Ukhsai", "Ayip", "Sespel", "Yandush", "Akhaev", "Elger", "Paimen", "Yaldygin", "Tenekhpi", "Ilbekov"),
    ),
    "batak": (
        ("Togar", "Sahat", "Parulian", "Hotma", "Tiurma", "Rotua", "Marlina", "Dormauli", "Tumpal", "Baringin", "Hasiholan", "Jonggi", "Lasma", "Sondang", "Martua", "Saur"),
        ("Siregar", "Sinaga", "Simanjuntak", "Situmorang", "Pardede", "Panjaitan", "Hutapea", "Manurung", "Sitompul", "Tampubolon", "Silalahi", "Nainggolan", "Hutagalung", "Simatupang", "Sihombing", "Pangaribuan", "Butarbutar", "Harahap"),
    ),
    "bugis": (
        ("Andi", "Baso", "Besse", "Tenri", "Upe", "Becce", "Ambo", "Indo", "Ince", "Puang", "Lamba", "Sitti", "Daeng", "Muhtar", "Wahida"),
        ("Mappanyukki", "Arung", "Matoa", "Pawelloi", "Petta", "Lamaddukelleng", "Palakka", "Tenriawaru", "Mallombasi", "Sultan Hasanuddin", "Pananrangi", "Bulu", "Wajo", "Tjokke", "Rappe"),
    ),
    "minang": (
        ("Rangkayo", "Bundo", "Rajo", "Sutan", "Marah", "Upiak", "Buyuang", "Yusnimar", "Elvira", "Zulkarnain", "Nurhayati", "Syafrizal", "Hendri", "Wirdaningsih", "Datuak"),
        ("Chaniago", "Koto", "Piliang", "Jambak", "Tanjung", "Sikumbang", "Caniago", "Melayu", "Guci", "Panyalai", "Pisang", "Bendang", "Mandailiang", "Simabur", "Supayang"),
    ),
    "dhivehi": (
        ("Aishath", "Mariyam", "Fathimath", "Hawwa", "Aminath", "Ahmed", "Moosa", "Hussain", "Ibrahim", "Shaheema", "Zulaikha", "Nasheed", "Thoriq", "Shiuna", "Raaidha", "Ahusan", "Mohamed Shifaz"),
        ("Didi", "Manik", "Fulhu", "Kaleyfaanu", "Thakurufaanu", "Rasheed", "Maniku", "Shareef", "Naseer", "Waheed", "Thaufeeq", "Shuaib", "Latheef", "Mausoom", "Zuhair"),
    ),
    "bhutanese": (
        ("Tshering", "Pema", "Dorji", "Sonam", "Karma", "Kinley", "Ugyen", "Jigme", "Dechen", "Yangchen", "Choki", "Wangmo", "Namgay", "Tashi", "Rinzin", "Sangay", "Phuntsho", "Tandin"),
        ("Wangchuk", "Dorji", "Tshering", "Lhamo", "Choden", "Zangmo", "Pelden", "Gyeltshen", "Tobgay", "Dema", "Penjor", "Norbu", "Yangzom", "Rabgay", "Peldon", "Tenzin", "Gyalpo"),
    ),
    "meitei": (
        ("Ibobi", "Thoiba", "Ibomcha", "Sanatombi", "Memcha", "Bijoy", "Tombi", "Ibemhal", "Chaoba", "Nganba", "Thoibi", "Leima", "Ibetombi", "Sanajaoba", "Ibochouba", "Premjit"),
        ("Khumanthem", "Laishram", "Ningthoujam", "Moirangthem", "Thokchom", "Yumnam", "Konsam", "Huidrom", "Wahengbam", "Oinam", "Kshetrimayum", "Elangbam", "Soibam", "Leishangthem", "Takhellambam", "Sagolsem"),
    ),
    "kikuyu": (
        ("Wanjiru", "Njeri", "Wambui", "Nyambura", "Wairimu", "Wangari", "Kamau", "Njoroge", "Kariuki", "Mwangi", "Gitau", "Muthoni", "Wanjiku", "Wahome", "Ngugi", "Kinyua", "Gathoni", "Waithera"),
        ("Kamau", "Njoroge", "Kariuki", "Mwangi", "Gitau", "Kenyatta", "Githongo", "Waweru", "Macharia", "Muriithi", "Ngugi", "Kimani", "Mugo", "Gachanja", "Kinuthia", "Wainaina", "Muthee", "Gichuru"),
    ),
    "kalenjin": (
        ("Kiprotich", "Chebet", "Jepkosgei", "Kipchoge", "Jeptoo", "Cherono", "Kiplagat", "Chepkoech", "Kipruto", "Jebet", "Kibet", "Chelimo", "Kiptanui", "Jerotich", "Chepngetich", "Kipkemboi"),
        ("Rotich", "Koech", "Kirui", "Langat", "Ruto", "Keter", "Sang", "Bett", "Kosgei", "Tanui", "Kiptoo", "Biwott", "Kiprop", "Cheruiyot", "Mutai", "Kemboi", "Yego"),
    ),
    "maasai": (
        ("Naserian", "Nashipae", "Sironka", "Lemayian", "Saitoti", "Noonkipa", "Parsaoi", "Nalangu", "Kakuta", "Lekishon", "Nkoitiko", "Resiato", "Lankeu", "Leshan"),
        ("Ole Sankale", "Ole Nkaiserry", "Ntimama", "Ole Kina", "Lemeteki", "Kereto", "Ole Ntutu", "Parsitau", "Koikai", "Ole Lenku", "Tunai", "Kimiti", "Sapit", "Ole Kaelo", "Nkedianye"),
    ),
    "bamileke": (
        ("Tchouankam", "Ngassa", "Kamgang", "Nguemo", "Tchuente", "Djoumessi", "Fotso", "Ngoufack", "Nzeugang", "Kamdem", "Tagne", "Yemeli", "Sonkeng", "Tamo", "Mbiada"),
        ("Kengne", "Fokou", "Tchatchoua", "Nkwain", "Djuidje", "Nana", "Tchamba", "Simo", "Fotsing", "Wandji", "Kuate", "Ngankam", "Tiani", "Feutheu", "Ngako", "Kouamo"),
    ),
    "avar": (
        ("Magomed", "Shamil", "Gadzhimurad", "Patimat", "Zaira", "Khabib", "Abdulmanap", "Asiyat", "Umakhan", "Gamzat", "Rasul", "Madina", "Saigidpasha", "Gusein", "Zagidat"),
        ("Gamzatov", "Nurmagomedov", "Aliev", "Magomedov", "Omarov", "Gadzhiev", "Umakhanov", "Shakhbanov", "Dibirov", "Saidov", "Kurbanov", "Abdulaev", "Gasanov", "Tagirov", "Nurmagomedova"),
    ),
    "cherokee": (
        ("Ayita", "Adsila", "Tsula", "Galilahi", "Inola", "Waya", "Tayanita", "Ahyoka", "Kanuna", "Tsiyi", "Utsidihi", "Degotoga", "Awenasa", "Salali", "Ahuli"),
        ("Swimmer", "Sequoyah", "Oocumma", "Wolfe", "Teehee", "Crowe", "Hornbuckle", "Standingdeer", "Ledford", "Owl", "Squirrel", "Bigwitch", "Sixkiller", "Ketcher", "Mankiller", "Pigeon", "Tehee", "Soap"),
    ),
    "ojibwe": (
        ("Migizi", "Nimkii", "Ziigwan", "Waabigwan", "Giizhig", "Makwa", "Ogimaa", "Zhaawan", "Binesi", "Waaseyaa", "Animikii", "Mide", "Asinikwe", "Mikinaak", "Aandeg"),
        ("Fairbanks", "Bellanger", "Kingbird", "Jourdain", "Stillday", "Boshey", "Kakagamic", "Nahgahnub", "Beaulieu", "Desjarlait", "Goodsky", "Bedeau", "Skinaway", "Whitebird", "Sayers", "Loonsfoot", "Madosh"),
    ),
}
# fmt: on

_SURNAME_FIRST = ("bhutanese", "meitei", "bamileke")


def _dev_names() -> set[str]:
    """Every name of the dev pools, folded: ``b16``'s dev names and its hand-built pools."""
    dev = set(b16._dev_names())
    for first, last in b16._PEOPLES.values():
        dev.update(n.lower() for n in (*first, *last))
    return dev | {_fold(n) for n in dev}


@functools.cache
def b17_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{people: (first, last)}``: the hand-built pools minus every dev name."""
    return _pools_without(_PEOPLES, _dev_names())


# --- phones -----------------------------------------------------------------------------
# region: (country code, everyday?, national significant numbers as digit groups joined
# by "|" ("#" a digit), trunk prefix) -- checked against phonenumbers when written.
# fmt: off
_PHONES: dict[str, tuple[str, bool, tuple[str, ...], str]] = {
    "US": ("1", True, ("918|45#|####", "218|75#|####", "539|33#|####"), "1"),
    "CA": ("1", True, ("807|62#|####", "705|94#|####"), "1"),
    "GB": ("44", True, ("7712|######", "7890|######"), "0"),
    "DE": ("49", True, ("1520|#######", "160|########"), "0"),
    "RU": ("7", True, ("347|2##|##|##", "917|4##|##|##", "8352|5#|##|##", "928|5##|##|##"), "8"),
    "ID": ("62", True, ("812|####|####", "813|####|####", "852|####|####"), "0"),
    "IN": ("91", True, ("9862|######", "8731|######"), "0"),
    "KE": ("254", True, ("722|######", "711|######", "110|######"), "0"),
    "MV": ("960", False, ("77#|####", "96#|####", "79#|####"), ""),
    "BT": ("975", False, ("17|##|##|##", "77|##|##|##"), ""),
    "CM": ("237", False, ("6|7#|##|##|##", "6|9#|##|##|##"), ""),
}
# fmt: on


class B17Gen(b16.B16Gen):
    """The blind split's values: names, phones, addresses, badges and record numbers of
    its own; the other value generators inherited from ``b16``."""

    group_name = "b17"

    def __init__(self, rng: random.Random) -> None:
        corpus.LocaleGen.__init__(self, rng, b17_names())
        self._people = self.locales[0]

    def _pool(self) -> tuple[list[str], list[str]]:
        self.group = self.group_name
        self._people = self.r.choice(self.locales)
        return self.pools[self._people]

    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        p = self._people
        if r.random() < 0.35:
            if p in _SURNAME_FIRST:
                return r.choice([f"{la} {f}", f"{la.upper()} {f}"])
            if p == "batak":
                return r.choice([f"{f} {la}", f"{f} br. {la}", f"{f} boru {la}"])
            if p == "avar" or p == "bashkir":
                return r.choice([f"{la} {f}", f"{la} {f[0]}."])
            if p == "dhivehi":
                return f"{f} {self._other(first, f)} {la}"
        style = r.random()
        if style < 0.55:
            return f"{f} {la}"
        if style < 0.67:
            return f"{la.upper()}, {f}"
        if style < 0.75:
            return f"{la}, {f}"
        if style < 0.85:
            return f"{f[0]}. {la}"
        if style < 0.93:
            return f"{f} {la}".upper()
        return f"{f} {la[0]}."

    def email(self) -> str:
        r = self.r
        first, last = self._pool()

        def plain(name: str) -> str:
            return "".join(c for c in _fold(name) if c.isalnum()).lower()

        f, la = plain(r.choice(first)), plain(r.choice(last))
        user = r.choice([f"{f}.{la}", f"{f}{la}", f"{f}{r.randint(1, 99)}", f"{la}_{f}", f"{f[0]}.{la}"])
        dom = r.choice(
            ["gmail.com", "gmail.com", "yahoo.com", "outlook.com", "mail.ru", "yandex.ru", "ymail.com",
             "dhivehinet.net.mv", "druknet.bt", "safaricom.co.ke", "camtel.cm", "telkom.net.id",
             "ufa-neft.example.ru", "cheb-traktor.example.ru", "medan-sawit.example.id",
             "imphal-clinic.example.in", "tahlequah-health.example.org", "leechlake-store.example.org"]
        )
        return f"{user}@{dom}"

    def _groups(self) -> tuple[str, list[str]]:
        every = self._everyday()
        region = self.r.choice(sorted(k for k, v in _PHONES.items() if v[1] == every))
        pat = self.r.choice(_PHONES[region][2])
        return region, ["".join(self._d(1) if c == "#" else c for c in g) for g in pat.split("|")]

    def phone(self) -> str:
        r = self.r
        region, g = self._groups()
        cc = _PHONES[region][0]
        if cc == "1":
            return r.choice([f"+1 ({g[0]}) {g[1]}-{g[2]}", f"+1-{g[0]}-{g[1]}-{g[2]}", f"+1{''.join(g)}"])
        return r.choice([f"+{cc} {' '.join(g)}", f"+{cc}{''.join(g)}", f"00{cc} {' '.join(g)}", f"+{cc}-{'-'.join(g)}"])

    def phone_national(self) -> str:
        r = self.r
        region, g = self._groups()
        trunk = _PHONES[region][3]
        if trunk == "1":
            return r.choice([f"({g[0]}) {g[1]}-{g[2]}", f"{g[0]}.{g[1]}.{g[2]}"])
        if trunk == "8":
            return r.choice([f"8 ({g[0]}) {'-'.join(g[1:])}", f"8{''.join(g)}"])
        return r.choice([f"{trunk}{' '.join(g)}", f"{trunk}{''.join(g)}"])

    def address(self) -> str:
        r = self.r
        n = r.randint(1, 150)
        return r.choice(
            [
                f"ул. {r.choice(['Заки Валиди', 'Ленина', 'Менделеева', 'Комсомольская'])}, д. {n}, кв. {r.randint(1, 200)}, Уфа, 4500{r.randint(0, 99):02d}",
                f"пр. {r.choice(['Ленина', 'Московский', 'Тракторостроителей'])}, д. {n}, Чебоксары, 4280{r.randint(0, 39):02d}",
                f"ул. {r.choice(['Гамзатова', 'Ирчи Казака', 'Акушинского'])}, {n}, Махачкала, 3670{r.randint(0, 32):02d}",
                f"Jl. {r.choice(['Sisingamangaraja', 'Gatot Subroto', 'Juanda'])} No. {n}, Medan {r.randint(20111, 20371)}",
                f"Jl. {r.choice(['Perintis Kemerdekaan', 'Urip Sumoharjo', 'Sultan Alauddin'])} No. {n}, Makassar {r.randint(90111, 90245)}",
                f"Jl. {r.choice(['Khatib Sulaiman', 'Sudirman', 'Veteran'])} No. {n}, Padang {r.randint(25111, 25176)}",
                f"H. {r.choice(['Nooraanee', 'Fehivilaa', 'Maaleythila', 'Kurangimaage'])}, {r.choice(['Majeedhee Magu', 'Ameenee Magu', 'Chandhanee Magu'])}, Male' 20{r.randint(0, 3)}{r.randint(10, 99)}",
                f"House No. {r.randint(1, 90)}, {r.choice(['Changzamtog', 'Motithang', 'Babesa', 'Olakha'])}, Thimphu",
                f"{r.choice(['Uripok', 'Singjamei', 'Thangmeiband', 'Keishampat'])} Leikai, Imphal West, Manipur 7950{r.randint(1, 9):02d}",
                f"P.O. Box {r.randint(100, 9999)}-{r.choice(['20100', '30100', '20117'])}, {r.choice(['Nakuru', 'Eldoret', 'Naivasha'])}",
                f"BP {r.randint(10, 999)}, {r.choice(['Quartier Tamdja', 'Quartier Famla', 'Akwa'])}, {r.choice(['Bafoussam', 'Dschang', 'Douala'])}",
                f"{r.randint(100, 26999)} {r.choice(['S Muskogee Ave', 'W 4th St', 'E Downing St'])}, Tahlequah, OK 74464",
                f"{r.randint(10, 9999)} {r.choice(['Cass Lake Rd NW', 'Hwy 371 NW', 'Lake Ave'])}, Cass Lake, MN 56633",
                f"{r.randint(1, 300)} {r.choice(['Simpson St', 'Victoria Ave E', 'Red River Rd'])}, Thunder Bay, ON P7{r.choice('ABCEGJK')} {r.randint(1, 9)}{r.choice('ABCEGHJKLMNPRSTVWXYZ')}{r.randint(1, 9)}",
                f"{r.choice(['Brīvības iela', 'Maskavas iela', 'Lāčplēša iela'])} {n}, Rīga, LV-10{r.randint(10, 99)}",
            ]
        )

    def badge(self) -> str:
        r = self.r
        return r.choice(
            [
                f"BN{r.randint(100, 999)}-{r.choice('KLMX')}{r.randint(10, 99)}",
                f"{r.choice(['UFA', 'CHB', 'MKH', 'MDN'])}#{r.randint(1000, 9999)}",
                f"ТАБ.{r.randint(100000, 999999)}",
                f"KS/{r.randint(2015, 2026)}/{r.randint(100, 9999):04d}",
                f"op{r.randint(1000, 9999)}{r.choice('abcdefgh')}",
                f"W{r.randint(10, 99)}.{r.randint(10, 99)}.{r.randint(100, 999)}",
            ]
        )

    def mrn(self) -> str:
        r = self.r
        return r.choice([f"{r.randint(10, 99)}{r.randint(100000, 999999)}/{r.randint(1, 9)}", f"R{r.randint(1000000, 9999999)}"])

    def mrn_token(self) -> str:
        r = self.r
        return r.choice(
            [
                f"IGMH-{r.randint(100000, 999999)}",
                f"JDWNRH/{r.randint(2005, 2026)}/{r.randint(1, 99999):05d}",
                f"RIMS.{r.randint(10000, 99999)}",
                f"МКБ№{r.randint(10000, 99999)}",
                f"KNH{r.choice('ABC')}{r.randint(100000, 999999)}",
                f"CNHS-{r.randint(1000, 9999)}-{r.choice('PQRS')}",
            ]
        )

    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return super().condition()
        return r.choice(
            ["hemorrhagic fever with renal syndrome", "tick-borne encephalitis", "thalassaemia trait",
             "dengue fever", "typhoid fever", "post-traumatic stress disorder", "a peptic ulcer",
             "hepatitis C", "multiple sclerosis", "rheumatic heart disease", "an opioid use disorder"]
        )


# The formats a site would configure for its own badge and record numbers: one regex
# per format B17Gen.badge, .mrn and .mrn_token issue.
B17_SITE_PATTERNS: dict[str, list[str]] = {
    "employee_id_patterns": [
        r"\bBN\d{3}-[KLMX]\d{2}\b",
        r"\b(?:UFA|CHB|MKH|MDN)#\d{4}\b",
        r"ТАБ\.\d{6}\b",
        r"\bKS/20[12]\d/\d{4}\b",
        r"\bop\d{4}[a-h]\b",
        r"\bW\d{2}\.\d{2}\.\d{3}\b",
    ],
    "medical_record_patterns": [
        r"(?<![\w/])\d{8}/\d(?![\w/])",
        r"\bR\d{7}\b",
        r"\bIGMH-\d{6}\b",
        r"\bJDWNRH/20[012]\d/\d{5}\b",
        r"\bRIMS\.\d{5}\b",
        r"МКБ№\d{5}",
        r"\bKNH[ABC]\d{6}\b",
        r"\bCNHS-\d{4}-[PQRS]\b",
    ],
}


# Written for the blind set b17 without reading the detector. No sentence here appears
# in, or is edited from, the dev templates or b1-b16.
# fmt: off
B17_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Refinery tank farm Ufa: rounds operator {person} ({badge}) {injury} during the valve lineup; medic {first} logged it at {ts}.",
        "badge,family_name,given_name,cell,crew\n{badge},{surname},{first},{phone},C-crew",
        "{first}: can somebody cover my Thursday? my mum got told she has {condition}\n{first}: sure thing, I'll trade with {person}. buzz me on {phone_nat}",
        "plc_gateway:\n  endpoint: {ip}\n  login: hmi_line9\n  secret: {password}\n  poll_ms: 250",
        "Пост охраны, въезд №2: {person}, табельный {badge}, въехал в {ts}, СНИЛС {natid}.",
        "Эшсе {person} бөгөн сирләп ятҡан, эшкә килмәне. Телефон: {phone_nat}.",
        "Ĕҫчĕ {person} паян чирлĕ, ĕҫе килмерĕ. Телефонĕ {phone_nat}.",
        "Palm oil mill, Deli Serdang: harvester {person} brought in {=NEG:2 310 kg} of bunches on ticket {order}; grader {first}.",
        "Tractor plant Cheboksary: {person} ({badge}) is {sick}; the works polyclinic files him as {mrn_token}.",
        "[broker]\naddress = {ip}\nclient = {serial}\nusername = paint_shop_3\npasswd = {password}\nretain = false",
        "{\"type\":\"turnstile_reject\",\"gate\":\"{serial}\",\"badge_no\":\"{badge}\",\"owner\":\"{person}\",\"time\":\"{ts}\",\"zone\":\"cold store B\"}",
        "Nickel smelter onboarding: {person} (national no. {natid}) joins the furnace crew next week; boots size 44, locker next to {first}.",
        "From: {email}\nSubject: change of bank details\n\nHello payroll, from next month please send my pay to {iban}.\nRegards, {person} (staff {badge})",
        "t={ts} node=edge-b17 level=error event=\"login refused\" peer={ip} account=svc fw={version}",
        "Autoclave 2 lot {lot} quarantined: probe {serial} read {reading} at {ts}, beyond the validated band; QA sign-off pending.",
        "Pekerja {person} terluka di tangan pagi ini di lini pengepakan. Nomor HP {phone_nat}.",
        "Parhobas {person} marsahit sadari on, ndang boi karejo. Telepon {phone_nat}.",
        "@{first} chiller pump {serial} tripped twice ({reading} on the graph); could you swap seal kit {part} before {ts}?",
        "CONFINED SPACE PERMIT HOLDER\nFull name: {person}\nDate of birth: {dob}\nPassport/ID: {natid}\nEmergency contact: {person}, {phone}\nFitness: passed, declared {condition}",
        "Crane licence extended for {person}, payroll {badge}; eye test passed, he reports {med} causes no drowsiness.",
        "Osiyo {first}! poultry plant start is now {ts}. message {phone_nat} for a lift from Tahlequah",
        "Boozhoo {first}, the wild rice crew bus departs {ts}; {person} drives, reachable at {phone}.",
        "# /srv/gateway/.env\nTSDB_ENDPOINT=http://{ip}:9000\nTSDB_API_KEY={secret}\nPLANT=cast-house",
        "Lone-worker beacon {serial} carried by {person} raised a fall alert at {gps}; charge 11 %, handed to {first}.",
        "Imphal handloom unit: {person} {injury}; sent to RIMS casualty, registration {mrn_token}.",
        "Tea garden, Haa: {person} {injury} near the withering shed; first aider {first} called {phone}.",
        "Night-shift exemption: {person} wants days only while taking {med}; occupational nurse {surname} approved it till review.",
        "Karyawan baru pabrik semen Maros: {person}, NIK {natid}, HP {phone_nat}, masuk hari Senin.",
        "ID card printer spool: {person} | {badge} | photo at {ts} | device {serial}",
        "INSERT INTO staff_roster (emp_code, display_name, cell, dob) VALUES ('{badge}', '{person}', '{phone}', '{dob}');",
        "Number-plate camera flagged the truck of subcontractor {person}, ID {natid}; host {first} from utilities.",
        "Gearbox {part} replaced on conveyor 5, replacement {serial}, drive firmware {version}; counter zeroed at {ts}.",
        "Fume monitoring in the brazing cell: {person} ({badge}) exceeded the cadmium action level, referred for {procedure}.",
        "--\n{person}\nMaintenance planner, fertiliser plant\nCell {phone}\n{email}",
        "Nightly kiln report: no stops, {=NEG:412 t} clinker, free lime {reading}; control software {version}, export {serial}.",
        "Hydraulic press 6 overhaul closed: seals {part}, pump {serial}, test pressure {reading}; signed off by {person} at {ts}.",
        "Line 3 changeover log\nfrom: SKU {ean}\nto: SKU {ean}\nstart {ts}\nbatch {lot}\nno incidents",
        "Shift handover, boiler house: feedwater {reading}, drum level steady, firmware on burner {serial} now {version}.",
        "canteen menu week 48: borscht, plov, chak-chak on Friday; kitchen opens at {ts}.",
        "Contractor induction sheet: {person}, employer Kasese Pipes, phone {phone}, vehicle reg not given, escort {first}.",
        "Mũruti wĩra {person} nĩ mũrũaru ũmũthĩ. Thimu {phone_nat}.",
        "Workshop whatsapp: {first} lost wallet near locker 12, card {card} inside, call {phone_nat} if found",
        "VPN profile for remote PLC access\nuser={email}\nkey={secret}\ngateway={ip}",
        "Safety shoes allowance paid to {person} into {iban}; reference {order}.",
        "Ergonomics review: packer {person} {injury}; physio suggests {procedure} and lighter duties.",
        "Access point rogue list: {mac} seen on {ip}, owner unknown, first seen {ts}.",
        "Chuvash tractor plant hotline: worker {person}, {address}, says {outcome} after the forklift collision.",
        "Shuttle bus GPS ping: driver {person}, position {gps}, speed {=NEG:42 km/h}.",
        "Sudah ditransfer uang makan untuk {person} ke rekening {iban}, ref {order}.",
        "Payroll export row: {badge};{person};{natid};{iban}",
        "Piezīme bez personas datiem: kompresors {serial}, eļļa nomainīta, nākamā apkope {ts}.",
        "Welding shop note: {person} has {condition}, keep him off the roof work; supervisor {first}, {phone}.",
    ),
    "clinic": (
        "ADT^A04 received: PID|1||{mrn}^^^RDH||{surname}^{first}||{dob}|F|||{address}||{phone}",
        "Triage, Indira Gandhi Memorial: {person}, {dob}, file {mrn_token}, presents with {condition}.",
        "Discharge letter\nPatient: {person}\nRecord: {mrn_token}\nBorn: {dob}\nDiagnosis: {condition}\nTreatment: {procedure}\nTake home: {med}",
        "{\"resourceType\":\"Patient\",\"identifier\":[{\"value\":\"{mrn_token}\"}],\"name\":[{\"text\":\"{person}\"}],\"birthDate\":\"{dob}\",\"telecom\":[{\"value\":\"{phone}\"}]}",
        "Pharmacy refill queue: {person} ({mrn}), {med}, collect after {ts}.",
        "SMS reminder: Dear {first}, your appointment for {procedure} at the district hospital is tomorrow. Reply to {phone_nat}.",
        "Ward round, bed 14: {person}, admitted with {condition}, on {med}; next of kin {person} on {phone}.",
        "Referral Thimphu → Mongar: {person}, CID {natid}, record {mrn_token}, for {procedure}.",
        "Ауырыу: {person}, тыуған көнө {dob}, диагноз {condition}.",
        "Пациент {person}, полис {natid}, амбулаторная карта {mrn_token}, направлен на {procedure}.",
        "ބަލިމީހާ {person}, ފޯނު {phone_nat}, ބަލި {condition}.",
        "Dhivehi clinic intake — {person}, ID {natid}, mobile {phone}, complaint: {condition}.",
        "lab_result,patient_ref,analyte,value,unit\n{mrn},{surname},HbA1c,{=NEG:7.9},%",
        "Telehealth call log: {person} connected from {ip} at {ts}, consult about {condition}.",
        "Vaccination card, Ngong outreach: {person}, born {dob}, mother's phone {phone_nat}, clinic no. {mrn_token}.",
        "insurance_claim:\n  member: {person}\n  member_id: {natid}\n  procedure: {procedure}\n  billed_to_card: {card}",
        "OBX|3|TX|NOTE||Pt {person} reports {sick}; advised {med}||||||F",
        "Dental chair 2 today: {person} ({mrn}), {procedure}, pays with {card}.",
        "Paramedic crew sheet: collected from {address}, patient {person}, {outcome}, GPS {gps}.",
        "From: {email}\nTo: records office\nSubject: my lab results\nPlease send the results for {person}, file {mrn_token}, to this address.",
        "Maternity register: {person}, gravida 3, {=HEALTH:gestational diabetes}, husband {first}, {phone}.",
        "Autoclave cycle {lot} completed {ts}, chamber {reading}, software {version}; sterile store restocked.",
        "Cold box recorder {serial} of the immunisation store: min {reading}, max {reading}, no excursions since {ts}.",
        "Radiology PACS export job {order} finished at {ts}; {=NEG:1 284} studies, node {serial}.",
        "Staff rota for the outpatient pharmacy is pinned on the board; no changes until {ts}.",
        "Psych liaison note: {person}, {dob}, presenting with {condition}, started on {med}.",
        "Cherokee Nation clinic, Tahlequah: {person} (chart {mrn}) due for {procedure}; ride home from {first}, {phone}.",
        "Bed manager ping: {first} in bay C is {sick}, please free the side room.",
        "Lipid clinic upload: patient={mrn_token} dob={dob} ldl={=NEG:4.1} statin=\"{med}\"",
        "Kwa mgonjwa {person}: dawa yako ni {med}. Piga simu {phone_nat}.",
        "Pasien {person}, No. RM {mrn}, lahir {dob}, didiagnosis {condition}.",
        "Sijil perubatan: {person}, rekod {mrn_token}, dirawat kerana {condition}.",
        "ནད་པ་ {person}, ཁ་པར་ {phone_nat}, ནད་ {condition}.",
        "Avar: Пациентка {person}, карта {mrn_token}, телефон {phone}, диагноз {condition}.",
        "Home visit, Bafoussam: {person}, {address}, {condition}; daughter {first} reachable at {phone}.",
        "Nota medika: il-pazjent {person}, numru {mrn}, qed jieħu {med}.",
        "Pacienti {person}, kartela {mrn_token}, tel. {phone}, trajtim me {med}.",
        "Patient portal signup: {email} linked to {mrn_token}; password set to {password}.",
        "Billing dispute: {person} paid {=NEG:€240} for {procedure} by card {card}; refund to {iban}.",
        "Infection control: {person} ({mrn_token}) isolated with {condition}; contacts traced via {phone}.",
        "Wearable sync: device {mac} of patient {mrn} uploaded from {ip}, heart rate {=NEG:88 bpm}.",
        "Mobile clinic stop at {gps}; seen: {person} with {condition}, follow-up {ts}.",
        "IV pump {serial} firmware {version}; alarm log cleared at {ts}, biomed tag {part}, checked by {first}.",
        "Sleep lab booking: {person}, suspected {condition}, referrer Dr {surname}, callback {phone_nat}.",
        "Occupational health screen: {person}, employer badge {badge}, spirometry normal, history of {condition}.",
        "FHIR Observation note: subject {mrn_token}; valueString \"{outcome}\".",
        "Chamgei {first}! Your slot for {procedure} is {ts}; the nurse line is {phone_nat}.",
        "Sopa {first}! Clinic bus from Kajiado leaves at {ts}; {person} is on it for {procedure}.",
        "Consent form signed by {person}, born {dob}, for {procedure}; witness {person}.",
        "Weekly clinic stats: {=NEG:312} visits, {=NEG:41} admissions, no outages; report id {order}.",
        "EHR audit: user {email} opened chart {mrn} from {ip} at {ts}.",
        "Emergency contact update: {person} now at {address}, tel {phone}, e-mail {email}.",
    ),
    "retail": (
        "Loyalty signup, Medan mall kiosk: {person}, {phone}, {email}, birthday {dob}.",
        "order_id,customer,ship_to,phone,card_last\n{order},{person},\"{address}\",{phone},{card}",
        "Refund slip {order}: {person} returned a kettle, refunded to card {card} at {ts}.",
        "{\"cart\":\"{order}\",\"buyer\":{\"name\":\"{person}\",\"email\":\"{email}\",\"tel\":\"{phone}\"},\"sku\":\"{ean}\"}",
        "Покупатель {person}, телефон {phone_nat}, заказ {order}, доставка: {address}.",
        "Хуçа {person}, телефон {phone_nat}, заказ {order}.",
        "POS terminal {serial} rebooted at {ts}, app {version}, receipt printer ok.",
        "Shelf audit aisle 7: {ean} facings {=NEG:12}, price label wrong, lot {lot}.",
        "Gift card cashout fraud: {person} used {card} and email {email} across 5 stores.",
        "CCTV request from police for {ts}: suspect matched loyalty member {person}, {phone}.",
        "Delivery rider {person} ({badge}) reached {gps}; customer {first} not answering {phone_nat}.",
        "Store wifi: guest device {mac} got lease {ip} at {ts}.",
        "[pos]\nmerchant_id = {serial}\napi_secret = {secret}\nhost = {ip}",
        "Price change batch {order}: {=NEG:214} SKUs, effective {ts}, tool {version}.",
        "Cold chain alert, dairy fridge {serial}: {reading} for 20 minutes at {ts}.",
        "Layby contract: {person}, ID {natid}, {address}, instalments from {iban}.",
        "Dhivehi supermarket app review by {first}: delivery late again, my number is {phone}.",
        "Pharmacy counter: {person} bought {med}, prescription from Dr {surname}, paid by {card}.",
        "Optician order {order}: {person}, DOB {dob}, diagnosis {condition}, lens {part}.",
        "Wholesale account opened: {person}, tax no {natid}, bank {iban}, contact {email}.",
        "Returns desk note: {first} says the heater burned her hand ({outcome}); case {order}.",
        "Kiosk log: user {email} signed in from {ip}, password reset to {password}.",
        "Market stall Bafoussam: vendeuse {person}, tel {phone}, paiement mobile ref {order}.",
        "Toko Makassar: pelanggan {person}, HP {phone_nat}, alamat {address}.",
        "Boozhoo! Leech Lake grocery co-op pickup for {person} ready at {ts}; questions: {phone}.",
        "Parcel locker {serial}: pickup PIN texted to {phone} for {person}.",
        "End-of-day Z report: sales {=NEG:€3 918.40}, {=NEG:211} transactions, terminal {serial}, firmware {version}.",
        "Stocktake variance: SKU {ean} −4, lot {lot}, counted by {first} at {ts}.",
        "Supplier delivery note {order}: {=NEG:18} pallets, seal {part}, dock 3, driver {person} signed.",
        "Promo calendar: two-for-one on lentils from {ts}; price file {version}.",
        "Store alarm panel {serial}: armed at {ts} by key holder {person}, no zone faults.",
        "Pre-order list for Eid: {person}, {phone_nat}; {person}, {phone_nat}.",
        "Complaint received by mail\nFrom: {email}\nI, {person}, was charged twice on card {card} for order {order}.",
        "Age-restricted sale: {person}, born {dob}, passport {natid}; approved by {first}.",
        "Staff discount abuse: employee {badge} ({person}) scanned {=NEG:23} items for a friend.",
        "e-receipt: thank you {first}! paid with {card} at {ts}; loyalty {=NEG:+45 pts}.",
        "Warranty claim: {person}, {address}, serial {serial}, bought {ts}.",
        "Ngurumo shop: mteja {person}, simu {phone}, deni {=NEG:KSh 2,400}.",
        "Corner bakery: order for {person} at {address}, cake with {=NEG:3} tiers.",
        "Helpdesk chat: hi, this is {person}, my account {email} is locked; last login {ip}.",
        "Courier scan: parcel {order} for {person}, {address}, weight {=NEG:2.4 kg}.",
        "Pet shop vet corner: owner {person}, phone {phone_nat}; dog has {=NEG:kennel cough}.",
        "Franchise payout: {person}, {iban}, amount {=NEG:€12 480}, period ending {ts}.",
        "API token accidentally in the store ticket:\n{secret}",
        "Drone delivery drop-off point {gps} for {person}; contact {phone}.",
        "Mystery shopper report: cashier {badge} polite, queue time {=NEG:4 min}, till {serial}.",
        "Customer {person} asked us not to call {phone} again; note added at {ts}.",
        "Loyalty export: {email};{person};{dob};{phone}",
        "Planogram v{version} uploaded; gondola ends reset; no issues.",
        "Cashback to {person}: {=NEG:KES 500} sent to M-Pesa {phone}, ref {order}.",
        "Pharmacy reminder: {first} on {med} for {condition}; reminder SMS to {phone_nat}.",
    ),
}
# fmt: on
