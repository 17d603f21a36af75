"""Enrollment round trip over real TLS: CSR → fleet certificate → mTLS to the relay and fleet.

The relay is a real ``appliance cloud`` process whose client CA is the fleet CA and whose
CRL file is the one the fleet rewrites on every revocation. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from appliance.cloud.app import create_app
from appliance.cloud.settings import CloudConfig
from appliance.cloud.tls import TlsScopeH11Protocol
from appliance.fleet.auth import create_api_token
from appliance.fleet.sealing import write_secret_key
from appliance.fleet.store import Database
from appliance.uplink.client import tls_context
from appliance.uplink.keys import init_keys
from appliance.uplink.pki import generate_key, make_csr, write_certificate, write_private_key
from tests.fixtures.provider import RelayProcess, free_port
from tests.fixtures.tls import SessionPki
from tests.unit.fleet.harness import Fleet, Served

APPLIANCE = str(Path(sys.executable).with_name("appliance"))


def _server_files(f: Fleet, root: Path) -> tuple[Path, Path]:
    key = generate_key("p256")
    cert = f.ctx.ca.authority.issue(common_name="cloud", kind="server",
                                    public_key=key.public_key(), dns_names=["localhost"],
                                    ip_addresses=["127.0.0.1"])
    root.mkdir(parents=True, exist_ok=True)
    write_certificate(root / "server.pem", cert)
    write_private_key(root / "server.key", key)
    return root / "server.pem", root / "server.key"


@pytest.fixture
def fleet(fleet_db_url: str, tmp_path: Path) -> Iterator[Fleet]:
    f = Fleet(fleet_db_url, tmp_path, crl_file=tmp_path / "fleet-crl.pem",
              require_client_certificate=True)
    f.ctx.publish_revocations()  # the relay starts with the fleet's (empty) CRL
    yield f
    f.close()


def _ca_file(f: Fleet, path: Path) -> Path:
    path.write_text(f.ctx.ca.cert_pem)  # the fleet CA lives in the database
    return path


def test_enrolled_certificate_opens_the_relay_until_revoked(fleet: Fleet, tmp_path: Path) -> None:
    cert_file, key_file = _server_files(fleet, tmp_path / "pki")
    ca_file = _ca_file(fleet, tmp_path / "fleet-ca.pem")
    assert fleet.config.crl_file is not None
    pki = SessionPki(tmp_path / "pki", fleet.ctx.ca.authority, ca_file, cert_file, key_file,
                     fleet.config.crl_file)
    relay = RelayProcess(tmp_path / "relay", pki, [], privacy_check=False)
    relay.start()
    try:
        out = fleet.enroll("dev-a", tmp_path / "keys")
        device_cert = tmp_path / "dev-a.pem"
        device_cert.write_text(out["certificate_pem"])
        ctx = tls_context(Path(ca_file), device_cert, tmp_path / "keys" / "signing.key")
        with httpx.Client(verify=ctx, timeout=10) as client:
            r = client.get(relay.url + "/v1/relay/keys")
            assert r.status_code == 200, r.text
            doc = r.json()
            assert doc["current"] in doc["keys"]
            fleet.client.post("/fleet/devices/dev-a/revoke", json={"reason": "stolen"},
                              headers=fleet.auth("admin"))
            # Same relay process, no restart: the CRL the fleet rewrote is honoured at once.
            r = client.get(relay.url + "/v1/relay/keys")
            assert r.status_code == 403 and r.json()["error"] == "revoked"
    finally:
        relay.stop()


def test_fleet_over_mtls_demands_the_devices_current_certificate(fleet: Fleet,
                                                                 tmp_path: Path) -> None:
    cert_file, key_file = _server_files(fleet, tmp_path / "pki")
    ca_file = _ca_file(fleet, tmp_path / "fleet-ca.pem")
    served = Served(fleet.app, ssl_certfile=str(cert_file), ssl_keyfile=str(key_file),
                    ssl_ca_certs=str(ca_file), ssl_cert_reqs=ssl.CERT_OPTIONAL,
                    http=TlsScopeH11Protocol)
    try:
        state = tmp_path / "agent"
        # A real agent process: enrolls over server-authenticated TLS (it has no
        # certificate yet), then heartbeats over mutual TLS with the one it received.
        subprocess.run([APPLIANCE, "agent", "--once", "--fleet-url", served.url,
                        "--device-id", "dev-a", "--state-dir", str(state),
                        "--config-out", str(tmp_path / "appliance.toml"),
                        "--server-ca", str(ca_file),
                        "--enroll-token", fleet.enrollment_token()],
                       check=True, timeout=60, capture_output=True)
        dev = fleet.client.get("/fleet/devices/dev-a", headers=fleet.auth("viewer")).json()
        assert dev["online"] is True
        token = (state / "identity" / "token").read_text().strip()
        auth = {"Authorization": f"Bearer {token}"}
        mtls = tls_context(Path(ca_file), state / "identity" / "cert.pem",
                           state / "keys" / "signing.key")
        plain_tls = ssl.create_default_context(cafile=str(ca_file))
        url = served.url + "/fleet/devices/dev-a/heartbeat"
        with httpx.Client(verify=mtls, timeout=10) as c:
            assert c.post(url, json={}, headers=auth).status_code == 200
        with httpx.Client(verify=plain_tls, timeout=10) as c:
            r = c.post(url, json={}, headers=auth)
            assert r.status_code == 401 and "client certificate" in r.text
        other = fleet.enroll("dev-b", tmp_path / "keys-b")
        (tmp_path / "b.pem").write_text(other["certificate_pem"])
        wrong = tls_context(Path(ca_file), tmp_path / "b.pem", tmp_path / "keys-b" / "signing.key")
        with httpx.Client(verify=wrong, timeout=10) as c:
            r = c.post(url, json={}, headers=auth)
            assert r.status_code == 403 and "certificate not current" in r.text
        fleet.client.post("/fleet/devices/dev-a/revoke", json={}, headers=fleet.auth("admin"))
        with httpx.Client(verify=mtls, timeout=10) as c:
            r = c.post(url, json={}, headers=auth)
            assert r.status_code == 403 and "revoked" in r.text
        assert json.loads((state / "identity" / "trust.json").read_text())["ca_pem"] == \
            ca_file.read_text()
    finally:
        served.stop()


def test_cloud_app_mounts_the_fleet_and_feeds_revocations_to_the_relay(
        fleet_db_url: str, tmp_path: Path) -> None:
    state = tmp_path / "fleet"
    write_secret_key(tmp_path / "secret.key")
    # No tls.client_ca_file: the relay trusts the fleet CA kept in the fleet database.
    config = CloudConfig.model_validate({
        "mode": "development",
        "tls": {"client_ca_file": str(tmp_path / "absent-ca.pem")},
        "relay": {"keyring_file": str(tmp_path / "keys.json"),
                  "db_path": str(tmp_path / "relay.db"), "privacy_check": False},
        "fleet": {"enabled": True, "database_url": fleet_db_url, "state_dir": str(state),
                  "secret_key_file": str(tmp_path / "secret.key")},
    })
    app = create_app(config)
    with TestClient(app) as client:
        fleet = app.state.fleet
        relay = app.state.cloud.relay
        with fleet.db.session() as s:
            admin = {"Authorization": f"Bearer {create_api_token(s, 'a', 'admin', 't')}"}
        token = client.post("/fleet/enrollment-tokens", json={}, headers=admin).json()["token"]
        keys = init_keys(tmp_path / "k")
        csr = make_csr(keys.signing, "dev-a").public_bytes(serialization.Encoding.PEM).decode()
        out = client.post("/fleet/enroll", json={"token": token, "device_id": "dev-a",
                                                 "csr_pem": csr}).json()
        serial = int(out["certificate_serial"], 16)
        assert relay.revocation.is_revoked(serial) is False
        client.post("/fleet/devices/dev-a/revoke", json={}, headers=admin)
        assert relay.revocation.is_revoked(serial) is True


def test_standalone_fleet_server_trusts_the_fleet_ca_from_its_database(
        fleet_db_url: str, tmp_path: Path, pki: SessionPki) -> None:
    secret = tmp_path / "secret.key"
    write_secret_key(secret)
    port = free_port()
    log = tmp_path / "fleet.out"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [APPLIANCE, "fleet", "serve", "--db", fleet_db_url, "--state-dir",
             str(tmp_path / "state"), "--secret-key-file", str(secret), "--port", str(port),
             "--tls-cert", str(pki.server_cert), "--tls-key", str(pki.server_key)],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"https://127.0.0.1:{port}"
    server_only = ssl.create_default_context(cafile=str(pki.ca_file))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", verify=server_only, timeout=2).is_success:
                    break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"fleet serve did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.2)
        db = Database(fleet_db_url, run_migrations=False)
        with db.session() as s:
            admin = {"Authorization": f"Bearer {create_api_token(s, 'a', 'admin', 't')}"}
        db.dispose()
        with httpx.Client(base_url=url, verify=server_only, timeout=10) as c:
            token = c.post("/fleet/enrollment-tokens", json={}, headers=admin).json()["token"]
            keys = init_keys(tmp_path / "k")
            csr = make_csr(keys.signing, "dev-a").public_bytes(serialization.Encoding.PEM)
            out = c.post("/fleet/enroll", json={"token": token, "device_id": "dev-a",
                                                "csr_pem": csr.decode()}).json()
        (tmp_path / "dev-a.pem").write_text(out["certificate_pem"])
        device = {"Authorization": f"Bearer {out['device_token']}"}
        # The handshake accepts the certificate only because the server trusts the
        # fleet CA it read from the database: nothing on disk names that CA.
        mtls = tls_context(pki.ca_file, tmp_path / "dev-a.pem", tmp_path / "k" / "signing.key")
        with httpx.Client(base_url=url, verify=mtls, timeout=10) as c:
            assert c.post("/fleet/devices/dev-a/heartbeat", json={},
                          headers=device).status_code == 200
        # Same name, another CA: the server refuses it in the handshake (TLS 1.3 tells
        # the client at its first read, so it shows as a dropped connection).
        foreign = pki.device("dev-a")
        other = tls_context(pki.ca_file, foreign.cert_file, foreign.keys_dir / "signing.key")
        dropped = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)
        with pytest.raises(dropped), httpx.Client(base_url=url, verify=other, timeout=10) as c:
            c.post("/fleet/devices/dev-a/heartbeat", json={}, headers=device)
    finally:
        proc.terminate()
        proc.wait(15)
