"""Actions on the marketplaces' returns: performed once by the return action worker
(`workers/return_actions.py`) through a channel's `act_on_return`, here a stand-in whose
hook is a local fake marketplace (pytest-httpserver); listed and retried by agents
(`handlers/return_actions.py`)."""

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.registry import BY_NAME
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.domain.marketplace_side import ReturnAction, ReturnOrder
from services.intake.domain.return_actions import action_id_of
from services.intake.tables import ReturnActionRecord
from services.intake.workers.return_actions import ReturnActionWorker
from shared.messaging_tables import utc_now
from shared.outbound import answer_to
from tests.factories import AGENT
from tests.handlers.intake.marketplace_side.conftest import stored_case

EBAY = BY_NAME[Channel.EBAY]


def marketplace_hook(base_url: str):
    """An `act_on_return` that tells the fake marketplace at `base_url`."""

    async def act_on_return(order: ReturnOrder, account: Account, apis: MarketplaceApis) -> None:
        request = apis.http.build_request(
            "POST",
            f"{base_url}/returns/{order.return_id}/{order.action.value}",
            json={"action_id": order.action_id, "account": account.account, "note": order.note},
        )
        await answer_to(apis.http, request, "marketplace", f"{order.action} {order.return_id}")

    return act_on_return


@pytest.fixture
def ebay_acts(intake, httpserver):
    """eBay's channel acting on returns through the fake marketplace."""
    hook = marketplace_hook(httpserver.url_for("").rstrip("/"))
    intake.channels = {**BY_NAME, Channel.EBAY: replace(EBAY, act_on_return=hook)}
    return intake


async def owed(intake, action=ReturnAction.APPROVE, account="lumahome-us") -> ReturnActionRecord:
    case = await stored_case(
        intake.service, channel="ebay", account=account, return_id=f"50{uuid.uuid4().int % 10**8}"
    )
    row = {
        "action_id": action_id_of(case.case_id, action),
        "case_id": case.case_id,
        "channel": case.channel,
        "account": case.account,
        "order_id": case.order_id,
        "return_id": case.return_id,
        "action": action.value,
        "note": "resolved by test",
        "state": "owed",
        "owed_at": utc_now(),
        "next_attempt_at": utc_now(),
    }
    async with intake.service.transaction() as session:
        await session.execute(insert(ReturnActionRecord).values(row))
    return await row_of(intake, row["action_id"])


async def row_of(intake, action_id: str) -> ReturnActionRecord:
    async with intake.service.sessions() as session:
        return await session.get(ReturnActionRecord, action_id)


def calls_for(httpserver, row: ReturnActionRecord) -> list[dict]:
    return [
        json.loads(request.data)
        for request, _ in httpserver.log
        if request.path.startswith(f"/returns/{row.return_id}/")
    ]


async def work(intake) -> None:
    await ReturnActionWorker(intake).work_once()


async def test_an_owed_action_is_performed_once(ebay_acts, httpserver):
    row = await owed(ebay_acts)
    httpserver.expect_request(f"/returns/{row.return_id}/approve", method="POST").respond_with_json(
        {}
    )
    await work(ebay_acts)
    await work(ebay_acts)
    assert calls_for(httpserver, row) == [
        {"action_id": row.action_id, "account": "lumahome-us", "note": "resolved by test"}
    ]
    done = await row_of(ebay_acts, row.action_id)
    assert (done.state, done.attempts, done.error) == ("done", 1, None)
    assert done.done_at is not None


async def test_an_unavailable_marketplace_is_tried_after_its_retry_after(ebay_acts, httpserver):
    row = await owed(ebay_acts, ReturnAction.MARK_RECEIVED)
    httpserver.expect_request(f"/returns/{row.return_id}/mark_received").respond_with_json(
        {"error": "down"}, status=503, headers={"Retry-After": "120"}
    )
    await work(ebay_acts)
    later = await row_of(ebay_acts, row.action_id)
    assert later.state == "owed" and "try again later" in later.error
    assert later.next_attempt_at >= datetime.now(UTC) + timedelta(seconds=110)
    await work(ebay_acts)  # not due yet
    assert len(calls_for(httpserver, row)) == 1


async def test_the_last_unavailable_try_fails_the_action(ebay_acts, httpserver):
    row = await owed(ebay_acts)
    max_attempts = ebay_acts.service.settings.return_action_max_attempts
    async with ebay_acts.service.transaction() as session:
        table = ReturnActionRecord.__table__
        await session.execute(
            update(table)
            .where(table.c.action_id == row.action_id)
            .values(attempts=max_attempts - 1)
        )
    httpserver.expect_request(f"/returns/{row.return_id}/approve").respond_with_data("", status=502)
    await work(ebay_acts)
    assert (await row_of(ebay_acts, row.action_id)).state == "failed"


async def test_a_refusal_fails_the_action_for_an_agent_who_may_retry_it(
    ebay_acts, intake_api, httpserver
):
    row = await owed(ebay_acts, ReturnAction.DECLINE)
    path = f"/returns/{row.return_id}/decline"
    httpserver.expect_oneshot_request(path).respond_with_json(
        {"errorMessage": "return is already escalated"}, status=400
    )
    await work(ebay_acts)
    failed = await row_of(ebay_acts, row.action_id)
    assert failed.state == "failed" and "return is already escalated" in failed.error

    listed = await intake_api.get("/return-actions", params={"state": "failed"}, headers=AGENT)
    assert listed.status_code == 200
    mine = [each for each in listed.json() if each["action_id"] == row.action_id]
    assert mine and mine[0]["error"] == failed.error and mine[0]["action"] == "decline"
    assert (await intake_api.get("/return-actions")).status_code == 401

    retried = await intake_api.post(f"/return-actions/{row.action_id}/retry", headers=AGENT)
    assert retried.json() == {"action_id": row.action_id, "state": "owed"}
    httpserver.expect_request(path).respond_with_json({})
    await work(ebay_acts)
    assert (await row_of(ebay_acts, row.action_id)).state == "done"
    again = await intake_api.post(f"/return-actions/{row.action_id}/retry", headers=AGENT)
    assert again.status_code == 409 and "is done" in again.json()["detail"]
    unknown = await intake_api.post("/return-actions/nothing/retry", headers=AGENT)
    assert unknown.status_code == 404


async def test_a_channel_without_return_actions_records_it_not_needed(intake, httpserver):
    intake.channels = {**BY_NAME, Channel.EBAY: replace(EBAY, act_on_return=None)}
    row = await owed(intake)
    await work(intake)
    skipped = await row_of(intake, row.action_id)
    assert (skipped.state, skipped.error) == (
        "not_needed",
        "ebay takes no return actions from intake",
    )
    assert calls_for(httpserver, row) == []


async def test_an_account_intake_no_longer_holds_fails_the_action(ebay_acts, httpserver):
    row = await owed(ebay_acts, account="seller-gone")
    await work(ebay_acts)
    failed = await row_of(ebay_acts, row.action_id)
    assert (failed.state, failed.error) == ("failed", "intake holds no ebay account seller-gone")
    assert calls_for(httpserver, row) == []


async def test_a_try_never_owes_again_an_action_a_decision_dropped_meanwhile(ebay_acts, httpserver):
    row = await owed(ebay_acts, ReturnAction.DECLINE)
    httpserver.expect_request(f"/returns/{row.return_id}/decline").respond_with_data("", status=503)
    # Other tests' actions may be due in the same database: this test's own is the one.
    claims = await ReturnActionWorker(ebay_acts).claim()
    [claimed] = [each for each in claims if each.action_id == row.action_id]
    async with ebay_acts.service.transaction() as session:  # the decision changed meanwhile
        table = ReturnActionRecord.__table__
        await session.execute(
            update(table)
            .where(table.c.action_id == row.action_id)
            .values(state="dropped", error="not performed: resolved by return full refund since")
        )
    await ReturnActionWorker(ebay_acts)._act(claimed)
    dropped = await row_of(ebay_acts, row.action_id)
    assert (dropped.state, dropped.error) == (
        "dropped",
        "not performed: resolved by return full refund since",
    )
