"""A classifier head on the SLM's pooled embeddings, learned from the site's examples.

Labelled examples (from files, and from the cloud's answers to past
escalations, whose redacted text stays on the device) accumulate per task in
``<state>/<task>/examples.jsonl``. :meth:`HeadStore.retrain` embeds them (with
a cache, so each text is embedded once), fits a multinomial logistic
regression in numpy, calibrates its confidence by temperature scaling on a
held-back split, chooses the cascade threshold on that split, and saves a new
version. Versions are kept and can be rolled back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from appliance.errors import ApplianceError
from appliance.routing.calibrate import Calibration, calibrate_threshold
from appliance.routing.settings import LearnConfig

log = logging.getLogger(__name__)

Embedder = Callable[[Sequence[str]], NDArray[np.float32] | Any]
Progress = Callable[[str, int, int], None]
Array = NDArray[np.float64]


class LearnError(ApplianceError):
    """Examples are malformed, too few to train on, or a version is missing."""


def _softmax(z: Array) -> Array:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: Array = e / e.sum(axis=1, keepdims=True)
    return out


@dataclass
class LogisticHead:
    """Multinomial logistic regression on standardized embeddings, with a temperature."""

    classes: list[str]
    weights: Array
    bias: Array
    mean: Array
    scale: Array
    temperature: float = 1.0

    @classmethod
    def fit(cls, x: Array, labels: Sequence[str], *, l2: float, epochs: int, lr: float,
            progress: Progress | None = None) -> LogisticHead:
        """Fit on rows ``x`` with string ``labels`` (Adam on the mean cross-entropy + L2)."""
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise LearnError("need examples of at least two labels to train a head")
        idx = np.array([classes.index(lbl) for lbl in labels])
        mean = x.mean(axis=0)
        scale = x.std(axis=0) + 1e-6
        xs = (x - mean) / scale
        n, d = xs.shape
        k = len(classes)
        y = np.zeros((n, k))
        y[np.arange(n), idx] = 1.0
        w = np.zeros((d, k))
        b = np.zeros(k)
        m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        step = lr * 0.02  # Adam's step; ``lr`` keeps the config's scale
        for epoch in range(1, epochs + 1):
            p = _softmax(xs @ w + b)
            g = (p - y) / n
            gw = xs.T @ g + l2 * w
            gb = g.sum(axis=0)
            m_w = beta1 * m_w + (1 - beta1) * gw
            v_w = beta2 * v_w + (1 - beta2) * gw**2
            m_b = beta1 * m_b + (1 - beta1) * gb
            v_b = beta2 * v_b + (1 - beta2) * gb**2
            c1, c2 = 1 - beta1**epoch, 1 - beta2**epoch
            w -= step * (m_w / c1) / (np.sqrt(v_w / c2) + eps)
            b -= step * (m_b / c1) / (np.sqrt(v_b / c2) + eps)
            if progress is not None and (epoch % 25 == 0 or epoch == epochs):
                progress("train", epoch, epochs)
        return cls(classes, w, b, mean, scale)

    def logits(self, x: Array) -> Array:
        """Return raw logits for rows ``x``."""
        out: Array = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return out

    def proba(self, x: Array) -> Array:
        """Return calibrated class probabilities for rows ``x``."""
        return _softmax(self.logits(x) / self.temperature)

    def predict(self, x: Array) -> list[tuple[str, float]]:
        """Return ``(label, confidence)`` for each row of ``x``."""
        p = self.proba(np.atleast_2d(x))
        best = p.argmax(axis=1)
        return [(self.classes[int(i)], float(p[r, i])) for r, i in enumerate(best)]

    def calibrate_temperature(self, x: Array, labels: Sequence[str]) -> float:
        """Set and return the temperature minimizing held-out negative log-likelihood."""
        known = [i for i, lbl in enumerate(labels) if lbl in self.classes]
        if not known:
            return self.temperature
        z = self.logits(x[known])
        idx = np.array([self.classes.index(labels[i]) for i in known])
        best_t, best_nll = 1.0, float("inf")
        # Not below 0.25: a perfectly separated held-back set would drive the temperature
        # to zero and every confidence to 1.0, which says nothing about new inputs.
        for t in np.exp(np.linspace(np.log(0.25), np.log(20.0), 101)):
            p = _softmax(z / t)
            nll = float(-np.log(p[np.arange(len(idx)), idx] + 1e-12).mean())
            if nll < best_nll:
                best_t, best_nll = float(t), nll
        self.temperature = best_t
        return best_t

    def save(self, path: Path) -> None:
        """Write the head to ``path`` (.npz)."""
        np.savez(path, weights=self.weights, bias=self.bias, mean=self.mean, scale=self.scale,
                 temperature=np.array(self.temperature), classes=np.array(self.classes))

    @classmethod
    def load(cls, path: Path) -> LogisticHead:
        """Read a head written by :meth:`save`; raises LearnError if unreadable."""
        try:
            with np.load(path, allow_pickle=False) as z:
                return cls([str(c) for c in z["classes"]], z["weights"], z["bias"], z["mean"],
                           z["scale"], float(z["temperature"]))
        except (OSError, KeyError, ValueError) as exc:
            raise LearnError(f"cannot read head {path}: {exc}") from exc


def read_examples(path: Path) -> list[tuple[str, str]]:
    """Return ``(text, label)`` pairs from a JSONL file; raises LearnError naming the bad line."""
    out: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, label = row["text"], row["label"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise LearnError(f"{path}:{n}: expected {{\"text\", \"label\"}}: {exc}") from exc
            if not isinstance(text, str) or not isinstance(label, str) or not text.strip():
                raise LearnError(f"{path}:{n}: text and label must be non-empty strings")
            out.append((text, label))
    return out


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class HeadStore:
    """Examples, embedding cache and versioned heads for one task under ``root``."""

    def __init__(self, root: Path, task: str, config: LearnConfig) -> None:
        self.task = task
        self.dir = root / task
        self.config = config
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._since_train = 0
        self._head: LogisticHead | None = None
        self._head_version: int | None = None
        self._training = False
        # Labels of examples.jsonl, counted once and kept up to date by add_examples while
        # the file's size is the one counted (another process appending makes it recount).
        self._counts: Counter[str] | None = None
        self._counted_size = -1

    # --- examples -------------------------------------------------------------------------
    def add_examples(self, pairs: Sequence[tuple[str, str]], source: str = "label") -> int:
        """Append examples; return the total number held for the task."""
        path = self.dir / "examples.jsonl"
        with self._lock:
            with path.open("a", encoding="utf-8") as fh:
                unchanged = fh.tell() == self._counted_size
                for text, label in pairs:
                    fh.write(json.dumps({"text": text, "label": label, "source": source,
                                         "at": time.time()}, ensure_ascii=False) + "\n")
                end = fh.tell()
            self._since_train += len(pairs)
            if self._counts is not None and unchanged:
                self._counts.update(label for _, label in pairs)
                self._counted_size = end
        return sum(self.label_counts().values())

    def label_counts(self) -> Counter[str]:
        """Return how many examples each label has (without rereading an unchanged file)."""
        path = self.dir / "examples.jsonl"
        size = path.stat().st_size if path.exists() else 0
        with self._lock:
            if self._counts is None or size != self._counted_size:
                self._counts = Counter(label for _, label in self.examples())
                self._counted_size = size
            return Counter(self._counts)

    def add_escalation(self, redacted_text: str, cloud_label: str) -> bool:
        """Keep an escalation's redacted text and the cloud's label; True when retraining is due."""
        self.add_examples([(redacted_text, cloud_label)], source="escalation")
        return self._since_train >= self.config.retrain_every

    def examples(self) -> list[tuple[str, str]]:
        """Return every stored ``(text, label)``, oldest first."""
        path = self.dir / "examples.jsonl"
        return read_examples(path) if path.exists() else []

    # --- embeddings -----------------------------------------------------------------------
    def embed(self, texts: Sequence[str], embedder: Embedder, progress: Progress | None = None,
              batch: int = 32) -> Array:
        """Return embeddings of ``texts``, computing only those not in the on-disk cache."""
        cache_path = self.dir / "embeddings.npz"
        cache: dict[str, Array] = {}
        if cache_path.exists():
            with np.load(cache_path, allow_pickle=False) as z:
                cache = dict(zip([str(k) for k in z["keys"]], z["vectors"], strict=True))
        keys = [_key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cache}.items())
        unsaved = 0
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            vecs = np.asarray(embedder([t for _, t in chunk]), dtype=np.float64)
            for (k, _), v in zip(chunk, vecs, strict=True):
                cache[k] = v
            unsaved += len(chunk)
            if unsaved >= 8 * batch:  # an interrupted run keeps what it computed
                self._save_cache(cache)
                unsaved = 0
            if progress is not None:
                progress("embed", min(start + batch, len(todo)), len(todo))
        if unsaved:
            self._save_cache(cache)
        return np.stack([cache[k] for k in keys]) if keys else np.zeros((0, 0))

    def _save_cache(self, cache: dict[str, Array]) -> None:
        tmp = self.dir / "embeddings.tmp.npz"
        np.savez(tmp, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
        tmp.replace(self.dir / "embeddings.npz")

    # --- training and versions ------------------------------------------------------------
    def retrain(self, embedder: Embedder, progress: Progress | None = None,
                seed: int = 0) -> tuple[int, Calibration]:
        """Train a new head on all examples; save it as the next version and make it current.

        Returns the version number and the calibration on the held-back split.
        Raises LearnError when there are too few examples or labels.
        """
        pairs = self.examples()
        if len(pairs) < 10:
            raise LearnError(f"task {self.task!r} has {len(pairs)} examples; need at least 10")
        x = self.embed([t for t, _ in pairs], embedder, progress)
        labels = [lbl for _, lbl in pairs]
        order = np.random.default_rng(seed).permutation(len(pairs))
        n_hold = max(1, int(len(pairs) * self.config.holdout_fraction))
        hold, train = order[:n_hold], order[n_hold:]
        c = self.config
        head = LogisticHead.fit(x[train], [labels[i] for i in train], l2=c.l2, epochs=c.epochs,
                                lr=c.learning_rate, progress=progress)
        head.calibrate_temperature(x[hold], [labels[i] for i in hold])
        preds = head.predict(x[hold])
        cal = calibrate_threshold([p[1] for p in preds],
                                  [p[0] == labels[i] for p, i in zip(preds, hold, strict=True)],
                                  c.target_accuracy, c.cloud_accuracy)
        version = self._save_version(head, {
            "examples": len(pairs), "train": len(train), "holdout": len(hold),
            "holdout_accuracy": float(np.mean([p[0] == labels[i]
                                               for p, i in zip(preds, hold, strict=True)])),
            "temperature": head.temperature, "classes": head.classes,
            "calibration": cal.as_dict(), "created": time.time(),
        })
        with self._lock:
            self._since_train = 0
        return version, cal

    def retrain_async(self, embedder: Embedder) -> threading.Thread | None:
        """Start a retrain in a daemon thread unless one is running; return the thread or None."""
        with self._lock:
            if self._training:
                return None
            self._training = True

        def run() -> None:
            try:
                version, cal = self.retrain(embedder)
                log.info("task %s: head v%d trained, threshold %s", self.task, version,
                         cal.threshold)
            except LearnError as exc:
                log.warning("task %s: background retrain skipped: %s", self.task, exc)
            except Exception:  # a failed retrain keeps the current head and the daemon
                log.exception("task %s: background retrain failed", self.task)
            finally:
                with self._lock:
                    self._training = False

        thread = threading.Thread(target=run, name=f"retrain-{self.task}", daemon=True)
        thread.start()
        return thread

    def versions(self) -> list[int]:
        """Return the saved version numbers, ascending."""
        return sorted(int(p.stem[1:]) for p in self.dir.glob("v*.npz"))

    def current_version(self) -> int | None:
        """Return the current version, or None when no head was trained."""
        path = self.dir / "current"
        return int(path.read_text().strip()) if path.exists() else None

    def meta(self, version: int | None = None) -> dict[str, Any]:
        """Return the metadata saved with ``version`` (default: current)."""
        v = self.current_version() if version is None else version
        if v is None:
            raise LearnError(f"task {self.task!r} has no trained head")
        path = self.dir / f"v{v:04d}.json"
        if not path.exists():
            raise LearnError(f"task {self.task!r} has no version {v}")
        data: dict[str, Any] = json.loads(path.read_text())
        return data

    def _save_version(self, head: LogisticHead, meta: dict[str, Any]) -> int:
        with self._lock:
            version = max(self.versions(), default=0) + 1
            head.save(self.dir / f"v{version:04d}.npz")
            (self.dir / f"v{version:04d}.json").write_text(json.dumps(meta, indent=1))
            self._set_current(version)
            for old in self.versions()[: -self.config.keep_versions]:
                (self.dir / f"v{old:04d}.npz").unlink(missing_ok=True)
                (self.dir / f"v{old:04d}.json").unlink(missing_ok=True)
        return version

    def _set_current(self, version: int) -> None:
        tmp = self.dir / "current.tmp"
        tmp.write_text(f"{version}\n")
        tmp.replace(self.dir / "current")
        self._head, self._head_version = None, None

    def rollback(self, to: int | None = None) -> int:
        """Make ``to`` (default: the version before the current one) current; return it."""
        versions = self.versions()
        cur = self.current_version()
        if to is None:
            older = [v for v in versions if cur is not None and v < cur]
            if not older:
                raise LearnError(f"task {self.task!r} has no version older than {cur}")
            to = older[-1]
        if to not in versions:
            raise LearnError(f"task {self.task!r} has no version {to}; kept: {versions}")
        with self._lock:
            self._set_current(to)
        return to

    def head(self) -> LogisticHead | None:
        """Return the current head (loaded once per version), or None when untrained."""
        v = self.current_version()
        return None if v is None else self.head_version(v)

    def head_version(self, version: int) -> LogisticHead:
        """Return head ``version`` (loaded once); raises LearnError if it is gone."""
        head, loaded = self._head, self._head_version  # a retrain may reset them meanwhile
        if head is None or loaded != version:
            head = LogisticHead.load(self.dir / f"v{version:04d}.npz")
            self._head, self._head_version = head, version
        return head

    def classify(self, embedding: Array) -> tuple[str, float] | None:
        """Return ``(label, calibrated confidence)`` for one embedding, or None when untrained."""
        head = self.head()
        return None if head is None else head.predict(np.asarray(embedding, dtype=np.float64))[0]
