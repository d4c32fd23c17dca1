"""Paying a Walmart buyer back for a case, exactly once.

A Walmart case's items are the lines of its return order (`RefundOrder.return_id`), so
what resolution refunds is either what those lines cost (a full refund) or less:

- in full, through the Returns API: `issue_refund` of the lines not refunded yet. The call
  takes no idempotency key, but a return order is refunded once: when the read-back shows
  every line refunded (`refundedQty`), the refund was made, by an earlier try of this order
  or by Walmart itself, and paying is not tried again;
- less, through the Orders API's Refund Order Lines, the call Walmart names for an amount
  the seller sets: the amount is spread over the returned lines in their order, each up to
  what it cost, on their purchase order lines, with a comment naming the refund id; a
  read-back of the purchase order finds the refunds with that comment (`find_refund`).

More than the lines cost, or a currency other than theirs (USD), is refused. Walmart
refunds the tax of a fully refunded line by itself; a partial refund is of the price only.
"""

from collections.abc import Sequence
from decimal import Decimal

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.channels.walmart import orders_api, returns_api
from services.intake.channels.walmart.access import with_token
from services.intake.channels.walmart.api import WALMART
from services.intake.channels.walmart.returns_api import ReturnOrder, ReturnOrderLine
from services.intake.domain.account import Account
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from services.intake.domain.opening import to_minor_units
from shared.markets import MINOR_UNITS, Currency
from shared.outbound import Refused

CURRENCY = Currency.USD


def comment_of(order: RefundOrder) -> str:
    """The refund's comment at Walmart: how a read-back knows it."""
    return f"after-sales refund {order.refund_id}"


async def pay_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund:
    returned = await read_return_order(order, account, apis)
    if order.amount_minor < value_minor(returned.return_order_lines):
        return await pay_part(order, returned, account, apis)
    done = refunded_in_full(returned)
    if done is not None:
        return done
    lines = [line for line in returned.return_order_lines if not line.refunded]
    base_url = apis.settings.walmart_api_base_url
    await with_token(
        account,
        apis,
        lambda token: returns_api.issue_refund(apis.http, base_url, token, returned, lines),
    )
    return full_refund(returned)


async def find_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund | None:
    """The refund an earlier try of `order` made, read back from Walmart; None if none."""
    returned = await read_return_order(order, account, apis)
    if order.amount_minor >= value_minor(returned.return_order_lines):
        return refunded_in_full(returned)
    found: list[orders_api.Refund] = []
    for purchase_order_id in purchase_orders_of(returned.return_order_lines):
        purchase_order = await with_token(
            account,
            apis,
            lambda token, po=purchase_order_id: orders_api.purchase_order(
                apis.http, apis.settings.walmart_api_base_url, token, po
            ),
        )
        made = orders_api.refunds_with_comment(purchase_order, comment_of(order))
        found += [refund for _, refund in made]
    if not found:
        return None
    paid = sum((refund.amount for refund in found), Decimal(0))
    ids = ",".join(refund.refund_id or comment_of(order) for refund in found)
    return MarketplaceRefund(ids, to_minor_units(paid, CURRENCY), CURRENCY)


async def read_return_order(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> ReturnOrder:
    if order.currency is not CURRENCY:
        raise Refused(WALMART, f"refund {order.refund_id}: Walmart US refunds in USD only")
    if not order.return_id:
        raise Refused(WALMART, f"refund {order.refund_id}: a Walmart refund needs its return order")
    returned = await with_token(
        account,
        apis,
        lambda token: returns_api.return_order(
            apis.http, apis.settings.walmart_api_base_url, token, order.return_id or ""
        ),
    )
    if order.amount_minor > value_minor(returned.return_order_lines):
        raise Refused(
            WALMART,
            f"refund {order.refund_id}: {order.amount_minor} is more than the lines of return"
            f" order {returned.return_order_id} cost",
        )
    return returned


async def pay_part(
    order: RefundOrder, returned: ReturnOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund:
    by_purchase_order = spread(order.amount_minor, returned)
    refund_ids: list[str] = []
    for purchase_order_id, amounts in by_purchase_order.items():
        answer = await with_token(
            account,
            apis,
            lambda token, po=purchase_order_id, lines=amounts: orders_api.refund_order_lines(
                apis.http,
                apis.settings.walmart_api_base_url,
                token,
                po,
                lines,
                CURRENCY.value,
                comment_of(order),
            ),
        )
        refund_ids += [
            refund.refund_id
            for _, refund in orders_api.refunds_with_comment(answer, comment_of(order))
            if refund.refund_id
        ]
    return MarketplaceRefund(
        ",".join(refund_ids) or comment_of(order), order.amount_minor, CURRENCY
    )


def spread(amount_minor: int, returned: ReturnOrder) -> dict[str, list[tuple[str, Decimal]]]:
    """The amount over the returned lines in their order, each up to its cost, by purchase
    order: (purchase order line number, amount)."""
    left = amount_minor
    by_purchase_order: dict[str, list[tuple[str, Decimal]]] = {}
    for line in returned.return_order_lines:
        if left <= 0:
            break
        take = min(left, line_value_minor(line))
        if line.purchase_order_id is None or line.purchase_order_line_number is None:
            number, of = line.return_order_line_number, returned.return_order_id
            raise Refused(WALMART, f"line {number} of return order {of} names no order line")
        amount = Decimal(take) / MINOR_UNITS[CURRENCY]
        by_purchase_order.setdefault(line.purchase_order_id, []).append(
            (str(line.purchase_order_line_number), amount)
        )
        left -= take
    return by_purchase_order


def refunded_in_full(returned: ReturnOrder) -> MarketplaceRefund | None:
    if all(line.refunded for line in returned.return_order_lines):
        return full_refund(returned)
    return None


def full_refund(returned: ReturnOrder) -> MarketplaceRefund:
    return MarketplaceRefund(
        f"{returned.return_order_id}:refund", value_minor(returned.return_order_lines), CURRENCY
    )


def purchase_orders_of(lines: Sequence[ReturnOrderLine]) -> list[str]:
    return list(dict.fromkeys(line.purchase_order_id for line in lines if line.purchase_order_id))


def value_minor(lines: Sequence[ReturnOrderLine]) -> int:
    """What the lines cost the buyer, tax aside: what resolution refunds in full."""
    return sum(line_value_minor(line) for line in lines)


def line_value_minor(line: ReturnOrderLine) -> int:
    unit = returns_api.unit_price_of(line, "")
    return to_minor_units(unit, CURRENCY) * line.quantity.measurement_value
