"""Label cascade, no uplink: sure labels stay local, unsure ones degrade, repeats hit the cache."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from appliance.routing.budget import BudgetLedger
from appliance.routing.cost import CostMeter
from appliance.routing.label_cascade import LabelCascade, match_label
from appliance.routing.router import Reason
from appliance.routing.settings import RoutingConfig
from appliance.schema import Route


def keyword_classifier(task: str, text: str) -> tuple[str, float]:
    """A rule on the words of the text: sure about leaks, unsure about everything else."""
    return ("hydraulic_leak", 0.97) if "leak" in text else ("conveyor_stop", 0.41)


def cascade() -> tuple[LabelCascade, CostMeter]:
    cfg = RoutingConfig()
    meter = CostMeter(cfg.prices, cfg.counterfactual_model, registry=CollectorRegistry())
    lc = LabelCascade(cfg, labels={"ticket_category": ["hydraulic_leak", "conveyor_stop"]},
                      local=keyword_classifier, cloud=None, gate=None,
                      budgets=BudgetLedger(cfg.budgets), meter=meter,
                      count_tokens=lambda t: len(t.split()))
    return lc, meter


def test_confident_label_stays_local_and_unsure_one_degrades_without_uplink() -> None:
    lc, meter = cascade()
    sure = lc.classify("ticket_category", "Oil leak under cell 4")
    assert (sure.label, sure.route) == ("hydraulic_leak", Route.LOCAL)
    assert Reason.CONFIDENT in sure.reasons
    unsure = lc.classify("ticket_category", "Belt halted")
    assert unsure.route is Route.LOCAL_DEGRADED
    assert Reason.CLOUD_NOT_CONFIGURED in unsure.reasons
    assert meter.snapshot()["cost_usd"] == 0.0


def test_duplicate_alarm_is_answered_from_the_cache() -> None:
    lc, meter = cascade()
    first = lc.classify("ticket_category", "[case 1] Oil leak under cell 4",
                        cache_text="Oil leak under cell 4")
    again = lc.classify("ticket_category", "[case 2] Oil leak under cell 4",
                        cache_text="oil  leak under cell 4")
    assert not first.cached and again.cached
    assert again.label == first.label and again.route is Route.LOCAL
    assert again.reasons[0] == Reason.CACHED
    assert lc.cache.hits == 1
    assert meter.snapshot()["routes"]["local"]["requests"] == 2


def test_degraded_answers_are_not_cached() -> None:
    lc, _ = cascade()
    lc.classify("ticket_category", "Belt halted")
    assert not lc.classify("ticket_category", "Belt halted").cached


def test_match_label_reads_loose_cloud_answers() -> None:
    labels = ["stall", "stuck_sensor", "normal"]
    assert match_label(" Stuck_sensor.\n", labels) == "stuck_sensor"
    assert match_label("The label is: stall", labels) == "stall"
    assert match_label("no idea", labels) == "no idea"
