"""The Alembic migrations build exactly the schema the SQLAlchemy models describe.

Run against a real SQLite file and a real PostgreSQL database: after ``migrate`` to the
head, Alembic's autogenerate comparison finds nothing to add, drop or retype; the newest
revision also steps down and up again.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from appliance.fleet.store import MIGRATIONS_DIR, Base, Database

RELAY_TABLES = {"relay_seen_envelopes", "relay_requests", "relay_token_days"}


def _differences(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, Base.metadata))


def _alembic(db: Database, verb: str, revision: str) -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, revision)


def test_migrations_match_the_models(fleet_db_url: str) -> None:
    db = Database(fleet_db_url)
    try:
        assert _differences(db) == []
        assert set(inspect(db.engine).get_table_names()) >= RELAY_TABLES
    finally:
        db.dispose()


def test_relay_state_revision_steps_down_and_up(fleet_db_url: str) -> None:
    db = Database(fleet_db_url)
    try:
        _alembic(db, "downgrade", "0003")
        assert not RELAY_TABLES & set(inspect(db.engine).get_table_names())
        _alembic(db, "upgrade", "head")
        assert _differences(db) == []
    finally:
        db.dispose()
