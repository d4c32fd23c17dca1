"""Returns: a prepaid label when a return is decided, a carrier pickup booked, the parcel
scanned in when it arrives (by RMA or tracking number). A parcel that matches neither goes
on the warehouse's holding list until staff match it, so nothing that arrives is lost."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain import returns
from services.fulfillment.domain.carrier_pickups import CarrierPickup
from services.fulfillment.domain.carriers import Quote
from services.fulfillment.domain.parcels import parcel_weight_g
from services.fulfillment.domain.pickups import PickupWindow
from services.fulfillment.domain.returns import return_services
from services.fulfillment.domain.shipments import (
    new_holding_id,
    new_rma_id,
    new_tracking_number,
)
from services.fulfillment.domain.warehouses import warehouses_for
from services.fulfillment.tables import HeldParcel, ReturnParcel
from services.fulfillment.workflows import carrier_pickups
from shared.events import Remedy, ResolutionDecided, ReturnLabelIssued, ReturnRoute
from shared.messaging_tables import utc_now
from shared.outbox import emit, emit_all
from shared.service import Service


async def issue_return_label(
    session: AsyncSession, decision: ResolutionDecided, now: datetime | None = None
) -> ReturnParcel | None:
    """A label to the buyer's own country's warehouse (or the region's), with the
    warehouse's return carrier at its cheapest service. A case gets one label. For a
    repair, the label takes the unit to that warehouse's repair shop, marked as such."""
    if await has_return(session, decision.case_id):
        return None
    now = now or utc_now()
    warehouse = warehouses_for(decision.market)[0]
    weight_g = parcel_weight_g(decision.items)
    quote = return_services(warehouse, decision.market, weight_g, now)[0]
    tracking_number = new_tracking_number(quote.carrier)
    order = return_order_of(decision)
    return await issue(
        session,
        new_rma_id(),
        decision.case_id,
        warehouse.code,
        quote,
        tracking_number,
        order,
        now,
        decision.seller_account,
    )


async def has_return(session: AsyncSession, case_id: str) -> bool:
    found = await session.scalar(select(ReturnParcel.rma_id).where(ReturnParcel.case_id == case_id))
    return found is not None


def return_order_of(decision: ResolutionDecided) -> dict[str, Any]:
    """What a return keeps of the decision: its market, currency, items and route, and
    whether the unit comes in for a repair (sent back to its buyer, never resold). A
    repair is always mended locally: its route is the local repair shop."""
    for_repair = decision.remedy is Remedy.REPAIR
    route = ReturnRoute.LOCAL if for_repair else (decision.route or ReturnRoute.LOCAL)
    return {
        "market": decision.market.value,
        "currency": decision.currency.value,
        "items": [item.model_dump(mode="json") for item in decision.items],
        "route": route.value,
        "for_repair": for_repair,
    }


async def issue(
    session: AsyncSession,
    rma_id: str,
    case_id: str,
    warehouse: str,
    quote: Quote,
    tracking_number: str,
    order: dict[str, Any],
    now: datetime,
    seller_account: str,
) -> ReturnParcel:
    """The return authorised, with its label's carrier, service and tracking number."""
    parcel = ReturnParcel(
        rma_id=rma_id,
        case_id=case_id,
        seller_account=seller_account,
        warehouse=warehouse,
        carrier=quote.carrier,
        tracking_number=tracking_number,
        issued_at=now,
        market=order["market"],
        currency=order["currency"],
        items=order["items"],
        route=order["route"],
        service=quote.service,
        postage_minor=quote.price_minor,
        postage_currency=quote.currency.value,
        for_repair=bool(order.get("for_repair", False)),
    )
    session.add(parcel)
    await emit(
        session,
        ReturnLabelIssued(
            case_id=parcel.case_id,
            rma_id=parcel.rma_id,
            warehouse=parcel.warehouse,
            carrier=parcel.carrier,
            tracking_number=parcel.tracking_number,
            service=parcel.service,
            postage_minor=parcel.postage_minor,
            postage_currency=quote.currency,
            route=ReturnRoute(parcel.route),
            for_repair=parcel.for_repair,
        ),
    )
    return parcel


async def book_pickup(
    service: Service,
    session: AsyncSession,
    parcel: ReturnParcel,
    window: PickupWindow,
    booked: tuple[str, CarrierPickup] | None = None,
) -> ReturnParcel:
    """Booking again moves the pickup. With a pickup `booked` at the carrier
    (`carrier_pickups.book`: its booking and EasyPost's pickup), the carrier's
    confirmation, and the return's earlier booking is cancelled. The caller holds the
    return locked."""
    now = utc_now()
    confirmation = booked[1].confirmation if booked else None
    moved = returns.book_pickup(parcel, window, now, confirmation)
    (scheduled,) = moved.events
    async with service.case_span(session, parcel.case_id, "pickup booked"):
        parcel.pickup_day, parcel.pickup_starts, parcel.pickup_ends = (
            window.day,
            window.starts,
            window.ends,
        )
        parcel.pickup_confirmation = scheduled.confirmation
        session.add(parcel)
        if booked is not None:
            reference, _ = booked
            await carrier_pickups.scheduled(session, reference, parcel.rma_id, confirmation, now)
        await emit(session, scheduled)
    return parcel


async def scan_in(
    service: Service,
    session: AsyncSession,
    warehouse: str,
    code: str,
    condition_note: str,
    photos: list[str],
    by: str,
) -> ReturnParcel | HeldParcel:
    """The return the code names, received; or the parcel held, once per code and
    warehouse."""
    parcel = await _return_scanned(session, code)
    if parcel is None:
        return await _hold(session, warehouse, code, condition_note, photos, by)
    return await receive(service, session, parcel, by, condition_note, photos)


async def _return_scanned(session: AsyncSession, code: str) -> ReturnParcel | None:
    """The return a scanned code names, locked: its RMA or its label's tracking number."""
    code = code.strip()
    return await session.scalar(
        select(ReturnParcel)
        .where((ReturnParcel.rma_id == code.upper()) | (ReturnParcel.tracking_number == code))
        .with_for_update()
    )


async def _hold(
    session: AsyncSession,
    warehouse: str,
    code: str,
    condition_note: str,
    photos: list[str],
    by: str,
) -> HeldParcel:
    held = await session.scalar(
        select(HeldParcel).where(
            HeldParcel.warehouse == warehouse,
            HeldParcel.scanned_code == code,
            HeldParcel.matched_rma.is_(None),
        )
    )
    if held is not None:
        return held
    held = HeldParcel(
        holding_id=new_holding_id(),
        warehouse=warehouse,
        scanned_code=code,
        condition_note=condition_note,
        photos=photos,
        held_by=by,
        held_at=utc_now(),
    )
    session.add(held)
    return held


async def match_held(
    service: Service, session: AsyncSession, held: HeldParcel, rma_id: str, by: str
) -> ReturnParcel | None:
    """The held parcel is the return `rma_id`: the return is received with the parcel's
    note and photos. None when there is no such return. The caller holds `held` locked."""
    returns.match(held, rma_id)
    parcel = await session.get(ReturnParcel, rma_id, with_for_update=True)
    if parcel is None:
        return None
    held.matched_rma, held.matched_at = parcel.rma_id, held.matched_at or utc_now()
    session.add(held)
    return await receive(service, session, parcel, by, held.condition_note, held.photos)


async def receive(
    service: Service,
    session: AsyncSession,
    parcel: ReturnParcel,
    by: str,
    condition_note: str,
    photos: Sequence[str],
) -> ReturnParcel:
    """Record the parcel in, once: a second scan changes nothing. The caller holds the
    return locked."""
    now = utc_now()
    moved = returns.receive(parcel, condition_note, photos, now)
    if moved.repeated:
        return parcel
    async with service.case_span(session, parcel.case_id, "return received"):
        parcel.received_at, parcel.received_by = now, by
        parcel.condition_note, parcel.photos = condition_note, list(photos)
        session.add(parcel)
        await emit_all(session, moved.events)
    return parcel
