"""FBA refunds followed until their unit comes back (`workflows/fba_refunds.py`,
`workers/fba_refunds.py`) over the real PostgreSQL: a refund whose unit the returns report
brings is matched; one not back when Amazon's window has passed owes one reimbursement
claim, listed for the agents with the other claims; a unit that turns up after that is
written on the claim. And one poll reads the (emulated) Finances API's refunds of an
account, keeping the FBA ones once."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.intake.channels.amazon import reports
from services.intake.channels.amazon.finances_api import PostedRefund
from services.intake.tables import (
    AmazonFbaRefund,
    AmazonRefundPoll,
    AmazonReimbursementClaim,
    AmazonReportPoll,
)
from services.intake.workflows import fba_refunds
from services.intake.workflows.cases import apply_delivery
from shared.markets import Market
from shared.telemetry import setup_telemetry
from tests.factories import AGENT
from tests.handlers.intake.conftest import amazon_account, fba_report, fba_row, running_intake
from tests.integration.conftest import counter_total

REFUNDED = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
DUE = REFUNDED + timedelta(days=45)
SKU = "TWS-EB-A3-WHT"


@pytest.fixture
def metrics() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
async def client(settings, metrics):
    telemetry = setup_telemetry("intake", settings, metric_reader=metrics)
    async with running_intake(settings, telemetry) as client:
        yield client


@pytest.fixture
def intake(client):
    return client.service.context


@pytest.fixture
def account() -> str:
    return f"A2REF{uuid.uuid4().hex[:10].upper()}"


def order_of(plate: str) -> str:
    return fba_row(plate, "SELLABLE")[1]  # the order id of the plate's report row


async def refunded(intake, account: str, order_id: str, quantity: int = 1) -> None:
    refund = PostedRefund(order_id, SKU, quantity, REFUNDED, Decimal("49.99") * quantity, "USD")
    row = fba_refunds.row_of(account, refund, "US", REFUNDED, 45)
    async with intake.service.transaction() as session:
        await session.execute(insert(AmazonFbaRefund.__table__).values([row]))


async def came_back(intake, account: str, *plates: str, returned: str) -> None:
    rows = [fba_row(plate, "SELLABLE", **{"return-date": returned}) for plate in plates]
    parsed = reports.parse_report(fba_report(*rows), seller_account=account, market=Market.US)
    async with intake.service.transaction() as session:
        for delivery in parsed.deliveries:
            await apply_delivery(session, intake, delivery, datetime.now(UTC))


async def reported(intake, account: str, until: datetime) -> None:
    """The account's FBA returns report read up to `until`."""
    table = AmazonReportPoll.__table__
    values = {"covered_until": until, "reports_done": 1}
    row = AmazonReportPoll(
        account=account, report_type="GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
        state="paused", **values,
    ).model_dump()  # fmt: skip
    async with intake.service.transaction() as session:
        await session.execute(
            insert(table)
            .values(row)
            .on_conflict_do_update(index_elements=["account", "report_type"], set_=values)
        )


async def settled(intake, account: str, now: datetime) -> dict[str, int]:
    async with intake.service.transaction() as session:
        return await fba_refunds.settle_refunds(session, intake.service, account, now)


async def refund_state(intake, account: str, order_id: str) -> AmazonFbaRefund:
    async with intake.service.sessions() as session:
        return await session.scalar(
            select(AmazonFbaRefund).where(
                AmazonFbaRefund.account == account, AmazonFbaRefund.order_id == order_id
            )
        )


async def claims_of(intake, account: str) -> list[AmazonReimbursementClaim]:
    async with intake.service.sessions() as session:
        query = select(AmazonReimbursementClaim).where(AmazonReimbursementClaim.account == account)
        return list(await session.scalars(query))


async def test_a_refund_whose_unit_came_back_is_matched(intake, account, metrics):
    order = order_of(f"{account}B")
    await refunded(intake, account, order)
    await came_back(intake, account, f"{account}B", returned="2026-05-09T10:00:00+00:00")
    await reported(intake, account, DUE + timedelta(days=1))
    assert await settled(intake, account, REFUNDED + timedelta(days=10)) == {"matched": 1}
    assert (await refund_state(intake, account, order)).state == "matched"
    assert await settled(intake, account, DUE + timedelta(days=1)) == {}
    assert await claims_of(intake, account) == []
    assert counter_total(metrics, "amazon.fba_refunds", outcome="matched") == 1


async def test_a_unit_not_back_in_the_window_owes_one_claim_then_its_late_arrival_is_said(
    client, intake, account, metrics
):
    order = order_of(f"{account}L")
    await refunded(intake, account, order)
    await reported(intake, account, DUE - timedelta(hours=1))
    assert await settled(intake, account, DUE - timedelta(minutes=1)) == {}
    assert await settled(intake, account, DUE) == {}  # a report not read may bring the unit
    assert (await refund_state(intake, account, order)).state == "waiting"
    await reported(intake, account, DUE + timedelta(hours=1))
    assert (await refund_state(intake, account, order)).state == "waiting"
    assert await claims_of(intake, account) == []

    assert await settled(intake, account, DUE) == {"claimed": 1}
    assert await settled(intake, account, DUE + timedelta(days=1)) == {}  # owed once
    [claim] = await claims_of(intake, account)
    assert (claim.kind, claim.case_id, claim.order_id, claim.sku, claim.quantity) == (
        "not_returned",
        None,
        order,
        SKU,
        1,
    )
    assert (claim.state, claim.refunded_at, claim.value_minor, claim.currency) == (
        "owed",
        REFUNDED,
        4999,
        "USD",
    )
    assert claim.amazon_status == "refunded, not returned" and claim.late_arrival is None
    assert (await refund_state(intake, account, order)).claim_id == claim.claim_id
    assert counter_total(metrics, "amazon.reimbursement_claims", state="owed") == 1

    # Listed with the other claims, filed through the same routes.
    listed = await client.get(
        "/amazon/reimbursement-claims", params={"account": account}, headers=AGENT
    )
    [shown] = listed.json()
    assert (shown["claim_id"], shown["kind"], shown["case_id"]) == (
        claim.claim_id,
        "not_returned",
        None,
    )
    filed = await client.post(
        f"/amazon/reimbursement-claims/{claim.claim_id}/filed",
        json={"agent": "ana", "seller_central_case_id": "SC-1"},
        headers=AGENT,
    )
    assert filed.status_code == 200 and filed.json()["state"] == "filed"

    # The unit turns up after all: the claim says so, for the agents; it does not vanish.
    await came_back(intake, account, f"{account}L", returned="2026-06-20T10:00:00+00:00")
    assert await settled(intake, account, DUE + timedelta(days=5)) == {"arrived_late": 1}
    [claim] = await claims_of(intake, account)
    assert claim.state == "filed"
    assert "2026-06-20" in claim.late_arrival and f"{account}L" in claim.late_arrival
    listed = await client.get(
        "/amazon/reimbursement-claims", params={"account": account}, headers=AGENT
    )
    assert "after the claim was owed" in listed.json()[0]["late_arrival"]
    assert counter_total(metrics, "amazon.fba_refunds", outcome="arrived_late") == 1


async def test_two_units_refunded_one_back_claims_the_other(intake, account):
    order = order_of(f"{account}T")
    await refunded(intake, account, order, quantity=2)
    await reported(intake, account, DUE)
    await came_back(intake, account, f"{account}T", returned="2026-05-09T10:00:00+00:00")
    assert await settled(intake, account, DUE) == {"claimed": 1}
    [claim] = await claims_of(intake, account)
    assert (claim.quantity, claim.value_minor) == (1, 4999)


async def test_a_poll_keeps_the_fba_refunds_of_its_window_once(
    client, intake, account, amazon_accounts
):
    created = await client.post(
        "/channel-accounts", json=amazon_account(account, "refund-seller"), headers=AGENT
    )
    assert created.status_code == 201, created.text
    amazon_accounts.append(account)
    now = datetime.now(UTC)
    poll = AmazonRefundPoll(
        account=account, state="scheduled", covered_until=now - timedelta(days=3),
        attempts=0, next_attempt_at=now, polls_done=0, failures=0,
    )  # fmt: skip
    values = await fba_refunds.poll(intake, poll, now)
    assert values["failures"] == 0 and values["covered_until"] == now, values
    async with intake.service.sessions() as session:
        kept = list(
            await session.scalars(select(AmazonFbaRefund).where(AmazonFbaRefund.account == account))
        )
    assert len(kept) >= 10  # four returns' refunds a day and one never returned
    assert all(refund.order_id[4] == "5" and refund.market == "US" for refund in kept)
    assert {refund.state for refund in kept} == {"waiting"}  # no unit back, none due
    poll.polls_done, poll.covered_until = 1, now
    again = await fba_refunds.poll(intake, poll, now + timedelta(minutes=1))
    assert again["failures"] == 0
    async with intake.service.sessions() as session:
        total = list(
            await session.scalars(select(AmazonFbaRefund).where(AmazonFbaRefund.account == account))
        )
    assert len(total) == len(kept)  # the overlap read again, kept once
