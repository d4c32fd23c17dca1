"""The second wall between sellers (`shared/tenancy.py`): the reader role may read the
schema, and on the tables of sellers' data only the rows of the sellers its transaction is
walled to.

Revision ID: seller_walls
"""

from alembic import op

from shared.tenancy import build_walls, take_down_walls

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
    build_walls(op.execute, SCHEMA, WALLED)


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
