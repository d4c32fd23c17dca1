"""Failed warehouse deliveries among fulfillment's failed calls: each delivery names the
seller account of its case (an operator sees only their sellers') and keeps the last
failure, or why an operator discarded it.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
SCHEMA = "fulfillment"


def upgrade() -> None:
    op.add_column(
        "warehouse_deliveries",
        sa.Column("seller_account", sa.Text(), nullable=False, server_default=""),
        schema=SCHEMA,
    )
    op.add_column("warehouse_deliveries", sa.Column("error", sa.Text()), schema=SCHEMA)
    op.create_index(
        "ix_fulfillment_warehouse_deliveries_seller_account",
        "warehouse_deliveries",
        ["seller_account"],
        schema=SCHEMA,
    )
    op.execute(
        f"""
        UPDATE {SCHEMA}.warehouse_deliveries AS d SET seller_account = r.seller_account
        FROM {SCHEMA}.shipments AS r
        WHERE r.shipment_id = (d.body::jsonb -> 'data' ->> 'shipment_id')
        """
    )
    op.execute(
        f"""
        UPDATE {SCHEMA}.warehouse_deliveries AS d SET error = a.error
        FROM (
            SELECT DISTINCT ON (delivery_id) delivery_id, error
            FROM {SCHEMA}.warehouse_delivery_attempts ORDER BY delivery_id, id DESC
        ) AS a
        WHERE a.delivery_id = d.delivery_id
        """
    )


def downgrade() -> None:
    op.drop_index(
        "ix_fulfillment_warehouse_deliveries_seller_account",
        table_name="warehouse_deliveries",
        schema=SCHEMA,
    )
    op.drop_column("warehouse_deliveries", "error", schema=SCHEMA)
    op.drop_column("warehouse_deliveries", "seller_account", schema=SCHEMA)
