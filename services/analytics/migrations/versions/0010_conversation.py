"""Each case's conversation with its buyer: the messages sent to them and their replies.

Revision ID: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
SCHEMA = "analytics"


def upgrade() -> None:
    moment = sa.DateTime(timezone=True)
    op.create_table(
        "conversation",
        sa.Column("entry_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("channel", sa.Text),
        sa.Column("way", sa.Text),
        sa.Column("state", sa.Text),
        sa.Column("language", sa.Text),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", moment, nullable=False),
        sa.Column("updated_at", moment, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("conversation_by_case", "conversation", ["case_id", "at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("conversation", schema=SCHEMA)
