"""Parcels a buyer says never arrived, traced with the carrier before any remedy; a
seller's cases found by seller (the answers the engine learns acceptance from).

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

from shared.migrations import drop_notify_on_insert, notify_on_insert

revision = "0004"
down_revision = "0003"
SCHEMA = "resolution"
TRACES_CHANNEL = "parcel_traces_due"


def upgrade() -> None:
    op.add_column("decisions", sa.Column("carrier", sa.Text), schema=SCHEMA)
    op.add_column("decisions", sa.Column("tracking_number", sa.Text), schema=SCHEMA)
    op.create_index("decisions_by_seller", "decisions", ["seller_account"], schema=SCHEMA)
    op.create_table(
        "parcel_traces",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("carrier", sa.Text, nullable=False),
        sa.Column("tracking_number", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.Column("last_status", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("checked_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index(
        "parcel_traces_pending",
        "parcel_traces",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'pending'"),
    )
    notify_on_insert(SCHEMA, "parcel_traces", TRACES_CHANNEL)


def downgrade() -> None:
    op.drop_table("parcel_traces", schema=SCHEMA)
    drop_notify_on_insert(SCHEMA, "parcel_traces")
    op.drop_index("decisions_by_seller", "decisions", schema=SCHEMA)
    for column in ("tracking_number", "carrier"):
        op.drop_column("decisions", column, schema=SCHEMA)
