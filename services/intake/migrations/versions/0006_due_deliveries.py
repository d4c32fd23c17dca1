"""Deliveries now wait for days while a marketplace is down: a lane's worker finds its
channels' deliveries due now by their own index, instead of reading past every delivery
still waiting, of any channel, in the order they were received.

Revision ID: due_deliveries
"""

import sqlalchemy as sa
from alembic import op

revision = "due_deliveries"
down_revision = "revival"
SCHEMA = "intake"
ACCEPTED = sa.text("state = 'accepted'")


def upgrade() -> None:
    op.create_index(
        "deliveries_due",
        "deliveries",
        ["channel", "next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=ACCEPTED,
    )
    op.drop_index("deliveries_pending", "deliveries", schema=SCHEMA)


def downgrade() -> None:
    op.create_index(
        "deliveries_pending",
        "deliveries",
        ["received_at"],
        schema=SCHEMA,
        postgresql_where=ACCEPTED,
    )
    op.drop_index("deliveries_due", "deliveries", schema=SCHEMA)
