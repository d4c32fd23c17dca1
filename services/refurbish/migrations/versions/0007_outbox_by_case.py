"""The outbox by case: a request on a case refurbish has emitted events of, before any event
of the case came back to it, still finds the case's first trace.

Revision ID: 0007
Revises: 0006
"""

from shared.migrations import drop_outbox_by_case, index_outbox_by_case

revision = "0007"
down_revision = "0006"
SCHEMA = "refurbish"


def upgrade() -> None:
    index_outbox_by_case(SCHEMA)


def downgrade() -> None:
    drop_outbox_by_case(SCHEMA)
