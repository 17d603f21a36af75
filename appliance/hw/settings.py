"""Configuration section for hw (owned here, assembled by :mod:`appliance.config`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class HardwareConfig(BaseModel):
    """Jetson board profiles, telemetry, serial and camera ingest."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = True
