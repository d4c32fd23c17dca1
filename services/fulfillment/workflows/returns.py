"""Returns: a prepaid label when a return is decided, the parcel scanned in when it
arrives (by RMA or tracking number), and the units refurbish sends back to origin."""

from datetime import UTC, datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain.carriers import cheapest_meeting, quotes
from services.fulfillment.domain.routing import parcel_weight_g
from services.fulfillment.domain.shipments import new_rma_id, new_tracking_number
from services.fulfillment.domain.warehouses import warehouses_for
from services.fulfillment.tables import OriginConsolidation, OriginUnit, ReturnParcel
from shared.events import (
    CaseItem,
    DispositionDecided,
    ResolutionDecided,
    ReturnLabelIssued,
    ReturnReceived,
    ReturnRoute,
)
from shared.outbox import emit


async def issue_return_label(
    session: AsyncSession, decision: ResolutionDecided, now: datetime | None = None
) -> ReturnParcel | None:
    """A label to the buyer's own country's warehouse (or the region's), with the
    warehouse's return carrier at its cheapest service. A case gets one label."""
    if await session.scalar(
        select(ReturnParcel.rma_id).where(ReturnParcel.case_id == decision.case_id)
    ):
        return None
    now = now or datetime.now(UTC)
    warehouse = warehouses_for(decision.market)[0]
    offered = quotes(warehouse, decision.market, None, parcel_weight_g(decision.items), now)
    by_return_carrier = [q for q in offered if q.carrier == warehouse.return_carrier]
    quote = cheapest_meeting(by_return_carrier or offered, None)
    assert quote is not None  # `quotes` refuses rather than answer nothing
    parcel = ReturnParcel(
        rma_id=new_rma_id(),
        case_id=decision.case_id,
        warehouse=warehouse.code,
        carrier=quote.carrier,
        tracking_number=new_tracking_number(quote.carrier),
        issued_at=now,
        market=decision.market.value,
        currency=decision.currency.value,
        items=[item.model_dump(mode="json") for item in decision.items],
        route=(decision.route or ReturnRoute.LOCAL).value,
        service=quote.service,
        postage_minor=quote.price_minor,
        postage_currency=quote.currency.value,
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
        ),
    )
    return parcel


async def parcel_scanned(session: AsyncSession, code: str) -> ReturnParcel | None:
    """The return a scanned code names: its RMA or its label's tracking number."""
    code = code.strip()
    return await session.scalar(
        select(ReturnParcel)
        .where((ReturnParcel.rma_id == code.upper()) | (ReturnParcel.tracking_number == code))
        .with_for_update()
    )


async def receive(
    session: AsyncSession,
    parcel: ReturnParcel,
    by: str,
    condition_note: str,
    photos: list[str],
    now: datetime | None = None,
) -> ReturnParcel:
    """Record the parcel in, once: a second scan changes nothing."""
    received = await session.scalar(
        update(ReturnParcel)
        .where(ReturnParcel.rma_id == parcel.rma_id, ReturnParcel.received_at.is_(None))
        .values(
            received_at=now or datetime.now(UTC),
            condition_note=condition_note,
            photos=photos,
            received_by=by,
        )
        .returning(ReturnParcel)
        .execution_options(populate_existing=True)
    )
    if received is None:
        return parcel
    await emit(
        session,
        ReturnReceived(
            case_id=received.case_id,
            rma_id=received.rma_id,
            warehouse=received.warehouse,
            condition_note=received.condition_note,
            received_at=received.received_at,
            items=[CaseItem.model_validate(item) for item in received.items],
            market=received.market or None,
            currency=received.currency or None,
            route=ReturnRoute(received.route),
            photos=received.photos,
        ),
    )
    return received


async def hold_for_origin(
    session: AsyncSession, disposition: DispositionDecided, now: datetime | None = None
) -> None:
    """A unit refurbish routes back to the factory joins its warehouse's open
    consolidation (opened on the first unit)."""
    now = now or datetime.now(UTC)
    consolidation_id = await open_consolidation(session, disposition.warehouse, now)
    await session.execute(
        insert(OriginUnit)
        .values(
            rma_id=disposition.rma_id,
            consolidation_id=consolidation_id,
            case_id=disposition.case_id,
            items=[item.model_dump(mode="json") for item in disposition.items],
            currency=disposition.currency.value,
            added_at=now,
        )
        .on_conflict_do_nothing()
    )


async def open_consolidation(session: AsyncSession, warehouse: str, now: datetime) -> str:
    opened = await session.scalar(
        insert(OriginConsolidation)
        .values(
            consolidation_id=f"org-{warehouse}-{now:%Y%m%d%H%M%S%f}",
            warehouse=warehouse,
            status="open",
            opened_at=now,
        )
        .on_conflict_do_nothing(index_elements=["warehouse"], index_where=text("status = 'open'"))
        .returning(OriginConsolidation.consolidation_id)
    )
    if opened is not None:
        return opened
    return await session.scalar(
        select(OriginConsolidation.consolidation_id).where(
            OriginConsolidation.warehouse == warehouse, OriginConsolidation.status == "open"
        )
    )
