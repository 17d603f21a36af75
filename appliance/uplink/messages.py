"""What an escalation carries inside the envelope, both ways (JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ChatMessage(BaseModel):
    """One chat message, as in the OpenAI chat-completions API."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant"]
    content: str


class EscalationRequest(BaseModel):
    """The redacted, compressed context a device asks the frontier model about."""

    model_config = ConfigDict(extra="forbid")

    messages: list[ChatMessage] = Field(min_length=1)
    task: str = "triage"
    max_tokens: int = Field(default=256, ge=1, le=8192)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    event_id: str | None = None


class Usage(BaseModel):
    """Token counts the provider reported."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class EscalationReply(BaseModel):
    """The relay's answer, sealed back to the device.

    ``status`` is ``ok`` (``content`` holds the answer) or ``outcome_unknown``
    (the relay stopped while the provider had the request; it is not sent a
    second time, so the device keeps its local decision).
    """

    model_config = ConfigDict(extra="forbid")

    status: Literal["ok", "outcome_unknown"]
    content: str = ""
    provider: str = ""
    model: str = ""
    usage: Usage = Field(default_factory=Usage)
