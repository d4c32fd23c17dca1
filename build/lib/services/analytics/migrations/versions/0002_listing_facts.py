"""What each case returned and why: seller, listing (SKU, ASIN, title, category), the
reason in the one taxonomy and the marketplace's own code, and when it opened.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
SCHEMA = "analytics"

COLUMNS = (
    sa.Column("seller_account", sa.Text),
    sa.Column("sku", sa.Text),
    sa.Column("asin", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("category", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("reason_code", sa.Text),
    sa.Column("opened_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("cases", column, schema=SCHEMA)
    op.create_index(
        "cases_by_seller_and_opening", "cases", ["seller_account", "opened_at"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_index("cases_by_seller_and_opening", "cases", schema=SCHEMA)
    for column in reversed(COLUMNS):
        op.drop_column("cases", column.name, schema=SCHEMA)
