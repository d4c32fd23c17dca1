"""The outbox by case: a request on a case intake has emitted events of, before any event
of the case came back to it, still finds the case's first trace.

Revision ID: 0023
Revises: catalog_listing_content
"""

from shared.migrations import drop_outbox_by_case, index_outbox_by_case

revision = "0023"
down_revision = "catalog_listing_content"
SCHEMA = "intake"


def upgrade() -> None:
    index_outbox_by_case(SCHEMA)


def downgrade() -> None:
    drop_outbox_by_case(SCHEMA)
