"""The refund worker (`workers/refunds.py`) against the real PostgreSQL, paying a local
fake marketplace refund API."""

import json
from datetime import UTC, datetime

import httpx
from faststream.kafka import TestKafkaBroker
from sqlalchemy import select
from werkzeug import Request, Response

from services.resolution.adapters.marketplace_refunds import MarketplaceRefunds
from services.resolution.tables import CaseDecision, Refund
from services.resolution.workers.refunds import RefundWorker
from shared.events import BuyerAnswer, Scenario
from shared.service import Service
from tests.factories import case_opened
from tests.handlers.conftest import outbox_of
from tests.handlers.resolution.conftest import publish, reply, row


class FakeRefunds:
    """A marketplace refund API that keeps refunds by idempotency key; the first answer
    for one case is lost (500 after paying), as when a connection drops."""

    def __init__(self) -> None:
        self.paid: dict[str, dict] = {}
        self.lose_first_answer_for: str | None = None

    def __call__(self, request: Request) -> Response:
        key = request.headers["Idempotency-Key"]
        replay = key in self.paid
        body = self.paid.setdefault(key, json.loads(request.data))
        if body["case_id"] == self.lose_first_answer_for:
            self.lose_first_answer_for = None
            return Response("upstream timeout", status=500)
        body = {"refund_id": f"mp-{key[:8]}"}
        return Response(
            json.dumps(body), status=200 if replay else 201, content_type="application/json"
        )


async def owe_partial_refund(resolution: Service) -> str:
    case = case_opened(scenario=Scenario.MINOR_DEFECT)
    async with TestKafkaBroker(resolution.broker) as broker:
        await publish(broker, case)
        await publish(broker, reply(case.case_id, BuyerAnswer.ACCEPT))
    return case.case_id


async def pay_all(resolution: Service, base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as client:
        worker = RefundWorker(resolution, MarketplaceRefunds(client))
        for _ in range(3):
            await worker.work_once()
            async with resolution.transaction() as session:  # retry now, not in 1 s
                await session.execute(
                    Refund.__table__.update().values(next_attempt_at=datetime.now(UTC))
                )


async def test_a_refund_is_paid_once_even_when_the_first_answer_is_lost(resolution, httpserver):
    fake = FakeRefunds()
    httpserver.expect_request("/v1/refunds", method="POST").respond_with_handler(fake)
    case_id = await owe_partial_refund(resolution)
    fake.lose_first_answer_for = case_id
    await pay_all(resolution, httpserver.url_for(""))

    async with resolution.sessions() as session:
        (refund,) = await session.scalars(select(Refund).where(Refund.case_id == case_id))
    assert (refund.state, refund.attempts) == ("issued", 2)
    mine = [body for body in fake.paid.values() if body["case_id"] == case_id]
    assert [body["amount"] for body in mine] == [{"minor": 499, "currency": "USD"}]
    issued = [e for e in await outbox_of(resolution, case_id) if e["type"] == "refund.issued"]
    assert len(issued) == 1
    assert issued[0]["data"]["marketplace_refund_id"] == refund.marketplace_refund_id


async def test_a_refused_refund_holds_the_case_for_an_agent(resolution, httpserver):
    httpserver.expect_request("/v1/refunds", method="POST").respond_with_json(
        {"detail": "order already refunded in Seller Central"}, status=422
    )
    case_id = await owe_partial_refund(resolution)
    await pay_all(resolution, httpserver.url_for(""))
    async with resolution.sessions() as session:
        (refund,) = await session.scalars(select(Refund).where(Refund.case_id == case_id))
    assert refund.state == "refused"
    assert "already refunded" in refund.error
    held = [
        e for e in await outbox_of(resolution, case_id) if e["type"] == "resolution.held_for_agent"
    ]
    assert "already refunded" in held[0]["data"]["findings"][0]
    assert (await row(resolution, CaseDecision, case_id)).state == "held"
