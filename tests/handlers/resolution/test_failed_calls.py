"""Resolution's failed outgoing calls over the real PostgreSQL: refunds the refund API
refused, listed with the reason on `/failed-calls` (kind `refund`, the same routes and
shape as intake's), retried (pending again: the worker pays it under the same key) or
discarded with the reason; each change in the audit trail; another seller's never seen,
retried or discarded."""

import json

from faststream.kafka import TestKafkaBroker
from sqlalchemy import select
from werkzeug import Request, Response

from services.resolution.tables import Refund
from shared.events import BuyerAnswer, Scenario
from shared.service import Service
from tests.factories import AGENT, bearer, case_opened, token_of
from tests.handlers.resolution.conftest import a_seller, publish, reply
from tests.handlers.resolution.test_refunds import pay_all


def agent_of(seller: str, roles=("agent",)) -> dict[str, str]:
    return bearer(token_of(list(roles), sellers=[seller], name=f"agent of {seller}"))


class RefundApi:
    """The refund API: refuses while `refusing`, then pays, once per key."""

    def __init__(self) -> None:
        self.refusing = True
        self.paid: dict[str, dict] = {}

    def __call__(self, request: Request) -> Response:
        if self.refusing:
            detail = {"detail": "the order is on hold in Seller Central"}
            return Response(json.dumps(detail), status=422, content_type="application/json")
        self.paid.setdefault(request.headers["Idempotency-Key"], json.loads(request.data))
        body = {"refund_id": f"mp-{request.headers['Idempotency-Key'][:8]}"}
        return Response(json.dumps(body), status=201, content_type="application/json")


async def refused_refund(resolution: Service, seller: str, base_url: str) -> str:
    """A partial refund of the seller's case, refused by the refund API; its id."""
    case = case_opened(scenario=Scenario.MINOR_DEFECT).model_copy(update={"seller_account": seller})
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, reply(case.case_id, BuyerAnswer.ACCEPT))
    await pay_all(resolution, base_url)
    async with resolution.sessions() as session:
        (refund,) = await session.scalars(select(Refund).where(Refund.case_id == case.case_id))
    assert refund.state == "refused"
    return refund.refund_id


async def state_of(resolution: Service, refund_id: str) -> Refund:
    async with resolution.sessions() as session:
        refund = await session.get(Refund, refund_id)
    assert refund is not None
    return refund


async def test_refused_refunds_are_retried_or_discarded_by_their_sellers(
    resolution, api, httpserver
):
    refund_api = RefundApi()
    httpserver.expect_request("/v1/refunds", method="POST").respond_with_handler(refund_api)
    base_url = httpserver.url_for("")
    mine, other = a_seller(), a_seller()
    retried = await refused_refund(resolution, mine, base_url)
    discarded = await refused_refund(resolution, mine, base_url)
    theirs = await refused_refund(resolution, other, base_url)

    listed = await api.get("/failed-calls", headers=agent_of(mine))
    assert listed.status_code == 200, listed.text
    shown = {call["id"]: call for call in listed.json()}
    assert set(shown) == {retried, discarded}
    call = shown[retried]
    assert (call["kind"], call["account"], call["state"]) == ("refund", mine, "refused")
    assert "on hold in Seller Central" in call["error"] and call["what"].startswith("refund 499")

    # Another seller's is not found, neither to retry nor to discard.
    reason = {"reason": "refunded by hand in Seller Central"}
    for verb, body in (("retry", None), ("discard", reason)):
        url = f"/failed-calls/refund/{theirs}/{verb}"
        assert (await api.post(url, json=body, headers=agent_of(mine))).status_code == 404
    assert (await state_of(resolution, theirs)).state == "refused"

    # Retried: pending again, due now, its tries afresh; the worker pays it once.
    answer = await api.post(f"/failed-calls/refund/{retried}/retry", headers=agent_of(mine))
    assert answer.json() == {"kind": "refund", "id": retried, "state": "pending"}
    assert (await state_of(resolution, retried)).attempts == 0
    refund_api.refusing = False
    await pay_all(resolution, base_url)
    assert (await state_of(resolution, retried)).state == "issued"
    assert list(refund_api.paid) == [retried]
    again = await api.post(f"/failed-calls/refund/{retried}/retry", headers=agent_of(mine))
    assert again.status_code == 409  # issued

    # Discarded with the reason: never paid, the reason kept.
    url = f"/failed-calls/refund/{discarded}/discard"
    answer = await api.post(url, json=reason, headers=agent_of(mine))
    assert answer.json() == {"kind": "refund", "id": discarded, "state": "discarded"}
    refund = await state_of(resolution, discarded)
    assert refund.error == f"discarded by agent of {mine}: {reason['reason']}"
    await pay_all(resolution, base_url)
    assert discarded not in refund_api.paid
    assert (await api.post(url, json=reason, headers=agent_of(mine))).status_code == 409

    # In bulk, by the other seller's agent: its own only.
    bulk = {"kind": "refund", "cause": "on hold", "reason": "refunded by hand"}
    answer = await api.post("/failed-calls/discard", json=bulk, headers=agent_of(other))
    assert answer.json() == {"discarded": 1}
    assert (await state_of(resolution, theirs)).state == "discarded"

    kept = await api.get("/audit", params={"subject": f"agent of {mine}"}, headers=AGENT)
    routes = [(entry["route"], entry["status"]) for entry in kept.json()]
    assert ("/failed-calls/{kind}/{call_id}/retry", 200) in routes
    assert ("/failed-calls/{kind}/{call_id}/retry", 404) in routes
    assert ("/failed-calls/{kind}/{call_id}/discard", 200) in routes
    assert ("/failed-calls/{kind}/{call_id}/discard", 409) in routes
