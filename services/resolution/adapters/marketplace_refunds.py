"""Pays a buyer back through the marketplace, never twice: `MarketplaceRefunds.issue`.

A refund is money leaving the seller, so a retry must not pay again. Each refund carries
an idempotency key, `RefundRequest.refund_id`, stable per case and remedy: the
marketplace answers a key it has seen with the refund it already made.

The refund API. This is the project's own protocol, which the per-marketplace gateways
(or a seller's ERP) implement in front of each marketplace's refund endpoint; the
sandbox in `deploy/sandbox_marketplace.py` implements it for local runs.

    POST /v1/refunds
    Idempotency-Key: <refund_id>
    {"case_id": str, "marketplace": str, "seller_account": str, "order_id": str,
     "return_id": str | null, "amount": {"minor": int, "currency": str}, "reason": str}

- 201: a new refund, `{"refund_id": <the marketplace's id>, ...}`;
- 200: the key was seen before with the same body: the earlier refund, same shape;
- 422: the key was seen before with another body, or the body is invalid; `detail`
  says why. Refused: the same request will never succeed.

How `issue` reads the answers: no answer in time, no connection, 408, 425, 429 and 5xx
are `RefundNotYetIssued` (retry later with the same request, after `retry_after` seconds
when the marketplace says); any other non-2xx is `RefundRefused`, with the status and
the marketplace's reason. A 2xx that is not the documented answer is `RefundNotYetIssued`
too: see `receipt_of`.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from pydantic import BaseModel, Field, ValidationError

REFUNDS_PATH = "/v1/refunds"
IDEMPOTENCY_HEADER = "Idempotency-Key"
NEW_REFUND, REPLAYED_REFUND = 201, 200
TRANSIENT_STATUSES = {408, 425, 429}
EXCERPT_CHARS = 300


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


class RefundFailure(Exception):
    """A refund the marketplace did not confirm; `status` is the HTTP status when there was one."""

    def __init__(self, refund_id: str, reason: str, status: int | None = None):
        super().__init__(f"refund {refund_id}: {reason}")
        self.refund_id = refund_id
        self.reason = reason
        self.status = status


class RefundNotYetIssued(RefundFailure):
    """Worth retrying with the same request, after `retry_after` seconds when known.

    The money may or may not have moved: only a retry with the same key tells, and it
    cannot pay twice.
    """

    def __init__(
        self,
        refund_id: str,
        reason: str,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(refund_id, reason, status)
        self.retry_after = retry_after


class RefundRefused(RefundFailure):
    """Will never succeed as asked: the marketplace refused it; `reason` is its own words."""


class IssuedRefund(BaseModel):
    """The part of a 200/201 answer the receipt needs; the rest is the marketplace's."""

    refund_id: str = Field(min_length=1)


class MarketplaceRefunds:
    """The marketplaces' refund API behind `client`, whose base_url and timeout the caller sets."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def issue(self, request: RefundRequest) -> RefundReceipt:
        """Pay `request` back, or find the refund an earlier try with its key already made."""
        response = await answer_to(self._client, refund_call(self._client, request), request)
        return receipt_of(request, response)


def refund_call(client: httpx.AsyncClient, request: RefundRequest) -> httpx.Request:
    return client.build_request(
        "POST",
        REFUNDS_PATH,
        json=wire_body(request),
        headers={IDEMPOTENCY_HEADER: request.refund_id},
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


async def answer_to(
    client: httpx.AsyncClient, call: httpx.Request, request: RefundRequest
) -> httpx.Response:
    """The 2xx answer to `call`, or the error that says whether to retry."""
    try:
        response = await client.send(call)
    except httpx.TimeoutException as error:
        # The marketplace may have paid before the answer was lost: retry the same key.
        raise RefundNotYetIssued(request.refund_id, "no answer in time") from error
    except httpx.TransportError as error:
        raise RefundNotYetIssued(request.refund_id, f"unreachable: {error!r}") from error
    ensure_success(response, request.refund_id)
    return response


def ensure_success(response: httpx.Response, refund_id: str) -> None:
    status = response.status_code
    if response.is_success:
        return
    if status in TRANSIENT_STATUSES or status >= 500:
        reason = f"answered {status}; try again later with the same refund_id"
        raise RefundNotYetIssued(refund_id, reason, status, retry_after_of(response))
    raise RefundRefused(refund_id, f"answered {status}: {reason_of(response)}", status)


def receipt_of(request: RefundRequest, response: httpx.Response) -> RefundReceipt:
    """The receipt a 200 or 201 answer makes.

    Any other 2xx, or one without the marketplace's refund id, is a protocol error, yet
    not a refusal: the marketplace took the request and the money may have moved. Only
    a retry with the same key can say which refund was made, so it is `RefundNotYetIssued`,
    never a reason to try again under a new key.
    """
    status = response.status_code
    if status not in (NEW_REFUND, REPLAYED_REFUND):
        reason = f"answered {status}, not {NEW_REFUND} or {REPLAYED_REFUND}: {excerpt(response)}"
        raise RefundNotYetIssued(request.refund_id, reason, status)
    return RefundReceipt(
        refund_id=request.refund_id,
        marketplace_refund_id=issued_refund_of(response, request.refund_id).refund_id,
        replayed=status == REPLAYED_REFUND,
    )


def issued_refund_of(response: httpx.Response, refund_id: str) -> IssuedRefund:
    try:
        return IssuedRefund.model_validate_json(response.content)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        reason = (
            f"answered {response.status_code} without the documented refund "
            f"({where}: {first['msg']}); retry with the same refund_id"
        )
        raise RefundNotYetIssued(refund_id, reason, response.status_code) from error


def retry_after_of(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds, in either of its forms: seconds or an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return seconds_until(value)


def seconds_until(http_date: str) -> float | None:
    try:
        moment = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


def reason_of(response: httpx.Response) -> str:
    """The marketplace's own reason: the protocol's `detail` text, else the start of the body."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return detail.strip() if isinstance(detail, str) and detail.strip() else excerpt(response)


def excerpt(response: httpx.Response) -> str:
    return response.text[:EXCERPT_CHARS].strip() or response.reason_phrase
