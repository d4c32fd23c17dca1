"""Refunds a marketplace refused, as intake's failed outgoing calls, over the real
PostgreSQL and the emulated Shopify: listed with the marketplace's reason on
`/failed-calls` (kind `refund`), retried (the next try of the key asks the marketplace
again) or discarded with the reason (a later try of the key is answered refused, with it),
one by one or in bulk; each change in the audit trail; another seller's never seen,
retried or discarded; counted by the gauge an alert watches."""

import uuid

from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from services.intake.workflows.failed_calls import WAITING_QUEUES
from shared.recovery import WaitingCounts
from shared.telemetry import setup_telemetry
from tests.factories import AGENT, bearer, token_of
from tests.handlers.intake.marketplace_side.conftest import stored_case
from tests.handlers.intake.marketplace_side.test_refunding import SHOP, ask, asked, record_of
from tests.integration.conftest import counter_total

TOO_MUCH = 250_000  # beyond the emulated shop's cap for a gift card: Shopify refuses it


def agent_of(seller: str, roles=("agent",)) -> dict[str, str]:
    return bearer(token_of(list(roles), sellers=[seller], name=f"agent of {seller}"))


async def refused_refund(api, account: str = SHOP) -> tuple[str, dict]:
    case = await stored_case(api.service, channel="shopify", account=account)
    key, body = str(uuid.uuid4()), asked(case, TOO_MUCH)
    refused = await ask(api, key, body)
    assert refused.status_code == 422, refused.text
    return key, body


async def test_refused_refunds_are_listed_retried_and_discarded_by_their_sellers(
    on_emulators, settings
):
    api = on_emulators
    retried_key, retried_body = await refused_refund(api)
    discarded_key, discarded_body = await refused_refund(api)
    other = f"seller-{uuid.uuid4().hex[:8]}"

    listed = await api.get("/failed-calls", params={"kind": "refund"}, headers=agent_of(SHOP))
    assert listed.status_code == 200, listed.text
    shown = {call["id"]: call for call in listed.json()}
    assert {retried_key, discarded_key} <= set(shown)
    call = shown[retried_key]
    assert (call["kind"], call["channel"], call["account"], call["state"]) == (
        "refund",
        "shopify",
        SHOP,
        "refused",
    )
    assert "less than or equal to 2000" in call["error"]
    assert call["what"] == f"refund {TOO_MUCH} USD (store_credit)"
    # Another seller's agent sees none of them, and can neither retry nor discard one.
    theirs = await api.get("/failed-calls", params={"kind": "refund"}, headers=agent_of(other))
    assert not {retried_key, discarded_key} & {c["id"] for c in theirs.json()}
    reason = {"reason": "refunded by hand in the shop's admin"}
    for verb, body in (("retry", None), ("discard", reason)):
        url = f"/failed-calls/refund/{retried_key}/{verb}"
        assert (await api.post(url, json=body, headers=agent_of(other))).status_code == 404

    metrics = InMemoryMetricReader()
    meter = setup_telemetry("intake", settings, metric_reader=metrics).meter
    await WaitingCounts("intake", api.service.sessions, meter, WAITING_QUEUES).count_once()
    assert counter_total(metrics, "recovery.failed_calls.waiting", kind="refund") >= 2

    # Retried: asked again; the next try of its key asks the marketplace again.
    answer = await api.post(f"/failed-calls/refund/{retried_key}/retry", headers=agent_of(SHOP))
    assert answer.json() == {"kind": "refund", "id": retried_key, "state": "asked"}
    again = await ask(api, retried_key, retried_body)
    assert again.status_code == 422  # the shop's cap still stands: refused again
    assert (await record_of(api, retried_key)).attempts == 2

    # Discarded with the reason: never asked again, a later try answered with the reason.
    url = f"/failed-calls/refund/{discarded_key}/discard"
    answer = await api.post(url, json=reason, headers=agent_of(SHOP))
    assert answer.json() == {"kind": "refund", "id": discarded_key, "state": "discarded"}
    record = await record_of(api, discarded_key)
    assert record.state == "discarded" and record.error.endswith(reason["reason"])
    replay = await ask(api, discarded_key, discarded_body)
    assert replay.status_code == 422 and reason["reason"] in replay.json()["detail"]
    assert (await record_of(api, discarded_key)).attempts == 1
    assert (await api.post(url, json=reason, headers=agent_of(SHOP))).status_code == 409
    retry = f"/failed-calls/refund/{discarded_key}/retry"
    assert (await api.post(retry, headers=agent_of(SHOP))).status_code == 409

    # In bulk by kind and cause: the refused one left, the caller's sellers' only.
    bulk = {"kind": "refund", "cause": "less than or equal", "reason": "paid by hand"}
    assert (await api.post("/failed-calls/discard", json=bulk, headers=agent_of(other))).json() == {
        "discarded": 0
    }
    answer = await api.post("/failed-calls/discard", json=bulk, headers=agent_of(SHOP))
    assert answer.json()["discarded"] >= 1
    assert (await record_of(api, retried_key)).state == "discarded"

    kept = await api.get("/audit", params={"subject": f"agent of {SHOP}"}, headers=AGENT)
    routes = [(entry["route"], entry["status"]) for entry in kept.json()]
    assert ("/failed-calls/{kind}/{call_id}/retry", 200) in routes
    assert ("/failed-calls/{kind}/{call_id}/discard", 200) in routes
    assert ("/failed-calls/{kind}/{call_id}/discard", 409) in routes
    assert ("/failed-calls/discard", 200) in routes
    theirs = await api.get("/audit", params={"subject": f"agent of {other}"}, headers=AGENT)
    assert ("/failed-calls/{kind}/{call_id}/retry", 404) in [
        (entry["route"], entry["status"]) for entry in theirs.json()
    ]
