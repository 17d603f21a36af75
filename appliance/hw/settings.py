"""Configuration section for hw (owned here, assembled by :mod:`appliance.config`).

``[hw]`` picks the board profile (detected, or forced with ``board``), lists the
serial ports and cameras to ingest from, and sets the thermal policy and the
``tegrastats`` sampling interval.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _topic_safe(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError("use 1-64 letters, digits, '_', '.', '-' (it becomes a topic level)")
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class SerialPortConfig(_Section):
    """One serial port: where it is, how it is framed and what its lines mean."""

    path: str = Field(description="device node, e.g. /dev/ttyTHS1 or a udev symlink")
    name: str | None = Field(default=None, description="topic level; defaults to the node's name")
    baud: int = Field(default=115200, ge=50, le=4_000_000)
    bytesize: Literal[5, 6, 7, 8] = 8
    parity: Literal["N", "E", "O", "M", "S"] = "N"
    stopbits: float = Field(default=1, description="1, 1.5 or 2")
    protocol: Literal["json", "csv", "kv"] = "json"
    line: str = Field(default="", description="production line the readings belong to")
    sensor: str | None = Field(default=None, description="sensor id; defaults to the port name")
    csv_columns: list[str] = Field(
        default_factory=list,
        description="column names for protocol=csv; 'ts' and 'id' are special, the rest readings",
    )
    csv_delimiter: str = Field(default=",", min_length=1, max_length=1)
    max_line_bytes: int = Field(default=4096, ge=16, le=1 << 20)
    read_timeout_s: float = Field(default=0.5, gt=0, le=10)
    reconnect_min_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)

    @field_validator("stopbits")
    @classmethod
    def _stopbits(cls, v: float) -> float:
        if v not in (1, 1.5, 2):
            raise ValueError("stopbits must be 1, 1.5 or 2")
        return v

    @field_validator("name", "sensor")
    @classmethod
    def _names_topic_safe(cls, v: str | None) -> str | None:
        return None if v is None else _topic_safe(v)

    @model_validator(mode="after")
    def _csv_needs_columns(self) -> SerialPortConfig:
        if self.protocol == "csv":
            readings = [c for c in self.csv_columns if c not in ("ts", "id")]
            if not readings:
                raise ValueError("protocol 'csv' needs csv_columns with at least one reading")
            if len(set(self.csv_columns)) != len(self.csv_columns):
                raise ValueError("csv_columns must be unique")
        if self.reconnect_max_s < self.reconnect_min_s:
            raise ValueError("reconnect_max_s must be >= reconnect_min_s")
        return self

    @property
    def port_name(self) -> str:
        """Return the name used in the ``serial/<name>`` topic."""
        if self.name:
            return self.name
        base = Path(self.path).name or "serial"
        cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", base)[:64]
        return cleaned if cleaned and cleaned[0].isalnum() else f"p{cleaned}"[:64]

    @property
    def topic(self) -> str:
        """Return ``serial/<name>``, the topic events and dead letters carry."""
        return f"serial/{self.port_name}"


class CameraConfig(_Section):
    """One camera: an RTSP/HTTP URL or file, a V4L2 device, or a GStreamer pipeline."""

    name: str
    source: str = Field(description="URL or file path, /dev/videoN or N, or a pipeline")
    kind: Literal["url", "v4l2", "gstreamer"] = "url"
    sample_fps: float = Field(default=1.0, gt=0, le=60)
    jpeg_quality: int = Field(default=85, ge=10, le=100)
    max_width: int | None = Field(default=None, ge=16, description="downscale wider frames")
    realtime: bool = Field(default=True, description="pace files at their own frame rate")
    open_timeout_s: float = Field(default=10.0, gt=0)
    read_timeout_s: float = Field(default=10.0, gt=0)
    reconnect_min_s: float = Field(default=1.0, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)

    @field_validator("name")
    @classmethod
    def _name_topic_safe(cls, v: str) -> str:
        return _topic_safe(v)

    @model_validator(mode="after")
    def _gstreamer_ends_in_appsink(self) -> CameraConfig:
        if self.kind == "gstreamer" and "appsink" not in self.source:
            raise ValueError("a GStreamer pipeline must end in 'appsink' for OpenCV to read it")
        if self.reconnect_max_s < self.reconnect_min_s:
            raise ValueError("reconnect_max_s must be >= reconnect_min_s")
        return self


class ThermalConfig(_Section):
    """Above ``throttle_c`` lower SLM concurrency; above ``fallback_c`` use the smaller model."""

    enabled: bool = True
    throttle_c: float | None = Field(default=None, description="defaults to the board profile's")
    fallback_c: float | None = Field(default=None, description="defaults to the board profile's")
    hysteresis_c: float = Field(default=5.0, ge=0, le=30)
    reduced_concurrency: int = Field(default=1, ge=1)
    sensors: list[str] = Field(
        default_factory=list,
        description="tegrastats sensor names to watch (lower case); empty = tj, else hottest die",
    )
    min_dwell_s: float = Field(default=10.0, ge=0, description="least time between steps down")

    @model_validator(mode="after")
    def _fallback_above_throttle(self) -> ThermalConfig:
        if (self.throttle_c is not None and self.fallback_c is not None
                and self.fallback_c < self.throttle_c):
            raise ValueError("fallback_c must be >= throttle_c")
        return self


class HardwareConfig(_Section):
    """Jetson board profiles, telemetry, serial and camera ingest."""

    enabled: bool = True
    board: str = Field(default="auto", description="profile id to force, or 'auto' to detect")
    profiles_dir: Path | None = Field(
        default=None, description="board profile TOML files; default: installed hw/ directory"
    )
    device_tree_model: Path = Path("/proc/device-tree/model")
    tegrastats: str = Field(default="tegrastats", description="tegrastats executable")
    tegrastats_interval_ms: int = Field(default=1000, ge=100, le=60_000)
    serial: list[SerialPortConfig] = Field(default_factory=list)
    cameras: list[CameraConfig] = Field(default_factory=list)
    thermal: ThermalConfig = Field(default_factory=ThermalConfig)

    @model_validator(mode="after")
    def _unique_names(self) -> HardwareConfig:
        ports = [p.port_name for p in self.serial]
        if len(set(ports)) != len(ports):
            raise ValueError("serial port names must be unique (set 'name' to tell them apart)")
        cams = [c.name for c in self.cameras]
        if len(set(cams)) != len(cams):
            raise ValueError("camera names must be unique")
        return self
