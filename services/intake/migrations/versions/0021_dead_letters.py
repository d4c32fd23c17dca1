"""The dead letters this service's consumer parks, kept for the operators' recovery tools;
who discarded a failed delivery, when and why.

Revision ID: dead_letters
"""

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_dead_letters_table, drop_dead_letters_table

revision = "dead_letters"
down_revision = "outbox_marks"
SCHEMA = "intake"


def upgrade() -> None:
    create_dead_letters_table(SCHEMA)
    op.add_column(
        "deliveries", sa.Column("discarded_at", sa.DateTime(timezone=True)), schema=SCHEMA
    )
    op.add_column("deliveries", sa.Column("discarded_by", sa.Text), schema=SCHEMA)
    op.add_column("deliveries", sa.Column("discard_reason", sa.Text), schema=SCHEMA)


def downgrade() -> None:
    for name in ("discard_reason", "discarded_by", "discarded_at"):
        op.drop_column("deliveries", name, schema=SCHEMA)
    drop_dead_letters_table(SCHEMA)
