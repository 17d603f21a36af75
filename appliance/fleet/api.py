"""The fleet REST API: one router to mount in ``appliance cloud``, or a standalone app.

``build_router(ctx)`` gathers enrollment, registry, desired state, rollout, commands
and bundle export; ``start_sweeper`` marks silent devices offline in the background.
"""


import asyncio
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import DataError

from appliance.fleet import commands, desired, enrollment, registry, rollout
from appliance.fleet.auth import Principal, audit, requires
from appliance.fleet.blobstore import BlobError
from appliance.fleet.bundle import ChunkedBlob, write_bundle
from appliance.fleet.context import FleetContext
from appliance.fleet.settings import FleetConfig
from appliance.fleet.store import Device, ModelArtifact

log = logging.getLogger(__name__)

BLOB_SWEEP_INTERVAL_S = 3600.0


class BundleRequest(BaseModel):
    """Which device the air-gapped bundle is for."""

    device_id: str = Field(max_length=64)


def _bundle_router(ctx: FleetContext) -> APIRouter:
    router = APIRouter(prefix="/fleet", tags=["bundles"])
    Operator = Annotated[Principal, Depends(ctx.role("operator"))]  # noqa: N806

    @router.post("/bundles", openapi_extra=requires("operator"), response_class=FileResponse,
                 responses={200: {"content": {"application/octet-stream": {}}}})
    def export_bundle(body: BundleRequest, who: Operator,
                      cleanup: BackgroundTasks) -> FileResponse:
        """Return a signed bundle (desired config, targeted model, CA material) for a device."""
        crl_pem = ctx.ca.crl_pem(ctx.revoked_serials())
        with ctx.db.session() as s:
            dev = s.get(Device, body.device_id)
            if dev is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
            state = desired.compute_desired(s, dev)
            target = rollout.model_target(s, dev.id)
            models: list[dict[str, Any]] = []
            blobs: dict[str, ChunkedBlob] = {}
            if target is not None and target["action"] == "activate":
                art = s.get(ModelArtifact, target["model_id"])
                assert art is not None
                models.append({"rollout_id": target["rollout_id"], "manifest": art.manifest,
                               "signature": art.signature, "file": f"models/{art.sha256}"})
                blobs[art.sha256] = ChunkedBlob(art.size, partial(ctx.blobs.chunks, art.sha256))
            content = {
                "device_id": dev.id,
                "config": {"version": state.version, "config": state.config,
                           "components": state.components},
                "models": models,
                "trust": {"ca_pem": ctx.ca.cert_pem, "fleet_public_key": ctx.public_key,
                          "model_signers": list(ctx.config.model_signers)},
                "crl_pem": crl_pem,
            }
        # Outside the transaction: the models stream from the database into the file a
        # chunk at a time, and no transaction stays open for the length of the copy.
        fd, tmp = tempfile.mkstemp(suffix=".bundle")
        os.close(fd)
        try:
            digest = write_bundle(Path(tmp), ctx.signing_key, content, blobs)
        except BlobError as exc:
            os.unlink(tmp)
            log.error("bundle for %s not written: %s", body.device_id, exc)
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                                "model artifact not available") from exc
        except BaseException:
            os.unlink(tmp)
            raise
        with ctx.db.session() as s:
            audit(s, who, "bundle.export", body.device_id,
                  {"manifest_sha256": digest, "config_version": state.version,
                   "models": [m["manifest"]["sha256"] for m in models]})
        cleanup.add_task(os.unlink, tmp)
        return FileResponse(tmp, media_type="application/octet-stream",
                            filename=f"{body.device_id}-{state.version}.bundle")

    return router


async def _invalid_data(_request: Request, exc: Exception) -> JSONResponse:
    # Input the schema admits but the database cannot store (a NUL byte in text on
    # PostgreSQL, a number out of a column's range) is the client's error, not ours.
    log.info("database refused a value: %s", str(exc).splitlines()[0][:200])
    return JSONResponse({"detail": "a value cannot be stored (out of range or bad bytes)"},
                        status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Map database data errors (bad values that passed validation) to 422."""
    app.add_exception_handler(DataError, _invalid_data)


def build_router(ctx: FleetContext) -> APIRouter:
    """Return every fleet route under ``/fleet``."""
    router = APIRouter()
    for module in (enrollment, registry, desired, rollout, commands):
        router.include_router(module.build_router(ctx))
    router.include_router(_bundle_router(ctx))
    return router


async def run_sweeper(ctx: FleetContext) -> None:
    """Mark devices offline every ``sweep_interval_s``, drop abandoned uploads hourly.

    Runs until cancelled.
    """
    next_blob_sweep = time.monotonic() + BLOB_SWEEP_INTERVAL_S
    while True:
        await asyncio.sleep(ctx.config.sweep_interval_s)
        try:
            await asyncio.to_thread(registry.sweep_offline, ctx.db, ctx.config.offline_after_s)
            if time.monotonic() >= next_blob_sweep:
                next_blob_sweep = time.monotonic() + BLOB_SWEEP_INTERVAL_S
                await asyncio.to_thread(ctx.blobs.sweep_abandoned)
        except Exception:  # a database hiccup must not kill the sweeper
            log.exception("offline sweep failed")


def mount_fleet(app: FastAPI, context: FleetContext) -> FleetContext:
    """Add the fleet routes of an opened ``context`` to the cloud ``app``.

    The offline sweeper runs inside the app's lifespan, which closes the context at the
    end. Returns the context (also on ``app.state.fleet``).
    """
    app.include_router(build_router(context))
    install_error_handlers(app)
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        async with inner(a) as state:
            sweeper = asyncio.create_task(run_sweeper(context))
            try:
                yield state
            finally:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
                context.close()

    app.router.lifespan_context = lifespan
    app.state.fleet = context
    return context


def create_app(config: FleetConfig, ctx: FleetContext | None = None) -> FastAPI:
    """Return a standalone fleet app (the cloud app mounts :func:`build_router` instead)."""
    context = ctx or FleetContext.open(config)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sweeper = asyncio.create_task(run_sweeper(context))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            context.close()

    app = FastAPI(title="Appliance fleet", version="1", lifespan=lifespan)
    app.include_router(build_router(context))
    install_error_handlers(app)

    @app.get("/healthz", openapi_extra=requires("public"))
    def healthz() -> dict[str, str]:
        """Return ok while the process runs."""
        return {"status": "ok"}

    @app.get("/readyz", openapi_extra=requires("public"))
    def readyz() -> dict[str, str]:
        """Return ok when the database answers; 503 otherwise."""
        try:
            with context.db.session() as s:
                s.execute(text("SELECT 1"))
        except Exception as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "database down") from exc
        return {"status": "ok"}

    app.state.fleet = context
    return app
