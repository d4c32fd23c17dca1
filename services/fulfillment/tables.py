"""Fulfillment's tables, in the `fulfillment` schema. Lifecycle columns store the values
of the domain's enums (`domain/tasks.py`, `dispatch_requests.py`, `origin.py`,
`warehouse_deliveries.py`, `carrier_labels.py`, `carrier_pickups.py`).

No buyer address is stored here: labels are drawn when they are downloaded, from
intake's narrow ship-to lookup.
"""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Time,
)
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from services.fulfillment.domain.carrier_labels import LabelState
from services.fulfillment.domain.carrier_pickups import PickupState
from services.fulfillment.domain.dispatch_requests import RequestState
from services.fulfillment.domain.warehouse_deliveries import DeliveryState
from shared.columns import column, integer, json, moment, text

SCHEMA = "fulfillment"


class StockLevel(SQLModel, table=True):
    """Units of one SKU in one warehouse; `reserved` never exceeds `on_hand`."""

    __tablename__ = "stock"
    __table_args__ = (
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="stock_reservable"),
        {"schema": SCHEMA},
    )

    warehouse: str = text(primary_key=True)
    sku: str = text(primary_key=True)
    bin: str = text()
    on_hand: int = integer()
    reserved: int = integer(0)


class DispatchRequest(SQLModel, table=True):
    """A part, exchange or reship owed to a case, waiting to be routed to a warehouse
    (pending until a task is made or the region is found out of stock)."""

    __tablename__ = "dispatch_requests"
    __table_args__ = {"schema": SCHEMA}

    request_id: str = text(primary_key=True)
    case_id: str = text(index=True)
    seller_account: str = text("")  # the decision's; '' when it named none
    remedy: str = text()
    market: str = text()
    items: list[dict[str, Any]] = json()
    passing_over: list[str] = json()  # warehouses that already failed the case
    state: str = text(RequestState.PENDING.value)
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(index=True)
    created_at: datetime = moment()
    routed_at: datetime | None = moment(None)


class Shipment(SQLModel, table=True):
    """A part or unit to pick, pack and ship from a local warehouse: a staff task.

    status: requested → picked → packed → shipped; or problem (stock released).
    """

    __tablename__ = "shipments"
    __table_args__ = (
        Index(
            "shipments_open_by_warehouse",
            "warehouse",
            "requested_at",
            postgresql_where=sql("status IN ('requested', 'picked', 'packed')"),
        ),
        {"schema": SCHEMA},
    )

    shipment_id: str = text(primary_key=True)
    case_id: str = text(index=True)
    seller_account: str = text("", index=True)  # '' read by platform admins only
    remedy: str = text()
    warehouse: str = text()
    status: str = text()  # TaskStatus
    pick_list: list[dict[str, Any]] = column(JSONB)
    requested_at: datetime = moment()
    market: str = text("")
    items: list[dict[str, Any]] = json()
    carrier: str = text("")
    service: str = text("")
    service_code: str = text("")
    postage_minor: int = integer(0)
    postage_currency: str = text("")
    promised_by: date | None = column(Date, None)
    weight_g: int | None = integer(None)
    tracking_number: str | None = text(None)
    picked_by: str | None = text(None)
    picked_at: datetime | None = moment(None)
    packed_by: str | None = text(None)
    packed_at: datetime | None = moment(None)
    shipped_by: str | None = text(None)
    shipped_at: datetime | None = moment(None)
    problem: str | None = text(None)
    problem_note: str | None = text(None)
    problem_at: datetime | None = moment(None)


class ReturnParcel(SQLModel, table=True):
    """A return authorised with a prepaid label, then scanned in at the warehouse (issued,
    then received: its `received_at`). `for_repair`: the buyer's own unit, in to be
    repaired at the warehouse's repair shop and sent back (the remedy `repair`)."""

    __tablename__ = "returns"
    __table_args__ = {"schema": SCHEMA}

    rma_id: str = text(primary_key=True)
    case_id: str = text(unique=True)
    seller_account: str = text("", index=True)
    warehouse: str = text()
    carrier: str = text()
    tracking_number: str = text(unique=True)
    issued_at: datetime = moment()
    received_at: datetime | None = moment(None)
    condition_note: str = text("")
    market: str = text("")
    currency: str = text("")
    items: list[dict[str, Any]] = json()
    route: str = text("local")
    service: str = text("")
    postage_minor: int = integer(0)
    postage_currency: str = text("")
    photos: list[str] = json()
    received_by: str | None = text(None)
    pickup_day: date | None = column(Date, None)
    pickup_starts: time | None = column(Time, None)
    pickup_ends: time | None = column(Time, None)
    pickup_confirmation: str | None = text(None)
    for_repair: bool = column(Boolean, False)


class HeldParcel(SQLModel, table=True):
    """A parcel scanned in that matched no RMA or tracking number: kept, not lost, until
    staff match it to a return."""

    __tablename__ = "held_parcels"
    __table_args__ = {"schema": SCHEMA}

    holding_id: str = text(primary_key=True)
    warehouse: str = text(index=True)
    scanned_code: str = text()
    condition_note: str = text("")
    photos: list[str] = json()
    held_by: str = text()
    held_at: datetime = moment()
    matched_rma: str | None = text(None)
    matched_at: datetime | None = moment(None)


class WarehouseEndpoint(SQLModel, table=True):
    """A warehouse's own system, registered to get each dispatch task by signed webhook."""

    __tablename__ = "warehouse_endpoints"
    __table_args__ = {"schema": SCHEMA}

    warehouse: str = text(primary_key=True)
    url: str = text()
    secret: str = text()  # Standard Webhooks "whsec_…"
    registered_at: datetime = moment()


class WarehouseDelivery(SQLModel, table=True):
    """A dispatch task pushed to a warehouse's own system by signed webhook (pending
    until delivered, or failed after the last attempt, then retried or discarded)."""

    __tablename__ = "warehouse_deliveries"
    __table_args__ = {"schema": SCHEMA}

    delivery_id: str = text(primary_key=True)
    warehouse: str = text()
    url: str = text()
    case_id: str = text()
    seller_account: str = text("", index=True)  # the case's; '' read by platform admins only
    body: str = text()
    state: str = text(DeliveryState.PENDING.value)
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(index=True)
    created_at: datetime = moment()
    delivered_at: datetime | None = moment(None)
    error: str | None = text(None)  # the last attempt's failure, or why it was discarded


class DeliveryAttempt(SQLModel, table=True):
    """The delivery log: one row per webhook attempt, with what the warehouse answered."""

    __tablename__ = "warehouse_delivery_attempts"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    delivery_id: str = text(index=True)
    attempt: int = integer()
    at: datetime = moment()
    status_code: int | None = integer(None)
    error: str | None = text(None)
    duration_ms: int = integer()


class OriginConsolidation(SQLModel, table=True):
    """Units going back to the factory from one warehouse, shipped together with one
    commercial invoice. status: open → dispatched."""

    __tablename__ = "origin_consolidations"
    __table_args__ = (
        Index(
            "origin_consolidations_one_open",
            "warehouse",
            unique=True,
            postgresql_where=sql("status = 'open'"),
        ),
        {"schema": SCHEMA},
    )

    consolidation_id: str = text(primary_key=True)
    warehouse: str = text()
    status: str = text()  # ConsolidationStatus
    opened_at: datetime = moment()
    invoice_number: str | None = text(None)
    carrier: str | None = text(None)
    tracking_number: str | None = text(None)
    dispatched_by: str | None = text(None)
    dispatched_at: datetime | None = moment(None)


class OriginUnit(SQLModel, table=True):
    """A returned unit refurbish routed back to origin, waiting in a consolidation."""

    __tablename__ = "origin_units"
    __table_args__ = {"schema": SCHEMA}

    rma_id: str = text(primary_key=True)
    consolidation_id: str = text(index=True)
    case_id: str = text()
    items: list[dict[str, Any]] = column(JSONB)
    currency: str = text()
    added_at: datetime = moment()


class CarrierLabel(SQLModel, table=True):
    """A label bought from the carrier through EasyPost, or owed: a dispatch task's (its
    `reference` the task's shipment id) or a return's (the RMA). The reference is also the
    EasyPost shipment's, whose id is kept before it is bought, so it is bought once.
    state: owed → bought → void_owed → voided (see `domain/carrier_labels.py`).

    `carrier`, `service` and `service_code` are the rate cards' names of what was bought;
    `easypost_carrier`, `easypost_service` and `postage_minor` EasyPost's; `weight_g` and
    `dimensions_mm` the parcel declared to the carrier (its size when the seller's catalog
    knows every unit's, else none); `passed_over`
    says why the services the cards ranked higher were not bought. A return's decision
    (`return_order`: market, currency, items, route) waits here until its label is bought.
    """

    __tablename__ = "carrier_labels"
    __table_args__ = (
        Index(
            "carrier_labels_one_return_per_case",
            "case_id",
            unique=True,
            postgresql_where=sql("kind = 'return'"),
        ),
        {"schema": SCHEMA},
    )

    reference: str = text(primary_key=True)
    kind: str = text()  # LabelKind
    case_id: str = text(index=True)
    seller_account: str = text("", index=True)
    warehouse: str = text()
    state: str = text(LabelState.OWED.value)
    weight_g: int = integer()
    dimensions_mm: list[int] | None = column(ARRAY(Integer), None)  # longest side first
    easypost_shipment_id: str | None = text(None)
    carrier: str = text("")
    service: str = text("")
    service_code: str = text("")
    easypost_carrier: str = text("")
    easypost_service: str = text("")
    postage_minor: int = integer(0)
    postage_currency: str = text("")
    tracking_number: str | None = text(None)
    label_url: str | None = text(None)
    label_type: str | None = text(None)
    passed_over: list[str] = json()
    return_order: dict[str, Any] = json(dict)
    refund_status: str | None = text(None)
    cause: str | None = text(None)
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(index=True)
    created_at: datetime = moment()
    bought_at: datetime | None = moment(None)
    voided_at: datetime | None = moment(None)


class CarrierPickup(SQLModel, table=True):
    """A carrier collection of a return booked through EasyPost, one per window booked
    (`reference`: the RMA and the window). state: booking → scheduled; a pickup moved to
    another window is owed a cancellation → cancelled (see `domain/carrier_pickups.py`)."""

    __tablename__ = "carrier_pickups"
    __table_args__ = {"schema": SCHEMA}

    reference: str = text(primary_key=True)
    rma_id: str = text(index=True)
    case_id: str = text()
    state: str = text(PickupState.BOOKING.value)
    easypost_pickup_id: str | None = text(None)
    confirmation: str | None = text(None)
    day: date = column(Date)
    starts: time = column(Time)
    ends: time = column(Time)
    cause: str | None = text(None)
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(index=True)
    created_at: datetime = moment()
    scheduled_at: datetime | None = moment(None)
    cancelled_at: datetime | None = moment(None)


class StockAdjustment(SQLModel, table=True):
    """A count staff set by hand on the floor page, with its reason: who, when, from what
    to what. One row per form sent (`adjustment_id`, the form's own): sent twice, kept once."""

    __tablename__ = "stock_adjustments"
    __table_args__ = {"schema": SCHEMA}

    adjustment_id: str = text(primary_key=True)
    warehouse: str = text(index=True)
    sku: str = text()
    bin: str = text()
    on_hand_before: int | None = integer(None)
    on_hand: int = integer()
    reason: str = text()
    adjusted_by: str = text()
    adjusted_at: datetime = moment()


class ParcelPhoto(SQLModel, table=True):
    """A photo staff took of a returned parcel as it was scanned in (the device's camera),
    named by its content: the same photo sent twice is kept once."""

    __tablename__ = "parcel_photos"
    __table_args__ = {"schema": SCHEMA}

    photo_id: str = text(primary_key=True)
    warehouse: str = text()
    content_type: str = text()
    content: bytes = column(LargeBinary)
    taken_by: str = text()
    taken_at: datetime = moment()
