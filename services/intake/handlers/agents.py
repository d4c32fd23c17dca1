"""Support agents: open a case by hand, decide the scenario of a flagged case, look around.

Every route needs the agent bearer token (AGENT_API_TOKEN).
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from services.intake.channels.common import read_json
from services.intake.channels.generic import webhook as generic
from services.intake.domain.case import Channel, ChannelError, Delivery, OpenCase
from services.intake.domain.opening import case_id_of
from services.intake.domain.webhook import GenericWebhook
from services.intake.handlers.refusals import read_body, refusal
from services.intake.tables import CaseRecord, DeliveryRecord
from services.intake.workflows.context import CurrentIntake
from shared.access import AgentOnly
from shared.events import CaseClassified, Scenario
from shared.outbox import emit
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
    case = generic.canonical_case(webhook, seller_account).model_copy(
        update={"channel": Channel.AGENT}
    )
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
    case_id: str, choice: ScenarioChoice, service: CurrentService
) -> dict[str, Any]:
    cases = CaseRecord.__table__
    async with service.transaction() as session:
        row = (
            await session.execute(
                select(cases.c.scenario, cases.c.needs_agent)
                .where(cases.c.case_id == case_id)
                .with_for_update()
            )
        ).first()
        if row is None:
            raise HTTPException(404, f"no case {case_id}")
        if not row.needs_agent:
            raise HTTPException(409, f"case {case_id} was classified already ({row.scenario})")
        await session.execute(
            update(cases)
            .where(cases.c.case_id == case_id)
            .values(scenario=choice.scenario.value, needs_agent=False)
        )
        await emit(
            session,
            CaseClassified(
                case_id=case_id, scenario=choice.scenario, agent=choice.agent, note=choice.note
            ),
        )
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
    cases = CaseRecord.__table__
    async with service.transaction() as session:
        row = (
            await session.execute(
                select(
                    cases.c.case, cases.c.scenario, cases.c.needs_agent, cases.c.marketplace_status
                ).where(cases.c.case_id == case_id)
            )
        ).first()
    if row is None:
        raise HTTPException(404, f"no case {case_id}")
    return {
        **row.case,
        "scenario": row.scenario,
        "needs_agent": row.needs_agent,
        "marketplace_status": row.marketplace_status,
    }


@router.get("/deliveries", summary="Deliveries by state: `failed` ones carry their cause")
async def list_deliveries(
    service: CurrentService,
    state: Annotated[str, Query(pattern="^(accepted|applied|failed)$")] = "failed",
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
        .where(table.c.state == state)
        .order_by(table.c.received_at.desc())
        .limit(limit)
    )
    async with service.transaction() as session:
        return [dict(row._mapping) for row in (await session.execute(query)).all()]
