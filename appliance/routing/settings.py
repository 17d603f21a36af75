"""Configuration section for routing (owned here, assembled by :mod:`appliance.config`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RoutingConfig(BaseModel):
    """Routing: cascade, context compression, budgets, cost, gateway."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = True
