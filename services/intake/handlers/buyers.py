"""Buyers: replies to an offer, satisfaction ratings, and where to ship to.

Replies and ratings come from the seller's messaging front (agent token); each is
stored once per `message_id` and becomes an event. The ship-to lookup is the one way
another service learns a buyer's address: internal token, one case, address only.
"""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.intake.domain.classification import detect_language
from services.intake.tables import BuyerMessage, BuyerRecord, CaseRecord
from services.intake.workflows.context import CurrentIntake
from shared.access import AgentOnly, InternalOnly
from shared.events import BuyerAnswer, BuyerReplied, ExchangeChoice, SatisfactionRated
from shared.outbox import emit
from shared.service import CurrentService

router = APIRouter(tags=["buyers"])


class Reply(BaseModel):
    message_id: str = Field(min_length=1, max_length=200, description="the sender's id: dedupe")
    answer: BuyerAnswer
    text: str = Field(default="", max_length=5000)
    exchange_for: ExchangeChoice | None = Field(
        default=None, description="accepting an exchange: the variant, at its catalog price"
    )


class Rating(BaseModel):
    message_id: str = Field(min_length=1, max_length=200)
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=5000)


async def case_language(session, case_id: str) -> str:
    cases = CaseRecord.__table__
    language = await session.scalar(
        select(cases.c.case["buyer_language"].astext).where(cases.c.case_id == case_id)
    )
    if language is None:
        raise HTTPException(404, f"no case {case_id}")
    return language


async def stored_once(session, message: dict[str, Any]) -> bool:
    inserted = await session.scalar(
        insert(BuyerMessage.__table__)
        .values(**message)
        .on_conflict_do_nothing()
        .returning(BuyerMessage.__table__.c.message_id)
    )
    return inserted is not None


@router.post("/cases/{case_id}/replies", dependencies=[AgentOnly], summary="A buyer's reply")
async def buyer_replied(case_id: str, reply: Reply, service: CurrentService) -> dict[str, Any]:
    now = datetime.now(UTC)
    async with service.transaction() as session:
        language = detect_language(reply.text, await case_language(session, case_id))
        message = {
            "message_id": reply.message_id,
            "case_id": case_id,
            "kind": "reply",
            "answer": reply.answer.value,
            "text": reply.text,
            "at": now,
        }
        new = await stored_once(session, message)
        if new:
            await emit(
                session,
                BuyerReplied(
                    case_id=case_id,
                    answer=reply.answer,
                    text=reply.text,
                    language=language,
                    at=now,
                    exchange_for=reply.exchange_for,
                ),
            )
    return {"case_id": case_id, "message_id": reply.message_id, "duplicate": not new}


@router.post("/cases/{case_id}/ratings", dependencies=[AgentOnly], summary="A satisfaction rating")
async def satisfaction_rated(
    case_id: str, rating: Rating, service: CurrentService
) -> dict[str, Any]:
    now = datetime.now(UTC)
    async with service.transaction() as session:
        await case_language(session, case_id)
        message = {
            "message_id": rating.message_id,
            "case_id": case_id,
            "kind": "rating",
            "rating": rating.rating,
            "text": rating.comment,
            "at": now,
        }
        new = await stored_once(session, message)
        if new:
            await emit(
                session,
                SatisfactionRated(
                    case_id=case_id, rating=rating.rating, comment=rating.comment, at=now
                ),
            )
    return {"case_id": case_id, "message_id": rating.message_id, "duplicate": not new}


@router.get("/cases/{case_id}/ship-to", dependencies=[InternalOnly], summary="Ship-to address")
async def ship_to(case_id: str, intake: CurrentIntake) -> dict[str, Any]:
    cases, buyers = CaseRecord.__table__, BuyerRecord.__table__
    async with intake.service.transaction() as session:
        contact = await session.scalar(
            select(buyers.c.contact)
            .join(
                cases,
                (cases.c.channel == buyers.c.channel)
                & (cases.c.account == buyers.c.account)
                & (cases.c.buyer_ref == buyers.c.buyer_ref),
            )
            .where(cases.c.case_id == case_id)
        )
    if contact is None:
        raise HTTPException(404, f"no ship-to address for case {case_id} (unknown or erased)")
    buyer = intake.vault.open(contact)
    if not buyer.get("address"):
        raise HTTPException(404, f"the marketplace gave no address for case {case_id}")
    return {"case_id": case_id, "name": buyer.get("name"), "address": buyer["address"]}
