"""Where fulfillment's outbox relay last published in each partition: a broker that lost
events is told by a partition ending below its mark. Published events stay in the outbox
for the retention window from now on.

Revision ID: outbox_marks
"""

from shared.migrations import create_outbox_marks, drop_outbox_marks

revision = "outbox_marks"
down_revision = "task_problems"
SCHEMA = "fulfillment"


def upgrade() -> None:
    create_outbox_marks(SCHEMA)


def downgrade() -> None:
    drop_outbox_marks(SCHEMA)
