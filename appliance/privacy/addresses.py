"""Postal addresses across European and North American conventions.

An address is found by its parts, whichever order a country writes them in:

* a street-type word, before the name (``Rue``, ``Calle``, ``C/``, ``vul.``, ``Strada``)
  or after it, on its own (``Street``, ``utca``, ``iela``, ``Cad.``) or as the end of
  one word (``Bahnhofstrasse``, ``Skolvägen``, ``Tuulilasinkatu``, ``Kerkstraat``);
* a house number (``12``, ``12a``, ``12/3/7``, ``40-12``, ``No: 15``, ``nr. 7``, ``S/N``)
  and unit details (``Apt. 4``, ``Suite 300``, ``Flat 3``, ``3º B``, ``D:4``);
* a tail of postcode and town in the formats of the countries served (``70173``,
  ``158 49``, ``00-950``, ``1100-048``, ``1234 AB``, ``LT-01103``, ``SW1A 1AA``,
  ``A94 X2Y5``, ``H3G 1P1``, ``CA 94043``).

A street-type word and a number, or a name and number followed by a postcode and a
town, is an address; a lone "Station 4" is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from appliance.privacy.entities import DataClass, Entity
from appliance.privacy.recognizers import Rule, Scan

# Upper-case letters of the Latin, Greek and Cyrillic scripts.
_UP = "".join(chr(c) for c in range(0x41, 0x530) if chr(c).isupper() and chr(c).isalpha())
_UPC = f"[{re.escape(_UP)}]"
_LOW = r"[^\W\d_]"
_WORD = rf"{_UPC}(?:{_LOW}|['’.-](?={_LOW}))*\.?"  # "O'Rafferty", "Saint-Denis", "Str."
_PARTICLE = (r"(?:de|del|della|delle|dei|di|da|das|do|dos|du|des|la|le|les|los|las|el|l['’]|d['’]|"
             r"van|von|der|den|ter|am|an|auf|im|zum|zur|of|the|y|i|e|na|pri|nad|pod|u|w|z|ve|v|"
             r"sur|sous|en|al|a)")
_NAME = rf"(?:{_WORD}|\d{{1,3}}(?:st|nd|rd|th|\.)?)(?:[ -](?:{_WORD}|{_PARTICLE}(?=\s)))*"
_HOUSE = (r"(?:(?:No|Nr|nr|no|Nº|N°|n°|д|дом)\.?:?\s*)?(?:\d{1,5}(?:\s?[A-Za-z](?![\w'’]))?"
          r"(?:\s?[-/]\s?\d{1,4}[A-Za-z]?){0,2}\.?|[Ss]/[Nn])")
_UNIT = (r"(?:,?\s*(?:Apt|Apartment|Appartamento|Suite|Ste|Unit|Flat|Fl|Floor|Level|Bl|Sc|Ap|Et|"
         r"Piso|Puerta|Top|Stiege|Bldg|Building|Room|Rm|D|No|Nr|Dept|кв|корп|стр|офис)\.?:?\s*#?\d{1,5}[A-Za-z]?"
         r"|,?\s*\d{1,2}\s?[º°ª]\s?[A-Za-z]?\b|,?\s*\d{1,2}\.\s?(?:th|tv|mf|sal|sz|em)\.?)*")
_POSTCODE = (r"(?:(?:[A-Z]{1,3}-\s?)?(?:\d{5}(?:-\d{4})?|\d{3}\s\d{2}|\d{2}-\d{3}|\d{4}-\d{3}|"
             r"\d{4}\s?[A-Z]{2}(?![a-z])|\d{4,6})|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|"
             r"[AC-FHKNPRTV-Y]\d[\dW]\s?[\dAC-FHKNPRTV-Y]{4}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|TK\s?\d{3}\s?\d{2})"
             r"(?![\w-])")
_STATE = r"(?:[A-Z]{2,3})"
_TOWN = rf"{_UPC}(?:{_LOW}|['’.-](?={_LOW}))*"  # no full stop at the end: it ends the sentence
_CITY = rf"{_TOWN}(?:[ -](?:{_TOWN}|{_PARTICLE}(?=[ -]{_UPC})))*(?:\s?/\s?{_TOWN})?(?:\s\([A-Z]{{2}}\))?"
# After the street: up to three comma parts of postcode, town, state and postcode.
_PART = (rf"(?:{_POSTCODE}\s+{_CITY}(?:,?\s+{_POSTCODE})?|{_CITY}(?:,?\s+(?:{_STATE}\s+)?{_POSTCODE})?"
         rf"|{_STATE},?\s+{_POSTCODE}|{_POSTCODE})")
_TAIL = rf"(?:(?:,\s*|\s+(?={_POSTCODE}\s)){_PART}){{0,3}}"
_POSTAL_TAIL = rf"(?:,\s*|\s+)(?:{_POSTCODE}\s+{_CITY}|{_CITY},?\s+{_POSTCODE}(?![\w-]))"

# street types written before the name: "Rue de la Paix 4", "Calle Mayor 3", "vul. Sadova 13"
_TYPE_BEFORE = (
    r"(?:[Rr]ue|[Aa]venue|[Aa]v|[Aa]vda|[Bb]oulevard|[Bb]d|[Cc]hemin|[Cc]h|[Aa]llée|[Ii]mpasse|[Qq]uai|"
    r"[Pp]lace|[Rr]oute|[Cc]ours|[Pp]assage|[Ss]entier|[Vv]ia|[Vv]iale|[Vv]icolo|[Pp]iazza|[Pp]iazzale|"
    r"[Cc]orso|[Ll]argo|[Ss]trada|[Cc]alle|C/|[Aa]venida|[Pp]laza|[Pp]aseo|[Cc]amino|[Cc]arretera|"
    r"[Rr]onda|[Tt]ravesía|[Cc]arrer|[Aa]vinguda|[Pp]asaje|[Pp]asadizo|[Gg]lorieta|[Rr]ua|"
    r"[Tt]ravessa|[Ll]argo|[Pp]raça|[Aa]lameda|[Ee]strada|[Bb]eco|[Ss]tr|[Ss]trada|[Cc]alea|"
    r"[Bb]ulevardul|[Bb]d-ul|[Ss]pl|[Ss]plaiul|[Aa]leea|[Ii]ntrarea|[Șș]oseaua|[Ss]oseaua|[Pp]iața|"
    r"[Pp]iata|ul|al|pl|os|vul|ul|bul|pr|prosp|prospekt|ulitsa|ulica|ulice|odos|[Oo]dos|[Ll]eoforos|"
    r"[Pp]lateia|[Aa]m|[Aa]n der|[Aa]n den|[Aa]uf der|[Aa]uf dem|[Ii]m|[Zz]um|[Zz]ur|[Hh]inter der|"
    r"[Hh]inter dem|[Uu]nter den|[Bb]ei der|[Tt]rg|[Nn]ámestie|[Nn]áměstí|[Kk]ej|"
    r"[Rr]ehov|[Rr]echov|[Ss]derot|[Dd]erech|[Ss]hderot|[Jj]alan|[Jj]l|[Ss]oi|[Tt]hanon|[Dd]uong|"
    r"[Đđ]ường|[Pp]ho|[Pp]hố|[Cc]arrera|[Cc]alle|[Jj]irón|[Jj]r|[Aa]venue|"
    r"ул|улица|пр|пр-т|просп|проспект|пер|переулок|наб|пл|б-р|бульвар|ш|шоссе|[Tt]riq)")
# street types written after the name, on their own: "Kings Road", "Váci út", "Brīvības iela"
_DIRECTION = r"(?:\s(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\b)?"
# English street types that say "street" on their own ("12 Kings Road") ...
_TYPE_STRONG = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Laneway|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|"
    r"Terrace|Tce|Close|Crescent|Cres|Parkway|Pkwy|Highway|Hwy|Freeway|Fwy|Expressway|Expy|"
    r"Turnpike|Tpke|Square|Sq|Circle|Cir|Plaza|Plz|Trail|Trl|Mews|Gardens|Gdns|Parade|Pde|"
    r"Esplanade|Promenade|Boulevard|Avenue|Alley|Aly|Causeway|Cswy|Motorway|Stravenue|"
    r"Throughway|Trafficway|Thoroughfare)\.?(?![\w'’])" + _DIRECTION)
# ... and the ones that are ordinary words too ("Mill", "Light", "Run"): an address only
# with a town or postcode after them
_TYPE_WEAK = (
    r"(?:Way|Wy|Path|Pike|Row|Walk|Grove|Gr|Green|Rise|Vale|Quay|Wharf|Yard|Wynd|Chase|Drove|"
    r"Hill|Hills|Heights|Hts|View|Views|Vista|Park|Parks|Ridge|Ridges|Point|Points|Crossing|"
    r"Crossroads?|Junction|Loop|Run|Trace|Track|Arcade|Bend|Bluffs?|Bypass|Center|Centre|"
    r"Common|Commons|Corners?|Course|Cove|Creek|Crest|Curve|Dale|Dam|Divide|Estates?|"
    r"Extensions?|Falls|Ferry|Fields?|Flats?|Fords?|Forest|Forges?|Forks?|Fort|Gardens?|"
    r"Gateway|Glens?|Greens|Groves|Harbou?rs?|Haven|Hollow|Inlet|Islands?|Isle|Keys?|Knolls?|"
    r"Lakes?|Land|Landing|Lights?|Locks?|Lodge|Mall|Manors?|Meadows?|Mills?|Mission|Mount|"
    r"Mountains?|Neck|Orchard|Oval|Overpass|Pass|Passage|Pines?|Plains?|Ports?|Prairie|Radial|"
    r"Ramp|Ranch|Rapids?|Rest|River|Route|Shoals?|Shores?|Skyway|Springs?|Spurs?|Squares|"
    r"Station|Stream|Summit|Tunnel|Underpass|Unions?|Valleys?|Viaduct|Villages?|Ville|Walks|"
    r"Wall|Ways|Wells?|Triangle|Approach|Broadway|Concourse|Dell|Grange|Retreat|Burgs?|Bayou|"
    r"Beach|Bottom|Branch|Bridge|Brooks?|Camp|Canyon|Cape|Cliffs?|Club|Loaf|Trailer)"
    r"(?![\w'’])" + _DIRECTION)
# a name that ends in a street type is a street: "Moshoeshoe Rd", "Oginga Odinga St"
STREET_END = re.compile(rf"\s(?:{_TYPE_STRONG})$")
_TYPE_AFTER_EU = (
    r"(?:Straße|Strasse|Str\.|Weg|Gasse|Allee|Platz|Damm|Ufer|Steig|Pfad|Chaussee|Markt|"
    r"straat|laan|weg|plein|gracht|kade|singel|dijk|Gade|gade|Vej|vej|Allé|allé|Stræde|stræde|"
    r"Torv|torv|Plads|plads|gata|gatan|vägen|Vägen|veien|vegen|gate|Gata|gränd|torget|"
    r"katu|tie|kuja|polku|väylä|tori|kaari|rinne|utca|út|tér|körút|köz|sor|sétány|rakpart|"
    r"ulice|třída|nábřeží|náměstí|ulica|cesta|trg|námestie|nábrežie|iela|bulvāris|prospekts|"
    r"tn|tänav|mnt|maantee|pst|puiestee|g\.|gatvė|pr\.|al\.|Cad\.|Caddesi|Cd\.|Sokak|Sok\.|"
    r"Sk\.|Bulvarı|Blv\.|Mahallesi|Mah\.|vegur|stígur|braut|gata|Odos|odos|ulitsa|prospekt|"
    r"St\.|Street|Rd\.|Road|Ave\.|Avenue|Blvd\.)"
    r"(?![\w'’])")
# street types that end a word: "Bahnhofstrasse", "Kerkstraat", "Skolvägen", "Mannerheimintie"
_COMPOUND = (
    r"(?:straße|strasse|str\.|weg|gasse|allee|platz|damm|ufer|steig|pfad|chaussee|markt|"
    r"straat|laan|plein|gracht|kade|singel|dijk|hof|vej|gade|gata|gatan|vägen|veien|vegen|"
    r"gränd|torget|stræde|torv|plads|allé|katu|tie|kuja|polku|väylä|tori|kaari|rinne|"
    r"stígur|vegur|braut|gata)")
_COMPOUND_WORD = rf"{_UPC}{_LOW}{{2,}}?{_COMPOUND}(?![\w'’])"
_NOT_STREET = (r"(?!(?:Press|Line|Station|Cell|Bay|Dock|Zone|Hall|Gate|Unit|Lot|Batch|Room|Ward|Bed|"
               r"Aisle|Till|Shift|Lane|Robot|Oven|Tank|Pump|Motor|Conveyor|Store|Shop|Bin|Rack|"
               r"Level|Floor|Building|Block|Area|Door|Dock|Bus|Route|Platform|Terminal|Hangar|"
               r"Cabinet|Locker|Box|Phase|Stage|Step|Page|Section|Chapter|Version|Release|Floor)\b)")
# lower-case words inside a street name are particles or non-English words ("Šumski prečac")
_MID_LOW = (r"(?!(?:from|to|at|in|on|for|by|with|and|or|of|the|a|an|is|was|near|via|ship|deliver|"
            r"sent|send|move|moved|lives|living|live|address|street|road|house|number|no|room|"
            r"bed|flat|unit|line|station|gate|shift|ward|door|after|before|since|until|about|"
            r"born|id|tel|phone|mobile|card|ref)\b)[a-zà-ÿā-ž]+")

# "send the P60 to …", "visit for X at …", "lives at …": what follows, up to a postcode, is
# an address in whatever national form ("H.No. 961, Sarraf Chowk, Ramagundam-352071")
_SENT_TO = re.compile(
    r"(?i)(?:\b(?:send|sent|ship|shipped|deliver|delivered|post|posted|mail|mailed|forward|"
    r"forwarded|return|returned)\b[^.;:\n]{0,30}?\bto|\bvisit\b[^.;:\n]{0,40}?\bat|"
    # "Home delivery for Ana Pop, born 3.2.1979 (age check), to Flat 10, ..."
    r"\bdeliver(?:y|ies|ing)\b(?:[^.;:\n]|\.(?=\d)){0,80}?,\s+to|\bdelivery\s+to|"
    r"\b(?:lives|living|resides|residing|moved|relocated)\s+(?:at|to)|"
    r"\bwohnhaft(?:\s+in)?|\bnobody\s+home\s+at|\bdischarged\s+to|"
    r"\bhome(?=\s+(?:\d|Flat\b|Unit\b|Villa\b|Apt\b|Apartment\b|House\b|No\.))|"
    r"\b(?:collect(?:ed)?|pick(?:ed)?\s+up|fetch(?:ed)?)\b[^.;:\n]{0,40}?\bfrom|"
    r"\b(?:delivery\s+note|parcel|package)\s*:\s*to|"
    r"\b(?:morada|adresse|anschrift|direcci[oó]n|indirizzo|adres|địa chỉ)\s*:?|"
    r"\b(?:home|postal|delivery|billing)?\s*address\s*(?:is|:))\s+")
_CUED_ADDRESS = re.compile(
    r"[^\s,;:]+(?:[ ][^\s,;:]+){0,6}(?:\s?(?:,|\n)\s*[^,;:\n]{2,45}?){0,5}?"
    r"(?:[ ,-]\s*(?:[A-Z]{1,4}[ -]?)?\d{4,6}(?:-\d{3,4})?|[ ,]\s*\d{3}\s\d{2}|[ ,]\s*[A-Z]{2}-\d{3}|"
    r"\s+[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}|"
    r",?\s*(?:Postal Code|Postcode|Post Code|PLZ|CEP|ZIP(?: Code)?)\s*:?\s*\d{4,10}(?:-\d{3,5})?)"
    r"(?:\s+[A-Z][\w'’-]+(?:\s*/\s*[A-Z]{2})?)?(?![\w-])")


# With no postcode ("Villa 26, Street 33, Al Barsha 2, Dubai", "Flat D, 9/F, Tai Koo Shing
# Block 11, Sha Tin, Hong Kong"): a unit word or a house number, then at least two more
# comma-separated parts, up to the end of the clause.
# the next field of a form, which ends an address with no postcode
_FIELD_WORD = (r"(?i:phone|tel|telefon|email|e-mail|mob|mobile|contact|konto|iban|account|"
               r"pesel|id|ni|dob|born|reembolso|refund|sđt)\b")
_CUED_NO_POSTCODE = re.compile(
    r"(?<![\w-])(?:(?:Flat|Villa|Apartment|Apt|Unit|Suite|House|Block|Room|Plot|Holding|Plot|"
    r"Lot|Door|Shop|Office|Floor|Level|Số|No|Nº|N°|Stand|Kebele|District|Zone|Sector)\b\.?"
    r"(?:\s+No\.?)?\s*[\w/-]{1,6}|"
    r"\d{1,5}[A-Za-z]?(?:/\d{1,4})?)(?:\s+[\w'’.-]+){0,4}"
    r"(?:,\s*(?!" + _FIELD_WORD + r")[\w/'’.-]+(?:\s+[\w/'’.-]+){0,5}){2,6}"
    r"(?=\s*(?:[.;!?\n(]|$)|\s+(?:instead|for|and|by|on|before|after|until|please)\b|"
    r",\s+" + _FIELD_WORD + ")")


@dataclass(frozen=True)
class _CuedAddressRule(Rule):
    """An address right after a sending or visiting cue, ending at a postcode, or at the
    end of the clause when it starts with a unit word or a house number."""

    def find(self, text: str, scan: Scan | None = None) -> Iterable[Entity]:
        for cue in _SENT_TO.finditer(text):
            span = address_at(text, cue.end(), skip=60) or clause_address(text, cue.end())
            if span is not None:
                yield Entity(self.type, *span, text[span[0]:span[1]], self.score, self.name)


def address_at(text: str, pos: int, skip: int = 0) -> tuple[int, int] | None:
    """The address that starts at ``pos`` (or, with no postcode, within ``skip``
    characters of it): up to a postcode, or to the end of the clause when it opens with
    a unit word or a house number."""
    spans = []
    m = _CUED_ADDRESS.match(text, pos)
    if m is not None and m.end() - m.start() <= 120:
        spans.append(m.span())
    m = _CUED_NO_POSTCODE.search(text, pos, min(len(text), pos + 200))
    if m is not None and m.start() - pos <= skip and m.end() - m.start() <= 120:
        spans.append(m.span())
    if not spans:
        return None
    # the postcode form first; the clause form when it reads further ("Stand 2526, Unit O,
    # Chitungwiza": "2526" is the plot, not a postcode)
    start, end = max(spans, key=lambda sp: (sp[1] - sp[0] > 20, sp == spans[0], sp[1] - sp[0]))
    if text[start:end].endswith(".") and text[end:end + 1] in ("", " ", "\n"):
        end -= 1  # the full stop ends the sentence
    if sum(c.isalpha() for c in text[start:end]) < 6:
        return None
    return start, end


# the eleventh field of an HL7 v2 PID segment is the patient's address
_HL7_ADDRESS = re.compile(r"\bPID\|(?:[^|\n]*\|){10}([^|\n]{6,160})")


# the word for "address" in the languages of the sites served
_LABEL = re.compile(
    r"(?i)\b(?:(?:home|postal|delivery|billing|street|residential|mailing|shipping)\s+)?"
    r"(?:address|adres|adresse|adresa|adresas|adrese|aadress|anschrift|wohnort|direcci[oó]n|"
    r"indirizzo|morada|endereço|adreça|địa chỉ|domicilio|domicili[ée]e?|wohnhaft(?:\s+in)?|"
    r"pick-?up|ship-?to|village|helbidea|osoite|cím|adiresy|anwani|ikheli|cyfeiriad|seoladh|"
    r"alamat|tirahan|heimilisfang|bústaður|adressa|adresi)\b\s*"
    r"(?::|=|is\b|at\b|from\b|to\b)?\s*|"
    r"(?:نشانی|آدرس|العنوان|عنوان|адрес(?:\s+доставки)?|адреса|διεύθυνση|כתובת(?:\s+למשלוח)?|"
    r"ที่อยู่|住所|地址|주소|पता|ঠিকানা)\s*[:：]?\s*")
_LABELLED_VALUE = re.compile(
    r"[^\s,;:(][^\n;()]{5,118}?"
    r"(?=\s*(?:[;\n(]|$|\s[-–—]\s|\s(?:for|instead|until|before|after|please|by)\s|\.(?:\s+[A-Z][a-z]+(?::|[\s:,]+[^A-Z\s])|\s*$)|[,،]\s*(?i:Konto|PESEL|NI\b|"
    r"ID\b|e-?mail|tel\b|telefon|phone|mob\b|mobile|contact|born|DOB|reembolso|refund|IBAN|"
    r"account|bank|SĐT|email|device|card|IP\b|order|invoice|заказ|тел)))")


@dataclass(frozen=True)
class _LabelledAddressRule(Rule):
    """The value after an address label ("Home address: ...", "adres ...", "wohnhaft
    ..."), to the end of the clause: two parts and a number, or three parts, each
    opening with a capital or a number ("Pick-up: Vaitele-uta, Upolu, Samoa")."""

    def find(self, text: str, scan: Scan | None = None) -> Iterable[Entity]:
        for label in _LABEL.finditer(text):
            span = clause_address(text, label.end())
            if span is not None:
                yield Entity(self.type, *span, text[span[0]:span[1]], self.score, self.name)


def clause_address(text: str, pos: int) -> tuple[int, int] | None:
    """The address that fills the clause from ``pos``, in any national form: two
    comma-separated parts and a number, or three parts, each opening with a capital or a
    number ("Moshoeshoe Rd, Maseru 100, Lesotho", "Vaitele-uta, Upolu, Samoa")."""
    m = _LABELLED_VALUE.match(text, pos)
    if m is None:
        return None
    value = m.group().rstrip(" ,.")
    words = value.split(" ")
    while len(words) > 1 and words[-1][:1].islower():
        words.pop()  # "..., Maseru 100, Lesotho please": the clause goes on past the address
    value = " ".join(words).rstrip(" ,.")
    parts = re.split(r"\s*[,،]\s*", value)
    numbered = any(c.isdigit() for c in value)
    if (len(parts) >= (2 if numbered else 3) and sum(c.isalpha() for c in value) >= 6
            and not any(p[:1].islower() for p in parts)):
        return m.start(), m.start() + len(value)
    return None


ADDRESS_RULES: tuple[Rule, ...] = (
    Rule("addr_hl7_pid", DataClass.ADDRESS, _HL7_ADDRESS, group=1, score=0.9),
    _LabelledAddressRule("addr_labelled", DataClass.ADDRESS, _LABEL, score=0.6),
    _CuedAddressRule("addr_cued", DataClass.ADDRESS, _SENT_TO, score=0.6),  # (its cues)
    # "17 O'Rafferty Street", "2200 N Commerce Pkwy, Suite 300, Weston, FL 33326"
    Rule("addr_number_first", DataClass.ADDRESS,
         re.compile(rf"(?<![\w.,:/-])\d{{1,5}}[A-Za-z]?,?\s+(?:(?:N|S|E|W|NE|NW|SE|SW)\.?\s+)?"
                    rf"(?:{_WORD}\s+){{1,4}}{_TYPE_STRONG}{_UNIT}{_TAIL}")),
    # "743 Rachel Burgs, North Debratown, FM 50466": an ordinary word as the type, then a town
    Rule("addr_number_first_town", DataClass.ADDRESS,
         re.compile(rf"(?<![\w.,:/-])\d{{1,5}}[A-Za-z]?,?\s+(?:(?:N|S|E|W|NE|NW|SE|SW)\.?\s+)?"
                    rf"(?:{_WORD}\s+){{1,4}}{_TYPE_WEAK}{_UNIT}"
                    rf"(?:,\s*{_PART}|\s+{_POSTCODE}(?=\s)){_TAIL}")),
    # "Rue de la Paix 4", "C/ Mayor 110, 3º B, 28053 Madrid", "vul. Sadova 13, Kyiv 02996"
    Rule("addr_type_first", DataClass.ADDRESS,
         re.compile(rf"(?<![\w'’])(?:{_TYPE_BEFORE})\.?\s*(?:{_PARTICLE}\s+){{0,3}}{_NAME},?\s+{_HOUSE}"
                    rf"{_UNIT}{_TAIL}")),
    # "Atatürk Cad. No: 15", "Váci út 12", "Brīvības iela 40-12", "Narva mnt 7"
    Rule("addr_type_after", DataClass.ADDRESS,
         re.compile(rf"\b{_NOT_STREET}{_NAME}\s+{_TYPE_AFTER_EU},?\s+{_HOUSE}{_UNIT}{_TAIL}")),
    # "Bahnhofstrasse 10", "Dampfærgevej 77, 7170 Almind", "Iestie 080"
    Rule("addr_compound", DataClass.ADDRESS,
         re.compile(rf"\b(?:{_NAME}\s+)?{_COMPOUND_WORD},?\s+{_HOUSE}{_UNIT}{_TAIL}")),
    # "Ermou 174, 158 49 Athens", "Šumski prečac 837, 83533 Vukovar": name, number, postcode, town
    Rule("addr_postal", DataClass.ADDRESS,
         re.compile(rf"\b{_NOT_STREET}{_WORD}(?:\s+(?:{_WORD}|{_PARTICLE}(?=\s)|{_MID_LOW})){{0,3}}"
                    rf"[ \t]+{_HOUSE}{_UNIT}{_POSTAL_TAIL}{_TAIL}")),
    # Korean and Japanese forms: "439 Olympic-ro, Gangnam-gu, Seoul 09516",
    # "4-4-6 Shiba, Minato-ku, Tokyo 105-6998": a number, a road or block, a district
    Rule("addr_east_asia", DataClass.ADDRESS,
         re.compile(r"(?<![\w.,:/-])\d{1,5}(?:-\d{1,4}){0,2}\s+[A-Z][\w'’]*(?:-(?:ro|gil|daero|dong|"
                    r"cho|machi|dori))?(?:\s+\d{1,3}(?:-gil)?)?,\s*[A-Z][\w'’]*-(?:gu|ku|si|shi|gun|"
                    r"ward|cho)\b(?:,\s*[A-Z][\w'’]+(?:[ -][A-Z][\w'’]+)?(?:\s+\d{3}-?\d{2,4})?)?")),
    # "PO Box 4471, Boise, ID 83702", "Postfach 10 20 30, 80001 München"
    Rule("addr_po_box", DataClass.ADDRESS,
         re.compile(rf"\b(?:P\.?\s?O\.?\s?B(?:ox|\.)|Post Office Box|Postfach|Boîte Postale|BP|"
                    rf"Apartado|"
                    rf"Casella Postale|Skrytka pocztowa|Box)\s+\d[\d -]{{0,12}}\d?(?:,\s*{_PART}){{1,3}}")),
    # "Unit 7, Hareness Road Industrial Estate, Aberdeen AB12 3LE", "Flat 3, 12 Kings Road"
    Rule("addr_unit_first", DataClass.ADDRESS,
         re.compile(rf"\b(?:Unit|Flat|Apartment|Apt|Suite|Building|Bldg|Level|House)\.?\s+\d{{1,4}}[A-Za-z]?,\s+"
                    rf"(?:\d{{1,5}}[A-Za-z]?\s+)?(?:{_WORD}\s+){{1,5}}(?:{_TYPE_STRONG}|{_TYPE_WEAK})"
                    rf"(?:\s+(?:{_TYPE_STRONG}|{_TYPE_WEAK}))?{_TAIL}")),
)
