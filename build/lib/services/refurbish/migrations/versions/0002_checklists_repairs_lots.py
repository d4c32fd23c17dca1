"""Checklists, rubric grades with overrides, dispositions with their alternatives,
repair jobs, relabel tasks and liquidation lots.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
SCHEMA = "refurbish"

INSPECTION_COLUMNS = (
    sa.Column("items", JSONB, nullable=False, server_default="[]"),
    sa.Column("currency", sa.Text, nullable=False, server_default=""),
    sa.Column("route", sa.Text, nullable=False, server_default="local"),
    sa.Column("photos", JSONB, nullable=False, server_default="[]"),
    sa.Column("checklist", JSONB),
    sa.Column("computed_grade", sa.Text),
    sa.Column("reasons", JSONB, nullable=False, server_default="[]"),
    sa.Column("override_reason", sa.Text),
    sa.Column("technician", sa.Text),
    sa.Column("net_minor", sa.Integer),
    sa.Column("alternatives", JSONB, nullable=False, server_default="[]"),
    sa.Column("repairs_done", sa.Integer, nullable=False, server_default="0"),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
)


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    for column in INSPECTION_COLUMNS:
        op.add_column("inspections", column, schema=SCHEMA)
    op.create_table(
        "repair_jobs",
        sa.Column("repair_id", sa.Text, primary_key=True),
        sa.Column("inspection_id", sa.Text, nullable=False, index=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("warehouse", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("parts", JSONB, nullable=False),
        sa.Column("labour_minutes", sa.Integer, nullable=False),
        sa.Column("cost_minor", sa.Integer, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        _when("ordered_at", nullable=False),
        sa.Column("done_by", sa.Text),
        _when("done_at"),
        schema=SCHEMA,
    )
    op.create_table(
        "relabel_tasks",
        sa.Column("inspection_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("warehouse", sa.Text, nullable=False, index=True),
        sa.Column("fnsku", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        _when("created_at", nullable=False),
        sa.Column("done_by", sa.Text),
        _when("done_at"),
        schema=SCHEMA,
    )
    _create_lots()


def _create_lots() -> None:
    op.create_table(
        "liquidation_lots",
        sa.Column("lot_id", sa.Text, primary_key=True),
        sa.Column("warehouse", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("grade", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        _when("opened_at", nullable=False),
        sa.Column("closed_by", sa.Text),
        _when("closed_at"),
        schema=SCHEMA,
    )
    # One open lot per warehouse, category, grade and currency: every such unit joins it.
    op.create_index(
        "liquidation_lots_one_open",
        "liquidation_lots",
        ["warehouse", "category", "grade", "currency"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "lot_units",
        sa.Column("inspection_id", sa.Text, primary_key=True),
        sa.Column("lot_id", sa.Text, nullable=False, index=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("items", JSONB, nullable=False),
        sa.Column("expected_minor", sa.Integer, nullable=False),
        _when("added_at", nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("lot_units", "liquidation_lots", "relabel_tasks", "repair_jobs"):
        op.drop_table(table, schema=SCHEMA)
    for column in reversed(INSPECTION_COLUMNS):
        op.drop_column("inspections", column.name, schema=SCHEMA)
