"""The learned heads as the cascade's local classifier, fed by the cloud's answers.

:class:`LearnedLocal` holds one :class:`~appliance.routing.learn.HeadStore` per
label task. When a task has a trained head whose held-back calibration found a
threshold that meets the target accuracy, :meth:`LearnedLocal.answer` embeds the
input with the SLM and returns the head's label and calibrated confidence, and
:meth:`LearnedLocal.threshold` returns that calibrated threshold for the router.
Otherwise it returns None and the caller keeps the SLM task's own answer.

:meth:`LearnedLocal.learn` keeps an escalation's redacted text with the cloud's
label and retrains in a background thread once enough new examples arrived, so
the share decided on the device rises as the site's escalations accumulate.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from appliance.errors import ApplianceError
from appliance.routing.learn import Embedder, HeadStore, LearnError
from appliance.routing.settings import LearnConfig

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class HeadAnswer:
    """A trained head's answer for one input."""

    label: str
    confidence: float
    version: int
    threshold: float

    @property
    def source(self) -> str:
        """How decisions name the classifier (``head v3``)."""
        return f"head v{self.version}"


class LearnedLocal:
    """Per-task heads on the SLM's pooled embeddings, used and retrained by the daemon."""

    def __init__(self, root: Path, config: LearnConfig, embed: Embedder,
                 tasks: Mapping[str, Sequence[str]]) -> None:
        self.config = config
        self.embed = embed
        self.labels = {task: frozenset(labels) for task, labels in tasks.items()}
        self.stores = {task: HeadStore(root, task, config) for task in tasks}
        self._thresholds: dict[tuple[str, int], float | None] = {}
        self._lock = threading.Lock()
        self.retrains: list[threading.Thread] = []

    def threshold(self, task: str) -> tuple[int, float] | None:
        """Return (version, calibrated threshold) of the task's usable head, else None."""
        store = self.stores.get(task)
        version = store.current_version() if store is not None else None
        if store is None or version is None:
            return None
        key = (task, version)
        with self._lock:
            if key not in self._thresholds:
                try:
                    meta = store.meta(version)
                    found = meta.get("calibration", {}).get("threshold")
                    trusted = found is not None and int(meta["examples"]) >= self.config.min_examples
                    self._thresholds[key] = float(found) if trusted else None
                except (LearnError, KeyError, ValueError, TypeError) as exc:
                    log.warning("task %s: head v%d has unreadable metadata: %s", task, version,
                                exc)
                    self._thresholds[key] = None
            threshold = self._thresholds[key]
        return None if threshold is None else (version, threshold)

    def answer(self, task: str, text: str) -> HeadAnswer | None:
        """Return the head's answer for ``text``, or None when the task has no usable head.

        A head is usable when it was trained on at least ``min_examples``, its
        calibration met the target accuracy on its held-back split, and its
        label is one of the task's labels.
        """
        usable = self.threshold(task)
        if usable is None:
            return None
        version, threshold = usable
        store = self.stores[task]
        try:
            head = store.head_version(version)  # the version whose threshold was just read
            label, conf = head.predict(self.embed([text])[0])[0]
        except LearnError as exc:
            log.warning("task %s: head v%d cannot be used: %s", task, version, exc)
            return None
        except ApplianceError as exc:  # the SLM could not embed in time: its own answer stands
            log.warning("task %s: no embedding for the head (%s); the SLM's answer stands",
                        task, exc)
            return None
        if label not in self.labels[task]:
            return None
        return HeadAnswer(label, conf, version, threshold)

    def state(self) -> dict[str, dict[str, object]]:
        """Per task: the current head version, what it was trained on, and whether it is used."""
        out: dict[str, dict[str, object]] = {}
        for task, store in self.stores.items():
            version = store.current_version()
            usable = self.threshold(task)
            row: dict[str, object] = {"version": version, "in_use": usable is not None,
                                      "threshold": usable[1] if usable else None}
            if version is not None:
                try:
                    meta = store.meta(version)
                    row.update(examples=meta.get("examples"),
                               holdout_accuracy=meta.get("holdout_accuracy"))
                except LearnError:
                    pass
            out[task] = row
        return out

    def learn(self, task: str, redacted_text: str, label: str) -> threading.Thread | None:
        """Keep an escalation's redacted text and the cloud's label; retrain when due.

        Returns the retraining thread when one was started.
        """
        store = self.stores.get(task)
        if store is None or label not in self.labels[task]:
            return None
        due = store.add_escalation(redacted_text, label)
        if store.current_version() is None:  # the first head waits for enough examples
            counts = store.label_counts()
            if sum(counts.values()) < self.config.min_examples or len(counts) < 2:
                return None
        elif not due:
            return None
        thread = store.retrain_async(self.embed)
        if thread is not None:
            self.retrains = [t for t in self.retrains if t.is_alive()] + [thread]
        return thread
