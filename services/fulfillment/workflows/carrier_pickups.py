"""Carrier pickups of returns booked through EasyPost's Pickup API, for a return whose label
was bought from the carrier (one drawn here is booked here, as before).

A booking is one window of one return, its reference the RMA and the window. Like a label,
its EasyPost pickup is kept before it is bought and read back by a try that finds one kept,
so a lost answer never books the carrier twice. Booking a window moved away from before
makes a booking of its own (`…~2`). Once a booking is committed, the return's other
scheduled bookings are owed a cancellation, which a worker asks EasyPost for.
"""

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.adapters.carrier_pickups import CarrierPickups
from services.fulfillment.adapters.easypost import SYSTEM
from services.fulfillment.domain import carrier_pickups
from services.fulfillment.domain.carrier_pickups import (
    BOOKING,
    CANCEL_OWED,
    SCHEDULED,
    CarrierPickup,
    pickup_reference,
    rate_for,
    window_in_utc,
)
from services.fulfillment.domain.pickups import PickupWindow
from services.fulfillment.tables import CarrierLabel, ReturnParcel
from services.fulfillment.tables import CarrierPickup as PickupRow
from shared.labels import PostalAddress
from shared.markets import Market
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable
from shared.service import Service
from shared.wakeup import retry_pause

PICKUPS_CHANNEL = "carrier_pickups_due"


async def book(
    service: Service,
    pickups: CarrierPickups,
    parcel: ReturnParcel,
    label: CarrierLabel,
    window: PickupWindow,
    buyer: PostalAddress,
) -> tuple[str, CarrierPickup]:
    """The window's booking and its pickup, scheduled at the buyer's door: read back when
    one was kept, else made and kept, then bought from the return carrier's pickup rates.
    `Refused` (422) when EasyPost offers that carrier no pickup then."""
    reference, kept_id = await _open_booking(service, pickup_reference(parcel.rma_id, window))
    if kept_id is not None:
        pickup = await pickups.pickup(kept_id)
    else:
        earliest, latest = window_in_utc(window, Market(parcel.market))
        assert label.easypost_shipment_id is not None  # a label bought from the carrier
        made = await pickups.create(
            reference,
            buyer,
            label.easypost_shipment_id,
            earliest,
            latest,
            f"Return {parcel.rma_id}: one parcel, labelled",
        )
        kept = await _keep(service, reference, parcel, window, made.pickup_id)
        pickup = made if kept == made.pickup_id else await pickups.pickup(kept)
    if pickup.is_scheduled:
        return reference, pickup
    rate = rate_for(pickup, label.easypost_carrier)
    if rate is None:
        raise Refused(SYSTEM, f"EasyPost offers no {label.easypost_carrier} pickup then", 422)
    return reference, await pickups.buy(pickup.pickup_id, rate.carrier, rate.service)


async def scheduled(
    session: AsyncSession, reference: str, rma_id: str, confirmation: str | None, now: datetime
) -> None:
    """The booking scheduled, in the transaction that books the return's pickup; the
    return's other bookings are owed a cancellation."""
    row = await session.get(PickupRow, reference, with_for_update=True)
    assert row is not None  # kept before it was bought
    row.state = carrier_pickups.schedule(row.state, reference)
    row.confirmation, row.scheduled_at = confirmation, row.scheduled_at or now
    session.add(row)
    await session.execute(
        update(PickupRow)
        .where(
            PickupRow.rma_id == rma_id,
            PickupRow.reference != reference,
            PickupRow.state.in_((BOOKING, SCHEDULED)),
        )
        .values(state=CANCEL_OWED, next_attempt_at=now)
    )
    await session.execute(sql("SELECT pg_notify(:channel, '')"), {"channel": PICKUPS_CHANNEL})


async def cancel(service: Service, pickups: CarrierPickups, row: PickupRow) -> None:
    """A booking moved away from, cancelled at EasyPost (read back when it was already);
    tried again later when EasyPost cannot answer or says no."""
    try:
        if row.easypost_pickup_id is not None:
            await pickups.cancel(row.easypost_pickup_id)
    except (Unavailable, Refused) as failure:
        async with service.transaction() as session:
            await session.execute(
                update(PickupRow)
                .where(PickupRow.reference == row.reference)
                .values(next_attempt_at=utc_now() + retry_pause(row.attempts), cause=failure.reason)
            )
        return
    async with service.transaction() as session:
        current = await session.get(PickupRow, row.reference, with_for_update=True)
        if current is not None and current.state == CANCEL_OWED:
            current.state = carrier_pickups.cancel(current.state, row.reference)
            current.cancelled_at, current.cause = utc_now(), None
            session.add(current)


async def _open_booking(service: Service, base: str) -> tuple[str, str | None]:
    """The window's booking still open (booking or scheduled) and its pickup; else the
    reference a new booking takes."""
    async with service.sessions() as session:
        rows = list(
            await session.scalars(
                select(PickupRow).where(
                    or_(PickupRow.reference == base, PickupRow.reference.startswith(f"{base}~"))
                )
            )
        )
    for row in rows:
        if row.state in (BOOKING, SCHEDULED):
            return row.reference, row.easypost_pickup_id
    return (base if not rows else f"{base}~{len(rows) + 1}"), None


async def _keep(
    service: Service,
    reference: str,
    parcel: ReturnParcel,
    window: PickupWindow,
    pickup_id: str,
) -> str:
    """The pickup kept for the booking: `pickup_id`, unless another try kept one first."""
    now = utc_now()
    keep = (
        insert(PickupRow)
        .values(
            reference=reference,
            rma_id=parcel.rma_id,
            case_id=parcel.case_id,
            state=BOOKING,
            easypost_pickup_id=pickup_id,
            day=window.day,
            starts=window.starts,
            ends=window.ends,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(PickupRow.easypost_pickup_id)
    )
    async with service.transaction() as session:
        kept = (await session.execute(keep)).scalar_one_or_none()
        if kept is None:
            kept = await session.scalar(
                select(PickupRow.easypost_pickup_id).where(PickupRow.reference == reference)
            )
    return kept
