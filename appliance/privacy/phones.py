"""Phone numbers by structure, checked against libphonenumber's numbering plans.

Candidates are found by shape: a country code (``+49``, ``0049``, ``tel:+1``), a trunk
prefix (``0151 …``, ``(06 1) …``) or North American grouping, then digit groups with
the separators people use (spaces, dots, dashes, slashes, ``(0)``). Whether the digits
form a number is decided by the ``phonenumbers`` package (Google's libphonenumber
metadata: lengths and number ranges per country), which ships its data and needs no
network. A number written with ``+`` is a phone number whatever its country; one
written with ``00`` must be a valid number; a national number (no country code) must
be valid in one of the configured regions, and, unless its grouping already says
"phone", a phone word must stand before it.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import phonenumbers as pn

from appliance.privacy import checksums as ck
from appliance.privacy.dates import DATE
from appliance.privacy.entities import DataClass
from appliance.privacy.recognizers import PART_VETO, Rule

# Words that say a number is a phone number ("texted to", "ring", "WhatsApp"), in the
# languages of the sites served: the words for telephone, mobile and calling. Short words
# that are common words elsewhere (Turkish "ara", Dutch "bel") are left out.
_PHONE_WORDS = (
    # English
    r"tel|tele(?:phone|fon)|phone[ds]?|phoning|ph|mobile|mob|cell(?:phone)?|handy|"
    r"call(?:ed|ing|s)?|call-?back|ring(?:s|ing)?|rang|ext|contact(?:ed)?|reach(?:ed|able)?|"
    r"whats-?app(?:ed)?|signal|viber|fax|text(?:ed|ing|s)?|sms|dial(?:l?ed)?|hotline|landline|"
    r"voicemail|number|nr|num|t\.|no answer on|not answering|reply to|text me(?: back)?(?: on)?|"
    r"queries|enquiries|helpline|crisis line|info line|"
    r"next of kin|emergency contact|daughter|son|wife|husband|mother|father|partner|"
    # Romance languages
    r"tél[ée]phone|tél|portable|appel(?:er|ez|le)|rappel(?:er|ez)|teléfono|telefone|telefono|"
    r"telèfon|telefonoa|telemóvel|m[óò]vil|celular|cellulare|ligue|llam[ae]|llámame|chiama|"
    r"trucar|nimero|"
    # Germanic languages
    r"telefon|telefoon|telefoan|rückfragen unter|erreichbar unter|anrufen|rückruf|mobiel|"
    r"bellen|belje|selfoon|tlf|tfn|fartelefon|ringið|ringja|hringið|hringdu|hringja|sími|"
    r"símanúmer|gsm|"
    # Celtic languages
    r"ffôn|ffonio|fón|guthán|fòn|pellgomz|pellgowser|"
    # Slavic, Baltic, Finno-Ugric and other European languages
    r"telefonas|tālrunis|tālr|komórka|zadzwoń|zavolejte|volejte|mobitel|nazovite|pokličite|"
    r"puhelin|soita|hívja|sunați|taleefan\w*|mowbajl|ċempel|"
    # African languages
    r"simu|essimu|mohala|mogala|ucingo|ifoni|foni|fóònù|waya|wayarsa|wayarta|ekwentị|finday|"
    r"telefaonina|telefɔni|uṭṭun(?:-is)?|"
    # Asian and Pacific languages, in Latin script
    r"sđt|điện thoại|telepon|nomor hp|hubungi|telepono|tawagan|telefoni|talevoni|niuniu|"
    r"waea|kelepona|pumbyry|fono|fone|kall|rele|telefonu|yama|tareboon|uqarvik|valaau|"
    r"xov tooj|namba blong|contacts? via|"
    # Cyrillic
    r"утас|телефон(?:ы|а|у|ом)?|тел\.|моб\.|мобильный|звоните|позвоните"
)
# the single words of that table ("Sími", "Fono", "Kall"): a word for calling, never a name
def _top_level_words(alternation: str) -> frozenset[str]:
    words, depth, piece = set(), 0, ""
    for ch in alternation + "|":
        if ch == "|" and depth == 0:
            words.add(piece)
            piece = ""
            continue
        depth += (ch == "(") - (ch == ")")
        piece += ch
    return frozenset(w for w in words if w.isalpha())


PHONE_WORDS = _top_level_words(_PHONE_WORDS) - {
    "daughter", "son", "wife", "husband", "mother", "father", "partner", "signal"}
PHONE_CONTEXT = re.compile(
    rf"(?i)\b(?:{_PHONE_WORDS})(?:\b\.?|(?<=\.))|"
    # scripts whose words \b cannot delimit
    r"ስልክ|טלפון|נייד|تلفن|موبایل|شماره همراه|هاتف|جوال|فون|تېلېفون|τηλέφωνο|τηλ\.|κινητό|"
    r"फ़ोन|फोन|मोबाइल|ফোন|தொலைபேசி|โทร|ទូរស័ព្ទ|ໂທ|电话|電話|手机|手機|携帯|전화|휴대폰")
_CALLING = re.compile(
    r"(?i)\b(?:ring(?:s|ing)?|rang|call(?:s|ed|ing)?|phone|tel|mobile|mob|reply to|text|sms|"
    r"whats-?app|tél|téléphone|portable|appel(?:er|ez|le)?)\b[\s:.]*(?:(?:me|him|her|us|on|at)\s+)*$")
_DATE_START = re.compile(rf"{DATE}(?!\d)")
_SEPARATED = re.compile(r"\d[ ./-]+\(?\d|\)\s*\d")


@lru_cache(maxsize=4096)
def _valid_in(digits: str, regions: tuple[str, ...]) -> bool:
    for region in regions:
        try:
            number = pn.parse(digits, region)
        except pn.NumberParseException:
            continue
        if pn.is_valid_number(number):
            return True
    return False


@lru_cache(maxsize=4096)
def _valid_international(digits: str) -> bool:
    try:
        return pn.is_valid_number(pn.parse("+" + digits))
    except pn.NumberParseException:
        return False


# every region libphonenumber knows: a number after a phone word may be from anywhere
_WORLD: tuple[str, ...] = tuple(sorted(pn.SUPPORTED_REGIONS))


@cache
def load_numbering_plans() -> None:
    """Load every region's numbering plan now (libphonenumber loads one on first use), so
    that the first events after start-up do not wait for it. Once per process."""
    for region in _WORLD:
        pn.PhoneMetadata.metadata_for_region(region)


# "0166-6720-61": dashes in 4-4-2 (or 3-4-2) groups are how part numbers are written
_PART_SHAPE = re.compile(r"\d{3,4}-\d{3,4}-\d{2}")


def _part_number_shape(text: str, start: int, end: int) -> bool:
    return (_PART_SHAPE.fullmatch(text, start, end) is not None
            and PHONE_CONTEXT.search(text, max(0, start - 30), start) is None)


def _epoch_stamp(text: str, start: int, end: int) -> bool:
    # "lost contact at 1759764190": a bare 10- or 13-digit run in the Unix-time range
    value = text[start:end]
    return value.isdigit() and (
        (len(value) == 10 and 1_000_000_000 <= int(value) < 2_200_000_000)
        or (len(value) == 13 and 1_000_000_000_000 <= int(value) < 2_200_000_000_000))


def _not_a_date_or_ip(value: str) -> bool:
    """Neither a date nor an IPv4 address ("reachable at 192.168.85.143" is no phone)."""
    return _DATE_START.match(value) is None and _DOTTED_QUAD.fullmatch(value) is None


_DOTTED_QUAD = re.compile(r"(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}")


def phone_region_ok(value: str, regions: tuple[str, ...]) -> bool:
    """True for 7-13 digits that are a valid national number in one of ``regions``."""
    digits = ck.digits(value)
    return 7 <= len(digits) <= 13 and _not_a_date_or_ip(value) and _valid_in(digits, regions)


def phone_world_ok(value: str, regions: tuple[str, ...]) -> bool:
    """True for 7-13 digits that are a valid number in ``regions`` or any country's plan."""
    digits = ck.digits(value)
    return (7 <= len(digits) <= 13 and _not_a_date_or_ip(value)
            and (_valid_in(digits, regions) or _valid_in(digits, _WORLD)))


def phone_rules(regions: tuple[str, ...]) -> tuple[Rule, ...]:
    """Return the phone recognizers; national numbers are checked in ``regions``."""

    def national_ok(value: str) -> bool:
        digits = ck.digits(value)
        return 8 <= len(digits) <= 13 and _not_a_date_or_ip(value) and _valid_in(digits, regions)

    def grouped_national_ok(value: str) -> bool:
        # "0160 4811618", "0664/1234567", "(022) 12345": a trunk prefix and a grouping
        return bool(_SEPARATED.search(value)) and national_ok(value)

    def bare_ok(value: str) -> bool:
        digits = ck.digits(value)
        return 7 <= len(digits) <= 12 and _not_a_date_or_ip(value) and _valid_in(digits, regions)

    def world_ok(value: str) -> bool:
        # after a phone word: a number valid in any country's plan ("call (11) 96123-4178")
        return phone_world_ok(value, regions)

    return (
        Rule("phone_intl", DataClass.PHONE,
             re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(0\))?(?:[ .\-/]?\(?\d{1,5}\)?){1,6}(?![\w-])"),
             validate=lambda v: 8 <= len(ck.digits(v)) <= 15),
        Rule("phone_00", DataClass.PHONE,
             # "0049 1527 6436230", "00 49 1527 6436230"
             re.compile(r"(?<![\w+./-])00[ .-]?[1-9]\d{0,2}(?:[ .-]?\(0\))?(?:[ .\-/]?\(?\d{1,5}\)?){1,6}"
                        r"(?![\w-])"),
             validate=lambda v: _valid_international(ck.digits(v.replace("(0)", ""))[2:]),
             veto=PART_VETO),
        Rule("phone_011", DataClass.PHONE,  # the North American international prefix
             re.compile(r"(?<![\w+./-])011[ .-]?[1-9]\d{0,2}(?:[ .\-/]?\(?\d{1,5}\)?){1,6}(?![\w-])"),
             validate=lambda v: _valid_international(ck.digits(v)[3:]), veto=PART_VETO),
        Rule("phone_world_ctx", DataClass.PHONE,  # "call (11) 96123-4178", "mob 0711230932"
             re.compile(r"(?<![\w+\-./,])(?:\(\d{1,4}\)[ .-]?|\d{1,4}[ .-]?)?\d{2,5}(?:[ .-]?\d{2,5}){1,3}"
                        r"(?![\w-]|[.,/:]\d)"),
             validate=world_ok, context=PHONE_CONTEXT, window=25, veto=PART_VETO, score=0.8,
             veto_around=_epoch_stamp),
        Rule("phone_nanp", DataClass.PHONE,
             re.compile(r"(?<![\w-])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w-])"),
             veto=PART_VETO, validate=lambda v: not ck.ssn_ok(v) or "(" in v),
        Rule("phone_trunk", DataClass.PHONE,
             re.compile(r"(?<![\w+\-./,])\(?0[1-9]\d{0,4}\)?(?:(?:[ ./-]|\) ?)\(?\d{2,8}\)?){1,4}"
                        r"(?![\w-]|[.,/:]\d)"),
             validate=grouped_national_ok, veto=PART_VETO, veto_around=_part_number_shape),
        Rule("phone_trunk_ctx", DataClass.PHONE,
             re.compile(r"(?<![\w+\-./,])0\d{1,4}(?:[ /-]?\d{1,4}){1,4}(?![\w-]|[.,/:]\d)"),
             validate=national_ok, context=PHONE_CONTEXT, window=30),
        # "the driver rings 87.48.06.65": pairs of digits joined by dots, as French and
        # Polynesian numbers are written, right after a word for calling (an IPv4 address
        # otherwise: "reachable at 10.12.14.16" stays one)
        Rule("phone_dotted_pairs", DataClass.PHONE,
             re.compile(r"(?<![\w.])\d{2}(?:\.\d{2}){3,4}(?![\w.]|\.\d)"),
             context=_CALLING, window=20, score=0.85),
        Rule("phone_national_ctx", DataClass.PHONE,  # "ring me on 34 41 23 45"
             re.compile(r"(?<![\w+\-./,])(?:[1-9]\d{1,3}(?:[ .-]\d{2,7}){1,4}|[1-9]\d{7})"
                        r"(?![\w-]|[.,/:]\d)"),
             validate=bare_ok, context=PHONE_CONTEXT, window=25, veto=PART_VETO),
    )
