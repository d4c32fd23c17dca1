"""The second wall between sellers (`shared/tenancy.py`): the reader role may read the
schema, and on the tables keyed by a seller account only the rows of the sellers its
transaction is walled to (rows of no seller, '', to none of them).

Revision ID: seller_walls
"""

from alembic import op

from shared.tenancy import build_walls, take_down_walls

revision = "seller_walls"
down_revision = "seller_accounts"
SCHEMA = "fulfillment"
# Each seller-owned table, by the column naming its seller account.
WALLED = {
    "dispatch_requests": "seller_account",
    "shipments": "seller_account",
    "returns": "seller_account",
    "carrier_labels": "seller_account",
}


def upgrade() -> None:
    build_walls(op.execute, SCHEMA, WALLED)


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
