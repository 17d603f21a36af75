"""Decision cache: repeated events (duplicate sensor alarms, re-sent tickets) cost nothing.

Keys are normalized so that what differs between two copies of the same alarm
(ids, timestamps, whitespace, case, sensor noise below a quantum) does not
make them different; entries expire after a TTL and the oldest are evicted
past ``max_entries``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")

_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_ISO_TS = re.compile(r"\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?\b")
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")
_LONG_HEX = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b")
_EPOCH = re.compile(r"\b1\d{9}(\.\d+)?\b")
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Return ``text`` lower-cased with ids, timestamps and runs of whitespace neutralized."""
    t = text.lower()
    t = _UUID.sub("<id>", t)
    t = _ISO_TS.sub("<ts>", t)
    t = _CLOCK.sub("<time>", t)
    t = _EPOCH.sub("<ts>", t)
    t = _LONG_HEX.sub("<id>", t)
    return _SPACE.sub(" ", t).strip()


def cache_key(task: str, text: str | None = None, readings: Mapping[str, float] | None = None,
              source: str = "", quantum: float = 0.5) -> str:
    """Return a stable hex key for a task input.

    Sensor ``readings`` are rounded to ``quantum`` so that noise does not
    defeat the cache, while a reading that moved by more than a quantum does.
    """
    parts: dict[str, object] = {"task": task, "source": source.lower()}
    if text is not None:
        parts["text"] = normalize_text(text)
    if readings:
        parts["readings"] = {k: round(round(v / quantum) * quantum, 6)
                             for k, v in sorted(readings.items())}
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


class DecisionCache(Generic[V]):
    """A TTL + LRU map from normalized keys to decisions; thread-safe."""

    def __init__(self, ttl_s: float, max_entries: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._data: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> V | None:
        """Return the cached value for ``key`` or None when absent or expired."""
        now = self._clock()
        with self._lock:
            item = self._data.get(key)
            if item is None or now - item[0] >= self.ttl_s:
                if item is not None:
                    del self._data[key]
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return item[1]

    def put(self, key: str, value: V) -> None:
        """Store ``value`` under ``key``; evicts the least recently used past the cap."""
        if self.max_entries == 0 or self.ttl_s == 0:
            return
        with self._lock:
            self._data[key] = (self._clock(), value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)
