"""The device's local REST API: health, readiness, status, metrics, config, decisions, audit.

Everything but ``/healthz`` and ``/readyz`` requires the bearer token.
Further routers (the OpenAI-compatible gateway, the console) are mounted by
the daemon through ``extra_routers``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from appliance import __version__
from appliance.api.auth import bearer_guard
from appliance.config import Config, masked
from appliance.metrics import DaemonMetrics
from appliance.pipeline import Pipeline


@dataclass
class DeviceContext:
    """What the API reads from the running daemon."""

    config: Config
    token: str
    metrics: DaemonMetrics
    pipeline: Pipeline
    ready: Callable[[], bool]
    link_state: Callable[[], dict[str, Any]]
    started_at: float = field(default_factory=time.time)
    status_extras: dict[str, Callable[[], Any]] = field(default_factory=dict)


def create_app(ctx: DeviceContext, extra_routers: Sequence[APIRouter] = ()) -> FastAPI:
    """Build the FastAPI app for one daemon."""
    app = FastAPI(title="Edge Appliance device API", version=__version__,
                  docs_url=None, redoc_url=None)
    auth = [Depends(bearer_guard(ctx.token))]

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the process serves requests."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        """Readiness: subscribed to the broker and the pipeline's workers are alive."""
        ok = ctx.ready()
        return JSONResponse({"ready": ok}, status_code=200 if ok else 503)

    @app.get("/status", dependencies=auth, tags=["ops"])
    def status_view() -> dict[str, Any]:
        """Device, broker link, queues and counters at a glance."""
        body: dict[str, Any] = {
            "device": ctx.config.device_id, "site": ctx.config.site, "version": __version__,
            "uptime_s": round(time.time() - ctx.started_at, 1), "ready": ctx.ready(),
            "mqtt": ctx.link_state(),
            "pipeline": {"queue_depth": ctx.pipeline.depth(), "inflight": ctx.pipeline.inflight(),
                         "alive": ctx.pipeline.alive()},
        }
        for name, fn in ctx.status_extras.items():
            body[name] = fn()
        return body

    @app.get("/metrics", dependencies=auth, tags=["ops"])
    def metrics() -> Response:
        """Prometheus text exposition."""
        return Response(generate_latest(ctx.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/config", dependencies=auth, tags=["ops"])
    def config_view() -> dict[str, Any]:
        """The running configuration with every secret masked."""
        return masked(ctx.config)

    @app.get("/decisions", dependencies=auth, tags=["ops"])
    def decisions(limit: int = Query(50, ge=1, le=500), source: str | None = None,
                  route: str | None = None) -> list[dict[str, Any]]:
        """Most recent decisions first, optionally filtered by source and route."""
        rows = [d for d in reversed(ctx.pipeline.recent)
                if (source is None or d.source == source) and (route is None or d.route == route)]
        return [d.model_dump(mode="json") for d in rows[:limit]]

    @app.get("/audit", dependencies=auth, tags=["privacy"])
    def audit(limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0),
              before: int | None = Query(None, ge=1),
              destination: str | None = Query(None, max_length=128)) -> JSONResponse:
        """Egress audit records, newest first, across every retained segment.

        Page on with ``before=<next_before>`` (steady while records are appended) or
        ``offset``; ``total`` counts retained records when no filter is given.
        """
        from appliance.audit import AuditError, list_records

        try:
            page = list_records(ctx.config, limit, offset, before, destination)
        except AuditError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=503)
        return JSONResponse({"records": page.records, "total": page.total,
                             "next_before": page.next_before})

    for router in extra_routers:
        app.include_router(router, dependencies=auth)
    return app
