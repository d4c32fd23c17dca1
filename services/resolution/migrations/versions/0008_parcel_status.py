"""What the marketplace said of a case's parcel when intake asked it (e.g. Amazon's package
status DELIVERED): kept with the case, so a parcel the marketplace says was delivered goes
to an agent, not out again, whenever the case is planned (an agent may classify it later).

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
SCHEMA = "resolution"


def upgrade() -> None:
    op.add_column("decisions", sa.Column("parcel_status", sa.Text), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("decisions", "parcel_status", schema=SCHEMA)
