"""The agents' routes of Amazon FBA returns (`handlers/amazon_fba.py`): units, removal orders
and reimbursement claims listed for one seller only, an agent's decision on a unit of an
unknown disposition, a claim marked filed then settled (or rejected); bad input is a 4xx."""

import uuid
from datetime import UTC, datetime

import pytest

from services.intake.channels.amazon import reports
from services.intake.workflows.cases import apply_delivery
from shared.markets import Market
from tests.factories import AGENT
from tests.handlers.intake.conftest import amazon_account, fba_report, fba_row


@pytest.fixture
async def sellers(intake, amazon_accounts):
    """Two sellers, an Amazon account each, with a defective, a carrier-damaged and an
    oddly graded unit returned to each account."""
    made = {}
    for name in ("north", "south"):
        seller = f"{name}-{uuid.uuid4().hex[:6]}"
        account = f"A2{name.upper()}{uuid.uuid4().hex[:8].upper()}"
        created = await intake.post(
            "/channel-accounts", json=amazon_account(account, seller), headers=AGENT
        )
        assert created.status_code == 201, created.text
        amazon_accounts.append(account)
        rows = [
            fba_row(f"{account}D", "DEFECTIVE"),
            fba_row(f"{account}C", "CARRIER_DAMAGED"),
            fba_row(f"{account}Q", "QUARANTINED"),
        ]
        parsed = reports.parse_report(fba_report(*rows), seller_account=account, market=Market.US)
        context = intake.service.context
        async with intake.service.transaction() as session:
            for delivery in parsed.deliveries:
                await apply_delivery(session, context, delivery, datetime.now(UTC))
        made[name] = (seller, account)
    return made


async def listed(intake, path: str, **params) -> list[dict]:
    answer = await intake.get(path, params=params, headers=AGENT)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_every_list_is_narrowed_to_the_sellers_accounts(intake, sellers):
    (north, north_account), (south, _) = sellers["north"], sellers["south"]
    units = await listed(intake, "/amazon/fba-units", seller=north)
    assert {u["account"] for u in units} == {north_account}
    assert {u["disposition"]: u["outcome"] for u in units} == {
        "DEFECTIVE": "removal",
        "CARRIER_DAMAGED": "claim",
        "QUARANTINED": "agent",
    }
    [removal] = await listed(intake, "/amazon/removal-orders", seller=north)
    assert (removal["account"], removal["state"]) == (north_account, "owed")
    [claim] = await listed(intake, "/amazon/reimbursement-claims", seller=north, state="owed")
    assert (claim["account"], claim["license_plate"]) == (north_account, f"{north_account}C")
    assert await listed(intake, "/amazon/fba-units", seller=f"{south}-nobody") == []
    for path in ("/amazon/fba-units", "/amazon/removal-orders", "/amazon/reimbursement-claims"):
        assert (await intake.get(path)).status_code == 401  # an agent's token, always


async def test_an_agent_decides_what_an_unknown_disposition_calls_for_once(intake, sellers):
    _, account = sellers["north"]
    url = f"/amazon/fba-units/{account}/{account}Q/decision"
    decision = {"outcome": "removal", "agent": "ana", "note": "quarantined: unsellable"}
    answer = await intake.post(url, json=decision, headers=AGENT)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["outcome"], answer.json()["decided_by"]) == ("removal", "ana")
    [removal] = await listed(intake, "/amazon/removal-orders", case_id=answer.json()["case_id"])
    assert removal["state"] == "owed"
    again = await intake.post(url, json=decision, headers=AGENT)
    assert again.status_code == 409 and "waits for an agent" in again.json()["detail"]
    unknown = await intake.post(
        f"/amazon/fba-units/{account}/NOSUCHPLATE/decision", json=decision, headers=AGENT
    )
    assert unknown.status_code == 404
    for bad in ({**decision, "outcome": "burn_it"}, {**decision, "outcome": "pending"}):
        refused = await intake.post(url, json=bad, headers=AGENT)
        assert refused.status_code in (409, 422)


async def test_a_claim_is_filed_in_seller_central_then_settled(intake, sellers):
    _, account = sellers["south"]
    [claim] = await listed(intake, "/amazon/reimbursement-claims", account=account)
    url = f"/amazon/reimbursement-claims/{claim['claim_id']}"
    refused = await intake.post(
        f"{url}/rejected", json={"agent": "ana", "note": "no"}, headers=AGENT
    )
    assert refused.status_code == 409  # only a filed claim is rejected
    filed = await intake.post(
        f"{url}/filed", json={"agent": "ana", "seller_central_case_id": "1234567890"}, headers=AGENT
    )
    assert filed.status_code == 200, filed.text
    assert (filed.json()["state"], filed.json()["seller_central_case_id"]) == (
        "filed",
        "1234567890",
    )
    settled = await intake.post(
        f"{url}/settled",
        json={"agent": "ben", "reimbursement_id": "R-42", "reimbursed_minor": 2999},
        headers=AGENT,
    )
    assert (settled.json()["state"], settled.json()["reimbursed_minor"]) == ("settled", 2999)
    assert settled.json()["updated_by"] == "ben" and settled.json()["settled_at"]
    assert await listed(intake, "/amazon/reimbursement-claims", account=account, state="owed") == []
    missing = await intake.post(
        "/amazon/reimbursement-claims/claim-nope/filed",
        json={"agent": "ana", "seller_central_case_id": "1"},
        headers=AGENT,
    )
    assert missing.status_code == 404
    no_agent = await intake.post(f"{url}/settled", json={}, headers=AGENT)
    assert no_agent.status_code == 422


async def test_bad_filters_are_refused_with_a_4xx(intake):
    for path, params in (
        ("/amazon/fba-units", {"outcome": "melted"}),
        ("/amazon/removal-orders", {"state": "lost"}),
        ("/amazon/reimbursement-claims", {"limit": 0}),
        ("/amazon/reimbursement-claims", {"seller": ""}),
    ):
        answer = await intake.get(path, params=params, headers=AGENT)
        assert answer.status_code == 422, (path, params)
    retry = await intake.post("/amazon/removal-orders/RMVNOSUCH/retry", headers=AGENT)
    assert retry.status_code == 404
