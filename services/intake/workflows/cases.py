"""What happens to intake's cases: a delivery opens one, updates one, brings what the
buyer wrote on the marketplace, or erases a buyer; an agent classifies one the classifier
was unsure of.

Each runs inside its caller's transaction (the worker's, the route's) and emits its event
through the outbox. Contact data goes to the buyers table, sealed by the vault; events
carry `buyer_ref` only.
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain.case import (
    ERASED_BUYER,
    BuyerWrote,
    CanonicalCase,
    Channel,
    ChannelError,
    Delivery,
    EraseBuyer,
    FbaUnitFound,
    Ignore,
    OpenCase,
    UpdateCase,
)
from services.intake.domain.classification import classify
from services.intake.domain.opening import case_opened, to_minor_units, triaged
from services.intake.domain.replies import read_reply
from services.intake.domain.triage import Triage, classified_by_agent, triage_of
from services.intake.tables import BuyerRecord, CasePhoto, CaseRecord, ExchangeVariant
from services.intake.workflows import catalog, fba_units, outgoing_messages
from services.intake.workflows.buyer_messages import record_reply
from services.intake.workflows.context import Intake
from shared.events import (
    BuyerErased,
    CaseClassified,
    CaseMarketplaceUpdated,
    CaseOpened,
    MarketplaceStatus,
    Scenario,
)
from shared.outbox import emit

ERASED = ERASED_BUYER

log = logging.getLogger(__name__)


class CaseNotKnownYet(Exception):
    """An update arrived before the delivery that opens its case; tried again later."""


async def apply_delivery(
    session: AsyncSession,
    intake: Intake,
    delivery: Delivery,
    now: datetime,
    legacy_case_id: bool = False,
    listings: catalog.Listings | None = None,
) -> None:
    """`legacy_case_id`: the delivery was accepted before case ids named the seller account;
    `listings`: the catalog variants of the caller's batch, read together."""
    action = delivery.action
    if isinstance(action, OpenCase):
        opened = await open_case(
            session, intake, action.case, delivery.delivery_id, now, legacy_case_id, listings
        )
        for then in action.then if opened is not None else []:
            if isinstance(then, FbaUnitFound):
                await unit_found(session, intake, then, now, first=True)
            else:
                await update_case(session, delivery.channel.value, then, now)
    elif isinstance(action, UpdateCase):
        await update_case(session, delivery.channel.value, action, now)
    elif isinstance(action, FbaUnitFound):
        await unit_found(session, intake, action, now)
    elif isinstance(action, EraseBuyer):
        await erase_buyer(session, delivery.channel.value, action, delivery.delivery_id, now)
    elif isinstance(action, BuyerWrote):
        await record_marketplace_messages(session, delivery.channel.value, action)
    else:
        assert isinstance(action, Ignore)


async def open_case(
    session: AsyncSession,
    intake: Intake,
    case: CanonicalCase,
    case_key: str,
    now: datetime,
    legacy_case_id: bool = False,
    listings: catalog.Listings | None = None,
) -> CaseOpened | None:
    """Store and announce the case; None when this key opened a case of this seller account
    before."""
    classification = triaged(
        case, classify(case.reason, case.marketplace_reason, case.buyer_words, case.buyer_language)
    )
    event = case_opened(case, case_key, classification, now, legacy_case_id)
    event, unknown_skus = await with_products(session, intake, case, event, listings)
    stored = await session.scalar(
        insert(CaseRecord.__table__)
        .values(
            case_id=event.case_id,
            channel=case.channel.value,
            case_key=case_key,
            account=case.seller_account,
            order_id=case.ids.order_id,
            return_id=case.ids.return_id,
            market=case.market.value,
            buyer_ref=case.buyer_ref,
            scenario=event.scenario.value if event.scenario else None,
            confidence=classification.confidence,
            needs_agent=classification.needs_agent,
            marketplace_status=MarketplaceStatus.REQUESTED.value,
            opened_at=now,
            case=event.model_dump(mode="json"),
            unknown_skus=unknown_skus,
        )
        .on_conflict_do_nothing(constraint="cases_opened_once")
        .returning(CaseRecord.__table__.c.case_id)
    )
    if stored is None:
        return None
    await keep_variants(session, event.case_id, case)
    if case.buyer is not None:
        await keep_contact(session, intake, case, now)
    await emit(session, event, opens_case=True)  # stored just now: the case's first event
    intake.service.counter("cases.opened", "cases opened").add(
        1,
        {
            "channel": case.channel.value,
            "market": case.market.value,
            "flagged": str(classification.needs_agent).lower(),
        },
    )
    return event


async def with_products(
    session: AsyncSession,
    intake: Intake,
    case: CanonicalCase,
    event: CaseOpened,
    listings: catalog.Listings | None = None,
) -> tuple[CaseOpened, list[str]]:
    """The event with each item resolved to its catalog product, and the SKUs the seller's
    catalog does not know: counted, kept on the case; the case flows on defaults."""
    skus = [item.sku for item in event.items]
    channel, account = case.channel.value, case.seller_account
    found = listings.found(channel, account, skus) if listings else None
    if found is None:
        found = await catalog.found_variants(session, channel, account, skus)
    items, unknown = catalog.resolved(event.items, found, case.market, case.currency)
    if unknown:
        intake.service.counter(
            "cases.unknown_skus", "case items whose SKU the seller's catalog does not know"
        ).add(len(unknown), {"channel": case.channel.value})
    return event.model_copy(update={"items": items}), unknown


def listings_wanted(deliveries: Iterable[Delivery]) -> dict[tuple[str, str], set[str]]:
    """The SKUs of the cases `deliveries` open, by (channel, account): read together."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for delivery in deliveries:
        if isinstance(delivery.action, OpenCase):
            case = delivery.action.case
            skus = wanted.setdefault((case.channel.value, case.seller_account), set())
            skus.update(item.sku for item in case.items)
    return wanted


async def keep_contact(
    session: AsyncSession, intake: Intake, case: CanonicalCase, now: datetime
) -> None:
    statement = insert(BuyerRecord.__table__).values(
        channel=case.channel.value,
        account=case.seller_account,
        buyer_ref=case.buyer_ref,
        contact=intake.vault.seal(case.buyer.model_dump(mode="json")),
        updated_at=now,
    )
    # A buyer who asked to be erased stays erased.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["channel", "account", "buyer_ref"],
            set_={"contact": statement.excluded.contact, "updated_at": now},
            where=BuyerRecord.__table__.c.erased_at.is_(None),
        )
    )


async def record_marketplace_messages(
    session: AsyncSession, channel: str, wrote: BuyerWrote
) -> None:
    """Each message the buyer wrote on a marketplace's return becomes a reply on the
    return's (first) case, read as an e-mail reply is; once per message, however often the
    return is read again."""
    cases = CaseRecord.__table__
    found = (
        await session.execute(
            select(cases.c.case_id, cases.c.case["buyer_language"].astext.label("language"))
            .where(
                cases.c.channel == channel,
                cases.c.account == wrote.seller_account,
                cases.c.return_id == wrote.return_id,
            )
            .order_by(cases.c.opened_at, cases.c.case_id)
            .limit(1)
        )
    ).first()
    if found is None:
        raise CaseNotKnownYet(f"no case yet for return {wrote.return_id}")
    language = found.language or "en"
    for message in wrote.messages:
        reading = read_reply(message.text, language)
        key = f"{channel}:{wrote.return_id}:{message.message_id}"
        text = reading.text or message.text
        await record_reply(
            session, found.case_id, language, key, reading.answer, text, None, message.at
        )


async def update_case(
    session: AsyncSession, channel: str, update_: UpdateCase, now: datetime
) -> None:
    cases = CaseRecord.__table__
    # The return when the marketplace names it: an order may have several returns.
    if update_.return_id:
        named = cases.c.return_id == update_.return_id
    elif update_.order_id:
        named = cases.c.order_id == update_.order_id
    else:
        raise ChannelError(422, "invalid_payload", "the update names neither a return nor an order")
    rows = (
        await session.execute(
            select(cases.c.case_id, cases.c.channel, cases.c.marketplace_status).where(
                cases.c.account == update_.seller_account, named
            )
        )
    ).all()
    if not rows and update_.moot_without_case:
        log.info(
            "%s update of order %s is moot: %s",
            channel,
            update_.order_id,
            update_.moot_without_case,
        )
        return
    if not rows:
        raise CaseNotKnownYet(
            f"no case yet for return {update_.return_id} / order {update_.order_id}"
        )
    for row in rows:
        status = update_.status or MarketplaceStatus(row.marketplace_status)
        await session.execute(
            update(cases)
            .where(cases.c.case_id == row.case_id)
            .values(marketplace_status=status.value)
        )
        await emit(
            session,
            CaseMarketplaceUpdated(
                case_id=row.case_id,
                marketplace=row.channel,
                status=status,
                note=update_.note,
                at=update_.at or now,
                claim=update_.claim,
            ),
        )


async def unit_found(
    session: AsyncSession, intake: Intake, found: FbaUnitFound, now: datetime, first: bool = False
) -> None:
    """What Amazon found of an FBA unit, kept for its case (`workflows/fba_units.py`), and on
    the case's timeline when it says something new; waits for the case when it is not open
    yet (`first`: it opens with it)."""
    cases = CaseRecord.__table__
    case = await session.scalar(
        select(CaseRecord).where(
            cases.c.channel == Channel.AMAZON.value,
            cases.c.account == found.seller_account,
            cases.c.return_id == found.license_plate,
        )
    )
    if case is None:
        raise CaseNotKnownYet(f"no case yet for FBA unit {found.license_plate}")
    note = await fba_units.record_unit(session, intake.service, case, found, now)
    if note is None:
        return
    update_ = UpdateCase(
        seller_account=found.seller_account,
        order_id=found.order_id,
        return_id=found.license_plate,
        status=MarketplaceStatus.DELIVERED,  # back at Amazon's fulfilment centre
        note=note,
        at=found.returned_at if first else found.seen_at,
    )
    await update_case(session, Channel.AMAZON.value, update_, now)


async def erase_buyer(
    session: AsyncSession, channel: str, erase: EraseBuyer, requested_by: str, now: datetime
) -> None:
    """Forget the buyer's contact and words here, and tell every service to do the same."""
    cases = CaseRecord.__table__
    named = [cases.c.order_id.in_(erase.order_ids)] if erase.order_ids else []
    if erase.buyer_ref:
        named.append(cases.c.buyer_ref == erase.buyer_ref)
    rows = (
        (
            await session.execute(
                select(cases.c.case_id, cases.c.buyer_ref, cases.c.case).where(
                    cases.c.channel == channel, cases.c.account == erase.seller_account, or_(*named)
                )
            )
        ).all()
        if named
        else []
    )
    buyer_refs = {row.buyer_ref for row in rows} | ({erase.buyer_ref} if erase.buyer_ref else set())
    buyers = BuyerRecord.__table__
    for buyer_ref in buyer_refs:
        statement = insert(buyers).values(
            channel=channel,
            account=erase.seller_account,
            buyer_ref=buyer_ref,
            contact=None,
            updated_at=now,
            erased_at=now,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["channel", "account", "buyer_ref"],
                set_={"contact": None, "updated_at": now, "erased_at": now},
            )
        )
    for row in rows:
        await session.execute(
            update(cases)
            .where(cases.c.case_id == row.case_id)
            .values(buyer_ref=ERASED, case=erased_case(row.case))
        )
        await outgoing_messages.forget_buyer(session, row.case_id)
        photos = CasePhoto.__table__
        await session.execute(delete(photos).where(photos.c.case_id == row.case_id))
        await emit(
            session,
            BuyerErased(
                case_id=row.case_id,
                buyer_ref=row.buyer_ref,
                requested_by=f"{channel} {requested_by}",
                at=now,
            ),
        )


def erased_case(case: dict) -> dict:
    """The stored case without anything the buyer wrote or is known by."""
    return {**case, "buyer_ref": ERASED, "buyer_comment": "", "photos": []}


async def classify_by_agent(
    session: AsyncSession, case: CaseRecord, scenario: Scenario, agent: str, note: str
) -> CaseClassified:
    """The agent's scenario for a case waiting for one, stored and announced; raises
    IllegalTransition for a case classified already. `case` is locked by the caller."""
    transition = classified_by_agent(
        case.case_id, triage_of(case.needs_agent), case.scenario, scenario, agent, note
    )
    case.scenario = scenario.value
    case.needs_agent = transition.state is Triage.NEEDS_AGENT
    session.add(case)
    [event] = transition.events
    await emit(session, event)
    return event


async def keep_variants(session: AsyncSession, case_id: str, case: CanonicalCase) -> None:
    """The variants the shop sent with the case's items, as sent (once per case)."""
    rows = [
        {
            "case_id": case_id,
            "item_sku": item.sku,
            "position": position,
            "sku": variant.sku,
            "title": variant.title,
            "unit_price_minor": to_minor_units(variant.unit_price, case.currency),
            "available": variant.in_stock,
        }
        for item in case.items
        for position, variant in enumerate(item.variants)
    ]
    if rows:
        await session.execute(
            insert(ExchangeVariant.__table__).values(rows).on_conflict_do_nothing()
        )
