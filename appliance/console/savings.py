"""Savings over time for the console chart: from the cost meter when wired, else from decisions.

The cost meter (:class:`appliance.routing.cost.CostMeter`) keeps running totals only,
so :class:`UsageHistory` samples its snapshot into a bounded series. Without a meter
the series is estimated from recent decisions: tokens the SLM reported per route,
priced at the cloud-only counterfactual model.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from appliance.routing.settings import RoutingConfig
from appliance.schema import Decision, Route

Usage = Callable[[], Mapping[str, Any]]
_LOCAL = (Route.LOCAL.value, Route.LOCAL_DEGRADED.value)


def _tokens(cost: Mapping[str, Any], routes: Iterable[str]) -> int:
    per_route = cost.get("routes", {})
    return int(sum(per_route.get(r, {}).get("input_tokens", 0)
                   + per_route.get(r, {}).get("output_tokens", 0) for r in routes))


def _requests(cost: Mapping[str, Any], routes: Iterable[str]) -> int:
    per_route = cost.get("routes", {})
    return int(sum(per_route.get(r, {}).get("requests", 0) for r in routes))


class UsageHistory:
    """A bounded series of cost-meter samples, taken at most every ``every_s``."""

    def __init__(self, usage: Usage, every_s: float = 5.0, keep: int = 2000) -> None:
        self._usage = usage
        self._every_s = every_s
        self._points: deque[dict[str, Any]] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def sample(self, force: bool = False) -> None:
        """Take a sample unless the last one is younger than ``every_s``."""
        now = time.time()
        with self._lock:
            if not force and self._points and now - self._points[-1]["t"] < self._every_s:
                return
        cost = dict(self._usage().get("cost", {}))
        point = {
            "t": round(now, 3),
            "usd_sent": float(cost.get("cost_usd", 0.0)),
            "usd_counterfactual": float(cost.get("counterfactual_usd", 0.0)),
            "tokens_local": _tokens(cost, _LOCAL),
            "tokens_sent": _tokens(cost, (Route.CLOUD.value,)),
            "requests_local": _requests(cost, _LOCAL),
            "requests_sent": _requests(cost, (Route.CLOUD.value,)),
        }
        with self._lock:
            self._points.append(point)

    def series(self) -> list[dict[str, Any]]:
        """Return the samples, oldest first."""
        with self._lock:
            return list(self._points)


def decision_series(decisions: Iterable[Decision], routing: RoutingConfig,
                    bucket_s: float = 60.0) -> list[dict[str, Any]]:
    """Return per-bucket route counts and cumulative tokens and money from ``decisions``.

    Tokens come from ``detail["tokens"]`` (the SLM's count); rule decisions carry
    none. Money is those tokens priced as input at the counterfactual model: what
    cloud-only would have paid, and what the cloud-routed part did pay.
    """
    price = routing.prices[routing.counterfactual_model]
    buckets: dict[int, dict[str, Any]] = {}
    for d in sorted(decisions, key=lambda d: d.decided_at):
        key = int(d.decided_at // bucket_s)
        b = buckets.setdefault(key, {"t": key * bucket_s, "local": 0, "cloud": 0, "blocked": 0,
                                     "degraded": 0, "tokens_local": 0, "tokens_sent": 0})
        route = d.route.value
        b["degraded" if route == Route.LOCAL_DEGRADED.value else route] += 1
        tokens = d.detail.get("tokens")
        if isinstance(tokens, int) and not isinstance(tokens, bool):
            b["tokens_sent" if route == Route.CLOUD.value else "tokens_local"] += tokens
    out, kept, sent = [], 0, 0
    for key in sorted(buckets):
        b = buckets[key]
        kept += b["tokens_local"]
        sent += b["tokens_sent"]
        b["cum_tokens_local"], b["cum_tokens_sent"] = kept, sent
        b["usd_sent"] = round(sent * price.input / 1_000_000, 6)
        b["usd_counterfactual"] = round((kept + sent) * price.input / 1_000_000, 6)
        out.append(b)
    return out


def savings_view(decisions: list[Decision], routing: RoutingConfig,
                 history: UsageHistory | None) -> dict[str, Any]:
    """Return the JSON behind the savings page (see the module docstring for the sources)."""
    span = (max(d.decided_at for d in decisions) - min(d.decided_at for d in decisions)
            if decisions else 0.0)
    bucket_s = 10.0 if span < 600 else 60.0 if span < 6 * 3600 else 600.0
    by_route = decision_series(decisions, routing, bucket_s)
    counts = {k: sum(b[k] for b in by_route) for k in ("local", "cloud", "blocked", "degraded")}
    body: dict[str, Any] = {"counterfactual_model": routing.counterfactual_model,
                            "decisions": by_route, "counts": counts, "bucket_s": bucket_s}
    if history is not None:
        history.sample()
        body["source"] = "meter"
        body["money"] = history.series()
    else:
        body["source"] = "decisions"
        body["money"] = [{k: b[k] for k in ("t", "usd_sent", "usd_counterfactual")}
                         | {"tokens_local": b["cum_tokens_local"],
                            "tokens_sent": b["cum_tokens_sent"]} for b in by_route]
    return body
