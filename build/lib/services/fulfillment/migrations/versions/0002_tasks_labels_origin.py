"""Dispatch requests routed by a worker (the buyer's postcode picks the zone), staff
tasks with carrier services and labels, return pickups and receiving photos,
the holding list of unknown parcels, signed webhook deliveries to warehouse systems and
their log, and return-to-origin consolidations.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import drop_notify_on_insert, notify_on_insert

revision = "0002"
down_revision = "0001"
SCHEMA = "fulfillment"
DELIVERIES_CHANNEL = "warehouse_deliveries_due"
DISPATCH_CHANNEL = "dispatch_requests_due"

SHIPMENT_COLUMNS = (
    sa.Column("market", sa.Text, nullable=False, server_default=""),
    sa.Column("items", JSONB, nullable=False, server_default="[]"),
    sa.Column("carrier", sa.Text, nullable=False, server_default=""),
    sa.Column("service", sa.Text, nullable=False, server_default=""),
    sa.Column("service_code", sa.Text, nullable=False, server_default=""),
    sa.Column("postage_minor", sa.Integer, nullable=False, server_default="0"),
    sa.Column("postage_currency", sa.Text, nullable=False, server_default=""),
    sa.Column("promised_by", sa.Date),
    sa.Column("weight_g", sa.Integer),
    sa.Column("tracking_number", sa.Text),
    sa.Column("picked_by", sa.Text),
    sa.Column("picked_at", sa.DateTime(timezone=True)),
    sa.Column("packed_by", sa.Text),
    sa.Column("packed_at", sa.DateTime(timezone=True)),
    sa.Column("shipped_by", sa.Text),
    sa.Column("shipped_at", sa.DateTime(timezone=True)),
    sa.Column("problem", sa.Text),
    sa.Column("problem_note", sa.Text),
)

RETURN_COLUMNS = (
    sa.Column("market", sa.Text, nullable=False, server_default=""),
    sa.Column("currency", sa.Text, nullable=False, server_default=""),
    sa.Column("items", JSONB, nullable=False, server_default="[]"),
    sa.Column("route", sa.Text, nullable=False, server_default="local"),
    sa.Column("service", sa.Text, nullable=False, server_default=""),
    sa.Column("postage_minor", sa.Integer, nullable=False, server_default="0"),
    sa.Column("postage_currency", sa.Text, nullable=False, server_default=""),
    sa.Column("photos", JSONB, nullable=False, server_default="[]"),
    sa.Column("received_by", sa.Text),
    sa.Column("pickup_day", sa.Date),
    sa.Column("pickup_starts", sa.Time),
    sa.Column("pickup_ends", sa.Time),
    sa.Column("pickup_confirmation", sa.Text),
)


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "dispatch_requests",
        sa.Column("request_id", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False, index=True),
        sa.Column("remedy", sa.Text, nullable=False),
        sa.Column("market", sa.Text, nullable=False),
        sa.Column("items", JSONB, nullable=False),
        sa.Column("passing_over", JSONB, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
            index=True,
        ),
        _when("created_at", nullable=False),
        _when("routed_at"),
        schema=SCHEMA,
    )
    notify_on_insert(SCHEMA, "dispatch_requests", DISPATCH_CHANNEL)
    for column in SHIPMENT_COLUMNS:
        op.add_column("shipments", column, schema=SCHEMA)
    op.create_index(
        "shipments_open_by_warehouse",
        "shipments",
        ["warehouse", "requested_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status IN ('requested', 'picked', 'packed')"),
    )
    for column in RETURN_COLUMNS:
        op.add_column("returns", column, schema=SCHEMA)
    op.create_unique_constraint(
        "returns_tracking_number_key", "returns", ["tracking_number"], schema=SCHEMA
    )
    op.create_table(
        "held_parcels",
        sa.Column("holding_id", sa.Text, primary_key=True),
        sa.Column("warehouse", sa.Text, nullable=False, index=True),
        sa.Column("scanned_code", sa.Text, nullable=False),
        sa.Column("condition_note", sa.Text, nullable=False),
        sa.Column("photos", JSONB, nullable=False),
        sa.Column("held_by", sa.Text, nullable=False),
        _when("held_at", nullable=False),
        sa.Column("matched_rma", sa.Text),
        _when("matched_at"),
        schema=SCHEMA,
    )
    _create_deliveries()
    _create_origin_consolidations()


def _create_deliveries() -> None:
    op.create_table(
        "warehouse_endpoints",
        sa.Column("warehouse", sa.Text, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        _when("registered_at", nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "warehouse_deliveries",
        sa.Column("delivery_id", sa.Text, primary_key=True),
        sa.Column("warehouse", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
            index=True,
        ),
        _when("created_at", nullable=False),
        _when("delivered_at"),
        schema=SCHEMA,
    )
    notify_on_insert(SCHEMA, "warehouse_deliveries", DELIVERIES_CHANNEL)
    op.create_table(
        "warehouse_delivery_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("delivery_id", sa.Text, nullable=False, index=True),
        sa.Column("attempt", sa.Integer, nullable=False),
        _when("at", nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        schema=SCHEMA,
    )


def _create_origin_consolidations() -> None:
    op.create_table(
        "origin_consolidations",
        sa.Column("consolidation_id", sa.Text, primary_key=True),
        sa.Column("warehouse", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        _when("opened_at", nullable=False),
        sa.Column("invoice_number", sa.Text),
        sa.Column("carrier", sa.Text),
        sa.Column("tracking_number", sa.Text),
        sa.Column("dispatched_by", sa.Text),
        _when("dispatched_at"),
        schema=SCHEMA,
    )
    # One open consolidation per warehouse: every unit routed back joins it.
    op.create_index(
        "origin_consolidations_one_open",
        "origin_consolidations",
        ["warehouse"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "origin_units",
        sa.Column("rma_id", sa.Text, primary_key=True),
        sa.Column("consolidation_id", sa.Text, nullable=False, index=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("items", JSONB, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        _when("added_at", nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("origin_units", "origin_consolidations", "warehouse_delivery_attempts"):
        op.drop_table(table, schema=SCHEMA)
    op.drop_table("warehouse_deliveries", schema=SCHEMA)
    op.drop_table("warehouse_endpoints", schema=SCHEMA)
    drop_notify_on_insert(SCHEMA, "warehouse_deliveries")
    op.drop_table("held_parcels", schema=SCHEMA)
    op.drop_constraint("returns_tracking_number_key", "returns", schema=SCHEMA)
    for column in reversed(RETURN_COLUMNS):
        op.drop_column("returns", column.name, schema=SCHEMA)
    op.drop_index("shipments_open_by_warehouse", "shipments", schema=SCHEMA)
    for column in reversed(SHIPMENT_COLUMNS):
        op.drop_column("shipments", column.name, schema=SCHEMA)
    op.drop_table("dispatch_requests", schema=SCHEMA)
    drop_notify_on_insert(SCHEMA, "dispatch_requests")
