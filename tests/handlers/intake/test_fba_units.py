"""FBA units follow their case (`workflows/fba_units.py`) over the real PostgreSQL: what each
returns report says of a unit is kept for its case, a later report that says otherwise moves
it on (an older one does not), and what the unit calls for is owed in the same transaction:
a removal order, a reimbursement claim, an agent's decision, or nothing."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import select

from services.intake.channels.amazon import reports
from services.intake.domain.case import Delivery
from services.intake.tables import (
    AmazonFbaUnit,
    AmazonReimbursementClaim,
    AmazonRemovalOrder,
    CaseRecord,
)
from services.intake.workflows.cases import CaseNotKnownYet, apply_delivery
from shared.markets import Market
from shared.telemetry import setup_telemetry
from tests.handlers.conftest import outbox_of
from tests.handlers.intake.conftest import fba_report, fba_row, running_intake
from tests.integration.conftest import counter_total

SEEN = datetime(2026, 5, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def metrics() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
async def intake(settings, metrics):
    telemetry = setup_telemetry("intake", settings, metric_reader=metrics)
    async with running_intake(settings, telemetry) as client:
        yield client.service.context


@pytest.fixture
def account() -> str:
    return f"A2FBA{uuid.uuid4().hex[:10].upper()}"


def opening(account: str, *rows, seen_at: datetime = SEEN) -> list[Delivery]:
    """The deliveries that open the report's cases, each with what Amazon found."""
    parsed = reports.parse_report(
        fba_report(*rows), seller_account=account, market=Market.US, seen_at=seen_at
    )
    assert parsed.rejected_rows == []
    return parsed.deliveries


def said_later(account: str, *rows, seen_at: datetime) -> list[Delivery]:
    """What a later report says of the units, each as a delivery of its own."""
    returns = reports.read_report(fba_report(*rows)).returns
    return reports.unit_deliveries(returns, account, seen_at)


async def apply(intake, deliveries: list[Delivery]) -> None:
    async with intake.service.transaction() as session:
        for delivery in deliveries:
            await apply_delivery(session, intake, delivery, datetime.now(UTC))


async def row_of(intake, model, **where):
    async with intake.service.sessions() as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return await session.scalar(query)


async def case_of(intake, account: str, plate: str) -> CaseRecord:
    return await row_of(intake, CaseRecord, account=account, return_id=plate)


async def test_a_defective_unit_is_kept_for_its_case_and_owes_a_removal_order(intake, account):
    await apply(intake, opening(account, fba_row("LPNH00000001", "DEFECTIVE")))
    case = await case_of(intake, account, "LPNH00000001")
    unit = await row_of(intake, AmazonFbaUnit, account=account, license_plate="LPNH00000001")
    assert (unit.case_id, unit.disposition, unit.amazon_status, unit.outcome) == (
        case.case_id,
        "DEFECTIVE",
        "Unit returned to inventory",
        "removal",
    )
    assert (unit.fnsku, unit.fulfillment_center, unit.market) == ("X00TESTFNSK", "PHX7", "US")
    removal = await row_of(intake, AmazonRemovalOrder, case_id=case.case_id)
    assert (removal.state, removal.sku, removal.quantity, removal.market) == (
        "owed",
        "TWS-EB-A3-WHT",
        1,
        "US",
    )
    assert await row_of(intake, AmazonReimbursementClaim, case_id=case.case_id) is None
    assert case.marketplace_status == "delivered"
    [opened, updated] = await outbox_of(intake.service, case.case_id)
    assert (opened["type"], updated["type"]) == ("case.opened", "case.marketplace_updated")
    assert opened["data"]["marketplace"] == "amazon_fba"
    assert "DEFECTIVE" in updated["data"]["note"] and "removal order" in updated["data"]["note"]


async def test_a_unit_first_seen_ungraded_is_moved_on_when_a_later_report_grades_it(
    intake, account
):
    await apply(intake, opening(account, fba_row("LPNH00000002", "", "Pending")))
    case = await case_of(intake, account, "LPNH00000002")
    unit = await row_of(intake, AmazonFbaUnit, account=account, license_plate="LPNH00000002")
    assert (unit.disposition, unit.outcome) == ("", "pending")
    assert await row_of(intake, AmazonRemovalOrder, case_id=case.case_id) is None

    later = SEEN + timedelta(hours=6)
    graded = said_later(account, fba_row("LPNH00000002", "DEFECTIVE"), seen_at=later)
    await apply(intake, graded)
    unit = await row_of(intake, AmazonFbaUnit, account=account, license_plate="LPNH00000002")
    assert (unit.disposition, unit.outcome, unit.seen_at) == ("DEFECTIVE", "removal", later)
    assert (await row_of(intake, AmazonRemovalOrder, case_id=case.case_id)).state == "owed"

    # The first report's word, applied late, and the later one again, change nothing.
    await apply(intake, said_later(account, fba_row("LPNH00000002", "", "Pending"), seen_at=SEEN))
    await apply(intake, graded)
    unit = await row_of(intake, AmazonFbaUnit, account=account, license_plate="LPNH00000002")
    assert unit.disposition == "DEFECTIVE"
    notes = [e["data"]["note"] for e in (await outbox_of(intake.service, case.case_id))[1:]]
    assert len(notes) == 2 and "not graded" in notes[0] and "DEFECTIVE" in notes[1]


async def test_a_unit_amazon_damaged_owes_a_claim_with_its_evidence_settled_when_reimbursed(
    intake, account, metrics
):
    owed_before = counter_total(metrics, "amazon.reimbursement_claims", state="owed")
    await apply(intake, opening(account, fba_row("LPNH00000003", "CARRIER_DAMAGED")))
    case = await case_of(intake, account, "LPNH00000003")
    claim = await row_of(intake, AmazonReimbursementClaim, case_id=case.case_id)
    assert claim.state == "owed"
    assert (claim.order_id, claim.sku, claim.fnsku, claim.license_plate) == (
        case.order_id,
        "TWS-EB-A3-WHT",
        "X00TESTFNSK",
        "LPNH00000003",
    )
    assert (claim.disposition, claim.fulfillment_center, claim.currency) == (
        "CARRIER_DAMAGED",
        "PHX7",
        "USD",
    )
    assert claim.returned_at == datetime(2026, 5, 4, 10, tzinfo=UTC)
    assert claim.value_minor is None  # no order read: the report carries no price
    assert await row_of(intake, AmazonRemovalOrder, case_id=case.case_id) is None
    assert counter_total(metrics, "amazon.reimbursement_claims", state="owed") == owed_before + 1

    later = said_later(
        account,
        fba_row("LPNH00000003", "CARRIER_DAMAGED", "Reimbursed"),
        seen_at=SEEN + timedelta(days=1),
    )
    await apply(intake, later)
    claim = await row_of(intake, AmazonReimbursementClaim, case_id=case.case_id)
    assert claim.state == "settled" and "reimbursed" in claim.note


async def test_a_sellable_unit_owes_nothing_and_drops_a_removal_order_never_sent(intake, account):
    await apply(intake, opening(account, fba_row("LPNH00000004", "CUSTOMER_DAMAGED")))
    case = await case_of(intake, account, "LPNH00000004")
    assert (await row_of(intake, AmazonRemovalOrder, case_id=case.case_id)).state == "owed"
    resold = said_later(
        account, fba_row("LPNH00000004", "SELLABLE", "Repackaged successfully"),
        seen_at=SEEN + timedelta(days=1),
    )  # fmt: skip
    await apply(intake, resold)
    removal = await row_of(intake, AmazonRemovalOrder, case_id=case.case_id)
    assert removal.state == "not_needed" and "SELLABLE" in removal.error


async def test_an_unknown_disposition_is_kept_as_written_and_waits_for_an_agent(
    intake, account, metrics
):
    before = counter_total(metrics, "amazon.fba_units_for_agents")
    await apply(intake, opening(account, fba_row("LPNH00000005", "QUARANTINED_FOR_REVIEW")))
    unit = await row_of(intake, AmazonFbaUnit, account=account, license_plate="LPNH00000005")
    assert (unit.disposition, unit.outcome) == ("QUARANTINED_FOR_REVIEW", "agent")
    case = await case_of(intake, account, "LPNH00000005")
    assert await row_of(intake, AmazonRemovalOrder, case_id=case.case_id) is None
    assert await row_of(intake, AmazonReimbursementClaim, case_id=case.case_id) is None
    assert counter_total(metrics, "amazon.fba_units_for_agents") == before + 1


async def test_what_a_report_says_of_a_unit_whose_case_is_not_open_yet_waits_for_it(
    intake, account
):
    [found] = said_later(account, fba_row("LPNH00000006", "DEFECTIVE"), seen_at=SEEN)
    with pytest.raises(CaseNotKnownYet):
        await apply(intake, [found])
    await apply(intake, opening(account, fba_row("LPNH00000006", "DEFECTIVE")))
    await apply(intake, [found])  # tried again: the same word, nothing new
    case = await case_of(intake, account, "LPNH00000006")
    assert len(await outbox_of(intake.service, case.case_id)) == 2
