"""The outbox by case: a request on a case analytics has emitted events of, before any event
of the case came back to it, still finds the case's first trace.

Revision ID: 0016
Revises: 0015_faq_publication
"""

from shared.migrations import drop_outbox_by_case, index_outbox_by_case

revision = "0016"
down_revision = "0015_faq_publication"
SCHEMA = "analytics"


def upgrade() -> None:
    index_outbox_by_case(SCHEMA)


def downgrade() -> None:
    drop_outbox_by_case(SCHEMA)
