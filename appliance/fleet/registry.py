"""Device registry: heartbeats, online/offline, filtering and paging, state and telemetry history."""


import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from appliance.fleet.auth import Principal, audit, requires
from appliance.fleet.context import FleetContext
from appliance.fleet.desired import compute_desired, drift_of
from appliance.fleet.rollout import model_target
from appliance.fleet.store import Command, Database, Device, DeviceEvent, record_event, utcnow
from appliance.fleet.telemetry_history import SampleClock, metrics_of, read_series, record

log = logging.getLogger(__name__)

Label = Annotated[str, Field(max_length=64)]
Gauge = Annotated[float | None, Field(default=None, ge=0, le=1e9)]
MAX_METRICS = 32


class Heartbeat(BaseModel):
    """What a device reports periodically."""

    software_version: str = Field(default="", max_length=64)
    model_version: str = Field(default="", max_length=128)
    board: str = Field(default="", max_length=64)
    queue_depths: dict[Label, int] = Field(default_factory=dict, max_length=32)
    temperatures: dict[Label, float] = Field(default_factory=dict, max_length=32)
    budget_used: float = Field(default=0.0, ge=0, le=1e12)
    applied_config_version: str = Field(default="", max_length=64)
    # Optional gauges (tegrastats names); kept in the telemetry history when reported.
    cpu_load_percent: Gauge = None
    gpu_load_percent: Gauge = None
    ram_used_mb: Gauge = None
    outbox_oldest_age_s: Gauge = None

    def metrics(self) -> dict[str, float]:
        """Return this heartbeat's numbers under the telemetry history's metric names."""
        return metrics_of(self.temperatures, self.queue_depths, {
            "budget_used": self.budget_used, "cpu_load_percent": self.cpu_load_percent,
            "gpu_load_percent": self.gpu_load_percent, "ram_used_mb": self.ram_used_mb,
            "outbox_oldest_age_s": self.outbox_oldest_age_s})


class HeartbeatOut(BaseModel):
    """The fleet's answer: what to pull next (a cheap nudge on every heartbeat)."""

    desired_version: str
    config_in_sync: bool
    pending_commands: int
    model_action: str | None


class DevicePatch(BaseModel):
    """Operator-editable registry fields."""

    site: str | None = Field(default=None, max_length=128)
    line: str | None = Field(default=None, max_length=128)
    tags: list[Label] | None = Field(default=None, max_length=32)


def device_view(dev: Device) -> dict[str, Any]:
    """Return the JSON view of a registry row."""
    return {
        "id": dev.id, "serial": dev.serial, "site": dev.site, "line": dev.line,
        "tags": dev.tags, "board": dev.board, "software_version": dev.software_version,
        "model_version": dev.model_version, "status": dev.status, "online": dev.online,
        "last_heartbeat": dev.last_heartbeat.isoformat() if dev.last_heartbeat else None,
        "queue_depths": dev.queue_depths, "temperatures": dev.temperatures,
        "budget_used": dev.budget_used, "certificate_serial": dev.cert_serial,
        "applied_config_version": dev.applied_config_version,
        "config_status": dev.config_status,
    }


def sweep_offline(db: Database, offline_after_s: float) -> int:
    """Mark devices without a recent heartbeat offline (history rows included); return count.

    Safe to run on several replicas at once: each row flips in a conditional UPDATE.
    """
    cutoff = utcnow() - timedelta(seconds=offline_after_s)
    flipped = 0
    with db.session() as s:
        stale = list(s.scalars(select(Device.id).where(
            Device.online.is_(True), Device.last_heartbeat < cutoff)))
        for device_id in stale:
            res = s.execute(update(Device).where(Device.id == device_id, Device.online.is_(True))
                            .values(online=False))
            if res.rowcount == 1:  # type: ignore[attr-defined]
                record_event(s, device_id, "online", "true", "false")
                flipped += 1
    if flipped:
        log.info("%d device(s) went offline", flipped)
    return flipped


def _apply_heartbeat(s: Session, dev: Device, hb: Heartbeat) -> None:
    if not dev.online:
        record_event(s, dev.id, "online", "false", "true")
    for kind, old, new in (("software", dev.software_version, hb.software_version),
                           ("model", dev.model_version, hb.model_version)):
        if new and old != new:
            record_event(s, dev.id, kind, old, new)
    if hb.applied_config_version and hb.applied_config_version != dev.applied_config_version:
        # Applied out of band (an air-gapped bundle) while offline: sync it now.
        record_event(s, dev.id, "config", dev.applied_config_version, hb.applied_config_version)
        dev.applied_config_version, dev.config_status = hb.applied_config_version, "applied"
    dev.online, dev.last_heartbeat = True, utcnow()
    dev.software_version = hb.software_version or dev.software_version
    dev.model_version = hb.model_version or dev.model_version
    dev.board = hb.board or dev.board
    dev.queue_depths, dev.temperatures = dict(hb.queue_depths), dict(hb.temperatures)
    dev.budget_used = hb.budget_used


def _aware(value: datetime) -> datetime:
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:  # a zone offset pushing year 1 or 9999 over
        raise HTTPException(422, "time out of range") from exc


def telemetry_window(since: datetime | None, until: datetime | None,
                     default_span: timedelta) -> tuple[datetime, datetime]:
    """Return ``(since, until)`` as aware UTC: ``until`` defaults to now, ``since`` to a span before.

    Raises HTTPException 422 when the window is reversed or out of the calendar's range.
    """
    end = _aware(until) if until is not None else utcnow()
    if since is not None:
        start = _aware(since)
    else:
        try:
            start = end - default_span
        except OverflowError:
            start = datetime.min.replace(tzinfo=UTC)
    if start > end:
        raise HTTPException(422, "since is after until")
    return start, end


def build_router(ctx: FleetContext) -> APIRouter:
    """Return the registry routes."""
    router = APIRouter(prefix="/fleet", tags=["registry"])
    Operator = Annotated[Principal, Depends(ctx.role("operator"))]  # noqa: N806
    Viewer = Annotated[Principal, Depends(ctx.role("viewer"))]  # noqa: N806
    DeviceP = Annotated[Principal, Depends(ctx.device())]  # noqa: N806
    samples = SampleClock()

    @router.post("/devices/{device_id}/heartbeat", openapi_extra=requires("device"))
    def heartbeat(device_id: str, body: Heartbeat, who: DeviceP) -> HeartbeatOut:
        """Record a heartbeat; answer with the desired version and pending work."""
        with ctx.db.session() as s:
            dev = s.get(Device, device_id)
            assert dev is not None
            _apply_heartbeat(s, dev, body)
            now = dev.last_heartbeat
            assert now is not None
            sampled = record(s, device_id, body.metrics(), now, ctx.config.telemetry_every_s,
                             ctx.config.telemetry_keep_days, samples)
            desired = compute_desired(s, dev)
            pending = s.scalar(select(func.count()).select_from(Command).where(
                Command.device_id == device_id, Command.status == "pending")) or 0
            target = model_target(s, device_id)
            answer = HeartbeatOut(desired_version=desired.version,
                                  config_in_sync=desired.version == dev.applied_config_version,
                                  pending_commands=pending,
                                  model_action=None if target is None else target["action"])
        if sampled:
            samples.saw(device_id, now)
        return answer

    @router.get("/devices", openapi_extra=requires("viewer"))
    def list_devices(
        who: Viewer,
        *,
        site: Annotated[str | None, Query(max_length=128)] = None,
        line: Annotated[str | None, Query(max_length=128)] = None,
        tag: Annotated[str | None, Query(max_length=64)] = None,
        online: bool | None = None,
        status_: Annotated[str | None, Query(alias="status", max_length=16)] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
        offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    ) -> dict[str, Any]:
        """Return one page of devices matching the filters, with the total count."""
        q = select(Device)
        if site is not None:
            q = q.where(Device.site == site)
        if line is not None:
            q = q.where(Device.line == line)
        if online is not None:
            q = q.where(Device.online.is_(online))
        if status_ is not None:
            q = q.where(Device.status == status_)
        limit = min(limit, ctx.config.page_size_max)
        with ctx.db.session() as s:
            rows = list(s.scalars(q.order_by(Device.id)))
            if tag is not None:  # tags are a JSON list: filter portably in Python
                rows = [d for d in rows if tag in (d.tags or [])]
            page = rows[offset: offset + limit]
            return {"total": len(rows), "offset": offset, "limit": limit,
                    "next_offset": offset + limit if offset + limit < len(rows) else None,
                    "items": [device_view(d) for d in page]}

    @router.get("/devices/{device_id}", openapi_extra=requires("viewer"))
    def get_device(device_id: str, who: Viewer) -> dict[str, Any]:
        """Return one device with its config drift."""
        with ctx.db.session() as s:
            dev = s.get(Device, device_id)
            if dev is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
            view = device_view(dev)
            view["drift"] = drift_of(dev, compute_desired(s, dev).version)
            return view

    @router.patch("/devices/{device_id}", openapi_extra=requires("operator"))
    def patch_device(device_id: str, body: DevicePatch, who: Operator) -> dict[str, Any]:
        """Change a device's site, line or tags (tags drive group config and rollouts)."""
        with ctx.db.session() as s:
            dev = s.get(Device, device_id)
            if dev is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
            changes = body.model_dump(exclude_none=True)
            for key, value in changes.items():
                record_event(s, device_id, key, str(getattr(dev, key)), str(value))
                setattr(dev, key, value)
            audit(s, who, "device.patch", device_id, changes)
            return device_view(dev)

    @router.get("/devices/{device_id}/history", openapi_extra=requires("viewer"))
    def history(device_id: str, who: Viewer,
                limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> list[dict[str, str]]:
        """Return the device's state changes, newest first."""
        with ctx.db.session() as s:
            rows = s.scalars(select(DeviceEvent).where(DeviceEvent.device_id == device_id)
                             .order_by(DeviceEvent.id.desc())
                             .limit(min(limit, ctx.config.page_size_max)))
            return [{"ts": e.ts.isoformat(), "kind": e.kind, "old": e.old, "new": e.new}
                    for e in rows]

    @router.get("/devices/{device_id}/telemetry", openapi_extra=requires("viewer"))
    def telemetry(
        device_id: str,
        who: Viewer,
        *,
        since: Annotated[datetime | None, Query(
            description="start (ISO 8601; default: 24 h before until)")] = None,
        until: Annotated[datetime | None, Query(description="end (ISO 8601; default: now)")] = None,
        metric: Annotated[list[str] | None, Query(
            description="metric names, repeatable (default: every metric in the window)")] = None,
        points: Annotated[int, Query(ge=2, le=10_000, description=(
            "most points per metric; more samples are averaged in equal time buckets"))] = 500,
    ) -> dict[str, Any]:
        """Return the device's telemetry history: per metric ``[t, mean, min, max]`` points.

        ``t`` is UNIX seconds. With more samples in the window than ``points`` (capped by
        the server's ``telemetry_points_max``), each point is one time bucket of
        ``bucket_s`` seconds; otherwise points are the samples (``bucket_s`` null).
        """
        start, end = telemetry_window(since, until, timedelta(hours=24))
        names = list(dict.fromkeys(metric or []))
        if len(names) > MAX_METRICS or any(len(n) > 160 for n in names):
            raise HTTPException(422,
                                f"at most {MAX_METRICS} metrics of up to 160 characters")
        with ctx.db.session() as s:
            if s.get(Device, device_id) is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
            return read_series(s, device_id, start, end, names or None,
                               min(points, ctx.config.telemetry_points_max))

    return router
