"""The device console: live decisions, savings, health and privacy pages on the local API.

Mount it on the app from :func:`appliance.api.device.create_app` *without* the API's
bearer dependency (``app.include_router(router)``): the page shells and assets are
public and hold no data, while every ``/console/api/*`` route checks the same bearer
token as the API itself. The browser keeps the token in ``sessionStorage`` and sends
it in the ``Authorization`` header from ``fetch``; the live stream is read with a
streaming ``fetch`` because ``EventSource`` cannot send that header.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from appliance.api.auth import bearer_guard
from appliance.api.device import DeviceContext
from appliance.audit import AuditLog
from appliance.console.savings import Usage, UsageHistory, savings_view
from appliance.console.shell import NavItem, add_page_routes, page_response, render_page, static_router
from appliance.console.stream import DecisionFeed, matches, safe_view

log = logging.getLogger(__name__)

APP_NAME = "Edge Appliance"
PAGES = (
    NavItem("decisions", "Live decisions", "/console/decisions"),
    NavItem("savings", "Savings", "/console/savings"),
    NavItem("health", "Health", "/console/health"),
    NavItem("privacy", "Privacy", "/console/privacy"),
)
# Audit fields the console shows: classes and counts, never hashes, sessions or payloads.
AUDIT_FIELDS = ("seq", "ts", "destination", "outcome", "reason", "classes", "redactions",
                "bytes", "tokens")


def _privacy_view(audit_log: AuditLog | None, limit: int, before: int | None) -> dict[str, Any]:
    if audit_log is None or not audit_log.exists():
        return {"state": "empty", "records_total": 0, "segments": 0, "problems": [], "notes": [],
                "retired": None, "records": [], "next_before": None}
    report = audit_log.verify(cached=True)
    page = audit_log.page(limit, before=before)
    retired = report.retired
    return {
        "state": "verified" if report.ok else "broken",
        "records_total": report.records,
        "segments": report.segments,
        "problems": report.problems[:20],
        "notes": report.notes[:20],
        # what retention removed, as counts and times (the anchor's hash stays on the device)
        "retired": None if retired is None else {
            "segments": retired.segments, "records": retired.records,
            "first_seq": retired.first_seq, "last_seq": retired.last_seq,
            "first_ts": retired.first_ts, "last_ts": retired.last_ts},
        "records": [{k: r.get(k) for k in AUDIT_FIELDS} for r in page.records],
        "next_before": page.next_before,
    }


def create_device_console_router(ctx: DeviceContext, *, usage: Usage | None = None,
                                 audit_log: AuditLog | None = None,
                                 usage_sample_s: float = 5.0) -> APIRouter:
    """Return the console's router for one daemon (pages, assets, JSON and the live stream).

    ``usage`` returns ``{"cost": CostMeter.snapshot(), ...}`` (what ``GET /v1/usage``
    answers), sampled at most every ``usage_sample_s``; without it the savings chart is
    estimated from recent decisions.
    ``audit_log`` defaults to the privacy audit log named in the config. Registers a
    listener on ``ctx.pipeline`` for the live stream.
    """
    feed = DecisionFeed()
    ctx.pipeline.listeners.append(feed.publish)
    history = UsageHistory(usage, usage_sample_s) if usage is not None else None
    if history is not None:
        ctx.pipeline.listeners.append(lambda _d: history.sample())
    auth = [Depends(bearer_guard(ctx.token))]
    router = APIRouter(include_in_schema=False)
    router.include_router(static_router())

    def page(name: str, title: str) -> HTMLResponse:
        return page_response(render_page(
            app=APP_NAME, page=name, title=title, script="device.js", nav=list(PAGES),
            data={"login": "/console/login", "verify": "/status", "home": "/console/decisions"},
            logout=name != "login"))

    add_page_routes(router, "/console", "/console/decisions", PAGES, page)

    @router.get("/console/api/decisions", dependencies=auth)
    def decisions(limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  source: Annotated[str | None, Query(max_length=128)] = None,
                  route: Annotated[str | None, Query(max_length=32)] = None,
                  ) -> dict[str, Any]:
        """Return recent decisions (safe fields, newest first) and the sources seen."""
        recent = list(ctx.pipeline.recent)
        rows = [safe_view(d) for d in reversed(recent) if matches(d, source, route)]
        return {"items": rows[:limit], "sources": sorted({d.source for d in recent}),
                "device": ctx.config.device_id}

    @router.get("/console/api/stream", dependencies=auth)
    def stream(request: Request, source: Annotated[str | None, Query(max_length=128)] = None,
               route: Annotated[str | None, Query(max_length=32)] = None) -> StreamingResponse:
        """Server-sent events: one ``decision`` event per new matching decision."""
        return StreamingResponse(
            feed.events(source or None, route or None, request.is_disconnected, ctx.ready),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @router.get("/console/api/savings", dependencies=auth)
    def savings() -> dict[str, Any]:
        """Return route counts per minute and tokens and money over time (see savings.py)."""
        return savings_view(list(ctx.pipeline.recent), ctx.config.routing, history)

    opened: list[AuditLog] = [audit_log] if audit_log is not None else []

    def current_log() -> AuditLog | None:
        # Opened once the log's directory exists (never creating keys for an unused log),
        # then kept, so unchanged closed segments are verified once.
        if not opened:
            if not (ctx.config.state_dir / ctx.config.privacy.audit_file).parent.exists():
                return None
            from appliance.audit import open_from_config
            opened.append(open_from_config(ctx.config))
        return opened[0]

    @router.get("/console/api/privacy", dependencies=auth)
    def privacy(limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                before: Annotated[int | None, Query(ge=1)] = None) -> Mapping[str, Any]:
        """Return the audit chain's verification state and a page of records, newest first.

        ``before`` pages on to older records (the previous page's ``next_before``).
        No values, hashes or sessions are returned.
        """
        return _privacy_view(current_log(), limit, before)

    return router
