"""Pays a buyer back through the marketplace, never twice: `MarketplaceRefunds.issue`.

A refund is money leaving the seller, so a retry must not pay again. Each refund carries
an idempotency key, `RefundRequest.refund_id`, stable per case and remedy: the
marketplace answers a key it has seen with the refund it already made.

The refund API. This is the project's own protocol. Intake serves it
(`services/intake/handlers/refunds.py`, with the service's client-credentials token): it alone
holds the sellers' credentials and pays each refund through the case's marketplace. The
generic channel's refund API (the emulators' `deploy/emulators/refund_api.py` locally, or a
seller's ERP) speaks it too.

    POST /v1/refunds
    Authorization: Bearer <resolution's client-credentials token>
    Idempotency-Key: <refund_id>
    {"case_id": str, "marketplace": str, "seller_account": str, "order_id": str,
     "return_id": str | null, "amount": {"minor": int, "currency": str}, "reason": str}

- 201: a new refund, `{"refund_id": <the marketplace's id>, ...}`;
- 200: the key was seen before with the same body: the earlier refund, same shape;
- 422: the key was seen before with another body, or the body is invalid; `detail`
  says why. Refused: the same request will never succeed. Intake also answers 404 for a
  case it does not hold, and a marketplace's refusal with that marketplace's 4xx and its
  reason as `detail`: refused too;
- 503 with Retry-After: the marketplace cannot pay now; the same request later.

    GET /v1/refunds?idempotency_key=<refund_id>
    {"refunds": [...]}: the refund made under that key, if any (every refund without the
    parameter). What a payer reads back before retrying a try whose answer was lost; the
    generic channel's refund API serves it, intake reads it there.

How `issue` reads the answers (`shared.outbound`): no answer in time, no connection, 408,
425, 429 and 5xx are `Unavailable` (retry later with the same request, after `retry_after`
seconds when the marketplace says); any other non-2xx is `Refused`, with the status and
the marketplace's reason. A 2xx that is not the documented answer is `Unavailable` too:
see `receipt_of`.
"""

from dataclasses import dataclass

import httpx
from pydantic import BaseModel, Field

from shared.outbound import Unavailable, answer_to, excerpt, resource_of

SYSTEM = "refund API"
REFUNDS_PATH = "/v1/refunds"
IDEMPOTENCY_HEADER = "Idempotency-Key"
NEW_REFUND, REPLAYED_REFUND = 201, 200


@dataclass(frozen=True)
class RefundRequest:
    """What to pay back, to whom and why; `refund_id` is the idempotency key."""

    refund_id: str
    case_id: str
    marketplace: str
    seller_account: str
    order_id: str
    return_id: str | None
    amount_minor: int
    currency: str
    reason: str

    def __post_init__(self) -> None:
        # Caller bugs, caught before any money moves rather than refused by the marketplace.
        if not self.refund_id.strip():
            raise ValueError("a refund needs a refund_id: it is what makes a retry safe")
        if self.amount_minor <= 0:
            raise ValueError(f"refund {self.refund_id}: amount_minor must be > 0")


@dataclass(frozen=True)
class RefundReceipt:
    """The refund the marketplace made; `replayed` when it had it already (200, not 201)."""

    refund_id: str
    marketplace_refund_id: str
    replayed: bool


class IssuedRefund(BaseModel):
    """The part of a 200/201 answer the receipt needs; the rest is the marketplace's."""

    refund_id: str = Field(min_length=1)


class MarketplaceRefunds:
    """The refund API behind `client` (intake), whose base_url and timeout the caller sets.
    The client carries resolution's own token (`shared/identity.service_client`)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def issue(self, request: RefundRequest) -> RefundReceipt:
        """Pay `request` back, or find the refund an earlier try with its key already made."""
        call = refund_call(self.client, request)
        response = await answer_to(
            self.client, call, SYSTEM, f"refund {request.refund_id}", reason_of=reason_of
        )
        return receipt_of(request, response)


def refund_call(
    client: httpx.AsyncClient, request: RefundRequest, headers: dict[str, str] | None = None
) -> httpx.Request:
    return client.build_request(
        "POST",
        REFUNDS_PATH,
        json=wire_body(request),
        headers={**(headers or {}), IDEMPOTENCY_HEADER: request.refund_id},
    )


def wire_body(request: RefundRequest) -> dict:
    """The body the protocol names; the key travels in the header, not here."""
    return {
        "case_id": request.case_id,
        "marketplace": request.marketplace,
        "seller_account": request.seller_account,
        "order_id": request.order_id,
        "return_id": request.return_id,
        "amount": {"minor": request.amount_minor, "currency": request.currency},
        "reason": request.reason,
    }


def receipt_of(request: RefundRequest, response: httpx.Response) -> RefundReceipt:
    """The receipt a 200 or 201 answer makes.

    Any other 2xx, or one without the marketplace's refund id, is a protocol error, yet
    not a refusal: the marketplace took the request and the money may have moved. Only
    a retry with the same key can say which refund was made, so it is `Unavailable`,
    never a reason to try again under a new key.
    """
    status, what = response.status_code, f"refund {request.refund_id}"
    if status not in (NEW_REFUND, REPLAYED_REFUND):
        expected = f"not {NEW_REFUND} or {REPLAYED_REFUND}"
        reason = f"answered {status} for {what}, {expected}: {excerpt(response)}"
        raise Unavailable(SYSTEM, reason, status)
    issued = resource_of(IssuedRefund, response, SYSTEM, what, unreadable=Unavailable)
    return RefundReceipt(
        refund_id=request.refund_id,
        marketplace_refund_id=issued.refund_id,
        replayed=status == REPLAYED_REFUND,
    )


def reason_of(response: httpx.Response) -> tuple[str | None, str]:
    """The marketplace's own reason: the protocol's `detail` text, else the start of the
    body; the protocol has no error codes."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail.strip():
        return None, detail.strip()
    return None, excerpt(response)
