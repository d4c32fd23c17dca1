"""A case as resolution keeps it (`CaseDecision`): made from `case.opened`, read back as
the domain's facts and plan, and handed to an agent (`hold`)."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.resolution.domain import cases
from services.resolution.domain.cases import CaseState
from services.resolution.domain.engine import CaseFacts
from services.resolution.domain.offers import PlannedStep
from services.resolution.domain.symptoms import symptoms_in
from services.resolution.domain.troubleshooting import fault_code_in
from services.resolution.tables import CaseDecision
from services.resolution.workflows.moves import moved
from shared.events import CaseItem, CaseOpened, Reason, Remedy, Scenario
from shared.markets import Currency, Market


def record_of(case: CaseOpened) -> CaseDecision:
    fault_code = fault_code_in(case.buyer_comment)
    category = case.items[0].category if case.items else None
    symptoms = symptoms_in(case.buyer_comment, case.buyer_language, category, fault_code)
    return CaseDecision(
        case_id=case.case_id,
        marketplace=case.marketplace,
        seller_account=case.seller_account,
        order_id=case.order_id,
        return_id=case.return_id,
        market=case.market,
        region=case.region,
        currency=case.currency,
        language=case.buyer_language,
        fault_code=fault_code,
        symptoms=[symptom.value for symptom in symptoms],
        reason=case.reason,
        carrier=case.parcel.carrier if case.parcel else None,
        tracking_number=case.parcel.tracking_number if case.parcel else None,
        parcel_status=case.parcel.marketplace_status if case.parcel else None,
        opened_at=case.opened_at,
        delivered_at=case.delivered_at,
        items=[item.model_dump(mode="json") for item in case.items],
        state=CaseState.WAITING,
        scenario=case.scenario.value if case.scenario else "",
        remedy="",
        refund_minor=0,
        rule="",
        plan=[],  # given, not defaulted: a default factory costs more than the rest of the row
        alternatives=[],
    )


def facts_of(record: CaseDecision, now: datetime) -> CaseFacts:
    return CaseFacts(
        case_id=record.case_id,
        marketplace=record.marketplace,
        market=Market(record.market),
        currency=Currency(record.currency),
        scenario=Scenario(record.scenario),
        items=items_of(record),
        opened_at=record.opened_at or now,
        delivered_at=record.delivered_at,
        language=record.language,
        fault_code=record.fault_code,
        symptoms=tuple(record.symptoms),
        reason=reason_of(record.reason),
    )


def reason_of(value: str | None) -> Reason | None:
    """A reason this version does not know (or none) is no reason."""
    return Reason(value) if value in set(Reason) else None


def items_of(record: CaseDecision) -> list[CaseItem]:
    return [CaseItem.model_validate(item) for item in record.items]


def steps_of(record: CaseDecision) -> list[PlannedStep]:
    return [PlannedStep.model_validate(step) for step in record.plan]


def product_title(record: CaseDecision) -> str:
    """The case's item as the buyer's messages name it: the seller's catalog title in the
    buyer's language when the item has a product titled in it, else the channel's title."""
    first = items_of(record)[0]
    localised = first.product.title_in(record.language) if first.product else None
    return localised or first.title or first.sku


async def hold(
    session: AsyncSession,
    record: CaseDecision,
    findings: list[str],
    now: datetime,
    remedy: Remedy | None = None,
    told: cases.Told | None = None,
) -> None:
    """The case waits in the agents' queue with the reasons; the buyer hears nothing, unless
    `told` that nothing is owed."""
    transition = cases.hold(CaseState(record.state), record.case_id, findings, now, remedy, told)
    record.rule = f"{record.rule}; held for an agent: {'; '.join(findings)}"
    await moved(session, record, transition)
