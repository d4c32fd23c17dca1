"""The outbox by case: a request on a case fulfillment has emitted events of, before any event
of the case came back to it, still finds the case's first trace.

Revision ID: 0012
Revises: repair_returns
"""

from shared.migrations import drop_outbox_by_case, index_outbox_by_case

revision = "0012"
down_revision = "repair_returns"
SCHEMA = "fulfillment"


def upgrade() -> None:
    index_outbox_by_case(SCHEMA)


def downgrade() -> None:
    drop_outbox_by_case(SCHEMA)
