"""What each case came to: when the buyer first heard back, the remedy's cost against
returning everything, the buyer's rating, what the returned unit recovered.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
SCHEMA = "analytics"

COLUMNS = (
    sa.Column("first_offer_at", sa.DateTime(timezone=True)),
    sa.Column("currency", sa.Text),
    sa.Column("cost_minor", sa.BigInteger),
    sa.Column("baseline_minor", sa.BigInteger),
    sa.Column("rating", sa.Integer),
    sa.Column("recovery_minor", sa.BigInteger),
)


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("cases", column, schema=SCHEMA)


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_column("cases", column.name, schema=SCHEMA)
