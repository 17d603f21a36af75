"""Typed results of SLM tasks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# ok: answered; timeout: the deadline passed first; overloaded: the queue was full;
# invalid: structured output did not parse (only when max_tokens cut it short).
Status = Literal["ok", "timeout", "overloaded", "invalid"]


class LabelResult(BaseModel):
    """The answer of a label task for one input."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str
    label: str
    confidence: float = Field(ge=0.0, le=1.0, description="calibrated probability of `label`")
    raw_probs: dict[str, float] = Field(
        default_factory=dict, description="label probability mass normalized over allowed labels"
    )
    probs: dict[str, float] = Field(default_factory=dict, description="after calibration")
    action: str = ""
    label_mass: float = Field(
        default=0.0, description="probability the model put on any allowed label at all"
    )
    latency_ms: float = 0.0
    queue_ms: float = 0.0
    tokens: int = Field(default=0, description="tokens evaluated for this input")
    model: str = ""
    status: Status = "ok"

    def as_json(self) -> dict[str, Any]:
        """Return the result as JSON-able data."""
        return self.model_dump(mode="json")


class StructuredResult(BaseModel):
    """The answer of a structured task: JSON that validates against the task's grammar."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str
    data: dict[str, Any] = Field(default_factory=dict)
    text: str = ""
    confidence: float = Field(
        ge=0.0, le=1.0, description="geometric mean of the generated tokens' probabilities"
    )
    latency_ms: float = 0.0
    queue_ms: float = 0.0
    tokens: int = Field(default=0, description="prompt tokens evaluated for this input")
    generated_tokens: int = 0
    model: str = ""
    status: Status = "ok"

    def as_json(self) -> dict[str, Any]:
        """Return the result as JSON-able data."""
        return self.model_dump(mode="json")
