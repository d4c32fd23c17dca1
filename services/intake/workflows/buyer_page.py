"""The buyer's page of a case: the case a link opens, the buyer's answer to an offer, their
rating and their photos, each taken once.

An answer from the page is a buyer's reply like any other (`buyer_messages.record_reply`,
so resolution acts on its `case.buyer_replied`), stored under the page's message id of
that offer (`page:<offer id>`): a double click, a resent form or a second tab takes effect
once, and the first answer to an offer stands. A rating is stored under the case's page
rating id and replaced by a new one (a new `case.satisfaction_rated`); the same rating
sent twice changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.adapters.vault import Vault
from services.intake.domain.buyer_page import Rating
from services.intake.domain.photos import photo_of
from services.intake.tables import BuyerMessage, BuyerRecord, CasePhoto, CaseRecord
from services.intake.workflows import catalog
from services.intake.workflows.buyer_messages import RATING, record_reply
from services.intake.workflows.cases import ERASED
from shared.events import BuyerAnswer, ExchangeChoice, SatisfactionRated
from shared.outbox import emit


@dataclass(frozen=True)
class LinkedCase:
    case_id: str
    order_id: str
    language: str  # the language the buyer wrote the case in
    items: list[dict]
    reason: str  # the one taxonomy's (`shared.events.Reason`)
    erased: bool  # the buyer asked to be forgotten: the page shows nothing of the case
    channel: str = ""
    account: str = ""
    market: str = ""
    currency: str = ""
    scenario: str | None = None  # the scenario the case was classified (or an agent put) in


def answer_id(offer_id: str) -> str:
    return f"page:{offer_id}"


def rating_id(case_id: str) -> str:
    return f"page-rating:{case_id}"


async def linked_case(session: AsyncSession, case_id: str) -> LinkedCase | None:
    """The case a valid link names; None when intake holds no such case."""
    cases, buyers = CaseRecord.__table__, BuyerRecord.__table__
    row = (
        await session.execute(
            select(
                cases.c.case_id,
                cases.c.channel,
                cases.c.account,
                cases.c.order_id,
                cases.c.buyer_ref,
                cases.c.case,
                cases.c.scenario,
                buyers.c.erased_at,
            )
            .outerjoin(
                buyers,
                (cases.c.channel == buyers.c.channel)
                & (cases.c.account == buyers.c.account)
                & (cases.c.buyer_ref == buyers.c.buyer_ref),
            )
            .where(cases.c.case_id == case_id)
        )
    ).first()
    if row is None:
        return None
    case = row.case or {}
    return LinkedCase(
        case_id=row.case_id,
        order_id=row.order_id,
        language=str(case.get("buyer_language") or "en"),
        items=list(case.get("items") or []),
        reason=str(case.get("reason") or "other"),
        # Erasing a buyer blanks the case's buyer reference too (`cases.erase_buyer`).
        erased=row.erased_at is not None or row.buyer_ref == ERASED,
        channel=row.channel,
        account=row.account,
        market=str(case.get("market") or ""),
        currency=str(case.get("currency") or ""),
        scenario=row.scenario,
    )


async def item_titles(session: AsyncSession, case: LinkedCase, language: str) -> dict[str, str]:
    """The case's items' titles in the page's language, where the seller's catalog has one."""
    skus = [str(item.get("sku")) for item in case.items if item.get("sku")]
    return await catalog.titles_in(session, case.channel, case.account, skus, language)


async def answer_given(session: AsyncSession, offer_id: str) -> str | None:
    """The answer the page took for this offer before, if any."""
    messages = BuyerMessage.__table__
    return await session.scalar(
        select(messages.c.answer).where(messages.c.message_id == answer_id(offer_id))
    )


async def answer_offer(
    session: AsyncSession,
    case: LinkedCase,
    offer_id: str,
    answer: BuyerAnswer,
    now: datetime,
    exchange_for: ExchangeChoice | None = None,
) -> bool:
    """The buyer's answer to the open offer (with an accepted exchange, the variant they
    picked), through the path of every reply; False when the page had taken an answer to
    that offer before (nothing new is announced)."""
    return await record_reply(
        session, case.case_id, case.language, answer_id(offer_id), answer, "", exchange_for, now
    )


async def rating_given(session: AsyncSession, case_id: str) -> int | None:
    messages = BuyerMessage.__table__
    return await session.scalar(
        select(messages.c.rating).where(messages.c.message_id == rating_id(case_id))
    )


async def rate_case(session: AsyncSession, case_id: str, rating: Rating, now: datetime) -> bool:
    """Store the buyer's rating of the case, replacing the page's earlier one, and announce
    it; False when the same rating and comment were stored already."""
    messages = BuyerMessage.__table__
    row = {
        "message_id": rating_id(case_id),
        "case_id": case_id,
        "kind": RATING,
        "rating": rating.stars,
        "text": rating.comment,
        "at": now,
    }
    statement = insert(messages).values(**row)
    changed = await session.scalar(
        statement.on_conflict_do_update(
            index_elements=[messages.c.message_id],
            set_={"rating": rating.stars, "text": rating.comment, "at": now},
            where=or_(
                messages.c.rating.is_distinct_from(statement.excluded.rating),
                messages.c.text.is_distinct_from(statement.excluded.text),
            ),
        ).returning(messages.c.message_id)
    )
    if changed is None:
        return False
    rated = SatisfactionRated(case_id=case_id, rating=rating.stars, comment=rating.comment, at=now)
    await emit(session, rated)
    return True


async def photos_of(session: AsyncSession, case_id: str) -> list[dict]:
    """The photos of a case, oldest first, without their content."""
    photos = CasePhoto.__table__
    rows = await session.execute(
        select(photos.c.photo_id, photos.c.content_type, photos.c.size, photos.c.uploaded_at)
        .where(photos.c.case_id == case_id)
        .order_by(photos.c.uploaded_at)
    )
    return [dict(row._mapping) for row in rows]


async def add_photo(
    session: AsyncSession, vault: Vault, case: LinkedCase, data: bytes, now: datetime
) -> bool:
    """Keep the buyer's photo with the case, sealed; False when it was kept before.
    Raises PhotoRefused (reason, type, size, count)."""
    photos = CasePhoto.__table__
    # One upload at a time per case, so the count holds.
    await session.execute(
        select(CaseRecord.__table__.c.case_id)
        .where(CaseRecord.__table__.c.case_id == case.case_id)
        .with_for_update()
    )
    count = len(await photos_of(session, case.case_id))
    photo = photo_of(data, case.reason, count)
    kept = await session.scalar(
        insert(photos)
        .values(
            case_id=case.case_id,
            photo_id=photo.photo_id,
            content_type=photo.content_type,
            size=len(photo.data),
            sealed=vault.seal_bytes(photo.data),
            uploaded_at=now,
        )
        .on_conflict_do_nothing()
        .returning(photos.c.photo_id)
    )
    return kept is not None


async def photo_content(
    session: AsyncSession, vault: Vault, case_id: str, photo_id: str
) -> tuple[str, bytes] | None:
    """A photo's type and content, opened; None when the case has no such photo."""
    photos = CasePhoto.__table__
    row = (
        await session.execute(
            select(photos.c.content_type, photos.c.sealed).where(
                photos.c.case_id == case_id, photos.c.photo_id == photo_id
            )
        )
    ).first()
    return None if row is None else (row.content_type, vault.open_bytes(row.sealed))
