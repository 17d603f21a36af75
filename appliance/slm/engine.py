"""The SLM engine: one llama.cpp model in one worker thread, behind a bounded queue.

Callers never wait longer than their deadline: a request that is still queued
when its deadline passes is answered ``timeout`` without being computed, a
caller whose deadline passes while the model works gets ``timeout`` at once,
and a full queue answers ``overloaded`` immediately. ``submit`` returns a
:class:`concurrent.futures.Future` for asyncio callers
(``await asyncio.wrap_future(fut)``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from appliance.errors import ModelError
from appliance.slm.results import LabelResult, Status, StructuredResult
from appliance.slm.runtime import FloatArray, LlamaRuntime
from appliance.slm.settings import SlmConfig
from appliance.slm.taskrunner import TaskRunner
from appliance.slm.tasks import TaskSpec, load_tasks

log = logging.getLogger(__name__)
T = TypeVar("T")
Result = LabelResult | StructuredResult


@dataclass
class _Request:
    run: Callable[[TaskRunner], Any]
    future: Future[Any]
    deadline: float  # time.monotonic(); inf for no deadline
    on_timeout: Callable[[float], Any]
    enqueued: float = field(default_factory=time.monotonic)


@dataclass
class EngineStats:
    """Counters for metrics and telemetry (bumped from the worker and caller threads)."""

    completed: int = 0
    timeouts: int = 0
    overloaded: int = 0
    errors: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def bump(self, counter: str) -> None:
        """Add one to ``counter``."""
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)


class SlmEngine:
    """The on-device SLM: classify, generate, embed and count tokens (thread-safe)."""

    def __init__(
        self,
        config: SlmConfig,
        model_path: Path,
        *,
        model_name: str | None = None,
        calibration_dir: Path | None = None,
        tasks: dict[str, TaskSpec] | None = None,
    ) -> None:
        self.config = config
        self.model_name = model_name or config.model
        self.tasks = tasks if tasks is not None else load_tasks(config.tasks_dir)
        self.runtime = LlamaRuntime(
            model_path,
            n_ctx=config.context_tokens,
            n_batch=config.n_batch,
            n_gpu_layers=config.gpu_layers,
            n_threads=config.n_threads,
        )
        self._runner = TaskRunner(
            self.runtime, self.tasks, self.model_name, calibration_dir, config.max_tokens
        )
        self._queue: queue.Queue[_Request | None] = queue.Queue(maxsize=config.queue_size)
        self.stats = EngineStats()
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="slm-worker", daemon=True)
        self._thread.start()

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> SlmEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop the worker after the queued requests and free the model."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout_s)
        if not self._thread.is_alive():
            self.runtime.close()

    def warm(self, tasks: Sequence[str] | None = None, timeout_s: float = 60.0) -> None:
        """Evaluate task prefixes now (default: every label task), so first events are fast."""
        names = list(tasks) if tasks is not None else [
            n for n, s in self.tasks.items() if s.kind == "label"
        ]
        for name in names:
            self._call(partial(_warm_task, name=name), timeout_s)

    @property
    def queue_depth(self) -> int:
        """Requests waiting for the worker."""
        return self._queue.qsize()

    # -- the worker --------------------------------------------------------------

    def _work(self) -> None:
        while True:
            req = self._queue.get()
            if req is None:
                return
            if not req.future.set_running_or_notify_cancel():
                continue
            now = time.monotonic()
            if now > req.deadline:
                self.stats.bump("timeouts")
                req.future.set_result(req.on_timeout((now - req.enqueued) * 1000.0))
                continue
            try:
                result = req.run(self._runner)
            except Exception as exc:  # the worker must survive any one request
                self.stats.bump("errors")
                log.exception("SLM request failed")
                req.future.set_exception(
                    exc if isinstance(exc, ModelError) else ModelError(f"SLM request failed: {exc}")
                )
                continue
            self.stats.bump("completed")
            if isinstance(result, LabelResult | StructuredResult):
                result = result.model_copy(update={"queue_ms": (now - req.enqueued) * 1000.0})
            req.future.set_result(result)

    def _submit(
        self, run: Callable[[TaskRunner], T], deadline_s: float | None,
        on_timeout: Callable[[float], T], on_full: Callable[[], T],
    ) -> Future[T]:
        if self._closed:
            raise ModelError("the SLM engine is closed")
        fut: Future[T] = Future()
        deadline = time.monotonic() + deadline_s if deadline_s is not None else float("inf")
        try:
            self._queue.put_nowait(_Request(run, fut, deadline, on_timeout))
        except queue.Full:
            self.stats.bump("overloaded")
            log.warning("SLM queue full (%d); request shed", self.config.queue_size)
            fut.set_result(on_full())
        return fut

    def _call(self, run: Callable[[TaskRunner], T], timeout_s: float | None) -> T:
        fut = self._submit(run, None, _raise_timeout, _raise_full)
        try:
            result: T = fut.result(timeout=timeout_s)
        except FutureTimeout as exc:
            raise ModelError(f"SLM call did not finish within {timeout_s} s") from exc
        return result

    # -- public API ------------------------------------------------------------------

    def _deadline(self, deadline_s: float | None) -> float:
        return self.config.deadline_ms / 1000.0 if deadline_s is None else deadline_s

    def _placeholder(self, task: str, status: Status, waited_ms: float) -> Result:
        spec = self._runner.spec(task)
        if spec.kind == "label":
            return LabelResult(
                task=task, label=status, confidence=0.0, latency_ms=waited_ms,
                model=self.model_name, status=status,
            )
        return StructuredResult(
            task=task, confidence=0.0, latency_ms=waited_ms, model=self.model_name, status=status
        )

    def submit(
        self, task: str, text: str, deadline_s: float | None = None, reuse_prefix: bool = True
    ) -> Future[Result]:
        """Queue ``text`` for ``task``; the future resolves to a result (never raises for load).

        The result is ``timeout`` if the deadline passes before the worker
        starts it, ``overloaded`` (at once) if the queue is full.
        """
        spec = self._runner.spec(task)
        started = time.monotonic()

        def run(r: TaskRunner) -> Result:
            if spec.kind == "label":
                return r.classify(task, text, reuse_prefix)
            return r.generate(task, text, reuse_prefix)

        def late(waited_ms: float) -> Result:
            return self._placeholder(task, "timeout", waited_ms)

        def full() -> Result:
            return self._placeholder(task, "overloaded", (time.monotonic() - started) * 1000.0)

        return self._submit(run, self._deadline(deadline_s), late, full)

    def _wait(self, task: str, fut: Future[Result], deadline_s: float, started: float) -> Result:
        try:
            return fut.result(timeout=max(0.0, deadline_s - (time.monotonic() - started)))
        except FutureTimeout:
            fut.cancel()  # still queued: the worker skips it
            self.stats.bump("timeouts")
            return self._placeholder(task, "timeout", (time.monotonic() - started) * 1000.0)

    def classify(
        self, task: str, text: str, deadline_s: float | None = None, reuse_prefix: bool = True
    ) -> LabelResult:
        """Answer a label task within ``deadline_s`` (default ``slm.deadline_ms``).

        Returns a :class:`LabelResult` whose ``status`` is ``ok``, ``timeout``
        or ``overloaded``; raises :class:`ModelError` for an unknown or
        structured task, or a model failure.
        """
        if self._runner.spec(task).kind != "label":
            raise ModelError(f"task {task!r} is a structured task; use generate")
        started = time.monotonic()
        limit = self._deadline(deadline_s)
        result = self._wait(task, self.submit(task, text, limit, reuse_prefix), limit, started)
        assert isinstance(result, LabelResult)
        return result

    def generate(
        self, task: str, text: str, deadline_s: float | None = None, reuse_prefix: bool = True
    ) -> StructuredResult:
        """Answer a structured task (JSON under the task's schema grammar) within the deadline.

        Raises :class:`ModelError` for an unknown or label task, or a model failure.
        """
        if self._runner.spec(task).kind != "structured":
            raise ModelError(f"task {task!r} is a label task; use classify")
        started = time.monotonic()
        limit = self._deadline(deadline_s)
        result = self._wait(task, self.submit(task, text, limit, reuse_prefix), limit, started)
        assert isinstance(result, StructuredResult)
        return result

    def embed(self, texts: Sequence[str], timeout_s: float | None = 120.0) -> FloatArray:
        """Return mean-pooled, L2-normalized embeddings of ``texts`` (shape ``(n, n_embd)``).

        Raises :class:`ModelError` if the worker does not finish within ``timeout_s``.
        """
        items = list(texts)
        if not items:
            return np.zeros((0, self.runtime.n_embd), dtype=np.float64)
        return self._call(lambda r: r.runtime.embed(items), timeout_s)

    def count_tokens(self, text: str) -> int:
        """Return how many tokens ``text`` takes for this model (no special tokens, no BOS)."""
        return len(self.runtime.tokenize(text))

    def task(self, name: str) -> TaskSpec:
        """Return the task called ``name``; raise :class:`ModelError` if unknown."""
        return self._runner.spec(name)

    def task_tokens(self, name: str) -> tuple[int, int]:
        """Return (prefix tokens, max input tokens) of a task, for sizing and benchmarks."""
        prepared = self._call(lambda r: r.prepare(name), 60.0)
        return len(prepared.prefix), prepared.spec.max_input_tokens

    def prefix_tokens(self, name: str) -> int:
        """Return the number of tokens in the task's reusable prefix."""
        return self.task_tokens(name)[0]

    def run_raw(self, fn: Callable[[LlamaRuntime], T], timeout_s: float | None = 300.0) -> T:
        """Run ``fn(runtime)`` on the worker thread (benchmarks and diagnostics)."""
        return self._call(lambda r: fn(r.runtime), timeout_s)


def _warm_task(runner: TaskRunner, name: str) -> None:
    runner.warm(name)


def _raise_timeout(waited_ms: float) -> Any:
    raise ModelError(f"request expired after {waited_ms:.0f} ms")


def _raise_full() -> Any:
    raise ModelError("the SLM queue is full")

