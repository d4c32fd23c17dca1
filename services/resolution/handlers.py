"""Resolution: a classified case in, a decided remedy out.

`case.opened` with a scenario → its playbook's preferred remedy → `resolution.decided`.
`case.opened` without one waits for `case.classified` (an agent's choice), then the same.
`fulfillment.stock_unavailable` → the next remedy, a return → `resolution.decided`.
"""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.playbooks import Decision, decide, fall_back_to_return
from services.resolution.tables import CaseDecision
from shared.consumer import RejectedEvent
from shared.events import (
    CaseClassified,
    CaseItem,
    CaseOpened,
    Envelope,
    ResolutionDecided,
    Scenario,
    StockUnavailable,
)
from shared.outbox import emit
from shared.service import CurrentService

router = APIRouter(tags=["resolution"])


async def record_decision(session: AsyncSession, record: CaseDecision, decision: Decision) -> None:
    record.scenario = decision.scenario.value
    record.remedy = decision.remedy.value
    record.refund_minor = decision.refund_minor
    record.rule = decision.rule
    record.decided_at = datetime.now(UTC)
    session.add(record)
    await emit(
        session,
        ResolutionDecided(
            case_id=record.case_id,
            scenario=decision.scenario,
            remedy=decision.remedy,
            market=record.market,
            region=record.region,
            currency=record.currency,
            refund_minor=decision.refund_minor,
            items=[CaseItem.model_validate(item) for item in record.items],
            rule=decision.rule,
        ),
    )


async def on_case_opened(session: AsyncSession, case: CaseOpened, _: Envelope) -> None:
    record = CaseDecision(
        case_id=case.case_id,
        market=case.market,
        region=case.region,
        currency=case.currency,
        items=[item.model_dump(mode="json") for item in case.items],
        scenario="",
        remedy="",
        refund_minor=0,
        rule="",
        decided_at=None,
    )
    if case.scenario is None:
        record.rule = "waiting for an agent to classify the case"
        session.add(record)
        return
    await record_decision(session, record, decide(case.scenario, case.items, "intake"))


async def on_case_classified(session: AsyncSession, event: CaseClassified, _: Envelope) -> None:
    record = await session.get(CaseDecision, event.case_id)
    if record is None:
        raise RejectedEvent(f"no case {event.case_id} waiting for a classification")
    if record.remedy:
        return  # decided already: an agent's late choice changes nothing
    items = [CaseItem.model_validate(item) for item in record.items]
    await record_decision(session, record, decide(event.scenario, items, f"agent {event.agent}"))


async def on_stock_unavailable(session: AsyncSession, event: StockUnavailable, _: Envelope) -> None:
    record = await session.get(CaseDecision, event.case_id)
    if record is None:
        raise RejectedEvent(f"no decision for case {event.case_id}")
    items = [CaseItem.model_validate(item) for item in record.items]
    missing = ", ".join(event.missing_skus)
    why = f"{event.remedy.value} impossible: {missing} out of stock in {event.region}"
    await record_decision(
        session, record, fall_back_to_return(Scenario(record.scenario), items, why)
    )


@router.get("/decisions/{case_id}", summary="The remedy decided for a case")
async def get_decision(case_id: str, service: CurrentService) -> CaseDecision:
    async with service.sessions() as session:
        record = await session.get(CaseDecision, case_id)
    if record is None:
        raise HTTPException(404, f"no decision for case {case_id}")
    return record
