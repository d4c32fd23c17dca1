"""Returns that bring the buyer's own unit in for a repair (sent back once repaired, never
resold) are marked as such.

Revision ID: repair_returns
"""

import sqlalchemy as sa
from alembic import op

revision = "repair_returns"
down_revision = "dead_letters"
SCHEMA = "fulfillment"


def upgrade() -> None:
    op.add_column(
        "returns",
        sa.Column("for_repair", sa.Boolean, nullable=False, server_default=sa.false()),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("returns", "for_repair", schema=SCHEMA)
