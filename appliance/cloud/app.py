"""``create_app(config)``: the cloud service as one FastAPI app (relay; fleet mounts here)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from appliance.cloud.keyring import RelayKeyring
from appliance.cloud.providers import ProviderChain
from appliance.cloud.relay import (
    PrivacyCheck,
    Relay,
    RelayMetrics,
    RevokedByAny,
    build_relay_router,
)
from appliance.cloud.settings import CloudConfig
from appliance.cloud.store import RelayStore, RequestRecord
from appliance.errors import ApplianceError, ConfigError
from appliance.uplink.envelope import ReplayGuard, SqliteReplayGuard
from appliance.uplink.pki import RevocationList, load_certificate

if TYPE_CHECKING:
    from appliance.fleet.context import FleetContext

log = logging.getLogger(__name__)


@dataclass
class CloudServices:
    """What ``create_app`` built, kept on ``app.state.cloud`` for other routers and tests."""

    config: CloudConfig
    metrics: RelayMetrics
    relay: Relay | None


def load_privacy_check(block: list[str]) -> PrivacyCheck | None:
    """Return the device's privacy detector as ``text -> [blocked data classes found]``.

    Uses :class:`appliance.privacy.detect.Detector` (default privacy config) and
    keeps the findings whose class is in ``block``; None if it cannot be imported.
    """
    try:
        from appliance.privacy.detect import Detector
        from appliance.privacy.settings import PrivacyConfig
        detector = Detector(PrivacyConfig())
    except Exception:  # a broken or missing detector is reported by the caller
        log.exception("the privacy detector cannot be loaded")
        return None
    wanted = set(block)

    def check(text: str) -> list[str]:
        return [str(e.type) for e in detector.detect(text) if str(e.type) in wanted]

    return check


def _relay_state(config: CloudConfig, lease_s: float,
                 fleet: FleetContext | None) -> tuple[RelayKeyring, RequestRecord, ReplayGuard]:
    """Return the relay's keys, idempotency record and replay record.

    Standalone they are files beside the process. With the fleet they live in its
    database, shared by every replica: the keys sealed under the fleet's key-encryption
    key (an existing keyring file is imported), the records in relay tables.
    """
    rc = config.relay
    if fleet is None:
        return (RelayKeyring.load_or_create(rc.keyring_file), RelayStore(rc.db_path, lease_s),
                SqliteReplayGuard(rc.db_path.with_name(rc.db_path.stem + "-seen.db"),
                                  rc.window_s))
    from appliance.cloud.shared_keyring import open_shared_keyring
    from appliance.cloud.shared_replay import DatabaseReplayGuard
    from appliance.cloud.shared_requests import DatabaseRelayStore

    if fleet.secret is None:
        raise ConfigError([("fleet", "no key-encryption key to seal the relay keys with")])
    try:
        keyring = open_shared_keyring(fleet.db, fleet.secret, rc.keyring_file)
    except ApplianceError as exc:
        raise ConfigError([("relay.keyring_file", str(exc))]) from exc
    return (keyring,
            DatabaseRelayStore(fleet.db, lease_s, keep_s=rc.answered_keep_days * 86400.0),
            DatabaseReplayGuard(fleet.db, rc.window_s))


def build_relay(config: CloudConfig, metrics: RelayMetrics,
                fleet: FleetContext | None = None) -> Relay:
    """Create the relay with its keys, store, revocation checks and providers.

    With the ``fleet`` served alongside, revocation is asked of the fleet database
    (shared by every replica, so a revocation through any replica holds here at once)
    besides the CRL file, the fleet CA verifies that file when no
    ``tls.client_ca_file`` exists, and the relay's keys and records live in that
    database too (see :func:`_relay_state`).
    """
    rc = config.relay
    ca = (fleet.ca.cert if fleet is not None and not config.tls.client_ca_file.exists()
          else load_certificate(config.tls.client_ca_file))
    privacy = load_privacy_check(rc.privacy_block) if rc.privacy_check else None
    if rc.privacy_check and privacy is None:
        raise ConfigError([("relay.privacy_check", "on, but the privacy detector cannot be "
                            "loaded (see the log); the relay will not run unchecked")])
    lease = rc.inflight_lease_s or sum(p.timeout_s for p in rc.providers) + 5.0
    crl = RevocationList(config.tls.crl_file, ca)
    keyring, store, replay = _relay_state(config, lease, fleet)
    return Relay(
        config, metrics, keyring=keyring, store=store, replay=replay,
        revocation=RevokedByAny(crl, fleet) if fleet is not None else crl,
        providers=ProviderChain(rc.providers, on_attempt=metrics.provider_attempt),
        privacy_check=privacy)


def open_fleet(config: CloudConfig) -> FleetContext:
    """Open the fleet (database, shared keys); raise :class:`ConfigError` on a key problem."""
    from appliance.fleet.context import FleetContext
    from appliance.fleet.sealing import SecretKeyError

    try:
        return FleetContext.open(config.fleet)
    except SecretKeyError as exc:
        raise ConfigError([("fleet", str(exc))]) from exc


def create_app(config: CloudConfig, metrics: RelayMetrics | None = None) -> FastAPI:
    """Return the cloud app: relay routes, ``/healthz``, ``/readyz``, ``/metrics``."""
    metrics = metrics or RelayMetrics()
    fleet_ctx = open_fleet(config) if config.fleet.enabled else None
    try:
        relay = build_relay(config, metrics, fleet_ctx) if config.relay.enabled else None
    except BaseException:
        if fleet_ctx is not None:
            fleet_ctx.close()
        raise

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if relay is not None:
            await relay.providers.aclose()
            relay.store.close()

    app = FastAPI(title="Edge Appliance cloud", version="1", lifespan=lifespan)
    app.state.cloud = CloudServices(config, metrics, relay)
    if relay is not None:
        app.include_router(build_relay_router(relay))
    if fleet_ctx is not None:
        from appliance.console.fleet import create_fleet_console_router
        from appliance.fleet.api import mount_fleet

        mount_fleet(app, fleet_ctx)
        app.include_router(create_fleet_console_router(fleet_ctx))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
