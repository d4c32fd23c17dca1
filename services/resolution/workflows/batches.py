"""What the events of one batch share (`shared/consumer.py` applies a batch in one
transaction): the cases they are about and those cases' open offers, read with their
locks in one statement each before the handlers run, where each event used to read its
own. A case opened, or an offer made, by an earlier event of the batch is found here too,
without writing the batch's rows first.

Outside a batch (an event applied alone after its batch failed, a request, a worker)
nothing is known here and each case is read on its own, as before.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.offers import OfferState
from services.resolution.tables import CaseDecision, Offer
from shared.consumer import Delivery
from shared.events import BuyerReplied, CaseOpened

KEY = "resolution.batch"


@dataclass
class BatchCases:
    cases: dict[str, CaseDecision] = field(default_factory=dict)  # by case id
    read: set[str] = field(default_factory=set)  # the case ids known, found or not
    offers: dict[str, Offer] = field(default_factory=dict)  # each case's latest offer
    offers_read: set[str] = field(default_factory=set)  # the cases whose open offer is known


async def read_batch(session: AsyncSession, deliveries: list[Delivery]) -> None:
    """The cases of the batch's events (but those it opens), and the open offers of the
    cases a buyer answers, locked case first, as each handler would lock them."""
    batch = session.info[KEY] = BatchCases()
    ids = case_ids(deliveries, lambda kind: kind != CaseOpened.event_type)
    if not ids:
        return
    records = await session.scalars(
        select(CaseDecision)
        .where(CaseDecision.case_id.in_(ids))
        .order_by(CaseDecision.case_id)
        .with_for_update()
    )
    batch.cases.update((record.case_id, record) for record in records)
    batch.read.update(ids)
    answered = [i for i in case_ids(deliveries, BuyerReplied.event_type.__eq__) if i in batch.cases]
    if not answered:
        return
    offers = await session.scalars(
        select(Offer)
        .where(Offer.case_id.in_(answered), Offer.state == OfferState.OPEN)
        .order_by(Offer.case_id)
        .with_for_update()
    )
    batch.offers.update((offer.case_id, offer) for offer in offers)
    batch.offers_read.update(answered)


def case_ids(deliveries: Iterable[Delivery], of_kind) -> list[str]:
    return sorted({d.envelope.subject for d in deliveries if of_kind(d.envelope.type)})


def batch_of(session: AsyncSession) -> BatchCases | None:
    return session.info.get(KEY)


async def find_case(session: AsyncSession, case_id: str, lock: bool) -> CaseDecision | None:
    """The case, from the batch when it knows it; else read (and locked when `lock`)."""
    batch = batch_of(session)
    if batch is not None and case_id in batch.read:
        return batch.cases.get(case_id)
    # Rows added earlier in this transaction are written first, so a case opened (or an
    # offer made) a few events before this one is found.
    await session.flush()
    return await session.get(CaseDecision, case_id, with_for_update=True if lock else None)


def opened(session: AsyncSession, record: CaseDecision) -> None:
    """A case opened in this batch: it has no offer yet."""
    if (batch := batch_of(session)) is not None:
        batch.cases[record.case_id] = record
        batch.read.add(record.case_id)
        batch.offers_read.add(record.case_id)


def offered(session: AsyncSession, offer: Offer) -> None:
    """An offer made in this batch: the case's latest."""
    if (batch := batch_of(session)) is not None:
        batch.offers[offer.case_id] = offer
        batch.offers_read.add(offer.case_id)


def known_open_offer(session: AsyncSession, case_id: str) -> tuple[bool, Offer | None]:
    """(True, the case's open offer or None) when the batch knows; (False, None) if not."""
    batch = batch_of(session)
    if batch is None or case_id not in batch.offers_read:
        return False, None
    offer = batch.offers.get(case_id)
    return True, offer if offer is not None and offer.state == OfferState.OPEN else None
