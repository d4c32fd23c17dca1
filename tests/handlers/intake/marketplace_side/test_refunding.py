"""Store credit issued through intake's refund protocol (reason `store_credit`): a gift card
in the seller's shop, made once whatever the retries, through the emulated Shopify Admin API
(`giftCardCreate`) or the generic channel's gift card API; its code told to the buyer."""

import json
import uuid
from datetime import UTC, datetime

import httpx

from services.intake.tables import RefundRecord
from services.intake.workflows import refunding
from shared.events import Envelope, RefundIssued, Remedy
from shared.markets import Currency
from tests.factories import AGENT
from tests.handlers.intake.marketplace_side.conftest import stored_case
from tests.handlers.intake.marketplace_side.test_outgoing_messages import (
    case_with_buyer,
    messages_of,
    publish,
    send_all,
)
from tests.handlers.intake.marketplace_side.test_refunds import INTERNAL

SHOP = "linen-home.myshopify.com"


def asked(case, minor: int) -> dict:
    return {
        "case_id": case.case_id,
        "marketplace": case.channel,
        "seller_account": case.account,
        "order_id": case.order_id,
        "return_id": case.return_id,
        "amount": {"minor": minor, "currency": "USD"},
        "reason": "store_credit",
    }


async def ask(api, key: str, body: dict) -> httpx.Response:
    return await api.post(
        "/v1/refunds",
        content=json.dumps(body).encode(),
        headers={**INTERNAL, "Idempotency-Key": key, "content-type": "application/json"},
    )


async def record_of(api, key: str) -> RefundRecord:
    async with api.service.sessions() as session:
        return await session.get(RefundRecord, key)


async def shop_cards(emulators: str, code: str) -> list[dict]:
    async with httpx.AsyncClient() as http:
        cards = (await http.get(f"{emulators}/_emulator/shopify/gift-cards")).json()
    return [card for card in cards["gift_cards"] if card["code"] == code]


async def seller_cards(emulators: str, key: str) -> list[dict]:
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            f"{emulators}/refund-api/v1/gift-cards", params={"idempotency_key": key}
        )
    return answer.json()["gift_cards"]


async def test_a_shopify_store_credit_is_one_gift_card_whatever_the_retries(
    on_emulators, emulators, monkeypatch
):
    case = await stored_case(on_emulators.service, channel="shopify", account=SHOP)
    key = str(uuid.uuid4())

    async def commit_fails(*args, **kwargs):
        raise ConnectionResetError("the database went away before the commit")

    monkeypatch.setattr(refunding, "settled", commit_fails)
    # The card is made, its record lost: the caller is told to come back (503).
    lost_answer = await ask(on_emulators, key, asked(case, 5500))
    assert lost_answer.status_code == 503 and lost_answer.headers["retry-after"]
    monkeypatch.undo()
    lost = await record_of(on_emulators, key)
    assert lost.state == "paying" and lost.credit_code
    assert len(await shop_cards(emulators, lost.credit_code)) == 1

    retried = await ask(on_emulators, key, asked(case, 5500))
    assert retried.status_code == 200, retried.text  # read back: not made again
    replayed = await ask(on_emulators, key, asked(case, 5500))
    assert replayed.status_code == 200 and replayed.json() == retried.json()

    record = await record_of(on_emulators, key)
    [card] = await shop_cards(emulators, record.credit_code)
    assert (card["shop"], card["amount"], card["currency"]) == (SHOP, "55", "USD")
    assert key in card["note"]
    assert (record.state, record.marketplace_refund_id) == ("paid", card["gift_card_id"])
    assert (record.paid_minor, record.paid_currency, record.attempts) == (5500, "USD", 2)
    assert retried.json()["refund_id"] == card["gift_card_id"]


async def test_a_generic_store_credit_is_one_card_of_the_sellers_api(on_emulators, emulators):
    case = await stored_case(on_emulators.service, account="test-seller")
    key = str(uuid.uuid4())
    first = await ask(on_emulators, key, asked(case, 2750))
    again = await ask(on_emulators, key, asked(case, 2750))
    assert (first.status_code, again.status_code) == (201, 200), first.text
    record = await record_of(on_emulators, key)
    [card] = await seller_cards(emulators, key)
    assert card["code"] == record.credit_code and len(record.credit_code) == 16
    assert card["amount"] == {"minor": 2750, "currency": "USD"}
    assert record.marketplace_refund_id == card["gift_card_id"] == first.json()["refund_id"]


async def test_a_gift_card_the_shop_refuses_is_visible_with_its_reason(on_emulators, emulators):
    case = await stored_case(on_emulators.service, channel="shopify", account=SHOP)
    key = str(uuid.uuid4())
    refused = await ask(on_emulators, key, asked(case, 250_000))  # beyond the shop's cap
    assert refused.status_code == 422
    assert "Initial value must be less than or equal to 2000" in refused.json()["detail"]
    listed = await on_emulators.get("/refunds", params={"case_id": case.case_id}, headers=AGENT)
    [view] = listed.json()
    assert view["state"] == "refused" and "less than or equal to 2000" in view["error"]
    assert await shop_cards(emulators, view["credit_code"]) == []


async def test_a_channel_that_cannot_issue_store_credit_refuses_with_why(on_emulators):
    case = await stored_case(on_emulators.service, channel="walmart", account="10900015773")
    answer = await ask(on_emulators, str(uuid.uuid4()), asked(case, 1000))
    assert answer.status_code == 422
    assert "cannot issue the seller's store credit" in answer.json()["detail"]


async def test_the_buyer_is_told_the_gift_cards_code_once(on_emulators, intake_api, intake):
    service = intake_api.service
    case = await case_with_buyer(intake, language="it", market="IT")
    key = str(uuid.uuid4())
    issued = await ask(on_emulators, key, asked(case, 5500))
    assert issued.status_code == 201, issued.text
    code = (await record_of(on_emulators, key)).credit_code
    credit = RefundIssued(
        case_id=case.case_id,
        refund_id=key,
        marketplace="generic",
        marketplace_refund_id=issued.json()["refund_id"],
        amount_minor=5500,
        currency=Currency.USD,
        remedy=Remedy.STORE_CREDIT,
        at=datetime.now(UTC),
    )
    envelope = Envelope.wrap(credit)
    await publish(service, credit, "resolution.events", envelope)
    await publish(service, credit, "resolution.events", envelope)  # redelivered
    await send_all(intake)
    [message] = await messages_of(service, case.case_id)
    assert (message.kind, message.state) == ("refund_issued", "sent")
    assert message.subject.startswith("La sua carta regalo da")
    assert code in message.body_text and code in message.body_html
    assert "carta regalo" in message.body_text
