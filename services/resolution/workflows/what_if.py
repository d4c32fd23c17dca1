"""What a different seller policy would have done: every stored case of a period planned
again by the remedy engine, once under the policy in force and once under the proposed
one (`domain/what_if.py` adds them up). The engine is the one that decides live cases,
with the same inputs (`planning.py`): facts, guides and learnt acceptance."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain.policy import SellerPolicy
from services.resolution.domain.what_if import PolicyOutcome, report
from services.resolution.tables import CaseDecision
from services.resolution.workflows.cases import facts_of
from services.resolution.workflows.planning import planning_inputs


async def what_if(
    session: AsyncSession,
    seller: str,
    proposed: SellerPolicy,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    records = await cases_of(session, seller, since, until)
    facts = [facts_of(record, record.opened_at) for record in records]
    inputs = await planning_inputs(
        session, seller, {f.scenario for f in facts}, learning=proposed.learn_acceptance
    )
    policies = {"current": inputs.learnt(), "proposed": inputs.learnt(proposed)}
    totals = {name: PolicyOutcome() for name in policies}
    for record, case in zip(records, facts, strict=True):
        for name, policy in policies.items():
            totals[name].add(inputs.plan(case, policy), record.currency)
    return report(seller, inputs.version, totals["current"], totals["proposed"])


async def cases_of(
    session: AsyncSession, seller: str, since: datetime | None, until: datetime | None
) -> list[CaseDecision]:
    # A case still waiting for an agent to classify it has no scenario ("") to plan.
    query = select(CaseDecision).where(
        CaseDecision.seller_account == seller, CaseDecision.scenario != ""
    )
    if since is not None:
        query = query.where(CaseDecision.opened_at >= since)
    if until is not None:
        query = query.where(CaseDecision.opened_at < until)
    return list(await session.scalars(query.order_by(CaseDecision.opened_at)))
