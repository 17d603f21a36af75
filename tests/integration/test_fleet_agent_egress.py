"""Fleet telemetry leaves through the privacy egress gate: a real agent, a real fleet.

The agent (the ``appliance agent`` process, or a :class:`FleetAgent` in this process
where a failing detector has to be put in) talks to a fleet service served by uvicorn
on loopback, on SQLite and PostgreSQL. What the fleet stored is read back from its
database; what the device audited is read from its hash-chained log.
"""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, String, select

from appliance.audit import open_from_config
from appliance.config import load
from appliance.fleet.agent import AgentOptions, FleetAgent
from appliance.fleet.store import Base, Device
from appliance.privacy.detect import Detector
from appliance.privacy.entities import Entity
from appliance.privacy.gate import EgressGate
from tests.fixtures.fleet_agent import APPLIANCE, AgentDevice, wait_for
from tests.unit.fleet.harness import Fleet, Served

OPERATOR = "Anna Kowalski"
TELEMETRY: dict[str, Any] = {
    # a queue named after the operator who owns it: free text the device wrote
    "queue_depths": {"escalations": 2, f"rework for {OPERATOR}": 1},
    "temperatures": {"cabinet": 41.5},
    "budget_used": 0.25,
}


def stored_text(f: Fleet) -> str:
    """Return every text column of every fleet table, as one string."""
    out = []
    with f.ctx.db.session() as s:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, String | JSON)]
            if cols:
                out += [json.dumps(list(row), default=str) for row in s.execute(select(*cols))]
    return "\n".join(out)


def device_row(f: Fleet, device_id: str) -> Device | None:
    with f.ctx.db.session() as s:
        return s.get(Device, device_id)


def audit_records(base_config: Path) -> tuple[list[dict[str, Any]], bool]:
    log = open_from_config(load(base_config))
    return log.records(0, None), log.verify().ok


def test_heartbeat_is_audited_and_planted_pii_never_reaches_the_fleet(
        fleet: tuple[Fleet, Served], device: AgentDevice) -> None:
    f, _ = fleet
    telemetry = device.root / "telemetry.json"
    telemetry.write_text(json.dumps(TELEMETRY))
    device.start(f.enrollment_token(), "--telemetry-file", str(telemetry))

    def reported() -> Device | None:
        row = device_row(f, "dev-a")
        return row if row is not None and row.queue_depths else None

    row = wait_for(reported, "a heartbeat with queue depths", device)
    assert row.queue_depths == {"escalations": 2, "rework for <PERSON_1>": 1}
    assert row.temperatures == {"cabinet": 41.5} and row.budget_used == 0.25
    everything = stored_text(f)
    assert "Kowalski" not in everything and "Anna" not in everything
    assert "rework for <PERSON_1>" in everything  # the redacted queue name did arrive

    records, chain_ok = audit_records(device.base)
    fleet_sent = [r for r in records if r["destination"] == "fleet" and r["outcome"] == "sent"]
    assert fleet_sent, records
    first = fleet_sent[0]
    assert first["classes"] == {"PERSON": 1} and first["redactions"] == {"PERSON:redact": 1}
    assert len(first["payload_sha256"]) == 64 and first["bytes"] > 0
    assert chain_ok
    assert "Kowalski" not in (device.root / "var" / "audit" / "egress.jsonl").read_text()
    verify = subprocess.run([APPLIANCE, "audit", "verify", "--config", str(device.base)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert verify.returncode == 0 and "chain intact" in verify.stdout, verify.stderr


class BrokenDetector(Detector):
    """A detector whose recognizers crash: the gate must keep everything on the device."""

    def detect(self, text: str, field: str | None = None) -> list[Entity]:
        raise RuntimeError("recognizer crashed")


def _agent(device: AgentDevice, token: str, gate: EgressGate | None,
           telemetry: dict[str, Any]) -> FleetAgent:
    path = device.root / "telemetry.json"
    path.write_text(json.dumps(telemetry))
    return FleetAgent(AgentOptions(
        fleet_url=device.fleet_url, state_dir=device.state, config_path=device.config,
        device_id=device.id, base_config=device.base, enroll_token=token,
        telemetry_file=path), gate=gate)


def test_a_detector_failure_blocks_the_heartbeat_and_the_agent_says_so(
        fleet: tuple[Fleet, Served], device: AgentDevice,
        caplog: pytest.LogCaptureFixture) -> None:
    f, _ = fleet
    config = load(device.base)
    gate = EgressGate(config.privacy, open_from_config(config), config.state_dir,
                      detector=BrokenDetector(config.privacy))
    agent = _agent(device, f.enrollment_token(), gate, TELEMETRY)
    with caplog.at_level(logging.WARNING, logger="appliance"):
        agent.run(once=True)  # enrolls, then the heartbeat is stopped: no exception
    row = device_row(f, "dev-a")
    assert row is not None and row.last_heartbeat is None and not row.queue_depths
    assert "Kowalski" not in stored_text(f)
    blocked = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("privacy gate" in r.getMessage() and "heartbeat not sent" in r.getMessage()
               and "detector error (RuntimeError)" in r.getMessage() for r in blocked), [
        r.getMessage() for r in caplog.records]
    records, chain_ok = audit_records(device.base)
    assert [(r["destination"], r["outcome"], r["reason"]) for r in records] == [
        ("fleet", "blocked", "detector error (RuntimeError)")]
    assert chain_ok


def test_a_blocked_class_in_telemetry_keeps_the_heartbeat_on_the_device(
        fleet: tuple[Fleet, Served], device: AgentDevice,
        caplog: pytest.LogCaptureFixture) -> None:
    f, _ = fleet
    ssn = "536-22-8743"  # a national ID: policy "block", never redacted and sent
    agent = _agent(device, f.enrollment_token(), None,
                   {"queue_depths": {f"payroll query SSN {ssn}": 1}})
    with caplog.at_level(logging.WARNING, logger="appliance"):
        agent.run(once=True)
    row = device_row(f, "dev-a")
    assert row is not None and row.last_heartbeat is None
    assert ssn not in stored_text(f)
    assert any("policy blocks NATIONAL_ID" in r.getMessage() for r in caplog.records)
    records, _ = audit_records(device.base)
    # the ID itself, and the depth under a queue name that says SSN
    assert [(r["outcome"], r["classes"]) for r in records] == [("blocked", {"NATIONAL_ID": 2})]

    # the same agent, telemetry cleaned up: the next heartbeat goes (redacted as usual)
    (device.root / "telemetry.json").write_text(json.dumps(TELEMETRY))
    agent.run(once=True)
    row = device_row(f, "dev-a")
    assert row is not None and row.last_heartbeat is not None
    assert row.queue_depths == {"escalations": 2, "rework for <PERSON_1>": 1}
