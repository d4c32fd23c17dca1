"""The sellers' own reason taxonomies: their labels for reasons and marketplace codes.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
SCHEMA = "analytics"


def upgrade() -> None:
    op.create_table(
        "reason_taxonomies",
        sa.Column("seller_account", sa.Text, primary_key=True),
        sa.Column("taxonomy", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("reason_taxonomies", schema=SCHEMA)
