"""Configuration section for the fleet service (a ``fleet`` section of the cloud config)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class FleetConfig(BaseModel):
    """Fleet REST service: database, CA and signing material, enrollment and liveness."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = Field(default=False, description="serve the fleet API in `appliance cloud`")
    database_url: str = Field(
        default="sqlite:////var/lib/appliance-cloud/fleet.db",
        description="SQLAlchemy URL; postgresql+psycopg://... for production replicas",
    )
    state_dir: Path = Field(
        default=Path("/var/lib/appliance-cloud/fleet"),
        description="fleet CA, Ed25519 fleet signing key and the model artifact store",
    )
    artifact_dir: Path | None = Field(
        default=None,
        description="content-addressed model artifacts; share it between replicas "
        "(defaults to <state_dir>/artifacts)",
    )
    enrollment_token_ttl_s: int = Field(default=24 * 3600, ge=60, le=30 * 24 * 3600)
    certificate_ttl_days: int = Field(default=365, ge=1, le=3650)
    offline_after_s: float = Field(default=90.0, gt=0, description="no heartbeat → offline")
    sweep_interval_s: float = Field(default=15.0, gt=0, description="offline sweep period")
    command_ttl_s: int = Field(default=24 * 3600, ge=10)
    page_size_max: int = Field(default=500, ge=1, le=10_000)
    model_signers: list[str] = Field(
        default_factory=list,
        description="trusted model-signing Ed25519 public keys (base64 raw 32 bytes); "
        "a registered model must carry a signature by one of them",
    )
    mqtt_host: str | None = Field(
        default=None, description="broker for nudges (devices also poll, so this is optional)")
    mqtt_port: int = Field(default=1883, ge=1, le=65535)
    mqtt_topic_root: str = "appliance"
    crl_file: Path | None = Field(
        default=None,
        description="PEM CRL rewritten on every revocation (point the relay's tls.crl_file here)",
    )
    require_client_certificate: bool = Field(
        default=False,
        description="device routes demand a TLS client certificate of the same device "
        "(when the server terminates TLS itself)",
    )
