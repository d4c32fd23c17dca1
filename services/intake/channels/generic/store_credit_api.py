"""The generic channel's store credit: a gift card in the seller's own shop, through the
seller's API beside its refunds (`refund_api.py`, the same base URL; the emulators serve it
locally, `deploy/emulators/refund_api.py`).

    POST /v1/gift-cards   Idempotency-Key: <refund id>   {"case_id", "seller_account",
                          "order_id", "code", "amount": {"minor", "currency"}, "note"}
        201 the new card, 200 the card made earlier under the key: {"gift_card_id",
        "code", "amount", ...}; 422 with a `detail` reason: refused (a code taken by
        another card, a key used with another body, an invalid body)
    GET /v1/gift-cards?idempotency_key=<refund id>
        200 {"gift_cards": [...]}: the card made under that key, if any (the read-back)

Answers are read as `shared.outbound` says; a 2xx without the card's id is `Unavailable`
(the card may exist: only the key can tell).
"""

from pydantic import BaseModel, Field

from services.intake.channels.generic.refund_api import (
    SYSTEM,
    Amount,
    listed_under,
    posted_once,
)
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from shared.outbound import Refused

GIFT_CARDS_PATH = "/v1/gift-cards"


class IssuedCard(BaseModel):
    """The part of an answer intake keeps; the rest is the seller's API's."""

    gift_card_id: str = Field(min_length=1)
    idempotency_key: str | None = None
    amount: Amount | None = None


class CardList(BaseModel):
    gift_cards: list[IssuedCard]


async def issue_store_credit(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund:
    what = f"store credit {order.refund_id}"
    body = wire_body(order, account)
    card = await posted_once(apis, GIFT_CARDS_PATH, body, order.refund_id, what, IssuedCard)
    return card_of(order, card)


async def find_store_credit(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund | None:
    what = f"the gift card under key {order.refund_id}"
    listed = await listed_under(apis, GIFT_CARDS_PATH, order.refund_id, what, CardList)
    mine = [each for each in listed.gift_cards if each.idempotency_key == order.refund_id]
    return card_of(order, mine[0]) if mine else None


def wire_body(order: RefundOrder, account: Account) -> dict:
    if not order.credit_code:
        raise Refused(SYSTEM, f"store credit {order.refund_id} has no gift card code")
    return {
        "case_id": order.case_id,
        "seller_account": account.account,
        "order_id": order.order_id,
        "code": order.credit_code,
        "amount": {"minor": order.amount_minor, "currency": order.currency.value},
        "note": f"store credit for case {order.case_id}",
    }


def card_of(order: RefundOrder, card: IssuedCard) -> MarketplaceRefund:
    amount = card.amount or Amount(minor=order.amount_minor, currency=order.currency)
    return MarketplaceRefund(card.gift_card_id, amount.minor, amount.currency)
