"""Decisions, plus resolution's outbox and inbox.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
SCHEMA = "resolution"


def upgrade() -> None:
    create_messaging_tables(SCHEMA)
    op.create_table(
        "decisions",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("market", sa.Text, nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("scenario", sa.Text, nullable=False),
        sa.Column("remedy", sa.Text, nullable=False),
        sa.Column("refund_minor", sa.BigInteger, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("items", JSONB, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("decisions",):
        op.drop_table(table, schema=SCHEMA)
    drop_messaging_tables(SCHEMA)
