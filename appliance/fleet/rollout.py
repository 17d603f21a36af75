"""Model rollout: signed artifacts, staged release (canary share, then all), health gate.

A model is registered as its manifest entry plus an Ed25519 signature by a trusted
model signer; the blob is uploaded separately and stored content-addressed. Devices
verify hash and signature again before activation and report per-device progress.
"""


import hashlib
import logging
import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appliance.fleet.auth import Principal, audit, requires
from appliance.fleet.blobstore import BlobError, BlobMismatchError
from appliance.fleet.context import FleetContext
from appliance.fleet.signing import SignatureError, verify
from appliance.fleet.store import (
    Device,
    ModelArtifact,
    Rollout,
    RolloutTarget,
    record_event,
    utcnow,
)

log = logging.getLogger(__name__)

_FAILED = ("failed", "rolled_back")
# Ids stay inside a 32-bit INTEGER: PostgreSQL rejects larger literals with an error.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ModelManifest(BaseModel):
    """The manifest entry of one model artifact (what the signature covers)."""

    model_config = {"extra": "allow"}
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
    version: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0, le=2**31 - 1)


class ModelIn(BaseModel):
    """Register a model: its manifest entry and the base64 Ed25519 signature over it."""

    manifest: ModelManifest
    signature: str = Field(max_length=200)


class ModelOut(BaseModel):
    """A registered model."""

    id: int
    name: str
    version: str
    sha256: str
    size: int
    uploaded: bool


class RolloutIn(BaseModel):
    """Roll a model out to the devices carrying every tag in ``selector``."""

    model_id: int = Field(ge=1, le=2**31 - 1)
    selector: list[str] = Field(default_factory=list, max_length=16)
    canary_share: float = Field(default=0.1, gt=0, le=1)
    max_failures: int = Field(default=0, ge=0, le=1_000_000)


class ModelReport(BaseModel):
    """A device's progress on one rollout."""

    rollout_id: int = Field(ge=1, le=2**31 - 1)
    state: Literal["downloading", "active", "failed", "rolled_back", "reverted"]
    detail: str = Field(default="", max_length=4000)
    model_version: str = Field(default="", max_length=128)


def _rollout_view(s: Session, ro: Rollout) -> dict[str, Any]:
    targets = list(s.scalars(select(RolloutTarget).where(RolloutTarget.rollout_id == ro.id)
                             .order_by(RolloutTarget.device_id)))
    counts: dict[str, int] = {}
    for t in targets:
        counts[t.state] = counts.get(t.state, 0) + 1
    return {
        "id": ro.id, "model_id": ro.model_id, "selector": ro.selector, "stage": ro.stage,
        "canary_share": ro.canary_share, "max_failures": ro.max_failures, "counts": counts,
        "devices": [{"device_id": t.device_id, "canary": t.canary, "released": t.released,
                     "state": t.state, "detail": t.detail,
                     "updated_at": t.updated_at.isoformat()} for t in targets],
    }


def _gate(s: Session, ro: Rollout) -> tuple[bool, str]:
    """Return whether the canary stage passed its health gate, and why not."""
    canary = list(s.scalars(select(RolloutTarget).where(
        RolloutTarget.rollout_id == ro.id, RolloutTarget.canary.is_(True))))
    failed = [t.device_id for t in canary if t.state in _FAILED]
    waiting = [t.device_id for t in canary if t.state not in (*_FAILED, "active")]
    if len(failed) > ro.max_failures:
        return False, f"{len(failed)} canary device(s) failed health: {', '.join(failed[:10])}"
    if waiting:
        return False, f"{len(waiting)} canary device(s) not yet healthy"
    return True, "canary healthy"


def model_target(s: Session, device_id: str) -> dict[str, Any] | None:
    """Return the model the device should run (or revert), from its newest released rollout."""
    row = s.execute(
        select(Rollout, ModelArtifact, RolloutTarget)
        .join(RolloutTarget, RolloutTarget.rollout_id == Rollout.id)
        .join(ModelArtifact, ModelArtifact.id == Rollout.model_id)
        .where(RolloutTarget.device_id == device_id, RolloutTarget.released.is_(True))
        .order_by(Rollout.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    ro, art, _target = row
    return {
        "action": "revert" if ro.stage == "rolled_back" else "activate",
        "rollout_id": ro.id, "model_id": art.id, "manifest": art.manifest,
        "signature": art.signature,
        "artifact_path": f"/fleet/devices/{device_id}/models/{art.id}/artifact",
    }


def build_router(ctx: FleetContext) -> APIRouter:
    """Return the model registry and rollout routes."""
    router = APIRouter(prefix="/fleet", tags=["model rollout"])
    Admin = Annotated[Principal, Depends(ctx.role("admin"))]  # noqa: N806
    Operator = Annotated[Principal, Depends(ctx.role("operator"))]  # noqa: N806
    Viewer = Annotated[Principal, Depends(ctx.role("viewer"))]  # noqa: N806
    DeviceP = Annotated[Principal, Depends(ctx.device())]  # noqa: N806

    @router.post("/models", status_code=201, openapi_extra=requires("admin"))
    def register_model(body: ModelIn, who: Admin) -> ModelOut:
        """Register a model manifest entry whose signature verifies with a trusted signer."""
        manifest = body.manifest.model_dump()
        try:
            signer = verify(list(ctx.config.model_signers), manifest, body.signature)
        except SignatureError as exc:
            raise HTTPException(422, str(exc)) from exc
        try:
            with ctx.db.session() as s:
                art = ModelArtifact(name=body.manifest.name, version=body.manifest.version,
                                    sha256=body.manifest.sha256, size=body.manifest.size,
                                    manifest=manifest, signature=body.signature)
                s.add(art)
                s.flush()
                audit(s, who, "model.register", f"{art.name}@{art.version}",
                      {"sha256": art.sha256, "signer": signer})
        except IntegrityError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, "model version exists") from exc
        return ModelOut(id=art.id, name=art.name, version=art.version, sha256=art.sha256,
                        size=art.size, uploaded=art.uploaded)

    @router.put("/models/{model_id}/artifact", openapi_extra=requires("admin"))
    async def upload_artifact(model_id: RowId, request: Request, who: Admin) -> ModelOut:
        """Upload the model blob; it must match the registered hash and size.

        The body streams into the database a chunk at a time (never whole in memory);
        every replica serves it from there.
        """
        with ctx.db.session() as s:
            art = s.get(ModelArtifact, model_id)
            if art is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such model")
            expect_sha, expect_size = art.sha256, art.size
        try:
            blob = await ctx.blobs.put_stream(request.stream(), expect_sha, expect_size)
        except BlobMismatchError as exc:
            raise HTTPException(422, str(exc)) from exc
        with ctx.db.session() as s:
            art = s.get(ModelArtifact, model_id)
            assert art is not None
            art.uploaded = True
            audit(s, who, "model.upload", f"{art.name}@{art.version}",
                  {"size": blob.size, "chunks": blob.chunk_count})
            return ModelOut(id=art.id, name=art.name, version=art.version, sha256=art.sha256,
                            size=art.size, uploaded=True)

    @router.get("/models", openapi_extra=requires("viewer"))
    def list_models(who: Viewer) -> list[ModelOut]:
        """Return every registered model."""
        with ctx.db.session() as s:
            return [ModelOut(id=a.id, name=a.name, version=a.version, sha256=a.sha256,
                             size=a.size, uploaded=a.uploaded)
                    for a in s.scalars(select(ModelArtifact).order_by(ModelArtifact.id))]

    @router.get("/devices/{device_id}/models/{model_id}/artifact",
                openapi_extra=requires("device"), response_class=StreamingResponse,
                responses={200: {"content": {"application/octet-stream": {}}}})
    def download_artifact(device_id: str, model_id: RowId, who: DeviceP) -> StreamingResponse:
        """Return the model blob for a device that is a target of a rollout of it.

        Streamed from the database a chunk at a time, each chunk checked against its hash
        (a chunk that fails ends the response early, short of its Content-Length).
        """
        with ctx.db.session() as s:
            target = model_target(s, device_id)
            if target is None or target["model_id"] != model_id:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "model not targeted at device")
            art = s.get(ModelArtifact, model_id)
            assert art is not None
        try:
            blob, chunks = ctx.blobs.stream(art.sha256)
        except BlobError as exc:
            log.error("artifact %s of model %s cannot be served: %s", art.sha256, model_id, exc)
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                                "artifact not available") from exc
        return StreamingResponse(chunks, media_type="application/octet-stream",
                                 headers={"Content-Length": str(blob.size)})

    @router.post("/rollouts", status_code=201, openapi_extra=requires("operator"))
    def create_rollout(body: RolloutIn, who: Operator) -> dict[str, Any]:
        """Start a rollout: release to the canary share of the selected devices."""
        with ctx.db.session() as s:
            art = s.get(ModelArtifact, body.model_id)
            if art is None or not art.uploaded:
                raise HTTPException(status.HTTP_409_CONFLICT, "model unknown or not uploaded")
            devices = [d for d in s.scalars(select(Device).where(Device.status == "active"))
                       if set(body.selector) <= set(d.tags or [])]
            if not devices:
                raise HTTPException(status.HTTP_409_CONFLICT, "selector matches no device")
            ro = Rollout(model_id=art.id, selector=body.selector, stage="canary",
                         canary_share=body.canary_share, max_failures=body.max_failures,
                         created_by=who.actor)
            s.add(ro)
            s.flush()
            # Deterministic, spread-out canary choice: order by a hash of rollout and device.
            devices.sort(key=lambda d: hashlib.sha256(f"{ro.id}:{d.id}".encode()).digest())
            n_canary = max(1, math.ceil(body.canary_share * len(devices)))
            for i, dev in enumerate(devices):
                s.add(RolloutTarget(rollout_id=ro.id, device_id=dev.id, canary=i < n_canary,
                                    released=i < n_canary))
            s.flush()
            audit(s, who, "rollout.create", f"{art.name}@{art.version}",
                  {"rollout": ro.id, "devices": len(devices), "canary": n_canary})
            view = _rollout_view(s, ro)
        ctx.nudge(None, "model")  # after the commit, so the devices' poll sees the change
        return view

    @router.get("/rollouts/{rollout_id}", openapi_extra=requires("viewer"))
    def get_rollout(rollout_id: RowId, who: Viewer) -> dict[str, Any]:
        """Return a rollout's stage, counts and per-device progress."""
        with ctx.db.session() as s:
            ro = s.get(Rollout, rollout_id)
            if ro is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such rollout")
            return _rollout_view(s, ro)

    @router.post("/rollouts/{rollout_id}/promote", openapi_extra=requires("operator"))
    def promote(rollout_id: RowId, who: Operator) -> dict[str, Any]:
        """Release to every selected device, if the canary stage passed its health gate."""
        with ctx.db.session() as s:
            ro = s.get(Rollout, rollout_id)
            if ro is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such rollout")
            ok, why = _gate(s, ro)
            if ro.stage == "halted":
                raise HTTPException(status.HTTP_409_CONFLICT, f"halted by health gate: {why}")
            if ro.stage != "canary":
                raise HTTPException(status.HTTP_409_CONFLICT, f"rollout is {ro.stage}")
            if not ok:
                raise HTTPException(status.HTTP_409_CONFLICT, f"health gate: {why}")
            for t in s.scalars(select(RolloutTarget).where(RolloutTarget.rollout_id == ro.id)):
                t.released = True
            ro.stage = "all"
            audit(s, who, "rollout.promote", str(ro.id), {"gate": why})
            view = _rollout_view(s, ro)
        ctx.nudge(None, "model")  # after the commit, so the devices' poll sees the change
        return view

    @router.post("/rollouts/{rollout_id}/rollback", openapi_extra=requires("operator"))
    def rollback(rollout_id: RowId, who: Operator) -> dict[str, Any]:
        """Tell every released device to go back to its previous model slot."""
        with ctx.db.session() as s:
            ro = s.get(Rollout, rollout_id)
            if ro is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such rollout")
            old, ro.stage = ro.stage, "rolled_back"
            audit(s, who, "rollout.rollback", str(ro.id), {"from_stage": old})
            view = _rollout_view(s, ro)
        ctx.nudge(None, "model")  # after the commit, so the devices' poll sees the change
        return view

    @router.post("/devices/{device_id}/model-report", openapi_extra=requires("device"))
    def model_report(device_id: str, body: ModelReport, who: DeviceP) -> dict[str, Any]:
        """Record a device's progress; a failed canary beyond the limit halts the rollout."""
        with ctx.db.session() as s:
            target = s.get(RolloutTarget, (body.rollout_id, device_id))
            ro = s.get(Rollout, body.rollout_id)
            if target is None or ro is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "device not in rollout")
            target.state, target.detail, target.updated_at = body.state, body.detail, utcnow()
            dev = s.get(Device, device_id)
            assert dev is not None
            if body.model_version and dev.model_version != body.model_version:
                record_event(s, device_id, "model", dev.model_version, body.model_version)
                dev.model_version = body.model_version
            s.flush()
            if body.state in _FAILED and ro.stage == "canary":
                ok, why = _gate(s, ro)
                if not ok and "failed" in why:
                    ro.stage = "halted"
                    log.warning("rollout %s halted: %s", ro.id, why)
            audit(s, who, f"model.{body.state}", device_id,
                  {"rollout": ro.id, "detail": body.detail[:500]})
            return {"rollout_id": ro.id, "stage": ro.stage, "state": target.state}

    return router
