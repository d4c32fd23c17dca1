"""A case intake could not classify waits for an agent, undecided.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"
SCHEMA = "resolution"


def upgrade() -> None:
    op.alter_column("decisions", "decided_at", nullable=True, schema=SCHEMA)


def downgrade() -> None:
    op.execute(f"DELETE FROM {SCHEMA}.decisions WHERE decided_at IS NULL")
    op.alter_column("decisions", "decided_at", nullable=False, schema=SCHEMA)
