"""The second wall between sellers (`shared/tenancy.py`): the reader role may read the
schema, and on the tables keyed by a seller account only the rows of the sellers its
transaction is walled to (rows of no seller, '', to none of them).

Revision ID: seller_walls
"""

from alembic import op

from shared.tenancy import reader_sql, unwall_sql, wall_sql

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
    for statement in reader_sql(SCHEMA):
        op.execute(statement)
    for table, column in WALLED.items():
        for statement in wall_sql(f"{SCHEMA}.{table}", column):
            op.execute(statement)


def downgrade() -> None:
    for table in WALLED:
        for statement in unwall_sql(f"{SCHEMA}.{table}"):
            op.execute(statement)
