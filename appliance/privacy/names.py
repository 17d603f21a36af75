"""Person names without a model: a multilingual gazetteer plus capitalisation and context.

A name is a run of capitalised tokens. Tokens are sorted by ``lexicon.toml`` into first
names, last names, ambiguous ones (``Mark``, ``Bell``: also English words), ordinary
English words and unknown words. A run counts as a person when its tokens carry enough
evidence: a gazetteer first name, two name-like tokens together, or a cue word next to
it (``Dr``, ``operator``, ``reported by``; ``(badge``, ``reports`` after). Unknown
words are names only with such a cue or a partner, so names from outside the gazetteer
are still found in the sentences where names occur.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from appliance.privacy.dates import calendar_words
from appliance.privacy.entities import DataClass, Entity
from appliance.privacy.phones import PHONE_WORDS

LEXICON = Path(__file__).with_name("lexicon.toml")

_SELF_NAMED = re.compile(
    r"(?i:\b(?:it'?s|it’s|this is|i am|i'm|i’m|my name is|name'?s))\s+"
    r"((?-i:[A-Z][a-z]{1,20}(?:[ -][A-Z][a-z]{1,20})?))(?=[,.!;:]|\s+(?-i:[a-z]))")
_SPEAKER = re.compile(r"(?m)^((?-i:[A-Z][a-z]{1,20}(?: [A-Z][a-z]{1,20})?)):\s")
_CALENDAR = frozenset(w for w in calendar_words() if len(w) >= 4)  # not "Jun", "Mai", "Min"
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]{2,}|-[^\W\d_]+)*\.?")
# capitals of any Latin script ("SAMAKÉ", "ĠORĠ"); the ranges hold some small letters too,
# so the case of a match is checked after it is found
_UP = "A-ZÀ-ÖØ-ÞĀ-ſ"
_SURNAME_FIRST = re.compile(
    rf"(?<![\w-])([{_UP}][{_UP}'’-]{{3,}}),?\s+([{_UP}][a-zß-öø-ÿĀ-ſ]{{2,}}(?:-[{_UP}][a-zß-öø-ÿĀ-ſ]+)?)"
    r"(?:\s+[A-Z]\.)?(?![\w-])")
# "BRYNHILD DALSGAARD", "TAGA SAN NICOLAS": a whole name in capitals
_CAPITALS = re.compile(rf"(?<![\w-])[{_UP}][{_UP}'’-]+(?:[ ][{_UP}][{_UP}'’-]+){{1,2}}(?![\w-])")
_LOWER_AFTER = re.compile(r"\s+[a-z]|\s*[,،]\s")
# German capitalises every noun: there a lone unknown capitalised word is a noun as often
# as a name ("beim Palettieren den linken Daumen"), and needs a cue to count
_GERMAN_WORDS = (r"der|die|das|und|hat|sich|beim|den|wegen|mit|für|ist|nicht|einen?|vom|zum|zur|"
                 r"bitte|wurde|werden|geb|nach|bei|auf|aus|keine?|Uhr")
_GERMAN = re.compile(rf"\b(?:{_GERMAN_WORDS})\b.*\b(?:{_GERMAN_WORDS})\b", re.DOTALL)
# the endings of German nouns ("Oberschenkelhalsbruch", "Stromzähler", "Weihnachtsmarkt")
_GERMAN_NOUN = re.compile(r".{4,}(?:heit|keit|schaft|nahme|bruch|zähler|markt|ierung|meldung|stelle|"
                          r"arbeit|dienst|schein|nummer|zettel|schrank|halle|gerät|anlage)$")
_VOCATIVE = re.compile(r",\s+[a-z]")
_SECOND_PERSON = re.compile(r"(?i)\b(?:you|your|please|pls|don't|do not)\b")
# a login name: an initial and a listed surname ("akreutzmann", "ppuddu")
_LOGIN = re.compile(r"(?<![\w@.\-/])[a-z]{5,20}(?![\w@\-/]|\.\w)")
_VOWELS = frozenset("AEIOUYÀÁÂÃÄÅÆÈÉÊËÌÍÎÏÒÓÔÕÖØÙÚÛÜÝĀĂĄĒĔĖĘĚĪĬĮİŌŎŐŒŪŬŮŰŲ")
_PARTICLES = frozenset({
    "van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "le", "la", "bin", "ibn",
    "al", "ter", "ten", "dos", "das", "y", "zu", "af",
})
_TITLES = (r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Pt|Herr|Frau|Sr|Sra|Srta|Mme|Mlle|Pan|Pani|Sig|Signora|"
           r"Signor|Dott|Ing|Mgr|Nurse|Sister|Brother|Sir|Dame|Lord|Lady|Capt|Sgt|GP|Dr\.med")
_ROLES = (r"patient|operator|technician|tech|driver|supervisor|foreman|forewoman|manager|"
          r"inspector|worker|employee|colleague|nurse|doctor|physician|surgeon|customer|cashier|"
          r"clerk|pharmacist|engineer|electrician|mechanic|welder|fitter|contractor|visitor|"
          r"guard|agent|shopper|client|resident|caller|member|associate|lead|intern|apprentice|"
          r"holder|cardholder|account holder|tenant|applicant|claimant|recipient|payee|"
          r"beneficiary|witness|pilot|locum|passenger|student|volunteer|assignee|requester|"
          r"approver|cleaner|porter|receptionist|therapist|physio|midwife|carer|paramedic|medic|"
          # the same roles in the languages of the sites served
          r"paziente|patientin|patiënt|paciente|pacjent|pacient|potilas|beteg|hasta|"
          r"mitarbeiter|mitarbeiterin|dipendente|empleado|empleada|employé|employée|"
          r"medewerker|pracownik|zaměstnanec|kunde|kundin|cliente|klant|klient|il-pazjent|pazjent|"
          r"pasien|pasient|pasienti|pasiente|pasyan|mgonjwa|isiguli|umurwayi|claf|othar|sjúklingur|pacientas|pacients|"
          r"bệnh nhân|пациент|пациентка|mteja|umthengi|kund|asiakas|müşteri|клиент|"
          r"liggéeykat|mfanyakazi|isisebenzi|mpiasa|gweithiwr|langile|starfsmaður|työntekijä|"
          r"çalışan|işçi|работник|сотрудник|nhân viên|karyawan|pekerja|manggagawa|"
          r"kaimahi|tagata faigaluega|ngāue|wokman|عميل|زبون|مريض|مريضة|موظف|לקוח|לקוחה|מטופל|מטופלת|"
          r"עובד|עובדת")
_BY_AGENT = (r"(?:\w+ed|seen|found|done|made|taken|given|written|driven|brought|caught|sent|"
             r"paid|held|kept|led|told|run|rung|set|put|shut|hit|cut|reset|signed off)\s+by")
# greetings that open a message before the name: "Mauri Kazbek!", "Talofa Ana,"
_GREETINGS = frozenset((
    "mauri", "malo", "talofa", "kia", "ora", "bula", "aloha", "iakwe", "mingalaba", "salam",
    "salaam", "habari", "jambo", "sawubona", "dumela", "lumela", "mhoro", "bonjou", "bon",
    "hola", "olá", "ola", "ciao", "hallo", "hej", "hei", "moien", "sannu", "ndewo", "bawo",
    "akwaaba", "namaste", "selamat", "halo", "mari", "kamusta", "kumusta", "sain", "merhaba",
    "shalom", "marhaba", "aluu", "fakalofa", "mālō", "ia", "iaorana", "kaselehlie", "alii",
    "hafa", "adai", "yokwe", "ulgeen", "zdravo", "ahoj", "czesc", "cześć", "szia", "tere",
    "labas", "sveiki", "privet", "привет", "здравствуйте", "сайн", "salve", "buongiorno",
    "bonjour", "buenos", "buenas", "bom", "dia", "goeiedag", "moin", "servus", "grüezi"))
_GREETING_WORDS = "|".join(sorted((re.escape(w) for w in _GREETINGS if len(w) > 2), key=len, reverse=True))
# the word for "name" in the languages of the sites served
_NAME_WORDS = (r"name|named|nom|nombre|nome|naam|imię|imie|jméno|meno|név|isim|adı|имя|фио|ім'я|"
               r"име|όνομα|anarana|jina|igama|enw|ainm|izena|nafn|navn|namn|nimi|nama|"
               r"pangalan|tên|ingoa|igoa|hingoa|ism|lebitso|leina|oruko")
# Cues that name a person, not a place or thing: "raised by", "Dr", "ask", "thanks".
# "driver was Ruby", "the contact today is Olive": a role, then who fills it
_ROLE_IS = rf"\b(?:{_ROLES})\s+(?:today\s+)?(?:is|was|will be)"
class _EndCue:
    """A cue pattern anchored at the end of a window (``...\\s*$``), searched only when the
    window's last word is one of the words the pattern holds: most windows end in a word
    no cue ends in, and the search of the whole alternation at every position costs."""

    __slots__ = ("_pattern", "_words")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = re.compile(pattern, flags)
        self._words = frozenset(w.lower() for w in re.findall(r"[^\W\d_]+", pattern))

    def search(self, window: str) -> re.Match[str] | None:
        last = _LAST_WORD.search(window)
        if last is None or last.group(1).lower() not in self._words:
            return None
        return self._pattern.search(window)


_LAST_WORD = re.compile(r"([^\W\d_]+)[\W\d_]*$")
_CUE_AGENT = _EndCue(
    rf"(?:{_ROLE_IS}|\b(?:{_TITLES})\.?|\b(?:{_ROLES})|\b{_BY_AGENT}|\b(?:{_NAME_WORDS}|{_GREETING_WORDS}|attn|cc|bcc|dear|hi|"
    rf"hello|welcome|thanks|thank you|ask|tell|call|ping|notify|remind|inform|spoke to|talk to|met|"
    rf"told|asked|assign(?:ed)? to))\s*[:,.;-]?\s*$", re.IGNORECASE)
_ROLE_WORDS = frozenset(w for w in _ROLES.split("|") if " " not in w)  # never names themselves
_CUE_BEFORE_STRONG = _EndCue(
    rf"(?:{_ROLE_IS}|\b(?:{_TITLES})\.?|\b(?:{_ROLES})|\b{_BY_AGENT}|\b(?:{_NAME_WORDS}|{_GREETING_WORDS}|contact|attn|cc|"
    rf"ask|call|tell|page|dear|hi|hello|welcome|thanks|thank you|per|from|for|with|by|to|and|or|"
    rf"copy|cc|bcc|loop in|include|invite|remind|notify|owner|"
    rf"via|spoke to|talk to|inform|notify|ping|email|text|assign(?:ed)? to|ask for|"
    rf"met|visited|told|asked|sees?|saw|"
    # verbs with a person as first object: "give Seaneen a lift", "send Olive the file"
    rf"give|gave|send|show|showed|offer|lend|lent|bring|brought|pay|paid|owe|let|help|thank|"
    rf"ring|forward|brief|phone|whatsapp)\b)"
    rf"\s*[:,.;-]?\s*$", re.IGNORECASE)
_TITLE_OR_ROLE = _EndCue(rf"\b(?:{_TITLES}|{_ROLES})\.?\s*[:,]?\s*$", re.IGNORECASE)
_COMPANY_WORDS = (r"GmbH|AG|KG|SE|Ltd|Limited|Inc|LLC|LLP|plc|Corp|Co|SA|S\.A\.|SpA|S\.p\.A\.|Srl|"
                  r"BV|B\.V\.|NV|N\.V\.|AB|Oy|A/S|Group|Holding|Industries|Logistics|Solutions|"
                  r"Systems|"
                  # a place or an institution named after a person or a place: "Indira Gandhi
                  # Memorial", "Khasi Hills", "Vhembe District", "Kasese Pipes"
                  r"Memorial|Hospital|Clinic|Infirmary|Hospice|School|Academy|College|University|"
                  r"Institute|Foundation|Stadium|Airport|Market|Mall|Hotel|Church|Mosque|Temple|"
                  r"Cathedral|Library|Museum|Hills|District|Province|County|Region|Valley|"
                  r"Municipality|Township|Pipes|Motors|Foods|Farms|Mills|Traders|Stores|Pharmacy|"
                  r"Bank|Money|Pay|Mobile|Telecom|Leikai|Magu|Nagar|Village")
# the word for a street, quarter or plot before its name: "Jalan Lanang", "Quartier Ratoma",
# "Commune de Dixinn", "Erf 2210"
_PLACE_BEFORE = re.compile(r"(?:^|[\s,(])(?:Jalan|Jl\.|Lorong|Kampung|Kg\.|Desa|Kelurahan|Quartier|"
                           r"Commune(?: de)?|Cité|Rue|Avenue|Calle|Rua|Via|Ulitsa|ул\.|Stand|Erf|"
                           r"Plot|Village|Leikai)\s$")
_COMPANY = re.compile(rf"\s+(?:&\s*\w+\s+)?(?:{_COMPANY_WORDS})(?![\w/])")
_COMPANY_TOKEN = re.compile(rf"(?:{_COMPANY_WORDS})$")
_AFTER_VERBS = (
    r"reports?|reported|said|says|called|calls|put|puts|reset|resets|noticed|notices|found|"
    r"finds|asked|asks|wants|needs|is|was|has|had|will|would|can|could|did|does|should|"
    r"arrived|left|complained|complains|fell|slipped|returned|bought|paid|ordered|requested|"
    r"requests|confirmed|confirms|checked|checks|signed|took|takes|came|went|saw|sees|"
    r"hurt|cut|injured|felt|feels|stated|states|mentioned|noted|notes|logged|logs|"
    r"replaced|cleaned|fixed|refused|tried|tries|started|stopped|opened|closed|covers|"
    r"covered|works|worked|swapped|joined|leaves|starts|finishes|handles|handled|"
    r"agreed|approved|wrote|writes|sent|sends|emailed|phoned|rang|visited|arrives|"
    r"collected|picked|dropped|drove|drives|knows|thinks|thought|told|tells|"
    # "Nägele from the night shift": where a person works
    r"from\s+(?:the\s+)?(?:\w+\s+)?(?:shift|team|crew|department|dept|office|site|plant|"
    r"warehouse|lab|ward|agency|counter|desk|floor|store|stores|shop|returns|kitchen|canteen|"
    r"reception|accounts|purchasing|payroll|hr|dispatch|logistics|maintenance|quality|"
    r"security|cleaning|packing|loading|bakery|deli|checkouts?|tills?)\b(?!\s+(?:at|in|on)\b)")
# Where someone works or what post they hold right now: "Min from the bakery counter",
# "Quentin on tills", "Lenin on the floor", "Ahmed in purchasing"
_ROLE_AFTER = re.compile(
    r"^\s(?:from\s+(?:the\s+)?(?:\w+\s+)?(?:shift|team|crew|department|dept|office|site|"
    r"warehouse|lab|ward|agency|counter|desk|floor|stores?|shop|returns|kitchen|canteen|"
    r"reception|accounts|purchasing|payroll|hr|dispatch|logistics|maintenance|quality|"
    r"security|cleaning|packing|loading|bakery|deli|checkouts?|tills?|room|workshop|yard|"
    r"depot|dock|gatehouse)|"
    r"on\s+(?:the\s+)?(?:tills?|floor|door|desk|checkouts?|reception|nights|days|lates|"
    r"earlies|forklifts?|dock|gate|phones|shop floor|line\s*\d+)|"
    r"(?:in|at)\s+(?:purchasing|payroll|hr|dispatch|reception|accounts|maintenance|quality|"
    r"stores|returns|security|logistics|the warehouse|the office))\b",
    re.IGNORECASE)
_CUE_AFTER = re.compile(
    r"^\s*(?:\(|,\s*(?:badge|ext|phone|tel|mobile|mrn|dob|born|age|aged|employee|id|from|"
    r"our|the|who|a|an|\d)|['’]s\b|\s(?:\(?badge|ext|phone|tel|mrn|dob|born|aged?|"
    rf"{_AFTER_VERBS})\b)", re.IGNORECASE)
_VERB_AFTER = re.compile(rf"^\s(?:{_AFTER_VERBS})\b", re.IGNORECASE)
# Verbs that take a person as subject: evidence enough for a word at a clause start.
_HUMAN_AFTER = re.compile(
    r"^(?:(?:\s[-–])?\s(?:says|said|asks|asked|tells|told|thinks|thought|knows|knew|agrees|agreed|"
    r"complains|complained|phoned|rang|emailed|texted|mentioned|noticed|refused|promised|"
    r"apologi[sz]ed|explained|explains|forgot|remembered|wondered|joined|visited|slipped|"
    r"wants|wanted|signed(?!\s+by\b)|called(?=\s+(?:about|to|back|in|for)\b)|"
    # an injury happens to a person: "Dogbe caught a hand in the roller guard"
    r"(?:caught|cut|burnt|burned|hurt|injured|twisted|sprained|fractured|broke|bruised|"
    r"scalded|crushed|trapped|jammed)\s+(?:a|an|his|her|their|the)\s+(?:hand|finger|thumb|"
    r"arm|wrist|elbow|shoulder|foot|ankle|knee|leg|toe|back|neck|head|eye|sleeve|glove)s?|"
    r"fainted|collapsed|fell\s+(?:off|from|over|down|ill)|tripped)|"
    r",\s+(?:can|could|would|will|please)\s+you\b|"  # "Assia, can you cover ...?"
    # what belongs to a person: "Uma's team is on it"
    r"['’]s\s+(?:team|crew|shift|desk|locker|car|van|wife|husband|partner|son|daughter|"
    r"mother|father|manager|supervisor|colleague|badge|phone|e-?mail|birthday|leave|holiday|"
    r"rota|office|account|family|kids|children|personal|relocation|paperwork|payslip|salary|"
    r"contract|sick|medical|home|address|mobile|next of kin|emergency contact|pension|"
    r"appraisal|timesheet|overtime))\b",
    re.IGNORECASE)
# Names take no article: "the Mixer", "our Hope" are not people.
_DETERMINER = re.compile(
    r"\b(?:the|a|an|this|that|these|those|our|your|my|his|her|their|its|each|every|no|any|"
    r"some|new|old)\s+$", re.IGNORECASE)
_HEADING = re.compile(r"[^,.;!?\n]{0,30}:")  # the rest of a clause ends in a colon
_NUMBER_AFTER = re.compile(r"[ -]?\d")  # "Festo 40", "Kuka-3": a model, not a person
# "Stand 1279", "House No. 4", "Plot #12": a word before a number names a numbered thing
_NUMBERED = re.compile(r"\s?(?:No\.?\s?|Nr\.?\s?|#\s?)?\d")
# "M-Pesa", "C-crew", "SKUs", "MPa", "Abhol-PIN": a letter before a hyphen, an acronym's
# plural or a unit, a word ending in an acronym; never a name
_TECH_TOKEN = re.compile(r"[A-Z]-|[A-Z]{2,}[a-z]{1,2}$|.+-[A-Z]{2,}$|[A-Z][a-z]{4,}[A-Z]")
# "Hi team," "Hello all," "Good morning everyone,": what follows starts a sentence
_SALUTATION = re.compile(r"(?:^|[.!?\n]\s*)(?:hi|hello|hey|dear|morning|good (?:morning|afternoon|"
                         r"evening))\s+(?:team|all|everyone|guys|folks)\s*,$", re.IGNORECASE)
_AFTER_WINDOW = 40  # characters after a candidate that its cues are read from
_CLAUSE_OPENERS = frozenset('.!?:;\n•*>"“([–—')
# Between a name and the identifier that follows it: "Osha (B-12345)", "Anasa, badge 4411".
_BEFORE_ID = re.compile(
    r"\s*(?:\(|,|:|-|–)?\s*(?:(?:patient|employee|staff|personnel|national)?\s*"
    r"(?:badge|employee|staff|id|ext|tel|phone|mobile|mob|cell|mrn|"
    r"dob|born|e-?mail|mail)\b\.?\s*(?:no\.?|nr\.?|number|#)?\s*[:#]?\s*)?", re.IGNORECASE)
# Joins a name to the next in a list: "Anna, Hani and Imam", "Anna/Hani", "Anna & Hani".
_COORD = re.compile(r"\s*[,/&+]\s*|\s+(?:and|or|&)\s+|,\s*(?:and|or)\s+", re.IGNORECASE)
_STOP = frozenset(re.findall(r"\S+", """
the a an this that these those it its he she they we you i my our your his her their there here
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december today tomorrow yesterday tonight morning
line press station dock cell bay conveyor forklift shift batch lot unit motor pump valve robot oven
tank boiler compressor sensor camera zone area room ward bed floor aisle store register till
checkout warehouse plant site building gate door hall lab clinic hospital pharmacy er icu team
safety quality maintenance production shipping receiving security reception north south east
west hi hello dear thanks please request update note urgent customer patient operator driver
nurse doctor manager supervisor technician engineer cashier clerk ticket incident report alarm
fault error warning label printer scanner vision torque hydraulic pneumatic cart pallet bin
mr mrs ms miss mx dr prof herr frau sir madam ok okay yes no not call ask contact badge ext phone
dx rx hx tx fx records
tel mobile email mail card account order invoice refund return price sale sales model part
send check see notify inform remind ping text message meet invite thank welcome warn copy cc
tell give show let get make take bring keep use
serial firmware version device system server network admin user guest wifi password key token
finance management purchasing procurement logistics engineering planning dispatch accounts legal
hr payroll christmas easter from subject re fwd fw sent date bearer basic token
eid ramadan ramazan diwali deepavali hanukkah passover navruz nowruz sabantuy kwanzaa
thanksgiving lent cheers queries query wi-fi wifi телефоны телефон
jalan lorong kampung kelurahan desa quartier commune leikai magu nagar village
which what who whom whose where when why how whichever whatever whoever something anything
nothing everything someone anyone everyone nobody somebody anybody everybody none also maybe
perhaps however unfortunately apparently again still just only even both either neither each
every all any some many much more most few several other another such same own once twice
to born i'll i'm i've i'd branch service enjoy bus community villa street road avenue
mondays tuesdays wednesdays thursdays fridays saturdays sundays weekends nights days
der die das den dem des ein eine und oder für mit von bei kunde kundin kundenkarte konto
antrag personalnummer geburtsdatum mitarbeiter mitarbeiterin abteilung schicht frühschicht
spätschicht nachtschicht schichttausch rückfragen urlaub krankmeldung fehlzeitenmeldung
unfallmeldung fahrtkostenzuschuss adresse anschrift telefon handy nummer datum
company police regards ring courier teléfono
"""))


@dataclass(frozen=True)
class Lexicon:
    """The word lists the detector reads (see ``scripts/bench/build_name_lexicon.py``)."""

    first: frozenset[str]
    last: frozenset[str]
    ambiguous: frozenset[str]
    vocab: frozenset[str]
    place: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON) -> Lexicon:
    """Return the parsed lexicon (cached); raise OSError/TOMLDecodeError if unreadable."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return Lexicon(frozenset(data["first"]), frozenset(data["last"]),
                   frozenset(data["ambiguous"]), frozenset(data["vocab"]),
                   frozenset(data.get("place", ())))


Token = tuple[int, int, str]  # start, end, kind


@dataclass
class _Candidate:
    """One group of capitalised tokens and the verdict on it (``entity`` None: not a name)."""

    start: int
    end: int
    kinds: tuple[str, ...]
    isolated: bool  # the only capitalised word in its run ("for Hani arrived")
    clause_start: bool  # first word of a sentence or clause: capitals say nothing there
    entity: Entity | None


def _embedded(text: str, start: int, end: int) -> bool:
    # a piece of a longer token ("SG.Ah6J...XnQJs", "9sZ&IvadeK"), never a name
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) and text[end - 1] != "." else " "  # "H.M. Ito"
    if before == "<" or (before == "/" and text[start - 2:start - 1] == "<"):
        return True  # an XML tag: "<BirthDate>", "</Name>"
    return (before.isalnum() or before in "_=&#@+\\") or (after.isalnum() or after in "_=@#&\\")


def _window(text: str, start: int) -> str:
    """The 30 characters before ``start`` that its cue words are read from, not reaching
    back over a line break: "PERMIT HOLDER" on one line is no cue for "Full name:" on
    the next. A line that ends in a colon ("Patient:") still cues the next one."""
    window = text[max(0, start - 30):start]
    cut = window.rfind("\n")
    if cut != -1 and not window[:cut].rstrip().endswith(":"):
        return window[cut + 1:]
    return window


def _clause_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\u00a0")
    return (not before or before[-1] in _CLAUSE_OPENERS or before.endswith(" -")
            or bool(_SALUTATION.search(before)))


# weekday and month names and their abbreviations
_CALENDAR_WORD = re.compile(
    r"(?i)(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|"
    r"oct|nov|dec)\.?|(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|"
    r"june|july|august|september|october|november|december")
_DIGIT_NEXT = re.compile(r"[\s,.]*\d")
_DIGIT_BEFORE = re.compile(r"\d[\s,.]*$")


def _calendar(text: str, start: int, end: int) -> bool:
    """True for "Thu Jul", "Sep 12", "12 May", "Log Thu Jul 3": calendar words in a date or
    a timestamp (a weekday or month word beside another one or beside a number)."""
    words = [(m.group(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    cal = [bool(_CALENDAR_WORD.fullmatch(w)) for w, _ in words]
    if not any(cal):
        return False
    if sum(cal) > 1:
        return True
    i = cal.index(True)
    if _DIGIT_NEXT.match(text, start + words[i][1]) is not None:
        return True
    return len(words) == 1 and _DIGIT_BEFORE.search(text, max(0, start - 4), start) is not None


class NameDetector:
    """Find person names in text with the lexicon and cue words."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lex = lexicon or load_lexicon()

    def _kind(self, token: str) -> str:
        word = token.rstrip(".")
        lower = word.lower()
        if len(word) == 1:
            return "initial" if word.isupper() and token.endswith(".") else "stop"
        if lower in _STOP or lower in _ROLE_WORDS or lower in PHONE_WORDS:
            return "stop"
        if (_TECH_TOKEN.match(word) or (lower.endswith("nr") and len(lower) > 4)
                or _GERMAN_NOUN.match(lower)):
            # "SKUs", "M-Pesa", "WhatsApp"; "Personalnr", "Bestellnr": a German "number";
            # "Aufnahme", "Stromzähler": a German noun
            return "stop"
        if word.isupper():
            # an acronym (SKU, IBAN, HMI) unless it is a listed name in capitals (SCHMIDT)
            word = word.title()
            if len(word) < 4 or (word not in self.lex.first and word not in self.lex.last):
                return "stop"
        if word in self.lex.ambiguous:
            return "amb"
        if word in self.lex.first:
            return "first"
        if word in self.lex.last:
            return "last"
        if lower in _GREETINGS:
            return "stop"  # "Mauri", "Talofa"; but "Ola", "Mari" are listed first names
        if lower in _CALENDAR:
            return "stop"  # "Samstag", "Mart": a weekday or month, unless listed as a name
        if word in self.lex.place:
            return "place"
        if lower in self.lex.vocab or self._inflected(lower):
            return "vocab"
        return "unknown"

    def _named_thing(self, text: str, start: int, end: int,
                     tokens: Sequence[tuple[int, int]]) -> bool:
        """A company, institution, street or quarter: "Brandt GmbH", "Kasese Pipes", "Indira
        Gandhi Memorial", "Jalan Lanang", "Quartier Ratoma". A listed surname among the
        words stays a name ("John Mills", "Charlotte Church")."""
        return bool(_COMPANY.match(text, end) or _PLACE_BEFORE.search(_window(text, start))
                    or any(_COMPANY_TOKEN.match(text[a:b]) and text[a:b] not in self.lex.last
                           for a, b in tokens))

    def _inflected(self, lower: str) -> bool:
        # "Units", "Valves", "Batteries", "Jammed": an English word, only inflected
        for suffix, stem in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
                             ("ing", ""), ("ing", "e")):
            if lower.endswith(suffix) and len(lower) - len(suffix) >= 3 and (
                    lower[: len(lower) - len(suffix)] + stem in self.lex.vocab):
                return True
        return False

    def find(self, text: str, identifiers: Sequence[int] = ()) -> list[Entity]:
        """Return PERSON entities found in ``text``.

        ``identifiers`` are the start offsets of personal identifiers other recognizers
        found (badge numbers, phones, e-mails): a capitalised word right before one
        ("Osha (B-12345)") is a name.
        """
        candidates: list[_Candidate] = []
        run: list[Token] = []

        def flush() -> None:
            if run:
                candidates.extend(self._judge(text, run))
                run.clear()

        prev_end = -1
        for m in _TOKEN.finditer(text):
            token = m.group()
            start, end = m.start(), m.end()
            if token.endswith(".") and len(token) > 2:
                end -= 1  # sentence full stop, not part of the name
            is_cap = token[0].isupper() and not _embedded(text, start, end)
            gap = text[prev_end:start] if prev_end >= 0 else ""
            joined = gap in (" ", "\u00a0") or (gap == "" and prev_end == start)
            if run and not joined:
                flush()
            if is_cap:
                run.append((start, end, self._kind(text[start:end])))
            elif run and token.lower() in _PARTICLES and gap == " ":
                run.append((start, end, "particle"))
            else:
                flush()
            prev_end = end
        flush()
        if any(not c.entity for c in candidates) and (
                identifiers or any(c.entity for c in candidates)):
            self._propagate(text, candidates, frozenset(identifiers))
        found = [c.entity for c in candidates
                 if c.entity is not None and not _calendar(text, c.entity.start, c.entity.end)]
        more = self._surname_first(text, found) + self._introduced(text, found)
        more += self._capitals(text, found + more, identifiers)
        more += self._logins(text, found + more)
        # a name found inside "SURNAME, Given" gives way to the whole
        found = [e for e in found if not any(m.start <= e.start and e.end <= m.end for m in more)]
        return found + more

    def _introduced(self, text: str, found: list[Entity]) -> list[Entity]:
        """"hi its Alad, can't come in", "this is Karmel": a name its bearer gives; and the
        speakers of a chat ("Mikhol: bay 3 is asking ..."), when two lines or more start so."""
        out: list[Entity] = []
        spans = [m.span(1) for m in _SELF_NAMED.finditer(text)]
        speakers = [m.span(1) for m in _SPEAKER.finditer(text)]
        if len(speakers) >= 2:
            spans += speakers
        for start, end in spans:
            word = text[start:end]
            if any(e.start < end and start < e.end for e in found + out):
                continue
            kinds = {self._kind(t) for t in word.split()}
            if kinds & {"stop", "vocab", "place"}:
                continue  # "Agent:", "Customer:", "Note:": a role or a word, not a name
            out.append(Entity(DataClass.PERSON, start, end, word, 0.7, "names"))
        return out

    def _surname_first(self, text: str, found: list[Entity]) -> list[Entity]:
        """"WIJESINHA Lulitha", "MENDIS, Sachini A.": the surname in capitals before the given
        name, as forms, rosters and hospital systems write it. The capitals (four letters or
        more) must not be an English word, a stop word or a role; the given name must be a
        name or an unknown word."""
        out = []
        for m in _SURNAME_FIRST.finditer(text):
            surname, given = m.group(1), m.group(2)
            if not surname.isupper() or not all(p[0].isupper() and p[1:].islower()
                                                for p in given.split("-")):
                continue
            if any(e.start < m.end() and m.start() < e.end
                   and not (m.start() <= e.start and e.end <= m.end()) for e in found):
                continue
            lower = surname.lower()
            if lower in self.lex.vocab or lower in _STOP or lower in _ROLE_WORDS:
                continue
            if self._kind(given) not in ("first", "last", "unknown", "amb", "place"):
                continue
            out.append(Entity(DataClass.PERSON, m.start(), m.end(), m.group(), 0.7, "names"))
        return out

    def _capitals(self, text: str, found: list[Entity],
                  identifiers: Sequence[int]) -> list[Entity]:
        """"Checkout flagged BRYNHILD DALSGAARD (E-304583)": a name written all in capitals,
        two or three words that are no English word, term, place or acronym, with a name
        of the lexicon among them or a cue word or identifier beside them. A text mostly
        in capitals (a shouted alarm) is left alone."""
        out: list[Entity] = []
        shouted: bool | None = None
        for m in _CAPITALS.finditer(text):
            if shouted is None:
                letters = [c for c in text if c.isalpha()]
                shouted = sum(c.isupper() for c in letters) > 0.6 * len(letters)
            if shouted:
                return out
            start, end = m.span()
            words = m.group().split(" ")
            if not m.group().isupper() or sum(len(w) for w in words) < 7:
                continue
            if any(e.start < end and start < e.end
                   and not (start <= e.start and e.end <= end) for e in found):
                continue
            listed = False
            places = 0
            for i, word in enumerate(words):
                title = word.title()
                lower = word.lower()
                if (len(word) < 2 or not _VOWELS.intersection(word) or lower in _STOP
                        or lower in _ROLE_WORDS or lower in _CALENDAR):
                    break
                if lower in self.lex.vocab and (i > 0 or words[-1].lower() in self.lex.vocab):
                    break  # "PUMP FAILURE", "ACME PUMP"; but "BRYNHILD DALSGAARD"
                named = title in self.lex.first or title in self.lex.last
                places += title in self.lex.place and not named
                listed = listed or named
            else:
                if places == len(words) or m.group().title() in self.lex.place:
                    continue  # "NEW YORK", "KASESE MBARARA"; but "SALAVAT YULAEV"
                after = text[end:end + _AFTER_WINDOW]
                # "Absence: ISHIMWE HABYARIMANA on a medical exemption": the subject of a
                # note, after its heading and before the sentence goes on in small letters
                subject = (text[max(0, start - 2):start].rstrip().endswith((":", ";"))
                           and _LOWER_AFTER.match(after) is not None)
                if not (listed or subject
                        or _CUE_BEFORE_STRONG.search(_window(text, start))
                        or _CUE_AFTER.match(after) or _HUMAN_AFTER.match(after)
                        or any(end <= i <= end + 3 for i in identifiers)):
                    continue
                out.append(Entity(DataClass.PERSON, start, end, m.group(), 0.7, "names"))
        return out

    def _logins(self, text: str, found: list[Entity]) -> list[Entity]:
        """"loyalty account belongs to ugqirana": a login name made of an initial and a
        surname of the lexicon that is no English word."""
        out = []
        for m in _LOGIN.finditer(text):
            word = m.group()
            rest = word[1:]
            if (rest.title() not in self.lex.last or rest in self.lex.vocab
                    or rest.title() in self.lex.ambiguous or word in self.lex.vocab
                    or word.title() in self.lex.last or word.title() in self.lex.ambiguous
                    or word in _STOP or len(rest) < 4):
                continue
            if any(e.start < m.end() and m.start() < e.end for e in found):
                continue
            if _DETERMINER.search(text, max(0, m.start() - 12), m.start()):
                continue  # "31 years on the looms": a word after an article is no login
            out.append(Entity(DataClass.PERSON, m.start(), m.end(), word, 0.6, "names"))
        return out

    def _judge(self, text: str, run: list[Token]) -> list[_Candidate]:
        words = self._word_run(text, run)
        if words is not None:
            return [words]
        # split at ordinary words; keep a vocabulary word right after a first name
        groups: list[list[Token]] = [[]]
        for i, (t_start, t_end, t_kind) in enumerate(run):
            kind = t_kind
            before_tok = _window(text, t_start)
            surname_next = i + 1 < len(run) and (run[i + 1][2] in ("unknown", "last") or (
                kind == "place" and run[i + 1][2] == "initial"))  # "Leshan K."
            given_before = i > 0 and run[i - 1][2] in ("first", "unknown", "initial")
            term_follows = any(k == "stop" for _, _, k in run[i + 1:])  # "Night Shift"
            if kind in ("vocab", "amb", "place") and (
                    _TITLE_OR_ROLE.search(before_tok)
                    or (_CUE_AGENT.search(before_tok) and not term_follows)):
                # "Cashier Musa", "Dr House", "received by Lucca": a title, role or
                # person cue names the next word
                kind = "cued"
            elif kind in ("vocab", "place") and surname_next:
                kind = "cued"  # "Violet Kolehmainen", "Reda Kannan": a first name before a surname
            elif kind == "place" and given_before:
                kind = "last"  # "Maman Seč", "Anna Vig", "L. Kabwe": a town's name as a surname
            elif kind == "stop" and text[t_start:t_end].rstrip(".") in self.lex.first and (
                    surname_next or _TITLE_OR_ROLE.search(before_tok)):
                # "May Jones", "Cashier Till": a listed first name, not the word
                kind = "first" if surname_next else "cued"
            tok = (t_start, t_end, kind)
            prev = groups[-1][-1][2] if groups[-1] else ""
            if kind == "stop":
                groups.append([])
            elif kind == "place" or (
                    kind == "vocab" and prev not in ("first", "initial", "unknown", "cued")):
                groups += [[tok], []]  # a word on its own: a name only with evidence
            else:
                groups[-1].append(tok)
        out: list[_Candidate] = []
        for group in self._merge_named_words(text, groups):
            while group and group[-1][2] == "particle":
                group.pop()
            while group and group[0][2] == "particle":
                group.pop(0)
            if group:
                start, end = group[0][0], group[-1][1]
                clause = _clause_start(text, start)
                isolated = self._isolated(text, run, start, end)
                out.append(_Candidate(start, end, tuple(k for _, _, k in group), isolated,
                                      clause, self._score(text, group, isolated, clause)))
        return out

    def _word_run(self, text: str, run: list[Token]) -> _Candidate | None:
        # Two or three capitalised words mid-sentence, none of them an ordinary
        # capitalised term, in a name position: "for Goma Som at", "by Aryan Made".
        # "the Hydraulic Pump" (an article), "Quality Control" (a term), "New York" (a
        # place) and any run at the start of a sentence are left to the rules below.
        while run and run[-1][2] == "particle":
            run = run[:-1]
        while (len(run) > 2 and run[0][2] == "stop"
               and _CUE_BEFORE_STRONG.search(_window(text, run[1][0]))):
            run = run[1:]  # "Welcome Reuben Fulton": the cue word itself is capitalised
        kinds = [k for _, _, k in run if k != "particle"]
        if not 2 <= len(kinds) <= 3 or not all(
                k in ("vocab", "amb", "place", "unknown") for k in kinds):
            return None
        start, end = run[0][0], run[-1][1]
        before = _window(text, start)
        if (_clause_start(text, start) or _DETERMINER.search(before)
                or text[start:end] in self.lex.place or all(k == "place" for k in kinds)
                or _COMPANY.match(text, end) or _PLACE_BEFORE.search(before)
                or any(_COMPANY_TOKEN.match(text[a:b]) for a, b, _ in run)):
            return None
        if not (_CUE_BEFORE_STRONG.search(before) or _CUE_AFTER.match(text[end:end + _AFTER_WINDOW])):
            return None
        entity = Entity(DataClass.PERSON, start, end, text[start:end], 0.5, "names")
        return _Candidate(start, end, tuple(kinds), False, False, entity)

    @staticmethod
    def _merge_named_words(text: str, groups: list[list[Token]]) -> list[list[Token]]:
        # After a cue that names a person ("raised by", "Dr", "thanks"), neighbouring
        # words stay one name: "raised by Aryan Made", not "Aryan" and "Made" apart.
        out: list[list[Token]] = []
        joinable = False
        for group in (g for g in groups if g):
            words = all(k in ("vocab", "amb", "unknown", "cued", "particle") for _, _, k in group)
            if (joinable and words and out
                    and text[out[-1][-1][1]:group[0][0]] in (" ", "\u00a0")):
                out[-1] = out[-1] + group
                continue
            joinable = words and bool(_CUE_AGENT.search(_window(text, group[0][0])))
            out.append(list(group))
        return out

    @staticmethod
    def _isolated(text: str, run: list[Token], start: int, end: int) -> bool:
        # the only capitalised word of its run, but for cue words before it ("Ask Anu")
        before = [k for s, _, k in run if s < start and k != "particle"]
        if any(s >= end and k != "particle" for s, _, k in run):
            return False
        return not before or (all(k == "stop" for k in before) and bool(
            _CUE_BEFORE_STRONG.search(_window(text, start))))

    def _score(self, text: str, group: list[Token], isolated: bool,
               clause_start: bool) -> Entity | None:
        start, end = group[0][0], group[-1][1]
        if self._named_thing(text, start, end, [(a, b) for a, b, _ in group]):
            return None  # "Brandt GmbH", "Novak & Sons Ltd", "Jalan Lanang"
        if len(group) > 1 and text[start:end] in self.lex.place:
            return None  # "New York", "Costa Rica"
        kinds = [k for _, _, k in group if k != "particle"]
        before = _window(text, start)
        after = text[end:end + _AFTER_WINDOW]
        cue_before = bool(_CUE_BEFORE_STRONG.search(before))
        role_after = bool(_ROLE_AFTER.match(after))
        cue_after = bool(_CUE_AFTER.match(after) or _HUMAN_AFTER.match(after)) or role_after
        named = sum(k in ("first", "last") for k in kinds)
        if len(kinds) >= 2:
            if kinds.count("initial") == len(kinds):
                return None
            if named or "unknown" in kinds or cue_before or cue_after:
                score = 0.95 if named else 0.7
            else:
                return None
        else:
            kind = kinds[0]
            article = kind in ("vocab", "unknown") and bool(_DETERMINER.search(before))
            if kind == "first":
                score = 0.8
            elif kind in ("last", "unknown") and (cue_before or cue_after) and not article:
                score = 0.7 if kind == "last" else 0.6
            elif (kind == "unknown" and isolated and not clause_start and not article
                  and not _NUMBER_AFTER.match(text, end) and not _GERMAN.search(text)):
                # capitalised mid-sentence and no English word: a proper noun, and in
                # these texts most often a person ("..., Debora on the floor")
                score = 0.5
            elif kind == "cued":
                score = 0.5
            elif (kind == "unknown" and _VOCATIVE.match(after)
                  and text[max(0, start - 1):start] in ("", "\n") and _SECOND_PERSON.search(text)):
                score = 0.5  # "Ermias, payroll password is now ...": a message to a person
            elif kind == "amb" and (cue_before or cue_after):
                score = 0.5  # "agreed by Potter", "Snow says": a listed name that is also a word
            elif kind == "vocab" and isolated and not article and not _NUMBERED.match(text, end) and (
                    (not clause_start and (cue_before or cue_after))
                    or _HUMAN_AFTER.match(after)
                    or (role_after and text[start:end] in self.lex.first)):
                # A word capitalised mid-sentence is a proper noun; in a name position
                # ("parts for Hani arrived") or as the subject of a person's verb
                # ("Imam says") it is taken for a name. Places were sorted out above.
                score = 0.45
            else:
                return None
        return Entity(DataClass.PERSON, start, end, text[start:end], score, "names")

    def _propagate(self, text: str, candidates: list[_Candidate],
                   identifiers: frozenset[int]) -> None:
        """Extend the verdicts within one text, until nothing changes.

        * identified: a word right before a personal identifier is a name;
        * consistency: a string once judged a name is a name wherever it recurs
          ("Anna Kowalski ... Kowalski said");
        * lists: a capitalised word joined to a name by ``,``/``and``/``or``/``&`` is one;
        * parallel clauses: in a sentence whose clause subject is a name ("Ana does the
          count"), the other clause subjects before a verb are names ("Imam covers").
        """
        # companies, institutions, streets: never names, whatever the rules below say
        things = {id(c) for c in candidates if c.entity is None
                  and self._named_thing(text, c.start, c.end, [(c.start, c.end)])}
        changed = True
        while changed:
            changed = False
            names = [c for c in candidates if c.entity is not None]
            strings = {text[c.start:c.end] for c in names}
            parts = {w for c in names for w in text[c.start:c.end].split()
                     if len(w) > 2 and w[0].isupper()}
            subject_sentences = {self._sentence(text, c.start) for c in names
                                 if self._subject(text, c)}
            slots = Counter(self._sentence(text, c.start) for c in names if self._slot(text, c))
            subject_sentences |= {n for n, count in slots.items() if count >= 2}
            for cand in candidates:
                if cand.entity is not None or any(k in ("stop", "initial") for k in cand.kinds):
                    continue
                value = text[cand.start:cand.end]
                single = len(cand.kinds) == 1
                word_at_start = cand.clause_start and cand.kinds[0] in ("vocab", "amb")
                reason = ""
                follow = _BEFORE_ID.match(text, cand.end)
                # "Record: KNHC667043", "Queries: 0152 3578101": a label, not a name
                label = cand.clause_start and single and text.startswith(":", cand.end)
                if not label and follow is not None and follow.end() in identifiers:
                    reason = "identified"
                    identifiers = identifiers | {cand.start}  # and the word before it
                elif not label and text.startswith(" ", cand.end) and cand.end + 1 in identifiers:
                    reason = "identified"  # the rest of a run before an identifier
                if (reason == "" and "place" in cand.kinds) or id(cand) in things:
                    continue  # a town is a person only right before an identifier
                if not reason and (value in strings or (single and value in parts)) and (
                        not word_at_start or _CUE_AFTER.match(text[cand.end:cand.end + _AFTER_WINDOW])):
                    reason = "consistent"
                if not reason and single and not _NUMBERED.match(text, cand.end) and any(
                        self._listed_with(text, cand, a, word_at_start) for a in names):
                    reason = "list"
                if (not reason and single and self._slot(text, cand)
                        and (self._subject(text, cand) or slots[self._sentence(text, cand.start)] >= 2)
                        and self._sentence(text, cand.start) in subject_sentences):
                    reason = "parallel"
                if reason:
                    cand.entity = Entity(DataClass.PERSON, cand.start, cand.end, value, 0.45,
                                         f"names:{reason}")
                    changed = True

    @staticmethod
    def _listed_with(text: str, cand: _Candidate, name: _Candidate, word_at_start: bool) -> bool:
        # "Anna, Hani and Imam": joined to a name; but an ordinary word opening a clause
        # before a comma is a heading ("Triage, Dr Ali"), not a list item ("Cristal and ...")
        joint = (text[name.end:cand.start] if name.end <= cand.start
                 else text[cand.end:name.start])
        if word_at_start and cand.end <= name.start and joint.strip() == ",":
            return False
        return _COORD.fullmatch(joint) is not None

    @staticmethod
    def _slot(text: str, cand: _Candidate) -> bool:
        # one capitalised word opening a clause or after a comma, not a heading ("Rota change:")
        return len(cand.kinds) == 1 and (
            cand.clause_start or text[:cand.start].rstrip().endswith(",")) and not (
            _HEADING.match(text, cand.end))

    @classmethod
    def _subject(cls, text: str, cand: _Candidate) -> bool:
        # a slot right before a verb: the subject of its clause
        return cls._slot(text, cand) and bool(_VERB_AFTER.match(text[cand.end:cand.end + _AFTER_WINDOW]))

    @staticmethod
    def _sentence(text: str, pos: int) -> int:
        return sum(text.count(ch, 0, pos) for ch in ".!?\n")
