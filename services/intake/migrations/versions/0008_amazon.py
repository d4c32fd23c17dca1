"""Amazon: returns reports polled per account and report type, and the returns read from
them (or uploaded) that wait for their order before their case opens.

Revision ID: amazon
"""

import sqlalchemy as sa
from alembic import op

revision = "amazon"
down_revision = "marketplace_side"
SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "amazon_report_polls",
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("report_type", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("covered_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report_id", sa.Text),
        sa.Column("requested_until", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reports_done", sa.Integer, nullable=False),
        sa.Column("last_outcome", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure", sa.Text),
        sa.Column("failed_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_table(
        "amazon_return_rows",
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("return_key", sa.Text, primary_key=True),
        sa.Column("rows", sa.LargeBinary, nullable=False),
        sa.Column("default_market", sa.Text),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "amazon_return_rows_waiting",
        "amazon_return_rows",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'waiting'"),
    )
    # Wakes the worker that opens the returns' cases on commit.
    op.execute(
        f"""
        CREATE FUNCTION {SCHEMA}.notify_amazon_returns() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('amazon_returns_{SCHEMA}', '');
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER amazon_return_rows_notify AFTER INSERT ON {SCHEMA}.amazon_return_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.notify_amazon_returns()
        """
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER amazon_return_rows_notify ON {SCHEMA}.amazon_return_rows")
    op.execute(f"DROP FUNCTION {SCHEMA}.notify_amazon_returns()")
    op.drop_table("amazon_return_rows", schema=SCHEMA)
    op.drop_table("amazon_report_polls", schema=SCHEMA)
