"""The refund protocol intake serves to resolution (`handlers/refunds.py`), paying through
the generic channel's refund API, here a local fake of it (pytest-httpserver) that keeps
refunds by key and can lose an answer, refuse or be down on demand."""

import asyncio
import json
import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug import Request, Response

from services.intake.channels.registry import BY_NAME
from services.intake.channels.walmart.channel import WALMART
from services.intake.domain.case import Channel
from services.intake.tables import RefundRecord
from services.intake.workflows import refunding
from tests.factories import AGENT, INTERNAL_TOKEN
from tests.handlers.intake.marketplace_side.conftest import stored_case

INTERNAL = {"authorization": f"Bearer {INTERNAL_TOKEN}"}


class FakeRefundApi:
    """The project's refund protocol: refunds by idempotency key; the next POST can be
    answered with a status instead, lose its answer after paying, or take its time."""

    def __init__(self) -> None:
        self.paid: dict[str, dict] = {}
        self.posts: list[str] = []
        self.reads: list[str] = []
        self.next_answer: tuple[int, dict, dict] | None = None
        self.read_answer: tuple[int, dict] | None = None
        self.lose_next_answer = False
        self.delay = 0.0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        if request.method == "GET":
            return self._read_back(request.args["idempotency_key"])
        key = request.headers["Idempotency-Key"]
        self.posts.append(key)
        if self.next_answer is not None:
            (status, body, headers), self.next_answer = self.next_answer, None
            return json_response(body, status, headers)
        time.sleep(self.delay)
        with self._lock:
            new = key not in self.paid
            refund = self.paid.setdefault(
                key,
                {
                    "refund_id": f"fake-re-{len(self.paid) + 1}",
                    "idempotency_key": key,
                    **json.loads(request.data),
                },
            )
        if self.lose_next_answer:
            self.lose_next_answer = False
            return Response("upstream timeout", status=500)
        return json_response(refund, 201 if new else 200)

    def _read_back(self, key: str) -> Response:
        self.reads.append(key)
        if self.read_answer is not None:
            status, body = self.read_answer
            return json_response(body, status)
        return json_response({"refunds": [self.paid[key]] if key in self.paid else []})


def json_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status, headers, content_type="application/json")


@pytest.fixture
def refund_api(httpserver) -> FakeRefundApi:
    fake = FakeRefundApi()
    httpserver.expect_request("/v1/refunds").respond_with_handler(fake)
    return fake


def asked(case, minor: int = 499, **changes) -> dict:
    """The body resolution sends for `case`."""
    return {
        "case_id": case.case_id,
        "marketplace": case.channel,
        "seller_account": case.account,
        "order_id": case.order_id,
        "return_id": case.return_id,
        "amount": {"minor": minor, "currency": "USD"},
        "reason": "partial_refund",
        **changes,
    }


async def ask(api, key: str, body: dict | bytes, headers: dict = INTERNAL):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await api.post(
        "/v1/refunds",
        content=content,
        headers={**headers, "Idempotency-Key": key, "content-type": "application/json"},
    )


async def record_of(intake_api, key: str) -> RefundRecord | None:
    async with intake_api.service.sessions() as session:
        return await session.get(RefundRecord, key)


def new_key() -> str:
    return str(uuid.uuid4())


# Paid once per key


async def test_a_new_refund_is_paid_through_the_cases_channel(intake_api, refund_api):
    case = await stored_case(intake_api.service)
    key = new_key()
    answer = await ask(intake_api, key, asked(case))
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"refund_id": "fake-re-1", "idempotency_key": key, **asked(case)}
    paid = refund_api.paid[key]
    assert (paid["case_id"], paid["marketplace"], paid["seller_account"]) == (
        case.case_id,
        "generic",
        "test-seller",
    )
    assert paid["amount"] == {"minor": 499, "currency": "USD"}
    record = await record_of(intake_api, key)
    assert (record.state, record.marketplace_refund_id, record.attempts) == ("paid", "fake-re-1", 1)
    assert (record.paid_minor, record.paid_currency) == (499, "USD")


async def test_a_replay_answers_the_same_without_asking_the_marketplace(
    intake_api, refund_api, monkeypatch
):
    case = await stored_case(intake_api.service)
    key = new_key()
    first = await ask(intake_api, key, asked(case))

    async def no_account(*args):  # nor the account: the seller left since
        return None

    monkeypatch.setattr(intake_api.service.context.accounts, "find", no_account)
    again = await ask(intake_api, key, asked(case))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert refund_api.posts == [key] and refund_api.reads == []


async def test_a_key_reused_for_another_refund_is_refused_with_a_reason(intake_api, refund_api):
    case = await stored_case(intake_api.service)
    key = new_key()
    await ask(intake_api, key, asked(case))
    conflict = await ask(intake_api, key, asked(case, minor=500))
    assert conflict.status_code == 422
    assert f"Idempotency-Key {key!r} was used for another refund" in conflict.json()["detail"]
    assert refund_api.posts == [key]


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"amount": {"minor": 0, "currency": "USD"}}, "invalid refund: amount.minor:"),
        ({"amount": {"minor": 499, "currency": "usd"}}, "invalid refund: amount.currency:"),
        ({"reason": ""}, "invalid refund: reason:"),
        ({"case_id": None}, "invalid refund: case_id:"),
        ({"coupon": "X"}, "invalid refund: coupon:"),
    ],
)
async def test_an_invalid_body_is_refused_naming_the_field(intake_api, refund_api, change, detail):
    case = await stored_case(intake_api.service)
    key = new_key()
    refused = await ask(intake_api, key, asked(case, **change))
    assert refused.status_code == 422 and refused.json()["detail"].startswith(detail)
    assert await record_of(intake_api, key) is None and refund_api.posts == []


async def test_a_body_that_is_not_json_or_a_missing_key_is_refused(intake_api, refund_api):
    not_json = await ask(intake_api, new_key(), b"{refund")
    assert (not_json.status_code, not_json.json()["detail"]) == (
        422,
        "invalid refund: the body is not JSON",
    )
    case = await stored_case(intake_api.service)
    no_key = await intake_api.post("/v1/refunds", json=asked(case), headers=INTERNAL)
    assert no_key.status_code == 422 and "Idempotency-Key header is required" in no_key.text
    assert refund_api.posts == []


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), (AGENT, 403), ({"authorization": "Bearer wrong"}, 401)]
)
async def test_only_the_services_may_ask_for_a_refund(intake_api, refund_api, headers, status):
    case = await stored_case(intake_api.service)
    refused = await ask(intake_api, new_key(), asked(case), headers)
    assert refused.status_code == status and refund_api.posts == []


# The case and its account


async def test_a_case_intake_does_not_hold_is_404_and_nothing_is_recorded(intake_api, refund_api):
    case = await stored_case(intake_api.service)
    key = new_key()
    unknown = await ask(intake_api, key, asked(case, case_id="case-never-opened"))
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "case_id: intake holds no case case-never-opened"
    assert await record_of(intake_api, key) is None and refund_api.posts == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"order_id": "ORD-someone-elses"}, "order_id"),
        ({"seller_account": "another-seller"}, "seller_account"),
        ({"marketplace": "shopify"}, "marketplace"),
        ({"amount": {"minor": 499, "currency": "EUR"}}, "amount.currency"),
    ],
)
async def test_a_body_that_is_not_the_cases_is_refused_naming_the_field(
    intake_api, refund_api, change, field
):
    case = await stored_case(intake_api.service)
    key = new_key()
    refused = await ask(intake_api, key, asked(case, **change))
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(f"invalid refund: {field}:")
    assert await record_of(intake_api, key) is None and refund_api.posts == []


async def test_a_case_of_an_account_intake_does_not_hold_is_refused(intake_api, refund_api):
    case = await stored_case(intake_api.service, account="seller-gone")
    key = new_key()
    refused = await ask(intake_api, key, asked(case))
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail == "seller_account: intake holds no generic account seller-gone"
    assert await record_of(intake_api, key) is None and refund_api.posts == []


async def test_a_case_opened_by_hand_is_paid_as_a_generic_one(intake_api, refund_api):
    case = await stored_case(intake_api.service, channel="agent")
    key = new_key()
    answer = await ask(intake_api, key, asked(case))
    assert answer.status_code == 201, answer.text
    assert refund_api.paid[key]["marketplace"] == "generic"
    assert (await record_of(intake_api, key)).channel == "generic"


async def test_a_channel_that_pays_no_refunds_through_intake_refuses_with_why(intake_api):
    intake = intake_api.service.context
    intake.channels = {**BY_NAME, Channel.WALMART: replace(WALMART, pay_refund=None)}
    case = await stored_case(intake_api.service, channel="walmart", account="10900015773")
    key = new_key()
    refused = await ask(intake_api, key, asked(case))
    detail = "walmart refunds are not paid through intake: refund the buyer on the marketplace"
    assert refused.status_code == 422 and refused.json()["detail"].startswith(detail)
    assert (await record_of(intake_api, key)).state == "refused"
    assert (await ask(intake_api, key, asked(case))).json() == refused.json()  # for good


# The marketplace's answers


async def test_a_marketplace_refusal_is_answered_with_its_status_and_reason(intake_api, refund_api):
    case = await stored_case(intake_api.service)
    key = new_key()
    refund_api.next_answer = (404, {"detail": f"order {case.order_id} is not ours"}, {})
    refused = await ask(intake_api, key, asked(case))
    assert refused.status_code == 404
    assert f"order {case.order_id} is not ours" in refused.json()["detail"]
    record = await record_of(intake_api, key)
    assert (record.state, record.refusal_status) == ("refused", 404)
    again = await ask(intake_api, key, asked(case))
    assert (again.status_code, again.json()) == (404, refused.json())
    assert refund_api.posts == [key]  # refused for good: not asked again


async def test_an_unavailable_marketplace_is_503_with_its_retry_after(intake_api, refund_api):
    case = await stored_case(intake_api.service)
    key = new_key()
    refund_api.next_answer = (503, {"error": "maintenance"}, {"Retry-After": "7"})
    down = await ask(intake_api, key, asked(case))
    assert (down.status_code, down.headers["Retry-After"]) == (503, "7")
    assert "try again later" in down.json()["detail"]
    assert (await record_of(intake_api, key)).state == "paying"
    retried = await ask(intake_api, key, asked(case))
    # The earlier try may have paid: read back first, found nothing, then paid.
    assert retried.status_code == 201
    assert refund_api.reads == [key] and refund_api.posts == [key, key]
    assert len(refund_api.paid) == 1


async def test_a_lost_answer_is_read_back_and_never_paid_twice(intake_api, refund_api):
    case = await stored_case(intake_api.service)
    key = new_key()
    refund_api.lose_next_answer = True
    lost = await ask(intake_api, key, asked(case))
    assert lost.status_code == 503 and refund_api.paid[key]  # paid, but nobody knows
    found = await ask(intake_api, key, asked(case))
    assert found.status_code == 200, found.text
    assert found.json()["refund_id"] == refund_api.paid[key]["refund_id"]
    assert refund_api.posts == [key] and refund_api.reads == [key]
    record = await record_of(intake_api, key)
    assert (record.state, record.attempts) == ("paid", 2)


async def test_an_answer_whose_commit_failed_is_read_back_on_the_retry(
    intake_api, refund_api, monkeypatch
):
    """The marketplace paid and answered; recording it failed (the process could as well
    have died there). The next try finds the refund paying and reads it back."""
    case = await stored_case(intake_api.service)
    key = new_key()

    async def commit_fails(*args, **kwargs):
        raise ConnectionResetError("the database went away before the commit")

    monkeypatch.setattr(refunding, "settled", commit_fails)
    lost_answer = await ask(intake_api, key, asked(case))  # the caller is told to come back
    assert lost_answer.status_code == 503 and lost_answer.headers["retry-after"]
    assert (await record_of(intake_api, key)).state == "paying" and refund_api.paid[key]
    monkeypatch.undo()
    retried = await ask(intake_api, key, asked(case))
    assert retried.status_code == 200
    assert retried.json()["refund_id"] == refund_api.paid[key]["refund_id"]
    assert refund_api.posts == [key] and len(refund_api.paid) == 1


async def test_a_dead_tries_lease_holds_off_the_next_until_it_runs_out(
    intake_api, refund_api, monkeypatch
):
    """A process killed mid-try keeps its lease; the next try comes back after it."""
    case = await stored_case(intake_api.service)
    key = new_key()

    async def killed(*args, **kwargs):
        raise asyncio.CancelledError  # nothing of the try runs after: not even its give-back

    monkeypatch.setattr(refunding, "settled", killed)
    with pytest.raises(asyncio.CancelledError):
        await ask(intake_api, key, asked(case))
    monkeypatch.undo()
    held = await ask(intake_api, key, asked(case))
    assert held.status_code == 503 and "being paid by another try" in held.text
    async with intake_api.service.transaction() as session:  # the lease runs out
        record = await session.get(RefundRecord, key)
        record.paying_until = datetime.now(UTC) - timedelta(seconds=1)
    after = await ask(intake_api, key, asked(case))
    assert (
        after.status_code == 200 and after.json()["refund_id"] == refund_api.paid[key]["refund_id"]
    )
    assert refund_api.posts == [key] and refund_api.reads == [key]


async def test_a_read_back_refused_pays_nothing_and_records_no_refusal(intake_api, refund_api):
    case = await stored_case(intake_api.service)
    key = new_key()
    refund_api.lose_next_answer = True
    await ask(intake_api, key, asked(case))
    refund_api.read_answer = (403, {"detail": "token lacks refunds:read"})
    refused = await ask(intake_api, key, asked(case))
    assert refused.status_code == 422
    assert "an earlier try may have paid it, so it is not paid again" in refused.text
    assert (await record_of(intake_api, key)).state == "paying"
    assert refund_api.posts == [key]


async def test_a_second_try_while_the_first_pays_is_told_to_come_back(intake_api, refund_api):
    case = await stored_case(intake_api.service)
    key = new_key()
    refund_api.delay = 1.0
    answers = await asyncio.gather(
        ask(intake_api, key, asked(case)), ask(intake_api, key, asked(case))
    )
    assert sorted(answer.status_code for answer in answers) == [201, 503]
    busy = next(answer for answer in answers if answer.status_code == 503)
    # Back once the first try's lease runs out: three marketplace timeouts at most.
    assert 1 <= int(busy.headers["Retry-After"]) <= 6 and "being paid by another try" in busy.text
    assert refund_api.posts == [key]
    assert (await ask(intake_api, key, asked(case))).status_code == 200


async def test_refunds_are_kept_by_case(intake_api, refund_api):
    case = await stored_case(intake_api.service)
    keys = [new_key(), new_key()]
    for key, minor in zip(keys, (499, 250), strict=True):
        assert (await ask(intake_api, key, asked(case, minor=minor))).status_code == 201
    async with intake_api.service.sessions() as session:
        rows = await session.scalars(
            select(RefundRecord.refund_id).where(RefundRecord.case_id == case.case_id)
        )
        assert set(rows) == set(keys)


# For agents


async def test_a_refused_refund_is_listed_with_why_and_asked_again_once_fixed(
    intake_api, refund_api
):
    case = await stored_case(intake_api.service)
    key = new_key()
    refund_api.next_answer = (422, {"detail": "seller's refund balance is too low"}, {})
    assert (await ask(intake_api, key, asked(case))).status_code == 422
    listed = await intake_api.get(
        "/refunds", params={"state": "refused", "case_id": case.case_id}, headers=AGENT
    )
    assert listed.status_code == 200
    (refused,) = listed.json()
    assert (refused["refund_id"], refused["refusal_status"]) == (key, 422)
    assert "refund balance is too low" in refused["error"]
    assert (await intake_api.get("/refunds", headers=INTERNAL)).status_code == 403

    retried = await intake_api.post(f"/refunds/{key}/retry", headers=AGENT)
    assert retried.json() == {"refund_id": key, "state": "asked"}
    paid = await ask(intake_api, key, asked(case))  # resolution's next try
    assert paid.status_code == 201 and refund_api.posts == [key, key]
    again = await intake_api.post(f"/refunds/{key}/retry", headers=AGENT)
    assert again.status_code == 409 and "is paid" in again.json()["detail"]
    assert (await intake_api.post("/refunds/none/retry", headers=AGENT)).status_code == 404
