"""relay state shared by replicas: seen envelope ids, the idempotency record, token use

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import appliance.fleet.store

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('relay_seen_envelopes',
    sa.Column('envelope_id', sa.String(length=64), nullable=False),
    sa.Column('expires_at', appliance.fleet.store.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('envelope_id')
    )
    with op.batch_alter_table('relay_seen_envelopes', schema=None) as batch_op:
        batch_op.create_index('ix_relay_seen_envelopes_expires_at', ['expires_at'], unique=False)

    op.create_table('relay_requests',
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=False),
    sa.Column('updated_at', appliance.fleet.store.UTCDateTime(), nullable=False),
    sa.Column('reply', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('device_id', 'message_id')
    )
    with op.batch_alter_table('relay_requests', schema=None) as batch_op:
        batch_op.create_index('ix_relay_requests_updated_at', ['updated_at'], unique=False)

    op.create_table('relay_token_days',
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('used', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )


def downgrade() -> None:
    op.drop_table('relay_token_days')
    with op.batch_alter_table('relay_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_relay_requests_updated_at')

    op.drop_table('relay_requests')
    with op.batch_alter_table('relay_seen_envelopes', schema=None) as batch_op:
        batch_op.drop_index('ix_relay_seen_envelopes_expires_at')

    op.drop_table('relay_seen_envelopes')
