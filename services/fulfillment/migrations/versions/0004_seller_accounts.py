"""The seller account a dispatch task, a return and a carrier label belong to, so that
agents and operations read only their sellers' (from the decision that made them; rows
older than this are '' and read by platform admins only).

Revision ID: seller_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = "seller_accounts"
down_revision = "carrier_labels"
SCHEMA = "fulfillment"
INDEXED = ("shipments", "returns", "carrier_labels")


def upgrade() -> None:
    for table in ("dispatch_requests", *INDEXED):
        op.add_column(
            table,
            sa.Column("seller_account", sa.Text, nullable=False, server_default=""),
            schema=SCHEMA,
        )
    for table in INDEXED:
        op.create_index(
            f"ix_{SCHEMA}_{table}_seller_account", table, ["seller_account"], schema=SCHEMA
        )


def downgrade() -> None:
    for table in INDEXED:
        op.drop_index(f"ix_{SCHEMA}_{table}_seller_account", table_name=table, schema=SCHEMA)
    for table in ("dispatch_requests", *INDEXED):
        op.drop_column(table, "seller_account", schema=SCHEMA)
