"""eBay Post-Order API: a seller's return, read, refunded, approved or declined, and marked
received (https://developer.ebay.com/Devzone/post-order/index.html).

- `read_return`: GET {base_url}/post-order/v2/return/{returnId}
  (https://developer.ebay.com/Devzone/post-order/post-order_v2_return-returnId__get.html).
  eBay documents that the default `fieldgroups=FULL` leaves `summary` out, so the summary is
  asked for separately when the first answer lacks it.
- `issue_refund`: POST .../return/{returnId}/issue_refund (Issue Return Refund,
  https://developer.ebay.com/devzone/post-order/post-order_v2_return-returnid_issue_refund__post.html)
  with `refundDetail` (`itemizedRefundDetail` [{`refundAmount`, `refundFeeType`}],
  `totalAmount`) and `comments`; the answer's `refundStatus` (Refund_MoneyMovementStatusEnum)
  is SUCCESS or PENDING when the refund is made, FAILED when not. eBay takes no idempotency
  key here: the caller reads the return back before any retry (`returns.refund_issued`).
- `decide`: POST .../return/{returnId}/decide (Process Return Request,
  https://developer.ebay.com/devzone/post-order/post-order_v2_return-returnid_decide__post.html)
  with `decision` (DecisionEnum) and `comments`. Of a seller's decisions (APPROVE,
  DECLINE, OFFER_PARTIAL_REFUND with `partialRefundAmount`, OFFER_RETURN, PROVIDE_RMA with
  `RMANumber`; the replacement offers are not supported by eBay any more) intake sends
  APPROVE, and DECLINE of a remorse return only: eBay lets no seller decline a return
  opened as not as described (SNAD). A partial refund the buyer accepted with intake is
  paid with `issue_refund`, which closes the return (LESS_THAN_A_FULL_REFUND_ISSUED); an
  OFFER_PARTIAL_REFUND would ask the buyer again, on eBay.
- `mark_as_received`: POST .../return/{returnId}/mark_as_received with `comments`.
- `send_message`: POST .../return/{returnId}/send_message (Send Return Message,
  https://developer.ebay.com/devzone/post-order/post-order_v2_return-returnid_send_message__post.html)
  with `message` (`content`, `language`): the seller's message to the buyer, which eBay
  shows in the return's conversation and history (activity SELLER_SEND_MESSAGE).
- `search_returns`: GET .../return/search?limit=1, the cheapest call a seller's token must
  pass: `{"members", "paginationOutput", "total"}`.

Calls carry the seller's OAuth user token as `Authorization: IAF <token>`, the form the
traditional APIs (Post-Order among them) take OAuth tokens in
(https://developer.ebay.com/api-docs/static/oauth-trad-apis.html), and the return's site as
X-EBAY-C-MARKETPLACE-ID. Errors (`shared.outbound`): no answer in time, no connection, 408,
429 and 5xx are `Unavailable`; 404 (no such return for this seller), 401 and 403 (the
seller's token refused), any other 4xx and an answer that is not the documented resource
are `Refused`, with eBay's `errorId` and `message` (its `error` list, or the `errors` list
its OAuth layer answers with; for a refused token the id alone, as eBay's message may quote
the token). A refund whose answer cannot be read may have been made: it
is `Unavailable`, so that the caller reads the return back before trying again.

eBay asks EU and UK sellers' refunds and decisions to carry a digital signature
(https://developer.ebay.com/develop/guides/digital-signatures-for-apis); that is not built
here: such a seller's calls are refused by eBay with its own reason.
"""

import json
from decimal import Decimal

import httpx
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from services.intake.channels.ebay.returns import EbayReturn
from shared.outbound import Refused, Unavailable, ensure_success, excerpt, resource_of

EBAY = "eBay"
PRODUCTION = "https://api.ebay.com"
SANDBOX = "https://api.sandbox.ebay.com"
RETURNS = "/post-order/v2/return"
PURCHASE_PRICE = "PURCHASE_PRICE"
REFUND_MADE = frozenset({"SUCCESS", "PENDING"})


class Answer(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, frozen=True)


class RefundAnswer(Answer):
    refund_status: str


class SearchAnswer(Answer):
    total: int = 0


async def read_return(
    client: httpx.AsyncClient,
    base_url: str,
    user_token: str,
    return_id: str,
    marketplace_id: str = "EBAY_US",
) -> EbayReturn:
    """Both halves of return `return_id`; `base_url` is e.g. `PRODUCTION`."""
    found = await return_part(client, base_url, user_token, return_id, marketplace_id, "FULL")
    if found.summary is None:
        summary = await return_part(
            client, base_url, user_token, return_id, marketplace_id, "SUMMARY"
        )
        found = found.model_copy(update={"summary": summary.summary})
    return found


async def return_part(
    client: httpx.AsyncClient,
    base_url: str,
    user_token: str,
    return_id: str,
    marketplace_id: str,
    fieldgroups: str,
) -> EbayReturn:
    request = client.build_request(
        "GET",
        f"{base_url.rstrip('/')}{RETURNS}/{return_id}",
        params={"fieldgroups": fieldgroups},
        headers=headers_of(user_token, marketplace_id),
    )
    what = f"return {return_id}"
    response = await answered(client, request, return_id, what)
    return resource_of(EbayReturn, response, EBAY, what)


async def issue_refund(
    client: httpx.AsyncClient,
    base_url: str,
    user_token: str,
    return_id: str,
    amount: Decimal,
    currency: str,
    comment: str,
    marketplace_id: str = "EBAY_US",
) -> str:
    """Refund `amount` of the purchase price; eBay's refundStatus (SUCCESS or PENDING)."""
    money = {"value": float(amount), "currency": currency}
    body = {
        "comments": {"content": comment},
        "refundDetail": {
            "itemizedRefundDetail": [{"refundAmount": money, "refundFeeType": PURCHASE_PRICE}],
            "totalAmount": money,
        },
    }
    what = f"the refund of return {return_id}"
    path = f"{return_id}/issue_refund"
    request = post(client, base_url, path, user_token, marketplace_id, body)
    response = await answered(client, request, return_id, what)
    status = resource_of(RefundAnswer, response, EBAY, what, unreadable=Unavailable).refund_status
    if status.upper() not in REFUND_MADE:
        raise Refused(EBAY, f"did not make {what}: refundStatus {status}", response.status_code)
    return status.upper()


async def decide(
    client: httpx.AsyncClient,
    base_url: str,
    user_token: str,
    return_id: str,
    decision: str,
    comment: str,
    marketplace_id: str = "EBAY_US",
) -> None:
    """The seller's `decision` on the return request: APPROVE, or DECLINE (remorse only)."""
    body = {"decision": decision, "comments": {"content": comment}}
    request = post(client, base_url, f"{return_id}/decide", user_token, marketplace_id, body)
    await answered(client, request, return_id, f"the decision {decision} on return {return_id}")


async def mark_as_received(
    client: httpx.AsyncClient,
    base_url: str,
    user_token: str,
    return_id: str,
    comment: str,
    marketplace_id: str = "EBAY_US",
) -> None:
    """The returned item reached the seller."""
    body = {"comments": {"content": comment}}
    path = f"{return_id}/mark_as_received"
    request = post(client, base_url, path, user_token, marketplace_id, body)
    await answered(client, request, return_id, f"marking return {return_id} received")


async def send_message(
    client: httpx.AsyncClient,
    base_url: str,
    user_token: str,
    return_id: str,
    content: str,
    language: str,
    marketplace_id: str = "EBAY_US",
) -> None:
    """A message to the buyer in the return's conversation."""
    body = {"message": {"content": content, "language": language}}
    request = post(client, base_url, f"{return_id}/send_message", user_token, marketplace_id, body)
    await answered(client, request, return_id, f"a message on return {return_id}")


async def search_returns(
    client: httpx.AsyncClient, base_url: str, user_token: str, marketplace_id: str = "EBAY_US"
) -> int:
    """How many returns the seller has: one page of one, to check that the token works."""
    request = client.build_request(
        "GET",
        f"{base_url.rstrip('/')}{RETURNS}/search",
        params={"limit": "1", "offset": "0"},
        headers=headers_of(user_token, marketplace_id),
    )
    what = "the seller's returns"
    response = await answered(client, request, "-", what)
    return resource_of(SearchAnswer, response, EBAY, what).total


def post(
    client: httpx.AsyncClient,
    base_url: str,
    path: str,
    user_token: str,
    marketplace_id: str,
    body: dict,
) -> httpx.Request:
    return client.build_request(
        "POST",
        f"{base_url.rstrip('/')}{RETURNS}/{path}",
        content=json.dumps(body),
        headers={**headers_of(user_token, marketplace_id), "Content-Type": "application/json"},
    )


def headers_of(user_token: str, marketplace_id: str) -> dict[str, str]:
    return {
        "Authorization": f"IAF {user_token}",
        "Accept": "application/json",
        "X-EBAY-C-MARKETPLACE-ID": marketplace_id,
    }


async def answered(
    client: httpx.AsyncClient, request: httpx.Request, return_id: str, what: str
) -> httpx.Response:
    try:
        response = await client.send(request)
    except httpx.TimeoutException as error:
        raise Unavailable(EBAY, f"did not answer for {what} in time") from error
    except httpx.TransportError as error:
        raise Unavailable(EBAY, f"could not be reached for {what}: {error}") from error
    status = response.status_code
    if status == 404:
        raise Refused(EBAY, f"has no return {return_id} for this seller", status)
    if status in (401, 403):
        # eBay's words about a refused token may quote the token: only its error id is kept.
        code, _ = post_order_error_of(response)
        reason = f"refused the seller's token ({status}) for {what}: eBay error {code or '-'}"
        raise Refused(EBAY, reason, status, code)
    ensure_success(response, EBAY, what, post_order_error_of)
    return response


def post_order_error_of(response: httpx.Response) -> tuple[str | None, str]:
    """eBay's first error: its errorId and message; else the start of the body."""
    try:
        said = response.json()
        first = (said.get("error") or said.get("errors"))[0]
        return str(first["errorId"]), first.get("message") or first.get("longMessage") or ""
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None, excerpt(response)
