"""The size of the parcel a carrier label is bought for (length, width, height in mm,
longest first), from the seller's catalog; NULL when a unit's size is unknown and the
carrier rates the weight alone.

Revision ID: parcel_dimensions
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "parcel_dimensions"
down_revision = "seller_walls"
SCHEMA = "fulfillment"


def upgrade() -> None:
    op.add_column(
        "carrier_labels",
        sa.Column("dimensions_mm", ARRAY(sa.Integer), nullable=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("carrier_labels", "dimensions_mm", schema=SCHEMA)
