"""Applied events and the case read model, plus analytics' outbox and inbox.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
SCHEMA = "analytics"


def upgrade() -> None:
    create_messaging_tables(SCHEMA)
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False, unique=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trace_id", sa.Text, nullable=False),
        sa.Column("data", JSONB, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("events_by_case", "events", ["case_id", "time", "seq"], schema=SCHEMA)
    op.create_table(
        "cases",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("marketplace", sa.Text),
        sa.Column("market", sa.Text),
        sa.Column("scenario", sa.Text),
        sa.Column("remedy", sa.Text),
        sa.Column("grade", sa.Text),
        sa.Column("disposition", sa.Text),
        sa.Column("status", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "cases",
        "events",
    ):
        op.drop_table(table, schema=SCHEMA)
    drop_messaging_tables(SCHEMA)
