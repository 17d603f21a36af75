"""Pattern recognizers: regular expressions, check digits and context words.

Each :class:`Rule` finds one data class. A rule may require a validator (Luhn, mod 97,
national check digits) and/or context words near the match; a negative context (``PN``,
``serial``, ``firmware``) vetoes matches that are part numbers, serials or versions.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from appliance.privacy import checksums as ck
from appliance.privacy.cards import CARD_RUN, card_run_ok
from appliance.privacy.codes import CODE, about_care, code_ok
from appliance.privacy.dates import COMPACT_OR_SOLAR, DATE, compact_or_solar_date_ok, date_ok
from appliance.privacy.entities import DataClass, Entity
from appliance.privacy.id_numbers import DOTTED_QUAD, KINDS
from appliance.privacy.prefilter import NeedleIndex, fold, needles, trie_pattern

Validator = Callable[[str], bool]


@dataclass(frozen=True)
class Rule:
    """One recognizer: a regex, the group that is the value, and optional checks."""

    name: str
    type: DataClass
    regex: re.Pattern[str]
    group: int = 0
    validate: Validator | None = None
    context: re.Pattern[str] | None = None
    window: int = 40
    veto: re.Pattern[str] | None = None
    score: float = 0.9
    veto_around: Callable[[str, int, int], bool] | None = None  # (text, start, end)
    trigger: re.Pattern[str] | None = None  # absent from the text: the rule cannot match
    needles: Needles | None = field(default=None, compare=False)  # derived from the regex

    def __post_init__(self) -> None:
        if self.trigger is None and self.context is not None:
            object.__setattr__(self, "trigger", _unanchored(self.context))
        if self.needles is None:
            words = _selective(needles(self.regex)) or (
                _selective(needles(self.trigger)) if self.trigger is not None else None)
            object.__setattr__(self, "needles", Needles(words) if words else None)

    def find(self, text: str, scan: Scan | None = None) -> Iterable[Entity]:
        """Yield the rule's entities in ``text``.

        ``scan`` (one per text, shared by the rules run over it) keeps the folded text
        and the answers of the context, veto and trigger searches, which many rules share.
        """
        if scan is None:
            scan = Scan(text)
        if self.needles is not None and not scan.holds(self.needles):
            return  # none of the words every match contains is in the text
        if self.trigger is not None and not scan.seen(self.trigger, 0, len(text)):
            return  # the context words appear nowhere, so no window can hold them
        for m in self.regex.finditer(text):
            start, end = m.span(self.group)
            if start < 0:
                continue
            value = text[start:end]
            # cheap checks first: the validators (check digits, numbering plans) cost more
            if self.context is not None and not scan.seen(
                    self.context, max(0, start - self.window), start):
                continue
            if self.veto is not None and scan.seen(self.veto, max(0, start - 20), start):
                continue
            if self.validate is not None and not self.validate(value):
                continue
            if self.veto_around is not None and self.veto_around(text, start, end):
                continue
            yield Entity(self.type, start, end, value, self.score, self.name)


class Needles:
    """Strings one of which every match of a rule contains, searched in the folded text:
    a few with ``in``, more as one regular expression shaped as a trie, so that ``re``
    follows one branch per letter instead of trying every word at every position."""

    __slots__ = ("_regex", "set", "words")

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        self.set = frozenset(words)
        self._regex = re.compile(trie_pattern(words)) if len(words) > 3 else None

    def found_in(self, folded: str) -> bool:
        if self._regex is not None:
            return self._regex.search(folded) is not None
        return any(w in folded for w in self.words)


class Scan:
    """What the rules run over one text share: its folded form and search answers."""

    __slots__ = ("_answers", "_folded", "_held", "_index", "_present", "text")

    def __init__(self, text: str, index: NeedleIndex | None = None) -> None:
        self.text = text
        self._folded: str | None = None
        self._answers: dict[tuple[int, int, int], bool] = {}
        self._held: dict[int, bool] = {}
        self._index = index  # every rule's needles: found in one pass, then looked up
        self._present: frozenset[str] | None = None

    def seen(self, pattern: re.Pattern[str], start: int, end: int) -> bool:
        """Whether ``pattern`` occurs in ``text[start:end]`` (asked once per window)."""
        key = (id(pattern), start, end)
        hit = self._answers.get(key)
        if hit is None:
            hit = self._answers[key] = pattern.search(self.text[start:end]) is not None
        return hit

    def holds(self, needles: Needles) -> bool:
        """Whether the folded text holds any of ``needles``."""
        if self._index is not None and needles.set <= self._index.words:
            if self._present is None:
                self._present = self._index.present(self.folded())
            return not self._present.isdisjoint(needles.set)
        hit = self._held.get(id(needles))
        if hit is None:
            hit = self._held[id(needles)] = needles.found_in(self.folded())
        return hit

    def folded(self) -> str:
        """The case-folded text the needles are compared with."""
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded


def _selective(words: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Needles worth checking: a single common character (a space, a dot) rules out
    almost no text, so a set holding one is not used."""
    if words is None or (min(map(len, words)) < 2 and words != ("@",)):
        return None
    return words


def _c(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _unanchored(context: re.Pattern[str]) -> re.Pattern[str] | None:
    """The context pattern without its end anchor: it finds the cue anywhere in the text.
    (A context read right before a match ends with ``$``.)"""
    pattern = context.pattern
    if pattern.endswith("\\$"):
        return None
    if not pattern.endswith("$"):
        return context  # a cue searched anywhere in the window is searched in the text
    return re.compile(pattern[:-1], context.flags)


_I = re.IGNORECASE
PART_VETO = _c(r"(?i)(?:\b(?:p/?n|part|sku|serial|s/?n|lot|batch|order|ref|item|model|rev|"
                r"fw|firmware|version|ver|build|ticket|wo|po|invoice|asset)\b[\s#:.no]*|#)$")
_VERSION_VETO = _c(r"(?i)(?:\bv|\b(?:version|firmware|fw|build|release|rev|sw|software|"
                   r"patch|(?:update|upgrade|updated|upgraded|downgrade|rolled back)\s+to)\s*)$")
# "before the 6.3.32.88 rollout": a dotted quad named as a release is a version
_RELEASE_BEFORE = _c(r"(?i)\b(?:the|a|new|latest|next|this|last)\s+$")
_RELEASE_AFTER = _c(r"(?i)\s+(?:rollout|release|update|upgrade|build|hotfix|version)\b")


def _release_named(text: str, start: int, end: int) -> bool:
    return bool(_RELEASE_BEFORE.search(text, max(0, start - 10), start)
                and _RELEASE_AFTER.match(text, end))

_ID_CTX = _c(r"(?i)\b(?:pesel|ssn|social security|national\s+(?:id|insurance|number)|id\s*(?:no|nr|"
             r"number|card)?|identity|steuer[- ]?id|steuer-?identifikationsnummer|idnr|tax\s*(?:id|"
             r"number|no)|tin|bsn|burgerservicenummer|nir|s[ée]cu(?:rit[ée] sociale)?|"
             r"personnummer|insurance number|ni|nin|nino|cpr(?:-?nr)?|hetu|henkilötunnus|ahv|avs|"
             r"rijksregisternummer|"
             r"num[ée]ro national|national number|nif|nipc|contribuinte|ppsn?|pps number|"
             r"f[øo]dselsnummer|rodn[ée] [čc][íi]slo|svnr|sozialversicherungs(?:nummer)?|"
             r"versicherungsnummer|social insurance|personal (?:id|number|code)|passport)\b")
ID_CONTEXT = _ID_CTX
# a checked number with no ID word: not a part, serial or order number, nor a phone number
_ID_VETO = _c(r"(?i)(?:\b(?:p/?n|part|sku|serial|s/?n|lot|batch|order|ref|item|model|rev|fw|"
              r"firmware|version|ver|build|ticket|wo|po|invoice|asset|imei|ean|gtin|upc|"
              r"tel|phone|mob(?:ile)?|cell|fax|call|ring|text|whatsapp|sms|on|at|telefon[oa]?|"
              r"tel[ée]fono|telephone|answering|tlf|gsm|"
              r"tracking|awb|rma|case|job|run|code|printer|scanner|device|unit|machine|terminal|"
              r"plc|sensor|meter|gateway|reader|label|labels|camera|robot|drive|controller|"
              r"module|tag|pallet|box|carton|bin|batch|lot|fridge|freezer|pump|motor|valve|"
              r"compressor|boiler|fan|conveyor|press|oven|tank|trailer|truck|van|vehicle|"
              r"container|shipment|parcel|consignment)\b[\s#:.no]*|[#+]\s*|"
              r"(?:تلفن|موبایل|همراه|هاتف|جوال)\s*[:：]?\s*)$")
ID_VETO = _ID_VETO
_DOB_CTX = _c(r"(?i)(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate of birth|\bbirth\s?(?:date|day)|\bborn\b(?:\s+on)?|"
              r"\bgeb(?:oren|urtsdatum)?\b\.?(?:\s+am)?|\bn[ée]e?\s+le|\bbirthday\b|\bage\s+\d+,|"
              r"\bdate de naissance|\bfecha de nacimiento|\bdata di nascita|\bdata de nascimento|"
              r"\bgeboortedatum|\bnacid[oa](?:/[oa])?\b(?:\s+el)?|\bnat[oa](?:/[oa])?\b(?:\s+il)?|"
              r"\bn[ée](?:\(e\)|e)?\s+le|"
              r"\bfødt\b|\bfödd\b|\bsyntynyt\b|\bur\.|\bb\.|"
              # birth words of more languages: Papiamento, Romanian, Luganda, Tatar, Bashkir,
              # Malay/Indonesian, Hungarian, Ukrainian, Russian, Korean, Vietnamese, Turkish,
              # Polish, Czech, Finnish, Croatian/Serbian/Bosnian
              r"\bfecha di nasementu|\bn[ăa]scut[ăa]?\b(?:\s+(?:la|pe|[îi]n))?|"
              # (every branch opens with \b: a branch without one makes the search of the
              # whole text several times slower)
              r"\bennaku\s+z['’]okuzaalibwa|\bтуган\s+көне|\bтыуған\s+көнө|\b(?:tarikh\s+|tanggal\s+)?lahir\b|"
              r"\bszül(?:\.|etett\b|etési\s+(?:idő|dátum))|\bдата\s+(?:народження|рождения)|"
              r"\b생년월일|\bngày\s+sinh|\bdoğum\s+tarihi|\bdata\s+urodzenia|\bdatum\s+narozen[íi]|"
              r"\bsyntymäaika|\bro[đd]en[ai]?\b)"
              # and the end of a field or an XML element: "<BirthDate>", "dob="
              r"[\s:,>=\"'-]*(?:(?:on|to|as|is|was|of)\s+)?$")
_SECRET_CTX = _c(r"(?i)(?<![^\W_])(?:key|secret|token|credentials?|password|passwd|auth|bearer|"
                 r"apikey|sig|signature|webhook|dsn)(?![^\W_])")
# Field names that hold a credential: "aws_secret_access_key", "MQTT_PASSWORD", "AccountKey"
_CREDENTIAL_FIELD = (
    r"(?:(?<![^\W\d_])|(?<=(?-i:[a-z]))(?=(?-i:[A-Z])))"
    r"(?:pass(?:word|wd|phrase|code)?|pwd|secret|token|api[_-]?key|access[_-]?key|"
    r"account[_-]?key|private[_-]?key(?:[_-]?id)?|client[_-]?secret|auth[_-]?token|"
    r"shared[_-]?access[_-]?(?:key|signature)|sig|signature|credentials?)"
    r"(?![^\W\d_])(?:[_.-][\w.-]*)?")
# Known token prefixes of cloud and developer services.
_SERVICE_PREFIXES = (
    r"npm_[A-Za-z0-9]{30,}|hf_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_-]{40,}|dckr_pat_[A-Za-z0-9_-]{20,}|"
    r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}|whsec_[A-Za-z0-9+/=]{24,}|xapp-\d-[A-Za-z0-9-]{20,}|"
    r"xox[abposre]-[A-Za-z0-9-]{10,}|ya29\.[A-Za-z0-9_-]{20,}|ATATT[A-Za-z0-9_=-]{20,}|"
    r"do[opr]_v1_[a-f0-9]{64}|dapi[a-f0-9]{32}|sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}|"
    r"SK[0-9a-f]{32}|key-[0-9a-f]{32}|gl(?:pat|dt|ptt|rt|soat|cbt)-[A-Za-z0-9_-]{20,}|"
    r"glsa_[A-Za-z0-9_]{32,}|sntry[su]_[A-Za-z0-9_=+/-]{30,}|lin_api_[A-Za-z0-9]{30,}|"
    r"secret_[A-Za-z0-9]{40,}|figd_[A-Za-z0-9_-]{30,}|AGPA[A-Z0-9]{16}|AIDA[A-Z0-9]{16}|"
    r"AROA[A-Z0-9]{16}|ANPA[A-Z0-9]{16}|\d{8,10}:AA[A-Za-z0-9_-]{32,}|[0-9a-f]{32}-us\d{1,2}|"
    r"hv[sbr]\.[A-Za-z0-9_-]{20,}|AGE-SECRET-KEY-1[0-9A-Z]{50,}|AC[0-9a-f]{32}")

_STREET_EN = (r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|"
              r"Place|Pl|Terrace|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Square|Sq|Soi)\b\.?(?:\s(?:N|S|E|W|NE|NW|SE|SW)\b)?")
_CAP = r"[A-ZÀ-ÖØ-ÞŁŚŻŹĆ][\w'’.-]*"
_CITYW = r"[A-ZÀ-ÖØ-ÞŁŚŻŹĆ][a-zà-öø-ÿąćęłńóśźż'’-]+(?:\.[a-zà-öø-ÿ]+)*"  # no full stop at the end
_CITY = rf"{_CITYW}(?:[ -]{_CITYW})?"
_US_TAIL = (rf"(?:\s+\d{{1,4}}\b)?(?:,?\s+(?:Apt|Suite|Unit|Fl)\.?\s*#?\w+)?(?:,\s*{_CITY}){{0,3}}"
            r"(?:,?\s+(?:[A-Z]{2}\s+\d{5}(?:-\d{4})?|[A-Z]{2}\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{4,6}))?")
_UK_PC = r"(?:,?\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})?"
# ", 70173 Stuttgart", ", 00-950 Warszawa", ", 1234 AB Utrecht", ", 8001 Zürich", ", 1100-048 Lisboa"
_EU_TAIL = (rf"(?:,\s*(?:[A-Z]{{1,2}}-)?(?:\d{{4}}-\d{{3}}|\d{{2}}-\d{{3}}|\d{{4}}\s?[A-Z]{{2}}|\d{{4,5}})"
            rf"\s+{_CITY})?")
# the EU tail, or city components and a state / Canadian / numeric postcode
_ANY_TAIL = (rf"(?:{_EU_TAIL[:-1]}|(?:,\s*{_CITY}){{1,3}}"
             r"(?:,?\s+(?:[A-Z]{2}\s+\d{5}|[A-Z]{2}\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{4,6}))?)?")
_NOT_A_STREET = (r"(?!(?:Press|Line|Station|Cell|Bay|Dock|Zone|Hall|Gate|Unit|Lot|Batch|Room|Ward|Bed|"
                 r"Aisle|Till|Shift|Lane|Robot|Oven|Tank|Pump|Motor|Conveyor)\b)")

def _ipv6_ok(value: str) -> bool:
    if value.count(":") < 2 or (not any(c.isalpha() for c in value) and "::" not in value):
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def _long_card_ok(value: str) -> bool:
    number = ck.digits(value)
    if len(number) == 15 and ck.nir_ok(number):
        return False  # 15-digit cards start 3 (Amex); a valid NIR starts 1 or 2
    return len(number) >= 15 and ck.card_ok(number)


def _ean13_ok(value: str) -> bool:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(value[:12]))
    return (10 - total % 10) % 10 == int(value[12])


# the names of identity documents and numbers, in the languages of the sites served (the
# national-ID kinds' own names, where they are no common word or short code)
_ID_DOCUMENTS = "|".join(sorted(
    {re.escape(w) for k in KINDS for w in k.words
     if len(w) >= 4 and not w.startswith(("nhs", "pan", "run"))}
    | {"id-kort", "henkilökortti", "cnic", "nida", "omang", "ghana\\s+card", "ktp", "pinfl",
       "jmbg", "id\\s+number", "national\\s+registration", "voter\\s+id", "driving\\s+licen[cs]e"},
    key=len, reverse=True))
# what follows an identity document's word: "number", "is", a colon, then the number in
# any country's grouping, with a letter prefix or a check letter
_ID_AFTER_WORD = (
    r"(?:\s+(?:number|no\.?|nr\.?|#))?\s*(?:is\s+|was\s+)?[:#=]?\s*"
    r"((?-i:[A-ZА-ЯЁ]{1,3}[-\s.]?)?\d[\d .\-/]{4,18}\d(?:(?-i:[-\s.]?[A-Z]{1,2}))?)(?![\w-])")


def _six_digits(value: str) -> bool:
    return sum(c.isdigit() for c in value) >= 6


_CARD_WORD = _c(r"(?i)\b(?:card|visa|mastercard|amex|diners|credit|debit|cc)\b")


def _not_card_here(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if len(value) == 13 and value.isdigit() and (_ean13_ok(value) or (
            ck.za_id_ok(value) and not _CARD_WORD.search(text, max(0, start - 30), start))):
        # a bare EAN-13 barcode, or a South African identity number (Luhn-checked too):
        # 13-digit Visa numbers are long retired
        return True
    return not card_run_ok(text, start, end)


def _looks_like_password(value: str) -> bool:
    value = value.rstrip(".?")
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))
    return len(value) >= 6 and classes >= 2


_VERSION_LIKE = _c(r"(?i)v?\d+(?:\.\d+)+(?:[-+][\w.]+)?")
_EMAIL_LIKE = _c(r"\w@[\w-]+\.\w")


def _typed_code_ok(value: str) -> bool:
    # "KX37pDrXkH", "asdf4285", "correct-monsoon-cloud-27": has lower case and a digit or
    # symbol, is no version, no e-mail, no URL
    if _VERSION_LIKE.fullmatch(value) or _EMAIL_LIKE.search(value) or "://" in value:
        return False
    lower = any(c.islower() for c in value)
    return lower and (any(c.isdigit() for c in value) or any(not c.isalnum() for c in value))


# a MAC address as six pairs ("00:1a:2b:3c:4d:5e", "00-1A-...") or three quads
# ("001a.2b3c.4d5e"): the "mac" and "mac_dotted" rules, and what a password is not
_MAC_PAIRS = r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}"
_MAC_QUADS = r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"
# a MAC address in either spelling, or an IPv4 address with or without its port
_NETWORK_ADDRESS = re.compile(rf"{_MAC_PAIRS}|{_MAC_QUADS}|{DOTTED_QUAD.pattern}(?::\d+)?")


def _password_is_ok(value: str) -> bool:
    # a password shape, or a PIN / door code of 4-8 digits; not the e-mail address of a
    # login ("Guest Wi-Fi portal: ana@example.com signed in")
    core = value.rstrip(".")
    if _EMAIL_LIKE.search(core) or _NETWORK_ADDRESS.fullmatch(core.rstrip(",")):
        return False  # "plant wifi: 00:07:4D:99:57:F7 at ...": a device on it, not its key
    if core.lower() in ("required", "expired", "changed", "disabled", "enabled", "unchanged"):
        return False
    return _looks_like_password(core) or (core.isdigit() and 4 <= len(core) <= 8)


def secret_value_ok(value: str) -> bool:
    # a value under a credential-like key: not a count, a flag or a word ("token_count: 2048")
    value = value.rstrip(".")
    if value.isdigit() or value.lower() in ("true", "false", "none", "null", "required", "redacted"):
        return False
    if value.isalpha() and (value.istitle() or value.islower() or value.isupper()):
        return False  # a word or a name
    return _looks_like_password(value) or (len(value) >= 8 and any(c.isdigit() for c in value))


def _entropy(value: str) -> float:
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _random_token_ok(value: str) -> bool:
    # 32+ characters of mixed case and digits with high entropy: a key, whatever names it;
    # from 20 characters when the case changes often and digits are scattered through it
    lower = sum(c.islower() for c in value)
    upper = sum(c.isupper() for c in value)
    digits = sum(c.isdigit() for c in value)
    if len(value) >= 32:
        return lower > 0 and upper > 0 and digits >= 2 and _entropy(value) >= 4.2
    flips = sum(a.isupper() != b.isupper() for a, b in pairwise(value)
                if a.isalpha() and b.isalpha())
    return (len(value) >= 20 and lower >= 4 and upper >= 4 and digits >= 3
            and flips >= len(value) // 4 and not _WORDISH.search(value)
            and _entropy(value) >= 3.9)


_WORDISH = _c(r"[a-z]{5}")  # "LongIdentifier2024": words in camel case, not a random key


_POSITION = _c(r"(?i)(?:[-+(@]?\d{1,3}\.\d{3,}|[NS]\s?\d{1,2}[.°]|\d{1,3}°|geo:|https?://|POINT\b|"
                r"lat(?:itude)?\s*[=:])")


def _position_follows(text: str, start: int, end: int) -> bool:
    # "GPS pin for X: 48.1374, 11.5755": a coordinate pair, not a PIN
    return _POSITION.match(text, start) is not None


def _unit_after(text: str, start: int, end: int) -> bool:
    # "23.4959, 56.5403 mm", "stage offset 12.5, 3.2", "(probe offsets)": machine readings
    return (_UNIT_AFTER.match(text, end) is not None
            or _READING_AFTER.match(text, end) is not None
            or _READING_BEFORE.search(text, max(0, start - 30), start) is not None)


_READING_AFTER = _c(r"(?i)\s*\(?\s*(?:probe|stage|tool|axis|machine|work)?\s*(?:offsets?|datum|"
                    r"origin|tolerance|deviation)\b")
_READING_BEFORE = _c(r"(?i)\b(?:offsets?|datum|origin|probe|stage|axis|axes|spindle|tool|"
                     r"fixture|deviation|tolerance|calibration|X\s*/\s*Y|XY)\b[^.;\n]{0,12}$")
_UNIT_AFTER = _c(r"\s*(?:mm|cm|µm|um|in|inch(?:es)?|mil|°C|°F|bar|psi|kPa|hPa|Nm|kg|g|Hz|rpm|V|A|"
                 r"mA|kW|W|s|ms|%)(?![\w°])")


_NETWORK_CTX = _c(r"(?i)\b(?:mac|ether(?:net)?|hw[\s_-]?addr(?:ess)?|hardware address|bssid|ssid|"
                  r"chaddr|lladdr|link/ether|station|wlan\d?|eth\d|nic|adapter|wi-?fi|"
                  r"access point|AP|client|arp)\b[^.;\n]{0,16}$")


def _hex_mac_ok(value: str) -> bool:
    # six and six hex digits: a MAC when letters are in it and one case throughout
    hexes = value.replace("-", "")
    letters = [c for c in hexes if c.isalpha()]
    return bool(letters) and (value.upper() == value or value.lower() == value) and any(
        c.isdigit() for c in hexes)


def _entropy_ok(value: str) -> bool:
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= 3.5 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


RULES: tuple[Rule, ...] = (
    # --- email --------------------------------------------------------------------------
    Rule("email", DataClass.EMAIL,
         _c(r"(?<![\w.+-])[\w.%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}\b")),
    # written to dodge scrapers: "ana.k [at] mail [dot] com", "ana(at)mail.cz", "ana at mail dot com"
    Rule("email_obfuscated", DataClass.EMAIL,
         _c(r"(?i)(?<![\w.+-])[\w.%+-]+\s*(?:[\[({<]\s*at\s*[\])}>]|\s@\s|\s+at\s+(?=[\w-]+\s+dot\s))"
            r"\s*[A-Za-z0-9-]+(?:\s*(?:[\[({<]\s*dot\s*[\])}>]|\s+dot\s+|\.)\s*[A-Za-z0-9-]+)*"
            r"(?:\s*(?:[\[({<]\s*dot\s*[\])}>]|\s+dot\s+|\.)\s*[A-Za-z]{2,24})\b")),
    # --- dates of birth (a date is a DOB only next to a birth word) ----------------------
    Rule("dob", DataClass.DATE_OF_BIRTH, _c(rf"(?<![\w.:/-]){DATE}(?!\w|[./:-]\d)"),
         validate=date_ok, context=_DOB_CTX, window=30),
    Rule("dob_compact", DataClass.DATE_OF_BIRTH,  # "born 29121987", "né le 1364/03/30"
         _c(rf"(?<![\w.:/-])(?:{COMPACT_OR_SOLAR})(?!\w|[./:-]\d)"),
         validate=compact_or_solar_date_ok, context=_DOB_CTX, window=20),
    # "Nurse: please confirm your date of birth\nAna: 000603": the answer to a DOB question
    Rule("dob_answer", DataClass.DATE_OF_BIRTH,
         _c(rf"(?i)\b(?:date of birth|birth\s?date|d\.?o\.?b\b)[^\n]{{0,40}}\n[^\n:]{{1,40}}:\s*"
            rf"((?-i:{DATE}|{COMPACT_OR_SOLAR}))\s*$", re.MULTILINE),
         group=1, validate=lambda v: date_ok(v) or compact_or_solar_date_ok(v)),
    # --- national identifiers ------------------------------------------------------------
    # "her ID number is 44.328.217-H", "kimlik/pasaport no 562-764279-3", "کد ملی 6811613025":
    # right after a word for a person's own identity document, any number is that number,
    # whether or not its country's check digits are known here
    Rule("national_id_cued", DataClass.NATIONAL_ID,
         _c(r"(?i)(?:\b(?:national\s+(?:id|identity|insurance)|identity\s+(?:card|number|no|document)|"
            r"id\s+card|passport|social\s+security|(?:his|her|your|their|my)\s+id|ni\s+(?:number|no)|"
            r"tax\s+(?:id|number|code)|personal\s+(?:id|number|code)|id\s+doc(?:ument)?|"
            r"(?:kimlik|pasaport)(?:/(?:kimlik|pasaport))?|n[°o]\.?\s*s[ée]cu(?:rit[ée]\s+sociale)?|"
            r"(?:nie|dni|nif)(?:/(?:nie|dni|nif))?|cpf|curp|rut|c[ée]dula|documento\s+de\s+identidad|"
            r"carte\s+d['’]identit[ée]|personalausweis|dow[óo]d(?:\s+osobisty)?|"
            r"(?:licen[cs]e/)?id\s+no\.?|(?:show(?:ed|s|n)?|present(?:ed|s)?|check(?:ed)?)\s+"
            r"(?:(?:his|her|their|an?)\s+)?id|id\s+(?:shown|seen|checked)|"
            r"insur(?:ed|er|ance)\s+(?:person\s+)?(?:id|number|no)|tax\s+(?:number|no)|"
            r"scheme\s+member|member\s+(?:id|number|no)|r\.\s?č\.)(?:\b|(?<=\.))|"
            r"регистр(?:ийн\s+дугаар)?|کد\s*ملی|شماره\s*ملی|رقم\s+الهوية|الرقم\s+الوطني|"
            r"паспорт|ИИН|ИНН|СНИЛС|ЖШН|ЕГН|ΑΜΚΑ|תעודת\s+זהות|身份证号?|身分證)"
            + _ID_AFTER_WORD), group=1, validate=_six_digits, score=0.85),
    # the same after an identity document's own name ("fødselsnummer", "JMBG", "Omang"):
    # a rule of its own, whose many words the needle index finds in one pass
    Rule("national_id_named", DataClass.NATIONAL_ID,
         _c(rf"(?i)\b(?:{_ID_DOCUMENTS})(?:\b|(?<=\.))" + _ID_AFTER_WORD),
         group=1, validate=_six_digits, score=0.85),
    Rule("us_ssn", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"),
         validate=ck.ssn_ok, veto=PART_VETO, score=0.95),
    Rule("us_ssn_spaced", DataClass.NATIONAL_ID, _c(r"(?<![\w-])(?<!\d )\d{3} \d{2} \d{4}(?![\w-]| \d)"),
         validate=ck.ssn_ok, veto=_ID_VETO, score=0.85),
    Rule("us_ssn_ctx", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{3}[ ]?\d{2}[ ]?\d{4}(?![\w-])"),
         validate=ck.ssn_ok, context=_c(r"(?i)\b(?:ssn|social security(?: number| no\.?)?)\b")),
    Rule("uk_nino", DataClass.NATIONAL_ID,
         _c(r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
            r" ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")),
    Rule("es_dni", DataClass.NATIONAL_ID, _c(r"\b[XYZ]?\d{7,8}-?[A-Z]\b"), validate=ck.dni_ok),
    Rule("pl_pesel", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{11}(?![\w-])"),
         validate=ck.pesel_ok, context=_ID_CTX),
    Rule("de_steuer_id", DataClass.NATIONAL_ID,
         _c(r"(?<![\w-])\d{2} ?\d{3} ?\d{3} ?\d{3}(?![\w-])"),
         validate=lambda v: ck.steuer_id_ok(ck.digits(v)), context=_ID_CTX),
    Rule("fr_nir", DataClass.NATIONAL_ID,
         _c(r"(?<![\w-])[12] ?\d{2} ?\d{2} ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3} ?\d{2}(?![\w-])"),
         validate=ck.nir_ok),
    Rule("nl_bsn", DataClass.NATIONAL_ID, _c(r"(?<![\w-])\d{9}(?![\w-])"),
         validate=ck.bsn_ok, context=_ID_CTX),
    Rule("it_cf", DataClass.NATIONAL_ID, _c(r"\b[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]\b")),
    Rule("se_pnr", DataClass.NATIONAL_ID, _c(r"(?<![\w-])(?:19|20)?\d{6}[-+]\d{4}(?![\w-])"),
         validate=lambda v: ck.luhn_ok(ck.digits(v)[-10:]), context=_ID_CTX),
    # --- money -----------------------------------------------------------------------------
    Rule("card", DataClass.PAYMENT_CARD,
         _c(r"(?<![\w+-])(?<!\d[ -])"
            r"(?:\d{4}([ -]?)\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -]?)\d{6}\2\d{4,5})(?![\w-])(?![ -]\d)"),
         validate=_long_card_ok, veto_around=_not_card_here, score=0.95),
    Rule("card_short", DataClass.PAYMENT_CARD, _c(r"(?<![\w+-])\d{13,14}(?![\w-])"),
         validate=ck.card_ok, veto_around=_not_card_here,
         context=_CARD_WORD, window=30),
    Rule("card_any", DataClass.PAYMENT_CARD, CARD_RUN,  # any grouping: Luhn and a card IIN
         veto_around=_not_card_here, score=0.9),
    Rule("iban", DataClass.IBAN,
         _c(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b"), validate=ck.iban_ok),
    # --- network -------------------------------------------------------------------------
    Rule("ipv4", DataClass.IP_ADDRESS,
         _c(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
            r"(?:/\d{1,2})?(?![\w.]*\d)"), veto=_VERSION_VETO, veto_around=_release_named),
    Rule("ipv6", DataClass.IP_ADDRESS,
         _c(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"),
         validate=_ipv6_ok),
    Rule("mac", DataClass.MAC_ADDRESS, _c(rf"\b{_MAC_PAIRS}\b")),
    Rule("mac_dotted", DataClass.MAC_ADDRESS, _c(rf"\b{_MAC_QUADS}\b")),
    Rule("mac_unpadded", DataClass.MAC_ADDRESS,  # "0:1b:2c:3:4d:5e" (macOS, BSD tools)
         _c(r"(?<![\w:.])[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}(?![\w:])"),
         validate=lambda v: any(len(g) == 1 for g in v.split(":"))),
    Rule("mac_six_six", DataClass.MAC_ADDRESS,  # "00A0C9-14C829": OUI and NIC halves
         _c(r"(?<![\w:-])[0-9A-Fa-f]{6}[:-][0-9A-Fa-f]{6}(?![\w:-])"),
         validate=_hex_mac_ok, veto=PART_VETO),
    Rule("mac_spaced", DataClass.MAC_ADDRESS,  # "dst_mac=00 08 36 D4 79 58" after a network word
         # (not the middle of a longer run of hex pairs, as in a hex dump)
         _c(r"(?<!\w)(?<![0-9A-Fa-f]{2} )[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2}){5}(?![\w])"),
         context=_NETWORK_CTX,
         window=30),
    Rule("mac_bare", DataClass.MAC_ADDRESS,  # "ether 001a2b3c4d5e" after a network word
         _c(r"(?<![\w-])[0-9A-Fa-f]{12}(?![\w-])"), context=_NETWORK_CTX, window=30),
    # "Handheld scanner JJV20L33135 (DC36FD190D6D) leased 172.19.134.1", "DNS log: 10.2.3.4
    # (B88CE6E9E8BD)", "port 23 sees DC5818418EE0": twelve hex digits, letters and digits in
    # one case, beside a device or an IP address
    Rule("mac_bare_device", DataClass.MAC_ADDRESS,
         _c(r"(?<![\w-])[0-9A-Fa-f]{12}(?![\w-])"), validate=_hex_mac_ok,
         context=_c(r"(?i)(?:\b(?:lldp|dhcp|dns|sees|leased?|scanner|handheld|laptop|pump|"
                    r"printer|tablet|device|terminal|switch|port\s*\d+|wi-?fi|wlan|client|oximeter|"
                    r"monitor|sensor|camera|badge reader)\b|(?:\d{1,3}\.){3}\d{1,3}|"
                    r"::[0-9a-f]{1,4})[^.;\n]{0,30}$"), window=45),
    # --- location ----------------------------------------------------------------------
    Rule("gps_decimal", DataClass.GPS,
         _c(r"(?<![\w.])[-+]?(?:[1-8]?\d\.\d{4,}|90\.0{4,})°?\s?[NS]?\s*[,;/ ]\s*[-+]?"
            r"(?:1[0-7]\d\.\d{4,}|[1-9]?\d\.\d{4,}|180\.0{4,})°?(?:\s?[EW]\b)?(?!\w|\.\d)"),
         veto_around=_unit_after),
    Rule("gps_hemisphere_first", DataClass.GPS,  # "N47.37690 E8.54170"
         _c(r"\b[NS]\s?(?:[1-8]?\d|90)(?:\.\d{3,})°?\s*[,;/]?\s*[EW]\s?(?:1[0-7]\d|[1-9]?\d|180)"
            r"(?:\.\d{3,})°?(?!\w|\.\d)")),
    Rule("gps_labelled", DataClass.GPS,  # "lat=47.59&lon=12.15", '"lat": 47.59, "lng": 12.15'
         _c(r"(?i)\blat(?:itude)?\.?[\"']?\s*[:=]?\s*[\"']?[-+]?\d{1,2}(?:\.\d+)?°?\s*[NS]?[\"']?\s*"
            r"(?:[,;&/|]|and)?\s*[\"']?(?:lon|lng|long(?:itude)?)\.?[\"']?\s*[:=]?\s*[\"']?"
            r"[-+]?\d{1,3}(?:\.\d+)?°?(?:\s?[EW]\b)?")),
    Rule("gps_labelled_lon_first", DataClass.GPS,
         _c(r"(?i)\b(?:lon|lng|long(?:itude)?)\.?[\"']?\s*[:=]\s*[\"']?[-+]?\d{1,3}\.\d+[\"']?\s*"
            r"(?:[,;&/|]|and)?\s*[\"']?lat(?:itude)?\.?[\"']?\s*[:=]\s*[\"']?[-+]?\d{1,2}\.\d+")),
    Rule("gps_decimal_hemisphere", DataClass.GPS,  # "9.964° S / 99.014° W", "48.137 N, 11.575 E"
         _c(r"(?<![\w.])\d{1,2}\.\d{2,}\s?°?\s?[NS]\s*[/,;]?\s*\d{1,3}\.\d{2,}\s?°?\s?[EW]\b")),
    Rule("gps_map_link", DataClass.GPS,  # ".../maps/@-42.542466,72.005753,17z", "?q=48.13,11.57"
         _c(r"(?i)\bhttps?://\S*?(?:[@/=]|%40)[-+]?\d{1,2}\.\d{3,},\s?[-+]?\d{1,3}\.\d{3,}"
            r"(?:,\d+(?:\.\d+)?[zm])?[^\s,;)]*")),
    Rule("gps_minutes_suffix", DataClass.GPS,  # "N45°22.129 E009°23.458", "38 27.9736N 9 21.4509W"
         _c(r"\b[NS]\s?\d{1,2}°\d{1,2}\.\d{2,}['′]?,?\s+[EW]\s?\d{1,3}°\d{1,2}\.\d{2,}['′]?|"
            r"\b\d{1,2}\s\d{1,2}\.\d{3,}\s?[NS],?\s+\d{1,3}\s\d{1,2}\.\d{3,}\s?[EW]\b")),
    Rule("gps_wkt", DataClass.GPS,  # "POINT(8.54170 47.37690)": longitude first
         _c(r"(?i)\bPOINT\s*Z?\s*\(\s*[-+]?\d{1,3}\.\d+\s+[-+]?\d{1,2}\.\d+(?:\s+[-+]?\d+(?:\.\d+)?)?\s*\)")),
    Rule("gps_dms_spaced", DataClass.GPS,  # "47 22 36.8 N, 8 32 30.1 E"
         _c(r"\b\d{1,2}\s\d{1,2}\s\d{1,2}(?:\.\d+)?\s?[NS],?\s+\d{1,3}\s\d{1,2}\s\d{1,2}(?:\.\d+)?\s?[EW]\b")),
    Rule("gps_nmea", DataClass.GPS,  # NMEA sentences: "4722.6130,N,00832.5020,E"
         _c(r"\b\d{4}\.\d{2,},[NS],\d{5}\.\d{2,},[EW]\b")),
    Rule("gps_dms", DataClass.GPS,
         _c(r"\b\d{1,2}\s?(?:°|º|deg\b|d\b)\s?\d{1,2}(?:\.\d+)?\s?['′]\s?(?:\d{1,2}(?:\.\d+)?\s?[\"″]\s?)?"
            r"[NS],?\s+-?\d{1,3}\s?(?:°|º|deg\b|d\b)\s?\d{1,2}(?:\.\d+)?\s?['′]\s?"
            r"(?:\d{1,2}(?:\.\d+)?\s?[\"″]\s?)?[EW]\b")),
    Rule("gps_dms_prefix", DataClass.GPS,  # "N 48° 17.641' E 8° 15.204'"
         _c(r"\b[NS]\s?\d{1,2}°\s?\d{1,2}(?:\.\d+)?['′](?:\s?\d{1,2}(?:\.\d+)?[\"″])?,?\s+"
            r"[EW]\s?\d{1,3}°\s?\d{1,2}(?:\.\d+)?['′](?:\s?\d{1,2}(?:\.\d+)?[\"″])?")),
    Rule("gps_decimal_minutes", DataClass.GPS,  # "S 25° 22.394 W 104° 13.676", "N48 17.641 E008 15.204"
         _c(r"\b[NS]\s?\d{1,2}°?\s\d{1,2}\.\d{2,}['′]?,?\s+[EW]\s?\d{1,3}°?\s\d{1,2}\.\d{2,}['′]?"
            r"(?![\w.]|\s?(?:mm|cm|m)\b)")),
    Rule("gps_dms_letters", DataClass.GPS,  # "17d 30m 12s N, 44d 6m 7s E"
         _c(r"(?i)\b\d{1,2}\s?d(?:eg)?\s?\d{1,2}\s?m(?:in)?\s?\d{1,2}(?:\.\d+)?\s?s(?:ec)?\s?[NS],?\s+"
            r"\d{1,3}\s?d(?:eg)?\s?\d{1,2}\s?m(?:in)?\s?\d{1,2}(?:\.\d+)?\s?s(?:ec)?\s?[EW]\b")),
    Rule("gps_iso6709", DataClass.GPS,  # "+48.1374+011.5755/", "+4808+01134/", with height, CRS
         _c(r"(?<![\w.+-])[-+]\d{2}(?:\d{2}(?:\d{2})?)?(?:\.\d+)?[-+]\d{3}(?:\d{2}(?:\d{2})?)?"
            r"(?:\.\d+)?(?:[-+]\d+(?:\.\d+)?)?(?:CRS[\w:]+)?/")),
    # --- addresses ---------------------------------------------------------------------
    Rule("addr_en", DataClass.ADDRESS,
         _c(rf"\b\d{{1,5}}[A-Za-z]?\s+(?:{_CAP}\s+){{1,4}}{_STREET_EN}{_US_TAIL}{_UK_PC}")),
    Rule("addr_de", DataClass.ADDRESS,
         _c(rf"\b(?:{_CAP}\s(?:Straße|Strasse|Str\.|Weg|Gasse|Allee|Platz|Damm|Ufer)|"
            rf"[A-ZÀ-ÖØ-Þ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|"
            rf"damm|ufer|straat|laan|plein|gracht|kade|vej|gade|gata|gatan|vägen|veien|vegen|"
            rf"torv|plads))\s+\d{{1,4}}[a-z]?{_EU_TAIL}")),
    Rule("addr_fr", DataClass.ADDRESS,
         _c(rf"\b\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|"
            rf"impasse|quai)\s+(?:(?:de|du|des|la|le|l'|d')\s*)*{_CAP}(?:\s{_CAP})*{_ANY_TAIL}")),
    Rule("addr_pl", DataClass.ADDRESS,
         _c(rf"\bul\.\s*{_CAP}(?:\s{_CAP})?\s+\d{{1,4}}[a-z]?(?:/\d{{1,4}})?{_EU_TAIL}")),
    Rule("addr_south", DataClass.ADDRESS,
         _c(rf"\b(?:[Vv]ia|[Vv]iale|[Pp]iazza|[Cc]orso|[Cc]alle|[Aa]venida|[Pp]laza|[Pp]aseo|[Rr]ua|"
            rf"[Aa]venue|[Bb]oulevard|[Cc]haussée|[Cc]arrer|[Cc]amino|[Rr]ambla)\s+"
            rf"(?:(?:de|del|della|di|la|las|los|el|dos|das|do|da)\s+)*{_CAP}(?:\s{_CAP})*,?\s+"
            rf"\d{{1,4}}{_ANY_TAIL}")),
    Rule("addr_numbered", DataClass.ADDRESS,  # "Calle 58 # 37-50, Cali"
         _c(rf"\b(?:Calle|Carrera|Cra\.?|Avenida|Av\.?|Diagonal|Transversal)\s+\d{{1,3}}[A-Z]?\s*"
            rf"(?:#|No\.?|N[°º])\s*\d{{1,3}}[A-Z]?-\d{{1,3}}(?:,\s*{_CITY})?")),
    Rule("addr_house", DataClass.ADDRESS,  # "House 134, Street 33, F-9/1, Islamabad"
         _c(rf"\b(?:House|Plot|Apartment|Apt\.?)\s*(?:No\.?\s*)?\d+[A-Z]?,\s*(?:Street|St\.?|Road|"
            rf"Lane|Block|Sector)\s*(?:No\.?\s*)?\d+[A-Z]?(?:,\s*[A-Z]-?\d+(?:/\d+)?)?"
            rf"(?:,\s*{_CITY})?")),
    Rule("addr_postcode", DataClass.ADDRESS,  # "Städtle 122, 9490 Vaduz": a street and a postcode
         _c(rf"\b{_NOT_A_STREET}{_CAP}(?:\s(?:{_CAP}|de|la|du|des|der|van|am|an))*\s+\d{{1,4}}[a-z]?,\s*"
            rf"(?:[A-Z]{{1,2}}-)?(?:\d{{4,5}}|\d{{4}}-\d{{3}}|\d{{2}}-\d{{3}})\s+{_CITY}")),
    # --- secrets -----------------------------------------------------------------------
    Rule("pem_private_key", DataClass.SECRET,
         _c(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"),
         score=1.0),
    Rule("aws_key", DataClass.SECRET, _c(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), score=1.0),
    Rule("github_token", DataClass.SECRET,
         _c(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b"), score=1.0),
    Rule("slack_token", DataClass.SECRET, _c(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), score=1.0),
    Rule("token_prefixed", DataClass.SECRET, _c(rf"(?<![\w-])(?:{_SERVICE_PREFIXES})"), score=1.0),
    Rule("webhook_url", DataClass.SECRET,  # the URL is the credential
         _c(r"https://(?:hooks\.slack\.com/services|discord(?:app)?\.com/api/webhooks|"
            r"[\w-]+\.webhook\.office\.com/webhookb2|outlook\.office\.com/webhook)/[\w@/-]{16,}"),
         score=1.0),
    Rule("key_value_secret", DataClass.SECRET,  # ".env", config and connection-string lines
         _c(rf"(?i){_CREDENTIAL_FIELD}[\"']?\s*[:=]\s*[\"']?([^\s\"',;&]{{6,}})"),
         group=1, validate=secret_value_ok),
    Rule("user_pass_pair", DataClass.SECRET,  # "user tillsup / Lantern#2023"
         _c(r"(?i)\b(?:user(?:name)?|account|acct|admin|login)\s*[:=]?\s*[^\s/:]{1,40}\s*/\s*"
            r"([^\s\"',;]{6,})"), group=1, validate=_looks_like_password),
    Rule("random_token", DataClass.SECRET,
         _c(r"(?<![\w/+=-])[A-Za-z0-9+/_-]{20,}={0,2}(?![\w/+=-])"),
         validate=_random_token_ok, score=0.8),
    Rule("api_key_prefixed", DataClass.SECRET,
         _c(r"\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|"
            r"AIza[0-9A-Za-z_-]{35}|gl(?:pat|dt|ptt|rt)-[A-Za-z0-9_-]{20,}|"
            r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})"), score=1.0),
    Rule("login_pair", DataClass.SECRET,  # "login: admin / mango!4201"
         # "default creds still active: admin / X": a few words may stand before the colon
         # "the integrator's login - integrator / X", "account still on the vendor default:
         # lis_iface / X"
         _c(r"(?i)\b(?:login|log-in|credentials?|creds|user(?:name)?\s*/\s*pass(?:word)?|account)\b"
            r"(?:[^.:;\n/]{0,30}[:\-–])?\s*[:=]?\s*"
            r"[^\s/:]{1,40}\s*/\s*([^\s\"',;()]{4,})"), group=1, validate=_password_is_ok),
    # a passphrase of words and a number: "passphrase changed to majuro dushi nunavut 13"
    Rule("passphrase_words", DataClass.SECRET,
         _c(r"(?i)\b(?:passphrase|password|passcode|code|pin|key)\b[^.\n]{0,40}?"
            r"\b(?:is now|changed to|set to|reset to|is)\s+"
            r"((?-i:[a-z]{3,}(?: [a-z]{3,}){2,5} \d{1,4}))(?=[\s.,;!?-]|$)"), group=1),
    Rule("jwt", DataClass.SECRET,
         _c(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), score=1.0),
    Rule("bearer", DataClass.SECRET, _c(r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)"), group=1),
    Rule("url_password", DataClass.SECRET, _c(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]*:([^\s@/]+)@", _I),
         group=1),
    Rule("password_text", DataClass.SECRET,
         _c(r"(?i)\b(?:password|passwd|pwd|pw|passcode|passphrase|"
            r"(?<!gps )(?<!map )(?<!drop )(?<!drop-)(?<!location )(?<!geo )(?<!dropped )"
            r"pin(?:\s+code)?|"
            r"kennwort|passwort|"
            r"mot de passe|secret|api[_ -]?key|access[_ -]?key|token|client[_ -]?secret)"
            r"(?:\s+(?:for|on|of|to|at)\s+[^.,;:\n]{1,40}?)?"  # "password on the historian box is"
            r"(?:\s+(?:is|was|=|:)|\s*[:=])\s*[\"']?((?:[^\s\"',;]|;(?=\S)){4,})"), group=1,
         veto_around=_position_follows),
    Rule("password_bare", DataClass.SECRET,  # "pass doggo22XX", "PIN 4821#", "WPA key x7Rt…"
         _c(r"(?i)\b(?:password|passwd|pwd|pw|pass|passcode|passphrase|kennwort|passwort|"
            r"mot de passe|contraseña|hasło|heslo|salasana|jelszó|lösenord|adgangskode|passord|"
            r"(?:wifi|wi-fi|wpa2?|network)\s+key|"
            r"(?:key\s*safe|keysafe|door|gate|alarm|safe|lock|entry|access|security|wi-?fi)\s+code)\s*:?\s+"
            r"(?!is\b|was\b|reset\b|change|expired|policy|manager)((?:[^\s\"',;]|;(?=\S)){4,})"),
         group=1, validate=_password_is_ok),
    # "Code KX37pDrXkH.", "locker code asdf4285": a bare code word before a value typed by a
    # person: lower-case letters with digits or symbols (part and order codes are capitals)
    # "access code for key safe 880882", "door code for the cage: Brasil123."
    Rule("access_code", DataClass.SECRET,
         _c(r"(?i)\b(?:access|door|entry|gate|alarm|key\s*safe|keypad|lock|padlock|locker|pin)\s+code"
            r"(?:\s+(?:for|to|of)\s+(?:the\s+)?[\w-]+(?:\s[\w-]+){0,2})?\s*:?\s+"
            r"((?=\S*[\d!@#$%^&*?+])(?:[^\s\"',;]|;(?=\S)){4,}?)(?=[.,;!?]?(?:\s|$))"),
         group=1, validate=_password_is_ok),
    Rule("code_bare", DataClass.SECRET,
         _c(r"(?i)\b(?:code|passcode|pin|padlock code|locker code)\s*:?\s+"
            r"((?:[^\s\"',;]|;(?=\S)){6,}?)(?=[.,;!?]?(?:\s|$))"),
         group=1, validate=_typed_code_ok),
    Rule("password_is", DataClass.SECRET,  # "Wi-Fi for the contractors this week is X",
         # "portal login for a@b.c was reset to X", "the code for the cage is 4821"
         _c(r"(?i)\b(?:(wi-?fi|wlan|wpa2?|ssid|password|passwd|pwd|passcode|passphrase|"
            r"(?<!error )(?<!fault )(?<!status )(?<!zip )(?<!post )(?<!postal )(?<!product )"
            r"(?<!bar )(?<!qr )(?<!promo )(?<!discount )(?<!area )(?<!country )(?<!dial )"
            r"(?:door |gate |alarm |safe |lock |key |access |entry )?(?:code|pin))"
            r"\b(?:[^.;:!?\n]|\.(?=\S)){0,50}?(?:\b(?:is|was|are|(?:re)?set to|changed to|now)\s|"
            # "changed the Wi-Fi key to X", "reset the PIN to X"
            r"(?:(?<=key )|(?<=password )|(?<=passcode )|(?<=pin )|(?<=code ))to\s|"
            r"\s*(?::\s+|=\s*))|"  # "... is X", "Wi-Fi key for the pop-up shop: X"
            r"(?:login|log-in|logon|account)\b(?:[^.;:!?\n]|\.(?=\S)){0,50}?\b(?:re)?set to\s)\s*"
            r"(?!(?:changed|reset|set|updated)\s+to\b)[\"'“‘]?([^\s\"',;“”‘’]{4,})"),
         group=2, validate=_password_is_ok, veto_around=_position_follows),
    Rule("high_entropy", DataClass.SECRET,
         _c(r"(?<![\w/+=-])[A-Za-z0-9+/_.-]{20,}={0,2}(?![\w/+=-])"),
         validate=_entropy_ok,
         context=_SECRET_CTX, window=30, score=0.8),
)


def _has_digit(value: str) -> bool:
    return any(c.isdigit() for c in value)


def _xml_id_rule(name: str, cls: DataClass, parents: str, ids: str) -> Rule:
    """The identifier element first inside a person's element: "<Employee><Id>4A45721</Id>"."""
    return Rule(name, cls, _c(rf"(?i)<(?:{parents})\b[^<>]{{0,80}}>\s*<(?:{ids})>\s*([^<>\n]{{3,30}}?)\s*</"),
                group=1, validate=_has_digit, score=0.9)


def _not_about_care(text: str, start: int, end: int) -> bool:
    return not about_care(text)


def context_rules(employee_patterns: list[str], mrn_patterns: list[str]) -> tuple[Rule, ...]:
    """Return the site-configurable rules: badge / employee numbers and medical records."""
    rules = [
        Rule("badge_ctx", DataClass.EMPLOYEE_ID,
             _c(r"(?i)(?:\b(?:badge|employee|staff(?:\s+discount)?|personnel|operator|worker|payroll|"
                r"mitarbeiter|personal|matricule|matricola|empleado|pracownik|cashier|clerk)\s*"
                r"(?:id|no\.?|nr\.?|number|nummer|#|card|code)?|"
                r"\b(?:works|clock(?:ing)?)\s+(?:id|no\.?|nr\.?|number|card)|\bop(?=\s+\S*\d)|"
                r"รหัสพนักงาน)\s*[:#]?\s*"
                # "X50212C", "818A669", "95-91102", "HID 215-37480", "ID#58958", "54:14281":
                # capitals and digits, three digits at least
                r"((?-i:\d{2,3}[:.]\d{4,6}(?![:.\d])|[a-z]{2,4}\d{4,8}\b|(?:(?:ID|HID|[A-Z]{2,4})\s|ID#)?"
                r"(?=(?-i:[A-Z0-9/-])*\d(?-i:[A-Z0-9/-])*\d(?-i:[A-Z0-9/-])*\d)"
                r"(?-i:[A-Z0-9]+)(?:[-/](?-i:[A-Z0-9]+)){0,3}))(?![\w-]|[/.]\d)"),
             group=1),
        Rule("mrn_ctx", DataClass.MEDICAL_RECORD,
             _c(r"(?i)\b(?:mrn|medical\s+record(?:\s+(?:number|no\.?|nr\.?|#))?|patient\s*(?:id|no\.?|"
                r"nr\.?|number|#)|chart(?:\s*(?:no\.?|number|#))?|"
                r"(?:hosp(?:ital)?\.?|clinic|case|admission|encounter|episode|unit|record|accession|"
                r"health\s+record|nhs|chi|ehr|emr|file|case\s+file|medical\s+file)\s*"
                r"(?:id|no\.?|nr\.?|number|#)|dossier|historia\s+cl[ií]nica|expediente|"
                r"krankenakte|fallnummer|رقم الملف|رقم المريض|"
                r"patient(?=\s*[=:]?\s*[A-Z]{0,4}-?\d{4}))(?:\s+is)?\s*[:#=]?\s*"
                r"(\d{3} \d{3} \d{4}|[A-Z]{0,4}-?\d(?:[\d/-]{2,14}\d)?)(?![\w-]|[.,/]\d)"),
             group=1, score=0.95),
    ]
    # a record or staff word, then a number of any site's shape: "hospital number 39 6404
    # 358", "n° dossier QEH 6162/68", "employee 51#1906", "clock number K32.969.72"; a bare
    # "record" is a patient's record only in a text about care
    rules += [
        Rule("mrn_cued_code", DataClass.MEDICAL_RECORD,
             _c(r"(?i)(?:\b(?:mrn|medical\s+record|patient|hospital|clinic|case|chart|unit|file|"
                r"health\s+record)\s*(?:id|no\.?|nr\.?|number|#)\s*[:#=]?\s*"
                rf"|\b(?:n°|no\.?|num[ée]ro)\s+(?:de\s+)?dossier\s*:?\s*|\b(?:dossier|dosye)\s*(?:n°|no\.?)?\s*:?\s*"
                r"|\b(?:hospital|case|medical|clinic)\s+file\s*:?\s*"
                # "Fall-Nr. H13/55959", "lambar asibiti U05979419" (Hausa), "nambala ya
                # chipatala HRN 243253" (Chichewa), "nombor rekod", "nomor rekam medis",
                # "номер карты", "our ref. 401183-V" (a referral letter), "donor card ...",
                # "keeps his file under ...", "pushed vitals for ..." (a bedside monitor)
                r"|\bfall-?(?:nr\.?|nummer)\s*:?\s*|\blambar\s+asibiti\s*:?\s*|\bno\.?\s+RM\s*:?\s*"
                r"|\bnambala\s+ya\s+(?:chipatala|wodwala)\s*:?\s*"
                r"|\bnomb?or\s+(?:rekod|fail|rekam\s+medis|pesakit|pasien)\s*:?\s*"
                r"|\bномер\s+(?:карты|истории\s+болезни|медкарты)\s*:?\s*"
                r"|\bour\s+ref(?:erence)?\.?\s*:?\s*|\bdonor\s+(?:card|no\.?|number)\s*:?\s*"
                r"|\b(?:keeps?|kept|holds?)\s+(?:his|her|their|the)\s+(?:file|record|chart)s?"
                r"\s+under\s+|\bvitals\s+for\s+)"
                rf"(?-i:({CODE}))(?![\w#/-]|[.,:]\d)"),
             group=1, validate=code_ok, score=0.9),
        Rule("mrn_record_code", DataClass.MEDICAL_RECORD,
             # the word for "number" in the languages of the sites served, too
             _c(r"(?i)(?<![^\W\d_])(?:record|charts?|file|registration|rekod|карта|nomoro|lambarka|numru|numeru|nambari|numero|número|nummer|"
                r"номер|ቁጥር)\s*[:#]?\s*"
                rf"(?-i:({CODE}))(?![\w#/-]|[.,:]\d)"),
             group=1, validate=code_ok, veto_around=_not_about_care, score=0.8),
        Rule("badge_cued_code", DataClass.EMPLOYEE_ID,
             _c(r"(?i)\b(?:(?:employee|staff|personnel|payroll|badge|crew|works|clock(?:ing)?)\s*"
                r"(?:ids?|no\.?|nos\.?|nr\.?|numbers?|#|cards?)|employee|badge|cashier|clerk|picker|lab tech|"
                r"phlebotomist|technician|operator|driver|guard|porter|nurse|midwife|paramedic)"
                r"\s*[:#=]?\s*"
                rf"(?-i:({CODE}))(?![\w#/-]|[.,:]\d)"),
             group=1, validate=code_ok, score=0.85),
        # the staff words of more sites and languages, a space before the number:
        # "employer ref EMPL/4618", "agent ZW216507", "пропуск
        # 2F50170", "табельный номер ...", "Personalnr. SHL.26914", "till login is
        # 1G95633", "Price override by X2K7328", "site badge emp_42851"
        Rule("badge_cued_word", DataClass.EMPLOYEE_ID,
             _c(r"(?i)(?<![^\W\d_])(?:employer(?:'s)?\s+ref(?:erence)?\.?|"
                r"(?<!release )(?<!cleaning )(?<!foaming )(?<!bonding )agent|"
                r"пропуск\w*|табельный(?:\s+(?:номер|№))?|"
                r"таб\.\s*(?:номер|№)|personal-?nr\.?|personalnummer|pers\.-?nr\.?|"
                r"(?:till|pos|register|staff)\s+login(?:\s+is)?|override\s+by|"
                r"no\.?\s+(?:pekerja|karyawan|kakitangan)|nombor\s+pekerja|nomor\s+(?:pegawai|karyawan)|"
                r"törzsszám|dolgozói\s+azonosító|matricol[aă])"
                r"(?:\s*[:#=]\s*|\s+)"
                rf"(?-i:({CODE}))(?![\w#/-]|[.,:]\d)"),
             group=1, validate=code_ok, score=0.8),
    ]
    # structured records: a FHIR reference to a Patient ('"reference":"Patient/128905-J"'),
    # the identifier of an <Employee> or <Patient> element, a "pt=" or "tei=" key of a
    # dispensing or tracker log line
    rules.append(Rule("mrn_fhir_reference", DataClass.MEDICAL_RECORD,
                      _c(r"[\"']reference[\"']\s*:\s*[\"']Patient/([^\"'\s]{3,30})[\"']"),
                      group=1, validate=_has_digit, score=0.9))
    rules.append(_xml_id_rule("badge_xml_id", DataClass.EMPLOYEE_ID,
                              r"employee|staff|worker|operator|personnel|member",
                              r"id|number|no|badge\w*|staff_?(?:id|no)|employee_?(?:id|no)"))
    rules.append(_xml_id_rule("mrn_xml_id", DataClass.MEDICAL_RECORD,
                              r"patient|subject|client|resident", r"id|number|no|mrn|record_?(?:id|no)"))
    rules.append(Rule("mrn_log_key", DataClass.MEDICAL_RECORD,
                      _c(r"(?<![\w.-])(?:pt|tei|pat|mrn)=([^\s;&,\"'|]{3,30})"),
                      group=1, validate=code_ok, score=0.85))
    # record numbers that carry their own prefix: "URN700004", "HN 30-81536", "MR#685034";
    # the patient identifier of an HL7 v2 PID segment ("PID|1||367995719^^^MAIN^MR")
    rules.append(Rule("mrn_hl7_pid", DataClass.MEDICAL_RECORD,
                      _c(r"\bPID\|\d*\|[^|\n]*\|([^|^\n]{3,30})"), group=1, score=0.95))
    # the visit number of an HL7 v2 PV1 segment (its nineteenth field; some senders shift
    # it by one): an identifier, where the patient type beside it is a letter code
    rules.append(Rule("mrn_hl7_pv1", DataClass.MEDICAL_RECORD,
                      _c(r"\bPV1\|(?:[^|\n]*\|){17}(?:[^|\n]*\|)??([^|^\n]{3,30})(?=[|^\n]|$)"),
                      group=1, validate=code_ok, score=0.9))
    rules.append(Rule("mrn_prefixed", DataClass.MEDICAL_RECORD,
                      _c(r"(?<![\w#-])(?:URN|UR|HN|U?MRN?#?|MR-|PID\^|UHID|EHR-?|EMR-?|NHI-?)"
                         r"\s?-?(?:(?<=[\s-])[A-Z])?\d{2,}(?:[-/ ]\d{2,})*(?![\w-])"),
                      score=0.9))
    rules += [Rule(f"employee_pattern_{i}", DataClass.EMPLOYEE_ID, _c(p))
              for i, p in enumerate(employee_patterns)]
    rules += [Rule(f"mrn_pattern_{i}", DataClass.MEDICAL_RECORD, _c(p), score=0.95)
              for i, p in enumerate(mrn_patterns)]
    return tuple(rules)
