"""Warehouse staff's steps on a dispatch task: picked, packed (weighed, rated for the
buyer's postcode, labelled), shipped (the units leave the shelf), or a problem reported
(the stock goes back, less what is damaged or missing, and the case is owed a dispatch
from the next warehouse of its region; a carrier's label bought for it is given back).
Each step is an event; a step taken again changes nothing. The caller holds the task locked
in `session`."""

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.domain import tasks
from services.fulfillment.domain.shipments import BUYERS_OWN_UNIT
from services.fulfillment.domain.tasks import PROBLEM, UNITS_LOST, Problem
from services.fulfillment.tables import Shipment
from services.fulfillment.workflows import labelling, stock
from services.fulfillment.workflows.dispatching import owe_dispatch
from services.fulfillment.workflows.labelling import BoughtLabel
from shared.events import CaseItem, Remedy
from shared.markets import Market
from shared.messaging_tables import utc_now
from shared.outbox import emit_all
from shared.service import Service


async def pick(service: Service, session: AsyncSession, task: Shipment, by: str) -> Shipment:
    now = utc_now()
    moved = tasks.pick(task, by, now)
    if moved.repeated:
        return task
    async with service.case_span(session, task.case_id, "task picked"):
        task.status, task.picked_by, task.picked_at = moved.state, by, now
        session.add(task)
        await emit_all(session, moved.events)
    return task


async def pack(
    service: Service,
    session: AsyncSession,
    task: Shipment,
    weight_g: int,
    postal_code: str | None,
    by: str,
    bought: BoughtLabel | None = None,
) -> Shipment:
    """With a label `bought` from the carrier (`labelling.dispatch_label`), its service and
    tracking number, recorded with the label; else the cards' choice and a minted number."""
    now = utc_now()
    moved = tasks.pack(task, weight_g, postal_code, by, now, bought.service if bought else None)
    if moved.repeated:
        return task
    async with service.case_span(session, task.case_id, "task packed"):
        quote = moved.quote
        assert quote is not None  # a move, not a repeat
        task.status, task.packed_by, task.packed_at = moved.state, by, now
        task.weight_g = weight_g
        task.carrier, task.service, task.service_code = (
            quote.carrier,
            quote.service,
            quote.service_code,
        )
        task.postage_minor, task.postage_currency = quote.price_minor, quote.currency.value
        task.tracking_number = moved.tracking_number
        session.add(task)
        if bought is not None:
            await labelling.record_bought(session, task.shipment_id, bought, now)
        await emit_all(session, moved.events)
    return task


async def ship(
    service: Service, session: AsyncSession, task: Shipment, tracking_number: str | None, by: str
) -> Shipment:
    """Shipped under a tracking number of the staff's own: the carrier's label bought for
    the parcel was not used, and is given back."""
    now = utc_now()
    moved = tasks.ship(task, tracking_number, by, now)
    if moved.repeated:
        return task
    (shipped,) = moved.events
    async with service.case_span(session, task.case_id, "task shipped"):
        if shipped.tracking_number != task.tracking_number:
            await labelling.give_up(session, task.shipment_id)
        task.status, task.shipped_by, task.shipped_at = moved.state, by, now
        task.tracking_number = shipped.tracking_number
        session.add(task)
        await stock.take(session, task)
        await emit_all(session, moved.events)
    return task


async def report_problem(
    service: Service, session: AsyncSession, task: Shipment, problem: Problem, note: str, by: str
) -> Shipment:
    """The case goes to the next warehouse of its region that holds the stock, never one
    that failed it before, or back to resolution. The buyer's own unit (a repair) has no
    other warehouse to come from: its problem is reported, for an agent, and nothing more."""
    now = utc_now()
    moved = tasks.report_problem(task, problem, note, by, now)
    if moved.repeated:
        return task
    async with service.case_span(session, task.case_id, "task problem"):
        failed_before = await _warehouses_that_failed(session, task.case_id)
        task.status, task.problem, task.problem_note = moved.state, problem, note
        task.problem_at = now
        session.add(task)
        await labelling.give_up(session, task.shipment_id)  # a label bought is not used
        await stock.release(session, task)
        if problem in UNITS_LOST:
            await stock.write_off(session, task)
        await emit_all(session, moved.events)
        if Remedy(task.remedy) in BUYERS_OWN_UNIT:
            return task
        await owe_dispatch(
            session,
            f"after-{task.shipment_id}",
            task.case_id,
            Remedy(task.remedy),
            Market(task.market),
            [CaseItem.model_validate(item) for item in task.items],
            task.seller_account,
            passing_over=(*failed_before, task.warehouse),
        )
    return task


async def _warehouses_that_failed(session: AsyncSession, case_id: str) -> tuple[str, ...]:
    return tuple(
        await session.scalars(
            select(Shipment.warehouse).where(
                Shipment.case_id == case_id, Shipment.status == PROBLEM
            )
        )
    )
