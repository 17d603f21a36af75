"""telemetry history: one sample per device heartbeat

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import appliance.fleet.store

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('telemetry_samples',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('ts', appliance.fleet.store.UTCDateTime(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('telemetry_samples', schema=None) as batch_op:
        batch_op.create_index('ix_telemetry_samples_device_ts', ['device_id', 'ts'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('telemetry_samples', schema=None) as batch_op:
        batch_op.drop_index('ix_telemetry_samples_device_ts')

    op.drop_table('telemetry_samples')
