"""Choosing among allowed labels from the model's next-token probabilities (pure functions).

A label task never parses free text. Each allowed label is a token sequence;
the labels form a trie, and the model is asked for a distribution only where
the trie branches (usually once, at the first token). The probability of a
label is the product, along its path, of the model's probability of each
branch renormalized over the branches the task allows, which is exactly the
probability that decoding constrained to the allowed labels would pick it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
# Given label tokens chosen so far, return log-probs over the vocabulary for the next token.
NextLogprobs = Callable[[list[int]], FloatArray]


def log_softmax(logits: npt.ArrayLike) -> FloatArray:
    """Return log-probabilities from raw logits (numerically stable)."""
    x = np.asarray(logits, dtype=np.float64)
    shifted = x - np.max(x)
    out: FloatArray = shifted - np.log(np.sum(np.exp(shifted)))
    return out


def softmax(scores: npt.ArrayLike) -> FloatArray:
    """Return probabilities from log-scores."""
    return np.exp(log_softmax(scores))


@dataclass
class _Node:
    children: dict[int, _Node] = field(default_factory=dict)
    label: int | None = None


@dataclass(frozen=True)
class LabelScores:
    """Per-label probabilities normalized over the allowed labels."""

    probs: tuple[float, ...]
    mass: float  # probability the unconstrained model put on any allowed first token
    model_calls: int


class LabelTrie:
    """The allowed labels' token sequences as a trie."""

    def __init__(self, label_tokens: Sequence[Sequence[int]]) -> None:
        if len(label_tokens) < 2:
            raise ValueError("a label task needs at least two labels")
        self.size = len(label_tokens)
        self.root = _Node()
        for index, tokens in enumerate(label_tokens):
            if not tokens:
                raise ValueError(f"label #{index} has no tokens")
            node = self.root
            for tok in tokens:
                if node.label is not None:
                    raise ValueError(f"label #{node.label} is a token prefix of label #{index}")
                node = node.children.setdefault(int(tok), _Node())
            if node.children or node.label is not None:
                raise ValueError(f"label #{index} is a token prefix of (or equal to) another label")
            node.label = index

    @property
    def first_tokens(self) -> list[int]:
        """The token ids a label can start with."""
        return list(self.root.children)

    def score(self, next_logprobs: NextLogprobs, first: FloatArray | None = None) -> LabelScores:
        """Return each label's probability; ``first`` is the already computed root distribution."""
        probs = np.zeros(self.size, dtype=np.float64)
        calls = 0
        mass = 0.0

        def walk(node: _Node, path: list[int], logp: float, dist: FloatArray | None) -> None:
            nonlocal calls, mass
            if node.label is not None:
                probs[node.label] = np.exp(logp)
                return
            toks = list(node.children)
            if len(toks) == 1:
                # Forced: the only allowed continuation.
                walk(node.children[toks[0]], [*path, toks[0]], logp, None)
                return
            if dist is None:
                dist = next_logprobs(path)
                calls += 1
            branch = dist[toks]
            if not path:
                mass = float(np.sum(np.exp(branch)))
            local = log_softmax(branch)
            for tok, lp in zip(toks, local, strict=True):
                walk(node.children[tok], [*path, tok], logp + float(lp), None)

        if first is not None and len(self.root.children) > 1:
            walk(self.root, [], 0.0, first)
        else:
            walk(self.root, [], 0.0, None)
        total = float(np.sum(probs))
        normalized = probs / total if total > 0 else np.full(self.size, 1.0 / self.size)
        return LabelScores(tuple(float(p) for p in normalized), mass, calls)


def geometric_mean_prob(logprobs: Sequence[float]) -> float:
    """Return exp(mean log p) of generated tokens: a length-independent confidence in [0, 1]."""
    if not logprobs:
        return 0.0
    return float(np.exp(np.mean(np.asarray(logprobs, dtype=np.float64))))
