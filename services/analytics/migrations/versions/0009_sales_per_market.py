"""The sales feed per market too: a day's units of a listing in one market ("" for every
market together), so markets get return rates of their own.

Revision ID: 0009
"""

from shared.migrations import add_key_column, drop_key_column

revision = "0009"
down_revision = "0008"
SCHEMA = "analytics"
DAY_KEY = ["seller_account", "sku", "day"]


def upgrade() -> None:
    add_key_column(SCHEMA, "units_sold", "market", DAY_KEY)


def downgrade() -> None:
    drop_key_column(SCHEMA, "units_sold", "market", DAY_KEY)
