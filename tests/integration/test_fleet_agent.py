"""A real device agent process against a real fleet server (uvicorn on loopback).

Config rollout, refusal of a bad config, model rollout with a failing health check,
signed commands, and air-gapped bundles (export, apply, tamper) — on SQLite and
PostgreSQL (``fleet_db_url`` is parametrized).
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import time
import tomllib
from pathlib import Path
from typing import Any

from appliance.config import validate_tree
from tests.fixtures.fleet_agent import APPLIANCE, AgentDevice, wait_for
from tests.unit.fleet.harness import Fleet, Served

BROKEN_CHECK = ("python3 -c \"import os,sys; "
                "sys.exit(b'BROKEN' in open(os.environ['APPLIANCE_MODEL_PATH'],'rb').read())\"")


def _drift(f: Fleet, device_id: str) -> dict[str, Any]:
    r = f.client.get(f"/fleet/devices/{device_id}/drift", headers=f.auth("viewer"))
    return r.json() if r.status_code == 200 else {}


def test_agent_process_applies_a_config_rollout_atomically(fleet: tuple[Fleet, Served],
                                                          device: AgentDevice) -> None:
    f, _ = fleet
    op = f.auth("operator")
    device.start(f.enrollment_token(tags=["hall2"]))
    wait_for(lambda: _drift(f, "dev-a"), "enrollment", device)
    f.client.post("/fleet/configs", headers=op, json={
        "scope": "fleet", "body": {"logging": {"level": "WARNING"}, "site": "plant-7"}})
    f.client.post("/fleet/configs", headers=op, json={
        "scope": "group", "target": "hall2", "body": {"pipeline": {"workers": 3}}})
    drift = wait_for(lambda: (d := _drift(f, "dev-a")).get("in_sync") and d, "in sync", device)
    tree = tomllib.loads(device.config.read_text())
    cfg = validate_tree(tree)
    assert (cfg.device_id, cfg.site, cfg.logging.level, cfg.pipeline.workers) == (
        "dev-a", "plant-7", "WARNING", 3)
    assert device.agent_state()["applied_config_version"] == drift["applied_version"]
    assert not list(device.config.parent.glob(".appliance.toml.*"))  # no temp left behind
    history = f.client.get("/fleet/devices/dev-a/history", headers=f.auth("viewer")).json()
    assert any(e["kind"] == "config" and e["new"] == drift["applied_version"] for e in history)


def test_agent_refuses_an_invalid_config_with_its_reason_and_keeps_the_previous(
        fleet: tuple[Fleet, Served], device: AgentDevice) -> None:
    f, _ = fleet
    op = f.auth("operator")
    f.client.post("/fleet/configs", headers=op, json={
        "scope": "fleet", "body": {"logging": {"level": "ERROR"}}})
    device.start(f.enrollment_token())
    good = wait_for(lambda: (d := _drift(f, "dev-a")).get("in_sync") and d, "good", device)
    before = device.config.read_bytes()
    f.client.post("/fleet/configs", headers=op, json={
        "scope": "device", "target": "dev-a",
        "body": {"pipeline": {"workers": 0}, "mqtt": {"prot": 1884}}})
    bad = wait_for(lambda: (d := _drift(f, "dev-a")).get("status") == "refused" and d,
                   "refusal", device)
    assert "pipeline.workers" in bad["error"] and "mqtt.prot" in bad["error"]
    assert bad["applied_version"] == good["applied_version"]
    assert device.config.read_bytes() == before
    assert validate_tree(tomllib.loads(before.decode())).logging.level == "ERROR"


def test_model_rollout_with_failing_health_check_rolls_back_and_halts(
        fleet: tuple[Fleet, Served], device: AgentDevice) -> None:
    f, _ = fleet
    op = f.auth("operator")
    device.start(f.enrollment_token(tags=["hall2"]), "--health-cmd", BROKEN_CHECK)
    wait_for(lambda: _drift(f, "dev-a"), "enrollment", device)
    good_id = f.publish_model("detector", "1.0", b"GOOD model weights v1" * 100)
    ro1 = f.client.post("/fleet/rollouts", headers=op, json={
        "model_id": good_id, "selector": ["hall2"], "canary_share": 1.0}).json()
    wait_for(lambda: f.client.get(f"/fleet/rollouts/{ro1['id']}", headers=op).json()
             ["counts"].get("active"), "v1 active", device)
    assert f.client.post(f"/fleet/rollouts/{ro1['id']}/promote",
                         headers=op).json()["stage"] == "all"

    bad_id = f.publish_model("detector", "2.0", b"BROKEN model weights v2" * 100)
    ro2 = f.client.post("/fleet/rollouts", headers=op, json={
        "model_id": bad_id, "selector": ["hall2"], "canary_share": 1.0}).json()
    view = wait_for(lambda: (v := f.client.get(f"/fleet/rollouts/{ro2['id']}", headers=op)
                             .json())["counts"].get("rolled_back") and v, "rollback", device)
    assert view["stage"] == "halted"
    assert "health check failed" in view["devices"][0]["detail"]
    r = f.client.post(f"/fleet/rollouts/{ro2['id']}/promote", headers=op)
    assert r.status_code == 409 and "health gate" in r.text
    slots = json.loads((device.state / "models" / "slots.json").read_text())
    active = slots["slots"][slots["active"]]
    assert active["manifest"]["version"] == "1.0"
    assert Path(active["path"]).read_bytes() == b"GOOD model weights v1" * 100
    dev = f.client.get("/fleet/devices/dev-a", headers=op).json()
    assert dev["model_version"] == "detector@1.0"


def test_agent_runs_signed_commands_and_acknowledges_them(fleet: tuple[Fleet, Served],
                                                         device: AgentDevice) -> None:
    f, _ = fleet
    op = f.auth("operator")
    device.start(f.enrollment_token(), "--restart-cmd", "true")
    first = wait_for(lambda: (d := f.client.get("/fleet/devices/dev-a", headers=op).json())
                     .get("online") and d, "online", device)
    ids = {}
    for body in ({"kind": "set_log_level", "args": {"level": "DEBUG"}},
                 {"kind": "collect_diagnostics"}, {"kind": "restart"},
                 {"kind": "flush_outbox"}, {"kind": "rotate_keys"}):
        ids[body["kind"]] = f.client.post("/fleet/devices/dev-a/commands", headers=op,
                                          json=body).json()["id"]

    def done() -> dict[str, Any] | None:
        cmds = f.client.get("/fleet/devices/dev-a/commands", headers=op).json()
        by_id = {c["id"]: c for c in cmds}
        return by_id if all(by_id[i]["status"] != "pending" for i in ids.values()) else None

    acked = wait_for(done, "acknowledgements", device)
    assert acked[ids["set_log_level"]]["status"] == "ok"
    assert validate_tree(tomllib.loads(device.config.read_text())).logging.level == "DEBUG"
    assert acked[ids["collect_diagnostics"]]["result"]["device_id"] == "dev-a"
    assert acked[ids["restart"]]["status"] == "ok"
    flush = acked[ids["flush_outbox"]]
    assert flush["status"] == "failed" and "no flush_outbox hook" in flush["result"]["error"]
    new_serial = acked[ids["rotate_keys"]]["result"]["certificate_serial"]
    assert new_serial != first["certificate_serial"]
    # The agent keeps working with the identity the rotation gave it.
    wait_for(lambda: f.client.get("/fleet/devices/dev-a", headers=op).json()
             ["certificate_serial"] == new_serial, "new certificate in registry", device)
    before = f.client.get("/fleet/devices/dev-a", headers=op).json()["last_heartbeat"]
    wait_for(lambda: f.client.get("/fleet/devices/dev-a", headers=op).json()
             ["last_heartbeat"] != before, "heartbeat after rotation", device)


def test_air_gapped_bundle_applies_offline_rejects_tampering_and_syncs_later(
        fleet: tuple[Fleet, Served], device: AgentDevice, tmp_path: Path) -> None:
    f, served = fleet
    op = f.auth("operator")
    device.once(f.enrollment_token(tags=["hall2"]))  # enrolled once, then the site goes dark
    f.client.post("/fleet/configs", headers=op, json={
        "scope": "fleet", "body": {"logging": {"level": "WARNING"}}})
    model_id = f.publish_model("detector", "3.1", b"GOOD offline model" * 50)
    f.client.post("/fleet/rollouts", headers=op, json={
        "model_id": model_id, "selector": ["hall2"], "canary_share": 1.0})
    bundle = tmp_path / "dev-a.bundle"
    subprocess.run([APPLIANCE, "bundle", "export", "--device-id", "dev-a", "-o", str(bundle),
                    "--fleet-url", served.url, "--token", f.tokens["operator"]],
                   check=True, timeout=60, capture_output=True)

    # Tampered copies: a flipped model byte, and a manifest edit.
    tampered = []
    for victim in ("models/", "manifest.json"):
        out = tmp_path / f"tampered-{len(tampered)}.bundle"
        with tarfile.open(bundle) as src, tarfile.open(out, "w") as dst:
            for member in src.getmembers():
                data = bytearray(src.extractfile(member).read())  # type: ignore[union-attr]
                if member.name.startswith(victim):
                    data[len(data) // 2] ^= 0x01
                dst.addfile(member, io.BytesIO(bytes(data)))
        tampered.append(out)
    apply = [APPLIANCE, "bundle", "apply", "--device-id", "dev-a", "--state-dir",
             str(device.state), "--config-out", str(device.config), "--base-config",
             str(device.base)]
    config_before = device.config.read_bytes() if device.config.exists() else None
    for bad in tampered:
        r = subprocess.run([*apply, str(bad)], capture_output=True, text=True, timeout=60)
        assert r.returncode == 3, r.stderr
        assert "bundle rejected" in r.stderr
        assert (device.config.read_bytes() if device.config.exists() else None) == config_before

    r = subprocess.run([*apply, str(bundle)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["config"]["applied"] and summary["models"][0]["state"] == "active"
    assert validate_tree(tomllib.loads(device.config.read_text())).logging.level == "WARNING"
    assert _drift(f, "dev-a")["in_sync"] is False  # the fleet does not know yet
    device.once()  # the site reconnects: one heartbeat syncs the state
    drift = _drift(f, "dev-a")
    assert drift["in_sync"] is True
    assert f.client.get("/fleet/devices/dev-a", headers=op).json()["model_version"] == \
        "detector@3.1"


def test_mqtt_nudge_makes_the_agent_pull_long_before_its_next_poll(
        fleet_db_url: str, tmp_path: Path, mqtt_broker: Any) -> None:
    f = Fleet(fleet_db_url, tmp_path, mqtt_host=mqtt_broker.host, mqtt_port=mqtt_broker.port)
    served = Served(f.app)
    dev = AgentDevice(tmp_path / "dev-n", "dev-n", served.url)
    try:
        # A later --interval wins: 300 s between regular polls.
        dev.start(f.enrollment_token(), "--interval", "300", "--mqtt-host", mqtt_broker.host,
                  "--mqtt-port", str(mqtt_broker.port))
        # Let the first poll and the poll that follows the listener's connect settle.
        wait_for(lambda: _drift(f, "dev-n"), "enrollment", dev)
        time.sleep(3)
        posted = time.monotonic()
        f.client.post("/fleet/configs", headers=f.auth("operator"), json={
            "scope": "device", "target": "dev-n", "body": {"logging": {"level": "ERROR"}}})
        wait_for(lambda: _drift(f, "dev-n").get("in_sync"), "nudged apply", dev, timeout=30)
        assert time.monotonic() - posted < 30  # the regular poll would come after 300 s
    finally:
        dev.stop()
        served.stop()
        f.close()
