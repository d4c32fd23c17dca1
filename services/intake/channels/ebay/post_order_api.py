"""eBay Post-Order API: the return a ReturnCreated names, as `returns.EbayReturn`.

`read_return` calls GET {base_url}/post-order/v2/return/{returnId}
(https://developer.ebay.com/Devzone/post-order/post-order_v2_return-returnId__get.html).
eBay documents that the default `fieldgroups=FULL` leaves `summary` out, so the summary is
asked for separately when the first answer lacks it.

Calls carry the seller's OAuth user token as `Authorization: IAF <token>`, the form the
traditional APIs (Post-Order among them) take OAuth tokens in, and the return's site as
X-EBAY-C-MARKETPLACE-ID. Errors (`shared.outbound`): no answer in time, no connection, 408,
429 and 5xx are `Unavailable`; 404 (no such return for this seller), 401 and 403 (the
seller's token refused), any other 4xx and an answer that is not the documented resource
are `Refused`.
"""

import httpx

from services.intake.channels.ebay.returns import EbayReturn
from shared.outbound import Refused, Unavailable, ensure_success, resource_of

EBAY = "eBay"
PRODUCTION = "https://api.ebay.com"
SANDBOX = "https://api.sandbox.ebay.com"


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
        f"{base_url.rstrip('/')}/post-order/v2/return/{return_id}",
        params={"fieldgroups": fieldgroups},
        headers={
            "Authorization": f"IAF {user_token}",
            "Accept": "application/json",
            "X-EBAY-C-MARKETPLACE-ID": marketplace_id,
        },
    )
    try:
        response = await client.send(request)
    except httpx.TimeoutException as error:
        raise Unavailable(EBAY, f"did not answer for return {return_id} in time") from error
    except httpx.TransportError as error:
        reason = f"could not be reached for return {return_id}: {error}"
        raise Unavailable(EBAY, reason) from error
    return return_of(response, return_id)


def return_of(response: httpx.Response, return_id: str) -> EbayReturn:
    status = response.status_code
    if status == 404:
        raise Refused(EBAY, f"has no return {return_id} for this seller", status)
    if status in (401, 403):
        reason = f"refused the seller's token ({status}) for return {return_id}"
        raise Refused(EBAY, reason, status)
    what = f"return {return_id}"
    ensure_success(response, EBAY, what)
    return resource_of(EbayReturn, response, EBAY, what)
