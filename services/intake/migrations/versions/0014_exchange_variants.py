"""Variants the seller's own shop sends with a returned item, offered to the buyer in
exchange.

Revision ID: exchange_variants
"""

import sqlalchemy as sa
from alembic import op

revision = "exchange_variants"
down_revision = "outgoing_messages"
SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "exchange_variants",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("item_sku", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("unit_price_minor", sa.Integer, nullable=False),
        sa.Column("available", sa.Boolean, nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("exchange_variants", schema=SCHEMA)
