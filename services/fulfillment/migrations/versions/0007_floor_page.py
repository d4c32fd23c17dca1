"""The warehouse floor page's own records: stock counts set by hand with their reason, and
the photos taken of returned parcels as they are scanned in.

Revision ID: floor_page
"""

import sqlalchemy as sa
from alembic import op

revision = "floor_page"
down_revision = "parcel_dimensions"
SCHEMA = "fulfillment"


def upgrade() -> None:
    op.create_table(
        "stock_adjustments",
        sa.Column("adjustment_id", sa.Text, primary_key=True),
        sa.Column("warehouse", sa.Text, nullable=False, index=True),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("bin", sa.Text, nullable=False),
        sa.Column("on_hand_before", sa.Integer, nullable=True),
        sa.Column("on_hand", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("adjusted_by", sa.Text, nullable=False),
        sa.Column("adjusted_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "parcel_photos",
        sa.Column("photo_id", sa.Text, primary_key=True),
        sa.Column("warehouse", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("taken_by", sa.Text, nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("parcel_photos", schema=SCHEMA)
    op.drop_table("stock_adjustments", schema=SCHEMA)
