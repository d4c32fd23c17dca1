"""Store credit: the gift card code a refund of remedy store_credit is issued under, chosen
once before the first try so that every retry asks for (and reads back) the same card.

Revision ID: store_credit_codes
"""

import sqlalchemy as sa
from alembic import op

revision = "store_credit_codes"
down_revision = "exchange_variants"
SCHEMA = "intake"


def upgrade() -> None:
    op.add_column("refunds", sa.Column("credit_code", sa.Text, nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("refunds", "credit_code", schema=SCHEMA)
