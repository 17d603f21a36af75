"""Token budgets per session and per device-day, soft-limit alerts, runaway detection.

Only tokens sent to (and received from) the cloud count. A soft limit raises
one alert per crossing (handed to ``on_alert``, which the daemon publishes on
MQTT, and kept for ``GET /v1/usage``); a hard limit turns the state to
:attr:`BudgetState.HARD`, which the router answers with local-only. A session
whose token rate spikes is ended: every later call for it raises
:class:`SessionEnded` with a clear message. The fleet budget is the relay's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from appliance.errors import BudgetExceeded
from appliance.routing.router import BudgetState
from appliance.routing.settings import BudgetConfig

log = logging.getLogger(__name__)


class SessionEnded(BudgetExceeded):
    """A session was ended by runaway detection; ``session`` names it."""

    def __init__(self, session: str, detail: str) -> None:
        self.session = session
        self.detail = detail
        super().__init__(f"session {session!r} was ended: {detail}")


@dataclass(frozen=True)
class BudgetAlert:
    """One limit crossing, as published on MQTT and listed by ``GET /v1/usage``."""

    scope: str  # "session" | "device_day"
    key: str
    level: str  # "soft" | "hard" | "runaway"
    used: int
    limit: int
    at: float

    def as_dict(self) -> dict[str, object]:
        """Return the alert as JSON-able data."""
        return asdict(self)


@dataclass
class _Session:
    used: int = 0
    window: deque[tuple[float, int]] = field(default_factory=deque)
    usual_window: float = 0.0  # EWMA of tokens per closed window
    window_start: float = 0.0
    window_tokens: int = 0
    ended: str | None = None
    alerted: set[str] = field(default_factory=set)


def _day(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d")


class BudgetLedger:
    """Thread-safe counters for sessions and the device-day.

    ``clock`` returns UNIX seconds (injectable for tests); ``on_alert`` is
    called outside the lock for each new :class:`BudgetAlert`.
    """

    def __init__(self, config: BudgetConfig, on_alert: Callable[[BudgetAlert], None] | None = None,
                 clock: Callable[[], float] = time.time, max_alerts: int = 200) -> None:
        self.config = config
        self._on_alert = on_alert
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._day_used: dict[str, int] = {}
        self._day_alerted: dict[str, set[str]] = {}
        self._alerts: deque[BudgetAlert] = deque(maxlen=max_alerts)


    def set_alert_handler(self, on_alert: Callable[[BudgetAlert], None] | None) -> None:
        """Call ``on_alert`` for each new alert from now on (the daemon publishes them)."""
        self._on_alert = on_alert
    def state(self, session: str) -> BudgetState:
        """Return the budget state for ``session`` (RUNAWAY if it was ended)."""
        with self._lock:
            s = self._sessions.get(session)
            if s is not None and s.ended:
                return BudgetState.RUNAWAY
            now = self._clock()
            day_used = self._day_used.get(_day(now), 0)
            s_used = s.used if s else 0
        c = self.config
        if s_used >= c.session_tokens or day_used >= c.device_day_tokens:
            return BudgetState.HARD
        if (s_used >= c.soft_fraction * c.session_tokens
                or day_used >= c.soft_fraction * c.device_day_tokens):
            return BudgetState.SOFT
        return BudgetState.OK

    def ensure_open(self, session: str) -> None:
        """Raise :class:`SessionEnded` if ``session`` was ended by runaway detection."""
        with self._lock:
            s = self._sessions.get(session)
            reason = s.ended if s else None
        if reason:
            raise SessionEnded(session, reason)

    def remaining(self, session: str) -> int:
        """Return the cloud tokens ``session`` may still use today (0 when exhausted)."""
        with self._lock:
            s = self._sessions.get(session)
            s_used = s.used if s else 0
            day_used = self._day_used.get(_day(self._clock()), 0)
        return max(0, min(self.config.session_tokens - s_used,
                          self.config.device_day_tokens - day_used))

    def charge(self, session: str, tokens: int, *, billable: bool = True) -> BudgetState:
        """Add ``tokens`` to the session and the day; return the new state.

        ``billable=False`` (tokens the local model handled) feeds only runaway
        detection, not the budgets. Raises :class:`SessionEnded` when this
        charge makes the session a runaway.
        """
        now = self._clock()
        new_alerts: list[BudgetAlert] = []
        ended: str | None = None
        with self._lock:
            s = self._sessions.setdefault(session, _Session(window_start=now))
            day = _day(now)
            if billable:
                s.used += tokens
                self._day_used[day] = self._day_used.get(day, 0) + tokens
            ended = self._runaway(s, now, tokens)
            if ended and not s.ended:
                s.ended = ended
                new_alerts.append(BudgetAlert("session", session, "runaway", s.used,
                                              self.config.session_tokens, now))
            else:
                ended = None
            new_alerts += self._crossings(
                "session", session, s.used, self.config.session_tokens, seen=s.alerted, now=now)
            new_alerts += self._crossings(
                "device_day", day, self._day_used.get(day, 0), self.config.device_day_tokens,
                seen=self._day_alerted.setdefault(day, set()), now=now)
            self._alerts.extend(new_alerts)
        for alert in new_alerts:
            log.warning("budget %s limit on %s %s: %d of %d tokens",
                        alert.level, alert.scope, alert.key, alert.used, alert.limit)
            if self._on_alert is not None:
                try:
                    self._on_alert(alert)
                except Exception:  # an alert sink failure must not fail the request
                    log.exception("budget alert sink failed")
        if ended:
            raise SessionEnded(session, ended)
        return self.state(session)

    def _crossings(self, scope: str, key: str, used: int, limit: int, *, seen: set[str],
                   now: float) -> list[BudgetAlert]:
        out = []
        for level, at in (("soft", self.config.soft_fraction * limit), ("hard", float(limit))):
            if used >= at and level not in seen:
                seen.add(level)
                out.append(BudgetAlert(scope, key, level, used, limit, now))
        return out

    def _runaway(self, s: _Session, now: float, tokens: int) -> str | None:
        c = self.config
        w = c.runaway_window_s
        # Close finished windows into the session's usual rate (EWMA over closed windows).
        while now - s.window_start >= w:
            s.usual_window = (s.window_tokens if s.usual_window == 0.0
                              else 0.7 * s.usual_window + 0.3 * s.window_tokens)
            s.window_tokens = 0
            s.window_start += w
        s.window_tokens += tokens
        s.window.append((now, tokens))
        while s.window and now - s.window[0][0] > w:
            s.window.popleft()
        recent = sum(t for _, t in s.window)
        if recent > c.runaway_tokens_per_window:
            return (f"{recent} tokens in {w:.0f} s exceeds the runaway limit of "
                    f"{c.runaway_tokens_per_window}")
        if (s.usual_window > 0 and recent >= c.runaway_min_tokens
                and recent > c.runaway_spike_factor * s.usual_window):
            return (f"token rate spiked to {recent} in {w:.0f} s, "
                    f"{recent / s.usual_window:.1f}x the session's usual {s.usual_window:.0f}")
        return None

    def end_session(self, session: str, reason: str) -> None:
        """End ``session`` by hand (operator action); later calls raise SessionEnded."""
        with self._lock:
            self._sessions.setdefault(session, _Session(window_start=self._clock())).ended = reason

    def alerts(self) -> list[BudgetAlert]:
        """Return recent alerts, oldest first."""
        with self._lock:
            return list(self._alerts)

    def snapshot(self) -> dict[str, object]:
        """Return budget usage as JSON-able data for ``GET /v1/usage`` and telemetry."""
        now = self._clock()
        with self._lock:
            day = _day(now)
            sessions = {
                k: {"used": s.used, "limit": self.config.session_tokens, "ended": s.ended}
                for k, s in self._sessions.items()
            }
            day_used = self._day_used.get(day, 0)
            alerts = [a.as_dict() for a in self._alerts]
        return {
            "device_day": {"day": day, "used": day_used, "limit": self.config.device_day_tokens},
            "sessions": sessions,
            "alerts": alerts,
        }
