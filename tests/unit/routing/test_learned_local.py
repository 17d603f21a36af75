"""LearnedLocal: when a head is trusted, its answer and threshold, and retraining from escalations."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from appliance.routing.learned_local import LearnedLocal
from appliance.routing.settings import LearnConfig

WORDS = {"low": ["towels", "coffee", "plants", "notice"], "high": ["leak", "smoke", "grinding", "loose"]}


def embed(texts: Sequence[str]) -> NDArray[np.float32]:
    """A bag of hashed words: a real, deterministic embedding for the pure logic."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            out[row, zlib.crc32(word.encode()) % 64] += 1.0
    return out


def examples(label: str, n: int) -> list[tuple[str, str]]:
    return [(f"ticket {i} about {WORDS[label][i % 4]} at bay {i}", label) for i in range(n)]


def wait(learned: LearnedLocal) -> None:
    for thread in learned.retrains:
        thread.join(60)


def test_no_head_means_no_answer_and_the_first_head_waits_for_min_examples(tmp_path: Path) -> None:
    cfg = LearnConfig(min_examples=20, retrain_every=5)
    learned = LearnedLocal(tmp_path, cfg, embed, {"triage": ["low", "high"]})
    assert learned.answer("triage", "ticket about smoke") is None
    assert learned.threshold("triage") is None
    for text, label in examples("low", 10) + examples("high", 9):
        assert learned.learn("triage", text, label) is None  # fewer than min_examples
    thread = learned.learn("triage", "ticket about a leak at bay 99", "high")
    assert thread is not None
    wait(learned)
    assert learned.stores["triage"].current_version() == 1
    got = learned.answer("triage", "ticket about smoke at bay 3")
    assert got is not None and got.version == 1 and got.source == "head v1"
    assert got.label in {"low", "high"} and 0.0 < got.confidence <= 1.0
    usable = learned.threshold("triage")
    assert usable is not None and usable[1] == got.threshold
    state = learned.state()["triage"]
    assert state["version"] == 1 and state["in_use"] and state["examples"] == 20


def test_labels_outside_the_task_and_unknown_tasks_are_not_kept(tmp_path: Path) -> None:
    learned = LearnedLocal(tmp_path, LearnConfig(min_examples=10), embed, {"triage": ["low", "high"]})
    assert learned.learn("triage", "ticket about smoke", "purple") is None
    assert learned.learn("other", "ticket about smoke", "high") is None
    assert learned.stores["triage"].examples() == []


def test_a_head_trained_on_fewer_than_min_examples_is_not_trusted(tmp_path: Path) -> None:
    small = LearnedLocal(tmp_path, LearnConfig(min_examples=10), embed, {"triage": ["low", "high"]})
    small.stores["triage"].add_examples(examples("low", 8) + examples("high", 8))
    small.stores["triage"].retrain(embed)
    assert small.answer("triage", "ticket about smoke") is not None
    strict = LearnedLocal(tmp_path, LearnConfig(min_examples=100), embed, {"triage": ["low", "high"]})
    assert strict.answer("triage", "ticket about smoke") is None  # 16 examples < 100


def test_retraining_follows_retrain_every_once_a_head_exists(tmp_path: Path) -> None:
    learned = LearnedLocal(tmp_path, LearnConfig(min_examples=10, retrain_every=4), embed,
                           {"triage": ["low", "high"]})
    store = learned.stores["triage"]
    store.add_examples(examples("low", 10) + examples("high", 10))
    store.retrain(embed)
    started = [learned.learn("triage", text, label) for text, label in examples("high", 4)]
    assert started[:3] == [None, None, None] and started[3] is not None
    wait(learned)
    assert store.current_version() == 2 and store.meta()["examples"] == 24
    got = learned.answer("triage", "ticket about leak at bay 2")
    assert got is not None and got.version == 2


def test_an_embedder_that_fails_leaves_the_slm_answer_standing(tmp_path: Path) -> None:
    from appliance.errors import ApplianceError

    learned = LearnedLocal(tmp_path, LearnConfig(min_examples=10), embed, {"triage": ["low", "high"]})
    learned.stores["triage"].add_examples(examples("low", 10) + examples("high", 10))
    learned.stores["triage"].retrain(embed)

    def timed_out(texts: Sequence[str]) -> NDArray[np.float32]:
        raise ApplianceError("SLM queue full")

    learned.embed = timed_out
    assert learned.answer("triage", "ticket about smoke") is None
