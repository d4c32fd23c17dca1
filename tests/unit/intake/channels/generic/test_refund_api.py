"""The generic channel's refunds through the project's refund protocol: against the
emulators' refund API (in process, over the ASGI transport) for the protocol itself, and a
local fake (pytest-httpserver) for the answers the emulator does not give."""

import httpx
import pytest

from deploy.emulators.app import create_app as create_emulators
from services.intake.channels.generic import refund_api
from services.intake.channels.generic.channel import GENERIC
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from services.intake.settings import IntakeSettings
from shared.markets import Currency
from shared.outbound import Refused, Unavailable

ACCOUNT = Account(Channel.GENERIC, "test-seller", "test-seller", None, {"secrets": ["s"]})
ORDER = RefundOrder(
    refund_id="0b0e6c1e-refund",
    case_id="case-1",
    order_id="ORD-1",
    return_id=None,
    amount_minor=499,
    currency=Currency.USD,
    reason="partial_refund",
)


def apis_of(http: httpx.AsyncClient, base_url: str | None) -> MarketplaceApis:
    return MarketplaceApis(http, IntakeSettings(generic_refund_api_base_url=base_url))


@pytest.fixture
async def emulated():
    """The generic channel's APIs with the emulators' refund API behind them, and a client
    of that API to read its ledger."""
    transport = httpx.ASGITransport(app=create_emulators())
    async with httpx.AsyncClient(transport=transport) as http:
        yield apis_of(http, "http://emulators/refund-api/"), http


async def ledger(http: httpx.AsyncClient) -> list[dict]:
    return (await http.get("http://emulators/refund-api/v1/refunds")).json()["refunds"]


def test_the_generic_channel_pays_and_reads_back_through_the_protocol():
    assert GENERIC.pay_refund is refund_api.pay_refund
    assert GENERIC.find_refund is refund_api.find_refund
    assert GENERIC.act_on_return is None  # a generic case names no marketplace return


async def test_a_refund_is_paid_once_under_its_id_as_the_key(emulated):
    apis, http = emulated
    first = await refund_api.pay_refund(ORDER, ACCOUNT, apis)
    again = await refund_api.pay_refund(ORDER, ACCOUNT, apis)
    assert first == again == MarketplaceRefund("sandbox-re-000001", 499, Currency.USD)
    (paid,) = await ledger(http)
    assert paid["idempotency_key"] == ORDER.refund_id
    assert (paid["case_id"], paid["marketplace"], paid["seller_account"]) == (
        "case-1",
        "generic",
        "test-seller",
    )
    assert paid["amount"] == {"minor": 499, "currency": "USD"}


async def test_the_read_back_finds_the_refund_of_the_key_only(emulated):
    apis, _ = emulated
    assert await refund_api.find_refund(ORDER, ACCOUNT, apis) is None
    other = RefundOrder(**{**ORDER.__dict__, "refund_id": "another-key", "case_id": "case-2"})
    await refund_api.pay_refund(other, ACCOUNT, apis)
    assert await refund_api.find_refund(ORDER, ACCOUNT, apis) is None
    made = await refund_api.pay_refund(ORDER, ACCOUNT, apis)
    assert await refund_api.find_refund(ORDER, ACCOUNT, apis) == made


async def test_the_same_key_for_another_refund_is_refused_with_the_reason(emulated):
    apis, _ = emulated
    await refund_api.pay_refund(ORDER, ACCOUNT, apis)
    changed = RefundOrder(**{**ORDER.__dict__, "amount_minor": 500})
    with pytest.raises(Refused, match="was used for refund sandbox-re-000001") as refused:
        await refund_api.pay_refund(changed, ACCOUNT, apis)
    assert refused.value.status == 422


async def test_an_emulated_outage_is_unavailable_with_its_retry_after(emulated):
    apis, http = emulated
    await http.put("http://emulators/_emulator/faults/refund-api", json={"outage_seconds": 30})
    with pytest.raises(Unavailable) as down:
        await refund_api.pay_refund(ORDER, ACCOUNT, apis)
    assert down.value.status == 503 and 29 <= down.value.retry_after <= 30
    with pytest.raises(Unavailable):
        await refund_api.find_refund(ORDER, ACCOUNT, apis)


async def test_without_a_refund_api_the_refund_is_refused_with_the_setting_to_set():
    async with httpx.AsyncClient() as http:
        with pytest.raises(Refused, match="GENERIC_REFUND_API_BASE_URL is not set"):
            await refund_api.pay_refund(ORDER, ACCOUNT, apis_of(http, None))


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (201, {"no_refund_id": True}),  # the money may have moved: only the key can tell
        (202, {"refund_id": "re-1"}),  # not the protocol's answer
    ],
)
async def test_a_2xx_that_is_not_the_protocols_answer_is_unavailable(httpserver, status, body):
    httpserver.expect_request("/v1/refunds", method="POST").respond_with_json(body, status=status)
    async with httpx.AsyncClient() as http:
        with pytest.raises(Unavailable):
            await refund_api.pay_refund(ORDER, ACCOUNT, apis_of(http, httpserver.url_for("")))


async def test_a_read_back_that_is_not_a_list_of_refunds_is_unavailable(httpserver):
    httpserver.expect_request("/v1/refunds", method="GET").respond_with_json({"refunds": "?"})
    async with httpx.AsyncClient() as http:
        with pytest.raises(Unavailable):
            await refund_api.find_refund(ORDER, ACCOUNT, apis_of(http, httpserver.url_for("")))
