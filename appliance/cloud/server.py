"""Runs the cloud app under uvicorn with the relay's TLS (TLS 1.3, client certificates)."""

from __future__ import annotations

import logging
from typing import Any

import uvicorn

from appliance.cloud.app import create_app
from appliance.cloud.relay import RelayMetrics
from appliance.cloud.settings import CloudConfig
from appliance.cloud.tls import TlsScopeH11Protocol, server_context

log = logging.getLogger(__name__)


def build_server(config: CloudConfig) -> uvicorn.Server:
    """Return a uvicorn server for ``config`` (call ``.run()``); TLS failures are counted."""
    metrics = RelayMetrics()
    app = create_app(config, metrics)
    tls = config.tls
    # With the fleet served here, its CA (from the shared database) signs the device
    # certificates; tls.client_ca_file is trusted besides it when that file exists.
    fleet = getattr(app.state, "fleet", None)
    fleet_ca = fleet.ca.cert_pem if fleet is not None else None
    ca_file = tls.client_ca_file if fleet_ca is None or tls.client_ca_file.exists() else None

    def context(_: Any, __: Any) -> Any:
        return server_context(tls.cert_file, tls.key_file, ca_file,
                              counter=metrics.refused,
                              require_client_cert=config.client_certificate_required(),
                              client_ca_pem=fleet_ca)

    uv = uvicorn.Config(app, host=config.host, port=config.port, http=TlsScopeH11Protocol,
                        loop="asyncio", ssl_context_factory=context,
                        ssl_certfile=str(tls.cert_file), log_config=None,
                        access_log=False, timeout_graceful_shutdown=5)
    return uvicorn.Server(uv)


def serve(config: CloudConfig) -> None:
    """Serve until interrupted."""
    log.info("cloud service on https://%s:%d (TLS 1.3, client certificate %s at the handshake)",
             config.host, config.port,
             "required" if config.client_certificate_required() else "optional")
    build_server(config).run()
