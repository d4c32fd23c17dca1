"""The second wall between sellers (`shared/tenancy.py`): the reader role may read the
schema, and on the tables of sellers' data only the rows of the sellers its transaction is
walled to.

Revision ID: 0011
"""

from alembic import op

from shared.tenancy import build_walls, take_down_walls

revision = "0011"
down_revision = "0010"
SCHEMA = "analytics"
# Each seller-owned table, by the column naming its seller account.
WALLED = {
    "cases": "seller_account",
    "faq_entries": "seller_account",
    "faq_gaps": "seller_account",
    "reason_taxonomies": "seller_account",
    "units_sold": "seller_account",
}


def upgrade() -> None:
    build_walls(op.execute, SCHEMA, WALLED)


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
