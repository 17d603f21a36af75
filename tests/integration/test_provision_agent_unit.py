"""Provisioning with enrollment, then the agent unit's own command line, against a real fleet.

``scripts/provision --root`` enrolls an image tree with a fleet served over TLS, copies
the fleet CA into /etc/appliance and writes agent.env. The "first boot" runs the real
``systemd-tmpfiles`` on the tree, then ``ExecStart=`` of systemd/appliance-agent.service
is expanded the way systemd does with agent.env (on-device paths moved into the tree)
and run once: it heartbeats with the daemon's summary from the tree's state directory
and runs the fleet's restart command by touching the file appliance-config.path watches.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from appliance.heartbeat_summary import write_summary
from tests.fixtures.tls import SessionPki
from tests.unit.fleet.harness import Fleet, Served

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "appliance-agent.service"
PATH_UNIT = ROOT / "systemd" / "appliance-config.path"
PROVISION = ROOT / "scripts" / "provision"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPLIANCE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _directives(text: str, key: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", text)  # systemd's line continuation
    return re.findall(rf"^{key}=(.*)$", joined, re.MULTILINE)


def _env_file(path: Path) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in path.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return {k: v for k, v in pairs}


def _expand(command: str, env: dict[str, str]) -> list[str]:
    """systemd's ExecStart= expansion: ``${X}`` is one word, a lone ``$X`` splits at blanks."""
    out: list[str] = []
    for word in shlex.split(command):
        if re.fullmatch(r"\$[A-Za-z_]\w*", word):
            out += env.get(word[1:], "").split()
        else:
            out.append(re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), word))
    return out


def _in_tree(words: list[str], tree: Path) -> list[str]:
    appliance = str(Path(sys.executable).with_name("appliance"))
    moved = [w.replace("/var/lib/appliance", f"{tree}/var/lib/appliance")
             .replace("/etc/appliance", f"{tree}/etc/appliance") for w in words]
    return [appliance if w == "/usr/bin/appliance" else w for w in moved]


def _uid(tree: Path, user: str) -> int:
    for line in (tree / "etc" / "passwd").read_text().splitlines():
        name, _, uid, *_ = line.split(":")
        if name == user:
            return int(uid)
    raise AssertionError(f"no {user} in the tree's passwd")


def test_provisioned_tree_runs_the_agent_unit_command_with_its_settings(
        tmp_path: Path, pki: SessionPki) -> None:
    fleet = Fleet(f"sqlite:///{tmp_path / 'fleet.db'}", tmp_path / "fleet", telemetry_every_s=0)
    served = Served(fleet.app, ssl_certfile=str(pki.server_cert),
                    ssl_keyfile=str(pki.server_key))
    try:
        op = fleet.auth("operator")
        assert fleet.client.post("/fleet/configs", headers=op, json={
            "scope": "fleet", "body": {"logging": {"level": "WARNING"}}}).status_code == 201
        token = tmp_path / "enroll-token"
        token.write_text(fleet.enrollment_token() + "\n")
        ca = tmp_path / "home" / "fleet-ca.pem"  # where ProtectHome= would hide it
        ca.parent.mkdir()
        shutil.copy(pki.ca_file, ca)
        tree = tmp_path / "image"
        tree.mkdir()
        result = subprocess.run(
            [str(PROVISION), "--device-id", "press-07", "--board", "orin-nano-8gb",
             "--fleet-url", served.url, "--enroll-token-file", str(token),
             "--server-ca", str(ca), "--root", str(tree)],
            capture_output=True, text=True, env=_env(), timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
        token_text = token.read_text().strip()
        assert token_text not in result.stdout + result.stderr

        etc, state = tree / "etc" / "appliance", tree / "var" / "lib" / "appliance"
        assert (state / "identity" / "cert.pem").exists()
        config = (state / "config.toml").read_text()  # base + the fleet's desired state
        assert 'level = "WARNING"' in config and 'device_id = "press-07"' in config
        assert (etc / "fleet-ca.pem").read_bytes() == pki.ca_file.read_bytes()
        settings = _env_file(etc / "agent.env")
        assert settings == {"FLEET_URL": served.url, "FLEET_DEVICE_ID": "press-07",
                            "FLEET_AGENT_ARGS": "--board orin-nano-8gb "
                                                "--server-ca /etc/appliance/fleet-ca.pem"}
        assert (etc / "agent.env").stat().st_mode & 0o777 == 0o640
        assert token_text not in (etc / "agent.env").read_text()
        wants = tree / "etc/systemd/system/multi-user.target.wants"
        assert {p.name for p in wants.iterdir()} == {
            "appliance.service", "appliance-config.path", "appliance-agent.service"}
        # The enrollment-time audit went into the tree, not the build host's /var/lib.
        assert list(state.glob("audit*")), sorted(p.name for p in state.iterdir())

        # First boot: tmpfiles hands what the build host wrote to the service user.
        subprocess.run(["systemd-tmpfiles", f"--root={tree}", "--create",
                        str(ROOT / "systemd" / "tmpfiles.d" / "appliance.conf")],
                       check=True, capture_output=True)
        uid = _uid(tree, "appliance")
        for path in (state / "identity" / "token", state / "keys" / "signing.key",
                     state / "config.toml", state / "agent.json"):
            assert path.stat().st_uid == uid, path

        # The daemon's summary, and a restart command waiting on the fleet.
        write_summary(state / "telemetry.json", {
            "ts": time.time(), "queue_depths": {"pipeline": 4, "outbox": 9},
            "temperatures": {"tj": 55.5}, "budget_used": 321.0, "cpu_load_percent": 17.0})
        r = fleet.client.post("/fleet/devices/press-07/commands", headers=op,
                              json={"kind": "restart"})
        assert r.status_code == 201, r.text

        unit = UNIT.read_text()
        [exec_start] = _directives(unit, "ExecStart")
        command = _in_tree(_expand(exec_start, settings), tree)
        unit_env = dict(v.split("=", 1) for v in _directives(unit, "Environment"))
        env = {**_env(), **{k: _in_tree([v], tree)[0] for k, v in unit_env.items()}}
        run = subprocess.run([*command, "--once"], capture_output=True, text=True, env=env,
                             timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "WARNING" not in run.stderr and "ERROR" not in run.stderr, run.stderr

        device = fleet.client.get("/fleet/devices/press-07", headers=op).json()
        assert device["queue_depths"] == {"pipeline": 4, "outbox": 9}
        assert device["temperatures"] == {"tj": 55.5} and device["budget_used"] == 321.0
        assert device["board"] == "orin-nano-8gb"
        # The fleet's restart command touched the file the path unit watches.
        watched = _directives(PATH_UNIT.read_text(), "PathChanged")
        assert "/var/lib/appliance/restart-request" in watched
        assert (state / "restart-request").exists()
        commands = fleet.client.get("/fleet/devices/press-07/commands", headers=op).json()
        assert [c["status"] for c in commands] == ["ok"], json.dumps(commands)
    finally:
        served.stop()
        fleet.close()
