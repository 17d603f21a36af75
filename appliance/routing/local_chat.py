"""The local path as the gateway sees it: chat with the on-device SLM.

:class:`SlmChat` renders OpenAI-style messages with the Gemma chat template and
runs greedy generation on the SLM engine's worker thread (``run_raw``), so it
shares the one loaded model. Its confidence is the geometric mean of the
chosen tokens' probabilities, which the cascade compares with the task's
threshold.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from appliance.errors import ModelError
from appliance.routing.context import content_text

Message = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class LocalReply:
    """The local model's answer, its token counts and its confidence in [0, 1]."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    confidence: float
    latency_s: float
    finished: bool = True


class LocalChat(Protocol):
    """What the gateway needs from the local model."""

    model: str
    context_tokens: int

    def count_tokens(self, text: str) -> int:
        """Return the local tokenizer's count for ``text``."""
        ...

    def complete(self, messages: Sequence[Message], *, max_tokens: int) -> LocalReply:
        """Return the local answer; raise ModelError when the model fails."""
        ...


class _Generation(Protocol):
    text: str
    tokens: list[int]
    logprobs: list[float]
    finished: bool


class _Runtime(Protocol):
    n_ctx: int

    def tokenize(self, text: str, add_bos: bool = False, special: bool = False) -> list[int]: ...
    def eval_after_prefix(self, key: str | None, prefix: list[int], tokens: list[int]) -> int: ...
    def generate(self, prompt: list[int], grammar: Any, max_tokens: int) -> Any: ...


class _Engine(Protocol):
    model_name: str

    def count_tokens(self, text: str) -> int: ...
    def run_raw(self, fn: Callable[[Any], T], timeout_s: float | None = ...) -> T: ...


def gemma_prompt(messages: Sequence[Message]) -> str:
    """Render messages with Gemma's chat template (system text joins the first user turn)."""
    system = "\n\n".join(content_text(m) for m in messages if m.get("role") == "system")
    turns: list[tuple[str, str]] = []
    for m in messages:
        role = m.get("role")
        if role == "system":
            continue
        text = content_text(m)
        if role in ("tool", "function"):
            role, text = "user", f"Tool result:\n{text}"
        speaker = "model" if role == "assistant" else "user"
        if turns and turns[-1][0] == speaker:
            turns[-1] = (speaker, f"{turns[-1][1]}\n\n{text}")
        else:
            turns.append((speaker, text))
    if not turns or turns[0][0] != "user":
        turns.insert(0, ("user", ""))
    if system:
        turns[0] = ("user", f"{system}\n\n{turns[0][1]}".strip())
    body = "".join(f"<start_of_turn>{who}\n{text}<end_of_turn>\n" for who, text in turns)
    return f"<bos>{body}<start_of_turn>model\n"


class SlmChat:
    """:class:`LocalChat` on an :class:`appliance.slm.engine.SlmEngine` (or anything alike)."""

    def __init__(self, engine: _Engine, context_tokens: int, timeout_s: float = 120.0) -> None:
        self._engine = engine
        self.model = engine.model_name
        self.context_tokens = context_tokens
        self._timeout_s = timeout_s

    def count_tokens(self, text: str) -> int:
        """Return the SLM tokenizer's count for ``text``."""
        return self._engine.count_tokens(text)

    def complete(self, messages: Sequence[Message], *, max_tokens: int) -> LocalReply:
        """Generate greedily on the engine's worker thread; raises ModelError on failure."""
        prompt = gemma_prompt(messages)
        started = time.monotonic()

        def run(rt: _Runtime) -> tuple[_Generation, int]:
            tokens = rt.tokenize(prompt, add_bos=False, special=True)
            room = max(1, min(max_tokens, rt.n_ctx - len(tokens) - 1))
            rt.eval_after_prefix(None, tokens, [])
            gen: _Generation = rt.generate([], None, room)
            return gen, len(tokens)

        gen, prompt_tokens = self._engine.run_raw(run, self._timeout_s)
        lps = gen.logprobs
        confidence = math.exp(sum(lps) / len(lps)) if lps else 0.0
        return LocalReply(gen.text.strip(), prompt_tokens, len(gen.tokens), confidence,
                          time.monotonic() - started, gen.finished)


def slm_summarizer(local: LocalChat, max_tokens: int = 96) -> Callable[[str], str]:
    """Return a summarizer of old turns for :func:`prepare_context`, run on the local model.

    The text is cut to fit the local context first; a model error yields ""
    (the caller then notes the turns as omitted instead).
    """
    def summarize(text: str) -> str:
        room = max(64, local.context_tokens - max_tokens - 64)
        while text and local.count_tokens(text) > room:
            text = text[len(text) // 4:]  # keep the most recent part
        try:
            reply = local.complete([
                {"role": "system", "content": "Summarize this conversation in three short "
                 "sentences. Keep names of machines, codes and numbers exactly."},
                {"role": "user", "content": text}], max_tokens=max_tokens)
        except ModelError:
            return ""
        return reply.text

    return summarize
