"""The second wall between sellers (`shared/tenancy.py`): the reader role may read the
schema, and on the tables of sellers' data only the rows of the sellers its transaction is
walled to.

Revision ID: 0005
"""

from alembic import op

from shared.tenancy import reader_sql, unwall_sql, wall_sql

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
    for statement in reader_sql(SCHEMA):
        op.execute(statement)
    for table, column in WALLED.items():
        for statement in wall_sql(f"{SCHEMA}.{table}", column):
            op.execute(statement)


def downgrade() -> None:
    for table in WALLED:
        for statement in unwall_sql(f"{SCHEMA}.{table}"):
            op.execute(statement)
