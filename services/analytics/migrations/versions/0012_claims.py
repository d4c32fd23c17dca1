"""Marketplace claims on cases: their kind, clock, amount and outcome, walled per seller.

Revision ID: 0012
"""

import sqlalchemy as sa
from alembic import op

from shared.tenancy import build_walls, take_down_walls

revision = "0012"
down_revision = "0011"
SCHEMA = "analytics"
WALLED = {"claims": "seller_account"}


def upgrade() -> None:
    moment = sa.DateTime(timezone=True)
    op.create_table(
        "claims",
        sa.Column("claim_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("seller_account", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("marketplace_claim_id", sa.Text),
        sa.Column("starts", moment, nullable=False),
        sa.Column("due_at", moment, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("filed_at", moment),
        sa.Column("decided_at", moment),
        sa.Column("recovered_minor", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("opened_by", sa.Text, nullable=False),
        sa.Column("updated_at", moment, nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name="claims_amount_not_negative"),
        sa.CheckConstraint("recovered_minor >= 0", name="claims_recovered_not_negative"),
        schema=SCHEMA,
    )
    op.create_index(
        "claims_by_seller_and_due", "claims", ["seller_account", "due_at"], schema=SCHEMA
    )
    op.create_index("claims_by_case", "claims", ["case_id"], schema=SCHEMA)
    build_walls(op.execute, SCHEMA, WALLED)


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
    op.drop_table("claims", schema=SCHEMA)
