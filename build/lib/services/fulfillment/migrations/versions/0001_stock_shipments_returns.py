"""Stock, shipments and returns, plus fulfillment's outbox and inbox.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
SCHEMA = "fulfillment"


def upgrade() -> None:
    create_messaging_tables(SCHEMA)
    op.create_table(
        "stock",
        sa.Column("warehouse", sa.Text, primary_key=True),
        sa.Column("sku", sa.Text, primary_key=True),
        sa.Column("bin", sa.Text, nullable=False),
        sa.Column("on_hand", sa.Integer, nullable=False),
        sa.Column("reserved", sa.Integer, nullable=False),
        sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="stock_reservable"),
        schema=SCHEMA,
    )
    op.create_table(
        "shipments",
        sa.Column("shipment_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False, index=True),
        sa.Column("remedy", sa.Text, nullable=False),
        sa.Column("warehouse", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("pick_list", JSONB, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "returns",
        sa.Column("rma_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False, unique=True),
        sa.Column("warehouse", sa.Text, nullable=False),
        sa.Column("carrier", sa.Text, nullable=False),
        sa.Column("tracking_number", sa.Text, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("condition_note", sa.Text, nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "returns",
        "shipments",
        "stock",
    ):
        op.drop_table(table, schema=SCHEMA)
    drop_messaging_tables(SCHEMA)
