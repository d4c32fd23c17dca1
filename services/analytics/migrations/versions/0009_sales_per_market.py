"""The sales feed per market too: a day's units of a listing in one market ("" for every
market together), so markets get return rates of their own.

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
SCHEMA = "analytics"
DAY_KEY = ["seller_account", "sku", "day"]


def upgrade() -> None:
    op.add_column(
        "units_sold",
        sa.Column("market", sa.Text, nullable=False, server_default=""),
        schema=SCHEMA,
    )
    op.drop_constraint("units_sold_pkey", "units_sold", schema=SCHEMA)
    op.create_primary_key("units_sold_pkey", "units_sold", [*DAY_KEY, "market"], schema=SCHEMA)


def downgrade() -> None:
    op.execute(f"DELETE FROM {SCHEMA}.units_sold WHERE market <> ''")
    op.drop_constraint("units_sold_pkey", "units_sold", schema=SCHEMA)
    op.create_primary_key("units_sold_pkey", "units_sold", DAY_KEY, schema=SCHEMA)
    op.drop_column("units_sold", "market", schema=SCHEMA)
