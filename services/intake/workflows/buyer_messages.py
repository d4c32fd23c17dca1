"""A buyer's messages about a case: replies to an offer and satisfaction ratings.

Each is stored once per `message_id` (the sender's id) and becomes its event; a message
sent again is a harmless repeat.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.domain.classification import detect_language
from services.intake.tables import BuyerMessage, CaseRecord
from shared.events import BuyerAnswer, BuyerReplied, ExchangeChoice, SatisfactionRated
from shared.outbox import emit

REPLY = "reply"
RATING = "rating"


async def case_language(session: AsyncSession, case_id: str) -> str | None:
    """The language the buyer wrote the case in; None for an unknown case."""
    cases = CaseRecord.__table__
    return await session.scalar(
        select(cases.c.case["buyer_language"].astext).where(cases.c.case_id == case_id)
    )


async def record_reply(
    session: AsyncSession,
    case_id: str,
    case_written_in: str,
    message_id: str,
    answer: BuyerAnswer,
    text: str,
    exchange_for: ExchangeChoice | None,
    now: datetime,
) -> bool:
    """Store the reply and announce it, in the language it is written in; False when the
    message was stored before."""
    language = detect_language(text, case_written_in)
    message = {"message_id": message_id, "case_id": case_id, "kind": REPLY}
    new = await stored_once(session, {**message, "answer": answer.value, "text": text, "at": now})
    if new:
        replied = BuyerReplied(
            case_id=case_id,
            answer=answer,
            text=text,
            language=language,
            at=now,
            exchange_for=exchange_for,
        )
        await emit(session, replied)
    return new


async def record_rating(
    session: AsyncSession, case_id: str, message_id: str, rating: int, comment: str, now: datetime
) -> bool:
    """Store the rating and announce it; False when the message was stored before."""
    message = {"message_id": message_id, "case_id": case_id, "kind": RATING}
    new = await stored_once(session, {**message, "rating": rating, "text": comment, "at": now})
    if new:
        rated = SatisfactionRated(case_id=case_id, rating=rating, comment=comment, at=now)
        await emit(session, rated)
    return new


async def stored_once(session: AsyncSession, message: dict[str, Any]) -> bool:
    inserted = await session.scalar(
        insert(BuyerMessage.__table__)
        .values(**message)
        .on_conflict_do_nothing()
        .returning(BuyerMessage.__table__.c.message_id)
    )
    return inserted is not None
