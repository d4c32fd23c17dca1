"""Paying a buyer back through Shopify's Admin GraphQL API, once per refund order.

- `pay_refund`: reads the order's payments (`order { transactions }`, the successful SALE or
  CAPTURE to refund against, and the currency the buyer paid in), then `refundCreate` with
  a REFUND transaction of the amount (https://shopify.dev/docs/api/admin-graphql/latest/
  mutations/refundCreate, .../input-objects/RefundInput, .../input-objects/
  OrderTransactionInput). The call carries `@idempotent(key: <refund id>)`, which refunds
  need since 2026-04 (https://shopify.dev/docs/api/usage/idempotent-requests): a retry with
  the same key gives the first refund back. The refund's `note` names the refund id too;
- `find_refund`: the read-back before a retry whose answer was lost (an idempotency key is
  kept for a while only, a delivery may wait for days): the order's `refunds` whose note
  names the refund id (https://shopify.dev/docs/api/admin-graphql/latest/objects/Refund);
- `read_refund_state`: `refund(id:)`, what confirms a refunds/create webhook.

Refunds go through `refundCreate` even for a return: `returnProcess` would also take the
return's line items and their dispositions and takes no idempotency key. The buyer is not
notified by Shopify (`notify: false`): resolution's own messages tell them. An answer that
is not the documented one after `refundCreate` is `Unavailable`: money may have moved, and
only the read-back can tell. Needs the write_orders scope (read_orders to read back).
"""

from decimal import Decimal

from pydantic import Field

from services.intake.channels.shopify.admin_api import MoneyBag
from services.intake.channels.shopify.confirmation import RefundState
from services.intake.channels.shopify.graphql import (
    SHOPIFY,
    GraphQLModel,
    ShopifyAdmin,
    UserError,
    ask,
    gid,
    legacy_id,
    refused,
)
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from shared.markets import MINOR_UNITS, Currency
from shared.outbound import Refused, Unavailable

PAYMENTS_QUERY = """
query OrderPayments($id: ID!) {
  order(id: $id) {
    id
    presentmentCurrencyCode
    transactions(first: 50) {
      id
      kind
      status
      gateway
      amountSet { presentmentMoney { amount currencyCode } }
    }
  }
}
"""

REFUND_MUTATION = """
mutation RefundBuyer($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund {
      id
      note
      totalRefundedSet { presentmentMoney { amount currencyCode } }
    }
    userErrors { field message }
  }
}
"""

REFUNDS_QUERY = """
query OrderRefunds($id: ID!) {
  order(id: $id) {
    id
    refunds(first: 250) {
      id
      note
      totalRefundedSet { presentmentMoney { amount currencyCode } }
    }
  }
}
"""

REFUND_QUERY = """
query RefundState($id: ID!) {
  refund(id: $id) {
    id
    order { id }
    return { id }
  }
}
"""

# The payments a refund goes back to (https://shopify.dev/docs/api/admin-graphql/latest/
# enums/OrderTransactionKind): money taken at once (SALE) or captured after an authorisation.
PAID_KINDS = {"SALE", "CAPTURE"}


class Transaction(GraphQLModel):
    id: str
    kind: str
    status: str
    gateway: str
    amount_set: MoneyBag


class PaidOrder(GraphQLModel):
    id: str
    presentment_currency_code: str
    transactions: list[Transaction]


class PaymentsData(GraphQLModel):
    order: PaidOrder | None = None


class Refund(GraphQLModel):
    id: str
    note: str | None = None
    total_refunded_set: MoneyBag


class RefundCreated(GraphQLModel):
    refund: Refund | None = None
    user_errors: list[UserError] = []


class RefundData(GraphQLModel):
    refund_create: RefundCreated | None = None


class RefundedOrder(GraphQLModel):
    id: str
    refunds: list[Refund]


class RefundsData(GraphQLModel):
    order: RefundedOrder | None = None


class Ref(GraphQLModel):
    id: str


class RefundOf(GraphQLModel):
    id: str
    order: Ref
    of_return: Ref | None = Field(default=None, alias="return")


class RefundStateData(GraphQLModel):
    refund: RefundOf | None = None


def note_mark(refund_id: str) -> str:
    """What a refund's note says to be found again: the refund order's id, bracketed so that
    one id is never read inside another."""
    return f"[after-sales refund {refund_id}]"


async def pay_refund(admin: ShopifyAdmin, order: RefundOrder) -> MarketplaceRefund:
    order_gid = gid("Order", order.order_id)
    paid = await paid_order(admin, order_gid)
    if paid.presentment_currency_code != order.currency.value:
        raise Refused(
            SHOPIFY,
            f"order {order_gid} was paid in {paid.presentment_currency_code}, "
            f"not {order.currency.value}",
        )
    payment = payment_of(paid)
    refund_input = {
        "orderId": order_gid,
        "currency": order.currency.value,
        "note": f"{order.reason.replace('_', ' ')} {note_mark(order.refund_id)}",
        "notify": False,
        "transactions": [
            {
                "orderId": order_gid,
                "parentId": payment.id,
                "gateway": payment.gateway,
                "kind": "REFUND",
                "amount": str(major_units(order.amount_minor, order.currency)),
            }
        ],
    }
    variables = {"input": refund_input, "key": order.refund_id}
    what = f"refund {order.refund_id} of order {order_gid}"
    data = await ask(admin, RefundData, REFUND_MUTATION, variables, what, unreadable=Unavailable)
    created = data.refund_create
    if created is None or created.refund is None:
        raise refused(created.user_errors if created else [], what)
    return marketplace_refund(created.refund)


async def find_refund(admin: ShopifyAdmin, order: RefundOrder) -> MarketplaceRefund | None:
    """The refund an earlier try of `order` made, found by its note; None if none did."""
    order_gid = gid("Order", order.order_id)
    what = f"the refunds of order {order_gid}"
    data = await ask(admin, RefundsData, REFUNDS_QUERY, {"id": order_gid}, what)
    if data.order is None:
        return None
    mark = note_mark(order.refund_id)
    made = next((refund for refund in data.order.refunds if mark in (refund.note or "")), None)
    return marketplace_refund(made) if made else None


async def read_refund_state(admin: ShopifyAdmin, refund_id: str) -> RefundState | None:
    """The refund as Shopify has it; None when the shop has no such refund."""
    refund_gid = gid("Refund", refund_id)
    data = await ask(
        admin, RefundStateData, REFUND_QUERY, {"id": refund_gid}, f"refund {refund_gid}"
    )
    found = data.refund
    if found is None:
        return None
    return RefundState(
        refund_id=found.id,
        order_id=legacy_id(found.order.id),
        return_id=found.of_return.id if found.of_return else None,
    )


async def paid_order(admin: ShopifyAdmin, order_gid: str) -> PaidOrder:
    data = await ask(
        admin, PaymentsData, PAYMENTS_QUERY, {"id": order_gid}, f"the payments of {order_gid}"
    )
    if data.order is None:
        raise Refused(SHOPIFY, f"no order {order_gid} to refund")
    return data.order


def payment_of(order: PaidOrder) -> Transaction:
    """The largest successful payment of the order: what a refund goes back to."""
    paid = [t for t in order.transactions if t.kind in PAID_KINDS and t.status == "SUCCESS"]
    if not paid:
        raise Refused(SHOPIFY, f"order {order.id} has no successful payment to refund")
    return max(paid, key=lambda t: t.amount_set.presentment_money.amount)


def major_units(amount_minor: int, currency: Currency) -> Decimal:
    return Decimal(amount_minor) / MINOR_UNITS[currency]


def marketplace_refund(refund: Refund) -> MarketplaceRefund:
    money = refund.total_refunded_set.presentment_money
    try:
        currency = Currency(money.currency_code)
    except ValueError as error:
        reason = f"refund {refund.id} is in {money.currency_code}, not a currency served"
        raise Refused(SHOPIFY, reason) from error
    return MarketplaceRefund(
        marketplace_refund_id=refund.id,
        amount_minor=int((money.amount * MINOR_UNITS[currency]).to_integral_value()),
        currency=currency,
    )
