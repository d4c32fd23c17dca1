"""When a problem was reported on a dispatch task, so the floor page's queue counts the
day's problems beside its tasks shipped. Tasks reported before this column existed keep
no moment.

Revision ID: task_problems
"""

import sqlalchemy as sa
from alembic import op

revision = "task_problems"
down_revision = "floor_page"
SCHEMA = "fulfillment"


def upgrade() -> None:
    op.add_column(
        "shipments",
        sa.Column("problem_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("shipments", "problem_at", schema=SCHEMA)
