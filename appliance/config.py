"""One validated configuration tree for the device daemon.

The tree is loaded once, in ``main``, from a TOML file plus ``APPLIANCE_...``
environment overrides (``APPLIANCE_MQTT__PORT=1884`` sets ``mqtt.port``), and
passed down. Unknown keys are rejected; every problem is reported with its key
path. Nothing here runs at import time.

Each subsystem owns its section model beside its implementation
(``appliance/<subsystem>/settings.py``); this module only assembles them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from appliance.audit.settings import AuditConfig
from appliance.errors import ConfigError
from appliance.hw.settings import HardwareConfig
from appliance.perception.settings import PerceptionConfig
from appliance.privacy.settings import PrivacyConfig
from appliance.routing.settings import RoutingConfig
from appliance.slm.settings import SlmConfig
from appliance.uplink.settings import UplinkConfig

ENV_PREFIX = "APPLIANCE_"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class Section(BaseModel):
    """Base of every config section: unknown keys are errors, values validated on set."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Subscription(Section):
    """One MQTT subscription and the payload shape expected on it."""

    topic: str
    kind: Literal["sensor", "frigate", "ticket", "camera_frame"]


def _default_subscriptions() -> list[Subscription]:
    return [
        Subscription(topic="factory/+/sensors/+", kind="sensor"),
        Subscription(topic="factory/+/tickets", kind="ticket"),
        Subscription(topic="frigate/events", kind="frigate"),
    ]


class MqttConfig(Section):
    """Broker connection, subscriptions and the topics the device publishes on."""

    host: str = "127.0.0.1"
    port: int = Field(default=1883, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    tls: bool = False
    ca_file: Path | None = None
    client_id: str | None = Field(default=None, description="defaults to appliance-<device>")
    keepalive_s: int = Field(default=30, ge=5, le=3600)
    session_expiry_s: int = Field(default=7 * 24 * 3600, ge=0)
    qos: Literal[0, 1, 2] = 1
    reconnect_min_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)
    max_payload_bytes: int = Field(default=256 * 1024, ge=64)
    subscriptions: list[Subscription] = Field(default_factory=_default_subscriptions)
    topic_root: str = "appliance"
    embedded_broker: bool = Field(
        default=False, description="start a private mosquitto for this daemon (demo, tests)"
    )


class ApiConfig(Section):
    """The local REST API. A bearer token is always required except for health."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    token: SecretStr | None = Field(
        default=None, description="if unset, a random token is written to <state_dir>/api-token"
    )


class PipelineConfig(Section):
    """Bounded queues between stages and the worker count."""

    queue_size: int = Field(default=1024, ge=1)
    workers: int = Field(default=2, ge=1, le=64)
    drain_timeout_s: float = Field(default=10.0, ge=0)
    dedup_window: int = Field(default=65536, ge=0, description="recent event ids remembered")
    watchdog_interval_s: float = Field(default=5.0, gt=0)
    telemetry_interval_s: float = Field(default=30.0, gt=0)
    telemetry_file: Path | None = Field(
        default=None, description="heartbeat summary for the fleet agent, rewritten every "
        "telemetry_interval_s (default <state_dir>/telemetry.json)")
    inline_rules: bool = Field(
        default=True, description="decide with the rule stage on the MQTT thread (no hand-off)")


class Threshold(Section):
    """Warn and critical limits for one metric (values above are anomalous)."""

    warn: float
    critical: float
    low_critical: float | None = Field(default=None, description="values below are critical")

    @field_validator("critical")
    @classmethod
    def _critical_above_warn(cls, v: float, info: Any) -> float:
        warn = info.data.get("warn")
        if warn is not None and v < warn:
            raise ValueError("critical must be >= warn")
        return v


def _default_thresholds() -> dict[str, Threshold]:
    return {
        "temperature": Threshold(warn=80.0, critical=95.0),
        "vibration": Threshold(warn=7.1, critical=11.0),
        "current": Threshold(warn=18.0, critical=24.0),
        "pressure": Threshold(warn=8.5, critical=10.0, low_critical=1.0),
    }


class RulesConfig(Section):
    """Rule stage: per-metric thresholds, overridable per sensor (glob on sensor id)."""

    thresholds: dict[str, Threshold] = Field(default_factory=_default_thresholds)
    per_sensor: dict[str, dict[str, Threshold]] = Field(default_factory=dict)
    camera_labels_high: list[str] = Field(default_factory=lambda: ["person"])


class LoggingConfig(Section):
    """Log level and format."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_format: bool = False


class Config(Section):
    """The whole device configuration."""

    device_id: str = "edge-01"
    site: str = "default"
    state_dir: Path = Path("var/state")
    mode: Literal["production", "development"] = "production"
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    pipeline: PipelineConfig = Field(default_factory=PipelineConfig)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    slm: SlmConfig = Field(default_factory=SlmConfig)
    perception: PerceptionConfig = Field(default_factory=PerceptionConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    uplink: UplinkConfig = Field(default_factory=UplinkConfig)
    hw: HardwareConfig = Field(default_factory=HardwareConfig)

    @field_validator("device_id")
    @classmethod
    def _device_id_is_topic_safe(cls, v: str) -> str:
        if not _DEVICE_ID.match(v):
            raise ValueError("use 1-64 letters, digits, '_', '.', '-' (it becomes an MQTT topic level)")
        return v

    def topic(self, leaf: str) -> str:
        """Return the device's own topic ``<root>/<device>/<leaf>``."""
        return f"{self.mqtt.topic_root}/{self.device_id}/{leaf}"


def _parse_env_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """Turn ``APPLIANCE_A__B=v`` variables into a nested ``{"a": {"b": v}}`` tree.

    Values are read as JSON when they parse (numbers, booleans, lists), else as text.
    """
    tree: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == "APPLIANCE_CONFIG":
            continue
        path = [p.lower() for p in name[len(ENV_PREFIX) :].split("__") if p]
        node = tree
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError([(".".join(path), f"conflicts with another override ({name})")])
            node = child
        if path:
            node[path[-1]] = _parse_env_value(raw)
    return tree


def merge_trees(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``over`` merged in: tables merge key by key, other values replace."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_trees(out[key], value)
        else:
            out[key] = value
    return out


def format_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """Return ``(key_path, message)`` for every error in a pydantic ValidationError."""
    problems = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "<root>"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see `appliance config show --defaults`)"
        problems.append((path, msg))
    return problems


def validate_tree(tree: Mapping[str, Any], source: str = "") -> Config:
    """Validate a raw mapping into a :class:`Config`; raise :class:`ConfigError` with key paths."""
    try:
        return Config.model_validate(tree)
    except ValidationError as exc:
        raise ConfigError(format_problems(exc), source) from exc


def read_toml(path: Path | None) -> tuple[dict[str, Any], str]:
    """Return the TOML document at ``path`` (empty for None) and a name for error messages.

    Raises :class:`ConfigError` when the file is missing or not valid TOML.
    """
    if path is None:
        return {}, "defaults"
    source = str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), source
    except FileNotFoundError as exc:
        raise ConfigError([("<file>", f"{path} does not exist")], source) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([("<file>", f"not valid TOML: {exc}")], source) from exc


def load(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Load the config from ``path`` (TOML, optional) merged with environment overrides.

    Raises :class:`ConfigError` naming the file and every bad key path.
    """
    env = os.environ if environ is None else environ
    tree, source = read_toml(path)
    overrides = env_overrides(env)
    if overrides:
        source += " + APPLIANCE_* environment"
    return validate_tree(merge_trees(tree, overrides), source)


def api_token(config: Config) -> str:
    """Return the API bearer token, creating ``<state_dir>/api-token`` (mode 0600) if unset."""
    if config.api.token is not None:
        return config.api.token.get_secret_value()
    path = config.state_dir / "api-token"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    config.state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    return token


def masked(config: Config) -> dict[str, Any]:
    """Return the config as JSON-able data with every secret replaced by ``"***"``."""
    return config.model_dump(mode="json")  # SecretStr dumps as "**********"
