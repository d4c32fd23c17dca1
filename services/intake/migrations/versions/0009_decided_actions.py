"""Actions on returns follow the latest decision: each remembers the remedy that owes it and
when resolution decided it, and may be dropped when a later decision no longer owes it.

Revision ID: decided_actions
"""

import sqlalchemy as sa
from alembic import op

revision = "decided_actions"
down_revision = "amazon"
SCHEMA = "intake"


def upgrade() -> None:
    op.add_column("return_actions", sa.Column("remedy", sa.Text), schema=SCHEMA)
    op.add_column(
        "return_actions", sa.Column("decided_at", sa.DateTime(timezone=True)), schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_column("return_actions", "decided_at", schema=SCHEMA)
    op.drop_column("return_actions", "remedy", schema=SCHEMA)
