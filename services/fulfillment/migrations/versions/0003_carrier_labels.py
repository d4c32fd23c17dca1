"""Labels bought from the carrier through EasyPost (owed, bought, voided), one per dispatch
task or return, and the carrier pickups booked for returns.

Revision ID: carrier_labels
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import drop_notify_on_insert, notify_on_insert

revision = "carrier_labels"
down_revision = "0002"
SCHEMA = "fulfillment"
LABELS_CHANNEL = "carrier_labels_due"


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _due() -> list[sa.Column]:
    return [
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
            index=True,
        ),
        _when("created_at", nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "carrier_labels",
        sa.Column("reference", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False, index=True),
        sa.Column("warehouse", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("weight_g", sa.Integer, nullable=False),
        sa.Column("easypost_shipment_id", sa.Text),
        sa.Column("carrier", sa.Text, nullable=False, server_default=""),
        sa.Column("service", sa.Text, nullable=False, server_default=""),
        sa.Column("service_code", sa.Text, nullable=False, server_default=""),
        sa.Column("easypost_carrier", sa.Text, nullable=False, server_default=""),
        sa.Column("easypost_service", sa.Text, nullable=False, server_default=""),
        sa.Column("postage_minor", sa.Integer, nullable=False, server_default="0"),
        sa.Column("postage_currency", sa.Text, nullable=False, server_default=""),
        sa.Column("tracking_number", sa.Text),
        sa.Column("label_url", sa.Text),
        sa.Column("label_type", sa.Text),
        sa.Column("passed_over", JSONB, nullable=False, server_default="[]"),
        sa.Column("return_order", JSONB, nullable=False, server_default="{}"),
        sa.Column("refund_status", sa.Text),
        sa.Column("cause", sa.Text),
        *_due(),
        _when("bought_at"),
        _when("voided_at"),
        schema=SCHEMA,
    )
    # A case gets one return label.
    op.create_index(
        "carrier_labels_one_return_per_case",
        "carrier_labels",
        ["case_id"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("kind = 'return'"),
    )
    notify_on_insert(SCHEMA, "carrier_labels", LABELS_CHANNEL)
    op.create_table(
        "carrier_pickups",
        sa.Column("reference", sa.Text, primary_key=True),
        sa.Column("rma_id", sa.Text, nullable=False, index=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("easypost_pickup_id", sa.Text),
        sa.Column("confirmation", sa.Text),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("starts", sa.Time, nullable=False),
        sa.Column("ends", sa.Time, nullable=False),
        sa.Column("cause", sa.Text),
        *_due(),
        _when("scheduled_at"),
        _when("cancelled_at"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("carrier_pickups", schema=SCHEMA)
    op.drop_table("carrier_labels", schema=SCHEMA)
    drop_notify_on_insert(SCHEMA, "carrier_labels")
