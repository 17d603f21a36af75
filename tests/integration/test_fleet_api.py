"""Fleet REST API on real SQLite and PostgreSQL: roles, audit, enrollment, registry, desired state.

Every test runs twice (``fleet_db_url`` is parametrized over both databases).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select, update

from appliance.fleet.registry import sweep_offline
from appliance.fleet.signing import verify
from appliance.fleet.store import AuditRecord, Device, EnrollmentToken
from appliance.uplink.keys import rotate_keys
from appliance.uplink.pki import make_csr
from tests.unit.fleet.harness import Fleet

ROLE_ORDER = ["viewer", "operator", "admin"]


@pytest.fixture
def fleet(fleet_db_url: str, tmp_path: Path) -> Iterator[Fleet]:
    f = Fleet(fleet_db_url, tmp_path)
    yield f
    f.close()


def _concrete(path: str, device_id: str) -> str:
    values = {"device_id": device_id, "model_id": "1", "rollout_id": "1", "name": "nobody",
              "command_id": "c-1"}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def test_every_route_enforces_its_documented_role(fleet: Fleet, tmp_path: Path) -> None:
    mine = fleet.enroll("dev-a", tmp_path / "ka")
    other = fleet.enroll("dev-b", tmp_path / "kb")
    device_auth = {"Authorization": f"Bearer {mine['device_token']}"}
    other_auth = {"Authorization": f"Bearer {other['device_token']}"}
    checked = 0
    # Table-driven over the published OpenAPI document: every operation names its role.
    for path, operations in fleet.app.openapi()["paths"].items():
        for method, op in operations.items():
            role = op.get("x-required-role")
            assert role is not None, f"{method} {path} documents no x-required-role"
            method = method.upper()
            # Operator calls aim at an unknown device so that revoke/patch leave dev-a alone.
            url = _concrete(path, "dev-a" if role == "device" else "dev-z")
            call = lambda headers, m=method, u=url: fleet.client.request(  # noqa: E731
                m, u, json={}, headers=headers)
            if role == "public":
                assert call({}).status_code not in (401, 403), path
            elif role in ROLE_ORDER:
                assert call({}).status_code == 401, (method, url)
                assert call(device_auth).status_code == 401, (method, url)
                need = ROLE_ORDER.index(role)
                for lower in ROLE_ORDER[:need]:
                    assert call(fleet.auth(lower)).status_code == 403, (method, url, lower)
                for allowed in ROLE_ORDER[need:]:
                    assert call(fleet.auth(allowed)).status_code not in (401, 403), (
                        method, url, allowed)
            elif role == "device":
                assert call({}).status_code == 401, (method, url)
                assert call(fleet.auth("admin")).status_code == 401, (method, url)
                assert call(other_auth).status_code == 403, (method, url)
                assert call(device_auth).status_code not in (401, 403), (method, url)
            elif role == "enrollment-token":
                r = fleet.client.post(url, json={"token": "fle_forged", "device_id": "x",
                                                 "csr_pem": "-"})
                assert r.status_code == 403
            else:
                pytest.fail(f"unknown role {role} on {path}")
            checked += 1
    assert checked >= 30


def test_every_operator_write_is_audited_with_who_and_what(fleet: Fleet, tmp_path: Path) -> None:
    fleet.enroll("dev-a", tmp_path / "ka", tags=["line1"])
    h_op, h_admin = fleet.auth("operator"), fleet.auth("admin")
    calls = [
        ("POST", "/fleet/configs", {"scope": "fleet", "body": {"logging": {"level": "INFO"}}},
         h_op),
        ("PATCH", "/fleet/devices/dev-a", {"tags": ["line1", "canary"]}, h_op),
        ("POST", "/fleet/devices/dev-a/commands", {"kind": "collect_diagnostics"}, h_op),
        ("POST", "/fleet/api-tokens", {"name": "ci", "role": "viewer"}, h_admin),
        ("POST", "/fleet/api-tokens/ci/revoke", {}, h_admin),
        ("POST", "/fleet/bundles", {"device_id": "dev-a"}, h_op),
        ("POST", "/fleet/devices/dev-a/revoke", {"reason": "stolen"}, h_admin),
    ]
    for method, url, body, headers in calls:
        r = fleet.client.request(method, url, json=body, headers=headers)
        assert r.status_code < 300, (url, r.text)
    with fleet.ctx.db.session() as s:
        rows = list(s.scalars(select(AuditRecord).order_by(AuditRecord.id)))
    actions = [(r.actor, r.action, r.target) for r in rows]
    for expected in [("operator:test-operator", "config.put", "fleet:"),
                     ("operator:test-operator", "device.patch", "dev-a"),
                     ("operator:test-operator", "command.issue", "dev-a"),
                     ("admin:test-admin", "api_token.create", "ci"),
                     ("admin:test-admin", "api_token.revoke", "ci"),
                     ("operator:test-operator", "bundle.export", "dev-a"),
                     ("admin:test-admin", "device.revoke", "dev-a")]:
        assert expected in actions
    assert all(r.ts.tzinfo is not None for r in rows)
    listed = fleet.client.get("/fleet/audit", headers=h_admin).json()
    assert listed[0]["action"] == "device.revoke"


def test_enrollment_token_is_one_time_serial_bound_and_expires(fleet: Fleet,
                                                               tmp_path: Path) -> None:
    out = fleet.enroll("dev-a", tmp_path / "k1", serial="SN-1")
    cert = x509.load_pem_x509_certificate(out["certificate_pem"].encode())
    ca = x509.load_pem_x509_certificate(out["ca_pem"].encode())
    cert.verify_directly_issued_by(ca)
    assert cert.subject.rfc4514_string() == "CN=dev-a"
    csr = "-----BEGIN CERTIFICATE REQUEST-----\nbad\n-----END CERTIFICATE REQUEST-----\n"
    bound = fleet.enrollment_token(serial="SN-2")
    r = fleet.client.post("/fleet/enroll", json={"token": bound, "device_id": "dev-b",
                                                 "serial": "SN-3", "csr_pem": csr})
    assert r.status_code == 403 and "serial" in r.text
    # A token is consumed only by a successful enrollment; a bad CSR leaves it usable.
    r = fleet.client.post("/fleet/enroll", json={"token": bound, "device_id": "dev-b",
                                                 "serial": "SN-2", "csr_pem": csr})
    assert r.status_code == 422
    again = fleet.enroll("dev-c", tmp_path / "k3")
    assert again["device_id"] == "dev-c"
    with fleet.ctx.db.session() as s:
        s.execute(update(EnrollmentToken).values(expires_at=datetime.now(UTC) - timedelta(1)))
    r = fleet.client.post("/fleet/enroll", json={"token": bound, "device_id": "dev-b",
                                                 "serial": "SN-2", "csr_pem": csr})
    assert r.status_code == 403


def test_revoked_device_is_refused_and_its_certificate_is_in_the_crl(fleet: Fleet,
                                                                     tmp_path: Path) -> None:
    out = fleet.enroll("dev-a", tmp_path / "ka")
    dev = {"Authorization": f"Bearer {out['device_token']}"}
    assert fleet.client.post("/fleet/devices/dev-a/heartbeat", json={},
                             headers=dev).status_code == 200
    r = fleet.client.post("/fleet/devices/dev-a/revoke", json={"reason": "stolen"},
                          headers=fleet.auth("admin"))
    assert r.json()["revoked_certificates"] == 1
    r = fleet.client.post("/fleet/devices/dev-a/heartbeat", json={}, headers=dev)
    assert r.status_code == 403 and "revoked" in r.text
    crl = x509.load_pem_x509_crl(fleet.client.get("/fleet/crl").content)
    assert crl.get_revoked_certificate_by_serial_number(int(out["certificate_serial"], 16))
    history = fleet.client.get("/fleet/devices/dev-a/history", headers=fleet.auth("viewer"))
    newest = history.json()[0]
    assert (newest["kind"], newest["old"], newest["new"]) == ("status", "active", "revoked")


def test_reenrollment_rotates_the_key_and_revokes_the_old_certificate(fleet: Fleet,
                                                                      tmp_path: Path) -> None:
    first = fleet.enroll("dev-a", tmp_path / "ka")
    keys = rotate_keys(tmp_path / "ka")
    csr = make_csr(keys.signing, "dev-a").public_bytes(serialization.Encoding.PEM).decode()
    r = fleet.client.post("/fleet/devices/dev-a/reenroll", json={"csr_pem": csr},
                          headers={"Authorization": f"Bearer {first['device_token']}"})
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["certificate_serial"] != first["certificate_serial"]
    new_cert = x509.load_pem_x509_certificate(second["certificate_pem"].encode())
    assert new_cert.public_key() == keys.signing.public_key()
    old_auth = {"Authorization": f"Bearer {first['device_token']}"}
    assert fleet.client.post("/fleet/devices/dev-a/heartbeat", json={},
                             headers=old_auth).status_code == 401
    crl = x509.load_pem_x509_crl(fleet.client.get("/fleet/crl").content)
    assert crl.get_revoked_certificate_by_serial_number(int(first["certificate_serial"], 16))
    assert crl.get_revoked_certificate_by_serial_number(
        int(second["certificate_serial"], 16)) is None


def test_desired_config_merges_fleet_group_device_and_shows_drift(fleet: Fleet,
                                                                   tmp_path: Path) -> None:
    out = fleet.enroll("dev-a", tmp_path / "ka", tags=["hall2"])
    fleet.enroll("dev-b", tmp_path / "kb")
    dev = {"Authorization": f"Bearer {out['device_token']}"}
    op = fleet.auth("operator")
    for doc in ({"scope": "fleet", "body": {"logging": {"level": "WARNING"},
                                            "pipeline": {"workers": 2}}},
                {"scope": "group", "target": "hall2", "body": {"pipeline": {"workers": 4}}},
                {"scope": "device", "target": "dev-a", "body": {"logging": {"level": "DEBUG"}}},
                {"scope": "fleet", "body": {"logging": {"level": "ERROR"},
                                            "pipeline": {"workers": 3}}}):
        assert fleet.client.post("/fleet/configs", json=doc, headers=op).status_code == 201
    desired = fleet.client.get("/fleet/devices/dev-a/desired", headers=dev).json()
    assert desired["config"] == {"logging": {"level": "DEBUG"}, "pipeline": {"workers": 4}}
    assert [c["version"] for c in desired["components"]] == [2, 1, 1]
    drift = fleet.client.get("/fleet/devices/dev-a/drift", headers=fleet.auth("viewer")).json()
    assert drift["status"] == "drift" and not drift["in_sync"]
    r = fleet.client.post("/fleet/devices/dev-a/config-report", headers=dev, json={
        "version": desired["version"], "status": "refused", "reason": "pipeline.workers: bad"})
    assert r.json()["status"] == "refused" and r.json()["error"] == "pipeline.workers: bad"
    r = fleet.client.post("/fleet/devices/dev-a/config-report", headers=dev, json={
        "version": desired["version"], "status": "applied"})
    assert r.json()["in_sync"] is True
    hb = fleet.client.post("/fleet/devices/dev-a/heartbeat", json={}, headers=dev).json()
    assert hb["config_in_sync"] is True and hb["desired_version"] == desired["version"]


def test_registry_filters_pages_and_records_online_history(fleet: Fleet, tmp_path: Path) -> None:
    tokens = {}
    for i in range(5):
        out = fleet.enroll(f"dev-{i}", tmp_path / f"k{i}", tags=["even"] if i % 2 == 0 else [])
        tokens[f"dev-{i}"] = out["device_token"]
    for device_id, token in tokens.items():
        r = fleet.client.post(f"/fleet/devices/{device_id}/heartbeat", headers={
            "Authorization": f"Bearer {token}"}, json={
            "software_version": "0.1.0", "queue_depths": {"outbox": 3},
            "temperatures": {"cpu": 51.5}, "budget_used": 0.25, "board": "orin-nano"})
        assert r.status_code == 200
    v = fleet.auth("viewer")
    page = fleet.client.get("/fleet/devices?limit=2&offset=0", headers=v).json()
    assert page["total"] == 5 and len(page["items"]) == 2 and page["next_offset"] == 2
    even = fleet.client.get("/fleet/devices?tag=even", headers=v).json()
    assert [d["id"] for d in even["items"]] == ["dev-0", "dev-2", "dev-4"]
    one = fleet.client.get("/fleet/devices/dev-1", headers=v).json()
    assert one["online"] and one["queue_depths"] == {"outbox": 3}
    assert one["temperatures"] == {"cpu": 51.5} and one["board"] == "orin-nano"
    with fleet.ctx.db.session() as s:
        s.execute(update(Device).where(Device.id == "dev-1").values(
            last_heartbeat=datetime.now(UTC) - timedelta(hours=1)))
    assert sweep_offline(fleet.ctx.db, 60) == 1
    offline = fleet.client.get("/fleet/devices?online=false", headers=v).json()
    assert [d["id"] for d in offline["items"]] == ["dev-1"]
    kinds = [(e["kind"], e["new"]) for e in
             fleet.client.get("/fleet/devices/dev-1/history", headers=v).json()]
    assert kinds[:3] == [("online", "false"), ("software", "0.1.0"), ("online", "true")]


def test_commands_are_signed_by_the_fleet_and_acknowledged_once(fleet: Fleet,
                                                                tmp_path: Path) -> None:
    out = fleet.enroll("dev-a", tmp_path / "ka")
    dev = {"Authorization": f"Bearer {out['device_token']}"}
    r = fleet.client.post("/fleet/devices/dev-a/commands", headers=fleet.auth("operator"),
                          json={"kind": "set_log_level", "args": {"level": "LOUD"}})
    assert r.status_code == 422
    r = fleet.client.post("/fleet/devices/dev-a/commands", headers=fleet.auth("operator"),
                          json={"kind": "set_log_level", "args": {"level": "DEBUG"}})
    assert r.status_code == 201
    pending = fleet.client.get("/fleet/devices/dev-a/commands/pending", headers=dev).json()
    assert len(pending) == 1
    verify([out["fleet_public_key"]], pending[0]["payload"], pending[0]["signature"])
    cid = pending[0]["payload"]["id"]
    for _ in range(2):
        r = fleet.client.post(f"/fleet/devices/dev-a/commands/{cid}/ack", headers=dev,
                              json={"ok": True, "result": {"level": "DEBUG"}})
        assert r.json()["status"] == "ok"
    assert fleet.client.get("/fleet/devices/dev-a/commands/pending", headers=dev).json() == []
    with fleet.ctx.db.session() as s:
        acks = s.scalars(select(AuditRecord).where(AuditRecord.action == "command.ack")).all()
    assert len(acks) == 1 and acks[0].actor == "device:dev-a"


def test_rollout_releases_the_canary_share_first_then_all_after_the_gate(
        fleet: Fleet, tmp_path: Path) -> None:
    tokens = {f"dev-{i}": fleet.enroll(f"dev-{i}", tmp_path / f"k{i}", tags=["hall2"])
              ["device_token"] for i in range(4)}
    fleet.enroll("dev-other", tmp_path / "ko", tags=["hall9"])
    op = fleet.auth("operator")
    model_id = fleet.publish_model("detector", "5.0", b"weights" * 10)
    ro = fleet.client.post("/fleet/rollouts", headers=op, json={
        "model_id": model_id, "selector": ["hall2"], "canary_share": 0.25}).json()
    assert [d["device_id"] for d in ro["devices"]] == sorted(tokens)  # hall9 not selected
    canary = [d["device_id"] for d in ro["devices"] if d["released"]]
    assert len(canary) == 1 and ro["stage"] == "canary"

    def desired_model(device_id: str) -> object:
        h = {"Authorization": f"Bearer {tokens[device_id]}"}
        return fleet.client.get(f"/fleet/devices/{device_id}/desired", headers=h).json()["model"]

    assert all((desired_model(d) is None) == (d not in canary) for d in tokens)
    r = fleet.client.post(f"/fleet/rollouts/{ro['id']}/promote", headers=op)
    assert r.status_code == 409 and "not yet healthy" in r.text
    h = {"Authorization": f"Bearer {tokens[canary[0]]}"}
    fleet.client.post(f"/fleet/devices/{canary[0]}/model-report", headers=h, json={
        "rollout_id": ro["id"], "state": "active", "model_version": "detector@5.0"})
    promoted = fleet.client.post(f"/fleet/rollouts/{ro['id']}/promote", headers=op).json()
    assert promoted["stage"] == "all" and all(d["released"] for d in promoted["devices"])
    assert all(desired_model(d)["action"] == "activate" for d in tokens)  # type: ignore[index]
    rolled = fleet.client.post(f"/fleet/rollouts/{ro['id']}/rollback", headers=op).json()
    assert rolled["stage"] == "rolled_back"
    assert all(desired_model(d)["action"] == "revert" for d in tokens)  # type: ignore[index]


def test_admin_cli_migrates_and_bootstraps_a_working_admin_token(fleet_db_url: str,
                                                                 tmp_path: Path) -> None:
    exe = str(Path(sys.executable).with_name("appliance"))
    run = subprocess.run([exe, "fleet", "migrate", "--db", fleet_db_url], capture_output=True,
                         text=True, timeout=120, check=True)
    assert "migrated" in run.stdout
    run = subprocess.run([exe, "fleet", "token", "create", "root", "--role", "admin", "--db",
                          fleet_db_url], capture_output=True, text=True, timeout=120, check=True)
    token = run.stdout.strip()
    assert token.startswith("flo_")
    f = Fleet(fleet_db_url, tmp_path)
    try:
        r = f.client.post("/fleet/enrollment-tokens", json={},
                          headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201
        audit = f.client.get("/fleet/audit", headers=f.auth("admin")).json()
        assert audit[0]["actor"] == "admin:root"
        assert any(a["actor"] == "cli" and a["target"] == "root" for a in audit)
    finally:
        f.close()
