"""The remedy engine: case facts and plan, offers, refunds, clocks, policies, guides.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import drop_notify_on_insert, notify_on_insert

revision = "0003"
down_revision = "0002"
SCHEMA = "resolution"
REFUNDS_CHANNEL = "refunds_due"


def moment(name: str, nullable: bool = False, now: bool = False) -> sa.Column:
    default = sa.func.now() if now else None
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, server_default=default)


def upgrade() -> None:
    new_columns = [
        sa.Column("marketplace", sa.Text, nullable=False, server_default=""),
        sa.Column("seller_account", sa.Text, nullable=False, server_default=""),
        sa.Column("order_id", sa.Text, nullable=False, server_default=""),
        sa.Column("return_id", sa.Text),
        sa.Column("language", sa.Text, nullable=False, server_default="en"),
        sa.Column("fault_code", sa.Text),
        moment("opened_at", nullable=True),
        moment("delivered_at", nullable=True),
        # Rows from before this revision were decided at once, or still wait for an agent.
        sa.Column("state", sa.Text, nullable=False, server_default="decided"),
        sa.Column("route", sa.Text),
        sa.Column("policy_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("plan", JSONB, nullable=False, server_default="[]"),
        sa.Column("alternatives", JSONB, nullable=False, server_default="[]"),
        sa.Column("step", sa.Integer, nullable=False, server_default="0"),
    ]
    for column in new_columns:
        op.add_column("decisions", column, schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.decisions SET state = 'waiting' WHERE decided_at IS NULL")

    op.create_table(
        "offers",
        sa.Column("offer_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("remedy", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        moment("offered_at", now=True),
        moment("expires_at"),
        moment("answered_at", nullable=True),
        schema=SCHEMA,
    )
    op.create_index("offers_of_case", "offers", ["case_id"], schema=SCHEMA)
    op.create_index(
        "offers_open_by_expiry",
        "offers",
        ["expires_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'open'"),
    )

    op.create_table(
        "refunds",
        sa.Column("refund_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("marketplace", sa.Text, nullable=False),
        sa.Column("seller_account", sa.Text, nullable=False),
        sa.Column("order_id", sa.Text, nullable=False),
        sa.Column("return_id", sa.Text),
        sa.Column("remedy", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        moment("next_attempt_at", now=True),
        sa.Column("error", sa.Text),
        sa.Column("marketplace_refund_id", sa.Text),
        moment("issued_at", nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "refunds_pending",
        "refunds",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'pending'"),
    )
    notify_on_insert(SCHEMA, "refunds", REFUNDS_CHANNEL)

    op.create_table(
        "clocks",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        moment("started_at"),
        moment("warn_at"),
        moment("due_at"),
        sa.Column("state", sa.Text, nullable=False),
        moment("stopped_at", nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "clocks_running_by_warning",
        "clocks",
        ["warn_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state IN ('running', 'near_breach')"),
    )

    op.create_table(
        "policies",
        sa.Column("seller_account", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("policy", JSONB, nullable=False),
        moment("created_at", now=True),
        sa.Column("created_by", sa.Text, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "guides",
        sa.Column("seller_account", sa.Text, primary_key=True),
        sa.Column("guide_id", sa.Text, primary_key=True),
        sa.Column("guide", JSONB, nullable=False),
        moment("updated_at", now=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("guides", "policies", "clocks", "refunds", "offers"):
        op.drop_table(table, schema=SCHEMA)
    drop_notify_on_insert(SCHEMA, "refunds")
    for column in (
        "step",
        "alternatives",
        "plan",
        "policy_version",
        "route",
        "state",
        "delivered_at",
        "opened_at",
        "fault_code",
        "language",
        "return_id",
        "order_id",
        "seller_account",
        "marketplace",
    ):
        op.drop_column("decisions", column, schema=SCHEMA)
