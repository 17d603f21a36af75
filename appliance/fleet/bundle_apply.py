"""``appliance bundle apply``: verify a signed bundle and apply it on a device with no network.

The device's state records what was applied, so its next heartbeat (whenever it
reconnects) syncs the applied config and model versions to the fleet.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from appliance.fleet.agent import FleetAgent
from appliance.fleet.bundle import BundleError, open_bundle
from appliance.fleet.device_state import atomic_write, write_json

log = logging.getLogger(__name__)


def apply_bundle(agent: FleetAgent, path: Path, extra_keys: list[str]) -> dict[str, Any]:
    """Verify ``path`` and apply its config, models and trust material.

    Returns a summary (``ok`` false when the config was refused or a model failed);
    raises :class:`BundleError` when the bundle is tampered, untrusted or for another device.
    """
    pinned = agent.trust().get("fleet_public_key")
    keys = [k for k in [pinned, *extra_keys] if k]
    if not keys:
        raise BundleError("no trusted fleet key: enroll once or pass --trust-key")
    bundle = open_bundle(path, keys)
    man = bundle.manifest
    if man.get("device_id") != agent.opts.device_id:
        raise BundleError(f"bundle is for {man.get('device_id')!r}, "
                          f"this device is {agent.opts.device_id!r}")
    summary: dict[str, Any] = {"ok": True, "device_id": agent.opts.device_id}
    cfg = man["config"]
    applied, reason = agent.apply_config(cfg["config"], cfg["version"])
    summary["config"] = {"version": cfg["version"], "applied": applied, "reason": reason}
    summary["ok"] = applied
    trust = man["trust"]
    signers = agent.trust().get("model_signers") or trust.get("model_signers", [])
    models = []
    done = set(agent.state().get("model_rollouts_done", []))
    for entry in man.get("models", []):
        chunks = bundle.chunks(entry["manifest"]["sha256"])
        state, detail = agent.install_model(entry, chunks, signers)
        models.append({"version": entry["manifest"]["version"], "state": state,
                       "detail": detail})
        summary["ok"] = summary["ok"] and state == "active"
        if entry.get("rollout_id") is not None:
            done.add(int(entry["rollout_id"]))
    agent.save_state(model_rollouts_done=sorted(done), bundle_applied=str(path.name))
    summary["models"] = models
    # The trust material is covered by the signature checked above.
    write_json(agent.id_dir / "trust.json", trust)
    atomic_write(agent.id_dir / "crl.pem", man["crl_pem"].encode())
    log.info("bundle %s applied: %s", path, summary)
    return summary
