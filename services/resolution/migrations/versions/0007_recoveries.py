"""Each case's reason (the condition a returned unit comes back in follows from it), and
what refurbish graded and recovered of each returned unit: the recovery values the cost
model learns, walled per seller.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

from shared.tenancy import build_walls, take_down_walls

revision = "0007"
down_revision = "0006"
SCHEMA = "resolution"
WALLED = {"recoveries": "seller_account"}


def upgrade() -> None:
    op.add_column("decisions", sa.Column("reason", sa.Text), schema=SCHEMA)
    op.create_table(
        "recoveries",
        sa.Column("inspection_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("seller_account", sa.Text, nullable=False, server_default=""),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("grade", sa.Text, nullable=False),
        sa.Column("net_minor", sa.BigInteger, nullable=False),
        sa.Column("price_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column(
            "decided_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "recoveries_by_seller", "recoveries", ["seller_account", "decided_at"], schema=SCHEMA
    )
    build_walls(op.execute, SCHEMA, WALLED)


def downgrade() -> None:
    take_down_walls(op.execute, SCHEMA, WALLED)
    op.drop_table("recoveries", schema=SCHEMA)
    op.drop_column("decisions", "reason", schema=SCHEMA)
