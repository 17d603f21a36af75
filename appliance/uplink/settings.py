"""Configuration section for uplink (owned here, assembled by :mod:`appliance.config`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class UplinkConfig(BaseModel):
    """Encrypted uplink, sealed envelopes and the durable outbox."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = False
