"""Alembic environment: run with a connection handed in by :func:`appliance.fleet.store.migrate`.

For authoring a new revision, ``FLEET_DATABASE_URL`` names a scratch database.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from appliance.fleet.store import Base

target_metadata = Base.metadata
config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTER TABLE
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(os.environ["FLEET_DATABASE_URL"])
    with engine.begin() as conn:
        _run(conn)
