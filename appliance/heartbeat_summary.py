"""The heartbeat summary: the daemon's telemetry condensed to what the fleet agent reports.

Every telemetry interval the daemon replaces ``pipeline.telemetry_file`` (default
``<state_dir>/telemetry.json``, mode 0640) with a summary in the agent's telemetry
format, which ``appliance agent`` sends with each heartbeat::

    {"ts": 1718000000.0, "temperatures": {"cpu": 51.5, "tj": 53.0},
     "queue_depths": {"pipeline": 0, "slm": 1, "outbox": 3}, "budget_used": 1200.0,
     "cpu_load_percent": 12.5, "gpu_load_percent": 0.0, "ram_used_mb": 2048.0,
     "outbox_oldest_age_s": 4.2}

:func:`summarize` keeps only values the fleet accepts (finite numbers in its ranges, at
most 32 names of at most 64 characters), so a heartbeat is never refused for the
daemon's telemetry. The agent skips a summary older than its maximum age: the queue
depths of a daemon that stopped writing are not current.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appliance.config import Config

log = logging.getLogger(__name__)

HEARTBEAT_GAUGES = ("cpu_load_percent", "gpu_load_percent", "ram_used_mb", "outbox_oldest_age_s")
FILE_NAME = "telemetry.json"
FILE_MODE = 0o640
DEFAULT_MAX_AGE_S = 120.0
MIN_MAX_AGE_S = 10.0
MAX_NAMES = 32  # the fleet's limits on one heartbeat
MAX_NAME_LEN = 64
GAUGE_MAX = 1e9
BUDGET_MAX = 1e12


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def _count(value: Any) -> int | None:
    number = _number(value, 0, GAUGE_MAX)
    return None if number is None or number != int(number) else int(number)


def _section(doc: Mapping[str, Any], *path: str) -> Mapping[str, Any]:
    node: Any = doc
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}  # a failed source reports {"error": ...}


def summarize(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return the heartbeat summary of one telemetry document (see the module docstring).

    Temperatures are the tegrastats ``temp_<sensor>_c`` readings; queue depths the
    pipeline's, the SLM's (when one is loaded) and the uplink outbox's; ``budget_used``
    today's device token use. Missing, failed or out-of-range values are left out.
    """
    out: dict[str, Any] = {}
    ts = _number(doc.get("ts"), 0, math.inf)
    if ts is not None:
        out["ts"] = ts
    tegra = _section(doc, "hw", "tegrastats")
    temps: dict[str, float] = {}
    for key in sorted(k for k in tegra if isinstance(k, str)):
        name = key[len("temp_"):-len("_c")][:MAX_NAME_LEN]
        value = _number(tegra[key], -273.15, 1000.0)
        if key.startswith("temp_") and key.endswith("_c") and name and value is not None:
            temps.setdefault(name, value)
    out["temperatures"] = dict(list(temps.items())[:MAX_NAMES])
    queues = {"pipeline": _count(_section(doc, "pipeline").get("queue_depth")),
              "slm": _count(_section(doc, "models").get("slm_queue"))
              if _section(doc, "models").get("slm") else None,
              "outbox": _count(_section(doc, "uplink").get("depth"))}
    out["queue_depths"] = {k: v for k, v in queues.items() if v is not None}
    budget = _number(_section(doc, "budgets", "device_day").get("used"), 0, BUDGET_MAX)
    if budget is not None:
        out["budget_used"] = budget
    gauges = {"cpu_load_percent": tegra.get("cpu_load_percent"),
              "gpu_load_percent": tegra.get("gpu_load_percent"),
              "ram_used_mb": tegra.get("ram_used_mb"),
              "outbox_oldest_age_s": _section(doc, "uplink").get("oldest_age_s")}
    for name, raw in gauges.items():
        value = _number(raw, 0, GAUGE_MAX)
        if value is not None:
            out[name] = value
    return out


def summary_path(config: Config) -> Path:
    """Return where the daemon of ``config`` writes its heartbeat summary."""
    return config.pipeline.telemetry_file or config.state_dir / FILE_NAME


def write_summary(path: Path, summary: Mapping[str, Any]) -> None:
    """Replace ``path`` with ``summary`` atomically and durably (temp, fsync, rename; 0640).

    Raises ``OSError`` when the file cannot be written.
    """
    from appliance.fleet.device_state import atomic_write

    atomic_write(path, json.dumps(summary, sort_keys=True, allow_nan=False).encode(), FILE_MODE)


class SummaryWriter:
    """The daemon's telemetry sink: writes the summary of each telemetry document.

    A failure to write is logged once at warning (and once when writing works again),
    not every interval.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._failing = False

    def __call__(self, doc: Mapping[str, Any]) -> None:
        """Summarize ``doc`` into the file; never raises for a file system error."""
        try:
            write_summary(self.path, summarize(doc))
        except OSError as exc:
            if not self._failing:
                log.warning("cannot write the heartbeat summary %s: %s", self.path, exc)
                self._failing = True
            return
        if self._failing:
            log.info("heartbeat summary %s written again", self.path)
            self._failing = False


def stale_reason(summary: Mapping[str, Any], mtime: float, now: float,
                 max_age_s: float) -> str | None:
    """Return why ``summary`` is too old to report, or None when it is current.

    Its age comes from its ``ts``, else from the file's ``mtime``; a time ahead of
    ``now`` by more than ``max_age_s`` (the clock was set back) is not current either.
    """
    ts = _number(summary.get("ts"), -math.inf, math.inf)
    age = now - (mtime if ts is None else ts)
    if abs(age) <= max_age_s:
        return None
    when = f"{age:.1f}s ago" if age > 0 else f"{-age:.1f}s in the future"
    return f"written {when} (at most {max_age_s:g}s allowed)"


class SummaryReader:
    """Reads the daemon's summary for each heartbeat; stale or unreadable reads as empty.

    Each time the summary stops being usable one warning is logged, and one info line
    when it is current again.
    """

    def __init__(self, path: Path | None, max_age_s: float = DEFAULT_MAX_AGE_S,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.max_age_s = max_age_s
        self._clock = clock
        self._warned = False

    def read(self) -> dict[str, Any]:
        """Return the summary, or ``{}`` when absent, unreadable or stale."""
        if self.path is None:
            return {}
        try:
            mtime = self.path.stat().st_mtime
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}  # no daemon has written one (yet)
        except (OSError, ValueError) as exc:
            return self._unusable(f"unreadable ({type(exc).__name__}: {exc})")
        if not isinstance(doc, dict):
            return self._unusable("not a JSON object")
        reason = stale_reason(doc, mtime, self._clock(), self.max_age_s)
        if reason is not None:
            return self._unusable(f"stale: {reason}")
        if self._warned:
            log.info("telemetry summary %s is current again", self.path)
            self._warned = False
        return doc

    def _unusable(self, why: str) -> dict[str, Any]:
        if not self._warned:
            log.warning("telemetry summary %s not reported: %s; heartbeats carry no queue "
                        "depths or loads until the daemon writes a current one", self.path, why)
            self._warned = True
        return {}


def agent_source(config_paths: Sequence[Path | None],
                 environ: Mapping[str, str]) -> tuple[Path | None, float]:
    """Return the summary the agent reads and its maximum age, from the device config.

    The first config file that loads gives ``pipeline.telemetry_file`` (or
    ``<state_dir>/telemetry.json``) and three telemetry intervals (at least 10 s);
    without one, ``$APPLIANCE_STATE_DIR/telemetry.json`` and 120 s (no file when unset).
    """
    from appliance.config import load
    from appliance.errors import ConfigError

    for path in config_paths:
        if path is None or not path.exists():
            continue
        try:
            config = load(path, environ)
        except ConfigError as exc:
            log.warning("telemetry summary: cannot read %s: %s", path, exc)
            continue
        return summary_path(config), max(3 * config.pipeline.telemetry_interval_s,
                                         MIN_MAX_AGE_S)
    state_dir = environ.get("APPLIANCE_STATE_DIR")
    return (Path(state_dir) / FILE_NAME if state_dir else None), DEFAULT_MAX_AGE_S
