"""Desired state: versioned config documents per fleet, tag group and device; drift.

Documents are partial config trees merged fleet → groups (the device's tags, in
sorted order) → device. The device, not the fleet, validates the merged tree
against its own schema, since devices may run different software versions.
"""


import hashlib
import logging
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appliance.config import merge_trees as deep_merge
from appliance.fleet.auth import Principal, audit, requires
from appliance.fleet.context import FleetContext
from appliance.fleet.rollout import model_target
from appliance.fleet.signing import canonical
from appliance.fleet.store import ConfigDocument, Device, record_event

log = logging.getLogger(__name__)

Scope = Literal["fleet", "group", "device"]
_ORDER = {"fleet": 0, "group": 1, "device": 2}




def config_version(tree: Mapping[str, Any]) -> str:
    """Return the version of a merged tree: the first 16 hex of its canonical SHA-256."""
    return hashlib.sha256(canonical(tree)).hexdigest()[:16]


class DesiredState(BaseModel):
    """The merged config for one device, its version and the documents it came from."""

    version: str
    config: dict[str, Any]
    components: list[dict[str, Any]]
    model: dict[str, Any] | None = None


def compute_desired(session: Session, device: Device) -> DesiredState:
    """Merge the newest fleet, group and device documents that apply to ``device``."""
    latest = (
        select(ConfigDocument.scope, ConfigDocument.target,
               func.max(ConfigDocument.version).label("v"))
        .where(or_(
            ConfigDocument.scope == "fleet",
            and_(ConfigDocument.scope == "group", ConfigDocument.target.in_(device.tags or [])),
            and_(ConfigDocument.scope == "device", ConfigDocument.target == device.id),
        ))
        .group_by(ConfigDocument.scope, ConfigDocument.target).subquery()
    )
    docs = list(session.scalars(select(ConfigDocument).join(latest, and_(
        ConfigDocument.scope == latest.c.scope, ConfigDocument.target == latest.c.target,
        ConfigDocument.version == latest.c.v))))
    docs.sort(key=lambda d: (_ORDER[d.scope], d.target))
    merged: dict[str, Any] = {}
    for doc in docs:
        merged = deep_merge(merged, doc.body)
    return DesiredState(
        version=config_version(merged), config=merged,
        components=[{"scope": d.scope, "target": d.target, "version": d.version} for d in docs],
    )


def drift_of(device: Device, desired_version: str) -> dict[str, Any]:
    """Return the drift view of one device against its desired version."""
    in_sync = device.applied_config_version == desired_version
    return {
        "device_id": device.id, "desired_version": desired_version,
        "applied_version": device.applied_config_version, "in_sync": in_sync,
        "status": "in_sync" if in_sync else (
            "refused" if device.config_status == "refused" else "drift"),
        "error": device.config_error,
    }


class ConfigDocIn(BaseModel):
    """A new version of the document for one scope and target."""

    scope: Scope
    target: str = Field(default="", max_length=128)
    body: dict[str, Any]

    @model_validator(mode="after")
    def _target_matches_scope(self) -> Self:
        if (self.scope == "fleet") != (self.target == ""):
            raise ValueError("target is empty exactly for scope 'fleet'")
        return self


class ConfigDocOut(BaseModel):
    """A stored document version."""

    scope: str
    target: str
    version: int
    body: dict[str, Any]
    created_at: str
    created_by: str


class ConfigReport(BaseModel):
    """What the device did with a desired version."""

    version: str = Field(max_length=64)
    status: Literal["applied", "refused"]
    reason: str = Field(default="", max_length=4000)


def build_router(ctx: FleetContext) -> APIRouter:
    """Return the desired-state routes: documents, per-device desired view, report, drift."""
    router = APIRouter(prefix="/fleet", tags=["desired state"])
    Operator = Annotated[Principal, Depends(ctx.role("operator"))]  # noqa: N806
    Viewer = Annotated[Principal, Depends(ctx.role("viewer"))]  # noqa: N806
    DeviceP = Annotated[Principal, Depends(ctx.device())]  # noqa: N806

    @router.post("/configs", status_code=201, openapi_extra=requires("operator"))
    def put_config(body: ConfigDocIn, who: Operator) -> ConfigDocOut:
        """Store the next version of a fleet, group or device document."""
        for _attempt in range(3):
            try:
                with ctx.db.session() as s:
                    cur = s.scalar(select(func.max(ConfigDocument.version)).where(
                        ConfigDocument.scope == body.scope, ConfigDocument.target == body.target))
                    doc = ConfigDocument(scope=body.scope, target=body.target,
                                         version=(cur or 0) + 1, body=body.body,
                                         created_by=who.actor)
                    s.add(doc)
                    s.flush()
                    audit(s, who, "config.put", f"{body.scope}:{body.target}",
                          {"version": doc.version, "keys": sorted(body.body)})
                ctx.nudge([body.target] if body.scope == "device" else None, "config")
                return ConfigDocOut(scope=doc.scope, target=doc.target, version=doc.version,
                                    body=doc.body, created_at=doc.created_at.isoformat(),
                                    created_by=doc.created_by)
            except IntegrityError:  # a replica took the same version number: take the next
                continue
        raise HTTPException(status.HTTP_409_CONFLICT, "concurrent config writes; retry")

    @router.get("/configs", openapi_extra=requires("viewer"))
    def list_configs(who: Viewer, scope: Scope | None = None,
                     target: Annotated[str | None, Query(max_length=128)] = None,
                     limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> list[ConfigDocOut]:
        """Return document versions, newest first, filtered by scope and target."""
        q = select(ConfigDocument).order_by(ConfigDocument.id.desc())
        if scope is not None:
            q = q.where(ConfigDocument.scope == scope)
        if target is not None:
            q = q.where(ConfigDocument.target == target)
        with ctx.db.session() as s:
            rows = s.scalars(q.limit(min(limit, ctx.config.page_size_max)))
            return [ConfigDocOut(scope=d.scope, target=d.target, version=d.version, body=d.body,
                                 created_at=d.created_at.isoformat(), created_by=d.created_by)
                    for d in rows]

    @router.get("/devices/{device_id}/desired", openapi_extra=requires("device"))
    def desired(device_id: str, who: DeviceP) -> DesiredState:
        """Return the device's merged desired config, its version and its model target."""
        with ctx.db.session() as s:
            dev = s.get(Device, device_id)
            assert dev is not None
            state = compute_desired(s, dev)
            state.model = model_target(s, device_id)
        return state

    @router.post("/devices/{device_id}/config-report", openapi_extra=requires("device"))
    def config_report(device_id: str, body: ConfigReport, who: DeviceP) -> dict[str, Any]:
        """Record that the device applied or refused a desired version."""
        with ctx.db.session() as s:
            dev = s.get(Device, device_id)
            assert dev is not None
            if body.status == "applied":
                if dev.applied_config_version != body.version:
                    record_event(s, device_id, "config", dev.applied_config_version,
                                 body.version)
                dev.applied_config_version, dev.config_error = body.version, ""
            else:
                record_event(s, device_id, "config_refused", body.version, body.reason[:200])
                dev.config_error = body.reason
            dev.config_status = body.status
            audit(s, who, f"config.{body.status}", device_id,
                  {"version": body.version, "reason": body.reason[:500]})
            return drift_of(dev, compute_desired(s, dev).version)

    @router.get("/devices/{device_id}/drift", openapi_extra=requires("viewer"))
    def drift(device_id: str, who: Viewer) -> dict[str, Any]:
        """Return desired vs applied version for one device, and the refusal reason if any."""
        with ctx.db.session() as s:
            dev = s.get(Device, device_id)
            if dev is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
            return drift_of(dev, compute_desired(s, dev).version)

    return router
