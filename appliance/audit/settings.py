"""Rotation and retention of the egress audit log (the ``[audit]`` config section).

Defaults fit a Jetson with 16-64 GB of eMMC: at a 10 s fleet heartbeat a device writes
about 8,600 records a day, ~3.8 MB as written (~440 bytes a record) and ~0.9 MB once
gzipped (~105 bytes, scripts/bench/bench_audit.py). Segments close daily, so the
256 MiB cap (0.4-1.6 % of the eMMC) keeps about nine months of that traffic before
the 365-day limit would.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

MIB = 1024 * 1024


class AuditConfig(BaseModel):
    """When the active segment is closed, whether it is compressed, and what is kept."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    max_segment_bytes: int = Field(
        default=8 * MIB, ge=1024, description="close the active segment before it passes this size")
    max_segment_age_s: float | None = Field(
        default=24 * 3600.0, gt=0,
        description="close the active segment once its first record is this old (none: never)")
    compress: bool = Field(default=True, description="gzip closed segments")
    max_segments: int | None = Field(
        default=400, ge=1, description="closed segments kept; the oldest are retired first")
    max_total_bytes: int | None = Field(
        default=256 * MIB, ge=64 * 1024,
        description="bytes kept on disk, all segments together (the active one is never retired)")
    retention_days: float | None = Field(
        default=365.0, gt=0, description="closed segments whose last record is older are retired")

    @model_validator(mode="after")
    def _room_for_one_segment(self) -> AuditConfig:
        if self.max_total_bytes is not None and self.max_total_bytes < self.max_segment_bytes:
            raise ValueError("max_total_bytes must be at least max_segment_bytes")
        return self
