"""Support agents: open a case by hand, decide the scenario of a flagged case, look around
(the photos buyers added: `case_photos.py`).

The sellers' own people read (`SellerReader`) and work (`SellerAgent`) their sellers' cases
and deliveries only: every list is narrowed to the caller's seller accounts, and another
seller's case or delivery answers 404 as one that does not exist (`tenancy.py`).
"""

import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.intake.channels.common import read_json
from services.intake.channels.generic.webhook import GenericWebhook, canonical_case
from services.intake.domain.case import Channel, ChannelError, Delivery, OpenCase
from services.intake.domain.delivery import DeliveryState
from services.intake.handlers.refusals import read_body, refusal
from services.intake.handlers.tenancy import case_of, serving
from services.intake.tables import CaseRecord, DeliveryRecord
from services.intake.workflows.accepting import PARSED, Outcome, parsed_content
from services.intake.workflows.cases import classify_by_agent
from services.intake.workflows.context import CurrentIntake
from services.intake.workflows.reviving import (
    Deliveries,
    NoSuchDelivery,
    discard_all,
    discard_one,
    listed,
    retry_all,
    retry_one,
)
from shared.audit import personal_data
from shared.events import Scenario
from shared.identity import SellerAgent, SellerReader
from shared.lifecycle import IllegalTransition
from shared.messaging_tables import utc_now
from shared.service import CurrentService

log = logging.getLogger(__name__)

router = APIRouter(tags=["support agents"])

DELIVERY_ACCOUNT = DeliveryRecord.__table__.c.account


@router.post(
    "/cases",
    status_code=202,
    summary="Open a case by hand",
    description="The body is the generic webhook's case; its `event_id` makes a retry "
    "harmless. A `seller_account` the caller does not serve is refused with 403 and the "
    "reason (the caller named it: nothing is told of another seller's cases).",
)
async def open_case_by_hand(
    request: Request,
    intake: CurrentIntake,
    caller: SellerAgent,
    seller_account: Annotated[str, Query(min_length=1, description="whose case it is")],
) -> JSONResponse:
    serving(caller, seller_account, "a case is opened for a seller account you serve")
    service = intake.service
    try:
        body = await read_body(request, service.settings.webhook_max_body_bytes)
        webhook = read_json(GenericWebhook, body)
    except ChannelError as error:
        return refusal(service, Channel.AGENT.value, error)
    case = canonical_case(webhook, seller_account).model_copy(update={"channel": Channel.AGENT})
    delivery_id = f"{webhook.marketplace}:{webhook.event_id}"
    delivery = Delivery(
        channel=Channel.AGENT,
        delivery_id=delivery_id,
        seller_account=seller_account,
        action=OpenCase(case=case),
    )
    outcome = await intake.acceptance.accept(
        Channel.AGENT, delivery_id, seller_account, PARSED, parsed_content(delivery)
    )
    case_id = await intake.acceptance.case_named(
        Channel.AGENT, seller_account, delivery_id, outcome
    )
    answer = {"case_id": case_id, "duplicate": outcome is Outcome.DUPLICATE}
    return JSONResponse(answer, status_code=202 if outcome.to_apply else 200)


def deliveries_asked(
    channel: Channel | None = None,
    account: Annotated[str | None, Query(min_length=1)] = None,
    cause: Annotated[
        str | None, Query(min_length=1, description="words of the cause, any case")
    ] = None,
    received_since: AwareDatetime | None = None,
    received_until: Annotated[AwareDatetime | None, Query(description="received before")] = None,
) -> Deliveries:
    """Which deliveries a listing names, as query parameters."""
    return checked(Deliveries(channel, account, cause, received_since, received_until))


class DeliveriesChosen(BaseModel):
    """Which failed deliveries to retry: each condition given narrows them."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel | None = None
    account: str | None = Field(default=None, min_length=1)
    cause: str | None = Field(default=None, min_length=1, description="words of the cause")
    received_since: AwareDatetime | None = None
    received_until: AwareDatetime | None = Field(default=None, description="received before")


class DeliveriesDiscarded(DeliveriesChosen):
    """Which failed deliveries to set aside, and why."""

    reason: str = Field(min_length=3, max_length=2000, description="why they are set aside")


class DeliveryDiscarded(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000, description="why it is set aside")


def deliveries_chosen(chosen: DeliveriesChosen) -> Deliveries:
    return checked(Deliveries(**chosen.model_dump()))


def checked(which: Deliveries) -> Deliveries:
    since, until = which.received_since, which.received_until
    if since and until and since >= until:
        raise HTTPException(422, "received_since must be before received_until")
    return which


class ScenarioChoice(BaseModel):
    scenario: Scenario
    agent: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


@router.post("/cases/{case_id}/classification", summary="An agent decides a case's scenario")
async def classify_by_hand(
    case_id: str, choice: ScenarioChoice, intake: CurrentIntake, caller: SellerAgent
) -> dict[str, Any]:
    async with intake.service.transaction() as session:
        case = await case_of(session, caller, case_id, lock=True)
        try:
            await classify_by_agent(session, case, choice.scenario, choice.agent, choice.note)
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
    return {"case_id": case_id, "scenario": choice.scenario, "classified_at": datetime.now(UTC)}


@router.get("/cases", summary="Cases, newest first; `needs_agent=true` is the agents' queue")
async def list_cases(
    service: CurrentService,
    caller: SellerReader,
    needs_agent: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    cases = CaseRecord.__table__
    query = (
        select(cases.c.case)
        .where(caller.sellers_in(cases.c.account))
        .order_by(cases.c.opened_at.desc())
        .limit(limit)
    )
    if needs_agent is not None:
        query = query.where(cases.c.needs_agent == needs_agent)
    async with service.transaction() as session:
        return list((await session.scalars(query)).all())


@router.get(
    "/cases/{case_id}",
    summary="A case as received and classified",
    dependencies=[personal_data("buyer's words")],
)
async def get_case(case_id: str, service: CurrentService, caller: SellerReader) -> dict[str, Any]:
    async with service.transaction() as session:
        case = await case_of(session, caller, case_id)
    return {
        **case.case,
        "scenario": case.scenario,
        "needs_agent": case.needs_agent,
        "marketplace_status": case.marketplace_status,
    }


@router.get("/deliveries", summary="Deliveries by state: `failed` ones carry their cause")
async def list_deliveries(
    service: CurrentService,
    caller: SellerReader,
    which: Annotated[Deliveries, Depends(deliveries_asked)],
    state: DeliveryState = DeliveryState.FAILED,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    async with service.transaction() as session:
        return await listed(session, state, which, limit, caller.sellers_in(DELIVERY_ACCOUNT))


@router.post(
    "/deliveries/retry",
    summary="Retry the failed deliveries of a channel, an account, a cause, a time of receipt",
)
async def retry_failed_deliveries(
    service: CurrentService,
    caller: SellerAgent,
    which: Annotated[Deliveries, Depends(deliveries_chosen)],
) -> dict[str, Any]:
    """Every failed delivery of the caller's sellers the body's conditions match (all of
    them when it has none) is accepted again and due at once."""
    async with service.transaction() as session:
        retried = await retry_all(session, which, utc_now(), caller.sellers_in(DELIVERY_ACCOUNT))
    log.info("an agent retried %d failed deliveries (%s)", retried, which)
    return {"retried": retried}


@router.post(
    "/deliveries/{channel}/{account}/{delivery_id:path}/retry",
    summary="Retry one failed delivery",
)
async def retry_failed_delivery(
    channel: Channel, account: str, delivery_id: str, service: CurrentService, caller: SellerAgent
) -> dict[str, Any]:
    async with service.transaction() as session:
        try:
            scope = caller.sellers_in(DELIVERY_ACCOUNT)
            return await retry_one(session, channel, account, delivery_id, utc_now(), scope)
        except NoSuchDelivery as error:
            raise HTTPException(404, str(error)) from error
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused


@router.post(
    "/deliveries/discard",
    summary="Discard, with the reason, the failed deliveries of a channel, an account, a cause, "
    "a time of receipt",
)
async def discard_failed_deliveries(
    service: CurrentService, caller: SellerAgent, chosen: DeliveriesDiscarded
) -> dict[str, Any]:
    """Every failed delivery of the caller's sellers the body's conditions match is set
    aside: never tried again, nor revived by the marketplace delivering it again."""
    which = checked(Deliveries(**chosen.model_dump(exclude={"reason"})))
    scope = caller.sellers_in(DELIVERY_ACCOUNT)
    async with service.transaction() as session:
        count = await discard_all(session, which, caller.subject, chosen.reason, utc_now(), scope)
    log.info(
        "%s discarded %d failed deliveries (%s): %s", caller.subject, count, which, chosen.reason
    )
    return {"discarded": count}


@router.post(
    "/deliveries/{channel}/{account}/{delivery_id:path}/discard",
    summary="Discard one failed delivery, saying why",
)
async def discard_failed_delivery(
    channel: Channel,
    account: str,
    delivery_id: str,
    discarding: DeliveryDiscarded,
    service: CurrentService,
    caller: SellerAgent,
) -> dict[str, Any]:
    scope = caller.sellers_in(DELIVERY_ACCOUNT)
    async with service.transaction() as session:
        try:
            return await discard_one(
                session,
                channel,
                account,
                delivery_id,
                caller.subject,
                discarding.reason,
                utc_now(),
                scope,
            )
        except NoSuchDelivery as error:
            raise HTTPException(404, str(error)) from error
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
