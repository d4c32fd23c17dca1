"""Channels: seller accounts, verified deliveries, classified cases, buyers (encrypted), replies.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
SCHEMA = "intake"


def _notify_on_accept() -> None:
    # Wakes the delivery worker's lane of the delivery's channel on commit, as the outbox
    # trigger wakes the relay (PostgreSQL sends one notification per distinct payload).
    op.execute(
        f"""
        CREATE FUNCTION {SCHEMA}.notify_delivery() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('deliveries_{SCHEMA}', NEW.channel);
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER deliveries_notify AFTER INSERT ON {SCHEMA}.deliveries
            FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.notify_delivery()
        """
    )


def upgrade() -> None:
    op.create_table(
        "channel_accounts",
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("seller", sa.Text, nullable=False),
        sa.Column("credentials", sa.LargeBinary, nullable=False),
        sa.Column("default_market", sa.Text),
        schema=SCHEMA,
    )
    op.create_table(
        "deliveries",
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("delivery_id", sa.Text, primary_key=True),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("trace_headers", JSONB, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="accepted"),
        sa.Column("attempts", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index(
        "deliveries_pending",
        "deliveries",
        ["received_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'accepted'"),
    )
    _notify_on_accept()

    # The skeleton's cases were keyed by (marketplace, event id); cases now carry their
    # channel, the key that opened them and their classification.
    op.drop_constraint("cases_delivery_once", "cases", schema=SCHEMA)
    op.alter_column("cases", "marketplace", new_column_name="channel", schema=SCHEMA)
    op.alter_column("cases", "marketplace_event_id", new_column_name="case_key", schema=SCHEMA)
    for name, type_, default in (
        ("account", sa.Text, "''"),
        ("return_id", sa.Text, None),
        ("buyer_ref", sa.Text, "''"),
        ("scenario", sa.Text, None),
        ("confidence", sa.Float, "1.0"),
        ("needs_agent", sa.Boolean, "false"),
        ("marketplace_status", sa.Text, "'requested'"),
    ):
        op.add_column(
            "cases",
            sa.Column(
                name,
                type_,
                nullable=True,
                server_default=sa.text(default) if default else None,
            ),
            schema=SCHEMA,
        )
    for name in ("account", "buyer_ref", "confidence", "needs_agent", "marketplace_status"):
        op.alter_column("cases", name, nullable=False, server_default=None, schema=SCHEMA)
    op.create_unique_constraint(
        "cases_opened_once", "cases", ["channel", "case_key"], schema=SCHEMA
    )
    for name, column in (("return", "return_id"), ("order", "order_id"), ("buyer", "buyer_ref")):
        op.create_index(f"cases_by_{name}", "cases", ["channel", "account", column], schema=SCHEMA)

    op.create_table(
        "buyers",
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("buyer_ref", sa.Text, primary_key=True),
        sa.Column("contact", sa.LargeBinary),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_table(
        "buyer_messages",
        sa.Column("message_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("answer", sa.Text),
        sa.Column("rating", sa.Integer),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("buyer_messages_by_case", "buyer_messages", ["case_id", "at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("buyer_messages", schema=SCHEMA)
    op.drop_table("buyers", schema=SCHEMA)
    for name in ("return", "order", "buyer"):
        op.drop_index(f"cases_by_{name}", "cases", schema=SCHEMA)
    op.drop_constraint("cases_opened_once", "cases", schema=SCHEMA)
    for name in (
        "account",
        "return_id",
        "buyer_ref",
        "scenario",
        "confidence",
        "needs_agent",
        "marketplace_status",
    ):
        op.drop_column("cases", name, schema=SCHEMA)
    op.alter_column("cases", "case_key", new_column_name="marketplace_event_id", schema=SCHEMA)
    op.alter_column("cases", "channel", new_column_name="marketplace", schema=SCHEMA)
    op.create_unique_constraint(
        "cases_delivery_once", "cases", ["marketplace", "marketplace_event_id"], schema=SCHEMA
    )
    op.execute(f"DROP TABLE {SCHEMA}.deliveries CASCADE")
    op.execute(f"DROP FUNCTION {SCHEMA}.notify_delivery()")
    op.drop_table("channel_accounts", schema=SCHEMA)
