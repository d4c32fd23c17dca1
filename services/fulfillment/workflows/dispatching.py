"""A decided part, exchange or reship becomes a staff task in the best local warehouse.

The decision is owed in the consuming transaction; the dispatch router (a worker) then
asks intake for the buyer's postcode, which sets the carrier zones, and routes it here:
the warehouses of the buyer's region that hold every SKU are ranked (the promise met, the
earliest delivery, the cheapest postage) and stock is reserved in rank order, so a
warehouse that lost its last unit to a concurrent case is simply passed over. Out of stock
everywhere in the region, the case goes back to resolution at once.

A repaired unit (`ship_back_repaired`) is the buyer's own: its task ships it from the
repair shop's warehouse and reserves nothing from stock.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain import dispatch_requests
from services.fulfillment.domain.carriers import ShippingRefused
from services.fulfillment.domain.dispatch_requests import RequestState
from services.fulfillment.domain.parcels import parcel_weight_g
from services.fulfillment.domain.routing import (
    PROMISE_BUSINESS_DAYS,
    WarehouseChoice,
    rank_warehouses,
)
from services.fulfillment.domain.shipments import (
    new_shipment_id,
    shipped_items,
    units_to_reserve,
)
from services.fulfillment.domain.tasks import TaskStatus
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, warehouses_for
from services.fulfillment.tables import DispatchRequest, ReturnParcel, Shipment
from services.fulfillment.workflows import stock
from services.fulfillment.workflows.warehouse_deliveries import owe_delivery
from shared.events import (
    CaseItem,
    DispatchRequested,
    DispositionDecided,
    PickLine,
    Remedy,
    StockUnavailable,
)
from shared.markets import REGION_OF, Market
from shared.messaging_tables import utc_now
from shared.outbox import emit
from shared.wakeup import retry_pause


async def owe_dispatch(
    session: AsyncSession,
    request_id: str,
    case_id: str,
    remedy: Remedy,
    market: Market,
    items: list[CaseItem],
    seller_account: str,
    passing_over: tuple[str, ...] = (),
) -> None:
    """A dispatch owed to the case, for the router; owed once per `request_id`."""
    now = utc_now()
    await session.execute(
        insert(DispatchRequest)
        .values(
            request_id=request_id,
            case_id=case_id,
            seller_account=seller_account,
            remedy=remedy.value,
            market=market.value,
            items=[item.model_dump(mode="json") for item in items],
            passing_over=list(passing_over),
            state=RequestState.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


async def route(session: AsyncSession, request_id: str, postal_code: str | None) -> None:
    """Dispatch what the request owes, unless another router got there first."""
    owed = await session.get(DispatchRequest, request_id, with_for_update=True)
    routed = dispatch_requests.route(owed.state) if owed is not None else None
    if routed is None:
        return
    await request_dispatch(
        session,
        owed.case_id,
        Remedy(owed.remedy),
        Market(owed.market),
        [CaseItem.model_validate(item) for item in owed.items],
        seller_account=owed.seller_account,
        postal_code=postal_code,
        passing_over=tuple(owed.passing_over),
    )
    owed.state, owed.routed_at = routed.state, utc_now()
    session.add(owed)


async def postpone(session: AsyncSession, request: DispatchRequest) -> None:
    """Routed later, after a pause that grows with the attempts."""
    await session.execute(
        update(DispatchRequest)
        .where(DispatchRequest.request_id == request.request_id)
        .values(next_attempt_at=utc_now() + retry_pause(request.attempts))
    )


async def request_dispatch(
    session: AsyncSession,
    case_id: str,
    remedy: Remedy,
    market: Market,
    items: list[CaseItem],
    seller_account: str = "",
    postal_code: str | None = None,
    passing_over: tuple[str, ...] = (),
    now: datetime | None = None,
) -> Shipment | None:
    """Reserve and publish a task in the best warehouse, or publish that the region has
    no stock (resolution then moves the case to its next remedy). `passing_over` names
    warehouses that already failed this case."""
    now = now or utc_now()
    needed = units_to_reserve(remedy, items)
    codes = [w.code for w in warehouses_for(market) if w.code not in passing_over]
    holding = await stock.warehouses_holding(session, codes, needed)
    ranked = rank_warehouses(
        [WAREHOUSE_BY_CODE[code] for code in holding],
        market,
        postal_code,
        parcel_weight_g(shipped_items(remedy, items)),
        now,
        PROMISE_BUSINESS_DAYS[remedy],
    )
    for choice in ranked:
        pick_list = await stock.reserve(session, choice.warehouse.code, needed)
        if pick_list is not None:
            return await _new_task(
                session, case_id, remedy, market, items, choice, pick_list, now, seller_account
            )
    await emit(
        session,
        StockUnavailable(
            case_id=case_id, remedy=remedy, region=REGION_OF[market], missing_skus=sorted(needed)
        ),
    )
    return None


async def ship_back_repaired(
    session: AsyncSession, decided: DispositionDecided, now: datetime | None = None
) -> Shipment | None:
    """The buyer's own unit, repaired (or found with nothing to repair), shipped back from
    the repair shop's warehouse: a staff task with an empty pick list, so no stock unit is
    reserved. None when the unit did not come in for a repair, or its case has its task
    already. `ShippingRefused` when no carrier ships from that warehouse to the buyer."""
    parcel = await session.get(ReturnParcel, decided.rma_id)
    if parcel is None or not parcel.for_repair:
        return None
    shipped_before = await session.scalar(
        select(Shipment.shipment_id).where(
            Shipment.case_id == decided.case_id, Shipment.remedy == Remedy.REPAIR.value
        )
    )
    if shipped_before is not None:
        return None
    now = now or utc_now()
    market = Market(parcel.market)
    items = [CaseItem.model_validate(item) for item in parcel.items]
    shop = WAREHOUSE_BY_CODE[decided.warehouse]
    ranked = rank_warehouses(
        [shop],
        market,
        None,
        parcel_weight_g(items),
        now,
        PROMISE_BUSINESS_DAYS[Remedy.REPAIR],
    )
    if not ranked:
        raise ShippingRefused(f"no carrier ships from {shop.code} to a buyer in {market}")
    return await _new_task(
        session,
        decided.case_id,
        Remedy.REPAIR,
        market,
        items,
        ranked[0],
        [],
        now,
        parcel.seller_account,
    )


async def _new_task(
    session: AsyncSession,
    case_id: str,
    remedy: Remedy,
    market: Market,
    items: list[CaseItem],
    choice: WarehouseChoice,
    pick_list: list[PickLine],
    now: datetime,
    seller_account: str,
) -> Shipment:
    quote = choice.quote
    task = Shipment(
        shipment_id=new_shipment_id(),
        case_id=case_id,
        seller_account=seller_account,
        remedy=remedy.value,
        warehouse=choice.warehouse.code,
        status=TaskStatus.REQUESTED,
        pick_list=[line.model_dump() for line in pick_list],
        requested_at=now,
        market=market.value,
        items=[item.model_dump(mode="json") for item in items],
        carrier=quote.carrier,
        service=quote.service,
        service_code=quote.service_code,
        postage_minor=quote.price_minor,
        postage_currency=quote.currency.value,
        promised_by=quote.delivered_by,
    )
    session.add(task)
    requested = DispatchRequested(
        case_id=case_id,
        shipment_id=task.shipment_id,
        remedy=remedy,
        warehouse=task.warehouse,
        pick_list=pick_list,
        carrier=quote.carrier,
        service=quote.service,
        postage_minor=quote.price_minor,
        postage_currency=quote.currency,
        promised_by=quote.delivered_by,
    )
    await emit(session, requested)
    await owe_delivery(session, requested, seller_account, now)
    return task
