"""Messages to buyers: one per case, kind and triggering event, owed when the event is
consumed, rendered before the first try and kept for the case's timeline, sent by the
message worker through the case's channel (queued → sent → delivered | bounced, or
failed; not sent to an erased buyer).

Revision ID: outgoing_messages
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import drop_notify_on_insert, notify_on_insert

revision = "outgoing_messages"
down_revision = "fba_refunds"
SCHEMA = "intake"
OUTGOING_MESSAGES_CHANNEL = "outgoing_messages_due"


def upgrade() -> None:
    op.create_table(
        "outgoing_messages",
        sa.Column("message_id", sa.Text, primary_key=True),
        sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("seller", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("way", sa.Text, nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("facts", JSONB, nullable=False),
        sa.Column("subject", sa.Text),
        sa.Column("body_text", sa.Text),
        sa.Column("body_html", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.SmallInteger, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index(
        "outgoing_messages_queued",
        "outgoing_messages",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'queued'"),
    )
    op.create_index(
        "outgoing_messages_by_case", "outgoing_messages", ["case_id", "queued_at"], schema=SCHEMA
    )
    notify_on_insert(SCHEMA, "outgoing_messages", OUTGOING_MESSAGES_CHANNEL)


def downgrade() -> None:
    op.drop_table("outgoing_messages", schema=SCHEMA)
    drop_notify_on_insert(SCHEMA, "outgoing_messages")
