"""The fleet console: devices, one device, rollouts, and token administration.

Mount on the cloud app next to the fleet API (``app.include_router(router)``, no
extra dependency): page shells and assets are public and hold no data; the pages
call the fleet REST API with the operator's bearer token, plus the few read-only
views below that the REST API lacks (rollout list, token lists, masked desired
config). Token hashes are never returned; a new token is shown once, by the page
that created it, from the REST API's answer.
"""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from appliance.console.shell import NavItem, add_page_routes, page_response, render_page, static_router
from appliance.fleet.auth import Principal
from appliance.fleet.context import FleetContext
from appliance.fleet.desired import compute_desired
from appliance.fleet.store import ApiToken, Device, EnrollmentToken, ModelArtifact, Rollout, RolloutTarget

APP_NAME = "Edge Appliance fleet"
BASE = "/console/fleet"
PAGES = (
    NavItem("fleet-devices", "Devices", f"{BASE}/devices"),
    NavItem("fleet-rollouts", "Rollouts", f"{BASE}/rollouts"),
    NavItem("fleet-admin", "Tokens", f"{BASE}/admin"),
)
_SECRET_KEY = re.compile(r"token|secret|password|passwd|private|credential|api_?key", re.I)
DeviceId = Annotated[str, Path(max_length=64)]


def mask_secrets(value: Any) -> Any:
    """Return ``value`` with every entry whose key names a secret replaced by ``"***"``."""
    if isinstance(value, dict):
        return {k: "***" if _SECRET_KEY.search(str(k)) else mask_secrets(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _rollouts(ctx: FleetContext, limit: int) -> list[dict[str, Any]]:
    with ctx.db.session() as s:
        rows = s.execute(select(Rollout, ModelArtifact)
                         .join(ModelArtifact, ModelArtifact.id == Rollout.model_id)
                         .order_by(Rollout.id.desc()).limit(limit)).all()
        out = []
        for ro, art in rows:
            counts: dict[str, int] = {}
            for t in s.scalars(select(RolloutTarget).where(RolloutTarget.rollout_id == ro.id)):
                counts[t.state] = counts.get(t.state, 0) + 1
            out.append({"id": ro.id, "model": f"{art.name}@{art.version}", "model_id": art.id,
                        "selector": ro.selector, "stage": ro.stage, "counts": counts,
                        "created_at": _iso(ro.created_at), "created_by": ro.created_by})
        return out


def _tokens(ctx: FleetContext) -> dict[str, Any]:
    with ctx.db.session() as s:
        operators = [{"name": t.name, "role": t.role, "created_at": _iso(t.created_at),
                      "created_by": t.created_by, "revoked_at": _iso(t.revoked_at)}
                     for t in s.scalars(select(ApiToken).order_by(ApiToken.id.desc()))]
        enrollment = [{"id": t.id, "serial": t.serial, "site": t.site, "line": t.line,
                       "tags": t.tags, "expires_at": _iso(t.expires_at),
                       "used_at": _iso(t.used_at), "used_by": t.used_by,
                       "created_by": t.created_by}
                      for t in s.scalars(select(EnrollmentToken)
                                         .order_by(EnrollmentToken.id.desc()).limit(200))]
    return {"operators": operators, "enrollment": enrollment}


def create_fleet_console_router(ctx: FleetContext) -> APIRouter:
    """Return the fleet console's router: pages under ``/console/fleet``, assets, read views."""
    router = APIRouter(include_in_schema=False)
    router.include_router(static_router())
    viewer = Annotated[Principal, Depends(ctx.role("viewer"))]
    admin = Annotated[Principal, Depends(ctx.role("admin"))]

    def page(name: str, title: str, **data: str) -> HTMLResponse:
        return page_response(render_page(
            app=APP_NAME, page=name, title=title, script="fleet.js", nav=list(PAGES),
            data={"login": f"{BASE}/login", "verify": f"{BASE}/api/whoami",
                  "home": f"{BASE}/devices", **data},
            logout=name != "login"))

    add_page_routes(router, BASE, f"{BASE}/devices", PAGES, page)

    @router.get(BASE + "/devices/{device_id}")
    def device_page(device_id: DeviceId) -> HTMLResponse:
        return page("fleet-device", "Device", device=device_id)

    @router.get(BASE + "/api/whoami")
    def whoami(who: viewer) -> dict[str, str]:
        """Return the caller's token name and role (the login page checks the token here)."""
        return {"name": who.name, "role": who.role}

    @router.get(BASE + "/api/rollouts")
    def rollouts(who: viewer) -> list[dict[str, Any]]:
        """Return the newest rollouts with their model, stage and per-state counts."""
        return _rollouts(ctx, 100)

    @router.get(BASE + "/api/devices/{device_id}/desired")
    def desired(device_id: DeviceId, who: viewer) -> dict[str, Any]:
        """Return the device's desired config (secrets masked), its version and sources."""
        with ctx.db.session() as s:
            dev = s.get(Device, device_id)
            if dev is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
            state = compute_desired(s, dev)
        return {"version": state.version, "config": mask_secrets(state.config),
                "components": state.components}

    @router.get(BASE + "/api/tokens")
    def tokens(who: admin) -> dict[str, Any]:
        """Return operator tokens and enrollment tokens (names, roles, dates; never hashes)."""
        return _tokens(ctx)

    return router
