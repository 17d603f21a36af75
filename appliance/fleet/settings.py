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
        description="local files only: the generated key-encryption key of a single-node "
        "SQLite fleet, and files of older releases imported at start; the fleet CA, "
        "signing key and model artifacts live in the database",
    )
    secret_key_file: Path | None = Field(
        default=None,
        description="the deployment's key-encryption key (32 random bytes, base64; create "
        "one with `appliance fleet secret-key FILE`, mode 0600): it seals the fleet CA and "
        "signing keys in the database, so every replica needs the same one. Unset: "
        "read from secret_key_env; with neither, a SQLite fleet generates "
        "<state_dir>/secret.key and a PostgreSQL fleet refuses to start",
    )
    secret_key_env: str | None = Field(
        default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="name of an environment variable holding the key-encryption key "
        "(base64), instead of secret_key_file",
    )
    artifact_dir: Path | None = Field(
        default=None,
        description="model artifacts of an older release (files named by sha256), "
        "imported into the database at start (defaults to <state_dir>/artifacts)",
    )
    enrollment_token_ttl_s: int = Field(default=24 * 3600, ge=60, le=30 * 24 * 3600)
    certificate_ttl_days: int = Field(default=365, ge=1, le=3650)
    offline_after_s: float = Field(default=90.0, gt=0, description="no heartbeat → offline")
    sweep_interval_s: float = Field(default=15.0, gt=0, description="offline sweep period")
    command_ttl_s: int = Field(default=24 * 3600, ge=10)
    telemetry_every_s: float = Field(
        default=60.0, ge=0, le=24 * 3600,
        description="telemetry history: at most one sample per device this often (0: every "
        "heartbeat)")
    telemetry_keep_days: float = Field(
        default=7.0, gt=0, le=3650, description="telemetry history kept per device")
    telemetry_points_max: int = Field(
        default=1000, ge=2, le=10_000,
        description="most points per metric in one telemetry answer (downsampled beyond)")
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
        description="PEM CRL rewritten on every revocation, for a relay in another process "
        "(a relay served with the fleet asks the database and needs none)",
    )
    require_client_certificate: bool = Field(
        default=False,
        description="device routes demand a TLS client certificate of the same device "
        "(when the server terminates TLS itself)",
    )
