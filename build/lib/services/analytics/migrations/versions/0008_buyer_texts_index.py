"""What buyers wrote, found without reading every kept event: an index of the events that
carry their words (the reports' top phrases and the FAQ gap finder's questions read them).

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
SCHEMA = "analytics"


def upgrade() -> None:
    op.create_index(
        "events_written_by_buyers",
        "events",
        ["case_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("type IN ('case.opened', 'case.buyer_replied')"),
    )


def downgrade() -> None:
    op.drop_index("events_written_by_buyers", "events", schema=SCHEMA)
