"""Cost meter: tokens and money per route, and money avoided against cloud-only.

Every request is recorded with the route it took, the tokens it actually
sent and received, and the tokens a cloud-only deployment would have sent (the
untrimmed input plus the same output) priced at the counterfactual model. The
difference is the money avoided. Counts are exported as Prometheus metrics on
a registry the caller passes in, and as JSON for ``GET /v1/usage``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter

from appliance.routing.settings import Price
from appliance.schema import Route


def price_of(price: Price, input_tokens: int, output_tokens: int, cached_tokens: int = 0) -> float:
    """Return the USD cost of a call; ``cached_tokens`` is the cached part of ``input_tokens``."""
    cached = min(max(cached_tokens, 0), input_tokens)
    return ((input_tokens - cached) * price.input + cached * price.cached_input
            + output_tokens * price.output) / 1_000_000


@dataclass
class RouteTotals:
    """Running totals for one route."""

    requests: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    counterfactual_usd: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Return the totals as JSON-able data."""
        return {
            "requests": self.requests, "input_tokens": self.input_tokens,
            "cached_tokens": self.cached_tokens, "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "counterfactual_usd": round(self.counterfactual_usd, 6),
        }


@dataclass(frozen=True)
class Charge:
    """What one request cost, and what cloud-only would have cost."""

    cost_usd: float
    counterfactual_usd: float

    @property
    def avoided_usd(self) -> float:
        """Return money saved against the cloud-only counterfactual."""
        return self.counterfactual_usd - self.cost_usd


@dataclass
class _Metrics:
    tokens: Counter
    cost: Counter
    avoided: Counter
    requests: Counter
    reconcile: Counter = field(repr=False)


class CostMeter:
    """Thread-safe cost accounting by route, with Prometheus counters on ``registry``."""

    def __init__(self, prices: Mapping[str, Price], counterfactual_model: str,
                 registry: CollectorRegistry | None = None, namespace: str = "appliance") -> None:
        if counterfactual_model not in prices:
            raise KeyError(f"counterfactual model {counterfactual_model!r} has no price")
        self.prices = dict(prices)
        self.counterfactual_model = counterfactual_model
        self._lock = threading.Lock()
        self._routes: dict[str, RouteTotals] = {}
        self._reconcile = {"local_count": 0, "provider_count": 0}
        self._metrics: _Metrics | None = None
        if registry is not None:
            self._metrics = _Metrics(
                tokens=Counter(f"{namespace}_routing_tokens", "Tokens by route and direction",
                               ["route", "direction"], registry=registry),
                cost=Counter(f"{namespace}_routing_cost_usd", "Money spent by route",
                             ["route", "model"], registry=registry),
                avoided=Counter(f"{namespace}_routing_avoided_usd",
                                "Money avoided against a cloud-only counterfactual",
                                registry=registry),
                requests=Counter(f"{namespace}_routing_requests", "Requests by route",
                                 ["route"], registry=registry),
                reconcile=Counter(f"{namespace}_routing_reconciled_tokens",
                                  "Cloud input tokens as counted locally and by the provider",
                                  ["counter"], registry=registry),
            )

    def price(self, model: str) -> Price:
        """Return the price of ``model`` (``provider/model``); unknown models raise KeyError."""
        return self.prices[model]

    def record(self, route: Route, model: str, input_tokens: int, output_tokens: int,
               *, cached_tokens: int = 0, counterfactual_input_tokens: int | None = None) -> Charge:
        """Record one request and return its :class:`Charge`.

        ``model`` prices the actual call (the local model prices at zero);
        ``counterfactual_input_tokens`` is what cloud-only would have sent
        (defaults to ``input_tokens``).
        """
        cost = price_of(self.prices[model], input_tokens, output_tokens, cached_tokens) \
            if route is Route.CLOUD else 0.0
        cf_in = input_tokens if counterfactual_input_tokens is None else counterfactual_input_tokens
        cf = price_of(self.prices[self.counterfactual_model], cf_in, output_tokens)
        with self._lock:
            t = self._routes.setdefault(route.value, RouteTotals())
            t.requests += 1
            t.input_tokens += input_tokens
            t.cached_tokens += cached_tokens
            t.output_tokens += output_tokens
            t.cost_usd += cost
            t.counterfactual_usd += cf
        if self._metrics is not None:
            m = self._metrics
            m.requests.labels(route.value).inc()
            m.tokens.labels(route.value, "input").inc(input_tokens)
            m.tokens.labels(route.value, "output").inc(output_tokens)
            m.cost.labels(route.value, model).inc(cost)
            m.avoided.inc(max(cf - cost, 0.0))
        return Charge(cost, cf)

    def reconcile(self, local_count: int, provider_count: int) -> None:
        """Record the cloud input tokens as counted here and as the provider reported them."""
        with self._lock:
            self._reconcile["local_count"] += local_count
            self._reconcile["provider_count"] += provider_count
        if self._metrics is not None:
            self._metrics.reconcile.labels("local").inc(local_count)
            self._metrics.reconcile.labels("provider").inc(provider_count)

    def snapshot(self) -> dict[str, object]:
        """Return totals per route, overall cost, counterfactual and money avoided."""
        with self._lock:
            routes = {k: v.as_dict() for k, v in self._routes.items()}
            cost = sum(v.cost_usd for v in self._routes.values())
            cf = sum(v.counterfactual_usd for v in self._routes.values())
            requests = sum(v.requests for v in self._routes.values())
            local = sum(v.requests for k, v in self._routes.items()
                        if k in (Route.LOCAL.value, Route.LOCAL_DEGRADED.value))
            rec = dict(self._reconcile)
        ratio = rec["provider_count"] / rec["local_count"] if rec["local_count"] else None
        return {
            "routes": routes,
            "requests": requests,
            "local_share": (local / requests) if requests else 0.0,
            "cost_usd": round(cost, 6),
            "counterfactual_model": self.counterfactual_model,
            "counterfactual_usd": round(cf, 6),
            "avoided_usd": round(cf - cost, 6),
            "token_count_reconciliation": {**rec, "provider_over_local": ratio},
        }
