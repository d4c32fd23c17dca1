"""The marketplace side: refunds paid by idempotency key, actions owed on returns.

Revision ID: marketplace_side
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import drop_notify_on_insert, notify_on_insert

revision = "marketplace_side"
down_revision = "due_deliveries"
SCHEMA = "intake"
RETURN_ACTIONS_CHANNEL = "return_actions_due"


def moment(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("refund_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("order_id", sa.Text, nullable=False),
        sa.Column("return_id", sa.Text),
        sa.Column("request", JSONB, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("marketplace_refund_id", sa.Text),
        sa.Column("paid_minor", sa.BigInteger),
        sa.Column("paid_currency", sa.Text),
        sa.Column("refusal_status", sa.SmallInteger),
        sa.Column("error", sa.Text),
        moment("paying_until", nullable=True),
        moment("asked_at"),
        moment("settled_at", nullable=True),
        schema=SCHEMA,
    )
    op.create_index("refunds_by_case", "refunds", ["case_id"], schema=SCHEMA)

    op.create_table(
        "return_actions",
        sa.Column("action_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("order_id", sa.Text, nullable=False),
        sa.Column("return_id", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.SmallInteger, nullable=False, server_default="0"),
        moment("next_attempt_at"),
        sa.Column("error", sa.Text),
        moment("owed_at"),
        moment("done_at", nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "return_actions_owed",
        "return_actions",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'owed'"),
    )
    op.create_index("return_actions_by_case", "return_actions", ["case_id"], schema=SCHEMA)
    notify_on_insert(SCHEMA, "return_actions", RETURN_ACTIONS_CHANNEL)


def downgrade() -> None:
    op.drop_table("return_actions", schema=SCHEMA)
    drop_notify_on_insert(SCHEMA, "return_actions")
    op.drop_table("refunds", schema=SCHEMA)
