"""Configuration section for slm (owned here, assembled by :mod:`appliance.config`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SlmConfig(BaseModel):
    """On-device small language model through llama.cpp."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = True
