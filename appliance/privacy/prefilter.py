"""Literal prefilters for regular expressions: skip a rule whose words are not in the text.

Python's ``re`` finds no literal to jump to in a pattern such as
``(?i)\\b(?:password|passwd|pwd)\\s*[:=]``: it tries the whole pattern at every position
of every text. Most texts hold none of a rule's words, so most of that work finds
nothing. :func:`needles` reads a compiled pattern's syntax tree and returns strings of
which every match must contain at least one (here ``pass`` and ``pwd``); when none of
them is in the case-folded text, the pattern cannot match and is not run.

The needles are derived, never written by hand, so they cannot drift from the
pattern. Matching is compared after :func:`fold`, which maps every character that
``re``'s case-insensitive mode equates with an ASCII character onto it, so a needle is
found whatever the case of the text and whether or not the pattern ignores case.

:func:`first_letters` reads the same syntax tree for the letters a pattern's matches can
begin with; the health lexicon files its terms under them. Only this module touches
``re``'s parser.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_MAX_EXACT = 64  # alternatives kept while concatenating exact strings
_Exact = frozenset[str] | None


def fold(text: str) -> str:
    """Case-fold ``text`` the way needles are compared (``re`` also equates ``ı`` and ``i``)."""
    return text.casefold().replace("ı", "i")


def needles(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Return strings one of which every match of ``pattern`` contains (folded), or
    ``None`` when the pattern can match without any fixed literal."""
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError):  # pragma: no cover - the pattern compiled already
        return None
    exact, contains = _seq(list(tree))
    best = exact if exact is not None and "" not in exact else contains
    if best is None or "" in best:
        return None
    # a needle that holds another is redundant: a text with it holds the shorter one too
    kept = [w for w in best if not any(o != w and o in w for o in best)]
    return tuple(sorted(kept, key=lambda s: (-len(s), s)))


def trie_pattern(words: tuple[str, ...]) -> str:
    """A pattern that finds any of ``words``, as a trie: ``pass|passwd|pwd`` becomes
    ``p(?:ass|wd)``. A word that has a shorter one as its prefix is dropped (finding
    the shorter one is enough)."""
    trie: dict[str, dict[str, Any]] = {}
    for word in sorted(set(words), key=len):
        node = trie
        for ch in word:
            if "" in node:
                break  # a prefix of this word is a word already
            node = node.setdefault(ch, {})
        else:
            node.clear()
            node[""] = {}
    return _trie_branch(trie)


class NeedleIndex:
    """Every rule's needles in one trie, searched once per text: the set of needles the
    folded text holds. A rule then asks the set instead of searching the text again.

    The trie is tried at every position (in a lookahead, so matches may overlap) and
    prefers the longest needle there; the needles that are prefixes of it are present
    too, so the set is exactly the needles ``in`` the text."""

    __slots__ = ("_prefixes", "_regex", "words")

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        trie: dict[str, dict[str, Any]] = {}
        for word in words:
            node = trie
            for ch in word:
                node = node.setdefault(ch, {})
            node[""] = {}
        self._regex = re.compile(f"(?=({_longest_branch(trie)}))") if words else None
        self._prefixes = {w: tuple(w[:i] for i in range(1, len(w) + 1) if w[:i] in words)
                          for w in words}

    def present(self, folded: str) -> frozenset[str]:
        """The needles ``folded`` holds."""
        if self._regex is None:
            return frozenset()
        held: set[str] = set()
        for m in self._regex.finditer(folded):
            held.update(self._prefixes[m.group(1)])
        return frozenset(held)


def _longest_branch(node: dict[str, dict[str, Any]]) -> str:
    # like _trie_branch, but a word's longer extensions are tried first (greedy "?")
    children = [(ch, child) for ch, child in sorted(node.items()) if ch]
    if not children:
        return ""
    alts = [re.escape(ch) + _longest_branch(child) for ch, child in children]
    inner = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{inner})?" if "" in node else inner


def _trie_branch(node: dict[str, dict[str, Any]]) -> str:
    if "" in node:
        return ""
    alts = [re.escape(ch) + _trie_branch(child) for ch, child in sorted(node.items())]
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _char(code: int) -> str | None:
    """The folded character of a literal, or ``None`` when it folds to more than one
    character (``ß``). (The tests check that every case-insensitive partner ``re`` knows
    of each character the detector's needles hold folds onto it.)"""
    ch = chr(code)
    folded = fold(ch)
    return folded if len(folded) == 1 else None


_REPEATS = tuple(getattr(sre, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(sre, n))
_ATOMIC = getattr(sre, "ATOMIC_GROUP", None)


def _item(op: Any, av: Any) -> tuple[_Exact, _Exact]:
    """(exact, contains) of one node: ``exact`` is the set of strings it matches when
    that set is small and known, ``contains`` strings one of which its match holds."""
    if op is sre.LITERAL:
        ch = _char(av)
        return (frozenset({ch}), None) if ch is not None else (None, None)
    if op is sre.IN:
        chars = set()
        for kind, value in av:
            ch = _char(value) if kind is sre.LITERAL else None
            if ch is None:
                return None, None
            chars.add(ch)
        return (frozenset(chars), None) if len(chars) <= 4 else (None, None)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return frozenset({""}), None  # zero width: adds nothing to the match
    if op is sre.SUBPATTERN:
        return _seq(list(av[-1]))
    if _ATOMIC is not None and op is _ATOMIC:
        return _seq(list(av))
    if op is sre.BRANCH:
        return _branch([_seq(list(alt)) for alt in av[1]])
    if op in _REPEATS:
        low, high, body = av
        exact, cont = _seq(list(body))
        if low == 0:
            return (exact | {""}, None) if high == 1 and exact is not None else (None, None)
        if low == high == 1:
            return exact, cont
        return None, exact if exact is not None else cont
    return None, None  # any character, classes, back references: no literal known


def _branch(alts: list[tuple[_Exact, _Exact]]) -> tuple[_Exact, _Exact]:
    exacts = [e for e, _ in alts if e is not None]
    if len(exacts) == len(alts):
        union = frozenset().union(*exacts)
        if len(union) <= _MAX_EXACT:
            return union, None
    contains: set[str] = set()
    for exact, cont in alts:
        got = exact if exact is not None else cont
        if got is None or "" in got:
            return None, None  # this alternative can match without a needle
        contains |= got
    return None, frozenset(contains)


def _best(a: _Exact, b: _Exact) -> _Exact:
    """The more selective of two needle sets (longest shortest needle, then fewest)."""
    usable = [s for s in (a, b) if s is not None and "" not in s]
    return max(usable, key=lambda s: (min(map(len, s)), -len(s))) if usable else None


def _seq(items: list[tuple[Any, Any]]) -> tuple[_Exact, _Exact]:
    """(exact, contains) of a sequence: runs of exact nodes are concatenated."""
    run: frozenset[str] = frozenset({""})
    best: _Exact = None
    all_exact = True
    for op, av in items:
        exact, cont = _item(op, av)
        if exact is not None and len(run) * len(exact) <= _MAX_EXACT:
            run = frozenset(a + b for a in run for b in exact)
            continue
        best = _best(best, run)
        if exact is not None:  # too many alternatives: close the run, start a new one
            run = exact
            all_exact = False
            continue
        all_exact = False
        best = _best(best, cont)
        run = frozenset({""})
    best = _best(best, run)
    return (run if all_exact else None), best


def first_letters(pattern: str) -> set[str] | None:
    """The letters (lower case) a match of the case-insensitive ``pattern`` can begin
    with, or ``None`` when it can begin with something else (a digit, any word
    character) or match the empty string."""
    return _seq_first(list(sre_parse.parse(pattern, re.IGNORECASE)))


def _seq_first(items: list[tuple[Any, Any]]) -> set[str] | None:
    out: set[str] = set()
    for op, av in items:
        first, may_be_empty = _node_first(op, av)
        if first is None:
            return None
        out |= first
        if not may_be_empty:
            return out
    return None  # the whole pattern may match the empty string


def _node_first(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    if op is sre.LITERAL:
        ch = chr(av)
        return ({ch.lower()} if ch.isalpha() and len(ch.upper()) == 1 else None), False
    if op is sre.SUBPATTERN:
        return _seq_first(list(av[-1])), False
    if op is sre.BRANCH:
        alts = [_seq_first(list(alt)) for alt in av[1]]
        if any(a is None for a in alts):
            return None, False
        return set().union(*[a for a in alts if a is not None]), False
    if op in _REPEATS:
        return _seq_first(list(av[2])), av[0] == 0
    return None, False
