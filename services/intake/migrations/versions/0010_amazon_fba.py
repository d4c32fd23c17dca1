"""Amazon FBA returns follow the unit: each returned unit as Amazon graded it, the removal
orders that bring unsellable units to a local warehouse, the reimbursement claims for
units Amazon damaged.

Revision ID: amazon_fba
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import drop_notify_on_insert, notify_on_insert

revision = "amazon_fba"
down_revision = "decided_actions"
SCHEMA = "intake"
REMOVAL_ORDERS_CHANNEL = "amazon_removal_orders_intake"


def moment(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "amazon_fba_units",
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("license_plate", sa.Text, primary_key=True),
        text("case_id"),
        text("order_id"),
        text("sku"),
        text("fnsku", nullable=True),
        text("asin", nullable=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        text("market"),
        text("fulfillment_center"),
        text("disposition"),
        text("amazon_status"),
        text("outcome"),
        text("decided_by", nullable=True),
        text("decision_note", nullable=True),
        moment("returned_at"),
        moment("seen_at"),
        moment("updated_at"),
        schema=SCHEMA,
    )
    op.create_index("amazon_fba_units_by_case", "amazon_fba_units", ["case_id"], schema=SCHEMA)
    op.create_index(
        "amazon_fba_units_for_agents",
        "amazon_fba_units",
        ["seen_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("outcome = 'agent'"),
    )

    op.create_table(
        "amazon_removal_orders",
        sa.Column("removal_order_id", sa.Text, primary_key=True),
        text("case_id"),
        text("account"),
        text("license_plate"),
        text("order_id"),
        text("sku"),
        text("fnsku", nullable=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        text("market"),
        text("state"),
        sa.Column("attempts", sa.Integer, nullable=False),
        moment("next_attempt_at"),
        sa.Column("failures", sa.Integer, nullable=False),
        moment("submitted_at", nullable=True),
        text("feed_id", nullable=True),
        text("read_back_report_id", nullable=True),
        sa.Column("address", JSONB),
        text("amazon_status", nullable=True),
        text("error", nullable=True),
        moment("owed_at"),
        moment("done_at", nullable=True),
        sa.UniqueConstraint("case_id", name="amazon_removal_orders_one_per_case"),
        schema=SCHEMA,
    )
    op.create_index(
        "amazon_removal_orders_owed",
        "amazon_removal_orders",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'owed'"),
    )
    notify_on_insert(SCHEMA, "amazon_removal_orders", REMOVAL_ORDERS_CHANNEL)

    op.create_table(
        "amazon_reimbursement_claims",
        sa.Column("claim_id", sa.Text, primary_key=True),
        text("case_id"),
        text("account"),
        text("order_id"),
        text("sku"),
        text("fnsku", nullable=True),
        text("asin", nullable=True),
        text("license_plate"),
        sa.Column("quantity", sa.Integer, nullable=False),
        text("market"),
        text("fulfillment_center"),
        text("disposition"),
        text("amazon_status"),
        moment("returned_at"),
        sa.Column("value_minor", sa.BigInteger),
        text("currency"),
        text("state"),
        text("seller_central_case_id", nullable=True),
        text("reimbursement_id", nullable=True),
        sa.Column("reimbursed_minor", sa.BigInteger),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        text("updated_by", nullable=True),
        moment("owed_at"),
        moment("filed_at", nullable=True),
        moment("settled_at", nullable=True),
        sa.UniqueConstraint("case_id", name="amazon_reimbursement_claims_one_per_case"),
        schema=SCHEMA,
    )
    op.create_index(
        "amazon_reimbursement_claims_by_state",
        "amazon_reimbursement_claims",
        ["state", "returned_at"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("amazon_reimbursement_claims", schema=SCHEMA)
    op.drop_table("amazon_removal_orders", schema=SCHEMA)
    drop_notify_on_insert(SCHEMA, "amazon_removal_orders")
    op.drop_table("amazon_fba_units", schema=SCHEMA)
