"""The seller account joins the keys deliveries and cases are deduplicated on, so that one
seller cannot pre-empt another's event ids.

Every existing row is kept. Cases keep the ids they were published with: the id is stored,
never derived again. Deliveries stored before this revision are marked `legacy_case_id`, so
that one still waiting (or failed, and revived later) opens its case under the id its
webhook's answer named, derived without the account; new deliveries' cases include it.

Revision ID: account_keys
"""

import sqlalchemy as sa
from alembic import op

revision = "account_keys"
down_revision = "0002"
SCHEMA = "intake"


def upgrade() -> None:
    op.drop_constraint("deliveries_pkey", "deliveries", schema=SCHEMA)
    op.create_primary_key(
        "deliveries_pkey", "deliveries", ["channel", "account", "delivery_id"], schema=SCHEMA
    )
    # True for the rows there are, false for every row stored from now on.
    op.add_column(
        "deliveries",
        sa.Column("legacy_case_id", sa.Boolean, nullable=False, server_default=sa.true()),
        schema=SCHEMA,
    )
    op.alter_column("deliveries", "legacy_case_id", server_default=sa.false(), schema=SCHEMA)
    op.drop_constraint("cases_opened_once", "cases", schema=SCHEMA)
    op.create_unique_constraint(
        "cases_opened_once", "cases", ["channel", "account", "case_key"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_constraint("cases_opened_once", "cases", schema=SCHEMA)
    op.create_unique_constraint(
        "cases_opened_once", "cases", ["channel", "case_key"], schema=SCHEMA
    )
    op.drop_column("deliveries", "legacy_case_id", schema=SCHEMA)
    op.drop_constraint("deliveries_pkey", "deliveries", schema=SCHEMA)
    op.create_primary_key(
        "deliveries_pkey", "deliveries", ["channel", "delivery_id"], schema=SCHEMA
    )
