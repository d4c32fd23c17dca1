"""Intake's recovery tools over the real PostgreSQL: failed deliveries and failed outgoing
calls (messages to buyers, return actions on the marketplaces) listed with their cause,
retried or discarded with the reason, one by one or by a filter; each change kept in the
audit trail; every read and change narrowed to the caller's sellers; what waits counted
by the gauges an alert watches."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import text

from services.intake.tables import OutgoingMessage, ReturnActionRecord
from shared.telemetry import setup_telemetry
from tests.factories import AGENT, bearer, token_of, webhook
from tests.handlers.intake.conftest import Seller, forget_deliveries, running_intake
from tests.integration.conftest import counter_total


@pytest.fixture
def metrics() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
async def intake(settings, metrics):
    telemetry = setup_telemetry("intake", settings, metric_reader=metrics)
    async with running_intake(settings, telemetry) as client:
        yield client


@pytest.fixture
async def sellers(intake):
    """Two generic-channel sellers: the one whose things fail, and another."""
    both = [Seller(f"seller-{uuid.uuid4().hex[:8]}", f"secret-{uuid.uuid4().hex}") for _ in "ab"]
    for seller in both:
        assert (await seller.create(intake)).status_code == 201
    yield both
    for seller in both:
        await forget_deliveries(intake, seller.account)


def agent_of(seller: Seller, roles=("agent",)) -> dict[str, str]:
    return bearer(
        token_of(list(roles), sellers=[seller.account], name=f"agent of {seller.account}")
    )


async def failed_delivery(intake, seller: Seller, cause: str) -> str:
    """A delivery of the seller, stored, then failed with `cause`; its id."""
    body = webhook()
    assert (await seller.post(intake, body)).status_code == 202
    delivery_id = f"{body['marketplace']}:{body['event_id']}"
    async with intake.service.engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE intake.deliveries SET state = 'failed', error = :e"
                " WHERE channel = 'generic' AND account = :a AND delivery_id = :d"
            ),
            {"e": cause, "a": seller.account, "d": delivery_id},
        )
    return delivery_id


async def state_of(intake, table: str, where: str, **params) -> tuple:
    async with intake.service.engine.connect() as connection:
        return (
            await connection.execute(
                text(f"SELECT state, error FROM intake.{table} WHERE {where}"), params
            )
        ).one()


async def trail(intake, seller: Seller) -> list[tuple[str, int]]:
    """The routes the seller's agent called, as the audit trail keeps them."""
    subject = f"agent of {seller.account}"
    answer = await intake.get("/audit", params={"subject": subject}, headers=AGENT)
    return [(e["route"], e["status"]) for e in answer.json()]


async def test_failed_deliveries_are_retried_or_discarded_with_a_reason_by_their_sellers(
    intake, sellers, metrics
):
    mine, other = sellers
    first = await failed_delivery(intake, mine, "the marketplace answered 503")
    second = await failed_delivery(intake, mine, "the marketplace answered 404: no order")
    theirs = await failed_delivery(intake, other, "the marketplace answered 503")

    # Listed with their cause, to the seller's own people only.
    listed = await intake.get("/deliveries", params={"state": "failed"}, headers=agent_of(mine))
    assert {d["delivery_id"] for d in listed.json()} >= {first, second}
    assert theirs not in {d["delivery_id"] for d in listed.json()}

    # Counted as waiting.
    await intake.service.waiting.count_once()
    assert counter_total(metrics, "recovery.failed_deliveries.waiting", channel="generic") >= 3

    # Retried one by one.
    url = f"/deliveries/generic/{mine.account}/{first}"
    answer = await intake.post(f"{url}/retry", headers=agent_of(mine))
    assert answer.status_code == 200 and answer.json()["revived"] is True
    where = "account = :a AND delivery_id = :d"
    assert (await state_of(intake, "deliveries", where, a=mine.account, d=first))[0] == "accepted"

    # Another seller's delivery is not found, neither to retry nor to discard.
    other_url = f"/deliveries/generic/{other.account}/{theirs}"
    reason = {"reason": "the order was cancelled on the marketplace"}
    refused = await intake.post(f"{other_url}/discard", json=reason, headers=agent_of(mine))
    assert refused.status_code == 404
    assert (await intake.post(f"{other_url}/retry", headers=agent_of(mine))).status_code == 404

    # Discarded with the reason kept; a discarded one is not retried.
    second_url = f"/deliveries/generic/{mine.account}/{second}"
    assert (
        await intake.post(f"{second_url}/discard", json={"reason": ""}, headers=agent_of(mine))
    ).status_code == 422
    answer = await intake.post(f"{second_url}/discard", json=reason, headers=agent_of(mine))
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "discarded"
    assert answer.json()["discard_reason"] == reason["reason"]
    assert answer.json()["discarded_by"]
    again = await intake.post(f"{second_url}/retry", headers=agent_of(mine))
    assert again.status_code == 409
    discarded = await intake.get(
        "/deliveries", params={"state": "discarded", "account": mine.account}, headers=AGENT
    )
    assert [d["delivery_id"] for d in discarded.json()] == [second]

    # In bulk, by cause: only the caller's sellers' deliveries.
    third = await failed_delivery(intake, mine, "the marketplace answered 503")
    bulk = {"cause": "503", "reason": "the outage is over and these are stale"}
    answer = await intake.post("/deliveries/discard", json=bulk, headers=agent_of(mine))
    assert answer.json() == {"discarded": 1}
    assert (await state_of(intake, "deliveries", where, a=mine.account, d=third))[0] == "discarded"
    assert (await state_of(intake, "deliveries", where, a=other.account, d=theirs))[0] == "failed"

    # Each change kept in the audit trail.
    kept = await trail(intake, mine)
    assert ("/deliveries/{channel}/{account}/{delivery_id:path}/discard", 200) in kept
    assert ("/deliveries/{channel}/{account}/{delivery_id:path}/discard", 404) in kept
    assert ("/deliveries/{channel}/{account}/{delivery_id:path}/retry", 200) in kept
    assert ("/deliveries/discard", 200) in kept


async def failed_message(intake, seller: Seller, cause: str) -> str:
    message_id = f"msg-{uuid.uuid4().hex[:12]}"
    async with intake.service.transaction() as session:
        session.add(
            OutgoingMessage(
                message_id=message_id,
                idempotency_key=message_id,
                case_id=f"case-{uuid.uuid4()}",
                channel="generic",
                account=seller.account,
                seller=seller.account,
                kind="offer",
                way="email",
                trigger=f"evt-{uuid.uuid4()}",
                language="en",
                facts={},
                state="failed",
                attempts=5,
                error=cause,
            )
        )
    return message_id


async def failed_action(intake, seller: Seller, cause: str, owed_ago: timedelta) -> str:
    action_id = f"act-{uuid.uuid4().hex[:12]}"
    async with intake.service.transaction() as session:
        session.add(
            ReturnActionRecord(
                action_id=action_id,
                case_id=f"case-{uuid.uuid4()}",
                channel="generic",
                account=seller.account,
                order_id="order-1",
                action="refund",
                state="failed",
                attempts=5,
                error=cause,
                owed_at=datetime.now(UTC) - owed_ago,
            )
        )
    return action_id


async def test_failed_calls_are_listed_retried_and_discarded_within_the_callers_sellers(
    intake, sellers, metrics
):
    mine, other = sellers
    message = await failed_message(intake, mine, "the mail relay answered 550")
    old = await failed_action(intake, mine, "the refund API answered 503", timedelta(days=2))
    new = await failed_action(intake, mine, "the refund API answered 503", timedelta(minutes=1))
    theirs = await failed_action(intake, other, "the refund API answered 503", timedelta(0))

    listed = await intake.get("/failed-calls", headers=agent_of(mine))
    assert listed.status_code == 200, listed.text
    shown = {(c["kind"], c["id"]): c for c in listed.json()}
    assert {("message", message), ("return_action", old), ("return_action", new)} <= set(shown)
    assert ("return_action", theirs) not in shown
    assert shown["message", message]["error"] == "the mail relay answered 550"

    await intake.service.waiting.count_once()
    assert counter_total(metrics, "recovery.failed_calls.waiting", kind="return_action") >= 3

    # One retried: owed again, due now.
    answer = await intake.post(f"/failed-calls/message/{message}/retry", headers=agent_of(mine))
    assert answer.json() == {"kind": "message", "id": message, "state": "queued"}
    again = await intake.post(f"/failed-calls/message/{message}/retry", headers=agent_of(mine))
    assert again.json()["state"] == "queued"  # asked twice: queued once

    # In bulk by kind, cause and time owed: the recent one only, not another seller's.
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    chosen = {"kind": "return_action", "cause": "503", "owed_since": since}
    answer = await intake.post("/failed-calls/retry", json=chosen, headers=agent_of(mine))
    assert answer.json() == {"retried": 1}
    assert (await state_of(intake, "return_actions", "action_id = :i", i=new))[0] == "owed"
    assert (await state_of(intake, "return_actions", "action_id = :i", i=old))[0] == "failed"
    assert (await state_of(intake, "return_actions", "action_id = :i", i=theirs))[0] == "failed"

    # Discarded with the reason; another seller's is not found.
    reason = {"reason": "refunded by hand on the marketplace"}
    url = f"/failed-calls/return_action/{theirs}/discard"
    assert (await intake.post(url, json=reason, headers=agent_of(mine))).status_code == 404
    url = f"/failed-calls/return_action/{old}/discard"
    answer = await intake.post(url, json=reason, headers=agent_of(mine))
    assert answer.json()["state"] == "dropped"
    state, error = await state_of(intake, "return_actions", "action_id = :i", i=old)
    assert state == "dropped" and error.endswith(": refunded by hand on the marketplace")
    assert (await intake.post(url, json=reason, headers=agent_of(mine))).status_code == 409
    retried = await intake.post(f"/failed-calls/return_action/{old}/retry", headers=agent_of(mine))
    assert retried.status_code == 409  # set aside: a later decision may owe it, not a retry

    # The other seller's, in bulk by its own agent.
    bulk = {"kind": "return_action", "reason": "the channel was closed"}
    answer = await intake.post("/failed-calls/discard", json=bulk, headers=agent_of(other))
    assert answer.json() == {"discarded": 1}

    kept = await trail(intake, mine)
    assert ("/failed-calls/{kind}/{call_id}/discard", 200) in kept
    assert ("/failed-calls/{kind}/{call_id}/retry", 409) in kept
    assert ("/failed-calls/retry", 200) in kept
    assert ("/failed-calls/discard", 200) in await trail(intake, other)


@pytest.mark.parametrize("roles", [("warehouse_staff",), ("technician",), ("operations",)])
async def test_people_who_do_not_work_the_sellers_cases_may_not_retry_or_discard(
    intake, sellers, roles
):
    mine, _ = sellers
    action = await failed_action(intake, mine, "the refund API answered 503", timedelta(0))
    headers = agent_of(mine, roles)
    reason = {"reason": "not mine to say"}
    assert (await intake.post("/failed-calls/retry", json={}, headers=headers)).status_code == 403
    url = f"/failed-calls/return_action/{action}/discard"
    assert (await intake.post(url, json=reason, headers=headers)).status_code == 403
    assert (
        await intake.post("/deliveries/discard", json=reason, headers=headers)
    ).status_code == 403
    assert (await state_of(intake, "return_actions", "action_id = :i", i=action))[0] == "failed"
