"""Helpers shared by the fleet tests: an in-process fleet, a real uvicorn server, tokens.

Not fixtures (those live in tests/fixtures/): plain objects the tests build.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

from appliance.fleet.api import create_app
from appliance.fleet.auth import create_api_token
from appliance.fleet.context import FleetContext
from appliance.fleet.sealing import is_sqlite, write_secret_key
from appliance.fleet.settings import FleetConfig
from appliance.fleet.signing import public_b64, sign
from appliance.uplink.keys import init_keys
from appliance.uplink.pki import make_csr


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Fleet:
    """A fleet service on a real database, with one token per role and a model signer."""

    def __init__(self, db_url: str, root: Path, **config: Any) -> None:
        self.model_key = Ed25519PrivateKey.generate()
        if not is_sqlite(db_url) and "secret_key_file" not in config:
            # A PostgreSQL fleet needs the deployment's key-encryption key given to it.
            config["secret_key_file"] = root / "fleet-secret.key"
            write_secret_key(config["secret_key_file"])
        self.config = FleetConfig(
            database_url=db_url, state_dir=root / "fleet", sweep_interval_s=3600,
            model_signers=[public_b64(self.model_key)], **config)
        self.ctx = FleetContext.open(self.config)
        self.app: FastAPI = create_app(self.config, self.ctx)
        self.tokens: dict[str, str] = {}
        with self.ctx.db.session() as s:
            for role in ("viewer", "operator", "admin"):
                self.tokens[role] = create_api_token(s, f"test-{role}", role, "test")  # type: ignore[arg-type]
        self.client = TestClient(self.app)
        self.client.__enter__()

    def auth(self, role: str) -> dict[str, str]:
        """Return the Authorization header for ``role``."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def enrollment_token(self, **body: Any) -> str:
        """Create a one-time enrollment token as admin."""
        r = self.client.post("/fleet/enrollment-tokens", json=body, headers=self.auth("admin"))
        assert r.status_code == 201, r.text
        return str(r.json()["token"])

    def enroll(self, device_id: str, keys_dir: Path, tags: list[str] | None = None,
               serial: str = "") -> dict[str, Any]:
        """Enroll a device with a real Ed25519 key and CSR; return the enrollment answer."""
        token = self.enrollment_token(tags=tags or [], serial=serial or None)
        keys = init_keys(keys_dir)
        csr = make_csr(keys.signing, device_id).public_bytes(serialization.Encoding.PEM)
        r = self.client.post("/fleet/enroll", json={
            "token": token, "device_id": device_id, "serial": serial, "csr_pem": csr.decode()})
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    def signed_model(self, name: str, version: str, data: bytes) -> dict[str, Any]:
        """Return a register body for ``data`` signed by the trusted model key."""
        manifest = {"name": name, "version": version, "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(), "kind": "gguf"}
        return {"manifest": manifest, "signature": sign(self.model_key, manifest)}

    def publish_model(self, name: str, version: str, data: bytes) -> int:
        """Register and upload a model; return its id."""
        r = self.client.post("/fleet/models", json=self.signed_model(name, version, data),
                             headers=self.auth("admin"))
        assert r.status_code == 201, r.text
        model_id = int(r.json()["id"])
        r = self.client.put(f"/fleet/models/{model_id}/artifact", content=data,
                            headers=self.auth("admin"))
        assert r.status_code == 200, r.text
        return model_id

    def close(self) -> None:
        """Stop the app (and its sweeper) and release the database."""
        self.client.__exit__(None, None, None)


class Served:
    """A real uvicorn server for an app on a loopback port, in a thread."""

    def __init__(self, app: FastAPI, **ssl_kwargs: Any) -> None:
        self.port = free_port()
        scheme = "https" if ssl_kwargs else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off", **ssl_kwargs)
        if ssl_kwargs:
            config.load()
            assert config.ssl is not None
            config.ssl.minimum_version = ssl.TLSVersion.TLSv1_3
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


def b64(data: bytes) -> str:
    """Return base64 text."""
    return base64.b64encode(data).decode()
