"""Run the standalone fleet service under uvicorn, optionally with mutual TLS.

uvicorn does not pass the peer certificate to the app, so under TLS the HTTP protocol
is the relay's :class:`~appliance.cloud.tls.TlsScopeH11Protocol`, which fills the ASGI
TLS extension that :mod:`appliance.fleet.auth` checks against the registry.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from appliance.cloud.tls import TlsScopeH11Protocol
from appliance.fleet.api import create_app
from appliance.fleet.settings import FleetConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TlsFiles:
    """Server certificate and key, and the CA whose client certificates are accepted.

    ``client_ca=None``: the fleet CA, read from the fleet database.
    """

    cert: Path
    key: Path
    client_ca: Path | None = None
    require_client_cert: bool = False


def serve(config: FleetConfig, host: str, port: int,
          tls: TlsFiles | None = None) -> None:
    """Serve the fleet app until interrupted (TLS 1.3 only when ``tls`` is given)."""
    app = create_app(config)
    kwargs: dict[str, Any] = {}
    if tls is not None:
        kwargs = {
            "ssl_certfile": str(tls.cert), "ssl_keyfile": str(tls.key),
            "ssl_ca_certs": str(tls.client_ca) if tls.client_ca is not None else None,
            "ssl_cert_reqs": ssl.CERT_REQUIRED if tls.require_client_cert else ssl.CERT_OPTIONAL,
            "http": TlsScopeH11Protocol,
        }
    cfg = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                         **kwargs)
    server = uvicorn.Server(cfg)
    if tls is not None:
        # uvicorn builds its SSLContext inside Config.load(); pin TLS 1.3 there.
        cfg.load()
        assert cfg.ssl is not None
        cfg.ssl.minimum_version = ssl.TLSVersion.TLSv1_3
        if tls.client_ca is None:
            cfg.ssl.load_verify_locations(cadata=app.state.fleet.ca.cert_pem)
    log.info("fleet service on %s:%d (%s)", host, port, "mTLS" if tls else "plain HTTP")
    server.run()

