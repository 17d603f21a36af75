"""Prometheus metrics of the device daemon, on a registry of its own (no globals)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class DaemonMetrics:
    """Counters and gauges the pipeline, ingest and API update."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.events = Counter("appliance_events_total", "Events accepted for a decision",
                              ["kind"], registry=r)
        self.decisions = Counter("appliance_decisions_total", "Decisions published",
                                 ["route", "severity"], registry=r)
        self.deadletters = Counter("appliance_deadletters_total", "Inputs rejected",
                                   ["reason"], registry=r)
        self.shed = Counter("appliance_shed_total", "Events shed because a queue was full",
                            registry=r)
        self.duplicates = Counter("appliance_duplicates_total",
                                  "Redelivered events recognised and not decided again", registry=r)
        self.queue_depth = Gauge("appliance_queue_depth", "Events waiting for a worker", registry=r)
        self.latency = Histogram(
            "appliance_decision_latency_seconds", "Receive-to-publish latency",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=r)
        self.mqtt_connected = Gauge("appliance_mqtt_connected", "1 while connected to the broker",
                                    registry=r)
        self.ready = Gauge("appliance_ready", "1 once subscribed and the pipeline runs", registry=r)
