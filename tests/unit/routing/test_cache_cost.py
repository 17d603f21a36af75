"""Decision cache keys and TTL; cost meter money per route and avoided."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, generate_latest

from appliance.routing.cache import DecisionCache, cache_key, normalize_text
from appliance.routing.cost import CostMeter, price_of
from appliance.routing.settings import Price, RoutingConfig
from appliance.schema import Route


def test_duplicate_alarm_with_new_id_and_time_hits_the_cache() -> None:
    a = cache_key("severity",
                  text="ALARM motor-11 overtemp at 2026-01-01T10:00:00Z id=3fa2b9c4d5e6f708",
                  readings={"temperature": 97.21}, source="motor-11")
    b = cache_key("severity",
                  text="alarm  Motor-11 overtemp at 2026-01-01T10:05:13Z id=9aa2b9c4d5e6f701",
                  readings={"temperature": 97.09}, source="MOTOR-11")
    c = cache_key("severity", text="ALARM motor-11 overtemp", readings={"temperature": 99.0},
                  source="motor-11")
    assert a == b
    assert a != c


@given(st.text(max_size=200))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_cache_expires_after_ttl_and_evicts_oldest() -> None:
    now = [0.0]
    cache: DecisionCache[str] = DecisionCache(ttl_s=10, max_entries=2, clock=lambda: now[0])
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"
    cache.put("c", "C")  # evicts b (a was used more recently)
    assert cache.get("b") is None
    now[0] = 10.0
    assert cache.get("a") is None
    assert cache.hits == 1 and cache.misses == 2


def test_price_of_counts_cached_input_at_its_own_rate() -> None:
    p = Price(input=2.0, cached_input=0.5, output=8.0)
    assert price_of(p, 1_000_000, 0) == pytest.approx(2.0)
    assert price_of(p, 1_000_000, 0, cached_tokens=1_000_000) == pytest.approx(0.5)
    assert price_of(p, 500_000, 250_000, cached_tokens=100_000) == pytest.approx(
        0.4 * 2.0 + 0.1 * 0.5 + 0.25 * 8.0)


def test_cost_meter_reports_money_avoided_and_prometheus_counters() -> None:
    cfg = RoutingConfig()
    registry = CollectorRegistry()
    meter = CostMeter(cfg.prices, "openai/gpt-4.1", registry=registry)
    local = meter.record(Route.LOCAL, cfg.local_model, 1000, 50)
    cloud = meter.record(Route.CLOUD, "openai/gpt-4.1", 800, 100,
                         counterfactual_input_tokens=4000)
    assert local.cost_usd == 0.0
    assert local.avoided_usd == pytest.approx((1000 * 2.0 + 50 * 8.0) / 1e6)
    assert cloud.cost_usd == pytest.approx((800 * 2.0 + 100 * 8.0) / 1e6)
    assert cloud.avoided_usd == pytest.approx((3200 * 2.0) / 1e6)
    meter.reconcile(800, 812)
    snap = meter.snapshot()
    assert snap["local_share"] == 0.5
    assert snap["avoided_usd"] == pytest.approx(local.avoided_usd + cloud.avoided_usd, abs=1e-6)
    assert snap["token_count_reconciliation"]["provider_over_local"] == pytest.approx(812 / 800)
    text = generate_latest(registry).decode()
    assert 'appliance_routing_requests_total{route="cloud"} 1.0' in text
    assert "appliance_routing_avoided_usd_total" in text


def test_unknown_counterfactual_model_is_rejected() -> None:
    with pytest.raises(KeyError):
        CostMeter({}, "nope/model")
