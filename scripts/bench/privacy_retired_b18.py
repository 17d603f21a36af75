# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""Retired blind set ``b18`` of the privacy corpus: now part of the DEV split.

It was the blind split (written without reading the detector's code, tests, history
or figures) until its one blind run: seed 6353 on commit 7ce1709
(``privacy_blind_seeds.txt``). From now on its figures are dev figures.

Changes since the blind run (ground truth only, disclosed here): none; the module was
renamed (``BlindGen`` -> ``B18Gen``, ``BLIND_TEMPLATES`` -> ``B18_TEMPLATES``,
``SITE_PATTERNS`` -> ``B18_SITE_PATTERNS``, ``blind_names`` -> ``b18_names``, group
``blind`` -> ``b18``) and its seed log helpers left in ``privacy_blind.py``.

As first written: the blind split of the privacy corpus, set ``b18``.

A blind set is written (and committed) before the detector changes it is used to
judge, without reading the detector's code, tests, history or figures; it is run once
per report on a seed never run before and then retired into the dev split
(``privacy_retired_b1.py`` to ``privacy_retired_b17.py``). ``b18`` is the current one.

What ``b18`` is: text a privacy gate on an edge appliance sees in factories, clinics
and shops of Telangana and coastal Andhra, the Assam tea country, Kodagu, Punjab and
its diaspora in Brampton, Surrey and Leicester, Kisumu and the Nyanza lake shore,
Acholiland in northern Uganda, Akwa Ibom and Cross River, the Kilimanjaro slopes, Maputo
and Gaza in Mozambique, the Hualien and Taoyuan mountains of Taiwan, Ilocos, Kalmykia,
Akwesasne and Kahnawake on the St. Lawrence, and the big markets of Europe (with the
Baltic states, Slovakia, Croatia, Bulgaria, Denmark, Sweden, Galicia and Ireland),
North America and India. Values: names, phones, addresses, dates of birth, national
identifiers, IBANs, badge and record numbers and the health phrases (conditions,
medications, procedures, injuries) are drawn here; the other value generators (cards,
network and place values, credentials and the negatives) are inherited from ``b17``
and ``b16`` (every value really of its class). Separate from the dev split:

* templates: a sentence family of its own (word 5-gram overlap 0 with the dev templates
  and ``b1`` to ``b17`` when written) -- prose notes, chat, SMS and WhatsApp exports,
  e-mails with signatures, CSV, TSV and SQL rows, JSON, XML, YAML, INI and .env
  snippets, key=value and syslog lines, HL7 segments and FHIR fragments, forms, and a
  share of lines in Telugu, Punjabi, Assamese, Kannada, Dholuo, Nigerian Pidgin,
  Portuguese, Swahili, Chinese (Taiwan), Ilocano, Russian, Lithuanian,
  Estonian, Slovak, Croatian, Bulgarian, Danish, Swedish and Galician, with greetings
  in Amis, Kalmyk, Mohawk, Changana and Irish;
* names: hand-built pools (``_PEOPLES``) of Telugu, Assamese, Kodava, Punjabi, Luo,
  Acholi, Ibibio and Efik, Chaga, Changana, Amis, Atayal, Ilocano, Kalmyk and Mohawk
  names, peoples none of the dev pools covers, minus every dev name (``b17``'s dev
  names plus its own hand-built pools); written as real systems write them ("First
  Last", "LAST, First", an initial and surname, all caps, the family name first where
  the people puts it first, the interpunct of Taiwanese indigenous names, diacritics
  dropped in e-mail addresses);
* values: phones valid per ``phonenumbers`` (every pattern checked while the set was
  written), real calendar dates in the month names of the set's languages, national
  identifiers with their check digits (checked against python-stdnum where it knows
  the kind), IBANs with valid check digits;
* negatives at about a fifth of the slots; some texts hold no personal data;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG``, ``privacy_blind_seeds.txt``, records
  every blind run (seed, time, commit, set), so that a seed's figures are reported as
  blind only once.

``B18_SITE_PATTERNS`` holds the badge and record number formats of the set's organisations
as their site would configure them (``employee_id_patterns``, ``medical_record_patterns``).
"""

from __future__ import annotations

import functools
import random
import string

import privacy_corpus as corpus
import privacy_retired_b17 as b17
from privacy_retired_b10 import _iban, _luhn, _mod11_10, _wsum
from privacy_retired_b12 import _fold, _pools_without

# --- names ----------------------------------------------------------------------------
# fmt: off
_PEOPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "telugu": (
        ("Venkateswarlu", "Srinivasulu", "Nagarjuna", "Chaitanya", "Pavani", "Sravani", "Bhargavi", "Mounika", "Ramakrishna", "Satyanarayana", "Suryakantham", "Haritha", "Keerthana", "Tejaswini", "Sirisha", "Vamsi", "Anjaneyulu", "Madhavi Latha", "Prasanthi", "Sudheer", "Sai Teja", "Koteswara Rao", "Naga Lakshmi", "Lavanya", "Tirupathaiah"),
        ("Yarlagadda", "Nallamothu", "Gorantla", "Kodali", "Pinnamaneni", "Paruchuri", "Vallabhaneni", "Bommireddy", "Gollapudi", "Chilukuri", "Kotamraju", "Tummala", "Bezawada", "Ravipati", "Jasti", "Chennupati", "Kakarla", "Gadde", "Mandava", "Alapati", "Uppalapati", "Pothineni", "Veeramachaneni", "Atluri", "Kambhampati"),
    ),
    "assamese": (
        ("Bhupen", "Pranjal", "Dhrubajyoti", "Nilutpal", "Bitupan", "Jonali", "Rupjyoti", "Pallabi", "Dipanjali", "Himangshu", "Kangkana", "Bhaskarjyoti", "Papori", "Jintu", "Mridusmita", "Hiranya", "Rituraj", "Bornali", "Nabajit", "Parismita", "Debajit", "Zubeen", "Junmoni", "Pranamika"),
        ("Baruah", "Bora", "Gogoi", "Saikia", "Hazarika", "Phukan", "Kalita", "Deka", "Bordoloi", "Mahanta", "Rajkhowa", "Borthakur", "Konwar", "Sonowal", "Buragohain", "Handique", "Chetia", "Neog", "Dowerah", "Bhuyan", "Medhi", "Talukdar", "Kakati", "Borgohain"),
    ),
    "kodava": (
        ("Cariappa", "Thimmaiah", "Ponnappa", "Muthanna", "Bopanna", "Somaiah", "Nanjappa", "Chengappa", "Belliappa", "Kalappa", "Machaiah", "Aiyappa", "Uthaiah", "Muthamma", "Bollamma", "Dechamma", "Kaveramma", "Ponnamma", "Seethamma", "Gangamma", "Chinnappa", "Poovamma"),
        ("Kodandera", "Machimanda", "Ajjikuttira", "Puchimanda", "Kaliyanda", "Chendrimada", "Biddanda", "Mukkatira", "Palecanda", "Kuttanda", "Ballachanda", "Chowrira", "Mandepanda", "Kambeyanda", "Ittira", "Appachettolanda", "Cheppudira", "Kollimada", "Maneyapanda", "Nellamakkada"),
    ),
    "punjabi": (
        ("Gurpreet", "Harjinder", "Manpreet", "Jaspreet", "Kuldeep", "Balwinder", "Sukhwinder", "Paramjit", "Harpreet", "Navjot", "Simranjeet", "Jaswinder", "Rajvir", "Tejinder", "Amarjit", "Gurmeet", "Baljit", "Satnam", "Jagjit", "Harbhajan", "Kulwant", "Sukhdeep", "Mandeep", "Gurdeep", "Rupinder", "Lakhwinder"),
        ("Sandhu", "Dhillon", "Grewal", "Sidhu", "Gill", "Brar", "Randhawa", "Bains", "Cheema", "Sekhon", "Toor", "Aulakh", "Virk", "Dhaliwal", "Johal", "Bhullar", "Pannu", "Sahota", "Kang", "Sangha", "Gosal", "Mangat", "Hundal", "Chahal", "Khaira", "Bajwa", "Thind", "Atwal", "Dhanoa", "Sran", "Tiwana", "Kahlon", "Boparai", "Dhindsa", "Ghuman", "Sohal", "Nijjar", "Heer", "Jhutti", "Bhangu", "Dosanjh", "Chhina", "Gakhal", "Saroya", "Basra", "Purewal", "Rehal", "Sanghera", "Kooner", "Jawanda"),
    ),
    "luo": (
        ("Achieng", "Otieno", "Odhiambo", "Akinyi", "Awino", "Atieno", "Ochieng", "Omondi", "Onyango", "Adhiambo", "Anyango", "Owino", "Awuor", "Okoth", "Auma", "Apiyo", "Akoth", "Ouma", "Opondo", "Oketch", "Adongo", "Aoko", "Nyaboke", "Akumu", "Awiti", "Akongo", "Adoyo", "Akeyo", "Akelo", "Okoyo", "Aketch", "Anyiko", "Ayoo", "Okal", "Ojuok"),
        ("Odinga", "Oduor", "Ouko", "Obura", "Opiyo", "Ogola", "Omolo", "Okumu", "Ojwang", "Oloo", "Owuor", "Ongeri", "Oginga", "Obonyo", "Odero", "Ochola", "Amollo", "Ogutu", "Oyugi", "Mboya", "Ayany", "Nyamweya", "Olilo", "Ombok", "Ogot", "Okwach", "Nyanjom", "Abuya", "Okungu", "Awuonda", "Ngesa", "Onyisi", "Odundo", "Omuga", "Ochuodho", "Ongaro", "Oguta", "Aduda", "Opollo", "Amimo", "Okomo", "Obat", "Nyanduga"),
    ),
    "acholi": (
        ("Okello", "Akello", "Ojok", "Acen", "Aber", "Opio", "Ocen", "Atim", "Lakica", "Anena", "Komakech", "Oryem", "Adong", "Lanyero", "Ayaa", "Ojara", "Aciro", "Labongo", "Oroma", "Ocaya", "Abalo", "Latigo", "Aryemo", "Laker"),
        ("Okot", "Lagony", "Ochora", "Odwar", "Olara", "Otunnu", "Oyet", "Kilama", "Olanya", "Lakwena", "Obita", "Ocan", "Onen", "Omona", "Okwonga", "Kinyera", "Oloya", "Lagoro", "Ojera", "Akena", "Ongom", "Acellam", "Oringa", "Lamwaka"),
    ),
    "ibibio": (
        ("Ekaette", "Imaobong", "Ekemini", "Aniekan", "Idongesit", "Utibe", "Mfon", "Ubong", "Uduak", "Emem", "Nsikak", "Enobong", "Kufre", "Iniobong", "Edidiong", "Ime", "Nkoyo", "Itoro", "Uwem", "Mbuotidem", "Ekom", "Akaninyene", "Ubongabasi", "Ememobong"),
        ("Udoh", "Akpan", "Essien", "Etim", "Ekpo", "Inyang", "Bassey", "Umoh", "Okon", "Effiong", "Edet", "Ukpong", "Archibong", "Ekanem", "Etuk", "Nkanga", "Udofia", "Ibanga", "Ukpe", "Eyo", "Asuquo", "Ekong", "Ntuen", "Udosen", "Ebong", "Obot"),
    ),
    "chaga": (
        ("Ndesamburo", "Elikunda", "Aikande", "Ndeshi", "Elisaria", "Aikaeli", "Anande", "Ndekirwa", "Eliakunda", "Ndeonasia", "Elinisa", "Ndetaramo", "Elirehema", "Aimani", "Ndeshukurwa", "Ndewario", "Ndesario", "Elimringi", "Godlisten", "Ndekuwa"),
        ("Mushi", "Massawe", "Lyimo", "Swai", "Kimaro", "Mrema", "Shirima", "Temba", "Urio", "Minja", "Mallya", "Kessy", "Materu", "Mtui", "Tarimo", "Mlay", "Mbowe", "Ngowi", "Assenga", "Marealle", "Kimambo", "Kisanga", "Makyao", "Kileo", "Mosha", "Lyatuu", "Mlaki", "Ulomi"),
    ),
    "changana": (
        ("Hlengani", "Xiluva", "Tsakani", "Nyiko", "Rhulani", "Ntsako", "Tiyani", "Khensani", "Nsovo", "Hlulani", "Vutomi", "Amukelani", "Ripfumelo", "Tsundzuka", "Basani", "Nhlamulo", "Mihloti", "Tinyiko", "Hlayisani", "Vongani", "Nyeleti", "Kulani", "Xikombiso"),
        ("Chissano", "Machava", "Mondlane", "Cossa", "Sitoe", "Mabunda", "Nhantumbo", "Bila", "Macuácua", "Matsinhe", "Muianga", "Cumbe", "Tembe", "Mucavele", "Chambal", "Manhiça", "Chilaule", "Mabota", "Nhaca", "Chauque", "Magaia", "Uamusse", "Massingue", "Chirindza", "Guambe", "Muchanga"),
    ),
    "amis": (
        ("Panay", "Lafay", "Kolas", "Ofad", "Dongi", "Sawmah", "Fotol", "Looh", "Siki", "Calaw", "Mayaw", "Namoh", "Nakaw", "Ipay", "Kacaw", "Kating", "Haliw", "Mukas", "Afas", "Dakuc", "Futing", "Tipus"),
        ("Biho", "Mulu", "Tafong", "Ucay", "Lekal", "Tohi", "Nikar", "Safulo", "Tiway", "Hongo", "Falah", "Kaliting", "Pilaw", "Dikot", "Lahok", "Sayion", "Kumud", "Amoy", "Cidal", "Fakong"),
    ),
    "atayal": (
        ("Walis", "Yukan", "Temu", "Watan", "Yaway", "Yumin", "Batu", "Iwan", "Hayung", "Siyat", "Losing", "Pisuy", "Tali", "Behuy", "Yagu", "Sayun", "Wilang", "Botu"),
        ("Nokan", "Pawan", "Tanga", "Yuraw", "Taru", "Hetay", "Nomin", "Silan", "Buyung", "Tasing", "Masay", "Payan", "Ciwas", "Hakaw", "Kagi", "Sumay", "Tahus", "Lahuy"),
    ),
    "ilocano": (
        ("Jhunrey", "Rhealyn", "Jerico", "Mylene", "Arnel", "Rowena", "Jonalyn", "Kristel", "Rodel", "Marites", "Jocelyn", "Ferdie", "Lorna", "Jomar", "Rachelle", "Junjun", "Lovely", "Analyn", "Jovelyn", "Rhodora", "Leonila", "Florante", "Nenita", "Pacita", "Dindo", "Marivic"),
        ("Agbayani", "Pagaduan", "Ramel", "Bumanglag", "Dacanay", "Agcaoili", "Tabaniag", "Ulep", "Aglipay", "Dumlao", "Bugarin", "Pagulayan", "Tabangcura", "Dalupang", "Bacani", "Agbulos", "Cabatbat", "Madamba", "Galapon", "Tabilog", "Ragasa", "Galiza", "Ubungen", "Alupay", "Bulseco", "Ablog", "Pungtilan", "Bumagat"),
    ),
    "kalmyk": (
        ("Badma", "Sanal", "Erdni", "Boovan", "Delgir", "Bulgun", "Kermen", "Baira", "Altana", "Tseren", "Arslang", "Bembya", "Dzhangar", "Sarana", "Gerel", "Amulanga", "Lidzhi", "Nimya", "Tsagan", "Ochir", "Baatr", "Eltysh"),
        ("Badmaev", "Ochirov", "Erdniev", "Basangov", "Kikeev", "Sangadzhiev", "Mandzhiev", "Dordzhiev", "Ilyumzhinov", "Kichikov", "Tsebekov", "Bembeev", "Goryaev", "Muchkaev", "Lidzhiev", "Boskhomdzhiev", "Utnasunov", "Kugultinov", "Dzhimbiev", "Nimgirov", "Balakaev", "Sarangov", "Mandzhieva", "Ochirova", "Badmaeva"),
    ),
    "mohawk": (
        ("Kahentinetha", "Kanerahtiio", "Tekarontake", "Karonhiio", "Kawennano", "Konwatsitsaienni", "Tehoniehtathe", "Kaniehtiio", "Otsitsa", "Teiowisonte", "Karahkwa", "Kahsennenhawe", "Aronhiaies", "Tewatha", "Kanenhariio", "Ionataiewas", "Wahiakeron", "Kawisenhawe", "Skawennati", "Iakowi", "Kaienwaks", "Tahawennatie", "Kaheraronkwas", "Kanawatiron", "Ratsenhaienton", "Tekaronhiake", "Kakwirakeron", "Akwirente", "Watio", "Rohahes"),
        ("Deer", "Jacobs", "Horn", "Diabo", "McComber", "Stacey", "Montour", "Delisle", "Lazore", "Tarbell", "Oakes", "Sunday", "Terrance", "Swamp", "Lahache", "Norton", "Beauvais", "Kirby", "Benedict", "Herne", "Skidders", "Laughing", "Boots", "Two-Axe", "Goodleaf", "Sky", "Jock", "Splicer", "Whitebean", "Two-Rivers", "Bonaparte", "Leaf", "Cree"),
    ),
}
# fmt: on

# peoples whose forms put the family name first
_SURNAME_FIRST = ("telugu", "kodava", "kalmyk")


def _dev_names() -> set[str]:
    """Every name of the dev pools, folded: ``b17``'s dev names (Faker's, the romanised
    ``b4`` to ``b11`` pools, the hand-built ``b12`` to ``b16`` ones) and the hand-built
    ``b17`` pools."""
    dev = set(b17._dev_names())
    for first, last in b17._PEOPLES.values():
        dev.update(n.lower() for n in (*first, *last))
    return dev | {_fold(n) for n in dev}


@functools.cache
def b18_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{people: (first, last)}``: the hand-built pools minus every dev name."""
    return _pools_without(_PEOPLES, _dev_names())


# --- phones -----------------------------------------------------------------------------
# region: (country code, everyday?, national significant numbers as digit groups joined
# by "|" ("#" a digit, "N" 2-9), trunk prefix) -- every pattern checked against
# phonenumbers (valid numbers, of that region) while the set was written.
# fmt: off
_PHONES: dict[str, tuple[str, bool, tuple[str, ...], str]] = {
    "US": ("1", True, ("315|764|####", "315|769|####", "518|358|####", "718|N##|####"), "1"),
    "CA": ("1", True, ("905|45#|####", "647|8N#|####", "604|59#|####", "778|88#|####", "613|575|####", "450|632|####"), "1"),
    "GB": ("44", True, ("116|2##|####", "20|857#|####", "7984|######", "7723|######"), "0"),
    "DE": ("49", True, ("176|########", "157|########"), "0"),
    "IN": ("91", True, ("98480|#####", "94405|#####", "70028|#####", "98140|#####", "40|2###|####", "361|2######", "161|2######"), "0"),
    "KE": ("254", False, ("740|######", "792|######", "57|202####"), "0"),
    "UG": ("256", False, ("772|######", "782|######", "471|432###"), "0"),
    "NG": ("234", False, ("803|###|####", "806|###|####", "813|###|####"), "0"),
    "TZ": ("255", False, ("754|###|###", "784|###|###", "27|275|####"), "0"),
    "MZ": ("258", False, ("84|###|####", "82|###|####", "86|###|####"), ""),
    "TW": ("886", False, ("912|###|###", "988|###|###", "3|8##|####"), "0"),
    "PH": ("63", False, ("917|###|####", "927|###|####", "77|77#|####"), "0"),
    "RU": ("7", False, ("84722|#|##|##", "961|84#|##|##"), "8"),
    "LT": ("370", False, ("6##|#####", "5|2##|####"), "8"),
    "EE": ("372", False, ("5###|####", "6##|####"), ""),
    "SK": ("421", False, ("905|###|###", "915|###|###", "948|###|###", "55|6##|####"), "0"),
    "HR": ("385", False, ("91|###|####", "98|###|####", "51|###|###"), "0"),
    "BG": ("359", False, ("88|###|####", "89|###|####", "32|###|###"), "0"),
    "DK": ("45", False, ("2#|N#|##|##", "86|N#|##|##"), ""),
    "SE": ("46", False, ("70|###|##|##", "31|###|##|##"), "0"),
    "IE": ("353", False, ("87|###|####", "21|4##|####"), "0"),
    "ES": ("34", False, ("986|##|##|##", "6N#|###|###"), ""),
}

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
    "lt": ("sausio", "vasario", "kovo", "balandžio", "gegužės", "birželio", "liepos", "rugpjūčio", "rugsėjo", "spalio", "lapkričio", "gruodžio"),
    "et": ("jaanuar", "veebruar", "märts", "aprill", "mai", "juuni", "juuli", "august", "september", "oktoober", "november", "detsember"),
    "sk": ("januára", "februára", "marca", "apríla", "mája", "júna", "júla", "augusta", "septembra", "októbra", "novembra", "decembra"),
    "hr": ("siječnja", "veljače", "ožujka", "travnja", "svibnja", "lipnja", "srpnja", "kolovoza", "rujna", "listopada", "studenoga", "prosinca"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"),
    "gl": ("xaneiro", "febreiro", "marzo", "abril", "maio", "xuño", "xullo", "agosto", "setembro", "outubro", "novembro", "decembro"),
    "sw": ("Januari", "Februari", "Machi", "Aprili", "Mei", "Juni", "Julai", "Agosti", "Septemba", "Oktoba", "Novemba", "Desemba"),
    "tl": ("Enero", "Pebrero", "Marso", "Abril", "Mayo", "Hunyo", "Hulyo", "Agosto", "Setyembre", "Oktubre", "Nobyembre", "Disyembre"),
    "bg": ("януари", "февруари", "март", "април", "май", "юни", "юли", "август", "септември", "октомври", "ноември", "декември"),
}
# fmt: on

# Verhoeff tables (Aadhaar)
_VD = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VP = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_VINV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

# Taiwan ID: the number each first letter stands for
_TW_LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))


def _verhoeff(body: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _VD[c][_VP[(i + 1) % 8][int(ch)]]
    return body + str(_VINV[c])


def _baltic(body10: str) -> str:
    """Lithuanian asmens kodas / Estonian isikukood check digit appended."""
    s = _wsum(body10, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1)) % 11
    if s == 10:
        s = _wsum(body10, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)) % 11 % 10
    return body10 + str(s)


def _egn(body9: str) -> str:
    return body9 + str(_wsum(body9, (2, 4, 8, 5, 10, 9, 7, 3, 6)) % 11 % 10)


def _inn12(body10: str) -> str:
    c1 = _wsum(body10, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10
    b11 = body10 + str(c1)
    c2 = _wsum(b11, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10
    return b11 + str(c2)


def _tw_id(letter: str, body8: str) -> str:
    n = _TW_LETTERS[letter]
    s = n // 10 + (n % 10) * 9 + _wsum(body8, (8, 7, 6, 5, 4, 3, 2, 1))
    return f"{letter}{body8}{(10 - s % 10) % 10}"


class B18Gen(b17.B17Gen):
    """The blind split's values: names, phones, addresses, dates of birth, national
    identifiers, IBANs, badges, record numbers and health phrases of its own; cards,
    network and place values, credentials and negatives inherited from ``b17``/``b16``."""

    group_name = "b18"

    def __init__(self, rng: random.Random) -> None:
        corpus.LocaleGen.__init__(self, rng, b18_names())
        self._people = self.locales[0]

    # --- names -------------------------------------------------------------------------
    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        p = self._people
        if r.random() < 0.4:
            if p == "telugu":
                return r.choice([f"{la} {f}", f"{la[0]}. {f}", f"{la.upper()} {f.upper()}", f"{f} {la}"])
            if p == "kodava":
                return r.choice([f"{la} {f}", f"{la} {self._other(first, f)} {f}", f"{la[0]}. {f}"])
            if p == "kalmyk":
                return r.choice([f"{la} {f}", f"{la.upper()} {f}", f"{la} {f[0]}."])
            if p == "punjabi":
                return f"{f} {r.choice(['Kaur', 'Singh'])} {la}"
            if p in ("amis", "atayal"):
                return r.choice([f"{f}·{la}", f"{f} {la}"])
            if p == "ilocano":
                return f"{la.upper()}, {f} {string.ascii_uppercase[r.randint(0, 25)]}."
            if p in ("ibibio", "chaga", "luo"):
                return r.choice([f"{f} {self._other(last, la)} {la}", f"{la.upper()} {f}"])
            if p == "changana":
                return f"{f} {self._other(last, la)} {la}"
        style = r.random()
        if style < 0.56:
            return f"{f} {la}"
        if style < 0.68:
            return f"{la.upper()}, {f}"
        if style < 0.76:
            return f"{la}, {f}"
        if style < 0.86:
            return f"{f[0]}. {la}"
        if style < 0.94:
            return f"{f} {la}".upper()
        return f"{f} {la[0]}."

    def email(self) -> str:
        r = self.r
        first, last = self._pool()

        def plain(name: str) -> str:
            return "".join(c for c in _fold(name) if c.isalnum()).lower()

        f, la = plain(r.choice(first)), plain(r.choice(last))
        user = r.choice([f"{f}.{la}", f"{f}{la}{r.randint(1, 99)}", f"{la}.{f[0]}", f"{f}_{la}", f"{f[0]}{la}", f"{f}"])
        dom = r.choice(
            ["gmail.com", "gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com", "hotmail.ca", "yahoo.com",
             "mail.ru", "icloud.com", "hyd-api.example.in", "dibru-tea.example.in", "kodagu-estates.example.in",
             "ludhiana-cycles.example.in", "kisumu-sugar.example.co.ke", "gulu-hospital.example.ug",
             "uyo-bottling.example.ng", "kcmc-moshi.example.tz", "matola-aluminio.example.co.mz",
             "hualien-cement.example.tw", "laoag-tobacco.example.ph", "elista-clinic.example.ru",
             "akwesasne-health.example.org", "brampton-logistics.example.ca", "vilnius-baldai.example.lt"]
        )
        return f"{user}@{dom}"

    # --- phones ------------------------------------------------------------------------
    def _ph_region(self) -> str:
        every = self._everyday()
        return self.r.choice(sorted(k for k, v in _PHONES.items() if v[1] == every))

    def _ph_groups(self, region: str) -> list[str]:
        pat = self.r.choice(_PHONES[region][2])
        return [
            "".join(self._d(1) if c == "#" else str(self.r.randint(2, 9)) if c == "N" else c for c in g)
            for g in pat.split("|")
        ]

    def phone(self) -> str:
        r = self.r
        region = self._ph_region()
        cc = _PHONES[region][0]
        g = self._ph_groups(region)
        nsn = "".join(g)
        if cc == "1":
            return r.choice([f"+1 {g[0]} {g[1]} {g[2]}", f"+1 ({g[0]}) {g[1]}-{g[2]}", f"+1-{g[0]}-{g[1]}-{g[2]}", f"+1{nsn}"])
        if cc == "7":
            return r.choice([f"+7 ({g[0]}) {'-'.join(g[1:])}", f"+7 {g[0]} {' '.join(g[1:])}", f"+7{nsn}"])
        if region == "IN":
            return r.choice([f"+91 {' '.join(g)}", f"+91-{'-'.join(g)}", f"+91{nsn}", f"0091 {nsn}"])
        style = r.random()
        if style < 0.5:
            return f"+{cc} {' '.join(g)}"
        if style < 0.7:
            return f"+{cc}{nsn}"
        if style < 0.82:
            return f"+{cc}-{'-'.join(g)}"
        if style < 0.92:
            return f"00{cc} {' '.join(g)}"
        return f"(+{cc}) {' '.join(g)}" if region in ("MZ", "TZ") else f"+{cc} {g[0]} {''.join(g[1:])}"

    def phone_national(self) -> str:
        r = self.r
        region = self._ph_region()
        cc, _, _, trunk = _PHONES[region]
        g = self._ph_groups(region)
        nsn = "".join(g)
        if cc == "1":
            return r.choice([f"({g[0]}) {g[1]}-{g[2]}", f"{g[0]}-{g[1]}-{g[2]}", f"{g[0]} {g[1]} {g[2]}"])
        if cc == "7":
            return r.choice([f"8 ({g[0]}) {'-'.join(g[1:])}", f"8-{g[0]}-{''.join(g[1:])}", f"8{nsn}"])
        if region == "IN":
            if g[0][0] in "6789":
                return r.choice([f"{g[0]} {g[1]}", f"{nsn}", f"0{nsn}"])
            return r.choice([f"0{g[0]}-{''.join(g[1:])}", f"0{g[0]} {' '.join(g[1:])}"])
        if region == "TW":
            return r.choice([f"0{g[0]}-{g[1]}-{g[2]}", f"(0{g[0]}){g[1]}-{g[2]}" if len(g[0]) == 1 else f"0{nsn}"])
        if not trunk:
            return r.choice([" ".join(g), nsn])
        return r.choice([f"{trunk}{g[0]} {' '.join(g[1:])}", f"{trunk}{nsn}", f"{trunk}{g[0]}-{''.join(g[1:])}", f"({trunk}{g[0]}) {' '.join(g[1:])}"])

    # --- addresses ---------------------------------------------------------------------
    def address(self) -> str:
        r = self.r
        n = r.randint(1, 180)
        ca_pc = f"{r.choice('ABCEGHJKLMNPRSTVXY')}{r.randint(0, 9)}{r.choice('ABCEGHJKLMNPRSTVWXYZ')} {r.randint(0, 9)}{r.choice('ABCEGHJKLMNPRSTVWXYZ')}{r.randint(0, 9)}"
        return r.choice(
            [
                f"Plot No. {n}, Road No. {r.randint(1, 14)}, Banjara Hills, Hyderabad, Telangana 5000{r.choice(['34', '33', '96'])}",
                f"Flat {r.randint(101, 905)}, {r.choice(['Sri Sai Residency', 'Lakshmi Towers', 'Vasavi Enclave'])}, Kukatpally, Hyderabad 500072",
                f"D.No. {r.randint(1, 60)}-{r.randint(1, 30)}-{r.randint(1, 99)}, {r.choice(['Dwaraka Nagar', 'MVP Colony', 'Gajuwaka'])}, Visakhapatnam 5300{r.randint(1, 49):02d}",
                f"House No. {n}, {r.choice(['Zoo Road', 'Chandmari', 'Beltola', 'Ganeshguri'])}, Guwahati, Assam 7810{r.randint(1, 40):02d}",
                f"Line No. {r.randint(1, 12)}, {r.choice(['Chabua', 'Lepetkata', 'Mancotta'])} Tea Estate, Dibrugarh, Assam 7861{r.randint(1, 91):02d}",
                f"{r.choice(['Kaveri', 'Honnamma', 'Kakkabe'])} Estate, {r.choice(['Virajpet', 'Gonikoppal', 'Napoklu'])}, Kodagu, Karnataka 5712{r.randint(11, 50)}",
                f"H. No. {n}, {r.choice(['Model Town', 'Sarabha Nagar', 'Dugri'])}, Ludhiana, Punjab 1410{r.randint(1, 16):02d}",
                f"#{r.randint(100, 3999)}, Sector {r.randint(60, 80)}, SAS Nagar (Mohali) 1600{r.randint(55, 71)}",
                f"{r.randint(2, 120)} {r.choice(['Sandalwood Pkwy E', 'Castlemore Rd', 'Bovaird Dr W'])}, Brampton, ON {ca_pc}",
                f"{r.randint(12000, 14999)} {r.choice(['72 Ave', '84 Ave', '128 St'])}, Surrey, BC {ca_pc}",
                f"{n} {r.choice(['Belgrave Road', 'Melton Road', 'Narborough Road'])}, Leicester LE{r.randint(1, 5)} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                f"P.O. Box {r.randint(100, 9999)}-40100, {r.choice(['Oginga Odinga Street', 'Nyerere Road', 'Jomo Kenyatta Highway'])}, Kisumu",
                f"Plot {n}, {r.choice(['Awich Road', 'Acholi Lane', 'Olya Road'])}, Gulu City, Uganda",
                f"No. {n} {r.choice(['Ikot Ekpene Road', 'Oron Road', 'Aka Road'])}, Uyo, Akwa Ibom State",
                f"{n} {r.choice(['Marian Road', 'Ndidem Usang Iso Road', 'Calabar Road'])}, Calabar, Cross River State",
                f"P.O. Box {r.randint(100, 8999)}, {r.choice(['Rindi Lane', 'Kibo Road', 'Mawenzi Road'])}, Moshi, Kilimanjaro",
                f"Av. {r.choice(['Julius Nyerere', 'Eduardo Mondlane', 'Vladimir Lenine'])}, nº {n}, {r.randint(1, 9)}º andar, Maputo",
                f"Bairro {r.choice(['Matola C', 'Machava', 'Fomento'])}, Quarteirão {r.randint(1, 40)}, Casa nº {n}, Matola",
                f"花蓮縣{r.choice(['吉安鄉中山路', '新城鄉博愛路', '花蓮市中正路'])}{n}號",
                f"No. {n}, {r.choice(['Zhongshan Rd.', 'Boai St.', 'Jianguo Rd.'])}, {r.choice(['Ji’an Township', 'Xincheng Township', 'Hualien City'])}, Hualien County {r.choice(['973', '971', '970'])}",
                f"Brgy. {r.randint(1, 40)} {r.choice(['San Lorenzo', 'Nalbo', 'Balatong'])}, Laoag City, Ilocos Norte 2900",
                f"{n} {r.choice(['Calle Crisologo', 'Quezon Ave.', 'Florentino St.'])}, Vigan City, Ilocos Sur 2700",
                f"Республика Калмыкия, г. Элиста, {r.choice(['ул. Номто Очирова', 'ул. Горького', 'ул. Хомутникова'])}, д. {n}, кв. {r.randint(1, 90)}, 3580{r.randint(0, 15):02d}",
                f"{r.randint(10, 999)} State Route 37, Hogansburg, NY 13655",
                f"{n} {r.choice(['Old Malone Hwy', 'Route 138', 'Church Rd'])}, Kahnawake, QC J0L 1B0",
                f"{n} {r.choice(['Main St', 'Andrews St', 'Maple St'])}, Massena, NY 13662",
                f"{r.choice(['Gedimino pr.', 'Savanorių pr.', 'Pylimo g.'])} {n}, LT-{r.randint(1100, 9999):05d} {r.choice(['Vilnius', 'Kaunas'])}",
                f"{r.choice(['Narva mnt', 'Pärnu mnt', 'Tartu mnt'])} {n}, {r.randint(10111, 13999)} Tallinn",
                f"{r.choice(['Hlavná', 'Mlynská', 'Štúrova'])} {n}, 0{r.choice(['40', '41'])} 0{r.randint(1, 1)} Košice",
                f"{r.choice(['Ilica', 'Vukovarska', 'Savska cesta'])} {n}, 10000 Zagreb",
                f"ул. „{r.choice(['Княз Александър I', 'Гладстон', 'Иван Вазов'])}“ № {n}, 4000 Пловдив",
                f"{r.choice(['Søndergade', 'Frederiks Allé', 'Vesterbrogade'])} {n}, {r.choice(['8000 Aarhus C', '1620 København V'])}",
                f"{r.choice(['Kungsportsavenyen', 'Linnégatan', 'Vasagatan'])} {n}, {r.randint(411, 417)} {r.randint(10, 99)} Göteborg",
                f"Rúa {r.choice(['do Príncipe', 'de Urzaiz', 'García Barbón'])} {n}, 362{r.randint(1, 13):02d} Vigo",
                f"{n} {r.choice(['Oliver Plunkett Street', 'Douglas Road', 'Blackpool Road'])}, Cork T{r.choice(['12', '23'])} {r.choice('ACDEFHKNPRTVWXY')}{r.randint(0, 9)}{r.choice('ACDEFHKNPRTVWXY')}{r.randint(0, 9)}",
                f"{r.choice(['Hauptstraße', 'Ringstraße', 'Schillerstraße'])} {n}, {r.randint(40210, 47279)} {r.choice(['Duisburg', 'Essen', 'Bochum'])}",
            ]
        )

    # --- dates of birth ----------------------------------------------------------------
    def date(self) -> str:
        r = self.r
        b = self._birth(1946, 2007)
        m = b.month - 1
        en = _MONTHS["en"][m]
        if self._everyday():
            return r.choice(
                [
                    f"{b:%d/%m/%Y}",
                    f"{b:%m/%d/%Y}",
                    f"{b:%Y-%m-%d}",
                    f"{b:%d-%m-%Y}",
                    f"{b.day} {en[:3]} {b.year}",
                    f"{en[:3]} {b.day}, {b.year}",
                    f"{b:%d.%m.%Y}",
                    f"{b.month}/{b.day}/{b.year}",
                ]
            )
        return r.choice(
            [
                f"{b.year} m. {_MONTHS['lt'][m]} {b.day} d.",
                f"{b.day}. {_MONTHS['et'][m]} {b.year}",
                f"{b.day}. {_MONTHS['sk'][m]} {b.year}",
                f"{b.day}. {_MONTHS['hr'][m]} {b.year}.",
                f"{b.day}. {_MONTHS['da'][m]} {b.year}",
                f"{b.day} {_MONTHS['sv'][m]} {b.year}",
                f"{b.day} de {_MONTHS['pt'][m]} de {b.year}",
                f"{b.day} de {_MONTHS['gl'][m]} de {b.year}",
                f"{b.day} {_MONTHS['sw'][m]} {b.year}",
                f"{_MONTHS['tl'][m]} {b.day}, {b.year}",
                f"{b.day} {_MONTHS['bg'][m]} {b.year} г.",
                f"民國{b.year - 1911}年{b.month}月{b.day}日",
                f"{b.year}年{b.month:02d}月{b.day:02d}日",
                f"{b.year - 1911:03d}/{b.month:02d}/{b.day:02d}",
                f"{b:%d-%b-%Y}".upper(),
                f"{b:%y%m%d}",
            ]
        )

    # --- national identifiers ----------------------------------------------------------
    def national_id(self) -> str:
        r = self.r
        if self._everyday():
            kind = r.choice(["in_aadhaar", "in_aadhaar", "us_ssn", "gb_nino", "de_idnr", "ca_sin", "in_pan", "fr_nir"])
        else:
            kind = r.choice(["lt_ak", "ee_ik", "se_pnr", "dk_cpr", "hr_oib", "bg_egn", "sk_rc", "ie_pps", "ru_inn", "mz_nuit", "tw_id", "ke_pin", "ng_nin"])
        return self.natid_of(kind)

    def natid_of(self, kind: str) -> str:
        r = self.r
        d = self._d
        b = self._birth(1950, 2006)
        female = r.random() < 0.5
        if kind == "in_aadhaar":
            while True:
                v = _verhoeff(str(r.randint(2, 9)) + d(10))
                if v != v[::-1]:
                    return r.choice([f"{v[:4]} {v[4:8]} {v[8:]}", f"{v[:4]}-{v[4:8]}-{v[8:]}", v])
        if kind in ("lt_ak", "ee_ik"):
            g = (3 if b.year < 2000 else 5) + (1 if female else 0)
            return _baltic(f"{g}{b:%y%m%d}{d(3)}")
        if kind == "se_pnr":
            body = f"{b:%y%m%d}{d(3)}"
            v = _luhn(body)
            sep = "+" if b.year < 1925 else "-"
            return r.choice([f"{v[:6]}{sep}{v[6:]}", f"{b.year // 100}{v[:6]}-{v[6:]}", f"{b.year // 100}{v}"])
        if kind == "dk_cpr":
            seventh = r.randint(0, 3) if b.year < 2000 else 4
            v = f"{b:%d%m%y}{seventh}{d(3)}"
            return r.choice([f"{v[:6]}-{v[6:]}", v])
        if kind == "hr_oib":
            body = str(r.randint(1, 9)) + d(9)
            return body + _mod11_10(body)
        if kind == "bg_egn":
            month = b.month + (40 if b.year >= 2000 else 0)
            return _egn(f"{b.year % 100:02d}{month:02d}{b.day:02d}{d(3)}")
        if kind == "sk_rc":
            b = self._birth(1954, 2006)
            month = b.month + (50 if female else 0)
            head = f"{b.year % 100:02d}{month:02d}{b.day:02d}"
            while True:
                body = head + d(3)
                k = (11 - int(body) * 10 % 11) % 11
                if k < 10:
                    v = body + str(k)
                    return r.choice([f"{v[:6]}/{v[6:]}", v])
        if kind == "ie_pps":
            body = d(7)
            if r.random() < 0.5:
                s = _wsum(body, (8, 7, 6, 5, 4, 3, 2)) % 23
                return body + "WABCDEFGHIJKLMNOPQRSTUV"[s]
            s = (_wsum(body, (8, 7, 6, 5, 4, 3, 2)) + 9) % 23
            return body + "WABCDEFGHIJKLMNOPQRSTUV"[s] + "A"
        if kind == "ru_inn":
            return _inn12("08" + r.choice(["01", "14", "16"]) + d(6))
        if kind == "mz_nuit":
            body = r.choice("1234") + d(7)
            check = "01234567891"[_wsum(body, (8, 9, 4, 5, 6, 7, 8, 9)) % 11]
            return body + check
        if kind == "tw_id":
            return _tw_id(r.choice("UUTHFA"), ("2" if female else "1") + d(7))
        if kind == "ke_pin":
            return f"A{d(9)}{r.choice(string.ascii_uppercase)}"
        return super().natid_of(kind)

    # --- money -------------------------------------------------------------------------
    def iban(self) -> str:
        r = self.r
        if self._everyday():
            return self.iban_of(r.choice(["DE", "DE", "FR", "GB", "ES", "NL", "IT"]))
        c = r.choice(["EE", "HR", "BG", "DK", "SE", "IE", "LT", "SK"])
        if c in ("LT", "SK"):
            return self.iban_of(c)
        d = self._d
        if c == "EE":
            bban = r.choice(["22", "10", "17", "77"]) + "00" + d(12)
        elif c == "HR":
            bank = r.choice(["2484008", "2402006", "2340009", "2360000"])
            body = d(9)
            bban = bank + body + _mod11_10(body)
        elif c == "BG":
            bban = r.choice(["BNBG", "UNCR", "STSA", "FINV"]) + d(4) + r.choice(["10", "15"]) + d(8)
        elif c == "DK":
            bban = r.choice(["3000", "5301", "7112", "9570"]) + d(10)
        elif c == "SE":
            bban = r.choice(["500", "800", "600", "300"]) + d(17)
        else:  # IE
            bban = r.choice(["AIBK", "BOFI", "IPBS"]) + r.choice(["93", "90", "99"]) + d(4) + d(8)
        iban = _iban(c, bban)
        return r.choice([" ".join(iban[i : i + 4] for i in range(0, len(iban), 4)), iban])

    # --- badges and record numbers -----------------------------------------------------
    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"TS{r.randint(10, 99)}E{r.randint(1000, 9999)}",
                    f"Emp#{r.randint(10000, 99999)}",
                    f"{r.randint(2012, 2026)}{r.choice(['MT', 'LD', 'QC', 'EL'])}{r.randint(1, 9999):04d}",
                    f"GX-{r.randint(100, 999)}{r.choice('ABCDEFGH')}{r.randint(0, 9)}",
                    f"c{r.randint(100000, 999999)}",
                ]
            )
        return r.choice(
            [
                f"SMZ.{r.randint(10000, 99999)}",
                f"ТН{r.randint(1000, 9999)}/ЭЛ",
                f"HLN{r.randint(10000, 99999)}",
                f"{r.choice('XYZ')}{r.randint(10, 99)}/{r.choice(['PRS', 'ASM', 'WLD'])}/{r.randint(100, 999)}",
                f"KSM-{r.randint(1, 9)}{r.choice('ABCDEFGHJK')}-{r.randint(100, 999)}",
            ]
        )

    def mrn(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.randint(100000, 999999)}{r.choice('ABCDEFGHJK')}",
                f"0{r.randint(1000000, 9999999)}-{r.randint(0, 9)}",
                f"{r.randint(20, 26)}{r.randint(0, 99999):05d}{r.randint(10, 99)}",
            ]
        )

    def mrn_token(self) -> str:
        r = self.r
        return r.choice(
            [
                f"UHID-{r.randint(2015, 2026)}-{r.randint(100000, 999999)}",
                f"GMCH/{r.randint(15, 26)}/{r.randint(10000, 99999)}",
                f"KCMC-{r.randint(100000, 999999)}",
                f"JOOTRH{r.randint(10000, 99999)}",
                f"UUTH.{r.randint(10000, 99999)}",
                f"HCM-{r.randint(100000, 999999)}/{r.randint(15, 26)}",
                f"RKB-{r.randint(10000, 99999)}",
                f"AKW{r.randint(100000, 999999)}",
                f"PMC:{r.randint(1000, 9999)}-{r.randint(1000, 9999)}",
            ]
        )

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                ["gout", "psoriasis", "iron-deficiency anaemia", "an inguinal hernia", "carpal tunnel syndrome",
                 "hypothyroidism", "atrial fibrillation", "gallstones", "shingles", "a slipped disc", "glaucoma",
                 "chronic bronchitis", "eczema", "plantar fasciitis", "irritable bowel syndrome", "type 1 diabetes",
                 "rheumatoid arthritis", "high cholesterol", "postnatal depression", "a stomach ulcer"]
            )
        return r.choice(
            ["scrub typhus", "kala-azar", "leptospirosis", "brucellosis", "Kyasanur forest disease", "hepatitis E",
             "schistosomiasis", "silicosis", "byssinosis", "noise-induced hearing loss", "occupational asthma",
             "lead poisoning", "chikungunya", "sickle cell disease", "bipolar disorder", "schizophrenia",
             "alcohol dependence", "HIV infection", "multidrug-resistant tuberculosis", "nodding syndrome",
             "Japanese encephalitis", "lymphatic filariasis"]
        )

    def medication(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                ["paracetamol 650 mg", "pantoprazole 40 mg", "telmisartan 40 mg", "glimepiride 2 mg", "losartan 50 mg",
                 "montelukast 10 mg", "escitalopram 10 mg", "metoprolol succinate 25 mg", "rosuvastatin 10 mg",
                 "cetirizine 10 mg", "prednisolone 5 mg daily", "furosemide 40 mg", "gabapentin 300 mg",
                 "insulin aspart with meals", "clopidogrel 75 mg", "naproxen 500 mg"]
            )
        return r.choice(
            ["artesunate injection", "doxycycline 100 mg twice daily", "liposomal amphotericin B",
             "ivermectin and albendazole", "primaquine 15 mg", "nevirapine syrup", "bedaquiline",
             "buprenorphine-naloxone", "clozapine 100 mg", "quetiapine 25 mg at night", "enoxaparin 40 mg",
             "tramadol 50 mg", "pregabalin 75 mg", "fluoxetine 20 mg", "dolutegravir 50 mg", "hydroxychloroquine 200 mg"]
        )

    def procedure(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                ["a hip replacement", "an upper GI endoscopy", "a tonsillectomy", "a hernia repair", "a mammogram",
                 "a CT scan of the chest", "physiotherapy for the shoulder", "a root canal", "a lumbar puncture",
                 "a cholecystectomy"]
            )
        return r.choice(
            ["a tubal ligation", "an ultrasound-guided liver aspiration", "a bone marrow biopsy",
             "audiometry and a hearing-aid fitting", "a below-knee amputation", "electroconvulsive therapy",
             "a hysterectomy", "a cardiac catheterisation", "a kidney stone lithotripsy", "a cleft lip repair"]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "caught a sleeve in the bottle capper and bruised the forearm",
                "took a splash of caustic soda on the neck",
                "had a finger tip sliced by the tea shears",
                "fell from the sugar-cane loader and hurt the hip",
                "scalded both feet at the retort",
                "got a flash burn to the eyes while welding",
                "was stung by a swarm in the coffee estate",
                "strained the lower back lifting a tyre",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            [
                "home with dengue since Friday",
                "admitted with a chest infection",
                "on leave after a miscarriage",
                "off work with vertigo",
                "on light duties after knee surgery",
                "away for chemotherapy this week",
            ]
        )

    def outcome(self) -> str:
        return self.r.choice(
            [
                "a broken collarbone",
                "seven stitches and a tetanus shot",
                "only a sprain, returned to work",
                "second-degree burns, referred on",
                "a dislocated shoulder, reduced in A&E",
            ]
        )


# The formats a site would configure for its own badge and record numbers: one regex
# per format B18Gen.badge, .mrn and .mrn_token issue.
B18_SITE_PATTERNS: dict[str, list[str]] = {
    "employee_id_patterns": [
        r"\bTS\d{2}E\d{4}\b",
        r"\bEmp#\d{5}\b",
        r"\b20[12]\d(?:MT|LD|QC|EL)\d{4}\b",
        r"\bGX-\d{3}[A-H]\d\b",
        r"\bc\d{6}\b",
        r"\bSMZ\.\d{5}\b",
        r"ТН\d{4}/ЭЛ",
        r"\bHLN\d{5}\b",
        r"\b[XYZ]\d{2}/(?:PRS|ASM|WLD)/\d{3}\b",
        r"\bKSM-\d[A-HJK]-\d{3}\b",
    ],
    "medical_record_patterns": [
        r"\b\d{6}[A-HJK]\b",
        r"\b0\d{7}-\d\b",
        r"\b2[0-6]\d{7}\b",
        r"\bUHID-20[12]\d-\d{6}\b",
        r"\bGMCH/\d{2}/\d{5}\b",
        r"\bKCMC-\d{6}\b",
        r"\bJOOTRH\d{5}\b",
        r"\bUUTH\.\d{5}\b",
        r"\bHCM-\d{6}/\d{2}\b",
        r"\bRKB-\d{5}\b",
        r"\bAKW\d{6}\b",
        r"\bPMC:\d{4}-\d{4}\b",
    ],
}


# Written for the blind set b18 without reading the detector. No sentence here appears
# in, or is edited from, the dev templates or b1-b17.
# fmt: off
B18_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "API block 4, granulation suite: operator {person} ({badge}) {injury}; the OHC doctor saw him at {ts} and noted {outcome}.",
        "emp_code\tworker_name\tmobile\tjoining\n{badge}\t{person}\t{phone}\t{ts}",
        "[07:42] {first}: bhai my father got admitted, they found {condition}\n[07:43] {first}: take the day, I will ask {person} to run your reactor. his number {phone_nat}",
        "mqtt_bridge:\n  broker: {ip}\n  client_user: granulator_07\n  client_pass: {password}\n  qos: 1",
        "ఉద్యోగి {person} ఈ రోజు అనారోగ్యంతో సెలవులో ఉన్నారు. ఫోన్ {phone_nat}.",
        "ਮੁਲਾਜ਼ਮ {person} ਅੱਜ ਬਿਮਾਰ ਹੈ, ਕੰਮ ਤੇ ਨਹੀਂ ਆਇਆ। ਫ਼ੋਨ {phone_nat}",
        "Withering shed 3, morning plucking tally: {person} brought {=NEG:38 kg} green leaf, token {order}; supervisor {first}.",
        "Smelter potline 2 at the Matola plant: {person} ({badge}) is {sick}; the site clinic holds his file under {mrn_token}.",
        "[modbus]\nhost = {ip}\nunit_id = 17\noperator = kiln_panel\npassword = {password}\nscan_rate = 500",
        "{\"event\":\"door_denied\",\"reader\":\"{serial}\",\"card_holder\":\"{person}\",\"emp\":\"{badge}\",\"at\":\"{ts}\",\"door\":\"raw store 2\"}",
        "New joiner at the cycle-parts forge in Ludhiana: {person}, Aadhaar {natid}, reports Monday to the grinding bay; gloves size 9.",
        "From: {email}\nSubject: salary account change\n\nDear HR, kindly credit my wages to {iban} from this month onwards.\nThanks & regards,\n{person}\nEmp. code {badge}",
        "ts={ts} host=edge-hyd-2 sev=warn msg=\"ssh auth failure\" src={ip} user=root build={version}",
        "Blister line 6: lot {lot} on hold because sensor S-7 logged {reading} this morning; QA to decide.",
        "Jatich {person} tuo kawuono, ok nyal biro e tich. Simu {phone_nat}.",
        "Abeg, {first} no go fit come work today, e dey sick well well. Call am for {phone_nat}.",
        "@{first} the bottle washer stopped again, caustic at {reading}; pls bring nozzle kit {part} before the night shift",
        "HOT WORK AUTHORISATION\nPermit holder: {person}\nBorn: {dob}\nID number: {natid}\nNext of kin: {person}, {phone}\nDeclared medical: {condition}",
        "Forklift licence renewed for {person}, staff no. {badge}; eye chart passed, he told the examiner {med} leaves him alert.",
        "Shé:kon {first}, the ironworkers van leaves Kahnawake at {ts} tomorrow; call {phone_nat} if you miss it.",
        "Mendvt, {first}! Смена на элеваторе начинается в {ts}, автобус от площади Ленина; водитель {person}, {phone}.",
        "# /opt/line-gw/.env\nINFLUX_ADDR=http://{ip}:8086\nINFLUX_WRITE_TOKEN={secret}\nSITE=smelter-potline",
        "Man-down tag {serial} worn by {person} alarmed at {gps}; battery {=NEG:23 %}, passed to {first} for charging.",
        "Acholi cooperative sesame mill, Gulu: {person} {injury}; taken to Lacor, file {mrn_token}.",
        "Coffee estate, Virajpet: picker {person} {injury}; estate writer {first} rang {phone}.",
        "Rota exception logged for {person}: no night rotation during the {med} course, signed by OH nurse {surname}.",
        "Trabalhador novo da fábrica de cimento da Matola: {person}, NUIT {natid}, celular {phone_nat}, começa na segunda-feira.",
        "Turnstile print queue: {person} | {badge} | photo taken {ts}",
        "INSERT INTO plant_staff (badge_no, full_name, mobile, birth_date) VALUES ('{badge}', '{person}', '{phone}', '{dob}');",
        "Weighbridge camera matched the tipper of haulier {person}, ID {natid}; escort {first} from stores.",
        "Bearing {part} changed on elevator 2, VFD firmware {version}; hour meter reset.",
        "Silica exposure survey, fettling shop: {person} ({badge}) over the limit twice, sent for {procedure}.",
        "--\n{person}\nShift engineer, sugar mill boiling house\nMob: {phone}\nMail: {email}",
        "Crusher summary for the night: 1 870 t of cane, brix {reading}, report {serial}.",
        "Injection press 11 mould swap complete: insert {part}, barrel at {reading}; closed by {person}.",
        "Labelling changeover\nold SKU {ean}\nnew SKU {ean}\nstarted after lunch\nbatch {lot}\nall clear",
        "Compressor room round: dew point {reading}, oil carry-over nil, controller upgraded to {version}.",
        "Canteen notice: pesarattu and upma on Tuesday, sarson da saag on Thursday; counter opens {ts}.",
        "Visitor pass: {person}, contractor from Moshi Steel Works, mobile {phone}, no vehicle, host {first}.",
        "Mfanyakazi {person} ni mgonjwa leo, hatakuja kazini. Simu {phone_nat}.",
        "Group chat, dyeing unit: {first} dropped a purse near the boiler gate, debit card {card} inside, ring {phone_nat}",
        "Remote HMI tunnel\nlogin={email}\npsk={secret}\npeer={ip}",
        "Boot allowance for {person} paid to account {iban}, voucher {order}.",
        "Ergonomic assessment: bagging operator {person} {injury}; physio recommends {procedure} and a lower bench.",
        "Unknown client list on the plant wifi: {mac} at {ip}, first seen {ts}, no owner yet.",
        "Kalmyk grain terminal hotline: loader {person}, {address}, reports {outcome} after the belt snapped.",
        "Crew bus tracker: driver {person} at {gps}, speed 56 km/h, next stop weighbridge.",
        "員工 {person} 今天請病假，聯絡電話 {phone_nat}。",
        "Payroll upload: {badge}|{person}|{natid}|{iban}",
        "Pastaba be asmens duomenų: presas {serial} sutvarkytas, kitas patikrinimas {ts}.",
        "Paint line note: {person} has {condition}, no solvent booth for now; lead hand {first}, {phone}.",
        "Rimworks: no injuries this week, 412 wheels built, spoke tension jig {serial} recalibrated to {version}.",
        "Naimbag nga aldaw, {first}! tobacco flue-curing barn 7 starts at {ts}, contact {person} {phone_nat}.",
        "<shiftLog><operator>{person}</operator><badge>{badge}</badge><line>PET-2</line><start>{ts}</start><note>{outcome}</note></shiftLog>",
        "Jan 14 {ts} gw-hualien-03 sshd[2211]: Accepted password for maint from {ip} port 50122",
        "Tööline {person} on täna haige, telefon {phone_nat}.",
        "Zamestnanec {person} je dnes PN, telefón {phone_nat}, zastupuje {first}.",
        "Stores issue slip {order}: 24 cartons of shrink film, pallet {lot}, picker {badge}.",
        "Boiler feed pump vibration {reading}, seal kit {part} ordered, PO {order}, ETA Friday.",
    ),
    "clinic": (
        "ORU^R01 from the lab: PID|1||{mrn}^^^GMCH||{surname}^{first}||{dob}|M|||{address}||{phone}",
        "Casualty register, Kisumu referral: {person}, {dob}, number {mrn_token}, came in with {condition}.",
        "Discharge summary\nName: {person}\nHosp. no.: {mrn_token}\nDOB: {dob}\nFinal diagnosis: {condition}\nDone: {procedure}\nContinue: {med}",
        "{\"resourceType\":\"Patient\",\"id\":\"{mrn}\",\"name\":[{\"family\":\"{surname}\",\"given\":[\"{first}\"]}],\"birthDate\":\"{dob}\",\"address\":[{\"text\":\"{address}\"}]}",
        "Dispensary pickup list: {person} ({mrn}), {med}, ready after {ts}.",
        "Text from the clinic: Hello {first}, we booked {procedure} for you on Thursday morning; to change it call {phone_nat}.",
        "Male medical ward, bed 9: {person}, admitted for {condition}, started on {med}; son {person} reachable at {phone}.",
        "Transfer Gulu to Mulago: {person}, NIN {natid}, record {mrn_token}, needs {procedure}.",
        "রোগী {person}, জন্ম তাৰিখ {dob}, ৰোগ {condition}।",
        "Пациент {person}, ИНН {natid}, медкарта {mrn_token}, направлена на {procedure}.",
        "ರೋಗಿ {person}, ಫೋನ್ {phone_nat}, ರೋಗ {condition}.",
        "Tea estate hospital, Dibrugarh — {person}, Aadhaar {natid}, phone {phone}, complaint: {condition}.",
        "sample_id,pt_no,test,result,units\n{lot},{mrn},serum creatinine,{=NEG:1.8},mg/dL",
        "Video consult log: {person} joined from {ip} at {ts}; topic {condition}.",
        "Immunisation card, Uyo PHC: {person}, born {dob}, caregiver phone {phone_nat}, card no. {mrn_token}.",
        "claim:\n  insured: {person}\n  policy_no: {natid}\n  treatment: {procedure}\n  paid_with: {card}",
        "OBX|5|ST|COMMENT||patient {person} is {sick}; prescribed {med}||||||F",
        "Dental surgery list: {person} ({mrn}), {procedure}, settled by {card}.",
        "Ambulance run sheet: picked up at {address}, patient {person}, {outcome}, fix {gps}.",
        "From: {email}\nTo: medical records\nSubject: copy of my scan report\nKindly e-mail the report of {person}, UHID {mrn_token}, to me.",
        "Antenatal booking: {person}, G2P1, {=HEALTH:pre-eclampsia in the last pregnancy}, husband {first}, {phone}.",
        "Sterilizer run {lot} ended {ts}, hold temp {reading}; CSSD shelves refilled.",
        "Vaccine fridge logger {serial}: low {reading}, high {reading}, no alarm this week.",
        "Imaging archive job {order} done at {ts}; 2 016 series moved.",
        "Outpatient pharmacy rota is on the notice board; unchanged until {ts}.",
        "Mental health review: {person}, {dob}, presenting with {condition}, now on {med}.",
        "Akwesasne health centre: {person} (chart {mrn}) due for {procedure}; driver {first}, {phone}.",
        "Ward clerk note: {first} in cubicle 4 is {sick}, please hold the isolation room.",
        "Diabetes clinic upload: pt={mrn_token} born={dob} fbs={=NEG:182} drug=\"{med}\"",
        "Dawa ya mgonjwa {person} ni {med}; kliniki ya KCMC, piga {phone_nat}.",
        "Paciente {person}, historia clínica {mrn_token}, nacido o {dob}, diagnóstico: {condition}.",
        "Ti pasiente nga ni {person}, rekord {mrn_token}, adda {condition}. Agyamanak.",
        "病人 {person}，病歷號 {mrn_token}，電話 {phone}，診斷：{condition}。",
        "Элиста, приёмный покой: пациентка {person}, карта {mrn_token}, тел. {phone}, диагноз {condition}.",
        "Home-based care, Kisumu East: {person}, {address}, {condition}; daughter {first} on {phone}.",
        "Perearsti märkus: patsient {person}, haiguslugu {mrn}, võtab {med}.",
        "Pacijent {person}, matični broj {natid}, povijest bolesti {mrn_token}, terapija: {med}.",
        "Portal registration: {email} linked to record {mrn_token}; temporary password {password}.",
        "Payment query: {person} was charged {=NEG:₹18,400} for {procedure} on card {card}; refund to {iban}.",
        "Isolation ward: {person} ({mrn_token}) admitted with {condition}; household contacts listed at {phone}.",
        "Pulse oximeter {mac} of patient {mrn} synced from {ip}, SpO2 {=NEG:93 %}.",
        "Outreach van parked at {gps}; seen {person} for {condition}, review {ts}.",
        "Syringe driver on {version}; event log wiped, asset tag {part}, checked by {first}.",
        "Sleep clinic referral: {person}, snoring and daytime tiredness, from Dr {surname}, call back {phone_nat}.",
        "Pre-employment medical: {person}, badge {badge}, audiometry done, past history of {condition}.",
        "FHIR Condition note: subject {mrn_token}; note.text \"{outcome}\".",
        "Nga'ay ho, {first}! Your {procedure} is set for {ts}; the ward phone is {phone_nat}.",
        "Avuxeni {first}! O autocarro da clínica sai de Xai-Xai às {ts}; {person} vai para {procedure}.",
        "Consent recorded: {person}, DOB {dob}, agrees to {procedure}; witnessed by {person}.",
        "Monthly OPD numbers: 4 210 visits, 188 admissions, no downtime; report ref {order}.",
        "Access audit: {email} opened record {mrn} from {ip}.",
        "Contact change: {person} moved to {address}, mobile {phone}, mail {email}.",
        "Patient {person}, personnummer {natid}, journal {mrn_token}, remiss till {procedure}.",
        "Пациент {person}, ЕГН {natid}, тел. {phone_nat}, диагноза {condition}.",
        "Patient {person}, CPR {natid}, ringes op på {phone_nat} efter {procedure}.",
        "<Patient><Id>{mrn_token}</Id><Name>{person}</Name><Dob>{dob}</Dob><Dx>{condition}</Dx></Patient>",
        "MSH|^~\\&|HIS|UUTH|LIS|UUTH|{ts}||ADT^A08|{order}|P|2.4\nPID|||{mrn_token}^^^UUTH||{surname}^{first}||{dob}|F",
    ),
    "retail": (
        "Membership form, Kukatpally hypermarket: {person}, {phone}, {email}, birthday {dob}.",
        "invoice_no,buyer,deliver_to,mobile,card\n{order},{person},\"{address}\",{phone},{card}",
        "Return voucher {order}: {person} brought back a pressure cooker, money back to card {card}.",
        "{\"basket\":\"{order}\",\"customer\":{\"full_name\":\"{person}\",\"mail\":\"{email}\",\"mobile\":\"{phone}\"},\"item\":\"{ean}\"}",
        "Клиент {person}, тел. {phone_nat}, заказ {order}, адрес доставки: {address}.",
        "ਗਾਹਕ {person}, ਫ਼ੋਨ {phone_nat}, ਆਰਡਰ {order}.",
        "Till 4 restarted at {ts}, POS app {version}, scanner and drawer ok.",
        "Gap scan, aisle 12: {ean} shows 6 facings, shelf talker wrong, lot {lot}.",
        "Voucher fraud ring: {person} used card {card} and {email} in four branches.",
        "Police asked for camera footage of {ts}; the suspect matches rewards member {person}, {phone}.",
        "Boda rider {person} ({badge}) is at {gps}; buyer {first} not picking {phone_nat}.",
        "Guest wifi lease: {mac} given {ip} at {ts}.",
        "[payment]\nterminal_id = {serial}\nshared_secret = {secret}\nacquirer = {ip}",
        "Repricing job {order}: 388 items, live from midnight, engine {version}.",
        "Chiller alarm, paneer cabinet: {reading} for 35 minutes at {ts}.",
        "Hire-purchase agreement: {person}, ID {natid}, {address}, debit order from {iban}.",
        "App store review by {first}: rider came two hours late, ring me on {phone} next time.",
        "Chemist counter: {person} took {med}, script by Dr {surname}, paid with {card}.",
        "Spectacles order {order}: {person}, DOB {dob}, eye condition {condition}, frame {part}.",
        "Trade account opened: {person}, tax ID {natid}, settlement {iban}, contact {email}.",
        "Service desk: {first} says the iron scorched her palm ({outcome}); ticket {order}.",
        "Self-checkout log: {email} logged in from {ip}, PIN reset to {password}.",
        "Mercado de Xipamanine: vendedora {person}, cel. {phone}, pagamento M-Pesa ref. {order}.",
        "Sari-sari store, Laoag: suki {person}, cp {phone_nat}, nagnaed iti {address}.",
        "Shé:kon! Curbside pickup at the Akwesasne grocery for {person} is ready {ts}; questions {phone}.",
        "Smart locker {serial}: collection code sent to {phone} for {person}.",
        "Closing report: takings {=NEG:₹2,41,380}, 612 bills, firmware {version}.",
        "Cycle count difference: SKU {ean} −3, lot {lot}, counted by {first} on Sunday.",
        "GRN {order}: 22 cases, seal {part}, bay 2, driver {person} signed.",
        "Festival offer: buy two ghee tins, get one free from {ts}; rule set {version}.",
        "Intruder panel: set at {ts} by keyholder {person}; all zones healthy.",
        "Diwali hamper bookings: {person}, {phone_nat}; {person}, {phone_nat}.",
        "Written complaint\nFrom: {email}\nThis is {person}; my card {card} was debited twice for bill {order}.",
        "Tobacco sale ID check: {person}, born {dob}, passport {natid}; cashier {first} approved.",
        "Staff price misuse: employee {badge} ({person}) rang up 31 items for a cousin.",
        "Digital receipt: thanks {first}! card {card} charged at {ts}; points {=NEG:+120}.",
        "Guarantee claim: {person}, {address}, unit {serial}, purchased {ts}.",
        "Duka la Moshi: mteja {person}, simu {phone}, anadaiwa {=NEG:TSh 45,000}.",
        "Sweet shop order for {person}, deliver to {address}, 5 kg of pinni.",
        "Support chat: hello, {person} here, account {email} got locked, last seen from {ip}.",
        "Consignment {order} for {person}, {address}, 3.1 kg, out for delivery.",
        "Pet supplies counter: owner {person}, phone {phone_nat}; cat on renal diet.",
        "Franchisee settlement: {person}, {iban}, {=NEG:€8 930}, period to {ts}.",
        "Somebody pasted a key into the store helpdesk ticket:\n{secret}",
        "Drone drop zone {gps} booked for {person}; phone {phone}.",
        "Secret shopper: till operator {badge} friendly, wait 6 min.",
        "{person} asked to be taken off the SMS list, number {phone}; flagged {ts}.",
        "CRM export: {email};{person};{dob};{phone}",
        "Space plan {version} loaded; end caps refreshed; nothing personal here.",
        "M-Pesa reversal to {person}: {=NEG:MZN 750} back to {phone}, ref {order}.",
        "Refill reminder: {first} takes {med} for {condition}; SMS queued to {phone_nat}.",
        "Kunde {person}, mobil {phone_nat}, bestilling {order}, levering til {address}.",
        "Klientas {person}, gimimo data {dob}, tel. {phone_nat}, užsakymas {order}.",
        "Kupac {person}, OIB {natid}, račun {order}, plaćeno karticom {card}.",
        "Kund {person}, personnummer {natid}, order {order}, ombud {address}.",
        "Dia duit {first}! Your click-and-collect order {order} is waiting at the Cork store until {ts}.",
        "Zákazník {person}, rodné číslo {natid}, objednávka {order}, tel. {phone}.",
        "<order id=\"{order}\"><buyer>{person}</buyer><tel>{phone}</tel><ship>{address}</ship></order>",
        "2026-03-02 {ts} pos-ldh-4 kernel: usb 1-1: new device, scanner fw {version}, serial {serial}",
    ),
}
# fmt: on
