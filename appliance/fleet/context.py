"""What every fleet router needs: config, database, CA, signing key, artifact store."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from appliance.fleet.auth import Principal, Role, device_dependency, operator_dependency
from appliance.fleet.ca import FleetCA
from appliance.fleet.nudge import Nudger
from appliance.fleet.settings import FleetConfig
from appliance.fleet.signing import load_or_create_key, public_b64
from appliance.fleet.store import Certificate, Database
from appliance.uplink.pki import write_crl

log = logging.getLogger(__name__)


@dataclass
class FleetContext:
    """Long-lived fleet service objects, created once per process and passed to routers."""

    config: FleetConfig
    db: Database
    ca: FleetCA
    signing_key: Ed25519PrivateKey
    artifact_dir: Path
    on_revoke: list[Callable[[list[int]], None]] = field(default_factory=list)
    nudger: Nudger | None = None
    _deps: dict[str, Callable[..., Principal]] = field(default_factory=dict)

    @classmethod
    def open(cls, config: FleetConfig, run_migrations: bool = True) -> FleetContext:
        """Open the database (migrating it), load or create the CA and the fleet key."""
        state = config.state_dir
        artifacts = config.artifact_dir or state / "artifacts"
        artifacts.mkdir(parents=True, exist_ok=True)
        ctx = cls(
            config=config,
            db=Database(config.database_url, run_migrations=run_migrations),
            ca=FleetCA.load_or_create(state / "ca"),
            signing_key=load_or_create_key(state / "fleet-signing.key"),
            artifact_dir=artifacts,
        )
        if config.mqtt_host:
            ctx.nudger = Nudger(config.mqtt_host, config.mqtt_port, config.mqtt_topic_root)
        log.info("fleet service ready (database %s)", ctx.db.engine.url.render_as_string())
        return ctx

    @property
    def public_key(self) -> str:
        """Return the fleet's Ed25519 public key (base64) that devices pin."""
        return public_b64(self.signing_key)

    def role(self, need: Role) -> Callable[..., Principal]:
        """Return the (cached) dependency for operators with at least role ``need``."""
        if need not in self._deps:
            self._deps[need] = operator_dependency(self.db, need)
        return self._deps[need]

    def device(self) -> Callable[..., Principal]:
        """Return the dependency authenticating the device named in the path."""
        if "device" not in self._deps:
            self._deps["device"] = device_dependency(
                self.db, self.config.require_client_certificate
            )
        return self._deps["device"]

    def revoked_serials(self) -> list[tuple[str, datetime]]:
        """Return ``(serial_hex, revoked_at)`` of every revoked certificate."""
        with self.db.session() as s:
            rows = s.execute(select(Certificate.serial, Certificate.revoked_at)
                             .where(Certificate.revoked_at.is_not(None))).all()
        return [(serial, when) for serial, when in rows if when is not None]

    def publish_revocations(self) -> None:
        """Tell the relay at once: rewrite the CRL file and call every ``on_revoke`` hook.

        Hooks get the serial numbers (ints) of every revoked certificate; the relay in
        the same process passes ``RevocationList.revoke``.
        """
        revoked = self.revoked_serials()
        if self.config.crl_file is not None:
            write_crl(self.config.crl_file, x509.load_pem_x509_crl(
                self.ca.crl_pem(revoked).encode()))
        serials = [int(serial, 16) for serial, _ in revoked]
        for hook in self.on_revoke:
            hook(serials)

    def nudge(self, device_ids: list[str] | None, reason: str) -> None:
        """Wake the given devices (None: all) over MQTT, if a broker is configured."""
        if self.nudger is not None:
            self.nudger.nudge(device_ids, reason)

    def close(self) -> None:
        """Release the database connections and the MQTT client."""
        if self.nudger is not None:
            self.nudger.close()
        self.db.dispose()
