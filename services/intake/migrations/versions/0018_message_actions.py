"""Messages to buyers through a marketplace's own message type (Amazon's Messaging API):
the action each went through, and the start of a try whose answer is not known yet.

Revision ID: message_actions
"""

import sqlalchemy as sa
from alembic import op

revision = "message_actions"
down_revision = "catalog"
SCHEMA = "intake"
TABLE = "outgoing_messages"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("action", sa.Text, nullable=True), schema=SCHEMA)
    tried = sa.Column("action_tried_at", sa.DateTime(timezone=True), nullable=True)
    op.add_column(TABLE, tried, schema=SCHEMA)


def downgrade() -> None:
    op.drop_column(TABLE, "action_tried_at", schema=SCHEMA)
    op.drop_column(TABLE, "action", schema=SCHEMA)
