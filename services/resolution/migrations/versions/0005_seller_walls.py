"""The second wall between sellers (`shared/tenancy.py`): the reader role may read the
schema, and on the tables of sellers' data only the rows of the sellers its transaction is
walled to.

Revision ID: 0005
"""

from alembic import op

from shared.tenancy import build_walls, take_down_walls

revision = "0005"
down_revision = "0004"
SCHEMA = "resolution"
# Each seller-owned table, by the column naming its seller account.
WALLED = {
    "decisions": "seller_account",
    "guides": "seller_account",
    "policies": "seller_account",
    "refunds": "seller_account",
}


def upgrade() -> None:
    build_walls(op.execute, SCHEMA, WALLED)


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
