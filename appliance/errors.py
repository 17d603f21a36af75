"""The appliance's exception hierarchy.

Library and OS errors are translated at module boundaries into one of these,
so callers handle a small, stable set (``raise ApplianceError(...) from exc``).
"""

from __future__ import annotations


class ApplianceError(Exception):
    """Base class of every error the appliance raises on purpose."""


class ConfigError(ApplianceError):
    """The configuration is invalid; ``problems`` lists ``(key_path, message)``."""

    def __init__(self, problems: list[tuple[str, str]], source: str = "") -> None:
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        lines = "; ".join(f"{key}: {msg}" for key, msg in problems)
        super().__init__(f"invalid configuration{where}: {lines}")


class PayloadError(ApplianceError):
    """An inbound payload was rejected; ``reason`` is a stable dead-letter code."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


class ModelError(ApplianceError):
    """A model file is missing, corrupt, unsigned or does not match its manifest."""


class EgressBlocked(ApplianceError):
    """The egress gate refused to let a payload leave the device."""


class UplinkError(ApplianceError):
    """The uplink could not deliver, or the peer rejected an envelope."""


class BudgetExceeded(ApplianceError):
    """A hard token budget is exhausted; the caller must stay local."""
