"""Agents' deliveries (`handlers/agents.py`, `workflows/reviving.py`): failed deliveries
listed by channel, account, cause and time of receipt, and retried one by one or together."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.factories import AGENT

NOW = datetime.now(UTC)


async def failed_deliveries(intake, seller, causes: dict[str, timedelta]) -> list[str]:
    """One delivery of `seller` per cause, failed with it, received that long ago."""
    ids = []
    for cause, ago in causes.items():
        answer = await seller.post(intake)
        assert answer.status_code == 202
        delivery_id = answer.json()["delivery_id"]
        async with intake.service.engine.begin() as connection:
            await connection.execute(
                text(
                    "UPDATE intake.deliveries SET state = 'failed', error = :e, attempts = 9,"
                    " received_at = :at WHERE account = :a AND delivery_id = :d"
                ),
                {"e": cause, "at": NOW - ago, "a": seller.account, "d": delivery_id},
            )
        ids.append(delivery_id)
    return ids


async def states(intake, seller) -> dict[str, str]:
    async with intake.service.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT error, state FROM intake.deliveries WHERE account = :a"),
            {"a": seller.account},
        )
        return dict(rows.all())


CAUSES = {
    "walmart: 503 Service Unavailable": timedelta(hours=80),
    "walmart: ReadTimeout (no answer in 10 s)": timedelta(hours=75),
    "no case yet for return R-1 / order O-1": timedelta(hours=74),
    "walmart: 503 Service Unavailable again": timedelta(days=9),
}


async def test_failed_deliveries_are_listed_by_account_cause_and_time(intake, seller):
    await failed_deliveries(intake, seller, CAUSES)

    async def listed(**params) -> list[str]:
        params = {"state": "failed", "account": seller.account, **params}
        answer = await intake.get("/deliveries", params=params, headers=AGENT)
        assert answer.status_code == 200, answer.text
        return [each["error"] for each in answer.json()]

    assert len(await listed()) == 4
    assert await listed(cause="SERVICE unavailable") == [
        "walmart: 503 Service Unavailable",
        "walmart: 503 Service Unavailable again",
    ]  # the most recent first
    since = (NOW - timedelta(hours=76)).isoformat()
    assert await listed(received_since=since) == [
        "no case yet for return R-1 / order O-1",
        "walmart: ReadTimeout (no answer in 10 s)",
    ]
    until = (NOW - timedelta(hours=79)).isoformat()
    assert len(await listed(received_until=until)) == 2
    assert await listed(cause="100%_sure") == []  # the words are words, not a pattern
    assert await listed(channel="shopify") == []
    wrong = await intake.get(
        "/deliveries", params={"received_since": since, "received_until": until}, headers=AGENT
    )
    assert wrong.status_code == 422


async def test_failed_deliveries_are_retried_together_by_cause_and_time(intake, seller):
    await failed_deliveries(intake, seller, CAUSES)
    chosen = {
        "channel": "generic",
        "account": seller.account,
        "cause": "503",
        "received_since": (NOW - timedelta(days=4)).isoformat(),
    }
    answer = await intake.post("/deliveries/retry", json=chosen, headers=AGENT)
    assert answer.json() == {"retried": 1}
    assert await states(intake, seller) == {
        "walmart: 503 Service Unavailable": "accepted",
        "walmart: ReadTimeout (no answer in 10 s)": "failed",
        "no case yet for return R-1 / order O-1": "failed",
        "walmart: 503 Service Unavailable again": "failed",
    }
    everything = await intake.post(
        "/deliveries/retry", json={"account": seller.account}, headers=AGENT
    )
    assert everything.json() == {"retried": 3}
    assert set((await states(intake, seller)).values()) == {"accepted"}
    bad = await intake.post("/deliveries/retry", json={"channel": "etsy"}, headers=AGENT)
    assert bad.status_code == 422
    assert (await intake.post("/deliveries/retry", json={})).status_code == 401


async def test_one_delivery_is_retried_by_its_key(intake, seller):
    [delivery_id] = await failed_deliveries(intake, seller, {"boom": timedelta(hours=73)})
    url = f"/deliveries/generic/{seller.account}/{delivery_id}/retry"
    first = await intake.post(url, headers=AGENT)
    assert first.json() == {
        "channel": "generic",
        "account": seller.account,
        "delivery_id": delivery_id,
        "state": "accepted",
        "revived": True,
    }
    again = await intake.post(url, headers=AGENT)  # still being tried: left as it is
    assert (again.status_code, again.json()["revived"]) == (200, False)
    other = f"/deliveries/generic/someone-else/{delivery_id}/retry"
    assert (await intake.post(other, headers=AGENT)).status_code == 404
