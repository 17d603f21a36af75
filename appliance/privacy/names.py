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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from appliance.privacy.entities import DataClass, Entity

LEXICON = Path(__file__).with_name("lexicon.toml")

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]{2,}|-[^\W\d_]+)*\.?")
_PARTICLES = frozenset({
    "van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "le", "la", "bin", "ibn",
    "al", "ter", "ten", "dos", "das", "y", "zu", "af",
})
_TITLES = (r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Sr|Sra|Srta|Mme|Mlle|Pan|Pani|Sig|Signora|"
           r"Signor|Dott|Ing|Mgr|Nurse|Sister|Brother|Sir|Dame|Lord|Lady|Capt|Sgt|GP|Dr\.med")
_ROLES = (r"patient|operator|technician|tech|driver|supervisor|foreman|forewoman|manager|"
          r"inspector|worker|employee|colleague|nurse|doctor|physician|surgeon|customer|cashier|"
          r"clerk|pharmacist|engineer|electrician|mechanic|welder|fitter|contractor|visitor|"
          r"guard|agent|shopper|client|resident|caller|member|associate|lead|intern|apprentice")
_CUE_BEFORE_STRONG = re.compile(
    rf"(?:\b(?:{_TITLES})\.?|\b(?:{_ROLES})|\b(?:reported|signed|approved|checked|"
    rf"confirmed|entered|raised|logged|called|collected|served|seen|treated|helped|escalated|"
    rf"assisted|found|handled|replaced|cleaned|cleared|fixed|reset|done)\s+by|\b(?:name|named|contact|attn|cc|"
    rf"ask|call|tell|page|dear|hi|hello|thanks|thank you|per|from|for|with|by|to|and|or|"
    rf"copy|cc|bcc|loop in|include|invite|remind|notify|owner|"
    rf"via|spoke to|talk to|inform|notify|ping|email|text|assign(?:ed)? to|ask for|"
    rf"met|visited|told|asked|sees?|saw)\b)\s*[:,.;-]?\s*$", re.IGNORECASE)
_TITLE_OR_ROLE = re.compile(rf"\b(?:{_TITLES}|{_ROLES})\.?\s*[:,]?\s*$", re.IGNORECASE)
_COMPANY_WORDS = (r"GmbH|AG|KG|SE|Ltd|Limited|Inc|LLC|LLP|plc|Corp|Co|SA|S\.A\.|SpA|S\.p\.A\.|Srl|"
                  r"BV|B\.V\.|NV|N\.V\.|AB|Oy|A/S|Group|Holding|Industries|Logistics|Solutions|"
                  r"Systems")
_COMPANY = re.compile(rf"\s+(?:&\s*\w+\s+)?(?:{_COMPANY_WORDS})(?![\w/])")
_COMPANY_TOKEN = re.compile(rf"(?:{_COMPANY_WORDS})$")
_CUE_AFTER = re.compile(
    r"^\s*(?:\(|,\s*(?:badge|ext|phone|tel|mobile|mrn|dob|born|age|aged|employee|id|from|"
    r"our|the|who|a|an|\d)|['’]s\b|\s(?:\(?badge|ext|phone|tel|mrn|dob|born|aged?|"
    r"reports?|reported|said|says|called|calls|put|puts|reset|resets|noticed|notices|found|"
    r"finds|asked|asks|wants|needs|is|was|has|had|will|would|can|could|did|does|should|"
    r"arrived|left|complained|complains|fell|slipped|returned|bought|paid|ordered|requested|"
    r"requests|confirmed|confirms|checked|checks|signed|took|takes|came|came|went|saw|sees|"
    r"hurt|cut|injured|felt|feels|stated|states|mentioned|noted|notes|logged|logs|"
    r"replaced|cleaned|fixed|refused|tried|tries|started|stopped|opened|closed|needs|covers|"
    r"covered|does|works|worked|swapped|takes|joined|leaves|starts|finishes|handles|handled|"
    r"agreed|approved|wrote|writes|sent|sends|emailed|phoned|rang|visited|signed|arrives|"
    r"collected|picked|dropped|drove|drives|knows|thinks|thought|told|tells)\b)",
    re.IGNORECASE)
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
tel mobile email mail card account order invoice refund return price sale sales model part
send check see notify inform remind ping text message meet invite thank welcome warn copy cc
tell give show let get make take bring keep use
serial firmware version device system server network admin user guest wifi password key token
"""))


@dataclass(frozen=True)
class Lexicon:
    """The word lists the detector reads (see ``scripts/bench/build_name_lexicon.py``)."""

    first: frozenset[str]
    last: frozenset[str]
    ambiguous: frozenset[str]
    vocab: frozenset[str]


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON) -> Lexicon:
    """Return the parsed lexicon (cached); raise OSError/TOMLDecodeError if unreadable."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return Lexicon(frozenset(data["first"]), frozenset(data["last"]),
                   frozenset(data["ambiguous"]), frozenset(data["vocab"]))


class NameDetector:
    """Find person names in text with the lexicon and cue words."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lex = lexicon or load_lexicon()

    def _kind(self, token: str) -> str:
        word = token.rstrip(".")
        lower = word.lower()
        if len(word) == 1:
            return "initial" if word.isupper() and token.endswith(".") else "stop"
        if lower in _STOP:
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
        if lower in self.lex.vocab:
            return "vocab"
        return "unknown"

    def find(self, text: str) -> list[Entity]:
        """Return PERSON entities found in ``text``."""
        found: list[Entity] = []
        run: list[tuple[int, int, str]] = []

        def flush() -> None:
            if run:
                found.extend(self._judge(text, run))
                run.clear()

        prev_end = -1
        for m in _TOKEN.finditer(text):
            token = m.group()
            start, end = m.start(), m.end()
            if token.endswith(".") and len(token) > 2:
                end -= 1  # sentence full stop, not part of the name
            is_cap = token[0].isupper()
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
        return found

    def _judge(self, text: str, run: list[tuple[int, int, str]]) -> list[Entity]:
        # split at ordinary words; keep a vocabulary word right after a first name
        groups: list[list[tuple[int, int, str]]] = [[]]
        for i, (t_start, t_end, t_kind) in enumerate(run):
            kind = t_kind
            before_tok = text[max(0, t_start - 30):t_start]
            if kind in ("vocab", "amb") and _TITLE_OR_ROLE.search(before_tok):
                kind = "cued"  # "Cashier Musa", "Dr House": a title or role names the next word
            elif kind == "vocab" and i + 1 < len(run) and run[i + 1][2] in ("unknown", "last"):
                kind = "cued"  # "Violet Kolehmainen": a word as a first name before a surname
            tok = (t_start, t_end, kind)
            prev = groups[-1][-1][2] if groups[-1] else ""
            if kind == "stop" or (kind == "vocab" and prev not in ("first", "initial", "unknown",
                                                                     "cued")):
                groups.append([])
            else:
                groups[-1].append(tok)
        out = []
        for group in groups:
            while group and group[-1][2] == "particle":
                group.pop()
            while group and group[0][2] == "particle":
                group.pop(0)
            if group:
                ent = self._score(text, group)
                if ent is not None:
                    out.append(ent)
        return out

    def _score(self, text: str, group: list[tuple[int, int, str]]) -> Entity | None:
        start, end = group[0][0], group[-1][1]
        if _COMPANY.match(text, end) or any(
                _COMPANY_TOKEN.match(text[a:b]) for a, b, _ in group):
            return None  # "Brandt GmbH", "Novak & Sons Ltd"
        kinds = [k for _, _, k in group if k != "particle"]
        before = text[max(0, start - 30):start]
        after = text[end:end + 20]
        cue_before = bool(_CUE_BEFORE_STRONG.search(before))
        cue_after = bool(_CUE_AFTER.match(after))
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
            if kind == "first":
                score = 0.8
            elif kind in ("last", "unknown") and (cue_before or cue_after):
                score = 0.7 if kind == "last" else 0.6
            elif kind == "cued":
                score = 0.5
            elif kind == "amb" and (cue_before or cue_after):
                score = 0.5  # "agreed by Potter", "Snow says": a listed name that is also a word
            elif kind == "vocab" and cue_before and cue_after:
                score = 0.4  # "parts for Grit arrived": a word used as a name, cued on both sides
            else:
                return None
        return Entity(DataClass.PERSON, start, end, text[start:end], score, "names")
