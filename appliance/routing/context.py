"""Context management before anything leaves: count, de-duplicate, compress, trim.

Token counts come from a tokenizer callable (the local model's
``count_tokens``). :func:`prepare_context` drops tool outputs that repeat a
later one, compresses long logs and sensor histories extractively (keeping
head, tail, and the lines and windows that carry an anomaly: error words or
numeric outliers), then trims to the budget keeping every system message and
the most recent turns; older turns are summarized by an optional callable or
replaced by a note. It reports the compression ratio.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from appliance.routing.settings import ContextConfig

Message = dict[str, Any]
TokenCounter = Callable[[str], int]
Summarizer = Callable[[str], str]

MESSAGE_OVERHEAD_TOKENS = 4
NOTE_TOKENS = 32
SUMMARY_TOKENS = 256

_ANOMALY_WORDS = re.compile(
    r"\b(error|err|warn(ing)?|fail(ed|ure)?|fault\w*|alarm\w*|critical|crit|exception|trip(ped)?|"
    r"overheat\w*|over-?temp\w*|timeout|timed out|denied|panic|abort(ed)?|stall(ed)?|leak\w*|"
    r"anomal\w*|out of range|exceed\w*|emergency|e-?stop|traceback|fatal|stuck)\b",
    re.IGNORECASE,
)
# key=value or key: value, the key with at least two letters (so "T10:05" is not a series)
_KV_NUMBER = re.compile(r"(?<![\w.-])([A-Za-z_]{2,}[\w.]*)\s*[=:]\s*(-?\d+(?:\.\d+)?)")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def approx_tokens(text: str) -> int:
    """Return a rough token count (4 characters a token); only for when no tokenizer exists."""
    return max(1, (len(text) + 3) // 4) if text else 0


@dataclass(frozen=True)
class ContextResult:
    """The prepared messages and what preparing them did."""

    messages: list[Message]
    tokens_before: int
    tokens_after: int
    dropped_turns: int
    duplicate_tool_outputs: int
    compressed_blocks: int

    @property
    def ratio(self) -> float:
        """Return tokens before / tokens after (1.0 when nothing changed)."""
        return self.tokens_before / self.tokens_after if self.tokens_after else 1.0


def content_text(message: Message) -> str:
    """Return the text of a message whose content is a string or a list of text parts."""
    content = message.get("content")
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content)


def count_messages(messages: Sequence[Message], count: TokenCounter) -> int:
    """Return the token count of ``messages`` including a small per-message overhead."""
    return sum(count(content_text(m)) + MESSAGE_OVERHEAD_TOKENS for m in messages)


def _with_content(message: Message, text: str) -> Message:
    out = dict(message)
    out["content"] = text
    return out


def drop_duplicate_tool_outputs(messages: Sequence[Message]) -> tuple[list[Message], int]:
    """Replace each tool output that a later tool output repeats by a short note.

    The latest copy is kept (it is nearest the question). Returns the messages
    and how many were replaced.
    """
    latest: dict[str, int] = {}
    for i, m in enumerate(messages):
        if m.get("role") in ("tool", "function"):
            latest[_digest(content_text(m))] = i
    out: list[Message] = []
    dropped = 0
    for i, m in enumerate(messages):
        if m.get("role") in ("tool", "function"):
            text = content_text(m)
            idx = latest[_digest(text)]
            if idx != i and len(text) > 80:
                out.append(_with_content(m, f"[tool output omitted: identical to message {idx}]"))
                dropped += 1
                continue
        out.append(m)
    return out, dropped


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def _numeric_outliers(lines: Sequence[str], zscore: float) -> set[int]:
    series: dict[str, list[tuple[int, float]]] = {}
    for i, line in enumerate(lines):
        for key, value in _KV_NUMBER.findall(line):
            series.setdefault(key.lower(), []).append((i, float(value)))
    flagged: set[int] = set()
    for points in series.values():
        if len(points) < 8:
            continue
        values = [v for _, v in points]
        med = statistics.median(values)
        mad = statistics.median(abs(v - med) for v in values)
        scale = 1.4826 * mad
        if scale > 0:
            flagged.update(i for i, v in points if abs(v - med) / scale > zscore)
        else:
            # A near-constant series: the few values that differ are the news.
            odd = [i for i, v in points if v != med]
            if len(odd) <= max(1, len(points) // 20):
                flagged.update(odd)
    return flagged


def _ranges(lines: Sequence[str]) -> str:
    spans: dict[str, tuple[float, float]] = {}
    for line in lines:
        for key, value in _KV_NUMBER.findall(line):
            v = float(value)
            lo, hi = spans.get(key, (v, v))
            spans[key] = (min(lo, v), max(hi, v))
    parts = [f"{k} {lo:g}..{hi:g}" for k, (lo, hi) in list(spans.items())[:6]]
    return f"; ranges {', '.join(parts)}" if parts else ""


def compress_lines(text: str, cfg: ContextConfig) -> tuple[str, bool]:
    """Return ``text`` compressed extractively when it has at least ``log_min_lines`` lines.

    Keeps the first and last lines, each anomaly line (error words or a
    numeric outlier in a ``key=value`` series) with ``anomaly_window`` lines
    around it, collapses repeats of one message template, and replaces each
    omitted run by a note with its line count and value ranges.
    Returns the text and whether it changed.
    """
    lines = text.splitlines()
    n = len(lines)
    if n < cfg.log_min_lines:
        return text, False
    worded = {i for i, line in enumerate(lines) if _ANOMALY_WORDS.search(line)}
    outliers = _numeric_outliers(lines, cfg.anomaly_zscore)
    keep = set(range(min(cfg.log_keep_head, n))) | set(range(max(0, n - cfg.log_keep_tail), n))
    # A message template that repeats many times is one fact: keep its first two and last
    # copies. Numeric outliers are each their own fact and are always kept.
    by_template: dict[str, list[int]] = {f"outlier {i}": [i] for i in outliers}
    for i in sorted(worded - outliers):
        by_template.setdefault(_DIGITS.sub("#", lines[i]).strip().lower(), []).append(i)
    repeats: dict[int, int] = {}
    for idxs in by_template.values():
        chosen = idxs if len(idxs) <= 4 else [*idxs[:2], idxs[-1]]
        if len(idxs) > 4:
            repeats[idxs[1]] = len(idxs) - 3
        for i in chosen:
            keep.update(range(max(0, i - cfg.anomaly_window), min(n, i + cfg.anomaly_window + 1)))
    out: list[str] = []
    skipped: list[str] = []
    for i, line in enumerate(lines):
        if i in keep:
            if skipped:
                out.append(f"[... {len(skipped)} lines omitted{_ranges(skipped)} ...]")
                skipped = []
            out.append(line)
            if i in repeats:
                out.append(f"[same message repeated {repeats[i]} more times]")
        else:
            skipped.append(line)
    if skipped:
        out.append(f"[... {len(skipped)} lines omitted{_ranges(skipped)} ...]")
    result = "\n".join(out)
    return result, len(result) < len(text)


def prepare_context(messages: Sequence[Message], count: TokenCounter, cfg: ContextConfig,
                    budget_tokens: int | None = None,
                    summarize: Summarizer | None = None) -> ContextResult:
    """Return ``messages`` de-duplicated, compressed and trimmed to the token budget.

    System messages and the last ``keep_recent_turns`` other messages are
    always kept; older turns are kept newest first while they fit, and the
    rest are summarized by ``summarize`` (the local SLM) or noted as omitted.
    If the kept part alone exceeds the budget, the longest kept non-system
    message is cut in the middle as a last resort.
    """
    budget = budget_tokens if budget_tokens is not None else cfg.budget_tokens
    before = count_messages(messages, count)
    msgs, dups = drop_duplicate_tool_outputs(messages)
    compressed = 0
    for i, m in enumerate(msgs):
        if m.get("role") in ("user", "tool", "function", "assistant"):
            text, changed = compress_lines(content_text(m), cfg)
            if changed:
                msgs[i] = _with_content(m, text)
                compressed += 1
    # Room for the note (or summary) that stands in for dropped turns.
    reserve = SUMMARY_TOKENS if summarize is not None else NOTE_TOKENS
    kept, dropped = _trim_turns(msgs, count, budget - reserve, cfg.keep_recent_turns)
    if dropped:
        old = "\n".join(f"{m.get('role')}: {content_text(m)}" for m in dropped)
        note = summarize(old) if summarize is not None else ""
        while note and count(note) > reserve - NOTE_TOKENS:
            note = note[: int(len(note) * 0.8)]
        text = (f"Summary of {len(dropped)} earlier turns: {note}" if note
                else f"[{len(dropped)} earlier turns omitted to fit the context budget]")
        first_other = next((i for i, m in enumerate(kept) if m.get("role") != "system"), len(kept))
        kept.insert(first_other, {"role": "system", "content": text})
    if count_messages(kept, count) > budget:
        kept = _cut_longest(kept, count, budget)
    return ContextResult(kept, before, count_messages(kept, count), len(dropped), dups, compressed)


def _trim_turns(msgs: list[Message], count: TokenCounter, budget: int,
                keep_recent: int) -> tuple[list[Message], list[Message]]:
    system_idx = [i for i, m in enumerate(msgs) if m.get("role") == "system"]
    other_idx = [i for i, m in enumerate(msgs) if m.get("role") != "system"]
    recent = other_idx[-keep_recent:]
    # A kept tool result must keep the assistant message that called it.
    while recent and msgs[recent[0]].get("role") in ("tool", "function") \
            and len(recent) < len(other_idx):
        recent = other_idx[-len(recent) - 1:]
    must = set(system_idx) | set(recent)
    keep_recent = len(recent)
    used = sum(count(content_text(msgs[i])) + MESSAGE_OVERHEAD_TOKENS for i in must)
    chosen = set(must)
    for i in reversed(other_idx[:-keep_recent] if keep_recent else other_idx):
        cost = count(content_text(msgs[i])) + MESSAGE_OVERHEAD_TOKENS
        if used + cost > budget:
            break
        chosen.add(i)
        used += cost
    ordered = sorted(chosen)
    while ordered and msgs[ordered[0]].get("role") in ("tool", "function") \
            and ordered[0] not in must:
        ordered.pop(0)
    kept_set = set(ordered) | must
    kept = [msgs[i] for i in sorted(kept_set)]
    dropped = [m for i, m in enumerate(msgs) if i not in kept_set]
    return kept, dropped


def _cut_longest(msgs: list[Message], count: TokenCounter, budget: int) -> list[Message]:
    out = list(msgs)
    excess = count_messages(out, count) - budget
    candidates = [i for i, m in enumerate(out) if m.get("role") != "system"]
    if not candidates or excess <= 0:
        return out
    i = max(candidates, key=lambda j: len(content_text(out[j])))
    text = content_text(out[i])
    tokens = max(count(text), 1)
    keep_chars = max(200, int(len(text) * max(tokens - excess - 16, 0) / tokens))
    head, tail = text[: keep_chars // 2], text[-keep_chars // 2:]
    out[i] = _with_content(out[i], f"{head}\n[... cut to fit the context budget ...]\n{tail}")
    return out
