"""Fulfillment's failed outgoing calls over the real PostgreSQL and the emulated EasyPost:
return labels the carrier would not sell, listed with their cause on `/failed-calls` (the
same routes and shape as intake's), retried (then bought once) or discarded with the
reason (given up, voided), one by one or by kind, cause and time; each change in the audit
trail; an operator of one seller never sees, retries or discards another seller's; what
waits counted by the gauge an alert watches."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from services.fulfillment.workflows.failed_calls import WAITING_QUEUES
from shared.events import Remedy
from shared.recovery import WaitingCounts
from shared.telemetry import setup_telemetry
from tests.factories import AGENT, bearer, resolution_decided, token_of
from tests.handlers.fulfillment.conftest import (
    bought_for,
    carrier_label,
    due_now,
    new_sku,
    owed_label,
    publish,
)
from tests.integration.conftest import counter_total


def agent_of(seller: str, roles=("agent",)) -> dict[str, str]:
    return bearer(token_of(list(roles), sellers=[seller], name=f"agent of {seller}"))


async def failed_label(api, seller: str) -> str:
    """A return label of the seller that EasyPost, down for its only try, did not sell."""
    decided = resolution_decided(new_sku(), remedy=Remedy.RETURN_FULL_REFUND)
    await publish(api, decided.model_copy(update={"seller_account": seller}))
    owed = await owed_label(api, decided.case_id)
    await api.easypost.put("/_emulator/faults/easypost", json={"outage_seconds": 60})
    api.return_labels.max_attempts = 1
    await due_now(api, owed.reference)
    await api.return_labels.work_once()
    await api.easypost.delete("/_emulator/faults/easypost")
    assert (await carrier_label(api, owed.reference)).state == "failed"
    return owed.reference


async def trail(api, seller: str) -> list[tuple[str, int]]:
    answer = await api.get("/audit", params={"subject": f"agent of {seller}"}, headers=AGENT)
    return [(e["route"], e["status"]) for e in answer.json()]


async def test_failed_labels_are_listed_retried_and_discarded_within_the_callers_sellers(
    carrier_api,
):
    api = carrier_api
    mine, other = (f"seller-{uuid.uuid4().hex[:8]}" for _ in "ab")
    first, second = [await failed_label(api, mine) for _ in "12"]
    theirs = await failed_label(api, other)

    listed = await api.get(
        "/failed-calls", params={"kind": "carrier_label"}, headers=agent_of(mine)
    )
    assert listed.status_code == 200, listed.text
    shown = {call["id"]: call for call in listed.json()}
    assert set(shown) == {first, second}  # never another seller's
    assert shown[first]["kind"] == "carrier_label" and shown[first]["account"] == mine
    assert "503" in shown[first]["error"] and shown[first]["what"].startswith("return label")
    assert (
        await api.get("/failed-calls", params={"kind": "parcel"}, headers=AGENT)
    ).status_code == 422

    # One retried: owed again, then bought once by the worker.
    answer = await api.post(f"/failed-calls/carrier_label/{first}/retry", headers=agent_of(mine))
    assert answer.json() == {"kind": "carrier_label", "id": first, "state": "owed"}
    await api.return_labels.work_once()
    assert (await carrier_label(api, first)).state == "bought"
    assert len(await bought_for(api, first)) == 1
    bought = await api.post(f"/failed-calls/carrier_label/{first}/retry", headers=agent_of(mine))
    assert bought.status_code == 409  # bought: nothing to retry

    # Another seller's is not found, neither to retry nor to discard.
    reason = {"reason": "the buyer sends it back with their own label"}
    for verb, body in (("retry", None), ("discard", reason)):
        url = f"/failed-calls/carrier_label/{theirs}/{verb}"
        assert (await api.post(url, json=body, headers=agent_of(mine))).status_code == 404
    assert (await carrier_label(api, theirs)).state == "failed"

    # Discarded with the reason: given up, voided (nothing was bought), the reason kept.
    url = f"/failed-calls/carrier_label/{second}/discard"
    assert (await api.post(url, json={"reason": ""}, headers=agent_of(mine))).status_code == 422
    answer = await api.post(url, json=reason, headers=agent_of(mine))
    assert answer.json() == {"kind": "carrier_label", "id": second, "state": "void_owed"}
    discarded = await carrier_label(api, second)
    assert discarded.cause == f"discarded by agent of {mine}: {reason['reason']}"
    await api.voids.work_once()
    voided = await carrier_label(api, second)
    assert (voided.state, voided.cause) == ("voided", discarded.cause)  # the reason kept
    assert await bought_for(api, second) == []
    assert (await api.post(url, json=reason, headers=agent_of(mine))).status_code == 409

    # In bulk by kind, cause and time owed: the other seller's own agent, its own only.
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    chosen = {"kind": "carrier_label", "cause": "503", "owed_since": since}
    assert (await api.post("/failed-calls/retry", json=chosen, headers=agent_of(mine))).json() == {
        "retried": 0
    }
    answer = await api.post("/failed-calls/retry", json=chosen, headers=agent_of(other))
    assert answer.json() == {"retried": 1}
    assert (await carrier_label(api, theirs)).state == "owed"
    late = {"owed_since": since, "owed_until": since}
    assert (await api.post("/failed-calls/retry", json=late, headers=AGENT)).status_code == 422

    kept = await trail(api, mine)
    assert ("/failed-calls/{kind}/{call_id}/retry", 200) in kept
    assert ("/failed-calls/{kind}/{call_id}/retry", 409) in kept
    assert ("/failed-calls/{kind}/{call_id}/retry", 404) in kept
    assert ("/failed-calls/{kind}/{call_id}/discard", 200) in kept
    assert ("/failed-calls/{kind}/{call_id}/discard", 404) in kept
    assert ("/failed-calls/retry", 200) in await trail(api, other)


async def test_failed_labels_are_counted_for_their_alert(carrier_api, settings):
    api = carrier_api
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    reference = await failed_label(api, seller)
    metrics = InMemoryMetricReader()
    telemetry = setup_telemetry("fulfillment", settings, metric_reader=metrics)
    counts = WaitingCounts("fulfillment", api.service.sessions, telemetry.meter, WAITING_QUEUES)
    await counts.count_once()
    assert counter_total(metrics, "recovery.failed_calls.waiting", kind="carrier_label") >= 1
    reason = {"reason": "sent by hand"}
    await api.post(f"/failed-calls/carrier_label/{reference}/discard", json=reason, headers=AGENT)


@pytest.mark.parametrize("roles", [("warehouse_staff",), ("technician",), ("operations",)])
async def test_people_who_do_not_work_the_sellers_cases_may_not_retry_or_discard(
    carrier_api, roles
):
    seller = f"seller-{uuid.uuid4().hex[:8]}"
    reference = await failed_label(carrier_api, seller)
    headers = agent_of(seller, roles)
    assert (
        await carrier_api.post("/failed-calls/retry", json={}, headers=headers)
    ).status_code == 403
    url = f"/failed-calls/carrier_label/{reference}/discard"
    assert (
        await carrier_api.post(url, json={"reason": "not mine"}, headers=headers)
    ).status_code == 403
    assert (await carrier_label(carrier_api, reference)).state == "failed"
