"""The buyer's own units in for a repair (repaired and sent back, never sold), and why one
the shop cannot repair waits for an agent.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
SCHEMA = "refurbish"


def upgrade() -> None:
    op.add_column(
        "inspections",
        sa.Column("for_repair", sa.Boolean, nullable=False, server_default=sa.false()),
        schema=SCHEMA,
    )
    op.add_column("inspections", sa.Column("held_reason", sa.Text, nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("inspections", "held_reason", schema=SCHEMA)
    op.drop_column("inspections", "for_repair", schema=SCHEMA)
