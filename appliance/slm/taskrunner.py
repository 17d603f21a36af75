"""Run one task on one input, synchronously, on the worker thread that owns the runtime.

Each task is prepared once: its prefix tokens (evaluated lazily, then reused),
its label trie, grammar and calibration map.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from llama_cpp.llama_grammar import LlamaGrammar

from appliance.errors import ModelError
from appliance.slm import calibration
from appliance.slm.results import LabelResult, StructuredResult
from appliance.slm.runtime import FloatArray, LlamaRuntime
from appliance.slm.scoring import LabelTrie, geometric_mean_prob
from appliance.slm.tasks import TaskSpec, clean

log = logging.getLogger(__name__)


@dataclass
class PreparedTask:
    """What a task needs at run time, built once per engine."""

    spec: TaskSpec
    prefix: list[int]
    trie: LabelTrie | None
    grammar: Any
    calibration: calibration.Calibration | None


class TaskRunner:
    """Prepares tasks and answers them with a :class:`LlamaRuntime` (worker thread only)."""

    def __init__(
        self,
        runtime: LlamaRuntime,
        tasks: dict[str, TaskSpec],
        model_name: str,
        calibration_dir: Path | None = None,
        max_tokens: int = 192,
    ) -> None:
        self.runtime = runtime
        self.tasks = tasks
        self.model_name = model_name
        self.calibration_dir = calibration_dir
        self.max_tokens = max_tokens
        self._prepared: dict[str, PreparedTask] = {}

    def spec(self, name: str) -> TaskSpec:
        """Return the task called ``name``; raise :class:`ModelError` listing known tasks."""
        try:
            return self.tasks[name]
        except KeyError:
            known = ", ".join(sorted(self.tasks))
            raise ModelError(f"unknown task {name!r} (known: {known})") from None

    def prepare(self, name: str) -> PreparedTask:
        """Tokenize, build the trie/grammar and load calibration for a task (once)."""
        if name in self._prepared:
            return self._prepared[name]
        spec = self.spec(name)
        rt = self.runtime
        prefix = rt.tokenize(spec.prefix_text(), add_bos=True)
        trie = None
        grammar = None
        cal = None
        if spec.kind == "label":
            label_tokens = [rt.tokenize(spec.answer_text(lab)) for lab in spec.labels]
            try:
                trie = LabelTrie(label_tokens)
            except ValueError as exc:
                raise ModelError(f"task {name!r}: labels cannot be told apart: {exc}") from exc
            cal = calibration.load(self.calibration_dir, name, spec.labels)
        else:
            try:
                grammar = LlamaGrammar.from_json_schema(json.dumps(spec.schema_), verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise ModelError(f"task {name!r}: schema cannot become a grammar: {exc}") from exc
        prepared = PreparedTask(spec, prefix, trie, grammar, cal)
        self._prepared[name] = prepared
        return prepared

    def warm(self, name: str) -> None:
        """Evaluate the task's prefix now so the first event does not pay for it."""
        task = self.prepare(name)
        self.runtime.load_prefix(name, task.prefix)

    def event_tokens(self, spec: TaskSpec, text: str) -> list[int]:
        """Return the tokens of one input: its text (truncated) and the answer cue."""
        rt = self.runtime
        body = rt.tokenize(" " + clean(text))[: spec.max_input_tokens]
        return body + rt.tokenize(spec.answer_cue())

    def classify(self, name: str, text: str, reuse_prefix: bool = True) -> LabelResult:
        """Score the task's labels for ``text``; return the calibrated choice."""
        task = self.prepare(name)
        if task.trie is None or task.calibration is None:
            raise ModelError(f"task {name!r} is a structured task; use generate")
        start = time.perf_counter()
        rt = self.runtime
        event = self.event_tokens(task.spec, text)
        evaluated = rt.eval_after_prefix(name if reuse_prefix else None, task.prefix, event)
        base = rt.n_past
        extra = 0

        def next_logprobs(path: list[int]) -> FloatArray:
            # Only where labels share leading tokens: evaluate the shared part.
            nonlocal extra
            rt.rewind_to(base)
            rt.append(path)
            extra += len(path)
            return rt.last_logprobs()

        scores = task.trie.score(next_logprobs, rt.last_logprobs())
        labels = task.spec.labels
        calibrated = task.calibration.apply(scores.probs)
        best = int(np.argmax(calibrated))
        label = labels[best]
        return LabelResult(
            task=name,
            label=label,
            confidence=float(np.clip(calibrated[best], 0.0, 1.0)),
            raw_probs={lab: round(p, 6) for lab, p in zip(labels, scores.probs, strict=True)},
            probs={lab: round(float(p), 6) for lab, p in zip(labels, calibrated, strict=True)},
            action=task.spec.actions.get(label, ""),
            label_mass=round(min(scores.mass, 1.0), 6),
            latency_ms=(time.perf_counter() - start) * 1000.0,
            tokens=evaluated + extra,
            model=self.model_name,
        )

    def generate(self, name: str, text: str, reuse_prefix: bool = True) -> StructuredResult:
        """Generate the task's JSON for ``text`` under its grammar; return the parsed data."""
        task = self.prepare(name)
        if task.grammar is None:
            raise ModelError(f"task {name!r} is a label task; use classify")
        start = time.perf_counter()
        rt = self.runtime
        event = self.event_tokens(task.spec, text)
        rt.eval_after_prefix(name if reuse_prefix else None, task.prefix, [])
        limit = task.spec.max_tokens or self.max_tokens
        out = rt.generate(event, task.grammar, limit)
        status: str = "ok"
        data: dict[str, Any] = {}
        try:
            parsed = json.loads(out.text)
            if isinstance(parsed, dict):
                data = parsed
            else:
                status = "invalid"
        except ValueError:
            status = "invalid"
            log.warning("task %s: output cut at %d tokens did not parse", name, limit)
        return StructuredResult(
            task=name,
            data=data,
            text=out.text,
            confidence=geometric_mean_prob(out.logprobs) if status == "ok" else 0.0,
            latency_ms=(time.perf_counter() - start) * 1000.0,
            tokens=len(event),
            generated_tokens=len(out.tokens),
            model=self.model_name,
            status="ok" if status == "ok" else "invalid",
        )
