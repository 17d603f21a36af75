"""Fleet database: SQLAlchemy 2 models, the engine/session factory and migrations.

SQLite is the embedded default, PostgreSQL the production store; the same models
and the same Alembic migrations serve both. The service keeps no other state, so
several replicas can share one PostgreSQL database.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC, return aware UTC (SQLite keeps no zone; PostgreSQL would shift it)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of every fleet table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON,
    }


class ApiToken(Base):
    """An operator's API token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(160), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditRecord(Base):
    """Who did what, when — one row per write, committed with the write itself."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    ts: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(160))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(256), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EnrollmentToken(Base):
    """A one-time, expiring enrollment token, optionally bound to a serial number."""

    __tablename__ = "enrollment_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    serial: Mapped[str | None] = mapped_column(String(128), default=None)
    site: Mapped[str] = mapped_column(String(128), default="")
    line: Mapped[str] = mapped_column(String(128), default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    used_by: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(160), default="")


class Device(Base):
    """One enrolled device and its last reported state."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    serial: Mapped[str] = mapped_column(String(128), default="")
    site: Mapped[str] = mapped_column(String(128), default="", index=True)
    line: Mapped[str] = mapped_column(String(128), default="", index=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    board: Mapped[str] = mapped_column(String(64), default="")
    software_version: Mapped[str] = mapped_column(String(64), default="")
    model_version: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | revoked
    online: Mapped[bool] = mapped_column(default=False, index=True)
    last_heartbeat: Mapped[datetime | None] = mapped_column(default=None)
    queue_depths: Mapped[dict[str, Any]] = mapped_column(default=dict)
    temperatures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    budget_used: Mapped[float] = mapped_column(Float, default=0.0)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    cert_serial: Mapped[str | None] = mapped_column(String(64), default=None)
    applied_config_version: Mapped[str] = mapped_column(String(64), default="")
    config_status: Mapped[str] = mapped_column(String(16), default="unknown")
    config_error: Mapped[str] = mapped_column(Text, default="")
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeviceEvent(Base):
    """History of a device's state changes (online/offline, enrolled, applied, ...)."""

    __tablename__ = "device_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    ts: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    old: Mapped[str] = mapped_column(String(256), default="")
    new: Mapped[str] = mapped_column(String(256), default="")


class Certificate(Base):
    """Every client certificate the fleet CA issued; revocation is a timestamp here."""

    __tablename__ = "certificates"
    serial: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of DER
    not_after: Mapped[datetime] = mapped_column()
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoke_reason: Mapped[str] = mapped_column(String(64), default="")


class ConfigDocument(Base):
    """One version of a desired-config document for the fleet, a tag group or a device."""

    __tablename__ = "config_documents"
    __table_args__ = (UniqueConstraint("scope", "target", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))  # fleet | group | device
    target: Mapped[str] = mapped_column(String(128), default="")  # "" | tag | device id
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(160), default="")


class ModelArtifact(Base):
    """A registered model: its manifest entry, the entry's signature and the blob's hash."""

    __tablename__ = "model_artifacts"
    __table_args__ = (UniqueConstraint("name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[dict[str, Any]] = mapped_column()
    signature: Mapped[str] = mapped_column(Text)  # base64 Ed25519 over canonical manifest
    uploaded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rollout(Base):
    """A staged model rollout to a tag group: canary share first, then all."""

    __tablename__ = "rollouts"
    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("model_artifacts.id"))
    selector: Mapped[list[Any]] = mapped_column(default=list)  # tags, all must match
    canary_share: Mapped[float] = mapped_column(Float, default=0.1)
    max_failures: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(16), default="canary")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(160), default="")


class RolloutTarget(Base):
    """Progress of one device in one rollout."""

    __tablename__ = "rollout_targets"
    __table_args__ = (Index("ix_rollout_targets_device", "device_id", "rollout_id"),)
    rollout_id: Mapped[int] = mapped_column(ForeignKey("rollouts.id"), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    canary: Mapped[bool] = mapped_column(default=False)
    released: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    detail: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Command(Base):
    """A signed command for one device; delivered on poll (or nudged over MQTT), acked."""

    __tablename__ = "commands"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column()  # the exact signed document
    signature: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|ok|failed
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(160), default="")
    acked_at: Mapped[datetime | None] = mapped_column(default=None)


class TelemetrySample(Base):
    """One heartbeat's numbers for a device's telemetry history (flat metric name → value)."""

    __tablename__ = "telemetry_samples"
    __table_args__ = (Index("ix_telemetry_samples_device_ts", "device_id", "ts"),)
    # 64-bit on PostgreSQL: a large fleet writes billions of samples over the years.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    ts: Mapped[datetime] = mapped_column(default=utcnow)
    metrics: Mapped[dict[str, Any]] = mapped_column()


class FleetKey(Base):
    """A key every replica shares: the public part in clear, the private part sealed.

    ``ca`` holds the fleet CA certificate (PEM), ``signing`` the fleet Ed25519 public key
    (base64); ``sealed_private`` is nonce + AES-256-GCM of the PKCS#8 DER under the
    deployment's key-encryption key, whose short id is ``kek_id``.
    """

    __tablename__ = "fleet_keys"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    public: Mapped[str] = mapped_column(Text)
    sealed_private: Mapped[bytes] = mapped_column(LargeBinary)
    kek_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArtifactBlob(Base):
    """A stored model artifact; ``sha256`` is set (content address) once it is complete."""

    __tablename__ = "artifact_blobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArtifactChunk(Base):
    """One chunk (a few MiB) of an artifact blob, with its own SHA-256."""

    __tablename__ = "artifact_chunks"
    blob_id: Mapped[str] = mapped_column(
        ForeignKey("artifact_blobs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class RelaySeenEnvelope(Base):
    """An envelope id the relay opened (any replica); a second insert of it is a replay."""

    __tablename__ = "relay_seen_envelopes"
    __table_args__ = (Index("ix_relay_seen_envelopes_expires_at", "expires_at"),)
    envelope_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column()  # past the window: refused as expired anyway


class RelayRequest(Base):
    """The relay's record of one escalation: claimed by a relay process, then its reply.

    The primary key makes the claim: of replicas inserting the same message id, one wins
    and asks the provider; the others answer from ``reply`` once ``state`` is ``done``.
    """

    __tablename__ = "relay_requests"
    __table_args__ = (Index("ix_relay_requests_updated_at", "updated_at"),)
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str] = mapped_column(String(8))  # sent | done
    owner: Mapped[str] = mapped_column(String(32))  # the claiming relay process (boot id)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class RelayTokenDay(Base):
    """Provider tokens the whole fleet spent through the relay on one UTC day."""

    __tablename__ = "relay_token_days"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    used: Mapped[int] = mapped_column(BigInteger, default=0)


def make_engine(url: str) -> Engine:
    """Return an engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Pooled connections skip the connect + PRAGMA cost per request; WAL lets readers
        # run beside the one writer, and the busy timeout queues writers instead of failing.
        engine = create_engine(url, pool_size=8, max_overflow=32, pool_timeout=60,
                               connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


_MIGRATION_LOCK = 0x6A9F1EE7  # PostgreSQL advisory lock key of fleet migrations


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Hold an exclusive lock file beside a SQLite database (PostgreSQL locks in-database)."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent, safe at every start)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Replicas starting together: one migrates, the others wait and then find the head.
    with _migration_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.info("fleet database at the newest schema revision")


class Database:
    """The engine and its session factory; one per process."""

    def __init__(self, url: str, run_migrations: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if run_migrations:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time and its busy handler waits by sleeping, which
        # under load turns into long tail latencies; queueing this process's
        # transactions on a lock hands the database over without the sleeps.
        self._serialize = threading.RLock() if url.startswith("sqlite") else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session in a transaction: committed on success, rolled back on error."""
        if self._serialize is None:
            with self._sessions() as session, session.begin():
                yield session
            return
        with self._serialize, self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def record_event(session: Session, device_id: str, kind: str, old: str, new: str) -> None:
    """Append a state change to the device's history (in the caller's transaction)."""
    session.add(DeviceEvent(device_id=device_id, kind=kind, old=old[:256], new=new[:256]))
