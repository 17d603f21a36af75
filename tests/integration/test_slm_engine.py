"""The SLM engine on the real Gemma 3 270M through llama.cpp (few model calls: 2 CPU cores)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest

from appliance.schema import Event, EventKind, Severity
from appliance.slm.engine import SlmEngine
from appliance.slm.results import LabelResult, StructuredResult
from appliance.slm.runtime import LlamaRuntime
from appliance.slm.triage import SlmTriage
from tests.fixtures.model import DEFAULT_MODEL, slm_test_config

EASY = "sensor oven-2 temperature=41 reading normal"
AMBIGUOUS = "operator: the machine sounds a bit different today"
LONG_REPORT = (
    "Operator reports hydraulic press 5 leaks oil on the floor near the walkway, the puddle is "
    "growing, maintenance was called twice this week and the seal was replaced last month."
)


def test_label_task_returns_an_allowed_label_with_calibrated_confidence(
    slm_engine: SlmEngine,
) -> None:
    result = slm_engine.classify("triage", EASY)
    assert result.status == "ok"
    assert result.label in slm_engine.task("triage").labels
    assert 0.0 <= result.confidence <= 1.0
    assert sum(result.raw_probs.values()) == pytest.approx(1.0, abs=1e-4)
    assert result.confidence == pytest.approx(max(result.probs.values()))
    assert result.action == slm_engine.task("triage").actions[result.label]
    assert result.model == DEFAULT_MODEL
    assert 0.0 < result.label_mass <= 1.0
    cue = slm_engine.task("triage").answer_cue()
    assert result.tokens == slm_engine.count_tokens(" " + EASY) + slm_engine.count_tokens(cue)


def test_confidence_is_higher_for_an_easy_event_than_an_ambiguous_one(
    slm_engine: SlmEngine,
) -> None:
    easy = slm_engine.classify("triage", EASY)
    vague = slm_engine.classify("triage", AMBIGUOUS)
    assert easy.label == "low"
    assert easy.confidence > vague.confidence + 0.1, (easy, vague)


def test_prefix_reuse_gives_the_same_answer_for_only_the_event_tokens(
    slm_engine: SlmEngine,
) -> None:
    prefix_len = slm_engine.prefix_tokens("triage")
    reused = slm_engine.classify("triage", AMBIGUOUS)
    full = slm_engine.classify("triage", AMBIGUOUS, reuse_prefix=False)
    # Same tokens, but split into two batches instead of one: llama.cpp's CPU
    # matmul tiles rows differently when the split is not tile-aligned, and a
    # 270M Q4 model's flat distributions amplify that rounding (a few points).
    assert reused.label == full.label
    for label, p in full.raw_probs.items():
        assert reused.raw_probs[label] == pytest.approx(p, abs=0.05)
    assert reused.tokens == full.tokens - prefix_len
    assert reused.tokens < 30 < prefix_len


def test_switching_tasks_restores_each_prefix_correctly(slm_engine: SlmEngine) -> None:
    first = slm_engine.classify("triage", AMBIGUOUS)
    ticket = slm_engine.classify("ticket", "the barcode scanner cannot connect to the wifi")
    again = slm_engine.classify("triage", AMBIGUOUS)
    assert ticket.label in slm_engine.task("ticket").labels

    def clobber(rt: LlamaRuntime) -> None:  # another user drives llama.cpp directly
        rt.llm.reset()
        # longer than the triage prefix, so only the token check can tell
        rt.llm.eval(rt.tokenize("something else entirely. " * 80, add_bos=True))

    slm_engine.run_raw(clobber)
    after_raw = slm_engine.classify("triage", AMBIGUOUS)
    for label, p in first.raw_probs.items():
        assert again.raw_probs[label] == pytest.approx(p, abs=2e-3)
        assert after_raw.raw_probs[label] == pytest.approx(p, abs=2e-3)


def test_structured_task_output_always_parses_against_its_schema(slm_engine: SlmEngine) -> None:
    result = slm_engine.generate("summary", LONG_REPORT)
    assert result.status == "ok", result.text
    assert set(result.data) == {"summary", "equipment", "urgency"}
    assert result.data["urgency"] in {"low", "medium", "high"}
    assert 1 <= len(result.data["summary"]) <= 100
    assert len(result.data["equipment"]) <= 40
    assert 0.0 < result.confidence <= 1.0
    assert result.generated_tokens > 0


def occupy_worker(engine: SlmEngine, seconds: float) -> threading.Thread:
    """Keep the engine's worker busy for ``seconds`` (as a long generation would)."""
    blocker = threading.Thread(target=engine.run_raw, args=(lambda _rt: time.sleep(seconds),))
    blocker.start()
    deadline = time.monotonic() + 10
    while engine.queue_depth and time.monotonic() < deadline:
        time.sleep(0.005)  # until the worker has taken it off the queue
    return blocker


def test_overdue_request_returns_timeout_without_blocking(slm_engine: SlmEngine) -> None:
    timeouts = slm_engine.stats.timeouts
    blocker = occupy_worker(slm_engine, 3.0)
    late = slm_engine.classify("triage", EASY, deadline_s=0.05)
    assert blocker.is_alive()  # answered while the worker was still busy: did not wait for it
    assert late.status == "timeout"
    assert late.label == "timeout" and late.confidence == 0.0
    assert slm_engine.stats.timeouts == timeouts + 1
    blocker.join()
    assert slm_engine.classify("triage", EASY).status == "ok"  # the worker carried on


def test_full_queue_answers_overloaded_at_once(gemma_model_path: Path) -> None:
    with SlmEngine(slm_test_config(queue_size=1), gemma_model_path) as engine:
        blocker = occupy_worker(engine, 3.0)
        queued = engine.submit("triage", EASY, deadline_s=120.0)
        shed = engine.classify("triage", EASY, deadline_s=120.0)
        assert blocker.is_alive()  # shed at once, not after the worker freed up
        assert shed.status == "overloaded"
        assert engine.stats.overloaded == 1
        blocker.join()
        done: Future[LabelResult | StructuredResult] = queued
        assert done.result(timeout=120).status == "ok"


def test_embeddings_are_pooled_normalized_and_meaningful(slm_engine: SlmEngine) -> None:
    vecs = slm_engine.embed([
        "hydraulic oil leaking from the press",
        "oil leak under the hydraulic press",
        "the cafeteria menu for friday",
    ])
    assert vecs.shape == (3, slm_engine.runtime.n_embd)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0)
    same, other = float(vecs[0] @ vecs[1]), float(vecs[0] @ vecs[2])
    assert same > other


def test_count_tokens_matches_the_tokenizer(slm_engine: SlmEngine) -> None:
    assert slm_engine.count_tokens("") == 0
    assert slm_engine.count_tokens("pump") >= 1
    assert slm_engine.count_tokens("pump pump pump pump") > slm_engine.count_tokens("pump")


def test_triage_turns_an_event_into_a_decision(slm_engine: SlmEngine) -> None:
    triage = SlmTriage(slm_engine, device="edge-test")
    event = Event(id="ev-1", kind=EventKind.SENSOR, source="oven-2", line="l1", ts=1.0,
                  readings={"temperature": 41.0})
    decision = triage.decide(event, anomaly_score=0.02)
    assert decision.event_id == "ev-1" and decision.device == "edge-test"
    assert decision.label in {s.value for s in Severity}
    assert decision.severity == Severity(decision.label)
    assert decision.action
    assert decision.model == DEFAULT_MODEL
    assert decision.latency_ms > 0 and not decision.degraded
    late = triage.decide(event, anomaly_score=0.02, deadline_s=0.0)
    assert late.label == "timeout" and late.degraded and late.confidence == 0.0
