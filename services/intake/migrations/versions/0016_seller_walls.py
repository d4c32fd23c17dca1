"""The second wall between sellers (`shared/tenancy.py`): the reader role may read the
schema, and on the tables of sellers' data only the rows of the sellers its transaction is
walled to.

Revision ID: seller_walls
"""

from alembic import op

from shared.tenancy import reader_sql, unwall_sql, wall_sql

revision = "seller_walls"
down_revision = "store_credit_codes"
SCHEMA = "intake"
# Each seller-owned table, by the column naming its seller account.
WALLED = {
    "cases": "account",
    "channel_accounts": "account",
    "deliveries": "account",
    "buyers": "account",
    "refunds": "account",
    "return_actions": "account",
    "outgoing_messages": "account",
    "amazon_fba_refunds": "account",
    "amazon_fba_units": "account",
    "amazon_refund_polls": "account",
    "amazon_reimbursement_claims": "account",
    "amazon_removal_orders": "account",
    "amazon_report_polls": "account",
    "amazon_return_rows": "account",
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
