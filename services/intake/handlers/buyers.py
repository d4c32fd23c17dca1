"""Buyers: replies to an offer, satisfaction ratings, and where to ship to.

Replies and ratings come from the seller's messaging front (`SellerAgent`, for the
seller accounts it serves: another seller's case answers 404); each is stored once per
`message_id` and becomes an event. The ship-to lookup is the one way another service
learns a buyer's address: a service's token (`ServiceCall`), one case, address only.
"""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.handlers.tenancy import case_of, no_case
from services.intake.tables import BuyerRecord, CaseRecord
from services.intake.workflows.buyer_messages import record_rating, record_reply
from services.intake.workflows.context import CurrentIntake
from shared.audit import personal_data
from shared.events import BuyerAnswer, ExchangeChoice
from shared.identity import Principal, SellerAgent, ServiceCall
from shared.routes import found
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


async def known_language(session: AsyncSession, caller: Principal, case_id: str) -> str:
    """The language the buyer wrote the case in, if the caller serves its seller account."""
    case = await case_of(session, caller, case_id)
    return found(case.case.get("buyer_language"), no_case(case_id))


@router.post("/cases/{case_id}/replies", summary="A buyer's reply")
async def buyer_replied(
    case_id: str, reply: Reply, service: CurrentService, caller: SellerAgent
) -> dict[str, Any]:
    async with service.transaction() as session:
        language = await known_language(session, caller, case_id)
        new = await record_reply(
            session,
            case_id,
            language,
            reply.message_id,
            reply.answer,
            reply.text,
            reply.exchange_for,
            datetime.now(UTC),
        )
    return {"case_id": case_id, "message_id": reply.message_id, "duplicate": not new}


@router.post("/cases/{case_id}/ratings", summary="A satisfaction rating")
async def satisfaction_rated(
    case_id: str, rating: Rating, service: CurrentService, caller: SellerAgent
) -> dict[str, Any]:
    async with service.transaction() as session:
        await case_of(session, caller, case_id)
        new = await record_rating(
            session, case_id, rating.message_id, rating.rating, rating.comment, datetime.now(UTC)
        )
    return {"case_id": case_id, "message_id": rating.message_id, "duplicate": not new}


@router.get(
    "/cases/{case_id}/ship-to",
    summary="Ship-to address",
    dependencies=[personal_data("ship-to address")],
)
async def ship_to(case_id: str, intake: CurrentIntake, caller: ServiceCall) -> dict[str, Any]:
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
    missing = f"no ship-to address for case {case_id} (unknown or erased)"
    buyer = intake.vault.open(found(contact, missing))
    if not buyer.get("address"):
        raise HTTPException(404, f"the marketplace gave no address for case {case_id}")
    return {"case_id": case_id, "name": buyer.get("name"), "address": buyer["address"]}
