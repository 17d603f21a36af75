"""What every fleet router needs: config, database, CA, signing key, artifact store.

Everything here comes from the database (the CA and signing key sealed under the
deployment's key-encryption key, the artifacts as chunks), so replicas with nothing
but the database and that key in common serve the same fleet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from appliance.fleet.auth import Principal, Role, device_dependency, operator_dependency
from appliance.fleet.blobstore import BlobError, BlobStore
from appliance.fleet.ca import FleetCA
from appliance.fleet.keystore import load_or_create_keys
from appliance.fleet.nudge import Nudger
from appliance.fleet.sealing import SecretKey, load_secret_key
from appliance.fleet.settings import FleetConfig
from appliance.fleet.signing import public_b64
from appliance.fleet.store import Certificate, Database, FleetKey, ModelArtifact
from appliance.uplink.pki import write_crl

log = logging.getLogger(__name__)


def _import_legacy_artifacts(db: Database, blobs: BlobStore, directory: Path) -> None:
    """Store uploaded models that an older release kept as files, if they are not stored yet."""
    if not directory.is_dir():
        return
    with db.session() as s:
        wanted = sorted(set(s.scalars(select(ModelArtifact.sha256)
                                      .where(ModelArtifact.uploaded.is_(True)))))
    for sha in wanted:
        path = directory / sha
        if blobs.stat(sha) is not None or not path.is_file():
            continue
        try:
            with path.open("rb") as fh:
                blobs.put_file(fh, expect_sha256=sha)
        except BlobError as exc:
            log.error("artifact file %s not imported: %s", path, exc)
            continue
        log.warning("imported artifact %s into the database; %s may be removed", sha, path)


@dataclass
class FleetContext:
    """Long-lived fleet service objects, created once per process and passed to routers."""

    config: FleetConfig
    db: Database
    ca: FleetCA
    signing_key: Ed25519PrivateKey
    blobs: BlobStore
    on_revoke: list[Callable[[list[int]], None]] = field(default_factory=list)
    nudger: Nudger | None = None
    #: the deployment's key-encryption key (the relay seals its keys under it too)
    secret: SecretKey | None = field(default=None, repr=False)
    _deps: dict[str, Callable[..., Principal]] = field(default_factory=dict)

    @classmethod
    def open(cls, config: FleetConfig, run_migrations: bool = True,
             environ: Mapping[str, str] | None = None) -> FleetContext:
        """Open the database (migrating it) and load, or create once, the shared fleet keys.

        Raises :class:`~appliance.fleet.sealing.SecretKeyError` if the key-encryption key
        is missing or is not the one the database's keys were sealed with.
        """
        db = Database(config.database_url, run_migrations=run_migrations)
        try:
            with db.session() as s:
                sealed = s.scalars(select(FleetKey.name).limit(1)).first() is not None
            secret = load_secret_key(config, environ, may_generate=not sealed)
            keys = load_or_create_keys(db, secret, legacy_dir=config.state_dir)
            blobs = BlobStore(db)
            _import_legacy_artifacts(db, blobs, config.artifact_dir or
                                     config.state_dir / "artifacts")
            blobs.sweep_abandoned()
        except BaseException:
            db.dispose()
            raise
        ctx = cls(config=config, db=db, ca=FleetCA(keys.ca), signing_key=keys.signing,
                  blobs=blobs, secret=secret)
        if config.mqtt_host:
            ctx.nudger = Nudger(config.mqtt_host, config.mqtt_port, config.mqtt_topic_root)
        log.info("fleet service ready (database %s, key-encryption key %s)",
                 ctx.db.engine.url.render_as_string(), secret.key_id)
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

    def is_revoked(self, serial: int) -> bool:
        """Return True if the certificate with this serial is revoked (asks the database).

        Every replica sees a revocation made through any other as soon as it commits.
        Database errors propagate: the caller refuses rather than guesses.
        """
        with self.db.session() as s:
            when = s.scalars(select(Certificate.revoked_at)
                             .where(Certificate.serial == format(serial, "x"))).first()
        return when is not None

    def publish_revocations(self) -> None:
        """Rewrite the CRL file (for relays in other processes) and call ``on_revoke`` hooks.

        Hooks get the serial numbers (ints) of every revoked certificate. A relay served
        with the fleet asks :meth:`is_revoked` instead, which other replicas' revocations
        reach too.
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
