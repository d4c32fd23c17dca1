"""The generic channel's refunds: any other marketplace pays through the project's own refund
protocol, at GENERIC_REFUND_API_BASE_URL (the emulators serve it locally,
`deploy/emulators/refund_api.py`). The protocol is documented with resolution's client of
it (`services/resolution/adapters/marketplace_refunds.py`); intake serves it too.

    POST /v1/refunds   Idempotency-Key: <refund id>   {"case_id", "marketplace",
                       "seller_account", "order_id", "return_id", "amount": {"minor",
                       "currency"}, "reason"}
        201 a new refund, 200 the refund made earlier under the key: {"refund_id", ...}
    GET /v1/refunds?idempotency_key=<refund id>
        200 {"refunds": [...]}: the refund made under that key, if any (the read-back)

The refund id is the idempotency key, so a retry never pays twice even without the
read-back; `find_refund` reads back all the same before a retry whose answer was lost, as
intake does for every channel. Answers are read as `shared.outbound` says; a 2xx without
the refund's id is `Unavailable` (the money may have moved: only the key can tell).
"""

from typing import TypeVar

import httpx
from pydantic import BaseModel, Field

from services.intake.channels.marketplace import MarketplaceApis
from services.intake.domain.account import Account
from services.intake.domain.marketplace_side import MarketplaceRefund, RefundOrder
from shared.markets import Currency
from shared.outbound import Refused, Unavailable, answer_to, excerpt, resource_of

SYSTEM = "generic refund API"
REFUNDS_PATH = "/v1/refunds"
IDEMPOTENCY_HEADER = "Idempotency-Key"
NEW_REFUND, REPLAYED_REFUND = 201, 200
Made = TypeVar("Made", bound=BaseModel)


class Amount(BaseModel):
    minor: int = Field(gt=0)
    currency: Currency


class PaidRefund(BaseModel):
    """The part of an answer intake keeps; the rest is the refund API's."""

    refund_id: str = Field(min_length=1)
    idempotency_key: str | None = None
    amount: Amount | None = None


class RefundList(BaseModel):
    refunds: list[PaidRefund]


async def pay_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund:
    what = f"refund {order.refund_id}"
    body = wire_body(order, account)
    paid = await posted_once(apis, REFUNDS_PATH, body, order.refund_id, what, PaidRefund)
    return refund_of(order, paid)


async def find_refund(
    order: RefundOrder, account: Account, apis: MarketplaceApis
) -> MarketplaceRefund | None:
    what = f"the refund under key {order.refund_id}"
    listed = await listed_under(apis, REFUNDS_PATH, order.refund_id, what, RefundList)
    mine = [each for each in listed.refunds if each.idempotency_key == order.refund_id]
    return refund_of(order, mine[0]) if mine else None


async def posted_once(
    apis: MarketplaceApis, path: str, body: dict, key: str, what: str, made: type[Made]
) -> Made:
    """POST `body` under the idempotency `key`: what the seller's API made now (201) or
    made earlier under the key (200); any other 2xx is `Unavailable` (only the key tells)."""
    request = apis.http.build_request(
        "POST", f"{base_url(apis)}{path}", json=body, headers={IDEMPOTENCY_HEADER: key}
    )
    response = await answer_to(apis.http, request, SYSTEM, what, reason_of=reason_of)
    if response.status_code not in (NEW_REFUND, REPLAYED_REFUND):
        reason = f"answered {response.status_code} for {what}: {excerpt(response)}"
        raise Unavailable(SYSTEM, reason, response.status_code)
    return resource_of(made, response, SYSTEM, what, Unavailable)


async def listed_under(
    apis: MarketplaceApis, path: str, key: str, what: str, listing: type[Made]
) -> Made:
    """GET what the seller's API made under the idempotency `key` (the read-back)."""
    request = apis.http.build_request(
        "GET", f"{base_url(apis)}{path}", params={"idempotency_key": key}
    )
    response = await answer_to(apis.http, request, SYSTEM, what, reason_of=reason_of)
    return resource_of(listing, response, SYSTEM, what, Unavailable)


def base_url(apis: MarketplaceApis) -> str:
    base = apis.settings.generic_refund_api_base_url
    if not base:
        reason = "GENERIC_REFUND_API_BASE_URL is not set: no refund API to pay through"
        raise Refused(SYSTEM, reason)
    return base.rstrip("/")


def wire_body(order: RefundOrder, account: Account) -> dict:
    return {
        "case_id": order.case_id,
        "marketplace": account.channel.value,
        "seller_account": account.account,
        "order_id": order.order_id,
        "return_id": order.return_id,
        "amount": {"minor": order.amount_minor, "currency": order.currency.value},
        "reason": order.reason,
    }


def refund_of(order: RefundOrder, paid: PaidRefund) -> MarketplaceRefund:
    amount = paid.amount or Amount(minor=order.amount_minor, currency=order.currency)
    return MarketplaceRefund(paid.refund_id, amount.minor, amount.currency)


def reason_of(response: httpx.Response) -> tuple[str | None, str]:
    """The protocol's `detail` sentence, else the start of the body."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail.strip():
        return None, detail.strip()
    return None, excerpt(response)
