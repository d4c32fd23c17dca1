"""The seller's sales feed: units sold per listing and day.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
SCHEMA = "analytics"


def upgrade() -> None:
    op.create_table(
        "units_sold",
        sa.Column("seller_account", sa.Text, primary_key=True),
        sa.Column("sku", sa.Text, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("units", sa.Integer, nullable=False),
        sa.CheckConstraint("units >= 0", name="units_sold_not_negative"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("units_sold", schema=SCHEMA)
