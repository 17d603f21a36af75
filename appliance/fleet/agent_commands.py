"""What the agent does for each signed command kind (after the signature checked out)."""

from __future__ import annotations

import logging
import os
import platform
from typing import TYPE_CHECKING, Any

from appliance import __version__
from appliance.errors import ApplianceError
from appliance.fleet.device_state import run_check

if TYPE_CHECKING:
    from appliance.fleet.agent import FleetAgent

log = logging.getLogger(__name__)


def _hook(agent: FleetAgent, name: str) -> tuple[bool, dict[str, Any]]:
    cmd = agent.opts.hooks.get(name)
    if not cmd:
        return False, {"error": f"no {name} hook configured on this device"}
    ok, detail = run_check(cmd, {"APPLIANCE_DEVICE_ID": agent.opts.device_id}, 120.0)
    return ok, {"detail": detail}


def describe(agent: FleetAgent) -> dict[str, Any]:
    """Return the diagnostics document (versions, state, slots, disk) — no secrets."""
    usage = os.statvfs(agent.opts.state_dir)
    return {
        "device_id": agent.opts.device_id, "software_version": __version__,
        "python": platform.python_version(), "platform": platform.platform(),
        "state": {k: v for k, v in agent.state().items()
                  if k not in ("commands_done", "applied_config")},
        "model": agent.slots.active(), "config_path": str(agent.opts.config_path),
        "disk_free_bytes": usage.f_bavail * usage.f_frsize,
    }



def execute(agent: FleetAgent, kind: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Run one command kind; return ``(ok, result)`` for the acknowledgement. Never raises."""
    try:
        if kind == "set_log_level":
            agent.applier.set_override(["logging", "level"], args["level"])
            st = agent.state()
            agent.applier.apply(st.get("applied_config", {}),
                                st.get("applied_config_version", "local"))
            return True, {"level": args["level"]}
        if kind == "rotate_keys":
            return True, {"certificate_serial": agent.rotate_keys()}
        if kind == "collect_diagnostics":
            return True, describe(agent)
        if kind in ("restart", "flush_outbox"):
            return _hook(agent, kind)
    except (ApplianceError, OSError, KeyError) as exc:
        log.warning("command %s failed: %s", kind, exc)
        return False, {"error": str(exc)}
    return False, {"error": f"unknown command kind {kind!r}"}
