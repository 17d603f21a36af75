# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b14`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, tests, history
or figures) until its one blind run: seed 6689 on commit f64154d
(``privacy_blind_seeds.txt``). From now on its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B14Gen``, ``BLIND_TEMPLATES`` -> ``B14_TEMPLATES``,
``SITE_PATTERNS`` -> ``B14_SITE_PATTERNS``, ``blind_names`` -> ``b14_names``, group
``blind`` -> ``b14``) and its seed log helpers left in ``privacy_blind.py``.

As first written: the blind split of the privacy corpus, set ``b14``.

A blind set is written (and committed) before the detector changes it is used to
judge, without reading the detector's code, tests, history or figures; it is run once
per report on a seed never run before and then retired into the dev split
(``privacy_retired_b1.py`` to ``privacy_retired_b13.py``). ``b14`` is the current one.

What ``b14`` is: a realistic sample of what a privacy gate on an edge appliance in
factories, clinics and shops around the world sees (Southern, West and East Africa,
French Polynesia and the Marianas, the North Atlantic islands, Malta, the Alps, the
Caucasus and Siberia, and the big markets of Europe, North America, India and
Australia). Each generator draws the form of each value once: about 60 % everyday
forms, about 40 % less common but genuine ones. Separate from the dev split
(``privacy_templates.py``, ``privacy_corpus.Gen`` and ``b1`` to ``b13``):

* templates: a sentence family of its own, none shared with or edited from the dev
  templates or ``b1`` to ``b13`` (checked with a word 5-gram overlap test against every
  one of them while it was written) -- prose notes, chat and SMS, e-mails, CSV rows,
  JSON, YAML and INI snippets, key=value logs, forms, and a few lines in Setswana,
  Sesotho, Bambara, Tahitian, Faroese, Maltese, Romansh and Cornish;
* names: every Faker person locale and the hand-built ``b12`` and ``b13`` peoples are
  read by the dev split, so the pools are built by hand (``_PEOPLES``) from given names
  and surnames of peoples none of them covers -- Tswana, Sotho, Bambara, Ewe,
  Tahitian, Chamorro, Faroese, Maltese, Romansh, Cornish, Chechen and Yakut -- minus
  every name of the dev pools (Faker's, the romanised ``b4`` to ``b12`` pools and the
  hand-built ``b12`` and ``b13`` ones); written as real systems write them ("First
  Last", "LAST, First", "Last, First", initial and surname, all caps, Faroese and
  Chechen patronymics);
* values: every one really of its class -- check digits computed here (and checked
  against python-stdnum where it knows the kind while the set was written), phones
  valid per ``phonenumbers``, real calendar dates -- for every class of the corpus,
  and negatives (part numbers, serials, timestamps, versions, lots, GTINs, readings,
  order numbers, amounts) at about a fifth of the slots. The value generators not
  overridden here are ``b13``'s;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG``, ``privacy_blind_seeds.txt``, records
  every blind run (seed, time, commit, set), so that a seed's figures are reported as
  blind only once; the bench warns when a seed is reused.

``B14_SITE_PATTERNS`` holds the badge and record number formats of the set's organisations
as their site would configure them (``employee_id_patterns``, ``medical_record_patterns``).
"""

from __future__ import annotations

import functools
import random

import privacy_corpus as corpus
import privacy_retired_b13 as b13
from privacy_retired_b10 import _luhn
from privacy_retired_b12 import _fold, _pools_without

# --- names ----------------------------------------------------------------------------
# Given names and surnames of peoples no Faker person locale and no earlier set covers,
# spelled as they are written at home. Faroese and Chechen forms often file a
# patronymic as the surname; Yakut surnames are Russian-style.
# fmt: off
_PEOPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "tswana": (
        ("Kagiso", "Onalenna", "Boitumelo", "Tebogo", "Kefilwe", "Mpho", "Oratile", "Tshepiso", "Goitseone", "Masego", "Lesedi", "Keabetswe", "Gaone", "Olebogeng", "Tumelo", "Refilwe"),
        ("Masire", "Khama", "Mogae", "Seretse", "Molefhe", "Kgosietsile", "Motsumi", "Gaolathe", "Ramotswe", "Mokgosi", "Sebego", "Tshekedi", "Moeng", "Segokgo", "Kebonang"),
    ),
    "sotho": (
        ("Thabang", "Palesa", "Lineo", "Mosa", "Retselisitsoe", "Teboho", "Limpho", "Nthabiseng", "Tšepo", "Mamello", "Lerato", "Motlatsi", "Puleng", "Rethabile", "Tlali"),
        ("Moshoeshoe", "Mokhehle", "Letsie", "Mosisili", "Thabane", "Majoro", "Ramakoae", "Lekhanya", "Mothibeli", "Makoanyane", "Tsolo", "Mofokeng", "Ntsekhe", "Sekhonyana"),
    ),
    "bambara": (
        ("Seydou", "Oumou", "Bakary", "Kadiatou", "Drissa", "Salimata", "Mamadou", "Fanta", "Adama", "Nana", "Siaka", "Djeneba", "Moussa", "Kadidia", "Yaya", "Sali"),
        ("Keita", "Coulibaly", "Traoré", "Diarra", "Konaté", "Koné", "Sangaré", "Doumbia", "Dembélé", "Samaké", "Bagayoko", "Kanté", "Sissoko", "Diakité", "Fofana", "Tangara"),
    ),
    "ewe": (
        ("Kossi", "Afi", "Komla", "Yawo", "Akossiwa", "Kodjo", "Ama", "Edem", "Selom", "Elikem", "Dzifa", "Mawuli", "Enyonam", "Senyo", "Kafui", "Mawuena"),
        ("Agbeko", "Amegah", "Dzidzienyo", "Kpodo", "Adzoa", "Gbedemah", "Tsikata", "Agbodeka", "Amenyo", "Dogbe", "Fiagbe", "Kudzordzi", "Nyamadi", "Sosu", "Adjei-Mensah"),
    ),
    "tahitian": (
        ("Teva", "Hinano", "Moana", "Tehani", "Raiatea", "Heiarii", "Vaimiti", "Manutea", "Tamatoa", "Poerava", "Hereiti", "Teiki", "Rahiti", "Maeva", "Tuarii", "Vaiana"),
        ("Temaru", "Tetuanui", "Teriitehau", "Maamaatuaiahutapu", "Tauhiro", "Teriierooiterai", "Tetauira", "Raapoto", "Tehaamoana", "Pautehea", "Teihotu", "Taputu", "Vanaa", "Tuheiava"),
    ),
    "chamorro": (
        ("Joaquin", "Rosalia", "Vicente", "Soledad", "Jesus", "Consolacion", "Ignacio", "Magdalena", "Chelsa", "Taga", "Hagu", "Maga'lahi", "Pedro", "Lourdes"),
        ("Cruz", "Camacho", "Taitano", "Quitugua", "Leon Guerrero", "Aguon", "Blas", "Manibusan", "Mesa", "Pangelinan", "Quinata", "San Nicolas", "Tenorio", "Unpingco", "Sablan"),
    ),
    "faroese": (
        ("Jógvan", "Rógvi", "Sjúrður", "Turið", "Ragnhild", "Hergeir", "Eyðun", "Bárður", "Marjun", "Gunnvá", "Tróndur", "Sámal", "Dánjal", "Ásla", "Heðin", "Brynhild"),
        ("Joensen", "Poulsen", "Hansen", "Dalsgaard", "Højgaard", "Mikkelsen", "Niclasen", "Jacobsen", "Hammershaimb", "Í Ólavsstovu", "Vang", "Lamhauge", "Thomsen", "Eliasen", "Danielsen", "Zachariasen"),
    ),
    "maltese": (
        ("Ġorġ", "Pawlu", "Marija", "Ċensu", "Doris", "Karmenu", "Ġużeppi", "Rita", "Salvu", "Tereża", "Kurt", "Roberta", "Ġanni", "Nenu", "Kelly", "Chantelle"),
        ("Borg", "Camilleri", "Vella", "Farrugia", "Zammit", "Galea", "Grech", "Attard", "Spiteri", "Azzopardi", "Mifsud", "Agius", "Cassar", "Xuereb", "Bonnici", "Micallef", "Sciberras", "Debono"),
    ),
    "romansh": (
        ("Gion", "Curdin", "Men", "Flurin", "Ursina", "Mengia", "Chasper", "Duri", "Gianna", "Mario", "Seraina", "Ladina", "Nesa", "Gieri", "Madlaina", "Reto"),
        ("Caduff", "Cathomen", "Derungs", "Casanova", "Cadonau", "Capaul", "Tscharner", "Bundi", "Arpagaus", "Caviezel", "Vincenz", "Degonda", "Netzer", "Flisch", "Cantieni", "Janett"),
    ),
    "cornish": (
        ("Jago", "Tamsin", "Kerensa", "Morwenna", "Demelza", "Piran", "Loveday", "Tristan", "Kenwyn", "Elowen", "Jowan", "Senara", "Cador", "Gwynn", "Kitto", "Wenna"),
        ("Trelawny", "Penrose", "Tregarthen", "Polglase", "Trewin", "Nancarrow", "Pascoe", "Chenoweth", "Rosewarne", "Trevithick", "Pendarves", "Carlyon", "Trethewey", "Angove", "Hocking", "Pengelly"),
    ),
    "chechen": (
        ("Ramzan", "Zelimkhan", "Aslanbek", "Khava", "Zaira", "Movsar", "Magomed", "Luiza", "Akhmad", "Malika", "Dzhokhar", "Asya", "Turpal-Ali", "Madina", "Shamil", "Kheda"),
        ("Dudayev", "Kadyrov", "Maskhadov", "Basayev", "Yandarbiyev", "Zakayev", "Umarov", "Delimkhanov", "Daudov", "Sadulayev", "Gaitukayeva", "Mezhidov", "Ibragimova", "Vakhayev", "Tsakayev"),
    ),
    "yakut": (
        ("Aital", "Sardaana", "Aikhal", "Kyunnei", "Nyurgun", "Aiyyna", "Tuyaara", "Erel", "Ayaal", "Sandaara", "Kyndyl", "Uraanai", "Aisen", "Nyurgusun", "Duolan", "Saina"),
        ("Nikolaev", "Borisov", "Ammosov", "Oiunskii", "Kulakovsky", "Yadreev", "Nikiforova", "Sleptsov", "Gogolev", "Everstov", "Okoneshnikov", "Tatarinova", "Sivtsev", "Efremov", "Barashkova"),
    ),
}
# fmt: on


def _dev_names() -> set[str]:
    """Every name of the dev pools (``b13``'s dev names plus the hand-built ``b13`` pools), folded."""
    dev = set(b13._dev_names())
    for first, last in b13._PEOPLES.values():
        dev |= {n.lower() for n in set(first) | set(last)}
    return dev | {_fold(n) for n in dev}


@functools.cache
def b14_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{people: (first, last)}``: the hand-built pools minus every dev name."""
    return _pools_without(_PEOPLES, _dev_names())


# --- phones -----------------------------------------------------------------------------
# region: (country code, everyday?, national significant number patterns ("#" a digit,
# "N" 2-9), digit groups, trunk prefix) -- every pattern checked against phonenumbers.
# fmt: off
_PHONES: dict[str, tuple[str, bool, tuple[str, ...], tuple[int, ...], str]] = {
    "US": ("1", True, ("303N######", "617N######", "702N######", "919N######"), (3, 3, 4), "1"),
    "GB": ("44", True, ("7723######", "7852######", "7412######", "1872######", "1736######"), (4, 6), "0"),
    "DE": ("49", True, ("1512#######", "1761#######", "30########"), (4, 7), "0"),
    "FR": ("33", True, ("68#######", "77#######", "56#######"), (1, 2, 2, 2, 2), "0"),
    "IN": ("91", True, ("97########", "90########", "70########"), (5, 5), "0"),
    "AU": ("61", True, ("423######", "455######", "398######", "392######"), (3, 3, 3), "0"),
    "ZA": ("27", True, ("83#######", "72#######", "51N######"), (2, 3, 4), "0"),
    "CH": ("41", True, ("79#######", "78#######", "81N######"), (2, 3, 2, 2), "0"),
    "BW": ("267", False, ("71######", "72######", "74######", "39#####"), (2, 3, 3), ""),
    "LS": ("266", False, ("58######", "62######", "22######"), (4, 4), ""),
    "ML": ("223", False, ("76######", "66######", "79######", "2022####"), (2, 2, 2, 2), ""),
    "TG": ("228", False, ("90######", "91######", "70######", "2222####"), (2, 2, 2, 2), ""),
    "KE": ("254", False, ("71#######", "722######", "20#######"), (3, 6), "0"),
    "PF": ("689", False, ("87######", "89######", "4042####", "4050####"), (2, 2, 2, 2), ""),
    "GU": ("1", False, ("671777####", "671888####", "671646####", "671482####"), (3, 3, 4), "1"),
    "FO": ("298", False, ("21####", "55####", "31####"), (3, 3), ""),
    "MT": ("356", False, ("79######", "99######", "21######"), (4, 4), ""),
    "RU": ("7", False, ("914#######", "928#######", "4112######"), (3, 3, 2, 2), "8"),
}
# fmt: on


class B14Gen(b13.B13Gen):
    """The blind split's values: same classes as the dev split, pools and forms of its own.
    Phones, names, addresses, badges, record numbers and some national identifiers are
    written here; the other generators are ``b13``'s."""

    group_name = "b14"

    def __init__(self, rng: random.Random) -> None:
        corpus.LocaleGen.__init__(self, rng, b14_names())
        self._people = self.locales[0]

    def _pool(self) -> tuple[list[str], list[str]]:
        self._people = self.r.choice(self.locales)
        self.group = self.group_name
        return self.pools[self._people]

    # --- names -------------------------------------------------------------------------
    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        p = self._people
        if r.random() < 0.3:
            if p == "faroese":
                return f"{f} {self._other(first, f)}sson {la}" if r.random() < 0.5 else f"{f} {la}"
            if p in ("chechen", "yakut"):
                return r.choice([f"{la} {f}", f"{la.upper()} {f}", f"{la} {f[0]}."])
            if p in ("bambara", "ewe"):
                return f"{la.upper()} {f}"
            if p == "chamorro":
                return f"{f} {self._other(last, la)} {la}"
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

    # --- phones ------------------------------------------------------------------------
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
        g = b13._groups(nsn, _PHONES[region][3])
        style = r.random()
        if style < 0.55:
            return f"+{cc} {' '.join(g)}"
        if style < 0.7:
            return f"+{cc}{nsn}"
        if style < 0.8:
            return f"+{cc}-{'-'.join(g)}"
        if style < 0.9:
            return f"00{cc} {''.join(g)}" if cc != "1" else f"1 ({g[0]}) {g[1]}-{g[2]}"
        return f"(+{cc}) {' '.join(g)}"

    def phone_national(self) -> str:
        r = self.r
        region = self._region()
        cc, _, _, sizes, trunk = _PHONES[region]
        nsn = self._nsn(region)
        g = b13._groups(nsn, sizes)
        if cc == "1":
            return r.choice([f"({g[0]}) {g[1]}-{g[2]}", f"{g[0]}-{g[1]}-{g[2]}", f"{g[0]} {g[1]} {g[2]}"])
        if cc == "7":
            return r.choice([f"8 ({g[0]}) {g[1]}-{g[2]}-{g[3]}", f"8{nsn}"])
        return r.choice([f"{trunk}{g[0]} {' '.join(g[1:])}", f"{trunk}{nsn}", f"{trunk}{'.'.join(g)}"])

    # --- addresses ---------------------------------------------------------------------
    def address(self) -> str:
        r = self.r
        n = r.randint(1, 240)
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(100, 9899)} {r.choice(['Colfax Ave', 'Boylston St', 'Hillsborough St', 'Maryland Pkwy'])}, {r.choice(['Denver, CO 80206', 'Boston, MA 02116', 'Raleigh, NC 27607', 'Las Vegas, NV 89119'])}",
                    f"Flat {r.randint(1, 30)}, {n} {r.choice(['Lemon Street', 'Causewayhead', 'Fore Street'])}\n{r.choice(['Truro TR1 2PN', 'Penzance TR18 2SW', 'St Ives TR26 1HE'])}",
                    f"{r.choice(['Bahnhofstrasse', 'Via Somtgant', 'Quaderstrasse'])} {r.randint(1, 90)}, {r.choice(['7000 Chur', '7180 Disentis/Mustér', '7500 St. Moritz'])}",
                    f"{r.choice(['Unit', 'Shop'])} {r.randint(1, 20)}/{n} {r.choice(['Sturt Street', 'Lygon Street', 'Beaufort Street'])}, {r.choice(['Ballarat VIC 3350', 'Carlton VIC 3053', 'Mount Lawley WA 6050'])}",
                    f"{n} {r.choice(['Jan Smuts Ave', 'Voortrekker Rd', 'Church St'])}, {r.choice(['Rosebank, Johannesburg, 2196', 'Bellville, Cape Town, 7530', 'Polokwane, 0699'])}",
                    f"{r.choice(['Rue de la République', 'Cours Mirabeau', 'Quai de la Fosse'])} {r.randint(1, 60)}, {r.choice(['69002 Lyon', '13100 Aix-en-Provence', '44000 Nantes'])}",
                ]
            )
        return r.choice(
            [
                f"Plot {r.randint(1000, 60000)}, {r.choice(['Gaborone West', 'Broadhurst', 'Tlokweng'])}, Botswana",
                f"{r.choice(['Kingsway', 'Moshoeshoe Rd'])}, {r.choice(['Maseru 100', 'Maputsoe 350'])}, Lesotho",
                f"BP {r.randint(100, 9999)}, {r.choice(['Rue 310, Porte 14', 'Avenue du Fleuve Niger', 'Hamdallaye ACI 2000'])}, Bamako, Mali",
                f"{r.choice(['Ngong Road', 'Oginga Odinga St', 'Kenyatta Ave'])}, P.O. Box {r.randint(100, 99999)}-{r.choice(['00100 Nairobi', '40100 Kisumu'])}",
                f"BP {r.randint(1000, 9999)}, {r.choice(['Punaauia', 'Faaa', 'Pirae'])} 987{r.randint(10, 19)}, Tahiti",
                f"{r.randint(100, 999)} {r.choice(['Chalan San Antonio', 'Marine Corps Dr', 'Route 4'])}, {r.choice(['Tamuning, GU 96913', 'Hagåtña, GU 96910', 'Yigo, GU 96929'])}",
                f"{r.choice(['Niels Finsens gøta', 'Dalavegur', 'Jónas Broncks gøta'])} {r.randint(1, 60)}, {r.choice(['FO-100 Tórshavn', 'FO-700 Klaksvík', 'FO-510 Gøta'])}",
                f"{r.randint(1, 120)}, {r.choice(['Triq il-Kbira', 'Triq San Pawl', 'Triq ir-Repubblika'])}, {r.choice(['Ħamrun HMR 1012', 'Birkirkara BKR 9034', 'Valletta VLT 1117'])}",
                f"ул. {r.choice(['Ленина', 'Ойунского', 'Кирова'])}, д. {r.randint(1, 80)}, кв. {r.randint(1, 140)}, Якутск, 677000",
            ]
        )

    # --- national identifiers ----------------------------------------------------------
    def national_id(self) -> str:
        r = self.r
        if r.random() < 0.65:
            return super().national_id()
        return self.natid_of(r.choice(["cl", "is", "gr_amka", "ch_ahv"]))

    def natid_of(self, kind: str) -> str:
        r = self.r
        if kind == "cl":
            body = str(r.randint(5_000_000, 25_999_999))
            s = sum(int(c) * w for c, w in zip(reversed(body), (2, 3, 4, 5, 6, 7) * 2, strict=False))
            dv = {10: "K", 11: "0"}.get(11 - s % 11, str(11 - s % 11))
            return f"{int(body):,}".replace(",", ".") + f"-{dv}" if r.random() < 0.7 else f"{body}-{dv}"
        if kind == "is":
            while True:
                b = self._birth(1950, 1999)
                head = f"{b:%d%m%y}{r.randint(20, 99)}"
                s = sum(int(c) * w for c, w in zip(head, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
                if s == 1:
                    continue
                v = head + str((11 - s) % 11) + "9"
                return f"{v[:6]}-{v[6:]}"
        if kind == "gr_amka":
            b = self._birth(1950, 2006)
            return _luhn(f"{b:%d%m%y}{self._d(4)}")
        if kind == "ch_ahv":
            v = "756" + self._d(9)
            s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(v))
            v += str((10 - s % 10) % 10)
            return f"{v[:3]}.{v[3:7]}.{v[7:11]}.{v[11:]}"
        return super().natid_of(kind)

    # --- badges and record numbers -----------------------------------------------------
    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(100000, 999999)}",
                    f"E-{r.randint(100000, 999999)}",
                    f"BW{r.randint(1000, 9999)}{r.choice('ABCDEFGH')}",
                    f"{r.choice(['GAB', 'MSU', 'BKO', 'LFW'])}/{r.randint(1000, 9999)}",
                    f"EMP{r.randint(10000, 99999)}",
                ]
            )
        return r.choice(
            [
                f"FO{r.randint(100, 999)}-{r.randint(10, 99)}",
                f"MLT-{r.randint(10000, 99999)}-{r.choice('XYZ')}",
                f"{r.randint(10, 99)}#{r.randint(1000, 9999)}",
                f"K{r.randint(10, 99)}.{r.randint(100, 999)}.{r.randint(10, 99)}",
                f"ykt{r.randint(1000, 9999)}",
            ]
        )

    def mrn(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"{r.randint(1000000, 99999999)}",
                    f"{r.randint(10, 99)} {r.randint(1000, 9999)} {r.randint(100, 999)}",
                ]
            )
        return r.choice(
            [
                f"{r.randint(2015, 2026)}/{r.randint(100000, 999999)}",
                f"{r.randint(100000, 999999)}-{r.randint(0, 9)}",
            ]
        )

    def mrn_token(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"MRN{r.randint(1000000, 9999999)}",
                    f"PRN-{r.randint(100000, 999999)}",
                    f"HC{r.randint(10, 99)}-{r.randint(10000, 99999)}",
                    f"PMH/{r.randint(100000, 999999)}",
                ]
            )
        return r.choice(
            [
                f"KNH-{r.randint(2010, 2026)}-{r.randint(100000, 999999)}",
                f"MDH{r.randint(100000, 999999)}T",
                f"CHPF.{r.randint(10000, 99999)}",
                f"GMH-{r.choice('ABCDEFGHJK')}{r.randint(100000, 999999)}",
                f"QEH {r.randint(1000, 9999)}/{r.randint(10, 99)}",
            ]
        )


# The formats a site would configure for its own badge and record numbers (the
# appliance's employee_id_patterns and medical_record_patterns): one regex per format
# that B14Gen.badge, .mrn and .mrn_token issue, as specific as the format. Formats no
# regex tells from other numbers (bare or merely grouped digits) are left out. Used by
# the benchmark's "site patterns" run.
B14_SITE_PATTERNS: dict[str, list[str]] = {
    "employee_id_patterns": [
        r"\bE-\d{6}\b",
        r"\bBW\d{4}[A-H]\b",
        r"\b(?:GAB|MSU|BKO|LFW)/\d{4}\b",
        r"\bEMP\d{5}\b",
        r"\bFO\d{3}-\d{2}\b",
        r"\bMLT-\d{5}-[XYZ]\b",
        r"(?<![\w#])\d{2}#\d{4}\b",
        r"\bK\d{2}\.\d{3}\.\d{2}\b",
        r"\bykt\d{4}\b",
    ],
    "medical_record_patterns": [
        r"(?<![\w/])20[12]\d/\d{6}(?![\w/])",
        r"(?<![\w-])\d{6}-\d(?![\w-])",
        r"\bMRN\d{7}\b",
        r"\bPRN-\d{6}\b",
        r"\bHC\d{2}-\d{5}\b",
        r"\bPMH/\d{6}\b",
        r"\bKNH-20\d{2}-\d{6}\b",
        r"\bMDH\d{6}T\b",
        r"\bCHPF\.\d{5}\b",
        r"\bGMH-[A-HJK]\d{6}\b",
        r"\bQEH \d{4}/\d{2}\b",
    ],
}


# Written for the blind set b14 without reading the detector. New situations only: no
# sentence here appears in, or is edited from, the dev templates or b1-b13.
# fmt: off
B14_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Diamond sort house, Jwaneng: X-ray exit search on {person} ({badge}) logged at {ts}; nothing found, guard {surname} signed.",
        "crew_id;name;mobile;boots_size\n{badge};{person};{phone};44",
        "hey {first}, the chiller on line 3 tripped again, I'm stuck at home because my son has {sick}. call {phone_nat} if it gets worse",
        "[modbus.gateway]\nhost={ip}\nport=502\nservice_user=plc_poll\nservice_pass={password}",
        "Boat-building yard Klaksvík - new starter {person}, clock number {badge}, emergency contact {phone}.",
        "Mine rescue roster week 32: {person} (DOB {dob}) tel {phone}; {person} (DOB {dob}) tel {phone}. Cage check at {ts}.",
        "Spirometry on the grinding floor: {person} ({badge}) shows {condition}; dust monitor peaked at {reading}.",
        "Coil {serial} slit to 250 mm, batch {lot}, inspector {surname} released it at {ts}.",
        "Mosebetsi oa bosiu: {person}, nomoro ya mosebetsi {badge}, mohala {phone_nat}.",
        "Wire rope {serial} condemned after the hoist test; replacement {part} ordered on {order}.",
        "Please pay the tool allowance for {person} ({badge}) into {iban} before month end.",
        "lost property: gloves and a lunchbox near press {serial}, probably {first}'s, found {ts}",
        "Baarakɛla {person} bɛ kɛnɛya la, a ka telefɔni ye {phone_nat}.",
        "{\"type\":\"lone_worker_alarm\",\"device\":\"{serial}\",\"wearer\":\"{person}\",\"badge\":\"{badge}\",\"fix\":\"{gps}\",\"fw\":\"{version}\"}",
        "Copra buyer {person} wants the remittance slip sent to {email}, payment to {iban}.",
        "Phased return agreed with {person}: light duties only after {procedure}, reviewed by OH nurse {first}.",
        "switch port Gi1/0/17 learned {mac} from {ip}; firmware {version} on the stack",
        "Heat stress log: {person}, born {dob}, collapsed near the kiln; he takes {med} daily.",
        "deploy key left in /etc/conveyor/agent.env: UPLINK_TOKEN={secret}",
        "Pass-out notice for visiting fitter {person}, ID document {natid}, reachable at {email}.",
        "Dryer exhaust sensor {serial} read {reading} at {ts}; no alarm raised.",
        "HR please correct {person}'s postal address to {address} - the P60 went astray.",
        "Random breath test: {person} ({badge}) said she had taken {med} for {condition} that morning.",
        "{surname} caught a hand in the roller guard on line 5, {outcome}. Machine locked out at {ts}.",
        "Offboarding: {person}, staff card {badge} cancelled, tablet {serial} handed in, mailbox {email} archived.",
        "Labeller web UI still on factory login: root / {password} at {ip}",
        "Í morgun á kaiini: {person} fekk {injury}, ringið {phone_nat}.",
    ),
    "clinic": (
        "Maternity ward Maseru: {person}, born {dob}, admitted with {condition}; next of kin {person} on {phone}.",
        "patient_no,surname_first,dob,ward\n{mrn},{person},{dob},B2",
        "Hi {first}, reminder of your dental cleaning tomorrow 09:15. Reply to {phone_nat} to move it.",
        "Dialysis slot swap: {person} ({mrn_token}) moves to Tuesday; she is on {med} and has {condition}.",
        "Tamariki clinic Papeete - {person}, n° dossier {mrn_token}, vaccin ROR fait, tél. {phone}.",
        "Referral letter\nRe: {person} (born {dob}), hospital number {mrn}\nPresenting with {sick}; please assess for {procedure}.",
        "{\"resourceType\":\"Patient\",\"identifier\":\"{mrn_token}\",\"name\":\"{person}\",\"birthDate\":\"{dob}\",\"telecom\":\"{email}\"}",
        "Night triage: {person} walked in with {injury}, BP {reading}, seen by Dr {surname}.",
        "Insurer query for {person}, ID {natid}: claim for {procedure} on record {mrn} needs a signature.",
        "Lab courier bag {serial} left the ward at {ts}, seal {lot}; 14 tubes.",
        "Il-pazjent {person}, numru tal-karta {natid}, appuntament għall-{procedure}.",
        "Pharmacy reconciliation: {person} ({mrn_token}) brought in {med} from home; allergy to penicillin noted.",
        "ward wifi: tablet {mac} got {ip} on VLAN 40, agent build {version}",
        "Please refund the deposit for {person} to {iban}; the cardiology review was cancelled.",
        "self-pay receipt, card {card}, patient {person}, record {mrn}",
        "home visit booked for {person} at {address}; carer {first} will let the nurse in",
        "HL7 feed credentials rotated; old ones: user=adt_bridge pass={password}",
        "PACS export token (do not share): {secret}",
        "Ambulance handover: {person}, approx. 60, {outcome} after the fall, GPS of pickup {gps}.",
        "Moana clinic audit {ts}: fridge {serial} held {reading} overnight, vaccine lot {lot} fine.",
        "Ngaka {surname} o kopa {person} go tla ka {ts} ka ntlha ya {condition}.",
        "Sick note: {person} ({mrn_token}) unfit for work 5 days owing to {sick}.",
        "Patient portal sign-up from {email} for {person}, born {dob}; phone verified {phone}.",
        "Dr {surname}'s clinic list: {person} {mrn}, {person} {mrn_token}, {person} {mrn}.",
    ),
    "retail": (
        "Loyalty sign-up at the Tórshavn store: {person}, {email}, mobile {phone}, born {dob}.",
        "order_ref;customer;deliver_to;tel\n{order};{person};{address};{phone_nat}",
        "hi {first}! your sofa from order {order} ships Thursday, the driver rings {phone_nat} first",
        "Refund to card {card} for {person}, receipt {serial}, amount {=NEG:EUR 129.90}.",
        "Click-and-collect in Chur: {person} picks up at {ts}, reference {order}.",
        "Layby agreement - {person}, ID {natid}, deposit paid, balance from {iban}.",
        "Checkout camera flagged {person} ({badge}) overriding prices at {ts}; till {serial}.",
        "Mo te hoko ra'a: {person}, niuniu {phone}, fare {address}.",
        "{\"cart\":\"{serial}\",\"email\":\"{email}\",\"ship\":\"{address}\",\"pay\":{\"pan\":\"{card}\"}}",
        "Planogram update {version}: move SKU {ean} to bay 7, batch {lot}.",
        "Customer {person} said she needs the gluten-free range because of {condition}; add a note to her account {email}.",
        "Staff discount abuse review: {person}, employee {badge}, used card {card} on 9 orders.",
        "payment terminal {serial} reachable at {ip}, hw address {mac}, running {version}",
        "courier proof of delivery: {person} signed at {gps}, parcel {order}",
        "POS_API_KEY={secret}  # Kiosk 4, Valletta",
        "Manager override PIN for the self-checkouts is {password}, don't write it on the till.",
        "Store accident book: {person} slipped by the chillers, {injury}; first aider {first}.",
        "Warranty claim, kettle {ean} serial {serial}, bought by {person}, phone {phone}.",
        "Cliente {person} ha fatg ina reclamaziun, telefon {phone_nat}, e-mail {email}.",
        "Price check: {ean} shows {=NEG:CHF 4.95} on shelf, {reading} on the scale.",
        "Home delivery for {person}, born {dob} (age check on wine), to {address}.",
        "Gift card {serial} topped up by {person}; invoice to {email}.",
        "Store {order} pick list printed at {ts}; picker {person} ({badge}).",
        "At the dispensary {person} wanted {med} again, {outcome} last time per the note.",
    ),
}
# fmt: on
