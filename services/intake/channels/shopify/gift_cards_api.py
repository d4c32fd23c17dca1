"""Store credit through Shopify's Admin GraphQL API: a gift card, once per refund order.

- `issue_store_credit`: `giftCardCreate` (https://shopify.dev/docs/api/admin-graphql/latest/
  mutations/giftCardCreate, .../input-objects/GiftCardCreateInput) worth the order's amount,
  under the order's own code (8-20 letters and digits, unique in the shop), with a note that
  names the refund order. Shopify sends the buyer nothing: intake's own message does;
- `find_store_credit`: the read-back before a retry whose answer was lost: `giftCards(query:
  <code>)` (the default search field is the code, https://shopify.dev/docs/api/
  admin-graphql/latest/queries/giftCards), the card whose note names the refund order.

The code is what makes a retry safe: a second `giftCardCreate` under it is refused as TAKEN,
and the card it names is read back instead. Needs the write_gift_cards scope.
"""

from decimal import Decimal

from pydantic import Field

from services.intake.channels.shopify.admin_api import Money
from services.intake.channels.shopify.graphql import (
    SHOPIFY,
    GraphQLModel,
    ShopifyAdmin,
    UserError,
    ask,
    refused,
)
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from shared.markets import MINOR_UNITS, Currency
from shared.outbound import Refused, Unavailable

GIFT_CARD_FIELDS = """
    id
    lastCharacters
    note
    initialValue { amount currencyCode }
"""

CREATE_MUTATION = f"""
mutation IssueStoreCredit($input: GiftCardCreateInput!) {{
  giftCardCreate(input: $input) {{
    giftCard {{ {GIFT_CARD_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

FIND_QUERY = f"""
query StoreCreditByCode($query: String!) {{
  giftCards(first: 5, query: $query) {{
    nodes {{ {GIFT_CARD_FIELDS} }}
  }}
}}
"""

CODE_TAKEN = "TAKEN"


class GiftCard(GraphQLModel):
    id: str
    last_characters: str
    note: str | None = None
    initial_value: Money


class GiftCardCreated(GraphQLModel):
    gift_card: GiftCard | None = None
    user_errors: list[UserError] = []


class CreateData(GraphQLModel):
    gift_card_create: GiftCardCreated | None = None


class GiftCards(GraphQLModel):
    nodes: list[GiftCard] = Field(default_factory=list)


class FindData(GraphQLModel):
    gift_cards: GiftCards


def note_mark(refund_id: str) -> str:
    """What the card's note says to be known again: the refund order's id, bracketed."""
    return f"[after-sales store credit {refund_id}]"


async def issue_store_credit(admin: ShopifyAdmin, order: RefundOrder) -> MarketplaceRefund:
    code = code_of(order)
    card_input = {
        "initialValue": str(Decimal(order.amount_minor) / MINOR_UNITS[order.currency]),
        "code": code,
        "note": f"store credit for case {order.case_id} {note_mark(order.refund_id)}",
    }
    what = f"store credit {order.refund_id}"
    data = await ask(
        admin, CreateData, CREATE_MUTATION, {"input": card_input}, what, unreadable=Unavailable
    )
    created = data.gift_card_create
    if created is not None and created.gift_card is not None:
        return issued(created.gift_card)
    errors = created.user_errors if created else []
    if any(error.code == CODE_TAKEN for error in errors):
        earlier = await find_store_credit(admin, order)
        if earlier is not None:  # an earlier try made it: its answer was lost
            return earlier
    raise refused(errors, what)


async def find_store_credit(admin: ShopifyAdmin, order: RefundOrder) -> MarketplaceRefund | None:
    """The card an earlier try of `order` made, found by its code and note; None if none."""
    code = code_of(order)
    what = f"the gift cards under the code of store credit {order.refund_id}"
    data = await ask(admin, FindData, FIND_QUERY, {"query": code}, what)
    mark = note_mark(order.refund_id)
    for card in data.gift_cards.nodes:
        if code.lower().endswith(card.last_characters.lower()) and mark in (card.note or ""):
            return issued(card)
    return None


def code_of(order: RefundOrder) -> str:
    if not order.credit_code:
        raise Refused(SHOPIFY, f"store credit {order.refund_id} has no gift card code")
    return order.credit_code


def issued(card: GiftCard) -> MarketplaceRefund:
    money = card.initial_value
    try:
        currency = Currency(money.currency_code)
    except ValueError as error:
        reason = f"gift card {card.id} is in {money.currency_code}, not a currency served"
        raise Refused(SHOPIFY, reason) from error
    return MarketplaceRefund(
        marketplace_refund_id=card.id,
        amount_minor=int((money.amount * MINOR_UNITS[currency]).to_integral_value()),
        currency=currency,
    )
