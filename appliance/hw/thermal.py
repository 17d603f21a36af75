"""Thermal policy: run hot, do less.

Three levels. ``normal`` runs the board profile's model at its concurrency.
Above ``throttle_c`` the SLM concurrency drops to ``reduced_concurrency``.
Above ``fallback_c`` the appliance also switches to the profile's smaller
``fallback_model``. Stepping up is immediate; stepping back down needs the
temperature below the threshold minus ``hysteresis_c`` and at least
``min_dwell_s`` since the last change, so the model is not reloaded on every
sample near a threshold.

:func:`decide` is a pure function of policy, previous state, temperature and
time; :class:`ThermalGovernor` holds the state and tells listeners about
changes (telemetry and decisions carry ``level`` and ``reason``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from appliance.hw.profiles import BoardProfile
from appliance.hw.settings import ThermalConfig

log = logging.getLogger(__name__)


class ThermalLevel(StrEnum):
    """How hard the appliance is backing off because of heat."""

    NORMAL = "normal"
    THROTTLED = "throttled"
    FALLBACK = "fallback"


_RANK = {ThermalLevel.NORMAL: 0, ThermalLevel.THROTTLED: 1, ThermalLevel.FALLBACK: 2}


@dataclass(frozen=True)
class ThermalPolicy:
    """Thresholds and what each level runs."""

    throttle_c: float
    fallback_c: float
    hysteresis_c: float
    normal_concurrency: int
    reduced_concurrency: int
    model: str
    fallback_model: str
    min_dwell_s: float = 10.0
    enabled: bool = True

    @classmethod
    def from_config(cls, config: ThermalConfig, profile: BoardProfile) -> ThermalPolicy:
        """Combine the ``[hw.thermal]`` section with the board profile's defaults."""
        throttle = profile.thermal.throttle_c if config.throttle_c is None else config.throttle_c
        fallback = profile.thermal.fallback_c if config.fallback_c is None else config.fallback_c
        return cls(
            throttle_c=throttle, fallback_c=max(fallback, throttle),
            hysteresis_c=config.hysteresis_c,
            normal_concurrency=profile.slm.concurrency,
            reduced_concurrency=min(config.reduced_concurrency, profile.slm.concurrency),
            model=profile.slm.model, fallback_model=profile.slm.fallback_model,
            min_dwell_s=config.min_dwell_s, enabled=config.enabled,
        )

    def settings_for(self, level: ThermalLevel) -> tuple[int, str]:
        """Return ``(concurrency, model)`` for a level."""
        if level is ThermalLevel.NORMAL:
            return self.normal_concurrency, self.model
        if level is ThermalLevel.THROTTLED:
            return self.reduced_concurrency, self.model
        return self.reduced_concurrency, self.fallback_model


@dataclass(frozen=True)
class ThermalState:
    """The current level, what it runs, the temperature that set it, and why."""

    level: ThermalLevel
    concurrency: int
    model: str
    temperature_c: float | None
    since: float
    reason: str

    @classmethod
    def initial(cls, policy: ThermalPolicy, now: float) -> ThermalState:
        """Return the normal state a daemon starts in."""
        concurrency, model = policy.settings_for(ThermalLevel.NORMAL)
        return cls(ThermalLevel.NORMAL, concurrency, model, None, now, "start")

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-able view for telemetry and decision details."""
        return {"level": self.level.value, "concurrency": self.concurrency, "model": self.model,
                "temperature_c": self.temperature_c, "since": self.since, "reason": self.reason}


def _target(policy: ThermalPolicy, current: ThermalLevel, temp: float) -> ThermalLevel:
    if temp >= policy.fallback_c:
        return ThermalLevel.FALLBACK
    if temp >= policy.throttle_c:
        # Already in fallback: stay there until below fallback_c - hysteresis.
        if current is ThermalLevel.FALLBACK and temp > policy.fallback_c - policy.hysteresis_c:
            return ThermalLevel.FALLBACK
        return ThermalLevel.THROTTLED
    if current is ThermalLevel.FALLBACK and temp > policy.fallback_c - policy.hysteresis_c:
        return ThermalLevel.FALLBACK
    if current is not ThermalLevel.NORMAL and temp > policy.throttle_c - policy.hysteresis_c:
        return ThermalLevel.THROTTLED
    return ThermalLevel.NORMAL


def decide(policy: ThermalPolicy, state: ThermalState, temperature_c: float | None,
           now: float) -> ThermalState:
    """Return the next state for a temperature reading (pure; ``state`` is not changed).

    A missing reading keeps the state. A disabled policy always stays normal.
    """
    if temperature_c is None:
        return state
    if not policy.enabled:
        return replace(state, temperature_c=temperature_c)
    target = _target(policy, state.level, temperature_c)
    if target is state.level:
        return replace(state, temperature_c=temperature_c)
    stepping_down = _RANK[target] < _RANK[state.level]
    if stepping_down and now - state.since < policy.min_dwell_s:
        return replace(state, temperature_c=temperature_c)
    concurrency, model = policy.settings_for(target)
    if target is ThermalLevel.NORMAL:
        floor = policy.throttle_c - policy.hysteresis_c
        reason = f"{temperature_c:.1f} C cooled below {floor:.1f} C"
    elif target is ThermalLevel.THROTTLED and not stepping_down:
        reason = f"{temperature_c:.1f} C >= throttle {policy.throttle_c:.1f} C"
    elif target is ThermalLevel.THROTTLED:
        reason = (f"{temperature_c:.1f} C cooled below "
                  f"{policy.fallback_c - policy.hysteresis_c:.1f} C")
    else:
        reason = f"{temperature_c:.1f} C >= fallback {policy.fallback_c:.1f} C"
    return ThermalState(target, concurrency, model, temperature_c, now, reason)


class ThermalGovernor:
    """Holds the thermal state and calls listeners with ``(old, new)`` on each level change."""

    def __init__(self, policy: ThermalPolicy, now: float) -> None:
        self.policy = policy
        self._state = ThermalState.initial(policy, now)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[ThermalState, ThermalState], None]] = []
        self.changes = 0

    @property
    def state(self) -> ThermalState:
        """Return the current state."""
        return self._state

    def subscribe(self, listener: Callable[[ThermalState, ThermalState], None]) -> None:
        """Call ``listener(old, new)`` after every level change."""
        self._listeners.append(listener)

    def update(self, temperature_c: float | None, now: float) -> ThermalState | None:
        """Feed one reading; return the new state if the level changed, else None."""
        with self._lock:
            old = self._state
            new = decide(self.policy, old, temperature_c, now)
            self._state = new
            if new.level is old.level:
                return None
            self.changes += 1
        log.warning("thermal level %s -> %s (%s): concurrency %d, model %s",
                    old.level, new.level, new.reason, new.concurrency, new.model)
        for listener in list(self._listeners):
            try:
                listener(old, new)
            except Exception:
                log.exception("thermal listener failed")
        return new

    def as_metrics(self) -> dict[str, float]:
        """Return gauges: the level as 0/1/2, concurrency, last temperature, change count."""
        s = self._state
        out = {"thermal_level": float(_RANK[s.level]), "thermal_concurrency": float(s.concurrency),
               "thermal_changes_total": float(self.changes)}
        if s.temperature_c is not None:
            out["thermal_temperature_c"] = s.temperature_c
        return out
