"""llama.cpp behind a small surface: prefix KV reuse, last-position logits, grammar, pooling.

Only the worker thread of :class:`appliance.slm.engine.SlmEngine` calls into a
:class:`LlamaRuntime` (llama.cpp contexts are not thread-safe). Logits are read
for the last position only (``logits_all=False``): a label task needs one
distribution per branching point, never one per prompt token.
"""

from __future__ import annotations

import ctypes
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import llama_cpp
import numpy as np
import numpy.typing as npt
from llama_cpp import _internals

from appliance.errors import ModelError
from appliance.slm.scoring import log_softmax

log = logging.getLogger(__name__)
llama_log = logging.getLogger("llama_cpp.native")

FloatArray = npt.NDArray[np.float64]

# ggml log levels (NONE, DEBUG, INFO, WARN, ERROR, CONT). llama.cpp's warnings here
# are about choices made on purpose (full SWA cache) or benign vocab notes: INFO.
_GGML_LEVELS = {4: logging.ERROR, 3: logging.INFO}
_last_level = [logging.DEBUG]


@llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
def _route_native_log(level: int, text: bytes, _user: ctypes.c_void_p) -> None:
    mapped = _last_level[0] if level == 5 else _GGML_LEVELS.get(level, logging.DEBUG)
    _last_level[0] = mapped
    message = text.decode("utf-8", errors="replace").rstrip()
    if message and llama_log.isEnabledFor(mapped):
        llama_log.log(mapped, "%s", message)


def route_native_logs() -> None:
    """Send llama.cpp's own log lines to Python logging instead of raw stderr."""
    llama_cpp.llama_log_set(_route_native_log, ctypes.c_void_p(0))


@dataclass
class PrefixState:
    """A task's evaluated prefix: its tokens and the saved KV of sequence 0."""

    tokens: list[int]
    blob: Any  # ctypes uint8 array holding llama_state_seq_get_data output
    size: int


@dataclass
class Generation:
    """Tokens produced under a grammar and each one's model probability."""

    text: str
    tokens: list[int]
    logprobs: list[float]
    prompt_tokens: int
    finished: bool
    prompt_s: float = 0.0  # until the first token was chosen
    decode_s: float = 0.0  # from the first token to the last
    decode_steps: int = 0  # model evaluations inside decode_s
    step_s: list[float] = field(default_factory=list)  # time of each decode step

    @property
    def decode_tokens_per_s(self) -> float:
        """Decode speed (one evaluation per token), 0 when nothing was decoded."""
        return self.decode_steps / self.decode_s if self.decode_s > 0 else 0.0


class LlamaRuntime:
    """One loaded GGUF model and its context (see module docstring for the threading rule)."""

    def __init__(
        self,
        model_path: Path,
        n_ctx: int = 2048,
        n_batch: int = 512,
        n_gpu_layers: int = 0,
        n_threads: int | None = None,
    ) -> None:
        self._lc = llama_cpp
        route_native_logs()
        threads = n_threads or os.cpu_count() or 1
        try:
            # Any: llama_cpp's annotations are partial; this class is the typed boundary.
            self.llm: Any = llama_cpp.Llama(
                model_path=str(model_path),
                n_ctx=n_ctx,
                n_batch=n_batch,
                n_ubatch=n_batch,
                n_gpu_layers=n_gpu_layers,
                n_threads=threads,
                n_threads_batch=threads,
                logits_all=False,
                # A full-size sliding-window cache lets the tail be dropped and
                # re-evaluated behind a kept prefix (prefix reuse).
                swa_full=True,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(f"llama.cpp could not load {model_path}: {exc}") from exc
        self.model_path = model_path
        self.n_ctx = self.llm.n_ctx()
        self.n_vocab = self.llm.n_vocab()
        self.n_embd = self.llm.n_embd()
        self._vocab = llama_cpp.llama_model_get_vocab(self.llm.model)
        self._prefixes: dict[str, PrefixState] = {}
        self._resident: str | None = None
        self._embed_ctx: Any = None
        self._embed_batch: Any = None
        log.info(
            "loaded %s: n_ctx=%d n_gpu_layers=%d threads=%d", model_path, self.n_ctx,
            n_gpu_layers, threads,
        )

    # -- tokens -------------------------------------------------------------

    def tokenize(self, text: str, add_bos: bool = False, special: bool = False) -> list[int]:
        """Return the token ids of ``text`` (``special`` parses control tokens: templates only)."""
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special))

    def detokenize(self, tokens: Sequence[int]) -> str:
        """Return the text of ``tokens``."""
        return bytes(self.llm.detokenize(list(tokens))).decode("utf-8", errors="replace")

    def is_end(self, token: int) -> bool:
        """Return whether ``token`` ends generation (EOS or another end-of-generation token)."""
        return bool(self._lc.llama_vocab_is_eog(self._vocab, token))

    # -- prefix reuse ---------------------------------------------------------

    def _save_seq(self, tokens: list[int]) -> PrefixState:
        lc = self._lc
        size = int(lc.llama_state_seq_get_size(self.llm.ctx, 0))
        blob = (ctypes.c_uint8 * size)()
        written = int(lc.llama_state_seq_get_data(self.llm.ctx, blob, size, 0))
        if written == 0:
            raise ModelError("llama.cpp could not save the prefix state")
        return PrefixState(tokens=list(tokens), blob=blob, size=written)

    def load_prefix(self, key: str, tokens: list[int]) -> None:
        """Evaluate ``tokens`` as the reusable prefix ``key`` (once) and make it resident."""
        if key in self._prefixes and self._prefixes[key].tokens == tokens:
            self._restore(key)
            return
        if len(tokens) >= self.n_ctx:
            raise ModelError(f"task prefix {key!r} is {len(tokens)} tokens; n_ctx is {self.n_ctx}")
        self.llm.reset()
        self.llm.eval(tokens)
        self._prefixes[key] = self._save_seq(tokens)
        self._resident = key
        log.debug("prefix %s evaluated once: %d tokens", key, len(tokens))

    def _restore(self, key: str) -> int:
        state = self._prefixes[key]
        n = len(state.tokens)
        if (
            self._resident == key
            and self.llm.n_tokens >= n
            # Someone may have driven self.llm directly (run_raw): trust the
            # resident KV only if the context still starts with this prefix.
            and np.array_equal(self.llm.input_ids[:n], state.tokens)
        ):
            # The prefix KV is still in place: dropping the tail is enough
            # (Llama.eval removes KV cells from n_tokens onwards).
            self.llm.n_tokens = n
            return n
        lc = self._lc
        mem = lc.llama_get_memory(self.llm.ctx)
        lc.llama_memory_seq_rm(mem, 0, -1, -1)
        if int(lc.llama_state_seq_set_data(self.llm.ctx, state.blob, state.size, 0)) == 0:
            raise ModelError(f"llama.cpp could not restore the prefix state of {key!r}")
        self.llm.input_ids[:n] = state.tokens
        self.llm.n_tokens = n
        self._resident = key
        return n

    def has_prefix(self, key: str) -> bool:
        """Return whether prefix ``key`` has been evaluated."""
        return key in self._prefixes

    # -- evaluation ----------------------------------------------------------

    def _check_room(self, extra: int) -> None:
        if self.llm.n_tokens + extra > self.n_ctx:
            raise ModelError(
                f"prompt needs {self.llm.n_tokens + extra} tokens; n_ctx is {self.n_ctx} "
                "(raise slm.n_ctx or shorten the task prefix)"
            )

    def last_logprobs(self) -> FloatArray:
        """Return log-probabilities over the vocabulary at the last evaluated position."""
        ptr = self._lc.llama_get_logits_ith(self.llm.ctx, -1)
        logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))
        return log_softmax(logits)

    def token_logprob(self, token: int) -> float:
        """Return log p(token) at the last position (float32; cheap enough per decoded token)."""
        ptr = self._lc.llama_get_logits_ith(self.llm.ctx, -1)
        logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))
        top = float(logits.max())
        return float(logits[token]) - top - float(np.log(np.exp(logits - top).sum()))

    def eval_after_prefix(self, key: str | None, prefix: list[int], tokens: list[int]) -> int:
        """Make ``prefix + tokens`` the evaluated context; return how many tokens were evaluated.

        With ``key`` the saved prefix is restored and only ``tokens`` are
        evaluated; with ``key=None`` everything is evaluated from scratch.
        """
        if key is None:
            self.llm.reset()
            self._resident = None
            self._check_room(len(prefix) + len(tokens))
            self.llm.eval(prefix + tokens)
            return len(prefix) + len(tokens)
        if not self.has_prefix(key):
            self.load_prefix(key, prefix)
        else:
            self._restore(key)
        self._check_room(len(tokens))
        self.llm.eval(tokens)
        return len(tokens)

    def rewind_to(self, n_tokens: int) -> None:
        """Drop everything after position ``n_tokens`` (kept: the prefix and the event)."""
        self.llm.n_tokens = n_tokens

    def append(self, tokens: list[int]) -> None:
        """Evaluate ``tokens`` after the current context."""
        self._check_room(len(tokens))
        self.llm.eval(tokens)

    @property
    def n_past(self) -> int:
        """Number of tokens currently in the context."""
        return int(self.llm.n_tokens)

    def generate(self, prompt: list[int], grammar: Any, max_tokens: int) -> Generation:
        """Greedy-decode (under ``grammar`` unless None) after the current context plus ``prompt``.

        ``prompt`` is appended to whatever is resident (call
        :meth:`eval_after_prefix` with an empty event first for reuse). Each
        chosen token's probability is read from the last-position logits.
        """
        self._check_room(len(prompt) + max_tokens)
        context = [int(t) for t in self.llm.input_ids[: self.llm.n_tokens]] + prompt
        out: list[int] = []
        logprobs: list[float] = []
        finished = False
        started = time.perf_counter()
        first = last = started
        yielded = 0
        steps: list[float] = []
        gen = self.llm.generate(context, temp=0.0, repeat_penalty=1.0, grammar=grammar)
        try:
            for token in gen:
                yielded += 1
                now = time.perf_counter()
                if yielded == 1:
                    first = now
                else:
                    steps.append(now - last)
                last = now
                lp = self.token_logprob(token)
                if self.is_end(token):
                    finished = True
                    break
                out.append(int(token))
                logprobs.append(lp)
                if len(out) >= max_tokens:
                    break
        finally:
            gen.close()
        done = time.perf_counter()
        return Generation(
            self.detokenize(out), out, logprobs, len(prompt), finished,
            prompt_s=first - started, decode_s=done - first, decode_steps=max(0, yielded - 1),
            step_s=steps,
        )

    # -- embeddings ------------------------------------------------------------

    def _embedding_context(self) -> tuple[Any, Any]:
        if self._embed_ctx is None:
            lc = self._lc
            params = lc.llama_context_default_params()
            params.n_ctx = 512
            params.n_batch = 512
            params.n_ubatch = 512
            params.n_seq_max = 16
            params.n_threads = self.llm.n_threads
            params.n_threads_batch = self.llm.n_threads
            params.embeddings = True
            params.pooling_type = lc.LLAMA_POOLING_TYPE_MEAN
            params.kv_unified = True
            # A second context on the already loaded weights: no second copy of the model.
            self._embed_ctx = _internals.LlamaContext(
                model=self.llm._model, params=params, verbose=False
            )
            self._embed_batch = _internals.LlamaBatch(
                n_tokens=512, embd=0, n_seq_max=16, verbose=False
            )
        return self._embed_ctx, self._embed_batch

    def embed(self, texts: Sequence[str], max_tokens: int = 256) -> FloatArray:
        """Return mean-pooled, L2-normalized embeddings, one row per text."""
        ctx, batch = self._embedding_context()
        lc = self._lc
        rows: list[FloatArray] = []
        pending: list[list[int]] = []

        def flush() -> None:
            if not pending:
                return
            ctx.kv_cache_clear()
            batch.reset()
            for seq, toks in enumerate(pending):
                batch.add_sequence(toks, seq, True)
            ctx.decode(batch)
            for seq in range(len(pending)):
                ptr = lc.llama_get_embeddings_seq(ctx.ctx, seq)
                vec = np.array(np.ctypeslib.as_array(ptr, shape=(self.n_embd,)), dtype=np.float64)
                norm = float(np.linalg.norm(vec))
                rows.append(vec / norm if norm > 0 else vec)
            pending.clear()

        used = 0
        for text in texts:
            toks = self.tokenize(text, add_bos=True)[:max_tokens]
            if used + len(toks) > 512 or len(pending) >= 16:
                flush()
                used = 0
            pending.append(toks)
            used += len(toks)
        flush()
        if not rows:
            return np.zeros((0, self.n_embd), dtype=np.float64)
        return np.vstack(rows)

    def close(self) -> None:
        """Free the contexts and the model."""
        if self._embed_ctx is not None:
            self._embed_batch.close()
            self._embed_ctx.close()
            self._embed_ctx = None
        self.llm.close()
