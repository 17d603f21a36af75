"""The cloud side's configuration tree (relay today; the fleet adds its own section here).

Loaded once by ``appliance cloud`` from a TOML file plus ``APPLIANCE_CLOUD__...``
environment overrides (``APPLIANCE_CLOUD__PORT=9443``). Provider API keys live
only here, as :class:`~pydantic.SecretStr` (or named environment variables),
and are never logged or dumped in clear.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from appliance.config import env_overrides, format_problems, merge_trees, read_toml
from appliance.errors import ConfigError
from appliance.fleet.settings import FleetConfig


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ProviderConfig(_Section):
    """One OpenAI-compatible chat-completions provider; the first healthy one answers."""

    name: str
    base_url: str = Field(description="up to and including /v1, e.g. https://api.example.com/v1")
    model: str
    api_key: SecretStr | None = None
    api_key_env: str | None = Field(default=None,
                                    description="read the key from this environment variable")
    timeout_s: float = Field(default=60.0, gt=0)
    supports_idempotency: bool = Field(
        default=False,
        description="the provider honours Idempotency-Key: a request whose outcome a relay "
                    "crash left unknown may be sent again")

    def key(self, environ: Mapping[str, str] | None = None) -> SecretStr | None:
        """Return the API key from the config or the named environment variable."""
        if self.api_key is not None:
            return self.api_key
        env = os.environ if environ is None else environ
        if self.api_key_env and self.api_key_env in env:
            return SecretStr(env[self.api_key_env])
        return None


class TlsServerConfig(_Section):
    """The relay's TLS: its certificate, the CA devices' certificates must chain to, the CRL."""

    cert_file: Path = Path("/etc/appliance-cloud/pki/relay.pem")
    key_file: Path = Path("/etc/appliance-cloud/pki/relay.key")
    client_ca_file: Path = Field(
        default=Path("/etc/appliance-cloud/pki/fleet-ca.pem"),
        description="CA of the device certificates; with fleet.enabled the fleet CA (from "
                    "the database) is trusted anyway, and this file only if it exists")
    crl_file: Path | None = Field(default=None, description="PEM CRL, re-read when it changes")
    client_certificate: Literal["required", "optional"] | None = Field(
        default=None,
        description="TLS-level demand for a client certificate; default: required, or "
                    "optional when the fleet is served too (enrollment and operators come "
                    "without one). The relay routes demand one either way.")


class RelayConfig(_Section):
    """The relay: envelopes, limits, budget and providers."""

    enabled: bool = True
    keyring_file: Path = Field(default=Path("/var/lib/appliance-cloud/relay-keys.json"),
                               description="the relay's X25519/Ed25519 keys (0600); with "
                               "fleet.enabled they live sealed in the fleet database and an "
                               "existing file here is imported (never written again)")
    db_path: Path = Field(default=Path("/var/lib/appliance-cloud/relay.db"),
                          description="replay and idempotency records (SQLite); with "
                          "fleet.enabled they live in the fleet database, shared by replicas")
    window_s: float = Field(default=300.0, gt=0, description="accepted clock skew / replay window")
    max_envelope_bytes: int = Field(default=512 * 1024, ge=1024)
    rate_per_minute: float = Field(default=120.0, gt=0, description="per device, sustained")
    rate_burst: int = Field(default=30, ge=1)
    token_budget_per_day: int = Field(default=2_000_000, ge=0, description="whole fleet, UTC day")
    inflight_lease_s: float | None = Field(
        default=None, gt=0,
        description="after a relay restart, how long a request another process had in flight "
                    "is treated as busy (default: the providers' timeouts summed, plus 5 s)")
    in_progress_wait_s: float = Field(
        default=2.0, ge=0, le=30,
        description="a repeat of an escalation that is still with the provider (a retry, or "
                    "the same message at another replica) waits this long for its reply "
                    "before it is answered 409 in_progress (the device retries)")
    answered_keep_days: float = Field(
        default=7.0, gt=0,
        description="with fleet.enabled: how long answered escalations are remembered for "
                    "repeats (keep it above the devices' outbox ttl), then pruned")
    privacy_check: bool = Field(default=True,
                                description="re-run the privacy detector on what arrives")
    privacy_block: list[str] = Field(
        default_factory=lambda: ["PERSON", "EMAIL", "PHONE", "ADDRESS", "DOB", "NATIONAL_ID",
                                 "EMPLOYEE_ID", "MRN", "HEALTH", "CARD", "IBAN", "SECRET",
                                 "FACE"],
        description="data classes (appliance.privacy) that make the relay refuse and alert")
    providers: list[ProviderConfig] = Field(default_factory=list)


class CloudLogging(_Section):
    """Log level and format of the cloud service."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_format: bool = False


class CloudConfig(_Section):
    """The whole cloud-side configuration."""

    mode: Literal["production", "development"] = "production"
    host: str = "127.0.0.1"
    port: int = Field(default=8443, ge=0, le=65535)
    tls: TlsServerConfig = Field(default_factory=TlsServerConfig)
    relay: RelayConfig = Field(default_factory=RelayConfig)
    logging: CloudLogging = Field(default_factory=CloudLogging)
    fleet: FleetConfig = Field(default_factory=FleetConfig)

    def client_certificate_required(self) -> bool:
        """Whether the TLS handshake itself demands a client certificate."""
        if self.tls.client_certificate is not None:
            return self.tls.client_certificate == "required"
        return not self.fleet.enabled

    @model_validator(mode="after")
    def _providers_in_production(self) -> CloudConfig:
        if self.mode == "production" and self.relay.enabled and not self.relay.providers:
            raise ValueError("relay.providers is empty: configure at least one provider")
        return self


def load_cloud_config(path: Path | None = None,
                      environ: Mapping[str, str] | None = None) -> CloudConfig:
    """Load the cloud config from TOML plus ``APPLIANCE_CLOUD__*`` overrides.

    Raises :class:`ConfigError` naming the file and every bad key path.
    """
    env = os.environ if environ is None else environ
    tree, source = read_toml(path)
    over = env_overrides(env).get("cloud", {})
    if isinstance(over, dict) and over:
        tree = merge_trees(tree, over)
        source += " + APPLIANCE_CLOUD__* environment"
    try:
        return CloudConfig.model_validate(tree)
    except ValidationError as exc:
        raise ConfigError(format_problems(exc), source) from exc


