"""Configuration section for perception (owned here, assembled by :mod:`appliance.config`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PerceptionConfig(BaseModel):
    """ONNX perception: anomaly scoring and camera detection."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = True
