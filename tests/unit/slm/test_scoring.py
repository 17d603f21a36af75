"""Label choice from next-token log-probabilities, over a trie of label tokens."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.slm.scoring import LabelTrie, geometric_mean_prob, log_softmax


def dist(mapping: dict[int, float], vocab: int = 16) -> np.ndarray:
    """Log-probs over a toy vocabulary with the given probabilities (rest spread evenly)."""
    p = np.full(vocab, 0.0)
    for tok, prob in mapping.items():
        p[tok] = prob
    rest = 1.0 - sum(mapping.values())
    free = [i for i in range(vocab) if i not in mapping]
    p[free] = rest / len(free)
    return np.log(p)


def test_distinct_first_tokens_need_one_distribution() -> None:
    trie = LabelTrie([[1], [2], [3, 7]])
    calls: list[list[int]] = []

    def nxt(path: list[int]) -> np.ndarray:
        calls.append(path)
        return dist({1: 0.2, 2: 0.1, 3: 0.1})

    scores = trie.score(nxt)
    assert calls == [[]]
    assert scores.probs == pytest.approx((0.5, 0.25, 0.25))
    assert scores.mass == pytest.approx(0.4)


def test_shared_first_token_asks_the_model_at_the_branch() -> None:
    trie = LabelTrie([[5, 1], [5, 2], [6]])
    answers = {(): dist({5: 0.6, 6: 0.2}), (5,): dist({1: 0.3, 2: 0.1})}
    scores = trie.score(lambda path: answers[tuple(path)])
    # P(5)=0.75 after renormalizing over {5, 6}; inside, 0.75 / 0.25.
    assert scores.probs == pytest.approx((0.75 * 0.75, 0.75 * 0.25, 0.25))
    assert scores.model_calls == 2


def test_precomputed_root_distribution_is_used() -> None:
    trie = LabelTrie([[1], [2]])
    scores = trie.score(lambda _p: pytest.fail("no call expected"), dist({1: 0.3, 2: 0.1}))
    assert scores.probs == pytest.approx((0.75, 0.25))
    assert scores.model_calls == 0


@pytest.mark.parametrize("labels", [[[1]], [[1], [1, 2]], [[1, 2], [1]], [[1], [1]], [[1], []]])
def test_labels_that_cannot_be_told_apart_are_rejected(labels: list[list[int]]) -> None:
    with pytest.raises(ValueError):
        LabelTrie(labels)


@given(st.lists(st.floats(min_value=-30, max_value=30), min_size=8, max_size=8))
def test_label_probabilities_sum_to_one(logits: list[float]) -> None:
    trie = LabelTrie([[0], [1, 2], [1, 3], [4]])
    lp = log_softmax(logits)
    scores = trie.score(lambda _path: lp)
    assert math.isclose(sum(scores.probs), 1.0, rel_tol=1e-9)
    assert all(0.0 <= p <= 1.0 for p in scores.probs)


def test_geometric_mean_prob() -> None:
    assert geometric_mean_prob([math.log(0.5), math.log(0.5)]) == pytest.approx(0.5)
    assert geometric_mean_prob([]) == 0.0
