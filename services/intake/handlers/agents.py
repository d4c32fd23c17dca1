"""Support agents: open a case by hand, decide the scenario of a flagged case, look around.

Every route needs the agent bearer token (AGENT_API_TOKEN).
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from services.intake.channels.common import read_json
from services.intake.channels.generic.webhook import GenericWebhook, canonical_case
from services.intake.domain.case import Channel, ChannelError, Delivery, OpenCase
from services.intake.domain.delivery import DeliveryState
from services.intake.domain.opening import case_id_of
from services.intake.handlers.refusals import read_body, refusal
from services.intake.tables import CaseRecord, DeliveryRecord
from services.intake.workflows.cases import classify_by_agent
from services.intake.workflows.context import CurrentIntake
from shared.access import AgentOnly
from shared.events import Scenario
from shared.lifecycle import IllegalTransition
from shared.routes import get_or_404
from shared.service import CurrentService

router = APIRouter(tags=["support agents"], dependencies=[AgentOnly])


@router.post("/cases", status_code=202, summary="Open a case by hand")
async def open_case_by_hand(
    request: Request,
    intake: CurrentIntake,
    seller_account: Annotated[str, Query(min_length=1, description="whose case it is")],
) -> JSONResponse:
    """The body is the generic webhook's case; its `event_id` makes a retry harmless."""
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
    new = await intake.acceptance.accept_parsed([delivery])
    answer = {"case_id": case_id_of(Channel.AGENT.value, delivery_id), "duplicate": not new}
    return JSONResponse(answer, status_code=202 if new else 200)


class ScenarioChoice(BaseModel):
    scenario: Scenario
    agent: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


@router.post("/cases/{case_id}/classification", summary="An agent decides a case's scenario")
async def classify_by_hand(
    case_id: str, choice: ScenarioChoice, intake: CurrentIntake
) -> dict[str, Any]:
    async with intake.service.transaction() as session:
        case = await get_or_404(session, CaseRecord, case_id, f"no case {case_id}", lock=True)
        try:
            await classify_by_agent(session, case, choice.scenario, choice.agent, choice.note)
        except IllegalTransition as refused:
            raise HTTPException(409, refused.reason) from refused
    return {"case_id": case_id, "scenario": choice.scenario, "classified_at": datetime.now(UTC)}


@router.get("/cases", summary="Cases, newest first; `needs_agent=true` is the agents' queue")
async def list_cases(
    service: CurrentService,
    needs_agent: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    cases = CaseRecord.__table__
    query = select(cases.c.case).order_by(cases.c.opened_at.desc()).limit(limit)
    if needs_agent is not None:
        query = query.where(cases.c.needs_agent == needs_agent)
    async with service.transaction() as session:
        return list((await session.scalars(query)).all())


@router.get("/cases/{case_id}", summary="A case as received and classified")
async def get_case(case_id: str, service: CurrentService) -> dict[str, Any]:
    async with service.transaction() as session:
        case = await get_or_404(session, CaseRecord, case_id, f"no case {case_id}")
    return {
        **case.case,
        "scenario": case.scenario,
        "needs_agent": case.needs_agent,
        "marketplace_status": case.marketplace_status,
    }


@router.get("/deliveries", summary="Deliveries by state: `failed` ones carry their cause")
async def list_deliveries(
    service: CurrentService,
    state: DeliveryState = DeliveryState.FAILED,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    table = DeliveryRecord.__table__
    columns = [
        table.c[name]
        for name in (
            "channel",
            "delivery_id",
            "account",
            "state",
            "attempts",
            "error",
            "received_at",
            "applied_at",
        )
    ]
    query = (
        select(*columns)
        .where(table.c.state == state.value)
        .order_by(table.c.received_at.desc())
        .limit(limit)
    )
    async with service.transaction() as session:
        return [dict(row._mapping) for row in (await session.execute(query)).all()]
