"""Labels bought from the carrier through EasyPost: a dispatch task's while staff pack it
(they need it in hand), a return's once the return is decided (a worker buys it), and the
void of a label that will not be used (a worker asks for the refund).

Buying is idempotent end to end, though EasyPost takes no idempotency key. Every label has
a reference, the task's shipment id or the return's RMA, naming its `carrier_labels` row
and given to the EasyPost shipment. The shipment's id is kept on the row before it is
bought; a try that finds one kept reads it back first, and uses the label bought already
(when an earlier try's answer was lost, or its process died before committing) instead of
buying a second. Two tries at once keep one shipment between them: the first to keep its
id wins, and both buy that one, which EasyPost sells once.

EasyPost is called outside any row lock: keeping an id and committing a purchase take
short transactions of their own.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.fulfillment.adapters.carrier_labels import CarrierLabels
from services.fulfillment.adapters.easypost import SYSTEM
from services.fulfillment.domain import carrier_labels, tasks
from services.fulfillment.domain.carrier_labels import BOUGHT, OWED, VOID_OWED, LabelKind
from services.fulfillment.domain.carrier_services import (
    CarrierShipment,
    Choice,
    CustomsDeclaration,
    choice_of_bought,
    choose_rate,
    customs_for,
    ounces,
)
from services.fulfillment.domain.carriers import Quote, ShippingRefused
from services.fulfillment.domain.labels import warehouse_address
from services.fulfillment.domain.parcels import parcel_dimensions_mm, parcel_weight_g
from services.fulfillment.domain.returns import return_services
from services.fulfillment.domain.shipments import new_rma_id, shipped_items
from services.fulfillment.domain.tasks import BoughtService
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, warehouses_for
from services.fulfillment.tables import CarrierLabel, Shipment
from services.fulfillment.workflows import returns
from shared.events import CaseItem, Remedy, ResolutionDecided
from shared.labels import PostalAddress
from shared.markets import CURRENCY_OF, Market
from shared.messaging_tables import utc_now
from shared.outbound import Refused, Unavailable
from shared.service import Service
from shared.wakeup import retry_pause

LABELS_CHANNEL = "carrier_labels_due"


@dataclass(frozen=True)
class BoughtLabel:
    """A label the carrier sold: the rate cards' choice it stands for, and the shipment."""

    choice: Choice
    shipment: CarrierShipment

    @property
    def service(self) -> BoughtService:
        assert self.shipment.tracking_number is not None  # bought
        return BoughtService(self.choice.quote, self.shipment.tracking_number)


@dataclass(frozen=True)
class LabelOrder:
    """What a label is bought for: its reference, and the row it is kept on."""

    reference: str
    kind: LabelKind
    case_id: str
    warehouse: str
    weight_g: int
    seller_account: str
    customs: CustomsDeclaration | None = None
    dimensions_mm: tuple[int, ...] | None = None  # the parcel's size, when the catalog knows it


# Dispatch labels, while staff pack


async def dispatch_label(
    service: Service,
    labels: CarrierLabels,
    task: Shipment,
    weight_g: int,
    recipient: PostalAddress,
    by: str,
    measured_mm: tuple[int, int, int] | None = None,
) -> BoughtLabel | None:
    """The label of a task being packed, bought or read back; None when packing it is a
    repeat (its label was bought then). The box as staff `measured_mm` it, longest side
    first, else the size the catalog gives. A move packing may not make (`IllegalTransition`)
    or a parcel no service takes (`ShippingRefused`) is refused before anything is bought."""
    now = utc_now()
    if tasks.pack(task, weight_g, recipient.postal_code, by, now).repeated:
        return None
    ranked = tasks.rank_parcel(task, weight_g, recipient.postal_code, now)
    sender = warehouse_address(WAREHOUSE_BY_CODE[task.warehouse])
    items = shipped_items(Remedy(task.remedy), [CaseItem.model_validate(i) for i in task.items])
    currency = CURRENCY_OF[Market(task.market)].value
    customs = customs_for(sender.country_code, recipient.country_code, items, currency, False)
    order = LabelOrder(
        task.shipment_id,
        LabelKind.DISPATCH,
        task.case_id,
        task.warehouse,
        weight_g,
        task.seller_account,
        customs,
        tuple(sorted(measured_mm, reverse=True)) if measured_mm else parcel_dimensions_mm(items),
    )
    shipment = await carrier_shipment(service, labels, order, sender, recipient, is_return=False)
    return await bought_label(service, labels, order.reference, shipment, ranked)


async def record_bought(
    session: AsyncSession, reference: str, bought: BoughtLabel, now: datetime
) -> CarrierLabel:
    """The label bought, on its row (locked here), in the transaction that uses it."""
    row = await session.get(CarrierLabel, reference, with_for_update=True)
    assert row is not None  # kept before it was bought
    quote, rate, shipment = bought.choice.quote, bought.choice.rate, bought.shipment
    row.state = carrier_labels.buy(row.state, reference)
    row.easypost_shipment_id = shipment.shipment_id
    row.carrier, row.service, row.service_code = quote.carrier, quote.service, quote.service_code
    row.easypost_carrier, row.easypost_service = rate.carrier, rate.service
    row.postage_minor, row.postage_currency = rate.amount_minor, rate.currency
    row.tracking_number = shipment.tracking_number
    row.label_url, row.label_type = shipment.label_url, shipment.label_type
    row.passed_over = list(bought.choice.passed_over)
    row.bought_at, row.cause = row.bought_at or now, None
    session.add(row)
    return row


async def label_of(session: AsyncSession, reference: str) -> CarrierLabel | None:
    """The label bought from the carrier for a task or return; None when it has none (its
    label is drawn here)."""
    row = await session.get(CarrierLabel, reference)
    return row if row is not None and row.state == BOUGHT else None


# Return labels, bought by a worker


async def owe_return_label(
    session: AsyncSession, decision: ResolutionDecided, now: datetime | None = None
) -> CarrierLabel | None:
    """A return label owed to the case, for the worker to buy; a case gets one."""
    if await returns.has_return(session, decision.case_id):
        return None
    now = now or utc_now()
    warehouse = warehouses_for(decision.market)[0]
    owed = (
        insert(CarrierLabel)
        .values(
            reference=new_rma_id(),
            kind=LabelKind.RETURN,
            case_id=decision.case_id,
            seller_account=decision.seller_account,
            warehouse=warehouse.code,
            state=OWED,
            weight_g=parcel_weight_g(decision.items),
            dimensions_mm=_listed(parcel_dimensions_mm(decision.items)),
            return_order=returns.return_order_of(decision),
            passed_over=[],
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(CarrierLabel.reference)
    )
    reference = (await session.execute(owed)).scalar_one_or_none()
    return None if reference is None else await session.get(CarrierLabel, reference)


async def return_label(
    service: Service, labels: CarrierLabels, owed: CarrierLabel, buyer: PostalAddress
) -> BoughtLabel:
    """The owed return label bought or read back: from the buyer to the warehouse, with
    the warehouse's return carrier at its cheapest service, or the next the cards rank."""
    warehouse = WAREHOUSE_BY_CODE[owed.warehouse]
    market = Market(owed.return_order["market"])
    ranked = return_services(warehouse, market, owed.weight_g, utc_now())
    order = LabelOrder(
        owed.reference,
        LabelKind.RETURN,
        owed.case_id,
        owed.warehouse,
        owed.weight_g,
        owed.seller_account,
        dimensions_mm=tuple(owed.dimensions_mm) if owed.dimensions_mm else None,
    )
    sender = warehouse_address(warehouse)  # a return swaps the two addresses at EasyPost
    shipment = await carrier_shipment(service, labels, order, sender, buyer, is_return=True)
    return await bought_label(service, labels, order.reference, shipment, ranked)


async def issue_bought_return_label(service: Service, reference: str, bought: BoughtLabel) -> None:
    """The return authorised with the carrier's label and its tracking number, once."""
    now = utc_now()
    async with service.transaction() as session:
        row = await session.get(CarrierLabel, reference, with_for_update=True)
        if row is None or row.state != OWED:
            return
        async with service.case_span(session, row.case_id, "return label bought"):
            await record_bought(session, reference, bought, now)
            tracking_number = bought.service.tracking_number
            await returns.issue(
                session,
                reference,
                row.case_id,
                row.warehouse,
                bought.choice.quote,
                tracking_number,
                row.return_order,
                now,
                row.seller_account,
            )


async def try_later(service: Service, reference: str, attempts: int, cause: str) -> None:
    """Tried again after a pause that grows with the attempts."""
    async with service.transaction() as session:
        await session.execute(
            update(CarrierLabel)
            .where(CarrierLabel.reference == reference)
            .values(next_attempt_at=utc_now() + retry_pause(attempts), cause=cause)
        )


async def fail(service: Service, reference: str, cause: str) -> None:
    """Listed as failed with its cause, until owed again."""
    async with service.transaction() as session:
        row = await session.get(CarrierLabel, reference, with_for_update=True)
        if row is not None:
            row.state, row.cause = carrier_labels.fail(row.state, reference), cause
            session.add(row)


async def owe_again(session: AsyncSession, row: CarrierLabel) -> CarrierLabel:
    """A failed label tried again (its attempts counted afresh). The caller holds it locked."""
    row.state = carrier_labels.owe_again(row.state, row.reference)
    row.attempts, row.next_attempt_at = 0, utc_now()
    session.add(row)
    await notify(session)
    return row


# Voids of labels not used


async def give_up(session: AsyncSession, reference: str) -> None:
    """The task's or return's label will not be used: owed a void at the carrier, when it
    has one (or a shipment a try may have bought)."""
    row = await session.get(CarrierLabel, reference, with_for_update=True)
    if row is None:
        return
    to = carrier_labels.give_up(row.state, reference)
    if to != row.state:
        row.state, row.next_attempt_at = to, utc_now()
        session.add(row)
        await notify(session)


async def void_label(service: Service, labels: CarrierLabels, row: CarrierLabel) -> None:
    """Given back to the carrier when it was bought (read back first: a refund asked once
    is not asked again); voided at once when nothing was bought. Tried again later when
    EasyPost cannot answer; void refused, with EasyPost's reason, when it says no."""
    status, cause = None, None
    try:
        if row.easypost_shipment_id:
            status = await _refund_status(labels, row.easypost_shipment_id)
    except Unavailable as failure:
        await try_later(service, row.reference, row.attempts, failure.reason)
        return
    except Refused as refused:  # the carrier will not take it back
        status, cause = "rejected", refused.reason
    async with service.transaction() as session:
        current = await session.get(CarrierLabel, row.reference, with_for_update=True)
        if current is None or current.state != VOID_OWED:
            return
        current.state = carrier_labels.void(current.state, row.reference, status)
        # EasyPost's reason for a refused void; else why it was given up stays (a discard's).
        current.refund_status, current.cause = status, cause or current.cause
        current.voided_at = utc_now()
        session.add(current)


async def _refund_status(labels: CarrierLabels, shipment_id: str) -> str | None:
    shipment = await labels.shipment(shipment_id)
    if not shipment.is_bought:
        return None
    if shipment.refund_status is not None:
        return shipment.refund_status
    return (await labels.refund(shipment_id)).refund_status


# The shipment of a reference, kept before it is bought


async def carrier_shipment(
    service: Service,
    labels: CarrierLabels,
    order: LabelOrder,
    sender: PostalAddress,
    recipient: PostalAddress,
    is_return: bool,
) -> CarrierShipment:
    """The reference's shipment: the one kept, read back, when it is for this weight; else
    a new one, kept before it is returned. One kept for another weight (a packing whose
    label was never committed) is given back to the carrier first if it was bought."""
    kept_id = await _kept_shipment_id(service, order.reference)
    if kept_id is not None:
        kept = await labels.shipment(kept_id)
        if kept.weight_oz == ounces(order.weight_g):
            return kept
        if kept.is_bought and kept.refund_status is None:
            await labels.refund(kept.shipment_id)
    made = await labels.create(
        order.reference,
        sender,
        recipient,
        order.weight_g,
        is_return,
        order.customs,
        order.dimensions_mm,
    )
    winner = await _keep(service, order, made.shipment_id, kept_id)
    return made if winner == made.shipment_id else await labels.shipment(winner)


async def bought_label(
    service: Service,
    labels: CarrierLabels,
    reference: str,
    shipment: CarrierShipment,
    ranked: list[Quote],
) -> BoughtLabel:
    """The shipment's label: read back when it is bought already, else bought at the rate
    the cards choose. A label bought for a service the cards no longer offer is given up."""
    if not shipment.is_bought:
        choice = choose_rate(ranked, shipment)
        shipment = await labels.buy(shipment.shipment_id, choice.rate.rate_id)
        if not shipment.is_bought:
            raise Unavailable(
                SYSTEM,
                f"the purchase of shipment {shipment.shipment_id} was "
                "answered without its label; it is read back next time",
            )
    choice = _choice_bought(ranked, shipment)
    if choice is None:
        async with service.transaction() as session:
            await give_up(session, reference)
        bought = shipment.bought
        raise ShippingRefused(
            f"the label of shipment {shipment.shipment_id} was bought as {bought.carrier} "
            f"{bought.service}, which the rate cards no longer offer for this parcel; it is "
            "given back to the carrier"
        )
    return BoughtLabel(choice, shipment)


def _choice_bought(ranked: list[Quote], shipment: CarrierShipment) -> Choice | None:
    """What a bought shipment stands for, with the reasons the cards' choice passed over
    the quotes above it, as when it was bought."""
    assert shipment.bought is not None
    try:
        chosen = choose_rate(ranked, shipment)
    except ShippingRefused:
        chosen = None
    if chosen is not None and chosen.rate.sells(shipment.bought.carrier, shipment.bought.service):
        return Choice(chosen.quote, shipment.bought, chosen.passed_over)
    return choice_of_bought(ranked, shipment)


async def _kept_shipment_id(service: Service, reference: str) -> str | None:
    async with service.sessions() as session:
        return await session.scalar(
            select(CarrierLabel.easypost_shipment_id).where(CarrierLabel.reference == reference)
        )


async def _keep(
    service: Service, order: LabelOrder, shipment_id: str, instead_of: str | None
) -> str:
    """The shipment kept for the reference: `shipment_id`, unless another try kept one
    first (in place of `instead_of`, the one this try found); then that one."""
    now = utc_now()
    values: dict[str, Any] = {
        "reference": order.reference,
        "kind": order.kind,
        "case_id": order.case_id,
        "seller_account": order.seller_account,
        "warehouse": order.warehouse,
        "state": OWED,
        "weight_g": order.weight_g,
        "dimensions_mm": _listed(order.dimensions_mm),
        "easypost_shipment_id": shipment_id,
        "passed_over": [],
        "return_order": {},
        "next_attempt_at": now,
        "created_at": now,
    }
    keep = insert(CarrierLabel).values(**values)
    keep = keep.on_conflict_do_update(
        index_elements=[CarrierLabel.reference],
        set_={
            "easypost_shipment_id": shipment_id,
            "weight_g": order.weight_g,
            "dimensions_mm": _listed(order.dimensions_mm),
        },
        where=CarrierLabel.easypost_shipment_id.is_not_distinct_from(instead_of),
    ).returning(CarrierLabel.easypost_shipment_id)
    async with service.transaction() as session:
        kept = (await session.execute(keep)).scalar_one_or_none()
        if kept is None:
            kept = await session.scalar(
                select(CarrierLabel.easypost_shipment_id).where(
                    CarrierLabel.reference == order.reference
                )
            )
    return kept


def _listed(dimensions_mm: tuple[int, ...] | None) -> list[int] | None:
    return None if dimensions_mm is None else list(dimensions_mm)


async def notify(session: AsyncSession) -> None:
    """Wake the label workers when the transaction commits."""
    await session.execute(sql("SELECT pg_notify(:channel, '')"), {"channel": LABELS_CHANNEL})
