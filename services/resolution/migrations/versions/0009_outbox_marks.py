"""Where resolution's outbox relay last published in each partition: a broker that lost
events is told by a partition ending below its mark. Published events stay in the outbox
for the retention window from now on.

Revision ID: 0009
"""

from shared.migrations import create_outbox_marks, drop_outbox_marks

revision = "0009"
down_revision = "0008"
SCHEMA = "resolution"


def upgrade() -> None:
    create_outbox_marks(SCHEMA)


def downgrade() -> None:
    drop_outbox_marks(SCHEMA)
