"""Configuration section for uplink (owned here, assembled by :mod:`appliance.config`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class RelayKey(BaseModel):
    """A relay's public keys under one key id (base64url, raw 32 bytes each)."""

    model_config = ConfigDict(extra="forbid")

    x25519: str = Field(description="the relay's agreement key: requests are sealed to it")
    ed25519: str = Field(description="the relay's signing key: replies must verify with it")


class UplinkConfig(BaseModel):
    """Encrypted uplink, sealed envelopes and the durable outbox."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = False
    relay_url: str = Field(default="https://127.0.0.1:8443",
                           description="https only: there is no plaintext fallback")
    ca_file: Path = Field(default=Path("/etc/appliance/pki/relay-ca.pem"),
                          description="the only CA trusted for the relay (pinned)")
    client_cert: Path = Path("/etc/appliance/pki/device.pem")
    client_key: Path | None = Field(
        default=None, description="TLS client key; default <keys_dir>/signing.key (Ed25519)")
    keys_dir: Path = Path("/var/lib/appliance/keys")
    key_owner: str | None = Field(default=None, description="user owning the key files")
    relay_keys: dict[str, RelayKey] = Field(
        default_factory=dict,
        description="relay public keys by key id; empty: fetched over the pinned mTLS channel")
    relay_key_id: str | None = Field(default=None, description="the relay key to seal to")
    outbox_path: Path = Path("/var/lib/appliance/outbox.db")
    quota_bytes: int = Field(default=64 * 1024 * 1024, ge=4096)
    ttl_s: float = Field(default=3600.0, gt=0, description="an item not delivered by then expires")
    retry_base_s: float = Field(default=1.0, gt=0)
    retry_max_s: float = Field(default=300.0, gt=0)
    retry_jitter: float = Field(default=0.5, ge=0, le=1,
                                description="share of the delay randomised")
    default_priority: int = Field(default=5, ge=0, le=9, description="higher is kept longer")
    timeout_s: float = Field(default=30.0, gt=0)
    window_s: float = Field(default=300.0, gt=0, description="replay/clock window for replies")
    batch: int = Field(default=32, ge=1, description="items taken from the outbox per drain round")
    concurrency: int = Field(default=4, ge=1, le=64, description="requests in flight at once")

    def tls_key_path(self) -> Path:
        """The TLS client key: ``client_key`` or the device signing key in ``keys_dir``."""
        return self.client_key or self.keys_dir / "signing.key"

    @field_validator("relay_url")
    @classmethod
    def _https_only(cls, v: str) -> str:
        if not v.startswith("https://"):
            raise ValueError("the relay URL must start with https:// (no plaintext uplink)")
        return v.rstrip("/")

    @model_validator(mode="after")
    def _backoff_ordered(self) -> UplinkConfig:
        if self.retry_max_s < self.retry_base_s:
            raise ValueError("retry_max_s must be >= retry_base_s")
        if self.relay_key_id is not None and self.relay_keys and \
                self.relay_key_id not in self.relay_keys:
            raise ValueError(f"relay_key_id {self.relay_key_id!r} is not in relay_keys")
        return self
