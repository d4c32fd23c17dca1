"""FAQ gaps for what buyers ask as well as why they return: a gap's topic (empty for a
return reason) becomes part of its key.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
SCHEMA = "analytics"
REASON_KEY = ["seller_account", "sku", "language", "reason"]


def upgrade() -> None:
    op.add_column(
        "faq_gaps", sa.Column("topic", sa.Text, nullable=False, server_default=""), schema=SCHEMA
    )
    op.drop_constraint("faq_gaps_pkey", "faq_gaps", schema=SCHEMA)
    op.create_primary_key("faq_gaps_pkey", "faq_gaps", [*REASON_KEY, "topic"], schema=SCHEMA)


def downgrade() -> None:
    op.execute(f"DELETE FROM {SCHEMA}.faq_gaps WHERE topic <> ''")
    op.drop_constraint("faq_gaps_pkey", "faq_gaps", schema=SCHEMA)
    op.create_primary_key("faq_gaps_pkey", "faq_gaps", REASON_KEY, schema=SCHEMA)
    op.drop_column("faq_gaps", "topic", schema=SCHEMA)
