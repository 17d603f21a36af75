"""Two ``appliance cloud`` replicas with one database: the fleet is stateless apart from it.

Each replica is a real process with its own state_dir and port; they share only the
database (PostgreSQL, or one SQLite file) and the deployment's key-encryption
key. Both start at the same moment on an empty database. A device enrolled through
replica A opens replica B's relay over mutual TLS; a model uploaded to A downloads
from B byte for byte and verifies with what B publishes; a revocation through A is
refused by B's relay on the very next request.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from appliance.fleet.auth import create_api_token
from appliance.fleet.bundle import open_bundle
from appliance.fleet.keystore import insert_or_fetch
from appliance.fleet.sealing import write_secret_key
from appliance.fleet.signing import public_b64, sign, verify
from appliance.fleet.store import Database, FleetKey
from appliance.uplink.client import tls_context
from appliance.uplink.keys import init_keys
from appliance.uplink.pki import make_csr
from tests.fixtures.provider import free_port
from tests.fixtures.tls import SessionPki

ROOT = Path(__file__).resolve().parents[2]
MODEL = os.urandom(5 * 1024 * 1024 + 12_345)  # three chunks of the database store


class Replica:
    """``appliance cloud`` (relay + fleet) as a child process with its own state folder."""

    def __init__(self, name: str, workdir: Path, pki: SessionPki, db_url: str,
                 secret_key_file: Path, model_signer: str) -> None:
        self.name = name
        self.port = free_port()
        self.workdir = workdir
        self.log_path = workdir / "cloud.out"
        self.proc: subprocess.Popen[bytes] | None = None
        self.server_ca = pki.ca_file
        workdir.mkdir(parents=True, exist_ok=True)
        lines = [
            'mode = "development"', 'host = "127.0.0.1"', f"port = {self.port}",
            "[tls]", f'cert_file = "{pki.server_cert}"', f'key_file = "{pki.server_key}"',
            # No CA file: device certificates chain to the fleet CA from the database.
            f'client_ca_file = "{workdir / "no-such-ca.pem"}"',
            "[logging]", 'level = "INFO"',
            "[relay]", f'keyring_file = "{workdir / "relay-keys.json"}"',
            f'db_path = "{workdir / "relay.db"}"', "privacy_check = false",
            "[fleet]", "enabled = true", f"database_url = {json.dumps(db_url)}",
            f'state_dir = "{workdir / "fleet-state"}"',
            f'secret_key_file = "{secret_key_file}"',
            f"model_signers = [{json.dumps(model_signer)}]", "sweep_interval_s = 3600.0",
        ]
        self.config = workdir / "cloud.toml"
        self.config.write_text("\n".join(lines) + "\n")

    @property
    def url(self) -> str:
        """The replica's https URL."""
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the process (returns at once; see :meth:`wait_ready`)."""
        out = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from appliance.cli import main; main()", "cloud",
             "-c", str(self.config)], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Wait until ``/healthz`` answers over TLS; fail with the log if the process exits."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"replica {self.name} exited {self.proc.returncode}:\n"
                            f"{self.log_path.read_text()[-3000:]}")
            try:
                if self.client().get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"replica {self.name} not ready in {timeout}s:\n"
                    f"{self.log_path.read_text()[-3000:]}")

    def client(self, cert: tuple[Path, Path] | None = None) -> httpx.Client:
        """An HTTPS client trusting the server CA, with a client certificate if given."""
        if cert is None:
            verify: ssl.SSLContext = ssl.create_default_context(cafile=str(self.server_ca))
        else:
            verify = tls_context(self.server_ca, cert[0], cert[1])
        return httpx.Client(base_url=self.url, verify=verify, timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def replicas(fleet_db_url: str, tmp_path: Path,
             pki: SessionPki) -> Iterator[tuple[Replica, Replica, Ed25519PrivateKey, str]]:
    """Replicas A and B started together on an empty database, and an admin token."""
    model_key = Ed25519PrivateKey.generate()
    secret = tmp_path / "fleet-secret.key"
    write_secret_key(secret)
    pair = [Replica(n, tmp_path / n, pki, fleet_db_url, secret, public_b64(model_key))
            for n in ("a", "b")]
    try:
        for r in pair:
            r.start()
        for r in pair:
            r.wait_ready()
        db = Database(fleet_db_url, run_migrations=False)
        with db.session() as s:
            admin = create_api_token(s, "root", "admin", "test")
        db.dispose()
        yield pair[0], pair[1], model_key, admin
    finally:
        for r in pair:
            r.stop()


def _enroll(a: Replica, admin: dict[str, str], keys_dir: Path) -> dict[str, Any]:
    with a.client() as c:
        r = c.post("/fleet/enrollment-tokens", json={"tags": ["line1"]}, headers=admin)
        assert r.status_code == 201, r.text
        keys = init_keys(keys_dir)
        csr = make_csr(keys.signing, "dev-a").public_bytes(serialization.Encoding.PEM).decode()
        r = c.post("/fleet/enroll", json={"token": r.json()["token"], "device_id": "dev-a",
                                          "csr_pem": csr})
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out


def test_two_replicas_share_keys_devices_artifacts_and_revocation(
        replicas: tuple[Replica, Replica, Ed25519PrivateKey, str], tmp_path: Path) -> None:
    a, b, model_key, token = replicas
    admin = {"Authorization": f"Bearer {token}"}

    # One fleet CA and one fleet signing key, created once by whichever replica won.
    with a.client() as ca, b.client() as cb:
        trust_a, trust_b = ca.get("/fleet/trust").json(), cb.get("/fleet/trust").json()
    assert trust_a == trust_b
    assert not (a.workdir / "fleet-state" / "ca").exists()  # keys live in the database

    # Enrolled through A: the certificate chains to the CA B trusts, B's relay accepts it.
    out = _enroll(a, admin, tmp_path / "keys")
    cert_file = tmp_path / "dev-a.pem"
    cert_file.write_text(out["certificate_pem"])
    device_cert = (cert_file, tmp_path / "keys" / "signing.key")
    x509.load_pem_x509_certificate(out["certificate_pem"].encode()).verify_directly_issued_by(
        x509.load_pem_x509_certificate(trust_b["ca_pem"].encode()))
    device = {"Authorization": f"Bearer {out['device_token']}"}
    with b.client(device_cert) as mtls_b:
        r = mtls_b.get("/v1/relay/keys")
        assert r.status_code == 200, r.text
        assert mtls_b.post("/fleet/devices/dev-a/heartbeat", json={},
                           headers=device).status_code == 200

        # A model registered and uploaded through A ...
        manifest = {"name": "detector", "version": "1", "size": len(MODEL),
                    "sha256": hashlib.sha256(MODEL).hexdigest(), "kind": "onnx"}
        with a.client() as c:
            r = c.post("/fleet/models", json={"manifest": manifest,
                                              "signature": sign(model_key, manifest)},
                       headers=admin)
            assert r.status_code == 201, r.text
            model_id = r.json()["id"]
            r = c.put(f"/fleet/models/{model_id}/artifact", content=MODEL, headers=admin)
            assert r.status_code == 200, r.text
            r = c.post("/fleet/rollouts", json={"model_id": model_id, "selector": ["line1"],
                                                "canary_share": 1.0}, headers=admin)
            assert r.status_code == 201, r.text
        # ... is what B serves, byte for byte, and verifies with what B publishes.
        desired = mtls_b.get("/fleet/devices/dev-a/desired", headers=device).json()
        target = desired["model"]
        assert verify(trust_b["model_signers"], target["manifest"], target["signature"])
        r = mtls_b.get(target["artifact_path"], headers=device)
        assert r.status_code == 200, r.text[:200]
        assert r.content == MODEL
        assert hashlib.sha256(r.content).hexdigest() == target["manifest"]["sha256"]

        # B's bundle carries the same bytes, signed by the fleet key A publishes too.
        r = mtls_b.post("/fleet/bundles", json={"device_id": "dev-a"}, headers=admin)
        assert r.status_code == 200, r.text[:200]
        (tmp_path / "dev-a.bundle").write_bytes(r.content)
        bundle = open_bundle(tmp_path / "dev-a.bundle", [trust_a["fleet_public_key"]])
        assert bundle.read(manifest["sha256"]) == MODEL

        # Revoked through A: B's relay refuses the very next request, same connection.
        with a.client() as c:
            assert c.post("/fleet/devices/dev-a/revoke", json={"reason": "stolen"},
                          headers=admin).status_code == 200
        r = mtls_b.get("/v1/relay/keys")
        assert r.status_code == 403 and r.json()["error"] == "revoked"
        assert mtls_b.post("/fleet/devices/dev-a/heartbeat", json={},
                           headers=device).status_code == 403


def test_replica_with_another_secret_key_refuses_to_start_and_creates_nothing(
        replicas: tuple[Replica, Replica, Ed25519PrivateKey, str], fleet_db_url: str,
        tmp_path: Path, pki: SessionPki) -> None:
    a, _b, model_key, _token = replicas
    db = Database(fleet_db_url, run_migrations=False)
    with db.session() as s:
        before = [(k.name, k.public, k.sealed_private, k.kek_id)
                  for k in s.scalars(select(FleetKey).order_by(FleetKey.name))]
    assert [k[0] for k in before] == ["ca", "relay", "signing"]  # the relay keys too
    other = tmp_path / "other-secret.key"
    write_secret_key(other)
    c = Replica("c", tmp_path / "c", pki, fleet_db_url, other, public_b64(model_key))
    c.start()
    assert c.proc is not None
    try:
        assert c.proc.wait(90) != 0
    finally:
        c.stop()
    log = c.log_path.read_text()
    assert "fleet.secret_key_file" in log and "no new keys were created" in log
    with db.session() as s:  # the shared keys are untouched, none added
        after = [(k.name, k.public, k.sealed_private, k.kek_id)
                 for k in s.scalars(select(FleetKey).order_by(FleetKey.name))]
    db.dispose()
    assert after == before
    with a.client() as client:
        assert client.get("/fleet/trust").json()["ca_pem"] == before[0][1]


def test_replicas_creating_the_keys_at_once_end_up_with_one_set(fleet_db_url: str,
                                                                tmp_path: Path) -> None:
    secret = write_secret_key(tmp_path / "secret.key")
    Database(fleet_db_url).dispose()  # migrated once, as the first replica would
    n = 4
    seen_empty = threading.Barrier(n, timeout=60)
    made: list[str] = []

    def make() -> FleetKey:
        # Called only after this replica found no row: wait until every replica has
        # found none, so that all of them insert.
        seen_empty.wait()
        key = Ed25519PrivateKey.generate()
        made.append(public_b64(key))
        return FleetKey(name="signing", public=public_b64(key),
                        sealed_private=secret.seal(b"unused", "signing"), kek_id=secret.key_id)

    def replica(results: list[str]) -> None:
        db = Database(fleet_db_url, run_migrations=False)
        try:
            results.append(insert_or_fetch(db, "signing", make).public)
        finally:
            db.dispose()

    results: list[str] = []
    threads = [threading.Thread(target=replica, args=(results,)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(made) == n  # every replica tried to create the key ...
    assert len(results) == n and len(set(results)) == 1  # ... and all use the one that won
    db = Database(fleet_db_url, run_migrations=False)
    with db.session() as s:
        assert [k.public for k in s.scalars(select(FleetKey))] == results[:1]
    db.dispose()
