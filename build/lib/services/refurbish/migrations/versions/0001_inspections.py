"""Inspections, plus refurbish's outbox and inbox.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
SCHEMA = "refurbish"


def upgrade() -> None:
    create_messaging_tables(SCHEMA)
    op.create_table(
        "inspections",
        sa.Column("inspection_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False, index=True),
        sa.Column("rma_id", sa.Text, nullable=False, unique=True),
        sa.Column("warehouse", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("grade", sa.Text, nullable=True),
        sa.Column("disposition", sa.Text, nullable=True),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("inspections",):
        op.drop_table(table, schema=SCHEMA)
    drop_messaging_tables(SCHEMA)
