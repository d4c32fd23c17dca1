"""Cases as received, plus intake's outbox and inbox.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
SCHEMA = "intake"


def upgrade() -> None:
    create_messaging_tables(SCHEMA)
    op.create_table(
        "cases",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("marketplace", sa.Text, nullable=False),
        sa.Column("marketplace_event_id", sa.Text, nullable=False),
        sa.Column("order_id", sa.Text, nullable=False),
        sa.Column("market", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case", JSONB, nullable=False),
        sa.UniqueConstraint("marketplace", "marketplace_event_id", name="cases_delivery_once"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("cases", schema=SCHEMA)
    drop_messaging_tables(SCHEMA)
