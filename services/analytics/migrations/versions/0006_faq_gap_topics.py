"""FAQ gaps for what buyers ask as well as why they return: a gap's topic (empty for a
return reason) becomes part of its key.

Revision ID: 0006
"""

from shared.migrations import add_key_column, drop_key_column

revision = "0006"
down_revision = "0005"
SCHEMA = "analytics"
REASON_KEY = ["seller_account", "sku", "language", "reason"]


def upgrade() -> None:
    add_key_column(SCHEMA, "faq_gaps", "topic", REASON_KEY)


def downgrade() -> None:
    drop_key_column(SCHEMA, "faq_gaps", "topic", REASON_KEY)
