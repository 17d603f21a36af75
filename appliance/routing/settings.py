"""Configuration section for routing (owned here, assembled by :mod:`appliance.config`).

Holds the per-task cascade thresholds, latency classes, token budgets, the
price table the cost meter uses, the decision cache, the context trim budget
and the OpenAI-compatible endpoint used for the cloud path until the uplink
carries it. Defaults are safe for production: cloud use is off until an
endpoint is configured, and budgets are finite.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TaskPolicy(_Section):
    """Cascade policy for one task (``severity``, ``ticket_category``, ``chat`` ...)."""

    threshold: float = Field(
        default=0.8, ge=0.0, le=1.0,
        description="local confidence at or above this is final; set by calibration",
    )
    latency_class: str = Field(default="interactive", description="a key of latency_classes")
    cloud_allowed: bool = Field(default=True, description="may this task ever escalate")
    max_local_input_tokens: int = Field(
        default=6000, ge=1, description="longer inputs skip the local model",
    )
    direct_cloud_complexity: float = Field(
        default=0.85, ge=0.0, le=1.0,
        description="estimated complexity at or above which local is skipped when cloud is allowed",
    )


def _default_tasks() -> dict[str, TaskPolicy]:
    return {
        "severity": TaskPolicy(threshold=0.8, latency_class="interactive"),
        "ticket_category": TaskPolicy(threshold=0.8, latency_class="interactive"),
        "chat": TaskPolicy(threshold=0.6, latency_class="interactive"),
    }


def _default_latency_classes() -> dict[str, float]:
    # deadline in seconds for each class
    return {"realtime": 1.0, "interactive": 15.0, "batch": 300.0}


class BudgetConfig(_Section):
    """Token budgets (input + output tokens sent to the cloud) and runaway detection."""

    session_tokens: int = Field(default=200_000, ge=0, description="per session id")
    device_day_tokens: int = Field(default=2_000_000, ge=0, description="per device per UTC day")
    soft_fraction: float = Field(
        default=0.8, gt=0.0, le=1.0, description="share of a budget at which an alert is raised",
    )
    runaway_window_s: float = Field(default=60.0, gt=0.0)
    runaway_tokens_per_window: int = Field(
        default=60_000, ge=1, description="tokens in one window that end a session outright",
    )
    runaway_spike_factor: float = Field(
        default=8.0, gt=1.0,
        description="window tokens above this multiple of the session's usual window end it",
    )
    runaway_min_tokens: int = Field(
        default=8_000, ge=0, description="a spike below this many tokens is never a runaway",
    )


class Price(_Section):
    """USD per one million tokens."""

    input: float = Field(ge=0.0)
    cached_input: float = Field(ge=0.0)
    output: float = Field(ge=0.0)


def _default_prices() -> dict[str, Price]:
    # List prices per 1M tokens at the time of writing; sites set their own contract prices.
    return {
        "openai/gpt-4.1": Price(input=2.00, cached_input=0.50, output=8.00),
        "openai/gpt-4o": Price(input=2.50, cached_input=1.25, output=10.00),
        "openai/gpt-4.1-mini": Price(input=0.40, cached_input=0.10, output=1.60),
        "anthropic/claude-sonnet-4": Price(input=3.00, cached_input=0.30, output=15.00),
        "local/gemma-3-270m": Price(input=0.0, cached_input=0.0, output=0.0),
    }


class ContextConfig(_Section):
    """Context management before anything leaves the device."""

    budget_tokens: int = Field(default=3000, ge=64, description="trim target for a cloud request")
    keep_recent_turns: int = Field(default=4, ge=1, description="non-system turns always kept")
    log_min_lines: int = Field(default=40, ge=5, description="longer line blocks are compressed")
    log_keep_head: int = Field(default=3, ge=0)
    log_keep_tail: int = Field(default=3, ge=0)
    anomaly_window: int = Field(default=2, ge=0, description="lines kept around an anomaly line")
    anomaly_zscore: float = Field(default=4.0, gt=0.0, description="robust z of a numeric outlier")
    summarize_old_turns: bool = Field(default=False, description="use the local SLM to summarize")


class CloudEndpoint(_Section):
    """An OpenAI-compatible endpoint used for the cloud path until the uplink carries it."""

    base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:9000/v1")
    model: str = "gpt-4.1"
    provider: str = "openai"
    api_key_env: str = Field(
        default="EDGE_CLOUD_API_KEY",
        description="name of the variable holding the key (not APPLIANCE_*: those are config)",
    )
    timeout_s: float = Field(default=30.0, gt=0.0)
    expected_latency_s: float = Field(default=2.5, gt=0.0, description="used by the router")


class LearnConfig(_Section):
    """The classifier head trained on the SLM's pooled embeddings."""

    enabled: bool = Field(
        default=True, description="the daemon asks a task's trained head first and keeps the "
        "cloud's answers to escalations (redacted) as training examples",
    )
    state_subdir: str = Field(default="heads", description="under the daemon's state_dir")
    min_examples: int = Field(
        default=50, ge=10, description="examples a head must be trained on before the daemon "
        "trusts it (the first head is trained in the background once this many arrived)",
    )
    l2: float = Field(default=1e-3, ge=0.0)
    epochs: int = Field(default=300, ge=1)
    learning_rate: float = Field(default=0.5, gt=0.0)
    holdout_fraction: float = Field(default=0.2, ge=0.0, lt=1.0)
    retrain_every: int = Field(default=50, ge=1, description="new examples between retrains")
    keep_versions: int = Field(default=10, ge=1)
    target_accuracy: float = Field(default=0.95, gt=0.0, le=1.0)
    cloud_accuracy: float = Field(
        default=0.97, gt=0.0, le=1.0, description="assumed accuracy of an escalation's answer",
    )


class RoutingConfig(BaseModel):
    """Routing: cascade, context compression, budgets, cost, gateway."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = True
    tasks: dict[str, TaskPolicy] = Field(default_factory=_default_tasks)
    default_task: str = "chat"
    latency_classes: dict[str, float] = Field(default_factory=_default_latency_classes)
    local_seconds_per_1k_tokens: float = Field(
        default=1.5, gt=0.0, description="expected local prefill+decode time, for the router",
    )
    never_egress: list[str] = Field(
        default_factory=lambda: ["HEALTH", "MRN", "NATIONAL_ID", "CARD", "SECRET", "FACE"],
        description="data classes (privacy guard names, any case) that keep a request on the "
        "device even when redacted",
    )
    escalation_ttl_s: float = Field(default=900.0, ge=0.0, description="queued escalations expire")
    budgets: BudgetConfig = Field(default_factory=BudgetConfig)
    prices: dict[str, Price] = Field(default_factory=_default_prices)
    counterfactual_model: str = Field(
        default="openai/gpt-4.1", description="price-table key of the cloud-only counterfactual",
    )
    local_model: str = "local/gemma-3-270m"
    cache_ttl_s: float = Field(default=300.0, ge=0.0)
    cache_max_entries: int = Field(default=10_000, ge=0)
    cache_reading_quantum: float = Field(
        default=0.5, gt=0.0, description="sensor values are rounded to this before keying",
    )
    context: ContextConfig = Field(default_factory=ContextConfig)
    cloud: CloudEndpoint = Field(default_factory=CloudEndpoint)
    learn: LearnConfig = Field(default_factory=LearnConfig)

    @field_validator("latency_classes")
    @classmethod
    def _positive_deadlines(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, s in v.items() if s <= 0]
        if bad:
            raise ValueError(f"deadlines must be > 0 s: {', '.join(bad)}")
        return v

    @model_validator(mode="after")
    def _references_exist(self) -> RoutingConfig:
        for name, task in self.tasks.items():
            if task.latency_class not in self.latency_classes:
                raise ValueError(
                    f"tasks.{name}.latency_class {task.latency_class!r} is not in latency_classes"
                )
        if self.counterfactual_model not in self.prices:
            raise ValueError(f"counterfactual_model {self.counterfactual_model!r} is not in prices")
        return self

    def task(self, name: str) -> TaskPolicy:
        """Return the policy for ``name``, falling back to ``default_task``'s, then to defaults."""
        return self.tasks.get(name) or self.tasks.get(self.default_task) or TaskPolicy()

    def deadline_s(self, task: str) -> float:
        """Return the deadline in seconds of the task's latency class."""
        return self.latency_classes.get(self.task(task).latency_class, 15.0)

    def cloud_price_key(self) -> str:
        """Return the price-table key of the configured cloud endpoint."""
        return f"{self.cloud.provider}/{self.cloud.model}"
