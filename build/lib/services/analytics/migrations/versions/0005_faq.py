"""The buyer's language per case, the listings' pre-sale FAQ entries, and the FAQ gaps
found (reasons no entry answers).

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
SCHEMA = "analytics"


def _key(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Text, primary_key=True) for name in names]


def upgrade() -> None:
    op.add_column("cases", sa.Column("language", sa.Text), schema=SCHEMA)
    op.create_table(
        "faq_entries",
        *_key("seller_account", "sku", "entry_id"),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("covers", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "faq_gaps",
        *_key("seller_account", "sku", "language", "reason"),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("cost_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer_outline", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("faq_gaps", schema=SCHEMA)
    op.drop_table("faq_entries", schema=SCHEMA)
    op.drop_column("cases", "language", schema=SCHEMA)
