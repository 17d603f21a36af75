"""Configuration section for privacy (owned here, assembled by :mod:`appliance.config`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PrivacyConfig(BaseModel):
    """Privacy guard: detection, redaction, egress policy."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = True
