"""The outbox by case: a request on a case resolution has emitted events of, before any event
of the case came back to it, still finds the case's first trace.

Revision ID: 0011
Revises: 0010
"""

from shared.migrations import drop_outbox_by_case, index_outbox_by_case

revision = "0011"
down_revision = "0010"
SCHEMA = "resolution"


def upgrade() -> None:
    index_outbox_by_case(SCHEMA)


def downgrade() -> None:
    drop_outbox_by_case(SCHEMA)
