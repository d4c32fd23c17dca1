"""A decided part, exchange or reship becomes a staff task in the best local warehouse.

The decision is owed in the consuming transaction; a router (a worker) then asks intake
for the buyer's postcode, which sets the carrier zones, and routes it: the warehouses of
the buyer's region that hold every SKU are ranked (the promise met, the earliest
delivery, the cheapest postage) and stock is reserved in rank order, so a warehouse that
lost its last unit to a concurrent case is simply passed over. Out of stock everywhere
in the region, the case goes back to resolution at once.
"""

import logging
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.adapters.ship_to import AddressUnknown, LookupUnavailable
from services.fulfillment.domain.routing import (
    PROMISE_BUSINESS_DAYS,
    WarehouseChoice,
    parcel_weight_g,
    rank_warehouses,
)
from services.fulfillment.domain.shipments import (
    new_shipment_id,
    shipped_items,
    units_to_reserve,
)
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, warehouses_for
from services.fulfillment.tables import DispatchRequest, Shipment, StockLevel
from services.fulfillment.workflows.warehouse_deliveries import push_task
from shared.events import CaseItem, DispatchRequested, PickLine, Remedy, StockUnavailable
from shared.leases import LeasedWork
from shared.markets import REGION_OF, Market
from shared.messaging_tables import utc_now
from shared.outbox import emit
from shared.service import Service
from shared.wakeup import retry_pause

log = logging.getLogger(__name__)

DISPATCH_CHANNEL = "dispatch_requests_due"
# Intake asked this many times before routing on the region's farthest zones instead.
LOOKUP_ATTEMPTS = 5


async def owe_dispatch(
    session: AsyncSession,
    request_id: str,
    case_id: str,
    remedy: Remedy,
    market: Market,
    items: list[CaseItem],
    passing_over: tuple[str, ...] = (),
) -> None:
    now = utc_now()
    await session.execute(
        insert(DispatchRequest)
        .values(
            request_id=request_id,
            case_id=case_id,
            remedy=remedy.value,
            market=market.value,
            items=[item.model_dump(mode="json") for item in items],
            passing_over=list(passing_over),
            state="pending",
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


class DispatchRouter(LeasedWork[DispatchRequest]):
    """Routes owed dispatches to warehouses, with the buyer's postcode when intake has it."""

    def __init__(self, service: Service) -> None:
        super().__init__("dispatch router", DISPATCH_CHANNEL, service, DispatchRequest, self._route)

    async def _route(self, request: DispatchRequest) -> None:
        try:
            postal_code = (
                await self.service.context.ship_to.address_of(request.case_id)
            ).postal_code
        except AddressUnknown:
            postal_code = None
        except LookupUnavailable as failure:
            if request.attempts < LOOKUP_ATTEMPTS:
                await self._later(request, failure)
                return
            log.warning("routing case %s without its postcode: %s", request.case_id, failure)
            postal_code = None
        async with (
            self.service.transaction() as session,
            self.service.case_span(session, request.case_id, "dispatch routed"),
        ):
            await self._dispatch(session, request, postal_code)

    async def _dispatch(
        self, session: AsyncSession, request: DispatchRequest, postal_code: str | None
    ) -> None:
        owed = await session.get(DispatchRequest, request.request_id, with_for_update=True)
        if owed is None or owed.state != "pending":
            return  # another router got there first
        await request_dispatch(
            session,
            owed.case_id,
            Remedy(owed.remedy),
            Market(owed.market),
            [CaseItem.model_validate(item) for item in owed.items],
            postal_code=postal_code,
            passing_over=tuple(owed.passing_over),
        )
        owed.state, owed.routed_at = "done", utc_now()
        session.add(owed)

    async def _later(self, request: DispatchRequest, failure: Exception) -> None:
        log.info("dispatch of case %s waits for intake: %s", request.case_id, failure)
        async with self.service.transaction() as session:
            await session.execute(
                update(DispatchRequest)
                .where(DispatchRequest.request_id == request.request_id)
                .values(next_attempt_at=utc_now() + retry_pause(request.attempts))
            )


class _NotInStock(Exception):
    pass


async def reserve_stock(
    session: AsyncSession, warehouse: str, needed: dict[str, int]
) -> list[PickLine] | None:
    """Reserve every SKU in one warehouse, or none of them.

    Two cases never get the last unit: each conditional UPDATE locks its row and
    re-checks the condition after a concurrent commit.
    """
    if len(needed) == 1:  # one conditional UPDATE is all-or-nothing by itself
        return await _reserve_each(session, warehouse, needed)
    try:
        async with session.begin_nested():
            lines = await _reserve_each(session, warehouse, needed)
            if lines is None:
                raise _NotInStock  # rolls back the SKUs reserved so far
            return lines
    except _NotInStock:
        return None


async def _reserve_each(
    session: AsyncSession, warehouse: str, needed: dict[str, int]
) -> list[PickLine] | None:
    lines = []
    for sku, quantity in sorted(needed.items()):
        bin_ = await session.scalar(
            update(StockLevel)
            .where(
                StockLevel.warehouse == warehouse,
                StockLevel.sku == sku,
                StockLevel.on_hand - StockLevel.reserved >= quantity,
            )
            .values(reserved=StockLevel.reserved + quantity)
            .returning(StockLevel.bin)
        )
        if bin_ is None:
            return None
        lines.append(PickLine(sku=sku, quantity=quantity, bin=bin_))
    return lines


async def release_stock(session: AsyncSession, shipment: Shipment) -> None:
    """Give back what a task reserved (a problem reported before it shipped)."""
    for line in shipment.pick_list:
        await session.execute(
            update(StockLevel)
            .where(StockLevel.warehouse == shipment.warehouse, StockLevel.sku == line["sku"])
            .values(reserved=func.greatest(StockLevel.reserved - line["quantity"], 0))
        )


async def take_stock(session: AsyncSession, shipment: Shipment) -> None:
    """Units shipped leave the shelf and their reservation together."""
    for line in shipment.pick_list:
        quantity = line["quantity"]
        await session.execute(
            update(StockLevel)
            .where(StockLevel.warehouse == shipment.warehouse, StockLevel.sku == line["sku"])
            .values(on_hand=StockLevel.on_hand - quantity, reserved=StockLevel.reserved - quantity)
        )


async def write_off(session: AsyncSession, shipment: Shipment) -> None:
    """Damaged or missing units are no longer on hand (never below what others reserved)."""
    for line in shipment.pick_list:
        await session.execute(
            update(StockLevel)
            .where(
                StockLevel.warehouse == shipment.warehouse,
                StockLevel.sku == line["sku"],
                StockLevel.on_hand - line["quantity"] >= StockLevel.reserved,
            )
            .values(on_hand=StockLevel.on_hand - line["quantity"])
        )


async def warehouses_holding(
    session: AsyncSession, codes: list[str], needed: dict[str, int]
) -> list[str]:
    """The warehouses (of `codes`) that have every needed SKU free right now."""
    rows = await session.execute(
        select(
            StockLevel.warehouse, StockLevel.sku, StockLevel.on_hand - StockLevel.reserved
        ).where(StockLevel.warehouse.in_(codes), StockLevel.sku.in_(list(needed)))
    )
    free: dict[str, dict[str, int]] = {}
    for warehouse, sku, available in rows:
        free.setdefault(warehouse, {})[sku] = available
    return [
        code
        for code in codes
        if all(free.get(code, {}).get(sku, 0) >= quantity for sku, quantity in needed.items())
    ]


async def request_dispatch(
    session: AsyncSession,
    case_id: str,
    remedy: Remedy,
    market: Market,
    items: list[CaseItem],
    postal_code: str | None = None,
    passing_over: tuple[str, ...] = (),
    now: datetime | None = None,
) -> Shipment | None:
    """Reserve and publish a task in the best warehouse, or publish that the region has
    no stock (resolution then moves the case to its next remedy). `passing_over` names
    warehouses that already failed this case."""
    now = now or datetime.now(UTC)
    needed = units_to_reserve(remedy, items)
    codes = [w.code for w in warehouses_for(market) if w.code not in passing_over]
    holding = await warehouses_holding(session, codes, needed)
    ranked = rank_warehouses(
        [WAREHOUSE_BY_CODE[code] for code in holding],
        market,
        postal_code,
        parcel_weight_g(shipped_items(remedy, items)),
        now,
        PROMISE_BUSINESS_DAYS[remedy],
    )
    for choice in ranked:
        pick_list = await reserve_stock(session, choice.warehouse.code, needed)
        if pick_list is not None:
            return await _new_task(session, case_id, remedy, market, items, choice, pick_list, now)
    await emit(
        session,
        StockUnavailable(
            case_id=case_id, remedy=remedy, region=REGION_OF[market], missing_skus=sorted(needed)
        ),
    )
    return None


async def _new_task(
    session: AsyncSession,
    case_id: str,
    remedy: Remedy,
    market: Market,
    items: list[CaseItem],
    choice: WarehouseChoice,
    pick_list: list[PickLine],
    now: datetime,
) -> Shipment:
    quote = choice.quote
    shipment = Shipment(
        shipment_id=new_shipment_id(),
        case_id=case_id,
        remedy=remedy.value,
        warehouse=choice.warehouse.code,
        status="requested",
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
    session.add(shipment)
    event = DispatchRequested(
        case_id=case_id,
        shipment_id=shipment.shipment_id,
        remedy=remedy,
        warehouse=shipment.warehouse,
        pick_list=pick_list,
        carrier=quote.carrier,
        service=quote.service,
        postage_minor=quote.price_minor,
        postage_currency=quote.currency,
        promised_by=quote.delivered_by,
    )
    await emit(session, event)
    await push_task(session, event, now)
    return shipment
