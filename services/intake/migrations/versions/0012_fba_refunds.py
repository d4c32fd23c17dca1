"""FBA refunds followed until their unit comes back: each FBA order's refund Amazon posted
(Finances API), polled per account; a refund whose unit never came back within Amazon's
window owes a reimbursement claim ("refunded, not returned"), which has no case.

Revision ID: fba_refunds
"""

import sqlalchemy as sa
from alembic import op

revision = "fba_refunds"
down_revision = "case_photos"
SCHEMA = "intake"


def moment(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "amazon_refund_polls",
        sa.Column("account", sa.Text, primary_key=True),
        text("state"),
        moment("covered_until"),
        sa.Column("attempts", sa.Integer, nullable=False),
        moment("next_attempt_at"),
        sa.Column("polls_done", sa.Integer, nullable=False),
        text("last_outcome", nullable=True),
        sa.Column("failures", sa.Integer, nullable=False),
        text("last_failure", nullable=True),
        moment("failed_at", nullable=True),
        schema=SCHEMA,
    )
    op.create_table(
        "amazon_fba_refunds",
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("order_id", sa.Text, primary_key=True),
        sa.Column("sku", sa.Text, primary_key=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("amount_minor", sa.BigInteger),
        text("currency"),
        text("market"),
        moment("due_at"),
        text("state"),
        text("claim_id", nullable=True),
        moment("seen_at"),
        moment("updated_at"),
        schema=SCHEMA,
    )
    op.create_index(
        "amazon_fba_refunds_open",
        "amazon_fba_refunds",
        ["account", "due_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state IN ('waiting', 'claimed')"),
    )
    claims = "amazon_reimbursement_claims"
    op.alter_column(claims, "case_id", nullable=True, schema=SCHEMA)
    op.add_column(
        claims, sa.Column("kind", sa.Text, nullable=False, server_default="damaged"), schema=SCHEMA
    )
    op.add_column(claims, moment("refunded_at", nullable=True), schema=SCHEMA)
    op.add_column(claims, text("late_arrival", nullable=True), schema=SCHEMA)


def downgrade() -> None:
    claims = "amazon_reimbursement_claims"
    op.execute(f"DELETE FROM {SCHEMA}.{claims} WHERE case_id IS NULL")
    op.drop_column(claims, "late_arrival", schema=SCHEMA)
    op.drop_column(claims, "refunded_at", schema=SCHEMA)
    op.drop_column(claims, "kind", schema=SCHEMA)
    op.alter_column(claims, "case_id", nullable=False, schema=SCHEMA)
    op.drop_table("amazon_fba_refunds", schema=SCHEMA)
    op.drop_table("amazon_refund_polls", schema=SCHEMA)
